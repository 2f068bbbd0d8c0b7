/* ICMPv6 (RFC 4443): echo and the four errors from Linux, parsed with the
 * checksum over the IPv6 pseudo-header and emitted again byte for byte;
 * errors built from the packets that caused them come out exactly as
 * Linux's, quote cut to the minimum MTU included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames_ipv6.h"
#include "wire/icmpv6.h"

#define IP(frame) ((frame) + 14)
#define IP_LEN(frame) (sizeof(frame) - 14)

/* The ICMPv6 message of a frame without extension headers. */
static const uint8_t *icmp_of(const uint8_t *frame, size_t frame_len, size_t *len)
{
    assert_int_equal(frame[14 + 6], IP_PROTO_ICMPV6);
    *len = frame_len - 14 - 40;
    return frame + 14 + 40;
}
static const uint8_t *src_of(const uint8_t *frame) { return frame + 14 + 8; }
static const uint8_t *dst_of(const uint8_t *frame) { return frame + 14 + 24; }

static void round_trip(const uint8_t *frame, const uint8_t *msg, size_t len, const struct icmpv6_message *m)
{
    static uint8_t out[2048];
    assert_true(len <= sizeof out);
    memcpy(out, msg, len);
    memset(out, 0x5a, ICMPV6_HEADER_LEN);
    assert_int_equal(icmpv6_emit(m, src_of(frame), dst_of(frame), out, len), ICMPV6_HEADER_LEN);
    assert_memory_equal(out, msg, len);
}

static void linux_echo_request_and_reply_parse_and_round_trip(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux6_echo_request, sizeof linux6_echo_request, &len);
    struct icmpv6_message m;
    assert_int_equal(icmpv6_parse(msg, len, src_of(linux6_echo_request), dst_of(linux6_echo_request), &m),
                     ICMPV6_HEADER_LEN);
    assert_int_equal(m.type, ICMPV6_ECHO_REQUEST);
    assert_int_equal(m.code, 0);
    assert_int_equal(m.checksum, 0x2d21);
    assert_int_equal(icmpv6_echo_id(&m), 0x7489);
    assert_int_equal(icmpv6_echo_seq(&m), 1);
    assert_int_equal(m.body_len, 56);
    assert_ptr_equal(m.body, msg + 8);
    assert_null(m.quoted);
    assert_false(icmpv6_is_error(m.type));
    round_trip(linux6_echo_request, msg, len, &m);

    msg = icmp_of(linux6_echo_reply, sizeof linux6_echo_reply, &len);
    assert_int_equal(icmpv6_parse(msg, len, src_of(linux6_echo_reply), dst_of(linux6_echo_reply), &m),
                     ICMPV6_HEADER_LEN);
    assert_int_equal(m.type, ICMPV6_ECHO_REPLY);
    assert_int_equal(m.rest, icmpv6_echo_rest(0x7489, 1));
    round_trip(linux6_echo_reply, msg, len, &m);
}

static void checksum_covers_the_pseudo_header_and_every_byte(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux6_echo_request, sizeof linux6_echo_request, &len);
    uint8_t copy[64], src[16], dst[16];
    memcpy(copy, msg, len);
    memcpy(src, src_of(linux6_echo_request), 16);
    memcpy(dst, dst_of(linux6_echo_request), 16);
    struct icmpv6_message m;
    for (size_t byte = 0; byte < len; byte++) {
        copy[byte] ^= 0x10;
        assert_int_equal(icmpv6_parse(copy, len, src, dst, &m), WIRE_BAD_CHECKSUM);
        copy[byte] ^= 0x10;
    }
    for (size_t byte = 0; byte < 16; byte++) {
        src[byte] ^= 1;
        assert_int_equal(icmpv6_parse(copy, len, src, dst, &m), WIRE_BAD_CHECKSUM);
        src[byte] ^= 1;
        dst[byte] ^= 0x80;
        assert_int_equal(icmpv6_parse(copy, len, src, dst, &m), WIRE_BAD_CHECKSUM);
        dst[byte] ^= 0x80;
    }
    assert_int_equal(icmpv6_parse(copy, len - 1, src, dst, &m), WIRE_BAD_CHECKSUM);
    for (size_t l = 0; l < ICMPV6_HEADER_LEN; l++)
        assert_int_equal(icmpv6_parse(copy, l, src, dst, &m), WIRE_TRUNCATED);
    assert_int_equal(icmpv6_parse(copy, len, src, dst, &m), ICMPV6_HEADER_LEN);
}

