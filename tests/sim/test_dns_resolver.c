/* The stub resolver in the simulator: a client stack asks a server stack,
 * either naru's own DNS server or a scripted one that loses, forges and
 * varies its answers. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/dns.h"
#include "wire/dns.h"

#define ZONE NARU_TEST_DATA "/dns/example.zone"

/* A scripted server: drops the first `drop` queries, may send forgeries
 * first, then answers A 10.9.9.9 with `ttl`, or NXDOMAIN. */
struct fake {
    struct naru_stack *stack;
    int sock, other;
    unsigned drop;
    bool forge;
    bool nxdomain;
    bool truncate;             /* TC set, the answer section left empty */
    uint32_t ttl;
    unsigned queries;
};

struct world {
    struct naru_sim *sim;
    struct naru_stack *client, *server;
    struct naru_dns_server *dns;
    struct naru_dns_server_endpoint *endpoint;
    struct naru_dns_resolver *r;
    struct fake fake;
};

struct got {
    bool done;
    struct naru_dns_result res;
};

static void resolved(void *ctx, const struct naru_dns_result *res)
{
    struct got *g = ctx;
    g->res = *res;
    g->done = true;
}

static bool got_done(void *ctx)
{
    return ((struct got *)ctx)->done;
}

static void reply(struct fake *f, int sock, const struct naru_sockaddr *to, uint16_t id,
                  const struct dns_name *qname, bool nx, uint32_t ttl)
{
    uint8_t buf[512];
    struct dns_builder b;
    dns_builder_init(&b, buf, sizeof buf, sizeof buf);
    dns_builder_header(&b, id, DNS_QR | DNS_RD | DNS_RA | (nx ? DNS_R_NXDOMAIN : 0));
    dns_builder_question(&b, qname, DNS_T_A, DNS_C_IN);
    if (nx) {
        static const uint8_t soa[] = { 2, 'n', 's', 0, 1, 'h', 0, 0, 0, 0, 1, 0, 0, 0, 60,
                                       0, 0, 0, 60, 0, 0, 0, 60, 0, 0, 0, 5 };
        struct dns_name root;
        dns_name_root(&root);
        dns_builder_rr(&b, DNS_SEC_AUTHORITY, &root, DNS_T_SOA, DNS_C_IN, 60, soa, sizeof soa);
    } else {
        static const uint8_t a[] = { 10, 9, 9, 9 };
        dns_builder_rr_ptr(&b, DNS_SEC_ANSWER, 12, DNS_T_A, DNS_C_IN, ttl, a, 4);
    }
    size_t len = dns_builder_finish(&b);
    assert_true(naru_sendto(f->stack, sock, buf, len, 0, to) > 0);
}

static void fake_input(void *ctx, struct naru_stack *stack, int sock)
{
    struct fake *f = ctx;
    uint8_t q[512];
    struct naru_sockaddr from;
    long n;
    while ((n = naru_recvfrom(stack, sock, q, sizeof q, 0, &from)) > 0) {
        struct dns_message m;
        assert_int_equal(dns_parse(q, (size_t)n, &m), 0);
        struct dns_question question;
        size_t off = m.section_start[DNS_SEC_QUESTION];
        assert_int_equal(dns_read_question(&m, &off, &question), 0);
        f->queries++;
        if (f->drop) {
            f->drop--;
            continue;
        }
        if (f->forge) {
            /* 1. the wrong ID, 2. from another port, 3. another question */
            reply(f, sock, &from, (uint16_t)(m.header.id + 1), &question.name, false, 999);
            reply(f, f->other, &from, m.header.id, &question.name, false, 999);
            struct dns_name other;
            memcpy(&other, &question.name, sizeof other);
            other.wire[1] ^= 0x01;           /* flip a letter: a different name */
            reply(f, sock, &from, m.header.id, &other, false, 999);
        }
        if (f->truncate) {
            uint8_t buf[512];
            struct dns_builder b;
            dns_builder_init(&b, buf, sizeof buf, sizeof buf);
            dns_builder_header(&b, m.header.id, DNS_QR | DNS_RD | DNS_RA | DNS_TC);
            dns_builder_question(&b, &question.name, DNS_T_A, DNS_C_IN);
            size_t len = dns_builder_finish(&b);
            assert_true(naru_sendto(stack, sock, buf, len, 0, &from) > 0);
            continue;
        }
        reply(f, sock, &from, m.header.id, &question.name, f->nxdomain, f->ttl);
    }
}

