/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624),
 * checked against a byte-at-a-time reference written here, on seeded random
 * data of random lengths and alignments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/checksum.h"
#include "wire/wire.h"

/* A fixed-seed xorshift generator: the same "random" data on every run. */
static uint64_t rng_state = 0x6e6172752d776972ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}
static uint32_t rng_below(uint32_t n)
{
    return rng() % n;
}
static void rng_fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng();
}

/* RFC 1071 (1) read literally: big-endian 16-bit words, one byte at a time,
 * an odd last byte padded with zero on the right, end-around carry. Returns
 * the folded (not complemented) sum. */
static uint16_t reference_sum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
        if (sum > 0xffff)
            sum = (sum & 0xffff) + 1;
    }
    return (uint16_t)sum;
}
static uint16_t reference_checksum(const uint8_t *p, size_t len)
{
    return (uint16_t)~reference_sum(p, len);
}

static void rfc1071_example_sums_to_ddf2(void **state)
{
    (void)state;
    /* RFC 1071 section 3: these eight bytes sum to 0xddf2. */
    static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    assert_int_equal(reference_sum(bytes, sizeof bytes), 0xddf2);
    assert_int_equal(inet_checksum(bytes, sizeof bytes), (uint16_t)~0xddf2);
    assert_int_equal(inet_fold(inet_sum(bytes, sizeof bytes, 0)), 0x220d);
}

static void empty_data_checksums_to_ffff(void **state)
{
    (void)state;
    uint8_t nothing[1] = { 0xaa };
    assert_int_equal(inet_checksum(nothing, 0), 0xffff);
}

static void odd_last_byte_is_the_high_half_of_a_word(void **state)
{
    (void)state;
    static const uint8_t one[] = { 0x12 };
    static const uint8_t three[] = { 0x00, 0x01, 0x12 };
    assert_int_equal(inet_checksum(one, 1), (uint16_t)~0x1200);
    assert_int_equal(inet_checksum(three, 3), (uint16_t)~0x1201);
}

static void fast_sum_matches_reference_on_random_lengths_and_alignments(void **state)
{
    (void)state;
    static uint8_t buf[2000 + 16];
    for (int round = 0; round < 4000; round++) {
        size_t len = rng_below(2001);
        size_t align = rng_below(16);
        rng_fill(buf + align, len);
        assert_int_equal(inet_checksum(buf + align, len), reference_checksum(buf + align, len));
    }
}

static void fast_sum_keeps_every_carry_on_all_ones_and_large_data(void **state)
{
    (void)state;
    /* All 0xff words make the most carries; 64 KiB is more than any IP
     * datagram, so a lost carry in the wide accumulator would show. */
    static uint8_t buf[65536 + 8];
    memset(buf, 0xff, sizeof buf);
    for (size_t len = 65528; len <= 65536; len++)
        for (size_t align = 0; align < 8; align++)
            assert_int_equal(inet_checksum(buf + align, len), reference_checksum(buf + align, len));
    rng_fill(buf, sizeof buf);
    for (size_t align = 0; align < 8; align++)
        assert_int_equal(inet_checksum(buf + align, 65536), reference_checksum(buf + align, 65536));
}

static void twenty_byte_headers_match_reference_at_every_carry(void **state)
{
    (void)state;
    /* inet_checksum_20's own folds: all zeros (the one sum of 0), all
     * ones (every fold carries), words summing to 0xffff and 0x1fffe,
     * and random headers at every alignment. */
    static uint8_t buf[20 + 8];
    memset(buf, 0, sizeof buf);
    assert_int_equal(inet_checksum_20(buf), reference_checksum(buf, 20));
    assert_int_equal(inet_checksum_20(buf), 0xffff);
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(inet_checksum_20(buf), reference_checksum(buf, 20));
    memset(buf, 0, sizeof buf);
    buf[0] = 0xff;
    buf[1] = 0xff;
    assert_int_equal(inet_checksum_20(buf), 0x0000);
    buf[2] = 0xff;
    buf[3] = 0xff;
    assert_int_equal(inet_checksum_20(buf), reference_checksum(buf, 20));
    for (int i = 0; i < 200000; i++) {
        size_t align = (size_t)rng_below(8);
        rng_fill(buf + align, 20);
        assert_int_equal(inet_checksum_20(buf + align), reference_checksum(buf + align, 20));
    }
}

