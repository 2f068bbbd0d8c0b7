/* Two or three stacks on in-memory links: ARP, ping, UDP, fragmentation,
 * forwarding. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

struct pair {
    struct naru_sim *sim;
    struct naru_stack *a, *b;
};

static int pair_setup(void **state)
{
    struct pair *p = calloc(1, sizeof *p);
    assert_int_equal(naru_sim_create(42, &p->sim), 0);
    p->a = naru_sim_add_stack(p->sim, "a", NULL);
    p->b = naru_sim_add_stack(p->sim, "b", NULL);
    struct naru_memlink_config link = { .delay = 1 * NARU_MS };
    assert_int_equal(naru_sim_connect(p->sim, p->a, "10.0.0.1/24", p->b, "10.0.0.2/24", &link, NULL, NULL), 0);
    *state = p;
    return 0;
}

static int pair_teardown(void **state)
{
    struct pair *p = *state;
    naru_sim_destroy(p->sim);
    free(p);
    return 0;
}

static void udp_datagram_crosses_link_after_arp(void **state)
{
    struct pair *p = *state;
    int rx = udp_socket(p->b, 7000);
    int tx = udp_socket(p->a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7000 };
    assert_int_equal(naru_sendto(p->a, tx, "hello", 5, 0, &to), 5);
    assert_true(wait_readable(p->sim, p->b, rx, NARU_SEC));
    char buf[64];
    struct naru_sockaddr from;
    assert_int_equal(naru_recvfrom(p->b, rx, buf, sizeof buf, 0, &from), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(from.addr.v4, ip("10.0.0.1"));
    struct naru_sockaddr local;
    naru_getsockname(p->a, tx, &local);
    assert_int_equal(from.port, local.port);
    assert_true(local.port >= 49152);
    uint8_t mac[6];
    assert_int_equal(naru_neighbour_lookup(p->a, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.2") }, mac), 0);
    assert_int_equal(naru_neighbour_lookup(p->b, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.1") }, mac), 0);
    assert_int_equal(counter(p->a, "arp_tx_requests"), 1);
    assert_int_equal(counter(p->b, "arp_tx_replies"), 1);
}

static void ping_gets_echo_reply(void **state)
{
    struct pair *p = *state;
    int s = naru_socket(p->a, NARU_SOCK_PING);
    assert_true(s >= 0);
    uint8_t req[64] = { 8, 0, 0, 0, 0, 0, 0, 1 };
    memset(req + 8, 0xab, 56);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 0 };
    assert_int_equal(naru_sendto(p->a, s, req, sizeof req, 0, &to), 64);
    assert_true(wait_readable(p->sim, p->a, s, NARU_SEC));
    uint8_t rep[128];
    struct naru_sockaddr from;
    assert_int_equal(naru_recvfrom(p->a, s, rep, sizeof rep, 0, &from), 64);
    assert_int_equal(rep[0], 0); /* echo reply */
    assert_int_equal(rep[7], 1); /* sequence */
    assert_memory_equal(rep + 8, req + 8, 56);
    assert_int_equal(from.addr.v4, ip("10.0.0.2"));
    assert_int_equal(counter(p->b, "icmp_tx_echo_replies"), 1);
}

static void closed_udp_port_answers_port_unreachable(void **state)
{
    struct pair *p = *state;
    int s = udp_socket(p->a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9999 };
    assert_int_equal(naru_connect(p->a, s, &to), 0);
    assert_int_equal(naru_send(p->a, s, "x", 1, 0), 1);
    naru_sim_run(p->sim, naru_sim_now(p->sim) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(p->b, "udp_rx_no_port"), 1);
    assert_int_equal(counter(p->a, "icmp_rx_dest_unreachable"), 1);
    char buf[8];
    assert_int_equal(naru_recv(p->a, s, buf, sizeof buf, 0), -ECONNREFUSED);
}

static void large_datagram_is_fragmented_and_reassembled(void **state)
{
    struct pair *p = *state;
    int rx = udp_socket(p->b, 7001);
    int tx = udp_socket(p->a, 0);
    static uint8_t data[4000], got[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7001 };
    assert_int_equal(naru_sendto(p->a, tx, data, sizeof data, 0, &to), 4000);
    assert_true(wait_readable(p->sim, p->b, rx, NARU_SEC));
    assert_int_equal(naru_recv(p->b, rx, got, sizeof got, 0), 4000);
    assert_memory_equal(got, data, 4000);
    assert_int_equal(counter(p->a, "ip_fragments_created"), 3);
    assert_int_equal(counter(p->b, "ip_reasm_ok"), 1);
    naru_close(p->b, rx);
    naru_close(p->a, tx);
    assert_int_equal(naru_stack_buffers_in_use(p->a), 0);
    assert_int_equal(naru_stack_buffers_in_use(p->b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(udp_datagram_crosses_link_after_arp, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(ping_gets_echo_reply, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(closed_udp_port_answers_port_unreachable, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(large_datagram_is_fragmented_and_reassembled, pair_setup, pair_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
