/* The neighbour cache (RFC 4861 7.3, and ARP the way Linux runs it on the
 * same states): lookup, resolution with a bounded queue, the state
 * machine's timers, and bounded memory. */
#include "link/neighbour.h"

#include <stdlib.h>

#include "core/log.h"
#include "core/random.h"
#include "link/ethernet.h"
#include "link/iface.h"
#include "stack.h"

static void entry_timer_fired(struct naru_stack *stack, struct naru_timer *t);

int neighbour_init(struct naru_stack *stack)
{
    struct neighbour_table *t = &stack->neighbours;
    t->count = stack->config.arp_entries;
    uint32_t buckets = 16;
    while (buckets < t->count && buckets < (1u << 24))
        buckets <<= 1;
    t->bucket_mask = buckets - 1;
    t->entries = calloc(t->count ? t->count : 1, sizeof *t->entries);
    t->buckets = calloc(buckets, sizeof *t->buckets);
    if (!t->entries || !t->buckets)
        return -ENOMEM;
    /* Keys from the stack's secret, not fresh draws: other layers' random
     * streams stay as they were. */
    t->hash_key = siphash24(stack->secret, "neighbour-0", 11);
    t->hash_mul = siphash24(stack->secret, "neighbour-1", 11) | 1;
    t->incomplete_max = stack->config.neighbour_incomplete;
    if (t->incomplete_max == 0 || t->incomplete_max > t->count)
        t->incomplete_max = t->count;
    for (uint32_t i = t->count; i-- > 0;) {
        struct neighbour *n = &t->entries[i];
        timer_init(&n->timer, entry_timer_fired);
        n->hash_next = t->free_list;
        t->free_list = n;
    }
    return 0;
}

static const struct neighbour_ops *ops_for(const struct neighbour_table *t, uint8_t family)
{
    return t->ops[family == NARU_AF_INET6];
}

void neighbour_set_ops(struct naru_stack *stack, uint8_t family, const struct neighbour_ops *ops)
{
    stack->neighbours.ops[family == NARU_AF_INET6] = ops;
}

/* The bucket of (ifindex, addr): keyed, as a peer chooses the addresses
 * we ask about (a scan of a /64 above all), and cheap, as every packet
 * sent asks. The construction is the TCP table's (tcp_conn.c). */
static uint32_t key_hash(const struct neighbour_table *t, int ifindex, const struct naru_addr *a)
{
    uint64_t h;
    if (a->family == NARU_AF_INET6) {
        uint64_t hi, lo;
        memcpy(&hi, a->v6, 8);
        memcpy(&lo, a->v6 + 8, 8);
        h = (hi ^ t->hash_key) * t->hash_mul;
        h ^= h >> 32;
        h = (h ^ lo ^ (uint64_t)(uint16_t)ifindex) * t->hash_mul;
    } else {
        h = (((uint64_t)a->v4 << 16 | (uint16_t)ifindex) ^ t->hash_key) * t->hash_mul;
    }
    return (uint32_t)(h >> 32) & t->bucket_mask;
}

static struct neighbour *find(const struct neighbour_table *t, int ifindex, const struct naru_addr *addr)
{
    for (struct neighbour *n = t->buckets[key_hash(t, ifindex, addr)]; n; n = n->hash_next)
        if (n->ifindex == ifindex && naru_addr_equal(&n->addr, addr))
            return n;
    return NULL;
}

/* Most packets go where the last one went: that is asked first, inline. */
static inline struct neighbour *lookup(struct neighbour_table *t, int ifindex, const struct naru_addr *addr)
{
    struct neighbour *n = t->last_hit;
    if (n && n->ifindex == ifindex && naru_addr_equal(&n->addr, addr))
        return n;
    n = find(t, ifindex, addr);
    if (n)
        t->last_hit = n;
    return n;
}

struct neighbour *neighbour_find(struct naru_stack *stack, int ifindex, const struct naru_addr *addr)
{
    return lookup(&stack->neighbours, ifindex, addr);
}

/* ---- the least-recently-used list of resolved entries ---- */

static void lru_unlink(struct neighbour_table *t, struct neighbour *n)
{
    if (n->lru_prev)
        n->lru_prev->lru_next = n->lru_next;
    else
        t->lru_head = n->lru_next;
    if (n->lru_next)
        n->lru_next->lru_prev = n->lru_prev;
    else
        t->lru_tail = n->lru_prev;
    n->lru_prev = n->lru_next = NULL;
}

static void lru_push_front(struct neighbour_table *t, struct neighbour *n)
{
    n->lru_prev = NULL;
    n->lru_next = t->lru_head;
    if (t->lru_head)
        t->lru_head->lru_prev = n;
    else
        t->lru_tail = n;
    t->lru_head = n;
}

static void touch(struct neighbour_table *t, struct neighbour *n)
{
    if (neighbour_resolved(n) && t->lru_head != n) {
        lru_unlink(t, n);
        lru_push_front(t, n);
    }
}

