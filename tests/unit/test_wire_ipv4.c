/* IPv4 headers (RFC 791): version, header length, total length, flags,
 * fragment offset, options and the header checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u /* 198.18.0.2 */
#define IP_C 0xc6120102u /* 198.18.1.2 */

struct expect {
    uint8_t header_len;
    uint16_t total_len;
    uint16_t id;
    bool df, mf;
    uint16_t fragment_offset;
    uint8_t ttl;
    uint8_t protocol;
    uint16_t checksum;
    uint32_t src, dst;
};

/* Parse the IP packet inside an Ethernet frame, compare every field with
 * what tshark said of it, then emit the header again from the parsed
 * fields and compare byte for byte. */
static void check_linux(const uint8_t *frame, size_t frame_len, const struct expect *e)
{
    const uint8_t *ip = frame + 14;
    size_t len = frame_len - 14;
    struct ipv4_header h;
    assert_int_equal(ipv4_parse(ip, len, &h), e->header_len);
    assert_int_equal(h.header_len, e->header_len);
    assert_int_equal(h.tos, 0);
    assert_int_equal(h.total_len, e->total_len);
    assert_int_equal(h.total_len, len);
    assert_int_equal(h.id, e->id);
    assert_int_equal(h.dont_fragment, e->df);
    assert_int_equal(h.more_fragments, e->mf);
    assert_int_equal(h.fragment_offset, e->fragment_offset);
    assert_int_equal(ipv4_is_fragment(&h), e->mf || e->fragment_offset);
    assert_int_equal(h.ttl, e->ttl);
    assert_int_equal(h.protocol, e->protocol);
    assert_int_equal(h.checksum, e->checksum);
    assert_int_equal(h.src, e->src);
    assert_int_equal(h.dst, e->dst);
    assert_int_equal(h.options_len, e->header_len - 20);
    assert_ptr_equal(h.options, ip + 20);
    assert_int_equal(ipv4_header_len_for(h.options_len), e->header_len);

    uint8_t out[IPV4_MAX_HEADER_LEN];
    memset(out, 0xee, sizeof out);
    assert_int_equal(ipv4_emit(&h, out, sizeof out), e->header_len);
    assert_memory_equal(out, ip, e->header_len);
}

static void linux_echo_request_header_round_trips(void **state)
{
    (void)state;
    const struct expect e = { 20, 84, 0xc0e0, true, false, 0, 64, IP_PROTO_ICMP, 0xeda0, IP_A, IP_B };
    check_linux(linux_echo_request, sizeof linux_echo_request, &e);
}

static void linux_ttl1_header_round_trips(void **state)
{
    (void)state;
    const struct expect e = { 20, 84, 0x5b0e, true, false, 0, 1, IP_PROTO_ICMP, 0x9173, IP_A, IP_C };
    check_linux(linux_ttl1_echo_request, sizeof linux_ttl1_echo_request, &e);
}

static void linux_fragments_give_offsets_in_bytes_and_more_fragments(void **state)
{
    (void)state;
    /* ping -s 4000: 4008 bytes of ICMP in 1480 + 1480 + 1048. */
    const struct expect f0 = { 20, 1500, 0xc0e1, false, true, 0, 64, IP_PROTO_ICMP, 0x0818, IP_A, IP_B };
    const struct expect f1 = { 20, 1500, 0xc0e1, false, true, 1480, 64, IP_PROTO_ICMP, 0x075f, IP_A, IP_B };
    const struct expect f2 = { 20, 1068, 0xc0e1, false, false, 2960, 64, IP_PROTO_ICMP, 0x2856, IP_A, IP_B };
    check_linux(linux_big_echo_frag0, sizeof linux_big_echo_frag0, &f0);
    check_linux(linux_big_echo_frag1, sizeof linux_big_echo_frag1, &f1);
    check_linux(linux_big_echo_frag2, sizeof linux_big_echo_frag2, &f2);
}

