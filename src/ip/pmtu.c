/* The path MTU cache (RFC 1191, RFC 8201). */
#include "ip/pmtu.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/ip.h"
#include "link/iface.h"
#include "stack.h"

static void expiry_fired(struct naru_stack *stack, struct naru_timer *t);

int pmtu_init(struct naru_stack *stack)
{
    struct pmtu_cache *c = &stack->pmtu;
    c->capacity = stack->config.pmtu_entries;
    c->entries = NULL; /* grown as paths are learned: most hosts learn none */
    c->allocated = 0;
    timer_init(&c->timer, expiry_fired);
    return 0;
}

void pmtu_fini(struct naru_stack *stack)
{
    timer_cancel(&stack->timers, &stack->pmtu.timer);
    free(stack->pmtu.entries);
    stack->pmtu.entries = NULL;
    stack->pmtu.allocated = 0;
}

/* Room for one more entry, doubling up to the capacity. */
static bool room(struct pmtu_cache *c)
{
    if (c->count < c->allocated)
        return true;
    if (c->allocated >= c->capacity)
        return false;
    uint32_t n = c->allocated ? 2 * c->allocated : 4;
    if (n > c->capacity)
        n = c->capacity;
    struct pmtu_entry *e = realloc(c->entries, (size_t)n * sizeof *e);
    if (!e)
        return false;
    c->entries = e;
    c->allocated = n;
    return true;
}

static struct pmtu_entry *find(const struct pmtu_cache *c, const struct naru_addr *dst)
{
    for (uint32_t i = 0; i < c->count; i++)
        if (naru_addr_equal(&c->entries[i].dst, dst))
            return &c->entries[i];
    return NULL;
}

uint32_t pmtu_get(const struct naru_stack *stack, const struct naru_addr *dst)
{
    const struct pmtu_entry *e = find(&stack->pmtu, dst);
    return e ? e->mtu : 0;
}

uint32_t pmtu_path_mtu(struct naru_stack *stack, const struct naru_addr *dst)
{
    const struct naru_iface *iface = ip_route_iface(stack, dst);
    if (!iface)
        return 0;
    uint32_t learned = stack->pmtu.count ? pmtu_get(stack, dst) : 0;
    uint32_t link = iface_ip_mtu(iface, dst->family);
    return learned && learned < link ? learned : link;
}

/* Arm the timer for the soonest expiry. */
static void arm(struct naru_stack *stack)
{
    struct pmtu_cache *c = &stack->pmtu;
    if (!c->count) {
        timer_cancel(&stack->timers, &c->timer);
        return;
    }
    naru_time_t soonest = NARU_NEVER;
    for (uint32_t i = 0; i < c->count; i++)
        if (c->entries[i].expires < soonest)
            soonest = c->entries[i].expires;
    timer_arm(&stack->timers, &c->timer, soonest);
}

static void expiry_fired(struct naru_stack *stack, struct naru_timer *t)
{
    (void)t;
    struct pmtu_cache *c = &stack->pmtu;
    for (uint32_t i = 0; i < c->count;) {
        if (c->entries[i].expires <= stack->now) {
            c->entries[i] = c->entries[--c->count];
            stack->counters.ip_pmtu_expired++;
        } else {
            i++;
        }
    }
    stack->routes.version++; /* paths may be wider again */
    arm(stack);
}

bool pmtu_update(struct naru_stack *stack, const struct naru_addr *dst, uint32_t mtu)
{
    struct pmtu_cache *c = &stack->pmtu;
    uint32_t least = dst->family == NARU_AF_INET6 ? 1280 : 68;
    uint32_t now_mtu = pmtu_path_mtu(stack, dst);
    if (mtu < least || !now_mtu || mtu >= now_mtu || !c->capacity) {
        stack->counters.ip_pmtu_ignored++;
        return false;
    }
    struct pmtu_entry *e = find(c, dst);
    if (!e) {
        if (room(c)) {
            e = &c->entries[c->count++];
        } else if (!c->count) {
            stack->counters.ip_pmtu_ignored++;
            return false;
        } else {
            e = &c->entries[0]; /* full: the entry learned longest ago gives way */
            for (uint32_t i = 1; i < c->count; i++)
                if (c->entries[i].expires < e->expires)
                    e = &c->entries[i];
        }
        e->dst = *dst;
    }
    e->mtu = mtu;
    e->expires = stack->now + PMTU_EXPIRY;
    stack->counters.ip_pmtu_lowered++;
    stack->routes.version++;
    arm(stack);
    char a[NARU_ADDR_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "path MTU to %s is %u", naru_addr_format(dst, a), mtu);
    return true;
}
