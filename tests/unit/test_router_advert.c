/* Router advertisements from a router interface (RFC 4861 6.2): what they
 * carry, when they go (initial, unsolicited, solicited and rate-limited),
 * the last one with lifetime 0, the configuration's ranges; and a host
 * that hears them configures itself from them. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "ip/route.h"
#include "ip/router_advert.h"
#include "ip/router_discovery.h"
#include "link/iface.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t prefix1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };

struct host {
    struct capture_host *h;
    struct naru_stack *stack;
    struct naru_iface *iface;
};

static struct host host_new(bool with_link_local)
{
    struct capture_host *h = capture_host_new_without_ipv6("10.0.0.1/24");
    struct host t = { h, h->stack, iface_get(h->stack, h->ifindex) };
    if (with_link_local)
        assert_int_equal(iface_addr6_add(t.stack, t.iface, router_ll, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER),
                         0);
    return t;
}

static void run_until(struct host *t, naru_time_t when)
{
    capture_run_until(t->h, when);
}

/* The nth advertisement captured since the last clear, parsed; NULL if none. */
struct seen_ra {
    struct ipv6_header ip;
    struct ndp_message m;
};
static bool nth_ra(struct host *t, int nth, struct seen_ra *out)
{
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN + NDP_RA_LEN ||
            ipv6_parse(p, f->len - ETH_HEADER_LEN, &out->ip) < 0 || out->ip.next_header != IP_PROTO_ICMPV6 ||
            p[IPV6_HEADER_LEN] != ICMPV6_ROUTER_ADVERT)
            continue;
        struct icmpv6_message im;
        assert_int_equal(icmpv6_parse(p + IPV6_HEADER_LEN, out->ip.payload_len, out->ip.src, out->ip.dst, &im),
                         ICMPV6_HEADER_LEN);
        assert_int_equal(ndp_parse(p + IPV6_HEADER_LEN, out->ip.payload_len, out->ip.src, out->ip.dst, &out->m), 0);
        if (nth-- == 0)
            return true;
    }
    return false;
}

static int ra_count(struct host *t)
{
    struct seen_ra s;
    int n = 0;
    while (nth_ra(t, n, &s))
        n++;
    return n;
}

static struct naru_router_advert test_config(void)
{
    struct naru_router_advert c;
    naru_router_advert_default(&c);
    c.max_interval = 30 * NARU_SEC;
    c.min_interval = 10 * NARU_SEC;
    c.router_lifetime_s = 90;
    c.mtu = 1400;
    return c;
}

static void advertise_prefix1(struct host *t)
{
    struct naru_ra_prefix p = { .prefix.family = NARU_AF_INET6, .len = 64, .on_link = true, .autonomous = true, .valid_s = 86400, .preferred_s = 14400 };
    memcpy(p.prefix.v6, prefix1, 16);
    assert_int_equal(router_advert_add_prefix(t->stack, t->iface, &p), 0);
}

static void advertisements_carry_the_configuration_from_the_link_local_address(void **state)
{
    (void)state;
    struct host t = host_new(true);
    advertise_prefix1(&t);
    struct naru_router_advert c = test_config();
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), 0);
    run_until(&t, RA_MAX_DELAY_TIME);
    assert_int_equal(ra_count(&t), 1);
    struct seen_ra s;
    assert_true(nth_ra(&t, 0, &s));
    assert_memory_equal(s.ip.src, router_ll, 16);
    assert_memory_equal(s.ip.dst, all_nodes, 16);
    assert_int_equal(s.ip.hop_limit, 255);
    assert_int_equal(s.m.router_lifetime, 90);
    assert_int_equal(s.m.cur_hop_limit, 64);
    assert_non_null(s.m.options.source_lladdr);
    assert_memory_equal(s.m.options.source_lladdr, t.h->mac, 6);
    assert_true(s.m.options.mtu_present);
    assert_int_equal(s.m.options.mtu, 1400);
    size_t at = 0;
    struct ndp_prefix_info p;
    assert_true(ndp_next_prefix(&s.m.options, &at, &p));
    assert_memory_equal(p.prefix, prefix1, 16);
    assert_int_equal(p.prefix_len, 64);
    assert_true(p.on_link && p.autonomous);
    assert_int_equal(p.valid_lifetime, 86400);
    assert_int_equal(p.preferred_lifetime, 14400);
    assert_false(ndp_next_prefix(&s.m.options, &at, &p));
    capture_host_free(t.h);
}

static void unsolicited_advertisements_keep_to_the_intervals(void **state)
{
    (void)state;
    struct host t = host_new(true);
    struct naru_router_advert c = test_config();
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), 0);
    /* RFC 4861 6.2.4: the first three no more than 16 s apart. */
    run_until(&t, RA_MAX_DELAY_TIME + 2 * RA_MAX_INITIAL_ADVERT_INTERVAL);
    assert_true(ra_count(&t) >= 3);
    /* Then one every 10..30 s: over 300 s, between 10 and 30 more. */
    capture_clear(t.h);
    naru_time_t from = t.stack->now;
    run_until(&t, from + 300 * NARU_SEC);
    int n = ra_count(&t);
    assert_true(n >= 10 && n <= 30);
    capture_host_free(t.h);
}