/* Parse Linux's error, check its quote, and build the same error here
 * from the packet that caused it: the bytes must be Linux's. */
static void check_error(const uint8_t *error_frame, size_t error_len, const uint8_t *cause_frame,
                        size_t cause_len, uint8_t type, uint8_t code, uint32_t rest, size_t quoted_len)
{
    size_t len;
    const uint8_t *msg = icmp_of(error_frame, error_len, &len);
    struct icmpv6_message m;
    assert_int_equal(icmpv6_parse(msg, len, src_of(error_frame), dst_of(error_frame), &m), ICMPV6_HEADER_LEN);
    assert_int_equal(m.type, type);
    assert_int_equal(m.code, code);
    assert_int_equal(m.rest, rest);
    assert_true(icmpv6_is_error(m.type));
    assert_ptr_equal(m.quoted, msg + 8);
    assert_int_equal(m.quoted_len, quoted_len);
    assert_memory_equal(m.quoted, cause_frame + 14, quoted_len);
    assert_memory_equal(m.quoted_ip.src, src_of(cause_frame), 16);
    assert_memory_equal(m.quoted_ip.dst, dst_of(cause_frame), 16);
    round_trip(error_frame, msg, len, &m);

    static uint8_t out[2048];
    size_t n = icmpv6_error_emit(type, code, rest, cause_frame + 14, cause_len - 14, src_of(error_frame),
                                 dst_of(error_frame), out, sizeof out);
    assert_int_equal(n, len);
    assert_memory_equal(out, msg, len);
}

static void linux_errors_quote_their_cause_and_are_emitted_the_same(void **state)
{
    (void)state;
    check_error(linux6_time_exceeded, sizeof linux6_time_exceeded, linux6_hop1_echo_request,
                sizeof linux6_hop1_echo_request, ICMPV6_TIME_EXCEEDED, ICMPV6_HOP_LIMIT_EXCEEDED, 0, 104);
    check_error(linux6_port_unreachable, sizeof linux6_port_unreachable, linux6_udp_to_closed_port,
                sizeof linux6_udp_to_closed_port, ICMPV6_DEST_UNREACHABLE, ICMPV6_PORT_UNREACHABLE, 0, 49);
    check_error(linux6_param_problem, sizeof linux6_param_problem, linux6_udp_unknown_option,
                sizeof linux6_udp_unknown_option, ICMPV6_PARAMETER_PROBLEM, ICMPV6_UNRECOGNIZED_OPTION, 42, 70);
    /* 1448 bytes towards a 1280-byte link: MTU 1280, the quote cut so the
     * error is 1280 bytes with its IPv6 header (RFC 4443 2.4 (c)). */
    check_error(linux6_packet_too_big, sizeof linux6_packet_too_big, linux6_too_big_echo_request,
                sizeof linux6_too_big_echo_request, ICMPV6_PACKET_TOO_BIG, 0, 1280, ICMPV6_ERROR_MAX_QUOTE);
    assert_int_equal(IP_LEN(linux6_packet_too_big), IPV6_MIN_MTU);
}

static void quoted_packet_walks_to_the_ports_of_the_original(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux6_port_unreachable, sizeof linux6_port_unreachable, &len);
    struct icmpv6_message m;
    assert_int_equal(icmpv6_parse(msg, len, src_of(linux6_port_unreachable), dst_of(linux6_port_unreachable), &m),
                     ICMPV6_HEADER_LEN);
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(m.quoted, m.quoted_len, &c), 0);
    assert_int_equal(c.upper_protocol, IP_PROTO_UDP);
    assert_int_equal(wire_get16(m.quoted + c.upper_offset + 2), 9);
    assert_int_equal(m.quoted_ip.payload_len, 9);

    /* The parameter problem quotes a chain with destination options. */
    msg = icmp_of(linux6_param_problem, sizeof linux6_param_problem, &len);
    assert_int_equal(icmpv6_parse(msg, len, src_of(linux6_param_problem), dst_of(linux6_param_problem), &m),
                     ICMPV6_HEADER_LEN);
    assert_int_equal(ipv6_walk_chain(m.quoted, m.quoted_len, &c), 0);
    assert_int_equal(c.destination_options, 1);
    assert_int_equal(m.quoted[m.rest], 0x9e); /* the pointer lands on the option's type */
}

