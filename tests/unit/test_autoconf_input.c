/* Autoconfiguration driven through the real receive path: interfaces
 * coming up (naru_if_set_addr starts it), and whole frames one stack sent handed to another with
 * naru_stack_input (IPv6 input, ICMPv6, NDP and the seams ndp_router.h and
 * mld.h). Two stacks with the same seed form the same link-local address:
 * DAD on the wire makes one of them see the other's probe as a conflict.
 * The same seed gives the same frames. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "link/iface.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"

struct host {
    struct capture_host *h;
    struct naru_stack *stack;
    struct naru_iface *iface;
};

/* A host (or, forwarding, a router) whose interface has just come up. */
static struct host node_seeded(uint64_t seed, bool router)
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.seed = seed;
    config.forwarding = router;
    struct capture_host *h = capture_host_new_with("10.0.0.1/24", &config);
    struct host t = { h, h->stack, iface_get(h->stack, h->ifindex) };
    return t;
}

static struct host host_seeded(uint64_t seed)
{
    return node_seeded(seed, false);
}

static void run_until(struct host *t, naru_time_t when)
{
    capture_run_until(t->h, when);
}

/* Hand a frame to `to` as its link would. */
static void deliver(struct host *to, const uint8_t *frame, size_t len)
{
    naru_stack_input(to->stack, to->h->ifindex, frame, len);
}

/* The first captured frame carrying ICMPv6 of type, or NULL. */
static const struct captured_frame *find(struct host *t, uint8_t type)
{
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN + 8 || f->data[12] != 0x86)
            continue;
        size_t off = p[6] == IP_PROTO_HOPOPTS ? IPV6_HEADER_LEN + 8 : IPV6_HEADER_LEN;
        if (f->len > ETH_HEADER_LEN + off && p[off] == type)
            return f;
    }
    return NULL;
}

static void same_secret_on_one_link_makes_the_link_local_address_duplicate(void **state)
{
    (void)state;
    struct host a = host_seeded(5), b = host_seeded(5);
    assert_int_equal(a.iface->addr6_count, 1);
    assert_int_equal(a.iface->addr6[0].state, IFA6_TENTATIVE);
    assert_memory_equal(a.iface->addr6[0].addr, b.iface->addr6[0].addr, 16);
    run_until(&b, 1 * NARU_SEC);
    const struct captured_frame *ns_b = find(&b, ICMPV6_NEIGHBOR_SOLICIT);
    assert_non_null(ns_b);
    run_until(&a, 1 * NARU_SEC);
    const struct captured_frame *ns_a = find(&a, ICMPV6_NEIGHBOR_SOLICIT);
    assert_non_null(ns_a);
    /* a hears its own probe looped back: no conflict (RFC 7527). */
    deliver(&a, ns_a->data, ns_a->len);
    assert_int_equal(a.stack->counters.addrconf_dad_looped, 1);
    assert_int_equal(a.stack->counters.addrconf_dad_conflicts, 0);
    /* Now b's probe reaches a, still tentative. The same seed gave b
     * even the same nonce; a real second node draws its own, so change it
     * (and the checksum). */
    uint8_t frame[256];
    memcpy(frame, ns_b->data, ns_b->len);
    struct ipv6_header ip;
    assert_int_equal(ipv6_parse(frame + ETH_HEADER_LEN, ns_b->len - ETH_HEADER_LEN, &ip), IPV6_HEADER_LEN);
    uint8_t *msg = frame + ETH_HEADER_LEN + IPV6_HEADER_LEN;
    size_t msg_len = ip.payload_len;
    msg[NDP_NS_LEN + 2] ^= 0xff; /* the nonce option's first byte */
    msg[2] = msg[3] = 0;
    icmpv6_set_checksum(ip.src, ip.dst, msg, msg_len);
    deliver(&a, frame, ns_b->len);
    /* RFC 4862 5.4.3 and 5.4.5: duplicate, IPv6 off on a's interface. */
    assert_int_equal(a.stack->counters.addrconf_dad_conflicts, 1);
    assert_int_equal(a.stack->counters.addrconf_ipv6_disabled, 1);
    assert_int_equal(a.iface->addr6_count, 0);
    /* An NA from b once its address is preferred would do the same; b,
     * not having heard a, keeps its address. */
    run_until(&b, 3 * NARU_SEC);
    assert_int_equal(b.iface->addr6[0].state, IFA6_PREFERRED);
    capture_host_free(a.h);
    capture_host_free(b.h);
}

