/* MLDv2 (RFC 3810): Linux's reports parsed and built again byte for byte,
 * IPv6 header and router alert included; queries of both versions, the
 * exponential codes, and reports whose records run past the message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames_ipv6.h"
#include "naru/addr.h"
#include "wire/mld.h"

static const uint8_t LL_A[16] = { 0xfe, 0x80, [9] = 0x6e, 0x61, 0xff, 0xfe, 0x72, 0x75, 0x0a };
static const uint8_t MLD_ROUTERS[16] = { 0xff, 0x02, [15] = 0x16 };

/* Parse the report in a frame (IPv6, hop-by-hop, ICMPv6), then build the
 * whole packet again from what was parsed. */
static void check_report(const uint8_t *frame, size_t frame_len, unsigned records, const char *const groups[])
{
    const uint8_t *ip = frame + 14;
    size_t ip_len = frame_len - 14;
    struct ipv6_header h;
    assert_int_equal(ipv6_parse(ip, ip_len, &h), IPV6_HEADER_LEN);
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(ip, ip_len, &c), 0);
    assert_true(mld_ip_valid(&h, c.router_alert, false));
    assert_int_equal(c.upper_protocol, IP_PROTO_ICMPV6);
    const uint8_t *msg = ip + c.upper_offset;
    size_t len = ip_len - c.upper_offset;
    struct icmpv6_message im;
    assert_int_equal(icmpv6_parse(msg, len, h.src, h.dst, &im), ICMPV6_HEADER_LEN);
    assert_int_equal(im.type, ICMPV6_MLD_V2_REPORT);

    struct mld_report r;
    assert_int_equal(mld_report_parse(msg, len, &r), 0);
    assert_int_equal(r.record_count, records);
    assert_int_equal(r.records_len, len - 8);

    static uint8_t out[512];
    memset(out, 0xee, sizeof out);
    struct mld_builder b;
    mld_report_begin(&b, out + MLD_IP_CHAIN_LEN, sizeof out - MLD_IP_CHAIN_LEN);
    size_t at = 0;
    struct mld_record rec;
    for (unsigned i = 0; i < records; i++) {
        assert_true(mld_next_record(&r, &at, &rec));
        assert_int_equal(rec.type, MLD_CHANGE_TO_EXCLUDE); /* a join (RFC 3810 6.1) */
        assert_int_equal(rec.source_count, 0);
        assert_int_equal(rec.aux_words, 0);
        struct naru_addr group;
        assert_int_equal(naru_addr_parse(groups[i], &group), 0);
        assert_memory_equal(rec.group, group.v6, 16);
        mld_report_add(&b, rec.type, rec.group, rec.sources, rec.source_count);
    }
    assert_false(mld_next_record(&r, &at, &rec));
    size_t n = mld_report_finish(&b, h.src, h.dst);
    assert_int_equal(n, len);
    assert_int_equal(mld_ip_emit(h.src, h.dst, n, out, sizeof out), MLD_IP_CHAIN_LEN);
    assert_memory_equal(out, ip, ip_len);
}

static void linux_reports_round_trip_with_their_ip_header_chain(void **state)
{
    (void)state;
    /* A, from its link-local address: its two solicited-node groups. */
    static const char *const a[] = { "ff02::1:ff72:750a", "ff02::1:ff00:a" };
    check_report(linux6_mld_report, sizeof linux6_mld_report, 2, a);
    assert_memory_equal(linux6_mld_report + 14 + 8, LL_A, 16);
    assert_memory_equal(linux6_mld_report + 14 + 24, MLD_ROUTERS, 16);
    /* B, from :: before its link-local address is valid (RFC 3590 4). */
    static const char *const b[] = { "ff02::1:ff72:750b", "ff02::1:ff00:0", "ff02::1:ff00:1", "ff02::2" };
    check_report(linux6_mld_report_unspecified, sizeof linux6_mld_report_unspecified, 4, b);
}

