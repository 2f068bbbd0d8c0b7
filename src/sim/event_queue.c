/* The event queue: a radix heap on time with 64 buckets to a level, and
 * the keys at the least time in a list by order (event_queue.h).
 *
 * Every queued key's time is at or above `floor`. Those at it form the
 * floor's list, kept in order: the first is the top. Each later key sits
 * in the bucket of the highest 6-bit digit where its time differs from
 * the floor: that digit's level, and its value there. Times agree with
 * the floor above their level, so a lower level's keys come before a
 * higher one's, and within a level the digit's value orders them. When
 * the floor's list runs empty, the least time is in the first bucket of
 * the lowest level with one (two bit scans); it becomes the floor, and
 * that bucket's keys go to the floor's list or, agreeing with the new
 * floor down to a lower level, fall there; other buckets stay. So an
 * update is an unlink and a push, and a key moves only down, a few times
 * at most.
 *
 * Ties in time are common (hosts in step send in step), up to hundreds at
 * once in a big world. Buckets keep the order of their pushes, and keys
 * are mostly set in their order, so a tie's keys mostly reach the floor's
 * list in order already; when not, that list is merge-sorted once.
 *
 * In a run no key's time is set below the last top's (nothing happens
 * before now), so the floor only rises. Code between runs may set any
 * key: a time below the floor becomes the floor, and every source is
 * sorted again. */
#include "sim/event_queue.h"

#include <errno.h>
#include <stdlib.h>

#define END UINT32_MAX /* ends a list taken out of its bucket */

/* Bucket of a time above the floor. */
static unsigned bucket_of(naru_time_t when, naru_time_t floor)
{
    unsigned level = (63 - (unsigned)__builtin_clzll(when ^ floor)) / SIM_QUEUE_DIGIT;
    return level * 64 + (unsigned)(when >> (level * SIM_QUEUE_DIGIT)) % 64;
}

static const struct sim_queue_key *key_at(const struct sim_queue *q, uint32_t node)
{
    return &q->entry[node - SIM_QUEUE_BUCKETS].key;
}

/* Node `node` between `prev` and `next`, in bucket b. */
static inline void link_between(struct sim_queue *q, uint32_t node, uint32_t prev, uint32_t next, unsigned b)
{
    q->link[node] = (struct sim_queue_link){ next, prev };
    q->link[prev].next = node;
    q->link[next].prev = node;
    q->entry[node - SIM_QUEUE_BUCKETS].bucket = (uint16_t)b;
    q->digits[b / 64] |= (uint64_t)1 << (b % 64);
    q->levels |= (uint32_t)1 << (b / 64);
}

/* At bucket b's end. */
static inline void push(struct sim_queue *q, uint32_t id, unsigned b)
{
    link_between(q, SIM_QUEUE_BUCKETS + id, q->link[b].prev, b, b);
}

/* Clears bucket b's bit if it has no source left, and its level's. */
static inline void mark_if_empty(struct sim_queue *q, unsigned b)
{
    uint64_t empty = q->link[b].next == b;
    q->digits[b / 64] &= ~(empty << (b % 64));
    q->levels &= ~((uint32_t)(q->digits[b / 64] == 0) << (b / 64));
}

static inline void unlink_entry(struct sim_queue *q, uint32_t id)
{
    struct sim_queue_link l = q->link[SIM_QUEUE_BUCKETS + id];
    q->link[l.prev].next = l.next;
    q->link[l.next].prev = l.prev;
    mark_if_empty(q, q->entry[id].bucket);
}

/* Bucket b's list taken out, ended by END; the bucket left empty. */
static uint32_t take_list(struct sim_queue *q, unsigned b)
{
    uint32_t first = q->link[b].next;
    if (first == b)
        return END;
    q->link[q->link[b].prev].next = END;
    q->link[b] = (struct sim_queue_link){ b, b };
    mark_if_empty(q, b);
    return first;
}

/* Into the floor's list in order, looked for from the end: a key set at
 * the floor's time is nearly always the latest in order. */
static void push_at_floor(struct sim_queue *q, uint32_t id)
{
    uint64_t order = q->entry[id].key.order;
    uint32_t before = q->link[SIM_QUEUE_FLOOR].prev;
    while (before != SIM_QUEUE_FLOOR && key_at(q, before)->order > order)
        before = q->link[before].prev;
    link_between(q, SIM_QUEUE_BUCKETS + id, before, q->link[before].next, SIM_QUEUE_FLOOR);
}

/* Two lists in order, joined by `next` and ended by END, into one. */
static uint32_t merge(struct sim_queue *q, uint32_t a, uint32_t b)
{
    uint32_t first = END, *link = &first;
    while (a != END && b != END) {
        uint32_t *least = key_at(q, a)->order < key_at(q, b)->order ? &a : &b;
        *link = *least;
        link = &q->link[*least].next;
        *least = *link;
    }
    *link = a != END ? a : b;
    return first;
}

/* The floor's list sorted by order: a bottom-up merge sort, where run[i]
 * holds 2^i keys in order or none. */
