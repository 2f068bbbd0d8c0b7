/* TCP beside the state machine: ICMP errors (RFC 5927, RFC 1122 4.2.3.9,
 * RFC 1191), connections to ourselves, socket options and buffer sizes,
 * connection information, and the callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "testnet.h"
#include "wire/icmp.h"

#define ISN 0xfffffff0u
#define PEER_ISN 0xfffffffau

static void tcp_port_unreachable_refuses_a_connection_attempt(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    peer_send_icmp_error(p, g, ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, 0);
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLERR);
    assert_int_equal(naru_socket_error(p->stack, s), -ECONNREFUSED);
    assert_int_equal(counter(p->stack, "tcp_rx_icmp_errors"), 1);
}

static void tcp_icmp_errors_about_other_sequence_numbers_are_ignored(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    /* RFC 5927 4.1: an error quoting a sequence number not in flight is
     * forged or stale. */
    wire_put32(g->ip + 20 + 4, ISN + 1000);
    peer_send_icmp_error(p, g, ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, 0);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    assert_int_equal(counter(p->stack, "tcp_rx_icmp_errors"), 0);
}

static void tcp_soft_errors_do_not_abort_but_explain_a_timeout(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_retries = 1;
    peer_init(p, &c);
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    naru_send(p->stack, s, "x", 1, 0);
    struct got *g = peer_take(p);
    /* RFC 1122 4.2.3.9: host unreachable is soft: the connection stays. */
    peer_send_icmp_error(p, g, ICMP_DEST_UNREACHABLE, ICMP_HOST_UNREACHABLE, 0);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_ESTABLISHED);
    assert_int_equal(naru_socket_error(p->stack, s), 0);
    /* If it then times out, the user hears why: after a tail loss probe
     * (RFC 8985 7) and the one retransmission allowed. */
    peer_advance(p, 200 * NARU_MS);
    peer_take(p);
    peer_advance(p, 200 * NARU_MS);
    peer_take(p);
    peer_advance(p, 400 * NARU_MS);
    assert_int_equal(naru_socket_error(p->stack, s), -EHOSTUNREACH);
}

static void tcp_fragmentation_needed_shrinks_the_segments(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    static char data[4000];
    memset(data, 'z', sizeof data);
    naru_send(p->stack, s, data, sizeof data, 0);
    struct got *g = peer_take(p);
    assert_int_equal(g->len, 1448);
    peer_clear(p);
    /* RFC 1191: the next hop's MTU is 1000. */
    peer_send_icmp_error(p, g, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 1000);
    g = peer_take(p);
    assert_int_equal(g->h.seq, ISN + 1);
    assert_int_equal(g->len, 1000 - 40 - 12);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.snd_mss, 948);
}

static void tcp_connection_to_ourselves_works(void **state)
{
    struct tcp_peer *p = *state;
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_bind(p->stack, l, &(struct naru_sockaddr){ .port = 7 });
    naru_listen(p->stack, l, 4);
    int c = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_connect(p->stack, c, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->host->addr), .port = 7 }), -EINPROGRESS);
    peer_advance(p, 10 * NARU_MS);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    static char out[100000], in[100000];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)(i * 13);
    size_t sent = 0, got = 0;
    for (int round = 0; round < 1000 && got < sizeof out; round++) {
        if (sent < sizeof out) {
            long n = naru_send(p->stack, c, out + sent, sizeof out - sent, 0);
            if (n > 0)
                sent += (size_t)n;
        }
        long n = naru_recv(p->stack, s, in + got, sizeof in - got, 0);
        if (n > 0)
            got += (size_t)n;
        peer_advance(p, 1 * NARU_MS);
    }
    assert_int_equal(got, sizeof out);
    assert_memory_equal(in, out, sizeof out);
    peer_expect_nothing(p); /* nothing went out of the interface */
}

