/* Router discovery on a host interface (RFC 4861 6.3). */
#include "ip/router_discovery.h"

#include "ip/addrconf.h"
#include "ip/link_multicast6.h"
#include "ip/ndp.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t default_prefix[16];

static void fire(struct naru_stack *stack, struct naru_timer *t);

static struct router_discovery *rd_of(struct naru_iface *iface)
{
    struct router_discovery *rd = &iface->autoconf.rd;
    if (!rd->timer.fire) { /* interfaces start zeroed: set up on first use */
        timer_init(&rd->timer, fire);
        rd->solicit_at = NARU_NEVER;
    }
    return rd;
}

static naru_time_t earliest(naru_time_t a, naru_time_t b)
{
    return a < b ? a : b;
}

static void rearm(struct naru_stack *stack, struct router_discovery *rd)
{
    naru_time_t when = rd->solicit_at;
    for (uint8_t i = 0; i < rd->router_count; i++)
        when = earliest(when, rd->routers[i].until);
    for (uint8_t i = 0; i < rd->prefix_count; i++)
        when = earliest(when, rd->prefixes[i].until);
    for (uint8_t i = 0; i < rd->dns_count; i++)
        when = earliest(when, rd->dns[i].until);
    if (when == NARU_NEVER)
        timer_cancel(&stack->timers, &rd->timer);
    else
        timer_arm(&stack->timers, &rd->timer, when);
}

static naru_time_t seconds(uint32_t s)
{
    return s == UINT32_MAX ? NARU_NEVER : (naru_time_t)s * NARU_SEC;
}

static naru_time_t deadline(const struct naru_stack *stack, naru_time_t lifetime)
{
    return lifetime == NARU_NEVER ? NARU_NEVER : stack->now + lifetime;
}

/* The interface's link-local address once DAD is done, or NULL. */
static const uint8_t *link_local_of(const struct naru_iface *iface)
{
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if ((iface->addr6[i].flags & IFA6_LINK_LOCAL) && iface->addr6[i].state != IFA6_TENTATIVE)
            return iface->addr6[i].addr;
    return NULL;
}

static void send_solicitation(struct naru_stack *stack, struct naru_iface *iface)
{
    /* RFC 4861 6.3.7: from our link-local address with our link-layer
     * address, or from :: without it (4.1) while there is none. */
    static const uint8_t unspecified[16];
    const uint8_t *src = link_local_of(iface);
    struct ndp_message m = { .type = ICMPV6_ROUTER_SOLICIT };
    uint8_t buf[NDP_RS_LEN + 8];
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, buf, sizeof buf);
    if (src)
        ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, iface->mac);
    else
        src = unspecified;
    size_t len = ndp_emit_finish(&b, src, all_routers);
    if (len && link_multicast6_send(stack, iface, src, all_routers, buf, len, false) == 0)
        stack->counters.rd_tx_solicits++;
}

void router_discovery_start(struct naru_stack *stack, struct naru_iface *iface)
{
    struct router_discovery *rd = rd_of(iface);
    if (rd->started)
        return;
    rd->started = true;
    rd->solicitations_left = RD_MAX_RTR_SOLICITATIONS;
    rd->solicit_at = stack->now + (naru_time_t)random_below(&stack->random, 1000) * NARU_MS;
    rearm(stack, rd);
}

static bool route6_is(const struct naru_stack *stack, const uint8_t dst[16], uint8_t len, const uint8_t gw[16],
                      int ifindex)
{
    for (uint32_t i = 0; i < stack->routes.count6; i++) {
        const struct route6 *r = &stack->routes.routes6[i];
        if (r->prefix_len == len && memcmp(r->dst, dst, 16) == 0)
            return r->ifindex == ifindex &&
                   (gw ? r->gateway.family == NARU_AF_INET6 && memcmp(r->gateway.v6, gw, 16) == 0
                       : r->gateway.family == NARU_AF_UNSPEC);
    }
    return false;
}

