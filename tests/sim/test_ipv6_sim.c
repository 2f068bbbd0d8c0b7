/* IPv6 between simulated stacks: a host, a router and a host behind a
 * 1280-byte link. Neighbour discovery, echo (fragmented too), UDP, TCP
 * through loss, reordering and duplication, forwarding with its hop
 * limit and errors, path MTU discovery. Addresses are given below the
 * public API (iface_addr6_add) until its addresses take IPv6. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip/ipv6.h"
#include "ip/ping.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp_flow.h"
#include "udp/udp.h"
#include "wire/icmpv6.h"

struct world {
    struct naru_sim *sim;
    struct naru_stack *a, *router, *b;
    int a_if, r_a_if, r_b_if, b_if;
};

static const uint8_t net1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
static const uint8_t net2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 };
static const uint8_t a_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
static const uint8_t r1_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t r2_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 };
static const uint8_t b_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 };

static void give(struct naru_stack *s, int ifindex, const uint8_t addr[16], const uint8_t net[16])
{
    struct naru_iface *iface = iface_get(s, ifindex);
    assert_int_equal(iface_addr6_add(s, iface, addr, 64, IFA6_PREFERRED, IFA6_STATIC, NARU_NEVER, NARU_NEVER), 0);
    struct naru_addr prefix = naru_addr_v6(net);
    assert_int_equal(naru_route_add(s, &prefix, 64, NULL, ifindex), 0);
}

/* The interface's link-local address (RFC 7217, autoconfigured). */
static void link_local(struct naru_stack *s, int ifindex, uint8_t out[16])
{
    const struct naru_iface *iface = iface_get(s, ifindex);
    for (uint8_t i = 0; i < iface->addr6_count; i++) {
        if (iface->addr6[i].flags & IFA6_LINK_LOCAL) {
            memcpy(out, iface->addr6[i].addr, 16);
            return;
        }
    }
    memset(out, 0, 16); /* GCC -O2 does not know fail_msg() returns no more */
    fail_msg("no link-local address");
}

static void default_route(struct naru_stack *s, int ifindex, const uint8_t gateway[16])
{
    static const uint8_t any[16];
    struct naru_addr dst = naru_addr_v6(any), gw = naru_addr_v6(gateway);
    assert_int_equal(naru_route_add(s, &dst, 0, &gw, ifindex), 0);
}

static struct world *make_world(uint64_t seed, const struct naru_sim_link_config *first,
                                const struct naru_sim_link_config *second)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(seed, &w->sim), 0);
    w->a = naru_sim_add_stack(w->sim, "a", NULL);
    w->router = naru_sim_add_router(w->sim, "router", NULL);
    w->b = naru_sim_add_stack(w->sim, "b", NULL);
    struct naru_sim_link *l1, *l2;
    assert_int_equal(naru_sim_add_link(w->sim, "one", first, &l1), 0);
    assert_int_equal(naru_sim_link_attach(l1, 0, w->a, "10.1.0.2/24", &w->a_if), 0);
    assert_int_equal(naru_sim_link_attach(l1, 1, w->router, "10.1.0.1/24", &w->r_a_if), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "two", second, &l2), 0);
    assert_int_equal(naru_sim_link_attach(l2, 0, w->router, "10.2.0.1/24", &w->r_b_if), 0);
    assert_int_equal(naru_sim_link_attach(l2, 1, w->b, "10.2.0.2/24", &w->b_if), 0);
    give(w->a, w->a_if, a_addr, net1);
    give(w->router, w->r_a_if, r1_addr, net1);
    give(w->router, w->r_b_if, r2_addr, net2);
    give(w->b, w->b_if, b_addr, net2);
    default_route(w->a, w->a_if, r1_addr);
    default_route(w->b, w->b_if, r2_addr);
    /* Past duplicate address detection of the link-local addresses. */
    naru_sim_run(w->sim, 3 * NARU_SEC, NULL, NULL);
    return w;
}

static int setup(void **state)
{
    struct naru_sim_link_config wide = { .delay = 2 * NARU_MS };
    struct naru_sim_link_config narrow = { .delay = 2 * NARU_MS, .mtu = 1280 };
    *state = make_world(11, &wide, &narrow);
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    naru_sim_destroy(w->sim);
    free(w);
    return 0;
}

