/* IPv6 headers (RFC 8200): the fixed header both ways, and the walk over
 * the extension header chain with every verdict RFC 8200 and RFC 7112
 * give, on frames from Linux and on packets built here to break a rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames_ipv6.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* 2001:db8:1:0:6e:61ff:fe72:750a, A's SLAAC address, and B's 2001:db8:1::1. */
static const uint8_t ADDR_A[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0x6e, 0x61, 0xff, 0xfe, 0x72, 0x75, 0x0a };
static const uint8_t ADDR_B[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

#define IP(frame) ((frame) + 14)
#define IP_LEN(frame) (sizeof(frame) - 14)

static void linux_echo_request_header_parses_and_round_trips(void **state)
{
    (void)state;
    struct ipv6_header h;
    assert_int_equal(ipv6_parse(IP(linux6_echo_request), IP_LEN(linux6_echo_request), &h), IPV6_HEADER_LEN);
    assert_int_equal(h.traffic_class, 0);
    assert_int_equal(h.flow_label, 0x151d8);
    assert_int_equal(h.payload_len, 64);
    assert_int_equal(h.next_header, IP_PROTO_ICMPV6);
    assert_int_equal(h.hop_limit, 64);
    assert_memory_equal(h.src, ADDR_A, 16);
    assert_memory_equal(h.dst, ADDR_B, 16);
    uint8_t out[IPV6_HEADER_LEN];
    memset(out, 0xa5, sizeof out);
    assert_int_equal(ipv6_emit(&h, out, sizeof out), IPV6_HEADER_LEN);
    assert_memory_equal(out, IP(linux6_echo_request), IPV6_HEADER_LEN);
    assert_int_equal(ipv6_emit(&h, out, IPV6_HEADER_LEN - 1), 0);

    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(IP(linux6_echo_request), IP_LEN(linux6_echo_request), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.headers, 0);
    assert_int_equal(c.upper_protocol, IP_PROTO_ICMPV6);
    assert_int_equal(c.upper_offset, 40);
    assert_int_equal(c.upper_next_header_pointer, 6);
    assert_false(c.fragment);
}

static void every_captured_header_round_trips(void **state)
{
    (void)state;
    static const struct { const uint8_t *f; size_t len; } frames[] = {
#define F(x) { x, sizeof x }
        F(linux6_mld_report_unspecified), F(linux6_dad_ns), F(linux6_mld_report), F(linux6_rs), F(linux6_ra),
        F(linux6_ns), F(linux6_na), F(linux6_echo_reply), F(linux6_big_echo_frag0), F(linux6_big_echo_frag1),
        F(linux6_big_echo_frag2), F(linux6_hop1_echo_request), F(linux6_time_exceeded),
        F(linux6_too_big_echo_request), F(linux6_packet_too_big), F(linux6_udp_hello), F(linux6_udp_answer),
        F(linux6_udp_to_closed_port), F(linux6_port_unreachable), F(linux6_udp_unknown_option),
        F(linux6_param_problem), F(linux6_tcp_syn), F(linux6_tcp_syn_ack), F(linux6_nud_ns), F(linux6_nud_na),
#undef F
    };
    unsigned multicast = 0;
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        struct ipv6_header h;
        assert_int_equal(wire_get16(frames[i].f + 12), ETHERTYPE_IPV6);
        assert_int_equal(ipv6_parse(frames[i].f + 14, frames[i].len - 14, &h), IPV6_HEADER_LEN);
        assert_int_equal(h.payload_len, frames[i].len - 14 - 40); /* no Ethernet padding in these */
        uint8_t out[IPV6_HEADER_LEN];
        ipv6_emit(&h, out, sizeof out);
        assert_memory_equal(out, frames[i].f + 14, IPV6_HEADER_LEN);
        /* RFC 2464 7: Linux sends to a group at 33:33 and its low 32 bits. */
        if (ipv6_addr_is_multicast(h.dst)) {
            uint8_t mac[ETH_ADDR_LEN];
            eth_ipv6_multicast_mac(h.dst, mac);
            assert_memory_equal(mac, frames[i].f, ETH_ADDR_LEN);
            assert_true(eth_is_multicast(mac));
            multicast++;
        }
    }
    assert_int_equal(multicast, 5); /* two MLD reports, DAD, RS, address resolution */
    assert_int_equal(ETHERTYPE_IPV6, 0x86dd);
}

