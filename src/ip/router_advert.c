/* Router advertisements sent by a router interface (RFC 4861 6.2). */
#include "ip/router_advert.h"

#include "ip/link_multicast6.h"
#include "ip/mld_listener.h"
#include "ip/ndp.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };

static void fire(struct naru_stack *stack, struct naru_timer *t);

void naru_router_advert_default(struct naru_router_advert *c)
{
    /* RFC 4861 6.2.1: MinRtrAdvInterval 0.33 * Max, AdvDefaultLifetime
     * 3 * Max, AdvCurHopLimit the Internet's default TTL (64). */
    *c = (struct naru_router_advert){ .max_interval = RA_MAX_INTERVAL_DEFAULT,
                                        .min_interval = RA_MAX_INTERVAL_DEFAULT / 3,
                                        .router_lifetime_s = 1800, .cur_hop_limit = 64 };
}

static struct router_advertiser *ra_of(struct naru_iface *iface)
{
    struct router_advertiser *ra = &iface->autoconf.ra;
    if (!ra->timer.fire) {
        timer_init(&ra->timer, fire);
        ra->last_sent = NARU_NEVER;
        ra->next_at = NARU_NEVER;
    }
    return ra;
}

static naru_time_t random_between(struct naru_stack *stack, naru_time_t lo, naru_time_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (naru_time_t)(random_unit(&stack->random) * (double)(hi - lo));
}

static void schedule_unsolicited(struct naru_stack *stack, struct router_advertiser *ra)
{
    /* RFC 4861 6.2.4: at random within [Min, Max]; the first few no more
     * than MAX_INITIAL_RTR_ADVERT_INTERVAL apart. */
    naru_time_t interval = random_between(stack, ra->config.min_interval, ra->config.max_interval);
    if (ra->initial_left > 0 && interval > RA_MAX_INITIAL_ADVERT_INTERVAL)
        interval = RA_MAX_INITIAL_ADVERT_INTERVAL;
    ra->next_at = stack->now + interval;
}

static const uint8_t *link_local_of(const struct naru_iface *iface)
{
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if ((iface->addr6[i].flags & IFA6_LINK_LOCAL) && iface->addr6[i].state != IFA6_TENTATIVE)
            return iface->addr6[i].addr;
    return NULL;
}

static void send_advert(struct naru_stack *stack, struct naru_iface *iface, struct router_advertiser *ra,
                        uint16_t router_lifetime_s)
{
    /* RFC 4861 6.2.2: only from a link-local address the interface holds. */
    const uint8_t *src = link_local_of(iface);
    if (!src)
        return;
    const struct naru_router_advert *c = &ra->config;
    struct ndp_message m = { .type = ICMPV6_ROUTER_ADVERT, .cur_hop_limit = c->cur_hop_limit,
                             .router_lifetime = router_lifetime_s, .reachable_time = c->reachable_ms,
                             .retrans_timer = c->retrans_ms };
    uint8_t buf[NDP_RA_LEN + 8 + 8 + RA_PREFIXES_MAX * 32];
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, buf, sizeof buf);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, iface->mac);
    if (c->mtu)
        ndp_emit_mtu(&b, c->mtu);
    for (uint8_t i = 0; i < ra->prefix_count; i++) {
        const struct naru_ra_prefix *p = &ra->prefixes[i];
        struct ndp_prefix_info info = { .prefix_len = p->len, .on_link = p->on_link, .autonomous = p->autonomous,
                                        .valid_lifetime = p->valid_s, .preferred_lifetime = p->preferred_s };
        memcpy(info.prefix, p->prefix.v6, 16);
        ndp_emit_prefix(&b, &info);
    }
    size_t len = ndp_emit_finish(&b, src, all_nodes);
    if (len && link_multicast6_send(stack, iface, src, all_nodes, buf, len, false) == 0) {
        stack->counters.rd_tx_adverts++;
        ra->last_sent = stack->now;
    }
}

static void fire(struct naru_stack *stack, struct naru_timer *t)
{
    struct naru_iface *iface = timer_owner(t, struct naru_iface, autoconf.ra.timer);
    struct router_advertiser *ra = &iface->autoconf.ra;
    if (!ra->enabled)
        return;
    send_advert(stack, iface, ra, ra->config.router_lifetime_s);
    if (ra->initial_left > 0)
        ra->initial_left--;
    schedule_unsolicited(stack, ra);
    timer_arm(&stack->timers, &ra->timer, ra->next_at);
}

