/* The IP layer's family-neutral part: dispatch to IPv4 or IPv6. */
#include "ip/ip.h"

#include "ip/icmp.h"
#include "ip/icmpv6.h"
#include "ip/ipv6.h"
#include "ip/ping.h"
#include "ip/route.h"
#include "link/iface.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

int ip_output_unsupported(struct naru_stack *stack, struct pbuf *pb)
{
    pbuf_free(stack, pb);
    return -EAFNOSUPPORT;
}

void ip_send_port_unreachable(struct naru_stack *stack, const struct pbuf *original)
{
    if ((pbuf_network_header(original)[0] >> 4) == 4)
        icmp_send_error(stack, original, ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, 0);
    else
        icmpv6_send_error(stack, original, ICMPV6_DEST_UNREACHABLE, ICMPV6_PORT_UNREACHABLE, 0);
}

bool ip_is_local(const struct naru_stack *stack, const struct naru_addr *addr)
{
    if (addr->family == NARU_AF_INET6)
        return iface_owns_addr6(stack, addr->v6);
    return addr->family == NARU_AF_INET && iface_owns_addr(stack, addr->v4);
}

struct naru_iface *ip_route_iface(struct naru_stack *stack, const struct naru_addr *dst)
{
    if (dst->family == NARU_AF_INET6)
        return ipv6_route_iface(stack, dst);
    if (dst->family != NARU_AF_INET)
        return NULL;
    const struct route *r = route_lookup(stack, dst->v4);
    return r ? &stack->ifaces[r->ifindex] : NULL;
}

void ip_error_deliver(struct naru_stack *stack, const struct ip_error *e)
{
    uint8_t echo = e->src.family == NARU_AF_INET6 ? IP_PROTO_ICMPV6 : IP_PROTO_ICMP;
    if (e->protocol == IP_PROTO_UDP)
        udp_icmp_error(stack, e);
    else if (e->protocol == IP_PROTO_TCP)
        tcp_icmp_error(stack, e);
    else if (e->protocol == echo)
        ping_icmp_error(stack, e);
}

#define LOOPBACK_QUEUE_LIMIT 64

int ip_loopback(struct naru_stack *stack, struct pbuf *pb)
{
    if (stack->loopback.count >= LOOPBACK_QUEUE_LIMIT) {
        pbuf_free(stack, pb);
        return -ENOBUFS;
    }
    pbuf_queue_push(&stack->loopback, pb);
    return 0;
}
