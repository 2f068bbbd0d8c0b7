/* Moving data, segment by segment: delayed and immediate ACKs, SACK blocks
 * (RFC 2018), trimming, the advertised window (RFC 9293 3.8.6, RFC 7323),
 * zero windows and probes, Nagle, retransmission (RFC 6298), fast
 * retransmit and SACK recovery (RFC 5681, 6582, 6675), PAWS, keepalive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "tcp/tcp_seq.h"
#include "testnet.h"

#define ISN 0xfffffff0u
#define PEER_ISN 0xfffffffau
#define MSS 1448

static uint8_t bulk[64 * 1024];

static int setup_with(void **state, const struct naru_stack_config *c)
{
    for (size_t i = 0; i < sizeof bulk; i++)
        bulk[i] = (uint8_t)(i * 7 + 3);
    return peer_fixture_setup(state, c, 0, ISN, PEER_ISN);
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

static int setup_few_retries(void **state)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_retries = 3;
    return setup_with(state, &c);
}

static int setup_keepalive(void **state)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_keepalive_idle = 10 * NARU_SEC;
    c.tcp_keepalive_interval = 1 * NARU_SEC;
    c.tcp_keepalive_count = 3;
    return setup_with(state, &c);
}

/* A fresh stack and a connection opened with the options given, and the
 * listener's receive buffer set first if rcvbuf is not 0. */
static int open_with(struct tcp_peer *p, bool sack, bool ts, int rcvbuf)
{
    peer_fini(p);
    peer_init(p, NULL);
    tcp_debug_set_isn(p->stack, ISN);
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    if (rcvbuf)
        assert_int_equal(naru_setsockopt(p->stack, l, NARU_SO_RCVBUF, rcvbuf), 0);
    naru_bind(p->stack, l, &(struct naru_sockaddr){ .port = 80 });
    naru_listen(p->stack, l, 4);
    p->port = 80;
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535,
                       .opt = { .mss_present = true, .mss = 1460, .wscale_present = true, .wscale = 7,
                                .sack_permitted = sack, .timestamps_present = ts, .ts_val = p->ts_val } };
    peer_send(p, &syn);
    peer_take(p);
    p->ts = ts;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    peer_send_ack(p, 511);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    return s;
}

/* ---- receiving ---- */

static void tcp_in_order_data_is_acked_after_the_delayed_ack_time(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t ts_val = p->ts_val;
    peer_send_data(p, bulk, 100, TCP_PSH);
    peer_expect_nothing(p);
    peer_advance(p, 40 * NARU_MS - 1);
    peer_expect_nothing(p);
    peer_advance(p, 1);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 101);
    assert_int_equal(g->h.window, 128); /* 65536 >> 9: the right edge kept where it was */
    assert_int_equal(g->h.options.ts_ecr, ts_val); /* RFC 7323 4.3: the segment's own TSval */
    assert_int_equal(counter(p->stack, "tcp_delayed_acks"), 1);
    char buf[200];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 100);
    assert_memory_equal(buf, bulk, 100);
}

static void tcp_every_second_full_segment_is_acked_at_once(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_send_data(p, bulk, MSS, 0);
    peer_expect_nothing(p);
    peer_send_data(p, bulk + MSS, MSS, 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 2 * MSS);
    /* The window grows two segments per segment (Linux's rcv_ssthresh):
     * 65535 + 4 * 1448 = 71327, rounded up to 140 units of 512. */
    assert_int_equal(g->h.window, 140);
    peer_expect_nothing(p);
}

