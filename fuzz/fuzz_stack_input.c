/* Fuzz the whole receive path: frames into a stack through
 * naru_stack_input, with sockets open and timers run forward.
 *
 * Input:
 *   byte 0      configuration: 0x01 forwarding on, with a second interface
 *               (198.18.1.1/24) to route to; 0x02 the stack is 198.18.0.1
 *               (02:6e:61:72:75:0a) instead of 198.18.0.2 (...:0b), the
 *               two ends of tests/data/linux-capture.pcap; 0x04 the first
 *               interface's driver declares every offload (partial
 *               checksums and TSO out, merged segments in), and each record
 *               carries frame metadata (below)
 *   bytes 1..2  the UDP port a socket is bound to (a second one, connected,
 *               takes the next port)
 *   bytes 3..4  the ping socket's echo identifier
 *   bytes 5..6  the port of the peer the connected UDP socket talks to
 *   then records, each: a control byte, a 16-bit length, with 0x04 six
 *   bytes of metadata (flags NARU_FRAME_*, 16-bit gso_size, 16-bit
 *   csum_start, 8-bit csum_offset), the frame.
 *     control 0x01   fix the IPv4, ICMP, UDP and TCP checksums first; and
 *                    for TCP, read the sequence and acknowledgment numbers
 *                    as offsets from the last segment the stack sent on
 *                    that connection, so a handshake can complete; with
 *                    metadata saying the checksum is partial, leave TCP's
 *                    and UDP's partial, as a sender's kernel does, and
 *                    point the metadata at them
 *     control 0x7e   ((c >> 1) & 63) * 100 ms pass before the frame (and
 *                    only then are the sockets read, so queues can fill)
 *     control 0x80   the frame arrives on the second interface
 *
 * A TCP socket listens on 8080; connections are accepted, read, answered
 * with a few bytes and closed at the end. After the frames the sockets are
 * drained, time runs on past every reassembly, ARP and TCP timeout, the
 * sockets close, and time runs on again. Then no packet buffer may be held
 * (naru_stack_buffers_in_use() == 0), and destroying the stack must free
 * everything (LeakSanitizer). */
#include <string.h>

#include "fuzz.h"
#include "naru/socket.h"
#include "naru/stack.h"
#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/icmpv6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define MAX_FRAME 65535
#define MAX_ACCEPTED 4

/* The last TCP segment the stack sent. */
struct sent_segment {
    bool valid;
    uint16_t src_port, dst_port;
    uint32_t seq, ack, len; /* len counts SYN and FIN */
};

struct harness {
    struct naru_stack *stack;
    int ifindex[2];
    int udp, udp_connected, ping, tcp;
    int accepted[MAX_ACCEPTED];
    bool forwarding;
    naru_time_t now;
    unsigned long frames_sent;
    struct sent_segment last_tcp;
};

/* The driver: every frame the stack sends must pass naru's own parsers
 * (what we send, we would accept), and TCP segments are remembered for
 * the next input's relative numbers. */