static void every_short_length_at_every_alignment_matches_reference(void **state)
{
    (void)state;
    /* The sum reads 32-byte blocks, then 8-, 4-, 2- and 1-byte tails:
     * every way in and out of each, from every start address modulo 16. */
    static uint8_t buf[160 + 16];
    for (size_t len = 0; len <= 160; len++) {
        for (size_t align = 0; align < 16; align++) {
            rng_fill(buf + align, len);
            assert_int_equal(inet_checksum(buf + align, len), reference_checksum(buf + align, len));
        }
    }
}

static void accumulator_chained_over_pieces_matches_one_sum(void **state)
{
    (void)state;
    /* checksum.h: inet_sum_accumulate() over even pieces (the last may be
     * odd), then inet_sum_finish(), is inet_sum() over the whole; and an
     * accumulator another loop fills with native 32-bit words (a copy
     * that sums as it goes) finishes the same way. */
    static uint8_t buf[2000 + 16];
    for (int round = 0; round < 2000; round++) {
        size_t len = rng_below(2001);
        size_t align = rng_below(16);
        uint8_t *p = buf + align;
        rng_fill(p, len);
        uint32_t sum = rng_below(2) ? 0 : rng();
        uint64_t acc = 0;
        size_t off = 0;
        while (off < len) {
            size_t piece = rng_below(100) * 2;
            if (piece > len - off || rng_below(8) == 0)
                piece = len - off;
            acc = inet_sum_accumulate(p + off, piece, acc);
            off += piece;
        }
        assert_int_equal(inet_sum_finish(acc, sum), inet_sum(p, len, sum));

        uint64_t words = 0;
        size_t i = 0;
        for (; i + 4 <= len; i += 4) {
            uint32_t w;
            memcpy(&w, p + i, 4);
            words += w;
        }
        words = inet_sum_accumulate(p + i, len - i, words);
        assert_int_equal(inet_fold(inet_sum_finish(words, sum)), inet_fold(inet_sum(p, len, sum)));
    }
}

static void chained_even_pieces_then_odd_last_piece_match_one_sum(void **state)
{
    (void)state;
    /* The contract in checksum.h: pieces of even length at any address,
     * only the last may be odd, as when a header is summed apart from its
     * payload. Start addresses are odd or even at random. */
    static uint8_t buf[2000 + 32], copy[2000 + 32];
    for (int round = 0; round < 2000; round++) {
        size_t len = rng_below(2001);
        rng_fill(buf, len);
        uint32_t sum = rng_below(2) ? 0 : rng(); /* a pseudo-header sum, say */
        uint32_t chained = sum;
        size_t off = 0;
        while (off < len) {
            size_t piece = rng_below(64) * 2;
            if (piece > len - off || rng_below(8) == 0)
                piece = len - off; /* the last piece, odd or even */
            size_t align = rng_below(8);
            memcpy(copy + align, buf + off, piece);
            chained = inet_sum(copy + align, piece, chained);
            off += piece;
        }
        assert_int_equal(inet_fold(chained), inet_fold(inet_sum(buf, len, sum)));
    }
}

static void message_with_its_checksum_folds_to_zero(void **state)
{
    (void)state;
    /* RFC 1071 (1)(3): a receiver sums everything, checksum included. */
    static uint8_t buf[1502];
    for (int round = 0; round < 1000; round++) {
        size_t len = 2 + 2 * rng_below(750);
        rng_fill(buf + 2, len - 2);
        buf[0] = buf[1] = 0;
        wire_put16(buf, inet_checksum(buf, len));
        assert_int_equal(inet_checksum(buf, len), 0);
    }
}

