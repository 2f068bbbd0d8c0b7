/* IPv6 input and output, ICMPv6 and neighbour discovery, one injected
 * frame at a time: validation, the groups we joined, echo, the error
 * rules of RFC 4443 2.4, extension headers (RFC 8200 4), NS/NA (RFC 4861
 * 7), reassembly (RFC 5722, 6946, 7112) and source fragmentation. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/ipv6.h"
#include "ip/ping.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "socket/sock.h"
#include "stack.h"
#include "udp/udp.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmpv6.h"
#include "wire/ndp.h"
#include "wire/udp.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t host_global[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t peer_global[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t prefix64[16] = { 0x20, 0x01, 0x0d, 0xb8 };

static int setup(void **state)
{
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_iface *iface = iface_get(h->stack, h->ifindex);
    assert_int_equal(iface_addr6_add(h->stack, iface, host_global, 64, IFA6_PREFERRED, IFA6_STATIC, NARU_NEVER,
                                     NARU_NEVER),
                     0);
    struct naru_addr prefix = naru_addr_v6(prefix64);
    assert_int_equal(naru_route_add(h->stack, &prefix, 64, NULL, h->ifindex), 0);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    capture_host_free(*state);
    return 0;
}

static void inject(struct capture_host *h, const uint8_t *frame, size_t len)
{
    naru_stack_input(h->stack, h->ifindex, frame, len);
}

/* An Ethernet + IPv6 frame around payload (extension headers included). */
static size_t frame6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
                     uint8_t hop_limit, const uint8_t *payload, size_t len)
{
    struct eth_header eth = { .ethertype = ETHERTYPE_IPV6 };
    memcpy(eth.src, peer_mac, 6);
    if (dst[0] == 0xff)
        eth_ipv6_multicast_mac(dst, eth.dst);
    else
        memcpy(eth.dst, host_mac, 6);
    eth_emit(&eth, out, ETH_HEADER_LEN);
    struct ipv6_header ip = { .payload_len = (uint16_t)len, .next_header = next_header, .hop_limit = hop_limit };
    memcpy(ip.src, src, 16);
    memcpy(ip.dst, dst, 16);
    ipv6_emit(&ip, out + ETH_HEADER_LEN, IPV6_HEADER_LEN);
    memcpy(out + ETH_HEADER_LEN + IPV6_HEADER_LEN, payload, len);
    return ETH_HEADER_LEN + IPV6_HEADER_LEN + len;
}

/* An echo request of `data` bytes, checksummed for src and dst. */
static size_t echo_request(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint16_t seq, size_t data)
{
    memset(out + ICMPV6_HEADER_LEN, 0x5a, data);
    struct icmpv6_message m = { .type = ICMPV6_ECHO_REQUEST, .rest = icmpv6_echo_rest(0x1234, seq) };
    icmpv6_emit(&m, src, dst, out, ICMPV6_HEADER_LEN + data);
    return ICMPV6_HEADER_LEN + data;
}

static size_t udp6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint16_t dport, const void *data,
                   size_t len)
{
    memcpy(out + UDP_HEADER_LEN, data, len);
    struct udp_header u = { .src_port = 5555, .dst_port = dport, .length = (uint16_t)(UDP_HEADER_LEN + len) };
    udp_emit_pseudo(&u, inet6_pseudo_sum(src, dst, 0, IP_PROTO_UDP), out, UDP_HEADER_LEN + len);
    return UDP_HEADER_LEN + len;
}

/* The next IPv6 frame the host sent, parsed; NULL if none. */
struct out6 {
    struct ipv6_header ip;
    struct ipv6_chain chain;
    const uint8_t *packet;
    const uint8_t *upper;
    size_t upper_len;
    uint8_t eth_dst[6];
};

/* Is it the interface's own autoconfiguration (tests/unit/test_autoconf_input.c's
 * subject), going on beside these tests: an MLD report, a router
 * solicitation, or a DAD probe (an NS from ::)? */
static bool autoconf_frame(const struct out6 *o)
{
    static const uint8_t unspecified[16];
    if (o->chain.upper_protocol != IP_PROTO_ICMPV6 || o->upper_len == 0)
        return false;
    uint8_t type = o->upper[0];
    return type == ICMPV6_MLD_V2_REPORT || type == ICMPV6_ROUTER_SOLICIT ||
           (type == ICMPV6_NEIGHBOR_SOLICIT && memcmp(o->ip.src, unspecified, 16) == 0);
}

