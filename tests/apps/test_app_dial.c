/* Connecting to a host by name (src/apps/dial.c): Happy Eyeballs (RFC
 * 8305) between two simulated stacks, with naru's name server on b. */
#include "appnet.h"

#include <stdlib.h>
#include <string.h>

/* "both": IPv6 and IPv4 addresses, where only IPv4 reaches the server;
 * "slow": the first address is nobody's, so its attempt hangs. */
static const char zone[] = "$ORIGIN example.test.\n"
                           "$TTL 300\n"
                           "@     SOA   ns hostmaster 1 3600 600 86400 60\n"
                           "      NS    ns\n"
                           "ns    A     10.0.0.2\n"
                           "both  AAAA  2001:db8::99\n"
                           "both  A     10.0.0.2\n"
                           "slow  A     10.0.0.99\n"
                           "slow  A     10.0.0.2\n"
                           "v6    AAAA  2001:db8::2\n"
                           "text  TXT   \"no address here\"\n";

struct env {
    struct appnet n;
    struct naru_dns_server *server;
    struct naru_dns_server_endpoint *endpoint;
    int listener;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    appnet_make(&e->n, 43, NULL, NULL);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    assert_int_equal(naru_dns_server_create(&c, &e->server), 0);
    char why[256];
    assert_int_equal(naru_dns_server_load_zone_text(e->server, NULL, "zone", zone, strlen(zone), why, sizeof why), 0);
    struct naru_sockaddr dns = { .port = 53 }, web = { .port = 80 };
    assert_int_equal(naru_dns_server_attach(e->server, e->n.b, &dns, &e->endpoint), 0);
    e->listener = naru_socket(e->n.b, NARU_SOCK_STREAM);
    assert_int_equal(naru_bind(e->n.b, e->listener, &web), 0);
    assert_int_equal(naru_listen(e->n.b, e->listener, 8), 0);
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
    return naru_dial_result(ctx)->finished;
}

static const struct naru_dial_result *dial(struct env *e, const char *host, uint16_t port, uint8_t family,
                                           struct naru_dial **out)
{
    struct naru_dial_config c;
    naru_dial_config_default(&c);
    c.host = host;
    c.port = port;
    c.family = family;
    c.lookup.servers[0] = naru_sockaddr_v4(ip("10.0.0.2"), 53);
    c.lookup.server_count = 1;
    c.lookup.search[0] = "example.test";
    c.lookup.search_count = 1;
    assert_int_equal(naru_dial_start(&e->n.env_a, &c, out), 0);
    appnet_run(&e->n, 60 * NARU_SEC, finished, *out);
    const struct naru_dial_result *r = naru_dial_result(*out);
    assert_true(r->finished);
    return r;
}

static naru_time_t took(const struct naru_dial_result *r)
{
    naru_time_t t;
    assert_true(naru_app_elapsed(r->started, r->ended, &t));
    return t;
}

static void an_address_literal_is_connected_to_without_a_lookup(void **state)
{
    struct env *e = *state;
    struct naru_dial *d;
    const struct naru_dial_result *r = dial(e, "10.0.0.2", 80, NARU_AF_UNSPEC, &d);
    assert_true(r->ok);
    assert_int_equal(r->attempts, 1);
    assert_int_equal(r->peer.addr.v4, ip("10.0.0.2"));
    assert_int_equal(counter(e->n.a, "dns_queries"), 0);
    int sock = naru_dial_take(d);
    assert_true(sock >= 0);
    assert_int_equal(naru_dial_take(d), -1);
    assert_int_equal(naru_send(e->n.a, sock, "x", 1, 0), 1); /* it is the caller's, and connected */
    naru_dial_destroy(d);
    assert_int_equal(naru_close(e->n.a, sock), 0);
    /* -6 with an IPv4 address: nothing to try. */
    r = dial(e, "10.0.0.2", 80, NARU_AF_INET6, &d);
    assert_false(r->ok);
    assert_int_equal(r->error, -EAFNOSUPPORT);
    assert_int_equal(r->attempts, 0);
    naru_dial_destroy(d);
}

static void ipv6_that_cannot_connect_falls_back_to_ipv4(void **state)
{
    struct env *e = *state;
    struct naru_dial *d;
    const struct naru_dial_result *r = dial(e, "both", 80, NARU_AF_UNSPEC, &d);
    assert_true(r->ok);
    assert_int_equal(r->addr_count, 2);
    assert_int_equal(r->attempts, 2); /* IPv6 first, then IPv4 */
    assert_int_equal(r->peer.addr.family, NARU_AF_INET);
    assert_int_equal(r->peer.addr.v4, ip("10.0.0.2"));
    assert_int_equal(r->peer.port, 80);
    assert_int_equal(counter(e->n.a, "dns_queries"), 2); /* AAAA and A, once each */
    naru_dial_destroy(d); /* closes the socket nobody took */
    /* Only IPv6 (-6): nothing else to fall back on. */
    r = dial(e, "both", 80, NARU_AF_INET6, &d);
    assert_false(r->ok);
    assert_int_equal(r->attempts, 1);
    naru_dial_destroy(d);
}

static void a_hanging_attempt_gets_company_after_the_attempt_delay(void **state)
{
    struct env *e = *state;
    struct naru_dial *d;
    const struct naru_dial_result *r = dial(e, "slow", 80, NARU_AF_INET, &d);
    assert_true(r->ok);
    assert_int_equal(r->attempts, 2);
    assert_int_equal(r->peer.addr.v4, ip("10.0.0.2"));
    /* The second attempt started 250 ms after the first (RFC 8305 5),
     * and connected a round trip (10 ms) later; the first, still waiting
     * for ARP, was closed. */
    assert_true(took(r) >= 250 * NARU_MS + 10 * NARU_MS);
    assert_true(took(r) < 400 * NARU_MS);
    naru_dial_destroy(d);
}

static void every_address_refused_is_a_refusal(void **state)
{
    struct env *e = *state;
    struct naru_dial *d;
    const struct naru_dial_result *r = dial(e, "both", 81, NARU_AF_UNSPEC, &d);
    assert_false(r->ok);
    assert_int_equal(r->error, -ECONNREFUSED);
    assert_int_equal(r->attempts, 2);
    assert_int_equal(naru_dial_take(d), -1);
    naru_dial_destroy(d);
}

static void a_name_without_addresses_says_so(void **state)
{
    struct env *e = *state;
    struct naru_dial *d;
    const struct naru_dial_result *r = dial(e, "text", 80, NARU_AF_UNSPEC, &d);
    assert_false(r->ok);
    assert_int_equal(r->error, -ENODATA);
    assert_int_equal(r->attempts, 0);
    naru_dial_destroy(d);
    r = dial(e, "nosuch", 80, NARU_AF_UNSPEC, &d);
    assert_int_equal(r->error, -ENOENT);
    naru_dial_destroy(d);
    r = dial(e, "v6", 80, NARU_AF_INET, &d); /* -4, and the name has only AAAA */
    assert_int_equal(r->error, -ENODATA);
    naru_dial_destroy(d);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(an_address_literal_is_connected_to_without_a_lookup),
        T(ipv6_that_cannot_connect_falls_back_to_ipv4),
        T(a_hanging_attempt_gets_company_after_the_attempt_delay),
        T(every_address_refused_is_a_refusal),
        T(a_name_without_addresses_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