static int take_frame(void *ctx, const uint8_t *frame, size_t len)
{
    struct harness *h = ctx;
    h->frames_sent++;
    struct eth_header e;
    FUZZ_CHECK(eth_parse(frame, len, &e) == ETH_HEADER_LEN);
    if (e.ethertype == ETHERTYPE_ARP) {
        struct arp_packet a;
        FUZZ_CHECK(arp_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &a) == ARP_PACKET_LEN);
        return 0;
    }
    if (e.ethertype == ETHERTYPE_IPV6) {
        /* The interface's own IPv6 autoconfiguration (MLD reports, DAD,
         * router solicitations), and answers to IPv6 input: whole
         * packets, and (but for what a router passes on unread) a header
         * chain and ICMPv6 we would accept. */
        struct ipv6_header ip6;
        const uint8_t *p6 = frame + ETH_HEADER_LEN;
        FUZZ_CHECK(ipv6_parse(p6, len - ETH_HEADER_LEN, &ip6) == IPV6_HEADER_LEN);
        struct ipv6_chain c;
        if (h->forwarding || ipv6_walk_chain(p6, IPV6_HEADER_LEN + ip6.payload_len, &c) != 0) {
            FUZZ_CHECK(h->forwarding);
            return 0;
        }
        if (c.upper_protocol == IP_PROTO_ICMPV6 && !c.fragment) {
            struct icmpv6_message m;
            FUZZ_CHECK(icmpv6_parse(p6 + c.upper_offset, IPV6_HEADER_LEN + ip6.payload_len - c.upper_offset, ip6.src,
                                    ip6.dst, &m) >= 0);
        }
        return 0;
    }
    FUZZ_CHECK(e.ethertype == ETHERTYPE_IPV4);
    struct ipv4_header ip;
    FUZZ_CHECK(ipv4_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &ip) >= 0);
    if (ipv4_is_fragment(&ip))
        return 0;
    const uint8_t *seg = frame + ETH_HEADER_LEN + ip.header_len;
    size_t seg_len = ip.total_len - ip.header_len;
    /* A router passes on what is not its own without looking inside (RFC
     * 1812 5.2.1), bad transport checksums and all; with forwarding on,
     * only the link and IP layers must be valid. */
    if (h->forwarding)
        return 0;
    if (ip.protocol == IP_PROTO_ICMP) {
        struct icmp_message m;
        int r = icmp_parse(seg, seg_len, &m);
        if (r == WIRE_TRUNCATED && seg_len >= ICMP_HEADER_LEN && icmp_is_error(seg[0])) {
            /* RFC 792 asks for the header and 64 bits of data, but a
             * datagram with less data is quoted whole (RFC 1812 4.3.2.3),
             * and a receiver (naru's parser, Linux's icmp_unreach) that
             * needs 8 bytes for the ports drops it. Fine, if whole. */
            struct ipv4_header q;
            FUZZ_CHECK(ipv4_parse_quoted(seg + ICMP_HEADER_LEN, seg_len - ICMP_HEADER_LEN, &q) > 0);
            FUZZ_CHECK(q.total_len == seg_len - ICMP_HEADER_LEN && q.total_len - q.header_len < 8);
        } else {
            FUZZ_CHECK(r >= 0);
        }
        return 0;
    }
    if (ip.protocol == IP_PROTO_UDP) {
        struct udp_header u;
        FUZZ_CHECK(udp_parse(seg, seg_len, ip.src, ip.dst, &u) >= 0);
        return 0;
    }
    if (ip.protocol != IP_PROTO_TCP)
        return 0;
    struct tcp_header t;
    FUZZ_CHECK(tcp_parse(seg, seg_len, ip.src, ip.dst, &t) >= 0);
    h->last_tcp = (struct sent_segment){
        .valid = true, .src_port = t.src_port, .dst_port = t.dst_port, .seq = t.seq, .ack = t.ack,
        .len = (uint32_t)(seg_len - t.header_len) + !!(t.flags & TCP_SYN) + !!(t.flags & TCP_FIN),
    };
    return 0;
}

/* The driver of an interface with offloads: do the device's work on a
 * copy (complete a partial checksum), then check it as any frame. A frame
 * of segments for the device to cut (TSO) is checked whole, as one large
 * segment. */
static int take_frame_offload(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta)
{
    static uint8_t copy[MAX_FRAME + 64];
    FUZZ_CHECK(len <= sizeof copy);
    memcpy(copy, frame, len);
    if (meta->flags & NARU_FRAME_CSUM_PARTIAL) {
        FUZZ_CHECK(meta->csum_start + meta->csum_offset + 2u <= len);
        wire_put16(copy + meta->csum_start + meta->csum_offset,
                   inet_fold(inet_sum(copy + meta->csum_start, len - meta->csum_start, 0)));
    }
    if (meta->flags & NARU_FRAME_GSO_TCP4)
        FUZZ_CHECK(meta->gso_size > 0 && meta->hdr_len > 0 && meta->hdr_len < len);
    return take_frame(ctx, copy, len);
}

/* Make the checksums right, so mutations reach past them; or, with
 * partial set in meta, TCP's and UDP's partial as a sender with checksum
 * offload leaves them, meta pointing at them. */
