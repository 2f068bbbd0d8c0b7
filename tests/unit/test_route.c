/* The routing table: longest prefix wins, the default route last. */
#include "testnet.h"

#include "capture.h"
#include "ip/route.h"
#include "stack.h"

static void longest_prefix_wins_and_default_catches_the_rest(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.254") }, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.0.0") }, 16, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.2") }, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.4.0") }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.3") }, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.4.7") }, 32, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.4") }, h->ifindex), 0);
    assert_int_equal(route_lookup(s, ip("10.8.4.7"))->gateway, ip("10.0.0.4"));
    assert_int_equal(route_lookup(s, ip("10.8.4.8"))->gateway, ip("10.0.0.3"));
    assert_int_equal(route_lookup(s, ip("10.8.5.1"))->gateway, ip("10.0.0.2"));
    assert_int_equal(route_lookup(s, ip("192.0.2.1"))->gateway, ip("10.0.0.254"));
    assert_int_equal(route_lookup(s, ip("10.0.0.77"))->gateway, 0); /* connected */
    assert_int_equal(naru_route_del(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.4.0") }, 24), 0);
    assert_int_equal(route_lookup(s, ip("10.8.4.8"))->gateway, ip("10.0.0.2"));
    capture_host_free(h);
}

static void bad_routes_are_refused(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.0.1") }, 16, NULL, h->ifindex), -EINVAL); /* host bits set */
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.0.0") }, 33, NULL, h->ifindex), -EINVAL);
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.8.0.0") }, 16, NULL, 5), -EINVAL);
    assert_int_equal(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.0") }, 24, NULL, h->ifindex), -EEXIST);
    assert_int_equal(naru_route_del(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.9.0.0") }, 16), -ENOENT);
    capture_host_free(h);
}

static void no_route_means_net_unreachable_for_the_sender(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    int sock = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("192.0.2.1")), .port = 9 };
    assert_int_equal(naru_sendto(h->stack, sock, "x", 1, 0, &to), -ENETUNREACH);
    assert_int_equal(counter(h->stack, "ip_no_route"), 0); /* refused before IP: no source address */
    assert_int_equal(naru_connect(h->stack, sock, &to), -ENETUNREACH);
    capture_host_free(h);
}

/* The table's index against the plain answer: the longest matching
 * prefix, found by looking at every route, while thousands come and go. */
static void thousands_of_routes_match_a_search_of_every_route(void **state)
{
    (void)state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.routes = 5000;
    struct capture_host *h = capture_host_new_with("10.0.0.1/24", &c);
    struct naru_stack *s = h->stack;
    enum { N = 4000 };
    static uint32_t dst[N], gw[N];
    static uint8_t len[N];
    static bool in[N];
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        len[i] = (uint8_t)(i == 0 ? 0 : 8 + (x >> 33) % 25);
        dst[i] = (uint32_t)(x >> 20) & naru_prefix_mask(len[i]);
        gw[i] = ip("10.0.0.2") + (uint32_t)(i % 200);
        in[i] = naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = dst[i] }, len[i], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = gw[i] }, h->ifindex) == 0;
    }
    for (int round = 0; round < 3; round++) {
        for (int q = 0; q < 20000; q++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* Near a route's prefix, so long matches are tried too. */
            uint32_t a = dst[(x >> 33) % N] ^ (uint32_t)((x >> 7) & 0xff);
            int best = -1;
            for (int i = 0; i < N; i++)
                if (in[i] && (a & naru_prefix_mask(len[i])) == dst[i] && (best < 0 || len[i] > len[best]))
                    best = i;
            const struct route *r = route_lookup(s, a);
            bool connected = (a & 0xffffff00u) == ip("10.0.0.0") && (best < 0 || len[best] < 24);
            if (connected) {
                assert_non_null(r);
                assert_int_equal(r->gateway, 0);
            } else if (best < 0) {
                assert_null(r);
            } else {
                assert_non_null(r);
                assert_int_equal(r->dst, dst[best]);
                assert_int_equal(r->prefix_len, len[best]);
            }
        }
        /* Take a third away, and put some back. */
        for (int i = round; i < N; i += 3) {
            if (in[i]) {
                assert_int_equal(naru_route_del(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = dst[i] }, len[i]), 0);
                in[i] = false;
            } else {
                in[i] = naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = dst[i] }, len[i], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = gw[i] }, h->ifindex) == 0;
            }
        }
    }
    capture_host_free(h);
}

