/* The seam between neighbour resolution (ndp.c, icmpv6.c) and address
 * autoconfiguration with router discovery (RFC 4861 6 and 8, RFC 4862).
 * icmpv6.c and ndp.c call these with messages already checked: hop limit
 * 255, not in fragments (RFC 6980), ndp_parse()'s rules. The definitions
 * in ndp_router_stub.c do nothing; the autoconf work (router_discovery.c,
 * redirect.c, slaac.c) replaces that file. */
#ifndef NARU_IP_NDP_ROUTER_H
#define NARU_IP_NDP_ROUTER_H

#include <stdint.h>

#include "wire/ipv6.h"
#include "wire/ndp.h"

struct naru_stack;
struct naru_iface;

/* A router solicitation, router advertisement or redirect on iface. */
void ndp_router_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                      const struct ndp_message *m);
/* A neighbour solicitation or advertisement whose target is iface's
 * tentative address (RFC 4862 5.4.3, 5.4.4): duplicate address detection's. */
void ndp_dad_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                   const struct ndp_message *m);
/* RFC 4861 7.2.5: a neighbour we know advertised without the router
 * flag: if it was a router, it goes from the default router list. */
void ndp_router_flag_cleared(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16]);
/* Neighbour unreachability detection gave up on addr (RFC 4861 7.3.3):
 * if it is a default router, another takes over (6.3.6). */
void ndp_router_unreachable(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16]);

#endif