static void linux_fragments_walk_to_their_data_and_reassemble(void **state)
{
    (void)state;
    /* ping -6 -s 4000: 4008 bytes of ICMPv6 in fragments of 1448, 1448, 1112. */
    const uint8_t *frags[3] = { IP(linux6_big_echo_frag0), IP(linux6_big_echo_frag1), IP(linux6_big_echo_frag2) };
    size_t lens[3] = { IP_LEN(linux6_big_echo_frag0), IP_LEN(linux6_big_echo_frag1), IP_LEN(linux6_big_echo_frag2) };
    static uint8_t msg[4008];
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        struct ipv6_chain c;
        assert_int_equal(ipv6_walk_chain(frags[i], lens[i], &c), 0);
        assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
        assert_true(c.fragment);
        assert_int_equal(c.fragment_pointer, 40);      /* no unfragmentable headers */
        assert_int_equal(c.frag.identification, 0x7cf04546);
        assert_int_equal(c.frag.offset, at);
        assert_int_equal(c.frag.more, i < 2);
        assert_int_equal(c.upper_protocol, IP_PROTO_ICMPV6);
        assert_int_equal(c.upper_offset, 48);
        assert_int_equal(c.upper_next_header_pointer, 40);
        assert_false(c.incomplete_first_fragment);
        memcpy(msg + at, frags[i] + 48, lens[i] - 48);
        at += lens[i] - 48;

        uint8_t out[IPV6_FRAGMENT_HEADER_LEN];
        assert_int_equal(ipv6_fragment_emit(IP_PROTO_ICMPV6, &c.frag, out, sizeof out), IPV6_FRAGMENT_HEADER_LEN);
        assert_memory_equal(out, frags[i] + 40, IPV6_FRAGMENT_HEADER_LEN);
    }
    assert_int_equal(at, sizeof msg);
    struct icmpv6_message m;
    assert_int_equal(icmpv6_parse(msg, sizeof msg, ADDR_A, ADDR_B, &m), ICMPV6_HEADER_LEN);
    assert_int_equal(m.type, ICMPV6_ECHO_REQUEST);
    assert_int_equal(m.body_len, 4000);

    struct ipv6_fragment odd = { .offset = 12 };
    uint8_t out[8];
    assert_int_equal(ipv6_fragment_emit(IP_PROTO_ICMPV6, &odd, out, sizeof out), 0);
    assert_int_equal(ipv6_fragment_emit(IP_PROTO_ICMPV6, &odd, out, 7), 0);
}

