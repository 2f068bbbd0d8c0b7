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
    assert_int_equal(naru_route_add(s, 0, 0, ip("10.0.0.254"), h->ifindex), 0);
    assert_int_equal(naru_route_add(s, ip("10.8.0.0"), 16, ip("10.0.0.2"), h->ifindex), 0);
    assert_int_equal(naru_route_add(s, ip("10.8.4.0"), 24, ip("10.0.0.3"), h->ifindex), 0);
    assert_int_equal(naru_route_add(s, ip("10.8.4.7"), 32, ip("10.0.0.4"), h->ifindex), 0);
    assert_int_equal(route_lookup(s, ip("10.8.4.7"))->gateway, ip("10.0.0.4"));
    assert_int_equal(route_lookup(s, ip("10.8.4.8"))->gateway, ip("10.0.0.3"));
    assert_int_equal(route_lookup(s, ip("10.8.5.1"))->gateway, ip("10.0.0.2"));
    assert_int_equal(route_lookup(s, ip("192.0.2.1"))->gateway, ip("10.0.0.254"));
    assert_int_equal(route_lookup(s, ip("10.0.0.77"))->gateway, 0); /* connected */
    assert_int_equal(naru_route_del(s, ip("10.8.4.0"), 24), 0);
    assert_int_equal(route_lookup(s, ip("10.8.4.8"))->gateway, ip("10.0.0.2"));
    capture_host_free(h);
}

static void bad_routes_are_refused(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_stack *s = h->stack;
    assert_int_equal(naru_route_add(s, ip("10.8.0.1"), 16, 0, h->ifindex), -EINVAL); /* host bits set */
    assert_int_equal(naru_route_add(s, ip("10.8.0.0"), 33, 0, h->ifindex), -EINVAL);
    assert_int_equal(naru_route_add(s, ip("10.8.0.0"), 16, 0, 5), -EINVAL);
    assert_int_equal(naru_route_add(s, ip("10.0.0.0"), 24, 0, h->ifindex), -EEXIST);
    assert_int_equal(naru_route_del(s, ip("10.9.0.0"), 16), -ENOENT);
    capture_host_free(h);
}

static void no_route_means_net_unreachable_for_the_sender(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    int sock = udp_socket(h->stack, 0);
    struct naru_sockaddr to = { ip("192.0.2.1"), 9 };
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
        in[i] = naru_route_add(s, dst[i], len[i], gw[i], h->ifindex) == 0;
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
                assert_int_equal(naru_route_del(s, dst[i], len[i]), 0);
                in[i] = false;
            } else {
                in[i] = naru_route_add(s, dst[i], len[i], gw[i], h->ifindex) == 0;
            }
        }
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