/* RFC 4861 6.3.6 with RFC 4191 3.2: the default route goes through the
 * router of highest preference (the earliest heard among equals). A
 * default route the user configured is left alone. */
static void choose_default_router(struct naru_stack *stack, struct naru_iface *iface, struct router_discovery *rd)
{
    const struct rd_router *best = NULL;
    for (uint8_t i = 0; i < rd->router_count; i++)
        if (!best || rd->routers[i].preference > best->preference)
            best = &rd->routers[i];
    if (best && memcmp(best->addr, rd->default_router, 16) == 0)
        return;
    struct naru_addr any = naru_addr_v6(default_prefix);
    bool removed = !ipv6_addr_is_unspecified(rd->default_router) &&
                   route6_is(stack, default_prefix, 0, rd->default_router, iface->ifindex) &&
                   naru_route_del(stack, &any, 0) == 0;
    memset(rd->default_router, 0, 16);
    if (best) {
        struct naru_addr gw = naru_addr_v6(best->addr);
        if (naru_route_add(stack, &any, 0, &gw, iface->ifindex) == 0)
            memcpy(rd->default_router, best->addr, 16);
    }
    /* The stack has one default route (route.c): while it went through
     * this interface, another interface's routers were kept out; now one
     * of them takes its place, without waiting for its next advertisement. */
    if (!removed || !ipv6_addr_is_unspecified(rd->default_router))
        return;
    for (uint32_t i = 0; i < stack->iface_count; i++) {
        struct naru_iface *other = &stack->ifaces[i];
        struct router_discovery *o = &other->autoconf.rd;
        if (other == iface || !o->router_count || !ipv6_addr_is_unspecified(o->default_router))
            continue;
        choose_default_router(stack, other, o);
        if (!ipv6_addr_is_unspecified(o->default_router))
            return;
    }
}

static void remove_prefix(struct naru_stack *stack, struct naru_iface *iface, struct router_discovery *rd, uint8_t i)
{
    struct rd_prefix *p = &rd->prefixes[i];
    if (p->route_added && route6_is(stack, p->prefix, p->len, NULL, iface->ifindex)) {
        struct naru_addr dst = naru_addr_v6(p->prefix);
        naru_route_del(stack, &dst, p->len);
    }
    rd->prefixes[i] = rd->prefixes[--rd->prefix_count];
}

static void fire(struct naru_stack *stack, struct naru_timer *t)
{
    struct naru_iface *iface = timer_owner(t, struct naru_iface, autoconf.rd.timer);
    struct router_discovery *rd = &iface->autoconf.rd;
    if (rd->solicit_at <= stack->now) {
        if (!iface->autoconf.ipv6_disabled)
            send_solicitation(stack, iface);
        rd->solicitations_left--;
        rd->solicit_at = rd->solicitations_left ? stack->now + RD_RTR_SOLICITATION_INTERVAL : NARU_NEVER;
    }
    /* RFC 4861 6.3.5: lifetimes end. */
    for (uint8_t i = 0; i < rd->router_count;)
        if (rd->routers[i].until <= stack->now)
            rd->routers[i] = rd->routers[--rd->router_count];
        else
            i++;
    for (uint8_t i = 0; i < rd->prefix_count;)
        if (rd->prefixes[i].until <= stack->now)
            remove_prefix(stack, iface, rd, i);
        else
            i++;
    for (uint8_t i = 0; i < rd->dns_count;)
        if (rd->dns[i].until <= stack->now)
            rd->dns[i] = rd->dns[--rd->dns_count];
        else
            i++;
    choose_default_router(stack, iface, rd);
    rearm(stack, rd);
}

