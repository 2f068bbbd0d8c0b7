/* traceroute (src/apps/traceroute.c) across two routers: every hop by its
 * TTL, the destination by its port unreachable, and the lines it prints. */
#include "appnet.h"

#include <stdio.h>
#include <string.h>

struct world {
    struct naru_sim *sim;
    struct naru_stack *client, *r1, *r2, *server;
    struct naru_sim_link *core;
    struct naru_app_env env;
};

/* client 10.1.0.2 - r1 - r2 - server 10.3.0.2, 2 ms each link. */
static void world_make(struct world *w)
{
    assert_int_equal(naru_sim_create(7, &w->sim), 0);
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    w->r1 = naru_sim_add_router(w->sim, "r1", NULL);
    w->r2 = naru_sim_add_router(w->sim, "r2", NULL);
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = 2 * NARU_MS };
    struct naru_sim_link *l;
    int cif, sif, r1r, r2l;
    assert_int_equal(naru_sim_add_link(w->sim, "l1", &c, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, w->client, "10.1.0.2/24", &cif), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, w->r1, "10.1.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "l2", &c, &w->core), 0);
    assert_int_equal(naru_sim_link_attach(w->core, 0, w->r1, "10.2.0.1/24", &r1r), 0);
    assert_int_equal(naru_sim_link_attach(w->core, 1, w->r2, "10.2.0.2/24", &r2l), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "l3", &c, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, w->r2, "10.3.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, w->server, "10.3.0.2/24", &sif), 0);
    assert_int_equal(naru_route_add(w->client, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.1") }, cif), 0);
    assert_int_equal(naru_route_add(w->server, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.3.0.1") }, sif), 0);
    assert_int_equal(naru_route_add(w->r1, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.3.0.0") }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.2") }, r1r), 0);
    assert_int_equal(naru_route_add(w->r2, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.0") }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.1") }, r2l), 0);
    assert_int_equal(naru_sim_app_env(w->sim, w->client, &w->env), 0);
}

struct lines {
    char text[2048];
    size_t len;
    struct naru_sockaddr previous;
};

/* Print as the naru traceroute command does: a line per hop. */
static void on_probe(void *ctx, const struct naru_traceroute_probe *p)
{
    struct lines *l = ctx;
    char one[128];
    if (p->query == 0) {
        l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%2u ", p->ttl);
        l->previous.addr.family = NARU_AF_UNSPEC;
    }
    naru_traceroute_probe_text(p, &l->previous, NULL, one, sizeof one);
    if (p->answered)
        l->previous = p->from;
    l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%s%s", one, p->last ? "\n" : "");
}

static bool finished(void *ctx)
{
    return naru_traceroute_result(ctx)->finished;
}

static void every_router_answers_for_its_ttl(void **state)
{
    (void)state;
    struct world w;
    world_make(&w);
    struct lines lines = { .len = 0 };
    struct naru_traceroute_config c;
    naru_traceroute_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.3.0.2"));
    c.wait = NARU_SEC;
    c.on_probe = on_probe;
    c.ctx = &lines;
    struct naru_traceroute *t;
    assert_int_equal(naru_traceroute_start(&w.env, &c, &t), 0);
    assert_true(naru_sim_run(w.sim, 60 * NARU_SEC, finished, t));
    const struct naru_traceroute_result *r = naru_traceroute_result(t);
    assert_true(r->ok);
    assert_int_equal(r->hop_count, 3);
    const char *expect[3] = { "10.1.0.1", "10.2.0.2", "10.3.0.2" };
    for (unsigned h = 0; h < 3; h++) {
        assert_int_equal(r->hops[h].ttl, h + 1);
        assert_int_equal(r->hops[h].answered, 3);
        for (int q = 0; q < 3; q++)
            assert_int_equal(r->hops[h].from[q].addr.v4, ip(expect[h]));
    }
    assert_false(r->hops[1].reached);
    assert_true(r->hops[2].reached);
    assert_int_equal(r->sent, 9);
    assert_int_equal(counter(w.server, "udp_rx_no_port"), 3);
    /* Each hop 4 ms further there and back (the first probe also waits for ARP). */
    assert_true(r->hops[2].rtt[2] >= 12 * NARU_MS && r->hops[2].rtt[2] < 13 * NARU_MS);
    /* A line a hop, the address once, the first probe's the slowest (ARP). */
    assert_non_null(strstr(lines.text, " 1  10.1.0.1  6.017 ms  4.014 ms  4.014 ms\n 2  10.2.0.2  12."));
    assert_non_null(strstr(lines.text, "\n 3  10.3.0.2  16.049 ms  12.042 ms  12.042 ms\n"));
    assert_int_equal(lines.text[strlen(lines.text) - 1], '\n'); /* the last line is whole */
    naru_traceroute_destroy(t);
    naru_sim_destroy(w.sim);
}

static void lost_answers_are_stars_and_the_trace_goes_on(void **state)
{
    (void)state;
    struct world w;
    world_make(&w);
    naru_sim_link_set_loss(w.core, 1.0); /* nothing beyond r1 answers */
    struct lines lines = { .len = 0 };
    struct naru_traceroute_config c;
    naru_traceroute_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.3.0.2"));
    c.max_ttl = 3;
    c.queries = 2;
    c.wait = NARU_SEC;
    c.on_probe = on_probe;
    c.ctx = &lines;
    struct naru_traceroute *t;
    assert_int_equal(naru_traceroute_start(&w.env, &c, &t), 0);
    assert_true(naru_sim_run(w.sim, 60 * NARU_SEC, finished, t));
    const struct naru_traceroute_result *r = naru_traceroute_result(t);
    assert_false(r->ok);
    assert_string_equal(r->why, "the destination was not reached");
    assert_int_equal(r->hop_count, 3);
    assert_int_equal(r->hops[1].answered, 0);
    assert_non_null(strstr(lines.text, "\n 2  * *\n 3  * *\n"));
    naru_traceroute_destroy(t);
    naru_sim_destroy(w.sim);
}

static void a_probe_prints_like_traceroute(void **state)
{
    (void)state;
    struct naru_traceroute_probe p = { .ttl = 2, .query = 0, .answered = true, .rtt = 1234567 };
    p.from.addr = naru_addr_v4(ip("10.2.0.2"));
    struct naru_sockaddr none = { .port = 0 }, same = p.from;
    char text[128];
    assert_string_equal(naru_traceroute_probe_text(&p, &none, "r2", text, sizeof text), " 10.2.0.2 (r2)  1.235 ms");
    assert_string_equal(naru_traceroute_probe_text(&p, &same, "r2", text, sizeof text), "  1.235 ms");
    p.mark = 'H';
    assert_string_equal(naru_traceroute_probe_text(&p, &same, NULL, text, sizeof text), "  1.235 ms !H");
    p.answered = false;
    assert_string_equal(naru_traceroute_probe_text(&p, &same, NULL, text, sizeof text), " *");
    /* Too small a buffer: cut, and terminated. */
    p.answered = true;
    assert_int_equal(strlen(naru_traceroute_probe_text(&p, &none, "r2", text, 6)), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_router_answers_for_its_ttl),
        cmocka_unit_test(lost_answers_are_stars_and_the_trace_goes_on),
        cmocka_unit_test(a_probe_prints_like_traceroute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