static void linux_record_route_options_parse_and_round_trip(void **state)
{
    (void)state;
    /* ping -R: NOP, then record route (type 7, length 39, pointer 8: the
     * sender already recorded itself), header length 60. */
    const struct expect rq = { 60, 124, 0xc0e2, true, false, 0, 64, IP_PROTO_ICMP, 0xf553, IP_A, IP_B };
    check_linux(linux_rr_echo_request, sizeof linux_rr_echo_request, &rq);
    struct ipv4_header h;
    ipv4_parse(linux_rr_echo_request + 14, sizeof linux_rr_echo_request - 14, &h);
    static const uint8_t rr_start[] = { 1, 7, 39, 8, 198, 18, 0, 1, 0, 0, 0, 0 };
    assert_memory_equal(h.options, rr_start, sizeof rr_start);

    /* The reply: route A, B, B recorded (pointer 16), EOL in the last byte. */
    const struct expect rp = { 60, 124, 0x0ca1, false, false, 0, 64, IP_PROTO_ICMP, 0x833f, IP_B, IP_A };
    check_linux(linux_rr_echo_reply, sizeof linux_rr_echo_reply, &rp);
    ipv4_parse(linux_rr_echo_reply + 14, sizeof linux_rr_echo_reply - 14, &h);
    static const uint8_t rr_reply[] = { 7, 39, 16, 198, 18, 0, 1, 198, 18, 0, 2, 198, 18, 0, 2, 0 };
    assert_memory_equal(h.options, rr_reply, sizeof rr_reply);
    assert_int_equal(h.options[39], 0);
}

static void linux_fragments_with_options_round_trip(void **state)
{
    (void)state;
    /* A 3000-byte UDP datagram sent with record route and router alert:
     * the first fragment carries both, later ones NOP out record route. */
    const struct expect f0 = { 36, 1500, 0x4830, false, true, 0, 64, IP_PROTO_UDP, 0x5554, IP_A, IP_B };
    const struct expect f1 = { 36, 1500, 0x4830, false, true, 1464, 64, IP_PROTO_UDP, 0x7169, IP_A, IP_B };
    const struct expect f2 = { 36, 116, 0x4830, false, false, 2928, 64, IP_PROTO_UDP, 0x961a, IP_A, IP_B };
    check_linux(linux_udp_opts_frag0, sizeof linux_udp_opts_frag0, &f0);
    check_linux(linux_udp_opts_frag1, sizeof linux_udp_opts_frag1, &f1);
    check_linux(linux_udp_opts_frag2, sizeof linux_udp_opts_frag2, &f2);
}

/* ---- ipv4_options_for_fragment (RFC 791 3.1 "copied flag") ---- */

static void only_copied_options_go_into_later_fragments(void **state)
{
    (void)state;
    /* Linux's first fragment: record route (0x07, not copied), router alert
     * (0x94, copied), EOL. naru drops what Linux NOPs out. */
    static const uint8_t router_alert[] = { 0x94, 4, 0, 0 };
    struct ipv4_header h;
    ipv4_parse(linux_udp_opts_frag0 + 14, sizeof linux_udp_opts_frag0 - 14, &h);
    uint8_t out[IPV4_MAX_HEADER_LEN - IPV4_MIN_HEADER_LEN];
    assert_int_equal(ipv4_options_for_fragment(h.options, h.options_len, out), 4);
    assert_memory_equal(out, router_alert, 4);
    /* Linux's later fragment gives the same list. */
    ipv4_parse(linux_udp_opts_frag1 + 14, sizeof linux_udp_opts_frag1 - 14, &h);
    assert_int_equal(ipv4_options_for_fragment(h.options, h.options_len, out), 4);
    assert_memory_equal(out, router_alert, 4);
    /* Record route alone copies nothing. */
    ipv4_parse(linux_rr_echo_request + 14, sizeof linux_rr_echo_request - 14, &h);
    assert_int_equal(ipv4_options_for_fragment(h.options, h.options_len, out), 0);
}

