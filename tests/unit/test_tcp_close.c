/* Closing connections, segment by segment (RFC 9293 3.6, 3.10.4,
 * 3.10.7.4): active, passive and simultaneous close, half-close, TIME-WAIT,
 * resets, and what the socket calls report along the way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "testnet.h"

#define ISN 0xfffffff0u
#define PEER_ISN 0xfffffffau

static int setup(void **state)
{
    return peer_fixture_setup(state, NULL, 0, ISN, PEER_ISN);
}

/* The state of the connection to the peer, socket or not; -1 if none. */
static int conn_state(struct tcp_peer *p)
{
    struct tcp_conn *c = tcp_conn_lookup(p->stack, p->host->addr, p->port, p->addr, p->peer_port);
    return c ? c->state : -1;
}

static void peer_fin(struct tcp_peer *p)
{
    peer_send_data(p, NULL, 0, TCP_FIN);
}

static void tcp_active_close_walks_fin_wait_to_time_wait(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_shutdown(p->stack, f->s, NARU_SHUT_WR), 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_FIN | TCP_ACK, ISN + 1, PEER_ISN + 1);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_1);
    assert_int_equal(naru_send(p->stack, f->s, "x", 1, 0), -EPIPE);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 512);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_2);
    peer_fin(p);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 2, PEER_ISN + 2);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    char buf[4];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
    unsigned ev = naru_socket_events(p->stack, f->s);
    assert_true(ev & NARU_POLLIN);
    assert_true(ev & NARU_POLLHUP);
    /* The peer's FIN again (our ACK was lost): ACK it, start 2*MSL over. */
    peer_advance(p, 30 * NARU_SEC);
    p->snd_nxt = PEER_ISN + 1;
    peer_fin(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 2);
    peer_advance(p, 60 * NARU_SEC - 1);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    peer_advance(p, 1);
    peer_expect_nothing(p);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(ti.state, NARU_TCP_CLOSED);
    assert_int_equal(counter(p->stack, "tcp_time_wait_expired"), 1);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
}

static void tcp_fin_acking_our_fin_goes_straight_to_time_wait(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_shutdown(p->stack, f->s, NARU_SHUT_WR);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_fin(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 2);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
}

static void tcp_passive_close_walks_close_wait_and_last_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_fin(p);
    /* A FIN is acknowledged at once. */
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 2);
    assert_int_equal(conn_state(p), TCP_CLOSE_WAIT);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
    assert_true(naru_socket_events(p->stack, f->s) & NARU_POLLIN);
    assert_false(naru_socket_events(p->stack, f->s) & NARU_POLLHUP);
    /* CLOSE-WAIT still sends. */
    assert_int_equal(naru_send(p->stack, f->s, "bye", 3, 0), 3);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH, ISN + 1, PEER_ISN + 2);
    assert_int_equal(g->len, 3);
    assert_memory_equal(g->data, "bye", 3);
    assert_int_equal(naru_shutdown(p->stack, f->s, NARU_SHUT_WR), 0);
    expect_seg(peer_take(p), TCP_FIN | TCP_ACK, ISN + 4, PEER_ISN + 2);
    assert_int_equal(conn_state(p), TCP_LAST_ACK);
    assert_true(naru_socket_events(p->stack, f->s) & NARU_POLLHUP);
    p->rcv_nxt = ISN + 5;
    peer_send_ack(p, 512);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), -1);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(ti.state, NARU_TCP_CLOSED);
    assert_int_equal(ti.bytes_acked, 3);
    assert_int_equal(naru_close(p->stack, f->s), 0);
}

static void tcp_simultaneous_close_goes_through_closing(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_shutdown(p->stack, f->s, NARU_SHUT_WR);
    expect_seg(peer_take(p), TCP_FIN | TCP_ACK, ISN + 1, PEER_ISN + 1);
    /* The peer's FIN crosses ours: it does not acknowledge ours. */
    peer_fin(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 2);
    assert_int_equal(conn_state(p), TCP_CLOSING);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 512);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
}

static void tcp_half_closed_connection_keeps_receiving(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_shutdown(p->stack, f->s, NARU_SHUT_WR);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 512);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_2);
    peer_send_data(p, "after", 5, TCP_PSH);
    peer_advance(p, 40 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 6); /* the delayed ACK */
    char buf[16];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 5);
    assert_memory_equal(buf, "after", 5);
    peer_fin(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 7);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
}

static void tcp_close_with_unread_data_sends_reset(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_send_data(p, "unread", 6, TCP_PSH);
    assert_int_equal(naru_close(p->stack, f->s), 0);
    /* RFC 2525 2.17, RFC 1122 4.2.2.13: the data is lost and the peer told. */
    expect_seg(peer_take(p), TCP_RST | TCP_ACK, ISN + 1, PEER_ISN + 7);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(counter(p->stack, "tcp_abort_on_close"), 1);
}

