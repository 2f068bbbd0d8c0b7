/* Scenario files: every shipped scenario runs and does what it says, and
 * bad scenarios are turned away before they run, with file, line and
 * reason. */
#define _GNU_SOURCE /* mkdtemp */
#include "testnet.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "naru/scenario.h"
#include "naru/simapp.h"

#define SCENARIOS NARU_TEST_DATA "/../../scenarios"

static bool tcp_unavailable(const struct naru_sim_app_result *r)
{
    return !r->ok && strstr(r->error, "TCP is not available") != NULL;
}

static struct naru_scenario *run_file(const char *name, uint64_t seed)
{
    if (!naru_scenario_supported())
        skip();
    char path[512], error[512];
    snprintf(path, sizeof path, "%s/%s", SCENARIOS, name);
    struct naru_scenario *sc;
    int err = naru_scenario_load(path, &sc, error, sizeof error);
    if (err)
        fail_msg("%s", error);
    struct naru_scenario_options o = { .seed = seed, .seed_set = true };
    err = naru_scenario_run(sc, &o, error, sizeof error);
    if (err)
        fail_msg("%s", error);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_false(out.timed_out);
    return sc;
}

static void result(struct naru_scenario *sc, const char *app, struct naru_sim_app_result *r)
{
    struct naru_sim_app *a = naru_sim_find_app(naru_scenario_apps(sc), app);
    assert_non_null(a);
    naru_sim_app_get_result(a, r);
    assert_true(r->finished);
    if (!r->ok && !tcp_unavailable(r)) {
        char text[2048];
        naru_sim_app_summary(a, text, sizeof text);
        fail_msg("%s", text);
    }
}

static void link_stats(struct naru_scenario *sc, const char *link, int end, struct naru_sim_link_stats *s)
{
    struct naru_sim_link *l = naru_sim_find_link(naru_scenario_sim(sc), link);
    assert_non_null(l);
    naru_sim_link_get_stats(l, end, s);
}

/* Every byte of a TCP transfer arrived, and retransmissions happened only
 * where the scenario's links lose frames. */
static void tcp_checked(struct naru_scenario *sc, const char *app, bool lossy)
{
    struct naru_sim_app_result r;
    result(sc, app, &r);
    if (tcp_unavailable(&r))
        return; /* the TCP issue brings it */
    assert_true(r.intact);
    assert_int_equal(r.bytes_received, r.bytes_sent);
    if (lossy)
        assert_true(r.retransmits > 0);
    else
        assert_int_equal(r.retransmits, 0);
}

static void lan_scenario_runs_clean(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("lan.ini", 1);
    struct naru_sim_app_result r;
    result(sc, "alice-bob", &r);
    assert_int_equal(r.received, 5);
    result(sc, "carol-dave", &r);
    assert_true(r.intact);
    assert_int_equal(r.datagrams_lost, 0);
    assert_int_equal(r.bytes_received, 20000000);
    tcp_checked(sc, "bob-alice", false);
    result(sc, "dave-carol", &r);
    struct naru_sim_link_stats s;
    for (int e = 0; e < 2; e++) {
        link_stats(sc, "carol", e, &s);
        assert_int_equal(s.lost + s.dropped_queue + s.corrupted, 0);
    }
    naru_scenario_free(sc);
}

static void two_sites_traceroute_sees_three_routers(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("two-sites.ini", 1);
    struct naru_sim_app_result r;
    result(sc, "path", &r);
    assert_int_equal(r.hop_count, 4);
    assert_int_equal(r.hops[0].from[0].addr.v4, ip("10.1.0.1"));
    assert_int_equal(r.hops[1].from[0].addr.v4, ip("10.9.1.2"));
    assert_int_equal(r.hops[2].from[0].addr.v4, ip("10.9.2.2"));
    assert_int_equal(r.hops[3].from[0].addr.v4, ip("10.2.0.2"));
    assert_true(r.hops[3].reached);
    /* The report names each hop's node, as the summary of a traceroute. */
    char text[2048];
    naru_sim_app_summary(naru_sim_find_app(naru_scenario_apps(sc), "path"), text, sizeof text);
    assert_non_null(strstr(text, "\n   2  10.9.1.2 (r2)  "));
    result(sc, "rtt", &r);
    assert_int_equal(r.received, 10);
    assert_true(r.rtt_min >= 40 * NARU_MS && r.rtt_min < 41 * NARU_MS);
    result(sc, "page", &r);
    tcp_checked(sc, "backup", false);
    result(sc, "name", &r); /* DNS, over the WAN, from a zone of the nodes' names */
    assert_int_equal(r.addr_count, 1);
    assert_int_equal(r.addrs[0].v4, ip("10.2.0.2"));
    assert_int_equal(r.dns_queries, 1);
    naru_scenario_free(sc);
}

