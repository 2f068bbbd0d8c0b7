/* The simulation engine: a virtual clock, application timers, and the
 * stacks and links it polls in time order. */
#include "naru/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"

struct app_timer {
    naru_time_t when;
    uint64_t order;            /* ties fire in the order they were set */
    void (*fn)(void *ctx);
    void *ctx;
};

struct node {
    struct naru_stack *stack;
    char name[32];
};

struct naru_sim {
    uint64_t seed;
    naru_time_t now;
    uint64_t events;
    uint64_t timer_order;
    struct node *nodes;
    unsigned node_count, node_cap;
    struct naru_memlink **links;
    unsigned link_count, link_cap;
    struct app_timer *timers;  /* binary min-heap */
    unsigned timer_count, timer_cap;
    uint32_t next_mac;
};

static uint64_t mix(uint64_t seed, uint64_t salt)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull * (salt + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int naru_sim_create(uint64_t seed, struct naru_sim **out)
{
    struct naru_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return -ENOMEM;
    sim->seed = seed;
    *out = sim;
    return 0;
}

void naru_sim_destroy(struct naru_sim *sim)
{
    if (!sim)
        return;
    for (unsigned i = 0; i < sim->link_count; i++)
        naru_memlink_destroy(sim->links[i]);
    for (unsigned i = 0; i < sim->node_count; i++)
        naru_stack_destroy(sim->nodes[i].stack);
    free(sim->links);
    free(sim->nodes);
    free(sim->timers);
    free(sim);
}

naru_time_t naru_sim_now(const struct naru_sim *sim)
{
    return sim->now;
}

uint64_t naru_sim_seed(const struct naru_sim *sim)
{
    return sim->seed;
}

uint64_t naru_sim_events(const struct naru_sim *sim)
{
    return sim->events;
}

static int grow(void **array, unsigned *cap, unsigned count, size_t size)
{
    if (count < *cap)
        return 0;
    unsigned ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*array, ncap * size);
    if (!p)
        return -ENOMEM;
    *array = p;
    *cap = ncap;
    return 0;
}

struct naru_stack *naru_sim_add_stack(struct naru_sim *sim, const char *name,
                                      const struct naru_stack_config *config)
{
    if (grow((void **)&sim->nodes, &sim->node_cap, sim->node_count, sizeof *sim->nodes) < 0)
        return NULL;
    struct naru_stack_config c;
    if (config)
        c = *config;
    else
        naru_stack_config_default(&c);
    c.seed = mix(sim->seed, sim->node_count);
    struct naru_stack *stack;
    if (naru_stack_create(&c, &stack) < 0)
        return NULL;
    naru_stack_poll(stack, sim->now);
    struct node *n = &sim->nodes[sim->node_count++];
    n->stack = stack;
    snprintf(n->name, sizeof n->name, "%s", name ? name : "node");
    return stack;
}

const char *naru_sim_stack_name(const struct naru_sim *sim, const struct naru_stack *stack)
{
    for (unsigned i = 0; i < sim->node_count; i++)
        if (sim->nodes[i].stack == stack)
            return sim->nodes[i].name;
    return "?";
}

