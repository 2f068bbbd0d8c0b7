/* naru's DNS server over TCP on naru's own sockets, in the simulator,
 * against slow-loris clients: a client that sends a length prefix and
 * then a byte a second is closed 5 s after its first byte, and a query
 * is answered while such clients hold every slot. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "naru/dns.h"
#include "wire/dns.h"

#define ZONE NARU_TEST_DATA "/dns/example.zone"
#define SLOTS 8

struct world {
    struct naru_sim *sim;
    struct naru_stack *client, *server;
    struct naru_dns_server *dns;
    struct naru_dns_server_endpoint *endpoint;
};

static int world_setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(11, &w->sim), 0);
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    struct naru_memlink_config link = { .delay = 5 * NARU_MS };
    assert_int_equal(naru_sim_connect(w->sim, w->client, "10.0.0.1/24", w->server, "10.0.0.2/24",
                                      &link, NULL, NULL), 0);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    c.tcp_max = SLOTS;
    c.tcp_max_per_client = SLOTS;   /* one client address here: the table's limit is the one met */
    assert_int_equal(naru_dns_server_create(&c, &w->dns), 0);
    char err[256];
    if (naru_dns_server_load_zone(w->dns, NULL, ZONE, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct naru_sockaddr at = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
    assert_int_equal(naru_dns_server_attach(w->dns, w->server, &at, &w->endpoint), 0);
    assert_true(naru_dns_server_endpoint_has_tcp(w->endpoint));
    *state = w;
    return 0;
}

static int world_teardown(void **state)
{
    struct world *w = *state;
    naru_dns_server_detach(w->endpoint);
    naru_sim_destroy(w->sim);
    naru_dns_server_destroy(w->dns);
    free(w);
    return 0;
}

static void run_until(struct world *w, naru_time_t t)
{
    naru_sim_run(w->sim, t, NULL, NULL);
}

/* A TCP connection from the client to the server's port 53, established. */
static int connect_dns(struct world *w)
{
    int s = naru_socket(w->client, NARU_SOCK_STREAM);
    assert_true(s >= 0);
    assert_int_equal(naru_connect(w->client, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 }),
                     -EINPROGRESS);
    run_until(w, naru_sim_now(w->sim) + 50 * NARU_MS);
    return s;
}

static void send_bytes(struct world *w, int s, const void *p, size_t n)
{
    assert_int_equal(naru_send(w->client, s, p, n, 0), (long)n);
}

/* Has the server closed this connection (EOF or a reset)? */
static bool closed_by_server(struct world *w, int s)
{
    uint8_t b[1];
    long n = naru_recv(w->client, s, b, sizeof b, 0);
    return n == 0 || (n < 0 && n != -EAGAIN);
}

static void a_slow_client_is_closed_five_seconds_after_its_first_byte(void **state)
{
    struct world *w = *state;
    int s = connect_dns(w);
    naru_time_t first = naru_sim_now(w->sim);
    /* The length prefix of a 40-byte query, then one byte a second: before
     * the deadline, each byte restarted an idle timer and this held the
     * slot for ever. */
    send_bytes(w, s, "\0\x28", 2);
    for (int i = 1; i <= 6; i++) {
        run_until(w, first + (naru_time_t)i * NARU_SEC - 100 * NARU_MS);
        bool gone = closed_by_server(w, s);
        if (i <= 5)
            assert_false(gone);
        else
            assert_true(gone);
        if (!gone)
            send_bytes(w, s, "x", 1);
    }
    assert_int_equal(counter(w->server, "dns_server_tcp_timeouts"), 1);
    naru_close(w->client, s);
}

static void a_query_is_answered_while_slow_clients_hold_every_slot(void **state)
{
    struct world *w = *state;
    int slow[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
        slow[i] = connect_dns(w);
        send_bytes(w, slow[i], "\0\x28", 2);
    }
    run_until(w, naru_sim_now(w->sim) + 100 * NARU_MS);
    for (int i = 0; i < SLOTS; i++)
        assert_false(closed_by_server(w, slow[i]));
    /* A real client: connect, ask, get the answer at once. */
    int s = connect_dns(w);
    uint8_t q[514];
    long ql = naru_dns_query_build(q + 2, sizeof q - 2, 0x5151, "www.example", DNS_T_A, false, 0);
    wire_put16(q, (uint16_t)ql);
    send_bytes(w, s, q, (size_t)ql + 2);
    run_until(w, naru_sim_now(w->sim) + 100 * NARU_MS);
    uint8_t r[1024];
    long n = naru_recv(w->client, s, r, sizeof r, 0);
    assert_true(n > 2 + DNS_HEADER_LEN);
    assert_int_equal(wire_get16(r), n - 2);
    assert_int_equal(naru_dns_reply_matches(q + 2, (size_t)ql, r + 2, (size_t)n - 2), 0);
    /* The slow client that began first gave way; the rest wait for their deadline. */
    assert_int_equal(counter(w->server, "dns_server_tcp_evicted"), 1);
    assert_true(closed_by_server(w, slow[0]));
    for (int i = 1; i < SLOTS; i++)
        assert_false(closed_by_server(w, slow[i]));
    run_until(w, naru_sim_now(w->sim) + 6 * NARU_SEC);
    for (int i = 1; i < SLOTS; i++)
        assert_true(closed_by_server(w, slow[i]));
    assert_int_equal(counter(w->server, "dns_server_tcp_timeouts"), SLOTS - 1);
    /* The real client went idle after its answer: the idle timeout closes
     * it 10 s after that, not before. */
    assert_false(closed_by_server(w, s));
    run_until(w, naru_sim_now(w->sim) + 5 * NARU_SEC);
    assert_true(closed_by_server(w, s));
    assert_int_equal(counter(w->server, "dns_server_tcp_timeouts"), SLOTS);
    for (int i = 0; i < SLOTS; i++)
        naru_close(w->client, slow[i]);
    naru_close(w->client, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_slow_client_is_closed_five_seconds_after_its_first_byte,
                                        world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(a_query_is_answered_while_slow_clients_hold_every_slot,
                                        world_setup, world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
