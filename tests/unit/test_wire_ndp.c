/* Neighbour Discovery (RFC 4861): Linux's and radvd's RS, RA, NS (DAD with
 * a nonce, address resolution, unreachability probes) and NA parsed and
 * built again byte for byte; every length and address rule of 6.1.1,
 * 6.1.2, 7.1.1, 7.1.2 and 8.1 broken once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames_ipv6.h"
#include "wire/ndp.h"

static const uint8_t MAC_A[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0b };
static const uint8_t ADDR_B[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t ADDR_A_STATIC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x0a };
static const uint8_t LL_A[16] = { 0xfe, 0x80, [9] = 0x6e, 0x61, 0xff, 0xfe, 0x72, 0x75, 0x0a };
static const uint8_t LL_B[16] = { 0xfe, 0x80, [9] = 0x6e, 0x61, 0xff, 0xfe, 0x72, 0x75, 0x0b };

struct frame {
    const uint8_t *msg;
    size_t len;
    const uint8_t *src;
    const uint8_t *dst;
    uint8_t hop_limit;
};

static struct frame frame_of(const uint8_t *f, size_t len)
{
    assert_int_equal(f[14 + 6], IP_PROTO_ICMPV6);
    struct frame fr = { f + 54, len - 54, f + 14 + 8, f + 14 + 24, f[14 + 7] };
    /* The checksum is icmpv6_parse's to check, before ndp_parse. */
    struct icmpv6_message m;
    assert_int_equal(icmpv6_parse(fr.msg, fr.len, fr.src, fr.dst, &m), ICMPV6_HEADER_LEN);
    return fr;
}
#define FRAME(x) frame_of(x, sizeof x)

/* Emit m with the options in the order Linux put them, compare. */
static void check_round_trip(const struct frame *f, const struct ndp_message *m)
{
    uint8_t out[256];
    memset(out, 0xa5, sizeof out);
    struct ndp_builder b;
    ndp_emit_begin(&b, m, out, sizeof out);
    size_t at = 0;
    const struct ndp_options *o = &m->options;
    /* Walk Linux's option order; emit each option from the parsed values. */
    size_t pi_at = 0, rd_at = 0;
    while (at < o->all_len) {
        const uint8_t *p = o->all + at;
        switch (p[0]) {
        case NDP_OPT_SOURCE_LLADDR: ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, o->source_lladdr); break;
        case NDP_OPT_TARGET_LLADDR: ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, o->target_lladdr); break;
        case NDP_OPT_MTU: ndp_emit_mtu(&b, o->mtu); break;
        case NDP_OPT_NONCE: ndp_emit_nonce(&b, o->nonce, o->nonce_len); break;
        case NDP_OPT_PREFIX_INFO: {
            struct ndp_prefix_info pi;
            assert_true(ndp_next_prefix(o, &pi_at, &pi));
            ndp_emit_prefix(&b, &pi);
            break;
        }
        case NDP_OPT_RDNSS: {
            struct ndp_rdnss r;
            assert_true(ndp_next_rdnss(o, &rd_at, &r));
            ndp_emit_rdnss(&b, r.lifetime, r.servers, r.count);
            break;
        }
        default: fail_msg("option %u not expected", p[0]);
        }
        at += (size_t)p[1] * 8;
    }
    assert_int_equal(ndp_emit_finish(&b, f->src, f->dst), f->len);
    assert_memory_equal(out, f->msg, f->len);
}

static void linux_router_solicitation(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_rs);
    assert_true(ndp_hop_limit_valid(f.hop_limit));
    struct ndp_message m;
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_int_equal(m.type, ICMPV6_ROUTER_SOLICIT);
    assert_memory_equal(m.options.source_lladdr, MAC_A, 6);
    assert_null(m.options.target_lladdr);
    check_round_trip(&f, &m);
}

