/* Forwarding through a third stack acting as a router (RFC 1812). */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

struct world {
    struct naru_sim *sim;
    struct naru_stack *a, *router, *b;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(7, &w->sim), 0);
    w->a = naru_sim_add_stack(w->sim, "a", NULL);
    w->router = naru_sim_add_stack(w->sim, "router", NULL);
    w->b = naru_sim_add_stack(w->sim, "b", NULL);
    struct naru_memlink_config link = { .delay = 2 * NARU_MS };
    int a_if, b_if;
    assert_int_equal(naru_sim_connect(w->sim, w->a, "10.1.0.2/24", w->router, "10.1.0.1/24", &link, &a_if, NULL), 0);
    assert_int_equal(naru_sim_connect(w->sim, w->router, "10.2.0.1/24", w->b, "10.2.0.2/24", &link, NULL, &b_if), 0);
    assert_int_equal(naru_route_add(w->a, 0, 0, ip("10.1.0.1"), a_if), 0);
    assert_int_equal(naru_route_add(w->b, 0, 0, ip("10.2.0.1"), b_if), 0);
    naru_stack_set_forwarding(w->router, true);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    naru_sim_destroy(w->sim);
    free(w);
    return 0;
}

static void datagram_crosses_the_router_with_ttl_decremented(void **state)
{
    struct world *w = *state;
    int rx = udp_socket(w->b, 7);
    int tx = udp_socket(w->a, 0);
    struct naru_sockaddr to = { ip("10.2.0.2"), 7 };
    assert_int_equal(naru_sendto(w->a, tx, "over", 4, 0, &to), 4);
    assert_true(wait_readable(w->sim, w->b, rx, NARU_SEC));
    char buf[16];
    struct naru_recv_info info;
    assert_int_equal(naru_recv_info(w->b, rx, buf, sizeof buf, 0, &info), 4);
    assert_int_equal(info.from.addr, ip("10.1.0.2"));
    assert_int_equal(info.ttl, 63);
    assert_int_equal(counter(w->router, "ip_forwarded"), 1);
}

static void large_datagram_is_reassembled_after_forwarding(void **state)
{
    struct world *w = *state;
    int rx = udp_socket(w->b, 7);
    int tx = udp_socket(w->a, 0);
    static uint8_t data[9000], got[9100];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    struct naru_sockaddr to = { ip("10.2.0.2"), 7 };
    assert_int_equal(naru_sendto(w->a, tx, data, sizeof data, 0, &to), 9000);
    assert_true(wait_readable(w->sim, w->b, rx, NARU_SEC));
    assert_int_equal(naru_recv(w->b, rx, got, sizeof got, 0), 9000);
    assert_memory_equal(got, data, 9000);
    assert_int_equal(counter(w->router, "ip_forwarded"), 7); /* fragments travel alone */
    assert_int_equal(counter(w->router, "ip_reasm_fragments"), 0);
}

static void ttl_expiry_is_answered_with_time_exceeded(void **state)
{
    struct world *w = *state;
    int tx = udp_socket(w->a, 0);
    assert_int_equal(naru_setsockopt(w->a, tx, NARU_SO_RECVERR, 1), 0);
    assert_int_equal(naru_setsockopt(w->a, tx, NARU_IP_TTL, 1), 0);
    struct naru_sockaddr to = { ip("10.2.0.2"), 33434 };
    assert_int_equal(naru_sendto(w->a, tx, "probe", 5, 0, &to), 5);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    struct naru_icmp_error e;
    assert_int_equal(naru_recv_error(w->a, tx, &e), 0);
    assert_int_equal(e.type, 11);
    assert_int_equal(e.code, 0);
    assert_int_equal(e.offender, ip("10.1.0.1"));
    assert_int_equal(e.dst.addr, ip("10.2.0.2"));
    assert_int_equal(e.dst.port, 33434);
    assert_int_equal(counter(w->router, "ip_ttl_exceeded"), 1);
    assert_int_equal(counter(w->b, "udp_rx"), 0);
    /* With TTL 2 the probe reaches b, whose closed port answers. */
    assert_int_equal(naru_setsockopt(w->a, tx, NARU_IP_TTL, 2), 0);
    assert_int_equal(naru_sendto(w->a, tx, "probe", 5, 0, &to), 5);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    assert_int_equal(naru_recv_error(w->a, tx, &e), 0);
    assert_int_equal(e.type, 3);
    assert_int_equal(e.code, 3);
    assert_int_equal(e.offender, ip("10.2.0.2"));
}

static void no_route_is_answered_with_net_unreachable(void **state)
{
    struct world *w = *state;
    int tx = udp_socket(w->a, 0);
    naru_setsockopt(w->a, tx, NARU_SO_RECVERR, 1);
    struct naru_sockaddr to = { ip("10.99.0.1"), 9 };
    assert_int_equal(naru_sendto(w->a, tx, "x", 1, 0, &to), 1);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    struct naru_icmp_error e;
    assert_int_equal(naru_recv_error(w->a, tx, &e), 0);
    assert_int_equal(e.type, 3);
    assert_int_equal(e.code, 0);
    assert_int_equal(counter(w->router, "ip_no_route"), 1);
}

static void host_without_forwarding_drops_transit_traffic(void **state)
{
    struct world *w = *state;
    naru_stack_set_forwarding(w->router, false);
    int rx = udp_socket(w->b, 7);
    int tx = udp_socket(w->a, 0);
    struct naru_sockaddr to = { ip("10.2.0.2"), 7 };
    naru_sendto(w->a, tx, "x", 1, 0, &to);
    assert_false(wait_readable(w->sim, w->b, rx, NARU_SEC));
    assert_int_equal(counter(w->router, "ip_rx_not_for_us"), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(datagram_crosses_the_router_with_ttl_decremented),
        T(large_datagram_is_reassembled_after_forwarding),
        T(ttl_expiry_is_answered_with_time_exceeded),
        T(no_route_is_answered_with_net_unreachable),
        T(host_without_forwarding_drops_transit_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
