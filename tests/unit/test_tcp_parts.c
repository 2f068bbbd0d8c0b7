/* TCP's building blocks alone: sequence arithmetic across the wrap, the
 * ring buffer, the receiver's out-of-order assembler (and its SACK blocks),
 * the sender's SACK scoreboard (RFC 6675 IsLost), its log of segments in
 * flight (RACK's), and the congestion controls' arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp/cc.h"
#include "tcp/tcp_assembler.h"
#include "tcp/tcp_buffer.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_sack.h"
#include "tcp/tcp_sent_log.h"
#include "tcp/tcp_seq.h"

static void seq_comparisons_survive_wraparound(void **state)
{
    (void)state;
    assert_true(seq_lt(0xfffffff0u, 0x10u));
    assert_true(seq_gt(0x10u, 0xfffffff0u));
    assert_true(seq_le(5, 5) && seq_ge(5, 5) && !seq_lt(5, 5));
    assert_true(seq_in(0, 0xffffffffu, 1));
    assert_false(seq_in(1, 0xffffffffu, 1));
    assert_int_equal(seq_max(0xfffffff0u, 0x10u), 0x10u);
    assert_int_equal(seq_min(0xfffffff0u, 0x10u), 0xfffffff0u);
    assert_true(seq_lt(0, 0x7fffffffu));
    assert_false(seq_lt(0, 0x80000001u)); /* more than half the space away: behind */
}

static void ring_wraps_and_keeps_order(void **state)
{
    (void)state;
    struct tcp_ring r;
    assert_int_equal(ring_init(&r, 10), 0);
    assert_int_equal(ring_write(&r, "abcdefgh", 8), 8);
    ring_consume(&r, 6);
    assert_int_equal(ring_write(&r, "ijklmnop", 8), 8); /* wraps */
    assert_int_equal(r.len, 10);
    assert_int_equal(ring_write(&r, "z", 1), 0);          /* full */
    char out[10];
    ring_peek(&r, 0, out, 10);
    assert_memory_equal(out, "ghijklmnop", 10);
    uint32_t run;
    const uint8_t *p = ring_span(&r, 0, 10, &run);
    assert_int_equal(run, 4);
    assert_memory_equal(p, "ghij", 4);
    ring_consume(&r, 10);
    assert_int_equal(r.len, 0);
    ring_fini(&r);
}

static void ring_takes_out_of_order_bytes_at_their_offsets(void **state)
{
    (void)state;
    struct tcp_ring r;
    ring_init(&r, 8);
    ring_write(&r, "ab", 2);
    ring_consume(&r, 2);                 /* the head moves on, as after a read */
    ring_write_at(&r, 3, "XYZ", 3);      /* bytes 3..5 past the end */
    ring_write_at(&r, 0, "cde", 3);      /* the hole */
    ring_commit(&r, 6);
    char out[6];
    ring_peek(&r, 0, out, 6);
    assert_memory_equal(out, "cdeXYZ", 6);
    /* Growing keeps them, and out-of-order bytes beyond, too. */
    ring_write_at(&r, 1, "Q", 1);
    assert_int_equal(ring_resize_keep(&r, 32, 8), 0);
    ring_commit(&r, 2);
    char all[8];
    ring_peek(&r, 0, all, 8);
    assert_memory_equal(all + 7, "Q", 1);
    assert_memory_equal(all, "cdeXYZ", 6);
    assert_int_equal(ring_resize(&r, 4), -EINVAL);
    ring_fini(&r);
}

/* A ring's memory follows what it holds, not its capacity: a 128 KiB ring
 * starts with RING_FIRST bytes and doubles as bytes come, wrapped contents
 * and out-of-order bytes past them kept in place, never past its limit. */
