/* The MLDv2 listener (RFC 3810): state-change reports on join and leave,
 * Robustness times; answers to general and group-specific queries within
 * the maximum response delay; version 1 compatibility after a version 1
 * query; the router alert and hop limit 1 on every report; a bounded
 * group list. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "ip/mld_listener.h"
#include "link/iface.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"

static const uint8_t group_a[16] = { 0xff, 0x02, [11] = 1, 0xff, 0x00, 0x00, 0x01 };
static const uint8_t group_b[16] = { 0xff, 0x05, [15] = 0x42 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t all_mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 };
static const uint8_t link_local[16] = { 0xfe, 0x80, [8] = 0x12, [15] = 0x34 };

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

static void run_until(struct host *t, naru_time_t when)
{
    capture_run_until(t->h, when);
}

/* A captured MLD message: its IPv6 header and the message. */
struct mld_seen {
    struct ipv6_header ip;
    const uint8_t *msg;
    size_t len;
    bool router_alert;
};

/* The MLD messages captured since the last clear, into seen[]; returns how many. */
static int mld_frames(struct host *t, struct mld_seen *seen, int max)
{
    int n = 0;
    for (size_t i = 0; i < t->h->count && n < max; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        if (f->len < ETH_HEADER_LEN + MLD_IP_CHAIN_LEN || f->data[12] != 0x86 || f->data[13] != 0xdd)
            continue;
        struct mld_seen *s = &seen[n];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        struct ipv6_chain c;
        assert_int_equal(ipv6_parse(p, f->len - ETH_HEADER_LEN, &s->ip), IPV6_HEADER_LEN);
        if (ipv6_walk_chain(p, IPV6_HEADER_LEN + s->ip.payload_len, &c) != 0 || c.upper_protocol != IP_PROTO_ICMPV6)
            continue;
        s->msg = p + c.upper_offset;
        s->len = IPV6_HEADER_LEN + s->ip.payload_len - c.upper_offset;
        s->router_alert = c.router_alert;
        if (s->msg[0] != ICMPV6_MLD_V2_REPORT && s->msg[0] != ICMPV6_MLD_V1_REPORT && s->msg[0] != ICMPV6_MLD_V1_DONE)
            continue;
        struct icmpv6_message m;
        assert_int_equal(icmpv6_parse(s->msg, s->len, s->ip.src, s->ip.dst, &m), ICMPV6_HEADER_LEN);
        /* RFC 3810 5: hop limit 1, a router alert, every time. */
        assert_int_equal(s->ip.hop_limit, 1);
        assert_true(s->router_alert);
        /* The Ethernet destination is the group's (RFC 2464 7). */
        uint8_t mac[6];
        eth_ipv6_multicast_mac(s->ip.dst, mac);
        assert_memory_equal(f->data, mac, 6);
        n++;
    }
    return n;
}

/* The records of a version 2 report, as (type, group) pairs. */
static int records(const struct mld_seen *s, uint8_t types[], uint8_t groups[][16], int max)
{
    assert_int_equal(s->msg[0], ICMPV6_MLD_V2_REPORT);
    assert_memory_equal(s->ip.dst, all_mldv2_routers, 16);
    struct mld_report r;
    assert_int_equal(mld_report_parse(s->msg, s->len, &r), 0);
    size_t at = 0;
    struct mld_record rec;
    int n = 0;
    while (n < max && mld_next_record(&r, &at, &rec)) {
        assert_int_equal(rec.source_count, 0); /* any-source joins only */
        types[n] = rec.type;
        memcpy(groups[n], rec.group, 16);
        n++;
    }
    return n;
}

static void join_is_reported_robustness_times_within_the_interval(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(iface_addr6_add(t.stack, t.iface, link_local, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    assert_true(mld_listening(t.iface, group_b));
    run_until(&t, 0);
    struct mld_seen seen[8];
    assert_int_equal(mld_frames(&t, seen, 8), 1); /* the first at once */
    run_until(&t, MLD_UNSOLICITED_REPORT_INTERVAL);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS);
    for (int i = 0; i < MLD_ROBUSTNESS; i++) {
        uint8_t types[4], groups[4][16];
        assert_int_equal(records(&seen[i], types, groups, 4), 1);
        assert_int_equal(types[0], MLD_CHANGE_TO_EXCLUDE);
        assert_memory_equal(groups[0], group_b, 16);
        assert_memory_equal(seen[i].ip.src, link_local, 16); /* assigned: its link-local address */
    }
    run_until(&t, 10 * NARU_SEC);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS); /* and no more */
    /* A second join of the same group is counted, not reported. */
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    run_until(&t, 20 * NARU_SEC);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS);
    assert_int_equal(t.stack->counters.mld_tx_reports, MLD_ROBUSTNESS);
    capture_host_free(t.h);
}