static void dns_lookup_retries_over_a_lossy_link(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char text[2048], error[512];
    /* A third of the frames lost each way: the resolver has to ask again. */
    snprintf(text, sizeof text,
             "[host a]\n[host ns]\n[link l]\na = a 10.0.0.1/24\nb = ns 10.0.0.53/24\nloss = 30%%\n"
             "[dns zone]\non = ns\norigin = example.test\n"
             "[lookup q]\nfrom = a\nquery = a.example.test\n");
    struct naru_scenario *sc;
    int err = naru_scenario_parse("dns.ini", text, &sc, error, sizeof error);
    if (err)
        fail_msg("%s", error);
    /* A seed whose first query or answer is lost (and whose later ones are
     * not all lost too: three tries at 30% each way can all fail). */
    struct naru_scenario_options o = { .seed = 3, .seed_set = true };
    assert_int_equal(naru_scenario_run(sc, &o, error, sizeof error), 0);
    struct naru_sim_app_result r;
    result(sc, "q", &r);
    assert_int_equal(r.addrs[0].v4, ip("10.0.0.1"));
    assert_true(r.dns_queries > 1);
    naru_scenario_free(sc);
}

/* A router with ten hosts and two uplinks: the scenario sizes each stack
 * from its links, so twelve are as easy to describe as two. */
static void router_of_ten_hosts_and_two_uplinks_is_built_from_its_links(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char text[8192], error[512];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "[router r]\n[router up1]\ngateway = 10.0.1.1\n[router up2]\ngateway = 10.0.2.1\n"
                                "[link u1]\na = r 10.0.1.1/30\nb = up1 10.0.1.2/30\n"
                                "[link u2]\na = r 10.0.2.1/30\nb = up2 10.0.2.2/30\n");
    for (int i = 1; i <= 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "[host h%d]\ngateway = 10.1.%d.1\n[link l%d]\na = h%d 10.1.%d.2/24\nb = r 10.1.%d.1/24\n"
                              "[ping p%d]\nfrom = h%d\nto = %s\ncount = 1\n",
                              i, i, i, i, i, i, i, i, i % 2 ? "up1" : "up2");
    struct naru_scenario *sc;
    if (naru_scenario_parse("wide.ini", text, &sc, error, sizeof error))
        fail_msg("%s", error);
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_sim *sim = naru_scenario_sim(sc);
    assert_int_equal(naru_if_count(naru_sim_find_stack(sim, "r")), 12);
    assert_int_equal(naru_if_count(naru_sim_find_stack(sim, "h1")), 1);
    for (int i = 1; i <= 10; i++) {
        char name[8];
        snprintf(name, sizeof name, "p%d", i);
        struct naru_sim_app_result r;
        result(sc, name, &r);
        assert_true(r.ok);
        assert_int_equal(r.received, 1);
    }
    naru_scenario_free(sc);
}

static void long_fat_pipe_carries_udp_at_nearly_line_rate(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("long-fat-pipe.ini", 1);
    struct naru_sim_app_result r;
    result(sc, "rtt", &r);
    assert_true(r.rtt_min >= 100 * NARU_MS && r.rtt_min < 101 * NARU_MS);
    result(sc, "udp-blast", &r);
    assert_int_equal(r.datagrams_lost, 0);
    assert_true(r.intact);
    tcp_checked(sc, "bulk", false);
    result(sc, "bulk", &r);
    if (!tcp_unavailable(&r))
        assert_true(r.goodput_late_bps >= 0.8e9); /* window scaling at work */
    naru_scenario_free(sc);
}

