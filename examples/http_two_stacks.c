/* Two naru stacks joined by the in-memory link and driven by a loop of our
 * own on a virtual clock: one serves naru's web site, the other downloads
 * 100 kB and checks every byte. No simulator, no devices: core and apps. */
#include <errno.h>
#include <stdio.h>

#include "naru/addr.h"
#include "naru/apps.h"
#include "naru/memlink.h"

struct timer { naru_time_t when; void (*fn)(void *); void *arg; };

struct loop {
    naru_time_t now;
    struct timer timers[64];
    int count;
    struct naru_stack *stacks[2];
    struct naru_memlink *link;
};

/* The environment the applications run in: our clock and our timers. */
static naru_time_t loop_now(void *ctx) { return ((struct loop *)ctx)->now; }

static int loop_at(void *ctx, naru_time_t when, void (*fn)(void *), void *arg)
{
    struct loop *l = ctx;
    if (l->count == 64)
        return -ENOMEM;
    l->timers[l->count++] = (struct timer){ when < l->now ? l->now : when, fn, arg };
    return 0;
}

/* Jump to the next thing due (a frame, a stack's timer, ours) and do it. */
static int step(struct loop *l)
{
    naru_time_t next = naru_memlink_next_deadline(l->link), t;
    for (int i = 0; i < 2; i++)
        next = (t = naru_stack_next_deadline(l->stacks[i])) < next ? t : next;
    for (int i = 0; i < l->count; i++)
        next = l->timers[i].when < next ? l->timers[i].when : next;
    if (next == NARU_NEVER)
        return 0;
    l->now = next > l->now ? next : l->now;
    naru_memlink_poll(l->link, l->now);
    for (int i = 0; i < 2; i++)
        naru_stack_poll(l->stacks[i], l->now);
    for (int i = 0; i < l->count; i++) {
        if (l->timers[i].when > l->now)
            continue;
        struct timer due = l->timers[i];
        l->timers[i--] = l->timers[--l->count];
        due.fn(due.arg);
    }
    return 1;
}

int main(void)
{
    struct loop l = { 0 };
    struct naru_memlink_config lc = { .delay = 5 * NARU_MS, .rate_bps = 100000000 };
    if (naru_memlink_create(&lc, &l.link) < 0)
        return 1;
    struct naru_app_env env[2];
    for (int i = 0; i < 2; i++) {
        struct naru_stack_config c;
        naru_stack_config_default(&c);
        c.seed = 42 + (uint64_t)i;
        struct naru_if_config ifc = { .name = "mem0", .mac = { 2, 0, 0, 0, 0, (uint8_t)(i + 1) } };
        if (naru_stack_create(&c, &l.stacks[i]) < 0 || naru_memlink_attach(l.link, i, l.stacks[i], &ifc) < 0 ||
            naru_if_set_addr(l.stacks[i], 0, naru_ip4(10, 0, 0, (uint8_t)(i + 1)), 24) < 0)
            return 1;
        env[i] = (struct naru_app_env){ .stack = l.stacks[i], .now = loop_now, .at = loop_at, .ctx = &l };
    }
    struct naru_http_server_config sc; /* port 80, naru's own site */
    struct naru_http_get_config gc;
    naru_http_server_config_default(&sc);
    naru_http_get_config_default(&gc);
    gc.server.addr = naru_addr_v4(naru_ip4(10, 0, 0, 2));
    gc.path = "/bytes/100000";
    gc.verify = true;
    struct naru_http_server *server;
    struct naru_http_get *get;
    if (naru_http_server_start(&env[1], &sc, &server) < 0 || naru_http_get_start(&env[0], &gc, &get) < 0)
        return 1;
    while (!naru_http_get_result(get)->finished && l.now < 60 * NARU_SEC && step(&l))
        ;
    const struct naru_http_get_result *r = naru_http_get_result(get);
    naru_time_t took;
    naru_app_elapsed(r->started, r->ended, &took);
    printf("GET http://10.0.0.2/bytes/100000: HTTP %d %s, %llu bytes%s, %.3f ms of virtual time\n", r->status,
           r->reason, (unsigned long long)r->body_received, r->intact ? ", every one right" : "", (double)took / 1e6);
    int status = r->ok ? 0 : 1;
    naru_http_get_destroy(get);
    naru_http_server_destroy(server);
    for (int i = 0; i < 2; i++)
        naru_stack_destroy(l.stacks[i]);
    naru_memlink_destroy(l.link);
    return status;
}