static int world_setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(7, &w->sim), 0);
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    struct naru_memlink_config link = { .delay = 5 * NARU_MS };
    assert_int_equal(naru_sim_connect(w->sim, w->client, "10.0.0.1/24", w->server, "10.0.0.2/24",
                                      &link, NULL, NULL), 0);
    /* naru's own server on port 53, with the test zone and example.net */
    assert_int_equal(naru_dns_server_create(NULL, &w->dns), 0);
    char err[256];
    if (naru_dns_server_load_zone(w->dns, NULL, ZONE, err, sizeof err) < 0)
        fail_msg("%s", err);
    static const char net[] = "$ORIGIN example.net.\n$TTL 30\n@ SOA ns h 1 1 1 1 1\nwww A 192.0.2.200\n";
    if (naru_dns_server_load_zone_text(w->dns, NULL, "net", net, sizeof net - 1, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct naru_sockaddr at = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
    assert_int_equal(naru_dns_server_attach(w->dns, w->server, &at, &w->endpoint), 0);
    /* the scripted one on 5300 (and 5301 for forgeries from the wrong port) */
    w->fake.stack = w->server;
    w->fake.sock = udp_socket(w->server, 5300);
    w->fake.other = udp_socket(w->server, 5301);
    w->fake.ttl = 300;
    naru_socket_set_callback(w->server, w->fake.sock, fake_input, &w->fake);
    *state = w;
    return 0;
}

static int world_teardown(void **state)
{
    struct world *w = *state;
    naru_dns_resolver_destroy(w->r);
    naru_dns_server_detach(w->endpoint);
    naru_sim_destroy(w->sim);
    naru_dns_server_destroy(w->dns);
    free(w);
    return 0;
}

static void use_servers(struct world *w, const char *const *addrs, const uint16_t *ports, unsigned n)
{
    struct naru_dns_resolver_config c;
    naru_dns_resolver_config_default(&c);
    for (unsigned i = 0; i < n; i++) {
        c.servers[i].addr = naru_addr_v4(ip(addrs[i]));
        c.servers[i].port = ports[i];
    }
    c.server_count = n;
    c.timeout = 500 * NARU_MS;
    c.rounds = 3;
    assert_int_equal(naru_dns_resolver_create(w->client, &c, &w->r), 0);
}

static struct got *resolve(struct world *w, const char *name, uint16_t type)
{
    static struct got g;
    memset(&g, 0, sizeof g);
    int h = naru_dns_resolve(w->r, name, type, resolved, &g);
    assert_true(h >= 0);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 20 * NARU_SEC, got_done, &g);
    assert_true(g.done);
    return &g;
}

static void name_resolves_through_naru_dns_server(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "www.example", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.count, 2);
    assert_int_equal(naru_dns_result_ip4(&g->res, 0), ip("192.0.2.80"));
    assert_int_equal(naru_dns_result_ip4(&g->res, 1), ip("192.0.2.81"));
    assert_string_equal(g->res.canonical, "www.example");
    assert_int_equal(g->res.ttl, 3600);
    assert_false(g->res.from_cache);
    g = resolve(w, "www.example", DNS_T_AAAA);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.count, 1);
    assert_memory_equal(g->res.addrs[0], "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x80", 16);
}

static void cname_chain_is_followed(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "chain1.example", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.count, 1);
    assert_int_equal(naru_dns_result_ip4(&g->res, 0), ip("192.0.2.3"));
    assert_string_equal(g->res.canonical, "chain3.example");
}

static void cname_the_server_did_not_follow_is_asked_for(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    /* outside.example is a CNAME to www.example.net, another zone: the
     * authoritative server stops there and the stub asks again. */
    struct got *g = resolve(w, "outside.example", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(naru_dns_result_ip4(&g->res, 0), ip("192.0.2.200"));
    assert_string_equal(g->res.canonical, "www.example.net");
    assert_int_equal(g->res.ttl, 30);      /* the smallest TTL along the chain */
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 2);
}

static void cname_loop_fails_with_eloop(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "loop1.example", DNS_T_A);
    assert_int_equal(g->res.status, -ELOOP);
}