static void solicitations_are_answered_soon_but_rate_limited(void **state)
{
    (void)state;
    struct host t = host_new(true);
    struct naru_router_advert c = test_config();
    c.max_interval = 1800 * NARU_SEC; /* unsolicited ones rare */
    c.min_interval = 1350 * NARU_SEC;
    c.router_lifetime_s = 1800;
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), 0);
    run_until(&t, 100 * NARU_SEC); /* the initial ones */
    int initial = ra_count(&t);
    assert_true(initial >= 3);
    capture_clear(t.h);
    naru_time_t now = t.stack->now;
    run_until(&t, now + 100 * NARU_SEC);
    assert_int_equal(ra_count(&t), 0); /* nothing due for a long time */
    now = t.stack->now;
    router_advert_solicited(t.stack, t.iface);
    run_until(&t, now + RA_MAX_DELAY_TIME);
    assert_int_equal(ra_count(&t), 1); /* RFC 4861 6.2.6: within MAX_RA_DELAY_TIME */
    /* A second solicitation at once: not before MIN_DELAY_BETWEEN_RAS. */
    now = t.stack->now;
    router_advert_solicited(t.stack, t.iface);
    router_advert_solicited(t.stack, t.iface);
    run_until(&t, now + RA_MIN_DELAY_BETWEEN_RAS - RA_MAX_DELAY_TIME - 1);
    assert_int_equal(ra_count(&t), 1);
    run_until(&t, now + RA_MIN_DELAY_BETWEEN_RAS);
    assert_int_equal(ra_count(&t), 2);
    assert_int_equal(t.stack->counters.rd_rx_solicits, 3);
    capture_host_free(t.h);
}

static void disabling_sends_a_last_advertisement_with_lifetime_zero(void **state)
{
    (void)state;
    struct host t = host_new(true);
    struct naru_router_advert c = test_config();
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), 0);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    router_advert_disable(t.stack, t.iface);
    struct seen_ra s;
    assert_true(nth_ra(&t, 0, &s));
    assert_int_equal(s.m.router_lifetime, 0); /* RFC 4861 6.2.5 */
    run_until(&t, 600 * NARU_SEC);
    assert_int_equal(ra_count(&t), 1);
    capture_host_free(t.h);
}

static void configurations_outside_the_rfc_ranges_are_refused(void **state)
{
    (void)state;
    struct host t = host_new(true);
    struct naru_router_advert c = test_config();
    c.max_interval = 3 * NARU_SEC;
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), -EINVAL);
    c = test_config();
    c.min_interval = c.max_interval;
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), -EINVAL);
    c = test_config();
    c.router_lifetime_s = 10; /* below MaxRtrAdvInterval */
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), -EINVAL);
    c = test_config();
    c.mtu = 1000;
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), -EINVAL);
    struct naru_ra_prefix p = { .prefix.family = NARU_AF_INET6, .len = 64, .valid_s = 10, .preferred_s = 20 };
    memcpy(p.prefix.v6, prefix1, 16);
    assert_int_equal(router_advert_add_prefix(t.stack, t.iface, &p), -EINVAL);
    for (int i = 0; i < RA_PREFIXES_MAX; i++) {
        p.prefix.v6[7] = (uint8_t)i;
        p.preferred_s = 5;
        assert_int_equal(router_advert_add_prefix(t.stack, t.iface, &p), 0);
    }
    p.prefix.v6[7] = 0x55;
    assert_int_equal(router_advert_add_prefix(t.stack, t.iface, &p), -ENOSPC);
    capture_host_free(t.h);
}

static void without_a_link_local_address_nothing_is_advertised(void **state)
{
    (void)state;
    struct host t = host_new(false);
    struct naru_router_advert c = test_config();
    assert_int_equal(router_advert_enable(t.stack, t.iface, &c), 0);
    run_until(&t, 100 * NARU_SEC);
    assert_int_equal(ra_count(&t), 0); /* RFC 4861 6.2.2 */
    capture_host_free(t.h);
}

static void a_host_configures_itself_from_our_advertisement(void **state)
{
    (void)state;
    struct host r = host_new(true);
    struct host h = host_new(false);
    advertise_prefix1(&r);
    struct naru_router_advert c = test_config();
    assert_int_equal(router_advert_enable(r.stack, r.iface, &c), 0);
    run_until(&r, RA_MAX_DELAY_TIME);
    struct seen_ra s;
    assert_true(nth_ra(&r, 0, &s));
    router_discovery_input(h.stack, h.iface, s.ip.src, s.ip.hop_limit, &s.m);
    static const uint8_t anywhere[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 7 };
    const struct route6 *def = route6_lookup(h.stack, anywhere);
    assert_non_null(def);
    assert_memory_equal(def->gateway.v6, router_ll, 16);
    assert_int_equal(h.iface->addr6_count, 1);
    assert_memory_equal(h.iface->addr6[0].addr, prefix1, 8);
    assert_int_equal(h.iface->autoconf.rd.mtu, 1400);
    capture_host_free(r.h);
    capture_host_free(h.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advertisements_carry_the_configuration_from_the_link_local_address),
        cmocka_unit_test(unsolicited_advertisements_keep_to_the_intervals),
        cmocka_unit_test(solicitations_are_answered_soon_but_rate_limited),
        cmocka_unit_test(disabling_sends_a_last_advertisement_with_lifetime_zero),
        cmocka_unit_test(configurations_outside_the_rfc_ranges_are_refused),
        cmocka_unit_test(without_a_link_local_address_nothing_is_advertised),
        cmocka_unit_test(a_host_configures_itself_from_our_advertisement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