static bool take6(struct capture_host *h, struct out6 *o)
{
    const struct captured_frame *f;
    while ((f = capture_take(h))) {
        if (f->len < ETH_HEADER_LEN || wire_get16(f->data + 12) != ETHERTYPE_IPV6)
            continue;
        o->packet = f->data + ETH_HEADER_LEN;
        size_t len = f->len - ETH_HEADER_LEN;
        assert_int_equal(ipv6_parse(o->packet, len, &o->ip), IPV6_HEADER_LEN);
        assert_int_equal(ipv6_walk_chain(o->packet, IPV6_HEADER_LEN + o->ip.payload_len, &o->chain), 0);
        o->upper = o->packet + o->chain.upper_offset;
        o->upper_len = IPV6_HEADER_LEN + o->ip.payload_len - o->chain.upper_offset;
        memcpy(o->eth_dst, f->data, 6);
        if (autoconf_frame(o))
            continue;
        return true;
    }
    return false;
}

static void take_icmpv6(struct capture_host *h, struct out6 *o, struct icmpv6_message *m)
{
    assert_true(take6(h, o));
    assert_int_equal(o->chain.upper_protocol, IP_PROTO_ICMPV6);
    assert_int_equal(icmpv6_parse(o->upper, o->upper_len, o->ip.src, o->ip.dst, m), ICMPV6_HEADER_LEN);
}

/* Make the peer's address known: its solicitation for ours, with its MAC. */
static void solicit_from_peer(struct capture_host *h, const uint8_t peer[16], const uint8_t target[16])
{
    uint8_t ns[64], frame[256];
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    memcpy(m.target, target, 16);
    uint8_t group[16];
    ipv6_solicited_node(target, group);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, ns, sizeof ns);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, peer_mac);
    size_t n = ndp_emit_finish(&b, peer, group);
    inject(h, frame, frame6(frame, peer, group, IP_PROTO_ICMPV6, 255, ns, n));
}

static void advertise_from_peer(struct capture_host *h, const uint8_t peer[16], const uint8_t mac[6],
                                bool solicited, bool override, uint8_t hop_limit)
{
    uint8_t na[64], frame[256];
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_ADVERT, .solicited = solicited, .override = override };
    memcpy(m.target, peer, 16);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, na, sizeof na);
    ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, mac);
    size_t n = ndp_emit_finish(&b, peer, host_global);
    inject(h, frame, frame6(frame, peer, host_global, IP_PROTO_ICMPV6, hop_limit, na, n));
}

static void teach_peer(struct capture_host *h)
{
    solicit_from_peer(h, peer_global, host_global);
    capture_clear(h); /* our advertisement */
}

static int neighbour_state(struct capture_host *h, const uint8_t a[16])
{
    struct naru_addr addr = naru_addr_v6(a);
    struct neighbour *n = neighbour_find(h->stack, h->ifindex, &addr);
    return n ? n->state : NEIGH_FREE;
}

/* ---- neighbour discovery ---- */

static void solicitation_gets_solicited_advertisement_and_teaches_the_sender(void **state)
{
    struct capture_host *h = *state;
    solicit_from_peer(h, peer_global, host_global);
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_NEIGHBOR_ADVERT);
    assert_int_equal(o.ip.hop_limit, 255);
    assert_memory_equal(o.ip.src, host_global, 16);
    assert_memory_equal(o.ip.dst, peer_global, 16);
    assert_memory_equal(o.eth_dst, peer_mac, 6);
    struct ndp_message m;
    assert_int_equal(ndp_parse(o.upper, o.upper_len, o.ip.src, o.ip.dst, &m), 0);
    assert_true(m.solicited);
    assert_true(m.override);
    assert_false(m.router);
    assert_memory_equal(m.target, host_global, 16);
    assert_memory_equal(m.options.target_lladdr, host_mac, 6);
    /* RFC 4861 7.2.3: the sender is learnt STALE, and our answer, the
     * first packet to it, starts DELAY (7.3.3). */
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_DELAY);
    assert_int_equal(counter(h->stack, "ndp_tx_na"), 1);
}

static void solicitation_for_another_address_is_ignored(void **state)
{
    struct capture_host *h = *state;
    /* Another address in the same solicited-node group as ours. */
    solicit_from_peer(h, peer_global, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [7] = 5, [15] = 1 });
    struct out6 o;
    assert_false(take6(h, &o));
    assert_int_equal(counter(h->stack, "ndp_rx_not_our_target"), 1);
}

