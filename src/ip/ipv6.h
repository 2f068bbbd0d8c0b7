/* IPv6 input and output (RFC 8200): validation, the extension header
 * chain, delivery to ourselves and to the groups we joined, routing and
 * source selection on the way out. The wire work is src/wire/ipv6.c's;
 * ICMPv6 is icmpv6.c, neighbour resolution ndp.c. */
#ifndef NARU_IP_IPV6_H
#define NARU_IP_IPV6_H

#include <stdbool.h>
#include <stdint.h>

#include "ip/ip.h"
#include "wire/ipv6.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

/* pb->data at the IPv6 header; iface is NULL for packets to ourselves.
 * Takes the pbuf. */
void ipv6_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* ipv6_output() and ipv6_select_source_to() are declared in ip/ip.h. */

/* The source RFC 6724 5 picks for dst among iface's addresses (rules 1,
 * 2, 3 and 8: the destination itself, the same scope, not deprecated,
 * the longest common prefix); a global destination may take another
 * interface's global address. 0 or -EADDRNOTAVAIL. */
int ipv6_select_source(const struct naru_stack *stack, const struct naru_iface *iface, const uint8_t dst[16],
                       uint8_t src[16]);
/* The interface ipv6_output() sends to dst by (a link-local or multicast
 * destination without a route: the first interface with IPv6), or NULL. */
struct naru_iface *ipv6_route_iface(struct naru_stack *stack, const struct naru_addr *dst);
/* Has iface joined the group (RFC 4291 2.8: all-nodes, the solicited-node
 * group of each of its addresses, tentative ones too (RFC 4862 5.4.2);
 * all-routers when forwarding)? */
bool ipv6_group_joined(const struct naru_stack *stack, const struct naru_iface *iface, const uint8_t group[16]);
/* Forward a packet that is not ours (RFC 8200 3, RFC 4443 2.4): hop
 * limit, scope, packet too big rather than fragments. Takes the pbuf. */
void ipv6_forward(struct naru_stack *stack, struct naru_iface *in, struct pbuf *pb, const struct ipv6_header *h);
/* Cut a packet (pb->data at its IPv6 header) into fragments of at most
 * mtu bytes with a fragment header (RFC 8200 4.5) and send them towards
 * next_hop. Takes the pbuf. */
int ipv6_fragment(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                  const struct naru_addr *next_hop, uint32_t mtu);
/* Neighbour Discovery gave up on the next hop: RFC 4861 7.2.2 answers
 * address unreachable. Takes the pbuf (pb->data at the IPv6 header). */
void ipv6_neighbour_failed(struct naru_stack *stack, struct pbuf *pb);

#endif
