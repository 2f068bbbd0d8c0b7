/* TCP headers (RFC 9293 3.1) and options: MSS (RFC 9293 3.2), window
 * scale and timestamps (RFC 7323), SACK-permitted and SACK (RFC 2018). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u /* 198.18.0.2 */

struct expect {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t header_len, flags;
    uint16_t window, checksum;
    size_t payload;
};

/* Parse the segment in a frame (20-byte IP header), check the header
 * fields, then emit header and options from the parsed struct in front of
 * the same payload and compare the whole segment byte for byte. */
static struct tcp_header check_linux(const uint8_t *frame, size_t frame_len, const struct expect *e)
{
    const uint8_t *seg = frame + 34;
    size_t len = frame_len - 34;
    struct tcp_header h;
    assert_int_equal(tcp_parse(seg, len, e->src, e->dst, &h), e->header_len);
    assert_int_equal(h.src_port, e->sport);
    assert_int_equal(h.dst_port, e->dport);
    assert_int_equal(h.seq, e->seq);
    assert_int_equal(h.ack, e->ack);
    assert_int_equal(h.header_len, e->header_len);
    assert_int_equal(h.flags, e->flags);
    assert_int_equal(h.window, e->window);
    assert_int_equal(h.checksum, e->checksum);
    assert_int_equal(h.urgent, 0);
    assert_int_equal(len - h.header_len, e->payload);

    static uint8_t out[1600];
    assert_int_equal(tcp_header_len(&h), e->header_len);
    memset(out, 0xee, e->header_len);
    memcpy(out + e->header_len, seg + e->header_len, e->payload);
    assert_int_equal(tcp_emit(&h, e->src, e->dst, out, e->payload), e->header_len);
    assert_memory_equal(out, seg, len);
    return h;
}

static void linux_syn_parses_and_round_trips(void **state)
{
    (void)state;
    /* curl's SYN: MSS, SACK-permitted, timestamps, NOP, window scale. */
    const struct expect e = { IP_A, IP_B, 56364, 8080, 681219331, 0, 40, TCP_SYN, 64240, 0x5bdb, 0 };
    struct tcp_header h = check_linux(linux_tcp_syn, sizeof linux_tcp_syn, &e);
    assert_true(h.options.mss_present);
    assert_int_equal(h.options.mss, 1460);
    assert_true(h.options.sack_permitted);
    assert_true(h.options.timestamps_present);
    assert_int_equal(h.options.ts_val, 314611950);
    assert_int_equal(h.options.ts_ecr, 0);
    assert_true(h.options.wscale_present);
    assert_int_equal(h.options.wscale, 10);
    assert_int_equal(h.options.sack_count, 0);
}

static void linux_syn_ack_parses_and_round_trips(void **state)
{
    (void)state;
    const struct expect e = { IP_B, IP_A, 8080, 56364, 2605472864u, 681219332, 40, TCP_SYN | TCP_ACK,
                              65160, 0x7ad5, 0 };
    struct tcp_header h = check_linux(linux_tcp_syn_ack, sizeof linux_tcp_syn_ack, &e);
    assert_int_equal(h.options.mss, 1460);
    assert_int_equal(h.options.ts_val, 2600618669u);
    assert_int_equal(h.options.ts_ecr, 314611950);
    assert_int_equal(h.options.wscale, 10);
}

