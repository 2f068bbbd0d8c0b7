/* Two stacks on one simulated link, each with the environment naru's
 * applications (apps.h) run in: what the application tests build on. */
#ifndef NARU_TEST_APPNET_H
#define NARU_TEST_APPNET_H

#include "testnet.h"

#include "naru/apps.h"
#include "naru/simapp.h"

struct appnet {
    struct naru_sim *sim;
    struct naru_stack *a, *b;  /* 10.0.0.1/24 and 10.0.0.2/24 */
    struct naru_sim_link *link;
    struct naru_app_env env_a, env_b;
};

/* link NULL: 100 Mbit/s, 5 ms each way. b's stack may be given a config
 * (NULL: the defaults). */
void appnet_make(struct appnet *n, uint64_t seed, const struct naru_sim_link_config *link,
                 const struct naru_stack_config *b_config);
void appnet_free(struct appnet *n);
/* Run until done(ctx) or `limit` more of virtual time; done's answer. */
bool appnet_run(struct appnet *n, naru_time_t limit, bool (*done)(void *ctx), void *ctx);
/* A done() for appnet_run: *(bool *)ctx. */
bool appnet_flag(void *ctx);
/* An on_done for applications: sets *(bool *)ctx. */
void appnet_set_flag(void *ctx);

#endif
