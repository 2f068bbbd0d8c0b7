/* An interface's IPv6 addresses: a bounded list with states and
 * lifetimes (RFC 4862), which SLAAC and DAD will fill. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/ip.h"
#include "link/iface.h"
#include "stack.h"

static const uint8_t link_local[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x01 };
static const uint8_t global[16] = { 0x20, 0x01, 0x0d, 0xb8, [7] = 0x01, [15] = 0x01 };

/* The interface, its list emptied of the link-local address it came up
 * with (ipv6_iface_up()), so each test starts from nothing. */
static struct naru_iface *iface_of(struct capture_host *h)
{
    struct naru_iface *iface = iface_get(h->stack, h->ifindex);
    iface->addr6_count = 0;
    return iface;
}

static void addresses_are_ours_once_no_longer_tentative(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_iface *iface = iface_of(h);
    struct naru_addr g = naru_addr_v6(global);
    assert_int_equal(iface_addr6_add(h->stack, iface, link_local, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    assert_int_equal(iface_addr6_add(h->stack, iface, global, 64, IFA6_TENTATIVE, IFA6_AUTOCONF, 7200 * NARU_SEC,
                                     1800 * NARU_SEC),
                     0);
    assert_true(iface_owns_addr6(h->stack, link_local));
    /* RFC 4862 5.4: a tentative address is not yet assigned. */
    assert_false(iface_owns_addr6(h->stack, global));
    assert_false(ip_is_local(h->stack, &g));
    iface_addr6_find(iface, global)->state = IFA6_PREFERRED;
    assert_true(ip_is_local(h->stack, &g));
    /* Deprecated is still ours (RFC 4862 5.5.4). */
    iface_addr6_find(iface, global)->state = IFA6_DEPRECATED;
    assert_true(iface_owns_addr6(h->stack, global));
    /* IPv4's address is not an IPv6 address with the same bits. */
    uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
    assert_false(iface_owns_addr6(h->stack, mapped));
    assert_int_equal(iface_addr6_remove(iface, link_local), 0);
    assert_false(iface_owns_addr6(h->stack, link_local));
    assert_true(iface_owns_addr6(h->stack, global));
    assert_int_equal(iface_addr6_remove(iface, link_local), -ENOENT);
    capture_host_free(h);
}

static void flags_and_lifetimes_are_kept(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_iface *iface = iface_of(h);
    naru_stack_poll(h->stack, 5 * NARU_SEC);
    assert_int_equal(iface_addr6_add(h->stack, iface, link_local, 64, IFA6_TENTATIVE, 0, NARU_NEVER, NARU_NEVER), 0);
    assert_int_equal(iface_addr6_add(h->stack, iface, global, 64, IFA6_PREFERRED, IFA6_AUTOCONF, 7200 * NARU_SEC,
                                     1800 * NARU_SEC),
                     0);
    const struct iface_addr6 *ll = iface_addr6_find(iface, link_local);
    const struct iface_addr6 *g = iface_addr6_find(iface, global);
    assert_int_equal(ll->flags, IFA6_LINK_LOCAL); /* from fe80::/10 itself */
    assert_int_equal(ll->valid_until, NARU_NEVER);
    assert_int_equal(g->flags, IFA6_AUTOCONF);
    assert_int_equal(g->prefix_len, 64);
    assert_int_equal(g->valid_until, 7205 * NARU_SEC);
    assert_int_equal(g->preferred_until, 1805 * NARU_SEC);
    capture_host_free(h);
}

static void the_list_is_bounded_and_checked(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_iface *iface = iface_of(h);
    uint8_t a[16];
    memcpy(a, global, 16);
    for (int i = 0; i < IFACE_ADDR6_MAX; i++) {
        a[15] = (uint8_t)(i + 1);
        assert_int_equal(iface_addr6_add(h->stack, iface, a, 64, IFA6_PREFERRED, IFA6_STATIC, NARU_NEVER, NARU_NEVER),
                         0);
    }
    a[15] = 0x77;
    assert_int_equal(iface_addr6_add(h->stack, iface, a, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), -ENOSPC);
    assert_int_equal(iface_addr6_add(h->stack, iface, global, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER),
                     -EEXIST);
    assert_int_equal(iface_addr6_remove(iface, global), 0);
    assert_int_equal(iface_addr6_add(h->stack, iface, link_local, 129, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER),
                     -EINVAL);
    assert_int_equal(iface_addr6_add(h->stack, iface, link_local, 64, IFA6_PREFERRED, 0, 10, 20), -EINVAL);
    static const uint8_t unspecified[16], group[16] = { 0xff, 0x02, [15] = 1 };
    assert_int_equal(iface_addr6_add(h->stack, iface, unspecified, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER),
                     -EINVAL);
    assert_int_equal(iface_addr6_add(h->stack, iface, group, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), -EINVAL);
    assert_int_equal(iface_addr6_add(h->stack, iface, link_local, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    assert_int_equal(iface->addr6_count, IFACE_ADDR6_MAX);
    capture_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addresses_are_ours_once_no_longer_tentative),
        cmocka_unit_test(flags_and_lifetimes_are_kept),
        cmocka_unit_test(the_list_is_bounded_and_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
