/* Fuzz tcp_parse and tcp_parse_options.
 *
 * Input: one flags byte, the source and destination addresses (4 bytes
 * each, for the pseudo-header), then the segment. Flag 0x01 writes the
 * right checksum first, so the fuzzer gets past it to the options. The
 * same bytes also go to tcp_parse_options alone, as an option list of any
 * length.
 *
 * Properties: options that parse emit in naru's layout (at most 40 bytes,
 * SACK blocks that do not fit left out) and parse back to the same values;
 * a segment that parses, emitted again from its fields in front of the
 * same payload, parses back to the same header. */
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define MAX_SEGMENT 65000 /* so the re-emitted header and payload fit 16 bits */

static uint8_t seg[MAX_SEGMENT], out[MAX_SEGMENT + TCP_MAX_HEADER_LEN];

/* b was parsed from what a was emitted as: the same values, and the SACK
 * blocks that fit. */
static void check_same_options(const struct tcp_options *a, const struct tcp_options *b)
{
    FUZZ_CHECK(a->mss_present == b->mss_present && (!a->mss_present || a->mss == b->mss));
    FUZZ_CHECK(a->wscale_present == b->wscale_present && (!a->wscale_present || a->wscale == b->wscale));
    FUZZ_CHECK(a->sack_permitted == b->sack_permitted);
    FUZZ_CHECK(a->timestamps_present == b->timestamps_present);
    FUZZ_CHECK(!a->timestamps_present || (a->ts_val == b->ts_val && a->ts_ecr == b->ts_ecr));
    FUZZ_CHECK(b->sack_count <= a->sack_count);
    for (int i = 0; i < b->sack_count; i++)
        FUZZ_CHECK(a->sack[i].left == b->sack[i].left && a->sack[i].right == b->sack[i].right);
}

static void fuzz_options(const uint8_t *opt, size_t len)
{
    struct tcp_options o;
    if (tcp_parse_options(opt, len, &o) < 0)
        return;
    FUZZ_CHECK(o.sack_count <= TCP_MAX_SACK_BLOCKS);
    size_t olen = tcp_options_len(&o);
    FUZZ_CHECK(olen <= TCP_MAX_HEADER_LEN - TCP_MIN_HEADER_LEN && olen % 4 == 0);
    struct tcp_header h = { .src_port = 1, .dst_port = 2, .flags = TCP_ACK, .options = o };
    uint8_t buf[TCP_MAX_HEADER_LEN];
    size_t hl = tcp_emit(&h, 1, 2, buf, 0);
    FUZZ_CHECK(hl == TCP_MIN_HEADER_LEN + olen);
    struct tcp_header back;
    FUZZ_CHECK(tcp_parse(buf, hl, 1, 2, &back) == (int)hl);
    check_same_options(&o, &back.options);
    /* Blocks are only left out for want of room. */
    if (back.options.sack_count < o.sack_count)
        FUZZ_CHECK(hl + 8 > TCP_MAX_HEADER_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9 || size - 9 > sizeof seg)
        return 0;
    uint8_t flags = data[0];
    uint32_t src = wire_get32(data + 1), dst = wire_get32(data + 5);
    size_t len = size - 9;
    memcpy(seg, data + 9, len);
    fuzz_options(seg, len);
    if ((flags & 1) && len >= TCP_MIN_HEADER_LEN) {
        wire_put16(seg + 16, 0);
        wire_put16(seg + 16, inet_fold(inet_sum(seg, len, inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)len))));
    }

    struct tcp_header h;
    int r = tcp_parse(seg, len, src, dst, &h);
    if (r < 0) {
        FUZZ_CHECK(r >= WIRE_UNSUPPORTED);
        return 0;
    }
    FUZZ_CHECK(r == h.header_len && r >= TCP_MIN_HEADER_LEN && r <= TCP_MAX_HEADER_LEN && (size_t)r <= len);
    FUZZ_CHECK(h.src_port == wire_get16(seg) && h.dst_port == wire_get16(seg + 2));
    FUZZ_CHECK(h.seq == wire_get32(seg + 4) && h.ack == wire_get32(seg + 8) && h.flags == seg[13]);

    size_t payload = len - (size_t)r;
    size_t hl = tcp_header_len(&h);
    memcpy(out + hl, seg + r, payload);
    FUZZ_CHECK(tcp_emit(&h, src, dst, out, payload) == hl);
    struct tcp_header back;
    FUZZ_CHECK(tcp_parse(out, hl + payload, src, dst, &back) == (int)hl);
    FUZZ_CHECK(back.src_port == h.src_port && back.dst_port == h.dst_port);
    FUZZ_CHECK(back.seq == h.seq && back.ack == h.ack && back.flags == h.flags);
    FUZZ_CHECK(back.window == h.window && back.urgent == h.urgent);
    check_same_options(&h.options, &back.options);
    FUZZ_CHECK(memcmp(out + hl, seg + r, payload) == 0);
    return 0;
}
