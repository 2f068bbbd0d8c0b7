/* IPv6 address autoconfiguration (RFC 4862) on one interface: addresses
 * through their states on one timer, duplicate address detection with
 * RFC 7527 nonces, link-local and SLAAC addresses with RFC 7217
 * identifiers. */
#include "ip/addrconf.h"

#include <stdio.h>

#include "ip/link_multicast6.h"
#include "ip/stable_iid.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static void fire(struct naru_stack *stack, struct naru_timer *t);

static struct addrconf_iface *state_of(struct naru_iface *iface)
{
    struct addrconf_iface *a = &iface->autoconf;
    if (!a->timer.fire) /* interfaces start zeroed: set up on first use */
        timer_init(&a->timer, fire);
    return a;
}

static naru_time_t retrans_timer(const struct addrconf_iface *a)
{
    return a->retrans_timer ? a->retrans_timer : ADDRCONF_RETRANS_TIMER;
}

static naru_time_t earliest(naru_time_t a, naru_time_t b)
{
    return a < b ? a : b;
}

/* Is DAD still probing for x (tentative, or optimistic and in use)? */
static bool dad_running(const struct iface_addr6 *x)
{
    return x->state == IFA6_TENTATIVE || (x->flags & IFA6_OPTIMISTIC);
}

/* The timer goes at the earliest DAD step or lifetime end of any address. */
static void rearm(struct naru_stack *stack, struct naru_iface *iface)
{
    struct addrconf_iface *a = state_of(iface);
    naru_time_t when = NARU_NEVER;
    for (uint8_t i = 0; i < iface->addr6_count; i++) {
        const struct iface_addr6 *x = &iface->addr6[i];
        when = earliest(when, x->valid_until);
        if (dad_running(x))
            when = earliest(when, x->dad_next);
        else if (x->state == IFA6_PREFERRED)
            when = earliest(when, x->preferred_until);
    }
    if (when == NARU_NEVER)
        timer_cancel(&stack->timers, &a->timer);
    else
        timer_arm(&stack->timers, &a->timer, when);
}

static const char *format(const uint8_t addr[16], char buf[IPV6_ADDR_STRLEN])
{
    return ipv6_addr_format(addr, buf);
}

int addrconf_add(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16], uint8_t prefix_len,
                 uint8_t flags, naru_time_t valid_lifetime, naru_time_t preferred_lifetime, bool dad,
                 uint8_t dad_counter)
{
    struct addrconf_iface *a = state_of(iface);
    if (a->ipv6_disabled)
        return -ENETDOWN;
    if (!dad)
        flags &= (uint8_t)~IFA6_OPTIMISTIC;
    bool tentative = dad && !(flags & IFA6_OPTIMISTIC);
    int err = iface_addr6_add(stack, iface, addr, prefix_len, tentative ? IFA6_TENTATIVE : IFA6_PREFERRED, flags,
                              valid_lifetime, preferred_lifetime);
    if (err)
        return err;
    struct iface_addr6 *x = iface_addr6_find(iface, addr);
    x->dad_counter = dad_counter;
    /* RFC 4862 5.4.2: join the solicited-node group first, and delay the
     * join and the first probe at random, so that nodes powered up
     * together do not all speak at once. */
    naru_time_t delay = dad ? (naru_time_t)random_below(&stack->random, 1000) * NARU_MS : 0;
    uint8_t group[16];
    ipv6_solicited_node(addr, group);
    mld_join(stack, iface, group, delay);
    if (dad) {
        x->dad_probes_left = ADDRCONF_DAD_TRANSMITS;
        x->dad_next = stack->now + delay;
        random_fill(&stack->random, x->dad_nonce, sizeof x->dad_nonce);
        stack->counters.addrconf_dad_started++;
    } else if (x->preferred_until <= stack->now) {
        x->state = IFA6_DEPRECATED;
    }
    char text[IPV6_ADDR_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "%s: %s/%u %s", iface->name, format(addr, text), prefix_len,
             dad ? "tentative (duplicate address detection)" : "assigned");
    rearm(stack, iface);
    return 0;
}