static void echo_waits_for_resolution_then_goes_to_the_advertised_mac(void **state)
{
    struct capture_host *h = *state;
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, host_global, 1, 32);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n));
    /* The reply waits: a solicitation to the peer's solicited-node group. */
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_NEIGHBOR_SOLICIT);
    uint8_t group[16];
    ipv6_solicited_node(peer_global, group);
    assert_memory_equal(o.ip.dst, group, 16);
    assert_memory_equal(o.ip.src, host_global, 16); /* the waiting packet's source (RFC 4861 7.2.2) */
    assert_int_equal(o.eth_dst[0], 0x33);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_INCOMPLETE);
    advertise_from_peer(h, peer_global, peer_mac, true, true, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_REACHABLE);
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_ECHO_REPLY);
    assert_memory_equal(o.eth_dst, peer_mac, 6);
    assert_memory_equal(o.ip.src, host_global, 16);
    assert_int_equal(icmpv6_echo_seq(&im), 1);
    assert_int_equal(im.body_len, 32);
    assert_int_equal(counter(h->stack, "icmp6_tx_echo_replies"), 1);
}

static void advertisement_off_the_link_is_ignored(void **state)
{
    struct capture_host *h = *state;
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, host_global, 1, 8);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n));
    advertise_from_peer(h, peer_global, peer_mac, true, true, 254);
    assert_int_equal(counter(h->stack, "ndp_rx_bad_hop_limit"), 1);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_INCOMPLETE);
}

static void advertisement_without_override_only_makes_reachable_stale(void **state)
{
    struct capture_host *h = *state;
    static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, host_global, 1, 8);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n));
    advertise_from_peer(h, peer_global, peer_mac, true, true, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_REACHABLE);
    /* RFC 4861 7.2.5: O clear and another address: STALE, address kept. */
    advertise_from_peer(h, peer_global, other_mac, false, false, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_STALE);
    uint8_t mac[6];
    struct naru_addr peer = naru_addr_v6(peer_global);
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &peer, mac), 0);
    assert_memory_equal(mac, peer_mac, 6);
    /* O set: the new address is taken; unsolicited, the entry is STALE. */
    advertise_from_peer(h, peer_global, other_mac, false, true, 255);
    assert_int_equal(naru_neighbour_lookup(h->stack, h->ifindex, &peer, mac), 0);
    assert_memory_equal(mac, other_mac, 6);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_STALE);
}

static void stale_neighbour_in_use_is_probed_by_unicast_and_confirmed(void **state)
{
    struct capture_host *h = *state;
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, host_global, 1, 8);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n));
    advertise_from_peer(h, peer_global, peer_mac, true, true, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_REACHABLE);
    /* RFC 4861 7.3.3: REACHABLE lasts REACHABLE_TIME, then STALE. */
    naru_stack_poll(h->stack, 31 * NARU_SEC);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_STALE);
    capture_clear(h);
    /* A packet to it goes at once, and starts DELAY... */
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n));
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_DELAY);
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_ECHO_REPLY);
    /* ... and with nothing confirming it for 5 s, PROBE: a solicitation
     * to the neighbour itself, at the MAC address we have. */
    naru_stack_poll(h->stack, 36 * NARU_SEC + 1);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_PROBE);
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_NEIGHBOR_SOLICIT);
    assert_memory_equal(o.ip.dst, peer_global, 16);
    assert_memory_equal(o.eth_dst, peer_mac, 6);
    assert_int_equal(o.ip.hop_limit, 255);
    advertise_from_peer(h, peer_global, peer_mac, true, false, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_REACHABLE);
}

static void unsolicited_advertisement_creates_no_entry(void **state)
{
    struct capture_host *h = *state;
    advertise_from_peer(h, peer_global, peer_mac, false, true, 255);
    assert_int_equal(neighbour_state(h, peer_global), NEIGH_FREE);
}

