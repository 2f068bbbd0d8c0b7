/* IPv6 under attack in the simulator: a hostile node on the link puts
 * frames of its own making onto it (fragments that overlap, first
 * fragments without the header chain, atomic fragments, Neighbour
 * Discovery inside fragments, floods of fragments never finished, a scan
 * of a /64 through a router), and the stacks' counters, answers and
 * memory are checked. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/iface.h"
#include "link/neighbour.h"
#include "stack.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t x_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x66 };
static const uint8_t v_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
static const uint8_t b_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2 };

/* The attacker x and its victim v (a host, or a router with b behind it). */
struct world {
    struct naru_sim *sim;
    struct naru_stack *x, *v, *b;
    int x_if, v_if, v_b_if, b_if;
    uint8_t to_mac[6];         /* where x's frames go: v's interface */
    /* The last ICMPv6 error v sent: type, code, pointer. */
    int error_type, error_code;
    uint32_t error_pointer;
};

static void watch(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                  naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)now;
    struct world *w = ctx;
    int ifindex;
    if (event != NARU_SIM_FRAME_SENT || naru_sim_link_stack(link, from_end, &ifindex) != w->v ||
        len < ETH_HEADER_LEN + IPV6_HEADER_LEN + 8 || wire_get16(frame + 12) != ETHERTYPE_IPV6)
        return;
    const uint8_t *ip6 = frame + ETH_HEADER_LEN, *icmp = ip6 + IPV6_HEADER_LEN;
    if (ip6[6] == IP_PROTO_ICMPV6 && icmp[0] < 128) {
        w->error_type = icmp[0];
        w->error_code = icmp[1];
        w->error_pointer = wire_get32(icmp + 4);
    }
}

static struct world *make(uint64_t seed, bool router)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(seed, &w->sim), 0);
    w->x = naru_sim_add_stack(w->sim, "x", NULL);
    w->v = router ? naru_sim_add_router(w->sim, "r", NULL) : naru_sim_add_stack(w->sim, "v", NULL);
    struct naru_sim_link_config wire = { .delay = 1 * NARU_MS, .queue_frames = 100000 };
    struct naru_sim_link *l;
    assert_int_equal(naru_sim_add_link(w->sim, "one", &wire, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, w->x, "2001:db8:1::66/64", &w->x_if), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, w->v, "2001:db8:1::2/64", &w->v_if), 0);
    if (router) {
        w->b = naru_sim_add_stack(w->sim, "b", NULL);
        assert_int_equal(naru_sim_add_link(w->sim, "two", &wire, &l), 0);
        assert_int_equal(naru_sim_link_attach(l, 0, w->v, "2001:db8:2::1/64", &w->v_b_if), 0);
        assert_int_equal(naru_sim_link_attach(l, 1, w->b, "2001:db8:2::2/64", &w->b_if), 0);
    }
    memcpy(w->to_mac, iface_get(w->v, w->v_if)->mac, 6);
    naru_sim_set_observer(w->sim, watch, w);
    naru_sim_run(w->sim, 3 * NARU_SEC, NULL, NULL); /* past DAD */
    return w;
}

static void destroy(struct world *w)
{
    naru_sim_destroy(w->sim);
    free(w);
}

static void run_for(struct world *w, naru_time_t t)
{
    naru_sim_run(w->sim, naru_sim_now(w->sim) + t, NULL, NULL);
}

/* Put an IPv6 packet (header fields given, payload after the 40 bytes)
 * onto the link from x, to v's MAC address. */
