/* The family-neutral public API: socket addresses as text, the wildcard
 * of each family and V6ONLY, v4-mapped addresses, interface addresses of
 * both families. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/route.h"
#include "stack.h"
#include "wire/ipv4.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static int setup(void **state)
{
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    capture_teach_neighbour(h, ip("10.0.0.2"), peer_mac);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    capture_host_free(*state);
    return 0;
}

static struct naru_sockaddr parsed(const char *text, const struct naru_stack *stack)
{
    struct naru_sockaddr sa = { .port = 9 };
    if (naru_sockaddr_parse(text, stack, &sa) < 0)
        fail_msg("cannot parse '%s'", text);
    return sa;
}

static const char *formatted(const struct naru_sockaddr *sa, const struct naru_stack *stack)
{
    static char buf[NARU_SOCKADDR_STRLEN];
    return naru_sockaddr_format(sa, stack, buf);
}

static void socket_addresses_read_and_print_as_getaddrinfo_would(void **state)
{
    struct capture_host *h = *state;
    struct naru_sockaddr sa = parsed("198.18.0.1:80", NULL);
    assert_int_equal(sa.addr.family, NARU_AF_INET);
    assert_int_equal(sa.addr.v4, ip("198.18.0.1"));
    assert_int_equal(sa.port, 80);
    assert_string_equal(formatted(&sa, NULL), "198.18.0.1:80");

    sa = parsed("[2001:DB8:0:0::1]:443", NULL);
    assert_int_equal(sa.addr.family, NARU_AF_INET6);
    assert_int_equal(sa.port, 443);
    assert_int_equal(sa.scope_id, 0);
    assert_string_equal(formatted(&sa, NULL), "[2001:db8::1]:443"); /* RFC 5952 */

    sa = parsed("2001:db8::1", NULL); /* no port: the one given is kept */
    assert_int_equal(sa.port, 9);
    sa.port = 0;
    assert_string_equal(formatted(&sa, NULL), "2001:db8::1");

    /* A zone by interface name, or by number; printed by name when the
     * stack is known. */
    sa = parsed("fe80::1%cap0", h->stack);
    assert_int_equal(sa.scope_id, NARU_SCOPE_ID(h->ifindex));
    assert_int_equal(naru_scope_ifindex(sa.scope_id), h->ifindex);
    assert_string_equal(formatted(&sa, h->stack), "[fe80::1%cap0]:9");
    assert_string_equal(formatted(&sa, NULL), "[fe80::1%1]:9");
    sa = parsed("[fe80::1%1]:22", NULL);
    assert_int_equal(sa.scope_id, 1);
    assert_int_equal(sa.port, 22);

    sa = (struct naru_sockaddr){ .port = 7 };
    assert_string_equal(formatted(&sa, NULL), "*:7");
}

static void bad_socket_address_text_is_refused(void **state)
{
    struct capture_host *h = *state;
    static const char *const bad[] = {
        "", "198.18.0.1:", "198.18.0.1:65536", "198.18.0.1:8o", "198.18.0.256", "[198.18.0.1]:80",
        "[2001:db8::1", "[2001:db8::1]80", "2001:db8::1%cap0", /* a zone for a global address */
        "fe80::1%nosuch", "fe80::1%", "198.18.0.1%cap0", "[fe80::1%cap0]:", "example.com:80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct naru_sockaddr sa = { .port = 9 };
        if (naru_sockaddr_parse(bad[i], h->stack, &sa) != -EINVAL)
            fail_msg("'%s' was taken", bad[i]);
        assert_int_equal(sa.port, 9); /* untouched */
    }
    /* Without brackets, colons are the address's: no port is read. */
    struct naru_sockaddr sa = parsed("2001:db8::1:80", NULL);
    assert_int_equal(sa.port, 9);
}