static void lossy_wireless_loses_in_bursts_and_checksums_catch_flips(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("lossy-wireless.ini", 1);
    struct naru_sim_link_stats s, wired;
    link_stats(sc, "wifi", 0, &s);
    assert_true(s.lost > 0);
    assert_int_equal(s.lost_in_burst, s.lost);
    assert_true(s.reordered > 0);
    link_stats(sc, "wired", 0, &wired);
    assert_int_equal(wired.lost + wired.dropped_queue, 0);
    struct naru_sim_app_result r;
    result(sc, "udp-stream", &r);
    assert_true(r.intact); /* flipped bits never reach the application */
    assert_true(r.datagrams_lost > 0);
    result(sc, "rtt", &r);
    result(sc, "path", &r);
    tcp_checked(sc, "upload", true);
    result(sc, "download", &r);
    naru_scenario_free(sc);
}

static double jain(const double *x, int n)
{
    double sum = 0, squares = 0;
    for (int i = 0; i < n; i++) {
        sum += x[i];
        squares += x[i] * x[i];
    }
    return sum * sum / (n * squares);
}

static void bottleneck_is_shared_fairly(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("bottleneck.ini", 1);
    const char *flows[4] = { "flow1", "flow2", "flow3", "flow4" };
    double goodput[4];
    bool tcp = true;
    for (int i = 0; i < 4; i++) {
        struct naru_sim_app_result r;
        result(sc, flows[i], &r);
        if (tcp_unavailable(&r)) {
            tcp = false;
            break;
        }
        assert_true(r.intact);
        goodput[i] = r.goodput_bps;
    }
    if (tcp) {
        assert_true(jain(goodput, 4) >= 0.9);
        struct naru_sim_link_stats s;
        link_stats(sc, "bottleneck", 0, &s);
        assert_true(s.dropped_queue > 0); /* drop-tail is what tells TCP to slow down */
        /* Busy from the first flow's start to the last one's end. */
        naru_time_t first = NARU_NEVER, last = 0;
        for (int i = 0; i < 4; i++) {
            struct naru_sim_app_result r;
            result(sc, flows[i], &r);
            first = r.started < first ? r.started : first;
            last = r.ended > last ? r.ended : last;
        }
        double used = (double)s.bytes_delivered * 8 / (10e6 * (double)(last - first) / 1e9);
        assert_true(used >= 0.9);
    }
    naru_scenario_free(sc);
}

static void one_seed_one_run_another_seed_another(void **state)
{
    (void)state;
    struct naru_sim_link_stats a, b, c;
    struct naru_scenario *sc = run_file("lossy-wireless.ini", 5);
    link_stats(sc, "wifi", 0, &a);
    naru_scenario_free(sc);
    sc = run_file("lossy-wireless.ini", 5);
    link_stats(sc, "wifi", 0, &b);
    naru_scenario_free(sc);
    sc = run_file("lossy-wireless.ini", 6);
    link_stats(sc, "wifi", 0, &c);
    naru_scenario_free(sc);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.lost != c.lost || a.reordered != c.reordered || a.corrupted != c.corrupted);
}

/* ---- IPv6 and dual stack ---- */

static struct naru_addr addr6(const char *text)
{
    struct naru_addr a;
    assert_int_equal(naru_addr_parse(text, &a), 0);
    assert_int_equal(a.family, NARU_AF_INET6);
    return a;
}

/* Node `name`'s addresses formed by SLAAC (NARU_IFA_AUTOCONF): how many,
 * the first into *out. */
static int slaac_addrs(struct naru_scenario *sc, const char *name, struct naru_addr *out)
{
    struct naru_stack *s = naru_sim_find_stack(naru_scenario_sim(sc), name);
    assert_non_null(s);
    int n = 0;
    for (int i = 0; i < (int)naru_if_count(s); i++) {
        struct naru_if_addr addrs[16];
        int count = naru_if_get_addrs(s, i, addrs, 16);
        for (int k = 0; k < count && k < 16; k++)
            if (addrs[k].flags & NARU_IFA_AUTOCONF && !n++)
                *out = addrs[k].addr;
    }
    return n;
}

/* dual-stack.ini: the routers advertise, the hosts form addresses in the
 * advertised /64s, and the IPv6 applications to hosts named with
 * family = 6 reach those addresses through routes of both families
 * computed for the routers. */
