#include "ip/ndp.h"

#include "core/log.h"
#include "ip/ipv6.h"
#include "ip/ndp_router.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "stack.h"
#include "wire/ndp.h"

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

/* Send an NS or NA built whole in pb (checksum included) from src to dst,
 * with the hop limit that proves it never left the link (RFC 4861 7.1). */
static void send_ndp(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const uint8_t src[16],
                     const uint8_t dst[16])
{
    struct naru_addr s = { .family = NARU_AF_INET6 }, d = { .family = NARU_AF_INET6 };
    memcpy(s.v6, src, 16);
    memcpy(d.v6, dst, 16);
    struct ip_send send = { .src = &s, .dst = &d, .iface = iface, .protocol = IP_PROTO_ICMPV6,
                            .ttl = NDP_HOP_LIMIT, .to_neighbour = true };
    stack->counters.icmp6_tx++;
    ip_output(stack, pb, &send);
}

/* RFC 4861 7.2.2: the source is the prompting packet's if that is one of
 * ours on the link, else one of the interface's own addresses. */
static bool solicitation_source(const struct naru_stack *stack, const struct naru_iface *iface,
                                const struct neighbour *n, uint8_t src[16])
{
    const struct pbuf *waiting = n->pending.head;
    if (waiting) {
        const uint8_t *ip = pbuf_network_header(waiting);
        for (uint8_t i = 0; i < iface->addr6_count; i++)
            if (iface->addr6[i].state != IFA6_TENTATIVE && memcmp(iface->addr6[i].addr, ip + 8, 16) == 0) {
                memcpy(src, ip + 8, 16);
                return true;
            }
    }
    return ipv6_select_source(stack, iface, n->addr.v6, src) == 0;
}

static void solicit(struct naru_stack *stack, struct naru_iface *iface, const struct neighbour *n,
                    const uint8_t *unicast)
{
    uint8_t src[16], dst[16];
    if (!solicitation_source(stack, iface, n, src))
        return;
    /* To the target's solicited-node group while we do not know it; to
     * itself when probing an entry we have (RFC 4861 7.2.2, 7.3.3). */
    if (unicast)
        memcpy(dst, n->addr.v6, 16);
    else
        ipv6_solicited_node(n->addr.v6, dst);
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, NDP_NS_LEN + 8);
    if (!pb)
        return;
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    memcpy(m.target, n->addr.v6, 16);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, pb->data, pb->len);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, iface->mac);
    pb->len = (uint32_t)ndp_emit_finish(&b, src, dst);
    stack->counters.ndp_tx_ns++;
    send_ndp(stack, iface, pb, src, dst);
}

static void count_drop(struct naru_stack *stack, enum neighbour_drop why, uint32_t count)
{
    switch (why) {
    case NEIGH_DROP_QUEUE_FULL:
        stack->counters.ndp_queue_overflow += count;
        break;
    case NEIGH_DROP_UNANSWERED:
        stack->counters.ndp_resolution_failed += count;
        break;
    case NEIGH_DROP_TABLE_FULL:
        stack->counters.ndp_table_full += count;
        break;
    case NEIGH_DROP_INCOMPLETE_FULL:
        stack->counters.ndp_incomplete_full += count;
        break;
    }
}

/* RFC 4861 6.3.4: what the link's routers advertised, if anything. */
static naru_time_t link_time(const struct naru_iface *iface, bool reachable)
{
    const struct router_discovery *rd = &iface->autoconf.rd;
    return reachable ? rd->reachable_time : rd->retrans_timer;
}

/* RFC 4861 7.3.3, 6.3.6: a router that stopped answering is no default
 * router any more; another one takes over. */
static void unanswered(struct naru_stack *stack, struct naru_iface *iface, const struct naru_addr *addr)
{
    ndp_router_unreachable(stack, iface, addr->v6);
}

static const struct neighbour_ops ndp_ops = {
    .ethertype = ETHERTYPE_IPV6,
    .layer = NARU_LAYER_NDP,
    .max_multicast = NDP_MAX_MULTICAST_SOLICIT,
    .max_unicast = NDP_MAX_UNICAST_SOLICIT,
    .retrans_time = NDP_RETRANS_TIMER,
    .reachable_time = NDP_REACHABLE_TIME,
    .delay_first_probe = NDP_DELAY_FIRST_PROBE,
    .stale_time = NDP_STALE_TIME,
    .solicit = solicit,
    .unreachable = ipv6_neighbour_failed,
    .unanswered = unanswered,
    .link_time = link_time,
    .count_drop = count_drop,
};

void ndp_init(struct naru_stack *stack)
{
    neighbour_set_ops(stack, NARU_AF_INET6, &ndp_ops);
}