/* Send an echo request of `data` bytes from a ping socket of `from`. */
static void ping6(struct naru_stack *from, int sock, const uint8_t to[16], uint16_t seq, size_t data)
{
    static uint8_t req[8 + 8000];
    memset(req, 0, 8);
    req[0] = ICMPV6_ECHO_REQUEST;
    wire_put16(req + 6, seq);
    for (size_t i = 0; i < data; i++)
        req[8 + i] = (uint8_t)(i * 31 + seq);
    struct sock_addr dst = { .addr = naru_addr_v6(to) };
    assert_int_equal(ping_output(from, sock_get(from, sock), req, 8 + data, &dst), (long)(8 + data));
}

static int ping_socket(struct naru_stack *s)
{
    int sock = naru_socket(s, NARU_SOCK_PING);
    assert_true(sock >= 0);
    assert_int_equal(naru_bind(s, sock, &(struct naru_sockaddr){ .port = 0 }), 0);
    return sock;
}

/* The reply to ping6(..., seq, data), checked byte for byte. */
static void expect_reply(struct world *w, struct naru_stack *s, int sock, uint16_t seq, size_t data)
{
    assert_true(wait_readable(w->sim, s, sock, 2 * NARU_SEC));
    static uint8_t got[8 + 8100];
    assert_int_equal(naru_recv(s, sock, got, sizeof got, 0), (long)(8 + data));
    assert_int_equal(got[0], ICMPV6_ECHO_REPLY);
    assert_int_equal(wire_get16(got + 6), seq);
    for (size_t i = 0; i < data; i++)
        if (got[8 + i] != (uint8_t)(i * 31 + seq))
            fail_msg("byte %zu of the reply differs", i);
}

static void neighbours_ping_each_other_link_local(void **state)
{
    struct world *w = *state;
    uint8_t router_ll[16];
    link_local(w->router, w->r_a_if, router_ll);
    int sock = ping_socket(w->a);
    ping6(w->a, sock, router_ll, 1, 56);
    expect_reply(w, w->a, sock, 1, 56);
    assert_int_equal(counter(w->a, "ndp_tx_ns"), 1);
    assert_int_equal(counter(w->router, "ndp_tx_na"), 1);
    assert_int_equal(counter(w->router, "icmp6_tx_echo_replies"), 1);
    /* Both learnt the other: no more solicitations for a second ping. */
    ping6(w->a, sock, router_ll, 2, 56);
    expect_reply(w, w->a, sock, 2, 56);
    assert_int_equal(counter(w->a, "ndp_tx_ns") + counter(w->router, "ndp_tx_ns"), 1);
}

static void each_interface_has_its_own_link_local_route(void **state)
{
    struct world *w = *state;
    static const uint8_t fe80[16] = { 0xfe, 0x80 };
    const struct route_table *t = &w->router->routes;
    int seen[2] = { 0, 0 };
    for (uint32_t i = 0; i < t->count6; i++) {
        const struct route6 *r = &t->routes6[i];
        if (r->prefix_len != 64 || memcmp(r->dst, fe80, 16) != 0)
            continue;
        assert_int_equal(r->gateway.family, NARU_AF_UNSPEC);
        seen[0] += r->ifindex == w->r_a_if;
        seen[1] += r->ifindex == w->r_b_if;
    }
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 1);
}

static void echo_crosses_the_router_with_the_hop_limit_decremented(void **state)
{
    struct world *w = *state;
    int sock = ping_socket(w->a);
    ping6(w->a, sock, b_addr, 1, 100);
    expect_reply(w, w->a, sock, 1, 100);
    assert_int_equal(counter(w->router, "ip6_forwarded"), 2);
    assert_int_equal(counter(w->b, "icmp6_rx_echo_requests"), 1);
}

static void fragmented_echo_of_4000_bytes_comes_back_whole(void **state)
{
    struct world *w = *state;
    int sock = ping_socket(w->a);
    ping6(w->a, sock, r1_addr, 1, 4000);
    expect_reply(w, w->a, sock, 1, 4000);
    assert_int_equal(counter(w->a, "ip6_fragments_created"), 3);
    assert_int_equal(counter(w->router, "ip6_reasm_ok"), 1);
    assert_int_equal(counter(w->a, "ip6_reasm_ok"), 1);
}

