/* Fuzz icmpv6_parse and, by type, ndp_parse (with its option iterators and
 * the builder), mld_query_parse and mld_report_parse (with the record
 * iterator and the report builder); icmpv6_error_emit on what an error
 * quotes.
 *
 * Input: one flags byte, the source and destination addresses (16 bytes
 * each) of the IPv6 header, then the ICMPv6 message. Flag 0x01 writes the
 * right checksum first, so the fuzzer reaches the message parsers.
 *
 * Properties: what parses re-emits to the same bytes (the checksum may
 * come out as 0x0000 where the input had the equivalent 0xffff) and parses
 * the same; an error quotes a whole IPv6 header, and an error built from
 * that quote parses; NDP options lie inside the message, the iterators
 * find as many as were counted, and a message rebuilt from the parsed
 * values parses to the same values; MLD records and sources lie inside
 * the message and a report rebuilt from them parses to the same records. */
#include <string.h>

#include "fuzz.h"
#include "wire/icmpv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"

static uint8_t msg[IPV6_MAX_PAYLOAD], out[IPV6_MAX_PAYLOAD];

static bool inside(const uint8_t *p, size_t n, const uint8_t *start, size_t len)
{
    return p >= start && (size_t)(p - start) <= len && n <= len - (size_t)(p - start);
}

static void same_ndp(const struct ndp_message *a, const struct ndp_message *b)
{
    FUZZ_CHECK(a->type == b->type && a->cur_hop_limit == b->cur_hop_limit && a->ra_flags == b->ra_flags);
    FUZZ_CHECK(a->router_lifetime == b->router_lifetime && a->reachable_time == b->reachable_time);
    FUZZ_CHECK(a->retrans_timer == b->retrans_timer && memcmp(a->target, b->target, 16) == 0);
    FUZZ_CHECK(a->router == b->router && a->solicited == b->solicited && a->override == b->override);
    FUZZ_CHECK(memcmp(a->destination, b->destination, 16) == 0);
    const struct ndp_options *x = &a->options, *y = &b->options;
    FUZZ_CHECK(!x->source_lladdr == !y->source_lladdr && !x->target_lladdr == !y->target_lladdr);
    FUZZ_CHECK(!x->source_lladdr || memcmp(x->source_lladdr, y->source_lladdr, 6) == 0);
    FUZZ_CHECK(!x->target_lladdr || memcmp(x->target_lladdr, y->target_lladdr, 6) == 0);
    FUZZ_CHECK(x->mtu_present == y->mtu_present && x->mtu == y->mtu);
    FUZZ_CHECK(x->nonce_len == y->nonce_len && (!x->nonce || memcmp(x->nonce, y->nonce, x->nonce_len) == 0));
    FUZZ_CHECK(x->prefix_count == y->prefix_count && x->rdnss_count == y->rdnss_count);
}