static void unanswered_solicitations_end_in_address_unreachable(void **state)
{
    struct capture_host *h = *state;
    /* From the link-local address, to a global one that never answers:
     * the error goes back to the sender (who is known). */
    static const uint8_t silent[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
    teach_peer(h);
    int s = naru_socket(h->stack, NARU_SOCK_DGRAM);
    struct sock_addr to = { .addr = naru_addr_v6(silent), .port = 9 };
    assert_int_equal(udp_output(h->stack, sock_get(h->stack, s), "x", 1, &to), 1);
    for (int i = 1; i <= 4; i++)
        naru_stack_poll(h->stack, i * NARU_SEC);
    assert_int_equal(counter(h->stack, "ndp_tx_ns"), 3);
    assert_int_equal(counter(h->stack, "ndp_resolution_failed"), 1);
    /* The error to ourselves is looped back and reaches the socket. */
    naru_stack_poll(h->stack, 5 * NARU_SEC);
    assert_int_equal(counter(h->stack, "icmp6_rx_dest_unreachable"), 1);
    naru_close(h->stack, s);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void scan_of_a_prefix_is_bounded(void **state)
{
    struct capture_host *h = *state;
    int s = naru_socket(h->stack, NARU_SOCK_DGRAM);
    /* RFC 6583: a thousand addresses of the /64, none answering. */
    for (int i = 0; i < 1000; i++) {
        uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 0x10, [14] = (uint8_t)(i >> 8), [15] = (uint8_t)i };
        struct sock_addr to = { .addr = naru_addr_v6(a), .port = 9 };
        udp_output(h->stack, sock_get(h->stack, s), "x", 1, &to);
    }
    assert_int_equal(counter(h->stack, "ndp_incomplete_full"), 1000 - 16);
    assert_int_equal(counter(h->stack, "ndp_tx_ns"), 16);
    assert_true(naru_stack_buffers_in_use(h->stack) <= 16);
    for (int i = 1; i <= 5; i++)
        naru_stack_poll(h->stack, i * NARU_SEC);
    naru_close(h->stack, s);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void ndp_in_a_fragment_is_ignored(void **state)
{
    struct capture_host *h = *state;
    uint8_t ns[64], payload[128], frame[256];
    struct ndp_message m = { .type = ICMPV6_NEIGHBOR_SOLICIT };
    memcpy(m.target, host_global, 16);
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, ns, sizeof ns);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, peer_mac);
    size_t n = ndp_emit_finish(&b, peer_global, host_global);
    struct ipv6_fragment f = { .offset = 0, .more = false, .identification = 5 }; /* atomic */
    ipv6_fragment_emit(IP_PROTO_ICMPV6, &f, payload, 8);
    memcpy(payload + 8, ns, n);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_FRAGMENT, 255, payload, n + 8));
    assert_int_equal(counter(h->stack, "ndp_rx_in_fragment"), 1);
    struct out6 o;
    assert_false(take6(h, &o));
}

/* ---- input rules and ICMPv6 errors ---- */

static void echo_to_all_nodes_is_answered_from_a_unicast_address(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, all_nodes, 2, 8);
    inject(h, frame, frame6(frame, peer_global, all_nodes, IP_PROTO_ICMPV6, 1, req, n));
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_ECHO_REPLY);
    assert_memory_equal(o.ip.src, host_global, 16);
}

static void group_not_joined_is_dropped(void **state)
{
    struct capture_host *h = *state;
    static const uint8_t group[16] = { 0xff, 0x02, [15] = 0x42 };
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, group, 2, 8);
    inject(h, frame, frame6(frame, peer_global, group, IP_PROTO_ICMPV6, 1, req, n));
    assert_int_equal(counter(h->stack, "ip6_rx_not_for_us"), 1);
    struct out6 o;
    assert_false(take6(h, &o));
}

static void bad_version_and_short_packets_are_counted(void **state)
{
    struct capture_host *h = *state;
    uint8_t req[128], frame[256];
    size_t n = echo_request(req, peer_global, host_global, 1, 8);
    size_t len = frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n);
    frame[ETH_HEADER_LEN] = 0x40; /* version 4 in an IPv6 frame */
    inject(h, frame, len);
    assert_int_equal(counter(h->stack, "ip6_rx_header_errors"), 1);
    len = frame6(frame, peer_global, host_global, IP_PROTO_ICMPV6, 64, req, n);
    inject(h, frame, len - 4); /* shorter than its payload length */
    assert_int_equal(counter(h->stack, "ip6_rx_length_errors"), 1);
    len = frame6(frame, host_global, host_global, IP_PROTO_ICMPV6, 64, req, n);
    inject(h, frame, len); /* our own address, from the wire */
    len = frame6(frame, (const uint8_t[16]){ 0xff, 0x02, [15] = 1 }, host_global, IP_PROTO_ICMPV6, 64, req, n);
    inject(h, frame, len); /* a multicast source */
    assert_int_equal(counter(h->stack, "ip6_rx_address_errors"), 2);
    struct out6 o;
    assert_false(take6(h, &o));
}

static void unknown_next_header_gets_parameter_problem_code_1(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    uint8_t payload[16] = { 0 }, frame[256];
    inject(h, frame, frame6(frame, peer_global, host_global, 253, 64, payload, sizeof payload));
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(im.code, ICMPV6_UNRECOGNIZED_NEXT_HEADER);
    assert_int_equal(im.rest, 6); /* the fixed header's Next Header field */
    assert_memory_equal(im.quoted_ip.dst, host_global, 16);
}