static int attach(struct naru_sim *sim, struct naru_memlink *link, int end, struct naru_stack *stack,
                  const char *cidr, int *ifindex_out)
{
    uint32_t addr;
    uint8_t prefix;
    if (naru_cidr_parse(cidr, &addr, &prefix) < 0)
        return -EINVAL;
    uint32_t id = ++sim->next_mac;
    struct naru_if_config ifc = {
        .name = "eth",
        .mac = { 0x02, 0x00, (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id },
        .mtu = 1500,
    };
    int ifindex = naru_memlink_attach(link, end, stack, &ifc);
    if (ifindex < 0)
        return ifindex;
    if (ifindex_out)
        *ifindex_out = ifindex;
    return naru_if_set_addr(stack, ifindex, addr, prefix);
}

int naru_sim_connect(struct naru_sim *sim, struct naru_stack *a, const char *a_cidr,
                     struct naru_stack *b, const char *b_cidr,
                     const struct naru_memlink_config *link_config, int *a_ifindex, int *b_ifindex)
{
    if (grow((void **)&sim->links, &sim->link_cap, sim->link_count, sizeof *sim->links) < 0)
        return -ENOMEM;
    struct naru_memlink_config c = { 0 };
    if (link_config)
        c = *link_config;
    c.seed = mix(sim->seed, 0x10000 + sim->link_count);
    struct naru_memlink *link;
    int err = naru_memlink_create(&c, &link);
    if (err < 0)
        return err;
    sim->links[sim->link_count++] = link;
    err = attach(sim, link, 0, a, a_cidr, a_ifindex);
    if (!err)
        err = attach(sim, link, 1, b, b_cidr, b_ifindex);
    return err;
}

struct naru_memlink *naru_sim_link(struct naru_sim *sim, unsigned n)
{
    return n < sim->link_count ? sim->links[n] : NULL;
}

static bool timer_before(const struct app_timer *a, const struct app_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

int naru_sim_at(struct naru_sim *sim, naru_time_t when, void (*fn)(void *ctx), void *ctx)
{
    if (grow((void **)&sim->timers, &sim->timer_cap, sim->timer_count, sizeof *sim->timers) < 0)
        return -ENOMEM;
    struct app_timer t = { when < sim->now ? sim->now : when, sim->timer_order++, fn, ctx };
    unsigned i = sim->timer_count++;
    while (i > 0 && timer_before(&t, &sim->timers[(i - 1) / 2])) {
        sim->timers[i] = sim->timers[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sim->timers[i] = t;
    return 0;
}

static struct app_timer pop_timer(struct naru_sim *sim)
{
    struct app_timer top = sim->timers[0];
    struct app_timer last = sim->timers[--sim->timer_count];
    unsigned i = 0, n = sim->timer_count;
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && timer_before(&sim->timers[c + 1], &sim->timers[c]))
            c++;
        if (!timer_before(&sim->timers[c], &last))
            break;
        sim->timers[i] = sim->timers[c];
        i = c;
    }
    if (n)
        sim->timers[i] = last;
    return top;
}

static naru_time_t next_event(const struct naru_sim *sim)
{
    naru_time_t next = sim->timer_count ? sim->timers[0].when : NARU_NEVER;
    for (unsigned i = 0; i < sim->node_count; i++) {
        naru_time_t t = naru_stack_next_deadline(sim->nodes[i].stack);
        if (t < next)
            next = t;
    }
    for (unsigned i = 0; i < sim->link_count; i++) {
        naru_time_t t = naru_memlink_next_deadline(sim->links[i]);
        if (t < next)
            next = t;
    }
    return next;
}

bool naru_sim_run(struct naru_sim *sim, naru_time_t until, bool (*done)(void *ctx), void *ctx)
{
    if (done && done(ctx))
        return true;
    for (;;) {
        naru_time_t next = next_event(sim);
        if (next == NARU_NEVER || next > until) {
            if (until != NARU_NEVER && until > sim->now)
                sim->now = until;
            return false;
        }
        if (next > sim->now)
            sim->now = next;
        sim->events++;
        if (sim->timer_count && sim->timers[0].when <= sim->now) {
            /* Applications act on their stack's clock: bring every stack
             * up to now before they run. */
            for (unsigned i = 0; i < sim->node_count; i++)
                naru_stack_poll(sim->nodes[i].stack, sim->now);
        }
        while (sim->timer_count && sim->timers[0].when <= sim->now) {
            struct app_timer t = pop_timer(sim);
            t.fn(t.ctx);
        }
        for (unsigned i = 0; i < sim->node_count; i++)
            if (naru_stack_next_deadline(sim->nodes[i].stack) <= sim->now)
                naru_stack_poll(sim->nodes[i].stack, sim->now);
        for (unsigned i = 0; i < sim->link_count; i++)
            naru_memlink_poll(sim->links[i], sim->now);
        if (done && done(ctx))
            return true;
    }
}