static void radvd_router_advertisement_with_prefix_rdnss_and_mtu(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_ra);
    assert_true(ndp_hop_limit_valid(f.hop_limit));
    assert_memory_equal(f.src, LL_B, 16);
    struct ndp_message m;
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_int_equal(m.type, ICMPV6_ROUTER_ADVERT);
    assert_int_equal(m.cur_hop_limit, 64);
    assert_false(m.managed);
    assert_false(m.other);
    assert_int_equal(m.router_lifetime, 30);
    assert_int_equal(m.reachable_time, 0);
    assert_int_equal(m.retrans_timer, 0);
    assert_memory_equal(m.options.source_lladdr, MAC_B, 6);
    assert_true(m.options.mtu_present);
    assert_int_equal(m.options.mtu, 1500);
    assert_int_equal(m.options.prefix_count, 1);
    assert_int_equal(m.options.rdnss_count, 1);
    size_t at = 0;
    struct ndp_prefix_info pi;
    assert_true(ndp_next_prefix(&m.options, &at, &pi));
    static const uint8_t prefix[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
    assert_memory_equal(pi.prefix, prefix, 16);
    assert_int_equal(pi.prefix_len, 64);
    assert_true(pi.on_link);
    assert_true(pi.autonomous);
    assert_int_equal(pi.valid_lifetime, 86400);
    assert_int_equal(pi.preferred_lifetime, 14400);
    assert_false(ndp_next_prefix(&m.options, &at, &pi));
    at = 0;
    struct ndp_rdnss r;
    assert_true(ndp_next_rdnss(&m.options, &at, &r));
    static const uint8_t dns[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x53 };
    assert_int_equal(r.lifetime, 10);
    assert_int_equal(r.count, 1);
    assert_memory_equal(r.servers, dns, 16);
    assert_false(ndp_next_rdnss(&m.options, &at, &r));
    check_round_trip(&f, &m);
}

static void linux_duplicate_address_detection_carries_a_nonce(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_dad_ns);
    struct ndp_message m;
    assert_true(ipv6_addr_is_unspecified(f.src));
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_int_equal(m.type, ICMPV6_NEIGHBOR_SOLICIT);
    assert_memory_equal(m.target, ADDR_A_STATIC, 16);
    uint8_t group[16];
    ipv6_solicited_node(m.target, group);
    assert_memory_equal(f.dst, group, 16);
    assert_null(m.options.source_lladdr);
    static const uint8_t nonce[6] = { 0x7f, 0x1d, 0xe4, 0x02, 0x13, 0x54 };
    assert_int_equal(m.options.nonce_len, 6);
    assert_memory_equal(m.options.nonce, nonce, 6);
    check_round_trip(&f, &m);
}

static void linux_address_resolution_and_unreachability_probe(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_ns);
    struct ndp_message m;
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_int_equal(m.type, ICMPV6_NEIGHBOR_SOLICIT);
    assert_memory_equal(m.target, ADDR_B, 16);
    assert_memory_equal(m.options.source_lladdr, MAC_A, 6);
    assert_null(m.options.nonce);
    check_round_trip(&f, &m);

    f = FRAME(linux6_na);
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_int_equal(m.type, ICMPV6_NEIGHBOR_ADVERT);
    assert_memory_equal(m.target, ADDR_B, 16);
    assert_true(m.router);
    assert_true(m.solicited);
    assert_true(m.override);
    assert_memory_equal(m.options.target_lladdr, MAC_B, 6);
    check_round_trip(&f, &m);

    /* B probes A's link-local address by unicast; A answers without options. */
    f = FRAME(linux6_nud_ns);
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_memory_equal(m.target, LL_A, 16);
    assert_memory_equal(f.dst, LL_A, 16);
    assert_memory_equal(m.options.source_lladdr, MAC_B, 6);
    check_round_trip(&f, &m);
    f = FRAME(linux6_nud_na);
    assert_int_equal(ndp_parse(f.msg, f.len, f.src, f.dst, &m), 0);
    assert_false(m.router);
    assert_true(m.solicited);
    assert_false(m.override);
    assert_null(m.options.target_lladdr);
    assert_int_equal(m.options.all_len, 0);
    check_round_trip(&f, &m);
}

/* A message built here: the fixed part and options bytes, checksummed. */
static uint8_t msg[256];
static size_t build(const uint8_t *fixed, size_t fixed_len, const uint8_t *opts, size_t opts_len)
{
    memcpy(msg, fixed, fixed_len);
    memcpy(msg + fixed_len, opts, opts_len);
    return fixed_len + opts_len;
}

