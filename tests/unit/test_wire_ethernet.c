/* Ethernet II framing (IEEE 802.3 clause 3, RFC 894) with 802.1Q and
 * 802.1ad tags recognised, never read as a payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/ethernet.h"

static const uint8_t mac_a[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0b };
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Parse, check the fields, emit again and compare the 14 header bytes. */
static void check_untagged(const uint8_t *frame, size_t len, const uint8_t *dst, const uint8_t *src,
                           uint16_t ethertype)
{
    struct eth_header h;
    assert_int_equal(eth_parse(frame, len, &h), ETH_HEADER_LEN);
    assert_memory_equal(h.dst, dst, 6);
    assert_memory_equal(h.src, src, 6);
    assert_int_equal(h.ethertype, ethertype);
    assert_false(h.vlan_tagged);
    assert_int_equal(h.vlan_tci, 0);
    assert_int_equal(h.header_len, ETH_HEADER_LEN);
    uint8_t out[ETH_HEADER_LEN];
    assert_int_equal(eth_emit(&h, out, sizeof out), ETH_HEADER_LEN);
    assert_memory_equal(out, frame, ETH_HEADER_LEN);
}

static void linux_arp_frames_parse_and_round_trip(void **state)
{
    (void)state;
    check_untagged(linux_arp_request, sizeof linux_arp_request, broadcast, mac_a, ETHERTYPE_ARP);
    check_untagged(linux_arp_reply, sizeof linux_arp_reply, mac_a, mac_b, ETHERTYPE_ARP);
    assert_true(eth_is_broadcast(linux_arp_request));
    assert_true(eth_is_multicast(linux_arp_request));
    assert_false(eth_is_broadcast(linux_arp_reply));
    assert_false(eth_is_multicast(linux_arp_reply));
}

static void linux_ipv4_frames_parse_and_round_trip(void **state)
{
    (void)state;
    check_untagged(linux_echo_request, sizeof linux_echo_request, mac_b, mac_a, ETHERTYPE_IPV4);
    check_untagged(linux_echo_reply, sizeof linux_echo_reply, mac_a, mac_b, ETHERTYPE_IPV4);
    check_untagged(linux_big_echo_frag0, sizeof linux_big_echo_frag0, mac_b, mac_a, ETHERTYPE_IPV4);
    check_untagged(linux_udp_hello, sizeof linux_udp_hello, mac_b, mac_a, ETHERTYPE_IPV4);
    check_untagged(linux_tcp_syn_ack, sizeof linux_tcp_syn_ack, mac_a, mac_b, ETHERTYPE_IPV4);
}

static void header_alone_without_payload_parses(void **state)
{
    (void)state;
    struct eth_header h;
    assert_int_equal(eth_parse(linux_arp_request, ETH_HEADER_LEN, &h), ETH_HEADER_LEN);
    assert_int_equal(h.ethertype, ETHERTYPE_ARP);
}

static void frame_shorter_than_header_is_truncated(void **state)
{
    (void)state;
    struct eth_header h;
    for (size_t len = 0; len < ETH_HEADER_LEN; len++)
        assert_int_equal(eth_parse(linux_echo_request, len, &h), WIRE_TRUNCATED);
}

static void emit_needs_room_for_the_header(void **state)
{
    (void)state;
    struct eth_header h = { .ethertype = ETHERTYPE_IPV4 };
    uint8_t out[ETH_HEADER_LEN];
    assert_int_equal(eth_emit(&h, out, ETH_HEADER_LEN - 1), 0);
    assert_int_equal(eth_emit(&h, out, ETH_HEADER_LEN), ETH_HEADER_LEN);
    assert_int_equal(out[12], 0x08);
    assert_int_equal(out[13], 0x00);
}

/* This kernel has no 8021q module, so the tagged frames are Linux frames
 * with tags inserted after the source address, as a switch's trunk port
 * inserts them (IEEE 802.1Q 9.3: TPID, then the TCI). */
static size_t insert_tags(const uint8_t *frame, size_t len, const uint16_t *tags, size_t ntags,
                          uint8_t *out)
{
    memcpy(out, frame, 12);
    size_t off = 12;
    for (size_t i = 0; i < ntags; i++) {
        wire_put16(out + off, tags[2 * i]);
        wire_put16(out + off + 2, tags[2 * i + 1]);
        off += 4;
    }
    memcpy(out + off, frame + 12, len - 12);
    return len + off - 12;
}

static void dot1q_tagged_frame_is_recognised(void **state)
{
    (void)state;
    /* PCP 1, VID 100. */
    const uint16_t tag[] = { ETHERTYPE_VLAN, 0x2064 };
    uint8_t frame[sizeof linux_echo_request + 4];
    size_t len = insert_tags(linux_echo_request, sizeof linux_echo_request, tag, 1, frame);
    struct eth_header h;
    assert_int_equal(eth_parse(frame, len, &h), 18);
    assert_true(h.vlan_tagged);
    assert_int_equal(h.vlan_tci, 0x2064);
    assert_int_equal(h.vlan_tci & 0x0fff, 100);
    assert_int_equal(h.ethertype, ETHERTYPE_IPV4);
    assert_int_equal(h.header_len, 18);
    assert_memory_equal(h.dst, mac_b, 6);
    assert_memory_equal(h.src, mac_a, 6);
    /* The payload starts where the untagged frame's did. */
    assert_memory_equal(frame + h.header_len, linux_echo_request + 14, sizeof linux_echo_request - 14);
}