static void dual_stack_hosts_autoconfigure_and_carry_both_families(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_file("dual-stack.ini", 1);
    struct naru_addr carol, alice, bob;
    assert_int_equal(slaac_addrs(sc, "carol", &carol), 1);
    assert_int_equal(slaac_addrs(sc, "alice", &alice), 1);
    assert_int_equal(slaac_addrs(sc, "bob", &bob), 1);
    struct naru_addr site1 = addr6("2001:db8:1::"), site2 = addr6("2001:db8:2::");
    assert_true(naru_addr_in_prefix(&carol, &site2, 64)); /* r2's advertise = 2001:db8:2::/64 */
    assert_true(naru_addr_in_prefix(&alice, &site1, 64)); /* r1's advertise = yes */
    assert_true(naru_addr_in_prefix(&bob, &site1, 64));
    assert_false(naru_addr_equal(&alice, &bob));
    struct naru_sim_app_result r;
    result(sc, "ping6", &r);
    assert_int_equal(r.received, 5);
    result(sc, "trace6", &r);
    assert_int_equal(r.hop_count, 3);
    struct naru_addr r1 = addr6("2001:db8:1::1"), r2 = addr6("2001:db8:ff::2");
    assert_true(naru_addr_equal(&r.hops[0].from[0].addr, &r1));
    assert_true(naru_addr_equal(&r.hops[1].from[0].addr, &r2));
    assert_true(naru_addr_equal(&r.hops[2].from[0].addr, &carol));
    assert_true(r.hops[2].reached);
    tcp_checked(sc, "v6", false);
    tcp_checked(sc, "v4", false);
    result(sc, "page6", &r);
    assert_int_equal(r.http_status, 200);
    /* Each transfer went over its own family: the v6 one to carol's SLAAC address. */
    char text[2048];
    naru_sim_app_summary(naru_sim_find_app(naru_scenario_apps(sc), "v6"), text, sizeof text);
    char want[NARU_ADDR_STRLEN + 4];
    snprintf(want, sizeof want, "[%s]", naru_addr_format(&carol, (char[NARU_ADDR_STRLEN]){ 0 }));
    assert_non_null(strstr(text, want));
    naru_sim_app_summary(naru_sim_find_app(naru_scenario_apps(sc), "v4"), text, sizeof text);
    assert_non_null(strstr(text, "10.2.0.2:"));
    naru_scenario_free(sc);
}

static struct naru_scenario *run_text(const char *text)
{
    if (!naru_scenario_supported())
        skip();
    char error[512];
    struct naru_scenario *sc;
    if (naru_scenario_parse("v6.ini", text, &sc, error, sizeof error) != 0)
        fail_msg("%s", error);
    if (naru_scenario_run(sc, NULL, error, sizeof error) != 0)
        fail_msg("%s", error);
    return sc;
}

/* Written IPv6 addresses and routes, no advertisements: a static IPv6
 * route and a gateway = line of both families carry a transfer, and an
 * address pool gives each link a subnet of both families. */
static void static_ipv6_routes_and_dual_stack_pools_carry_traffic(void **state)
{
    (void)state;
    struct naru_scenario *sc = run_text("[host a]\n"
                                        "gateway = 10.0.0.1 2001:db8:a::1\n"
                                        "[router r1]\n"
                                        "route = 2001:db8:b::/64 via 2001:db8:ff::2\n"
                                        "route = 10.1.0.0/24 via 10.255.0.2\n"
                                        "[router r2]\n"
                                        "gateway = 2001:db8:ff::1\n"
                                        "route = 10.0.0.0/24 via 10.255.0.1\n"
                                        "[host b]\n"
                                        "gateway = 2001:db8:b::1 10.1.0.1\n"
                                        "[link la]\na = a 10.0.0.2/24 2001:db8:a::2/64\nb = r1 10.0.0.1/24 2001:db8:a::1/64\n"
                                        "[link wan]\npool = 10.255.0.0/16 2001:db8:ff::/48\nsubnet = /30 /64\n"
                                        "a = r1\nb = r2\ndelay = 1ms\n"
                                        "[link lb]\na = r2 10.1.0.1/24 2001:db8:b::1/64\nb = b 10.1.0.2/24 2001:db8:b::2/64\n"
                                        "[transfer six]\nfrom = a\nto = b\nfamily = 6\nbytes = 300KB\n"
                                        "[transfer four]\nfrom = b\nto = a\nfamily = 4\nbytes = 300KB\n"
                                        "[traceroute t6]\nfrom = a\nto = 2001:db8:b::2\n"
                                        "[dns ns]\non = b\n"
                                        "[lookup aaaa]\nfrom = a\nserver = b\nfamily = 6\nquery = b.sim\ntype = AAAA\n");
    tcp_checked(sc, "six", false);
    tcp_checked(sc, "four", false);
    struct naru_sim_app_result r;
    char text[1024];
    result(sc, "t6", &r);
    assert_int_equal(r.hop_count, 3);
    struct naru_addr wan_b = addr6("2001:db8:ff::2");
    assert_true(naru_addr_equal(&r.hops[1].from[0].addr, &wan_b)); /* the pool's first /64, end b */
    /* An AAAA lookup over IPv6 to the zone of the nodes' names. */
    result(sc, "aaaa", &r);
    struct naru_addr b6 = addr6("2001:db8:b::2");
    assert_int_equal(r.addr_count, 1);
    assert_true(naru_addr_equal(&r.addrs[0], &b6));
    naru_sim_app_summary(naru_sim_find_app(naru_scenario_apps(sc), "aaaa"), text, sizeof text);
    assert_non_null(strstr(text, "2001:db8:b::2"));
    naru_scenario_free(sc);
}