static void option_length_zero_or_past_the_end_invalidates_the_message(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_ra);
    struct ndp_message m;
    uint8_t copy[128];
    memcpy(copy, f.msg, f.len);
    /* Every option's length byte set to 0 in turn (RFC 4861 4.6). */
    for (size_t at = NDP_RA_LEN; at < f.len; at += (size_t)f.msg[at + 1] * 8) {
        copy[at + 1] = 0;
        assert_int_equal(ndp_parse(copy, f.len, f.src, f.dst, &m), WIRE_BAD_OPTION);
        copy[at + 1] = 200;
        assert_int_equal(ndp_parse(copy, f.len, f.src, f.dst, &m), WIRE_BAD_OPTION);
        copy[at + 1] = f.msg[at + 1];
    }
    /* Cut anywhere inside an option. */
    for (size_t len = NDP_RA_LEN + 1; len < f.len; len++) {
        int r = ndp_parse(copy, len, f.src, f.dst, &m);
        bool boundary = len == 16 + 32 || len == 16 + 32 + 24 || len == 16 + 32 + 24 + 8;
        assert_int_equal(r, boundary ? 0 : WIRE_BAD_OPTION);
    }
    /* Shorter than the fixed part of each type. */
    static const struct { uint8_t type; size_t len; } fixed[] = {
        { ICMPV6_ROUTER_SOLICIT, NDP_RS_LEN }, { ICMPV6_ROUTER_ADVERT, NDP_RA_LEN },
        { ICMPV6_NEIGHBOR_SOLICIT, NDP_NS_LEN }, { ICMPV6_NEIGHBOR_ADVERT, NDP_NA_LEN },
        { ICMPV6_REDIRECT, NDP_REDIRECT_LEN },
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        uint8_t body[48] = { fixed[i].type };
        for (size_t len = 0; len < fixed[i].len; len++)
            assert_int_equal(ndp_parse(body, len, LL_B, LL_A, &m), WIRE_TRUNCATED);
    }
    uint8_t echo[8] = { ICMPV6_ECHO_REQUEST };
    assert_int_equal(ndp_parse(echo, sizeof echo, LL_B, LL_A, &m), WIRE_UNSUPPORTED);
}

