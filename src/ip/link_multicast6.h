/* ICMPv6 messages to a link-scope multicast group (MLD reports, DAD and
 * router solicitations, unsolicited router advertisements), put straight
 * onto the link: they need no route and no neighbour resolution (RFC 2464
 * 7 maps the group to its MAC address), so address autoconfiguration can
 * speak before the interface has any address to route from. */
#ifndef NARU_IP_LINK_MULTICAST6_H
#define NARU_IP_LINK_MULTICAST6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct naru_stack;
struct naru_iface;

/* msg (len bytes, its checksum already over src and group) goes out of
 * iface to group with hop limit 255 (Neighbour Discovery), or with hop
 * limit 1 and a router alert (MLD, RFC 3810 5). Returns 0, or -ENOBUFS
 * (counted by the pool). */
int link_multicast6_send(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16],
                         const uint8_t group[16], const uint8_t *msg, size_t len, bool mld);

#endif
