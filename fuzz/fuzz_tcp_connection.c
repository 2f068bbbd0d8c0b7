/* Fuzz one TCP connection: the harness first opens it properly (the
 * stack listening or connecting, the peer answering with the options the
 * first input byte asks for), then feeds it arbitrary segments, with the
 * application reading, writing and closing and time passing in between.
 *
 * Input:
 *   byte 0      bit 0x01 the stack connects (else it listens and accepts)
 *               bit 0x02 the peer offers timestamps, 0x04 SACK, 0x08 window
 *               scaling; bit 0x10 a small receive buffer (window pressure)
 *   then records, each a control byte:
 *     0x00-0x7f  a segment from the peer; 14 bytes follow: flags, seq and
 *                ack as offsets (4 + 4, added to the peer's next sequence
 *                number and to the stack's SND.NXT as last seen), window
 *                (2), options length (1, at most 40), payload length (2);
 *                then the raw option bytes and the payload. The checksum is
 *                made right; bit 0x40 of the control byte spoils it.
 *     0x80-0xbf  (c & 0x3f) * 10 ms pass
 *     0xc0       the application writes up to 4 KiB
 *     0xc1       the application reads everything it can
 *     0xc2       shutdown(SHUT_WR)
 *     0xc3       close()
 *     0xc4       TCP_NODELAY on; 0xc5 SO_KEEPALIVE on
 *
 * Properties: everything the stack sends passes naru's own parsers; the
 * connection's variables stay consistent (SND.UNA <= SND.NXT <= SND.MAX,
 * the rings within their sizes) after every segment; afterwards, with time
 * run past every timer and the sockets closed, no packet buffer is held,
 * and destroying the stack frees everything (LeakSanitizer). */
#include <string.h>

#include "fuzz.h"
#include "naru/socket.h"
#include "naru/stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define HOST_ADDR 0x0a000001u /* 10.0.0.1, the stack */
#define PEER_ADDR 0x0a000002u /* 10.0.0.2, the fuzzer */
#define PEER_PORT 40000
#define HOST_PORT 80

static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct harness {
    struct naru_stack *stack;
    int ifindex;
    int listener, sock;
    uint16_t host_port;
    naru_time_t now;
    uint32_t peer_nxt;         /* the fuzzer's next sequence number */
    uint32_t host_nxt;         /* the stack's, from the last segment it sent */
    uint32_t peer_ts, host_ts;
    bool seen_segment;
    bool sent_segment_pending;
    struct tcp_header last;
};

static int take_frame(void *ctx, const uint8_t *frame, size_t len)
{
    struct harness *h = ctx;
    struct eth_header e;
    FUZZ_CHECK(eth_parse(frame, len, &e) == ETH_HEADER_LEN);
    if (e.ethertype != ETHERTYPE_IPV4)
        return 0;
    struct ipv4_header ip;
    FUZZ_CHECK(ipv4_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &ip) >= 0);
    if (ip.protocol != IP_PROTO_TCP)
        return 0;
    const uint8_t *seg = frame + ETH_HEADER_LEN + ip.header_len;
    size_t seg_len = ip.total_len - ip.header_len;
    struct tcp_header t;
    int hl = tcp_parse(seg, seg_len, ip.src, ip.dst, &t);
    FUZZ_CHECK(hl >= TCP_MIN_HEADER_LEN);
    FUZZ_CHECK(seg_len - (size_t)hl <= 1460); /* never more than the MSS we could announce */
    h->last = t;
    h->seen_segment = true;
    uint32_t seg_space = (uint32_t)(seg_len - (size_t)hl) + !!(t.flags & TCP_SYN) + !!(t.flags & TCP_FIN);
    if (!(t.flags & TCP_RST) && seq_gt(t.seq + seg_space, h->host_nxt))
        h->host_nxt = t.seq + seg_space;
    if (t.options.timestamps_present)
        h->host_ts = t.options.ts_val;
    return 0;
}

/* One segment from the peer: header written by hand, so the options can be
 * any bytes at all. */