static void ring_memory_grows_with_what_it_holds(void **state)
{
    (void)state;
    static uint8_t in[128 * 1024], out[128 * 1024];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 7 + i / 251);
    struct tcp_ring r;
    assert_int_equal(ring_init(&r, sizeof in), 0);
    assert_int_equal(r.size, RING_FIRST);
    assert_int_equal(ring_free(&r), sizeof in); /* the window it may offer is the whole buffer */
    /* Wrapped: 5/8 of the first memory in, half read, 5/8 more (past its end). */
    const uint32_t part = RING_FIRST / 8 * 5, quarter = RING_FIRST / 4;
    assert_int_equal(ring_write(&r, in, part), part);
    ring_consume(&r, RING_FIRST / 2);
    assert_int_equal(ring_write(&r, in + part, part), part);
    assert_int_equal(r.size, RING_FIRST);
    /* Out of order, a quarter past the end: the memory doubles to hold it. */
    assert_int_equal(ring_reserve(&r, r.len + quarter + 1000), 0);
    assert_int_equal(r.size, 2 * RING_FIRST);
    ring_write_at(&r, quarter, in + 2 * part + quarter, 1000);
    assert_int_equal(ring_write(&r, in + 2 * part, quarter), quarter);
    ring_commit(&r, 1000);
    ring_peek(&r, 0, out, r.len);
    assert_memory_equal(out, in + RING_FIRST / 2, r.len);
    /* Filled to the limit, and no further. */
    uint32_t held = r.len;
    assert_int_equal(ring_write(&r, in, sizeof in), sizeof in - held);
    assert_int_equal(r.size, sizeof in);
    assert_int_equal(ring_free(&r), 0);
    assert_int_equal(ring_reserve(&r, sizeof in + 1), -EINVAL);
    ring_peek(&r, 0, out, held);
    assert_memory_equal(out, in + RING_FIRST / 2, held);
    ring_fini(&r);
    /* A small ring takes just its size. */
    assert_int_equal(ring_init(&r, 100), 0);
    assert_int_equal(r.size, 100);
    ring_fini(&r);
}

