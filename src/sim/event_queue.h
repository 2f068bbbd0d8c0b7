/* The engine's event queue: numbered sources, each in it at most once,
 * keyed by (when, order), the least first. A 4-ary min-heap whose keys sit
 * apart from the sources' numbers, 16 bytes each and placed so that a
 * node's four children share one 64-byte cache line: nearly every update
 * is the top source's key moving later (a link's next frame in flight), a
 * sift down from the root, and there a level costs one line and half the
 * levels of a binary heap. Private to src/sim/. */
#ifndef NARU_SIM_EVENT_QUEUE_H
#define NARU_SIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"

struct sim_queue_key {
    naru_time_t when;
    uint64_t order;            /* breaks ties: the engine never gives two sources one order */
};

struct sim_queue {
    struct sim_queue_key *key; /* by place in the heap (see event_queue.c for the layout) */
    uint32_t *id;              /* by place in the heap: the source there */
    uint32_t *pos;             /* by source: its place + 1; 0 when not queued */
    void *key_block;           /* what key points into, to free */
    unsigned count;            /* sources queued */
    unsigned cap;              /* sources there can be: numbers below it */
};

/* Room for sources numbered below `cap`; the new ones not queued. Never
 * shrinks. 0 or -ENOMEM (the queue then as it was). */
int sim_queue_reserve(struct sim_queue *q, unsigned cap);
void sim_queue_free(struct sim_queue *q);

/* Whether a comes before b, without a branch: which of two keys comes
 * first is a coin toss to the processor, and sifting asks it at every
 * level (callgrind's branch simulation: the binary heap's branchy sift
 * took 44% of a run's mispredicted branches). The order breaks a tie by
 * adding one to b's time: "a.when <= b.when" when a's order is smaller,
 * "<" when not. b.when + 1 cannot wrap: no queued key is NARU_NEVER. */
static inline bool sim_queue_key_before(const struct sim_queue_key *a, const struct sim_queue_key *b)
{
    return a->when < b->when + (a->order < b->order);
}

/* Queue source `id` (below cap) at `k` (k.when below NARU_NEVER), or move
 * it there if queued. */
void sim_queue_set(struct sim_queue *q, uint32_t id, struct sim_queue_key k);
/* Take source `id` out; nothing if it is not queued. */
void sim_queue_remove(struct sim_queue *q, uint32_t id);

static inline bool sim_queue_has(const struct sim_queue *q, uint32_t id)
{
    return q->pos[id] != 0;
}

/* The queued source's key; only for one that is queued. */
static inline const struct sim_queue_key *sim_queue_key_of(const struct sim_queue *q, uint32_t id)
{
    return &q->key[q->pos[id] - 1];
}

/* The least key and its source; only when count > 0. */
static inline const struct sim_queue_key *sim_queue_top(const struct sim_queue *q)
{
    return &q->key[0];
}

static inline uint32_t sim_queue_top_id(const struct sim_queue *q)
{
    return q->id[0];
}

#endif