/* The same seed twice gives byte-identical captures of dual-stack.ini:
 * the stable interface identifiers (RFC 7217) come from the seed too. */
static void dual_stack_captures_are_byte_identical_for_one_seed(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char dirs[2][64];
    for (int run = 0; run < 2; run++) {
        snprintf(dirs[run], sizeof dirs[run], "/tmp/naru-v6scen-XXXXXX");
        assert_non_null(mkdtemp(dirs[run]));
        char path[512], error[512];
        snprintf(path, sizeof path, "%s/dual-stack.ini", SCENARIOS);
        struct naru_scenario *sc;
        if (naru_scenario_load(path, &sc, error, sizeof error))
            fail_msg("%s", error);
        struct naru_scenario_options o = { .seed = 3, .seed_set = true, .pcap_dir = dirs[run],
                                           .pcap_limit = 64u << 20 };
        if (naru_scenario_run(sc, &o, error, sizeof error))
            fail_msg("%s", error);
        naru_scenario_free(sc);
    }
    static const char *const links[] = { "alice", "bob", "office", "wan", "site2" };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        char *bytes[2];
        long len[2];
        for (int run = 0; run < 2; run++) {
            char path[128];
            snprintf(path, sizeof path, "%s/%s.pcap", dirs[run], links[i]);
            FILE *f = fopen(path, "rb");
            assert_non_null(f);
            fseek(f, 0, SEEK_END);
            len[run] = ftell(f);
            rewind(f);
            bytes[run] = malloc((size_t)len[run] + 1);
            assert_int_equal(fread(bytes[run], 1, (size_t)len[run], f), (size_t)len[run]);
            fclose(f);
            unlink(path);
        }
        assert_true(len[0] > 1000);
        assert_int_equal(len[0], len[1]);
        assert_memory_equal(bytes[0], bytes[1], (size_t)len[0]);
        free(bytes[0]);
        free(bytes[1]);
    }
    for (int run = 0; run < 2; run++)
        assert_int_equal(rmdir(dirs[run]), 0);
}

/* ---- bad scenarios ---- */

static const char good_base[] =
    "[host a]\n"                   /* 1 */
    "gateway = 10.0.0.1\n"         /* 2 */
    "[router r]\n"                 /* 3 */
    "[host b]\n"                   /* 4 */
    "gateway = 10.1.0.1\n"         /* 5 */
    "[link l1]\n"                  /* 6 */
    "a = a 10.0.0.2/24\n"          /* 7 */
    "b = r 10.0.0.1/24\n"          /* 8 */
    "[link l2]\n"                  /* 9 */
    "a = r 10.1.0.1/24\n"          /* 10 */
    "b = b 10.1.0.2/24\n"          /* 11 */
    "[ping p]\n"                   /* 12 */
    "from = a\n"                   /* 13 */
    "to = b\n";                    /* 14 */

/* Loads `text`; expects an error at `line` containing `words`. */
static void rejected(const char *text, int line, const char *words)
{
    if (!naru_scenario_supported())
        skip();
    char error[512], where[32];
    struct naru_scenario *sc = NULL;
    int err = naru_scenario_parse("bad.ini", text, &sc, error, sizeof error);
    if (err != -EINVAL)
        fail_msg("accepted:\n%s", text);
    assert_null(sc);
    snprintf(where, sizeof where, "bad.ini:%d: ", line);
    if (strncmp(error, where, strlen(where)) != 0 || !strstr(error, words))
        fail_msg("got \"%s\", wanted \"%s...%s\"", error, where, words);
}