/* A message built here: type/code, then body, checksummed between A and B. */
static const uint8_t SRC[16] = { 0xfe, 0x80, [15] = 1 }, DST[16] = { 0xfe, 0x80, [15] = 2 };
static uint8_t built[1400];
static size_t build(uint8_t type, uint8_t code, const uint8_t *body, size_t body_len)
{
    memcpy(built + 8, body, body_len);
    struct icmpv6_message m = { .type = type, .code = code };
    icmpv6_emit(&m, SRC, DST, built, 8 + body_len);
    return 8 + body_len;
}

static void error_must_quote_an_ipv6_header(void **state)
{
    (void)state;
    struct icmpv6_message m;
    const uint8_t *quote = IP(linux6_hop1_echo_request);
    for (uint8_t type = 0; type < 128; type += 1) {
        for (size_t q = 0; q < 40; q += 13)
            assert_int_equal(icmpv6_parse(built, build(type, 0, quote, q), SRC, DST, &m), WIRE_TRUNCATED);
        assert_int_equal(icmpv6_parse(built, build(type, 0, quote, 40), SRC, DST, &m), ICMPV6_HEADER_LEN);
        assert_int_equal(m.quoted_len, 40);
    }
    uint8_t v4[40];
    memcpy(v4, quote, 40);
    v4[0] = 0x45;
    assert_int_equal(icmpv6_parse(built, build(ICMPV6_TIME_EXCEEDED, 0, v4, 40), SRC, DST, &m), WIRE_BAD_VERSION);
    /* Informational messages quote nothing. */
    assert_int_equal(icmpv6_parse(built, build(200, 0, v4, 3), SRC, DST, &m), ICMPV6_HEADER_LEN);
    assert_null(m.quoted);
}

static void error_emit_cuts_the_quote_to_the_minimum_mtu_and_the_room_given(void **state)
{
    (void)state;
    static uint8_t invoking[3000], out[3000];
    for (size_t i = 0; i < sizeof invoking; i++)
        invoking[i] = (uint8_t)(i * 7);
    assert_int_equal(icmpv6_error_emit(1, 4, 0, invoking, sizeof invoking, SRC, DST, out, sizeof out),
                     IPV6_MIN_MTU - IPV6_HEADER_LEN);
    assert_memory_equal(out + 8, invoking, ICMPV6_ERROR_MAX_QUOTE);
    assert_int_equal(icmpv6_error_emit(1, 4, 0, invoking, 100, SRC, DST, out, sizeof out), 108);
    assert_int_equal(icmpv6_error_emit(1, 4, 0, invoking, 100, SRC, DST, out, 50), 50);
    assert_int_equal(icmpv6_error_emit(1, 4, 0, invoking, 100, SRC, DST, out, 7), 0);
    /* In place: the invoking packet already where the quote goes. */
    memcpy(out + 8, invoking, 200);
    assert_int_equal(icmpv6_error_emit(3, 0, 0, out + 8, 200, SRC, DST, out, sizeof out), 208);
    assert_memory_equal(out + 8, invoking, 200);
    struct icmpv6_message m;
    invoking[0] = 0x60;
    assert_int_equal(icmpv6_error_emit(3, 0, 0, invoking, 200, SRC, DST, out, sizeof out), 208);
    assert_int_equal(icmpv6_parse(out, 208, SRC, DST, &m), ICMPV6_HEADER_LEN);
}

static void error_types_are_those_below_128(void **state)
{
    (void)state;
    for (int t = 0; t < 256; t++)
        assert_int_equal(icmpv6_is_error((uint8_t)t), t < 128);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_echo_request_and_reply_parse_and_round_trip),
        cmocka_unit_test(checksum_covers_the_pseudo_header_and_every_byte),
        cmocka_unit_test(linux_errors_quote_their_cause_and_are_emitted_the_same),
        cmocka_unit_test(quoted_packet_walks_to_the_ports_of_the_original),
        cmocka_unit_test(error_must_quote_an_ipv6_header),
        cmocka_unit_test(error_emit_cuts_the_quote_to_the_minimum_mtu_and_the_room_given),
        cmocka_unit_test(error_types_are_those_below_128),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
