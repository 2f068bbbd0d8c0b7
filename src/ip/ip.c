/* The IP layer's family-neutral part: dispatch to IPv4 or IPv6. */
#include "ip/ip.h"

#include <stdio.h>

#include "ip/icmp.h"
#include "ip/route.h"
#include "link/iface.h"
#include "stack.h"

int ip_output_unsupported(struct naru_stack *stack, struct pbuf *pb)
{
    pbuf_free(stack, pb);
    return -EAFNOSUPPORT;
}

void ip_send_port_unreachable(struct naru_stack *stack, const struct pbuf *original)
{
    if ((pbuf_network_header(original)[0] >> 4) == 4)
        icmp_send_error(stack, original, ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, 0);
}

bool ip_is_local(const struct naru_stack *stack, const struct naru_addr *addr)
{
    if (addr->family == NARU_AF_INET6)
        return iface_owns_addr6(stack, addr->v6);
    return addr->family == NARU_AF_INET && iface_owns_addr(stack, addr->v4);
}

struct naru_iface *ip_route_iface(struct naru_stack *stack, const struct naru_addr *dst)
{
    if (dst->family == NARU_AF_INET6) {
        const struct route6 *r = route6_lookup(stack, dst->v6);
        return r ? &stack->ifaces[r->ifindex] : NULL;
    }
    if (dst->family != NARU_AF_INET)
        return NULL;
    const struct route *r = route_lookup(stack, dst->v4);
    return r ? &stack->ifaces[r->ifindex] : NULL;
}

char *ip_addr_format(const struct naru_addr *a, char buf[IP_ADDR_STRLEN])
{
    if (a->family == NARU_AF_INET)
        return naru_ip4_format(a->v4, buf);
    if (a->family != NARU_AF_INET6) {
        snprintf(buf, IP_ADDR_STRLEN, "-");
        return buf;
    }
    /* Eight groups in full; RFC 5952's canonical text is naru_addr's
     * formatter's to give once the tools speak IPv6. */
    const uint8_t *b = a->v6;
    snprintf(buf, IP_ADDR_STRLEN, "%x:%x:%x:%x:%x:%x:%x:%x", b[0] << 8 | b[1], b[2] << 8 | b[3],
             b[4] << 8 | b[5], b[6] << 8 | b[7], b[8] << 8 | b[9], b[10] << 8 | b[11], b[12] << 8 | b[13],
             b[14] << 8 | b[15]);
    return buf;
}
