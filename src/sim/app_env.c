/* The simulator as an environment for naru's applications (apps.h): the
 * virtual clock, and timers on the application's own stack, so an event
 * for one host costs nothing for the others. The engine itself knows
 * nothing of applications. */
#include "sim/sim_internal.h"

#include <errno.h>

#include "naru/simapp.h"

static naru_time_t env_now(void *ctx)
{
    const struct sim_node *node = ctx;
    return naru_sim_now(node->sim);
}

static int env_at(void *ctx, naru_time_t when, void (*fn)(void *arg), void *arg)
{
    struct sim_node *node = ctx;
    return naru_sim_at_stack(node->sim, node->stack, when, fn, arg);
}

int naru_sim_app_env(struct naru_sim *sim, struct naru_stack *stack, struct naru_app_env *env)
{
    struct sim_node *node = sim_node_of(sim, stack);
    if (!node)
        return -EINVAL;
    *env = (struct naru_app_env){ .stack = stack, .now = env_now, .at = env_at, .ctx = node };
    return 0;
}
