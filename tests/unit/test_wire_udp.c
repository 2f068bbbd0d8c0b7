/* UDP headers (RFC 768): the length field and the checksum over the
 * pseudo-header, where 0 means "none" and a computed 0 is sent as 0xffff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/checksum.h"
#include "wire/udp.h"

#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u /* 198.18.0.2 */

/* Parse the UDP datagram in a frame (20-byte IP header), check the fields,
 * then emit the header again over a copy and compare byte for byte. */
static void check_linux(const uint8_t *frame, size_t frame_len, uint32_t src, uint32_t dst,
                        uint16_t sport, uint16_t dport, uint16_t length, uint16_t checksum,
                        const char *data)
{
    const uint8_t *udp = frame + 34;
    size_t len = frame_len - 34;
    struct udp_header h;
    assert_int_equal(udp_parse(udp, len, src, dst, &h), UDP_HEADER_LEN);
    assert_int_equal(h.src_port, sport);
    assert_int_equal(h.dst_port, dport);
    assert_int_equal(h.length, length);
    assert_int_equal(h.length, len);
    assert_int_equal(h.checksum, checksum);
    assert_memory_equal(udp + 8, data, strlen(data));
    uint8_t out[64];
    memcpy(out, udp, len);
    memset(out, 0xee, UDP_HEADER_LEN);
    udp_emit(&h, src, dst, out, len);
    assert_memory_equal(out, udp, len);
}

static void linux_datagrams_parse_and_round_trip(void **state)
{
    (void)state;
    check_linux(linux_udp_hello, sizeof linux_udp_hello, IP_A, IP_B, 38861, 7777, 24, 0xa3a7,
                "naru says hello\n");
    check_linux(linux_udp_answer, sizeof linux_udp_answer, IP_B, IP_A, 7777, 38861, 26, 0xf772,
                "and linux answers\n");
    /* Odd length: 9 bytes, the last one padded for the checksum. */
    check_linux(linux_udp_to_closed_port, sizeof linux_udp_to_closed_port, IP_A, IP_B, 42328, 9, 9,
                0x5652, "x");
}

static void linux_fragmented_datagram_round_trips_after_reassembly(void **state)
{
    (void)state;
    /* 3000 bytes of i*7, sent with IP options, fragments of 1464, 1464, 80. */
    static uint8_t udp[3008], out[3008];
    memcpy(udp, linux_udp_opts_frag0 + 50, 1464);
    memcpy(udp + 1464, linux_udp_opts_frag1 + 50, 1464);
    memcpy(udp + 2928, linux_udp_opts_frag2 + 50, 80);
    struct udp_header h;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
    assert_int_equal(h.src_port, 47561);
    assert_int_equal(h.dst_port, 7779);
    assert_int_equal(h.length, 3008);
    assert_int_equal(h.checksum, 0x27be);
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(udp[8 + i], (uint8_t)(i * 7));
    memcpy(out, udp, sizeof out);
    memset(out, 0, 8);
    udp_emit(&h, IP_A, IP_B, out, sizeof out);
    assert_memory_equal(out, udp, sizeof udp);
}

static void checksum_is_verified_with_the_pseudo_header(void **state)
{
    (void)state;
    uint8_t udp[24];
    memcpy(udp, linux_udp_hello + 34, sizeof udp);
    struct udp_header h;
    for (size_t byte = 0; byte < sizeof udp; byte++) {
        if (byte == 4 || byte == 5)
            continue; /* the length field fails its own check first */
        udp[byte] ^= 0x04;
        assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), WIRE_BAD_CHECKSUM);
        udp[byte] ^= 0x04;
    }
    /* Same bytes, other addresses: the pseudo-header (RFC 768) catches a
     * datagram delivered to the wrong host. */
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B + 1, &h), WIRE_BAD_CHECKSUM);
    assert_int_equal(udp_parse(udp, sizeof udp, IP_B, IP_A, &h), UDP_HEADER_LEN); /* symmetric sum */
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
}

static void zero_checksum_means_none(void **state)
{
    (void)state;
    /* Frame 19: sent with SO_NO_CHECK, checksum field 0. */
    const uint8_t *orig = linux_udp_no_checksum + 34;
    uint8_t udp[19];
    memcpy(udp, orig, sizeof udp);
    struct udp_header h;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
    assert_int_equal(h.checksum, 0);
    assert_int_equal(h.src_port, 42700);
    assert_int_equal(h.dst_port, 7778);
    assert_int_equal(h.length, 19);
    assert_memory_equal(udp + 8, "no checksum", 11);
    /* Nothing is verified, so a changed byte goes through. */
    udp[10] ^= 0xff;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
    /* naru always sends a checksum: emitting this one fills it in. */
    memcpy(udp, orig, sizeof udp);
    udp_emit(&h, IP_A, IP_B, udp, sizeof udp);
    assert_int_not_equal(wire_get16(udp + 6), 0);
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
    assert_int_equal(inet_fold(inet_sum(udp, sizeof udp, inet_pseudo_sum(IP_A, IP_B, 17, 19))), 0);
}