static void inject(struct world *w, const uint8_t dst[16], uint8_t next_header, uint8_t hop_limit,
                   const uint8_t *payload, size_t len)
{
    static uint8_t frame[ETH_HEADER_LEN + IPV6_HEADER_LEN + 2048];
    assert_true(len <= 2048);
    struct naru_iface *iface = iface_get(w->x, w->x_if);
    struct eth_header e = { .ethertype = ETHERTYPE_IPV6 };
    memcpy(e.dst, w->to_mac, 6);
    memcpy(e.src, iface->mac, 6);
    eth_emit(&e, frame, sizeof frame);
    struct ipv6_header h = { .payload_len = (uint16_t)len, .next_header = next_header, .hop_limit = hop_limit };
    memcpy(h.src, x_addr, 16);
    memcpy(h.dst, dst, 16);
    ipv6_emit(&h, frame + ETH_HEADER_LEN, IPV6_HEADER_LEN);
    memcpy(frame + ETH_HEADER_LEN + IPV6_HEADER_LEN, payload, len);
    assert_true(iface->driver.transmit(iface->driver.ctx, frame, ETH_HEADER_LEN + IPV6_HEADER_LEN + len) >= 0);
}

/* An echo request of `data` bytes (ICMPv6 checksum for x -> dst). */
static size_t echo_request(uint8_t *buf, const uint8_t dst[16], uint16_t seq, size_t data)
{
    memset(buf, 0, 8);
    buf[0] = ICMPV6_ECHO_REQUEST;
    wire_put16(buf + 4, 0x4242);
    wire_put16(buf + 6, seq);
    for (size_t i = 0; i < data; i++)
        buf[8 + i] = (uint8_t)(i + seq);
    uint32_t sum = inet6_pseudo_sum(x_addr, dst, (uint32_t)(8 + data), IP_PROTO_ICMPV6);
    wire_put16(buf + 2, inet_fold(inet_sum(buf, 8 + data, sum)));
    return 8 + data;
}

/* A fragment of `upper` (protocol next_header): bytes [offset, offset+len). */
static void fragment(struct world *w, const uint8_t dst[16], uint32_t id, uint8_t next_header, const uint8_t *upper,
                     uint16_t offset, size_t len, bool more)
{
    uint8_t buf[IPV6_FRAGMENT_HEADER_LEN + 2040];
    struct ipv6_fragment f = { .offset = offset, .more = more, .identification = id };
    assert_int_equal(ipv6_fragment_emit(next_header, &f, buf, sizeof buf), IPV6_FRAGMENT_HEADER_LEN);
    memcpy(buf + IPV6_FRAGMENT_HEADER_LEN, upper + offset, len);
    inject(w, dst, IP_PROTO_FRAGMENT, 64, buf, IPV6_FRAGMENT_HEADER_LEN + len);
}

/* RFC 5722: a fragment overlapping another discards the whole datagram;
 * the same fragments without the overlap make an echo that is answered. */
static void overlapping_fragments_discard_the_whole_datagram(void **state)
{
    (void)state;
    struct world *w = make(41, false);
    uint8_t echo[40];
    echo_request(echo, v_addr, 1, 32);
    fragment(w, v_addr, 7, IP_PROTO_ICMPV6, echo, 0, 24, true);
    fragment(w, v_addr, 7, IP_PROTO_ICMPV6, echo, 16, 24, false); /* 16..23 again */
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_overlaps"), 1);
    /* The piece that would have finished it cleanly finishes nothing. */
    fragment(w, v_addr, 7, IP_PROTO_ICMPV6, echo, 24, 16, false);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_ok"), 0);
    assert_int_equal(counter(w->v, "icmp6_tx_echo_replies"), 0);
    /* Without an overlap, the same bytes are an echo. */
    fragment(w, v_addr, 8, IP_PROTO_ICMPV6, echo, 0, 24, true);
    fragment(w, v_addr, 8, IP_PROTO_ICMPV6, echo, 24, 16, false);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_ok"), 1);
    assert_int_equal(counter(w->v, "icmp6_tx_echo_replies"), 1);
    assert_int_equal(counter(w->x, "icmp6_rx_echo_replies"), 1);
    destroy(w);
}

/* RFC 7112 5: a first fragment whose header chain runs on into the next
 * fragment is dropped with a parameter problem, code 3, pointer 0. */
