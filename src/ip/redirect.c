/* Redirects taken in by a host (RFC 4861 8.1, 8.3). */
#include "ip/redirect.h"

#include "ip/addrconf.h"
#include "ip/ndp.h"
#include "link/ethernet.h"
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
    /* RFC 4861 8.3: the target's link-layer address into the cache. */
    if (m->options.target_lladdr)
        ndp_learn(stack, iface, m->target, m->options.target_lladdr);
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
            naru_route_del(stack, &old, 128);
        }
        memcpy(c->dst[i], m->destination, 16);
    }
    /* An earlier redirect for it gives way. */
    naru_route_del(stack, &dst, 128);
    if (naru_route_add(stack, &dst, 128, &via, iface->ifindex) == 0)
        stack->counters.rd_redirects++;
}

/* Is addr a neighbour on iface: link-local, or in a prefix we route
 * on-link through iface? */
static bool on_link(const struct naru_stack *stack, const struct naru_iface *iface, const uint8_t addr[16])
{
    if (ipv6_addr_is_link_local(addr))
        return true;
    const struct route6 *r = route6_lookup(stack, addr);
    return r && r->ifindex == iface->ifindex && r->gateway.family == NARU_AF_UNSPEC;
}

static bool rate_allows(struct naru_stack *stack, struct redirect_cache *c)
{
    const naru_time_t cap = REDIRECT_TX_INTERVAL * REDIRECT_TX_BURST;
    if (!c->tx_started) { /* the bucket starts full */
        c->tx_started = true;
        c->tx_credit = cap;
        c->tx_last = stack->now;
    }
    naru_time_t earned = stack->now - c->tx_last; /* the clock never goes back */
    c->tx_credit = earned >= cap - c->tx_credit ? cap : c->tx_credit + earned;
    c->tx_last = stack->now;
    if (c->tx_credit < REDIRECT_TX_INTERVAL)
        return false;
    c->tx_credit -= REDIRECT_TX_INTERVAL;
    return true;
}

bool redirect_send(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src_mac[6],
                   const uint8_t *packet, size_t len, const uint8_t next_hop[16], const uint8_t *target_mac)
{
    struct ipv6_header ip;
    if (ipv6_parse(packet, len, &ip) < 0 || ipv6_addr_is_multicast(ip.dst) || ipv6_addr_is_unspecified(ip.src) ||
        ipv6_addr_is_multicast(ip.src) || !on_link(stack, iface, ip.src))
        return false;
    /* RFC 4861 8.2: the target is the better router's link-local address,
     * or the destination itself when it is on the link. */
    bool to_destination = memcmp(next_hop, ip.dst, 16) == 0;
    if (!to_destination && !ipv6_addr_is_link_local(next_hop))
        return false;
    const uint8_t *src = NULL;
    for (uint8_t i = 0; i < iface->addr6_count && !src; i++)
        if ((iface->addr6[i].flags & IFA6_LINK_LOCAL) && iface->addr6[i].state != IFA6_TENTATIVE)
            src = iface->addr6[i].addr;
    if (!src || !rate_allows(stack, &iface->autoconf.redirects)) {
        stack->counters.rd_redirects_not_sent++;
        return false;
    }
    struct ndp_message m = { .type = ICMPV6_REDIRECT };
    memcpy(m.target, next_hop, 16);
    memcpy(m.destination, ip.dst, 16);
    /* RFC 4861 4.5: as much of the packet as keeps the redirect within
     * the minimum MTU. */
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, IPV6_MIN_MTU);
    if (!pb)
        return false;
    uint8_t *msg = pb->data + IPV6_HEADER_LEN;
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, msg, IPV6_MIN_MTU - IPV6_HEADER_LEN);
    if (target_mac)
        ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, target_mac);
    ndp_emit_redirected(&b, packet, len);
    size_t msg_len = ndp_emit_finish(&b, src, ip.src);
    if (!msg_len) {
        pbuf_free(stack, pb);
        return false;
    }
    struct ipv6_header out = { .payload_len = (uint16_t)msg_len, .next_header = IP_PROTO_ICMPV6,
                               .hop_limit = NDP_HOP_LIMIT };
    memcpy(out.src, src, 16);
    memcpy(out.dst, ip.src, 16);
    ipv6_emit(&out, pb->data, IPV6_HEADER_LEN);
    pb->len = (uint32_t)(IPV6_HEADER_LEN + msg_len);
    /* To the sender's link-layer address, as its packet came. */
    eth_output(stack, iface, pb, src_mac, ETHERTYPE_IPV6);
    stack->counters.rd_tx_redirects++;
    return true;
}