static void copied_options_keep_their_order_and_bytes(void **state)
{
    (void)state;
    static const uint8_t opts[] = {
        0x01,                                   /* NOP: dropped */
        0x83, 7, 4, 198, 18, 1, 2,              /* loose source route: copied */
        0x44, 8, 5, 0x01, 0, 0, 0, 0,           /* timestamp: not copied */
        0x82, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* security (RFC 1108): copied */
        0x00,                                   /* EOL: the rest is padding */
        0x83, 3, 4,
    };
    static const uint8_t want[] = {
        0x83, 7, 4, 198, 18, 1, 2,
        0x82, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    uint8_t out[IPV4_MAX_HEADER_LEN];
    assert_int_equal(ipv4_options_for_fragment(opts, sizeof opts, out), sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

static void fragment_options_stop_at_a_malformed_option(void **state)
{
    (void)state;
    /* The parser rejects these; if called anyway it must not read past. */
    static const uint8_t runs_past[] = { 0x83, 9, 4, 198, 18, 0, 1 };
    static const uint8_t zero_len[] = { 0x94, 4, 0, 0, 0x83, 0 };
    uint8_t out[IPV4_MAX_HEADER_LEN];
    assert_int_equal(ipv4_options_for_fragment(runs_past, sizeof runs_past, out), 0);
    assert_int_equal(ipv4_options_for_fragment(zero_len, sizeof zero_len, out), 4);
}

/* ---- emitting ---- */

static void df_mf_and_offset_are_emitted_in_their_bits(void **state)
{
    (void)state;
    struct ipv4_header h = {
        .total_len = 20 + 8, .id = 0x1234, .dont_fragment = true, .more_fragments = true,
        .fragment_offset = 1480, .ttl = 9, .protocol = IP_PROTO_UDP, .src = IP_A, .dst = IP_B,
    };
    uint8_t out[28] = { 0 };
    assert_int_equal(ipv4_emit(&h, out, sizeof out), 20);
    assert_int_equal(wire_get16(out + 6), 0x4000 | 0x2000 | 1480 / 8);
    assert_int_equal(inet_checksum(out, 20), 0);
    h.dont_fragment = false;
    h.more_fragments = false;
    h.fragment_offset = 65528; /* the largest: 8191 units */
    ipv4_emit(&h, out, sizeof out);
    assert_int_equal(wire_get16(out + 6), 0x1fff);
    struct ipv4_header back;
    out[3] = 20; /* total 20: no payload, so the datagram ends at 65528 */
    wire_put16(out + 10, 0);
    wire_put16(out + 10, inet_checksum(out, 20));
    assert_int_equal(ipv4_parse(out, 20, &back), 20);
    assert_int_equal(back.fragment_offset, 65528);
    assert_false(back.more_fragments);
    assert_false(back.dont_fragment);
}

static void options_are_padded_with_eol_to_a_multiple_of_four(void **state)
{
    (void)state;
    static const uint8_t ra[] = { 0x94, 4, 0, 0 };
    static const uint8_t three[] = { 0x01, 0x01, 0x01 };
    struct ipv4_header h = { .total_len = 24, .ttl = 1, .protocol = 2, .src = IP_A, .dst = IP_B,
                             .options = three, .options_len = 3 };
    uint8_t out[IPV4_MAX_HEADER_LEN];
    memset(out, 0xee, sizeof out);
    assert_int_equal(ipv4_emit(&h, out, sizeof out), 24);
    assert_int_equal(out[0], 0x46);
    assert_memory_equal(out + 20, three, 3);
    assert_int_equal(out[23], 0);
    struct ipv4_header back;
    assert_int_equal(ipv4_parse(out, 24, &back), 24);
    h.options = ra;
    h.options_len = 4;
    assert_int_equal(ipv4_emit(&h, out, sizeof out), 24);
    assert_memory_equal(out + 20, ra, 4);
}

static void emit_refuses_short_buffers_and_long_options(void **state)
{
    (void)state;
    uint8_t opts[44] = { 0 };
    struct ipv4_header h = { .total_len = 60, .ttl = 1, .options = opts, .options_len = 40 };
    uint8_t out[64];
    assert_int_equal(ipv4_emit(&h, out, 59), 0);
    assert_int_equal(ipv4_emit(&h, out, 60), 60);
    h.options_len = 41;
    assert_int_equal(ipv4_emit(&h, out, sizeof out), 0);
    h.options_len = 0;
    assert_int_equal(ipv4_emit(&h, out, 19), 0);
}

/* ---- rejecting ---- */

/* Frame 3's IP packet, changed by `edit`, with the checksum made right
 * again, so only the edited field can be at fault. */
static uint8_t edited[IPV4_MAX_DATAGRAM];
static size_t edit_echo_request(void (*edit)(uint8_t *ip))
{
    size_t len = sizeof linux_echo_request - 14;
    memcpy(edited, linux_echo_request + 14, len);
    edit(edited);
    size_t hl = (size_t)(edited[0] & 15) * 4;
    if (hl >= 20 && hl <= len) {
        wire_put16(edited + 10, 0);
        wire_put16(edited + 10, inet_checksum(edited, hl));
    }
    return len;
}

static void version_6(uint8_t *ip) { ip[0] = 0x65; }
static void version_0(uint8_t *ip) { ip[0] = 0x05; }
static void ihl_4(uint8_t *ip) { ip[0] = 0x44; }
static void ihl_0(uint8_t *ip) { ip[0] = 0x40; }
static void total_19(uint8_t *ip) { wire_put16(ip + 2, 19); }
static void total_85(uint8_t *ip) { wire_put16(ip + 2, 85); }
static void total_65535(uint8_t *ip) { wire_put16(ip + 2, 65535); }

static void bad_version_is_rejected(void **state)
{
    (void)state;
    struct ipv4_header h;
    size_t len = edit_echo_request(version_6);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_VERSION);
    len = edit_echo_request(version_0);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_VERSION);
}

static void header_length_below_five_words_is_rejected(void **state)
{
    (void)state;
    struct ipv4_header h;
    size_t len = edit_echo_request(ihl_4);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_HEADER_LEN);
    len = edit_echo_request(ihl_0);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_HEADER_LEN);
    assert_int_equal(ipv4_parse_quoted(edited, len, &h), WIRE_BAD_HEADER_LEN);
}