static void send_advertisement(struct naru_stack *stack, struct naru_iface *iface, const uint8_t target[16],
                               const uint8_t dst[16], bool solicited)
{
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, NDP_NA_LEN + 8);
    if (!pb)
        return;
    /* RFC 4861 7.2.4: R if we route, S when answering a node that asked,
     * O as the target is not an anycast address, unless it is optimistic
     * (RFC 4429 3.3: it must not override a holder's entry). */
    const struct iface_addr6 *a = iface_addr6_find(iface, target);
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_ADVERT, .router = stack->config.forwarding,
                             .solicited = solicited, .override = !(a && (a->flags & IFA6_OPTIMISTIC)) };
    memcpy(m.target, target, 16);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, pb->data, pb->len);
    ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, iface->mac);
    pb->len = (uint32_t)ndp_emit_finish(&b, target, dst);
    stack->counters.ndp_tx_na++;
    send_ndp(stack, iface, pb, target, dst);
}

/* RFC 4861 7.2.3. */
static void solicitation_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                               const struct ndp_message *m)
{
    stack->counters.ndp_rx_ns++;
    const struct iface_addr6 *a = iface_addr6_find(iface, m->target);
    if (!a) {
        stack->counters.ndp_rx_not_our_target++;
        return;
    }
    if (a->state == IFA6_TENTATIVE || ((a->flags & IFA6_OPTIMISTIC) && ipv6_addr_is_unspecified(h->src))) {
        /* RFC 4862 5.4.3: duplicate address detection's */
        ndp_dad_input(stack, iface, h, m);
        return;
    }
    if (ipv6_addr_is_unspecified(h->src)) {
        /* Someone checks whether our address is free: it is not; tell
         * everyone (RFC 4861 7.2.4). */
        send_advertisement(stack, iface, m->target, all_nodes, false);
        return;
    }
    if (m->options.source_lladdr)
        ndp_learn(stack, iface, h->src, m->options.source_lladdr);
    send_advertisement(stack, iface, m->target, h->src, true);
}

void ndp_learn(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16], const uint8_t mac[6])
{
    struct naru_addr a = naru_addr_v6(addr);
    struct neighbour *n = neighbour_find(stack, iface->ifindex, &a);
    if (!n)
        n = neighbour_create(stack, iface->ifindex, &a);
    if (n)
        neighbour_update(stack, iface, n, mac, false);
}

/* RFC 4861 7.2.5. */
static void advertisement_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                                const struct ndp_message *m)
{
    stack->counters.ndp_rx_na++;
    const struct iface_addr6 *a = iface_addr6_find(iface, m->target);
    if (a) {
        if (a->state == IFA6_TENTATIVE || (a->flags & IFA6_OPTIMISTIC))
            ndp_dad_input(stack, iface, h, m); /* RFC 4862 5.4.4 */
        else
            stack->counters.ndp_address_conflicts++;
        return;
    }
    struct naru_addr target = { .family = NARU_AF_INET6 };
    memcpy(target.v6, m->target, 16);
    struct neighbour *n = neighbour_find(stack, iface->ifindex, &target);
    if (!n)
        return; /* nobody asked: no entry is made */
    const uint8_t *lladdr = m->options.target_lladdr;
    if (!neighbour_resolved(n)) {
        if (lladdr)
            neighbour_update(stack, iface, n, lladdr, m->solicited);
        return;
    }
    bool differs = lladdr && memcmp(lladdr, n->mac, 6) != 0;
    if (!m->override && differs) {
        /* Not to be believed over what we know, but worth a check. */
        if (n->state == NEIGH_REACHABLE)
            neighbour_mark_stale(stack, n);
        return;
    }
    if (differs)
        neighbour_update(stack, iface, n, lladdr, m->solicited);
    else if (m->solicited)
        neighbour_update(stack, iface, n, n->mac, true);
    if (!m->router)
        ndp_router_flag_cleared(stack, iface, m->target);
}

void ndp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const struct ipv6_header *h,
               const struct ipv6_chain *c)
{
    /* RFC 4861 6.1, 7.1: a hop limit below 255 means it came from off the
     * link; RFC 6980 5: Neighbour Discovery never comes in fragments. */
    if (!ndp_hop_limit_valid(h->hop_limit)) {
        stack->counters.ndp_rx_bad_hop_limit++;
        return;
    }
    if (c->fragment) {
        stack->counters.ndp_rx_in_fragment++;
        return;
    }
    struct ndp_message m;
    if (ndp_parse(pb->data, pb->len, h->src, h->dst, &m) < 0) {
        stack->counters.ndp_rx_invalid++;
        return;
    }
    switch (m.type) {
    case ICMPV6_NEIGHBOR_SOLICIT:
        solicitation_input(stack, iface, h, &m);
        break;
    case ICMPV6_NEIGHBOR_ADVERT:
        advertisement_input(stack, iface, h, &m);
        break;
    default:
        ndp_router_input(stack, iface, h, &m);
        break;
    }
}
