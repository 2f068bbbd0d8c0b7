/* The event queue: a radix heap on time with 64 buckets to a level, and
 * the keys at the least time in a list by order (event_queue.h).
 *
 * Every queued key's time is at or above `floor`. Those at it form bucket
 * 0, kept in order: the first is the top. Each later key sits in the
 * bucket of the highest 6-bit digit where its time differs from the
 * floor: that digit's level, and its value there. Times agree with the
 * floor above their level, so a lower level's keys come before a higher
 * one's, and within a level the digit's value orders them. When bucket 0
 * runs empty, the least time is in the first bucket of the lowest level
 * with one (two bit scans); it becomes the floor, and that bucket's keys
 * go to bucket 0 or, agreeing with the new floor down to a lower level,
 * fall there; other buckets stay. So an update is an unlink and a push, a
 * key moves only down, a few times at most, and ties in time (common:
 * frames sent in step arrive in step) are sorted once, not level by
 * level.
 *
 * In a run no key's time is set below the last top's (nothing happens
 * before now), so the floor only rises. Code between runs may set any
 * key: a time below the floor becomes the floor, and every source is
 * sorted again. */
#include "sim/event_queue.h"

#include <errno.h>
#include <stdlib.h>

/* Bucket of a time above the floor. */
static unsigned bucket_of(naru_time_t when, naru_time_t floor)
{
    unsigned level = (63 - (unsigned)__builtin_clzll(when ^ floor)) / SIM_QUEUE_DIGIT;
    return 1 + level * 64 + (unsigned)(when >> (level * SIM_QUEUE_DIGIT)) % 64;
}

static inline void push(struct sim_queue *q, uint32_t id, unsigned b)
{
    struct sim_queue_entry *e = &q->entry[id];
    uint32_t first = q->head[b];
    e->bucket = (uint16_t)b;
    e->prev = SIM_QUEUE_NONE;
    e->next = first;
    q->head[b] = id;
    if (first != SIM_QUEUE_NONE) {
        q->entry[first].prev = id;
    } else {
        b--;
        q->digits[b / 64] |= (uint64_t)1 << (b % 64);
        q->levels |= (uint32_t)1 << (b / 64);
    }
}

/* Into bucket 0, after `before` (at its head for SIM_QUEUE_NONE). */
static void link_at_floor(struct sim_queue *q, uint32_t id, uint32_t before)
{
    struct sim_queue_entry *e = &q->entry[id];
    uint32_t after = before != SIM_QUEUE_NONE ? q->entry[before].next : q->head[0];
    e->bucket = 0;
    e->prev = before;
    e->next = after;
    if (before != SIM_QUEUE_NONE)
        q->entry[before].next = id;
    else
        q->head[0] = id;
    if (after != SIM_QUEUE_NONE)
        q->entry[after].prev = id;
    else
        q->last = id;
}

/* Into bucket 0 in order, looked for from the end: a key set at the
 * floor's time is nearly always the latest in order. */
static void push_at_floor(struct sim_queue *q, uint32_t id)
{
    uint64_t order = q->entry[id].key.order;
    uint32_t before = q->last;
    while (before != SIM_QUEUE_NONE && q->entry[before].key.order > order)
        before = q->entry[before].prev;
    link_at_floor(q, id, before);
}

static void push_key(struct sim_queue *q, uint32_t id)
{
    naru_time_t when = q->entry[id].key.when;
    if (when == q->floor)
        push_at_floor(q, id);
    else
        push(q, id, bucket_of(when, q->floor));
}

static void mark_empty(struct sim_queue *q, unsigned b)
{
    if (b-- && !(q->digits[b / 64] &= ~((uint64_t)1 << (b % 64))))
        q->levels &= ~((uint32_t)1 << (b / 64));
}

static inline void unlink_entry(struct sim_queue *q, const struct sim_queue_entry *e)
{
    unsigned b = e->bucket;
    if (e->prev != SIM_QUEUE_NONE)
        q->entry[e->prev].next = e->next;
    else if ((q->head[b] = e->next) == SIM_QUEUE_NONE)
        mark_empty(q, b);
    if (e->next != SIM_QUEUE_NONE)
        q->entry[e->next].prev = e->prev;
    else if (b == 0)
        q->last = e->prev;
}

