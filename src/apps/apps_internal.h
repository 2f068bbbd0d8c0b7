/* What the applications' files share. Private to src/apps/, which uses
 * only naru's public headers. */
#ifndef NARU_APPS_INTERNAL_H
#define NARU_APPS_INTERNAL_H

#include "naru/apps.h"

static inline naru_time_t app_now(const struct naru_app_env *env)
{
    return env->now(env->ctx);
}

static inline int app_at(const struct naru_app_env *env, naru_time_t when, void (*fn)(void *arg), void *arg)
{
    return env->at(env->ctx, when, fn, arg);
}

/* A socket error in a few words ("connection refused"). */
const char *app_errno_text(int err);
/* A stream socket that is connecting: 1 once connected, 0 while it still
 * tries, a negative errno when it failed. */
int app_connect_state(struct naru_stack *stack, int sock);
/* The pattern given, or a new one in *own (NULL when out of memory). */
const struct naru_app_pattern *app_pattern_use(const struct naru_app_pattern *given,
                                               struct naru_app_pattern **own);

#endif