static void linux_ack_and_data_segments_parse_and_round_trip(void **state)
{
    (void)state;
    /* NOP, NOP, timestamps: 32-byte headers. */
    const struct expect ack = { IP_A, IP_B, 56364, 8080, 681219332, 2605472865u, 32, TCP_ACK, 63, 0xa7ee, 0 };
    struct tcp_header h = check_linux(linux_tcp_ack, sizeof linux_tcp_ack, &ack);
    assert_false(h.options.mss_present);
    assert_false(h.options.wscale_present);
    assert_false(h.options.sack_permitted);
    assert_true(h.options.timestamps_present);
    assert_int_equal(h.options.ts_val, 314611950);
    assert_int_equal(h.options.ts_ecr, 2600618669u);

    const struct expect get = { IP_A, IP_B, 56364, 8080, 681219332, 2605472865u, 32, TCP_PSH | TCP_ACK,
                                63, 0x10ea, 84 };
    h = check_linux(linux_tcp_get, sizeof linux_tcp_get, &get);
    assert_int_equal(h.options.ts_val, 314611951);
    assert_memory_equal(linux_tcp_get + 34 + 32, "GET /hello HTTP/1.1\r\n", 21);

    const struct expect resp = { IP_B, IP_A, 8080, 56364, 2605472865u, 681219416, 32, TCP_PSH | TCP_ACK,
                                 64, 0xa3aa, 199 };
    check_linux(linux_tcp_response, sizeof linux_tcp_response, &resp);
    assert_memory_equal(linux_tcp_response + 34 + 32, "HTTP/1.0 200 OK", 15);

    const struct expect fin = { IP_B, IP_A, 8080, 56364, 2605473069u, 681219416, 32, TCP_FIN | TCP_ACK,
                                64, 0xa6c2, 0 };
    h = check_linux(linux_tcp_fin, sizeof linux_tcp_fin, &fin);
    assert_int_equal(h.options.ts_val, 2600618674u);
    assert_int_equal(h.options.ts_ecr, 314611955);
}

static void linux_reset_without_options_round_trips(void **state)
{
    (void)state;
    /* RFC 9293 3.10.7.1: a SYN to a closed port gets RST|ACK, seq 0. */
    const struct expect e = { IP_B, IP_A, 81, 48210, 0, 1382267330, 20, TCP_RST | TCP_ACK, 0, 0x5adf, 0 };
    struct tcp_header h = check_linux(linux_tcp_rst, sizeof linux_tcp_rst, &e);
    assert_int_equal(tcp_options_len(&h.options), 0);
}

/* ---- the header ---- */

static void bad_checksum_is_rejected(void **state)
{
    (void)state;
    uint8_t seg[116];
    size_t len = sizeof linux_tcp_get - 34;
    assert_int_equal(len, sizeof seg);
    memcpy(seg, linux_tcp_get + 34, len);
    struct tcp_header h;
    for (size_t byte = 0; byte < len; byte++) {
        if (byte == 12)
            continue; /* the data offset fails its own checks */
        seg[byte] ^= 0x20;
        assert_int_equal(tcp_parse(seg, len, IP_A, IP_B, &h), WIRE_BAD_CHECKSUM);
        seg[byte] ^= 0x20;
    }
    assert_int_equal(tcp_parse(seg, len, IP_A, IP_B + 1, &h), WIRE_BAD_CHECKSUM);
    assert_int_equal(tcp_parse(seg, len - 1, IP_A, IP_B, &h), WIRE_BAD_CHECKSUM);
    assert_int_equal(tcp_parse(seg, len, IP_A, IP_B, &h), 32);
}

static void data_offset_below_five_is_rejected(void **state)
{
    (void)state;
    uint8_t seg[20];
    memcpy(seg, linux_tcp_rst + 34, sizeof seg);
    struct tcp_header h;
    for (int off = 0; off < 5; off++) {
        seg[12] = (uint8_t)(off << 4);
        assert_int_equal(tcp_parse(seg, sizeof seg, IP_B, IP_A, &h), WIRE_BAD_HEADER_LEN);
    }
}

static void data_offset_past_the_segment_is_truncated(void **state)
{
    (void)state;
    struct tcp_header h;
    /* The SYN's 40-byte header cut anywhere inside its options. */
    for (size_t len = 20; len < 40; len++)
        assert_int_equal(tcp_parse(linux_tcp_syn + 34, len, IP_A, IP_B, &h), WIRE_TRUNCATED);
    for (size_t len = 0; len < 20; len++)
        assert_int_equal(tcp_parse(linux_tcp_syn + 34, len, IP_A, IP_B, &h), WIRE_TRUNCATED);
}

/* A segment with these option bytes after a 20-byte header, checksummed. */
static int parse_segment_with_options(const uint8_t *opts, size_t n, struct tcp_header *h)
{
    static uint8_t seg[60];
    assert_true(n <= 40 && n % 4 == 0);
    memcpy(seg, linux_tcp_rst + 34, 20);
    seg[12] = (uint8_t)((20 + n) / 4 << 4);
    memcpy(seg + 20, opts, n);
    wire_put16(seg + 16, 0);
    uint32_t sum = inet_pseudo_sum(IP_B, IP_A, IP_PROTO_TCP, (uint16_t)(20 + n));
    wire_put16(seg + 16, inet_fold(inet_sum(seg, 20 + n, sum)));
    return tcp_parse(seg, 20 + n, IP_B, IP_A, h);
}

