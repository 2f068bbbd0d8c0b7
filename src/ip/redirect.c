/* Redirects taken in by a host (RFC 4861 8.1, 8.3). */
#include "ip/redirect.h"

#include "ip/addrconf.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

void redirect_input(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16], uint8_t hop_limit,
                    const struct ndp_message *m)
{
    /* RFC 4861 8.1: hop limit 255 and a link-local source (ndp_parse
     * checked the rest of the bytes: the destination is not multicast,
     * the target is link-local or the destination); and the source is
     * the first hop we use for the destination now, so only that router
     * can move its traffic. */
    const struct route6 *r = route6_lookup(stack, m->destination);
    if (!ndp_hop_limit_valid(hop_limit) || !ipv6_addr_is_link_local(src) || !r || r->ifindex != iface->ifindex ||
        r->gateway.family != NARU_AF_INET6 || memcmp(r->gateway.v6, src, 16) != 0 ||
        iface->autoconf.ipv6_disabled) {
        stack->counters.rd_redirects_invalid++;
        return;
    }
    struct redirect_cache *c = &iface->autoconf.redirects;
    struct naru_addr dst = naru_addr_v6(m->destination);
    /* RFC 4861 8.3: target == destination says the destination is on the
     * link; another target is a better first hop. */
    struct naru_addr via = { 0 };
    if (memcmp(m->target, m->destination, 16) != 0)
        via = naru_addr_v6(m->target);
    uint8_t i = 0;
    while (i < c->count && memcmp(c->dst[i], m->destination, 16) != 0)
        i++;
    if (i == c->count) {
        if (c->count < REDIRECTS_MAX) {
            c->count++;
        } else {
            i = c->oldest;
            c->oldest = (uint8_t)((c->oldest + 1) % REDIRECTS_MAX);
            struct naru_addr old = naru_addr_v6(c->dst[i]);
            naru_route_del_addr(stack, &old, 128);
        }
        memcpy(c->dst[i], m->destination, 16);
    }
    /* An earlier redirect for it gives way. */
    naru_route_del_addr(stack, &dst, 128);
    if (naru_route_add_addr(stack, &dst, 128, &via, iface->ifindex) == 0)
        stack->counters.rd_redirects++;
}
