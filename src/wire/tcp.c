#include "wire/tcp.h"

#include "wire/checksum.h"
#include "wire/ipv4.h"

int tcp_parse_options(const uint8_t *opt, size_t len, struct tcp_options *o)
{
    memset(o, 0, sizeof *o);
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len)
            return WIRE_BAD_OPTION;
        uint8_t olen = opt[i + 1];
        if (olen < 2 || olen > len - i)
            return WIRE_BAD_OPTION;
        const uint8_t *v = opt + i + 2;
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != 4)
                return WIRE_BAD_OPTION;
            o->mss_present = true;
            o->mss = wire_get16(v);
            break;
        case TCP_OPT_WSCALE:
            if (olen != 3)
                return WIRE_BAD_OPTION;
            o->wscale_present = true;
            o->wscale = v[0];
            break;
        case TCP_OPT_SACK_PERMITTED:
            if (olen != 2)
                return WIRE_BAD_OPTION;
            o->sack_permitted = true;
            break;
        case TCP_OPT_SACK:
            if ((olen - 2) % 8 != 0 || olen == 2 || (olen - 2) / 8 > TCP_MAX_SACK_BLOCKS)
                return WIRE_BAD_OPTION;
            o->sack_count = (uint8_t)((olen - 2) / 8);
            for (int b = 0; b < o->sack_count; b++) {
                o->sack[b].left = wire_get32(v + 8 * b);
                o->sack[b].right = wire_get32(v + 8 * b + 4);
            }
            break;
        case TCP_OPT_TIMESTAMPS:
            if (olen != 10)
                return WIRE_BAD_OPTION;
            o->timestamps_present = true;
            o->ts_val = wire_get32(v);
            o->ts_ecr = wire_get32(v + 4);
            break;
        default:
            break; /* RFC 9293 3.2: skip what we do not know, by its length */
        }
        i += olen;
    }
    return 0;
}

/* The data offset and the length, checked: the header length, or a
 * wire_error. */
static int header_len(const uint8_t *buf, size_t len)
{
    if (len < TCP_MIN_HEADER_LEN)
        return WIRE_TRUNCATED;
    size_t hl = (size_t)(buf[12] >> 4) * 4;
    if (hl < TCP_MIN_HEADER_LEN)
        return WIRE_BAD_HEADER_LEN;
    if (hl > len)
        return WIRE_TRUNCATED;
    if (len > 0xffff)
        return WIRE_BAD_LENGTH;
    return (int)hl;
}

/* The fields and options of a header whose length is checked. */
static int header_fields(const uint8_t *buf, int hl, struct tcp_header *h)
{
    h->src_port = wire_get16(buf);
    h->dst_port = wire_get16(buf + 2);
    h->seq = wire_get32(buf + 4);
    h->ack = wire_get32(buf + 8);
    h->header_len = (uint8_t)hl;
    h->flags = buf[13];
    h->window = wire_get16(buf + 14);
    h->checksum = wire_get16(buf + 16);
    h->urgent = wire_get16(buf + 18);
    int err = tcp_parse_options(buf + TCP_MIN_HEADER_LEN, (size_t)hl - TCP_MIN_HEADER_LEN, &h->options);
    return err < 0 ? err : hl;
}

int tcp_parse_pseudo(const uint8_t *buf, size_t len, uint32_t pseudo, struct tcp_header *h)
{
    int hl = header_len(buf, len);
    if (hl < 0)
        return hl;
    if (inet_fold(inet_sum(buf, len, pseudo + (uint32_t)len)) != 0)
        return WIRE_BAD_CHECKSUM;
    return header_fields(buf, hl, h);
}

int tcp_parse(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst, struct tcp_header *h)
{
    return tcp_parse_pseudo(buf, len, inet_pseudo_sum(src, dst, IP_PROTO_TCP, 0), h);
}

int tcp_parse_header(const uint8_t *buf, size_t len, struct tcp_header *h)
{
    int hl = header_len(buf, len);
    return hl < 0 ? hl : header_fields(buf, hl, h);
}

/* The layouts Linux sends, so captures look familiar:
 * SYN:   MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes)
 * other: NOP, NOP, timestamps; NOP, NOP, SACK blocks. */
static size_t sack_blocks_that_fit(const struct tcp_options *o, size_t used)
{
    size_t n = o->sack_count;
    while (n && used + 4 + 8 * n > 40)
        n--;
    return n;
}

size_t tcp_options_len(const struct tcp_options *o)
{
    size_t n = 0;
    if (o->mss_present)
        n += 4;
    if (o->sack_permitted && o->timestamps_present)
        n += 12;
    else if (o->timestamps_present || o->sack_permitted)
        n += o->timestamps_present ? 12 : 4;
    if (o->wscale_present)
        n += 4;
    size_t blocks = sack_blocks_that_fit(o, n);
    if (blocks)
        n += 4 + 8 * blocks;
    return n;
}

static size_t emit_options(const struct tcp_options *o, uint8_t *p)
{
    size_t n = 0;
    if (o->mss_present) {
        p[n++] = TCP_OPT_MSS;
        p[n++] = 4;
        wire_put16(p + n, o->mss);
        n += 2;
    }
    if (o->sack_permitted && o->timestamps_present) {
        p[n++] = TCP_OPT_SACK_PERMITTED;
        p[n++] = 2;
    } else if (o->sack_permitted) {
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_SACK_PERMITTED;
        p[n++] = 2;
    } else if (o->timestamps_present) {
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_NOP;
    }
    if (o->timestamps_present) {
        p[n++] = TCP_OPT_TIMESTAMPS;
        p[n++] = 10;
        wire_put32(p + n, o->ts_val);
        wire_put32(p + n + 4, o->ts_ecr);
        n += 8;
    }
    if (o->wscale_present) {
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_WSCALE;
        p[n++] = 3;
        p[n++] = o->wscale;
    }
    size_t blocks = sack_blocks_that_fit(o, n);
    if (blocks) {
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_NOP;
        p[n++] = TCP_OPT_SACK;
        p[n++] = (uint8_t)(2 + 8 * blocks);
        for (size_t b = 0; b < blocks; b++) {
            wire_put32(p + n, o->sack[b].left);
            wire_put32(p + n + 4, o->sack[b].right);
            n += 8;
        }
    }
    return n;
}

size_t tcp_emit_pseudo(const struct tcp_header *h, uint32_t pseudo, uint8_t *buf, size_t payload_len)
{
    size_t hl = TCP_MIN_HEADER_LEN + emit_options(&h->options, buf + TCP_MIN_HEADER_LEN);
    wire_put16(buf, h->src_port);
    wire_put16(buf + 2, h->dst_port);
    wire_put32(buf + 4, h->seq);
    wire_put32(buf + 8, h->ack);
    buf[12] = (uint8_t)(hl / 4 << 4);
    buf[13] = h->flags;
    wire_put16(buf + 14, h->window);
    wire_put16(buf + 16, 0);
    wire_put16(buf + 18, h->urgent);
    size_t len = hl + payload_len;
    wire_put16(buf + 16, inet_fold(inet_sum(buf, len, pseudo + (uint32_t)len)));
    return hl;
}

size_t tcp_emit(const struct tcp_header *h, uint32_t src, uint32_t dst, uint8_t *buf,
                size_t payload_len)
{
    return tcp_emit_pseudo(h, inet_pseudo_sum(src, dst, IP_PROTO_TCP, 0), buf, payload_len);
}
