/* ICMP for IPv4 (RFC 792): echo, destination unreachable and time
 * exceeded with the quoted header parsed, the checksum over the message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u /* 198.18.0.2 */
#define IP_C 0xc6120102u /* 198.18.1.2 */

/* The ICMP message inside a frame (no IP options in these, except where
 * the caller says). */
static const uint8_t *icmp_of(const uint8_t *frame, size_t frame_len, size_t *len)
{
    size_t hl = (size_t)(frame[14] & 15) * 4;
    *len = frame_len - 14 - hl;
    return frame + 14 + hl;
}

/* Emit the parsed message over a copy whose header bytes are garbage and
 * compare with the original, byte for byte. */
static void round_trip(const uint8_t *msg, size_t len, const struct icmp_message *m)
{
    static uint8_t out[2048];
    assert_true(len <= sizeof out);
    memcpy(out, msg, len);
    memset(out, 0x5a, ICMP_HEADER_LEN);
    assert_int_equal(icmp_emit(m, out, len), ICMP_HEADER_LEN);
    assert_memory_equal(out, msg, len);
}

static void linux_echo_request_and_reply_parse_and_round_trip(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux_echo_request, sizeof linux_echo_request, &len);
    struct icmp_message m;
    assert_int_equal(icmp_parse(msg, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_ECHO_REQUEST);
    assert_int_equal(m.code, 0);
    assert_int_equal(m.checksum, 0xc70d);
    assert_int_equal(icmp_echo_id(&m), 0x7d47);
    assert_int_equal(icmp_echo_seq(&m), 1);
    assert_ptr_equal(m.body, msg + 8);
    assert_int_equal(m.body_len, 56);
    assert_null(m.quoted_payload);
    assert_int_equal(m.quoted_payload_len, 0);
    round_trip(msg, len, &m);

    msg = icmp_of(linux_echo_reply, sizeof linux_echo_reply, &len);
    assert_int_equal(icmp_parse(msg, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_ECHO_REPLY);
    assert_int_equal(m.checksum, 0xcf0d);
    assert_int_equal(m.rest, icmp_echo_rest(0x7d47, 1));
    assert_int_equal(m.body_len, 56);
    round_trip(msg, len, &m);
}

static void linux_reassembled_echo_request_round_trips(void **state)
{
    (void)state;
    /* ping -s 4000: rebuild the 4008-byte message from its three fragments. */
    static uint8_t msg[4008];
    memcpy(msg, linux_big_echo_frag0 + 34, 1480);
    memcpy(msg + 1480, linux_big_echo_frag1 + 34, 1480);
    memcpy(msg + 2960, linux_big_echo_frag2 + 34, 1048);
    struct icmp_message m;
    assert_int_equal(icmp_parse(msg, sizeof msg, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_ECHO_REQUEST);
    assert_int_equal(icmp_echo_id(&m), 0x7d48);
    assert_int_equal(m.body_len, 4000);
    static uint8_t out[4008];
    memcpy(out, msg, sizeof out);
    memset(out, 0, 8);
    icmp_emit(&m, out, sizeof out);
    assert_memory_equal(out, msg, sizeof msg);
}

static void linux_time_exceeded_quotes_the_expired_echo_request(void **state)
{
    (void)state;
    /* ping -t 1 198.18.1.2: the router 198.18.0.2 quotes the whole datagram. */
    size_t len;
    const uint8_t *msg = icmp_of(linux_time_exceeded, sizeof linux_time_exceeded, &len);
    assert_int_equal(len, 92);
    struct icmp_message m;
    assert_int_equal(icmp_parse(msg, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_TIME_EXCEEDED);
    assert_int_equal(m.code, ICMP_TTL_EXCEEDED);
    assert_int_equal(m.checksum, 0xf4ff);
    assert_int_equal(m.rest, 0);
    assert_true(icmp_is_error(m.type));
    assert_int_equal(m.quoted_ip.header_len, 20);
    assert_int_equal(m.quoted_ip.total_len, 84);
    assert_int_equal(m.quoted_ip.id, 0x5b0e);
    assert_int_equal(m.quoted_ip.ttl, 1);
    assert_int_equal(m.quoted_ip.protocol, IP_PROTO_ICMP);
    assert_int_equal(m.quoted_ip.checksum, 0x9173);
    assert_int_equal(m.quoted_ip.src, IP_A);
    assert_int_equal(m.quoted_ip.dst, IP_C);
    assert_ptr_equal(m.quoted_payload, msg + 8 + 20);
    assert_int_equal(m.quoted_payload_len, 64);
    /* The quoted echo request: type 8, identifier 0x7d4a, sequence 1. */
    assert_int_equal(m.quoted_payload[0], ICMP_ECHO_REQUEST);
    assert_int_equal(wire_get16(m.quoted_payload + 4), 0x7d4a);
    assert_int_equal(wire_get16(m.quoted_payload + 6), 1);
    round_trip(msg, len, &m);
}

static void linux_port_unreachable_quotes_the_udp_ports(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux_port_unreachable, sizeof linux_port_unreachable, &len);
    assert_int_equal(len, 37);
    struct icmp_message m;
    assert_int_equal(icmp_parse(msg, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_DEST_UNREACHABLE);
    assert_int_equal(m.code, ICMP_PORT_UNREACHABLE);
    assert_int_equal(m.checksum, 0x893f);
    assert_int_equal(m.quoted_ip.total_len, 29);
    assert_int_equal(m.quoted_ip.id, 0x1a4d);
    assert_true(m.quoted_ip.dont_fragment);
    assert_int_equal(m.quoted_ip.protocol, IP_PROTO_UDP);
    assert_int_equal(m.quoted_ip.src, IP_A);
    assert_int_equal(m.quoted_ip.dst, IP_B);
    assert_int_equal(m.quoted_payload_len, 9); /* UDP header and 'x' */
    assert_int_equal(wire_get16(m.quoted_payload), 42328);
    assert_int_equal(wire_get16(m.quoted_payload + 2), 9);
    assert_int_equal(m.quoted_payload[8], 'x');
    round_trip(msg, len, &m);
}

static void linux_port_unreachable_quotes_a_header_with_options(void **state)
{
    (void)state;
    /* The error's own header has 12 bytes of options (record route echoed
     * by Linux); the quote is the 36-byte header of a 3044-byte datagram,
     * cut to fit 576 bytes (RFC 1812 4.3.2.3). */
    assert_int_equal(linux_port_unreachable_with_options[14], 0x48);
    size_t len;
    const uint8_t *msg = icmp_of(linux_port_unreachable_with_options, sizeof linux_port_unreachable_with_options, &len);
    assert_int_equal(len, 544);
    struct icmp_message m;
    assert_int_equal(icmp_parse(msg, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_DEST_UNREACHABLE);
    assert_int_equal(m.code, ICMP_PORT_UNREACHABLE);
    assert_int_equal(m.quoted_ip.header_len, 36);
    assert_int_equal(m.quoted_ip.options_len, 16);
    assert_int_equal(m.quoted_ip.options[0], 7);      /* record route */
    assert_int_equal(m.quoted_ip.options[11], 0x94);  /* router alert */
    assert_int_equal(m.quoted_ip.total_len, 3044);    /* more than was quoted */
    assert_int_equal(m.quoted_ip.id, 0x4830);
    assert_false(ipv4_is_fragment(&m.quoted_ip));     /* quoted after reassembly */
    assert_int_equal(m.quoted_payload_len, 544 - 8 - 36);
    assert_int_equal(wire_get16(m.quoted_payload), 47561);
    assert_int_equal(wire_get16(m.quoted_payload + 2), 7779);
    round_trip(msg, len, &m);
}

static void error_types_are_the_five_rfc792_errors(void **state)
{
    (void)state;
    for (int t = 0; t < 256; t++) {
        bool error = t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
        assert_int_equal(icmp_is_error((uint8_t)t), error);
    }
}

/* A message built here: type/code, then body, checksummed by icmp_emit. */
static uint8_t built[600];
static size_t build(uint8_t type, uint8_t code, const uint8_t *body, size_t body_len)
{
    assert_true(body_len + 8 <= sizeof built);
    memcpy(built + 8, body, body_len);
    struct icmp_message m = { .type = type, .code = code };
    icmp_emit(&m, built, 8 + body_len);
    return 8 + body_len;
}

static void quote_shorter_than_header_and_eight_bytes_is_rejected(void **state)
{
    (void)state;
    /* RFC 792: the internet header plus 64 bits of the original data. */
    size_t len;
    const uint8_t *te = icmp_of(linux_time_exceeded, sizeof linux_time_exceeded, &len);
    const uint8_t *quote = te + 8;
    struct icmp_message m;
    for (size_t q = 0; q < 28; q++) {
        size_t n = build(ICMP_TIME_EXCEEDED, 0, quote, q);
        assert_int_equal(icmp_parse(built, n, &m), WIRE_TRUNCATED);
        n = build(ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, quote, q);
        assert_int_equal(icmp_parse(built, n, &m), WIRE_TRUNCATED);
    }
    size_t n = build(ICMP_TIME_EXCEEDED, 0, quote, 28);
    assert_int_equal(icmp_parse(built, n, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.quoted_payload_len, 8);

    /* A quoted header with options needs its full length plus 8. */
    const uint8_t *pu = icmp_of(linux_port_unreachable_with_options, sizeof linux_port_unreachable_with_options, &len);
    n = build(ICMP_DEST_UNREACHABLE, 3, pu + 8, 36 + 7);
    assert_int_equal(icmp_parse(built, n, &m), WIRE_TRUNCATED);
    n = build(ICMP_DEST_UNREACHABLE, 3, pu + 8, 36 + 8);
    assert_int_equal(icmp_parse(built, n, &m), ICMP_HEADER_LEN);
}

static void quote_that_is_not_an_ipv4_header_is_rejected(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *te = icmp_of(linux_time_exceeded, sizeof linux_time_exceeded, &len);
    uint8_t quote[84];
    memcpy(quote, te + 8, sizeof quote);
    struct icmp_message m;
    quote[0] = 0x65; /* version 6 */
    assert_true(icmp_parse(built, build(ICMP_TIME_EXCEEDED, 0, quote, sizeof quote), &m) < 0);
    quote[0] = 0x44; /* IHL 4 */
    assert_true(icmp_parse(built, build(ICMP_TIME_EXCEEDED, 0, quote, sizeof quote), &m) < 0);
    quote[0] = 0x45;
    wire_put16(quote + 2, 12); /* total length shorter than the header */
    assert_true(icmp_parse(built, build(ICMP_TIME_EXCEEDED, 0, quote, sizeof quote), &m) < 0);
    quote[0] = 0x4f; /* IHL 15: a 60-byte header, only 28 bytes quoted */
    wire_put16(quote + 2, 84);
    assert_int_equal(icmp_parse(built, build(ICMP_TIME_EXCEEDED, 0, quote, 28), &m), WIRE_TRUNCATED);
}

static void bad_checksum_is_rejected(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *msg = icmp_of(linux_echo_request, sizeof linux_echo_request, &len);
    uint8_t copy[64];
    memcpy(copy, msg, len);
    struct icmp_message m;
    for (size_t byte = 0; byte < len; byte++) {
        copy[byte] ^= 0x10;
        assert_int_equal(icmp_parse(copy, len, &m), WIRE_BAD_CHECKSUM);
        copy[byte] ^= 0x10;
    }
    /* The checksum covers every byte given: one byte more or less fails. */
    assert_int_equal(icmp_parse(copy, len - 1, &m), WIRE_BAD_CHECKSUM);
    assert_int_equal(icmp_parse(copy, len, &m), ICMP_HEADER_LEN);
    /* Errors too. */
    const uint8_t *te = icmp_of(linux_time_exceeded, sizeof linux_time_exceeded, &len);
    uint8_t te_copy[92];
    memcpy(te_copy, te, len);
    te_copy[40] ^= 1;
    assert_int_equal(icmp_parse(te_copy, len, &m), WIRE_BAD_CHECKSUM);
}

static void message_shorter_than_eight_bytes_is_truncated(void **state)
{
    (void)state;
    struct icmp_message m;
    size_t len;
    const uint8_t *msg = icmp_of(linux_echo_request, sizeof linux_echo_request, &len);
    for (size_t n = 0; n < ICMP_HEADER_LEN; n++)
        assert_int_equal(icmp_parse(msg, n, &m), WIRE_TRUNCATED);
    uint8_t out[8];
    struct icmp_message e = { .type = ICMP_ECHO_REQUEST };
    assert_int_equal(icmp_emit(&e, out, 7), 0);
}

static void echo_without_data_and_with_odd_data_round_trips(void **state)
{
    (void)state;
    struct icmp_message m;
    static const uint8_t odd[] = { 1, 2, 3 };
    for (size_t n = 0; n <= sizeof odd; n++) {
        size_t len = build(ICMP_ECHO_REQUEST, 0, odd, n);
        assert_int_equal(icmp_parse(built, len, &m), ICMP_HEADER_LEN);
        assert_int_equal(m.body_len, n);
        assert_int_equal(inet_checksum(built, len), 0);
    }
}

static void other_types_parse_without_a_quote(void **state)
{
    (void)state;
    /* Timestamp (13) and unknown types: only the header is checked. */
    struct icmp_message m;
    size_t len = build(13, 0, built, 0);
    assert_int_equal(icmp_parse(built, len, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, 13);
    assert_null(m.quoted_payload);
    len = build(200, 7, built, 0);
    assert_int_equal(icmp_parse(built, len, &m), ICMP_HEADER_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_echo_request_and_reply_parse_and_round_trip),
        cmocka_unit_test(linux_reassembled_echo_request_round_trips),
        cmocka_unit_test(linux_time_exceeded_quotes_the_expired_echo_request),
        cmocka_unit_test(linux_port_unreachable_quotes_the_udp_ports),
        cmocka_unit_test(linux_port_unreachable_quotes_a_header_with_options),
        cmocka_unit_test(error_types_are_the_five_rfc792_errors),
        cmocka_unit_test(quote_shorter_than_header_and_eight_bytes_is_rejected),
        cmocka_unit_test(quote_that_is_not_an_ipv4_header_is_rejected),
        cmocka_unit_test(bad_checksum_is_rejected),
        cmocka_unit_test(message_shorter_than_eight_bytes_is_truncated),
        cmocka_unit_test(echo_without_data_and_with_odd_data_round_trips),
        cmocka_unit_test(other_types_parse_without_a_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