static void tcp_out_of_order_data_gets_duplicate_acks_with_sack_blocks_in_recency_order(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t base = p->snd_nxt;
    struct { uint32_t at, len; } pieces[4] = { { 1000, 100 }, { 3000, 100 }, { 2000, 100 }, { 1100, 100 } };
    for (int i = 0; i < 4; i++) {
        p->snd_nxt = base + pieces[i].at;
        peer_send_data(p, bulk + pieces[i].at, pieces[i].len, 0);
        struct got *g = peer_take(p); /* RFC 5681 4.2: at once */
        expect_seg(g, TCP_ACK, ISN + 1, base);
        assert_int_equal(g->h.options.sack[0].left, base + (i == 3 ? 1000 : pieces[i].at));
    }
    p->snd_nxt = base + 4000;
    peer_send_data(p, bulk + 4000, 100, 0);
    struct got *g = peer_take(p);
    /* RFC 2018 4: the newest block first, then the most recently reported;
     * with timestamps only three fit. */
    assert_int_equal(g->h.options.sack_count, 3);
    assert_int_equal(g->h.options.sack[0].left, base + 4000);
    assert_int_equal(g->h.options.sack[0].right, base + 4100);
    assert_int_equal(g->h.options.sack[1].left, base + 1000);
    assert_int_equal(g->h.options.sack[1].right, base + 1200);
    assert_int_equal(g->h.options.sack[2].left, base + 2000);
    /* Filling the first hole: an ACK at once, up to the next hole. */
    p->snd_nxt = base;
    peer_send_data(p, bulk, 1000, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, base + 1200);
    assert_int_equal(g->h.options.sack_count, 3);
    char buf[2000];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 1200);
    assert_memory_equal(buf, bulk, 1200);
    assert_int_equal(counter(p->stack, "tcp_rx_out_of_order"), 5);
}

static void tcp_duplicate_and_overlapping_data_is_trimmed(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t base = p->snd_nxt;
    peer_send_data(p, bulk, 500, 0);
    /* The same bytes again: not acceptable (RFC 9293 3.10.7.4), an ACK at once. */
    p->snd_nxt = base;
    peer_send_data(p, bulk, 500, 0);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, base + 500);
    /* Overlapping the old and the new: only the new counts. */
    p->snd_nxt = base + 250;
    peer_send_data(p, bulk + 250, 500, 0);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, base + 750);
    char buf[1000];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 750);
    assert_memory_equal(buf, bulk, 750);
    assert_int_equal(counter(p->stack, "tcp_rx_out_of_window"), 1);
    assert_int_equal(counter(p->stack, "tcp_rx_duplicate_bytes"), 250);
}

static void tcp_urgent_data_stays_in_line(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    struct seg s = { .flags = TCP_ACK | TCP_URG | TCP_PSH, .seq = p->snd_nxt, .ack = ISN + 1, .window = 511,
                     .urgent = 3, .data = "abcdef", .len = 6,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
    peer_send(p, &s);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), 6);
    assert_memory_equal(buf, "abcdef", 6);
}

static void tcp_paws_drops_a_segment_with_an_old_timestamp(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    struct seg s = { .flags = TCP_ACK | TCP_PSH, .seq = p->snd_nxt, .ack = ISN + 1, .window = 511, .data = "old",
                     .len = 3, .opt = { .timestamps_present = true, .ts_val = p->ts_val - 1 } };
    peer_send(p, &s);
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, p->snd_nxt);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -EAGAIN);
    assert_int_equal(counter(p->stack, "tcp_rx_paws_rejected"), 1);
    /* Without any timestamp, once they were agreed: dropped silently
     * (RFC 7323 3.2). */
    s.opt.timestamps_present = false;
    peer_send(p, &s);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_rx_no_timestamp"), 1);
    /* A reset needs no timestamp. */
    struct seg rst = { .flags = TCP_RST, .seq = p->snd_nxt };
    peer_send(p, &rst);
    assert_int_equal(naru_socket_error(p->stack, f->s), -ECONNRESET);
}

static void tcp_full_buffer_closes_the_window_and_reading_reopens_it(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    int s = open_with(p, true, true, 4096);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.rcv_wscale, 0); /* a fixed 4 KiB buffer needs no scale */
    peer_send_data(p, bulk, MSS, 0);
    peer_send_data(p, bulk + MSS, MSS, 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 2 * MSS);
    assert_int_equal(g->h.window, 4096 - 2 * MSS);
    /* More than the window: the excess is trimmed, the window is zero. */
    peer_send_data(p, bulk + 2 * MSS, MSS, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 4096);
    assert_int_equal(g->h.window, 0);
    /* A probe into the zero window gets the same answer. */
    p->snd_nxt = PEER_ISN + 1 + 4096;
    peer_send_data(p, bulk, 1, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 4096);
    assert_int_equal(g->h.window, 0);
    /* Reading reopens it, and the peer is told at once. */
    static char buf[8192];
    assert_int_equal(naru_recv(p->stack, s, buf, 1000, 0), 1000);
    peer_expect_nothing(p); /* 1000 bytes is less than an MSS: no sliver */
    assert_int_equal(naru_recv(p->stack, s, buf + 1000, sizeof buf - 1000, 0), 3096);
    assert_memory_equal(buf, bulk, 4096);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 1 + 4096);
    assert_int_equal(g->h.window, 4096);
}