static void the_same_seed_gives_the_same_frames(void **state)
{
    (void)state;
    struct host a = host_seeded(11), b = host_seeded(11);
    run_until(&a, 20 * NARU_SEC);
    run_until(&b, 20 * NARU_SEC);
    assert_true(a.h->count >= 5); /* MLD reports, the DAD probe, solicitations */
    assert_int_equal(a.h->count, b.h->count);
    for (size_t i = 0; i < a.h->count; i++) {
        assert_int_equal(a.h->frames[i].len, b.h->frames[i].len);
        assert_memory_equal(a.h->frames[i].data, b.h->frames[i].data, a.h->frames[i].len);
    }
    capture_host_free(a.h);
    capture_host_free(b.h);
}

/* An MLDv2 general query frame from a router, hop limit and router alert
 * as given. */
static size_t query_frame(uint8_t *frame, uint8_t hop_limit, bool router_alert)
{
    static const uint8_t src[16] = { 0xfe, 0x80, [15] = 1 };
    static const uint8_t dst[16] = { 0xff, 0x02, [15] = 1 };
    uint8_t msg[28] = { ICMPV6_MLD_QUERY, 0, 0, 0, 0x03, 0xe8 /* 1000 ms */, [24] = 2, [25] = 125 };
    icmpv6_set_checksum(src, dst, msg, sizeof msg);
    static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
    memset(frame, 0, ETH_HEADER_LEN);
    memcpy(frame, all_nodes_mac, 6);
    frame[12] = 0x86;
    frame[13] = 0xdd;
    size_t off = ETH_HEADER_LEN;
    if (router_alert) {
        off += mld_ip_emit(src, dst, sizeof msg, frame + off, 256);
    } else {
        struct ipv6_header h = { .payload_len = sizeof msg, .next_header = IP_PROTO_ICMPV6 };
        memcpy(h.src, src, 16);
        memcpy(h.dst, dst, 16);
        off += ipv6_emit(&h, frame + off, 256);
    }
    frame[ETH_HEADER_LEN + 7] = hop_limit;
    memcpy(frame + off, msg, sizeof msg);
    return off + sizeof msg;
}

static void mld_queries_are_answered_only_when_valid(void **state)
{
    (void)state;
    struct host t = node_seeded(1, true);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    uint8_t frame[256];
    size_t len = query_frame(frame, 2, true); /* RFC 3810 5.1.14: hop limit 1 only */
    deliver(&t, frame, len);
    len = query_frame(frame, 1, false); /* and a router alert */
    deliver(&t, frame, len);
    assert_int_equal(t.stack->counters.mld_rx_invalid, 2);
    run_until(&t, 7 * NARU_SEC);
    assert_null(find(&t, ICMPV6_MLD_V2_REPORT));
    len = query_frame(frame, 1, true);
    deliver(&t, frame, len);
    run_until(&t, 7 * NARU_SEC + NARU_SEC);
    const struct captured_frame *f = find(&t, ICMPV6_MLD_V2_REPORT);
    assert_non_null(f);
    /* From the link-local address now that it is ours. */
    assert_memory_equal(f->data + ETH_HEADER_LEN + 8, t.iface->addr6[0].addr, 16);
    capture_host_free(t.h);
}