static void last_leave_is_reported_then_the_group_forgotten(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    assert_int_equal(mld_leave(t.stack, t.iface, group_b), 0);
    assert_true(mld_listening(t.iface, group_b)); /* one user left */
    run_until(&t, 10 * NARU_SEC);
    struct mld_seen seen[8];
    assert_int_equal(mld_frames(&t, seen, 8), 0);
    assert_int_equal(mld_leave(t.stack, t.iface, group_b), 0);
    assert_false(mld_listening(t.iface, group_b));
    run_until(&t, 15 * NARU_SEC);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS);
    uint8_t types[4], groups[4][16];
    assert_int_equal(records(&seen[0], types, groups, 4), 1);
    assert_int_equal(types[0], MLD_CHANGE_TO_INCLUDE); /* TO_IN({}): leave */
    assert_true(ipv6_addr_is_unspecified(seen[0].ip.src)); /* no link-local address yet */
    assert_int_equal(t.iface->autoconf.mld.count, 0);
    assert_int_equal(mld_leave(t.stack, t.iface, group_b), -ENOENT);
    capture_host_free(t.h);
}

static void all_nodes_is_implicit_and_never_reported(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_true(mld_listening(t.iface, all_nodes)); /* RFC 4291 2.8 */
    assert_int_equal(mld_join(t.stack, t.iface, all_nodes, 0), 0);
    static const uint8_t interface_local[16] = { 0xff, 0x01, [15] = 7 };
    assert_int_equal(mld_join(t.stack, t.iface, interface_local, 0), 0);
    static const uint8_t unicast[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    assert_int_equal(mld_join(t.stack, t.iface, unicast, 0), -EINVAL);
    struct mld_query q = { .version = 2, .max_response_ms = 1000 };
    mld_listener_query(t.stack, t.iface, &q);
    run_until(&t, 10 * NARU_SEC);
    struct mld_seen seen[4];
    assert_int_equal(mld_frames(&t, seen, 4), 0); /* RFC 3810 6 */
    capture_host_free(t.h);
}

static void general_query_is_answered_once_within_max_response_delay(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(mld_join(t.stack, t.iface, group_a, 0), 0);
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    struct mld_query q = { .version = 2, .max_response_ms = 2000 };
    mld_listener_query(t.stack, t.iface, &q);
    mld_listener_query(t.stack, t.iface, &q); /* a second one does not double the answer */
    assert_int_equal(t.stack->counters.mld_rx_queries, 2);
    run_until(&t, 7 * NARU_SEC);
    struct mld_seen seen[4];
    assert_int_equal(mld_frames(&t, seen, 4), 1);
    uint8_t types[4], groups[4][16];
    assert_int_equal(records(&seen[0], types, groups, 4), 2);
    assert_int_equal(types[0], MLD_MODE_IS_EXCLUDE);
    assert_int_equal(types[1], MLD_MODE_IS_EXCLUDE);
    assert_true(memcmp(groups[0], group_a, 16) == 0 || memcmp(groups[1], group_a, 16) == 0);
    assert_true(memcmp(groups[0], group_b, 16) == 0 || memcmp(groups[1], group_b, 16) == 0);
    capture_host_free(t.h);
}

static void group_specific_query_is_answered_for_that_group_only(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(mld_join(t.stack, t.iface, group_a, 0), 0);
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    struct mld_query q = { .version = 2, .max_response_ms = 1000 };
    memcpy(q.group, group_b, 16);
    mld_listener_query(t.stack, t.iface, &q);
    static const uint8_t not_ours[16] = { 0xff, 0x0e, [15] = 9 };
    memcpy(q.group, not_ours, 16);
    mld_listener_query(t.stack, t.iface, &q); /* not listened to: no answer */
    run_until(&t, 6 * NARU_SEC);
    struct mld_seen seen[4];
    assert_int_equal(mld_frames(&t, seen, 4), 1);
    uint8_t types[4], groups[4][16];
    assert_int_equal(records(&seen[0], types, groups, 4), 1);
    assert_int_equal(types[0], MLD_MODE_IS_EXCLUDE);
    assert_memory_equal(groups[0], group_b, 16);
    capture_host_free(t.h);
}

static void version_1_query_switches_reports_to_version_1(void **state)
{
    (void)state;
    struct host t = host_new();
    assert_int_equal(mld_join(t.stack, t.iface, group_a, 0), 0);
    run_until(&t, 5 * NARU_SEC);
    capture_clear(t.h);
    struct mld_query q = { .version = 1, .max_response_ms = 1000 };
    mld_listener_query(t.stack, t.iface, &q);
    assert_int_equal(t.stack->counters.mld_v1_mode, 1);
    run_until(&t, 6 * NARU_SEC);
    struct mld_seen seen[8];
    assert_int_equal(mld_frames(&t, seen, 8), 1);
    assert_int_equal(seen[0].msg[0], ICMPV6_MLD_V1_REPORT); /* RFC 2710 3, to the group itself */
    assert_int_equal(seen[0].len, 24);
    assert_memory_equal(seen[0].ip.dst, group_a, 16);
    assert_memory_equal(seen[0].msg + 8, group_a, 16);
    /* A leave in version 1 is a Done to all-routers. */
    capture_clear(t.h);
    assert_int_equal(mld_leave(t.stack, t.iface, group_a), 0);
    run_until(&t, 8 * NARU_SEC);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS);
    assert_int_equal(seen[0].msg[0], ICMPV6_MLD_V1_DONE);
    static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
    assert_memory_equal(seen[0].ip.dst, all_routers, 16);
    /* RFC 3810 9.12: after the Older Version Querier Present Timeout,
     * version 2 again. */
    run_until(&t, 5 * NARU_SEC + MLD_OLDER_VERSION_QUERIER_TIMEOUT + NARU_SEC);
    capture_clear(t.h);
    assert_int_equal(mld_join(t.stack, t.iface, group_b, 0), 0);
    run_until(&t, t.stack->now + 2 * NARU_SEC);
    assert_int_equal(mld_frames(&t, seen, 8), MLD_ROBUSTNESS);
    assert_int_equal(seen[0].msg[0], ICMPV6_MLD_V2_REPORT);
    capture_host_free(t.h);
}

