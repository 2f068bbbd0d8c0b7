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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longest_prefix_wins_and_default_catches_the_rest),
        cmocka_unit_test(bad_routes_are_refused),
        cmocka_unit_test(no_route_means_net_unreachable_for_the_sender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