static void a_router_interface_answers_solicitations_and_ignores_others_advertisements(void **state)
{
    (void)state;
    struct host r = node_seeded(3, true), h = host_seeded(4);
    run_until(&r, 3 * NARU_SEC); /* DAD done */
    assert_null(find(&r, ICMPV6_ROUTER_SOLICIT)); /* a router solicits no advertisements */
    struct naru_router_advert c;
    naru_router_advert_default(&c);
    struct naru_ra_prefix p = { .prefix = { .family = NARU_AF_INET6, .v6 = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 5 } },
                                .len = 64, .on_link = true, .autonomous = true, .valid_s = 86400,
                                .preferred_s = 14400 };
    /* Through the public API, as a user's router would. */
    assert_int_equal(naru_if_advertise_prefix(r.stack, r.h->ifindex, &p), 0);
    assert_int_equal(naru_if_set_router_advert(r.stack, r.h->ifindex, &c), 0);
    run_until(&r, 4 * NARU_SEC);
    run_until(&h, 4 * NARU_SEC);
    const struct captured_frame *rs = find(&h, ICMPV6_ROUTER_SOLICIT);
    assert_non_null(rs);
    deliver(&r, rs->data, rs->len);
    assert_int_equal(r.stack->counters.rd_rx_solicits, 1);
    const struct captured_frame *ra = find(&r, ICMPV6_ROUTER_ADVERT);
    assert_non_null(ra);
    deliver(&h, ra->data, ra->len);
    deliver(&r, ra->data, ra->len); /* its own, or another router's: not configured from */
    assert_int_equal(r.stack->counters.rd_rx_adverts, 0);
    assert_int_equal(h.stack->counters.rd_rx_adverts, 1);
    assert_int_equal(h.stack->counters.addrconf_slaac_formed, 1);
    capture_host_free(r.h);
    capture_host_free(h.h);
}

/* How many captured frames carry ICMPv6 of type. */
static size_t count_type(struct host *t, uint8_t type)
{
    size_t n = 0;
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN + 8 || f->data[12] != 0x86)
            continue;
        size_t off = p[6] == IP_PROTO_HOPOPTS ? IPV6_HEADER_LEN + 8 : IPV6_HEADER_LEN;
        n += f->len > ETH_HEADER_LEN + off && p[off] == type;
    }
    return n;
}

static void an_interface_brought_up_without_an_address_autoconfigures_once(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    struct capture_host *h = capture_host_new_with(NULL, &config);
    struct host t = { h, h->stack, iface_get(h->stack, h->ifindex) };
    assert_int_equal(t.iface->addr6_count, 0);
    assert_int_equal(naru_if_up(t.stack, h->ifindex), 0);
    assert_int_equal(t.iface->addr6_count, 1);
    assert_true(t.iface->addr6[0].flags & IFA6_LINK_LOCAL);
    assert_int_equal(t.iface->addr6[0].state, IFA6_TENTATIVE);
    /* More addresses and coming up again start nothing a second time. */
    struct naru_addr global = naru_addr_v6((const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 9 });
    assert_int_equal(naru_if_add_addr(t.stack, h->ifindex, &global, 64), 0);
    assert_int_equal(naru_if_set_addr(t.stack, h->ifindex, 0x0a000001, 24), 0);
    assert_int_equal(naru_if_up(t.stack, h->ifindex), 0);
    run_until(&t, 20 * NARU_SEC);
    /* Once for the link-local address, once for the one given by hand
     * (probed while in use, RFC 4429). */
    assert_int_equal(t.stack->counters.addrconf_dad_started, 2);
    assert_int_equal(count_type(&t, ICMPV6_ROUTER_SOLICIT), 3); /* RFC 4861 10 MAX_RTR_SOLICITATIONS */
    assert_int_equal(t.iface->addr6[0].state, IFA6_PREFERRED);
    capture_host_free(h);
}