static void lladdr_options_must_hold_an_ethernet_address(void **state)
{
    (void)state;
    struct frame f = FRAME(linux6_ns);
    struct ndp_message m;
    uint8_t fixed[NDP_NS_LEN];
    memcpy(fixed, f.msg, sizeof fixed);
    const uint8_t two[16] = { NDP_OPT_SOURCE_LLADDR, 2, 2, 0, 0, 0, 0, 1 };
    assert_int_equal(ndp_parse(msg, build(fixed, sizeof fixed, two, sizeof two), f.src, f.dst, &m), WIRE_BAD_OPTION);
    /* A second one is ignored; the first counts. */
    const uint8_t twice[16] = { 1, 1, 2, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 2 };
    assert_int_equal(ndp_parse(msg, build(fixed, sizeof fixed, twice, sizeof twice), f.src, f.dst, &m), 0);
    assert_int_equal(m.options.source_lladdr[5], 1);
    /* Options of other messages, and unknown ones, are skipped (RFC 4861 4). */
    const uint8_t others[32] = { NDP_OPT_TARGET_LLADDR, 1, 2, 0, 0, 0, 0, 3, NDP_OPT_MTU, 1, 0, 0, 0, 0, 5, 220,
                                 200, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(ndp_parse(msg, build(fixed, sizeof fixed, others, sizeof others), f.src, f.dst, &m), 0);
    assert_null(m.options.target_lladdr);
    assert_false(m.options.mtu_present);
    /* ... but their lengths are still checked. */
    const uint8_t bad_mtu[16] = { NDP_OPT_MTU, 2 };
    f = FRAME(linux6_ra);
    memcpy(fixed, f.msg, NDP_RA_LEN);
    assert_int_equal(ndp_parse(msg, build(fixed, NDP_RA_LEN, bad_mtu, sizeof bad_mtu), f.src, f.dst, &m),
                     WIRE_BAD_OPTION);
    const uint8_t bad_prefix[32] = { NDP_OPT_PREFIX_INFO, 4, 129 };
    assert_int_equal(ndp_parse(msg, build(fixed, NDP_RA_LEN, bad_prefix, sizeof bad_prefix), f.src, f.dst, &m),
                     WIRE_BAD_OPTION);
    const uint8_t short_prefix[16] = { NDP_OPT_PREFIX_INFO, 2, 64 };
    assert_int_equal(ndp_parse(msg, build(fixed, NDP_RA_LEN, short_prefix, sizeof short_prefix), f.src, f.dst, &m),
                     WIRE_BAD_OPTION);
    /* An RDNSS option with no room for an address is ignored (RFC 8106 5.3.1). */
    const uint8_t empty_rdnss[16] = { NDP_OPT_RDNSS, 2 };
    assert_int_equal(ndp_parse(msg, build(fixed, NDP_RA_LEN, empty_rdnss, sizeof empty_rdnss), f.src, f.dst, &m), 0);
    assert_int_equal(m.options.rdnss_count, 0);
    size_t at = 0;
    struct ndp_rdnss r;
    assert_false(ndp_next_rdnss(&m.options, &at, &r));
}

static void address_and_flag_rules_of_each_message(void **state)
{
    (void)state;
    struct ndp_message m;
    struct frame ns = FRAME(linux6_ns), dad = FRAME(linux6_dad_ns), na = FRAME(linux6_na), rs = FRAME(linux6_rs),
                 ra = FRAME(linux6_ra);
    uint8_t copy[128];
    static const uint8_t unspecified[16], all_nodes[16] = { 0xff, 0x02, [15] = 1 };

    /* Code 0, for every type. */
    const struct frame *each[] = { &ns, &dad, &na, &rs, &ra };
    for (size_t i = 0; i < 5; i++) {
        memcpy(copy, each[i]->msg, each[i]->len);
        copy[1] = 1;
        assert_int_equal(ndp_parse(copy, each[i]->len, each[i]->src, each[i]->dst, &m), WIRE_BAD_FIELD);
    }
    /* 7.1.1: a multicast target; from :: not to a solicited-node group; from :: with a link-layer address. */
    memcpy(copy, ns.msg, ns.len);
    copy[8] = 0xff;
    assert_int_equal(ndp_parse(copy, ns.len, ns.src, ns.dst, &m), WIRE_BAD_FIELD);
    assert_int_equal(ndp_parse(dad.msg, dad.len, dad.src, all_nodes, &m), WIRE_BAD_FIELD);
    assert_int_equal(ndp_parse(ns.msg, ns.len, unspecified, ns.dst, &m), WIRE_BAD_FIELD);
    /* 6.1.1: an RS from :: with a link-layer address. */
    assert_int_equal(ndp_parse(rs.msg, rs.len, unspecified, rs.dst, &m), WIRE_BAD_FIELD);
    assert_int_equal(ndp_parse(rs.msg, 8, unspecified, rs.dst, &m), 0);
    /* 6.1.2: an RA not from a link-local address. */
    assert_int_equal(ndp_parse(ra.msg, ra.len, ADDR_B, ra.dst, &m), WIRE_BAD_FIELD);
    /* 7.1.2: a multicast target; solicited but sent to a group. */
    memcpy(copy, na.msg, na.len);
    copy[8] = 0xff;
    assert_int_equal(ndp_parse(copy, na.len, na.src, na.dst, &m), WIRE_BAD_FIELD);
    assert_int_equal(ndp_parse(na.msg, na.len, na.src, all_nodes, &m), WIRE_BAD_FIELD);
    memcpy(copy, na.msg, na.len);
    copy[4] &= (uint8_t)~0x40; /* unsolicited: fine to all nodes */
    assert_int_equal(ndp_parse(copy, na.len, na.src, all_nodes, &m), 0);
    assert_false(m.solicited);
}

static void redirect_is_built_parsed_and_checked(void **state)
{
    (void)state;
    /* B tells A: reach 2001:db8:2::c through fe80::...:1b (RFC 4861 4.5). */
    static const uint8_t target[16] = { 0xfe, 0x80, [15] = 0x1b }, dest[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x0c };
    static uint8_t packet[1500];
    for (size_t i = 0; i < sizeof packet; i++)
        packet[i] = (uint8_t)i;
    struct ndp_message m = { .type = ICMPV6_REDIRECT };
    memcpy(m.target, target, 16);
    memcpy(m.destination, dest, 16);
    static uint8_t out[1500];
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, out, sizeof out);
    ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, MAC_B);
    ndp_emit_redirected(&b, packet, sizeof packet);
    size_t len = ndp_emit_finish(&b, LL_B, LL_A);
    /* RFC 4861 4.6.3: as much as fits the minimum MTU. */
    assert_int_equal(len, IPV6_MIN_MTU - IPV6_HEADER_LEN);
    struct icmpv6_message im;
    assert_int_equal(icmpv6_parse(out, len, LL_B, LL_A, &im), ICMPV6_HEADER_LEN);
    struct ndp_message back;
    assert_int_equal(ndp_parse(out, len, LL_B, LL_A, &back), 0);
    assert_memory_equal(back.target, target, 16);
    assert_memory_equal(back.destination, dest, 16);
    assert_memory_equal(back.options.target_lladdr, MAC_B, 6);
    assert_int_equal(back.options.redirected_len, len - 40 - 8 - 8);
    assert_memory_equal(back.options.redirected, packet, back.options.redirected_len);

    /* 8.1: from a global address; a multicast destination; a target
     * neither link-local nor the destination. */
    assert_int_equal(ndp_parse(out, len, ADDR_B, LL_A, &back), WIRE_BAD_FIELD);
    out[24] = 0xff;
    assert_int_equal(ndp_parse(out, len, LL_B, LL_A, &back), WIRE_BAD_FIELD);
    out[24] = 0x20;
    out[8] = 0x20;
    assert_int_equal(ndp_parse(out, len, LL_B, LL_A, &back), WIRE_BAD_FIELD);
    memcpy(out + 8, dest, 16); /* the destination is a neighbour itself: fine */
    assert_int_equal(ndp_parse(out, len, LL_B, LL_A, &back), 0);

    /* A short redirected packet is padded to 8 bytes. */
    ndp_emit_begin(&b, &m, out, sizeof out);
    ndp_emit_redirected(&b, packet, 13);
    len = ndp_emit_finish(&b, LL_B, LL_A);
    assert_int_equal(len, 40 + 8 + 16);
    assert_int_equal(ndp_parse(out, len, LL_B, LL_A, &back), 0);
    assert_int_equal(back.options.redirected_len, 16);
}

