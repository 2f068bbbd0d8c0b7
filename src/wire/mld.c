#include "wire/mld.h"

uint32_t mld_max_response_decode(uint16_t code)
{
    if (code < 0x8000)
        return code;
    uint32_t mant = code & 0xfff, exp = (code >> 12) & 7;
    return (mant | 0x1000) << (exp + 3);
}

uint16_t mld_max_response_encode(uint32_t ms)
{
    if (ms < 0x8000)
        return (uint16_t)ms;
    for (uint32_t exp = 7;; exp--) {
        uint32_t base = 0x1000u << (exp + 3);
        if (ms >= base || exp == 0) {
            uint32_t mant = (ms >> (exp + 3)) - 0x1000;
            if (mant > 0xfff)
                mant = 0xfff;
            return (uint16_t)(0x8000 | exp << 12 | mant);
        }
    }
}

uint32_t mld_qqic_decode(uint8_t code)
{
    if (code < 0x80)
        return code;
    uint32_t mant = code & 0xf, exp = (code >> 4) & 7;
    return (mant | 0x10) << (exp + 3);
}

int mld_query_parse(const uint8_t *buf, size_t len, struct mld_query *q)
{
    memset(q, 0, sizeof *q);
    if (len < MLD_V1_QUERY_LEN)
        return WIRE_TRUNCATED;
    if (len != MLD_V1_QUERY_LEN && len < MLD_V2_QUERY_MIN_LEN)
        return WIRE_BAD_LENGTH;
    memcpy(q->group, buf + 8, 16);
    if (len == MLD_V1_QUERY_LEN) {
        q->version = 1;
        q->max_response_ms = wire_get16(buf + 4); /* RFC 2710 3.4: plain ms */
        return 0;
    }
    q->version = 2;
    q->max_response_ms = mld_max_response_decode(wire_get16(buf + 4));
    q->suppress = buf[24] & 0x08;
    q->qrv = buf[24] & 0x07;
    q->qqi_s = mld_qqic_decode(buf[25]);
    q->source_count = wire_get16(buf + 26);
    if ((size_t)q->source_count * 16 > len - MLD_V2_QUERY_MIN_LEN)
        return WIRE_TRUNCATED;
    q->sources = buf + MLD_V2_QUERY_MIN_LEN;
    return 0;
}

/* The length of the record at p (len bytes left), or 0 if it does not fit. */
static size_t record_len(const uint8_t *p, size_t len)
{
    if (len < MLD_RECORD_MIN_LEN)
        return 0;
    size_t n = MLD_RECORD_MIN_LEN + (size_t)wire_get16(p + 2) * 16 + (size_t)p[1] * 4;
    return n <= len ? n : 0;
}

int mld_report_parse(const uint8_t *buf, size_t len, struct mld_report *r)
{
    memset(r, 0, sizeof *r);
    if (len < MLD_REPORT_MIN_LEN)
        return WIRE_TRUNCATED;
    r->record_count = wire_get16(buf + 6);
    r->records = buf + MLD_REPORT_MIN_LEN;
    size_t at = 0, left = len - MLD_REPORT_MIN_LEN;
    for (unsigned i = 0; i < r->record_count; i++) {
        size_t n = record_len(r->records + at, left - at);
        if (n == 0)
            return WIRE_TRUNCATED;
        at += n;
    }
    r->records_len = at;
    return 0;
}

bool mld_next_record(const struct mld_report *r, size_t *at, struct mld_record *rec)
{
    if (*at >= r->records_len)
        return false;
    const uint8_t *p = r->records + *at;
    rec->type = p[0];
    rec->aux_words = p[1];
    rec->source_count = wire_get16(p + 2);
    memcpy(rec->group, p + 4, 16);
    rec->sources = p + MLD_RECORD_MIN_LEN;
    *at += record_len(p, r->records_len - *at);
    return true;
}

void mld_report_begin(struct mld_builder *b, uint8_t *buf, size_t cap)
{
    *b = (struct mld_builder){ .buf = buf, .cap = cap, .len = MLD_REPORT_MIN_LEN };
    if (cap < MLD_REPORT_MIN_LEN) {
        b->overflow = true;
        return;
    }
    memset(buf, 0, MLD_REPORT_MIN_LEN);
    buf[0] = ICMPV6_MLD_V2_REPORT;
}

void mld_report_add(struct mld_builder *b, enum mld_record_type type, const uint8_t group[16],
                    const uint8_t *sources, uint16_t source_count)
{
    size_t n = MLD_RECORD_MIN_LEN + (size_t)source_count * 16;
    if (b->overflow || n > b->cap - b->len || b->records == 0xffff) {
        b->overflow = true;
        return;
    }
    uint8_t *p = b->buf + b->len;
    p[0] = (uint8_t)type;
    p[1] = 0;
    wire_put16(p + 2, source_count);
    memcpy(p + 4, group, 16);
    if (source_count)
        memcpy(p + MLD_RECORD_MIN_LEN, sources, (size_t)source_count * 16);
    b->len += n;
    b->records++;
}

size_t mld_report_finish(struct mld_builder *b, const uint8_t src[16], const uint8_t dst[16])
{
    if (b->overflow)
        return 0;
    wire_put16(b->buf + 6, b->records);
    icmpv6_set_checksum(src, dst, b->buf, b->len);
    return b->len;
}

size_t mld_ip_emit(const uint8_t src[16], const uint8_t dst[16], size_t icmp_len, uint8_t *buf, size_t cap)
{
    if (cap < MLD_IP_CHAIN_LEN || icmp_len > IPV6_MAX_PAYLOAD - 8)
        return 0;
    struct ipv6_header h = { .payload_len = (uint16_t)(icmp_len + 8), .next_header = IP_PROTO_HOPOPTS,
                             .hop_limit = MLD_HOP_LIMIT };
    memcpy(h.src, src, 16);
    memcpy(h.dst, dst, 16);
    ipv6_emit(&h, buf, cap);
    ipv6_router_alert_emit(IP_PROTO_ICMPV6, IPV6_ROUTER_ALERT_MLD, buf + IPV6_HEADER_LEN, cap - IPV6_HEADER_LEN);
    return MLD_IP_CHAIN_LEN;
}