static void deliver(struct capture_host *h, uint16_t dport, const char *text)
{
    uint8_t udp[128], frame[256];
    size_t n = build_udp(udp, ip("10.0.0.2"), h->addr, 4000, dport, text, strlen(text));
    struct frame_spec spec = { .src = ip("10.0.0.2"), .dst = h->addr, .protocol = IP_PROTO_UDP };
    naru_stack_input(h->stack, h->ifindex, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
}

static int bound(struct naru_stack *stack, const char *addr, uint16_t port, bool v6only)
{
    int s = naru_socket(stack, NARU_SOCK_DGRAM);
    struct naru_sockaddr sa = { .port = port };
    assert_int_equal(naru_addr_parse(addr, &sa.addr), 0);
    assert_int_equal(naru_setsockopt(stack, s, NARU_IPV6_V6ONLY, v6only), 0);
    assert_int_equal(naru_bind(stack, s, &sa), 0);
    return s;
}

static void ipv6_wildcard_takes_ipv4_unless_v6only_and_reports_ipv4_peers_as_ipv4(void **state)
{
    struct capture_host *h = *state;
    int dual = bound(h->stack, "::", 5000, false);
    int v6only = bound(h->stack, "::", 5001, true);
    int v4 = bound(h->stack, "0.0.0.0", 5002, false);
    deliver(h, 5000, "dual");
    deliver(h, 5001, "v6only");
    deliver(h, 5002, "v4");
    char buf[16];
    struct naru_sockaddr from;
    assert_int_equal(naru_recvfrom(h->stack, dual, buf, sizeof buf, 0, &from), 4);
    assert_int_equal(from.addr.family, NARU_AF_INET); /* not ::ffff:10.0.0.2 */
    assert_int_equal(from.addr.v4, ip("10.0.0.2"));
    assert_int_equal(from.port, 4000);
    assert_int_equal(naru_recvfrom(h->stack, v6only, buf, sizeof buf, 0, &from), -EAGAIN);
    assert_int_equal(counter(h->stack, "udp_rx_no_port"), 1); /* and answered port unreachable */
    assert_int_equal(naru_recvfrom(h->stack, v4, buf, sizeof buf, 0, &from), 2);

    /* getsockname says which wildcard; V6ONLY is for before bind. */
    struct naru_sockaddr local;
    assert_int_equal(naru_getsockname(h->stack, dual, &local), 0);
    assert_int_equal(local.addr.family, NARU_AF_INET6);
    assert_true(naru_addr_is_unspecified(&local.addr));
    assert_int_equal(naru_getsockname(h->stack, v4, &local), 0);
    assert_int_equal(local.addr.family, NARU_AF_INET);
    assert_int_equal(local.addr.v4, 0);
    assert_int_equal(naru_setsockopt(h->stack, v6only, NARU_IPV6_V6ONLY, 0), -EINVAL);
    int value = 0;
    assert_int_equal(naru_getsockopt(h->stack, v6only, NARU_IPV6_V6ONLY, &value), 0);
    assert_int_equal(value, 1);
}

static void v4_mapped_address_means_the_ipv4_address(void **state)
{
    struct capture_host *h = *state;
    int s = naru_socket(h->stack, NARU_SOCK_DGRAM);
    struct naru_sockaddr to = { .port = 53 };
    assert_int_equal(naru_addr_parse("::ffff:10.0.0.2", &to.addr), 0);
    assert_int_equal(naru_connect(h->stack, s, &to), 0);
    struct naru_sockaddr peer;
    assert_int_equal(naru_getpeername(h->stack, s, &peer), 0);
    assert_int_equal(peer.addr.family, NARU_AF_INET);
    assert_int_equal(peer.addr.v4, ip("10.0.0.2"));
    capture_clear(h);
    assert_int_equal(naru_send(h->stack, s, "q", 1, 0), 1);
    const struct captured_frame *f = capture_take_ip(h);
    assert_non_null(f);
    assert_memory_equal(f->data + 14 + 16, "\x0a\x00\x00\x02", 4); /* IPv4 destination */
    struct naru_sockaddr odd = { .addr = { .family = 5 }, .port = 53 };
    assert_int_equal(naru_connect(h->stack, s, &odd), -EAFNOSUPPORT);
}

static void interface_holds_addresses_of_both_families(void **state)
{
    struct capture_host *h = *state;
    struct naru_addr a6, b6;
    assert_int_equal(naru_addr_parse("2001:db8:1::1", &a6), 0);
    assert_int_equal(naru_addr_parse("2001:db8:2::1", &b6), 0);
    assert_int_equal(naru_if_add_addr(h->stack, h->ifindex, &a6, 64), 0);
    assert_int_equal(naru_if_add_addr(h->stack, h->ifindex, &b6, 128), 0);
    assert_int_equal(naru_if_add_addr(h->stack, h->ifindex, &a6, 64), -EEXIST);
    assert_int_equal(naru_if_add_addr(h->stack, h->ifindex, &a6, 129), -EINVAL);
    struct naru_if_addr got[5];
    assert_int_equal(naru_if_get_addrs(h->stack, h->ifindex, got, 5), 4);
    assert_int_equal(got[0].addr.family, NARU_AF_INET); /* IPv4's first */
    assert_int_equal(got[0].addr.v4, ip("10.0.0.1"));
    assert_int_equal(got[0].prefix_len, 24);
    /* The link-local address the interface came up with (from its MAC). */
    assert_int_equal(got[1].addr.family, NARU_AF_INET6);
    assert_int_equal(got[1].addr.v6[0], 0xfe);
    assert_int_equal(got[1].addr.v6[1], 0x80);
    assert_int_equal(got[1].prefix_len, 64);
    assert_true(naru_addr_equal(&got[2].addr, &a6));
    assert_int_equal(got[2].prefix_len, 64);
    assert_int_equal(got[2].flags, 0);
    assert_true(naru_addr_equal(&got[3].addr, &b6));
    assert_int_equal(naru_if_get_addrs(h->stack, h->ifindex, got, 1), 4); /* how many, though one fits */
    assert_int_equal(naru_if_get_addrs(h->stack, 7, got, 4), -EINVAL);
    /* The /64 is on-link, as `ip addr add` makes it; a /128 adds no route. */
    struct naru_addr neighbour;
    assert_int_equal(naru_addr_parse("2001:db8:1::99", &neighbour), 0);
    const struct route6 *r = route6_lookup(h->stack, neighbour.v6);
    assert_non_null(r);
    assert_int_equal(r->prefix_len, 64);
    assert_int_equal(r->gateway.family, NARU_AF_UNSPEC);
    assert_int_equal(naru_addr_parse("2001:db8:2::99", &neighbour), 0);
    assert_null(route6_lookup(h->stack, neighbour.v6));
    /* An IPv4 address given this way replaces the interface's one. */
    struct naru_addr v4 = naru_addr_v4(ip("10.0.1.1"));
    assert_int_equal(naru_if_add_addr(h->stack, h->ifindex, &v4, 24), 0);
    assert_int_equal(naru_if_get_addrs(h->stack, h->ifindex, got, 5), 4);
    assert_int_equal(got[0].addr.v4, ip("10.0.1.1"));
    assert_string_equal(naru_if_name(h->stack, h->ifindex), "cap0");
    assert_int_equal(naru_if_index(h->stack, "cap0"), h->ifindex);
    assert_int_equal(naru_if_index(h->stack, "eth9"), -ENODEV);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(socket_addresses_read_and_print_as_getaddrinfo_would),
        T(bad_socket_address_text_is_refused),
        T(ipv6_wildcard_takes_ipv4_unless_v6only_and_reports_ipv4_peers_as_ipv4),
        T(v4_mapped_address_means_the_ipv4_address),
        T(interface_holds_addresses_of_both_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