static void ipv6_switched_off_sends_and_takes_in_none(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.ipv6 = false;
    struct capture_host *h = capture_host_new_with("10.0.0.1/24", &config);
    struct host t = { h, h->stack, iface_get(h->stack, h->ifindex) };
    assert_int_equal(naru_if_up(t.stack, h->ifindex), -EAFNOSUPPORT);
    struct naru_addr global = naru_addr_v6((const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 9 });
    assert_int_equal(naru_if_add_addr(t.stack, h->ifindex, &global, 64), -EAFNOSUPPORT);
    run_until(&t, 20 * NARU_SEC);
    assert_int_equal(t.iface->addr6_count, 0);
    for (size_t i = 0; i < h->count; i++)
        assert_int_not_equal(wire_get16(h->frames[i].data + 12), ETHERTYPE_IPV6);
    uint8_t frame[256];
    size_t len = query_frame(frame, 1, true);
    deliver(&t, frame, len);
    assert_int_equal(t.stack->counters.ip6_rx_disabled, 1);
    assert_int_equal(t.stack->counters.ip6_rx, 0);
    capture_host_free(h);
}

static void the_public_router_api_refuses_what_rfc_4861_does_not_allow(void **state)
{
    (void)state;
    struct host r = node_seeded(3, true);
    int ifindex = r.h->ifindex;
    struct naru_ra_prefix p = { .prefix = { .family = NARU_AF_INET6, .v6 = { 0x20, 0x01, 0x0d, 0xb8, [8] = 1 } },
                                .len = 64, .on_link = true, .autonomous = true, .valid_s = 600, .preferred_s = 300 };
    assert_int_equal(naru_if_advertise_prefix(r.stack, ifindex, &p), -EINVAL); /* bits past /64 */
    p.prefix.v6[8] = 0;
    assert_int_equal(naru_if_advertise_prefix(r.stack, ifindex + 1, &p), -EINVAL);
    struct naru_ra_prefix v4 = p;
    v4.prefix = naru_addr_v4(0x0a000000);
    assert_int_equal(naru_if_advertise_prefix(r.stack, ifindex, &v4), -EINVAL);
    assert_int_equal(naru_if_advertise_prefix(r.stack, ifindex, &p), 0);
    struct naru_router_advert c;
    naru_router_advert_default(&c);
    assert_int_equal(c.max_interval, 600 * NARU_SEC); /* RFC 4861 6.2.1 */
    assert_int_equal(c.router_lifetime_s, 1800);
    c.min_interval = c.max_interval; /* above 0.75 * MaxRtrAdvInterval */
    assert_int_equal(naru_if_set_router_advert(r.stack, ifindex, &c), -EINVAL);
    naru_router_advert_default(&c);
    run_until(&r, 3 * NARU_SEC); /* the link-local address is ours: advertisements may go */
    assert_int_equal(naru_if_set_router_advert(r.stack, ifindex, &c), 0);
    run_until(&r, 4 * NARU_SEC);
    assert_int_equal(count_type(&r, ICMPV6_ROUTER_ADVERT), 1);
    /* Stopping sends a last one with router lifetime 0 (RFC 4861 6.2.5). */
    assert_int_equal(naru_if_set_router_advert(r.stack, ifindex, NULL), 0);
    assert_int_equal(count_type(&r, ICMPV6_ROUTER_ADVERT), 2);
    capture_host_free(r.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_secret_on_one_link_makes_the_link_local_address_duplicate),
        cmocka_unit_test(the_same_seed_gives_the_same_frames),
        cmocka_unit_test(mld_queries_are_answered_only_when_valid),
        cmocka_unit_test(a_router_interface_answers_solicitations_and_ignores_others_advertisements),
        cmocka_unit_test(an_interface_brought_up_without_an_address_autoconfigures_once),
        cmocka_unit_test(ipv6_switched_off_sends_and_takes_in_none),
        cmocka_unit_test(the_public_router_api_refuses_what_rfc_4861_does_not_allow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
