/* ACKs per input batch (src/tcp/tcp_output.c): a burst of segments read in
 * one go is acknowledged once, at the end of the batch, while out-of-order
 * data, a filled hole and a FIN still get their ACK at once, a lone segment
 * waits for the delayed-ACK timer, and half the offered window is never
 * left unacknowledged. And the other side of stretch ACKs: a sender grows
 * cwnd by every byte one acknowledges (RFC 3465). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "tcp/tcp_conn.h"
#include "testnet.h"

#define ISN 0x10000u
#define PEER_ISN 0x20000u
#define MSS 1448

static uint8_t bulk[256 * 1024];

static int setup_with(void **state, const struct naru_stack_config *c)
{
    for (size_t i = 0; i < sizeof bulk; i++)
        bulk[i] = (uint8_t)(i * 13 + 5);
    return peer_fixture_setup(state, c, 0, ISN, PEER_ISN);
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

static int setup_200ms_delayed_ack(void **state)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_delayed_ack = 200 * NARU_MS; /* RFC 9293 3.8.6.3's ceiling */
    return setup_with(state, &c);
}

static void send_full_segments(struct tcp_peer *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        peer_send_data(p, bulk + (p->snd_nxt - PEER_ISN - 1), MSS, 0);
}

static void tcp_a_batch_of_full_segments_is_acked_once_at_its_end(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_batch_begin(p);
    send_full_segments(p, 8);
    /* Nothing during the batch; the stack asks to be polled now. */
    peer_expect_nothing(p);
    assert_int_equal(naru_stack_next_deadline(p->stack), naru_stack_now(p->stack));
    peer_batch_end(p);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 8 * MSS);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_batch_acks"), 1);
    assert_true(naru_stack_next_deadline(p->stack) > naru_stack_now(p->stack));
    /* Polled after every segment, the same data is acknowledged every
     * second segment, as before. */
    send_full_segments(p, 4);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 1 + 10 * MSS);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 1 + 12 * MSS);
    peer_expect_nothing(p);
    char buf[12 * MSS];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), sizeof buf);
    assert_memory_equal(buf, bulk, sizeof buf);
}

static void tcp_out_of_order_data_in_a_batch_is_acked_at_once(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t base = p->snd_nxt;
    peer_batch_begin(p);
    send_full_segments(p, 3);
    p->snd_nxt += MSS; /* the fourth is lost */
    send_full_segments(p, 1);
    /* RFC 5681 4.2: the out-of-order segment is acknowledged in the middle
     * of the batch, with a SACK block for it; nothing is left for the
     * batch's end, which the duplicate ACK already covered. */
    struct got g;
    assert_true(peer_maybe_take(p, &g));
    expect_seg(&g, TCP_ACK, ISN + 1, base + 3 * MSS);
    assert_int_equal(g.h.options.sack_count, 1);
    assert_int_equal(g.h.options.sack[0].left, base + 4 * MSS);
    peer_expect_nothing(p);
    peer_batch_end(p);
    peer_expect_nothing(p);
    /* The hole filled, in a batch with more data after it: an ACK at once
     * for the segment that fills it (RFC 5681 4.2), then one at the end for
     * the two full segments that followed. */
    uint32_t after = p->snd_nxt;
    peer_batch_begin(p);
    p->snd_nxt = base + 3 * MSS;
    send_full_segments(p, 1);
    assert_true(peer_maybe_take(p, &g));
    expect_seg(&g, TCP_ACK, ISN + 1, base + 5 * MSS);
    assert_int_equal(g.h.options.sack_count, 0);
    p->snd_nxt = after;
    send_full_segments(p, 2);
    peer_expect_nothing(p);
    peer_batch_end(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, base + 7 * MSS);
    peer_expect_nothing(p);
}

static void tcp_a_fin_in_a_batch_is_acked_at_once(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_batch_begin(p);
    send_full_segments(p, 2);
    peer_send_data(p, bulk + 2 * MSS, 100, TCP_FIN);
    struct got g;
    assert_true(peer_maybe_take(p, &g));
    expect_seg(&g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 2 * MSS + 100 + 1);
    peer_batch_end(p);
    peer_expect_nothing(p);
}

static void tcp_less_than_two_segments_in_a_batch_wait_for_the_delayed_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_batch_begin(p);
    send_full_segments(p, 1);
    peer_send_data(p, bulk + MSS, 500, TCP_PSH);
    peer_batch_end(p);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_batch_acks"), 0);
    /* RFC 9293 3.8.6.3: at most 200 ms (the delay configured here). */
    peer_advance(p, 200 * NARU_MS - 1);
    peer_expect_nothing(p);
    peer_advance(p, 1);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 1 + MSS + 500);
    assert_int_equal(counter(p->stack, "tcp_delayed_acks"), 1);
}

