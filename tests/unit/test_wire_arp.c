/* ARP for IPv4 over Ethernet (RFC 826). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames.h"
#include "wire/arp.h"

#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u /* 198.18.0.2 */
static const uint8_t mac_a[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0b };
static const uint8_t zero_mac[6];

static void round_trip(const uint8_t *arp, size_t len)
{
    struct arp_packet p;
    assert_int_equal(arp_parse(arp, len, &p), ARP_PACKET_LEN);
    uint8_t out[ARP_PACKET_LEN];
    assert_int_equal(arp_emit(&p, out, sizeof out), ARP_PACKET_LEN);
    assert_memory_equal(out, arp, ARP_PACKET_LEN);
}

static void linux_request_parses_and_round_trips(void **state)
{
    (void)state;
    /* Frame 1: who has 198.18.0.2? tell 198.18.0.1. */
    const uint8_t *arp = linux_arp_request + 14;
    struct arp_packet p;
    assert_int_equal(arp_parse(arp, sizeof linux_arp_request - 14, &p), ARP_PACKET_LEN);
    assert_int_equal(p.op, ARP_OP_REQUEST);
    assert_memory_equal(p.sender_mac, mac_a, 6);
    assert_int_equal(p.sender_ip, IP_A);
    assert_memory_equal(p.target_mac, zero_mac, 6);
    assert_int_equal(p.target_ip, IP_B);
    round_trip(arp, sizeof linux_arp_request - 14);
}

static void linux_reply_parses_and_round_trips(void **state)
{
    (void)state;
    /* Frame 2: 198.18.0.2 is at 02:6e:61:72:75:0b. */
    const uint8_t *arp = linux_arp_reply + 14;
    struct arp_packet p;
    assert_int_equal(arp_parse(arp, sizeof linux_arp_reply - 14, &p), ARP_PACKET_LEN);
    assert_int_equal(p.op, ARP_OP_REPLY);
    assert_memory_equal(p.sender_mac, mac_b, 6);
    assert_int_equal(p.sender_ip, IP_B);
    assert_memory_equal(p.target_mac, mac_a, 6);
    assert_int_equal(p.target_ip, IP_A);
    round_trip(arp, sizeof linux_arp_reply - 14);
}

static void ethernet_padding_after_the_packet_is_allowed(void **state)
{
    (void)state;
    /* A NIC pads the 42-byte frame to 60 bytes (IEEE 802.3 minimum). */
    uint8_t padded[46];
    memcpy(padded, linux_arp_request + 14, ARP_PACKET_LEN);
    memset(padded + ARP_PACKET_LEN, 0, sizeof padded - ARP_PACKET_LEN);
    struct arp_packet p;
    assert_int_equal(arp_parse(padded, sizeof padded, &p), ARP_PACKET_LEN);
    assert_int_equal(p.target_ip, IP_B);
    memset(padded + ARP_PACKET_LEN, 0xa5, sizeof padded - ARP_PACKET_LEN);
    assert_int_equal(arp_parse(padded, sizeof padded, &p), ARP_PACKET_LEN);
}

static void short_packet_is_truncated(void **state)
{
    (void)state;
    struct arp_packet p;
    for (size_t len = 0; len < ARP_PACKET_LEN; len++)
        assert_int_equal(arp_parse(linux_arp_request + 14, len, &p), WIRE_TRUNCATED);
}

/* Change one byte of frame 1's ARP packet and parse it. */
static int parse_with(size_t offset, uint8_t value)
{
    uint8_t arp[ARP_PACKET_LEN];
    memcpy(arp, linux_arp_request + 14, sizeof arp);
    arp[offset] = value;
    struct arp_packet p;
    return arp_parse(arp, sizeof arp, &p);
}

static void non_ethernet_hardware_is_unsupported(void **state)
{
    (void)state;
    assert_int_equal(parse_with(1, 6), WIRE_UNSUPPORTED);      /* htype 6, IEEE 802 */
    assert_int_equal(parse_with(0, 1), WIRE_UNSUPPORTED);      /* htype 0x0101 */
    assert_int_equal(parse_with(4, 8), WIRE_UNSUPPORTED);      /* 8-byte hardware addresses */
    assert_int_equal(parse_with(4, 0), WIRE_UNSUPPORTED);
}

static void non_ipv4_protocol_is_unsupported(void **state)
{
    (void)state;
    assert_int_equal(parse_with(2, 0x86), WIRE_UNSUPPORTED);   /* ptype 0x8600 */
    assert_int_equal(parse_with(3, 0xdd), WIRE_UNSUPPORTED);   /* ptype 0x08dd */
    assert_int_equal(parse_with(5, 16), WIRE_UNSUPPORTED);     /* 16-byte protocol addresses */
    assert_int_equal(parse_with(5, 0), WIRE_UNSUPPORTED);
}

static void unknown_opcode_is_passed_up_for_the_caller_to_judge(void **state)
{
    (void)state;
    /* RFC 826 leaves opcodes to the receiver (RFC 903's RARP uses 3 and
     * 4); the codec reports it, src/link/arp.c drops what it does not do. */
    uint8_t arp[ARP_PACKET_LEN];
    memcpy(arp, linux_arp_request + 14, sizeof arp);
    arp[7] = 3;
    struct arp_packet p;
    assert_int_equal(arp_parse(arp, sizeof arp, &p), ARP_PACKET_LEN);
    assert_int_equal(p.op, 3);
}

static void emit_writes_ethernet_ipv4_and_needs_28_bytes(void **state)
{
    (void)state;
    struct arp_packet p = { .op = ARP_OP_REQUEST, .sender_ip = IP_B, .target_ip = IP_B };
    memcpy(p.sender_mac, mac_b, 6);
    uint8_t out[ARP_PACKET_LEN];
    assert_int_equal(arp_emit(&p, out, ARP_PACKET_LEN - 1), 0);
    assert_int_equal(arp_emit(&p, out, sizeof out), ARP_PACKET_LEN);
    static const uint8_t fixed[] = { 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };
    assert_memory_equal(out, fixed, sizeof fixed);
    struct arp_packet q;
    assert_int_equal(arp_parse(out, sizeof out, &q), ARP_PACKET_LEN);
    assert_int_equal(q.sender_ip, IP_B);
    assert_int_equal(q.target_ip, IP_B); /* a gratuitous ARP (RFC 5227 3) */
    assert_memory_equal(q.sender_mac, mac_b, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_request_parses_and_round_trips),
        cmocka_unit_test(linux_reply_parses_and_round_trips),
        cmocka_unit_test(ethernet_padding_after_the_packet_is_allowed),
        cmocka_unit_test(short_packet_is_truncated),
        cmocka_unit_test(non_ethernet_hardware_is_unsupported),
        cmocka_unit_test(non_ipv4_protocol_is_unsupported),
        cmocka_unit_test(unknown_opcode_is_passed_up_for_the_caller_to_judge),
        cmocka_unit_test(emit_writes_ethernet_ipv4_and_needs_28_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
