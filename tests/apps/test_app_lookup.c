/* DNS lookups (src/apps/lookup.c) through naru's stub resolver, against
 * naru's authoritative server on the other stack: answers, the search
 * list in resolv.conf's order, failures by kind, and what needs no query. */
#include "appnet.h"

#include <stdlib.h>
#include <string.h>

static const char zone[] = "$ORIGIN example.test.\n"
                           "$TTL 300\n"
                           "@     SOA   ns hostmaster 1 3600 600 86400 60\n"
                           "      NS    ns\n"
                           "ns    A     10.0.0.2\n"
                           "www   A     10.0.0.2\n"
                           "alias CNAME www\n"
                           "text  TXT   \"no address here\"\n";

struct env {
    struct appnet n;
    struct naru_dns_server *server;
    struct naru_dns_server_endpoint *endpoint;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    appnet_make(&e->n, 41, NULL, NULL);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    assert_int_equal(naru_dns_server_create(&c, &e->server), 0);
    char why[256];
    assert_int_equal(naru_dns_server_load_zone_text(e->server, NULL, "zone", zone, strlen(zone), why, sizeof why), 0);
    struct naru_sockaddr any = { .port = 53 };
    assert_int_equal(naru_dns_server_attach(e->server, e->n.b, &any, &e->endpoint), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    naru_dns_server_detach(e->endpoint);
    naru_dns_server_destroy(e->server);
    appnet_free(&e->n);
    free(e);
    return 0;
}

static bool finished(void *ctx)
{
    return naru_lookup_result(ctx)->finished;
}

static const struct naru_lookup_result *lookup(struct env *e, struct naru_lookup_config *c, struct naru_lookup **out)
{
    if (!c->resolver && !c->server_count) {
        c->servers[0] = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
        c->server_count = 1;
    }
    assert_int_equal(naru_lookup_start(&e->n.env_a, c, out), 0);
    appnet_run(&e->n, 60 * NARU_SEC, finished, *out);
    const struct naru_lookup_result *r = naru_lookup_result(*out);
    assert_true(r->finished);
    return r;
}

static void a_name_is_asked_of_the_server(void **state)
{
    struct env *e = *state;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.name = "alias.example.test";
    struct naru_lookup *l;
    const struct naru_lookup_result *r = lookup(e, &c, &l);
    assert_true(r->ok);
    assert_int_equal(r->count, 1);
    assert_int_equal(r->addrs[0].v4, ip("10.0.0.2"));
    assert_int_equal(r->ttl, 300);
    assert_string_equal(r->canonical, "www.example.test");
    assert_int_equal(r->queries, 1);
    naru_time_t took;
    assert_true(naru_app_elapsed(r->started, r->ended, &took));
    assert_true(took >= 10 * NARU_MS); /* a round trip */
    naru_lookup_destroy(l);
}

static void bare_names_take_the_search_list_in_order(void **state)
{
    struct env *e = *state;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.name = "www";
    c.search[0] = "sub.example.test"; /* www.sub.example.test: no such name, on to the next */
    c.search[1] = "example.test";
    c.search_count = 2;
    struct naru_lookup *l;
    const struct naru_lookup_result *r = lookup(e, &c, &l);
    assert_true(r->ok);
    assert_int_equal(r->addrs[0].v4, ip("10.0.0.2"));
    assert_int_equal(r->queries, 2);
    naru_lookup_destroy(l);
    /* With a dot, as it is first (ndots 1): one query for www.example.test. */
    c.name = "www.example.test";
    r = lookup(e, &c, &l);
    assert_true(r->ok);
    assert_int_equal(r->queries, 1);
    naru_lookup_destroy(l);
}

static void failures_say_what_kind(void **state)
{
    struct env *e = *state;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.name = "nobody.example.test";
    struct naru_lookup *l;
    const struct naru_lookup_result *r = lookup(e, &c, &l);
    assert_false(r->ok);
    assert_int_equal(r->status, -ENOENT);
    assert_string_equal(r->why, "no such name");
    naru_lookup_destroy(l);
    c.name = "text.example.test";
    r = lookup(e, &c, &l);
    assert_int_equal(r->status, -ENODATA);
    assert_string_equal(r->why, "the name has no address");
    naru_lookup_destroy(l);
    /* Nobody serves DNS at 10.0.0.1: three tries, 1, 2 and 4 s. */
    naru_lookup_config_default(&c);
    c.name = "www.example.test";
    c.servers[0] = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.99")), .port = 53 };
    c.server_count = 1;
    naru_time_t before = naru_sim_now(e->n.sim);
    r = lookup(e, &c, &l);
    assert_int_equal(r->status, -ETIMEDOUT);
    assert_int_equal(r->queries, 3);
    assert_true(naru_sim_now(e->n.sim) - before >= 7 * NARU_SEC);
    naru_lookup_destroy(l);
}

static void addresses_and_the_hosts_table_need_no_query(void **state)
{
    struct env *e = *state;
    struct naru_dns_resolver_config rc;
    naru_dns_resolver_config_default(&rc);
    rc.servers[0] = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
    rc.server_count = 1;
    struct naru_dns_resolver *resolver;
    assert_int_equal(naru_dns_resolver_create(e->n.a, &rc, &resolver), 0);
    assert_int_equal(naru_dns_hosts_add(resolver, "printer", &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.9") }), 0);
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.resolver = resolver;
    c.name = "10.0.0.7";
    struct naru_lookup *l;
    assert_int_equal(naru_lookup_start(&e->n.env_a, &c, &l), 0);
    assert_true(naru_lookup_result(l)->finished); /* before start returned */
    assert_int_equal(naru_lookup_result(l)->addrs[0].v4, ip("10.0.0.7"));
    naru_lookup_destroy(l);
    c.name = "printer";
    assert_int_equal(naru_lookup_start(&e->n.env_a, &c, &l), 0);
    const struct naru_lookup_result *r = naru_lookup_result(l);
    assert_true(r->finished && r->ok && r->from_hosts);
    assert_int_equal(r->addrs[0].v4, ip("10.0.0.9"));
    assert_int_equal(r->queries, 0);
    naru_lookup_destroy(l);
    assert_int_equal(counter(e->n.a, "dns_queries"), 0);
    /* A second lookup of a name comes from the resolver's cache. */
    c.name = "www.example.test";
    r = lookup(e, &c, &l);
    assert_int_equal(r->queries, 1);
    naru_lookup_destroy(l);
    assert_int_equal(naru_lookup_start(&e->n.env_a, &c, &l), 0);
    r = naru_lookup_result(l);
    assert_true(r->finished && r->ok);
    assert_int_equal(r->queries, 0);
    naru_lookup_destroy(l);
    naru_dns_resolver_destroy(resolver);
}

static void a_lookup_destroyed_early_asks_nothing_more(void **state)
{
    struct env *e = *state;
    struct naru_lookup_config c;
    naru_lookup_config_default(&c);
    c.name = "www.example.test";
    c.servers[0] = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.99")), .port = 53 };
    c.server_count = 1;
    struct naru_lookup *l;
    assert_int_equal(naru_lookup_start(&e->n.env_a, &c, &l), 0);
    appnet_run(&e->n, 500 * NARU_MS, NULL, NULL);
    naru_lookup_destroy(l); /* its query is cancelled, its resolver gone */
    uint64_t asked = counter(e->n.a, "dns_queries");
    appnet_run(&e->n, 30 * NARU_SEC, NULL, NULL);
    assert_int_equal(counter(e->n.a, "dns_queries"), asked);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(a_name_is_asked_of_the_server),
        T(bare_names_take_the_search_list_in_order),
        T(failures_say_what_kind),
        T(addresses_and_the_hosts_table_need_no_query),
        T(a_lookup_destroyed_early_asks_nothing_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