/* Leave x's solicited-node group and forget x (an element of iface->addr6). */
static void drop(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16])
{
    uint8_t group[16], copy[16];
    memcpy(copy, addr, 16);
    ipv6_solicited_node(copy, group);
    iface_addr6_remove(iface, copy);
    mld_leave(stack, iface, group);
}

int addrconf_remove(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16])
{
    if (!iface_addr6_find(iface, addr))
        return -ENOENT;
    drop(stack, iface, addr);
    rearm(stack, iface);
    return 0;
}

static void send_dad_probe(struct naru_stack *stack, struct naru_iface *iface, const struct iface_addr6 *x)
{
    /* RFC 4862 5.4.2: from the unspecified address, to the solicited-node
     * group, without a source link-layer address option (RFC 4861 7.2.2),
     * with a nonce (RFC 7527 4.1) to know our own probe if the link loops
     * it back. */
    static const uint8_t unspecified[16];
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    memcpy(m.target, x->addr, 16);
    uint8_t group[16], buf[NDP_NS_LEN + 8];
    ipv6_solicited_node(x->addr, group);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, buf, sizeof buf);
    ndp_emit_nonce(&b, x->dad_nonce, sizeof x->dad_nonce);
    size_t len = ndp_emit_finish(&b, unspecified, group);
    if (len && link_multicast6_send(stack, iface, unspecified, group, buf, len, false) == 0)
        stack->counters.addrconf_dad_probes++;
}

static void fire(struct naru_stack *stack, struct naru_timer *t)
{
    struct naru_iface *iface = timer_owner(t, struct naru_iface, autoconf.timer);
    struct addrconf_iface *a = &iface->autoconf;
    char text[IPV6_ADDR_STRLEN];
    for (uint8_t i = 0; i < iface->addr6_count;) {
        struct iface_addr6 *x = &iface->addr6[i];
        if (x->valid_until <= stack->now) {
            /* RFC 4862 5.5.4: invalid, no longer the interface's. */
            LOG_INFO(stack, NARU_LAYER_IP, "%s: %s valid lifetime ended", iface->name, format(x->addr, text));
            stack->counters.addrconf_expired++;
            drop(stack, iface, x->addr);
            continue;
        }
        if (dad_running(x) && x->dad_next <= stack->now) {
            if (x->dad_probes_left > 0) {
                send_dad_probe(stack, iface, x);
                x->dad_probes_left--;
                x->dad_next = stack->now + retrans_timer(a);
            } else {
                /* RFC 4862 5.4: no one answered within RetransTimer of the
                 * last probe: the address is ours. */
                x->dad_next = NARU_NEVER;
                x->flags &= (uint8_t)~IFA6_OPTIMISTIC;
                if (x->state == IFA6_TENTATIVE)
                    x->state = x->preferred_until > stack->now ? IFA6_PREFERRED : IFA6_DEPRECATED;
                LOG_INFO(stack, NARU_LAYER_IP, "%s: %s/%u is ours (no duplicate)", iface->name,
                         format(x->addr, text), x->prefix_len);
            }
        }
        if (x->state == IFA6_PREFERRED && x->preferred_until <= stack->now) {
            x->state = IFA6_DEPRECATED; /* RFC 4862 5.5.4 */
            LOG_INFO(stack, NARU_LAYER_IP, "%s: %s deprecated", iface->name, format(x->addr, text));
        }
        i++;
    }
    rearm(stack, iface);
}

/* RFC 7217 5: prefix (its first 64 bits) and the identifier. */
static void form(struct naru_stack *stack, struct naru_iface *iface, const uint8_t prefix[16], uint8_t *dad_counter,
                 uint8_t addr[16])
{
    /* Net_Iface: the name and the index, both stable across runs. */
    char net_iface[NARU_IFNAME_MAX + 16];
    snprintf(net_iface, sizeof net_iface, "%s/%d", iface->name, iface->ifindex);
    memcpy(addr, prefix, 8);
    stable_iid(stack->secret, prefix, net_iface, NULL, 0, dad_counter, addr + 8);
}