static void first_fragment_without_the_header_chain_gets_parameter_problem(void **state)
{
    (void)state;
    struct world *w = make(42, false);
    /* A destination options header of 8 * (1 + 200) bytes, then ICMPv6:
     * the first fragment holds 64 bytes of it. */
    uint8_t upper[1616] = { IP_PROTO_ICMPV6, 200, IPV6_OPT_PADN, 200 - 2 };
    fragment(w, v_addr, 9, IP_PROTO_DSTOPTS, upper, 0, 64, true);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_incomplete_chain"), 1);
    assert_int_equal(counter(w->v, "ip6_reasm_fragments"), 0);
    assert_int_equal(w->error_type, ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(w->error_code, 3);
    assert_int_equal(w->error_pointer, 0);
    assert_int_equal(counter(w->x, "icmp6_rx_param_problems"), 1);
    destroy(w);
}

/* RFC 6946 4: a fragment header with offset 0 and M clear is processed
 * alone, apart from any reassembly of the same identification. */
static void atomic_fragment_is_handled_alone(void **state)
{
    (void)state;
    struct world *w = make(43, false);
    uint8_t one[40], two[40];
    echo_request(one, v_addr, 1, 32);
    echo_request(two, v_addr, 2, 32);
    fragment(w, v_addr, 5, IP_PROTO_ICMPV6, one, 0, 24, true);
    run_for(w, 100 * NARU_MS);
    fragment(w, v_addr, 5, IP_PROTO_ICMPV6, two, 0, 40, false); /* atomic, same id */
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_atomic"), 1);
    assert_int_equal(counter(w->v, "icmp6_tx_echo_replies"), 1);
    fragment(w, v_addr, 5, IP_PROTO_ICMPV6, one, 24, 16, false);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_ok"), 1);
    assert_int_equal(counter(w->v, "ip6_reasm_overlaps"), 0);
    assert_int_equal(counter(w->v, "icmp6_tx_echo_replies"), 2);
    destroy(w);
}

/* RFC 6980 5: Neighbour Discovery inside a fragment (atomic here) is
 * ignored: a solicitation for v's address gets no advertisement, and no
 * neighbour entry for the sender is made from it. */
static void neighbour_discovery_in_a_fragment_is_ignored(void **state)
{
    (void)state;
    struct world *w = make(44, false);
    uint8_t group[16], ns[NDP_NS_LEN + 8];
    ipv6_solicited_node(v_addr, group);
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    memcpy(m.target, v_addr, 16);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, ns, sizeof ns);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, iface_get(w->x, w->x_if)->mac);
    size_t len = ndp_emit_finish(&b, x_addr, v_addr);
    assert_true(len > 0);
    uint8_t buf[IPV6_FRAGMENT_HEADER_LEN + sizeof ns];
    struct ipv6_fragment f = { .identification = 3 };
    ipv6_fragment_emit(IP_PROTO_ICMPV6, &f, buf, sizeof buf);
    memcpy(buf + IPV6_FRAGMENT_HEADER_LEN, ns, len);
    uint64_t na = counter(w->v, "ndp_tx_na");
    inject(w, v_addr, IP_PROTO_FRAGMENT, 255, buf, IPV6_FRAGMENT_HEADER_LEN + len);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ndp_rx_in_fragment"), 1);
    assert_int_equal(counter(w->v, "ndp_tx_na"), na);
    struct naru_addr xa = naru_addr_v6(x_addr);
    assert_null(neighbour_find(w->v, w->v_if, &xa));
    /* The same solicitation unfragmented is answered. */
    inject(w, v_addr, IP_PROTO_ICMPV6, 255, ns, len);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ndp_tx_na"), na + 1);
    destroy(w);
}

/* Thousands of first fragments, none ever finished: reassembly holds no
 * more than its slots (the oldest give way, counted), everything is
 * freed when they time out, and v still answers. */
