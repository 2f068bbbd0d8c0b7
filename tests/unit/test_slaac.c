/* IPv6 address autoconfiguration on one interface (RFC 4862): the
 * link-local address through DAD, DAD's probes and conflicts (RFC 7527
 * nonces, RFC 7217 retries), SLAAC addresses from prefixes, and every
 * address's lifetimes, the "two hours" rule included. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "ip/ip.h"
#include "ip/route.h"
#include "link/iface.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"

static const uint8_t doc_prefix[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };

struct host {
    struct capture_host *h;
    struct naru_stack *stack;
    struct naru_iface *iface;
};

static struct host host_new(void)
{
    struct capture_host *h = capture_host_new_without_ipv6("10.0.0.1/24");
    return (struct host){ h, h->stack, iface_get(h->stack, h->ifindex) };
}

/* Poll at every deadline up to `when`, as a driver loop would. */
static void run_until(struct host *t, naru_time_t when)
{
    capture_run_until(t->h, when);
}

/* The nth (from 0) captured frame carrying ICMPv6 of `type` since the
 * last capture_clear, or NULL; its IPv6 header into *ip, the message's
 * length into *len. Every ICMPv6 message's checksum is checked. */
static const uint8_t *find_icmpv6(struct host *t, uint8_t type, int nth, struct ipv6_header *ip, size_t *len)
{
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN || f->data[12] != 0x86 || f->data[13] != 0xdd)
            continue;
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        assert_int_equal(ipv6_parse(p, f->len - ETH_HEADER_LEN, ip), IPV6_HEADER_LEN);
        size_t off = IPV6_HEADER_LEN;
        if (ip->next_header == IP_PROTO_HOPOPTS)
            off += 8;
        const uint8_t *msg = p + off;
        *len = IPV6_HEADER_LEN + ip->payload_len - off;
        struct icmpv6_message m;
        assert_int_equal(icmpv6_parse(msg, *len, ip->src, ip->dst, &m), ICMPV6_HEADER_LEN);
        if (msg[0] == type && nth-- == 0)
            return msg;
    }
    return NULL;
}

static int count_icmpv6(struct host *t, uint8_t type)
{
    struct ipv6_header ip;
    size_t len;
    int n = 0;
    while (find_icmpv6(t, type, n, &ip, &len))
        n++;
    return n;
}

static void link_local_is_tentative_then_preferred_after_one_probe(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(addrconf_link_local_start(t.stack, t.iface), 0);
    struct iface_addr6 *ll = &t.iface->addr6[0];
    uint8_t addr[16];
    memcpy(addr, ll->addr, 16);
    assert_int_equal(ll->state, IFA6_TENTATIVE);
    assert_true(ll->flags & IFA6_LINK_LOCAL);
    assert_false(iface_owns_addr6(t.stack, addr)); /* RFC 4862 5.4: not ours yet */
    /* The route it implies: fe80::/64 on-link (RFC 4862 5.3). */
    const struct route6 *r = route6_lookup(t.stack, addr);
    assert_non_null(r);
    assert_int_equal(r->prefix_len, 64);
    assert_int_equal(r->ifindex, t.h->ifindex);

    /* Within MAX_RTR_SOLICITATION_DELAY: the MLD report joining the
     * solicited-node group (from ::, RFC 3810 5.2.13), and one NS from ::
     * to that group, for the address, with a nonce and no source
     * link-layer address (RFC 4862 5.4.2, RFC 7527). */
    run_until(&t, 1 * NARU_SEC);
    uint8_t group[16];
    ipv6_solicited_node(addr, group);
    struct ipv6_header ip;
    size_t len;
    const uint8_t *msg = find_icmpv6(&t, ICMPV6_MLD_V2_REPORT, 0, &ip, &len);
    assert_non_null(msg);
    assert_true(ipv6_addr_is_unspecified(ip.src));
    assert_int_equal(ip.hop_limit, 1);
    struct mld_report rep;
    assert_int_equal(mld_report_parse(msg, len, &rep), 0);
    size_t at = 0;
    struct mld_record rec;
    assert_true(mld_next_record(&rep, &at, &rec));
    assert_int_equal(rec.type, MLD_CHANGE_TO_EXCLUDE);
    assert_memory_equal(rec.group, group, 16);

    msg = find_icmpv6(&t, ICMPV6_NEIGHBOR_SOLICIT, 0, &ip, &len);
    assert_non_null(msg);
    assert_true(ipv6_addr_is_unspecified(ip.src));
    assert_memory_equal(ip.dst, group, 16);
    assert_int_equal(ip.hop_limit, 255);
    struct ndp_message ns;
    assert_int_equal(ndp_parse(msg, len, ip.src, ip.dst, &ns), 0);
    assert_memory_equal(ns.target, addr, 16);
    assert_null(ns.options.source_lladdr);
    assert_non_null(ns.options.nonce);
    assert_int_equal(count_icmpv6(&t, ICMPV6_NEIGHBOR_SOLICIT), 1); /* DupAddrDetectTransmits = 1 */
    assert_int_equal(t.stack->counters.addrconf_dad_probes, 1);
    assert_int_equal(t.iface->addr6[0].state, IFA6_TENTATIVE);

    /* RetransTimer after the probe with no answer: ours. */
    run_until(&t, 2 * NARU_SEC + 1);
    assert_int_equal(t.iface->addr6[0].state, IFA6_PREFERRED);
    assert_true(iface_owns_addr6(t.stack, addr));
    assert_int_equal(count_icmpv6(&t, ICMPV6_NEIGHBOR_SOLICIT), 1);
    capture_host_free(t.h);
}