/* Takes bucket b's list out whole, leaving the bucket empty. */
static uint32_t take_list(struct sim_queue *q, unsigned b)
{
    uint32_t first = q->head[b];
    if (first != SIM_QUEUE_NONE) {
        q->head[b] = SIM_QUEUE_NONE;
        mark_empty(q, b);
        if (b == 0)
            q->last = SIM_QUEUE_NONE;
    }
    return first;
}

/* A key at or below the floor's time: in bucket 0, or, below it, the new
 * floor, and every source into its bucket again. Out of line, to keep
 * sim_queue_set's common path (a later time) short. */
__attribute__((noinline)) static void set_at_floor(struct sim_queue *q, uint32_t id)
{
    naru_time_t when = q->entry[id].key.when;
    if (when == q->floor) {
        push_at_floor(q, id);
        return;
    }
    q->floor = when;
    uint32_t all = id;
    q->entry[id].next = SIM_QUEUE_NONE;
    for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++)
        for (uint32_t at = take_list(q, b), next; at != SIM_QUEUE_NONE; at = next) {
            next = q->entry[at].next;
            q->entry[at].next = all;
            all = at;
        }
    for (uint32_t at = all, next; at != SIM_QUEUE_NONE; at = next) {
        next = q->entry[at].next;
        push_key(q, at);
    }
}

void sim_queue_set(struct sim_queue *q, uint32_t id, struct sim_queue_key k)
{
    struct sim_queue_entry *e = &q->entry[id];
    if (e->bucket != SIM_QUEUE_BUCKETS)
        unlink_entry(q, e);
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
    unlink_entry(q, e);
    e->bucket = SIM_QUEUE_BUCKETS;
    q->count--;
}

void sim_queue_settle(struct sim_queue *q)
{
    if (q->head[0] != SIM_QUEUE_NONE || !q->levels)
        return;
    unsigned level = (unsigned)__builtin_ctz(q->levels);
    uint32_t first = take_list(q, 1 + level * 64 + (unsigned)__builtin_ctzll(q->digits[level]));
    naru_time_t least = q->entry[first].key.when;
    for (uint32_t id = q->entry[first].next; id != SIM_QUEUE_NONE; id = q->entry[id].next)
        if (q->entry[id].key.when < least)
            least = q->entry[id].key.when;
    q->floor = least;
    /* The keys at the new floor into bucket 0, looked for from its start:
     * a bucket's list runs latest first, as its keys were pushed. */
    for (uint32_t id = first, next; id != SIM_QUEUE_NONE; id = next) {
        const struct sim_queue_entry *e = &q->entry[id];
        next = e->next;
        if (e->key.when != least) {
            push(q, id, bucket_of(e->key.when, least));
            continue;
        }
        uint32_t before = SIM_QUEUE_NONE;
        for (uint32_t at = q->head[0]; at != SIM_QUEUE_NONE && q->entry[at].key.order < e->key.order; at = q->entry[at].next)
            before = at;
        link_at_floor(q, id, before);
    }
}

int sim_queue_reserve(struct sim_queue *q, unsigned cap)
{
    if (cap <= q->cap)
        return 0;
    struct sim_queue_entry *entry = realloc(q->entry, (size_t)cap * sizeof *entry);
    if (!entry)
        return -ENOMEM;
    if (!q->entry) { /* the first room: every bucket empty */
        for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++)
            q->head[b] = SIM_QUEUE_NONE;
        q->last = SIM_QUEUE_NONE;
    }
    for (unsigned id = q->cap; id < cap; id++)
        entry[id] = (struct sim_queue_entry){ .bucket = SIM_QUEUE_BUCKETS };
    q->entry = entry;
    q->cap = cap;
    return 0;
}

void sim_queue_free(struct sim_queue *q)
{
    free(q->entry);
    *q = (struct sim_queue){ 0 };
}