static void linux_mld_report_carries_the_router_alert_ipv6_router_alert_emit_writes(void **state)
{
    (void)state;
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(IP(linux6_mld_report), IP_LEN(linux6_mld_report), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_true(c.hop_by_hop);
    assert_int_equal(c.headers, 1);
    assert_true(c.router_alert);
    assert_int_equal(c.router_alert_value, IPV6_ROUTER_ALERT_MLD);
    assert_int_equal(c.upper_protocol, IP_PROTO_ICMPV6);
    assert_int_equal(c.upper_offset, 48);
    assert_int_equal(c.upper_next_header_pointer, 40);
    uint8_t hbh[8];
    assert_int_equal(ipv6_router_alert_emit(IP_PROTO_ICMPV6, 0, hbh, sizeof hbh), 8);
    assert_memory_equal(hbh, IP(linux6_mld_report) + 40, 8);
    assert_int_equal(ipv6_router_alert_emit(IP_PROTO_ICMPV6, 0, hbh, 7), 0);
}

static void unknown_option_gets_the_parameter_problem_linux_sent(void **state)
{
    (void)state;
    /* A's datagram with option 0x9e (action 10) in a destination options
     * header; B answered parameter problem code 2, pointer 42. */
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(IP(linux6_udp_unknown_option), IP_LEN(linux6_udp_unknown_option), &c), 0);
    assert_int_equal(c.destination_options, 1);
    assert_int_equal(c.unknown_option, 0x9e);
    assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
    const uint8_t *linux_error = IP(linux6_param_problem) + 40;
    assert_int_equal(linux_error[0], ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(c.problem_code, linux_error[1]);
    assert_int_equal(c.problem_pointer, wire_get32(linux_error + 4));
    assert_int_equal(c.problem_pointer, 42);
}

static void transport_checksums_over_the_ipv6_pseudo_header_verify(void **state)
{
    (void)state;
    struct udp_header u;
    const uint8_t *d = IP(linux6_udp_hello) + 40;
    size_t len = IP_LEN(linux6_udp_hello) - 40;
    assert_int_equal(udp_parse_header(d, len, &u), UDP_HEADER_LEN);
    assert_int_equal(u.dst_port, 7777);
    assert_int_equal(inet_fold(inet_sum(d, u.length, inet6_pseudo_sum(ADDR_A, ADDR_B, u.length, IP_PROTO_UDP))), 0);
    /* The same bytes sent to another address do not. */
    uint8_t other[16];
    memcpy(other, ADDR_B, 16);
    other[15] = 2;
    assert_int_not_equal(inet_fold(inet_sum(d, u.length, inet6_pseudo_sum(ADDR_A, other, u.length, IP_PROTO_UDP))), 0);

    struct tcp_header t;
    d = IP(linux6_tcp_syn) + 40;
    len = IP_LEN(linux6_tcp_syn) - 40;
    assert_int_equal(tcp_parse_header(d, len, &t), 40);
    assert_true(t.options.mss_present);
    assert_int_equal(t.options.mss, 1440);   /* 1500 - 40 - 20 */
    assert_int_equal(inet_fold(inet_sum(d, len, inet6_pseudo_sum(ADDR_A, ADDR_B, (uint32_t)len, IP_PROTO_TCP))), 0);
}

/* A packet built here: the fixed header from A to B, then the given chain
 * bytes; payload length set to match. */
static uint8_t pkt[2048];
static size_t build(uint8_t next_header, const uint8_t *chain, size_t chain_len)
{
    struct ipv6_header h = { .payload_len = (uint16_t)chain_len, .next_header = next_header, .hop_limit = 64 };
    memcpy(h.src, ADDR_A, 16);
    memcpy(h.dst, ADDR_B, 16);
    ipv6_emit(&h, pkt, sizeof pkt);
    memcpy(pkt + 40, chain, chain_len);
    return 40 + chain_len;
}

static int walk(size_t len, struct ipv6_chain *c)
{
    return ipv6_walk_chain(pkt, len, c);
}

static void fixed_header_lengths_and_version_are_checked(void **state)
{
    (void)state;
    struct ipv6_header h;
    uint8_t p[60];
    memcpy(p, IP(linux6_echo_request), sizeof p);
    for (size_t len = 0; len < 40; len++)
        assert_int_equal(ipv6_parse(p, len, &h), WIRE_TRUNCATED);
    wire_put16(p + 4, 20);
    assert_int_equal(ipv6_parse(p, 60, &h), IPV6_HEADER_LEN);
    assert_int_equal(ipv6_parse(p, 59, &h), WIRE_BAD_LENGTH); /* payload length past the bytes */
    assert_int_equal(ipv6_parse_quoted(p, 59, &h), IPV6_HEADER_LEN); /* a quote may be cut short */
    wire_put16(p + 4, 0);
    assert_int_equal(ipv6_parse(p, 60, &h), IPV6_HEADER_LEN);      /* padding after: the caller trims */
    p[0] = 0x45;
    assert_int_equal(ipv6_parse(p, 60, &h), WIRE_BAD_VERSION);
    assert_int_equal(ipv6_parse_quoted(p, 60, &h), WIRE_BAD_VERSION);
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(p, 39, &c), WIRE_TRUNCATED);
}

