/* Fuzz icmp_parse: any bytes as an ICMP message (the IP payload).
 *
 * Input: one flags byte, then the message. Flag 0x01 writes the right
 * checksum first, so the fuzzer reaches the quoted-header checks.
 *
 * Properties: the body and the quote lie inside the message, an error
 * quotes a parseable header and 8 bytes; emitting the parsed header over
 * the same body gives the same bytes (the checksum may come out as 0x0000
 * where the input had the equivalent 0xffff) and parses the same. */
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

static uint8_t msg[IPV4_MAX_DATAGRAM], out[IPV4_MAX_DATAGRAM];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > sizeof msg)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1;
    memcpy(msg, data + 1, len);
    if ((flags & 1) && len >= ICMP_HEADER_LEN) {
        wire_put16(msg + 2, 0);
        wire_put16(msg + 2, inet_checksum(msg, len));
    }

    struct icmp_message m;
    int r = icmp_parse(msg, len, &m);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_BAD_CHECKSUM || r == WIRE_BAD_LENGTH);
        return 0;
    }
    FUZZ_CHECK(r == ICMP_HEADER_LEN);
    FUZZ_CHECK(inet_checksum(msg, len) == 0);
    FUZZ_CHECK(m.body == msg + ICMP_HEADER_LEN && m.body_len == len - ICMP_HEADER_LEN);
    FUZZ_CHECK(m.type == msg[0] && m.code == msg[1] && m.rest == wire_get32(msg + 4));
    if (icmp_is_error(m.type)) {
        FUZZ_CHECK(m.quoted_payload == m.body + m.quoted_ip.header_len);
        FUZZ_CHECK(m.quoted_payload_len >= 8);
        FUZZ_CHECK(m.quoted_ip.header_len + m.quoted_payload_len == m.body_len);
        struct ipv4_header again;
        FUZZ_CHECK(ipv4_parse_quoted(m.body, m.body_len, &again) == m.quoted_ip.header_len);
    } else {
        FUZZ_CHECK(m.quoted_payload == NULL && m.quoted_payload_len == 0);
    }

    memcpy(out, msg, len);
    memset(out, 0xa5, ICMP_HEADER_LEN);
    FUZZ_CHECK(icmp_emit(&m, out, len) == ICMP_HEADER_LEN);
    FUZZ_CHECK(memcmp(out, msg, 2) == 0);
    FUZZ_CHECK(memcmp(out + 4, msg + 4, len - 4) == 0);
    uint16_t c_in = wire_get16(msg + 2), c_out = wire_get16(out + 2);
    FUZZ_CHECK(c_in == c_out || (c_in == 0xffff && c_out == 0));
    struct icmp_message back;
    FUZZ_CHECK(icmp_parse(out, len, &back) == ICMP_HEADER_LEN);
    FUZZ_CHECK(back.type == m.type && back.code == m.code && back.rest == m.rest);
    FUZZ_CHECK(back.body_len == m.body_len && back.quoted_payload_len == m.quoted_payload_len);
    return 0;
}
