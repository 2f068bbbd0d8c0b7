/* Timers on the caller's clock. A timer lives inside the object it serves
 * (an ARP entry, a reassembly slot, a connection), so arming one never
 * allocates; the stack keeps armed timers in an intrusive pairing heap. */
#ifndef NARU_CORE_TIMER_H
#define NARU_CORE_TIMER_H

#include <stdbool.h>

#include "naru/stack.h"

struct naru_timer;
typedef void (*naru_timer_fn)(struct naru_stack *stack, struct naru_timer *timer);

struct naru_timer {
    naru_time_t when;
    naru_timer_fn fire;
    struct naru_timer *child, *sibling, *prev;
    bool armed;
};

struct timer_heap {
    struct naru_timer *root;
};

void timer_init(struct naru_timer *t, naru_timer_fn fire);
/* Arm (or re-arm) to fire at `when`. */
void timer_arm(struct timer_heap *heap, struct naru_timer *t, naru_time_t when);
void timer_cancel(struct timer_heap *heap, struct naru_timer *t);
static inline naru_time_t timer_next(const struct timer_heap *heap)
{
    return heap->root ? heap->root->when : NARU_NEVER;
}
/* Fire, in time order, every timer due at or before `now`. A timer may
 * re-arm itself or others from its callback. */
void timers_run(struct naru_stack *stack, struct timer_heap *heap, naru_time_t now);

/* Containing struct of a timer member. */
#define timer_owner(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