int addrconf_link_local_start(struct naru_stack *stack, struct naru_iface *iface)
{
    static const uint8_t link_local[16] = { 0xfe, 0x80 };
    uint8_t addr[16], counter = 0;
    form(stack, iface, link_local, &counter, addr);
    int err = addrconf_add(stack, iface, addr, 64, 0, NARU_NEVER, NARU_NEVER, true, counter);
    if (err)
        return err;
    struct naru_addr dst = naru_addr_v6(link_local), on_link = { 0 };
    err = naru_route_add(stack, &dst, 64, &on_link, iface->ifindex);
    return err == -EEXIST ? 0 : err;
}

static naru_time_t seconds(uint32_t s)
{
    return s == UINT32_MAX ? NARU_NEVER : (naru_time_t)s * NARU_SEC;
}

static naru_time_t deadline(const struct naru_stack *stack, naru_time_t lifetime)
{
    return lifetime == NARU_NEVER ? NARU_NEVER : stack->now + lifetime;
}

void addrconf_update_lifetimes(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16],
                               uint32_t valid_s, uint32_t preferred_s)
{
    struct iface_addr6 *x = iface_addr6_find(iface, addr);
    if (!x)
        return;
    /* RFC 4862 5.5.3 (e): the preferred lifetime is taken as it comes; the
     * valid one too if it is above two hours or above what remains; else
     * a remaining lifetime of two hours or less stays (a forged RA cannot
     * end an address at once), and a longer one comes down to two hours. */
    naru_time_t valid = seconds(valid_s);
    naru_time_t remaining = x->valid_until == NARU_NEVER ? NARU_NEVER
                            : x->valid_until > stack->now ? x->valid_until - stack->now
                                                          : 0;
    if (valid > ADDRCONF_TWO_HOURS || valid > remaining)
        x->valid_until = deadline(stack, valid);
    else if (remaining > ADDRCONF_TWO_HOURS)
        x->valid_until = stack->now + ADDRCONF_TWO_HOURS;
    x->preferred_until = deadline(stack, seconds(preferred_s));
    if (x->preferred_until > x->valid_until)
        x->preferred_until = x->valid_until;
    if (x->state == IFA6_DEPRECATED && x->preferred_until > stack->now)
        x->state = IFA6_PREFERRED; /* RFC 4862 5.5.4: preferred again */
    else if (x->state == IFA6_PREFERRED && x->preferred_until <= stack->now)
        x->state = IFA6_DEPRECATED;
    rearm(stack, iface);
}

/* The address this interface formed from prefix before, or NULL. */
static struct iface_addr6 *autoconf_for(struct naru_iface *iface, const uint8_t prefix[16])
{
    for (uint8_t i = 0; i < iface->addr6_count; i++) {
        struct iface_addr6 *x = &iface->addr6[i];
        if ((x->flags & IFA6_AUTOCONF) && x->prefix_len == 64 && memcmp(x->addr, prefix, 8) == 0)
            return x;
    }
    return NULL;
}

void addrconf_prefix(struct naru_stack *stack, struct naru_iface *iface, const struct ndp_prefix_info *p)
{
    /* RFC 4862 5.5.3 (a), (b), (c). */
    if (!p->autonomous || ipv6_addr_is_link_local(p->prefix) || p->preferred_lifetime > p->valid_lifetime)
        return;
    if (p->prefix_len != 64) {
        stack->counters.addrconf_prefix_ignored++; /* (d): the length must fit a 64-bit identifier */
        return;
    }
    struct iface_addr6 *x = autoconf_for(iface, p->prefix);
    if (x) {
        uint8_t addr[16];
        memcpy(addr, x->addr, 16);
        addrconf_update_lifetimes(stack, iface, addr, p->valid_lifetime, p->preferred_lifetime);
        return;
    }
    if (p->valid_lifetime == 0)
        return; /* (d): a new prefix with no lifetime forms nothing */
    const struct addrconf_iface *a = state_of(iface);
    for (uint8_t i = 0; i < a->given_up_count; i++)
        if (memcmp(a->given_up[i], p->prefix, 8) == 0)
            return; /* RFC 7217 6: no more tries (duplicate() gave up) */
    uint8_t addr[16], counter = 0;
    form(stack, iface, p->prefix, &counter, addr);
    if (addrconf_add(stack, iface, addr, 64, IFA6_AUTOCONF, seconds(p->valid_lifetime),
                     seconds(p->preferred_lifetime), true, counter) == 0)
        stack->counters.addrconf_slaac_formed++;
}