static void the_group_list_is_bounded_and_counted(void **state)
{
    (void)state;
    struct host t = host_new();
    uint8_t g[16] = { 0xff, 0x05 };
    for (int i = 0; i < MLD_GROUPS_MAX; i++) {
        g[15] = (uint8_t)(i + 1);
        assert_int_equal(mld_join(t.stack, t.iface, g, 0), 0);
    }
    g[15] = 0xee;
    assert_int_equal(mld_join(t.stack, t.iface, g, 0), -ENOSPC);
    assert_int_equal(t.stack->counters.mld_groups_full, 1);
    assert_false(mld_listening(t.iface, g));
    /* Every group fits in one report. */
    run_until(&t, 0);
    struct mld_seen seen[4];
    assert_int_equal(mld_frames(&t, seen, 4), 1);
    uint8_t types[MLD_GROUPS_MAX], groups[MLD_GROUPS_MAX][16];
    assert_int_equal(records(&seen[0], types, groups, MLD_GROUPS_MAX), MLD_GROUPS_MAX);
    capture_host_free(t.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_is_reported_robustness_times_within_the_interval),
        cmocka_unit_test(last_leave_is_reported_then_the_group_forgotten),
        cmocka_unit_test(all_nodes_is_implicit_and_never_reported),
        cmocka_unit_test(general_query_is_answered_once_within_max_response_delay),
        cmocka_unit_test(group_specific_query_is_answered_for_that_group_only),
        cmocka_unit_test(version_1_query_switches_reports_to_version_1),
        cmocka_unit_test(the_group_list_is_bounded_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
