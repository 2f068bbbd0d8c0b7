/* Where the IPv6 layer hands address autoconfiguration its work: an
 * interface coming up, and the ICMPv6 messages that are autoconfiguration's
 * (router solicitations and advertisements, redirects, MLD queries, and
 * neighbour solicitations and advertisements about tentative addresses). */
#ifndef NARU_IP_AUTOCONF_H
#define NARU_IP_AUTOCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct naru_stack;
struct naru_iface;
struct ipv6_header;

/* An interface is up for IPv6: its link-local address (RFC 4862 5.3),
 * with DAD; then, on a host, router discovery (RFC 4861 6.3.7). A router
 * interface solicits nothing (its advertising is router_advert_enable's).
 * Returns 0 or addrconf_add's error. */
int autoconf_iface_up(struct naru_stack *stack, struct naru_iface *iface, bool router);

/* An ICMPv6 message (checksum verified) that arrived on iface in a
 * datagram with header ip; router_alert and fragment as the datagram's
 * extension headers said. Returns true when the message was
 * autoconfiguration's alone (RS, RA, redirect, MLD; an NS or NA about a
 * tentative address); false when neighbour discovery should see it too
 * (any other NS or NA), or it is none of these. */
bool autoconf_icmpv6_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *ip,
                           bool router_alert, bool fragment, const uint8_t *msg, size_t len);

#endif
