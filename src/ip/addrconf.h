/* IPv6 stateless address autoconfiguration on one interface (RFC 4862):
 * the link-local address, duplicate address detection, SLAAC addresses
 * from router advertisements' prefixes, and every address's lifetimes
 * (tentative -> preferred -> deprecated -> gone), on one timer per
 * interface. Interface identifiers are RFC 7217's (ip/stable_iid.h). */
#ifndef NARU_IP_ADDRCONF_H
#define NARU_IP_ADDRCONF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "ip/mld_listener.h"
#include "ip/redirect.h"
#include "ip/router_advert.h"
#include "ip/router_discovery.h"

struct naru_stack;
struct naru_iface;
struct ndp_prefix_info;

#define ADDRCONF_DAD_TRANSMITS 1                    /* RFC 4862 5.1 DupAddrDetectTransmits */
#define ADDRCONF_RETRANS_TIMER (1 * NARU_SEC)       /* RFC 4861 10 RETRANS_TIMER */
#define ADDRCONF_MAX_RTR_SOLICITATION_DELAY (1 * NARU_SEC) /* RFC 4861 10 */
#define ADDRCONF_TWO_HOURS (2 * 3600 * NARU_SEC)    /* RFC 4862 5.5.3 (e) */
#define ADDRCONF_DAD_NONCE_LEN 6                    /* RFC 7527 4.1 */
#define ADDRCONF_GIVEN_UP_MAX 4                     /* prefixes remembered as given up */

/* What an interface holds for IPv6 autoconfiguration (in struct naru_iface). */
struct addrconf_iface {
    struct naru_timer timer;   /* the next DAD step or lifetime end of any address */
    struct mld_listener mld;
    struct router_discovery rd;  /* as a host */
    struct router_advertiser ra; /* as a router */
    struct redirect_cache redirects; /* destinations redirected (RFC 4861 8.3) */
    naru_time_t retrans_timer; /* RFC 4861 6.3.2 RetransTimer: between DAD probes; 0: the default */
    bool ipv6_disabled;        /* RFC 4862 5.4.5: our link-local address belongs to another node */
    /* RFC 7217 6: /64 prefixes whose every identifier was found duplicate;
     * their advertisements form nothing more (the oldest gives way). */
    uint8_t given_up[ADDRCONF_GIVEN_UP_MAX][8];
    uint8_t given_up_count, given_up_next;
    bool started;              /* autoconf_iface_up() has run */
};

/* Give iface an address, tentative until DAD (RFC 4862 5.4) finds no one
 * else holding it (or preferred at once when dad is false; or at once and
 * probed all the same with IFA6_OPTIMISTIC in flags, RFC 4429), with lifetimes
 * from now (NARU_NEVER: infinite). Joins its solicited-node group. Flags
 * as for iface_addr6_add; dad_counter is the RFC 7217 DAD_Counter the
 * address was formed with. Returns 0 or iface_addr6_add's error, or
 * -ENETDOWN when IPv6 is disabled on iface. */
int addrconf_add(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16], uint8_t prefix_len,
                 uint8_t flags, naru_time_t valid_lifetime, naru_time_t preferred_lifetime, bool dad,
                 uint8_t dad_counter);
/* Remove it now, leaving its solicited-node group. 0 or -ENOENT. */
int addrconf_remove(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16]);

/* fe80::/64 with an RFC 7217 identifier and the on-link route fe80::/64
 * it implies (RFC 4862 5.3), with DAD. */
int addrconf_link_local_start(struct naru_stack *stack, struct naru_iface *iface);

/* RFC 4862 5.5.3: a prefix information option with the A flag, from a
 * router advertisement already checked: forms an address from it, or
 * updates the lifetimes of the one it formed before ("two hours" rule,
 * (e)). Ignores link-local prefixes, prefixes not /64 (RFC 4291 2.5.1's
 * interface identifiers are 64 bits) and a preferred lifetime above the
 * valid one. */
void addrconf_prefix(struct naru_stack *stack, struct naru_iface *iface, const struct ndp_prefix_info *p);

/* RFC 4862 5.5.3 (e): new lifetimes (seconds, 0xffffffff infinite) for an
 * autoconfigured address. */
void addrconf_update_lifetimes(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16],
                               uint32_t valid_s, uint32_t preferred_s);

/* Neighbour Discovery input tells DAD what it heard (RFC 4862 5.4.3,
 * 5.4.4): an NA for target, or an NS for it (from_unspecified: sent by a
 * node doing DAD itself; nonce, nonce_len as in the message, NULL if
 * none). Returns true when target was one of our tentative addresses (the
 * message is then DAD's, not for neighbour resolution). A message that is
 * our own probe looped back (RFC 7527: same nonce) is no conflict. */
bool addrconf_dad_heard(struct naru_stack *stack, struct naru_iface *iface, const uint8_t target[16], bool is_ns,
                        bool from_unspecified, const uint8_t *nonce, uint8_t nonce_len);

/* Is IPv6 usable on iface (not disabled by a link-local conflict)? */
static inline bool addrconf_enabled(const struct addrconf_iface *a)
{
    return !a->ipv6_disabled;
}

#endif