static void ring_cache_reuses_memory_of_the_same_size_within_its_bounds(void **state)
{
    (void)state;
    struct tcp_ring_cache cache;
    assert_int_equal(ring_cache_init(&cache, 3, 60, 100), 0);
    struct tcp_ring a, b, c;
    assert_int_equal(ring_init_cached(&a, 40, &cache), 0);
    assert_int_equal(ring_init_cached(&b, 30, &cache), 0);
    uint8_t *a_data = a.data, *b_data = b.data;
    ring_write(&a, "kept?", 5);
    ring_fini(&a);
    ring_fini(&b);
    assert_int_equal(cache.count, 2);
    assert_int_equal(cache.bytes, 70);
    /* The same size comes back, and starts empty; another size is new. */
    assert_int_equal(ring_init_cached(&c, 40, &cache), 0);
    assert_ptr_equal(c.data, a_data);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.head, 0);
    assert_int_equal(cache.count, 1);
    /* Resizing keeps the contents and gives the old buffer back; the new
     * one (none of its size is cached) is malloc's, and goes to the cache
     * in its turn. */
    ring_write(&c, "abc", 3);
    assert_int_equal(ring_resize(&c, 20), 0);
    assert_ptr_not_equal(c.data, b_data);
    char out[3];
    ring_peek(&c, 0, out, 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(cache.count, 2);
    assert_int_equal(cache.slots[1].size, 40);
    ring_fini(&c);
    assert_int_equal(cache.count, 3);
    assert_int_equal(ring_init_cached(&c, 40, &cache), 0);
    assert_ptr_equal(c.data, a_data);
    ring_fini(&c);
    assert_int_equal(ring_init_cached(&c, 30, &cache), 0);
    assert_ptr_equal(c.data, b_data);
    ring_fini(&c);
    assert_int_equal(cache.slots[0].size, 20);
    /* Bounded in bytes and entries: the oldest give way; a ring larger than the
     * largest kept is not kept at all. */
    struct tcp_ring d, e;
    assert_int_equal(ring_init_cached(&d, 50, &cache), 0);
    assert_int_equal(ring_init_cached(&e, 61, &cache), 0);
    ring_fini(&d); /* three kept at most: the 20 goes; 40 + 30 + 50 > 100: the 40 goes */
    assert_int_equal(cache.count, 2);
    assert_int_equal(cache.bytes, 80);
    assert_int_equal(cache.slots[0].size, 30);
    ring_fini(&e);
    assert_int_equal(cache.count, 2);
    /* Bounded in entries. */
    struct tcp_ring f[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(ring_init_cached(&f[i], 10, &cache), 0);
    for (int i = 0; i < 3; i++)
        ring_fini(&f[i]);
    assert_int_equal(cache.count, 3);
    assert_int_equal(cache.bytes, 30);
    ring_cache_fini(&cache); /* frees what it holds (the sanitizer build checks) */
    assert_int_equal(cache.count, 0);
}

static void assembler_merges_ranges_and_reports_recent_blocks_first(void **state)
{
    (void)state;
    struct tcp_assembler a;
    assembler_init(&a);
    uint32_t base = 0xffffff00u; /* across the wrap */
    assert_int_equal(assembler_add(&a, base + 100, base + 200), 0);
    assert_int_equal(assembler_add(&a, base + 300, base + 400), 0);
    assert_int_equal(assembler_add(&a, base + 500, base + 600), 0);
    assert_int_equal(a.count, 3);
    /* Touching and overlapping join. */
    assert_int_equal(assembler_add(&a, base + 200, base + 300), 0);
    assert_int_equal(a.count, 2);
    assert_int_equal(a.ranges[0].left, base + 100);
    assert_int_equal(a.ranges[0].right, base + 400);
    struct tcp_sack_block b[4];
    assert_int_equal(assembler_sack_blocks(&a, b, 4), 2);
    assert_int_equal(b[0].left, base + 100); /* changed last */
    assert_int_equal(b[1].left, base + 500);
    /* RCV.NXT reaches the first range: it is taken whole. */
    assert_int_equal(assembler_take_front(&a, base + 50), base + 50);
    assert_int_equal(assembler_take_front(&a, base + 100), base + 400);
    assert_int_equal(a.count, 1);
    assert_int_equal(assembler_highest(&a), base + 600);
}

static void assembler_is_bounded(void **state)
{
    (void)state;
    struct tcp_assembler a;
    assembler_init(&a);
    for (uint32_t i = 0; i < TCP_ASSEMBLER_RANGES; i++)
        assert_int_equal(assembler_add(&a, 1000 + 10 * i, 1005 + 10 * i), 0);
    assert_int_equal(assembler_add(&a, 5000, 5005), -ENOSPC);
    assert_int_equal(a.count, TCP_ASSEMBLER_RANGES);
    /* Growing a range needs no new slot. */
    assert_int_equal(assembler_add(&a, 1005, 1010), 0);
    assert_int_equal(a.count, TCP_ASSEMBLER_RANGES - 1);
}

static void scoreboard_believes_only_blocks_in_flight(void **state)
{
    (void)state;
    struct tcp_scoreboard sb;
    scoreboard_clear(&sb);
    uint32_t una = 0xfffffff0u, max = una + 10000;
    struct tcp_sack_block b[3] = {
        { una + 1000, una + 2000 },
        { una - 500, una - 100 },    /* below SND.UNA: a D-SACK, ignored */
        { max, max + 100 },          /* beyond what was sent: ignored */
    };
    assert_true(scoreboard_update(&sb, una, max, b, 3));
    assert_int_equal(sb.count, 1);
    assert_int_equal(sb.sacked_bytes, 1000);
    assert_false(scoreboard_update(&sb, una, max, b, 1)); /* nothing new */
    assert_int_equal(scoreboard_skip(&sb, una + 1500), una + 2000);
    assert_int_equal(scoreboard_skip(&sb, una + 500), una + 500);
    assert_int_equal(scoreboard_hole_end(&sb, una, max), una + 1000);
    assert_int_equal(scoreboard_sacked_in(&sb, una + 1500, una + 3000), 500);
    scoreboard_advance(&sb, una + 1500);
    assert_int_equal(sb.sacked_bytes, 500);
    scoreboard_advance(&sb, una + 2000);
    assert_true(scoreboard_empty(&sb));
}

static void scoreboard_is_lost_after_three_ranges_or_two_segments_of_sacks(void **state)
{
    (void)state;
    struct tcp_scoreboard sb;
    scoreboard_clear(&sb);
    uint32_t una = 100, mss = 1000;
    struct tcp_sack_block one = { una + 1000, una + 2000 };
    scoreboard_update(&sb, una, una + 100000, &one, 1);
    assert_int_equal(scoreboard_lost_edge(&sb, una, mss), una); /* one segment SACKed: nothing lost yet */
    struct tcp_sack_block two = { una + 3000, una + 4000 };
    scoreboard_update(&sb, una, una + 100000, &two, 1);
    assert_int_equal(scoreboard_lost_edge(&sb, una, mss), una); /* exactly 2 SMSS: not more than */
    struct tcp_sack_block three = { una + 5000, una + 5100 };
    scoreboard_update(&sb, una, una + 100000, &three, 1);
    /* Three ranges above una+1000's hole, so bytes below una+1000 are lost;
     * the hole at 2000..3000 has two ranges and 1100 bytes above it: not. */
    assert_int_equal(scoreboard_lost_edge(&sb, una, mss), una + 1000);
    /* 3000 bytes SACKed above the hole at 5100..6000: it is lost too. */
    struct tcp_sack_block big = { una + 6000, una + 9000 };
    scoreboard_update(&sb, una, una + 100000, &big, 1);
    assert_int_equal(scoreboard_lost_edge(&sb, una, mss), una + 6000);
}

/* The records tile [from, to) in order, none longer than max, and the
 * send-order list holds exactly those still in the network, oldest first. */
static void expect_log(const struct tcp_sent_log *l, uint32_t from, uint32_t to, uint32_t max)
{
    uint32_t at = from, in_network = 0;
    for (uint32_t i = 0; i < l->count; i++) {
        const struct tcp_sent_seg *s = sent_log_at(l, i);
        assert_int_equal(s->seq, at);
        assert_true(seq_lt(s->seq, s->end) && s->end - s->seq <= max);
        at = s->end;
        if (!(s->flags & TCP_SEG_SACKED) && (s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) != TCP_SEG_LOST)
            in_network++;
    }
    assert_int_equal(at, to);
    uint32_t listed = 0;
    naru_time_t last = 0;
    for (uint32_t k = l->thead; k != TCP_SENT_NONE; k = l->segs[k].tnext, listed++) {
        assert_true(l->segs[k].xmit_ts >= last);
        last = l->segs[k].xmit_ts;
    }
    assert_int_equal(listed, in_network);
}

static void sent_log_keeps_a_record_per_segment_in_send_order(void **state)
{
    (void)state;
    struct tcp_sent_log l;
    assert_true(sent_log_init(&l, 64, 1000));
    /* A TSO frame of three segments and our FIN: a record per segment the
     * receiver sees, the FIN riding the last. */
    assert_false(sent_log_sent(&l, 1000, 4001, 1000, 4000, 1000, 10 * NARU_MS));
    assert_int_equal(l.count, 3);
    expect_log(&l, 1000, 4001, 1001);
    /* The middle one sent again in the same instant: stamped a nanosecond
     * later (RACK_sent_after() needs the order), last in send order, and
     * a retransmission in the network. */
    assert_true(sent_log_sent(&l, 2000, 3000, 4001, 3000, 1000, 10 * NARU_MS));
    assert_int_equal(sent_log_at(&l, 1)->xmit_ts, 10 * NARU_MS + 1);
    assert_int_equal(l.segs[l.ttail].seq, 2000);
    assert_int_equal(l.rxt_bytes, 1000);
    expect_log(&l, 1000, 4001, 1001);
    /* Deemed lost: the retransmission with it; it is the next to go. */
    sent_log_mark_lost(&l, sent_log_at(&l, 1));
    assert_int_equal(l.rxt_bytes, 0);
    assert_int_equal(l.todo_bytes, 1000);
    assert_int_equal(sent_log_next_lost(&l, 4001)->seq, 2000);
    expect_log(&l, 1000, 4001, 1001);
    /* The last SACKed: out of the network, counted. */
    sent_log_set_flags(&l, sent_log_at(&l, 2), TCP_SEG_SACKED);
    assert_int_equal(l.sacked_bytes, 1001);
    assert_int_equal(l.sacked_segs, 1);
    expect_log(&l, 1000, 4001, 1001);
    /* SND.UNA moves into the first record, then past it. */
    sent_log_trim(&l, 1500);
    expect_log(&l, 1500, 4001, 1001);
    sent_log_pop(&l);
    expect_log(&l, 2000, 4001, 1001);
    /* The MSS shrinks to 400 (RFC 1191): every record fits one again. */
    assert_true(sent_log_split_to(&l, 400, 8));
    assert_int_equal(l.count, 6); /* 1000 bytes in three, 1001 in three */
    expect_log(&l, 2000, 4001, 400);
    assert_int_equal(l.todo_bytes, 1000);
    assert_int_equal(l.sacked_bytes, 1001);
    /* Everything acknowledged: the log is empty, its counters 0. */
    while (l.count)
        sent_log_pop(&l);
    assert_int_equal(l.sacked_bytes + l.lost_bytes + l.todo_bytes + l.rxt_bytes + l.sacked_segs, 0);
    assert_int_equal(l.thead, TCP_SENT_NONE);
    sent_log_fini(&l);
}

static void congestion_controls_halve_and_grow(void **state)
{
    (void)state;
    struct tcp_conn c;
    memset(&c, 0, sizeof c);
    c.snd_mss = 1000;
    c.snd_una = 0;
    c.snd_max = 20000;
    c.cwnd = 20000;
    c.ssthresh = 10000;
    /* NewReno: RFC 5681 (4), then one SMSS per cwnd acknowledged. */
    tcp_cc_newreno.init(&c);
    assert_int_equal(tcp_cc_newreno.ssthresh(&c, 0), 10000);
    c.snd_max = 1000;
    assert_int_equal(tcp_cc_newreno.ssthresh(&c, 0), 2000); /* never below two segments */
    for (int i = 0; i < 20; i++)
        tcp_cc_newreno.on_ack(&c, 1000, 0);
    assert_int_equal(c.cwnd, 21000);
    /* CUBIC: beta 0.7 (RFC 9438 4.6), and fast convergence lowers W_max. */
    tcp_cc_cubic.init(&c);
    c.cwnd = 100000;
    assert_int_equal(tcp_cc_cubic.ssthresh(&c, 0), 70000);
    assert_int_equal(c.cc_state.w_max, 100000);
    c.cwnd = 70000;
    tcp_cc_cubic.ssthresh(&c, 0);
    assert_int_equal(c.cc_state.w_max, 59500); /* 70000 * (1 + 0.7) / 2 */
    /* In congestion avoidance it grows back toward W_max. */
    c.cwnd = 49000;
    c.ssthresh = 49000;
    c.srtt = 100 * NARU_MS;
    uint32_t before = c.cwnd;
    for (naru_time_t t = 1; t < 50; t++)
        tcp_cc_cubic.on_ack(&c, 1000, t * 100 * NARU_MS);
    assert_true(c.cwnd > before);
    assert_true(c.cwnd < 200000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seq_comparisons_survive_wraparound),
        cmocka_unit_test(ring_wraps_and_keeps_order),
        cmocka_unit_test(ring_takes_out_of_order_bytes_at_their_offsets),
        cmocka_unit_test(ring_memory_grows_with_what_it_holds),
        cmocka_unit_test(ring_cache_reuses_memory_of_the_same_size_within_its_bounds),
        cmocka_unit_test(assembler_merges_ranges_and_reports_recent_blocks_first),
        cmocka_unit_test(assembler_is_bounded),
        cmocka_unit_test(scoreboard_believes_only_blocks_in_flight),
        cmocka_unit_test(scoreboard_is_lost_after_three_ranges_or_two_segments_of_sacks),
        cmocka_unit_test(sent_log_keeps_a_record_per_segment_in_send_order),
        cmocka_unit_test(congestion_controls_halve_and_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