/* An IPv6 address from its eight groups. */
static struct naru_addr v6(uint16_t g0, uint16_t g1, uint16_t g2, uint16_t g3, uint16_t g4, uint16_t g5,
                           uint16_t g6, uint16_t g7)
{
    const uint16_t g[8] = { g0, g1, g2, g3, g4, g5, g6, g7 };
    uint8_t b[16];
    for (int i = 0; i < 8; i++) {
        b[2 * i] = (uint8_t)(g[i] >> 8);
        b[2 * i + 1] = (uint8_t)g[i];
    }
    return naru_addr_v6(b);
}

static const struct naru_addr *gateway6_of(struct naru_stack *s, struct naru_addr dst)
{
    const struct route6 *r = route6_lookup(s, dst.v6);
    assert_non_null(r);
    return &r->gateway;
}

static void ipv6_longest_prefix_wins_and_default_catches_the_rest(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    struct naru_addr any = v6(0, 0, 0, 0, 0, 0, 0, 0), gw_default = v6(0xfe80, 0, 0, 0, 0, 0, 0, 1);
    struct naru_addr net32 = v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), gw32 = v6(0xfe80, 0, 0, 0, 0, 0, 0, 2);
    struct naru_addr net61 = v6(0x2001, 0xdb8, 1, 0x8, 0, 0, 0, 0), gw61 = v6(0xfe80, 0, 0, 0, 0, 0, 0, 3);
    struct naru_addr host = v6(0x2001, 0xdb8, 1, 0xa, 0, 0, 0, 7), gw128 = v6(0xfe80, 0, 0, 0, 0, 0, 0, 4);
    struct naru_addr link = v6(0x2001, 0xdb8, 9, 0, 0, 0, 0, 0);
    assert_int_equal(naru_route_add(s, &any, 0, &gw_default, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &net32, 32, &gw32, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &net61, 61, &gw61, h->ifindex), 0); /* 2001:db8:1:8::/61 */
    assert_int_equal(naru_route_add(s, &host, 128, &gw128, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &link, 64, NULL, h->ifindex), 0);
    assert_true(naru_addr_equal(gateway6_of(s, host), &gw128));
    /* :f is inside the /61 (8..f), :10 is not. */
    assert_true(naru_addr_equal(gateway6_of(s, v6(0x2001, 0xdb8, 1, 0xf, 0, 0, 0, 1)), &gw61));
    assert_true(naru_addr_equal(gateway6_of(s, v6(0x2001, 0xdb8, 1, 0x10, 0, 0, 0, 1)), &gw32));
    assert_true(naru_addr_equal(gateway6_of(s, v6(0x2001, 0xdb9, 0, 0, 0, 0, 0, 1)), &gw_default));
    assert_int_equal(gateway6_of(s, v6(0x2001, 0xdb8, 9, 0, 0, 0, 0, 0x55))->family, NARU_AF_UNSPEC); /* on-link */
    assert_int_equal(naru_route_del(s, &net61, 61), 0);
    assert_true(naru_addr_equal(gateway6_of(s, v6(0x2001, 0xdb8, 1, 0xf, 0, 0, 0, 1)), &gw32));
    /* IPv4 through the same call, and the tables do not mix. */
    struct naru_addr v4net = naru_addr_v4(ip("10.8.0.0")), v4gw = naru_addr_v4(ip("10.0.0.2"));
    assert_int_equal(naru_route_add(s, &v4net, 16, &v4gw, h->ifindex), 0);
    assert_int_equal(route_lookup(s, ip("10.8.1.1"))->gateway, ip("10.0.0.2"));
    assert_true(naru_addr_equal(gateway6_of(s, v6(0, 0, 0, 0, 0, 0, 0x0a08, 0x0101)), &gw_default));
    assert_int_equal(naru_route_del(s, &v4net, 16), 0);
    assert_null(route_lookup(s, ip("10.8.1.1")));
    capture_host_free(h);
}