static void take_router(struct naru_stack *stack, struct router_discovery *rd, const uint8_t src[16],
                        const struct ndp_message *ra)
{
    struct rd_router *r = NULL;
    for (uint8_t i = 0; i < rd->router_count; i++)
        if (memcmp(rd->routers[i].addr, src, 16) == 0)
            r = &rd->routers[i];
    if (ra->router_lifetime == 0) {
        /* RFC 4861 6.3.4: not a default router (any more). */
        if (r)
            *r = rd->routers[--rd->router_count];
        return;
    }
    if (!r) {
        if (rd->router_count == RD_ROUTERS_MAX) {
            stack->counters.rd_list_full++;
            return;
        }
        r = &rd->routers[rd->router_count++];
        memcpy(r->addr, src, 16);
    }
    r->until = stack->now + (naru_time_t)ra->router_lifetime * NARU_SEC;
    /* RFC 4191 2.2: bits 4..3 of the flags byte; 10 (reserved) is medium. */
    uint8_t prf = (ra->ra_flags >> 3) & 3;
    r->preference = prf == 1 ? 1 : prf == 3 ? -1 : 0;
}

static void take_prefix(struct naru_stack *stack, struct naru_iface *iface, struct router_discovery *rd,
                        const struct ndp_prefix_info *p)
{
    /* RFC 4861 6.3.4: the on-link flag puts a prefix in the list (not the
     * link-local prefix); a valid lifetime of 0 takes it out. */
    if (!p->on_link || ipv6_addr_is_link_local(p->prefix))
        return;
    uint8_t i = 0;
    while (i < rd->prefix_count &&
           !(rd->prefixes[i].len == p->prefix_len && memcmp(rd->prefixes[i].prefix, p->prefix, 16) == 0))
        i++;
    if (p->valid_lifetime == 0) {
        if (i < rd->prefix_count)
            remove_prefix(stack, iface, rd, i);
        return;
    }
    if (i == rd->prefix_count) {
        if (rd->prefix_count == RD_PREFIXES_MAX) {
            stack->counters.rd_list_full++;
            return;
        }
        struct rd_prefix *n = &rd->prefixes[rd->prefix_count++];
        *n = (struct rd_prefix){ .len = p->prefix_len };
        memcpy(n->prefix, p->prefix, 16);
        struct naru_addr dst = naru_addr_v6(p->prefix), on_link = { 0 };
        n->route_added = naru_route_add(stack, &dst, p->prefix_len, &on_link, iface->ifindex) == 0;
    }
    rd->prefixes[i].until = deadline(stack, seconds(p->valid_lifetime));
}

static void take_dns(struct naru_stack *stack, struct router_discovery *rd, const struct ndp_rdnss *r)
{
    for (uint8_t k = 0; k < r->count; k++) {
        const uint8_t *addr = r->servers + 16 * k;
        uint8_t i = 0;
        while (i < rd->dns_count && memcmp(rd->dns[i].addr, addr, 16) != 0)
            i++;
        if (r->lifetime == 0) { /* RFC 8106 5.1: no longer to be used */
            if (i < rd->dns_count)
                rd->dns[i] = rd->dns[--rd->dns_count];
            continue;
        }
        if (i == rd->dns_count) {
            if (rd->dns_count < RD_DNS_SERVERS_MAX) {
                rd->dns_count++;
            } else {
                /* RFC 8106 5.3.1: the new one replaces the one that would
                 * expire first. */
                stack->counters.rd_list_full++;
                i = 0;
                for (uint8_t j = 1; j < rd->dns_count; j++)
                    if (rd->dns[j].until < rd->dns[i].until)
                        i = j;
            }
            memcpy(rd->dns[i].addr, addr, 16);
        }
        rd->dns[i].until = deadline(stack, seconds(r->lifetime));
    }
}