static void linux_ipv4_headers_verify(void **state)
{
    (void)state;
    assert_int_equal(inet_checksum(linux_echo_request + 14, 20), 0);
    assert_int_equal(inet_checksum(linux_rr_echo_reply + 14, 60), 0);
    assert_int_equal(inet_checksum(linux_udp_opts_frag1 + 14, 36), 0);
}

static void pseudo_header_sum_of_linux_udp_datagram_verifies(void **state)
{
    (void)state;
    /* Frame 15: 198.18.0.1 -> 198.18.0.2, UDP, 24 bytes. */
    const uint8_t *udp = linux_udp_hello + 34;
    uint32_t sum = inet_pseudo_sum(wire_get32(linux_udp_hello + 26), wire_get32(linux_udp_hello + 30), 17, 24);
    assert_int_equal(inet_fold(inet_sum(udp, 24, sum)), 0);
}

/* ---- RFC 1624 ---- */

static void rfc1624_example_gives_0000_not_ffff(void **state)
{
    (void)state;
    /* RFC 1624 section 4: the other octets sum to 0xcd7a, m = 0x5555 becomes
     * m' = 0x3285, HC = 0xdd2f. Equation 3 gives 0x0000, what a full
     * recomputation gives; equation 2 would give 0xffff. */
    assert_int_equal(inet_checksum_adjust(0xdd2f, 0x5555, 0x3285), 0x0000);
    uint8_t msg[4];
    wire_put16(msg, 0xcd7a);
    wire_put16(msg + 2, 0x3285);
    assert_int_equal(inet_checksum(msg, 4), 0x0000);
}

/* Change one word of msg and check the adjusted checksum against a full
 * recomputation, and that the message verifies with it. */
static void check_adjust(uint8_t *msg, size_t len, size_t word, uint16_t new_word)
{
    uint16_t before = inet_checksum(msg, len);
    uint16_t old_word = wire_get16(msg + 2 * word);
    wire_put16(msg + 2 * word, new_word);
    uint16_t adjusted = inet_checksum_adjust(before, old_word, new_word);
    assert_int_equal(adjusted, inet_checksum(msg, len));
    assert_int_equal(inet_fold(inet_sum(msg, len, adjusted)), 0);
}

static void adjust_matches_recomputation_for_random_word_changes(void **state)
{
    (void)state;
    /* Equation 3 equals recomputation for any message that is not all zero
     * words (the one case where recomputation gives 0xffff and equation 3
     * 0x0000; no IP, UDP or TCP header is all zeros: IPv4's version field
     * and the pseudo-header's protocol are never 0). The message keeps one
     * fixed nonzero word so it never becomes all zeros. */
    static const uint16_t corners[] = { 0x0000, 0xffff, 0x0001, 0xfffe, 0x8000, 0x7fff };
    uint8_t msg[64];
    for (int round = 0; round < 20000; round++) {
        size_t words = 2 + rng_below(31);
        rng_fill(msg, 2 * words);
        wire_put16(msg, (uint16_t)(1 + rng_below(0xffff)));
        if (rng_below(4) == 0) /* runs of corner values, too */
            for (size_t w = 1; w < words; w++)
                wire_put16(msg + 2 * w, corners[rng_below(6)]);
        size_t word = 1 + rng_below((uint32_t)words - 1);
        uint16_t new_word = rng_below(2) ? (uint16_t)rng() : corners[rng_below(6)];
        check_adjust(msg, 2 * words, word, new_word);
    }
}

static void adjust_handles_checksums_of_0000_and_ffff(void **state)
{
    (void)state;
    uint8_t msg[4];
    /* Sum 0xffff: the checksum is 0x0000 before the change. */
    wire_put16(msg, 0x1234);
    wire_put16(msg + 2, 0xedcb);
    assert_int_equal(inet_checksum(msg, 4), 0x0000);
    check_adjust(msg, 4, 1, 0xedcc);
    /* ... and becomes 0x0000 after one. */
    check_adjust(msg, 4, 1, 0xedcb);
    assert_int_equal(inet_checksum(msg, 4), 0x0000);
    /* 0x0000 and 0xffff are both zero in ones' complement: swapping one
     * for the other leaves the checksum alone. */
    wire_put16(msg, 0x0001);
    wire_put16(msg + 2, 0xffff);
    uint16_t c = inet_checksum(msg, 4);
    assert_int_equal(inet_checksum_adjust(c, 0xffff, 0x0000), c);
    check_adjust(msg, 4, 1, 0x0000);
    check_adjust(msg, 4, 1, 0xffff);
    /* The sum 0xfffe: the checksum is 0x0001, and one step either way. */
    wire_put16(msg + 2, 0xfffd);
    assert_int_equal(inet_checksum(msg, 4), 0x0001);
    check_adjust(msg, 4, 1, 0xfffe);
    check_adjust(msg, 4, 1, 0xfffc);
}

