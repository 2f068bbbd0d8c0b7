#include "tcp_peer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "tcp/tcp_conn.h"
#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static uint32_t addr_of(const char *text)
{
    uint32_t a = 0;
    assert_int_equal(naru_ip4_parse(text, &a), 0);
    return a;
}

void peer_init(struct tcp_peer *p, const struct naru_stack_config *config)
{
    peer_init_offload(p, config, 0);
}

void peer_init_offload(struct tcp_peer *p, const struct naru_stack_config *config, uint32_t offloads)
{
    memset(p, 0, sizeof *p);
    struct naru_stack_config c;
    if (config) {
        c = *config;
    } else {
        naru_stack_config_default(&c);
    }
    p->host = capture_host_new_offload(HOST_ADDR "/24", &c, offloads);
    p->stack = p->host->stack;
    p->addr = addr_of(PEER_ADDR);
    p->peer_port = PEER_PORT;
    p->now = 1 * NARU_SEC;
    naru_stack_poll(p->stack, p->now);
    capture_teach_neighbour(p->host, p->addr, peer_mac);
    p->ts_val = 1000;
}

void peer_fini(struct tcp_peer *p)
{
    capture_host_free(p->host);
    p->host = NULL;
}

void peer_send(struct tcp_peer *p, const struct seg *s)
{
    static uint8_t tcp[65536 + TCP_MAX_HEADER_LEN];
    static uint8_t frame[65536 + 128];
    struct tcp_header h = {
        .src_port = s->src_port ? s->src_port : p->peer_port,
        .dst_port = s->dst_port ? s->dst_port : p->port,
        .seq = s->seq,
        .ack = s->ack,
        .flags = s->flags,
        .window = s->window,
        .urgent = s->urgent,
        .options = s->opt,
    };
    size_t hl = tcp_header_len(&h);
    assert_true(hl + s->len <= sizeof tcp);
    if (s->len)
        memcpy(tcp + hl, s->data, s->len);
    tcp_emit(&h, p->addr, p->host->addr, tcp, s->len);
    struct naru_frame_meta meta = { 0 };
    if (s->partial_checksum) {
        uint32_t pseudo = inet_pseudo_sum(p->addr, p->host->addr, IP_PROTO_TCP, (uint16_t)(hl + s->len));
        wire_put16(tcp + 16, (uint16_t)~inet_fold(pseudo));
        meta.flags |= NARU_FRAME_CSUM_PARTIAL;
        meta.csum_start = ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN;
        meta.csum_offset = 16;
    }
    if (s->gso_size) {
        meta.flags |= NARU_FRAME_GSO_TCP4;
        meta.gso_size = s->gso_size;
    }
    if (s->bad_checksum)
        tcp[16] ^= 0x5a;
    struct frame_spec spec = { .src_mac = peer_mac, .dst_mac = p->host->mac, .src = p->addr,
                               .dst = p->host->addr, .protocol = IP_PROTO_TCP };
    size_t n = build_ip_frame(frame, sizeof frame, &spec, tcp, hl + s->len);
    naru_stack_input_offload(p->stack, p->host->ifindex, frame, n, &meta);
    /* Each segment is a batch of its own, as a host loop that polls after
     * every frame would make it; peer_send_batch() makes larger ones. */
    if (!p->batching)
        naru_stack_poll(p->stack, p->now);
}

void peer_batch_begin(struct tcp_peer *p)
{
    p->batching = true;
}

void peer_batch_end(struct tcp_peer *p)
{
    p->batching = false;
    naru_stack_poll(p->stack, p->now);
}

static void fill_ts(struct tcp_peer *p, struct seg *s)
{
    if (!p->ts)
        return;
    s->opt.timestamps_present = true;
    s->opt.ts_val = p->ts_val;
    s->opt.ts_ecr = p->ts_recent;
}

void peer_send_data(struct tcp_peer *p, const void *data, size_t len, uint8_t extra_flags)
{
    struct seg s = { .flags = (uint8_t)(TCP_ACK | extra_flags), .seq = p->snd_nxt, .ack = p->rcv_nxt,
                     .window = 65535, .data = data, .len = len };
    fill_ts(p, &s);
    peer_send(p, &s);
    p->snd_nxt += (uint32_t)len + ((extra_flags & TCP_FIN) ? 1 : 0);
}

