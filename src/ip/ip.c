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

const struct naru_iface *ip_scope_iface(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id)
{
    if (!scope_id || dst->family != NARU_AF_INET6 || !naru_addr_is_link_local(dst))
        return NULL;
    return iface_get(stack, naru_scope_ifindex(scope_id));
}

int ip_scope_check(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id)
{
    if (dst->family != NARU_AF_INET6 || !naru_addr_is_link_local(dst))
        return 0;
    if (scope_id)
        return ip_scope_iface(stack, dst, scope_id) ? 0 : -EINVAL;
    unsigned links = 0;
    for (uint32_t i = 0; i < stack->iface_count; i++)
        links += stack->ifaces[i].up && stack->ifaces[i].addr6_count > 0;
    return links > 1 ? -EINVAL : 0;
}

int ip_select_source_scoped(struct naru_stack *stack, const struct naru_addr *dst, uint32_t scope_id,
                            struct naru_addr *src)
{
    const struct naru_iface *iface = ip_scope_iface(stack, dst, scope_id);
    if (!iface)
        return ip_select_source(stack, dst, src);
    src->family = NARU_AF_INET6;
    return ipv6_select_source(stack, iface, dst->v6, src->v6);
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