static void our_own_probe_looped_back_is_no_conflict(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(addrconf_link_local_start(t.stack, t.iface), 0);
    uint8_t addr[16], nonce[6];
    memcpy(addr, t.iface->addr6[0].addr, 16);
    memcpy(nonce, t.iface->addr6[0].dad_nonce, 6);
    /* RFC 7527 4.2: the same nonce is our probe, heard back. */
    assert_true(addrconf_dad_heard(t.stack, t.iface, addr, true, true, nonce, 6));
    assert_int_equal(t.stack->counters.addrconf_dad_looped, 1);
    assert_int_equal(t.stack->counters.addrconf_dad_conflicts, 0);
    /* An NS from a unicast source is resolution, no conflict (5.4.3). */
    assert_true(addrconf_dad_heard(t.stack, t.iface, addr, true, false, NULL, 0));
    assert_int_equal(t.stack->counters.addrconf_dad_conflicts, 0);
    /* A message about an address we do not hold is not DAD's. */
    assert_false(addrconf_dad_heard(t.stack, t.iface, doc_prefix, false, false, NULL, 0));
    run_until(&t, 3 * NARU_SEC);
    assert_int_equal(t.iface->addr6[0].state, IFA6_PREFERRED);
    /* Once preferred, DAD is over: an NA for it is neighbour discovery's. */
    assert_false(addrconf_dad_heard(t.stack, t.iface, addr, false, false, NULL, 0));
    capture_host_free(t.h);
}

static void link_local_conflict_disables_ipv6_on_the_interface(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(addrconf_link_local_start(t.stack, t.iface), 0);
    uint8_t addr[16];
    memcpy(addr, t.iface->addr6[0].addr, 16);
    /* Another node doing DAD for the same address (another nonce). */
    uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
    assert_true(addrconf_dad_heard(t.stack, t.iface, addr, true, true, nonce, 6));
    assert_int_equal(t.stack->counters.addrconf_dad_conflicts, 1);
    assert_int_equal(t.stack->counters.addrconf_ipv6_disabled, 1);
    assert_int_equal(t.iface->addr6_count, 0);
    assert_false(addrconf_enabled(&t.iface->autoconf));
    /* RFC 4862 5.4.5: nothing more is configured on it. */
    struct ndp_prefix_info p = { .prefix_len = 64, .on_link = true, .autonomous = true, .valid_lifetime = 3600,
                                 .preferred_lifetime = 1800 };
    memcpy(p.prefix, doc_prefix, 16);
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(t.iface->addr6_count, 0);
    capture_clear(t.h);
    run_until(&t, 10 * NARU_SEC);
    assert_int_equal(count_icmpv6(&t, ICMPV6_NEIGHBOR_SOLICIT), 0);
    capture_host_free(t.h);
}

static void slaac_conflict_retries_with_the_next_dad_counter_then_gives_up(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ndp_prefix_info p = { .prefix_len = 64, .on_link = true, .autonomous = true, .valid_lifetime = 3600,
                                 .preferred_lifetime = 1800 };
    memcpy(p.prefix, doc_prefix, 16);
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(t.iface->addr6_count, 1);
    assert_int_equal(t.stack->counters.addrconf_slaac_formed, 1);
    uint8_t seen[4][16];
    for (int i = 0; i < 4; i++) {
        struct iface_addr6 *x = &t.iface->addr6[0];
        assert_int_equal(t.iface->addr6_count, 1);
        assert_int_equal(x->dad_counter, i);
        assert_true(x->flags & IFA6_AUTOCONF);
        assert_memory_equal(x->addr, doc_prefix, 8);
        memcpy(seen[i], x->addr, 16);
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(seen[i], seen[j], 16);
        /* An NA for it: someone holds it (RFC 4862 5.4.4). */
        assert_true(addrconf_dad_heard(t.stack, t.iface, seen[i], false, false, NULL, 0));
    }
    /* RFC 7217 IDGEN_RETRIES = 3: four tries in all, then none. */
    assert_int_equal(t.iface->addr6_count, 0);
    assert_int_equal(t.stack->counters.addrconf_dad_conflicts, 4);
    assert_int_equal(t.stack->counters.addrconf_ipv6_disabled, 0);
    assert_true(addrconf_enabled(&t.iface->autoconf));
    capture_host_free(t.h);
}