static void malformed_option_in_a_segment_is_rejected(void **state)
{
    (void)state;
    static const uint8_t bad_mss[] = { 2, 3, 5, 0 };
    static const uint8_t good_mss[] = { 2, 4, 5, 0xb4 };
    struct tcp_header h;
    assert_int_equal(parse_segment_with_options(bad_mss, sizeof bad_mss, &h), WIRE_BAD_OPTION);
    assert_int_equal(parse_segment_with_options(good_mss, sizeof good_mss, &h), 24);
    assert_int_equal(h.options.mss, 1460);
}

/* ---- options, one by one ---- */

static void each_known_option_kind_parses(void **state)
{
    (void)state;
    struct tcp_options o;
    static const uint8_t mss[] = { 2, 4, 0x23, 0x28 };
    assert_int_equal(tcp_parse_options(mss, sizeof mss, &o), 0);
    assert_true(o.mss_present);
    assert_int_equal(o.mss, 9000);

    static const uint8_t ws[] = { 3, 3, 14 };
    assert_int_equal(tcp_parse_options(ws, sizeof ws, &o), 0);
    assert_true(o.wscale_present);
    assert_int_equal(o.wscale, 14);
    static const uint8_t ws_big[] = { 3, 3, 200 }; /* reported as sent; RFC 7323 2.3 caps its use */
    assert_int_equal(tcp_parse_options(ws_big, sizeof ws_big, &o), 0);
    assert_int_equal(o.wscale, 200);

    static const uint8_t sackp[] = { 4, 2 };
    assert_int_equal(tcp_parse_options(sackp, sizeof sackp, &o), 0);
    assert_true(o.sack_permitted);
    assert_false(o.mss_present);

    static const uint8_t ts[] = { 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe };
    assert_int_equal(tcp_parse_options(ts, sizeof ts, &o), 0);
    assert_true(o.timestamps_present);
    assert_int_equal(o.ts_val, 1);
    assert_int_equal(o.ts_ecr, 0xfffffffe);
}

static void sack_blocks_parse_one_to_four(void **state)
{
    (void)state;
    uint8_t opt[2 + 8 * 4];
    for (uint8_t blocks = 1; blocks <= 4; blocks++) {
        opt[0] = TCP_OPT_SACK;
        opt[1] = (uint8_t)(2 + 8 * blocks);
        for (uint8_t b = 0; b < blocks; b++) {
            wire_put32(opt + 2 + 8 * b, 1000u * b + 0xfffff000u); /* wraps, as sequence numbers do */
            wire_put32(opt + 6 + 8 * b, 1000u * b + 0xfffff000u + 500);
        }
        struct tcp_options o;
        assert_int_equal(tcp_parse_options(opt, opt[1], &o), 0);
        assert_int_equal(o.sack_count, blocks);
        for (uint8_t b = 0; b < blocks; b++) {
            assert_int_equal(o.sack[b].left, 1000u * b + 0xfffff000u);
            assert_int_equal(o.sack[b].right, 1000u * b + 0xfffff000u + 500);
        }
    }
}

static void nop_and_eol_are_one_byte_and_eol_ends_the_list(void **state)
{
    (void)state;
    struct tcp_options o;
    static const uint8_t nops[] = { 1, 1, 1, 2, 4, 5, 0xb4, 1, 1, 1, 3, 3, 7 };
    assert_int_equal(tcp_parse_options(nops, sizeof nops, &o), 0);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.wscale, 7);
    /* After EOL anything is padding, even what would be malformed. */
    static const uint8_t eol[] = { 2, 4, 5, 0xb4, 0, 3, 0, 0xff };
    assert_int_equal(tcp_parse_options(eol, sizeof eol, &o), 0);
    assert_true(o.mss_present);
    assert_false(o.wscale_present);
    static const uint8_t only_eol[] = { 0 };
    assert_int_equal(tcp_parse_options(only_eol, sizeof only_eol, &o), 0);
    assert_int_equal(tcp_parse_options(only_eol, 0, &o), 0);
}

