/* ICMPv6 (RFC 4443): echo, errors about packets we could not deliver or
 * forward (rate-limited, RFC 4443 2.4), errors received handed to the
 * transport that sent the packet they quote, and the dispatch of
 * Neighbour Discovery (ndp.c; router messages to ndp_router.h) and MLD
 * (mld.h). Sending any ICMPv6 message is ip_output() with protocol
 * IP_PROTO_ICMPV6, the checksum already over the pseudo-header. */
#ifndef NARU_IP_ICMPV6_H
#define NARU_IP_ICMPV6_H

#include <stddef.h>
#include <stdint.h>

#include "wire/icmpv6.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

/* pb->data at the ICMPv6 header; h and c are the packet's (c->fragment:
 * it came in fragments). Takes the pbuf. */
void icmpv6_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const struct ipv6_header *h,
                  const struct ipv6_chain *c);
/* Send an error about `original` (received, its network header marked),
 * unless RFC 4443 2.4 (e) forbids it or the rate limit (2.4 (f)) says no.
 * Does not take it. */
void icmpv6_send_error(struct naru_stack *stack, const struct pbuf *original, uint8_t type, uint8_t code,
                       uint32_t rest);
/* The same from the bytes to quote (an IPv6 header and what follows);
 * pbuf_flags tells how the original was addressed (PBUF_F_*). */
void icmpv6_send_error_quoting(struct naru_stack *stack, const uint8_t *packet, size_t len, uint8_t pbuf_flags,
                               uint8_t type, uint8_t code, uint32_t rest);

#endif
