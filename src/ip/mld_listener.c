/* MLDv2 listener state for one interface (RFC 3810 6 and 7 from the
 * listener's side; 8 for version 1 compatibility). */
#include "ip/mld_listener.h"

#include "ip/link_multicast6.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t all_mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 };

static void fire(struct naru_stack *stack, struct naru_timer *t);

void mld_listener_init(struct mld_listener *l)
{
    memset(l, 0, sizeof *l);
    l->change_at = NARU_NEVER;
    l->general_at = NARU_NEVER;
    timer_init(&l->timer, fire);
}

static struct mld_listener *listener_of(struct naru_iface *iface)
{
    struct mld_listener *l = &iface->autoconf.mld;
    if (!l->timer.fire) /* interfaces start zeroed: set up on first use */
        mld_listener_init(l);
    return l;
}

void mld_listener_stop(struct naru_stack *stack, struct mld_listener *l)
{
    if (l->timer.fire)
        timer_cancel(&stack->timers, &l->timer);
    mld_listener_init(l);
}

/* RFC 3810 6: nothing is ever sent about all-nodes, nor about groups of
 * scope 0 (reserved) or 1 (interface-local). */
static bool reportable(const uint8_t group[16])
{
    return (group[1] & 0x0f) > 1 && memcmp(group, all_nodes, 16) != 0;
}

static bool v1_mode(const struct naru_stack *stack, const struct mld_listener *l)
{
    return stack->now < l->v1_until;
}

static struct mld_group *find(struct mld_listener *l, const uint8_t group[16])
{
    for (uint8_t i = 0; i < l->count; i++)
        if (memcmp(l->groups[i].addr, group, 16) == 0)
            return &l->groups[i];
    return NULL;
}

bool mld_listening(const struct naru_iface *iface, const uint8_t group[16])
{
    if (memcmp(group, all_nodes, 16) == 0)
        return true;
    const struct mld_listener *l = &iface->autoconf.mld;
    for (uint8_t i = 0; i < l->count; i++)
        if (l->groups[i].users > 0 && memcmp(l->groups[i].addr, group, 16) == 0)
            return true;
    return false;
}

static naru_time_t earliest(naru_time_t a, naru_time_t b)
{
    return a < b ? a : b;
}

static void rearm(struct naru_stack *stack, struct mld_listener *l)
{
    naru_time_t when = earliest(l->change_at, l->general_at);
    for (uint8_t i = 0; i < l->count; i++)
        when = earliest(when, l->groups[i].answer_at);
    if (when == NARU_NEVER)
        timer_cancel(&stack->timers, &l->timer);
    else
        timer_arm(&stack->timers, &l->timer, when);
}

/* Uniform in [0, max), for the random delays RFC 3810 asks for. */
static naru_time_t random_delay(struct naru_stack *stack, naru_time_t max)
{
    if (max < NARU_MS)
        return 0;
    return (naru_time_t)random_below(&stack->random, (uint32_t)(max / NARU_MS)) * NARU_MS;
}

/* RFC 3810 5.2.13, RFC 3590 4: the link-local address once it is ours
 * (DAD done), the unspecified address before. */
static void report_source(const struct naru_iface *iface, uint8_t src[16])
{
    memset(src, 0, 16);
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if ((iface->addr6[i].flags & IFA6_LINK_LOCAL) && iface->addr6[i].state != IFA6_TENTATIVE) {
            memcpy(src, iface->addr6[i].addr, 16);
            return;
        }
}

static void send_v1(struct naru_stack *stack, struct naru_iface *iface, uint8_t type, const uint8_t group[16])
{
    /* RFC 2710 3: type, code, checksum, maximum response delay, reserved,
     * multicast address. A report goes to its group, a done to all-routers. */
    uint8_t msg[24] = { type };
    memcpy(msg + 8, group, 16);
    const uint8_t *dst = type == ICMPV6_MLD_V1_DONE ? all_routers : group;
    uint8_t src[16];
    report_source(iface, src);
    icmpv6_set_checksum(src, dst, msg, sizeof msg);
    if (link_multicast6_send(stack, iface, src, dst, msg, sizeof msg, true) == 0)
        stack->counters.mld_tx_reports++;
}

struct report {
    struct mld_builder b;
    uint8_t buf[ICMPV6_HEADER_LEN + MLD_GROUPS_MAX * MLD_RECORD_MIN_LEN];
};

static void send_v2(struct naru_stack *stack, struct naru_iface *iface, struct report *r)
{
    if (r->b.records == 0)
        return;
    uint8_t src[16];
    report_source(iface, src);
    size_t len = mld_report_finish(&r->b, src, all_mldv2_routers);
    if (len && link_multicast6_send(stack, iface, src, all_mldv2_routers, r->buf, len, true) == 0)
        stack->counters.mld_tx_reports++;
}

/* RFC 3810 6.1: each change is reported Robustness times, the first
 * at once, the others at random within the unsolicited report interval;
 * a group whose last user left is forgotten once its leave is told. */