static void tcp_data_sent_before_accept_is_readable(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* A second connection, whose data comes with the final ACK. */
    struct seg syn = { .flags = TCP_SYN, .seq = 7000, .window = 65535, .src_port = 3000 };
    peer_send(p, &syn);
    struct got *g = peer_take(p);
    uint32_t isn = g->h.seq;
    struct seg data = { .flags = TCP_ACK | TCP_PSH, .seq = 7001, .ack = isn + 1, .window = 1000,
                        .src_port = 3000, .data = "early", .len = 5 };
    peer_send(p, &data);
    int s = naru_accept(p->stack, f->listener, NULL);
    assert_true(s >= 0);
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLIN);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), 5);
    assert_memory_equal(buf, "early", 5);
}

/* ---- sending ---- */

static void tcp_nagle_holds_a_short_segment_while_one_is_unacked(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_send(p->stack, f->s, "a", 1, 0), 1);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH, ISN + 1, p->snd_nxt);
    assert_int_equal(g->len, 1);
    naru_send(p->stack, f->s, "b", 1, 0);
    naru_send(p->stack, f->s, "c", 1, 0);
    peer_expect_nothing(p);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 511);
    g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH, ISN + 2, p->snd_nxt);
    assert_int_equal(g->len, 2);
    assert_memory_equal(g->data, "bc", 2);
    /* TCP_NODELAY: every write goes at once. */
    assert_int_equal(naru_setsockopt(p->stack, f->s, NARU_TCP_NODELAY, 1), 0);
    naru_send(p->stack, f->s, "d", 1, 0);
    naru_send(p->stack, f->s, "e", 1, 0);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, ISN + 4, p->snd_nxt);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, ISN + 5, p->snd_nxt);
}

static void tcp_sender_respects_the_scaled_window_and_avoids_slivers(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_send_ack(p, 100); /* 100 << 7 = 12800 bytes */
    assert_int_equal(naru_send(p->stack, f->s, bulk, 20000, 0), 20000);
    uint32_t seq = ISN + 1;
    for (int i = 0; i < 8; i++) {
        struct got *g = peer_take(p);
        expect_seg(g, TCP_ACK, seq, p->snd_nxt);
        assert_int_equal(g->len, MSS);
        assert_memory_equal(g->data, bulk + (seq - ISN - 1), MSS);
        seq += MSS;
    }
    /* 1216 bytes of window are left: less than half the largest window the
     * peer offered, so they wait (RFC 9293 3.8.6.2.1). */
    peer_expect_nothing(p);
    p->rcv_nxt = seq;
    peer_send_ack(p, 100);
    struct got *g = peer_take(p);
    assert_int_equal(g->h.seq, seq);
    assert_int_equal(g->len, MSS);
}

static void tcp_zero_window_is_probed_with_backoff(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_send(p->stack, f->s, bulk, 1000, 0);
    peer_take(p);
    p->rcv_nxt = ISN + 1001;
    peer_send_ack(p, 0);
    naru_send(p->stack, f->s, bulk, 500, 0);
    peer_expect_nothing(p);
    /* RFC 9293 3.8.6.1: probe after the RTO (200 ms here), then back off. */
    naru_time_t wait = 200 * NARU_MS;
    for (int i = 0; i < 3; i++) {
        peer_advance(p, wait - 1);
        peer_expect_nothing(p);
        peer_advance(p, 1);
        struct got *g = peer_take(p);
        expect_seg(g, TCP_ACK, ISN + 1000, p->snd_nxt); /* SND.UNA - 1: the peer must answer */
        assert_int_equal(g->len, 0);
        peer_send_ack(p, 0); /* the answer: still zero */
        wait *= 2;
    }
    assert_int_equal(counter(p->stack, "tcp_zero_window_probes"), 3);
    peer_send_ack(p, 511);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH, ISN + 1001, p->snd_nxt);
    assert_int_equal(g->len, 500);
}