static void builder_fails_whole_when_out_of_room_or_misused(void **state)
{
    (void)state;
    uint8_t out[64];
    struct ndp_builder b;
    struct ndp_message ns = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    ndp_emit_begin(&b, &ns, out, 31);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, MAC_A);
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 0);
    ndp_emit_begin(&b, &ns, out, 32);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, MAC_A);
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 32);
    static const uint8_t nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    ndp_emit_begin(&b, &ns, out, sizeof out);
    ndp_emit_nonce(&b, nonce, 5); /* shorter than RFC 3971 allows */
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 0);
    ndp_emit_begin(&b, &ns, out, sizeof out);
    ndp_emit_nonce(&b, nonce, 8); /* 10 bytes: not a whole option */
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 0);
    ndp_emit_begin(&b, &ns, out, sizeof out);
    ndp_emit_rdnss(&b, 60, NULL, 0); /* no server */
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 0);
    struct ndp_message echo = { .type = ICMPV6_ECHO_REQUEST };
    ndp_emit_begin(&b, &echo, out, sizeof out);
    assert_int_equal(ndp_emit_finish(&b, LL_A, LL_B), 0);
    assert_false(ndp_hop_limit_valid(254));
    assert_false(ndp_hop_limit_valid(64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_router_solicitation),
        cmocka_unit_test(radvd_router_advertisement_with_prefix_rdnss_and_mtu),
        cmocka_unit_test(linux_duplicate_address_detection_carries_a_nonce),
        cmocka_unit_test(linux_address_resolution_and_unreachability_probe),
        cmocka_unit_test(option_length_zero_or_past_the_end_invalidates_the_message),
        cmocka_unit_test(lladdr_options_must_hold_an_ethernet_address),
        cmocka_unit_test(address_and_flag_rules_of_each_message),
        cmocka_unit_test(redirect_is_built_parsed_and_checked),
        cmocka_unit_test(builder_fails_whole_when_out_of_room_or_misused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