void peer_send_ack(struct tcp_peer *p, uint16_t window)
{
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = p->rcv_nxt, .window = window };
    fill_ts(p, &s);
    peer_send(p, &s);
}

/* The peer answers the stack's ARP requests (its cache entry expires as
 * time passes in a test), so segments waiting for resolution go out. */
static void answer_arp(struct tcp_peer *p)
{
    struct capture_host *h = p->host;
    for (size_t i = 0; i < h->count; i++) {
        struct captured_frame *f = &h->frames[i];
        struct arp_packet a;
        if (f->taken || f->len < ETH_HEADER_LEN + ARP_PACKET_LEN || wire_get16(f->data + 12) != ETHERTYPE_ARP ||
            arp_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &a) < 0 || a.op != ARP_OP_REQUEST ||
            a.target_ip != p->addr)
            continue;
        f->taken = true;
        uint8_t frame[ETH_HEADER_LEN + ARP_PACKET_LEN];
        struct eth_header eth = { .ethertype = ETHERTYPE_ARP };
        memcpy(eth.dst, h->mac, 6);
        memcpy(eth.src, peer_mac, 6);
        eth_emit(&eth, frame, sizeof frame);
        struct arp_packet reply = { .op = ARP_OP_REPLY, .sender_ip = p->addr, .target_ip = h->addr };
        memcpy(reply.sender_mac, peer_mac, 6);
        memcpy(reply.target_mac, h->mac, 6);
        arp_emit(&reply, frame + ETH_HEADER_LEN, ARP_PACKET_LEN);
        naru_stack_input(p->stack, h->ifindex, frame, sizeof frame);
    }
}

bool peer_maybe_take(struct tcp_peer *p, struct got *g)
{
    /* What the stack owes at the end of a batch (an ACK for a window the
     * application's read opened, say) goes out when the host loop polls,
     * before it looks at what was sent. */
    if (!p->batching)
        naru_stack_poll(p->stack, p->now);
    answer_arp(p);
    const struct captured_frame *f;
    while ((f = capture_take_ip(p->host))) {
        struct ipv4_header ip;
        int ihl = ipv4_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &ip);
        assert_true(ihl > 0);
        if (ip.protocol != IP_PROTO_TCP)
            continue;
        const uint8_t *t = f->data + ETH_HEADER_LEN + ihl;
        size_t tl = ip.total_len - (size_t)ihl;
        int hl = tcp_parse(t, tl, ip.src, ip.dst, &g->h);
        assert_true(hl >= TCP_MIN_HEADER_LEN); /* the stack sends only valid segments */
        g->len = tl - (size_t)hl;
        memcpy(g->data, t + hl, g->len);
        g->src = ip.src;
        g->dst = ip.dst;
        g->ip_len = ip.total_len < sizeof g->ip ? ip.total_len : sizeof g->ip;
        memcpy(g->ip, f->data + ETH_HEADER_LEN, g->ip_len);
        g->meta = f->meta;
        if (g->h.options.timestamps_present)
            p->ts_recent = g->h.options.ts_val;
        return true;
    }
    return false;
}

void peer_send_icmp_error(struct tcp_peer *p, const struct got *g, uint8_t type, uint8_t code, uint32_t rest)
{
    uint8_t icmp[ICMP_HEADER_LEN + 28];
    size_t quote = g->ip_len < 28 ? g->ip_len : 28; /* the IP header and 8 bytes (RFC 792) */
    memcpy(icmp + ICMP_HEADER_LEN, g->ip, quote);
    struct icmp_message m = { .type = type, .code = code, .rest = rest };
    icmp_emit(&m, icmp, ICMP_HEADER_LEN + quote);
    uint8_t frame[128];
    struct frame_spec spec = { .src_mac = peer_mac, .dst_mac = p->host->mac, .src = p->addr,
                               .dst = p->host->addr, .protocol = IP_PROTO_ICMP };
    size_t n = build_ip_frame(frame, sizeof frame, &spec, icmp, ICMP_HEADER_LEN + quote);
    naru_stack_input(p->stack, p->host->ifindex, frame, n);
}

struct got *peer_take(struct tcp_peer *p)
{
    static struct got g;
    if (!peer_maybe_take(p, &g))
        fail_msg("the stack sent no TCP segment");
    return &g;
}