static void nxdomain_is_cached_for_the_soa_minimum(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "nope.example", DNS_T_A);
    assert_int_equal(g->res.status, -ENOENT);
    assert_int_equal(g->res.ttl, 300);     /* RFC 2308: min(SOA TTL 3600, MINIMUM 300) */
    g = resolve(w, "nope.example", DNS_T_AAAA);   /* NXDOMAIN covers every type */
    assert_int_equal(g->res.status, -ENOENT);
    assert_true(g->res.from_cache);
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 1);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 301 * NARU_SEC, NULL, NULL);
    g = resolve(w, "nope.example", DNS_T_A);
    assert_int_equal(g->res.status, -ENOENT);
    assert_false(g->res.from_cache);
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 2);
}

static void nodata_is_cached_and_distinct_from_nxdomain(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "mail.example", DNS_T_AAAA);
    assert_int_equal(g->res.status, -ENODATA);
    g = resolve(w, "mail.example", DNS_T_AAAA);
    assert_int_equal(g->res.status, -ENODATA);
    assert_true(g->res.from_cache);
    g = resolve(w, "mail.example", DNS_T_A);  /* the name exists: A is still asked */
    assert_int_equal(g->res.status, 0);
    assert_false(g->res.from_cache);
    assert_int_equal(naru_dns_resolver_stats(w->r)->negative_hits, 1);
}

static void positive_answer_expires_with_its_ttl(void **state)
{
    struct world *w = *state;
    w->fake.ttl = 2;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    struct got *g = resolve(w, "t.test", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.ttl, 2);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 1 * NARU_SEC, NULL, NULL);
    g = resolve(w, "t.test", DNS_T_A);
    assert_true(g->res.from_cache);
    assert_int_equal(g->res.ttl, 1);
    assert_int_equal(naru_dns_cache_size(w->r), 1);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 2 * NARU_SEC, NULL, NULL);
    assert_int_equal(naru_dns_cache_size(w->r), 0);
    g = resolve(w, "t.test", DNS_T_A);
    assert_false(g->res.from_cache);
    assert_int_equal(w->fake.queries, 2);
}

