/* The simulator: many naru stacks in one process on one virtual clock,
 * joined by in-memory links. Everything is driven by events in time order,
 * and all randomness comes from the seed, so a run can be repeated exactly. */
#ifndef NARU_SIM_H
#define NARU_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/memlink.h"
#include "naru/stack.h"

struct naru_sim;

int naru_sim_create(uint64_t seed, struct naru_sim **out);
/* Destroys every stack and link the simulation owns. */
void naru_sim_destroy(struct naru_sim *sim);
naru_time_t naru_sim_now(const struct naru_sim *sim);
uint64_t naru_sim_seed(const struct naru_sim *sim);

/* A new stack owned by the simulation. config may be NULL for defaults;
 * either way the stack's seed is derived from the simulation's seed. */
struct naru_stack *naru_sim_add_stack(struct naru_sim *sim, const char *name,
                                      const struct naru_stack_config *config);
const char *naru_sim_stack_name(const struct naru_sim *sim, const struct naru_stack *stack);

/* Join two stacks with a new link: each gets an interface with the given
 * address ("A.B.C.D/LEN") and a MAC address unique in the simulation. The
 * link's loss seed is derived from the simulation's seed. ifindex outputs
 * may be NULL. */
int naru_sim_connect(struct naru_sim *sim, struct naru_stack *a, const char *a_cidr,
                     struct naru_stack *b, const char *b_cidr,
                     const struct naru_memlink_config *link, int *a_ifindex, int *b_ifindex);
/* The link created by the n-th naru_sim_connect() call, or NULL. */
struct naru_memlink *naru_sim_link(struct naru_sim *sim, unsigned n);

/* Call fn(ctx) at virtual time `when` (not before now). */
int naru_sim_at(struct naru_sim *sim, naru_time_t when, void (*fn)(void *ctx), void *ctx);

/* Run events in time order until virtual time `until`, or until done(ctx)
 * (checked after every event) returns true. Returns true if done said so.
 * With nothing left to do, time jumps to `until`. */
bool naru_sim_run(struct naru_sim *sim, naru_time_t until, bool (*done)(void *ctx), void *ctx);
/* Events processed so far. */
uint64_t naru_sim_events(const struct naru_sim *sim);

#endif
