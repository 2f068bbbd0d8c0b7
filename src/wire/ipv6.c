#include "wire/ipv6.h"

static int parse_fixed(const uint8_t *buf, size_t len, struct ipv6_header *h)
{
    if (len < IPV6_HEADER_LEN)
        return WIRE_TRUNCATED;
    if (buf[0] >> 4 != 6)
        return WIRE_BAD_VERSION;
    uint32_t word = wire_get32(buf);
    h->traffic_class = (uint8_t)(word >> 20);
    h->flow_label = word & 0xfffff;
    h->payload_len = wire_get16(buf + 4);
    h->next_header = buf[6];
    h->hop_limit = buf[7];
    memcpy(h->src, buf + 8, IPV6_ADDR_LEN);
    memcpy(h->dst, buf + 24, IPV6_ADDR_LEN);
    return IPV6_HEADER_LEN;
}

int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_header *h)
{
    int r = parse_fixed(buf, len, h);
    if (r < 0)
        return r;
    if ((size_t)h->payload_len > len - IPV6_HEADER_LEN)
        return WIRE_BAD_LENGTH;
    return r;
}

int ipv6_parse_quoted(const uint8_t *buf, size_t len, struct ipv6_header *h)
{
    return parse_fixed(buf, len, h);
}

size_t ipv6_emit(const struct ipv6_header *h, uint8_t *buf, size_t cap)
{
    if (cap < IPV6_HEADER_LEN)
        return 0;
    wire_put32(buf, 6u << 28 | (uint32_t)h->traffic_class << 20 | (h->flow_label & 0xfffff));
    wire_put16(buf + 4, h->payload_len);
    buf[6] = h->next_header;
    buf[7] = h->hop_limit;
    memcpy(buf + 8, h->src, IPV6_ADDR_LEN);
    memcpy(buf + 24, h->dst, IPV6_ADDR_LEN);
    return IPV6_HEADER_LEN;
}

static void problem(struct ipv6_chain *c, enum ipv6_chain_verdict verdict, uint8_t code, size_t pointer)
{
    c->verdict = verdict;
    c->problem_code = code;
    c->problem_pointer = (uint32_t)pointer;
}

/* The options of a hop-by-hop or destination options header at
 * p[start..end) (RFC 8200 4.2). Pad1 and PadN are skipped; a router alert
 * is recorded; any other option is one naru does not know, and its type
 * says what to do. */
static int walk_options(const uint8_t *p, size_t start, size_t end, bool hop_by_hop, struct ipv6_chain *c)
{
    bool dst_multicast = ipv6_addr_is_multicast(p + 24);
    size_t i = start + 2;
    while (i < end) {
        uint8_t type = p[i];
        if (type == IPV6_OPT_PAD1) {
            i++;
            continue;
        }
        if (end - i < 2 || p[i + 1] > end - i - 2)
            return WIRE_BAD_OPTION;
        size_t data_len = p[i + 1];
        if (type == IPV6_OPT_PADN) {
            /* nothing */
        } else if (type == IPV6_OPT_ROUTER_ALERT && hop_by_hop) {
            if (data_len != 2)
                return WIRE_BAD_OPTION;
            c->router_alert = true;
            c->router_alert_value = wire_get16(p + i + 2);
        } else {
            enum ipv6_option_action action = ipv6_option_action(type);
            if (action != IPV6_OPTION_SKIP)
                c->unknown_option = type;
            if (action == IPV6_OPTION_DISCARD ||
                (action == IPV6_OPTION_DISCARD_ICMP_UNICAST && dst_multicast)) {
                problem(c, IPV6_CHAIN_DISCARD, 0, 0);
                return 0;
            }
            if (action != IPV6_OPTION_SKIP) {
                problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_UNRECOGNIZED_OPTION, i);
                return 0;
            }
        }
        i += 2 + data_len;
    }
    return 0;
}

/* RFC 7112: the least of each upper-layer header a first fragment must
 * hold (as Linux checks it: 8 bytes of ICMPv6, 1 of a protocol unknown). */
static size_t upper_header_min(uint8_t protocol)
{
    switch (protocol) {
    case IP_PROTO_TCP: return 20;
    case IP_PROTO_UDP: return 8;
    case IP_PROTO_ICMPV6: return 8;
    case IP_PROTO_NONE: return 0;
    default: return 1;
    }
}

/* A fragment header at p[at], its 8 bytes present (RFC 8200 4.5). */
static void walk_fragment(const uint8_t *p, size_t len, size_t at, struct ipv6_chain *c)
{
    uint16_t word = wire_get16(p + at + 2);
    struct ipv6_fragment f = { .offset = word & 0xfff8, .more = word & 1, .identification = wire_get32(p + at + 4) };
    size_t data = len - at - IPV6_FRAGMENT_HEADER_LEN;
    if (!c->fragment) {
        c->fragment = true;
        c->frag = f;
        c->fragment_pointer = (uint32_t)at;
    }
    if (f.more && data % 8 != 0)
        problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_ERRONEOUS_HEADER_FIELD, 4);
    else if ((at - IPV6_HEADER_LEN) + f.offset + data > IPV6_MAX_PAYLOAD)
        problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_ERRONEOUS_HEADER_FIELD, at + 2);
}

static void reached_upper(struct ipv6_chain *c, uint8_t protocol, size_t at, size_t nh_pointer)
{
    c->upper_protocol = protocol;
    c->upper_offset = (uint32_t)at;
    c->upper_next_header_pointer = (uint32_t)nh_pointer;
}

