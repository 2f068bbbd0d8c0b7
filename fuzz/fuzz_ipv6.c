/* Fuzz ipv6_parse, ipv6_parse_quoted and ipv6_walk_chain (the fixed
 * header and the extension header chain), and ipv6_fragment_emit on what
 * the walk found.
 *
 * Input: one flags byte, then the IPv6 packet. Flag 0x01 writes the
 * payload length to match the bytes, so the fuzzer gets past that check
 * to the chain behind.
 *
 * Properties: the fixed header emits back to the same 40 bytes and the
 * quoted parse agrees; the walk is repeatable, every offset and pointer it
 * reports lies inside the packet, the RFC 8200 4.5 fragment rules hold for
 * what it accepts, a later fragment's data starts right after its
 * fragment header, and the fragment header emits back to the same bytes
 * but for its reserved bits. Every shorter cut of the packet walks too.
 * The addresses' RFC 5952 text (ipv6_addr_format, naru_addr_format) reads
 * back (naru_addr_parse) to the same bytes. */
#include <string.h>

#include "fuzz.h"
#include "naru/addr.h"
#include "wire/ipv6.h"

static void check_text(const uint8_t a[16])
{
    char text[IPV6_ADDR_STRLEN];
    ipv6_addr_format(a, text);
    size_t n = strlen(text);
    FUZZ_CHECK(n >= 2 && n < IPV6_ADDR_STRLEN);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f') || text[i] == ':' ||
                   text[i] == '.');
    struct naru_addr back;
    FUZZ_CHECK(naru_addr_parse(text, &back) == 0 && back.family == NARU_AF_INET6);
    FUZZ_CHECK(memcmp(back.v6, a, 16) == 0);
}

static uint8_t packet[IPV6_HEADER_LEN + IPV6_MAX_PAYLOAD];

static void check_chain(const uint8_t *p, size_t len, const struct ipv6_chain *c)
{
    FUZZ_CHECK(c->upper_offset <= len);
    FUZZ_CHECK(c->upper_offset == 0 || c->upper_offset >= IPV6_HEADER_LEN);
    FUZZ_CHECK(c->upper_next_header_pointer < len || c->upper_offset == 0);
    FUZZ_CHECK(c->problem_pointer < len);
    FUZZ_CHECK(c->verdict == IPV6_CHAIN_ACCEPT || c->verdict == IPV6_CHAIN_DISCARD ||
               c->verdict == IPV6_CHAIN_PARAM_PROBLEM);
    FUZZ_CHECK(!c->incomplete_first_fragment || (c->verdict == IPV6_CHAIN_PARAM_PROBLEM && c->fragment &&
                                                 c->problem_code == ICMPV6_INCOMPLETE_HEADER_CHAIN));
    FUZZ_CHECK(!c->router_alert || c->hop_by_hop);
    FUZZ_CHECK(!c->hop_by_hop || p[6] == IP_PROTO_HOPOPTS);
    if (c->verdict == IPV6_CHAIN_ACCEPT) {
        FUZZ_CHECK(c->upper_offset >= IPV6_HEADER_LEN);
        FUZZ_CHECK(p[c->upper_next_header_pointer] == c->upper_protocol);
    }
    if (c->fragment) {
        size_t at = c->fragment_pointer;
        FUZZ_CHECK(at >= IPV6_HEADER_LEN && at + IPV6_FRAGMENT_HEADER_LEN <= len);
        FUZZ_CHECK(c->frag.offset % 8 == 0);
        size_t data = len - at - IPV6_FRAGMENT_HEADER_LEN;
        if (c->verdict == IPV6_CHAIN_ACCEPT) {
            FUZZ_CHECK(!c->frag.more || data % 8 == 0);
            FUZZ_CHECK(at - IPV6_HEADER_LEN + c->frag.offset + data <= IPV6_MAX_PAYLOAD);
            if (c->frag.offset != 0)
                FUZZ_CHECK(c->upper_offset == at + IPV6_FRAGMENT_HEADER_LEN && c->upper_protocol == p[at]);
        }
        uint8_t out[IPV6_FRAGMENT_HEADER_LEN];
        FUZZ_CHECK(ipv6_fragment_emit(p[at], &c->frag, out, sizeof out) == IPV6_FRAGMENT_HEADER_LEN);
        FUZZ_CHECK(out[0] == p[at] && out[2] == p[at + 2] && (out[3] ^ p[at + 3]) == (p[at + 3] & 6));
        FUZZ_CHECK(memcmp(out + 4, p + at + 4, 4) == 0);
    }
    if (c->routing)
        FUZZ_CHECK(c->routing_pointer >= IPV6_HEADER_LEN && c->routing_pointer + 8u <= len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > sizeof packet)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1;
    memcpy(packet, data + 1, len);
    if ((flags & 1) && len >= IPV6_HEADER_LEN)
        wire_put16(packet + 4, (uint16_t)(len - IPV6_HEADER_LEN));

    struct ipv6_header h, q;
    int r = ipv6_parse(packet, len, &h);
    int rq = ipv6_parse_quoted(packet, len, &q);
    if (rq < 0) {
        FUZZ_CHECK(r == rq && (r == WIRE_TRUNCATED || r == WIRE_BAD_VERSION));
        return 0;
    }
    FUZZ_CHECK(rq == IPV6_HEADER_LEN);
    uint8_t out[IPV6_HEADER_LEN];
    FUZZ_CHECK(ipv6_emit(&q, out, sizeof out) == IPV6_HEADER_LEN);
    FUZZ_CHECK(memcmp(out, packet, IPV6_HEADER_LEN) == 0);
    check_text(q.src);
    check_text(q.dst);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_BAD_LENGTH && q.payload_len > len - IPV6_HEADER_LEN);
        return 0;
    }
    FUZZ_CHECK(r == IPV6_HEADER_LEN && h.traffic_class == q.traffic_class && h.flow_label == q.flow_label);
    FUZZ_CHECK(h.payload_len == q.payload_len && h.next_header == q.next_header && h.hop_limit == q.hop_limit);
    FUZZ_CHECK(memcmp(h.src, q.src, 16) == 0 && memcmp(h.dst, q.dst, 16) == 0);

    len = IPV6_HEADER_LEN + h.payload_len;
    struct ipv6_chain c, again;
    int w = ipv6_walk_chain(packet, len, &c);
    FUZZ_CHECK(ipv6_walk_chain(packet, len, &again) == w);
    if (w < 0) {
        FUZZ_CHECK(w == WIRE_TRUNCATED || w == WIRE_BAD_OPTION);
    } else {
        FUZZ_CHECK(w == 0 && c.verdict == again.verdict && c.upper_offset == again.upper_offset);
        FUZZ_CHECK(c.problem_pointer == again.problem_pointer && c.headers == again.headers);
        check_chain(packet, len, &c);
    }
    /* Cuts, as an ICMPv6 error's quote would be. */
    for (size_t cut = IPV6_HEADER_LEN; cut < len; cut += 1 + cut / 4) {
        if (ipv6_walk_chain(packet, cut, &c) == 0)
            check_chain(packet, cut, &c);
    }
    return 0;
}
