/* The UDP socket API: binding, ephemeral ports, demultiplexing, errors. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static int setup(void **state)
{
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    capture_teach_neighbour(h, ip("10.0.0.2"), peer_mac);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    capture_host_free(*state);
    return 0;
}

static void deliver(struct capture_host *h, uint32_t src, uint16_t sport, uint16_t dport, const char *text)
{
    uint8_t udp[128], frame[256];
    size_t n = build_udp(udp, src, h->addr, sport, dport, text, strlen(text));
    struct frame_spec spec = { .src = src, .dst = h->addr, .protocol = IP_PROTO_UDP };
    naru_stack_input(h->stack, h->ifindex, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
}

static void port_in_use_is_refused_and_freed_by_close(void **state)
{
    struct capture_host *h = *state;
    int a = udp_socket(h->stack, 5000);
    int b = naru_socket(h->stack, NARU_SOCK_DGRAM);
    struct naru_sockaddr addr = { .port = 5000 };
    assert_int_equal(naru_bind(h->stack, b, &addr), -EADDRINUSE);
    addr.addr = naru_addr_v4(ip("10.0.0.1"));
    assert_int_equal(naru_bind(h->stack, b, &addr), -EADDRINUSE); /* the wildcard covers it */
    addr.addr = naru_addr_v4(ip("10.0.0.99"));
    assert_int_equal(naru_bind(h->stack, b, &addr), -EADDRNOTAVAIL);
    naru_close(h->stack, a);
    addr.addr = naru_addr_v4(0);
    assert_int_equal(naru_bind(h->stack, b, &addr), 0);
    assert_int_equal(naru_bind(h->stack, b, &addr), -EINVAL); /* already bound */
}

static void ephemeral_ports_are_random_and_distinct(void **state)
{
    struct capture_host *h = *state;
    uint16_t ports[32];
    int socks[32];
    for (int i = 0; i < 32; i++) {
        socks[i] = udp_socket(h->stack, 0);
        struct naru_sockaddr a;
        naru_getsockname(h->stack, socks[i], &a);
        ports[i] = a.port;
        assert_true(a.port >= 49152);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(ports[i], ports[j]);
    }
    /* RFC 6056: not sequential — a run of consecutive ports is unlikely. */
    int sequential = 0;
    for (int i = 1; i < 32; i++)
        sequential += ports[i] == ports[i - 1] + 1;
    assert_true(sequential < 4);
    for (int i = 0; i < 32; i++)
        naru_close(h->stack, socks[i]);
}

static void connected_socket_takes_only_its_peer_and_wins_over_wildcard(void **state)
{
    struct capture_host *h = *state;
    int wildcard = udp_socket(h->stack, 6000);
    int connected = naru_socket(h->stack, NARU_SOCK_DGRAM);
    naru_setsockopt(h->stack, connected, NARU_SO_REUSEADDR, 1);
    struct naru_sockaddr local = { .addr = naru_addr_v4(ip("10.0.0.1")), .port = 6001 };
    assert_int_equal(naru_bind(h->stack, connected, &local), 0);
    struct naru_sockaddr peer = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 53 };
    assert_int_equal(naru_connect(h->stack, connected, &peer), 0);
    deliver(h, ip("10.0.0.2"), 53, 6001, "from-peer");
    deliver(h, ip("10.0.0.3"), 53, 6001, "from-stranger");
    deliver(h, ip("10.0.0.3"), 53, 6000, "to-wildcard");
    char buf[32];
    struct naru_sockaddr from;
    assert_int_equal(naru_recvfrom(h->stack, connected, buf, sizeof buf, 0, &from), 9);
    assert_memory_equal(buf, "from-peer", 9);
    assert_int_equal(naru_recv(h->stack, connected, buf, sizeof buf, 0), -EAGAIN);
    assert_int_equal(naru_recvfrom(h->stack, wildcard, buf, sizeof buf, 0, &from), 11);
    assert_int_equal(from.addr.v4, ip("10.0.0.3"));
    assert_int_equal(counter(h->stack, "udp_rx_no_port"), 1); /* the stranger */
}