static void fix_checksums(const struct harness *h, uint8_t *f, size_t len, struct naru_frame_meta *meta)
{
    struct eth_header e;
    if (eth_parse(f, len, &e) < 0 || e.ethertype != ETHERTYPE_IPV4)
        return;
    uint8_t *ip = f + e.header_len;
    size_t n = len - e.header_len;
    if (n < IPV4_MIN_HEADER_LEN)
        return;
    size_t hl = (size_t)(ip[0] & 15) * 4;
    if (hl < IPV4_MIN_HEADER_LEN || hl > n)
        return;
    size_t total = wire_get16(ip + 2);
    bool first_and_only = (wire_get16(ip + 6) & 0x3fff) == 0;
    if (total >= hl && total <= n && first_and_only) {
        uint8_t *l4 = ip + hl;
        size_t l4len = total - hl;
        uint32_t src = wire_get32(ip + 12), dst = wire_get32(ip + 16);
        if (ip[9] == IP_PROTO_ICMP && l4len >= 8) {
            wire_put16(l4 + 2, 0);
            wire_put16(l4 + 2, inet_checksum(l4, l4len));
        } else if (ip[9] == IP_PROTO_UDP && l4len >= 8) {
            uint16_t ulen = wire_get16(l4 + 4);
            if (ulen >= 8 && ulen <= l4len) {
                wire_put16(l4 + 6, 0);
                uint16_t c = inet_fold(inet_sum(l4, ulen, inet_pseudo_sum(src, dst, IP_PROTO_UDP, ulen)));
                wire_put16(l4 + 6, c ? c : 0xffff);
                if (meta->flags & NARU_FRAME_CSUM_PARTIAL) {
                    wire_put16(l4 + 6, (uint16_t)~inet_fold(inet_pseudo_sum(src, dst, IP_PROTO_UDP, ulen)));
                    meta->csum_start = (uint16_t)(l4 - f);
                    meta->csum_offset = 6;
                }
            }
        } else if (ip[9] == IP_PROTO_TCP && l4len >= 20) {
            const struct sent_segment *last = &h->last_tcp;
            if (last->valid && wire_get16(l4) == last->dst_port && wire_get16(l4 + 2) == last->src_port) {
                wire_put32(l4 + 4, last->ack + wire_get32(l4 + 4));
                wire_put32(l4 + 8, last->seq + last->len + wire_get32(l4 + 8));
            }
            wire_put16(l4 + 16, 0);
            wire_put16(l4 + 16, inet_fold(inet_sum(l4, l4len,
                                                   inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)l4len))));
            if (meta->flags & NARU_FRAME_CSUM_PARTIAL) {
                wire_put16(l4 + 16,
                           (uint16_t)~inet_fold(inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)l4len)));
                meta->csum_start = (uint16_t)(l4 - f);
                meta->csum_offset = 16;
            }
        }
    }
    wire_put16(ip + 10, 0);
    wire_put16(ip + 10, inet_checksum(ip, hl));
}

static void drain(struct harness *h, int sock)
{
    if (sock < 0)
        return;
    static uint8_t buf[MAX_FRAME];
    struct naru_sockaddr from;
    struct naru_icmp_error err;
    for (int i = 0; i < 1000 && naru_recvfrom(h->stack, sock, buf, sizeof buf, 0, &from) > 0; i++)
        ;
    for (int i = 0; i < 1000 && naru_recv_error(h->stack, sock, &err) == 0; i++)
        ;
    naru_socket_error(h->stack, sock);
}

static void drain_all(struct harness *h)
{
    drain(h, h->udp);
    drain(h, h->udp_connected);
    drain(h, h->ping);
    for (int i = 0; i < MAX_ACCEPTED && h->tcp >= 0; i++) {
        if (h->accepted[i] >= 0)
            continue;
        struct naru_sockaddr peer;
        int s = naru_accept(h->stack, h->tcp, &peer);
        if (s < 0)
            break;
        h->accepted[i] = s;
        naru_send(h->stack, s, "naru answers\n", 13, 0);
    }
    for (int i = 0; i < MAX_ACCEPTED; i++)
        drain(h, h->accepted[i]);
}

/* Run every timer due before `until`, in order. */
static void run_until(struct harness *h, naru_time_t until)
{
    for (int i = 0; i < 100000; i++) {
        naru_time_t next = naru_stack_next_deadline(h->stack);
        if (next == NARU_NEVER || next > until)
            break;
        if (next > h->now)
            h->now = next;
        naru_stack_poll(h->stack, h->now);
        drain_all(h);
    }
    h->now = until;
    naru_stack_poll(h->stack, h->now);
}