int router_advert_enable(struct naru_stack *stack, struct naru_iface *iface, const struct naru_router_advert *c)
{
    /* RFC 4861 6.2.1's ranges. */
    if (c->max_interval < 4 * NARU_SEC || c->max_interval > 1800 * NARU_SEC || c->min_interval < 3 * NARU_SEC ||
        c->min_interval > c->max_interval * 3 / 4 ||
        (c->router_lifetime_s != 0 &&
         ((naru_time_t)c->router_lifetime_s * NARU_SEC < c->max_interval || c->router_lifetime_s > 9000)) ||
        (c->mtu && c->mtu < IPV6_MIN_MTU) || c->reachable_ms > NDP_MAX_REACHABLE_MS)
        return -EINVAL;
    struct router_advertiser *ra = ra_of(iface);
    ra->config = *c;
    if (!ra->enabled) {
        ra->enabled = true;
        ra->initial_left = RA_MAX_INITIAL_ADVERTISEMENTS;
        mld_join(stack, iface, all_routers, 0);
    }
    /* RFC 4861 6.2.4: soon after becoming an advertising interface, or
     * after a change of what is advertised. */
    ra->next_at = stack->now + random_between(stack, 0, RA_MAX_DELAY_TIME);
    timer_arm(&stack->timers, &ra->timer, ra->next_at);
    return 0;
}

int router_advert_add_prefix(struct naru_stack *stack, struct naru_iface *iface, const struct naru_ra_prefix *p)
{
    if (p->prefix.family != NARU_AF_INET6 || p->len > 128 || p->preferred_s > p->valid_s ||
        ipv6_addr_is_multicast(p->prefix.v6) || ipv6_addr_is_link_local(p->prefix.v6))
        return -EINVAL;
    struct naru_addr masked = naru_addr_mask(&p->prefix, p->len);
    if (memcmp(masked.v6, p->prefix.v6, 16) != 0)
        return -EINVAL; /* bits set past the prefix */
    struct router_advertiser *ra = ra_of(iface);
    uint8_t i = 0;
    while (i < ra->prefix_count && !(ra->prefixes[i].len == p->len && memcmp(ra->prefixes[i].prefix.v6, p->prefix.v6, 16) == 0))
        i++;
    if (i == ra->prefix_count) {
        if (ra->prefix_count == RA_PREFIXES_MAX)
            return -ENOSPC;
        ra->prefix_count++;
    }
    ra->prefixes[i] = *p;
    if (ra->enabled) { /* RFC 4861 6.2.4: tell the change soon */
        ra->next_at = stack->now + random_between(stack, 0, RA_MAX_DELAY_TIME);
        timer_arm(&stack->timers, &ra->timer, ra->next_at);
    }
    return 0;
}

void router_advert_disable(struct naru_stack *stack, struct naru_iface *iface)
{
    struct router_advertiser *ra = ra_of(iface);
    if (!ra->enabled)
        return;
    send_advert(stack, iface, ra, 0); /* RFC 4861 6.2.5 */
    ra->enabled = false;
    timer_cancel(&stack->timers, &ra->timer);
    mld_leave(stack, iface, all_routers);
}

void router_advert_solicited(struct naru_stack *stack, struct naru_iface *iface)
{
    struct router_advertiser *ra = ra_of(iface);
    if (!ra->enabled)
        return;
    /* RFC 4861 6.2.6: after a random delay up to MAX_RA_DELAY_TIME, to
     * all-nodes, and no sooner than MIN_DELAY_BETWEEN_RAS after the last
     * multicast one; an advertisement already due sooner answers it. */
    naru_time_t at = stack->now + random_between(stack, 0, RA_MAX_DELAY_TIME);
    if (ra->last_sent != NARU_NEVER && at < ra->last_sent + RA_MIN_DELAY_BETWEEN_RAS)
        at = ra->last_sent + RA_MIN_DELAY_BETWEEN_RAS;
    if (at < ra->next_at) {
        ra->next_at = at;
        timer_arm(&stack->timers, &ra->timer, at);
    }
    stack->counters.rd_rx_solicits++;
}

/* ---- the public API (naru/stack.h) ---- */

int naru_if_set_router_advert(struct naru_stack *stack, int ifindex, const struct naru_router_advert *c)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return -EINVAL;
    if (!c) {
        router_advert_disable(stack, iface);
        return 0;
    }
    return router_advert_enable(stack, iface, c);
}

int naru_if_advertise_prefix(struct naru_stack *stack, int ifindex, const struct naru_ra_prefix *p)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    return iface && p ? router_advert_add_prefix(stack, iface, p) : -EINVAL;
}