static void a_good_scenario_is_accepted(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char error[512];
    struct naru_scenario *sc;
    int err = naru_scenario_parse("good.ini", good_base, &sc, error, sizeof error);
    if (err)
        fail_msg("%s", error);
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_int_equal(out.apps_ok, 1);
    naru_scenario_free(sc);
}

static void unknown_keys_and_sections_are_named(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[link l3]\nbandwith = 10Mbit\n", good_base);
    rejected(text, 16, "unknown key 'bandwith'");
    snprintf(text, sizeof text, "%s[tunnel t]\n", good_base);
    rejected(text, 15, "unknown section '[tunnel t]'");
    snprintf(text, sizeof text, "[scenario]\nseeds = 3\n%s", good_base);
    rejected(text, 2, "unknown key 'seeds'");
    rejected("[switch s]\nports = 4\n", 2, "a [switch] has no keys");
    rejected("orphan = 1\n[host a]\n", 1, "before any [section]");
}

static void bad_values_are_named(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.0.0.300/24\n", good_base);
    rejected(text, 16, "bad address '10.0.0.300/24'");
    snprintf(text, sizeof text, "%s[link l3]\ndelay = 10 parsecs\n", good_base);
    rejected(text, 16, "bad delay '10 parsecs'");
    snprintf(text, sizeof text, "%s[link l3]\nloss = 150%%\n", good_base);
    rejected(text, 16, "bad loss '150%'");
    snprintf(text, sizeof text, "%s[link l3]\nbandwidth = fast\n", good_base);
    rejected(text, 16, "bad bandwidth 'fast'");
    snprintf(text, sizeof text, "%s[link l3]\nmtu = 40\n", good_base);
    rejected(text, 16, "bad mtu '40'");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.0.0.0/24\n", good_base);
    rejected(text, 16, "the network address");
    snprintf(text, sizeof text, "%s[ping q]\ncount = many\n", good_base);
    rejected(text, 16, "bad count 'many'");
    snprintf(text, sizeof text, "%s[ping q]\ncount = 3\ncount = 4\n", good_base);
    rejected(text, 17, "'count' given twice");
    snprintf(text, sizeof text, "%s[transfer q]\ncongestion = bbr\n", good_base);
    rejected(text, 16, "bad congestion 'bbr'");
}

static void links_to_missing_nodes_are_refused(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24\nb = nowhere 10.5.0.2/24\n", good_base);
    rejected(text, 17, "no node of that name");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24\n", good_base);
    rejected(text, 15, "needs b = NODE");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24\nb = r\n", good_base);
    rejected(text, 17, "needs an address on this link");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24\nb = r 10.6.0.1/24\n", good_base);
    rejected(text, 17, "on none of a's networks on this link");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24\nb = r 10.0.0.1/24\n", good_base);
    rejected(text, 17, "on none of a's networks on this link");
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24 2001:db8:5::1/64\nb = r 10.5.0.2/24 2001:db8:6::1/64\n",
             good_base);
    rejected(text, 17, "2001:db8:6::1/64 is on none of a's networks");
}

static void addresses_and_gateways_must_make_sense(void **state)
{
    (void)state;
    rejected("[host a]\n[host b]\n[link l]\na = a 10.0.0.1/24\nb = b 10.0.0.1/24\n", 5, "already on line 4");
    rejected("[host a]\ngateway = 10.9.9.9\n[host b]\n[link l]\na = a 10.0.0.1/24\nb = b 10.0.0.2/24\n", 2,
             "not on any of a's networks");
    rejected("[host a]\ngateway = 10.0.0.7\n[host b]\n[link l]\na = a 10.0.0.1/24\nb = b 10.0.0.2/24\n", 2,
             "no node has the gateway's address");
    rejected("[host a]\ngateway = 10.0.0.2\n[host b]\n[link l]\na = a 10.0.0.1/24\nb = b 10.0.0.2/24\n", 2,
             "a host: only a [router] forwards");
    rejected("[host a]\nroute = 10.0.0.5/24 via 10.0.0.2\n", 2, "host bits set");
}