static void slaac_address_is_deprecated_then_removed_as_lifetimes_end(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ndp_prefix_info p = { .prefix_len = 64, .on_link = true, .autonomous = true, .valid_lifetime = 30,
                                 .preferred_lifetime = 10 };
    memcpy(p.prefix, doc_prefix, 16);
    addrconf_prefix(t.stack, t.iface, &p);
    uint8_t addr[16];
    memcpy(addr, t.iface->addr6[0].addr, 16);
    run_until(&t, 5 * NARU_SEC);
    assert_int_equal(t.iface->addr6[0].state, IFA6_PREFERRED);
    run_until(&t, 10 * NARU_SEC);
    assert_int_equal(t.iface->addr6[0].state, IFA6_DEPRECATED);
    assert_true(iface_owns_addr6(t.stack, addr)); /* deprecated is still ours */
    run_until(&t, 30 * NARU_SEC);
    assert_int_equal(t.iface->addr6_count, 0);
    assert_int_equal(t.stack->counters.addrconf_expired, 1);
    assert_false(iface_owns_addr6(t.stack, addr));
    /* Its solicited-node group was left: the leave is reported. */
    uint8_t group[16];
    ipv6_solicited_node(addr, group);
    assert_false(mld_listening(t.iface, group));
    capture_host_free(t.h);
}

static void two_hours_rule_keeps_a_forged_short_lifetime_from_ending_an_address(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ndp_prefix_info p = { .prefix_len = 64, .on_link = true, .autonomous = true,
                                 .valid_lifetime = 3 * 3600, .preferred_lifetime = 3600 };
    memcpy(p.prefix, doc_prefix, 16);
    addrconf_prefix(t.stack, t.iface, &p);
    run_until(&t, 3 * NARU_SEC);
    const struct iface_addr6 *x = &t.iface->addr6[0];
    naru_time_t now = 3 * NARU_SEC;
    /* RFC 4862 5.5.3 (e) 3: 3 h remain, an RA says 60 s: two hours. */
    p.valid_lifetime = 60;
    p.preferred_lifetime = 30;
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(t.iface->addr6_count, 1);
    assert_int_equal(x->valid_until, now + 2 * 3600 * NARU_SEC);
    assert_int_equal(x->preferred_until, now + 30 * NARU_SEC); /* preferred taken as it comes */
    /* (e) 2: now two hours remain and the RA says 60 s again: kept. */
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(x->valid_until, now + 2 * 3600 * NARU_SEC);
    /* (e) 1: more than two hours: taken. */
    p.valid_lifetime = 5 * 3600;
    p.preferred_lifetime = 3600;
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(x->valid_until, now + 5 * 3600 * NARU_SEC);
    /* (e) 1: more than what remains, though below two hours, is taken too. */
    p.valid_lifetime = 60;
    p.preferred_lifetime = 60;
    addrconf_prefix(t.stack, t.iface, &p); /* 5 h remain: down to 2 h */
    run_until(&t, now + (2 * 3600 - 100) * NARU_SEC);
    now = t.stack->now;
    p.valid_lifetime = 1000;
    addrconf_prefix(t.stack, t.iface, &p); /* 100 s remain, 1000 offered */
    assert_int_equal(x->valid_until, now + 1000 * NARU_SEC);
    /* Infinity is infinity. */
    p.valid_lifetime = UINT32_MAX;
    p.preferred_lifetime = UINT32_MAX;
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(x->valid_until, NARU_NEVER);
    assert_int_equal(x->preferred_until, NARU_NEVER);
    capture_host_free(t.h);
}

static void prefixes_slaac_must_ignore_are_ignored(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ndp_prefix_info p = { .prefix_len = 64, .autonomous = true, .valid_lifetime = 100,
                                 .preferred_lifetime = 200 }; /* preferred above valid (5.5.3 (c)) */
    memcpy(p.prefix, doc_prefix, 16);
    addrconf_prefix(t.stack, t.iface, &p);
    p.preferred_lifetime = 50;
    p.autonomous = false; /* (a) */
    addrconf_prefix(t.stack, t.iface, &p);
    p.autonomous = true;
    p.prefix_len = 48; /* (d): the identifier is 64 bits */
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(t.stack->counters.addrconf_prefix_ignored, 1);
    p.prefix_len = 64;
    p.valid_lifetime = 0; /* a new prefix without lifetime */
    p.preferred_lifetime = 0;
    addrconf_prefix(t.stack, t.iface, &p);
    static const uint8_t link_local[16] = { 0xfe, 0x80 };
    memcpy(p.prefix, link_local, 16); /* (b) */
    p.valid_lifetime = 100;
    addrconf_prefix(t.stack, t.iface, &p);
    assert_int_equal(t.iface->addr6_count, 0);
    capture_host_free(t.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(link_local_is_tentative_then_preferred_after_one_probe),
        cmocka_unit_test(our_own_probe_looped_back_is_no_conflict),
        cmocka_unit_test(link_local_conflict_disables_ipv6_on_the_interface),
        cmocka_unit_test(slaac_conflict_retries_with_the_next_dad_counter_then_gives_up),
        cmocka_unit_test(slaac_address_is_deprecated_then_removed_as_lifetimes_end),
        cmocka_unit_test(two_hours_rule_keeps_a_forged_short_lifetime_from_ending_an_address),
        cmocka_unit_test(prefixes_slaac_must_ignore_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