static void tcp_retransmission_timer_backs_off_then_gives_up(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(ti.rto_us, 200000); /* the handshake's sample, floored at the minimum RTO */
    naru_send(p->stack, f->s, "x", 1, 0);
    peer_take(p);
    /* First a tail loss probe (RFC 8985 7.2): with one segment out its PTO
     * is 2*SRTT plus the peer's worst-case delayed ACK, no later than the
     * RTO; it sends the segment again and starts the RTO afresh. */
    peer_advance(p, 200 * NARU_MS - 1);
    peer_expect_nothing(p);
    peer_advance(p, 1);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, ISN + 1, p->snd_nxt);
    naru_time_t wait = 200 * NARU_MS;
    for (int i = 0; i < 3; i++) {
        peer_advance(p, wait - 1);
        peer_expect_nothing(p);
        peer_advance(p, 1);
        struct got *g = peer_take(p);
        expect_seg(g, TCP_ACK | TCP_PSH, ISN + 1, p->snd_nxt);
        assert_int_equal(g->len, 1);
        wait *= 2;
    }
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(ti.retransmits, 3);
    assert_int_equal(ti.rto_us, 1600000);
    assert_int_equal(ti.snd_cwnd, MSS);
    peer_advance(p, wait);
    peer_expect_nothing(p);
    assert_true(naru_socket_events(p->stack, f->s) & NARU_POLLERR);
    char buf[4];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), -ETIMEDOUT);
    assert_int_equal(counter(p->stack, "tcp_retransmits"), 4);
    assert_int_equal(counter(p->stack, "tcp_tail_loss_probes"), 1);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 3);
}

static void tcp_rtt_and_rto_come_from_timestamps(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    naru_send(p->stack, f->s, "x", 1, 0);
    peer_take(p);
    peer_advance(p, 50 * NARU_MS);
    p->rcv_nxt = ISN + 2;
    peer_send_ack(p, 511);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    /* RFC 6298 2.3 after a first sample of 0 (the handshake): SRTT =
     * 50/8 ms, RTTVAR = 50/4 ms; the variance term floored at the 200 ms
     * minimum: RTO = 6.25 + 200 ms. */
    assert_int_equal(ti.rtt_us, 6250);
    assert_int_equal(ti.rttvar_us, 12500);
    assert_int_equal(ti.rto_us, 206250);
    assert_int_equal(ti.bytes_acked, 1);
}

/* On a steady path RTTVAR decays toward 0, and RFC 6298's SRTT + 4*RTTVAR
 * toward SRTT itself: an ACK held back by the receiver's delayed-ACK timer
 * would then look like a loss. The minimum RTO floors the variance term,
 * so the RTO stays SRTT + 200 ms (Linux's rule). */
static void tcp_rto_stays_the_minimum_above_srtt_on_a_steady_path(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t acked = ISN + 1;
    for (int i = 0; i < 80; i++) {
        naru_send(p->stack, f->s, "x", 1, 0);
        peer_take(p);
        peer_advance(p, 100 * NARU_MS);
        p->rcv_nxt = ++acked;
        peer_send_ack(p, 511);
    }
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_true(ti.rtt_us > 99000 && ti.rtt_us <= 100000);
    assert_true(ti.rttvar_us < 1000);
    assert_int_equal(ti.rto_us, ti.rtt_us + 200000);
    /* Nothing goes again before SRTT + 200 ms. */
    naru_send(p->stack, f->s, "y", 1, 0);
    peer_take(p);
    peer_advance(p, ti.rto_us * NARU_US - NARU_MS);
    peer_expect_nothing(p);
    peer_advance(p, 2 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, acked, p->snd_nxt);
}