/* Move n to `state`, keeping the INCOMPLETE count and the LRU list. */
static void set_state(struct neighbour_table *t, struct neighbour *n, enum neighbour_state state)
{
    bool listed = neighbour_resolved(n);
    if (n->state == NEIGH_INCOMPLETE)
        t->incomplete--;
    n->state = (uint8_t)state;
    if (state == NEIGH_INCOMPLETE)
        t->incomplete++;
    if (listed && !neighbour_resolved(n))
        lru_unlink(t, n);
    else if (!listed && neighbour_resolved(n))
        lru_push_front(t, n);
}

static void entry_free(struct naru_stack *stack, struct neighbour *n)
{
    struct neighbour_table *t = &stack->neighbours;
    pbuf_queue_free(stack, &n->pending);
    timer_cancel(&stack->timers, &n->timer);
    for (struct neighbour **p = &t->buckets[key_hash(t, n->ifindex, &n->addr)]; *p; p = &(*p)->hash_next) {
        if (*p == n) {
            *p = n->hash_next;
            break;
        }
    }
    set_state(t, n, NEIGH_FREE);
    if (t->last_hit == n)
        t->last_hit = NULL;
    n->hash_next = t->free_list;
    t->free_list = n;
}

void neighbour_fini(struct naru_stack *stack)
{
    struct neighbour_table *t = &stack->neighbours;
    if (t->entries)
        for (uint32_t i = 0; i < t->count; i++)
            if (t->entries[i].state != NEIGH_FREE)
                entry_free(stack, &t->entries[i]);
    free(t->entries);
    free(t->buckets);
    t->entries = NULL;
    t->buckets = NULL;
}

/* A free entry, else the least recently used resolved one; NULL when
 * every entry is being resolved. The entry comes back hashed, in `state`. */
static struct neighbour *entry_alloc(struct naru_stack *stack, int ifindex, const struct naru_addr *addr,
                                     enum neighbour_state state)
{
    struct neighbour_table *t = &stack->neighbours;
    if (!t->free_list && t->lru_tail)
        entry_free(stack, t->lru_tail);
    struct neighbour *n = t->free_list;
    if (!n)
        return NULL;
    t->free_list = n->hash_next;
    n->addr = *addr;
    n->ifindex = (int16_t)ifindex;
    n->probes = 0;
    memset(n->mac, 0, sizeof n->mac);
    struct neighbour **b = &t->buckets[key_hash(t, ifindex, addr)];
    n->hash_next = *b;
    *b = n;
    set_state(t, n, state);
    return n;
}

struct neighbour *neighbour_create(struct naru_stack *stack, int ifindex, const struct naru_addr *addr)
{
    return entry_alloc(stack, ifindex, addr, NEIGH_STALE);
}

/* The retransmission or reachable time on iface. */
static naru_time_t time_on(const struct neighbour_ops *ops, const struct naru_iface *iface, bool reachable)
{
    naru_time_t link = ops->link_time && iface ? ops->link_time(iface, reachable) : 0;
    return link ? link : reachable ? ops->reachable_time : ops->retrans_time;
}

/* Ask, and come back after the retransmission time. */
static void solicit(struct naru_stack *stack, struct neighbour *n)
{
    struct naru_iface *iface = iface_get(stack, n->ifindex);
    if (!iface)
        return;
    const struct neighbour_ops *ops = ops_for(&stack->neighbours, n->addr.family);
    ops->solicit(stack, iface, n, n->state == NEIGH_PROBE ? n->mac : NULL);
    n->probes++;
    timer_arm(&stack->timers, &n->timer, stack->now + time_on(ops, iface, false));
}

static void entry_timer_fired(struct naru_stack *stack, struct naru_timer *timer)
{
    struct neighbour *n = timer_owner(timer, struct neighbour, timer);
    struct neighbour_table *t = &stack->neighbours;
    const struct neighbour_ops *ops = ops_for(t, n->addr.family);
    switch (n->state) {
    case NEIGH_INCOMPLETE:
    case NEIGH_PROBE: {
        uint8_t max = n->state == NEIGH_PROBE ? ops->max_unicast : ops->max_multicast;
        if (n->probes < max) {
            solicit(stack, n);
            return;
        }
        /* RFC 4861 7.3.3: the entry goes, and so do the packets waiting,
         * each sender told (ICMP host / address unreachable). */
        ops->count_drop(stack, NEIGH_DROP_UNANSWERED, n->pending.count);
        char a[NARU_ADDR_STRLEN];
        LOG_INFO(stack, ops->layer, "nobody answered for %s after %d requests; %u packet(s) dropped",
                 naru_addr_format(&n->addr, a), max, n->pending.count);
        struct pbuf *pb;
        while ((pb = pbuf_queue_pop(&n->pending)))
            ops->unreachable(stack, pb);
        struct naru_addr gone = n->addr;
        int ifindex = n->ifindex;
        entry_free(stack, n);
        struct naru_iface *iface = iface_get(stack, ifindex);
        if (ops->unanswered && iface)
            ops->unanswered(stack, iface, &gone);
        return;
    }
    case NEIGH_DELAY:
        /* Nothing confirmed the neighbour meanwhile: ask it directly. */
        set_state(t, n, NEIGH_PROBE);
        n->probes = 0;
        solicit(stack, n);
        return;
    case NEIGH_REACHABLE:
        set_state(t, n, NEIGH_STALE);
        timer_arm(&stack->timers, &n->timer, stack->now + ops->stale_time);
        return;
    default:
        entry_free(stack, n); /* STALE and unused */
        return;
    }
}

