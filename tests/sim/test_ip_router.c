/* Forwarding through a third stack acting as a router (RFC 1812). */
#include "testnet.h"

#include <stdio.h>
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
    assert_int_equal(naru_route_add(w->a, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.1") }, a_if), 0);
    assert_int_equal(naru_route_add(w->b, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.1") }, b_if), 0);
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
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.2.0.2")), .port = 7 };
    assert_int_equal(naru_sendto(w->a, tx, "over", 4, 0, &to), 4);
    assert_true(wait_readable(w->sim, w->b, rx, NARU_SEC));
    char buf[16];
    struct naru_recv_info info;
    assert_int_equal(naru_recv_info(w->b, rx, buf, sizeof buf, 0, &info), 4);
    assert_int_equal(info.from.addr.v4, ip("10.1.0.2"));
    assert_int_equal(info.hop_limit, 63);
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
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.2.0.2")), .port = 7 };
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
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.2.0.2")), .port = 33434 };
    assert_int_equal(naru_sendto(w->a, tx, "probe", 5, 0, &to), 5);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + NARU_SEC, NULL, NULL);
    struct naru_icmp_error e;
    assert_int_equal(naru_recv_error(w->a, tx, &e), 0);
    assert_int_equal(e.type, 11);
    assert_int_equal(e.code, 0);
    assert_int_equal(e.offender.v4, ip("10.1.0.1"));
    assert_int_equal(e.dst.addr.v4, ip("10.2.0.2"));
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
    assert_int_equal(e.offender.v4, ip("10.2.0.2"));
}

static void no_route_is_answered_with_net_unreachable(void **state)
{
    struct world *w = *state;
    int tx = udp_socket(w->a, 0);
    naru_setsockopt(w->a, tx, NARU_SO_RECVERR, 1);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.99.0.1")), .port = 9 };
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
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.2.0.2")), .port = 7 };
    naru_sendto(w->a, tx, "x", 1, 0, &to);
    assert_false(wait_readable(w->sim, w->b, rx, NARU_SEC));
    assert_int_equal(counter(w->router, "ip_rx_not_for_us"), 1);
}

static int discard(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    (void)frame;
    (void)len;
    return 0;
}

/* The number of interfaces is the config's, not a compile-time 8 (issue 9). */
static void stack_has_as_many_interfaces_as_its_config_says(void **state)
{
    (void)state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    assert_int_equal(c.interfaces, 8);
    c.interfaces = 0;
    struct naru_stack *s;
    assert_int_equal(naru_stack_create(&c, &s), -EINVAL);
    c.interfaces = 12;
    assert_int_equal(naru_stack_create(&c, &s), 0);
    struct naru_if_config ifc = { .name = "eth", .mtu = 1500, .driver = { .transmit = discard } };
    for (int i = 0; i < 12; i++) {
        ifc.mac[5] = (uint8_t)(i + 1);
        assert_int_equal(naru_if_add(s, &ifc), i);
    }
    assert_int_equal(naru_if_count(s), 12);
    assert_int_equal(naru_if_add(s, &ifc), -ENOSPC);
    naru_stack_destroy(s);
}

/* Ten hosts and two uplinks on one router: each host's datagram reaches a
 * host behind each uplink, and every one of the twelve interfaces is used. */
static void router_with_twelve_interfaces_forwards_between_all_of_them(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(12, &sim), 0);
    struct naru_stack_config c;
    naru_sim_stack_config_default(&c);
    c.interfaces = 12;
    struct naru_stack *router = naru_sim_add_router(sim, "router", &c);
    assert_non_null(router);
    struct naru_memlink_config link = { .delay = 1 * NARU_MS };
    struct naru_stack *hosts[12];
    for (int i = 0; i < 12; i++) {
        char name[16], mine[32], theirs[32];
        snprintf(name, sizeof name, i < 10 ? "host%d" : "uplink%d", i);
        snprintf(mine, sizeof mine, "10.%d.0.2/24", i + 1);
        snprintf(theirs, sizeof theirs, "10.%d.0.1/24", i + 1);
        hosts[i] = naru_sim_add_stack(sim, name, NULL);
        int ifindex, router_if;
        assert_int_equal(naru_sim_connect(sim, hosts[i], mine, router, theirs, &link, &ifindex, &router_if), 0);
        assert_int_equal(router_if, i);
        snprintf(theirs, sizeof theirs, "10.%d.0.1", i + 1);
        assert_int_equal(naru_route_add(hosts[i], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip(theirs) }, ifindex), 0);
    }
    assert_int_equal(naru_if_count(router), 12);
    int rx[2] = { udp_socket(hosts[10], 7), udp_socket(hosts[11], 7) };
    for (int i = 0; i < 10; i++) {
        int tx = udp_socket(hosts[i], 0);
        for (int u = 0; u < 2; u++) {
            char to_text[16];
            snprintf(to_text, sizeof to_text, "10.%d.0.2", 11 + u);
            struct naru_sockaddr to = { .addr = naru_addr_v4(ip(to_text)), .port = 7 };
            assert_int_equal(naru_sendto(hosts[i], tx, "hi", 2, 0, &to), 2);
        }
        /* One host at a time: the router's ARP queue holds 8 a neighbour. */
        naru_sim_run(sim, naru_sim_now(sim) + 100 * NARU_MS, NULL, NULL);
    }
    naru_sim_run(sim, naru_sim_now(sim) + NARU_SEC, NULL, NULL);
    for (int u = 0; u < 2; u++) {
        bool from[10] = { false };
        char buf[8];
        struct naru_sockaddr who;
        for (int n = 0; n < 10; n++) {
            assert_int_equal(naru_recvfrom(hosts[10 + u], rx[u], buf, sizeof buf, 0, &who), 2);
            unsigned net = (who.addr.v4 >> 16 & 0xff) - 1;
            assert_true(net < 10);
            from[net] = true;
        }
        for (int n = 0; n < 10; n++)
            assert_true(from[n]);
    }
    assert_int_equal(counter(router, "ip_forwarded"), 20);
    naru_sim_destroy(sim);
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
        cmocka_unit_test(stack_has_as_many_interfaces_as_its_config_says),
        cmocka_unit_test(router_with_twelve_interfaces_forwards_between_all_of_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