static void bad_ipv6_routes_are_refused(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    struct naru_addr net = v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), v4gw = naru_addr_v4(ip("10.0.0.2"));
    struct naru_addr host_bits = v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), none = { .family = NARU_AF_UNSPEC };
    assert_int_equal(naru_route_add(s, &host_bits, 64, NULL, h->ifindex), -EINVAL);
    assert_int_equal(naru_route_add(s, &net, 129, NULL, h->ifindex), -EINVAL);
    assert_int_equal(naru_route_add(s, &net, 32, NULL, 5), -EINVAL);
    assert_int_equal(naru_route_add(s, &net, 32, &v4gw, h->ifindex), -EINVAL); /* families differ */
    assert_int_equal(naru_route_add(s, &none, 0, NULL, h->ifindex), -EAFNOSUPPORT);
    assert_int_equal(naru_route_add(s, &net, 32, NULL, h->ifindex), 0);
    assert_int_equal(naru_route_add(s, &net, 32, NULL, h->ifindex), -EEXIST);
    assert_int_equal(naru_route_del(s, &net, 48), -ENOENT);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    /* The table holds fe80::/64 (the link-local address's) and net/32. */
    for (uint32_t i = 2; i < c.routes; i++) {
        struct naru_addr more = v6(0x2001, 0xdb8, (uint16_t)i, 0, 0, 0, 0, 0);
        assert_int_equal(naru_route_add(s, &more, 48, NULL, h->ifindex), 0);
    }
    struct naru_addr full = v6(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 0);
    assert_int_equal(naru_route_add(s, &full, 48, NULL, h->ifindex), -ENOSPC);
    capture_host_free(h);
}

/* The prefix match compares whole 64-bit words, then bytes, then bits: a
 * route of every length from 0 to 128 takes an address that differs from
 * it only past the prefix, and not one that differs in its last bit. */
static void ipv6_prefix_of_every_length_matches_to_its_last_bit(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    const struct naru_addr gw = v6(0xfe80, 0, 0, 0, 0, 0, 0, 0x99);
    const struct naru_addr base = v6(0x2001, 0xdb8, 0x1234, 0x5678, 0x9abc, 0xdef0, 0x1357, 0x9bdf);
    for (int len = 0; len <= 128; len++) {
        struct naru_addr net = naru_addr_mask(&base, (uint8_t)len);
        assert_int_equal(naru_route_add(s, &net, (uint8_t)len, &gw, h->ifindex), 0);
        /* Every bit past the prefix flipped: still the route's. */
        struct naru_addr inside = base;
        for (int bit = len; bit < 128; bit++)
            inside.v6[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        assert_true(naru_addr_equal(gateway6_of(s, inside), &gw));
        if (len > 0) {
            /* The prefix's last bit flipped: not this route's. */
            struct naru_addr outside = base;
            outside.v6[(len - 1) / 8] ^= (uint8_t)(0x80 >> ((len - 1) % 8));
            const struct route6 *r = route6_lookup(s, outside.v6);
            assert_true(!r || !naru_addr_equal(&r->gateway, &gw));
        }
        assert_int_equal(naru_route_del(s, &net, (uint8_t)len), 0);
    }
    capture_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longest_prefix_wins_and_default_catches_the_rest),
        cmocka_unit_test(bad_routes_are_refused),
        cmocka_unit_test(no_route_means_net_unreachable_for_the_sender),
        cmocka_unit_test(thousands_of_routes_match_a_search_of_every_route),
        cmocka_unit_test(ipv6_longest_prefix_wins_and_default_catches_the_rest),
        cmocka_unit_test(bad_ipv6_routes_are_refused),
        cmocka_unit_test(ipv6_prefix_of_every_length_matches_to_its_last_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