void neighbour_update(struct naru_stack *stack, struct naru_iface *iface, struct neighbour *n,
                      const uint8_t mac[6], bool reachable)
{
    struct neighbour_table *t = &stack->neighbours;
    const struct neighbour_ops *ops = ops_for(t, n->addr.family);
    bool changed = memcmp(n->mac, mac, 6) != 0;
    if (!reachable && !changed && neighbour_resolved(n))
        return; /* RFC 4861 7.2.3: news we have; the state stays */
    if (changed || n->state != (reachable ? NEIGH_REACHABLE : NEIGH_STALE)) {
        char a[NARU_ADDR_STRLEN], m[NARU_MAC_STRLEN];
        LOG_INFO(stack, ops->layer, "%s is at %s", naru_addr_format(&n->addr, a), naru_mac_format(mac, m));
    }
    memcpy(n->mac, mac, 6);
    set_state(t, n, reachable ? NEIGH_REACHABLE : NEIGH_STALE);
    n->probes = 0;
    timer_arm(&stack->timers, &n->timer, stack->now + (reachable ? time_on(ops, iface, true) : ops->stale_time));
    struct pbuf *pb;
    while ((pb = pbuf_queue_pop(&n->pending)))
        eth_output(stack, iface, pb, n->mac, ops->ethertype);
}

void neighbour_mark_stale(struct naru_stack *stack, struct neighbour *n)
{
    struct neighbour_table *t = &stack->neighbours;
    set_state(t, n, NEIGH_STALE);
    timer_arm(&stack->timers, &n->timer, stack->now + ops_for(t, n->addr.family)->stale_time);
}

void neighbour_confirm(struct naru_stack *stack, int ifindex, const struct naru_addr *addr)
{
    struct neighbour_table *t = &stack->neighbours;
    struct neighbour *n = lookup(t, ifindex, addr);
    if (!n || !neighbour_resolved(n))
        return;
    set_state(t, n, NEIGH_REACHABLE);
    n->probes = 0;
    timer_arm(&stack->timers, &n->timer,
              stack->now + time_on(ops_for(t, addr->family), iface_get(stack, ifindex), true));
}

void neighbour_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                      const struct naru_addr *next_hop)
{
    struct neighbour_table *t = &stack->neighbours;
    const struct neighbour_ops *ops = ops_for(t, next_hop->family);
    struct neighbour *n = lookup(t, iface->ifindex, next_hop);
    if (!n) {
        /* RFC 6583 7.1: a bound on neighbours being resolved, apart from
         * the table's, so that resolved ones are never crowded out. */
        if (t->incomplete >= t->incomplete_max) {
            ops->count_drop(stack, NEIGH_DROP_INCOMPLETE_FULL, 1);
            pbuf_free(stack, pb);
            return;
        }
        n = entry_alloc(stack, iface->ifindex, next_hop, NEIGH_INCOMPLETE);
        if (!n) {
            ops->count_drop(stack, NEIGH_DROP_TABLE_FULL, 1);
            pbuf_free(stack, pb);
            return;
        }
        char a[NARU_ADDR_STRLEN];
        LOG_INFO(stack, ops->layer, "who has %s? (asking the whole link)", naru_addr_format(next_hop, a));
        pbuf_queue_push(&n->pending, pb);
        solicit(stack, n);
        return;
    }
    touch(t, n);
    switch (n->state) {
    case NEIGH_INCOMPLETE:
        if (n->pending.count >= stack->config.arp_queue) {
            pbuf_free(stack, pbuf_queue_pop(&n->pending));
            ops->count_drop(stack, NEIGH_DROP_QUEUE_FULL, 1);
        }
        pbuf_queue_push(&n->pending, pb);
        return;
    case NEIGH_STALE:
        /* RFC 4861 7.3.3: the packet goes; whether the neighbour is still
         * there is asked after a delay, in which upper layers may vouch
         * for it, or at once for a protocol without one. */
        n->probes = 0;
        if (ops->delay_first_probe) {
            set_state(t, n, NEIGH_DELAY);
            timer_arm(&stack->timers, &n->timer, stack->now + ops->delay_first_probe);
        } else {
            set_state(t, n, NEIGH_PROBE);
            solicit(stack, n);
        }
        break;
    default:
        break;
    }
    eth_output(stack, iface, pb, n->mac, ops->ethertype);
}

int naru_neighbour_lookup(const struct naru_stack *stack, int ifindex, const struct naru_addr *addr, uint8_t mac[6])
{
    const struct neighbour *n = find(&stack->neighbours, ifindex, addr);
    if (!n || !neighbour_resolved(n))
        return -ENOENT;
    memcpy(mac, n->mac, 6);
    return 0;
}