void peer_expect_nothing(struct tcp_peer *p)
{
    static struct got g;
    if (peer_maybe_take(p, &g))
        fail_msg("the stack sent a segment: flags 0x%02x seq %u ack %u len %zu", g.h.flags, g.h.seq, g.h.ack,
                 g.len);
}

void peer_clear(struct tcp_peer *p)
{
    capture_clear(p->host);
}

void peer_advance(struct tcp_peer *p, naru_time_t dt)
{
    /* In steps, so timers fire at their own times, not all at the end. */
    naru_time_t end = p->now + dt;
    while (p->now < end) {
        naru_time_t next = naru_stack_next_deadline(p->stack);
        if (next > end)
            next = end;
        if (next <= p->now)
            next = p->now + 1;
        p->now = next;
        naru_stack_poll(p->stack, p->now);
        /* The peer's timestamp clock ticks in milliseconds too. */
    }
    p->ts_val = 1000 + (uint32_t)(p->now / NARU_MS);
}

void expect_seg(const struct got *g, uint8_t flags, uint32_t seq, uint32_t ack)
{
    if (g->h.flags != flags || g->h.seq != seq || ((flags & TCP_ACK) && g->h.ack != ack))
        fail_msg("expected flags 0x%02x seq %u ack %u, got flags 0x%02x seq %u ack %u", flags, seq, ack,
                 g->h.flags, g->h.seq, g->h.ack);
}

static struct tcp_options syn_options(const struct tcp_peer *p)
{
    struct tcp_options o = { .mss_present = true, .mss = 1460, .wscale_present = true, .wscale = 7,
                             .sack_permitted = true, .timestamps_present = true, .ts_val = p->ts_val };
    return o;
}

int peer_passive_open(struct tcp_peer *p, uint16_t port, uint32_t isn, uint32_t peer_isn, int *listener)
{
    tcp_debug_set_isn(p->stack, isn);
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_true(l >= 0);
    struct naru_sockaddr a = { .port = port };
    assert_int_equal(naru_bind(p->stack, l, &a), 0);
    assert_int_equal(naru_listen(p->stack, l, 8), 0);
    p->port = port;
    p->ts = true;
    struct seg syn = { .flags = TCP_SYN, .seq = peer_isn, .window = 65535, .opt = syn_options(p) };
    peer_send(p, &syn);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, isn, peer_isn + 1);
    p->snd_nxt = peer_isn + 1;
    p->rcv_nxt = isn + 1;
    peer_send_ack(p, 65535 >> 7);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    if (listener)
        *listener = l;
    peer_expect_nothing(p);
    return s;
}

int peer_active_open(struct tcp_peer *p, uint16_t port, uint32_t isn, uint32_t peer_isn)
{
    tcp_debug_set_isn(p->stack, isn);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_true(s >= 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(p->addr), .port = port };
    assert_int_equal(naru_connect(p->stack, s, &to), -EINPROGRESS);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN, isn, 0);
    p->port = g->h.src_port;
    p->peer_port = port;
    p->ts = true;
    struct seg synack = { .flags = TCP_SYN | TCP_ACK, .seq = peer_isn, .ack = isn + 1, .window = 65535,
                          .opt = syn_options(p) };
    synack.opt.ts_ecr = g->h.options.ts_val;
    peer_send(p, &synack);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, isn + 1, peer_isn + 1);
    p->snd_nxt = peer_isn + 1;
    p->rcv_nxt = isn + 1;
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLOUT);
    return s;
}

int peer_fixture_setup(void **state, const struct naru_stack_config *config, uint32_t offloads,
                       uint32_t isn, uint32_t peer_isn)
{
    static struct tcp_peer_fixture f;
    peer_init_offload(&f.p, config, offloads);
    f.s = peer_passive_open(&f.p, 80, isn, peer_isn, &f.listener);
    *state = &f;
    return 0;
}

int peer_fixture_teardown(void **state)
{
    struct tcp_peer_fixture *f = *state;
    peer_fini(&f->p);
    return 0;
}

int peer_setup(void **state)
{
    static struct tcp_peer p;
    peer_init(&p, NULL);
    *state = &p;
    return 0;
}

int peer_teardown(void **state)
{
    peer_fini(*state);
    return 0;
}