/* A destination options header holding one option of `type`, then UDP. */
static size_t with_option(uint8_t *payload, uint8_t type, const uint8_t dst[16])
{
    uint8_t opts[8] = { IP_PROTO_UDP, 0, type, 4, 0, 0, 0, 0 };
    memcpy(payload, opts, 8);
    return 8 + udp6(payload + 8, peer_global, dst, 7000, "hi", 2);
}

static void unknown_options_act_by_their_type(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    int sock = udp_socket(h->stack, 7000);
    uint8_t payload[64], frame[256];
    /* 00: skipped, delivered. */
    size_t n = with_option(payload, 0x1e, host_global);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_DSTOPTS, 64, payload, n));
    uint8_t got[8];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), 2);
    /* 01: dropped silently. */
    n = with_option(payload, 0x5e, host_global);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_DSTOPTS, 64, payload, n));
    assert_int_equal(counter(h->stack, "ip6_rx_option_discards"), 1);
    struct out6 o;
    assert_false(take6(h, &o));
    /* 10: parameter problem code 2 at the option, even to a group. */
    n = with_option(payload, 0x9e, all_nodes);
    inject(h, frame, frame6(frame, peer_global, all_nodes, IP_PROTO_DSTOPTS, 64, payload, n));
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(im.code, ICMPV6_UNRECOGNIZED_OPTION);
    assert_int_equal(im.rest, 42);
    /* 11: the same, but not about a packet to a group. */
    n = with_option(payload, 0xde, all_nodes);
    inject(h, frame, frame6(frame, peer_global, all_nodes, IP_PROTO_DSTOPTS, 64, payload, n));
    assert_false(take6(h, &o));
    assert_int_equal(counter(h->stack, "ip6_rx_param_problems"), 1);
    assert_int_equal(counter(h->stack, "ip6_rx_option_discards"), 2);
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), -EAGAIN);
    naru_close(h->stack, sock);
}

static void routing_header_type_0_with_segments_left_is_refused(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    uint8_t payload[64] = { IP_PROTO_UDP, 2, 0, 1 }, frame[256]; /* RFC 5095: type 0, one segment left */
    memcpy(payload + 8, peer_global, 16);
    size_t n = 24 + udp6(payload + 24, peer_global, host_global, 7000, "hi", 2);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_ROUTING, 64, payload, n));
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(im.code, ICMPV6_ERRONEOUS_HEADER_FIELD);
    assert_int_equal(im.rest, 42); /* the routing type */
}

static void closed_port_gets_port_unreachable_but_not_for_a_group(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    uint8_t payload[64], frame[256];
    size_t n = udp6(payload, peer_global, host_global, 7001, "hi", 2);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_UDP, 64, payload, n));
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_DEST_UNREACHABLE);
    assert_int_equal(im.code, ICMPV6_PORT_UNREACHABLE);
    assert_memory_equal(o.ip.src, host_global, 16);
    n = udp6(payload, peer_global, all_nodes, 7001, "hi", 2);
    inject(h, frame, frame6(frame, peer_global, all_nodes, IP_PROTO_UDP, 1, payload, n));
    assert_false(take6(h, &o));
    assert_int_equal(counter(h->stack, "icmp6_tx_suppressed"), 1);
}

static void no_error_about_an_error_or_to_the_unspecified_address(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    /* An ICMPv6 error behind an option that asks for a parameter problem
     * (type 10): RFC 4443 2.4 (e.1) forbids answering an error. */
    uint8_t payload[128] = { IP_PROTO_ICMPV6, 0, 0x9e, 4, 0, 0, 0, 0 }, frame[256];
    uint8_t quoted[48] = { 0x60 };
    memcpy(quoted + 8, host_global, 16);
    memcpy(quoted + 24, peer_global, 16);
    size_t n = icmpv6_error_emit(ICMPV6_DEST_UNREACHABLE, ICMPV6_PORT_UNREACHABLE, 0, quoted, sizeof quoted,
                                 peer_global, host_global, payload + 8, sizeof payload - 8);
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_DSTOPTS, 64, payload, 8 + n));
    /* An unknown next header from the unspecified address: nobody to tell. */
    static const uint8_t unspecified[16];
    uint8_t junk[16] = { 0 };
    inject(h, frame, frame6(frame, unspecified, host_global, 253, 64, junk, sizeof junk));
    assert_int_equal(counter(h->stack, "icmp6_tx_suppressed"), 2);
    assert_int_equal(counter(h->stack, "icmp6_tx_errors"), 0);
    struct out6 o;
    assert_false(take6(h, &o));
}

static void zero_udp_checksum_is_dropped(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    uint8_t payload[64], frame[256];
    size_t n = udp6(payload, peer_global, host_global, 7000, "hi", 2);
    wire_put16(payload + 6, 0); /* RFC 8200 8.1 */
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_UDP, 64, payload, n));
    uint8_t got[8];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), -EAGAIN);
    naru_close(h->stack, sock);
}

