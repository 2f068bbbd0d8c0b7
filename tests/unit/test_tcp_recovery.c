/* Loss recovery that wastes less time, segment by segment: RACK's
 * time-based loss detection and tail loss probes (RFC 8985); spurious
 * timeouts and recoveries undone (RFC 3522, 3708, 4015); duplicates
 * reported by D-SACK (RFC 2883). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "tcp/tcp_seq.h"
#include "testnet.h"

#define ISN 1000000u
#define PEER_ISN 5000000u
#define MSS 1448
#define BASE (ISN + 1)
#define RTT (10 * NARU_MS)

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

static int setup_tso(void **state)
{
    static struct tcp_peer_fixture f;
    peer_init_offload(&f.p, NULL, NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_RX_LARGE);
    f.s = peer_passive_open(&f.p, 80, ISN, PEER_ISN, &f.listener);
    *state = &f;
    return 0;
}

static int setup_no_dsack(void **state)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_dsack = false;
    return setup_with(state, &c);
}

/* The peer's ACK of `ack` with up to two SACK blocks (0 for none). */
static void ack_with_sack(struct tcp_peer *p, uint32_t ack, uint32_t l1, uint32_t r1, uint32_t l2, uint32_t r2)
{
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = ack, .window = 2048,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = p->ts_recent } };
    if (l1 != r1)
        s.opt.sack[s.opt.sack_count++] = (struct tcp_sack_block){ l1, r1 };
    if (l2 != r2)
        s.opt.sack[s.opt.sack_count++] = (struct tcp_sack_block){ l2, r2 };
    peer_send(p, &s);
}

/* Some round trips of RTT, one segment each, so that SRTT and RACK's
 * min_RTT know the path. Returns the next sequence number to send. */
static uint32_t warm_up(struct tcp_peer *p, int s)
{
    uint32_t next = BASE;
    for (int i = 0; i < 12; i++) {
        assert_int_equal(naru_send(p->stack, s, bulk, MSS, 0), MSS);
        peer_take(p);
        peer_advance(p, RTT);
        next += MSS;
        ack_with_sack(p, next, 0, 0, 0, 0);
    }
    peer_expect_nothing(p);
    return next;
}

/* Send n full segments from `from`, all taken by the peer; returns their
 * sequence numbers' end. */
static uint32_t send_segments(struct tcp_peer *p, int s, uint32_t from, int n)
{
    assert_int_equal(naru_send(p->stack, s, bulk, (size_t)n * MSS, 0), n * MSS);
    for (int i = 0; i < n; i++) {
        struct got *g = peer_take(p);
        assert_int_equal(g->h.seq, from + (uint32_t)i * MSS);
        assert_int_equal(g->len, MSS);
    }
    peer_expect_nothing(p);
    return from + (uint32_t)n * MSS;
}

static naru_time_t srtt_of(struct tcp_peer *p, int s)
{
    return tcp_debug_conn(p->stack, s)->srtt;
}

/* RFC 8985 7: the last two segments of a flight are lost. Without a probe
 * nothing would come back until the RTO; the probe (the last segment
 * again, 2*SRTT after the last ACK) is SACKed, RACK then deems the other
 * lost, and recovery repairs it. */
