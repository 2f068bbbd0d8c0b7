/* TCP over IPv6 at the segment level, against a scripted peer: the MSS
 * from the MTU minus 60, the pseudo-header checksum, and TSO for IPv6
 * (NARU_OFFLOAD_TX_TSO6: one frame of merged segments for the device to
 * cut, NARU_FRAME_GSO_TCP6 in its metadata). */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t prefix[16] = { 0x20, 0x01, 0x0d, 0xb8 };

static struct capture_host *host_with(uint32_t offloads)
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    struct capture_host *h = capture_host_new_offload("10.0.0.1/24", &config, offloads);
    struct naru_iface *iface = iface_get(h->stack, h->ifindex);
    assert_int_equal(iface_addr6_add(h->stack, iface, host6, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    struct naru_addr p = naru_addr_v6(prefix);
    assert_int_equal(naru_route_add(h->stack, &p, 64, NULL, h->ifindex), 0);
    /* The peer's neighbour entry, from a solicitation it sent. */
    struct naru_addr peer = naru_addr_v6(peer6);
    struct neighbour *n = neighbour_create(h->stack, h->ifindex, &peer);
    assert_non_null(n);
    neighbour_update(h->stack, iface, n, peer_mac, true);
    return h;
}

/* A segment from the peer, checksummed over the IPv6 pseudo-header. */
static void inject(struct capture_host *h, const struct tcp_header *t, const void *data, size_t len)
{
    uint8_t frame[ETH_HEADER_LEN + IPV6_HEADER_LEN + 128 + 2000];
    size_t hl = tcp_header_len(t);
    uint8_t *seg = frame + ETH_HEADER_LEN + IPV6_HEADER_LEN;
    if (len)
        memcpy(seg + hl, data, len);
    tcp_emit_pseudo(t, inet6_pseudo_sum(peer6, host6, 0, IP_PROTO_TCP), seg, len);
    struct ipv6_header ip = { .payload_len = (uint16_t)(hl + len), .next_header = IP_PROTO_TCP, .hop_limit = 64 };
    memcpy(ip.src, peer6, 16);
    memcpy(ip.dst, host6, 16);
    ipv6_emit(&ip, frame + ETH_HEADER_LEN, IPV6_HEADER_LEN);
    struct eth_header eth = { .ethertype = ETHERTYPE_IPV6 };
    memcpy(eth.src, peer_mac, 6);
    memcpy(eth.dst, h->mac, 6);
    eth_emit(&eth, frame, ETH_HEADER_LEN);
    naru_stack_input(h->stack, h->ifindex, frame, ETH_HEADER_LEN + IPV6_HEADER_LEN + hl + len);
}

struct got6 {
    struct tcp_header t;
    size_t payload;
    const struct captured_frame *f;
};

static bool take(struct capture_host *h, struct got6 *g)
{
    const struct captured_frame *f;
    while ((f = capture_take(h))) {
        if (wire_get16(f->data + 12) != ETHERTYPE_IPV6 || f->data[ETH_HEADER_LEN + 6] != IP_PROTO_TCP)
            continue;
        const uint8_t *ip = f->data + ETH_HEADER_LEN;
        size_t len = f->len - ETH_HEADER_LEN - IPV6_HEADER_LEN;
        /* The capture holds the checksum completed, as the device would. */
        assert_int_equal(inet_fold(inet_sum(ip + IPV6_HEADER_LEN, len,
                                            inet6_pseudo_sum(ip + 8, ip + 24, (uint32_t)len, IP_PROTO_TCP))),
                         0);
        int hl = tcp_parse_header(ip + IPV6_HEADER_LEN, len, &g->t);
        assert_true(hl > 0);
        g->payload = len - (size_t)hl;
        g->f = f;
        return true;
    }
    return false;
}

/* Connect from the host to the peer's port 80 and complete the handshake;
 * returns the socket. The peer says MSS 1440. */
static int connect6(struct capture_host *h, uint32_t *snd_nxt)
{
    int s = naru_socket(h->stack, NARU_SOCK_STREAM);
    struct sock_addr to = { .addr = naru_addr_v6(peer6), .port = 80 };
    assert_int_equal(tcp_connect(h->stack, sock_get(h->stack, s), &to), -EINPROGRESS);
    struct got6 syn;
    assert_true(take(h, &syn));
    assert_int_equal(syn.t.flags, TCP_SYN);
    assert_true(syn.t.options.mss_present);
    assert_int_equal(syn.t.options.mss, 1500 - 60); /* RFC 8200 8.3: the MTU less 60 */
    struct tcp_header synack = { .src_port = 80, .dst_port = syn.t.src_port, .seq = 5000, .ack = syn.t.seq + 1,
                                 .flags = TCP_SYN | TCP_ACK, .window = 65535 };
    synack.options.mss_present = true;
    synack.options.mss = 1440;
    synack.options.wscale_present = true;
    synack.options.wscale = 7;
    inject(h, &synack, NULL, 0);
    struct got6 ack;
    assert_true(take(h, &ack));
    assert_int_equal(ack.t.flags, TCP_ACK);
    assert_int_equal(ack.t.ack, 5001);
    *snd_nxt = syn.t.seq + 1;
    return s;
}

static void tcp_over_ipv6_sends_one_frame_of_merged_segments_with_tso6(void **state)
{
    (void)state;
    struct capture_host *h = host_with(NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_TX_TSO6);
    uint32_t snd_nxt;
    int s = connect6(h, &snd_nxt);
    static uint8_t data[10 * 1440];
    memset(data, 0x6b, sizeof data);
    assert_int_equal(naru_send(h->stack, s, data, sizeof data, 0), (long)sizeof data);
    naru_stack_poll(h->stack, naru_stack_now(h->stack));
    struct got6 g;
    assert_true(take(h, &g));
    assert_int_equal(g.payload, sizeof data); /* the initial window, 10 segments, in one frame */
    assert_int_equal(g.t.seq, snd_nxt);
    assert_true(g.f->meta.flags & NARU_FRAME_GSO_TCP6);
    assert_false(g.f->meta.flags & NARU_FRAME_GSO_TCP4);
    assert_int_equal(g.f->meta.gso_size, 1440);
    assert_int_equal(g.f->meta.hdr_len, ETH_HEADER_LEN + IPV6_HEADER_LEN + tcp_header_len(&g.t));
    assert_int_equal(counter(h->stack, "link_tx_tso"), 1);
    naru_close(h->stack, s);
    capture_host_free(h);
}

static void tcp_over_ipv6_without_tso6_sends_segments_of_the_mss(void **state)
{
    (void)state;
    /* A device that cuts only IPv4 segments gets IPv6 ones one by one. */
    struct capture_host *h = host_with(NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4);
    uint32_t snd_nxt;
    int s = connect6(h, &snd_nxt);
    static uint8_t data[4 * 1440];
    memset(data, 0x6b, sizeof data);
    assert_int_equal(naru_send(h->stack, s, data, sizeof data, 0), (long)sizeof data);
    naru_stack_poll(h->stack, naru_stack_now(h->stack));
    struct got6 g;
    for (int i = 0; i < 4; i++) {
        assert_true(take(h, &g));
        assert_int_equal(g.payload, 1440);
        assert_int_equal(g.t.seq, snd_nxt + (uint32_t)i * 1440);
        assert_true(g.f->meta.flags & NARU_FRAME_CSUM_PARTIAL); /* the checksum is still the device's */
        assert_int_equal(g.f->meta.gso_size, 0);
    }
    assert_false(take(h, &g));
    naru_close(h->stack, s);
    capture_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_over_ipv6_sends_one_frame_of_merged_segments_with_tso6),
        cmocka_unit_test(tcp_over_ipv6_without_tso6_sends_segments_of_the_mss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