static void route_loops_are_refused(void **state)
{
    (void)state;
    /* r1 and r2 each think the other knows the way to 10.9.0.0/16. */
    const char *loop = "[router r1]\n"                      /* 1 */
                       "route = 10.9.0.0/16 via 10.0.0.2\n" /* 2 */
                       "[router r2]\n"                      /* 3 */
                       "route = 10.9.0.0/16 via 10.0.0.1\n" /* 4 */
                       "[link l]\n"                         /* 5 */
                       "a = r1 10.0.0.1/30\n"               /* 6 */
                       "b = r2 10.0.0.2/30\n";              /* 7 */
    rejected(loop, 4, "route loop");
    /* Three routers and default routes round a triangle. */
    const char *triangle = "[router r1]\ngateway = 10.0.1.2\n[router r2]\ngateway = 10.0.2.2\n"
                           "[router r3]\ngateway = 10.0.3.2\n"
                           "[link a]\na = r1 10.0.1.1/30\nb = r2 10.0.1.2/30\n"
                           "[link b]\na = r2 10.0.2.1/30\nb = r3 10.0.2.2/30\n"
                           "[link c]\na = r3 10.0.3.1/30\nb = r1 10.0.3.2/30\n";
    rejected(triangle, 6, "r1 -> r2 -> r3 -> r1");
}

static void applications_must_name_real_nodes(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[ping q]\nfrom = z\nto = b\n", good_base);
    rejected(text, 16, "no node named 'z'");
    snprintf(text, sizeof text, "%s[ping q]\nto = b\n", good_base);
    rejected(text, 15, "needs from = NODE");
    snprintf(text, sizeof text, "%s[transfer q]\nfrom = a\nto = 10.1.0.2\n", good_base);
    rejected(text, 17, "needs a node's name");
    snprintf(text, sizeof text, "%s[transfer q]\nfrom = a\nto = b\nprotocol = sctp\n", good_base);
    rejected(text, 18, "bad protocol 'sctp'");
    snprintf(text, sizeof text, "%s[lookup q]\nfrom = a\nquery = b.sim\n", good_base);
    rejected(text, 15, "there is no [dns] section");
    snprintf(text, sizeof text, "%s[dns q]\non = a\nzone = /nonexistent/x.zone\n", good_base);
    rejected(text, 17, "the zone does not load");
    snprintf(text, sizeof text, "%s[lookup q]\nfrom = a\nquery = bad..name\n", good_base);
    rejected(text, 17, "bad query 'bad..name'");
}