static void lost_queries_are_retried_with_backoff(void **state)
{
    struct world *w = *state;
    w->fake.drop = 2;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    naru_time_t start = naru_sim_now(w->sim);
    struct got *g = resolve(w, "lossy.test", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(w->fake.queries, 3);
    assert_int_equal(naru_dns_resolver_stats(w->r)->retries, 2);
    /* 500 ms, then 1 s (doubled for the second round), then the answer */
    naru_time_t took = naru_sim_now(w->sim) - start;
    assert_true(took >= 1500 * NARU_MS && took < 1700 * NARU_MS);
}

static void silent_server_is_skipped_for_the_next(void **state)
{
    struct world *w = *state;
    /* 10.0.0.9 does not exist; 10.0.0.2:53 answers. */
    use_servers(w, (const char *[]){ "10.0.0.9", "10.0.0.2" }, (uint16_t[]){ 53, 53 }, 2);
    struct got *g = resolve(w, "www.example", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(naru_dns_resolver_stats(w->r)->retries, 1);
}

static void server_without_a_route_is_passed_over_at_once(void **state)
{
    struct world *w = *state;
    /* The client has no default route: 192.0.2.1 cannot be reached, and
     * waiting out its timeout would only delay the answer from 10.0.0.2. */
    use_servers(w, (const char *[]){ "192.0.2.1", "10.0.0.2" }, (uint16_t[]){ 53, 53 }, 2);
    naru_time_t start = naru_sim_now(w->sim);
    struct got *g = resolve(w, "www.example", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_true(naru_sim_now(w->sim) - start < 100 * NARU_MS);   /* one round trip, no timeout */
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 1);
}

static void no_server_answering_times_out(void **state)
{
    struct world *w = *state;
    w->fake.drop = 100;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    struct got *g = resolve(w, "never.test", DNS_T_A);
    assert_int_equal(g->res.status, -ETIMEDOUT);
    assert_int_equal(w->fake.queries, 3);     /* three rounds over one server */
}

static void forged_answers_are_ignored_and_never_cached(void **state)
{
    struct world *w = *state;
    w->fake.forge = true;
    w->fake.ttl = 60;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    struct got *g = resolve(w, "victim.test", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.ttl, 60);         /* the forgeries said 999 */
    assert_int_equal(naru_dns_resolver_stats(w->r)->forged, 3);
    assert_int_equal(naru_dns_cache_size(w->r), 1);
    g = resolve(w, "victim.test", DNS_T_A);
    assert_true(g->res.from_cache);
    assert_int_equal(g->res.ttl, 60);
}

static void forgeries_arriving_first_do_not_win(void **state)
{
    struct world *w = *state;
    /* Three forgeries reach the client before the real answer. */
    w->fake.forge = true;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    static struct got g;
    memset(&g, 0, sizeof g);
    assert_true(naru_dns_resolve(w->r, "x.test", DNS_T_A, resolved, &g) >= 0);
    /* Run just long enough for the forgeries and the real answer of the
     * first try; then check the forgeries were all counted and ignored. */
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 100 * NARU_MS, got_done, &g);
    assert_true(g.done);
    assert_int_equal(naru_dns_result_ip4(&g.res, 0), ip("10.9.9.9"));
    assert_int_equal(naru_dns_resolver_stats(w->r)->forged, 3);
}

static void hosts_table_answers_first(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    assert_int_equal(naru_dns_hosts_add(w->r, "www.example", &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.1.1") }), 0);
    struct got *g = resolve(w, "WWW.example.", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_true(g->res.from_hosts);
    assert_int_equal(naru_dns_result_ip4(&g->res, 0), ip("10.1.1.1"));
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 0);
}

static void hosts_table_holds_an_address_of_each_family(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct naru_addr v4, v6, got;
    assert_int_equal(naru_addr_parse("10.1.1.1", &v4), 0);
    assert_int_equal(naru_addr_parse("2001:db8::7", &v6), 0);
    assert_int_equal(naru_dns_hosts_add(w->r, "both.example", &v6), 0);
    assert_int_equal(naru_dns_hosts_add(w->r, "both.example", &v4), 0);
    struct got *g = resolve(w, "both.example", DNS_T_AAAA);
    assert_int_equal(g->res.status, 0);
    assert_true(g->res.from_hosts);
    assert_memory_equal(g->res.addrs[0], v6.v6, 16);
    g = resolve(w, "both.example", DNS_T_A);
    assert_int_equal(naru_dns_result_ip4(&g->res, 0), ip("10.1.1.1"));
    assert_int_equal(naru_dns_hosts_lookup(w->r, "both.example", NARU_AF_INET, &got), 0);
    assert_true(naru_addr_equal(&got, &v4));
    assert_int_equal(naru_dns_hosts_lookup(w->r, "both.example", NARU_AF_UNSPEC, &got), 0);
    assert_true(naru_addr_equal(&got, &v6)); /* IPv6 first, as RFC 6724's default policy */
    /* A name with only an IPv4 address has no AAAA: NODATA, not a query. */
    assert_int_equal(naru_dns_hosts_add(w->r, "old.example", &v4), 0);
    assert_int_equal(resolve(w, "old.example", DNS_T_AAAA)->res.status, -ENODATA);
    assert_int_equal(naru_dns_hosts_lookup(w->r, "old.example", NARU_AF_INET6, &got), -ENOENT);
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 0);
}

static bool run_a_while(void *ctx, const bool *done)
{
    struct world *w = ctx;
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    return *done || naru_sim_now(w->sim) < 30 * NARU_SEC;
}

static void lookup_waits_for_the_answer(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct naru_dns_result res;
    assert_int_equal(naru_dns_lookup(w->r, "mail.example", DNS_T_A, &res, run_a_while, w), 0);
    assert_int_equal(naru_dns_result_ip4(&res, 0), ip("192.0.2.25"));
    assert_int_equal(naru_dns_lookup(w->r, "10.2.3.4", DNS_T_A, &res, run_a_while, w), 0);
    assert_int_equal(naru_dns_result_ip4(&res, 0), ip("10.2.3.4"));
    assert_int_equal(naru_dns_lookup(w->r, "nope.example", DNS_T_A, &res, run_a_while, w), -ENOENT);
}

static const char *addr_text(const struct naru_dns_result *res, unsigned i)
{
    static char buf[4][NARU_ADDR_STRLEN];
    struct naru_addr a = naru_dns_result_addr(res, i);
    return naru_addr_format(&a, buf[i % 4]);
}

static void lookup_of_both_families_gives_ipv6_first_then_ipv4(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct naru_dns_result res;
    assert_int_equal(naru_dns_lookup(w->r, "www.example", 0, &res, run_a_while, w), 0);
    assert_int_equal(res.type, 0);
    assert_int_equal(res.count, 3);
    assert_string_equal(addr_text(&res, 0), "2001:db8::80");
    assert_string_equal(addr_text(&res, 1), "192.0.2.80");
    assert_string_equal(addr_text(&res, 2), "192.0.2.81");
    assert_int_equal(naru_dns_result_addr(&res, 3).family, NARU_AF_UNSPEC);
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 2); /* AAAA and A */
    /* One family missing is no failure; both missing is NODATA. */
    assert_int_equal(naru_dns_lookup(w->r, "mail.example", 0, &res, run_a_while, w), 0);
    assert_int_equal(res.count, 1);
    assert_string_equal(addr_text(&res, 0), "192.0.2.25");
    assert_int_equal(naru_dns_lookup(w->r, "mail.example", DNS_T_AAAA, &res, run_a_while, w), -ENODATA);
    assert_int_equal(naru_dns_lookup(w->r, "nope.example", 0, &res, run_a_while, w), -ENOENT);
    /* Address literals: their own family, or none of the other. */
    assert_int_equal(naru_dns_lookup(w->r, "2001:db8::1", DNS_T_AAAA, &res, run_a_while, w), 0);
    assert_string_equal(addr_text(&res, 0), "2001:db8::1");
    assert_int_equal(naru_dns_lookup(w->r, "2001:db8::1", DNS_T_A, &res, run_a_while, w), -ENODATA);
    assert_int_equal(naru_dns_lookup(w->r, "10.2.3.4", 0, &res, run_a_while, w), 0);
    assert_string_equal(addr_text(&res, 0), "10.2.3.4");
    assert_int_equal(naru_dns_lookup(w->r, "www.example", 99, &res, run_a_while, w), -EINVAL);
}

static void truncated_answer_is_asked_again_over_tcp(void **state)
{
    struct world *w = *state;
    int probe = naru_socket(w->client, NARU_SOCK_STREAM);
    if (probe == -EPROTONOSUPPORT)
        skip();                /* the stack has no TCP yet */
    naru_close(w->client, probe);
    /* 100 A records: about 1.6 kB, more than the resolver's 1232 over UDP. */
    static char zone[8192];
    size_t o = (size_t)snprintf(zone, sizeof zone, "$ORIGIN many.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\n");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(zone + o, sizeof zone - o, "@ A 10.7.%d.%d\n", i / 10, i % 10);
    char err[256];
    if (naru_dns_server_load_zone_text(w->dns, NULL, "many", zone, o, err, sizeof err) < 0)
        fail_msg("%s", err);
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    struct got *g = resolve(w, "many.test", DNS_T_A);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.count, NARU_DNS_MAX_ADDRS);
    assert_int_equal(naru_dns_resolver_stats(w->r)->truncated, 1);
    assert_int_equal(naru_dns_resolver_stats(w->r)->queries_sent, 2);   /* UDP, then TCP */
    g = resolve(w, "many.test", DNS_T_A);
    assert_true(g->res.from_cache);
}