static void flood_of_unfinished_fragments_is_bounded_and_counted(void **state)
{
    (void)state;
    struct world *w = make(45, false);
    uint32_t slots = w->v->config.reassembly_datagrams;
    unsigned base = naru_stack_buffers_in_use(w->v);
    uint8_t upper[1024];
    echo_request(upper, v_addr, 1, sizeof upper - 8);
    const uint32_t flood = 5000;
    unsigned most = 0;
    for (uint32_t id = 0; id < flood; id++) {
        fragment(w, v_addr, 1000 + id, IP_PROTO_ICMPV6, upper, 0, 1000, true);
        if (id % 50 == 49) {
            run_for(w, 5 * NARU_MS);
            unsigned held = naru_stack_buffers_in_use(w->v);
            most = held > most ? held : most;
        }
    }
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "ip6_reasm_fragments"), flood);
    assert_true(most <= base + slots + 2);
    assert_int_equal(counter(w->v, "ip6_reasm_evicted"), flood - slots);
    /* RFC 8200 4.5: 60 s after each first fragment, time exceeded. */
    run_for(w, 61 * NARU_SEC);
    assert_int_equal(counter(w->v, "ip6_reasm_timeouts"), slots);
    assert_int_equal(naru_stack_buffers_in_use(w->v), base);
    uint8_t echo[16];
    size_t len = echo_request(echo, v_addr, 9, 8);
    uint64_t replies = counter(w->v, "icmp6_tx_echo_replies");
    inject(w, v_addr, IP_PROTO_ICMPV6, 64, echo, len);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->v, "icmp6_tx_echo_replies"), replies + 1);
    destroy(w);
}

/* RFC 6583: echo requests to thousands of addresses of a /64 behind a
 * router make it resolve them; the entries being resolved stay within
 * their bound, the rest are counted and dropped, and a neighbour it had
 * resolved before (b) stays resolved and reachable throughout. */
static void scan_of_a_64_through_a_router_stays_within_the_neighbour_bound(void **state)
{
    (void)state;
    struct world *w = make(46, true);
    /* x reaches b through r (x's frames go to r's MAC, b's to r's). */
    uint8_t echo[16];
    size_t len = echo_request(echo, b_addr, 1, 8);
    inject(w, b_addr, IP_PROTO_ICMPV6, 64, echo, len);
    run_for(w, 100 * NARU_MS);
    assert_int_equal(counter(w->b, "icmp6_rx_echo_requests"), 1);
    struct naru_addr b = naru_addr_v6(b_addr);
    assert_non_null(neighbour_find(w->v, w->v_b_if, &b));
    uint32_t bound = w->v->config.neighbour_incomplete;
    uint32_t most = 0;
    for (uint32_t i = 0; i < 4000; i++) {
        uint8_t dst[16];
        memcpy(dst, b_addr, 8);
        wire_put32(dst + 8, 0x1000u + i * 7919u);
        wire_put32(dst + 12, i * 2654435761u);
        len = echo_request(echo, dst, (uint16_t)i, 8);
        inject(w, dst, IP_PROTO_ICMPV6, 64, echo, len);
        if (i % 100 == 99) {
            run_for(w, 10 * NARU_MS);
            most = w->v->neighbours.incomplete > most ? w->v->neighbours.incomplete : most;
            /* b answers echoes all along, through the same table. */
            len = echo_request(echo, b_addr, (uint16_t)(10000 + i), 8);
            inject(w, b_addr, IP_PROTO_ICMPV6, 64, echo, len);
        }
    }
    run_for(w, 10 * NARU_SEC);
    assert_true(most <= bound);
    /* Every address past the bound dropped at once (r's own traffic may
     * hold an entry of the bound for a moment too). */
    assert_true(counter(w->v, "ndp_incomplete_full") >= 4000 - bound);
    assert_true(counter(w->v, "ndp_tx_ns") < 4 * bound);
    assert_int_equal(counter(w->b, "icmp6_rx_echo_requests"), 1 + 40);
    assert_non_null(neighbour_find(w->v, w->v_b_if, &b));
    assert_int_equal(w->v->neighbours.incomplete, 0);
    destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlapping_fragments_discard_the_whole_datagram),
        cmocka_unit_test(first_fragment_without_the_header_chain_gets_parameter_problem),
        cmocka_unit_test(atomic_fragment_is_handled_alone),
        cmocka_unit_test(neighbour_discovery_in_a_fragment_is_ignored),
        cmocka_unit_test(flood_of_unfinished_fragments_is_bounded_and_counted),
        cmocka_unit_test(scan_of_a_64_through_a_router_stays_within_the_neighbour_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