static void tcp_three_duplicate_acks_bring_a_fast_retransmit(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    int s = open_with(p, false, true, 0); /* no SACK: RFC 5681 / 6582 */
    assert_int_equal(naru_send(p->stack, s, bulk, 6 * MSS, 0), 6 * MSS);
    for (int i = 0; i < 6; i++)
        peer_take(p);
    /* Segment 1 lost; 2 and 3 arrived. */
    p->rcv_nxt = ISN + 1 + MSS;
    peer_send_ack(p, 511);
    peer_send_ack(p, 511);
    peer_send_ack(p, 511);
    peer_expect_nothing(p);
    peer_send_ack(p, 511);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1 + MSS, p->snd_nxt);
    assert_int_equal(g->len, MSS);
    assert_memory_equal(g->data, bulk + MSS, MSS);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_true(ti.in_recovery);
    /* RFC 6582: ssthresh = FlightSize / 2 = 2.5 segments, cwnd inflated by 3. */
    assert_int_equal(ti.snd_ssthresh, 5 * MSS / 2);
    assert_int_equal(ti.snd_cwnd, 5 * MSS / 2 + 3 * MSS);
    /* A partial ACK: the next hole goes at once. */
    p->rcv_nxt = ISN + 1 + 3 * MSS;
    peer_send_ack(p, 511);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1 + 3 * MSS, p->snd_nxt);
    /* The full ACK ends recovery. */
    p->rcv_nxt = ISN + 1 + 6 * MSS;
    peer_send_ack(p, 511);
    naru_tcp_get_info(p->stack, s, &ti);
    assert_false(ti.in_recovery);
    assert_int_equal(counter(p->stack, "tcp_fast_retransmits"), 1);
}

static void tcp_sack_recovery_retransmits_only_the_holes(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_send(p->stack, f->s, bulk, 8 * MSS, 0), 8 * MSS);
    for (int i = 0; i < 8; i++)
        peer_take(p);
    uint32_t base = ISN + 1;
    /* Segments 0 and 2 lost; the peer SACKs 1 and 3..7, one at a time. */
    struct seg ack = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = base, .window = 511,
                       .opt = { .timestamps_present = true, .ts_val = p->ts_val } };
    uint32_t right[4] = { 4, 5, 6, 7 };
    for (int i = 0; i < 4; i++) {
        ack.opt.ts_ecr = p->ts_recent;
        ack.opt.sack_count = 2;
        ack.opt.sack[0] = (struct tcp_sack_block){ base + 3 * MSS, base + right[i] * MSS };
        ack.opt.sack[1] = (struct tcp_sack_block){ base + MSS, base + 2 * MSS };
        peer_send(p, &ack);
    }
    /* Retransmissions: only segments 0 and 2, each once. */
    struct got g;
    int holes[2] = { 0, 0 };
    while (peer_maybe_take(p, &g)) {
        assert_int_equal(g.len, MSS);
        uint32_t which = (g.h.seq - base) / MSS;
        assert_true(which == 0 || which == 2);
        holes[which / 2]++;
    }
    assert_int_equal(holes[0], 1);
    assert_int_equal(holes[1], 1);
    assert_int_equal(counter(p->stack, "tcp_sack_recoveries"), 1);
    /* Everything arrives: recovery ends with cwnd = ssthresh (RFC 6937). */
    p->rcv_nxt = base + 8 * MSS;
    peer_send_ack(p, 511);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_false(ti.in_recovery);
    assert_int_equal(ti.snd_cwnd, ti.snd_ssthresh);
}

static void tcp_lost_fast_retransmission_is_sent_again_without_a_timeout(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t base = ISN + 1;
    assert_int_equal(naru_send(p->stack, f->s, bulk, 30 * MSS, 0), 30 * MSS);
    for (int i = 0; i < 10; i++)
        peer_take(p); /* the initial window */
    /* Segment 0 is lost; the peer SACKs the rest as it comes. */
    struct seg ack = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = base, .window = 511,
                       .opt = { .timestamps_present = true, .ts_val = p->ts_val, .sack_count = 1 } };
    uint32_t sacked = base + MSS, high = base + 10 * MSS;
    int retransmissions = 0;
    struct got g;
    for (int round = 0; round < 40 && retransmissions < 2; round++) {
        if (seq_lt(sacked + MSS, high))
            sacked += MSS;
        ack.opt.sack[0] = (struct tcp_sack_block){ base + MSS, sacked };
        peer_send(p, &ack);
        /* Whatever comes, new data or segment 0 again; the first copy of
         * segment 0 is lost on its way, as the original was. */
        while (peer_maybe_take(p, &g)) {
            if (g.h.seq == base)
                retransmissions++;
            else if (seq_gt(g.h.seq + (uint32_t)g.len, high))
                high = g.h.seq + (uint32_t)g.len;
        }
    }
    assert_int_equal(retransmissions, 2);
    assert_int_equal(counter(p->stack, "tcp_lost_retransmits"), 1);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 0);
}