static void errors_are_rate_limited(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.icmp_error_rate = 10;
    config.icmp_error_burst = 2;
    struct capture_host *h = capture_host_new_with("10.0.0.1/24", &config);
    struct naru_iface *iface = iface_get(h->stack, h->ifindex);
    iface_addr6_add(h->stack, iface, host_global, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER);
    struct naru_addr prefix = naru_addr_v6(prefix64);
    naru_route_add(h->stack, &prefix, 64, NULL, h->ifindex);
    teach_peer(h);
    uint8_t payload[64], frame[256];
    size_t n = udp6(payload, peer_global, host_global, 7001, "hi", 2);
    size_t len = frame6(frame, peer_global, host_global, IP_PROTO_UDP, 64, payload, n);
    for (int i = 0; i < 5; i++)
        inject(h, frame, len);
    assert_int_equal(counter(h->stack, "icmp6_tx_errors"), 2);
    assert_int_equal(counter(h->stack, "icmp6_tx_rate_limited"), 3);
    naru_stack_poll(h->stack, 100 * NARU_MS); /* one more token */
    inject(h, frame, len);
    assert_int_equal(counter(h->stack, "icmp6_tx_errors"), 3);
    capture_host_free(h);
}

/* ---- fragments ---- */

struct fragments6 {
    uint8_t frame[8][1600];
    size_t len[8];
    int count;
    uint8_t data[4000];
};

/* A UDP datagram of len data bytes to port 7000, in fragments of at most
 * chunk bytes of fragmentable part (a multiple of 8). */
static void make_fragments6(struct fragments6 *f, size_t len, size_t chunk, uint32_t id)
{
    static uint8_t datagram[8 + 4000];
    uint8_t payload[1600];
    for (size_t i = 0; i < len; i++)
        f->data[i] = (uint8_t)(i * 7 + 3);
    size_t total = udp6(datagram, peer_global, host_global, 7000, f->data, len);
    f->count = 0;
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        struct ipv6_fragment fr = { .offset = (uint16_t)off, .more = off + n < total, .identification = id };
        ipv6_fragment_emit(IP_PROTO_UDP, &fr, payload, 8);
        memcpy(payload + 8, datagram + off, n);
        f->len[f->count] = frame6(f->frame[f->count], peer_global, host_global, IP_PROTO_FRAGMENT, 64, payload,
                                  n + 8);
        f->count++;
    }
}

static void fragments_in_any_order_are_reassembled(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments6 f;
    make_fragments6(&f, 4000, 1448, 77);
    assert_int_equal(f.count, 3);
    static const int order[] = { 2, 0, 1 };
    for (int i = 0; i < 3; i++)
        inject(h, f.frame[order[i]], f.len[order[i]]);
    static uint8_t got[5000];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), 4000);
    assert_memory_equal(got, f.data, 4000);
    assert_int_equal(counter(h->stack, "ip6_reasm_ok"), 1);
    naru_close(h->stack, sock);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void the_largest_packet_is_reassembled(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    /* 65535 bytes of payload: a fragment header and a UDP datagram of
     * 65527 bytes, in 46 fragments. */
    static uint8_t datagram[65527], data[65519], payload[1600], frame[1700];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 11);
    size_t total = udp6(datagram, peer_global, host_global, 7000, data, sizeof data);
    for (size_t off = 0; off < total; off += 1448) {
        size_t n = total - off < 1448 ? total - off : 1448;
        struct ipv6_fragment fr = { .offset = (uint16_t)off, .more = off + n < total, .identification = 90 };
        ipv6_fragment_emit(IP_PROTO_UDP, &fr, payload, 8);
        memcpy(payload + 8, datagram + off, n);
        inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_FRAGMENT, 64, payload, n + 8));
    }
    static uint8_t got[70000];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), (long)sizeof data);
    assert_memory_equal(got, data, sizeof data);
    naru_close(h->stack, sock);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void overlapping_fragments_discard_the_packet(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments6 f, g;
    make_fragments6(&f, 4000, 1448, 78);
    make_fragments6(&g, 4000, 1000, 78);
    inject(h, f.frame[0], f.len[0]);
    inject(h, g.frame[1], g.len[1]); /* RFC 5722: overlaps */
    assert_int_equal(counter(h->stack, "ip6_reasm_overlaps"), 1);
    inject(h, f.frame[1], f.len[1]);
    inject(h, f.frame[2], f.len[2]);
    uint8_t got[8];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), -EAGAIN);
    assert_int_equal(counter(h->stack, "ip6_reasm_ok"), 0);
    naru_close(h->stack, sock);
}