static void adjust_follows_a_ttl_decrement_of_a_linux_header(void **state)
{
    (void)state;
    /* What a router does (RFC 1812 5.3.1, RFC 1624): the TTL/protocol word
     * of frame 3's header, TTL 64 down to 1. */
    uint8_t h[20];
    memcpy(h, linux_echo_request + 14, 20);
    for (int i = 0; i < 63; i++) {
        uint16_t old_word = wire_get16(h + 8);
        h[8]--;
        wire_put16(h + 10, inet_checksum_adjust(wire_get16(h + 10), old_word, wire_get16(h + 8)));
        assert_int_equal(inet_checksum(h, 20), 0);
    }
    assert_int_equal(h[8], 1);
}

/* The IPv6 pseudo-header (RFC 8200 8.1) summed in one pass over 64-bit
 * words must equal RFC 1071 over the 40 bytes written out: source,
 * destination, a 32-bit length, three zero bytes, the next header; with
 * the addresses at every alignment. */
static void ipv6_pseudo_header_sum_matches_reference_at_any_alignment(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        uint8_t buf[48], pseudo[40];
        unsigned at = round % 8;
        rng_fill(buf, sizeof buf);
        if (round % 7 == 0)
            memset(buf, 0xff, sizeof buf); /* every carry */
        if (round % 11 == 0)
            memset(buf, 0, sizeof buf);
        const uint8_t *src = buf + at, *dst = buf + at + 16;
        uint32_t length = round % 3 == 0 ? rng() : rng_below(65536);
        uint8_t next_header = (uint8_t)rng();
        memcpy(pseudo, src, 16);
        memcpy(pseudo + 16, dst, 16);
        wire_put32(pseudo + 32, length);
        memset(pseudo + 36, 0, 3);
        pseudo[39] = next_header;
        assert_int_equal(inet_fold(inet6_pseudo_sum(src, dst, length, next_header)), reference_checksum(pseudo, 40));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc1071_example_sums_to_ddf2),
        cmocka_unit_test(empty_data_checksums_to_ffff),
        cmocka_unit_test(odd_last_byte_is_the_high_half_of_a_word),
        cmocka_unit_test(fast_sum_matches_reference_on_random_lengths_and_alignments),
        cmocka_unit_test(fast_sum_keeps_every_carry_on_all_ones_and_large_data),
        cmocka_unit_test(every_short_length_at_every_alignment_matches_reference),
        cmocka_unit_test(twenty_byte_headers_match_reference_at_every_carry),
        cmocka_unit_test(accumulator_chained_over_pieces_matches_one_sum),
        cmocka_unit_test(chained_even_pieces_then_odd_last_piece_match_one_sum),
        cmocka_unit_test(message_with_its_checksum_folds_to_zero),
        cmocka_unit_test(linux_ipv4_headers_verify),
        cmocka_unit_test(pseudo_header_sum_of_linux_udp_datagram_verifies),
        cmocka_unit_test(ipv6_pseudo_header_sum_matches_reference_at_any_alignment),
        cmocka_unit_test(rfc1624_example_gives_0000_not_ffff),
        cmocka_unit_test(adjust_matches_recomputation_for_random_word_changes),
        cmocka_unit_test(adjust_handles_checksums_of_0000_and_ffff),
        cmocka_unit_test(adjust_follows_a_ttl_decrement_of_a_linux_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
