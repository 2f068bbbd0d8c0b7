/* Fuzz ipv4_parse and ipv4_parse_quoted, and ipv4_options_for_fragment on
 * what they accept.
 *
 * Input: one flags byte, then the IP packet. Flag 0x01 writes the right
 * header checksum first, so the fuzzer gets past it to the length and
 * option checks behind.
 *
 * Properties: what ipv4_parse accepts, ipv4_parse_quoted accepts the same
 * way; the lengths hold together; emitting the parsed header gives the
 * same bytes (but for a checksum of 0xffff, written as the equivalent
 * 0x0000, and the reserved flag bit, which naru does not keep) and parses
 * to the same fields; the options kept for later
 * fragments are only "copied" ones and form a valid header themselves. */
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

static uint8_t packet[IPV4_MAX_DATAGRAM];

static void check_same_fields(const struct ipv4_header *a, const struct ipv4_header *b)
{
    FUZZ_CHECK(a->header_len == b->header_len && a->tos == b->tos && a->total_len == b->total_len);
    FUZZ_CHECK(a->id == b->id && a->dont_fragment == b->dont_fragment);
    FUZZ_CHECK(a->more_fragments == b->more_fragments && a->fragment_offset == b->fragment_offset);
    FUZZ_CHECK(a->ttl == b->ttl && a->protocol == b->protocol && a->src == b->src && a->dst == b->dst);
    FUZZ_CHECK(a->options_len == b->options_len);
    FUZZ_CHECK(memcmp(a->options, b->options, a->options_len) == 0);
}

static void check_fragment_options(const struct ipv4_header *h)
{
    uint8_t kept[IPV4_MAX_HEADER_LEN];
    size_t n = ipv4_options_for_fragment(h->options, h->options_len, kept);
    FUZZ_CHECK(n <= h->options_len);
    for (size_t i = 0; i < n;) {
        FUZZ_CHECK(kept[i] & 0x80);            /* RFC 791: the copied flag */
        FUZZ_CHECK(i + 1 < n && kept[i + 1] >= 2 && kept[i + 1] <= n - i);
        i += kept[i + 1];
    }
    /* A later fragment's header with these options is itself valid. */
    struct ipv4_header f = *h;
    f.options = kept;
    f.options_len = (uint8_t)n;
    f.total_len = (uint16_t)ipv4_header_len_for(n);
    f.fragment_offset = 8;
    uint8_t out[IPV4_MAX_HEADER_LEN];
    size_t hl = ipv4_emit(&f, out, sizeof out);
    FUZZ_CHECK(hl == ipv4_header_len_for(n));
    struct ipv4_header back;
    FUZZ_CHECK(ipv4_parse(out, hl, &back) == (int)hl);
    FUZZ_CHECK(memcmp(back.options, kept, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > sizeof packet)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1;
    memcpy(packet, data + 1, len);
    if ((flags & 1) && len >= IPV4_MIN_HEADER_LEN) {
        size_t hl = (size_t)(packet[0] & 15) * 4;
        if (hl >= IPV4_MIN_HEADER_LEN && hl <= len) {
            wire_put16(packet + 10, 0);
            wire_put16(packet + 10, inet_checksum(packet, hl));
        }
    }

    struct ipv4_header h, q;
    int r = ipv4_parse(packet, len, &h);
    int rq = ipv4_parse_quoted(packet, len, &q);
    if (r < 0) {
        FUZZ_CHECK(r >= WIRE_UNSUPPORTED);
        return 0;
    }
    FUZZ_CHECK(rq == r);
    check_same_fields(&h, &q);

    FUZZ_CHECK(r == h.header_len && r >= IPV4_MIN_HEADER_LEN && r <= IPV4_MAX_HEADER_LEN && r % 4 == 0);
    FUZZ_CHECK(h.total_len >= r && h.total_len <= len);
    FUZZ_CHECK((uint32_t)h.fragment_offset + h.total_len - (uint32_t)r <= IPV4_MAX_DATAGRAM);
    FUZZ_CHECK(h.fragment_offset % 8 == 0);
    FUZZ_CHECK(h.options == packet + IPV4_MIN_HEADER_LEN && h.options_len == r - IPV4_MIN_HEADER_LEN);
    FUZZ_CHECK(inet_checksum(packet, (size_t)r) == 0);

    uint8_t out[IPV4_MAX_HEADER_LEN];
    FUZZ_CHECK(ipv4_emit(&h, out, sizeof out) == (size_t)r);
    /* Byte for byte, but for the checksum when the header sums to 0xffff
     * (then 0x0000 and 0xffff both verify; naru writes 0x0000), and the
     * reserved flag bit naru does not keep. */
    bool reserved_bit = packet[6] & 0x80;
    if (!reserved_bit) {
        FUZZ_CHECK(memcmp(out, packet, 10) == 0);
        FUZZ_CHECK(memcmp(out + 12, packet + 12, (size_t)r - 12) == 0);
        FUZZ_CHECK(h.checksum == wire_get16(out + 10) || (h.checksum == 0xffff && wire_get16(out + 10) == 0));
    }
    struct ipv4_header back;
    FUZZ_CHECK(ipv4_parse_quoted(out, (size_t)r, &back) == r);
    check_same_fields(&h, &back);
    FUZZ_CHECK(inet_checksum(out, (size_t)r) == 0);

    check_fragment_options(&h);
    return 0;
}