static void tcp_tail_loss_is_repaired_by_a_probe_not_a_timeout(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = send_segments(p, f->s, start, 4);
    /* Segments 0 and 1 arrive, 2 and 3 do not. */
    peer_advance(p, RTT);
    ack_with_sack(p, start + 2 * MSS, 0, 0, 0, 0);
    peer_expect_nothing(p);
    naru_time_t srtt = srtt_of(p, f->s);
    /* RFC 8985 7.2: PTO = 2*SRTT (two segments out), plus Linux's 2 ms of
     * timer slack: well before the RTO (SRTT + 200 ms). */
    naru_time_t pto = 2 * srtt + 2 * NARU_MS;
    peer_advance(p, pto - NARU_US);
    peer_expect_nothing(p);
    peer_advance(p, NARU_US);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH, start + 3 * MSS, p->snd_nxt); /* the last segment again */
    assert_memory_equal(g->data, bulk + 3 * MSS, MSS);
    assert_int_equal(counter(p->stack, "tcp_tail_loss_probes"), 1);
    /* The probe arrives; its SACK shows segment 2 missing. Segment 2 left
     * more than RACK.rtt plus the reordering window before the probe
     * came back SACKed: RACK deems it lost at once (RFC 8985 6.2 step 5). */
    peer_advance(p, RTT);
    ack_with_sack(p, start + 2 * MSS, start + 3 * MSS, end, 0, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, start + 2 * MSS, p->snd_nxt);
    assert_memory_equal(g->data, bulk + 2 * MSS, MSS);
    peer_advance(p, RTT);
    ack_with_sack(p, end, 0, 0, 0, 0);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(ti.unacked, 0);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 0);
    assert_int_equal(counter(p->stack, "tcp_fast_retransmits"), 1);
}

/* RFC 8985 7.3: with data waiting and room in the peer's window, the probe
 * is a new segment, whatever cwnd says; its ACK (here: everything) makes
 * a retransmission needless. */
static void tcp_tail_loss_probe_sends_new_data_when_it_can(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    naru_time_t srtt = srtt_of(p, f->s);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    uint32_t cwnd_segs = ti.snd_cwnd / MSS;
    /* More than cwnd: the rest waits. */
    assert_int_equal(naru_send(p->stack, f->s, bulk, (size_t)(cwnd_segs + 2) * MSS, 0), (cwnd_segs + 2) * MSS);
    for (uint32_t i = 0; i < cwnd_segs; i++)
        peer_take(p);
    peer_expect_nothing(p);
    /* Every ACK of the flight is lost. */
    peer_advance(p, 2 * srtt + 2 * NARU_MS);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, start + cwnd_segs * MSS, p->snd_nxt);
    assert_int_equal(g->len, MSS);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_tail_loss_probes"), 1);
    assert_int_equal(counter(p->stack, "tcp_retransmits"), 0);
    /* The probe's ACK covers it all: no loss, no reduction. */
    peer_advance(p, RTT);
    ack_with_sack(p, start + (cwnd_segs + 1) * MSS, 0, 0, 0, 0);
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_false(ti.in_recovery);
    assert_true(ti.snd_cwnd >= cwnd_segs * MSS);
    assert_int_equal(counter(p->stack, "tcp_tlp_recoveries"), 0);
}

/* RFC 8985 6.2: a hole below a SACKed segment is not lost at once, with
 * fewer than DupThresh segments SACKed: RACK allows min_RTT/4 for
 * reordering, then marks it lost and recovery begins. */
static void tcp_rack_marks_a_hole_lost_once_the_reordering_window_passes(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    send_segments(p, f->s, start, 2);
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + MSS, start + 2 * MSS, 0, 0);
    peer_advance(p, RTT / 4 - NARU_US);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_fast_retransmits"), 0);
    peer_advance(p, NARU_US);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, start, p->snd_nxt);
    assert_int_equal(g->len, MSS);
    assert_int_equal(counter(p->stack, "tcp_fast_retransmits"), 1);
    assert_int_equal(counter(p->stack, "tcp_rack_reorder_timeouts"), 1);
}

/* The same hole filled late by the network, within the reordering
 * window: nothing is sent again, and RACK now knows the path reorders. */
static void tcp_rack_leaves_a_late_segment_alone_within_the_window(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = send_segments(p, f->s, start, 2);
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + MSS, end, 0, 0);
    peer_advance(p, RTT / 8);
    ack_with_sack(p, end, 0, 0, 0, 0);
    peer_advance(p, RTT);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_retransmits"), 0);
    assert_true(tcp_debug_conn(p->stack, f->s)->rack.reordering_seen);
}

/* With DupThresh segments SACKed above a hole, and no reordering seen,
 * the hole is lost at once (RFC 8985 6.2 step 4: reo_wnd is 0), as fast
 * as RFC 6675's three duplicate ACKs. */