static void sort_floor(struct sim_queue *q)
{
    uint32_t run[32];
    unsigned runs = 0;
    for (uint32_t node = take_list(q, SIM_QUEUE_FLOOR), next; node != END; node = next) {
        next = q->link[node].next;
        q->link[node].next = END;
        unsigned i = 0;
        for (; i < runs && run[i] != END; i++) {
            node = merge(q, run[i], node);
            run[i] = END;
        }
        if (i == runs)
            runs++;
        run[i] = node;
    }
    uint32_t sorted = END;
    for (unsigned i = 0; i < runs; i++)
        if (run[i] != END)
            sorted = merge(q, run[i], sorted);
    for (uint32_t node = sorted, next; node != END; node = next) {
        next = q->link[node].next;
        push(q, node - SIM_QUEUE_BUCKETS, SIM_QUEUE_FLOOR);
    }
}

/* A key at or below the floor's time: into the floor's list, or, below
 * it, the new floor, and every source into its bucket again. Out of
 * line, to keep sim_queue_set's common path (a later time) short. */
__attribute__((noinline)) static void set_at_floor(struct sim_queue *q, uint32_t id)
{
    naru_time_t when = q->entry[id].key.when;
    if (when == q->floor) {
        push_at_floor(q, id);
        return;
    }
    q->floor = when;
    q->entry[id].bucket = SIM_QUEUE_FLOOR; /* queued: pushed below with the rest */
    for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++)
        q->link[b] = (struct sim_queue_link){ b, b };
    for (unsigned l = 0; l <= SIM_QUEUE_LEVELS; l++)
        q->digits[l] = 0;
    q->levels = 0;
    for (uint32_t at = 0; at < q->cap; at++) {
        naru_time_t t = q->entry[at].key.when;
        if (q->entry[at].bucket != SIM_QUEUE_BUCKETS)
            push(q, at, t == when ? SIM_QUEUE_FLOOR : bucket_of(t, when));
    }
    sort_floor(q);
}

void sim_queue_set(struct sim_queue *q, uint32_t id, struct sim_queue_key k)
{
    struct sim_queue_entry *e = &q->entry[id];
    if (e->bucket != SIM_QUEUE_BUCKETS)
        unlink_entry(q, id);
    else
        q->count++;
    e->key = k;
    if (k.when > q->floor)
        push(q, id, bucket_of(k.when, q->floor));
    else
        set_at_floor(q, id);
}

void sim_queue_remove(struct sim_queue *q, uint32_t id)
{
    struct sim_queue_entry *e = &q->entry[id];
    if (e->bucket == SIM_QUEUE_BUCKETS)
        return;
    unlink_entry(q, id);
    e->bucket = SIM_QUEUE_BUCKETS;
    q->count--;
}

bool sim_queue_settle(struct sim_queue *q, naru_time_t bound)
{
    if (q->link[SIM_QUEUE_FLOOR].next != SIM_QUEUE_FLOOR)
        return true;
    unsigned b = sim_queue_lowest_bucket(q);
    if (b == SIM_QUEUE_BUCKETS)
        return false;
    unsigned level = b / 64, digit = b % 64, shift = level * SIM_QUEUE_DIGIT;
    /* The bucket's earliest time: the floor's digits above its level, its
     * own at it, zeros below. */
    naru_time_t above = shift + SIM_QUEUE_DIGIT < 64 ? q->floor >> (shift + SIM_QUEUE_DIGIT) << (shift + SIM_QUEUE_DIGIT) : 0;
    if ((above | (naru_time_t)digit << shift) > bound)
        return false;
    naru_time_t least = NARU_NEVER;
    for (uint32_t node = q->link[b].next; node != b; node = q->link[node].next)
        if (key_at(q, node)->when < least)
            least = key_at(q, node)->when;
    if (least > bound)
        return false;
    uint32_t first = take_list(q, b);
    q->floor = least;
    /* The keys at the new floor to its list as they come, the rest down. */
    bool sorted = true;
    for (uint32_t node = first, next; node != END; node = next) {
        const struct sim_queue_key *k = key_at(q, node);
        next = q->link[node].next;
        if (k->when != least) {
            push(q, node - SIM_QUEUE_BUCKETS, bucket_of(k->when, least));
            continue;
        }
        uint32_t tail = q->link[SIM_QUEUE_FLOOR].prev;
        if (tail != SIM_QUEUE_FLOOR && key_at(q, tail)->order > k->order)
            sorted = false;
        push(q, node - SIM_QUEUE_BUCKETS, SIM_QUEUE_FLOOR);
    }
    if (!sorted)
        sort_floor(q);
    return true;
}

int sim_queue_reserve(struct sim_queue *q, unsigned cap)
{
    if (cap <= q->cap)
        return 0;
    struct sim_queue_link *link = realloc(q->link, ((size_t)SIM_QUEUE_BUCKETS + cap) * sizeof *link);
    if (!link)
        return -ENOMEM;
    if (!q->link) /* the first room: every bucket empty */
        for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++)
            link[b] = (struct sim_queue_link){ b, b };
    q->link = link;
    struct sim_queue_entry *entry = realloc(q->entry, (size_t)cap * sizeof *entry);
    if (!entry)
        return -ENOMEM;
    for (unsigned id = q->cap; id < cap; id++)
        entry[id] = (struct sim_queue_entry){ .bucket = SIM_QUEUE_BUCKETS };
    q->entry = entry;
    q->cap = cap;
    return 0;
}

void sim_queue_free(struct sim_queue *q)
{
    free(q->entry);
    free(q->link);
    *q = (struct sim_queue){ 0 };
}