static void tcp_segments_wrapping_the_send_ring_carry_right_checksums(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_setsockopt(p->stack, f->s, NARU_SO_SNDBUF, 2048), 0);
    assert_int_equal(naru_setsockopt(p->stack, f->s, NARU_TCP_NODELAY, 1), 0);
    /* Odd and even lengths and wrap points (peer_take() checks each
     * segment's checksum with naru's parser). */
    size_t sizes[] = { 1001, 1500, 1447, 2000, 7, 1999 };
    size_t off = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(naru_send(p->stack, f->s, bulk + off, sizes[i], 0), (long)sizes[i]);
        size_t got = 0;
        struct got g;
        while (peer_maybe_take(p, &g)) {
            assert_memory_equal(g.data, bulk + off + got, g.len);
            got += g.len;
        }
        assert_int_equal(got, sizes[i]);
        off += sizes[i];
        p->rcv_nxt = ISN + 1 + (uint32_t)off;
        peer_send_ack(p, 511);
    }
}

static void tcp_keepalive_probes_an_idle_connection_then_gives_up(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    peer_advance(p, 20 * NARU_SEC);
    peer_expect_nothing(p); /* off by default */
    assert_int_equal(naru_setsockopt(p->stack, f->s, NARU_SO_KEEPALIVE, 1), 0);
    peer_advance(p, 10 * NARU_SEC - 1);
    peer_expect_nothing(p);
    peer_advance(p, 1);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN, p->snd_nxt); /* SND.UNA - 1, no data (RFC 1122 4.2.3.6) */
    assert_int_equal(g->len, 0);
    /* An answer resets the count. */
    peer_send_ack(p, 511);
    peer_advance(p, 10 * NARU_SEC);
    peer_take(p);
    for (int i = 0; i < 2; i++) {
        peer_advance(p, 1 * NARU_SEC);
        peer_take(p);
    }
    peer_advance(p, 1 * NARU_SEC);
    peer_expect_nothing(p);
    assert_int_equal(naru_socket_error(p->stack, f->s), -ETIMEDOUT);
    assert_int_equal(counter(p->stack, "tcp_keepalive_probes"), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_in_order_data_is_acked_after_the_delayed_ack_time),
        T(tcp_every_second_full_segment_is_acked_at_once),
        T(tcp_out_of_order_data_gets_duplicate_acks_with_sack_blocks_in_recency_order),
        T(tcp_duplicate_and_overlapping_data_is_trimmed),
        T(tcp_urgent_data_stays_in_line),
        T(tcp_paws_drops_a_segment_with_an_old_timestamp),
        T(tcp_full_buffer_closes_the_window_and_reading_reopens_it),
        T(tcp_data_sent_before_accept_is_readable),
        T(tcp_nagle_holds_a_short_segment_while_one_is_unacked),
        T(tcp_sender_respects_the_scaled_window_and_avoids_slivers),
        T(tcp_zero_window_is_probed_with_backoff),
        cmocka_unit_test_setup_teardown(tcp_retransmission_timer_backs_off_then_gives_up, setup_few_retries,
                                        peer_fixture_teardown),
        T(tcp_rtt_and_rto_come_from_timestamps),
        T(tcp_rto_stays_the_minimum_above_srtt_on_a_steady_path),
        T(tcp_three_duplicate_acks_bring_a_fast_retransmit),
        T(tcp_sack_recovery_retransmits_only_the_holes),
        T(tcp_lost_fast_retransmission_is_sent_again_without_a_timeout),
        T(tcp_segments_wrapping_the_send_ring_carry_right_checksums),
        cmocka_unit_test_setup_teardown(tcp_keepalive_probes_an_idle_connection_then_gives_up, setup_keepalive,
                                        peer_fixture_teardown),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