static void peek_keeps_and_short_read_truncates_the_datagram(void **state)
{
    struct capture_host *h = *state;
    int s = udp_socket(h->stack, 7000);
    deliver(h, ip("10.0.0.2"), 1, 7000, "abcdef");
    deliver(h, ip("10.0.0.2"), 1, 7000, "second");
    char buf[16];
    assert_int_equal(naru_recv(h->stack, s, buf, sizeof buf, NARU_MSG_PEEK), 6);
    assert_int_equal(naru_recv(h->stack, s, buf, 3, 0), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(naru_recv(h->stack, s, buf, sizeof buf, 0), 6);
    assert_memory_equal(buf, "second", 6);
    assert_int_equal(naru_socket_events(h->stack, s) & NARU_POLLIN, 0);
}

static void receive_queue_is_bounded(void **state)
{
    struct capture_host *h = *state;
    int s = udp_socket(h->stack, 7000);
    assert_int_equal(naru_setsockopt(h->stack, s, NARU_SO_RCVBUF, 4), 0);
    for (int i = 0; i < 10; i++)
        deliver(h, ip("10.0.0.2"), 1, 7000, "x");
    assert_int_equal(counter(h->stack, "udp_rx_queue_full"), 6);
    naru_close(h->stack, s);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static int callbacks;
static void count_callback(void *ctx, struct naru_stack *stack, int sock)
{
    (void)ctx, (void)stack, (void)sock;
    callbacks++;
}

static void callback_fires_when_a_datagram_arrives(void **state)
{
    struct capture_host *h = *state;
    int s = udp_socket(h->stack, 7000);
    callbacks = 0;
    naru_socket_set_callback(h->stack, s, count_callback, NULL);
    deliver(h, ip("10.0.0.2"), 1, 7000, "x");
    assert_int_equal(callbacks, 1);
    assert_true(naru_socket_events(h->stack, s) & NARU_POLLIN);
}

static void bad_calls_get_the_errors_users_expect(void **state)
{
    struct capture_host *h = *state;
    char buf[4];
    assert_int_equal(naru_recv(h->stack, 99, buf, 4, 0), -EBADF);
    assert_int_equal(naru_socket(h->stack, (enum naru_socket_type)9), -EPROTONOSUPPORT);
    int s = naru_socket(h->stack, NARU_SOCK_DGRAM);
    assert_int_equal(naru_send(h->stack, s, "x", 1, 0), -EDESTADDRREQ);
    static uint8_t big[70000];
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    assert_int_equal(naru_sendto(h->stack, s, big, sizeof big, 0, &to), -EMSGSIZE);
    to.port = 0;
    assert_int_equal(naru_sendto(h->stack, s, "x", 1, 0, &to), -EINVAL);
    naru_close(h->stack, s);
    assert_int_equal(naru_close(h->stack, s), -EBADF);
}

static void a_new_socket_takes_the_lowest_free_handle(void **state)
{
    (void)state;
    /* Like POSIX file descriptors: the lowest free slot, across the
     * 64-slot words of the free map, until the table is full. */
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.sockets = 200;
    struct naru_stack *stack;
    assert_int_equal(naru_stack_create(&c, &stack), 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(naru_socket(stack, i % 3 ? NARU_SOCK_DGRAM : NARU_SOCK_STREAM), i);
    assert_int_equal(naru_socket(stack, NARU_SOCK_DGRAM), -EMFILE);
    static const int closed[] = { 199, 130, 3, 64, 63, 0 };
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
        assert_int_equal(naru_close(stack, closed[i]), 0);
    static const int reopened[] = { 0, 3, 63, 64, 130, 199 };
    for (size_t i = 0; i < sizeof reopened / sizeof reopened[0]; i++)
        assert_int_equal(naru_socket(stack, NARU_SOCK_PING), reopened[i]);
    assert_int_equal(naru_socket(stack, NARU_SOCK_DGRAM), -EMFILE);
    naru_stack_destroy(stack);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(port_in_use_is_refused_and_freed_by_close),
        T(ephemeral_ports_are_random_and_distinct),
        T(connected_socket_takes_only_its_peer_and_wins_over_wildcard),
        T(peek_keeps_and_short_read_truncates_the_datagram),
        T(receive_queue_is_bounded),
        T(callback_fires_when_a_datagram_arrives),
        T(bad_calls_get_the_errors_users_expect),
        T(a_new_socket_takes_the_lowest_free_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