static void options_are_skipped_or_acted_on_by_their_high_bits(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* Pad1, PadN(1), an unknown option of action 00 (0x1e): all skipped. */
    const uint8_t skip[] = { IP_PROTO_NONE, 1, 0, 1, 1, 0, 0x1e, 3, 1, 2, 3, 1, 2, 0, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_DSTOPTS, skip, sizeof skip), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.upper_protocol, IP_PROTO_NONE);
    assert_int_equal(c.upper_offset, 56);
    assert_int_equal(c.upper_next_header_pointer, 40);
    assert_int_equal(c.unknown_option, 0);
    /* Each action, in a hop-by-hop header and in destination options. */
    static const struct { uint8_t type; bool multicast; enum ipv6_chain_verdict verdict; } cases[] = {
        { 0x5e, false, IPV6_CHAIN_DISCARD },       { 0x5e, true, IPV6_CHAIN_DISCARD },
        { 0x9e, false, IPV6_CHAIN_PARAM_PROBLEM }, { 0x9e, true, IPV6_CHAIN_PARAM_PROBLEM },
        { 0xde, false, IPV6_CHAIN_PARAM_PROBLEM }, { 0xde, true, IPV6_CHAIN_DISCARD },
        { 0xc2, false, IPV6_CHAIN_PARAM_PROBLEM }, /* jumbo payload: naru takes no jumbograms */
    };
    for (int hbh = 0; hbh < 2; hbh++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const uint8_t opts[] = { IP_PROTO_UDP, 0, 1, 0, cases[i].type, 0, 1, 0 };
            size_t len = build(hbh ? IP_PROTO_HOPOPTS : IP_PROTO_DSTOPTS, opts, sizeof opts);
            if (cases[i].multicast)
                pkt[24] = 0xff;
            assert_int_equal(walk(len, &c), 0);
            assert_int_equal(c.verdict, cases[i].verdict);
            assert_int_equal(c.unknown_option, cases[i].type);
            assert_int_equal(ipv6_option_action(cases[i].type), cases[i].type >> 6);
            if (c.verdict == IPV6_CHAIN_PARAM_PROBLEM) {
                assert_int_equal(c.problem_code, ICMPV6_UNRECOGNIZED_OPTION);
                assert_int_equal(c.problem_pointer, 44);
            }
        }
    }
    /* A router alert is known in hop-by-hop options only; elsewhere its type (00) says skip. */
    const uint8_t ra[] = { IP_PROTO_UDP, 0, IPV6_OPT_ROUTER_ALERT, 2, 0, 1, 1, 0 };
    assert_int_equal(walk(build(IP_PROTO_HOPOPTS, ra, sizeof ra), &c), 0);
    assert_true(c.router_alert);
    assert_int_equal(c.router_alert_value, 1);
    assert_int_equal(walk(build(IP_PROTO_DSTOPTS, ra, sizeof ra), &c), 0);
    assert_false(c.router_alert);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
}

static void option_lengths_past_their_header_are_malformed(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* PadN of 5 data bytes at offset 4 of an 8-byte header: 4 + 2 + 5 > 8. */
    const uint8_t padn[] = { IP_PROTO_UDP, 0, 1, 0, 1, 5, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_DSTOPTS, padn, sizeof padn), &c), WIRE_BAD_OPTION);
    /* An option type in the last byte, its length byte missing. */
    const uint8_t half[] = { IP_PROTO_UDP, 0, 1, 3, 0, 0, 0, 0x1e };
    assert_int_equal(walk(build(IP_PROTO_HOPOPTS, half, sizeof half), &c), WIRE_BAD_OPTION);
    /* A router alert must hold 2 bytes. */
    const uint8_t ra3[] = { IP_PROTO_UDP, 0, IPV6_OPT_ROUTER_ALERT, 3, 0, 0, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_HOPOPTS, ra3, sizeof ra3), &c), WIRE_BAD_OPTION);
    /* Exactly filling the header is fine. */
    const uint8_t full[] = { IP_PROTO_UDP, 0, 1, 4, 0, 0, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_HOPOPTS, full, sizeof full), &c), 0);
}

