/* RFC 5961 (as folded into RFC 9293 3.10.7.4): blind in-window attacks.
 * A reset is believed only at exactly RCV.NXT; anywhere else in the window
 * it, and any SYN, earns a challenge ACK; an ACK outside
 * [SND.UNA - MAX.SND.WND, SND.NXT] is refused; challenge ACKs are rate
 * limited (RFC 5961 7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "testnet.h"

#define ISN 0xfffffff0u
#define PEER_ISN 0xfffffffau

static int setup_with(void **state, const struct naru_stack_config *c)
{
    return peer_fixture_setup(state, c, 0, ISN, PEER_ISN);
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

static int setup_slow_challenges(void **state)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_challenge_ack_rate = 2;
    return setup_with(state, &c);
}

static int conn_state(struct tcp_peer *p)
{
    struct tcp_conn *c = tcp_conn_lookup(p->stack, p->host->addr, p->port, p->addr, p->peer_port);
    return c ? c->state : -1;
}

static void send_rst(struct tcp_peer *p, uint32_t seq)
{
    struct seg rst = { .flags = TCP_RST, .seq = seq };
    peer_send(p, &rst);
}

static void expect_challenge_ack(struct tcp_peer *p)
{
    struct got *g = peer_take(p);
    /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
    expect_seg(g, TCP_ACK, ISN + 1, p->snd_nxt);
    assert_int_equal(g->len, 0);
    assert_true(g->h.options.timestamps_present);
}

static void tcp_rst_in_window_gets_challenge_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    send_rst(p, p->snd_nxt + 1000);
    expect_challenge_ack(p);
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
    assert_int_equal(naru_socket_error(p->stack, f->s), 0);
    assert_int_equal(counter(p->stack, "tcp_challenge_acks"), 1);
    /* The right edge of the window is still in it. */
    send_rst(p, p->snd_nxt + 65535);
    expect_challenge_ack(p);
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
}

static void tcp_rst_at_rcv_nxt_resets(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    send_rst(p, p->snd_nxt);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(naru_socket_error(p->stack, f->s), -ECONNRESET);
    assert_int_equal(counter(p->stack, "tcp_rx_rst"), 1);
}

static void tcp_rst_outside_the_window_is_dropped_silently(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    send_rst(p, p->snd_nxt - 1);
    send_rst(p, p->snd_nxt + 65536 + 4096);
    send_rst(p, p->snd_nxt + 0x80000000u);
    peer_expect_nothing(p);
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
    assert_int_equal(counter(p->stack, "tcp_challenge_acks"), 0);
}

static void tcp_syn_in_established_gets_challenge_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* In the window, at RCV.NXT, and outside it: never a reset, never a
     * new connection; an ACK each time. */
    uint32_t seqs[3] = { p->snd_nxt + 10, p->snd_nxt, p->snd_nxt + 0x40000000u };
    for (int i = 0; i < 3; i++) {
        struct seg syn = { .flags = TCP_SYN, .seq = seqs[i], .window = 65535,
                           .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
        peer_send(p, &syn);
        expect_challenge_ack(p);
        assert_int_equal(conn_state(p), TCP_ESTABLISHED);
        peer_advance(p, 600 * NARU_MS); /* past the out-of-window ACK limit */
    }
}

static void tcp_ack_for_unsent_data_is_refused(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    struct seg s = { .flags = TCP_ACK | TCP_PSH, .seq = p->snd_nxt, .ack = ISN + 1 + 1000, .window = 512,
                     .data = "bogus", .len = 5,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
    peer_send(p, &s);
    expect_challenge_ack(p);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -EAGAIN); /* the data was dropped */
    assert_int_equal(counter(p->stack, "tcp_rx_bad_ack"), 1);
}

static void tcp_ack_older_than_the_window_is_refused(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* MAX.SND.WND is the peer's 65535 (from its SYN); SND.UNA is ISN+1. */
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = ISN + 1 - 65535 - 1, .window = 512,
                     .data = "x", .len = 1, .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
    peer_send(p, &s);
    expect_challenge_ack(p);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -EAGAIN);
    /* Just inside the bound the ACK is an old duplicate, and the data counts. */
    s.ack = ISN + 1 - 65535;
    peer_send(p, &s);
    peer_advance(p, 40 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, p->snd_nxt + 1);
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 1);
}

static void tcp_challenge_acks_are_rate_limited(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    for (int i = 0; i < 5; i++)
        send_rst(p, p->snd_nxt + 100 + (uint32_t)i);
    expect_challenge_ack(p);
    expect_challenge_ack(p);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_challenge_ack_limited"), 3);
    peer_advance(p, 500 * NARU_MS);
    send_rst(p, p->snd_nxt + 100);
    expect_challenge_ack(p);
    assert_int_equal(conn_state(p), TCP_ESTABLISHED);
}

static void tcp_rst_in_window_in_close_wait_and_fin_wait_gets_challenge_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_send_data(p, NULL, 0, TCP_FIN);
    peer_take(p);
    assert_int_equal(conn_state(p), TCP_CLOSE_WAIT);
    send_rst(p, p->snd_nxt + 10);
    expect_challenge_ack(p);
    assert_int_equal(conn_state(p), TCP_CLOSE_WAIT);
    send_rst(p, p->snd_nxt);
    assert_int_equal(conn_state(p), -1);
    assert_int_equal(naru_socket_error(p->stack, f->s), -ECONNRESET);
}

static void tcp_out_of_window_data_gets_an_ack_but_pure_acks_only_sometimes(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* Old data (a retransmission the peer need not have sent): an ACK, always. */
    peer_send_data(p, "ab", 2, TCP_PSH);
    peer_advance(p, 40 * NARU_MS);
    peer_take(p);
    for (int i = 0; i < 2; i++) {
        struct seg old = { .flags = TCP_ACK, .seq = p->snd_nxt - 2, .ack = ISN + 1, .window = 512, .data = "ab",
                           .len = 2, .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
        peer_send(p, &old);
        expect_seg(peer_take(p), TCP_ACK, ISN + 1, p->snd_nxt);
    }
    /* An out-of-window pure ACK is what an ACK loop is made of: at most one
     * answer per half second. */
    struct seg stray = { .flags = TCP_ACK, .seq = p->snd_nxt + 100000, .ack = ISN + 1, .window = 512,
                         .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
    peer_send(p, &stray);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, p->snd_nxt);
    peer_send(p, &stray);
    peer_expect_nothing(p);
    peer_advance(p, 500 * NARU_MS);
    stray.opt.ts_val = p->ts_val;
    peer_send(p, &stray);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, p->snd_nxt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_rst_in_window_gets_challenge_ack),
        T(tcp_rst_at_rcv_nxt_resets),
        T(tcp_rst_outside_the_window_is_dropped_silently),
        T(tcp_syn_in_established_gets_challenge_ack),
        T(tcp_ack_for_unsent_data_is_refused),
        T(tcp_ack_older_than_the_window_is_refused),
        cmocka_unit_test_setup_teardown(tcp_challenge_acks_are_rate_limited, setup_slow_challenges, peer_fixture_teardown),
        T(tcp_rst_in_window_in_close_wait_and_fin_wait_gets_challenge_ack),
        T(tcp_out_of_window_data_gets_an_ack_but_pure_acks_only_sometimes),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