static void inject(struct harness *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t window,
                   const uint8_t *opt, size_t opt_len, const uint8_t *data, size_t len, bool spoil)
{
    static uint8_t frame[ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN + TCP_MAX_HEADER_LEN + 1500];
    size_t padded = (opt_len + 3) & ~(size_t)3;
    size_t hl = TCP_MIN_HEADER_LEN + padded;
    if (hl > TCP_MAX_HEADER_LEN || len > 1500)
        return;
    uint8_t *t = frame + ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN;
    wire_put16(t, PEER_PORT);
    wire_put16(t + 2, h->host_port);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, ack);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = flags;
    wire_put16(t + 14, window);
    wire_put16(t + 16, 0);
    wire_put16(t + 18, 0);
    memset(t + TCP_MIN_HEADER_LEN, TCP_OPT_EOL, padded);
    if (opt_len)
        memcpy(t + TCP_MIN_HEADER_LEN, opt, opt_len);
    if (len)
        memcpy(t + hl, data, len);
    size_t tl = hl + len;
    uint32_t sum = inet_pseudo_sum(PEER_ADDR, HOST_ADDR, IP_PROTO_TCP, (uint16_t)tl);
    wire_put16(t + 16, (uint16_t)(inet_fold(inet_sum(t, tl, sum)) ^ (spoil ? 0x1234 : 0)));
    struct ipv4_header ip = { .total_len = (uint16_t)(IPV4_MIN_HEADER_LEN + tl), .ttl = 64,
                              .protocol = IP_PROTO_TCP, .src = PEER_ADDR, .dst = HOST_ADDR };
    ipv4_emit(&ip, frame + ETH_HEADER_LEN, IPV4_MIN_HEADER_LEN);
    struct eth_header e = { .ethertype = ETHERTYPE_IPV4 };
    memcpy(e.dst, host_mac, 6);
    memcpy(e.src, peer_mac, 6);
    eth_emit(&e, frame, ETH_HEADER_LEN);
    naru_stack_input(h->stack, h->ifindex, frame, ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN + tl);
}

/* The peer learns the stack's MAC and the stack the peer's: an ARP request
 * from the peer. */
