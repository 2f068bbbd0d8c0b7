/* The neighbour cache under ARP: found by hash among many, bounded, and a
 * scan of silent addresses never pushes out resolved neighbours (RFC 6583). */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "wire/arp.h"
#include "wire/ethernet.h"

static void mac_of(uint32_t n, uint8_t mac[6])
{
    const uint8_t m[6] = { 0x02, 0, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    memcpy(mac, m, 6);
}

static uint32_t neighbour_addr(uint32_t n)
{
    return ip("10.0.0.0") + 2 + n; /* 10.0.0.2 on */
}

static struct capture_host *host_with_cache(uint32_t entries, uint32_t incomplete)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.arp_entries = entries;
    c.neighbour_incomplete = incomplete;
    return capture_host_new_with("10.0.0.1/16", &c);
}

static void send_udp_to(struct capture_host *h, uint32_t addr)
{
    int s = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(addr), .port = 9 };
    assert_int_equal(naru_sendto(h->stack, s, "x", 1, 0, &to), 1);
    naru_close(h->stack, s);
}

static bool known(struct capture_host *h, uint32_t addr)
{
    uint8_t mac[6];
    return naru_neighbour_lookup(h->stack, h->ifindex, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = addr }, mac) == 0;
}

static void every_neighbour_of_a_full_cache_is_found(void **state)
{
    (void)state;
    struct capture_host *h = host_with_cache(256, 16);
    for (uint32_t i = 0; i < 256; i++) {
        uint8_t mac[6];
        mac_of(i, mac);
        capture_teach_neighbour(h, neighbour_addr(i), mac);
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint8_t mac[6], want[6];
        mac_of(i, want);
        assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = neighbour_addr(i) }, mac), 0);
        assert_memory_equal(mac, want, 6);
    }
    /* The family-neutral lookup finds the same; an IPv6 address is not an
     * IPv4 one with the same bits. */
    struct naru_addr a = naru_addr_v4(neighbour_addr(7));
    uint8_t mac[6], want[6];
    mac_of(7, want);
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &a, mac), 0);
    assert_memory_equal(mac, want, 6);
    uint8_t v6[16] = { 0 };
    memcpy(v6 + 12, &a.v4, 4);
    struct naru_addr b = naru_addr_v6(v6);
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &b, mac), -ENOENT);
    capture_host_free(h);
}

static void scan_of_silent_addresses_never_pushes_out_resolved_neighbours(void **state)
{
    (void)state;
    /* Room for 8; at most 2 being resolved at once. */
    struct capture_host *h = host_with_cache(8, 2);
    for (uint32_t i = 0; i < 6; i++) {
        uint8_t mac[6];
        mac_of(i, mac);
        capture_teach_neighbour(h, neighbour_addr(i), mac);
    }
    capture_clear(h);
    /* A scan: 100 addresses nobody answers for, a packet to each. */
    for (uint32_t i = 0; i < 100; i++)
        send_udp_to(h, ip("10.0.100.0") + i);
    size_t requests = 0;
    for (const struct captured_frame *f; (f = capture_take(h));)
        requests += f->data[12] == 0x08 && f->data[13] == 0x06;
    assert_int_equal(requests, 2);
    assert_int_equal(counter(h->stack, "arp_incomplete_full"), 98);
    for (uint32_t i = 0; i < 6; i++)
        assert_true(known(h, neighbour_addr(i)));
    /* When those two give up, the next two of a scan take their places,
     * and still no resolved neighbour goes. */
    for (int t = 1; t <= 3; t++)
        naru_stack_poll(h->stack, (naru_time_t)t * NARU_SEC);
    assert_int_equal(counter(h->stack, "arp_resolution_failed"), 2);
    for (uint32_t i = 100; i < 110; i++)
        send_udp_to(h, ip("10.0.100.0") + i);
    assert_int_equal(counter(h->stack, "arp_incomplete_full"), 98 + 8);
    for (uint32_t i = 0; i < 6; i++)
        assert_true(known(h, neighbour_addr(i)));
    for (int t = 4; t <= 10; t++)
        naru_stack_poll(h->stack, (naru_time_t)t * NARU_SEC);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
    capture_host_free(h);
}

static void resolved_neighbours_give_way_least_recently_used_first(void **state)
{
    (void)state;
    struct capture_host *h = host_with_cache(4, 2);
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t mac[6];
        mac_of(i, mac);
        capture_teach_neighbour(h, neighbour_addr(i), mac);
    }
    send_udp_to(h, neighbour_addr(0)); /* 0 is used: 1 is now the least recent */
    send_udp_to(h, ip("10.0.100.1"));
    assert_false(known(h, neighbour_addr(1)));
    assert_true(known(h, neighbour_addr(0)));
    assert_true(known(h, neighbour_addr(2)));
    send_udp_to(h, ip("10.0.100.2"));
    assert_false(known(h, neighbour_addr(2)));
    assert_true(known(h, neighbour_addr(0)));
    assert_true(known(h, neighbour_addr(3)));
    /* Two being resolved, and the bound says no more: nothing else goes. */
    send_udp_to(h, ip("10.0.100.3"));
    assert_int_equal(counter(h->stack, "arp_incomplete_full"), 1);
    assert_true(known(h, neighbour_addr(0)));
    assert_true(known(h, neighbour_addr(3)));
    capture_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_neighbour_of_a_full_cache_is_found),
        cmocka_unit_test(scan_of_silent_addresses_never_pushes_out_resolved_neighbours),
        cmocka_unit_test(resolved_neighbours_give_way_least_recently_used_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