static void headers_running_past_the_packet_are_truncated(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* Destination options claiming 16 bytes in 8. */
    const uint8_t dst[] = { IP_PROTO_UDP, 1, 1, 4, 0, 0, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_DSTOPTS, dst, sizeof dst), &c), WIRE_TRUNCATED);
    /* Every cut of a three-header chain. */
    const uint8_t chain[] = { IP_PROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0,            /* hop-by-hop */
                              IP_PROTO_DSTOPTS, 0, 0, 0, 0, 0, 0, 0,            /* routing, none left */
                              IP_PROTO_NONE, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    for (size_t cut = 0; cut < sizeof chain; cut++)
        assert_int_equal(walk(build(IP_PROTO_HOPOPTS, chain, cut), &c), WIRE_TRUNCATED);
    assert_int_equal(walk(build(IP_PROTO_HOPOPTS, chain, sizeof chain), &c), 0);
    assert_int_equal(c.headers, 3);
    assert_true(c.routing);
    assert_int_equal(c.routing_pointer, 48);
    assert_int_equal(c.upper_protocol, IP_PROTO_NONE);
    assert_int_equal(c.upper_offset, 72);
    /* An authentication header counts its length in 4-byte units, less 2. */
    const uint8_t ah[] = { IP_PROTO_UDP, 4, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
    assert_int_equal(walk(build(IP_PROTO_AH, ah, sizeof ah), &c), 0);
    assert_int_equal(c.upper_protocol, IP_PROTO_UDP);
    assert_int_equal(c.upper_offset, 64);
    assert_int_equal(walk(build(IP_PROTO_AH, ah, sizeof ah - 1), &c), WIRE_TRUNCATED);
    /* ESP hides the rest: it is where the walk ends. */
    assert_int_equal(walk(build(IP_PROTO_ESP, ah, sizeof ah), &c), 0);
    assert_int_equal(c.upper_protocol, IP_PROTO_ESP);
}

static void hop_by_hop_anywhere_but_first_is_an_unrecognized_next_header(void **state)
{
    (void)state;
    struct ipv6_chain c;
    const uint8_t chain[] = { IP_PROTO_HOPOPTS, 0, 1, 4, 0, 0, 0, 0, IP_PROTO_UDP, 0, 1, 4, 0, 0, 0, 0 };
    assert_int_equal(walk(build(IP_PROTO_DSTOPTS, chain, sizeof chain), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
    assert_int_equal(c.problem_code, ICMPV6_UNRECOGNIZED_NEXT_HEADER);
    assert_int_equal(c.problem_pointer, 40); /* the destination options' Next Header field */
    assert_false(c.hop_by_hop);
}

static void routing_header_with_segments_left_is_an_error_and_without_ignored(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* Type 0 (RFC 5095), one segment left. */
    uint8_t rh[] = { IP_PROTO_UDP, 2, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
    assert_int_equal(walk(build(IP_PROTO_ROUTING, rh, sizeof rh), &c), 0);
    assert_true(c.routing);
    assert_int_equal(c.routing_type, 0);
    assert_int_equal(c.segments_left, 1);
    assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
    assert_int_equal(c.problem_code, ICMPV6_ERRONEOUS_HEADER_FIELD);
    assert_int_equal(c.problem_pointer, 42);
    rh[3] = 0;
    rh[2] = 4; /* segment routing, none left: go on */
    assert_int_equal(walk(build(IP_PROTO_ROUTING, rh, sizeof rh), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.routing_type, 4);
    assert_int_equal(c.upper_protocol, IP_PROTO_UDP);
    assert_int_equal(c.upper_offset, 64);
}

static void fragment_lengths_and_offsets_are_checked(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* M set, 13 bytes of data: not a multiple of 8 -> pointer at the payload length. */
    uint8_t f[8 + 13] = { IP_PROTO_ICMPV6, 0, 0, 8 | 1, 0, 0, 0, 7 };
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, f, sizeof f), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
    assert_int_equal(c.problem_code, ICMPV6_ERRONEOUS_HEADER_FIELD);
    assert_int_equal(c.problem_pointer, 4);
    /* The last fragment may be any length. */
    f[3] = 8;
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, f, sizeof f), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.frag.offset, 8);
    assert_false(c.frag.more);
    assert_int_equal(c.frag.identification, 7);
    assert_int_equal(c.upper_offset, 48);
    /* Offset 65528 with 16 bytes: past 65535 -> pointer at the offset field. */
    uint8_t far[8 + 16] = { IP_PROTO_ICMPV6, 0, 0xff, 0xf8, 0, 0, 0, 1 };
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, far, sizeof far), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
    assert_int_equal(c.problem_pointer, 42);
    /* Exactly reaching 65535 is fine: offset 65528, 7 bytes. */
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, far, 8 + 7), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    /* A fragment header cut short. */
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, far, 7), &c), WIRE_TRUNCATED);
}