static void tcp_half_the_offered_window_unacknowledged_is_acked_mid_batch(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    const struct tcp_conn *c = tcp_debug_conn(p->stack, f->s);
    uint32_t offered = c->rcv_adv - c->last_ack_sent;
    unsigned half = (offered / 2 + MSS - 1) / MSS; /* segments to reach half */
    assert_true(half >= 3 && half < 40);
    peer_batch_begin(p);
    send_full_segments(p, half - 1);
    peer_expect_nothing(p);
    send_full_segments(p, 1);
    struct got g;
    assert_true(peer_maybe_take(p, &g));
    expect_seg(&g, TCP_ACK, ISN + 1, PEER_ISN + 1 + half * MSS);
    send_full_segments(p, 3);
    peer_expect_nothing(p);
    peer_batch_end(p);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 1 + (half + 3) * MSS);
    peer_expect_nothing(p);
}

/* A connection whose receive buffer is `rcvbuf` bytes (SO_RCVBUF, so it
 * is not autotuned), opened by the peer; returns the accepted socket. */
static int open_small_buffer(struct tcp_peer *p, int rcvbuf)
{
    peer_fini(p);
    peer_init(p, NULL);
    tcp_debug_set_isn(p->stack, ISN);
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_setsockopt(p->stack, l, NARU_SO_RCVBUF, rcvbuf), 0);
    assert_int_equal(naru_bind(p->stack, l, &(struct naru_sockaddr){ .port = 80 }), 0);
    assert_int_equal(naru_listen(p->stack, l, 4), 0);
    p->port = 80;
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535,
                       .opt = { .mss_present = true, .mss = 1460, .sack_permitted = true,
                                .timestamps_present = true, .ts_val = p->ts_val } };
    peer_send(p, &syn);
    peer_take(p);
    p->ts = true;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    peer_send_ack(p, 65535);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    return s;
}

static void tcp_a_read_inside_a_batch_shares_its_ack(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    int s = open_small_buffer(p, 8192);
    /* Four segments, acknowledged as they come; then, in one batch, the
     * rest of the window, and the application reads everything (from a
     * socket callback, say) before the batch ends. The ACK the data owes
     * and the window update the read owes (RFC 1122 4.2.3.3) go as one
     * segment, at the end. */
    send_full_segments(p, 4);
    peer_clear(p);
    peer_batch_begin(p);
    peer_send_data(p, bulk + 4 * MSS, MSS, 0);
    peer_send_data(p, bulk + 5 * MSS, 8192 - 5 * MSS, 0);
    peer_expect_nothing(p);
    static char buf[8192];
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), 8192);
    assert_memory_equal(buf, bulk, 8192);
    peer_expect_nothing(p);
    peer_batch_end(p);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 8192);
    assert_int_equal(g->h.window, 8192);
    peer_expect_nothing(p);
}

/* The sender's side: the peer acknowledges the whole initial window with
 * one stretch ACK; slow start adds every byte acknowledged (RFC 3465), not
 * two segments' worth, so the next flight is twice the first. */
static void tcp_a_stretch_ack_grows_cwnd_by_every_byte_it_acknowledges(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_send(p->stack, f->s, bulk, 64 * 1024, 0), 64 * 1024);
    unsigned first = 0;
    struct got g;
    while (peer_maybe_take(p, &g))
        first++;
    assert_int_equal(first, 10); /* RFC 6928 IW10 */
    uint32_t cwnd_before = tcp_debug_conn(p->stack, f->s)->cwnd;
    p->rcv_nxt = ISN + 1 + first * MSS;
    peer_send_ack(p, 65535);
    uint32_t cwnd_after = tcp_debug_conn(p->stack, f->s)->cwnd;
    assert_int_equal(cwnd_after, cwnd_before + first * MSS);
    unsigned second = 0;
    while (peer_maybe_take(p, &g))
        second++;
    assert_int_equal(second, 2 * first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_a_batch_of_full_segments_is_acked_once_at_its_end),
        T(tcp_out_of_order_data_in_a_batch_is_acked_at_once),
        T(tcp_a_fin_in_a_batch_is_acked_at_once),
        cmocka_unit_test_setup_teardown(tcp_less_than_two_segments_in_a_batch_wait_for_the_delayed_ack,
                                        setup_200ms_delayed_ack, peer_fixture_teardown),
        T(tcp_half_the_offered_window_unacknowledged_is_acked_mid_batch),
        T(tcp_a_read_inside_a_batch_shares_its_ack),
        T(tcp_a_stretch_ack_grows_cwnd_by_every_byte_it_acknowledges),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