static void packet_too_big_from_the_1280_hop_narrows_the_path(void **state)
{
    struct world *w = *state;
    int sock = ping_socket(w->a);
    /* 1400 bytes fit a's link but not the router's way on: the router
     * answers packet too big (RFC 8200 5: it never fragments). */
    ping6(w->a, sock, b_addr, 1, 1400);
    naru_sim_run(w->sim, naru_stack_now(w->a) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(w->router, "ip6_tx_too_big"), 1);
    assert_int_equal(counter(w->a, "icmp6_rx_packet_too_big"), 1);
    struct naru_addr dst = naru_addr_v6(b_addr);
    assert_int_equal(pmtu_get(w->a, &dst), 1280);
    /* The same again now leaves in fragments that fit. */
    ping6(w->a, sock, b_addr, 2, 1400);
    expect_reply(w, w->a, sock, 2, 1400);
    assert_int_equal(counter(w->b, "ip6_reasm_ok"), 1);
}

static void hop_limit_runs_out_at_the_router(void **state)
{
    struct world *w = *state;
    int sock = ping_socket(w->a);
    sock_get(w->a, sock)->ttl = 1;
    ping6(w->a, sock, b_addr, 1, 8);
    naru_sim_run(w->sim, naru_stack_now(w->a) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(w->router, "ip6_hop_limit_exceeded"), 1);
    assert_int_equal(counter(w->a, "icmp6_rx_time_exceeded"), 1);
    assert_int_equal(counter(w->b, "icmp6_rx_echo_requests"), 0);
}

static void no_route_at_the_router_answers_unreachable(void **state)
{
    struct world *w = *state;
    static const uint8_t nowhere[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 1 };
    int sock = ping_socket(w->a);
    ping6(w->a, sock, nowhere, 1, 8);
    naru_sim_run(w->sim, naru_stack_now(w->a) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(w->a, "icmp6_rx_dest_unreachable"), 1);
    assert_int_equal(counter(w->router, "ip6_no_route"), 1);
}

static void link_local_source_is_not_forwarded_and_hears_beyond_scope_on_its_link(void **state)
{
    struct world *w = *state;
    /* From b's link-local address (the router's second link) to a: the
     * error must go back out of the link it came in on. */
    int sock = ping_socket(w->b);
    struct naru_addr ll = { .family = NARU_AF_INET6 };
    link_local(w->b, w->b_if, ll.v6);
    sock_get(w->b, sock)->local.addr = ll;
    ping6(w->b, sock, a_addr, 1, 8);
    naru_sim_run(w->sim, naru_stack_now(w->b) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(w->router, "ip6_forward_scope_errors"), 1);
    assert_int_equal(counter(w->router, "ip6_forwarded"), 0);
    assert_int_equal(counter(w->b, "icmp6_rx_dest_unreachable"), 1);
    assert_int_equal(counter(w->a, "icmp6_rx"), 0);
}

static void udp_datagram_crosses_the_router(void **state)
{
    struct world *w = *state;
    int rx = udp_socket(w->b, 7000);
    int tx = naru_socket(w->a, NARU_SOCK_DGRAM);
    struct sock_addr to = { .addr = naru_addr_v6(b_addr), .port = 7000 };
    assert_int_equal(udp_output(w->a, sock_get(w->a, tx), "over six", 8, &to), 8);
    assert_true(wait_readable(w->sim, w->b, rx, NARU_SEC));
    char buf[16];
    struct naru_recv_info info;
    assert_int_equal(naru_recv_info(w->b, rx, buf, sizeof buf, 0, &info), 8);
    assert_memory_equal(buf, "over six", 8);
    assert_int_equal(info.hop_limit, 63);
    assert_int_equal(info.from.addr.family, NARU_AF_INET6);
    assert_memory_equal(info.from.addr.v6, a_addr, 16);
    /* No one on 7001: port unreachable comes back to the sender's socket. */
    to.port = 7001;
    assert_int_equal(udp_output(w->a, sock_get(w->a, tx), "x", 1, &to), 1);
    naru_sim_run(w->sim, naru_stack_now(w->a) + NARU_SEC, NULL, NULL);
    assert_int_equal(counter(w->b, "icmp6_tx_errors"), 1);
    assert_int_equal(counter(w->a, "icmp6_rx_dest_unreachable"), 1);
}