static void unknown_kinds_are_skipped_by_their_length(void **state)
{
    (void)state;
    /* MPTCP (30), TCP Fast Open (34), an experiment (254, RFC 6994), the
     * old MD5 signature (19): skipped, and what follows still parsed. */
    static const uint8_t opts[] = {
        30, 12, 0, 0x81, 1, 2, 3, 4, 5, 6, 7, 8,
        34, 10, 1, 2, 3, 4, 5, 6, 7, 8,
        254, 4, 0xf9, 0x89,
        19, 2,
        2, 4, 0x05, 0x78,
        99, 2,
    };
    struct tcp_options o;
    assert_int_equal(tcp_parse_options(opts, sizeof opts, &o), 0);
    assert_true(o.mss_present);
    assert_int_equal(o.mss, 1400);
    assert_false(o.sack_permitted);
    assert_false(o.timestamps_present);
}

static void option_lengths_of_zero_and_one_are_rejected(void **state)
{
    (void)state;
    /* They would loop forever or step into their own length byte. */
    struct tcp_options o;
    for (uint8_t kind = 2; kind < 40; kind++) {
        uint8_t zero[] = { kind, 0, 1, 1 };
        uint8_t one[] = { kind, 1, 1, 1 };
        assert_int_equal(tcp_parse_options(zero, sizeof zero, &o), WIRE_BAD_OPTION);
        assert_int_equal(tcp_parse_options(one, sizeof one, &o), WIRE_BAD_OPTION);
    }
}