void router_discovery_input(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16],
                            uint8_t hop_limit, const struct ndp_message *ra)
{
    /* RFC 4861 6.1.2: from a link-local address, hop limit 255 (the
     * bytes were checked by ndp_parse). */
    if (!ndp_hop_limit_valid(hop_limit) || !ipv6_addr_is_link_local(src)) {
        stack->counters.rd_rx_invalid++;
        return;
    }
    if (iface->autoconf.ipv6_disabled)
        return;
    struct router_discovery *rd = rd_of(iface);
    stack->counters.rd_rx_adverts++;
    /* RFC 4861 6.3.4: the router's link-layer address into the cache. */
    if (ra->options.source_lladdr)
        ndp_learn(stack, iface, src, ra->options.source_lladdr);
    /* RFC 4861 6.3.7: an advertisement ends the solicitations. */
    rd->solicit_at = NARU_NEVER;
    rd->solicitations_left = 0;
    /* RFC 4861 6.3.4: the link's parameters, where given. */
    if (ra->cur_hop_limit)
        rd->cur_hop_limit = ra->cur_hop_limit;
    /* RFC 4861 6.2.1 bounds ReachableTime by an hour; a RetransTimer longer
     * than that would hold address resolution and DAD (and the packets
     * waiting on them) for up to 49 days on one forged advertisement, so
     * it gets the same bound. Longer values are ignored. */
    if (ra->reachable_time > NDP_MAX_REACHABLE_MS || ra->retrans_timer > NDP_MAX_REACHABLE_MS)
        stack->counters.rd_timers_ignored++;
    if (ra->reachable_time && ra->reachable_time <= NDP_MAX_REACHABLE_MS &&
        (naru_time_t)ra->reachable_time * NARU_MS != rd->base_reachable_time) {
        /* RFC 4861 6.3.2: ReachableTime at random between 0.5 and 1.5
         * times the base, chosen again when the base changes. */
        rd->base_reachable_time = (naru_time_t)ra->reachable_time * NARU_MS;
        rd->reachable_time = rd->base_reachable_time / 2 +
                             (naru_time_t)(random_unit(&stack->random) * (double)rd->base_reachable_time);
    }
    if (ra->retrans_timer && ra->retrans_timer <= NDP_MAX_REACHABLE_MS) {
        rd->retrans_timer = (naru_time_t)ra->retrans_timer * NARU_MS;
        iface->autoconf.retrans_timer = rd->retrans_timer; /* DAD's too */
    }
    if (ra->options.mtu_present) {
        /* RFC 4861 6.3.4: an MTU below IPv6's minimum or above what the
         * link can carry is ignored. */
        if (ra->options.mtu >= IPV6_MIN_MTU && ra->options.mtu <= iface->mtu)
            rd->mtu = ra->options.mtu;
        else
            stack->counters.rd_mtu_ignored++;
    }
    take_router(stack, rd, src, ra);
    size_t at = 0;
    struct ndp_prefix_info p;
    while (ndp_next_prefix(&ra->options, &at, &p)) {
        take_prefix(stack, iface, rd, &p);
        addrconf_prefix(stack, iface, &p);
    }
    at = 0;
    struct ndp_rdnss r;
    while (ndp_next_rdnss(&ra->options, &at, &r))
        take_dns(stack, rd, &r);
    choose_default_router(stack, iface, rd);
    rearm(stack, rd);
}

void router_discovery_router_gone(struct naru_stack *stack, struct naru_iface *iface, const uint8_t router[16])
{
    struct router_discovery *rd = rd_of(iface);
    for (uint8_t i = 0; i < rd->router_count; i++)
        if (memcmp(rd->routers[i].addr, router, 16) == 0) {
            rd->routers[i] = rd->routers[--rd->router_count];
            choose_default_router(stack, iface, rd);
            rearm(stack, rd);
            return;
        }
}

int router_discovery_dns_servers(const struct naru_iface *iface, uint8_t servers[][16], int max)
{
    const struct router_discovery *rd = &iface->autoconf.rd;
    int n = 0;
    for (uint8_t i = 0; i < rd->dns_count && n < max; i++)
        memcpy(servers[n++], rd->dns[i].addr, 16);
    return n;
}
