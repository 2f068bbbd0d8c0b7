/* Fuzz udp_parse: any bytes as a UDP datagram (the IP payload).
 *
 * Input: one flags byte, the source and destination addresses (4 bytes
 * each, for the pseudo-header), then the datagram. Flag 0x01 writes the
 * right checksum first (over the bytes the length field names), so the
 * fuzzer gets past it.
 *
 * Properties: the length field lies in 8..len; emitting the parsed header
 * over the same data parses back to the same fields, and gives the same
 * bytes whenever the input carried a checksum (a checksum that verifies
 * is unique, 0 aside). */
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

static uint8_t dgram[IPV4_MAX_DATAGRAM], out[IPV4_MAX_DATAGRAM];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9 || size - 9 > sizeof dgram)
        return 0;
    uint8_t flags = data[0];
    uint32_t src = wire_get32(data + 1), dst = wire_get32(data + 5);
    size_t len = size - 9;
    memcpy(dgram, data + 9, len);
    if ((flags & 1) && len >= UDP_HEADER_LEN) {
        uint16_t ulen = wire_get16(dgram + 4);
        if (ulen >= UDP_HEADER_LEN && ulen <= len) {
            wire_put16(dgram + 6, 0);
            uint16_t c = inet_fold(inet_sum(dgram, ulen, inet_pseudo_sum(src, dst, IP_PROTO_UDP, ulen)));
            wire_put16(dgram + 6, c ? c : 0xffff);
        }
    }

    struct udp_header h;
    int r = udp_parse(dgram, len, src, dst, &h);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_BAD_LENGTH || r == WIRE_BAD_CHECKSUM);
        FUZZ_CHECK((r == WIRE_TRUNCATED) == (len < UDP_HEADER_LEN));
        return 0;
    }
    FUZZ_CHECK(r == UDP_HEADER_LEN);
    FUZZ_CHECK(h.length >= UDP_HEADER_LEN && h.length <= len);
    FUZZ_CHECK(h.src_port == wire_get16(dgram) && h.dst_port == wire_get16(dgram + 2));
    FUZZ_CHECK(h.checksum == wire_get16(dgram + 6));

    memcpy(out, dgram, h.length);
    memset(out, 0xa5, UDP_HEADER_LEN);
    udp_emit(&h, src, dst, out, h.length);
    FUZZ_CHECK(wire_get16(out + 6) != 0);
    if (h.checksum != 0)
        FUZZ_CHECK(memcmp(out, dgram, h.length) == 0);
    struct udp_header back;
    FUZZ_CHECK(udp_parse(out, h.length, src, dst, &back) == UDP_HEADER_LEN);
    FUZZ_CHECK(back.src_port == h.src_port && back.dst_port == h.dst_port && back.length == h.length);
    return 0;
}