static void atomic_fragment_is_delivered_alone(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments6 f, a;
    make_fragments6(&f, 4000, 1448, 79);
    make_fragments6(&a, 100, 1448, 79); /* RFC 6946: same identification, offset 0, M clear */
    inject(h, f.frame[0], f.len[0]);
    inject(h, a.frame[0], a.len[0]);
    uint8_t got[200];
    assert_int_equal(naru_recv(h->stack, sock, got, sizeof got, 0), 100);
    assert_int_equal(counter(h->stack, "ip6_reasm_atomic"), 1);
    inject(h, f.frame[1], f.len[1]);
    inject(h, f.frame[2], f.len[2]);
    static uint8_t whole[5000];
    assert_int_equal(naru_recv(h->stack, sock, whole, sizeof whole, 0), 4000);
    naru_close(h->stack, sock);
}

static void first_fragment_without_the_upper_header_is_refused(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    /* RFC 7112: a destination options header fills the first fragment,
     * the UDP header is in the second. */
    uint8_t payload[64] = { 0 }, frame[256];
    struct ipv6_fragment fr = { .offset = 0, .more = true, .identification = 80 };
    ipv6_fragment_emit(IP_PROTO_DSTOPTS, &fr, payload, 8);
    payload[8] = IP_PROTO_UDP;
    payload[9] = 0;                 /* 8 bytes */
    payload[10] = IPV6_OPT_PADN;
    payload[11] = 4;
    inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_FRAGMENT, 64, payload, 16));
    assert_int_equal(counter(h->stack, "ip6_reasm_incomplete_chain"), 1);
    struct out6 o;
    struct icmpv6_message im;
    take_icmpv6(h, &o, &im);
    assert_int_equal(im.type, ICMPV6_PARAMETER_PROBLEM);
    assert_int_equal(im.code, ICMPV6_INCOMPLETE_HEADER_CHAIN);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void lost_fragment_times_out_after_60_s_with_time_exceeded(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    static struct fragments6 f;
    make_fragments6(&f, 4000, 1448, 81);
    inject(h, f.frame[0], f.len[0]);
    inject(h, f.frame[2], f.len[2]);
    naru_stack_poll(h->stack, 59 * NARU_SEC);
    assert_int_equal(counter(h->stack, "ip6_reasm_timeouts"), 0);
    naru_stack_poll(h->stack, 61 * NARU_SEC);
    assert_int_equal(counter(h->stack, "ip6_reasm_timeouts"), 1);
    struct out6 o;
    struct icmpv6_message im;
    /* Past the neighbour's probes (unicast: the entry went stale), the error. */
    do
        take_icmpv6(h, &o, &im);
    while (im.type == ICMPV6_NEIGHBOR_SOLICIT);
    assert_int_equal(im.type, ICMPV6_TIME_EXCEEDED);
    assert_int_equal(im.code, ICMPV6_REASSEMBLY_TIME_EXCEEDED);
    assert_int_equal(im.quoted_ip.next_header, IP_PROTO_FRAGMENT);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void too_many_fragments_are_bounded(void **state)
{
    struct capture_host *h = *state;
    uint8_t payload[64], frame[256];
    /* 65 tiny fragments of one packet, none the last. */
    for (int i = 0; i < 70; i++) {
        struct ipv6_fragment fr = { .offset = (uint16_t)(8 + i * 16), .more = true, .identification = 82 };
        ipv6_fragment_emit(IP_PROTO_UDP, &fr, payload, 8);
        memset(payload + 8, 0, 8);
        inject(h, frame, frame6(frame, peer_global, host_global, IP_PROTO_FRAGMENT, 64, payload, 16));
    }
    assert_true(counter(h->stack, "ip6_reasm_malformed") >= 1);
    naru_stack_poll(h->stack, 61 * NARU_SEC);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void big_datagram_leaves_in_fragments_that_reassemble(void **state)
{
    struct capture_host *h = *state;
    teach_peer(h);
    int s = naru_socket(h->stack, NARU_SOCK_DGRAM);
    static uint8_t data[4000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 5);
    struct sock_addr to = { .addr = naru_addr_v6(peer_global), .port = 7000 };
    assert_int_equal(udp_output(h->stack, sock_get(h->stack, s), data, sizeof data, &to), 4000);
    assert_int_equal(counter(h->stack, "ip6_fragments_created"), 3);
    /* Each fragment fits the link; fed to a second stack they make the datagram. */
    struct capture_host *peer = capture_host_new("10.0.0.2/24");
    struct naru_iface *pif = iface_get(peer->stack, peer->ifindex);
    assert_int_equal(iface_addr6_add(peer->stack, pif, peer_global, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    int rx = udp_socket(peer->stack, 7000);
    struct out6 o;
    int frags = 0;
    while (take6(h, &o)) {
        assert_true(IPV6_HEADER_LEN + o.ip.payload_len <= 1500);
        assert_true(o.chain.fragment);
        uint8_t frame[1600];
        memcpy(frame, peer->mac, 6);
        memcpy(frame + 6, h->mac, 6);
        wire_put16(frame + 12, ETHERTYPE_IPV6);
        memcpy(frame + ETH_HEADER_LEN, o.packet, IPV6_HEADER_LEN + o.ip.payload_len);
        naru_stack_input(peer->stack, peer->ifindex, frame, ETH_HEADER_LEN + IPV6_HEADER_LEN + o.ip.payload_len);
        frags++;
    }
    assert_int_equal(frags, 3);
    static uint8_t got[5000];
    assert_int_equal(naru_recv(peer->stack, rx, got, sizeof got, 0), 4000);
    assert_memory_equal(got, data, 4000);
    naru_close(peer->stack, rx);
    capture_host_free(peer);
    naru_close(h->stack, s);
}

/* ---- to ourselves ---- */

static void echo_to_ourselves_is_looped_back(void **state)
{
    struct capture_host *h = *state;
    int s = naru_socket(h->stack, NARU_SOCK_PING);
    assert_int_equal(naru_bind(h->stack, s, &(struct naru_sockaddr){ .port = 0 }), 0); /* an identifier */
    uint8_t req[16] = { ICMPV6_ECHO_REQUEST, 0, 0, 0, 0, 0, 0, 7 };
    /* To the link-local address once DAD has made it ours. */
    capture_run_until(h, 3 * NARU_SEC);
    const struct iface_addr6 *ll = &iface_get(h->stack, h->ifindex)->addr6[0];
    assert_true((ll->flags & IFA6_LINK_LOCAL) && ll->state == IFA6_PREFERRED);
    struct sock_addr to = { .addr = naru_addr_v6(ll->addr) };
    assert_int_equal(ping_output(h->stack, sock_get(h->stack, s), req, sizeof req, &to), 16);
    naru_stack_poll(h->stack, 3 * NARU_SEC + 1); /* the request */
    naru_stack_poll(h->stack, 3 * NARU_SEC + 2); /* the reply */
    uint8_t got[64];
    assert_int_equal(naru_recv(h->stack, s, got, sizeof got, 0), 16);
    assert_int_equal(got[0], ICMPV6_ECHO_REPLY);
    assert_int_equal(got[7], 7);
    struct out6 o;
    assert_false(take6(h, &o));
    naru_close(h->stack, s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(solicitation_gets_solicited_advertisement_and_teaches_the_sender, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(solicitation_for_another_address_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(echo_waits_for_resolution_then_goes_to_the_advertised_mac, setup, teardown),
        cmocka_unit_test_setup_teardown(advertisement_off_the_link_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(advertisement_without_override_only_makes_reachable_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_neighbour_in_use_is_probed_by_unicast_and_confirmed, setup, teardown),
        cmocka_unit_test_setup_teardown(unsolicited_advertisement_creates_no_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(unanswered_solicitations_end_in_address_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(scan_of_a_prefix_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(ndp_in_a_fragment_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(echo_to_all_nodes_is_answered_from_a_unicast_address, setup, teardown),
        cmocka_unit_test_setup_teardown(group_not_joined_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_version_and_short_packets_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_next_header_gets_parameter_problem_code_1, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_options_act_by_their_type, setup, teardown),
        cmocka_unit_test_setup_teardown(routing_header_type_0_with_segments_left_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(closed_port_gets_port_unreachable_but_not_for_a_group, setup, teardown),
        cmocka_unit_test_setup_teardown(no_error_about_an_error_or_to_the_unspecified_address, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_udp_checksum_is_dropped, setup, teardown),
        cmocka_unit_test(errors_are_rate_limited),
        cmocka_unit_test_setup_teardown(fragments_in_any_order_are_reassembled, setup, teardown),
        cmocka_unit_test_setup_teardown(the_largest_packet_is_reassembled, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_fragments_discard_the_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(atomic_fragment_is_delivered_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(first_fragment_without_the_upper_header_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_fragment_times_out_after_60_s_with_time_exceeded, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_fragments_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(big_datagram_leaves_in_fragments_that_reassemble, setup, teardown),
        cmocka_unit_test_setup_teardown(echo_to_ourselves_is_looped_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
