/* RFC 7217 stable interface identifiers: the same inputs give the same
 * identifier, every input changes it, reserved identifiers (RFC 5453) are
 * known, and a stack's seed reproduces its link-local address. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "ip/stable_iid.h"
#include "link/iface.h"
#include "stack.h"

static const uint8_t secret[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t prefix[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };

static void iid(const uint8_t key[16], const uint8_t pfx[8], const char *name, const char *net, uint8_t counter,
                uint8_t out[8])
{
    stable_iid(key, pfx, name, (const uint8_t *)net, net ? strlen(net) : 0, &counter, out);
}

static void same_inputs_same_identifier_and_each_input_counts(void **state)
{
    (void)state;
    uint8_t a[8], b[8];
    iid(secret, prefix, "eth/0", NULL, 0, a);
    iid(secret, prefix, "eth/0", NULL, 0, b);
    assert_memory_equal(a, b, 8);
    iid(secret, prefix, "eth/1", NULL, 0, b); /* another interface */
    assert_memory_not_equal(a, b, 8);
    iid(secret, prefix, "eth/0", NULL, 1, b); /* the next DAD counter (RFC 7217 6) */
    assert_memory_not_equal(a, b, 8);
    iid(secret, prefix, "eth/0", "ssid-1", 0, b); /* a network id */
    assert_memory_not_equal(a, b, 8);
    uint8_t other_prefix[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2 };
    iid(secret, other_prefix, "eth/0", NULL, 0, b);
    assert_memory_not_equal(a, b, 8);
    uint8_t other_secret[16] = { 0 };
    iid(other_secret, prefix, "eth/0", NULL, 0, b);
    assert_memory_not_equal(a, b, 8);
    assert_false(stable_iid_is_reserved(a));
}

static void reserved_identifiers_are_known(void **state)
{
    (void)state;
    const uint8_t subnet_router[8] = { 0 };
    const uint8_t anycast_low[8] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80 };
    const uint8_t anycast_high[8] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const uint8_t below_anycast[8] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
    const uint8_t proxy_mobile[8] = { 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x52, 0x13 };
    const uint8_t ieee_reserved[8] = { 0x02, 0x00, 0x5e, 0xff, 0xfe, 0xff, 0xff, 0xff };
    const uint8_t ordinary[8] = { 0x02, 0x00, 0x5e, 0xff, 0xfd, 0xff, 0xff, 0xff };
    assert_true(stable_iid_is_reserved(subnet_router));
    assert_true(stable_iid_is_reserved(anycast_low));
    assert_true(stable_iid_is_reserved(anycast_high));
    assert_false(stable_iid_is_reserved(below_anycast));
    assert_true(stable_iid_is_reserved(proxy_mobile));
    assert_true(stable_iid_is_reserved(ieee_reserved));
    assert_false(stable_iid_is_reserved(ordinary));
}

static void link_local_address(uint64_t seed, uint8_t out[16])
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.seed = seed;
    struct capture_host *h = capture_host_new_with("10.0.0.1/24", &config);
    struct naru_iface *iface = iface_get(h->stack, h->ifindex);
    iface->addr6_count = 0; /* no MAC-derived link-local */
    assert_int_equal(addrconf_link_local_start(h->stack, iface), 0);
    assert_int_equal(iface->addr6_count, 1);
    memcpy(out, iface->addr6[0].addr, 16);
    capture_host_free(h);
}

static void a_seed_reproduces_the_link_local_address(void **state)
{
    (void)state;
    uint8_t a[16], b[16], c[16];
    link_local_address(7, a);
    link_local_address(7, b);
    link_local_address(8, c);
    static const uint8_t fe80[8] = { 0xfe, 0x80 };
    assert_memory_equal(a, fe80, 8);
    assert_memory_equal(a, b, 16);
    assert_memory_not_equal(a, c, 16);
    /* Nothing of the MAC (02:00:00:00:00:01) shows: not the modified EUI-64. */
    static const uint8_t eui64[8] = { 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01 };
    assert_memory_not_equal(a + 8, eui64, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_inputs_same_identifier_and_each_input_counts),
        cmocka_unit_test(reserved_identifiers_are_known),
        cmocka_unit_test(a_seed_reproduces_the_link_local_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
