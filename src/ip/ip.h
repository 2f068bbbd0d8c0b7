/* The IP layer's family-neutral face: what the transports and the link
 * layer see of IPv4 and IPv6. Each family's own work stays in its files
 * (ipv4.c, icmp.c, ipv6.c, icmpv6.c, ...); this holds what both share,
 * and dispatches by family. */
#ifndef NARU_IP_IP_H
#define NARU_IP_IP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/addr.h"
#include "wire/checksum.h"
#include "wire/ipv4.h" /* IP_PROTO_*, the numbers both families share */

struct naru_stack;
struct naru_iface;
struct pbuf;

/* What a transport learns of a datagram it receives (pb->data at the
 * transport header). */
struct ip_info {
    struct naru_addr src, dst;
    uint8_t ttl;               /* IPv4 TTL, or IPv6 hop limit */
    uint8_t tos;               /* IPv4 type of service, or IPv6 traffic class */
    int16_t ifindex;           /* the interface it came in on; -1: from ourselves */
    bool broadcast;            /* sent to a broadcast address, of the link or of IP */
    bool multicast;            /* sent to a multicast group */
};

/* A transport payload to send (pb->data at its header). The addresses
 * are the caller's, read during the call. */
struct ip_send {
    const struct naru_addr *src; /* NULL or NARU_AF_UNSPEC: the address of the interface it leaves by */
    const struct naru_addr *dst;
    /* Where the scope of dst needs one (IPv6 link-local and multicast):
     * the interface; NULL: the route's. */
    const struct naru_iface *iface;
    uint8_t protocol;
    uint8_t ttl;               /* TTL or hop limit; 0: the stack's default */
    uint8_t tos;
    bool dont_fragment;        /* IPv4: DF, for path MTU discovery (RFC 1191) */
    const uint8_t *options;    /* IPv4 only: already laid out (RFC 791 3.1); NULL for none */
    uint8_t options_len;       /* at most 40 */
    /* IPv6 only: dst is a neighbour on iface's link (Neighbour Discovery
     * answering a solicitation): no route is asked. */
    bool to_neighbour;
    bool router_alert;         /* IPv6 only: a hop-by-hop router alert for MLD (RFC 2711, RFC 3810 5) */
};

/* An ICMP or ICMPv6 error about a datagram we sent, as the transport that
 * sent it sees it. The IP layer has checked the quote names one of our
 * datagrams of `protocol` and holds at least 8 bytes of its header. */
struct ip_error {
    struct naru_addr offender; /* the router or host that sent the error */
    struct naru_addr src, dst; /* the quoted datagram's addresses */
    uint8_t protocol;          /* the quoted datagram's transport */
    uint8_t type, code;        /* as received: ICMP for IPv4, ICMPv6 for IPv6 */
    bool unreachable;          /* destination unreachable (else time exceeded) */
    /* What it means to a socket, as Linux's icmp_err_convert says it:
     * -ENETUNREACH, -EHOSTUNREACH, -ENOPROTOOPT, -ECONNREFUSED (port
     * unreachable), or -EMSGSIZE (fragmentation needed, packet too big). */
    int err;
    uint32_t mtu;              /* err == -EMSGSIZE: the next hop's MTU (0: not said) */
    uint16_t src_port, dst_port; /* the quoted transport header's first two fields */
    const uint8_t *quoted;     /* the quoted transport header */
    size_t quoted_len;         /* at least 8 */
};

/* ---- per family (ipv4.c, ipv6.c) ---- */
int ipv4_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send);
int ipv4_select_source(const struct naru_stack *stack, uint32_t dst, uint32_t *src);
int ipv6_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send);
/* RFC 6724 5's source for dst, leaving by the interface the route (or
 * the scope) gives: 0, -ENETUNREACH, or -EADDRNOTAVAIL. */
int ipv6_select_source_to(const struct naru_stack *stack, const uint8_t dst[16], uint8_t src[16]);

/* ---- family-neutral ---- */

/* Make *a the IPv4 address v4. Unlike naru_addr_v4(), the bytes an IPv4
 * address does not use are left as they are (nothing reads them): one
 * store fewer on the per-packet paths. */
static inline void ip_addr_set_v4(struct naru_addr *a, uint32_t v4)
{
    a->family = NARU_AF_INET;
    a->v4 = v4;
}

