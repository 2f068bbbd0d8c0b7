#include "wire/ndp.h"

/* The fixed part of each message type, and the options that belong to it
 * (RFC 4861 4.1-4.5, RFC 8106 5.1 for RDNSS, RFC 3971 5.3.2 for nonces). */
static size_t fixed_len(uint8_t type)
{
    switch (type) {
    case ICMPV6_ROUTER_SOLICIT: return NDP_RS_LEN;
    case ICMPV6_ROUTER_ADVERT: return NDP_RA_LEN;
    case ICMPV6_NEIGHBOR_SOLICIT: return NDP_NS_LEN;
    case ICMPV6_NEIGHBOR_ADVERT: return NDP_NA_LEN;
    case ICMPV6_REDIRECT: return NDP_REDIRECT_LEN;
    default: return 0;
    }
}

#define BIT(t) (1u << (t))
static uint32_t options_of(uint8_t type)
{
    switch (type) {
    case ICMPV6_ROUTER_SOLICIT: return BIT(NDP_OPT_SOURCE_LLADDR);
    case ICMPV6_ROUTER_ADVERT:
        return BIT(NDP_OPT_SOURCE_LLADDR) | BIT(NDP_OPT_MTU) | BIT(NDP_OPT_PREFIX_INFO) | BIT(NDP_OPT_RDNSS);
    case ICMPV6_NEIGHBOR_SOLICIT: return BIT(NDP_OPT_SOURCE_LLADDR) | BIT(NDP_OPT_NONCE);
    case ICMPV6_NEIGHBOR_ADVERT: return BIT(NDP_OPT_TARGET_LLADDR) | BIT(NDP_OPT_NONCE);
    case ICMPV6_REDIRECT: return BIT(NDP_OPT_TARGET_LLADDR) | BIT(NDP_OPT_REDIRECTED_HEADER);
    default: return 0;
    }
}

/* One option at p (len bytes, its length already checked), for message
 * type t. */
static int take_option(const uint8_t *p, size_t len, uint8_t t, struct ndp_options *o)
{
    uint8_t type = p[0];
    if (type >= 32 || !(options_of(t) & BIT(type)))
        return 0;
    switch (type) {
    case NDP_OPT_SOURCE_LLADDR:
    case NDP_OPT_TARGET_LLADDR:
        /* RFC 2464 8: on Ethernet, 6 bytes in an 8-byte option. */
        if (len != 8)
            return WIRE_BAD_OPTION;
        if (type == NDP_OPT_SOURCE_LLADDR && !o->source_lladdr)
            o->source_lladdr = p + 2;
        if (type == NDP_OPT_TARGET_LLADDR && !o->target_lladdr)
            o->target_lladdr = p + 2;
        return 0;
    case NDP_OPT_MTU:
        if (len != 8)
            return WIRE_BAD_OPTION;
        if (!o->mtu_present) {
            o->mtu_present = true;
            o->mtu = wire_get32(p + 4);
        }
        return 0;
    case NDP_OPT_PREFIX_INFO:
        if (len != 32 || p[2] > 128)
            return WIRE_BAD_OPTION;
        if (o->prefix_count < 255)
            o->prefix_count++;
        return 0;
    case NDP_OPT_RDNSS:
        if (len >= 24 && o->rdnss_count < 255)
            o->rdnss_count++;
        return 0;
    case NDP_OPT_NONCE:
        if (!o->nonce) {
            o->nonce = p + 2;
            o->nonce_len = (uint8_t)(len - 2);
        }
        return 0;
    case NDP_OPT_REDIRECTED_HEADER:
        if (!o->redirected) {
            o->redirected = p + 8;
            o->redirected_len = len - 8;
        }
        return 0;
    default:
        return 0;
    }
}

static int parse_options(const uint8_t *p, size_t len, uint8_t t, struct ndp_options *o)
{
    memset(o, 0, sizeof *o);
    o->all = p;
    o->all_len = len;
    size_t i = 0;
    while (i < len) {
        /* RFC 4861 4.6: lengths count 8 bytes; 0 invalidates the message. */
        if (len - i < 2 || p[i + 1] == 0 || (size_t)p[i + 1] * 8 > len - i)
            return WIRE_BAD_OPTION;
        size_t olen = (size_t)p[i + 1] * 8;
        int r = take_option(p + i, olen, t, o);
        if (r < 0)
            return r;
        i += olen;
    }
    return 0;
}

