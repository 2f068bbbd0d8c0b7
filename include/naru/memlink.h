/* An in-memory Ethernet link joining two interfaces, possibly of two stacks
 * in one process, with an optional rate, delay and seeded random loss on
 * the stacks' virtual clock. */
#ifndef NARU_MEMLINK_H
#define NARU_MEMLINK_H

#include <stdint.h>

#include "naru/stack.h"

struct naru_memlink;

struct naru_memlink_config {
    naru_time_t delay;         /* one-way propagation delay */
    uint64_t rate_bps;         /* serialisation rate; 0 for instant */
    double loss;               /* probability a frame is lost, 0..1 */
    uint64_t seed;             /* for the loss draws */
    uint32_t queue_limit;      /* frames in flight per direction; 0: 4096 */
};

struct naru_memlink_stats {
    uint64_t frames_sent;      /* handed to the link by this end */
    uint64_t frames_delivered; /* arrived at the other end */
    uint64_t frames_lost;      /* dropped by the configured loss */
    uint64_t frames_overflow;  /* dropped: queue_limit reached */
};

int naru_memlink_create(const struct naru_memlink_config *config, struct naru_memlink **out);
/* Frames still in flight are discarded. */
void naru_memlink_destroy(struct naru_memlink *link);
/* Add an interface to `stack` whose driver is end 0 or 1 of the link; the
 * config's driver field is ignored. Returns the ifindex or a negative errno. */
int naru_memlink_attach(struct naru_memlink *link, int end, struct naru_stack *stack,
                        const struct naru_if_config *config);
/* Deliver every frame due at or before `now` (each stack is polled to the
 * frame's arrival time first). */
void naru_memlink_poll(struct naru_memlink *link, naru_time_t now);
naru_time_t naru_memlink_next_deadline(const struct naru_memlink *link);
void naru_memlink_set_loss(struct naru_memlink *link, double loss);
void naru_memlink_get_stats(const struct naru_memlink *link, int end, struct naru_memlink_stats *stats);

#endif
