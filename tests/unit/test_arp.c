/* ARP (RFC 826) and the neighbour cache, frame by frame. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "wire/arp.h"
#include "wire/ethernet.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int setup(void **state)
{
    *state = capture_host_new("10.0.0.1/24");
    return 0;
}

static int teardown(void **state)
{
    capture_host_free(*state);
    return 0;
}

static void expect_arp(const struct captured_frame *f, uint16_t op, const uint8_t eth_dst[6], uint32_t target)
{
    assert_non_null(f);
    struct eth_header eth;
    assert_int_equal(eth_parse(f->data, f->len, &eth), ETH_HEADER_LEN);
    assert_int_equal(eth.ethertype, ETHERTYPE_ARP);
    assert_memory_equal(eth.dst, eth_dst, 6);
    struct arp_packet p;
    assert_int_equal(arp_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &p), ARP_PACKET_LEN);
    assert_int_equal(p.op, op);
    assert_int_equal(p.target_ip, target);
    assert_int_equal(p.sender_ip, ip("10.0.0.1"));
}

static void inject_arp(struct capture_host *h, uint16_t op, const uint8_t sender_mac[6], uint32_t sender,
                       uint32_t target, const uint8_t eth_dst[6])
{
    uint8_t frame[ETH_HEADER_LEN + ARP_PACKET_LEN];
    struct eth_header eth = { .ethertype = ETHERTYPE_ARP };
    memcpy(eth.dst, eth_dst, 6);
    memcpy(eth.src, sender_mac, 6);
    eth_emit(&eth, frame, sizeof frame);
    struct arp_packet p = { .op = op, .sender_ip = sender, .target_ip = target };
    memcpy(p.sender_mac, sender_mac, 6);
    if (op == ARP_OP_REPLY)
        memcpy(p.target_mac, h->mac, 6);
    arp_emit(&p, frame + ETH_HEADER_LEN, ARP_PACKET_LEN);
    naru_stack_input(h->stack, h->ifindex, frame, sizeof frame);
}

static void address_comes_up_with_a_gratuitous_arp(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    struct capture_host *h = capture_host_new("10.9.0.1/24");
    assert_int_equal(counter(h->stack, "arp_tx_gratuitous"), 1);
    capture_host_free(h);
}

static void request_for_our_address_is_answered_and_sender_learned(void **state)
{
    struct capture_host *h = *state;
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"), broadcast);
    const struct captured_frame *f = capture_take_v4(h);
    expect_arp(f, ARP_OP_REPLY, peer_mac, ip("10.0.0.2"));
    struct arp_packet p;
    arp_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &p);
    assert_memory_equal(p.sender_mac, h->mac, 6);
    assert_memory_equal(p.target_mac, peer_mac, 6);
    uint8_t mac[6];
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.2") }, mac), 0);
    assert_memory_equal(mac, peer_mac, 6);
}

static void request_for_another_address_is_ignored_and_not_learned(void **state)
{
    struct capture_host *h = *state;
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.2"), ip("10.0.0.3"), broadcast);
    assert_null(capture_take_v4(h));
    uint8_t mac[6];
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.2") }, mac), -ENOENT);
}

static void unanswered_neighbour_gets_three_requests_then_packets_are_dropped(void **state)
{
    struct capture_host *h = *state;
    int s = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.9")), .port = 9 };
    assert_int_equal(naru_connect(h->stack, s, &to), 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(naru_send(h->stack, s, "x", 1, 0), 1);
    expect_arp(capture_take_v4(h), ARP_OP_REQUEST, broadcast, ip("10.0.0.9"));
    assert_null(capture_take_v4(h));
    /* One request a second: rate-limited, not one per packet. */
    naru_stack_poll(h->stack, 999 * NARU_MS);
    assert_null(capture_take_v4(h));
    naru_stack_poll(h->stack, 1000 * NARU_MS);
    expect_arp(capture_take_v4(h), ARP_OP_REQUEST, broadcast, ip("10.0.0.9"));
    naru_stack_poll(h->stack, 2000 * NARU_MS);
    expect_arp(capture_take_v4(h), ARP_OP_REQUEST, broadcast, ip("10.0.0.9"));
    assert_int_equal(counter(h->stack, "arp_tx_requests"), 3);
    naru_stack_poll(h->stack, 3000 * NARU_MS);
    assert_null(capture_take_v4(h));
    assert_int_equal(counter(h->stack, "arp_queue_overflow"), 4); /* 8 wait at most */
    assert_int_equal(counter(h->stack, "arp_resolution_failed"), 8);
    /* The local sender hears of it as Linux's would: host unreachable. */
    naru_stack_poll(h->stack, 3001 * NARU_MS);
    assert_int_equal(naru_send(h->stack, s, "x", 1, 0), -EHOSTUNREACH);
    naru_close(h->stack, s);
    naru_stack_poll(h->stack, 10 * NARU_SEC);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void reply_releases_waiting_packets_in_order(void **state)
{
    struct capture_host *h = *state;
    int s = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    naru_sendto(h->stack, s, "a", 1, 0, &to);
    naru_sendto(h->stack, s, "b", 1, 0, &to);
    expect_arp(capture_take_v4(h), ARP_OP_REQUEST, broadcast, ip("10.0.0.2"));
    inject_arp(h, ARP_OP_REPLY, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"), h->mac);
    for (int i = 0; i < 2; i++) {
        const struct captured_frame *f = capture_take_v4(h);
        assert_non_null(f);
        assert_memory_equal(f->data, peer_mac, 6);
        assert_int_equal(f->data[f->len - 1], "ab"[i]);
    }
}

static void stale_entry_is_still_used_and_probed_by_unicast(void **state)
{
    struct capture_host *h = *state;
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"), broadcast);
    capture_clear(h);
    naru_stack_poll(h->stack, 31 * NARU_SEC); /* past the reachable time */
    int s = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    naru_sendto(h->stack, s, "a", 1, 0, &to);
    const struct captured_frame *f = capture_take_v4(h);
    assert_non_null(f);
    assert_memory_equal(f->data, peer_mac, 6); /* the datagram did not wait */
    assert_int_equal(f->data[12], 0x08);
    assert_int_equal(f->data[13], 0x00);
    /* RFC 4861 7.3.3 DELAY, as Linux's ARP: the probe waits 5 s for news. */
    naru_stack_poll(h->stack, 35999 * NARU_MS);
    assert_null(capture_take_v4(h));
    naru_stack_poll(h->stack, 36 * NARU_SEC);
    expect_arp(capture_take_v4(h), ARP_OP_REQUEST, peer_mac, ip("10.0.0.2")); /* RFC 1122 2.3.2.1 */
}

static void stale_neighbour_heard_from_meanwhile_is_not_probed(void **state)
{
    struct capture_host *h = *state;
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"), broadcast);
    naru_stack_poll(h->stack, 31 * NARU_SEC);
    int s = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    naru_sendto(h->stack, s, "a", 1, 0, &to);
    naru_stack_poll(h->stack, 33 * NARU_SEC);
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.2"), ip("10.0.0.1"), broadcast); /* it speaks */
    capture_clear(h);
    naru_stack_poll(h->stack, 40 * NARU_SEC);
    assert_null(capture_take_v4(h));
    assert_int_equal(counter(h->stack, "arp_tx_requests"), 0);
}

static void arp_claiming_our_address_is_counted_not_learned(void **state)
{
    struct capture_host *h = *state;
    inject_arp(h, ARP_OP_REQUEST, peer_mac, ip("10.0.0.1"), ip("10.0.0.1"), broadcast);
    assert_int_equal(counter(h->stack, "arp_address_conflicts"), 1);
    uint8_t mac[6];
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.1") }, mac), -ENOENT);
}

static void malformed_arp_is_dropped_and_counted(void **state)
{
    struct capture_host *h = *state;
    uint8_t frame[ETH_HEADER_LEN + ARP_PACKET_LEN] = { 0 };
    memcpy(frame, broadcast, 6);
    memcpy(frame + 6, peer_mac, 6);
    frame[12] = 0x08, frame[13] = 0x06;
    frame[ETH_HEADER_LEN + 1] = 6; /* hardware type 6: not Ethernet */
    naru_stack_input(h->stack, h->ifindex, frame, sizeof frame);
    naru_stack_input(h->stack, h->ifindex, frame, ETH_HEADER_LEN + 10);
    assert_int_equal(counter(h->stack, "arp_rx_malformed"), 2);
    assert_null(capture_take_v4(h));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(address_comes_up_with_a_gratuitous_arp),
        T(request_for_our_address_is_answered_and_sender_learned),
        T(request_for_another_address_is_ignored_and_not_learned),
        T(unanswered_neighbour_gets_three_requests_then_packets_are_dropped),
        T(reply_releases_waiting_packets_in_order),
        T(stale_entry_is_still_used_and_probed_by_unicast),
        T(stale_neighbour_heard_from_meanwhile_is_not_probed),
        T(arp_claiming_our_address_is_counted_not_learned),
        T(malformed_arp_is_dropped_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