int ndp_parse(const uint8_t *buf, size_t len, const uint8_t src[16], const uint8_t dst[16], struct ndp_message *m)
{
    memset(m, 0, sizeof *m);
    if (len < ICMPV6_HEADER_LEN)
        return WIRE_TRUNCATED;
    m->type = buf[0];
    size_t fixed = fixed_len(m->type);
    if (fixed == 0)
        return WIRE_UNSUPPORTED;
    if (len < fixed)
        return WIRE_TRUNCATED;
    if (buf[1] != 0)
        return WIRE_BAD_FIELD;                 /* ICMP code 0 */
    int r = parse_options(buf + fixed, len - fixed, m->type, &m->options);
    if (r < 0)
        return r;
    bool from_unspecified = ipv6_addr_is_unspecified(src);
    switch (m->type) {
    case ICMPV6_ROUTER_SOLICIT:
        /* RFC 4861 6.1.1 */
        if (from_unspecified && m->options.source_lladdr)
            return WIRE_BAD_FIELD;
        return 0;
    case ICMPV6_ROUTER_ADVERT:
        /* RFC 4861 6.1.2 */
        if (!ipv6_addr_is_link_local(src))
            return WIRE_BAD_FIELD;
        m->cur_hop_limit = buf[4];
        m->ra_flags = buf[5];
        m->managed = buf[5] & 0x80;
        m->other = buf[5] & 0x40;
        m->router_lifetime = wire_get16(buf + 6);
        m->reachable_time = wire_get32(buf + 8);
        m->retrans_timer = wire_get32(buf + 12);
        return 0;
    case ICMPV6_NEIGHBOR_SOLICIT:
        /* RFC 4861 7.1.1 */
        memcpy(m->target, buf + 8, 16);
        if (ipv6_addr_is_multicast(m->target))
            return WIRE_BAD_FIELD;
        if (from_unspecified && (!ipv6_addr_is_solicited_node(dst) || m->options.source_lladdr))
            return WIRE_BAD_FIELD;
        return 0;
    case ICMPV6_NEIGHBOR_ADVERT:
        /* RFC 4861 7.1.2 */
        memcpy(m->target, buf + 8, 16);
        m->router = buf[4] & 0x80;
        m->solicited = buf[4] & 0x40;
        m->override = buf[4] & 0x20;
        if (ipv6_addr_is_multicast(m->target) || (ipv6_addr_is_multicast(dst) && m->solicited))
            return WIRE_BAD_FIELD;
        return 0;
    default:
        /* RFC 4861 8.1 */
        memcpy(m->target, buf + 8, 16);
        memcpy(m->destination, buf + 24, 16);
        if (!ipv6_addr_is_link_local(src) || ipv6_addr_is_multicast(m->destination))
            return WIRE_BAD_FIELD;
        if (!ipv6_addr_is_link_local(m->target) && memcmp(m->target, m->destination, 16) != 0)
            return WIRE_BAD_FIELD;
        return 0;
    }
}

/* The option of this type after *at, its length valid (parse checked). */
static const uint8_t *next_option(const struct ndp_options *o, size_t *at, uint8_t type, size_t *len)
{
    while (*at < o->all_len) {
        const uint8_t *p = o->all + *at;
        *len = (size_t)p[1] * 8;
        *at += *len;
        if (p[0] == type)
            return p;
    }
    return NULL;
}

bool ndp_next_prefix(const struct ndp_options *o, size_t *at, struct ndp_prefix_info *pi)
{
    size_t len;
    const uint8_t *p = next_option(o, at, NDP_OPT_PREFIX_INFO, &len);
    if (!p || o->prefix_count == 0)
        return false;
    pi->prefix_len = p[2];
    pi->on_link = p[3] & 0x80;
    pi->autonomous = p[3] & 0x40;
    pi->valid_lifetime = wire_get32(p + 4);
    pi->preferred_lifetime = wire_get32(p + 8);
    memcpy(pi->prefix, p + 16, 16);
    return true;
}

bool ndp_next_rdnss(const struct ndp_options *o, size_t *at, struct ndp_rdnss *r)
{
    size_t len;
    const uint8_t *p;
    if (o->rdnss_count == 0)
        return false;
    while ((p = next_option(o, at, NDP_OPT_RDNSS, &len))) {
        if (len < 24)
            continue;
        r->lifetime = wire_get32(p + 4);
        r->count = (uint8_t)((len - 8) / 16);
        r->servers = p + 8;
        return true;
    }
    return false;
}

/* n bytes more, zeroed; NULL (and the builder failed) if they do not fit
 * or ok is false (an option that cannot be written). */
static uint8_t *reserve(struct ndp_builder *b, size_t n, bool ok)
{
    if (!ok)
        b->overflow = true;
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = true;
        return NULL;
    }
    uint8_t *p = b->buf + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

