#include "wire/ipv4.h"

#include "wire/checksum.h"

#define IPV4_OPT_EOL 0
#define IPV4_OPT_NOP 1

/* RFC 791 3.1: every option but EOL and NOP carries its own length. */
static bool options_well_formed(const uint8_t *opt, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (opt[i] == IPV4_OPT_EOL)
            return true;
        if (opt[i] == IPV4_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
            return false;
        i += opt[i + 1];
    }
    return true;
}

static int parse_common(const uint8_t *buf, size_t len, struct ipv4_header *h)
{
    if (len < IPV4_MIN_HEADER_LEN)
        return WIRE_TRUNCATED;
    if (buf[0] >> 4 != 4)
        return WIRE_BAD_VERSION;
    size_t hl = (size_t)(buf[0] & 0x0f) * 4;
    if (hl < IPV4_MIN_HEADER_LEN)
        return WIRE_BAD_HEADER_LEN;
    if (hl > len)
        return WIRE_TRUNCATED;
    h->header_len = (uint8_t)hl;
    h->tos = buf[1];
    h->total_len = wire_get16(buf + 2);
    h->id = wire_get16(buf + 4);
    uint16_t frag = wire_get16(buf + 6);
    h->dont_fragment = frag & 0x4000;
    h->more_fragments = frag & 0x2000;
    h->fragment_offset = (uint16_t)((frag & 0x1fff) * 8);
    h->ttl = buf[8];
    h->protocol = buf[9];
    h->checksum = wire_get16(buf + 10);
    h->src = wire_get32(buf + 12);
    h->dst = wire_get32(buf + 16);
    h->options = buf + IPV4_MIN_HEADER_LEN;
    h->options_len = (uint8_t)(hl - IPV4_MIN_HEADER_LEN);
    if (h->total_len < hl)
        return WIRE_BAD_LENGTH;
    /* A fragment must not end past the largest datagram ("ping of death"). */
    if ((uint32_t)h->fragment_offset + (h->total_len - hl) > IPV4_MAX_DATAGRAM)
        return WIRE_BAD_LENGTH;
    if (!options_well_formed(h->options, h->options_len))
        return WIRE_BAD_OPTION;
    return (int)hl;
}

int ipv4_parse(const uint8_t *buf, size_t len, struct ipv4_header *h)
{
    int hl = parse_common(buf, len, h);
    if (hl < 0)
        return hl;
    if (h->total_len > len)
        return WIRE_BAD_LENGTH;
    if (inet_checksum(buf, (size_t)hl) != 0)
        return WIRE_BAD_CHECKSUM;
    return hl;
}

int ipv4_parse_quoted(const uint8_t *buf, size_t len, struct ipv4_header *h)
{
    return parse_common(buf, len, h);
}

size_t ipv4_emit(const struct ipv4_header *h, uint8_t *buf, size_t cap)
{
    if (h->options_len > IPV4_MAX_HEADER_LEN - IPV4_MIN_HEADER_LEN)
        return 0;
    size_t hl = ipv4_header_len_for(h->options_len);
    if (cap < hl)
        return 0;
    buf[0] = (uint8_t)(0x40 | hl / 4);
    buf[1] = h->tos;
    wire_put16(buf + 2, h->total_len);
    wire_put16(buf + 4, h->id);
    uint16_t frag = (uint16_t)(h->fragment_offset / 8);
    if (h->dont_fragment)
        frag |= 0x4000;
    if (h->more_fragments)
        frag |= 0x2000;
    wire_put16(buf + 6, frag);
    buf[8] = h->ttl;
    buf[9] = h->protocol;
    wire_put16(buf + 10, 0);
    wire_put32(buf + 12, h->src);
    wire_put32(buf + 16, h->dst);
    if (h->options_len)
        memmove(buf + IPV4_MIN_HEADER_LEN, h->options, h->options_len);
    memset(buf + IPV4_MIN_HEADER_LEN + h->options_len, 0,
           hl - IPV4_MIN_HEADER_LEN - h->options_len);
    wire_put16(buf + 10, inet_checksum(buf, hl));
    return hl;
}

size_t ipv4_options_for_fragment(const uint8_t *opt, size_t len, uint8_t *out)
{
    size_t i = 0, n = 0;
    while (i < len && opt[i] != IPV4_OPT_EOL) {
        if (opt[i] == IPV4_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
            break;
        size_t olen = opt[i + 1];
        if (opt[i] & 0x80) {
            memcpy(out + n, opt + i, olen);
            n += olen;
        }
        i += olen;
    }
    return n;
}