static void tcp_rack_deems_a_hole_lost_at_once_below_three_sacked_segments(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    send_segments(p, f->s, start, 4);
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + MSS, start + 2 * MSS, 0, 0);
    ack_with_sack(p, start, start + MSS, start + 3 * MSS, 0, 0);
    peer_expect_nothing(p); /* two SACKed: the reordering window runs */
    ack_with_sack(p, start, start + MSS, start + 4 * MSS, 0, 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, start, p->snd_nxt);
    assert_int_equal(counter(p->stack, "tcp_rack_reorder_timeouts"), 0);
}

/* RFC 8985 6.3: after a timeout, what RACK deems lost goes first, from
 * cwnd = 1 segment, and data the peer SACKed never goes again. */
static void tcp_rto_recovery_resends_what_is_lost_and_skips_what_is_sacked(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = send_segments(p, f->s, start, 6);
    /* Segments 2 and 3 SACKed, then nothing more: 0, 1, 4, 5 lost; the
     * retransmission of 0 and 1 is lost too. */
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + 2 * MSS, start + 4 * MSS, 0, 0);
    peer_advance(p, RTT / 4);
    struct got g;
    while (peer_maybe_take(p, &g))
        ;
    peer_advance(p, 400 * NARU_MS);
    assert_true(counter(p->stack, "tcp_timeouts") >= 1);
    uint32_t seen[8];
    int n = 0;
    while (peer_maybe_take(p, &g) && n < 8)
        seen[n++] = g.h.seq;
    assert_true(n >= 1);
    assert_int_equal(seen[0], start); /* RFC 6298 5.4: the earliest first */
    /* The peer takes it: cwnd grows and the rest of the lost goes, never
     * segments 2 and 3. */
    for (int round = 0; round < 6; round++) {
        peer_advance(p, RTT);
        ack_with_sack(p, start, start + 2 * MSS, start + 4 * MSS, 0, 0);
        while (peer_maybe_take(p, &g)) {
            assert_false(seq_ge(g.h.seq, start + 2 * MSS) && seq_lt(g.h.seq, start + 4 * MSS));
        }
    }
    (void)end;
}

/* Fast recovery has sent again all it deemed lost, and the ACK that would
 * end it is lost: RFC 8985 7.2 would leave that to the RTO; naru probes
 * (as FreeBSD's RACK stack does), here with the one segment not SACKed. */
static void tcp_probe_in_recovery_when_everything_lost_went_again(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = send_segments(p, f->s, start, 5);
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + MSS, end, 0, 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, start, p->snd_nxt); /* recovery's retransmission */
    peer_expect_nothing(p);
    naru_time_t srtt = srtt_of(p, f->s);
    /* Its ACK never comes. */
    peer_advance(p, 2 * srtt + 2 * NARU_MS);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, start, p->snd_nxt);
    assert_int_equal(counter(p->stack, "tcp_tail_loss_probes"), 1);
    peer_advance(p, RTT);
    ack_with_sack(p, end, 0, 0, 0, 0);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_false(ti.in_recovery);
    assert_int_equal(ti.unacked, 0);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 0);
}

/* A SACK block covers data, not our FIN: the segment that carries the FIN
 * counts as SACKed when its data is, and the hole before it is found. */
static void tcp_rack_takes_a_sack_of_the_segment_with_our_fin(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    /* A short segment; a second one Nagle holds until our FIN joins it. */
    assert_int_equal(naru_send(p->stack, f->s, bulk, 100, 0), 100);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, start, p->snd_nxt);
    assert_int_equal(naru_send(p->stack, f->s, bulk + 100, 100, 0), 100);
    peer_expect_nothing(p);
    assert_int_equal(naru_shutdown(p->stack, f->s, NARU_SHUT_WR), 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK | TCP_PSH | TCP_FIN, start + 100, p->snd_nxt);
    /* The first is lost; the second arrives, SACKed up to the FIN. */
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + 100, start + 200, 0, 0);
    peer_advance(p, RTT / 4);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, start, p->snd_nxt);
    assert_int_equal(g->len, 100);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 0);
}

