/* Stable, semantically opaque interface identifiers (RFC 7217): the same
 * prefix on the same interface of the same stack (same secret, so the
 * same seed) always gives the same identifier, and nothing of the MAC
 * address shows in it. */
#ifndef NARU_IP_STABLE_IID_H
#define NARU_IP_STABLE_IID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 7217 6: how many more DAD counters to try after a conflict. */
#define STABLE_IID_IDGEN_RETRIES 3
/* The longest Network_ID taken into the hash; a longer one is cut. */
#define STABLE_IID_NET_ID_MAX 32

/* RFC 5453: identifiers reserved for anycast and other uses, which an
 * address must not take (the subnet-router anycast all-zero one, the
 * reserved subnet anycast range, the proxy mobile range). */
bool stable_iid_is_reserved(const uint8_t iid[8]);

/* RFC 7217 5: F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key),
 * here SipHash-2-4 keyed by the secret, whose 64 bits are the identifier.
 * net_id may be NULL (RFC 7217 makes it optional). Starting at
 * *dad_counter, a reserved result is skipped by counting on, as RFC 7217
 * 5 asks; *dad_counter is left at the value used. */
void stable_iid(const uint8_t secret[16], const uint8_t prefix[8], const char *ifname, const uint8_t *net_id,
                size_t net_id_len, uint8_t *dad_counter, uint8_t iid[8]);

#endif