/* *dst = *src, field by field for IPv4: a whole-struct copy just after
 * ip_addr_set_v4()'s narrow stores would stall on the store buffer. */
static inline void ip_addr_copy(struct naru_addr *dst, const struct naru_addr *src)
{
    if (src->family == NARU_AF_INET)
        ip_addr_set_v4(dst, src->v4);
    else
        *dst = *src;
}

/* Free pb and say this family is not sent (yet). */
int ip_output_unsupported(struct naru_stack *stack, struct pbuf *pb);

/* Send a transport payload (pb->data at its header). Takes the pbuf.
 * Returns 0, -ENETUNREACH, -EMSGSIZE (too big with dont_fragment),
 * -EADDRNOTAVAIL (IPv6: no source of the scope), or -EAFNOSUPPORT. */
static inline int ip_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send)
{
    if (send->dst->family == NARU_AF_INET)
        return ipv4_output(stack, pb, send);
    if (send->dst->family == NARU_AF_INET6)
        return ipv6_output(stack, pb, send);
    return ip_output_unsupported(stack, pb);
}

/* The source address ip_output() would use towards dst: 0,
 * -ENETUNREACH, -EADDRNOTAVAIL or -EAFNOSUPPORT. */
static inline int ip_select_source(const struct naru_stack *stack, const struct naru_addr *dst,
                                   struct naru_addr *src)
{
    if (dst->family == NARU_AF_INET6) {
        src->family = NARU_AF_INET6;
        return ipv6_select_source_to(stack, dst->v6, src->v6);
    }
    if (dst->family != NARU_AF_INET)
        return -EAFNOSUPPORT;
    src->family = NARU_AF_INET;
    return ipv4_select_source(stack, dst->v4, &src->v4);
}

/* The transport checksum's pseudo-header (RFC 793 3.1, RFC 768; RFC 8200
 * 8.1 for IPv6) summed without its length field, which the codec adds: a
 * partial sum for inet_sum(). */
static inline uint32_t ip_pseudo_sum(const struct naru_addr *src, const struct naru_addr *dst, uint8_t protocol)
{
    if (src->family == NARU_AF_INET6)
        return inet6_pseudo_sum(src->v6, dst->v6, 0, protocol);
    return inet_pseudo_sum(src->v4, dst->v4, protocol, 0);
}

/* Bytes of the fixed IP header of a family: 20 or 40. */
static inline uint32_t ip_header_len(uint8_t family)
{
    return family == NARU_AF_INET6 ? 40 : 20;
}

/* Tell the sender of `original` (received; its network header marked)
 * that nobody listens on the port: ICMP port unreachable (RFC 1122
 * 4.1.3.1), or ICMPv6's (RFC 4443 3.1). Does not take it. */
void ip_send_port_unreachable(struct naru_stack *stack, const struct pbuf *original);
/* An ICMP or ICMPv6 error, handed to the transport whose datagram it
 * quotes (the ping sockets for an echo of the error's own family). */
void ip_error_deliver(struct naru_stack *stack, const struct ip_error *e);
/* A datagram to ourselves, queued for the next poll; bounded. */
int ip_loopback(struct naru_stack *stack, struct pbuf *pb);

/* Is addr ours: an address of an interface that is up? */
bool ip_is_local(const struct naru_stack *stack, const struct naru_addr *addr);
/* The interface the route to dst leaves by, or NULL if there is none
 * (ask ip_is_local() first: our own addresses are looped back). */
struct naru_iface *ip_route_iface(struct naru_stack *stack, const struct naru_addr *dst);
/* RFC 4007 6: a link-local destination means nothing without its link.
 * The interface scope_id (as in struct naru_sockaddr; 0: none) names for
 * a link-local dst, else NULL. */
const struct naru_iface *ip_scope_iface(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id);
/* 0 when dst can be sent to as given: not link-local, a scope naming an
 * interface, or no scope and one IPv6 interface up to choose; -EINVAL
 * otherwise (as Linux refuses connect() and sendto()). */
int ip_scope_check(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id);
/* ip_select_source() on the link a scope names (see ip_scope_iface()). */
int ip_select_source_scoped(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id,
                            struct naru_addr *src);

#endif