static int open_socket(struct harness *h, enum naru_socket_type type, uint16_t port)
{
    int s = naru_socket(h->stack, type);
    if (s < 0)
        return s;
    struct naru_sockaddr any = { .port = port };
    naru_bind(h->stack, s, &any); /* a port in use leaves it unbound: fine */
    naru_setsockopt(h->stack, s, NARU_SO_RECVERR, 1);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 7)
        return 0;
    uint8_t config = data[0];
    uint16_t udp_port = wire_get16(data + 1), ping_id = wire_get16(data + 3), peer_port = wire_get16(data + 5);
    data += 7;
    size -= 7;

    struct harness h = { .udp = -1, .udp_connected = -1, .ping = -1, .tcp = -1 };
    for (int i = 0; i < MAX_ACCEPTED; i++)
        h.accepted[i] = -1;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.seed = 20240601;
    /* Small pools, so running dry is reachable too. */
    c.frame_buffers = 48;
    c.large_buffers = 3;
    c.reassembly_datagrams = 3;
    c.arp_entries = 8;
    c.arp_queue = 4;
    c.sockets = 4 + MAX_ACCEPTED;
    c.udp_recv_queue = 8;
    /* And no more than these sockets can use: a host's tables (1,024
     * connections' hash buckets, 8 interfaces, 128 KiB rings that ASan maps
     * and unmaps) cost more per input than the frames do. */
    c.interfaces = 2;
    c.routes = 8;
    c.tcp_connections = 16;
    c.tcp_send_buffer = 64 * 1024;
    c.tcp_recv_buffer = 64 * 1024;
    FUZZ_CHECK(naru_stack_create(&c, &h.stack) == 0);

    bool as_a = config & 2;
    bool offloads = config & 4;
    struct naru_if_config ifc = {
        .name = "fuzz0",
        .mac = { 0x02, 0x6e, 0x61, 0x72, 0x75, as_a ? 0x0a : 0x0b },
        .driver = { .transmit = take_frame, .ctx = &h },
    };
    if (offloads) {
        ifc.driver.offloads = NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_RX_LARGE;
        ifc.driver.tso_max = 65535;
        ifc.driver.transmit_offload = take_frame_offload;
    }
    h.ifindex[0] = naru_if_add(h.stack, &ifc);
    FUZZ_CHECK(h.ifindex[0] >= 0);
    FUZZ_CHECK(naru_if_set_addr(h.stack, h.ifindex[0], as_a ? 0xc6120001u : 0xc6120002u, 24) == 0);
    h.ifindex[1] = -1;
    if (config & 1) {
        struct naru_if_config ifc2 = {
            .name = "fuzz1",
            .mac = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x1b },
            .mtu = 1280,
            .driver = { .transmit = take_frame, .ctx = &h },
        };
        h.ifindex[1] = naru_if_add(h.stack, &ifc2);
        FUZZ_CHECK(h.ifindex[1] >= 0);
        FUZZ_CHECK(naru_if_set_addr(h.stack, h.ifindex[1], 0xc6120101u, 24) == 0);
        naru_stack_set_forwarding(h.stack, true);
        h.forwarding = true;
    }

    h.udp = open_socket(&h, NARU_SOCK_DGRAM, udp_port);
    h.udp_connected = open_socket(&h, NARU_SOCK_DGRAM, (uint16_t)(udp_port + 1));
    if (h.udp_connected >= 0) {
        struct naru_sockaddr peer = { .addr = naru_addr_v4(as_a ? 0xc6120002u : 0xc6120001u), .port = peer_port };
        naru_connect(h.stack, h.udp_connected, &peer);
    }
    h.ping = open_socket(&h, NARU_SOCK_PING, ping_id);
    /* TCP listens on 8080 once it exists; until then the socket call fails. */
    h.tcp = open_socket(&h, NARU_SOCK_STREAM, 8080);
    if (h.tcp >= 0)
        naru_listen(h.stack, h.tcp, 4);

    h.now = NARU_SEC;
    naru_stack_poll(h.stack, h.now);

    static uint8_t frame[MAX_FRAME];
    while (size >= (offloads ? 9u : 3u)) {
        uint8_t ctl = data[0];
        size_t len = wire_get16(data + 1);
        data += 3;
        size -= 3;
        struct naru_frame_meta meta = { 0 };
        if (offloads) {
            meta.flags = data[0];
            meta.gso_size = wire_get16(data + 1);
            meta.csum_start = wire_get16(data + 3);
            meta.csum_offset = data[5];
            data += 6;
            size -= 6;
        }
        if (len > size)
            len = size;
        memcpy(frame, data, len);
        data += len;
        size -= len;
        naru_time_t advance = (naru_time_t)((ctl >> 1) & 63) * 100 * NARU_MS;
        if (advance) {
            run_until(&h, h.now + advance);
            drain_all(&h);
        }
        if (ctl & 1)
            fix_checksums(&h, frame, len, &meta);
        int ifindex = (ctl & 0x80) && h.ifindex[1] >= 0 ? h.ifindex[1] : h.ifindex[0];
        naru_stack_input_offload(h.stack, ifindex, frame, len, &meta);
    }

    /* Past the reassembly timeout (30 s) and every ARP state. */
    drain_all(&h);
    run_until(&h, h.now + 10 * 60 * NARU_SEC);
    drain_all(&h);
    int socks[] = { h.udp, h.udp_connected, h.ping, h.tcp };
    for (size_t i = 0; i < sizeof socks / sizeof socks[0]; i++)
        if (socks[i] >= 0)
            naru_close(h.stack, socks[i]);
    for (int i = 0; i < MAX_ACCEPTED; i++)
        if (h.accepted[i] >= 0)
            naru_close(h.stack, h.accepted[i]);
    h.udp = h.udp_connected = h.ping = h.tcp = -1;
    for (int i = 0; i < MAX_ACCEPTED; i++)
        h.accepted[i] = -1;
    run_until(&h, h.now + 60 * 60 * NARU_SEC);
    FUZZ_CHECK(naru_stack_buffers_in_use(h.stack) == 0);
    naru_stack_destroy(h.stack);
    return 0;
}