/* A TSO frame leaves as one and arrives as segments: RACK keeps a record
 * per segment, so the one segment lost inside a frame is the one sent
 * again, alone. */
static void tcp_rack_resends_one_segment_of_a_tso_frame(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    assert_int_equal(naru_send(p->stack, f->s, bulk, 10 * MSS, 0), 10 * MSS);
    struct got *g = peer_take(p);
    assert_int_equal(g->h.seq, start);
    assert_int_equal(g->len, 10 * MSS); /* one frame */
    peer_expect_nothing(p);
    /* Segment 4 of the ten is lost. */
    peer_advance(p, RTT);
    ack_with_sack(p, start + 4 * MSS, start + 5 * MSS, start + 10 * MSS, 0, 0);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, start + 4 * MSS, p->snd_nxt);
    assert_int_equal(g->len, MSS);
    assert_memory_equal(g->data, bulk + 4 * MSS, MSS);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_retransmits"), 1);
}

/* recovery.h: a connection recovers as its handshake agreed: NewReno
 * without SACK, RFC 6675 with it, and RACK-TLP from the first write on
 * (its log exists then), unless RACK is turned off. */
static void tcp_recovery_follows_the_options_agreed(void **state)
{
    (void)state;
    static const struct {
        bool sack, rack;
        const char *before, *after;
    } cases[] = {
        { true, true, "sack", "rack" },
        { true, false, "sack", "sack" },
        { false, true, "newreno", "newreno" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct naru_stack_config config;
        naru_stack_config_default(&config);
        config.tcp_sack = cases[i].sack;
        config.tcp_rack = cases[i].rack;
        struct tcp_peer p;
        peer_init(&p, &config);
        int listener, s = peer_passive_open(&p, 80, ISN, PEER_ISN, &listener);
        assert_string_equal(tcp_debug_conn(p.stack, s)->recovery->name, cases[i].before);
        assert_int_equal(naru_send(p.stack, s, bulk, MSS, 0), MSS);
        peer_take(&p);
        assert_string_equal(tcp_debug_conn(p.stack, s)->recovery->name, cases[i].after);
        peer_fini(&p);
    }
}

/* ---- spurious retransmissions undone (RFC 3522, 3708, 4015) ---- */

/* A flight of n segments whose ACKs are all lost: the probe (the last
 * segment again), then the timeout (the first again, cwnd one segment). */
static uint32_t flight_until_timeout(struct tcp_peer *p, int s, uint32_t start, int n)
{
    uint32_t end = send_segments(p, s, start, n);
    naru_time_t srtt = srtt_of(p, s);
    peer_advance(p, 2 * srtt + 2 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK | TCP_PSH, end - MSS, p->snd_nxt);
    peer_advance(p, 400 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK, start, p->snd_nxt);
    assert_int_equal(counter(p->stack, "tcp_timeouts"), 1);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.snd_cwnd, MSS);
    return end;
}

/* RFC 3708 with RFC 4015's response: every byte the timeout sent again is
 * reported as a duplicate: it was needless. Nothing more goes again, cwnd
 * comes back to the flight plus an initial window at most, ssthresh to the
 * flight before, and the RTO loses its backoff. */
static void tcp_a_timeout_reported_needless_by_dsack_is_undone(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    struct naru_tcp_info before;
    naru_tcp_get_info(p->stack, f->s, &before);
    uint32_t end = flight_until_timeout(p, f->s, start, 4);
    peer_advance(p, RTT);
    ack_with_sack(p, end, start, start + MSS, 0, 0); /* all of it, and a D-SACK */
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_int_equal(counter(p->stack, "tcp_spurious_rtos"), 1);
    assert_int_equal(ti.snd_cwnd, 4 * MSS);          /* FlightSize 0 + min(bytes_acked, IW) */
    assert_true(ti.snd_ssthresh >= 4 * MSS);        /* pipe_prev */
    assert_true(ti.rto_us < before.rto_us + 50000); /* no backoff (it was doubled) */
    assert_int_equal(ti.retransmits, 0);
    peer_expect_nothing(p);
}