int ipv6_walk_chain(const uint8_t *p, size_t len, struct ipv6_chain *c)
{
    memset(c, 0, sizeof *c);
    if (len < IPV6_HEADER_LEN)
        return WIRE_TRUNCATED;
    uint8_t nh = p[6];
    size_t at = IPV6_HEADER_LEN, nh_pointer = 6;
    bool first_fragment = false;       /* past a fragment header with offset 0 and M set */
    for (;;) {
        size_t hlen;
        switch (nh) {
        case IP_PROTO_HOPOPTS:
        case IP_PROTO_ROUTING:
        case IP_PROTO_DSTOPTS:
            hlen = len - at >= 2 ? ((size_t)p[at + 1] + 1) * 8 : 8;
            break;
        case IP_PROTO_AH:
            hlen = len - at >= 2 ? ((size_t)p[at + 1] + 2) * 4 : 8; /* RFC 4302 2.2 */
            break;
        case IP_PROTO_FRAGMENT:
            hlen = IPV6_FRAGMENT_HEADER_LEN;
            break;
        default:
            reached_upper(c, nh, at, nh_pointer);
            if (first_fragment && len - at < upper_header_min(nh)) {
                c->incomplete_first_fragment = true;
                problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_INCOMPLETE_HEADER_CHAIN, 0);
            }
            return 0;
        }
        if (hlen > len - at) {
            if (!first_fragment)
                return WIRE_TRUNCATED;
            c->incomplete_first_fragment = true;
            problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_INCOMPLETE_HEADER_CHAIN, 0);
            return 0;
        }
        c->headers++;
        int err = 0;
        switch (nh) {
        case IP_PROTO_HOPOPTS:
            /* RFC 8200 4: only right after the fixed header. */
            if (at != IPV6_HEADER_LEN) {
                problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_UNRECOGNIZED_NEXT_HEADER, nh_pointer);
                return 0;
            }
            c->hop_by_hop = true;
            err = walk_options(p, at, at + hlen, true, c);
            break;
        case IP_PROTO_DSTOPTS:
            if (c->destination_options < 255)
                c->destination_options++;
            err = walk_options(p, at, at + hlen, false, c);
            break;
        case IP_PROTO_ROUTING:
            if (!c->routing) {
                c->routing = true;
                c->routing_type = p[at + 2];
                c->segments_left = p[at + 3];
                c->routing_pointer = (uint32_t)at;
            }
            /* RFC 8200 4.4: an unknown type with segments left is an
             * error; with none left the header is ignored. */
            if (p[at + 3] != 0)
                problem(c, IPV6_CHAIN_PARAM_PROBLEM, ICMPV6_ERRONEOUS_HEADER_FIELD, at + 2);
            break;
        case IP_PROTO_FRAGMENT: {
            uint16_t word = wire_get16(p + at + 2);
            walk_fragment(p, len, at, c);
            if (c->verdict == IPV6_CHAIN_ACCEPT && (word & 0xfff8) != 0) {
                /* A later fragment: what follows is data, not headers. */
                reached_upper(c, p[at], at + hlen, at);
                return 0;
            }
            first_fragment = first_fragment || (word & 1);
            break;
        }
        default: /* IP_PROTO_AH: walked over, not checked (naru has no IPsec) */
            break;
        }
        if (err < 0)
            return err;
        if (c->verdict != IPV6_CHAIN_ACCEPT)
            return 0;
        nh = p[at];
        nh_pointer = at;
        at += hlen;
    }
}

size_t ipv6_fragment_emit(uint8_t next_header, const struct ipv6_fragment *f, uint8_t *buf, size_t cap)
{
    if (cap < IPV6_FRAGMENT_HEADER_LEN || f->offset % 8 != 0)
        return 0;
    buf[0] = next_header;
    buf[1] = 0;
    wire_put16(buf + 2, (uint16_t)(f->offset | (f->more ? 1 : 0)));
    wire_put32(buf + 4, f->identification);
    return IPV6_FRAGMENT_HEADER_LEN;
}

size_t ipv6_router_alert_emit(uint8_t next_header, uint16_t value, uint8_t *buf, size_t cap)
{
    if (cap < 8)
        return 0;
    buf[0] = next_header;
    buf[1] = 0;                        /* 8 bytes in all */
    buf[2] = IPV6_OPT_ROUTER_ALERT;
    buf[3] = 2;
    wire_put16(buf + 4, value);
    buf[6] = IPV6_OPT_PADN;            /* PadN of no data bytes: two bytes of padding */
    buf[7] = 0;
    return 8;
}

static char *put_decimal(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_hex(char *p, unsigned v)
{
    static const char digits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            *p++ = digits[d];
            started = true;
        }
    }
    return p;
}

char *ipv6_addr_format(const uint8_t a[16], char buf[IPV6_ADDR_STRLEN])
{
    static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    unsigned field[8];
    for (int i = 0; i < 8; i++)
        field[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    /* RFC 5952 4.2: the longest run of zero fields, at least two, the
     * first if two runs are as long. */
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && field[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    /* RFC 5952 5: IPv4-mapped addresses end in a dotted quad. */
    bool mapped = memcmp(a, mapped_prefix, sizeof mapped_prefix) == 0;
    int hex_fields = mapped ? 6 : 8;
    char *p = buf;
    for (int i = 0; i < hex_fields; i++) {
        if (i == best) {
            *p++ = ':';
            if (i == 0)
                *p++ = ':';
            i += best_len - 1;
            continue;
        }
        p = put_hex(p, field[i]);
        if (i + 1 < hex_fields || mapped)
            *p++ = ':';
    }
    if (mapped) {
        for (int i = 12; i < 16; i++) {
            p = put_decimal(p, a[i]);
            if (i < 15)
                *p++ = '.';
        }
    }
    *p = '\0';
    return buf;
}