/* RFC 4862 5.4.5: x is someone else's. */
static void duplicate(struct naru_stack *stack, struct naru_iface *iface, struct iface_addr6 *x)
{
    char text[IPV6_ADDR_STRLEN];
    uint8_t addr[16];
    memcpy(addr, x->addr, 16);
    uint8_t flags = x->flags, counter = x->dad_counter;
    naru_time_t valid = x->valid_until, preferred = x->preferred_until;
    stack->counters.addrconf_dad_conflicts++;
    LOG_WARN(stack, NARU_LAYER_IP, "%s: %s is a duplicate (another node holds it)", iface->name,
             format(addr, text));
    drop(stack, iface, addr);
    if (flags & IFA6_LINK_LOCAL) {
        /* A link-local conflict means another node answers for us on this
         * link: stop IPv6 on it (RFC 4862 5.4.5) rather than speak with a
         * broken identity. */
        struct addrconf_iface *a = state_of(iface);
        a->ipv6_disabled = true;
        stack->counters.addrconf_ipv6_disabled++;
        LOG_WARN(stack, NARU_LAYER_IP, "%s: IPv6 disabled: link-local address duplicate", iface->name);
        while (iface->addr6_count)
            drop(stack, iface, iface->addr6[0].addr);
        mld_listener_stop(stack, &a->mld);
    } else if ((flags & IFA6_AUTOCONF) && counter < STABLE_IID_IDGEN_RETRIES) {
        /* RFC 7217 6: the next DAD_Counter gives another identifier. */
        uint8_t prefix[16] = { 0 }, next[16];
        memcpy(prefix, addr, 8);
        counter++;
        form(stack, iface, prefix, &counter, next);
        naru_time_t v = valid == NARU_NEVER ? NARU_NEVER : valid > stack->now ? valid - stack->now : 0;
        naru_time_t p = preferred == NARU_NEVER ? NARU_NEVER : preferred > stack->now ? preferred - stack->now : 0;
        if (p > v)
            p = v;
        addrconf_add(stack, iface, next, 64, IFA6_AUTOCONF, v, p, true, counter);
    } else if (flags & IFA6_AUTOCONF) {
        /* Remember the prefix, so that the next advertisement does not
         * start over: a node claiming every address makes no more work. */
        struct addrconf_iface *a = state_of(iface);
        memcpy(a->given_up[a->given_up_next], addr, 8);
        a->given_up_next = (uint8_t)((a->given_up_next + 1) % ADDRCONF_GIVEN_UP_MAX);
        if (a->given_up_count < ADDRCONF_GIVEN_UP_MAX)
            a->given_up_count++;
        stack->counters.addrconf_gave_up++;
        LOG_WARN(stack, NARU_LAYER_IP, "%s: no address from %s/64 after %d tries (RFC 7217 IDGEN_RETRIES)",
                 iface->name, format(addr, text), STABLE_IID_IDGEN_RETRIES + 1);
    }
    rearm(stack, iface);
}

bool addrconf_dad_heard(struct naru_stack *stack, struct naru_iface *iface, const uint8_t target[16], bool is_ns,
                        bool from_unspecified, const uint8_t *nonce, uint8_t nonce_len)
{
    struct iface_addr6 *x = iface_addr6_find(iface, target);
    if (!x || !dad_running(x))
        return false;
    if (is_ns) {
        /* RFC 4862 5.4.3: only an NS from another node doing DAD for it
         * (from ::) is a conflict; RFC 7527 4.2: not one bearing our own
         * nonce, which is our probe looped back. An NS from a unicast
         * source is a resolution that cannot be for us yet: ignored. */
        if (!from_unspecified)
            return x->state == IFA6_TENTATIVE; /* an optimistic address answers (RFC 4429 3.3) */
        if (nonce && nonce_len == ADDRCONF_DAD_NONCE_LEN && memcmp(nonce, x->dad_nonce, nonce_len) == 0) {
            stack->counters.addrconf_dad_looped++;
            return true;
        }
    }
    /* RFC 4862 5.4.4: any NA for a tentative address is a conflict. */
    duplicate(stack, iface, x);
    return true;
}