static void teach_arp(struct harness *h)
{
    uint8_t frame[42];
    memset(frame, 0xff, 6);
    memcpy(frame + 6, peer_mac, 6);
    wire_put16(frame + 12, ETHERTYPE_ARP);
    uint8_t *a = frame + 14;
    wire_put16(a, 1);
    wire_put16(a + 2, ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    wire_put16(a + 6, 1);
    memcpy(a + 8, peer_mac, 6);
    wire_put32(a + 14, PEER_ADDR);
    memset(a + 18, 0, 6);
    wire_put32(a + 24, HOST_ADDR);
    naru_stack_input(h->stack, h->ifindex, frame, sizeof frame);
}

static void check_invariants(struct harness *h)
{
    struct tcp_conn *c = tcp_conn_lookup(h->stack, HOST_ADDR, h->host_port, PEER_ADDR, PEER_PORT);
    if (!c)
        return;
    FUZZ_CHECK(seq_le(c->snd_una, c->snd_nxt));
    FUZZ_CHECK(seq_le(c->snd_nxt, c->snd_max));
    FUZZ_CHECK(c->snd_buf.len <= c->snd_buf.size);
    FUZZ_CHECK(c->rcv_buf.len <= c->rcv_buf.size);
    FUZZ_CHECK(c->ooo.count <= TCP_ASSEMBLER_RANGES);
    FUZZ_CHECK(c->scoreboard.count <= TCP_SCOREBOARD_RANGES);
    if (c->state >= TCP_ESTABLISHED && c->snd_buf.data)
        FUZZ_CHECK(seq_le(c->snd_una, c->snd_buf_seq + 1));
    if (!assembler_empty(&c->ooo) && c->rcv_buf.data)
        FUZZ_CHECK(assembler_highest(&c->ooo) - c->rcv_nxt <= c->rcv_buf.size - c->rcv_buf.len);
}

static void app_read(struct harness *h)
{
    static uint8_t buf[8192];
    if (h->sock < 0)
        return;
    for (int i = 0; i < 64 && naru_recv(h->stack, h->sock, buf, sizeof buf, 0) > 0; i++)
        ;
}

static void accept_if_any(struct harness *h)
{
    if (h->sock < 0 && h->listener >= 0) {
        int s = naru_accept(h->stack, h->listener, NULL);
        if (s >= 0)
            h->sock = s;
    }
}

static void run_until(struct harness *h, naru_time_t until)
{
    for (int i = 0; i < 100000; i++) {
        naru_time_t next = naru_stack_next_deadline(h->stack);
        if (next == NARU_NEVER || next > until)
            break;
        if (next > h->now)
            h->now = next;
        naru_stack_poll(h->stack, h->now);
    }
    h->now = until;
    naru_stack_poll(h->stack, h->now);
}

static void open_connection(struct harness *h, uint8_t mode)
{
    uint8_t opt[20];
    size_t n = 0;
    opt[n++] = TCP_OPT_MSS;
    opt[n++] = 4;
    wire_put16(opt + n, 1460);
    n += 2;
    if (mode & 0x04) {
        opt[n++] = TCP_OPT_SACK_PERMITTED;
        opt[n++] = 2;
    }
    if (mode & 0x02) {
        opt[n++] = TCP_OPT_TIMESTAMPS;
        opt[n++] = 10;
        wire_put32(opt + n, h->peer_ts);
        wire_put32(opt + n + 4, h->host_ts);
        n += 8;
    }
    if (mode & 0x08) {
        opt[n++] = TCP_OPT_WSCALE;
        opt[n++] = 3;
        opt[n++] = 7;
    }
    uint32_t isn = 0xfffffff0u;
    if (mode & 0x01) {
        h->sock = naru_socket(h->stack, NARU_SOCK_STREAM);
        naru_connect(h->stack, h->sock, &(struct naru_sockaddr){ .addr = naru_addr_v4(PEER_ADDR), .port = PEER_PORT });
        if (!h->seen_segment)
            return;
        h->host_port = h->last.src_port;
        /* The peer is the server at PEER_PORT: the stack's port is ours to
         * reach, so the injected segments go from PEER_PORT to it. */
        inject(h, TCP_SYN | TCP_ACK, isn, h->host_nxt, 65535, opt, n, NULL, 0, false);
    } else {
        h->listener = naru_socket(h->stack, NARU_SOCK_STREAM);
        if (mode & 0x10)
            naru_setsockopt(h->stack, h->listener, NARU_SO_RCVBUF, 4096);
        naru_bind(h->stack, h->listener, &(struct naru_sockaddr){ .port = HOST_PORT });
        naru_listen(h->stack, h->listener, 4);
        h->host_port = HOST_PORT;
        inject(h, TCP_SYN, isn, 0, 65535, opt, n, NULL, 0, false);
        if (!h->seen_segment)
            return;
        uint8_t ts[12] = { TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_TIMESTAMPS, 10 };
        wire_put32(ts + 4, h->peer_ts);
        wire_put32(ts + 8, h->host_ts);
        inject(h, TCP_ACK, isn + 1, h->host_nxt, 1024, ts, (mode & 0x02) ? 12 : 0, NULL, 0, false);
        accept_if_any(h);
    }
    h->peer_nxt = isn + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct harness h = { .listener = -1, .sock = -1, .now = 1 * NARU_SEC, .peer_ts = 100 };
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.seed = 1;
    /* One connection (and a listener) needs a few buffers, not a host's
     * pools: the default ones cost more to set up and tear down under ASan
     * than the whole connection does. Frames leave through take_frame at
     * once, so 32 frame buffers never run dry here. */
    config.interfaces = 1;
    config.frame_buffers = 32;
    config.large_buffers = 1;
    config.arp_entries = 4;
    config.routes = 4;
    config.reassembly_datagrams = 1;
    config.sockets = 4;
    config.tcp_connections = 4;
    /* Rings under 128 KiB come from ASan's size-class allocator; larger
     * ones are mapped and unmapped for every input. Window scaling is
     * still offered (it follows tcp_max_buffer), autotuning still grows
     * the rings, and an input holds far less than 64 KiB anyway. */
    config.tcp_send_buffer = 64 * 1024;
    config.tcp_recv_buffer = 64 * 1024;
    /* Fewer retransmissions before giving up: the same paths (backoff,
     * RACK on RTO, ETIMEDOUT) in a quarter of the wind-down's segments. */
    config.tcp_retries = 4;
    if (naru_stack_create(&config, &h.stack) < 0)
        return 0;
    naru_stack_poll(h.stack, h.now);
    struct naru_if_config ifc = { .name = "fz0", .mtu = 1500, .driver = { .transmit = take_frame, .ctx = &h } };
    memcpy(ifc.mac, host_mac, 6);
    h.ifindex = naru_if_add(h.stack, &ifc);
    naru_if_set_addr(h.stack, h.ifindex, HOST_ADDR, 24);
    teach_arp(&h);
    uint8_t mode = data[0];
    open_connection(&h, mode);
    check_invariants(&h);

    size_t i = 1;
    while (i < size) {
        uint8_t c = data[i++];
        if (c < 0x80) {
            if (size - i < 14)
                break;
            const uint8_t *r = data + i;
            uint8_t flags = r[0];
            uint32_t seq = h.peer_nxt + wire_get32(r + 1);
            uint32_t ack = h.host_nxt + wire_get32(r + 5);
            uint16_t window = wire_get16(r + 9);
            size_t opt_len = r[11] > 40 ? 40 : r[11];
            size_t len = wire_get16(r + 12) % 1501;
            i += 14;
            if (size - i < opt_len)
                break;
            const uint8_t *opt = data + i;
            i += opt_len;
            if (size - i < len)
                len = size - i;
            const uint8_t *payload = data + i;
            i += len;
            inject(&h, flags, seq, ack, window, opt, opt_len, payload, len, c & 0x40);
            /* The fuzzer's stream moves on with what it sent in order. */
            if (wire_get32(r + 1) == 0 && !(flags & TCP_RST))
                h.peer_nxt += (uint32_t)len + !!(flags & TCP_FIN) + !!(flags & TCP_SYN);
            accept_if_any(&h);
            check_invariants(&h);
        } else if (c < 0xc0) {
            run_until(&h, h.now + (naru_time_t)(c & 0x3f) * 10 * NARU_MS);
            check_invariants(&h);
        } else if (h.sock >= 0) {
            static uint8_t buf[4096];
            switch (c) {
            case 0xc0:
                memset(buf, 'n', sizeof buf);
                naru_send(h.stack, h.sock, buf, sizeof buf, 0);
                break;
            case 0xc1:
                app_read(&h);
                break;
            case 0xc2:
                naru_shutdown(h.stack, h.sock, NARU_SHUT_WR);
                break;
            case 0xc3:
                naru_close(h.stack, h.sock);
                h.sock = -1;
                break;
            case 0xc4:
                naru_setsockopt(h.stack, h.sock, NARU_TCP_NODELAY, 1);
                break;
            case 0xc5:
                naru_setsockopt(h.stack, h.sock, NARU_SO_KEEPALIVE, 1);
                break;
            default:
                break;
            }
            check_invariants(&h);
        }
    }
    /* Wind down: read, let every timer run out, close, and run again. */
    app_read(&h);
    run_until(&h, h.now + 4 * 3600 * NARU_SEC);
    app_read(&h);
    if (h.sock >= 0)
        naru_close(h.stack, h.sock);
    if (h.listener >= 0)
        naru_close(h.stack, h.listener);
    run_until(&h, h.now + 4 * 3600 * NARU_SEC);
    FUZZ_CHECK(naru_stack_buffers_in_use(h.stack) == 0);
    naru_stack_destroy(h.stack);
    return 0;
}
