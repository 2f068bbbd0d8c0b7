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
 * fall there; other buckets stay. So an update is an unlink and a push,
 * and a key moves only down, a few times at most.
 *
 * Ties in time are common (hosts in step send in step), up to hundreds at
 * once in a big world. Buckets keep the order of their pushes, and keys
 * are mostly set in their order, so a tie's keys mostly reach bucket 0 in
 * order already; when not, that list is merge-sorted once.
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

static void mark_filled(struct sim_queue *q, unsigned b)
{
    if (b--) {
        q->digits[b / 64] |= (uint64_t)1 << (b % 64);
        q->levels |= (uint32_t)1 << (b / 64);
    }
}

static void mark_empty(struct sim_queue *q, unsigned b)
{
    if (b-- && !(q->digits[b / 64] &= ~((uint64_t)1 << (b % 64))))
        q->levels &= ~((uint32_t)1 << (b / 64));
}

/* Into bucket b after `before` (at its start for SIM_QUEUE_NONE). */
static inline void link_after(struct sim_queue *q, uint32_t id, unsigned b, uint32_t before)
{
    struct sim_queue_entry *e = &q->entry[id];
    uint32_t after = before != SIM_QUEUE_NONE ? q->entry[before].next : q->head[b];
    e->bucket = (uint16_t)b;
    e->prev = before;
    e->next = after;
    if (before != SIM_QUEUE_NONE)
        q->entry[before].next = id;
    else if ((q->head[b] = id), after == SIM_QUEUE_NONE)
        mark_filled(q, b);
    if (after != SIM_QUEUE_NONE)
        q->entry[after].prev = id;
    else
        q->tail[b] = id;
}

/* At bucket b's end. */
static inline void push(struct sim_queue *q, uint32_t id, unsigned b)
{
    struct sim_queue_entry *e = &q->entry[id];
    uint32_t last = q->tail[b];
    e->bucket = (uint16_t)b;
    e->prev = last;
    e->next = SIM_QUEUE_NONE;
    q->tail[b] = id;
    if (last != SIM_QUEUE_NONE) {
        q->entry[last].next = id;
    } else {
        q->head[b] = id;
        mark_filled(q, b);
    }
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
    else
        q->tail[b] = e->prev;
}

/* Into bucket 0 in order, looked for from the end: a key set at the
 * floor's time is nearly always the latest in order. */
static void push_at_floor(struct sim_queue *q, uint32_t id)
{
    uint64_t order = q->entry[id].key.order;
    uint32_t before = q->tail[0];
    while (before != SIM_QUEUE_NONE && q->entry[before].key.order > order)
        before = q->entry[before].prev;
    link_after(q, id, 0, before);
}

/* Takes bucket b's list out whole, leaving the bucket empty. */
static uint32_t take_list(struct sim_queue *q, unsigned b)
{
    uint32_t first = q->head[b];
    if (first != SIM_QUEUE_NONE) {
        q->head[b] = q->tail[b] = SIM_QUEUE_NONE;
        mark_empty(q, b);
    }
    return first;
}

/* Two lists in order, joined by `next` only, into one. */
static uint32_t merge(struct sim_queue *q, uint32_t a, uint32_t b)
{
    uint32_t first = SIM_QUEUE_NONE, *link = &first;
    while (a != SIM_QUEUE_NONE && b != SIM_QUEUE_NONE) {
        uint32_t *least = q->entry[a].key.order < q->entry[b].key.order ? &a : &b;
        *link = *least;
        link = &q->entry[*least].next;
        *least = *link;
    }
    *link = a != SIM_QUEUE_NONE ? a : b;
    return first;
}

/* Bucket 0 sorted by order: a bottom-up merge sort of the list, where
 * run[i] holds 2^i keys in order or none. */
static void sort_floor(struct sim_queue *q)
{
    uint32_t run[32];
    unsigned runs = 0;
    for (uint32_t id = q->head[0], next; id != SIM_QUEUE_NONE; id = next) {
        next = q->entry[id].next;
        q->entry[id].next = SIM_QUEUE_NONE;
        unsigned i = 0;
        for (; i < runs && run[i] != SIM_QUEUE_NONE; i++) {
            id = merge(q, run[i], id);
            run[i] = SIM_QUEUE_NONE;
        }
        if (i == runs)
            runs++;
        run[i] = id;
    }
    uint32_t sorted = SIM_QUEUE_NONE;
    for (unsigned i = 0; i < runs; i++)
        if (run[i] != SIM_QUEUE_NONE)
            sorted = merge(q, run[i], sorted);
    q->head[0] = sorted;
    uint32_t prev = SIM_QUEUE_NONE;
    for (uint32_t id = sorted; id != SIM_QUEUE_NONE; id = q->entry[id].next) {
        q->entry[id].prev = prev;
        prev = id;
    }
    q->tail[0] = prev;
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
        if (q->entry[at].key.when == when)
            push_at_floor(q, at);
        else
            push(q, at, bucket_of(q->entry[at].key.when, when));
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
    /* The keys at the new floor to bucket 0 as they come, the rest down. */
    bool sorted = true;
    for (uint32_t id = first, next; id != SIM_QUEUE_NONE; id = next) {
        const struct sim_queue_entry *e = &q->entry[id];
        next = e->next;
        if (e->key.when != least) {
            push(q, id, bucket_of(e->key.when, least));
            continue;
        }
        uint32_t tail = q->tail[0];
        if (tail != SIM_QUEUE_NONE && q->entry[tail].key.order > e->key.order)
            sorted = false;
        push(q, id, 0);
    }
    if (!sorted)
        sort_floor(q);
}

int sim_queue_reserve(struct sim_queue *q, unsigned cap)
{
    if (cap <= q->cap)
        return 0;
    struct sim_queue_entry *entry = realloc(q->entry, (size_t)cap * sizeof *entry);
    if (!entry)
        return -ENOMEM;
    if (!q->entry) /* the first room: every bucket empty */
        for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++)
            q->head[b] = q->tail[b] = SIM_QUEUE_NONE;
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
