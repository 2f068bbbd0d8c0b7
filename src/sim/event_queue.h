/* The engine's event queue: numbered sources, each in it at most once,
 * keyed by (when, order), the least first. A radix heap: nearly every
 * update is the top source's key moving later (a link's next frame in
 * flight, behind most other sources), which a binary or 4-ary heap pays
 * for with a sift through every level; here it is an unlink and a push.
 * Private to src/sim/. */
#ifndef NARU_SIM_EVENT_QUEUE_H
#define NARU_SIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"

struct sim_queue_key {
    naru_time_t when;
    uint64_t order;            /* breaks ties: the engine never gives two sources one order */
};

/* A key later than the floor's time sorts by the highest 6-bit digit
 * where its time differs from the floor (event_queue.c): 11 levels of
 * digits, 64 buckets to a level, one for each value of that digit,
 * bucket level * 64 + digit. The keys at the floor's time, the top among
 * them, make one more list, in order. */
#define SIM_QUEUE_DIGIT 6
#define SIM_QUEUE_LEVELS 11
#define SIM_QUEUE_FLOOR (SIM_QUEUE_LEVELS * 64)
#define SIM_QUEUE_BUCKETS (SIM_QUEUE_FLOOR + 1)

struct sim_queue_entry {
    struct sim_queue_key key;
    const void *hint;          /* what the source's event reads first, or NULL (sim_queue_set_hint) */
    uint16_t bucket;           /* SIM_QUEUE_BUCKETS when not queued */
};

/* Each bucket is a circular list through a node of its own, so linking
 * and unlinking take no branch (which end is which is a coin toss to
 * the processor): bucket b's node is link[b], source id's is
 * link[SIM_QUEUE_BUCKETS + id]. */
struct sim_queue_link {
    uint32_t next, prev;
};

struct sim_queue {
    struct sim_queue_entry *entry;        /* by source */
    struct sim_queue_link *link;          /* the buckets' nodes, then the sources' */
    naru_time_t floor;                    /* no queued key's time is below it */
    uint32_t levels;                      /* a bit for each level with a source (and one for the floor's list) */
    uint64_t digits[SIM_QUEUE_LEVELS + 1]; /* by level: a bit for each bucket with a source */
    unsigned count;                       /* sources queued */
    unsigned cap;                         /* sources there can be: numbers below it */
};

/* Room for sources numbered below `cap`; the new ones not queued. Never
 * shrinks. 0 or -ENOMEM (the queue then as it was). */
int sim_queue_reserve(struct sim_queue *q, unsigned cap);
void sim_queue_free(struct sim_queue *q);

/* Queue source `id` (below cap) at `k` (k.when below NARU_NEVER), or move
 * it there if queued. Any key will do; one whose time is below the floor
 * (the last top's, see sim_queue_top_by) costs sorting every source
 * again, which a run never needs. */
void sim_queue_set(struct sim_queue *q, uint32_t id, struct sim_queue_key k);
/* Memory source `id`'s event will read first (NULL: none), for whoever
 * looks one event ahead (sim_queue_after) to ask for it early. */
static inline void sim_queue_set_hint(struct sim_queue *q, uint32_t id, const void *hint)
{
    q->entry[id].hint = hint;
}

static inline const void *sim_queue_hint(const struct sim_queue *q, uint32_t id)
{
    return q->entry[id].hint;
}

/* Take source `id` out; nothing if it is not queued. */
void sim_queue_remove(struct sim_queue *q, uint32_t id);

static inline bool sim_queue_has(const struct sim_queue *q, uint32_t id)
{
    return q->entry[id].bucket != SIM_QUEUE_BUCKETS;
}

/* The queued source's key; only for one that is queued. */
static inline const struct sim_queue_key *sim_queue_key_of(const struct sim_queue *q, uint32_t id)
{
    return &q->entry[id].key;
}

#define SIM_QUEUE_NONE UINT32_MAX

/* The lowest bucket holding a source, the floor's list aside (it holds
 * the least time's keys): the first of the lowest level with one. Its
 * keys are the next after the floor's. SIM_QUEUE_BUCKETS if none. */
static inline unsigned sim_queue_lowest_bucket(const struct sim_queue *q)
{
    uint32_t levels = q->levels & (((uint32_t)1 << SIM_QUEUE_LEVELS) - 1);
    if (!levels)
        return SIM_QUEUE_BUCKETS;
    unsigned level = (unsigned)__builtin_ctz(levels);
    return level * 64 + (unsigned)__builtin_ctzll(q->digits[level]);
}

/* Brings the least key into the floor's list if its time is at most
 * `bound`, and says whether it did; the floor stays at or below `bound`. */
bool sim_queue_settle(struct sim_queue *q, naru_time_t bound);

/* The source with the least key, if its time is at most `bound`; else
 * SIM_QUEUE_NONE. Not const: finding it after the last top moved away
 * sorts one bucket further. The bound keeps the floor from rising past a
 * time the caller may still set keys at (a timer of its own due first;
 * the end of a run): a key below the floor costs sorting every source
 * again. */
static inline uint32_t sim_queue_top_by(struct sim_queue *q, naru_time_t bound)
{
    uint32_t first = q->link[SIM_QUEUE_FLOOR].next;
    if (first == SIM_QUEUE_FLOOR) {
        if (!sim_queue_settle(q, bound))
            return SIM_QUEUE_NONE;
        first = q->link[SIM_QUEUE_FLOOR].next;
    }
    return q->floor <= bound ? first - SIM_QUEUE_BUCKETS : SIM_QUEUE_NONE;
}

/* The source likely next after `top` (the top), or SIM_QUEUE_NONE: the
 * next at the floor's time, else the first in the lowest bucket (the
 * least there when keys were set in order, as they mostly are). A guess
 * for prefetching, cheap because it sorts nothing; the event being run
 * may still set an earlier key. */
static inline uint32_t sim_queue_after(const struct sim_queue *q, uint32_t top)
{
    uint32_t n = q->link[SIM_QUEUE_BUCKETS + top].next;
    if (n >= SIM_QUEUE_BUCKETS)
        return n - SIM_QUEUE_BUCKETS;
    unsigned b = sim_queue_lowest_bucket(q);
    if (b == SIM_QUEUE_BUCKETS)
        return SIM_QUEUE_NONE;
    n = q->link[b].next;
    return n >= SIM_QUEUE_BUCKETS ? n - SIM_QUEUE_BUCKETS : SIM_QUEUE_NONE;
}

#endif