static void computed_zero_checksum_is_sent_as_ffff(void **state)
{
    (void)state;
    /* Pick the last data word so the whole sum is 0xffff: the checksum
     * computes to 0, which would read as "none" (RFC 768), so it goes out
     * as 0xffff, the same value in ones' complement. */
    uint8_t udp[12] = { 0 };
    struct udp_header h = { .src_port = 1234, .dst_port = 5678 };
    udp_emit(&h, IP_A, IP_B, udp, sizeof udp);
    uint16_t with_zero_word = wire_get16(udp + 6);
    wire_put16(udp + 10, with_zero_word);
    udp_emit(&h, IP_A, IP_B, udp, sizeof udp);
    assert_int_equal(wire_get16(udp + 6), 0xffff);
    struct udp_header back;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &back), UDP_HEADER_LEN);
    assert_int_equal(back.checksum, 0xffff);
}

static void length_field_below_eight_is_rejected(void **state)
{
    (void)state;
    uint8_t udp[24];
    memcpy(udp, linux_udp_hello + 34, sizeof udp);
    struct udp_header h;
    for (uint16_t l = 0; l < 8; l++) {
        wire_put16(udp + 4, l);
        assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), WIRE_BAD_LENGTH);
    }
}

static void length_field_past_the_ip_payload_is_rejected(void **state)
{
    (void)state;
    struct udp_header h;
    const uint8_t *udp = linux_udp_hello + 34;
    for (size_t len = 8; len < 24; len++)
        assert_int_equal(udp_parse(udp, len, IP_A, IP_B, &h), WIRE_BAD_LENGTH);
    uint8_t copy[24];
    memcpy(copy, udp, sizeof copy);
    wire_put16(copy + 4, 0xffff);
    assert_int_equal(udp_parse(copy, sizeof copy, IP_A, IP_B, &h), WIRE_BAD_LENGTH);
}

static void length_field_shorter_than_ip_payload_checks_only_its_bytes(void **state)
{
    (void)state;
    /* Bytes after the UDP length are not the datagram's: they are neither
     * summed nor delivered (the caller trims to h.length). */
    uint8_t udp[40];
    memcpy(udp, linux_udp_hello + 34, 24);
    memset(udp + 24, 0x77, sizeof udp - 24);
    struct udp_header h;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_A, IP_B, &h), UDP_HEADER_LEN);
    assert_int_equal(h.length, 24);
}

static void datagram_shorter_than_header_is_truncated(void **state)
{
    (void)state;
    struct udp_header h;
    for (size_t len = 0; len < UDP_HEADER_LEN; len++)
        assert_int_equal(udp_parse(linux_udp_hello + 34, len, IP_A, IP_B, &h), WIRE_TRUNCATED);
}

static void empty_datagram_round_trips(void **state)
{
    (void)state;
    uint8_t udp[8];
    struct udp_header h = { .src_port = 53, .dst_port = 49152 };
    udp_emit(&h, IP_B, IP_A, udp, sizeof udp);
    struct udp_header back;
    assert_int_equal(udp_parse(udp, sizeof udp, IP_B, IP_A, &back), UDP_HEADER_LEN);
    assert_int_equal(back.length, 8);
    assert_int_equal(back.src_port, 53);
    assert_int_equal(back.dst_port, 49152);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_datagrams_parse_and_round_trip),
        cmocka_unit_test(linux_fragmented_datagram_round_trips_after_reassembly),
        cmocka_unit_test(checksum_is_verified_with_the_pseudo_header),
        cmocka_unit_test(zero_checksum_means_none),
        cmocka_unit_test(computed_zero_checksum_is_sent_as_ffff),
        cmocka_unit_test(length_field_below_eight_is_rejected),
        cmocka_unit_test(length_field_past_the_ip_payload_is_rejected),
        cmocka_unit_test(length_field_shorter_than_ip_payload_checks_only_its_bytes),
        cmocka_unit_test(datagram_shorter_than_header_is_truncated),
        cmocka_unit_test(empty_datagram_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