void ndp_emit_begin(struct ndp_builder *b, const struct ndp_message *m, uint8_t *buf, size_t cap)
{
    *b = (struct ndp_builder){ .buf = buf, .cap = cap };
    size_t fixed = fixed_len(m->type);
    uint8_t *p = reserve(b, fixed, fixed != 0);
    if (!p)
        return;
    p[0] = m->type;
    switch (m->type) {
    case ICMPV6_ROUTER_ADVERT:
        p[4] = m->cur_hop_limit;
        p[5] = (uint8_t)(m->ra_flags | (m->managed ? 0x80 : 0) | (m->other ? 0x40 : 0));
        wire_put16(p + 6, m->router_lifetime);
        wire_put32(p + 8, m->reachable_time);
        wire_put32(p + 12, m->retrans_timer);
        break;
    case ICMPV6_NEIGHBOR_ADVERT:
        p[4] = (uint8_t)((m->router ? 0x80 : 0) | (m->solicited ? 0x40 : 0) | (m->override ? 0x20 : 0));
        memcpy(p + 8, m->target, 16);
        break;
    case ICMPV6_NEIGHBOR_SOLICIT:
        memcpy(p + 8, m->target, 16);
        break;
    case ICMPV6_REDIRECT:
        memcpy(p + 8, m->target, 16);
        memcpy(p + 24, m->destination, 16);
        break;
    default:
        break;
    }
}

void ndp_emit_lladdr(struct ndp_builder *b, enum ndp_option_type type, const uint8_t mac[6])
{
    uint8_t *p = reserve(b, 8, true);
    if (p) {
        p[0] = (uint8_t)type;
        p[1] = 1;
        memcpy(p + 2, mac, 6);
    }
}

void ndp_emit_prefix(struct ndp_builder *b, const struct ndp_prefix_info *pi)
{
    uint8_t *p = reserve(b, 32, true);
    if (p) {
        p[0] = NDP_OPT_PREFIX_INFO;
        p[1] = 4;
        p[2] = pi->prefix_len;
        p[3] = (uint8_t)((pi->on_link ? 0x80 : 0) | (pi->autonomous ? 0x40 : 0));
        wire_put32(p + 4, pi->valid_lifetime);
        wire_put32(p + 8, pi->preferred_lifetime);
        memcpy(p + 16, pi->prefix, 16);
    }
}

void ndp_emit_mtu(struct ndp_builder *b, uint32_t mtu)
{
    uint8_t *p = reserve(b, 8, true);
    if (p) {
        p[0] = NDP_OPT_MTU;
        p[1] = 1;
        wire_put32(p + 4, mtu);
    }
}

void ndp_emit_rdnss(struct ndp_builder *b, uint32_t lifetime, const uint8_t *servers, size_t count)
{
    /* RFC 8106 5.1: at least one address; the length field is one byte. */
    uint8_t *p = reserve(b, 8 + 16 * count, count && count <= 127);
    if (p) {
        p[0] = NDP_OPT_RDNSS;
        p[1] = (uint8_t)(1 + 2 * count);
        wire_put32(p + 4, lifetime);
        memcpy(p + 8, servers, 16 * count);
    }
}

void ndp_emit_nonce(struct ndp_builder *b, const uint8_t *nonce, size_t len)
{
    bool fits = len >= NDP_NONCE_MIN_LEN && (len + 2) % 8 == 0 && len + 2 <= 255 * 8;
    uint8_t *p = reserve(b, len + 2, fits);
    if (p) {
        p[0] = NDP_OPT_NONCE;
        p[1] = (uint8_t)((len + 2) / 8);
        memcpy(p + 2, nonce, len);
    }
}

void ndp_emit_redirected(struct ndp_builder *b, const uint8_t *packet, size_t len)
{
    size_t room = IPV6_MIN_MTU - IPV6_HEADER_LEN - 8;
    room = b->len < room ? (room - b->len) & ~(size_t)7 : 0;
    if (len > room)
        len = room;
    uint8_t *p = reserve(b, 8 + ((len + 7) & ~(size_t)7), true);
    if (p) {
        p[0] = NDP_OPT_REDIRECTED_HEADER;
        p[1] = (uint8_t)(1 + (len + 7) / 8);
        memcpy(p + 8, packet, len);
    }
}

size_t ndp_emit_finish(struct ndp_builder *b, const uint8_t src[16], const uint8_t dst[16])
{
    if (b->overflow)
        return 0;
    icmpv6_set_checksum(src, dst, b->buf, b->len);
    return b->len;
}