static void first_fragment_without_the_whole_chain_is_incomplete(void **state)
{
    (void)state;
    struct ipv6_chain c;
    /* Fragment (offset 0, M), then destination options of 16 bytes, then TCP. */
    uint8_t chain[8 + 16 + 24] = { IP_PROTO_DSTOPTS, 0, 0, 1, 0, 0, 0, 9, IP_PROTO_TCP, 1, 1, 12 };
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, chain, sizeof chain), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.upper_protocol, IP_PROTO_TCP);
    assert_int_equal(c.upper_offset, 64);
    /* RFC 7112: cut inside the options, or inside the TCP header's 20 bytes. */
    for (size_t cut = 8; cut < 8 + 16 + 20; cut += 8) {
        assert_int_equal(walk(build(IP_PROTO_FRAGMENT, chain, cut), &c), 0);
        assert_true(c.incomplete_first_fragment);
        assert_int_equal(c.verdict, IPV6_CHAIN_PARAM_PROBLEM);
        assert_int_equal(c.problem_code, ICMPV6_INCOMPLETE_HEADER_CHAIN);
        assert_int_equal(c.problem_pointer, 0);
    }
    /* An atomic fragment (offset 0, no M) is a whole packet: cut short, truncated. */
    chain[3] = 0;
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, chain, 16), &c), WIRE_TRUNCATED);
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, chain, sizeof chain), &c), 0);
    assert_true(c.fragment);
    assert_false(c.frag.more);
    assert_int_equal(c.frag.offset, 0);
    /* A later fragment's data is not walked, whatever it holds. */
    uint8_t later[8 + 8] = { IP_PROTO_HOPOPTS, 0, 0, 8, 0, 0, 0, 9, 0xff, 0xff };
    assert_int_equal(walk(build(IP_PROTO_FRAGMENT, later, sizeof later), &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.upper_protocol, IP_PROTO_HOPOPTS);
    assert_int_equal(c.upper_offset, 48);
}

/* Destination options of len bytes (a multiple of 8) at p, padded with PadN. */
static void padded_options(uint8_t *p, uint8_t next_header, size_t len)
{
    p[0] = next_header;
    p[1] = (uint8_t)(len / 8 - 1);
    for (size_t at = 2; at < len;) {
        size_t n = len - at - 2 > 255 ? 255 : len - at - 2;
        if (len - at - 2 - n == 1) /* leave no single byte: a PadN needs two */
            n--;
        p[at] = IPV6_OPT_PADN;
        p[at + 1] = (uint8_t)n;
        memset(p + at + 2, 0, n);
        at += 2 + n;
    }
}

static void chain_reaching_past_65535_keeps_its_offsets(void **state)
{
    (void)state;
    /* 31 headers of 2048 bytes and one of 2040, then 7 bytes: 65535 in all. */
    static uint8_t big[40 + 65535];
    struct ipv6_header h = { .payload_len = 65535, .next_header = IP_PROTO_DSTOPTS, .hop_limit = 64 };
    ipv6_emit(&h, big, sizeof big);
    size_t at = 40;
    for (int i = 0; i < 32; i++) {
        size_t len = i < 31 ? 2048 : 2040;
        padded_options(big + at, i < 31 ? IP_PROTO_DSTOPTS : IP_PROTO_NONE, len);
        at += len;
    }
    struct ipv6_chain c;
    assert_int_equal(ipv6_walk_chain(big, sizeof big, &c), 0);
    assert_int_equal(c.verdict, IPV6_CHAIN_ACCEPT);
    assert_int_equal(c.destination_options, 32);
    assert_int_equal(c.upper_protocol, IP_PROTO_NONE);
    assert_int_equal(c.upper_offset, 40 + 65528);
    assert_int_equal(c.upper_next_header_pointer, 40 + 31 * 2048);
}

