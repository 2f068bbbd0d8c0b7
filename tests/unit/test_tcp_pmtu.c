/* Path MTU discovery (RFC 1191; the cache is RFC 8201's too): TCP sizes
 * its segments by the path, believes only reports about its own segments
 * in flight (RFC 5927), and the path MTU is remembered per destination for
 * ten minutes, then forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "ip/pmtu.h"
#include "stack.h"
#include "tcp_peer.h"
#include "testnet.h"
#include "wire/icmp.h"

#define ISN 0x10000000u
#define PEER_ISN 0x20000000u

static char data[8000];

static uint16_t snd_mss(struct tcp_peer *p, int s)
{
    struct naru_tcp_info ti;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &ti), 0);
    return (uint16_t)ti.snd_mss;
}

/* Send 4000 bytes; the first segment the stack sent. */
static struct got *first_segment_of_a_send(struct tcp_peer *p, int s)
{
    assert_int_equal(naru_send(p->stack, s, data, 4000, 0), 4000);
    return peer_take(p);
}

static void forged_or_useless_reports_are_ignored(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    struct got *g = first_segment_of_a_send(p, s);
    assert_int_equal(g->len, 1448);
    struct got seg = *g;
    peer_clear(p);
    struct naru_addr peer = naru_addr_v4(p->addr);
    /* Below IPv4's least MTU (RFC 791's 68), and not below the path's. */
    peer_send_icmp_error(p, &seg, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 67);
    peer_send_icmp_error(p, &seg, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 1500);
    peer_send_icmp_error(p, &seg, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 0);
    assert_int_equal(counter(p->stack, "ip_pmtu_ignored"), 3);
    /* RFC 5927 4.1: a quoted sequence number not in flight is forged or
     * stale; so is a connection we do not have. Neither gets as far. */
    struct got stale = seg;
    wire_put32(stale.ip + 20 + 4, ISN - 5000);
    peer_send_icmp_error(p, &stale, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 576);
    struct got other = seg;
    wire_put16(other.ip + 20, 1234); /* another source port: no connection */
    peer_send_icmp_error(p, &other, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 576);
    assert_int_equal(counter(p->stack, "ip_pmtu_ignored"), 3);
    assert_int_equal(pmtu_get(p->stack, &peer), 0);
    assert_int_equal(snd_mss(p, s), 1448);
    peer_expect_nothing(p);
}

static void path_mtu_is_remembered_for_new_connections_then_forgotten(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    struct got seg = *first_segment_of_a_send(p, s);
    peer_clear(p);
    peer_send_icmp_error(p, &seg, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, 1000);
    assert_int_equal(snd_mss(p, s), 1000 - 40 - 12);
    struct naru_addr peer = naru_addr_v4(p->addr);
    assert_int_equal(pmtu_get(p->stack, &peer), 1000);
    assert_int_equal(counter(p->stack, "ip_pmtu_lowered"), 1);
    /* A later connection to the same host starts with the path's size. */
    peer_clear(p);
    int s2 = peer_active_open(p, 81, ISN + 100000, PEER_ISN);
    assert_int_equal(snd_mss(p, s2), 948);
    /* RFC 1191 6.3: after ten minutes the path may be wider again, and
     * both connections use the interface's MTU once more. */
    peer_clear(p);
    for (int minute = 0; minute < 10; minute++)
        peer_advance(p, 60 * NARU_SEC);
    assert_int_equal(pmtu_get(p->stack, &peer), 0);
    assert_int_equal(counter(p->stack, "ip_pmtu_expired"), 1);
    peer_clear(p);
    assert_int_equal(naru_send(p->stack, s2, data, 4000, 0), 4000);
    assert_int_equal(peer_take(p)->len, 1448);
    assert_int_equal(snd_mss(p, s2), 1448);
}

static void the_cache_is_bounded_and_checks_each_family(void **state)
{
    struct tcp_peer *p = *state;
    struct naru_stack *st = p->stack;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    /* More destinations than the cache holds: the oldest give way. */
    naru_route_add(st, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = p->addr }, p->host->ifindex);
    for (uint32_t i = 0; i < c.pmtu_entries + 10; i++) {
        struct naru_addr d = naru_addr_v4(ip("198.18.0.0") + i);
        assert_true(pmtu_update(st, &d, 1400));
        peer_advance(p, NARU_MS);
    }
    assert_int_equal(st->pmtu.count, c.pmtu_entries);
    struct naru_addr oldest = naru_addr_v4(ip("198.18.0.0")), newest = naru_addr_v4(ip("198.18.0.0") + c.pmtu_entries + 9);
    assert_int_equal(pmtu_get(st, &oldest), 0);
    assert_int_equal(pmtu_get(st, &newest), 1400);
    /* Only lower, never higher. */
    assert_false(pmtu_update(st, &newest, 1450));
    assert_true(pmtu_update(st, &newest, 1300));
    assert_int_equal(pmtu_get(st, &newest), 1300);
    /* IPv6: not below 1280 (RFC 8201 4), and only with a route. */
    uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
    struct naru_addr d6 = naru_addr_v6(v6), any6 = { .family = NARU_AF_INET6 };
    assert_false(pmtu_update(st, &d6, 1300));
    assert_int_equal(naru_route_add(st, &any6, 0, NULL, p->host->ifindex), 0);
    assert_false(pmtu_update(st, &d6, 1279));
    assert_true(pmtu_update(st, &d6, 1280));
    assert_int_equal(pmtu_path_mtu(st, &d6), 1280);
    /* The same bits in IPv4 are another destination. */
    struct naru_addr d4 = naru_addr_v4(0x20010db8u);
    assert_int_equal(pmtu_get(st, &d4), 0);
}

int main(void)
{
    memset(data, 'p', sizeof data);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(forged_or_useless_reports_are_ignored, peer_setup, peer_teardown),
        cmocka_unit_test_setup_teardown(path_mtu_is_remembered_for_new_connections_then_forgotten, peer_setup,
                                        peer_teardown),
        cmocka_unit_test_setup_teardown(the_cache_is_bounded_and_checks_each_family, peer_setup, peer_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