static struct world *tcp_transfer(uint64_t seed, double loss, double reorder, double duplicate, uint64_t bytes,
                                   uint32_t second_mtu)
{
    struct naru_sim_link_config rough = { .delay = 5 * NARU_MS, .rate_bps = 50000000, .loss = loss,
                                          .reorder = reorder, .duplicate = duplicate };
    struct naru_sim_link_config clean = { .delay = 5 * NARU_MS, .rate_bps = 50000000, .mtu = second_mtu };
    struct world *w = make_world(seed, &rough, &clean);
    /* Resolve the neighbours first, as over a lossy link any resolution
     * can fail three times (tcp_flow_resolve's reasoning). */
    int sock = ping_socket(w->a);
    for (uint16_t i = 1; i <= 10; i++) {
        ping6(w->a, sock, b_addr, i, 8);
        naru_sim_run(w->sim, naru_stack_now(w->a) + 200 * NARU_MS, NULL, NULL);
    }
    naru_close(w->a, sock);
    struct tcp_flow f = { 0 };
    struct naru_addr server = naru_addr_v6(b_addr);
    tcp_flow_start_addr(&f, w->sim, w->a, w->b, &server, 80, bytes, bytes / 4);
    naru_sim_run(w->sim, naru_stack_now(w->a) + 600 * NARU_SEC, tcp_flow_done, &f);
    if (!tcp_flow_ok(&f))
        fail_msg("seed %llu: client error %d sent %llu got %llu; server error %d got %llu",
                 (unsigned long long)seed, f.client.error, (unsigned long long)f.client.sent,
                 (unsigned long long)f.client.received, f.server.error, (unsigned long long)f.server.received);
    assert_true(counter(w->router, "ip6_forwarded") > bytes / 1440);
    tcp_flow_free(&f);
    return w;
}

static void tcp_moves_data_both_ways_through_loss_reordering_and_duplication(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct world *w = tcp_transfer(seed, 0.01, 0.01, 0.01, 10u * 1000 * 1000, 0);
        assert_int_equal(counter(w->router, "ip6_tx_too_big"), 0); /* MSS 1440 fits 1500 */
        teardown((void **)&w);
    }
}

/* RFC 4861 7.3.1: TCP's new acknowledgments vouch for the first hop, so
 * through 40 s of transfer (past REACHABLE's 30 s and DELAY's 5 s) the
 * router is never probed; without them it would be, at about 35 s. */