static void ipv6_and_dual_stack_mistakes_are_named(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s[link l3]\na = a 10.5.0.1/24 10.6.0.1/24\n", good_base);
    rejected(text, 16, "two IPv4 addresses on one link end");
    snprintf(text, sizeof text, "%s[link l3]\na = a fe80::1/64\n", good_base);
    rejected(text, 16, "link-local");
    snprintf(text, sizeof text, "%s[link l3]\na = a 2001:db8::1/64 2001:db8::2/64 2001:db8::3/64 2001:db8::4/64 "
             "2001:db8::5/64\n", good_base);
    rejected(text, 16, "too many addresses");
    /* Pools: one prefix of each family, subnets that fit the family. */
    snprintf(text, sizeof text, "%s[link l3]\npool = 10.5.0.0/16 10.6.0.0/16\n", good_base);
    rejected(text, 16, "two IPv4 prefixes in one pool");
    snprintf(text, sizeof text, "%s[link l3]\na = a\nb = r\npool = 10.5.0.0/16 2001:db8::/48\nsubnet = /64 /64\n",
             good_base);
    rejected(text, 19, "a pool of 10.5.0.0/16 cannot give out subnets of /64");
    snprintf(text, sizeof text, "%s[link l3]\na = a\nb = r\npool = 2001:db8::/48\nsubnet = /64 /30\n", good_base);
    rejected(text, 19, "2 subnet lengths for a pool of 1 prefix");
    /* Advertisements: a router's own IPv6 prefixes. */
    snprintf(text, sizeof text, "%s[router r9]\nadvertise = 10.0.0.0/24\n", good_base);
    rejected(text, 16, "bad advertise '10.0.0.0/24'");
    snprintf(text, sizeof text, "%s[router r9]\nadvertise = 2001:db8::1/64\n", good_base);
    rejected(text, 16, "host bits set");
    snprintf(text, sizeof text, "%s[router r9]\nadvertise = 2001:db8:9::/64\n[link l3]\na = r9 2001:db8:8::1/64\n"
             "b = a 2001:db8:8::2/64\n", good_base);
    rejected(text, 16, "'r9' has no address in 2001:db8:9::/64");
    snprintf(text, sizeof text, "%s[router r9]\nadvertise = yes\n[link l3]\na = r9 10.7.0.1/24\nb = a 10.7.0.2/24\n",
             good_base);
    rejected(text, 16, "'r9' has no IPv6 address to advertise");
    rejected("[host h]\nadvertise = yes\n", 2, "only a [router] sends router advertisements");
    /* No address and no router advertising a /64 on the link. */
    snprintf(text, sizeof text, "%s[router r9]\nadvertise = yes\n[link l3]\na = r9 2001:db8:9::1/96\nb = b\n",
             good_base);
    rejected(text, 19, "needs an address on this link");
    /* family = 6 to a node without IPv6 (none written, none advertised). */
    snprintf(text, sizeof text, "%s[ping q]\nfrom = a\nto = b\nfamily = 6\n", good_base);
    rejected(text, 18, "'b' has no IPv6 address");
    snprintf(text, sizeof text, "%s[ping q]\nfrom = a\nto = 10.1.0.2\nfamily = 6\n", good_base);
    rejected(text, 18, "not an IPv6 address");
    snprintf(text, sizeof text, "%s[ping q]\nfrom = a\nto = b\nfamily = 5\n", good_base);
    rejected(text, 18, "bad family '5'");
    /* Gateways: one of each family. */
    rejected("[host a]\ngateway = 10.0.0.1 10.0.0.9\n", 2, "a second default route");
    rejected("[host a]\ngateway = 10.0.0.1 2001:db8::1 10.0.0.9\n", 2, "bad gateway");
    rejected("[host a]\nroute = 2001:db8:1::/64 via 10.0.0.1\n", 2, "an address of the other family");
    /* An IPv6 static route loop is found as an IPv4 one is. */
    rejected("[router r1]\nroute = 2001:db8:9::/48 via 2001:db8::2\n"
             "[router r2]\nroute = 2001:db8:9::/48 via 2001:db8::1\n"
             "[link l]\na = r1 2001:db8::1/64\nb = r2 2001:db8::2/64\n",
             4, "route loop: packets for 2001:db8:9::1 would go r1 -> r2 -> r1");
}

static void a_run_stops_at_its_time_limit(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char text[2048], error[512];
    snprintf(text, sizeof text, "[scenario]\ntime_limit = 2s\n%scount = 10\n", good_base);
    struct naru_scenario *sc;
    int err = naru_scenario_parse("slow.ini", text, &sc, error, sizeof error);
    if (err)
        fail_msg("%s", error);
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_true(out.timed_out);
    assert_int_equal(naru_sim_now(naru_scenario_sim(sc)), 2 * NARU_SEC);
    naru_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lan_scenario_runs_clean),
        cmocka_unit_test(two_sites_traceroute_sees_three_routers),
        cmocka_unit_test(dns_lookup_retries_over_a_lossy_link),
        cmocka_unit_test(router_of_ten_hosts_and_two_uplinks_is_built_from_its_links),
        cmocka_unit_test(long_fat_pipe_carries_udp_at_nearly_line_rate),
        cmocka_unit_test(lossy_wireless_loses_in_bursts_and_checksums_catch_flips),
        cmocka_unit_test(bottleneck_is_shared_fairly),
        cmocka_unit_test(one_seed_one_run_another_seed_another),
        cmocka_unit_test(a_good_scenario_is_accepted),
        cmocka_unit_test(unknown_keys_and_sections_are_named),
        cmocka_unit_test(bad_values_are_named),
        cmocka_unit_test(links_to_missing_nodes_are_refused),
        cmocka_unit_test(addresses_and_gateways_must_make_sense),
        cmocka_unit_test(route_loops_are_refused),
        cmocka_unit_test(applications_must_name_real_nodes),
        cmocka_unit_test(a_run_stops_at_its_time_limit),
        cmocka_unit_test(dual_stack_hosts_autoconfigure_and_carry_both_families),
        cmocka_unit_test(static_ipv6_routes_and_dual_stack_pools_carry_traffic),
        cmocka_unit_test(dual_stack_captures_are_byte_identical_for_one_seed),
        cmocka_unit_test(ipv6_and_dual_stack_mistakes_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