/* RFC 3522: the first ACK after the timeout's retransmission echoes the
 * timestamp of the original, so it acknowledges the original: the segments
 * were late, not lost. Those not yet acknowledged are not sent again. */
static void tcp_a_timeout_for_late_segments_is_undone_by_eifel(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = send_segments(p, f->s, start, 4);
    uint32_t echo = p->ts_recent; /* the originals' TSval */
    naru_time_t srtt = srtt_of(p, f->s);
    peer_advance(p, 2 * srtt + 2 * NARU_MS);
    peer_take(p); /* the probe */
    peer_advance(p, 400 * NARU_MS);
    expect_seg(peer_take(p), TCP_ACK, start, p->snd_nxt); /* the timeout */
    /* The originals' ACK, late: two of four acknowledged. */
    struct seg ack = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = start + 2 * MSS, .window = 2048,
                       .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = echo } };
    peer_send(p, &ack);
    assert_int_equal(counter(p->stack, "tcp_spurious_rtos"), 1);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_true(ti.snd_cwnd >= 4 * MSS); /* FlightSize 2 + min(2 acked, IW) */
    assert_false(ti.in_recovery);
    /* Segments 2 and 3 are not sent again (no go-back-N). */
    struct got g;
    while (peer_maybe_take(p, &g))
        assert_false(seq_lt(g.h.seq, end));
}

/* A fast recovery for a segment that was only reordered: the peer reports
 * the retransmission as a duplicate; cwnd and ssthresh come back, and
 * RACK widens its reordering window (RFC 8985 6.2 step 4). */
static void tcp_a_recovery_for_a_reordered_segment_is_undone(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    struct naru_tcp_info before;
    naru_tcp_get_info(p->stack, f->s, &before);
    uint32_t end = send_segments(p, f->s, start, 4);
    peer_advance(p, RTT);
    ack_with_sack(p, start, start + MSS, end, 0, 0); /* three SACKed: segment 0 lost, says RACK */
    expect_seg(peer_take(p), TCP_ACK, start, p->snd_nxt);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_true(ti.in_recovery);
    assert_true(ti.snd_ssthresh < before.snd_ssthresh);
    /* Segment 0 was late, and its retransmission arrives too. */
    peer_advance(p, RTT);
    ack_with_sack(p, end, start, start + MSS, 0, 0);
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_false(ti.in_recovery);
    assert_int_equal(counter(p->stack, "tcp_spurious_recoveries"), 1);
    assert_true(ti.snd_cwnd >= before.snd_cwnd);
    assert_int_equal(ti.snd_ssthresh, before.snd_ssthresh);
    assert_int_equal(tcp_debug_conn(p->stack, f->s)->rack.reo_wnd_mult, 2);
}

/* A real loss, repaired: no D-SACK and a current echo: nothing undone. */
static void tcp_a_real_timeout_is_not_undone(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t start = warm_up(p, f->s);
    uint32_t end = flight_until_timeout(p, f->s, start, 4);
    peer_advance(p, RTT);
    ack_with_sack(p, start + MSS, end - MSS, end, 0, 0); /* the retransmission filled the hole */
    assert_int_equal(counter(p->stack, "tcp_spurious_rtos"), 0);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, f->s, &ti);
    assert_true(ti.snd_cwnd <= 2 * MSS);
}

/* ---- D-SACK (RFC 2883), as a receiver ---- */

/* The peer's segment at `seq`, 100 bytes, whatever its snd_nxt says. */
static void peer_data_at(struct tcp_peer *p, uint32_t seq)
{
    struct seg s = { .flags = TCP_ACK, .seq = seq, .ack = p->rcv_nxt, .window = 2048, .data = bulk, .len = 100,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = p->ts_recent } };
    peer_send(p, &s);
}

/* RFC 2883 4.1.1: data that came before is acknowledged at once, with a
 * first SACK block reporting it, once. */