static void random_headers_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x6e6172752d763668ull;
    for (int round = 0; round < 10000; round++) {
        uint8_t p[40];
        for (size_t i = 0; i < sizeof p; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            p[i] = (uint8_t)x;
        }
        p[0] = (uint8_t)(0x60 | (p[0] & 0x0f));
        wire_put16(p + 4, 0);
        struct ipv6_header h;
        assert_int_equal(ipv6_parse(p, sizeof p, &h), IPV6_HEADER_LEN);
        uint8_t out[40];
        ipv6_emit(&h, out, sizeof out);
        assert_memory_equal(out, p, sizeof p);
    }
}

/* The address tests read 64-bit words; each must agree with the bytes
 * read one by one, at any alignment, for every single bit set in ::,
 * in ::1, and between two equal addresses. */
static bool bytes_all_zero(const uint8_t *a, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i])
            return false;
    return true;
}

static void address_tests_on_words_agree_with_the_bytes_at_any_alignment(void **state)
{
    (void)state;
    static const uint8_t loopback[16] = { [15] = 1 };
    static const uint8_t global[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
    for (unsigned at = 0; at < 8; at++) {
        uint8_t a[24], b[24];
        for (int bit = -1; bit < 128; bit++) {
            const uint8_t *bases[] = { loopback, global };
            for (int k = 0; k < 3; k++) {
                memset(a, 0xaa, sizeof a);
                if (k < 2)
                    memcpy(a + at, bases[k], 16);
                else
                    memset(a + at, 0, 16);
                if (bit >= 0)
                    a[at + bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
                const uint8_t *x = a + at;
                assert_int_equal(ipv6_addr_is_unspecified(x), bytes_all_zero(x, 16));
                assert_int_equal(ipv6_addr_is_loopback(x), bytes_all_zero(x, 15) && x[15] == 1);
                memcpy(b + (7 - at), x, 16);
                assert_true(ipv6_addr_equal(x, b + (7 - at)));
                b[(7 - at) + (bit < 0 ? 0 : bit / 8)] ^= 0x01;
                assert_false(ipv6_addr_equal(x, b + (7 - at)));
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_echo_request_header_parses_and_round_trips),
        cmocka_unit_test(every_captured_header_round_trips),
        cmocka_unit_test(linux_fragments_walk_to_their_data_and_reassemble),
        cmocka_unit_test(linux_mld_report_carries_the_router_alert_ipv6_router_alert_emit_writes),
        cmocka_unit_test(unknown_option_gets_the_parameter_problem_linux_sent),
        cmocka_unit_test(transport_checksums_over_the_ipv6_pseudo_header_verify),
        cmocka_unit_test(fixed_header_lengths_and_version_are_checked),
        cmocka_unit_test(options_are_skipped_or_acted_on_by_their_high_bits),
        cmocka_unit_test(option_lengths_past_their_header_are_malformed),
        cmocka_unit_test(headers_running_past_the_packet_are_truncated),
        cmocka_unit_test(hop_by_hop_anywhere_but_first_is_an_unrecognized_next_header),
        cmocka_unit_test(routing_header_with_segments_left_is_an_error_and_without_ignored),
        cmocka_unit_test(fragment_lengths_and_offsets_are_checked),
        cmocka_unit_test(first_fragment_without_the_whole_chain_is_incomplete),
        cmocka_unit_test(chain_reaching_past_65535_keeps_its_offsets),
        cmocka_unit_test(random_headers_round_trip),
        cmocka_unit_test(address_tests_on_words_agree_with_the_bytes_at_any_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