static void check_ndp(const uint8_t *src, const uint8_t *dst, size_t len)
{
    struct ndp_message m;
    int r = ndp_parse(msg, len, src, dst, &m);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_BAD_OPTION || r == WIRE_BAD_FIELD);
        return;
    }
    const struct ndp_options *o = &m.options;
    FUZZ_CHECK(!o->source_lladdr || inside(o->source_lladdr, 6, msg, len));
    FUZZ_CHECK(!o->target_lladdr || inside(o->target_lladdr, 6, msg, len));
    FUZZ_CHECK(!o->nonce || (o->nonce_len >= NDP_NONCE_MIN_LEN && inside(o->nonce, o->nonce_len, msg, len)));
    FUZZ_CHECK(!o->redirected || inside(o->redirected, o->redirected_len, msg, len));
    FUZZ_CHECK(inside(o->all, o->all_len, msg, len) && o->all + o->all_len == msg + len);
    FUZZ_CHECK(!ipv6_addr_is_multicast(m.target) || m.type == ICMPV6_ROUTER_SOLICIT || m.type == ICMPV6_ROUTER_ADVERT);

    /* Rebuild: fixed part, then the options the parse kept, in its order. */
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, out, sizeof out);
    if (o->source_lladdr)
        ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, o->source_lladdr);
    if (o->target_lladdr)
        ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, o->target_lladdr);
    if (o->mtu_present)
        ndp_emit_mtu(&b, o->mtu);
    if (o->nonce)
        ndp_emit_nonce(&b, o->nonce, o->nonce_len);
    size_t at = 0;
    unsigned n = 0;
    struct ndp_prefix_info pi;
    while (ndp_next_prefix(o, &at, &pi)) {
        FUZZ_CHECK(pi.prefix_len <= 128);
        ndp_emit_prefix(&b, &pi);
        n++;
    }
    FUZZ_CHECK(n == o->prefix_count || (o->prefix_count == 255 && n >= 255));
    at = 0;
    n = 0;
    struct ndp_rdnss rd;
    while (ndp_next_rdnss(o, &at, &rd)) {
        FUZZ_CHECK(rd.count >= 1 && inside(rd.servers, 16u * rd.count, msg, len));
        ndp_emit_rdnss(&b, rd.lifetime, rd.servers, rd.count);
        n++;
    }
    FUZZ_CHECK(n == o->rdnss_count || (o->rdnss_count == 255 && n >= 255));
    if (o->redirected)
        ndp_emit_redirected(&b, o->redirected, o->redirected_len);
    size_t rebuilt = ndp_emit_finish(&b, src, dst);
    if (rebuilt == 0 || o->prefix_count == 255 || o->rdnss_count == 255)
        return;
    struct ndp_message back;
    FUZZ_CHECK(ndp_parse(out, rebuilt, src, dst, &back) == 0);
    same_ndp(&m, &back);
}