static void qinq_double_tagged_frame_is_recognised(void **state)
{
    (void)state;
    /* 802.1ad service tag VID 200 outside, 802.1Q customer tag VID 300. */
    const uint16_t tags[] = { ETHERTYPE_QINQ, 200, ETHERTYPE_VLAN, 300 };
    uint8_t frame[sizeof linux_arp_request + 8];
    size_t len = insert_tags(linux_arp_request, sizeof linux_arp_request, tags, 2, frame);
    struct eth_header h;
    assert_int_equal(eth_parse(frame, len, &h), 22);
    assert_true(h.vlan_tagged);
    assert_int_equal(h.vlan_tci, 200); /* the outermost tag */
    assert_int_equal(h.ethertype, ETHERTYPE_ARP);
    assert_int_equal(h.header_len, 22);
    assert_memory_equal(frame + 22, linux_arp_request + 14, sizeof linux_arp_request - 14);
}

static void old_style_double_dot1q_tags_are_recognised(void **state)
{
    (void)state;
    /* Before 802.1ad, stacked tags used 0x8100 twice. */
    const uint16_t tags[] = { ETHERTYPE_VLAN, 10, ETHERTYPE_VLAN, 20 };
    uint8_t frame[sizeof linux_echo_request + 8];
    size_t len = insert_tags(linux_echo_request, sizeof linux_echo_request, tags, 2, frame);
    struct eth_header h;
    assert_int_equal(eth_parse(frame, len, &h), 22);
    assert_int_equal(h.vlan_tci, 10);
    assert_int_equal(h.ethertype, ETHERTYPE_IPV4);
}

static void third_tag_is_not_taken_for_the_payload_type(void **state)
{
    (void)state;
    /* Two tags are read; a third leaves a tag type as the ethertype, so
     * the frame is still seen as tagged and never parsed as IPv4 at the
     * wrong offset. */
    const uint16_t tags[] = { ETHERTYPE_QINQ, 1, ETHERTYPE_VLAN, 2, ETHERTYPE_VLAN, 3 };
    uint8_t frame[sizeof linux_echo_request + 12];
    size_t len = insert_tags(linux_echo_request, sizeof linux_echo_request, tags, 3, frame);
    struct eth_header h;
    assert_int_equal(eth_parse(frame, len, &h), 22);
    assert_true(h.vlan_tagged);
    assert_int_equal(h.ethertype, ETHERTYPE_VLAN);
    assert_int_not_equal(h.ethertype, ETHERTYPE_IPV4);
}

static void tagged_frames_cut_inside_a_tag_are_truncated(void **state)
{
    (void)state;
    const uint16_t tags[] = { ETHERTYPE_QINQ, 200, ETHERTYPE_VLAN, 300 };
    uint8_t frame[sizeof linux_echo_request + 8];
    insert_tags(linux_echo_request, sizeof linux_echo_request, tags, 2, frame);
    struct eth_header h;
    /* 14..17 bytes: the outer tag's TCI or the type after it is missing;
     * 18..21: the inner tag's. */
    for (size_t len = 14; len < 22; len++)
        assert_int_equal(eth_parse(frame, len, &h), WIRE_TRUNCATED);
    assert_int_equal(eth_parse(frame, 22, &h), 22);

    const uint16_t tag[] = { ETHERTYPE_VLAN, 100 };
    insert_tags(linux_echo_request, sizeof linux_echo_request, tag, 1, frame);
    for (size_t len = 14; len < 18; len++)
        assert_int_equal(eth_parse(frame, len, &h), WIRE_TRUNCATED);
    assert_int_equal(eth_parse(frame, 18, &h), 18);
}

static void length_field_below_0600_is_not_a_known_type(void **state)
{
    (void)state;
    /* An IEEE 802.3 length (with LLC) is passed up as an unknown type, for
     * the link layer to drop; it is not mistaken for IPv4 or ARP. */
    uint8_t frame[60];
    memcpy(frame, linux_arp_request, 12);
    wire_put16(frame + 12, 46);
    memset(frame + 14, 0x42, 46);
    struct eth_header h;
    assert_int_equal(eth_parse(frame, sizeof frame, &h), ETH_HEADER_LEN);
    assert_int_equal(h.ethertype, 46);
    assert_false(h.vlan_tagged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_arp_frames_parse_and_round_trip),
        cmocka_unit_test(linux_ipv4_frames_parse_and_round_trip),
        cmocka_unit_test(header_alone_without_payload_parses),
        cmocka_unit_test(frame_shorter_than_header_is_truncated),
        cmocka_unit_test(emit_needs_room_for_the_header),
        cmocka_unit_test(dot1q_tagged_frame_is_recognised),
        cmocka_unit_test(qinq_double_tagged_frame_is_recognised),
        cmocka_unit_test(old_style_double_dot1q_tags_are_recognised),
        cmocka_unit_test(third_tag_is_not_taken_for_the_payload_type),
        cmocka_unit_test(tagged_frames_cut_inside_a_tag_are_truncated),
        cmocka_unit_test(length_field_below_0600_is_not_a_known_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