static void records_running_past_the_report_are_truncated(void **state)
{
    (void)state;
    uint8_t msg[8 + 20 + 2 * 16 + 4 + 20] = { ICMPV6_MLD_V2_REPORT, 0, 0, 0, 0, 0, 0, 2 };
    /* A record with two sources and one word of auxiliary data, then a plain one. */
    uint8_t *r1 = msg + 8, *r2 = msg + 8 + 20 + 32 + 4;
    r1[0] = MLD_MODE_IS_INCLUDE;
    r1[1] = 1;
    wire_put16(r1 + 2, 2);
    r1[4] = 0xff;
    r1[5] = 0x05;
    r2[0] = MLD_ALLOW_NEW_SOURCES;
    struct mld_report r;
    assert_int_equal(mld_report_parse(msg, sizeof msg, &r), 0);
    size_t at = 0;
    struct mld_record rec;
    assert_true(mld_next_record(&r, &at, &rec));
    assert_int_equal(rec.type, MLD_MODE_IS_INCLUDE);
    assert_int_equal(rec.source_count, 2);
    assert_int_equal(rec.aux_words, 1);
    assert_ptr_equal(rec.sources, r1 + 20);
    assert_int_equal(rec.group[1], 0x05);
    assert_true(mld_next_record(&r, &at, &rec));
    assert_int_equal(rec.type, MLD_ALLOW_NEW_SOURCES);
    assert_false(mld_next_record(&r, &at, &rec));
    for (size_t len = 0; len < sizeof msg; len++)
        assert_int_equal(mld_report_parse(msg, len, &r), WIRE_TRUNCATED);
    /* A count larger than the records present. */
    msg[7] = 3;
    assert_int_equal(mld_report_parse(msg, sizeof msg, &r), WIRE_TRUNCATED);
    msg[7] = 0;
    assert_int_equal(mld_report_parse(msg, sizeof msg, &r), 0);
    assert_false(mld_next_record(&r, &(size_t){ 0 }, &rec));
}

static void report_builder_writes_sources_and_fails_whole_when_full(void **state)
{
    (void)state;
    static const uint8_t group[16] = { 0xff, 0x0e, [15] = 0x42 };
    uint8_t sources[3 * 16];
    for (size_t i = 0; i < sizeof sources; i++)
        sources[i] = (uint8_t)i;
    uint8_t out[8 + 20 + 48 + 20];
    struct mld_builder b;
    mld_report_begin(&b, out, sizeof out);
    mld_report_add(&b, MLD_BLOCK_OLD_SOURCES, group, sources, 3);
    mld_report_add(&b, MLD_CHANGE_TO_INCLUDE, group, NULL, 0);
    size_t n = mld_report_finish(&b, LL_A, MLD_ROUTERS);
    assert_int_equal(n, sizeof out);
    struct icmpv6_message im;
    assert_int_equal(icmpv6_parse(out, n, LL_A, MLD_ROUTERS, &im), ICMPV6_HEADER_LEN);
    struct mld_report r;
    assert_int_equal(mld_report_parse(out, n, &r), 0);
    assert_int_equal(r.record_count, 2);
    struct mld_record rec;
    size_t at = 0;
    assert_true(mld_next_record(&r, &at, &rec));
    assert_int_equal(rec.source_count, 3);
    assert_memory_equal(rec.sources, sources, sizeof sources);

    mld_report_begin(&b, out, sizeof out - 1);
    mld_report_add(&b, MLD_BLOCK_OLD_SOURCES, group, sources, 3);
    mld_report_add(&b, MLD_CHANGE_TO_INCLUDE, group, NULL, 0);
    assert_int_equal(mld_report_finish(&b, LL_A, MLD_ROUTERS), 0);
    mld_report_begin(&b, out, 7);
    assert_int_equal(mld_report_finish(&b, LL_A, MLD_ROUTERS), 0);
    assert_int_equal(mld_ip_emit(LL_A, MLD_ROUTERS, 20, out, MLD_IP_CHAIN_LEN - 1), 0);
}