static void tcp_data_after_close_gets_reset(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_close(p->stack, f->s);
    expect_seg(peer_take(p), TCP_FIN | TCP_ACK, ISN + 1, PEER_ISN + 1);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 512);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_2);
    peer_send_data(p, "late", 4, TCP_PSH);
    expect_seg(peer_take(p), TCP_RST | TCP_ACK, ISN + 2, PEER_ISN + 1);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(counter(p->stack, "tcp_abort_on_data"), 1);
}

static void tcp_orphaned_fin_wait_2_times_out(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_close(p->stack, f->s);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 512);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_2);
    peer_advance(p, 60 * NARU_SEC - 1);
    assert_int_equal(conn_state(p), TCP_FIN_WAIT_2);
    peer_advance(p, 1);
    assert_int_equal(conn_state(p), -1);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_fin_wait_2_timeouts"), 1);
}

static void tcp_reset_in_established_reports_econnreset(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_send_data(p, "hi", 2, TCP_PSH);
    struct seg rst = { .flags = TCP_RST, .seq = p->snd_nxt };
    peer_send(p, &rst);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), -1);
    unsigned ev = naru_socket_events(p->stack, f->s);
    assert_true(ev & NARU_POLLERR);
    assert_true(ev & NARU_POLLHUP);
    char buf[8];
    /* What arrived before the reset can still be read, then the error. */
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 2);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -ECONNRESET);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
    assert_int_equal(naru_send(p->stack, f->s, "x", 1, 0), -EPIPE);
    assert_int_equal(counter(p->stack, "tcp_estab_resets"), 1);
}

static void tcp_reset_in_time_wait_closes_it(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_shutdown(p->stack, f->s, NARU_SHUT_WR);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_fin(p);
    peer_take(p);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    struct seg rst = { .flags = TCP_RST, .seq = p->snd_nxt };
    peer_send(p, &rst);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(naru_socket_error(p->stack, f->s), 0);
}

static void tcp_shutdown_read_makes_recv_return_end_of_file(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -EAGAIN);
    assert_int_equal(naru_shutdown(p->stack, f->s, NARU_SHUT_RD), 0);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
    assert_true(naru_socket_events(p->stack, f->s) & NARU_POLLIN);
    /* The sending half is untouched. */
    assert_int_equal(naru_send(p->stack, f->s, "x", 1, 0), 1);
    peer_take(p);
}

static void tcp_out_of_order_fin_waits_for_the_missing_data(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = p->snd_nxt;
    p->snd_nxt = start + 4;
    peer_send_data(p, "5678", 4, TCP_FIN);
    struct got *g = peer_take(p); /* a duplicate ACK with a SACK block */
    expect_seg(g, TCP_ACK, ISN + 1, start);
    assert_int_equal(g->h.options.sack_count, 1);
    assert_int_equal(g->h.options.sack[0].left, start + 4);
    assert_int_equal(g->h.options.sack[0].right, start + 8);
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
    p->snd_nxt = start;
    peer_send_data(p, "1234", 4, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, start + 9); /* data and the FIN */
    assert_int_equal(g->h.options.sack_count, 0);
    assert_int_equal(conn_state(p), TCP_CLOSE_WAIT);
    char buf[16];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 8);
    assert_memory_equal(buf, "12345678", 8);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 0);
}

static void tcp_time_wait_is_reopened_by_a_newer_syn(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_close(p->stack, f->s);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_fin(p);
    peer_take(p);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    /* RFC 1122 4.2.2.13 / RFC 6191: a SYN with a newer timestamp. */
    p->ts_val += 10;
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN + 100000, .window = 65535,
                       .opt = { .mss_present = true, .mss = 1460, .timestamps_present = true,
                                .ts_val = p->ts_val } };
    peer_send(p, &syn);
    struct got *g = peer_take(p);
    assert_int_equal(g->h.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(g->h.ack, PEER_ISN + 100001);
    assert_int_equal(conn_state(p), TCP_SYN_RECEIVED);
    assert_int_equal(counter(p->stack, "tcp_time_wait_reused"), 1);
}

static void tcp_reuseaddr_binds_over_time_wait(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_close(p->stack, f->s);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_fin(p);
    peer_take(p);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    naru_close(p->stack, f->listener);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    struct naru_sockaddr a = { .port = 80 };
    assert_int_equal(naru_bind(p->stack, s, &a), -EADDRINUSE);
    assert_int_equal(naru_setsockopt(p->stack, s, NARU_SO_REUSEADDR, 1), 0);
    assert_int_equal(naru_bind(p->stack, s, &a), 0);
    assert_int_equal(naru_listen(p->stack, s, 4), 0);
    /* Another port is free either way. */
    int t = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_bind(p->stack, t, &(struct naru_sockaddr){ .port = 81 }), 0);
    /* And a listening port stays taken even with SO_REUSEADDR. */
    int u = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_setsockopt(p->stack, u, NARU_SO_REUSEADDR, 1);
    assert_int_equal(naru_bind(p->stack, u, &a), -EADDRINUSE);
}