static void check_mld(const uint8_t *src, const uint8_t *dst, uint8_t type, size_t len)
{
    if (type == ICMPV6_MLD_QUERY) {
        struct mld_query q;
        int r = mld_query_parse(msg, len, &q);
        if (r < 0) {
            FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_BAD_LENGTH);
            return;
        }
        FUZZ_CHECK(q.version == (len == MLD_V1_QUERY_LEN ? 1 : 2));
        FUZZ_CHECK(!q.source_count || inside(q.sources, 16u * q.source_count, msg, len));
        if (q.version == 2)
            FUZZ_CHECK(mld_max_response_decode(mld_max_response_encode(q.max_response_ms)) == q.max_response_ms);
        return;
    }
    struct mld_report r;
    int e = mld_report_parse(msg, len, &r);
    if (e < 0) {
        FUZZ_CHECK(e == WIRE_TRUNCATED);
        return;
    }
    FUZZ_CHECK(inside(r.records, r.records_len, msg, len));
    struct mld_builder b;
    mld_report_begin(&b, out, sizeof out);
    size_t at = 0;
    unsigned n = 0;
    bool aux = false;
    struct mld_record rec;
    while (mld_next_record(&r, &at, &rec)) {
        FUZZ_CHECK(inside(rec.sources, 16u * rec.source_count + 4u * rec.aux_words, msg, len));
        aux = aux || rec.aux_words;
        mld_report_add(&b, (enum mld_record_type)rec.type, rec.group, rec.sources, rec.source_count);
        n++;
    }
    FUZZ_CHECK(n == r.record_count && at == r.records_len);
    size_t rebuilt = mld_report_finish(&b, src, dst);
    FUZZ_CHECK(rebuilt == MLD_REPORT_MIN_LEN + r.records_len || aux);
    if (!aux) {
        FUZZ_CHECK(memcmp(out + MLD_REPORT_MIN_LEN, r.records, r.records_len) == 0);
        struct mld_report back;
        FUZZ_CHECK(mld_report_parse(out, rebuilt, &back) == 0 && back.record_count == r.record_count);
    }
    /* The chain a report travels with walks to it, router alert seen. */
    static uint8_t packet[MLD_IP_CHAIN_LEN + IPV6_MAX_PAYLOAD];
    if (len > IPV6_MAX_PAYLOAD - 8)
        return;
    FUZZ_CHECK(mld_ip_emit(src, dst, len, packet, sizeof packet) == MLD_IP_CHAIN_LEN);
    memcpy(packet + MLD_IP_CHAIN_LEN, msg, len);
    struct ipv6_header h;
    struct ipv6_chain c;
    FUZZ_CHECK(ipv6_parse(packet, MLD_IP_CHAIN_LEN + len, &h) == IPV6_HEADER_LEN);
    FUZZ_CHECK(ipv6_walk_chain(packet, MLD_IP_CHAIN_LEN + len, &c) == 0 && c.verdict == IPV6_CHAIN_ACCEPT);
    FUZZ_CHECK(c.router_alert && c.upper_protocol == IP_PROTO_ICMPV6 && c.upper_offset == MLD_IP_CHAIN_LEN);
    FUZZ_CHECK(mld_ip_valid(&h, c.router_alert, false) ==
               (ipv6_addr_is_link_local(src) || ipv6_addr_is_unspecified(src)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 33 || size - 33 > sizeof msg)
        return 0;
    uint8_t flags = data[0];
    const uint8_t *src = data + 1, *dst = data + 17;
    size_t len = size - 33;
    memcpy(msg, data + 33, len);
    if ((flags & 1) && len >= ICMPV6_HEADER_LEN)
        icmpv6_set_checksum(src, dst, msg, len);

    struct icmpv6_message m;
    int r = icmpv6_parse(msg, len, src, dst, &m);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_BAD_CHECKSUM || r == WIRE_BAD_VERSION);
        return 0;
    }
    FUZZ_CHECK(r == ICMPV6_HEADER_LEN);
    FUZZ_CHECK(m.body == msg + ICMPV6_HEADER_LEN && m.body_len == len - ICMPV6_HEADER_LEN);
    FUZZ_CHECK(m.type == msg[0] && m.code == msg[1] && m.rest == wire_get32(msg + 4));
    if (icmpv6_is_error(m.type)) {
        FUZZ_CHECK(m.quoted == m.body && m.quoted_len == m.body_len && m.quoted_len >= IPV6_HEADER_LEN);
        struct ipv6_chain c;
        if (ipv6_walk_chain(m.quoted, m.quoted_len, &c) == 0)
            FUZZ_CHECK(c.upper_offset <= m.quoted_len);
        size_t n = icmpv6_error_emit(m.type, m.code, m.rest, m.quoted, m.quoted_len, src, dst, out, sizeof out);
        FUZZ_CHECK(n == ICMPV6_HEADER_LEN + (m.quoted_len < ICMPV6_ERROR_MAX_QUOTE ? m.quoted_len
                                                                                 : ICMPV6_ERROR_MAX_QUOTE));
        struct icmpv6_message e;
        FUZZ_CHECK(icmpv6_parse(out, n, src, dst, &e) == ICMPV6_HEADER_LEN);
        FUZZ_CHECK(memcmp(e.quoted, m.quoted, n - ICMPV6_HEADER_LEN) == 0);
    } else {
        FUZZ_CHECK(m.quoted == NULL && m.quoted_len == 0);
    }

    memcpy(out, msg, len);
    memset(out, 0xa5, ICMPV6_HEADER_LEN);
    FUZZ_CHECK(icmpv6_emit(&m, src, dst, out, len) == ICMPV6_HEADER_LEN);
    FUZZ_CHECK(memcmp(out, msg, 2) == 0 && memcmp(out + 4, msg + 4, len - 4) == 0);
    uint16_t c_in = wire_get16(msg + 2), c_out = wire_get16(out + 2);
    FUZZ_CHECK(c_in == c_out || (c_in == 0xffff && c_out == 0) || (c_in == 0 && c_out == 0xffff));

    if (m.type >= ICMPV6_ROUTER_SOLICIT && m.type <= ICMPV6_REDIRECT)
        check_ndp(src, dst, len);
    else if (m.type == ICMPV6_MLD_QUERY || m.type == ICMPV6_MLD_V2_REPORT)
        check_mld(src, dst, m.type, len);
    return 0;
}