static void known_kinds_of_the_wrong_length_are_rejected(void **state)
{
    (void)state;
    struct tcp_options o;
    static const uint8_t mss3[] = { 2, 3, 5, 0 }, mss5[] = { 2, 5, 5, 0xb4, 0 };
    static const uint8_t ws2[] = { 3, 2, 1, 1 }, ws4[] = { 3, 4, 7, 0 };
    static const uint8_t sackp3[] = { 4, 3, 0, 1 };
    static const uint8_t ts9[] = { 8, 9, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const uint8_t ts11[] = { 8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t sack2[] = { 5, 2, 1, 1 };
    static const uint8_t sack9[] = { 5, 9, 0, 0, 0, 1, 0, 0, 0, 2 };
    static const uint8_t sack11[] = { 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1 };
    assert_int_equal(tcp_parse_options(mss3, sizeof mss3, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(mss5, sizeof mss5, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(ws2, sizeof ws2, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(ws4, sizeof ws4, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(sackp3, sizeof sackp3, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(ts9, sizeof ts9, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(ts11, sizeof ts11, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(sack2, sizeof sack2, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(sack9, sizeof sack9, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(sack11, sizeof sack11, &o), WIRE_BAD_OPTION);
}

static void more_than_four_sack_blocks_are_rejected(void **state)
{
    (void)state;
    /* 40 bytes of options hold at most four blocks (RFC 2018 3); a longer
     * list can only come through tcp_parse_options alone. */
    uint8_t opt[2 + 8 * 5] = { TCP_OPT_SACK, 2 + 8 * 5 };
    struct tcp_options o;
    assert_int_equal(tcp_parse_options(opt, sizeof opt, &o), WIRE_BAD_OPTION);
}

static void option_running_past_the_end_is_rejected(void **state)
{
    (void)state;
    struct tcp_options o;
    static const uint8_t ts_cut[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0 };
    static const uint8_t unknown_cut[] = { 77, 8, 0, 0 };
    static const uint8_t kind_without_length[] = { 1, 1, 1, 2 };
    assert_int_equal(tcp_parse_options(ts_cut, sizeof ts_cut, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(unknown_cut, sizeof unknown_cut, &o), WIRE_BAD_OPTION);
    assert_int_equal(tcp_parse_options(kind_without_length, sizeof kind_without_length, &o), WIRE_BAD_OPTION);
    /* Exactly to the end is fine. */
    static const uint8_t unknown_exact[] = { 77, 4, 0, 0 };
    assert_int_equal(tcp_parse_options(unknown_exact, sizeof unknown_exact, &o), 0);
}

/* ---- emitted layouts ---- */

static size_t emit_options(const struct tcp_options *o, uint8_t *seg)
{
    struct tcp_header h = { .src_port = 1, .dst_port = 2, .flags = TCP_ACK, .options = *o };
    memset(seg, 0xee, 60);
    size_t hl = tcp_emit(&h, IP_A, IP_B, seg, 0);
    assert_int_equal(hl, tcp_header_len(&h));
    assert_int_equal(hl, 20 + tcp_options_len(o));
    assert_true(hl <= 60 && hl % 4 == 0);
    assert_int_equal(seg[12] >> 4, hl / 4);
    /* And it parses back to the same options. */
    struct tcp_header back;
    assert_int_equal(tcp_parse(seg, hl, IP_A, IP_B, &back), (int)hl);
    assert_int_equal(back.options.mss_present, o->mss_present);
    assert_int_equal(back.options.wscale_present, o->wscale_present);
    assert_int_equal(back.options.sack_permitted, o->sack_permitted);
    assert_int_equal(back.options.timestamps_present, o->timestamps_present);
    return hl - 20;
}

static void syn_layout_is_the_one_linux_sends(void **state)
{
    (void)state;
    struct tcp_options o = { .mss_present = true, .mss = 1460, .sack_permitted = true,
                             .timestamps_present = true, .ts_val = 0x01020304, .ts_ecr = 0,
                             .wscale_present = true, .wscale = 7 };
    uint8_t seg[60];
    static const uint8_t want[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7 };
    assert_int_equal(emit_options(&o, seg), sizeof want);
    assert_memory_equal(seg + 20, want, sizeof want);
    /* Byte for byte the option block of curl's SYN, given its values. */
    o.ts_val = 314611950;
    o.wscale = 10;
    emit_options(&o, seg);
    assert_memory_equal(seg + 20, linux_tcp_syn + 54, 20);
}

static void syn_layouts_without_timestamps_stay_aligned(void **state)
{
    (void)state;
    uint8_t seg[60];
    struct tcp_options o = { .mss_present = true, .mss = 536, .sack_permitted = true };
    static const uint8_t mss_sackp[] = { 2, 4, 0x02, 0x18, 1, 1, 4, 2 };
    assert_int_equal(emit_options(&o, seg), sizeof mss_sackp);
    assert_memory_equal(seg + 20, mss_sackp, sizeof mss_sackp);

    struct tcp_options p = { .mss_present = true, .mss = 536, .wscale_present = true, .wscale = 0 };
    static const uint8_t mss_ws[] = { 2, 4, 0x02, 0x18, 1, 3, 3, 0 };
    assert_int_equal(emit_options(&p, seg), sizeof mss_ws);
    assert_memory_equal(seg + 20, mss_ws, sizeof mss_ws);

    struct tcp_options none = { 0 };
    assert_int_equal(emit_options(&none, seg), 0);
}

static void data_segment_layout_is_nop_nop_timestamps(void **state)
{
    (void)state;
    uint8_t seg[60];
    struct tcp_options o = { .timestamps_present = true, .ts_val = 314611951, .ts_ecr = 2600618669u };
    assert_int_equal(emit_options(&o, seg), 12);
    assert_memory_equal(seg + 20, linux_tcp_get + 54, 12);
}

static void sack_blocks_follow_timestamps_up_to_three(void **state)
{
    (void)state;
    uint8_t seg[60];
    struct tcp_options o = { .timestamps_present = true, .ts_val = 1, .ts_ecr = 2, .sack_count = 4 };
    for (int b = 0; b < 4; b++) {
        o.sack[b].left = 100u * (uint32_t)b + 10;
        o.sack[b].right = 100u * (uint32_t)b + 20;
    }
    /* 12 + 4 + 3 * 8 = 40: the fourth block does not fit (RFC 2018 3). */
    assert_int_equal(emit_options(&o, seg), 40);
    static const uint8_t head[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 26 };
    assert_memory_equal(seg + 20, head, sizeof head);
    struct tcp_header back;
    assert_int_equal(tcp_parse(seg, 60, IP_A, IP_B, &back), 60);
    assert_int_equal(back.options.sack_count, 3);
    for (int b = 0; b < 3; b++) {
        assert_int_equal(back.options.sack[b].left, 100u * (uint32_t)b + 10);
        assert_int_equal(back.options.sack[b].right, 100u * (uint32_t)b + 20);
    }
    /* Without timestamps all four fit: 4 + 32 = 36. */
    o.timestamps_present = false;
    assert_int_equal(emit_options(&o, seg), 36);
    assert_int_equal(tcp_parse(seg, 56, IP_A, IP_B, &back), 56);
    assert_int_equal(back.options.sack_count, 4);
    /* One or two blocks with timestamps. */
    o.timestamps_present = true;
    o.sack_count = 1;
    assert_int_equal(emit_options(&o, seg), 24);
    o.sack_count = 2;
    assert_int_equal(emit_options(&o, seg), 32);
}

static void sack_blocks_that_do_not_fit_next_to_syn_options_are_left_out(void **state)
{
    (void)state;
    /* MSS + SACK-permitted + timestamps + window scale take 20 bytes,
     * leaving room for two blocks. */
    uint8_t seg[60];
    struct tcp_options o = { .mss_present = true, .mss = 1460, .sack_permitted = true,
                             .timestamps_present = true, .wscale_present = true, .wscale = 7,
                             .sack_count = 4 };
    assert_int_equal(emit_options(&o, seg), 40);
    struct tcp_header back;
    tcp_parse(seg, 60, IP_A, IP_B, &back);
    assert_int_equal(back.options.sack_count, 2);
}

static void checksum_of_an_emitted_segment_covers_the_payload(void **state)
{
    (void)state;
    uint8_t seg[20 + 12 + 5];
    memcpy(seg + 32, "hello", 5);
    struct tcp_header h = { .src_port = 7, .dst_port = 50000, .seq = 1, .ack = 2, .flags = TCP_ACK | TCP_PSH,
                            .window = 512, .options = { .timestamps_present = true, .ts_val = 9 } };
    assert_int_equal(tcp_emit(&h, IP_B, IP_A, seg, 5), 32);
    assert_int_equal(inet_fold(inet_sum(seg, sizeof seg, inet_pseudo_sum(IP_B, IP_A, IP_PROTO_TCP, sizeof seg))), 0);
    struct tcp_header back;
    assert_int_equal(tcp_parse(seg, sizeof seg, IP_B, IP_A, &back), 32);
    seg[36] ^= 1;
    assert_int_equal(tcp_parse(seg, sizeof seg, IP_B, IP_A, &back), WIRE_BAD_CHECKSUM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_syn_parses_and_round_trips),
        cmocka_unit_test(linux_syn_ack_parses_and_round_trips),
        cmocka_unit_test(linux_ack_and_data_segments_parse_and_round_trip),
        cmocka_unit_test(linux_reset_without_options_round_trips),
        cmocka_unit_test(bad_checksum_is_rejected),
        cmocka_unit_test(data_offset_below_five_is_rejected),
        cmocka_unit_test(data_offset_past_the_segment_is_truncated),
        cmocka_unit_test(malformed_option_in_a_segment_is_rejected),
        cmocka_unit_test(each_known_option_kind_parses),
        cmocka_unit_test(sack_blocks_parse_one_to_four),
        cmocka_unit_test(nop_and_eol_are_one_byte_and_eol_ends_the_list),
        cmocka_unit_test(unknown_kinds_are_skipped_by_their_length),
        cmocka_unit_test(option_lengths_of_zero_and_one_are_rejected),
        cmocka_unit_test(known_kinds_of_the_wrong_length_are_rejected),
        cmocka_unit_test(more_than_four_sack_blocks_are_rejected),
        cmocka_unit_test(option_running_past_the_end_is_rejected),
        cmocka_unit_test(syn_layout_is_the_one_linux_sends),
        cmocka_unit_test(syn_layouts_without_timestamps_stay_aligned),
        cmocka_unit_test(data_segment_layout_is_nop_nop_timestamps),
        cmocka_unit_test(sack_blocks_follow_timestamps_up_to_three),
        cmocka_unit_test(sack_blocks_that_do_not_fit_next_to_syn_options_are_left_out),
        cmocka_unit_test(checksum_of_an_emitted_segment_covers_the_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