static void header_longer_than_the_bytes_is_truncated(void **state)
{
    (void)state;
    struct ipv4_header h;
    const uint8_t *ip = linux_rr_echo_request + 14; /* IHL 15 */
    for (size_t len = 20; len < 60; len++)
        assert_int_equal(ipv4_parse(ip, len, &h), WIRE_TRUNCATED);
    for (size_t len = 0; len < 20; len++)
        assert_int_equal(ipv4_parse(linux_echo_request + 14, len, &h), WIRE_TRUNCATED);
}

static void total_length_shorter_than_header_is_rejected(void **state)
{
    (void)state;
    struct ipv4_header h;
    size_t len = edit_echo_request(total_19);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_LENGTH);
    assert_int_equal(ipv4_parse_quoted(edited, len, &h), WIRE_BAD_LENGTH);
    /* 60-byte header, total length 56. */
    uint8_t rr[124];
    memcpy(rr, linux_rr_echo_request + 14, sizeof rr);
    wire_put16(rr + 2, 56);
    wire_put16(rr + 10, 0);
    wire_put16(rr + 10, inet_checksum(rr, 60));
    assert_int_equal(ipv4_parse(rr, sizeof rr, &h), WIRE_BAD_LENGTH);
}

static void total_length_past_the_bytes_is_rejected(void **state)
{
    (void)state;
    struct ipv4_header h;
    size_t len = edit_echo_request(total_85);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_LENGTH);
    len = edit_echo_request(total_65535);
    assert_int_equal(ipv4_parse(edited, len, &h), WIRE_BAD_LENGTH);
    /* The unedited packet cut by one byte. */
    assert_int_equal(ipv4_parse(linux_echo_request + 14, sizeof linux_echo_request - 15, &h), WIRE_BAD_LENGTH);
}

static void bytes_past_total_length_are_left_to_the_caller(void **state)
{
    (void)state;
    /* Ethernet pads short frames: frame 17's 29-byte datagram arrives in
     * a 60-byte frame from a real NIC. */
    uint8_t padded[46] = { 0 };
    memcpy(padded, linux_udp_to_closed_port + 14, 29);
    struct ipv4_header h;
    assert_int_equal(ipv4_parse(padded, sizeof padded, &h), 20);
    assert_int_equal(h.total_len, 29);
}