static void tcp_open_connections_hold_their_ports_until_closed(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* The listener goes; the connection it accepted still holds port 80. */
    naru_close(p->stack, f->listener);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    struct naru_sockaddr a = { .port = 80 };
    assert_int_equal(naru_bind(p->stack, s, &a), -EADDRINUSE);
    /* A connection made with connect() holds its ephemeral port, for
     * stream sockets only. */
    int c = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_connect(p->stack, c, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 9999 }), -EINPROGRESS);
    peer_take(p); /* the SYN */
    struct naru_sockaddr local;
    assert_int_equal(naru_getsockname(p->stack, c, &local), 0);
    assert_true(local.port >= 49152);
    int d = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_bind(p->stack, d, &(struct naru_sockaddr){ .port = local.port }), -EADDRINUSE);
    int u = naru_socket(p->stack, NARU_SOCK_DGRAM);
    assert_int_equal(naru_bind(p->stack, u, &(struct naru_sockaddr){ .port = local.port }), 0);
    /* Closed in SYN-SENT, it lets the port go at once. */
    naru_close(p->stack, c);
    assert_int_equal(naru_bind(p->stack, d, &(struct naru_sockaddr){ .port = local.port }), 0);
}

static void tcp_time_wait_gives_way_at_the_connection_limit(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_fini(p);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_connections = 3; /* the listener, one connection, and one more */
    peer_init(p, &c);
    f->s = peer_passive_open(p, 80, ISN, PEER_ISN, &f->listener);
    naru_close(p->stack, f->s);
    peer_take(p);
    p->rcv_nxt = ISN + 2;
    peer_send_data(p, NULL, 0, TCP_FIN);
    peer_take(p);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    /* A second connection uses the last slot... */
    struct seg syn = { .flags = TCP_SYN, .seq = 1000, .window = 65535, .src_port = 2001 };
    peer_send(p, &syn);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, 1001);
    assert_int_equal(conn_state(p), TCP_TIME_WAIT);
    /* ...and a third takes the TIME-WAIT connection's place. */
    syn.src_port = 2002;
    peer_send(p, &syn);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, 1001);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(counter(p->stack, "tcp_time_wait_recycled"), 1);
    /* With nothing left to give way, a fourth is refused. */
    syn.src_port = 2003;
    peer_send(p, &syn);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_conn_limit"), 1);
}

static void tcp_closing_a_listener_resets_unaccepted_connections(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    struct seg syn = { .flags = TCP_SYN, .seq = 5000, .window = 65535, .src_port = 2000 };
    peer_send(p, &syn);
    struct got *g = peer_take(p);
    uint32_t isn = g->h.seq;
    struct seg ack = { .flags = TCP_ACK, .seq = 5001, .ack = isn + 1, .window = 512, .src_port = 2000 };
    peer_send(p, &ack);
    naru_close(p->stack, f->listener);
    g = peer_take(p);
    expect_seg(g, TCP_RST | TCP_ACK, isn + 1, 5001);
    assert_int_equal(g->h.dst_port, 2000);
    /* The accepted connection lives on. */
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
}

static void tcp_close_before_connecting_sends_nothing(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 9 });
    peer_take(p); /* the SYN */
    assert_int_equal(naru_close(p->stack, s), 0);
    peer_expect_nothing(p);
    peer_advance(p, 10 * NARU_SEC);
    peer_expect_nothing(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_active_close_walks_fin_wait_to_time_wait),
        T(tcp_fin_acking_our_fin_goes_straight_to_time_wait),
        T(tcp_passive_close_walks_close_wait_and_last_ack),
        T(tcp_simultaneous_close_goes_through_closing),
        T(tcp_half_closed_connection_keeps_receiving),
        T(tcp_close_with_unread_data_sends_reset),
        T(tcp_data_after_close_gets_reset),
        T(tcp_orphaned_fin_wait_2_times_out),
        T(tcp_reset_in_established_reports_econnreset),
        T(tcp_reset_in_time_wait_closes_it),
        T(tcp_shutdown_read_makes_recv_return_end_of_file),
        T(tcp_out_of_order_fin_waits_for_the_missing_data),
        T(tcp_time_wait_is_reopened_by_a_newer_syn),
        T(tcp_reuseaddr_binds_over_time_wait),
        T(tcp_open_connections_hold_their_ports_until_closed),
        T(tcp_time_wait_gives_way_at_the_connection_limit),
        T(tcp_closing_a_listener_resets_unaccepted_connections),
        T(tcp_close_before_connecting_sends_nothing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
