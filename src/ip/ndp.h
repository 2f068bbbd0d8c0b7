/* Neighbour Discovery's address resolution and unreachability detection
 * (RFC 4861 7): neighbour solicitations and advertisements as the
 * neighbour cache's IPv6 ops (link/neighbour.h holds the states and
 * timers, shared with ARP). Router messages go to ndp_router.h. */
#ifndef NARU_IP_NDP_H
#define NARU_IP_NDP_H

#include "core/timer.h"
#include "wire/ipv6.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

/* RFC 4861 10's constants (MAX_MULTICAST_SOLICIT, MAX_UNICAST_SOLICIT,
 * RETRANS_TIMER, REACHABLE_TIME, DELAY_FIRST_PROBE_TIME); the reachable
 * time is not randomised, so a seed replays the same frames. */
#define NDP_MAX_MULTICAST_SOLICIT 3
#define NDP_MAX_UNICAST_SOLICIT 3
#define NDP_RETRANS_TIMER (1 * NARU_SEC)
#define NDP_REACHABLE_TIME (30 * NARU_SEC)
#define NDP_DELAY_FIRST_PROBE (5 * NARU_SEC)
#define NDP_STALE_TIME (60 * NARU_SEC)     /* Linux's gc_staletime */
#define NDP_MAX_REACHABLE_MS 3600000u      /* RFC 4861 10 MAX_REACHABLE_TIME, in ms */

/* NDP's ops for the neighbour cache (after neighbour_init()). */
void ndp_init(struct naru_stack *stack);
/* A Neighbour Discovery message (RS, RA, NS, NA, redirect; pb->data at
 * the ICMPv6 header, checksum verified) received on iface. Does not take
 * the pbuf. */
void ndp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const struct ipv6_header *h,
               const struct ipv6_chain *c);
/* A neighbour's link-layer address, heard in a solicitation (RFC 4861
 * 7.2.3), a router advertisement (6.3.4) or a redirect (8.3): an entry
 * made for it (STALE), or one whose address differs updated and made
 * STALE; the same address changes nothing. */
void ndp_learn(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16], const uint8_t mac[6]);

#endif