static void tcp_socket_options_and_buffer_sizes(void **state)
{
    struct tcp_peer *p = *state;
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    int v;
    assert_int_equal(naru_getsockopt(p->stack, s, NARU_SO_RCVBUF, &v), 0);
    assert_int_equal(v, 128 * 1024);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_SO_RCVBUF, 1 << 20), 0);
    naru_getsockopt(p->stack, s, NARU_SO_RCVBUF, &v);
    assert_int_equal(v, 1 << 20);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_SO_SNDBUF, 100), 0);
    naru_getsockopt(p->stack, s, NARU_SO_SNDBUF, &v);
    assert_int_equal(v, 2048); /* the floor */
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_SO_SNDBUF, 0), -EINVAL);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_TCP_NODELAY, 1), 0);
    naru_getsockopt(p->stack, s, NARU_TCP_NODELAY, &v);
    assert_int_equal(v, 1);
    naru_getsockopt(p->stack, s, NARU_SO_KEEPALIVE, &v);
    assert_int_equal(v, 0);
    naru_getsockopt(p->stack, s, NARU_TCP_CONGESTION, &v);
    assert_int_equal(v, NARU_TCP_CC_NEWRENO);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_TCP_CONGESTION, NARU_TCP_CC_CUBIC), 0);
    naru_getsockopt(p->stack, s, NARU_TCP_CONGESTION, &v);
    assert_int_equal(v, NARU_TCP_CC_CUBIC);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_TCP_CONGESTION, 7), -EINVAL);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_SO_RECVERR, 1), 0);
    /* A 1 MiB buffer the user chose sets the window scale (no autotuning). */
    tcp_debug_set_isn(p->stack, ISN);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    assert_int_equal(g->h.options.wscale, 5);
    struct naru_tcp_info ti;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &ti), 0);
    assert_int_equal(ti.state, NARU_TCP_SYN_SENT);
    assert_int_equal(ti.congestion, NARU_TCP_CC_CUBIC);
    int u = naru_socket(p->stack, NARU_SOCK_DGRAM);
    assert_int_equal(naru_tcp_get_info(p->stack, u, &ti), -EOPNOTSUPP);
    assert_int_equal(naru_tcp_get_info(p->stack, 999, &ti), -EBADF);
    assert_string_equal(naru_tcp_state_name(NARU_TCP_TIME_WAIT), "TIME-WAIT");
}

struct wakeups {
    int count;
    unsigned last;
};

static void note_wakeup(void *ctx, struct naru_stack *stack, int sock)
{
    struct wakeups *w = ctx;
    w->count++;
    w->last = naru_socket_events(stack, sock);
}

static void tcp_callbacks_tell_of_connect_data_and_close(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    struct wakeups w = { 0 };
    naru_socket_set_callback(p->stack, s, note_wakeup, &w);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    p->port = g->h.src_port;
    p->peer_port = 80;
    struct seg synack = { .flags = TCP_SYN | TCP_ACK, .seq = PEER_ISN, .ack = ISN + 1, .window = 65535 };
    peer_send(p, &synack);
    assert_int_equal(w.count, 1);
    assert_true(w.last & NARU_POLLOUT);
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    peer_send_data(p, "hey", 3, TCP_PSH);
    assert_int_equal(w.count, 2);
    assert_true(w.last & NARU_POLLIN);
    peer_send_data(p, NULL, 0, TCP_FIN);
    assert_int_equal(w.count, 3);
    struct seg rst = { .flags = TCP_RST, .seq = p->snd_nxt };
    peer_send(p, &rst);
    assert_int_equal(w.count, 4);
    assert_true(w.last & NARU_POLLERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, peer_setup, peer_teardown)
        T(tcp_port_unreachable_refuses_a_connection_attempt),
        T(tcp_icmp_errors_about_other_sequence_numbers_are_ignored),
        T(tcp_soft_errors_do_not_abort_but_explain_a_timeout),
        T(tcp_fragmentation_needed_shrinks_the_segments),
        T(tcp_connection_to_ourselves_works),
        T(tcp_socket_options_and_buffer_sizes),
        T(tcp_callbacks_tell_of_connect_data_and_close),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