static void truncated_empty_answer_is_never_taken_for_nodata(void **state)
{
    struct world *w = *state;
    w->fake.truncate = true;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    struct got *g = resolve(w, "big.test", DNS_T_A);
    /* Without TCP: -EMSGSIZE at once. With TCP: nobody listens on 5300,
     * so every try fails. Either way the name is not said to lack A
     * records, and nothing is cached. */
    assert_true(g->res.status != 0 && g->res.status != -ENODATA && g->res.status != -ENOENT);
    assert_int_equal(naru_dns_cache_size(w->r), 0);
    assert_true(naru_dns_resolver_stats(w->r)->truncated >= 1);
}

static void cache_is_bounded(void **state)
{
    struct world *w = *state;
    struct naru_dns_resolver_config c;
    naru_dns_resolver_config_default(&c);
    c.servers[0].addr = naru_addr_v4(ip("10.0.0.2"));
    c.servers[0].port = 5300;
    c.server_count = 1;
    c.cache_entries = 4;
    assert_int_equal(naru_dns_resolver_create(w->client, &c, &w->r), 0);
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "n%d.test", i);
        assert_int_equal(resolve(w, name, DNS_T_A)->res.status, 0);
    }
    assert_int_equal(naru_dns_cache_size(w->r), 4);
    assert_int_equal(naru_dns_resolver_stats(w->r)->cache_evictions, 6);
}

