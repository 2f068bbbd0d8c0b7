#include "appnet.h"

void appnet_make(struct appnet *n, uint64_t seed, const struct naru_sim_link_config *link,
                 const struct naru_stack_config *b_config)
{
    struct naru_sim_link_config dflt = { .rate_bps = 100000000, .delay = 5 * NARU_MS };
    assert_int_equal(naru_sim_create(seed, &n->sim), 0);
    n->a = naru_sim_add_stack(n->sim, "a", NULL);
    n->b = naru_sim_add_stack(n->sim, "b", b_config);
    assert_non_null(n->a);
    assert_non_null(n->b);
    assert_int_equal(naru_sim_add_link(n->sim, "ab", link ? link : &dflt, &n->link), 0);
    assert_int_equal(naru_sim_link_attach(n->link, 0, n->a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(n->link, 1, n->b, "10.0.0.2/24", NULL), 0);
    assert_int_equal(naru_sim_app_env(n->sim, n->a, &n->env_a), 0);
    assert_int_equal(naru_sim_app_env(n->sim, n->b, &n->env_b), 0);
    naru_sim_run(n->sim, 100 * NARU_MS, NULL, NULL); /* the gratuitous ARPs land */
}

void appnet_free(struct appnet *n)
{
    naru_sim_destroy(n->sim);
}

bool appnet_run(struct appnet *n, naru_time_t limit, bool (*done)(void *ctx), void *ctx)
{
    return naru_sim_run(n->sim, naru_sim_now(n->sim) + limit, done, ctx);
}

bool appnet_flag(void *ctx)
{
    return *(bool *)ctx;
}

void appnet_set_flag(void *ctx)
{
    *(bool *)ctx = true;
}