static void tcp_a_duplicate_segment_is_reported_in_a_dsack_block(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t seq = p->snd_nxt;
    peer_data_at(p, seq);
    peer_advance(p, 200 * NARU_MS); /* the delayed ACK */
    expect_seg(peer_take(p), TCP_ACK, BASE, seq + 100);
    peer_data_at(p, seq); /* again: its ACK was lost, say */
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, BASE, seq + 100);
    assert_int_equal(g->h.options.sack_count, 1);
    assert_int_equal(g->h.options.sack[0].left, seq);
    assert_int_equal(g->h.options.sack[0].right, seq + 100);
    assert_int_equal(counter(p->stack, "tcp_dsacks_sent"), 1);
    /* Reported once: the next ACK carries no SACK block. */
    p->snd_nxt = seq + 100;
    peer_send_data(p, bulk, 100, 0);
    peer_advance(p, 200 * NARU_MS);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, BASE, seq + 200);
    assert_int_equal(g->h.options.sack_count, 0);
}

/* RFC 2883 4.1.2: a duplicate of data held out of order: the D-SACK block
 * first, then the SACK block that holds it. */
static void tcp_a_duplicate_held_out_of_order_is_reported_with_its_block(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t seq = p->snd_nxt;
    peer_data_at(p, seq + 200); /* a hole of 200 bytes before it */
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, BASE, seq);
    assert_int_equal(g->h.options.sack_count, 1);
    peer_data_at(p, seq + 300);
    peer_take(p);
    peer_data_at(p, seq + 200); /* again */
    g = peer_take(p);
    expect_seg(g, TCP_ACK, BASE, seq);
    assert_int_equal(g->h.options.sack_count, 2);
    assert_int_equal(g->h.options.sack[0].left, seq + 200); /* the duplicate */
    assert_int_equal(g->h.options.sack[0].right, seq + 300);
    assert_int_equal(g->h.options.sack[1].left, seq + 200); /* the block holding it */
    assert_int_equal(g->h.options.sack[1].right, seq + 400);
}

/* tcp_dsack off: a duplicate is acknowledged, without a D-SACK. */
static void tcp_no_dsack_when_turned_off(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint32_t seq = p->snd_nxt;
    peer_data_at(p, seq);
    peer_advance(p, 200 * NARU_MS);
    peer_take(p);
    peer_data_at(p, seq);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_ACK, BASE, seq + 100);
    assert_int_equal(g->h.options.sack_count, 0);
    assert_int_equal(counter(p->stack, "tcp_dsacks_sent"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_tail_loss_is_repaired_by_a_probe_not_a_timeout),
        T(tcp_tail_loss_probe_sends_new_data_when_it_can),
        T(tcp_rack_marks_a_hole_lost_once_the_reordering_window_passes),
        T(tcp_rack_leaves_a_late_segment_alone_within_the_window),
        T(tcp_rack_deems_a_hole_lost_at_once_below_three_sacked_segments),
        T(tcp_rto_recovery_resends_what_is_lost_and_skips_what_is_sacked),
        T(tcp_probe_in_recovery_when_everything_lost_went_again),
        T(tcp_rack_takes_a_sack_of_the_segment_with_our_fin),
        cmocka_unit_test_setup_teardown(tcp_rack_resends_one_segment_of_a_tso_frame, setup_tso, peer_fixture_teardown),
        T(tcp_a_timeout_reported_needless_by_dsack_is_undone),
        T(tcp_a_timeout_for_late_segments_is_undone_by_eifel),
        T(tcp_a_recovery_for_a_reordered_segment_is_undone),
        T(tcp_a_real_timeout_is_not_undone),
        T(tcp_a_duplicate_segment_is_reported_in_a_dsack_block),
        T(tcp_a_duplicate_held_out_of_order_is_reported_with_its_block),
        cmocka_unit_test_setup_teardown(tcp_no_dsack_when_turned_off, setup_no_dsack, peer_fixture_teardown),
        cmocka_unit_test(tcp_recovery_follows_the_options_agreed),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