static void queries_of_both_versions_by_length(void **state)
{
    (void)state;
    /* Version 1 (RFC 2710): 24 bytes, the delay in plain milliseconds. */
    uint8_t q[28 + 2 * 16] = { ICMPV6_MLD_QUERY, 0, 0, 0, 0x27, 0x10 };
    struct mld_query mq;
    assert_int_equal(mld_query_parse(q, 24, &mq), 0);
    assert_int_equal(mq.version, 1);
    assert_int_equal(mq.max_response_ms, 10000);
    assert_true(ipv6_addr_is_unspecified(mq.group)); /* a general query */
    /* Lengths between are neither (RFC 3810 8.1). */
    for (size_t len = 25; len < 28; len++)
        assert_int_equal(mld_query_parse(q, len, &mq), WIRE_BAD_LENGTH);
    for (size_t len = 0; len < 24; len++)
        assert_int_equal(mld_query_parse(q, len, &mq), WIRE_TRUNCATED);
    /* Version 2, group-and-source specific: S, QRV 2, QQIC 125, two sources. */
    q[8] = 0xff;
    q[9] = 0x05;
    q[23] = 3;
    q[24] = 0x08 | 2;
    q[25] = 125;
    wire_put16(q + 26, 2);
    q[28] = 0x20;
    q[44] = 0x20;
    assert_int_equal(mld_query_parse(q, sizeof q, &mq), 0);
    assert_int_equal(mq.version, 2);
    assert_int_equal(mq.max_response_ms, 10000);
    assert_int_equal(mq.group[1], 0x05);
    assert_true(mq.suppress);
    assert_int_equal(mq.qrv, 2);
    assert_int_equal(mq.qqi_s, 125);
    assert_int_equal(mq.source_count, 2);
    assert_ptr_equal(mq.sources, q + 28);
    assert_int_equal(mld_query_parse(q, sizeof q - 1, &mq), WIRE_TRUNCATED);
    /* The exponential form of the maximum response code (5.1.3) and QQIC (5.1.9). */
    wire_put16(q + 4, 0x8000 | 3 << 12 | 0x123);
    assert_int_equal(mld_query_parse(q, sizeof q, &mq), 0);
    assert_int_equal(mq.max_response_ms, (0x1123u) << 6);
    q[25] = 0x80 | 2 << 4 | 5;
    assert_int_equal(mld_query_parse(q, sizeof q, &mq), 0);
    assert_int_equal(mq.qqi_s, 0x15u << 5);
}

static void max_response_codes_round_trip_and_round_down(void **state)
{
    (void)state;
    for (uint32_t code = 0; code <= 0xffff; code++)
        assert_int_equal(mld_max_response_encode(mld_max_response_decode((uint16_t)code)), code);
    assert_int_equal(mld_max_response_decode(mld_max_response_encode(32769)), 32768);
    assert_int_equal(mld_max_response_encode(0xffffffffu), 0xffff);
    assert_int_equal(mld_max_response_decode(0xffff), 0x1fffu << 10);
    assert_int_equal(mld_qqic_decode(127), 127);
    assert_int_equal(mld_qqic_decode(0xff), 0x1fu << 10);
}

static void ip_rules_hop_limit_one_router_alert_link_local(void **state)
{
    (void)state;
    struct ipv6_header h = { .hop_limit = 1 };
    memcpy(h.src, LL_A, 16);
    assert_true(mld_ip_valid(&h, true, true));
    assert_false(mld_ip_valid(&h, false, true));
    h.hop_limit = 2;
    assert_false(mld_ip_valid(&h, true, false));
    h.hop_limit = 1;
    memset(h.src, 0, 16);
    assert_true(mld_ip_valid(&h, true, false)); /* a report from :: */
    assert_false(mld_ip_valid(&h, true, true)); /* never a query */
    h.src[0] = 0x20;
    assert_false(mld_ip_valid(&h, true, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_reports_round_trip_with_their_ip_header_chain),
        cmocka_unit_test(records_running_past_the_report_are_truncated),
        cmocka_unit_test(report_builder_writes_sources_and_fails_whole_when_full),
        cmocka_unit_test(queries_of_both_versions_by_length),
        cmocka_unit_test(max_response_codes_round_trip_and_round_down),
        cmocka_unit_test(ip_rules_hop_limit_one_router_alert_link_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