static void quoted_header_may_be_longer_than_the_quote(void **state)
{
    (void)state;
    /* Inside an ICMP error only the start of the datagram comes back. */
    struct ipv4_header h;
    assert_int_equal(ipv4_parse_quoted(linux_big_echo_frag0 + 14, 28, &h), 20);
    assert_int_equal(h.total_len, 1500);
    assert_int_equal(ipv4_parse(linux_big_echo_frag0 + 14, 28, &h), WIRE_BAD_LENGTH);
}

static void bad_checksum_is_rejected(void **state)
{
    (void)state;
    uint8_t ip[84];
    memcpy(ip, linux_echo_request + 14, sizeof ip);
    struct ipv4_header h;
    for (size_t byte = 0; byte < 20; byte++) {
        if (byte == 0 || byte == 2 || byte == 3)
            continue; /* these fail their own checks first */
        for (int bit = 0; bit < 8; bit++) {
            ip[byte] ^= (uint8_t)(1u << bit);
            int r = ipv4_parse(ip, sizeof ip, &h);
            /* A flipped offset bit can also push the fragment past 65535. */
            if (byte == 6 || byte == 7)
                assert_true(r == WIRE_BAD_CHECKSUM || r == WIRE_BAD_LENGTH);
            else
                assert_int_equal(r, WIRE_BAD_CHECKSUM);
            ip[byte] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(ipv4_parse(ip, sizeof ip, &h), 20);
    /* The quoted header of an ICMP error is not checked: routers quote the
     * header after decrementing TTL without always fixing the checksum. */
    ip[10] ^= 0xff;
    assert_int_equal(ipv4_parse_quoted(ip, sizeof ip, &h), 20);
}

/* A header with the given fragment offset and payload length, checksummed. */
static int parse_fragment(uint16_t offset, uint16_t payload, bool mf)
{
    static uint8_t buf[20 + 64];
    struct ipv4_header h = { .total_len = (uint16_t)(20 + payload), .id = 7, .more_fragments = mf,
                             .fragment_offset = offset, .ttl = 64, .protocol = IP_PROTO_UDP,
                             .src = IP_A, .dst = IP_B };
    assert_true(payload <= 64);
    ipv4_emit(&h, buf, sizeof buf);
    struct ipv4_header back;
    return ipv4_parse(buf, 20u + payload, &back);
}

static void fragment_reaching_past_65535_is_rejected(void **state)
{
    (void)state;
    /* The "ping of death": offset 65528 plus 8 bytes ends at 65536. */
    assert_int_equal(parse_fragment(65528, 7, false), 20);
    assert_int_equal(parse_fragment(65528, 8, false), WIRE_BAD_LENGTH);
    assert_int_equal(parse_fragment(65528, 64, false), WIRE_BAD_LENGTH);
    assert_int_equal(parse_fragment(65480, 55, true), 20);
    assert_int_equal(parse_fragment(65480, 56, true), WIRE_BAD_LENGTH);
}

/* Frame 3's header with the given options (IHL set to fit), checksummed. */
static int parse_with_options(const uint8_t *opts, size_t n)
{
    static uint8_t buf[IPV4_MAX_HEADER_LEN];
    struct ipv4_header h;
    ipv4_parse(linux_echo_request + 14, sizeof linux_echo_request - 14, &h);
    h.options = opts;
    h.options_len = (uint8_t)n;
    h.total_len = (uint16_t)ipv4_header_len_for(n);
    size_t hl = ipv4_emit(&h, buf, sizeof buf);
    assert_int_equal(hl, ipv4_header_len_for(n));
    struct ipv4_header back;
    int r = ipv4_parse(buf, hl, &back);
    if (r > 0) {
        assert_int_equal(back.options_len, hl - 20);
        assert_memory_equal(back.options, opts, n);
    }
    return r;
}

static void well_formed_options_are_accepted(void **state)
{
    (void)state;
    static const uint8_t nops[] = { 1, 1, 1, 1 };
    static const uint8_t ra_exact[] = { 0x94, 4, 0, 0 };
    static const uint8_t two_bytes[] = { 0x88, 2, 1, 0 };      /* a length-2 option, then NOP, EOL */
    static const uint8_t garbage_after_eol[] = { 0, 0xff, 0xff, 0 };
    static const uint8_t unknown_kind[] = { 0x9e, 6, 1, 2, 3, 4, 1, 1 };
    static const uint8_t full[40] = { 0x44, 40, 5, 0 };        /* a 40-byte timestamp option */
    assert_int_equal(parse_with_options(nops, sizeof nops), 24);
    assert_int_equal(parse_with_options(ra_exact, sizeof ra_exact), 24);
    assert_int_equal(parse_with_options(two_bytes, sizeof two_bytes), 24);
    assert_int_equal(parse_with_options(garbage_after_eol, sizeof garbage_after_eol), 24);
    assert_int_equal(parse_with_options(unknown_kind, sizeof unknown_kind), 28);
    assert_int_equal(parse_with_options(full, sizeof full), 60);
}

static void malformed_options_are_rejected(void **state)
{
    (void)state;
    static const uint8_t len_0[] = { 0x94, 0, 0, 0 };
    static const uint8_t len_1[] = { 0x94, 1, 0, 0 };
    static const uint8_t past_end[] = { 0x94, 5, 0, 0 };
    static const uint8_t kind_last[] = { 1, 1, 1, 0x94 };      /* no room for its length */
    static const uint8_t second_past_end[] = { 0x94, 4, 0, 0, 0x07, 7, 4, 0 };
    static const uint8_t full_past_end[40] = { 0x44, 41, 5, 0 };
    assert_int_equal(parse_with_options(len_0, sizeof len_0), WIRE_BAD_OPTION);
    assert_int_equal(parse_with_options(len_1, sizeof len_1), WIRE_BAD_OPTION);
    assert_int_equal(parse_with_options(past_end, sizeof past_end), WIRE_BAD_OPTION);
    assert_int_equal(parse_with_options(kind_last, sizeof kind_last), WIRE_BAD_OPTION);
    assert_int_equal(parse_with_options(second_past_end, sizeof second_past_end), WIRE_BAD_OPTION);
    assert_int_equal(parse_with_options(full_past_end, sizeof full_past_end), WIRE_BAD_OPTION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_echo_request_header_round_trips),
        cmocka_unit_test(linux_ttl1_header_round_trips),
        cmocka_unit_test(linux_fragments_give_offsets_in_bytes_and_more_fragments),
        cmocka_unit_test(linux_record_route_options_parse_and_round_trip),
        cmocka_unit_test(linux_fragments_with_options_round_trip),
        cmocka_unit_test(only_copied_options_go_into_later_fragments),
        cmocka_unit_test(copied_options_keep_their_order_and_bytes),
        cmocka_unit_test(fragment_options_stop_at_a_malformed_option),
        cmocka_unit_test(df_mf_and_offset_are_emitted_in_their_bits),
        cmocka_unit_test(options_are_padded_with_eol_to_a_multiple_of_four),
        cmocka_unit_test(emit_refuses_short_buffers_and_long_options),
        cmocka_unit_test(bad_version_is_rejected),
        cmocka_unit_test(header_length_below_five_words_is_rejected),
        cmocka_unit_test(header_longer_than_the_bytes_is_truncated),
        cmocka_unit_test(total_length_shorter_than_header_is_rejected),
        cmocka_unit_test(total_length_past_the_bytes_is_rejected),
        cmocka_unit_test(bytes_past_total_length_are_left_to_the_caller),
        cmocka_unit_test(quoted_header_may_be_longer_than_the_quote),
        cmocka_unit_test(bad_checksum_is_rejected),
        cmocka_unit_test(fragment_reaching_past_65535_is_rejected),
        cmocka_unit_test(well_formed_options_are_accepted),
        cmocka_unit_test(malformed_options_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