static void tcp_acknowledgments_keep_the_first_hop_reachable_without_probes(void **state)
{
    (void)state;
    struct naru_sim_link_config slow = { .delay = 5 * NARU_MS, .rate_bps = 1000000 };
    struct world *w = make_world(3, &slow, &slow);
    uint64_t ns_before = counter(w->a, "ndp_tx_ns");
    naru_time_t start = naru_stack_now(w->a);
    struct tcp_flow f = { 0 };
    struct naru_addr server = naru_addr_v6(b_addr);
    tcp_flow_start_addr(&f, w->sim, w->a, w->b, &server, 80, 5000000, 5000000);
    naru_sim_run(w->sim, start + 600 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    assert_true(naru_stack_now(w->a) - start > 40 * NARU_SEC);
    /* One solicitation: the router resolved for the SYN; no probe since. */
    assert_int_equal(counter(w->a, "ndp_tx_ns") - ns_before, 1);
    struct naru_addr r1 = naru_addr_v6(r1_addr);
    assert_int_equal(neighbour_find(w->a, w->a_if, &r1)->state, NEIGH_REACHABLE);
    tcp_flow_free(&f);
    teardown((void **)&w);
}

static void tcp_shrinks_its_segments_after_packet_too_big_from_a_hop_in_the_middle(void **state)
{
    (void)state;
    /* a - r1 - (1280) - r2 - b: both ends on 1500-byte links, so both
     * announce an MSS of 1440, and only the routers' link is narrower. */
    static const uint8_t net3[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3 };
    static const uint8_t r1_mid[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3, [15] = 1 };
    static const uint8_t r2_mid[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 3, [15] = 2 };
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(5, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *r1 = naru_sim_add_stack(sim, "r1", NULL);
    struct naru_stack *r2 = naru_sim_add_stack(sim, "r2", NULL), *b = naru_sim_add_stack(sim, "b", NULL);
    struct naru_sim_link_config wide = { .delay = 2 * NARU_MS, .rate_bps = 50000000 };
    struct naru_sim_link_config narrow = { .delay = 2 * NARU_MS, .rate_bps = 50000000, .mtu = 1280 };
    struct naru_sim_link *l1, *l2, *l3;
    int a_if, r1_a, r1_m, r2_m, r2_b, b_if;
    assert_int_equal(naru_sim_add_link(sim, "one", &wide, &l1), 0);
    assert_int_equal(naru_sim_link_attach(l1, 0, a, "10.1.0.2/24", &a_if), 0);
    assert_int_equal(naru_sim_link_attach(l1, 1, r1, "10.1.0.1/24", &r1_a), 0);
    assert_int_equal(naru_sim_add_link(sim, "middle", &narrow, &l2), 0);
    assert_int_equal(naru_sim_link_attach(l2, 0, r1, "10.3.0.1/24", &r1_m), 0);
    assert_int_equal(naru_sim_link_attach(l2, 1, r2, "10.3.0.2/24", &r2_m), 0);
    assert_int_equal(naru_sim_add_link(sim, "two", &wide, &l3), 0);
    assert_int_equal(naru_sim_link_attach(l3, 0, r2, "10.2.0.1/24", &r2_b), 0);
    assert_int_equal(naru_sim_link_attach(l3, 1, b, "10.2.0.2/24", &b_if), 0);
    give(a, a_if, a_addr, net1);
    give(r1, r1_a, r1_addr, net1);
    give(r1, r1_m, r1_mid, net3);
    give(r2, r2_m, r2_mid, net3);
    give(r2, r2_b, r2_addr, net2);
    give(b, b_if, b_addr, net2);
    default_route(a, a_if, r1_addr);
    default_route(b, b_if, r2_addr);
    default_route(r1, r1_m, r2_mid);
    default_route(r2, r2_m, r1_mid);
    naru_stack_set_forwarding(r1, true);
    naru_stack_set_forwarding(r2, true);
    struct tcp_flow f = { 0 };
    struct naru_addr server = naru_addr_v6(b_addr);
    tcp_flow_start_addr(&f, sim, a, b, &server, 80, 1000 * 1000, 1000 * 1000);
    naru_sim_run(sim, naru_stack_now(a) + 120 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    /* RFC 8201: too-big reports each way, then segments of 1280 - 60;
     * never a fragment. */
    assert_true(counter(r1, "ip6_tx_too_big") >= 1);
    assert_true(counter(r2, "ip6_tx_too_big") >= 1);
    /* Each segment of the initial window (RFC 6928: 10) was in flight
     * before the first report came back; none after. */
    assert_true(counter(r1, "ip6_tx_too_big") <= 10);
    assert_true(counter(r2, "ip6_tx_too_big") <= 10);
    assert_int_equal(counter(a, "ip_pmtu_lowered"), 1);
    assert_int_equal(counter(b, "ip_pmtu_lowered"), 1);
    assert_int_equal(counter(a, "ip6_fragmented") + counter(b, "ip6_fragmented"), 0);
    tcp_flow_free(&f);
    naru_sim_destroy(sim);
}

static void tcp_over_ipv6_connects_with_syn_cookies(void **state)
{
    (void)state;
    /* Every SYN answered with a cookie (RFC 4987 3.6): the connection
     * comes from the final ACK alone, and carries data both ways. */
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(3, &sim), 0);
    struct naru_stack_config always;
    naru_stack_config_default(&always);
    always.tcp_syncookies = NARU_TCP_SYNCOOKIES_ALWAYS;
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *b = naru_sim_add_stack(sim, "b", &always);
    struct naru_memlink_config link = { .delay = 2 * NARU_MS };
    int a_if, b_if;
    assert_int_equal(naru_sim_connect(sim, a, "10.1.0.2/24", b, "10.1.0.1/24", &link, &a_if, &b_if), 0);
    give(a, a_if, a_addr, net1);
    give(b, b_if, r1_addr, net1);
    struct tcp_flow f = { 0 };
    struct naru_addr server = naru_addr_v6(r1_addr);
    tcp_flow_start_addr(&f, sim, a, b, &server, 80, 300 * 1000, 300 * 1000);
    naru_sim_run(sim, naru_stack_now(a) + 60 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    assert_int_equal(counter(b, "tcp_syncookies_sent"), 1);
    assert_int_equal(counter(b, "tcp_syncookies_accepted"), 1);
    tcp_flow_free(&f);
    naru_sim_destroy(sim);
}

/* A host, a router and a second host on one switched link, the second
 * host in a prefix the first does not know is on the link: the router
 * forwards the first echo back out where it came in, redirects both
 * hosts (RFC 4861 8.2), and the second echo goes straight across. */
static void router_redirects_hosts_on_one_link_to_each_other(void **state)
{
    (void)state;
    static const uint8_t net9[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9 };
    static const uint8_t c_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 3 };
    static const uint8_t r9_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 1 };
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(5, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *r = naru_sim_add_router(sim, "r", NULL),
                      *c = naru_sim_add_stack(sim, "c", NULL);
    struct naru_sim_switch *sw = naru_sim_add_switch(sim, "sw");
    struct naru_sim_link_config lan = { .delay = 1 * NARU_MS };
    struct naru_stack *ends[3] = { a, r, c };
    int ifs[3];
    for (int i = 0; i < 3; i++) {
        struct naru_sim_link *l;
        char name[8];
        snprintf(name, sizeof name, "l%d", i);
        assert_int_equal(naru_sim_add_link(sim, name, &lan, &l), 0);
        assert_int_equal(naru_sim_link_attach(l, 0, ends[i], NULL, &ifs[i]), 0);
        assert_int_equal(naru_sim_link_attach_switch(l, 1, sw), 0);
        assert_int_equal(naru_if_up(ends[i], ifs[i]), 0);
    }
    give(a, ifs[0], a_addr, net1);
    give(r, ifs[1], r1_addr, net1);
    give(r, ifs[1], r9_addr, net9);
    give(c, ifs[2], c_addr, net9);
    naru_sim_run(sim, 3 * NARU_SEC, NULL, NULL); /* past DAD */
    uint8_t r_ll[16];
    link_local(r, ifs[1], r_ll);
    default_route(a, ifs[0], r_ll); /* as router discovery would give it */
    default_route(c, ifs[2], r_ll);
    int sock = ping_socket(a);
    ping6(a, sock, c_addr, 1, 56);
    assert_true(wait_readable(sim, a, sock, 2 * NARU_SEC));
    uint8_t got[128];
    assert_int_equal(naru_recv(a, sock, got, sizeof got, 0), 64);
    assert_int_equal(counter(r, "ip6_forwarded"), 2); /* the request and the reply */
    assert_int_equal(counter(r, "rd_tx_redirects"), 2);
    assert_int_equal(counter(a, "rd_redirects"), 1);
    assert_int_equal(counter(c, "rd_redirects"), 1);
    ping6(a, sock, c_addr, 2, 56);
    assert_true(wait_readable(sim, a, sock, 2 * NARU_SEC));
    assert_int_equal(naru_recv(a, sock, got, sizeof got, 0), 64);
    assert_int_equal(counter(r, "ip6_forwarded"), 2); /* straight across this time */
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(neighbours_ping_each_other_link_local, setup, teardown),
        cmocka_unit_test_setup_teardown(each_interface_has_its_own_link_local_route, setup, teardown),
        cmocka_unit_test_setup_teardown(echo_crosses_the_router_with_the_hop_limit_decremented, setup, teardown),
        cmocka_unit_test_setup_teardown(fragmented_echo_of_4000_bytes_comes_back_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(packet_too_big_from_the_1280_hop_narrows_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(hop_limit_runs_out_at_the_router, setup, teardown),
        cmocka_unit_test_setup_teardown(no_route_at_the_router_answers_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(link_local_source_is_not_forwarded_and_hears_beyond_scope_on_its_link, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(udp_datagram_crosses_the_router, setup, teardown),
        cmocka_unit_test(tcp_moves_data_both_ways_through_loss_reordering_and_duplication),
        cmocka_unit_test(tcp_over_ipv6_connects_with_syn_cookies),
        cmocka_unit_test(tcp_shrinks_its_segments_after_packet_too_big_from_a_hop_in_the_middle),
        cmocka_unit_test(router_redirects_hosts_on_one_link_to_each_other),
        cmocka_unit_test(tcp_acknowledgments_keep_the_first_hop_reachable_without_probes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