static void resolver_and_server_count_in_the_stack_counters(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    resolve(w, "www.example", DNS_T_A);
    resolve(w, "www.example", DNS_T_A);
    resolve(w, "nope.example", DNS_T_A);
    resolve(w, "nope.example", DNS_T_A);
    const struct naru_counters *c = naru_stack_counters(w->client);
    assert_int_equal(c->dns_queries, 2);
    assert_int_equal(c->dns_replies, 2);
    assert_int_equal(c->dns_cache_misses, 2);
    assert_int_equal(c->dns_cache_hits, 1);
    assert_int_equal(c->dns_negative_hits, 1);
    const struct naru_counters *sc = naru_stack_counters(w->server);
    assert_int_equal(sc->dns_server_queries, 2);
    assert_int_equal(sc->dns_server_dropped, 0);
    /* A query that is itself a response gets silence, and a count. */
    uint8_t q[64];
    long n = naru_dns_query_build(q, sizeof q, 7, "www.example", DNS_T_A, false, 0);
    assert_true(n > 0);
    q[2] |= 0x80;              /* QR */
    int s = udp_socket(w->client, 4000);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
    assert_int_equal(naru_sendto(w->client, s, q, (size_t)n, 0, &to), n);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    assert_int_equal(sc->dns_server_queries, 3);
    assert_int_equal(sc->dns_server_dropped, 1);
    naru_close(w->client, s);
}

static void forgeries_are_in_the_stack_counters_too(void **state)
{
    struct world *w = *state;
    w->fake.forge = true;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 5300 }, 1);
    resolve(w, "victim.test", DNS_T_A);
    assert_int_equal(naru_stack_counters(w->client)->dns_rx_forged, 3);
    assert_int_equal(naru_stack_counters(w->client)->dns_replies, 1);
}

static void resolver_leaves_no_sockets_or_buffers_behind(void **state)
{
    struct world *w = *state;
    use_servers(w, (const char *[]){ "10.0.0.2" }, (uint16_t[]){ 53 }, 1);
    for (int i = 0; i < 20; i++)
        resolve(w, "www.example", DNS_T_AAAA);
    naru_dns_cache_flush(w->r);
    resolve(w, "nope.example", DNS_T_A);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    assert_int_equal(naru_stack_buffers_in_use(w->client), 0);
    /* Every socket is closed: a fresh one gets a low handle again. */
    int s = naru_socket(w->client, NARU_SOCK_DGRAM);
    assert_true(s >= 0 && s < 2);
    naru_close(w->client, s);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
    const struct CMUnitTest tests[] = {
        T(name_resolves_through_naru_dns_server),
        T(cname_chain_is_followed),
        T(cname_the_server_did_not_follow_is_asked_for),
        T(cname_loop_fails_with_eloop),
        T(nxdomain_is_cached_for_the_soa_minimum),
        T(nodata_is_cached_and_distinct_from_nxdomain),
        T(positive_answer_expires_with_its_ttl),
        T(lost_queries_are_retried_with_backoff),
        T(silent_server_is_skipped_for_the_next),
        T(server_without_a_route_is_passed_over_at_once),
        T(no_server_answering_times_out),
        T(forged_answers_are_ignored_and_never_cached),
        T(forgeries_arriving_first_do_not_win),
        T(hosts_table_answers_first),
        T(hosts_table_holds_an_address_of_each_family),
        T(lookup_waits_for_the_answer),
        T(lookup_of_both_families_gives_ipv6_first_then_ipv4),
        T(truncated_answer_is_asked_again_over_tcp),
        T(truncated_empty_answer_is_never_taken_for_nodata),
        T(cache_is_bounded),
        T(resolver_and_server_count_in_the_stack_counters),
        T(forgeries_are_in_the_stack_counters_too),
        T(resolver_leaves_no_sockets_or_buffers_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