static void send_changes(struct naru_stack *stack, struct naru_iface *iface, struct mld_listener *l)
{
    struct report r;
    mld_report_begin(&r.b, r.buf, sizeof r.buf);
    bool more = false;
    for (uint8_t i = 0; i < l->count; i++) {
        struct mld_group *g = &l->groups[i];
        if (g->changes_left == 0)
            continue;
        g->changes_left--;
        more |= g->changes_left > 0;
        if (v1_mode(stack, l))
            send_v1(stack, iface, g->users ? ICMPV6_MLD_V1_REPORT : ICMPV6_MLD_V1_DONE, g->addr);
        else
            mld_report_add(&r.b, g->users ? MLD_CHANGE_TO_EXCLUDE : MLD_CHANGE_TO_INCLUDE, g->addr, NULL, 0);
    }
    send_v2(stack, iface, &r);
    for (uint8_t i = 0; i < l->count;) {
        if (l->groups[i].users == 0 && l->groups[i].changes_left == 0)
            l->groups[i] = l->groups[--l->count];
        else
            i++;
    }
    l->change_at = more ? stack->now + random_delay(stack, MLD_UNSOLICITED_REPORT_INTERVAL) : NARU_NEVER;
}

/* RFC 3810 6.2, 6.3: the current state of every group (general query)
 * or of the groups whose own query is due. */
static void send_current(struct naru_stack *stack, struct naru_iface *iface, struct mld_listener *l, bool all)
{
    struct report r;
    mld_report_begin(&r.b, r.buf, sizeof r.buf);
    for (uint8_t i = 0; i < l->count; i++) {
        struct mld_group *g = &l->groups[i];
        bool due = all || g->answer_at <= stack->now;
        if (g->answer_at <= stack->now)
            g->answer_at = NARU_NEVER;
        if (!due || g->users == 0 || !reportable(g->addr))
            continue;
        if (v1_mode(stack, l))
            send_v1(stack, iface, ICMPV6_MLD_V1_REPORT, g->addr);
        else
            mld_report_add(&r.b, MLD_MODE_IS_EXCLUDE, g->addr, NULL, 0);
    }
    send_v2(stack, iface, &r);
}

static void fire(struct naru_stack *stack, struct naru_timer *t)
{
    struct naru_iface *iface = timer_owner(t, struct naru_iface, autoconf.mld.timer);
    struct mld_listener *l = &iface->autoconf.mld;
    if (l->change_at <= stack->now)
        send_changes(stack, iface, l);
    bool general = l->general_at <= stack->now;
    if (general)
        l->general_at = NARU_NEVER;
    send_current(stack, iface, l, general);
    rearm(stack, l);
}

int mld_join(struct naru_stack *stack, struct naru_iface *iface, const uint8_t group[16], naru_time_t delay)
{
    if (!ipv6_addr_is_multicast(group))
        return -EINVAL;
    struct mld_listener *l = listener_of(iface);
    struct mld_group *g = find(l, group);
    if (g && g->users++ > 0)
        return 0; /* already announced */
    if (!g) {
        if (l->count == MLD_GROUPS_MAX) {
            stack->counters.mld_groups_full++;
            return -ENOSPC;
        }
        g = &l->groups[l->count++];
        *g = (struct mld_group){ .users = 1, .answer_at = NARU_NEVER };
        memcpy(g->addr, group, 16);
    }
    if (!reportable(group))
        return 0;
    g->changes_left = MLD_ROBUSTNESS;
    l->change_at = earliest(l->change_at, stack->now + delay);
    rearm(stack, l);
    return 0;
}

int mld_leave(struct naru_stack *stack, struct naru_iface *iface, const uint8_t group[16])
{
    struct mld_listener *l = listener_of(iface);
    struct mld_group *g = find(l, group);
    if (!g || g->users == 0)
        return -ENOENT;
    if (--g->users > 0)
        return 0;
    g->answer_at = NARU_NEVER;
    if (!reportable(group)) {
        *g = l->groups[--l->count];
        return 0;
    }
    g->changes_left = MLD_ROBUSTNESS;
    l->change_at = stack->now; /* RFC 3810 6.1: at once */
    rearm(stack, l);
    return 0;
}

void mld_listener_query(struct naru_stack *stack, struct naru_iface *iface, const struct mld_query *q)
{
    struct mld_listener *l = listener_of(iface);
    stack->counters.mld_rx_queries++;
    if (q->version == 1) {
        /* RFC 3810 8.2.1: a version 1 querier is on the link. */
        if (!v1_mode(stack, l))
            stack->counters.mld_v1_mode++;
        l->v1_until = stack->now + MLD_OLDER_VERSION_QUERIER_TIMEOUT;
    }
    naru_time_t at = stack->now + random_delay(stack, (naru_time_t)q->max_response_ms * NARU_MS);
    bool general = ipv6_addr_is_unspecified(q->group);
    if (general && q->version == 2) {
        /* RFC 3810 6.2 (1), (2): one answer, whichever is sooner. */
        l->general_at = earliest(l->general_at, at);
    } else {
        /* Version 1 answers per group (RFC 2710 4); a group-specific
         * query is answered for its group (RFC 3810 6.2 (3), (4)) unless
         * the general answer goes sooner. Sources are not asked after:
         * naru's groups have none excluded, so their current state is
         * the whole answer. */
        for (uint8_t i = 0; i < l->count; i++) {
            struct mld_group *g = &l->groups[i];
            if (g->users == 0 || !reportable(g->addr) || (!general && memcmp(g->addr, q->group, 16) != 0))
                continue;
            if (l->general_at > at)
                g->answer_at = earliest(g->answer_at, at);
        }
    }
    rearm(stack, l);
}
