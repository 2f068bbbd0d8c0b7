/* Segments out: what to send now (windows, Nagle, silly-window avoidance;
 * in loss recovery, what the algorithm chooses: recovery.h), how each
 * segment is built (options, the advertised window), and resets. */
#include "tcp/tcp_conn.h"

#include "ip/ip.h"
#include "ip/pmtu.h"
#include "link/iface.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "tcp/tcp_seq.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"

/* RFC 7323 4.2: TSval ticks once a millisecond. */
uint32_t tcp_ts_now(const struct naru_stack *stack, const struct tcp_conn *c)
{
    return (uint32_t)(stack->now / NARU_MS) + c->ts_offset;
}

/* To ourselves: as large as a frame buffer allows. */
static uint32_t loopback_mtu(const struct naru_stack *stack)
{
    return stack->config.frame_buffer_size - PBUF_HEADROOM - ETH_HEADER_LEN - ETH_VLAN_TAG_LEN;
}

/* RFC 9293 3.7.1: MSS = MTU - fixed IP header - fixed TCP header, for an
 * MTU of 0 (unknown: no route) the least datagram every host takes (RFC
 * 1122 3.3.3's 576; IPv6's minimum, RFC 8200 5), and never below the
 * family's least MTU (RFC 791's 68; 1280). */
static uint16_t mss_for_mtu(uint32_t mtu, uint8_t family)
{
    bool v6 = family == NARU_AF_INET6;
    uint32_t least = v6 ? 1280 : 68;
    if (mtu == 0)
        mtu = v6 ? 1280 : 576;
    if (mtu > 65535)
        mtu = 65535;
    if (mtu < least)
        mtu = least;
    return (uint16_t)(mtu - ip_header_len(family) - TCP_MIN_HEADER_LEN);
}

uint16_t tcp_route_mss(struct naru_stack *stack, const struct naru_addr *dst)
{
    if (ip_is_local(stack, dst))
        return mss_for_mtu(loopback_mtu(stack), dst->family);
    const struct naru_iface *iface = ip_route_iface(stack, dst);
    return mss_for_mtu(iface ? iface_ip_mtu(iface, dst->family) : 0, dst->family);
}

uint32_t tcp_path_mtu(struct naru_stack *stack, const struct naru_addr *dst)
{
    return ip_is_local(stack, dst) ? loopback_mtu(stack) : pmtu_path_mtu(stack, dst);
}

void tcp_set_mss(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 9293 3.7.1 and RFC 6691: Eff.snd.MSS = min(SendMSS, MMS_S - 20)
     * less the options every segment carries; MMS_S from the path's MTU
     * (RFC 1191 3, RFC 8201 5.4), not only the interface's. */
    uint32_t mss = c->peer_mss;
    c->path_mtu = tcp_path_mtu(stack, &c->remote_addr);
    c->path_version = stack->routes.version;
    uint32_t route = mss_for_mtu(c->path_mtu, c->remote_addr.family);
    if (route < mss)
        mss = route;
    c->options_len = c->ts_ok ? TCP_TS_OPTION_LEN : 0;
    if (mss < c->options_len + 64u)
        mss = c->options_len + 64u; /* a floor against absurd peer MSS values */
    c->snd_mss = (uint16_t)(mss - c->options_len);
    c->offload_version = 0; /* TSO's segment count follows the MSS */
}

/* What the device on the route to the peer does for us: complete the
 * checksums we leave partial (RFC 1071 sums the device adds in), and take
 * one frame of up to tso_segs segments, which it cuts at the MSS (TSO):
 * one write of 64 KiB instead of 45 of 1.5 KiB on TAP, each segment with
 * our headers, the sequence number moved on, PSH and FIN only on the last
 * (Linux's tcp_gso_segment(); virtio-net's VIRTIO_NET_HDR_GSO_TCPV4). The
 * segments on the wire stay MSS-sized: the MSS is the interface MTU's.
 * Looked up again when the routing table changes, or the MSS. */
static void refresh_offloads(struct naru_stack *stack, struct tcp_conn *c)
{
    c->offload_version = stack->routes.version;
    c->csum_offload = false;
    c->tso_segs = 1;
    if (ip_is_local(stack, &c->remote_addr))
        return; /* to ourselves: looped back, no device */
    const struct naru_iface *iface = ip_route_iface(stack, &c->remote_addr);
    if (!iface)
        return;
    c->csum_offload = iface_offers(iface, NARU_OFFLOAD_TX_CSUM);
    bool v6 = c->remote_addr.family == NARU_AF_INET6;
    if (iface_offers(iface, v6 ? NARU_OFFLOAD_TX_TSO6 : NARU_OFFLOAD_TX_TSO4)) {
        /* Room for the largest headers, so any segment fits tso_max. */
        uint32_t room = iface->driver.tso_max - ip_header_len(c->remote_addr.family) - TCP_MAX_HEADER_LEN;
        uint32_t segs = room / c->snd_mss;
        c->tso_segs = (uint16_t)(segs > 1 ? (segs < 0xffff ? segs : 0xffff) : 1);
    }
}

static void check_offloads(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->offload_version != stack->routes.version)
        refresh_offloads(stack, c);
}

/* SACK blocks that go on a segment now, and what they cost. */
static unsigned sack_blocks_now(const struct tcp_conn *c, struct tcp_sack_block *blocks)
{
    if (!c->sack_ok || (assembler_empty(&c->ooo) && !c->dsack_pending))
        return 0;
    unsigned max = c->ts_ok ? 3 : 4; /* what fits in 40 bytes of options */
    if (!c->dsack_pending)
        return assembler_sack_blocks(&c->ooo, blocks, max);
    /* RFC 2883 4: the duplicate first, then the block that holds it (if it
     * lies above RCV.NXT), then the others, none twice. */
    unsigned n = 0;
    blocks[n++] = (struct tcp_sack_block){ c->dsack_left, c->dsack_right };
    struct tcp_sack_block held, rest[4];
    bool contained = assembler_containing(&c->ooo, c->dsack_left, c->dsack_right, &held);
    if (contained)
        blocks[n++] = held;
    unsigned m = assembler_sack_blocks(&c->ooo, rest, max);
    for (unsigned i = 0; i < m && n < max; i++)
        if (!contained || rest[i].left != held.left)
            blocks[n++] = rest[i];
    return n;
}

/* The SACK blocks a segment must also carry come out of its size, as
 * Linux does, so data segments keep telling the peer what we hold. */
uint32_t tcp_current_mss(const struct tcp_conn *c)
{
    uint32_t mss = c->snd_mss;
    if (c->sack_ok && (!assembler_empty(&c->ooo) || c->dsack_pending)) {
        uint32_t count = c->ooo.count + (c->dsack_pending ? 1u : 0u);
        uint32_t blocks = count < (c->ts_ok ? 3u : 4u) ? count : (c->ts_ok ? 3u : 4u);
        uint32_t cost = 4 + 8 * blocks;
        mss = mss > cost + 64 ? mss - cost : 64;
    }
    return mss;
}

static uint32_t rcv_space(const struct tcp_conn *c)
{
    return c->rcv_buf_size > c->rcv_buf.len ? c->rcv_buf_size - c->rcv_buf.len : 0;
}

/* Room in the receive ring past RCV.NXT; before it exists (or when it
 * has been let go, empty), the room it will have. */
static uint32_t rcv_ring_room(const struct tcp_conn *c)
{
    if (!c->rcv_buf.data)
        return tcp_rcv_ring_size(c);
    return ring_free(&c->rcv_buf);
}

uint32_t tcp_select_window(struct tcp_conn *c)
{
    uint32_t shift = c->rcv_wscale;
    uint32_t space = rcv_space(c);
    uint32_t max = 65535u << shift;
    if (space > max)
        space = max;
    /* Like Linux's rcv_ssthresh: the window opens as data arrives, never
     * by a sudden megabyte that would let the sender burst. */
    if (c->rcv_ssthresh && space > c->rcv_ssthresh)
        space = c->rcv_ssthresh;
    uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t wnd = space;
    /* RFC 9293 3.8.6.2.2: move the right edge only by at least
     * min(RCV.BUFF / 2, Eff.snd.MSS), so the peer never sees a sliver. */
    uint32_t step = c->rcv_buf_size / 2 < c->adv_mss ? c->rcv_buf_size / 2 : c->adv_mss;
    if (wnd > cur && wnd - cur < step)
        wnd = cur;
    /* RFC 9293 3.8.6.2.2 (SHLD-14): do not shrink the window. */
    if (wnd < cur)
        wnd = cur;
    uint32_t field = wnd >> shift;
    /* A scaled window cannot say every value: round up to keep the right
     * edge where it was, when the ring has room for that (the ring has
     * 2^shift bytes of slack); otherwise accept a retraction by less than
     * one unit rather than grow without bound (RFC 7323 Appendix F). */
    if ((field << shift) < wnd && ((field + 1) << shift) <= rcv_ring_room(c))
        field++;
    if (field > 65535)
        field = 65535;
    uint32_t edge = c->rcv_nxt + (field << shift);
    if (seq_gt(edge, c->rcv_adv))
        c->rcv_adv = edge;
    return field;
}

bool tcp_window_update_due(const struct tcp_conn *c)
{
    uint32_t space = rcv_space(c);
    uint32_t max = 65535u << c->rcv_wscale;
    if (space > max)
        space = max;
    if (c->rcv_ssthresh && space > c->rcv_ssthresh)
        space = c->rcv_ssthresh;
    uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t step = c->rcv_buf_size / 2 < c->adv_mss ? c->rcv_buf_size / 2 : c->adv_mss;
    /* Worth a segment of its own when the peer sees less than half of
     * what it could send, and the edge would move by a full step. */
    return space > cur && space - cur >= step && cur <= space / 2;
}

uint32_t tcp_unsent(const struct tcp_conn *c)
{
    uint32_t end = tcp_snd_end(c);
    return seq_lt(c->snd_nxt, end) ? end - c->snd_nxt : 0;
}

static void fill_options(struct naru_stack *stack, struct tcp_conn *c, struct tcp_header *h)
{
    struct tcp_options *o = &h->options;
    if (h->flags & TCP_SYN) {
        /* RFC 9293 3.7.1, RFC 7323 2.2 and 3.2, RFC 2018 2: the SYN offers
         * every option; the SYN-ACK answers only those the peer offered. */
        bool answering = c->state != TCP_SYN_SENT;
        o->mss_present = true;
        o->mss = c->adv_mss;
        if (answering ? c->ws_ok : stack->config.tcp_window_scaling) {
            o->wscale_present = true;
            o->wscale = c->rcv_wscale;
        }
        o->sack_permitted = answering ? c->sack_ok : stack->config.tcp_sack;
        if (answering ? c->ts_ok : stack->config.tcp_timestamps) {
            o->timestamps_present = true;
            o->ts_val = tcp_ts_now(stack, c);
            o->ts_ecr = answering ? c->ts_recent : 0;
        }
        return;
    }
    if (c->ts_ok) {
        o->timestamps_present = true;
        o->ts_val = tcp_ts_now(stack, c);
        o->ts_ecr = c->ts_recent;
    }
    if (!(h->flags & TCP_RST)) {
        o->sack_count = (uint8_t)sack_blocks_now(c, o->sack);
        if (c->dsack_pending && o->sack_count) {
            c->dsack_pending = false; /* RFC 2883: reported once */
            stack->counters.tcp_dsacks_sent++;
        }
    }
}

static void transmit(struct naru_stack *stack, struct tcp_conn *c, struct pbuf *pb, uint32_t segs)
{
    struct ip_send send = {
        .src = &c->local_addr,
        .dst = &c->remote_addr,
        .protocol = IP_PROTO_TCP,
        .ttl = c->sock ? sock_ttl_for(c->sock, c->remote_addr.family) : 0,
        .dont_fragment = true, /* RFC 1191: path MTU discovery */
    };
    stack->counters.tcp_tx += segs; /* as on the wire, as Linux counts */
    c->segs_out += segs;
    ip_output(stack, pb, &send);
}

/* The payload from the send ring into the segment, and its checksum
 * partial sum. Two passes, the copy and then a sum over the copy while it
 * is still in cache, beat one loop doing both: libc's memcpy is vectorised,
 * and a sum into independent accumulators (RFC 1071 (2)(C)) can be, but a
 * loop that also stores is not (the compiler keeps it scalar). With
 * checksum offload the sum is not taken at all (tcp_send_segment()). */
static uint32_t copy_payload(const struct tcp_conn *c, uint32_t offset, uint8_t *dst, uint32_t len)
{
    ring_peek(&c->snd_buf, offset, dst, len);
    return inet_sum(dst, len, 0);
}

void tcp_send_segment(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len,
                      uint8_t flags)
{
    struct tcp_header h = {
        .src_port = c->local_port,
        .dst_port = c->remote_port,
        .seq = seq,
        .flags = flags,
    };
    fill_options(stack, c, &h);
    /* A segment sent again keeps its size (recovery_rack.c): one that fits the
     * MSS goes as one, with fewer SACK blocks rather than cut in two. */
    bool single = len <= c->snd_mss;
    while (single && h.options.sack_count && len + 4 + 8u * h.options.sack_count > c->snd_mss)
        h.options.sack_count--;
    if (flags & TCP_ACK)
        h.ack = c->rcv_nxt;
    if (flags & TCP_SYN) {
        /* RFC 7323 2.2: the window of a SYN is never scaled. */
        uint32_t wnd = c->rcv_buf_size < 65535 ? c->rcv_buf_size : 65535;
        h.window = (uint16_t)wnd;
        if (flags & TCP_ACK && seq_gt(c->rcv_nxt + wnd, c->rcv_adv))
            c->rcv_adv = c->rcv_nxt + wnd;
    } else if (!(flags & TCP_RST)) {
        uint32_t old_edge = c->rcv_adv;
        h.window = (uint16_t)tcp_select_window(c);
        if (!c->rcv_rtt_pending && seq_gt(c->rcv_adv, old_edge)) {
            c->rcv_rtt_pending = true;
            c->rcv_rtt_edge = old_edge;
            c->rcv_rtt_sent = stack->now;
        }
    }
    size_t hl = tcp_header_len(&h);
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, hl + len);
    if (!pb)
        return; /* counted by the pool; as good as lost on the wire */
    check_offloads(stack, c);
    uint32_t segs = 1;
    uint32_t piece = tcp_current_mss(c);
    if (len > piece && !single) {
        /* TSO (send_window() built it so): pieces of `piece` bytes, each
         * with these headers, cut by the device. */
        segs = (len + piece - 1) / piece;
        pb->gso_size = (uint16_t)piece;
        pb->headers_end = (uint16_t)(pb->data - pb->base + hl);
    }
    if (c->csum_offload) {
        /* The device sums the segment: the payload is only copied, and the
         * checksum field holds the pseudo-header's sum, folded but not
         * complemented, for the device to add the rest to (RFC 1071; Linux
         * leaves CHECKSUM_PARTIAL segments the same way). For TSO, the
         * sum of the whole; the device redoes it for each piece. */
        if (len)
            ring_peek(&c->snd_buf, seq - c->snd_buf_seq, pb->data + hl, len);
        tcp_emit_pseudo(&h, c->pseudo_sum, pb->data, 0);
        uint32_t pseudo = c->pseudo_sum + (uint32_t)(hl + len);
        wire_put16(pb->data + TCP_CHECKSUM_OFFSET, (uint16_t)~inet_fold(pseudo));
        pb->flags |= PBUF_F_CSUM_PARTIAL;
        pb->csum_start = (uint16_t)(pb->data - pb->base);
        pb->csum_offset = TCP_CHECKSUM_OFFSET;
    } else if (len) {
        uint32_t payload_sum = copy_payload(c, seq - c->snd_buf_seq, pb->data + hl, len);
        /* The header's checksum as if there were no payload, then the
         * payload and its length added in (RFC 1624's arithmetic): the
         * pseudo-header's length field is a plain sum term. */
        tcp_emit_pseudo(&h, c->pseudo_sum, pb->data, 0);
        uint32_t sum = (uint16_t)~wire_get16(pb->data + 16);
        sum += len;
        sum += payload_sum;
        wire_put16(pb->data + 16, inet_fold(sum));
    } else {
        tcp_emit_pseudo(&h, c->pseudo_sum, pb->data, 0);
    }
    if (flags & TCP_ACK) {
        c->last_ack_sent = c->rcv_nxt;
        c->rcv_unacked = 0;
        c->ack_now = false;
        tcp_delack_stop(stack, c);
        tcp_ack_batch_cancel(stack, c);
    }
    if (flags & TCP_RST)
        stack->counters.tcp_tx_rst++;
    c->bytes_sent += len;
    transmit(stack, c, pb, segs);
}

void tcp_send_ack(struct naru_stack *stack, struct tcp_conn *c)
{
    /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, where SND.NXT means the next new
     * byte: after a timeout our SND.NXT rewinds, but the peer may hold data
     * up to SND.MAX and would find an older sequence number unacceptable,
     * ignoring the ACK (the BSDs send SND.MAX for the same reason). */
    tcp_send_segment(stack, c, c->snd_max, 0, TCP_ACK);
}

/* ---- ACKs at the end of an input batch ----
 *
 * A batch is what the stack is handed between two calls of
 * naru_stack_poll(): the host loop reads the frames its driver has
 * waiting (tools/runtime.c takes up to 256 from the TAP device), gives each
 * to naru_stack_input(), then polls. In-order data that RFC 5681 4.2's "at
 * least every second full-sized segment" would have acknowledged in the
 * middle of a batch is acknowledged once, at its end: the connection goes
 * on a list, naru_stack_next_deadline() answers "now" while the list is not
 * empty, and naru_stack_poll() sends the ACKs before anything else, with
 * the time the batch arrived at. So a burst of N full segments read in one
 * go costs one ACK, and one write() on TAP, rather than N/2.
 *
 * This is a departure from "every second segment" that Linux makes too: GRO
 * merges the segments one NAPI poll brings (up to 64 KiB) and TCP
 * acknowledges the merged segment once, a stretch ACK; and since Linux 6.7
 * ("tcp: defer regular ACK while processing socket backlog", 2023) the
 * segments a socket's backlog collected are acknowledged once, when the
 * backlog is done. What does not change (tcp_input.c):
 *  - a batch that brought two full-sized segments or more gets its ACK at
 *    its end; less waits for the delayed-ACK timer (RFC 9293 3.8.6.3: at
 *    most 200 ms; 40 ms by default);
 *  - out-of-order data, a segment filling a hole, duplicate data, data
 *    beyond the window and a FIN are acknowledged at once (RFC 5681 4.2,
 *    RFC 9293 3.10.7.4), mid-batch;
 *  - once half the window last offered has arrived unacknowledged, the ACK
 *    goes at once, so a long batch cannot stall a window-limited sender;
 *  - a driver that polls after every frame (the simulator, the in-memory
 *    link) gets the ACK it always got, at the same instant.
 * A window update after the application reads (RFC 1122 4.2.3.3) is owed
 * the same way, so a read from a socket callback inside a batch shares the
 * batch's ACK. Senders must grow cwnd from stretch ACKs by the bytes they
 * acknowledge (RFC 3465; tcp_hystart.c, cc_newreno.c).
 *
 * The sender's side of the same idea: where the device cuts TSO frames, a
 * pure ACK does not send at once; the data the batch's ACKs let out goes
 * at its end (tcp_input.c), their burst credits added up. Sent per ACK,
 * each frame held what one ACK freed, and each frame earned one ACK: over
 * TAP the frames stayed at whatever size the connection began with (28 KB
 * on average over IPv4, 22 KB over IPv6, where 64 KB fit), and the
 * per-frame costs of both stacks with them. */

static void batch_join(struct tcp_table *t, struct tcp_conn *c)
{
    if (c->ack_at_batch_end || c->send_at_batch_end)
        return; /* on the list already */
    c->batch_prev = NULL;
    c->batch_next = t->batch;
    if (t->batch)
        t->batch->batch_prev = c;
    t->batch = c;
}

void tcp_ack_at_batch_end(struct naru_stack *stack, struct tcp_conn *c)
{
    batch_join(stack->tcp, c);
    c->ack_at_batch_end = true;
}

void tcp_send_at_batch_end(struct naru_stack *stack, struct tcp_conn *c)
{
    batch_join(stack->tcp, c);
    c->send_at_batch_end = true;
}

void tcp_batch_forget(struct naru_stack *stack, struct tcp_conn *c)
{
    if (!c->ack_at_batch_end && !c->send_at_batch_end)
        return;
    struct tcp_table *t = stack->tcp;
    if (c->batch_prev)
        c->batch_prev->batch_next = c->batch_next;
    else
        t->batch = c->batch_next;
    if (c->batch_next)
        c->batch_next->batch_prev = c->batch_prev;
    c->batch_next = c->batch_prev = NULL;
    c->ack_at_batch_end = c->send_at_batch_end = false;
}

void tcp_ack_batch_cancel(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->send_at_batch_end)
        c->ack_at_batch_end = false; /* stays on the list to send */
    else
        tcp_batch_forget(stack, c);
}

bool tcp_batch_pending(const struct naru_stack *stack)
{
    return stack->tcp && stack->tcp->batch;
}

void tcp_batch_end(struct naru_stack *stack)
{
    struct tcp_table *t = stack->tcp;
    while (t->batch) {
        struct tcp_conn *c = t->batch;
        if (c->ack_at_batch_end) {
            stack->counters.tcp_batch_acks++;
            c->ack_now = true;
        }
        tcp_batch_forget(stack, c);
        tcp_output(stack, c); /* data, if it may go, carries the ACK */
    }
    tcp_reap(stack);
}

void tcp_send_rst(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, bool with_ack)
{
    tcp_send_segment(stack, c, seq, 0, (uint8_t)(TCP_RST | (with_ack ? TCP_ACK : 0)));
}

/* A token bucket: `rate` tokens a second, at most `burst` saved up. */
static bool bucket_take(naru_time_t now, naru_time_t *credit, naru_time_t *refill, uint32_t rate, uint32_t burst)
{
    if (rate == 0)
        return true;
    naru_time_t cost = NARU_SEC / rate;
    naru_time_t cap = cost * (burst ? burst : 1);
    *credit += now - *refill;
    *refill = now;
    if (*credit > cap)
        *credit = cap;
    if (*credit < cost)
        return false;
    *credit -= cost;
    return true;
}

bool tcp_challenge_allowed(struct naru_stack *stack)
{
    struct tcp_table *t = stack->tcp;
    if (bucket_take(stack->now, &t->challenge_credit, &t->challenge_refill, stack->config.tcp_challenge_ack_rate,
                    stack->config.tcp_challenge_ack_rate))
        return true;
    stack->counters.tcp_challenge_ack_limited++;
    return false;
}

void tcp_send_rst_reply(struct naru_stack *stack, const struct naru_addr *src, const struct naru_addr *dst,
                        const struct tcp_header *in, uint32_t seg_len)
{
    struct tcp_table *t = stack->tcp;
    if (!bucket_take(stack->now, &t->rst_credit, &t->rst_refill, stack->config.tcp_rst_rate,
                     stack->config.tcp_rst_burst)) {
        stack->counters.tcp_rst_rate_limited++;
        return;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, TCP_MIN_HEADER_LEN);
    if (!pb)
        return;
    /* RFC 9293 3.10.7.1: if the segment has an ACK, <SEQ=SEG.ACK><CTL=RST>;
     * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    struct tcp_header h = { .src_port = in->dst_port, .dst_port = in->src_port };
    if (in->flags & TCP_ACK) {
        h.seq = in->ack;
        h.flags = TCP_RST;
    } else {
        h.ack = in->seq + seg_len;
        h.flags = TCP_RST | TCP_ACK;
    }
    tcp_emit_pseudo(&h, ip_pseudo_sum(dst, src, IP_PROTO_TCP), pb->data, 0);
    stack->counters.tcp_tx++;
    stack->counters.tcp_tx_rst++;
    struct ip_send send = { .src = dst, .dst = src, .protocol = IP_PROTO_TCP, .dont_fragment = true };
    ip_output(stack, pb, &send);
}

void tcp_send_probe(struct naru_stack *stack, struct tcp_conn *c)
{
    /* An old sequence number is outside the peer's window, so RFC 9293
     * 3.10.7.4 makes it answer with an ACK; unlike a byte of new data it
     * needs no bookkeeping if the window has opened meanwhile (Linux
     * probes the same way). */
    tcp_send_segment(stack, c, c->snd_una - 1, 0, TCP_ACK);
}

/* ---- deciding what to send ---- */

static void count_retransmission(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len)
{
    uint32_t mss = tcp_current_mss(c);
    uint32_t segs = len > mss ? (len + mss - 1) / mss : 1; /* a TSO frame's pieces */
    stack->counters.tcp_retransmits += segs;
    c->total_retrans += segs;
    c->bytes_retrans += len;
    tcp_undo_retransmitted(c, len);
    /* Karn's rule (RFC 6298 3): a retransmitted segment is never timed. */
    if (c->rtt_timing && seq_le(seq, c->rtt_seq))
        c->rtt_timing = false;
}

static void sent_new(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len)
{
    if (!c->ts_ok && !c->rtt_timing && len) {
        c->rtt_timing = true;
        c->rtt_seq = seq;
        c->rtt_start = stack->now;
    }
}

/* One data segment (and FIN, if it ends the stream) from seq, len bytes. */
static void send_data_segment(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len, bool fin)
{
    uint8_t flags = TCP_ACK;
    if (fin)
        flags |= TCP_FIN;
    if (len && seq + len == tcp_snd_end(c))
        flags |= TCP_PSH;
    bool again = seq_lt(seq, c->snd_max);
    tcp_send_segment(stack, c, seq, len, flags);
    if (c->recovery->sent)
        c->recovery->sent(stack, c, seq, seq + len + (fin ? 1 : 0), c->snd_max, tcp_current_mss(c));
    /* A short segment, or a TSO frame ending in one, for Nagle. */
    if (len % tcp_current_mss(c) && seq_gt(seq + len, c->snd_small_end))
        c->snd_small_end = seq + len;
    if (c->in_recovery)
        c->prr_out += len; /* RFC 6937 (recovery_prr.c) */
    if (again)
        count_retransmission(stack, c, seq, len);
    else
        sent_new(stack, c, seq, len);
    uint32_t end = seq + len + (fin ? 1 : 0);
    if (seq_gt(end, c->snd_max))
        c->snd_max = end;
}

/* New data the windows and the sender-side rules allow from SND.NXT, in
 * one segment, or one TSO frame of at most max_segs segments; or 0. *fin
 * says the segment also carries our FIN. */
static uint32_t new_data_len(const struct tcp_conn *c, uint32_t room, uint32_t max_segs, bool *fin)
{
    *fin = false;
    if (c->recovery->room) {
        /* Each segment needs a record (RACK's log). */
        uint32_t records = c->recovery->room(c);
        if (records == 0)
            return 0;
        if (max_segs > records)
            max_segs = records;
    }
    uint32_t seq = c->snd_nxt;
    uint32_t end = tcp_snd_end(c);
    uint32_t avail = seq_lt(seq, end) ? end - seq : 0;
    uint32_t wnd_edge = c->snd_una + c->snd_wnd;
    uint32_t usable = seq_lt(seq, wnd_edge) ? wnd_edge - seq : 0;
    if (usable > room)
        usable = room;
    uint32_t mss = tcp_current_mss(c);
    uint32_t len = avail < usable ? avail : usable;
    if (len > mss * max_segs)
        len = mss * max_segs;
    if (len > mss) {
        /* A TSO frame: whole segments, and a short last one only where it
         * could go by itself: it ends the data, and Nagle (below) or our
         * FIN lets it. Otherwise it waits for the rest of its segment, as
         * sender silly-window avoidance would have it wait. */
        uint32_t tail = len % mss;
        bool ends_stream = len == avail && c->fin_queued && seq_le(seq, c->snd_fin_seq);
        bool nagle = !c->nodelay && seq_gt(c->snd_small_end, c->snd_una) && !seq_lt(seq + len - tail, c->snd_max);
        if (tail && (len < avail || (nagle && !ends_stream)))
            len -= tail;
    }
    /* The FIN goes with the last byte, or alone once the data is out; a
     * FIN alone still needs a byte of the peer's window, which it would
     * otherwise refuse (RFC 9293 3.10.7.4). */
    *fin = c->fin_queued && len == avail && seq_le(seq, c->snd_fin_seq) &&
           (len > 0 || seq_lt(seq, wnd_edge));
    if (len == 0)
        return 0;
    if (len < mss && !*fin && !seq_lt(seq, c->snd_max)) {
        if (len < avail) {
            /* RFC 9293 3.8.6.2.1: sender silly-window avoidance: a piece of
             * a segment only when it is at least half the largest window
             * the peer ever offered (the persist timer overrides). */
            if (len < c->max_snd_wnd / 2)
                return 0;
        } else if (!c->nodelay && seq_gt(c->snd_small_end, c->snd_una)) {
            /* RFC 1122 4.2.3.4 (Nagle), in Minshall's form as Linux has
             * it: a short segment waits while an earlier short segment is
             * unacknowledged, so the tail of each write goes at once but
             * a stream of small writes still coalesces. */
            return 0;
        }
    }
    return len;
}

void tcp_send_forced(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->recovery->room && c->recovery->room(c) == 0)
        return;
    uint32_t seq = c->snd_nxt;
    uint32_t end = tcp_snd_end(c);
    uint32_t avail = seq_lt(seq, end) ? end - seq : 0;
    uint32_t wnd_edge = c->snd_una + c->snd_wnd;
    uint32_t usable = seq_lt(seq, wnd_edge) ? wnd_edge - seq : 0;
    uint32_t len = avail < usable ? avail : usable;
    if (len > tcp_current_mss(c))
        len = tcp_current_mss(c);
    bool fin = c->fin_queued && len == avail && seq_le(seq, c->snd_fin_seq) && (len || usable);
    if (!len && !fin)
        return;
    send_data_segment(stack, c, seq, len, fin);
    c->snd_nxt = seq + len + (fin ? 1 : 0);
}

/* Ordinary sending: from SND.NXT within min(cwnd, window). */
static bool send_window(struct naru_stack *stack, struct tcp_conn *c)
{
    bool sent = false;
    for (;;) {
        uint32_t seq = c->snd_nxt;
        /* Burst mitigation (FreeBSD's maxburst; Linux's TSQ does the same
         * job): a window that opened all at once, by a large cumulative
         * ACK or a write after the application paused, goes out a few
         * segments per ACK rather than in one train that would overflow
         * the first queue on the path. The ACKs for what is in flight
         * bring the rest, so nothing waits for a timer. */
        if (c->burst_credit == 0 && c->snd_una != c->snd_max && !seq_lt(seq, c->snd_max))
            break;
        if (seq_lt(seq, c->snd_max) && !scoreboard_empty(&c->scoreboard)) {
            /* Going back over data after a timeout: what the peer SACKed
             * need not go again (RFC 6675 5.1). */
            uint32_t skip = scoreboard_skip(&c->scoreboard, seq);
            if (skip != seq) {
                c->snd_nxt = seq_min(skip, c->snd_max);
                continue;
            }
        }
        uint32_t flight = seq - c->snd_una;
        uint32_t allowed = c->cwnd;
        /* RFC 3042 limited transmit: a new segment for each of the first
         * two duplicate ACKs. */
        if (!c->in_recovery && c->dupacks && c->dupacks < TCP_DUPTHRESH)
            allowed += c->dupacks * c->snd_mss;
        uint32_t room = allowed > flight ? allowed - flight : 0;
        /* TSO frames where the device takes them, no larger than the
         * burst the ACK clock allows. */
        uint32_t max_segs = c->tso_segs ? c->tso_segs : 1;
        if (c->snd_una != c->snd_max && !seq_lt(seq, c->snd_max) && c->burst_credit < max_segs)
            max_segs = c->burst_credit;
        bool fin = false;
        uint32_t len = new_data_len(c, room, max_segs, &fin);
        if (len == 0 && !fin)
            break;
        if (len && seq_lt(seq, c->snd_max) && !scoreboard_empty(&c->scoreboard)) {
            uint32_t hole_end = scoreboard_hole_end(&c->scoreboard, seq, c->snd_max);
            if (seq_gt(seq + len, hole_end)) {
                len = hole_end - seq;
                fin = false;
            }
        }
        send_data_segment(stack, c, seq, len, fin);
        c->snd_nxt = seq + len + (fin ? 1 : 0);
        sent = true;
        uint32_t segs = len > tcp_current_mss(c) ? (len + tcp_current_mss(c) - 1) / tcp_current_mss(c) : 1;
        c->burst_credit = (uint16_t)(c->burst_credit > segs ? c->burst_credit - segs : 0);
        if (fin)
            break;
    }
    /* RFC 7661: did cwnd, rather than the data or the peer's window, stop
     * us? Only then may cwnd grow. */
    uint32_t unsent = tcp_unsent(c);
    uint32_t next = unsent < c->snd_mss ? unsent : c->snd_mss;
    uint32_t edge = c->snd_una + c->snd_wnd;
    c->cwnd_limited = unsent && c->snd_nxt - c->snd_una + next > c->cwnd && seq_le(c->snd_nxt + next, edge);
    return sent;
}

void tcp_retransmit_hole(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len)
{
    if (seq == c->snd_una) {
        c->rtx_front = seq;
        c->rtx_front_max = c->snd_max;
    }
    bool fin = c->fin_queued && seq + len == c->snd_fin_seq && seq_gt(c->snd_max, c->snd_fin_seq);
    send_data_segment(stack, c, seq, len, fin);
    uint32_t end = seq + len + (fin ? 1 : 0);
    if (seq_gt(end, c->high_rxt))
        c->high_rxt = end;
}

bool tcp_send_new_segment(struct naru_stack *stack, struct tcp_conn *c, uint32_t room)
{
    bool fin = false;
    uint32_t n = new_data_len(c, room, 1, &fin);
    if (!n && !fin)
        return false;
    send_data_segment(stack, c, c->snd_nxt, n, fin);
    c->snd_nxt += n + (fin ? 1 : 0);
    return true;
}

void tcp_output(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->path_version != stack->routes.version)
        tcp_path_changed(stack, c); /* the path MTU may have moved (tcp_mtu.c) */
    check_offloads(stack, c);
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_LISTEN:
        return;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        if (c->snd_nxt == c->iss) {
            uint8_t flags = c->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
            bool again = c->snd_max != c->iss;
            tcp_send_segment(stack, c, c->iss, 0, flags);
            if (again) {
                count_retransmission(stack, c, c->iss, 0);
            } else {
                /* Timed even when timestamps are offered: the peer may
                 * not answer them. */
                c->rtt_timing = true;
                c->rtt_seq = c->iss;
                c->rtt_start = stack->now;
            }
            c->snd_nxt = c->iss + 1;
            c->snd_max = c->iss + 1;
            tcp_rtx_arm(stack, c);
        } else if (c->ack_now) {
            tcp_send_ack(stack, c);
        }
        return;
    case TCP_TIME_WAIT:
        if (c->ack_now)
            tcp_send_ack(stack, c);
        return;
    default:
        break;
    }
    bool recovering = c->in_recovery || c->in_loss;
    bool sent = recovering && c->recovery->send ? c->recovery->send(stack, c) : send_window(stack, c);
    if (!sent && c->ack_now)
        tcp_send_ack(stack, c);
    if (c->snd_una != c->snd_max) {
        tcp_rtx_arm(stack, c);
        if (c->recovery->arm_timers)
            c->recovery->arm_timers(stack, c);
    } else if (tcp_unsent(c) || (c->fin_queued && c->snd_max == c->snd_fin_seq)) {
        /* Data waits and nothing is in flight to bring an ACK: only the
         * persist timer can move things (RFC 9293 3.8.6.1). */
        tcp_persist_arm(stack, c);
    }
}

/* ---- buffer autotuning ---- */

#define TCP_BUFFER_STEP (64 * 1024)

static uint32_t round_up_step(uint64_t n, uint32_t max)
{
    uint64_t r = (n + TCP_BUFFER_STEP - 1) / TCP_BUFFER_STEP * TCP_BUFFER_STEP;
    return r > max ? max : (uint32_t)r;
}

uint8_t tcp_rcv_wscale(const struct naru_stack *stack, const struct tcp_conn *c)
{
    uint32_t most = c->rcv_buf_size;
    if (!c->rcv_buf_locked && stack->config.tcp_max_buffer > most)
        most = stack->config.tcp_max_buffer;
    return tcp_choose_wscale(most);
}

/* Linux's tcp_sndbuf_expand(): room for twice cwnd (four times in slow
 * start, where cwnd doubles each round trip), so the window, not the
 * buffer, limits the sender. */
static uint32_t snd_buf_target(const struct naru_stack *stack, const struct tcp_conn *c)
{
    uint64_t want = (uint64_t)c->cwnd * (c->cwnd < c->ssthresh ? 4 : 2);
    return round_up_step(want, stack->config.tcp_max_buffer);
}

bool tcp_snd_buf_growable(const struct naru_stack *stack, const struct tcp_conn *c)
{
    return !c->snd_buf_locked && c->snd_buf.data && c->snd_buf_size < stack->config.tcp_max_buffer &&
           snd_buf_target(stack, c) > c->snd_buf_size;
}

/* A ring grows by copying what it holds, so it grows at least twofold
 * each time: a few copies over a connection's life, not one per RTT. */
static uint32_t grown_size(uint32_t current, uint32_t want, uint32_t max)
{
    uint64_t doubled = (uint64_t)current * 2;
    if (want < doubled)
        want = doubled > max ? max : (uint32_t)doubled;
    return want > max ? max : want;
}

void tcp_snd_buf_grow(struct naru_stack *stack, struct tcp_conn *c)
{
    uint32_t size = grown_size(c->snd_buf_size, snd_buf_target(stack, c), stack->config.tcp_max_buffer);
    if (size > c->snd_buf_size && ring_resize(&c->snd_buf, size) == 0) {
        c->snd_buf_size = size;
        tcp_rack_resize(c);
    }
}

void tcp_rcv_buf_adjust(struct naru_stack *stack, struct tcp_conn *c, uint32_t read)
{
    if (c->rcv_buf_locked || !c->rcv_buf.data)
        return;
    c->rcvq_copied += read;
    naru_time_t rtt = c->rcv_rtt ? c->rcv_rtt : c->rtt_valid ? c->srtt : 100 * NARU_MS;
    if (stack->now - c->rcvq_start < rtt)
        return;
    uint32_t copied = c->rcvq_copied;
    c->rcvq_copied = 0;
    c->rcvq_start = stack->now;
    if (copied <= c->rcvq_space)
        return;
    /* Linux's tcp_rcv_space_adjust(): twice what the application read in
     * a round trip, and more while that is growing, since the sender's
     * slow start doubles it each round trip. */
    uint64_t want = 2ull * copied + 16ull * c->adv_mss;
    if (c->rcvq_space)
        want += 2 * want * (copied - c->rcvq_space) / c->rcvq_space;
    c->rcvq_space = copied;
    uint32_t max = stack->config.tcp_max_buffer;
    uint64_t window_max = 65535ull << c->rcv_wscale;
    if (max > window_max)
        max = (uint32_t)window_max;
    uint32_t size = round_up_step(want, max);
    if (size <= c->rcv_buf_size)
        return;
    size = grown_size(c->rcv_buf_size, size, max);
    uint32_t keep = c->rcv_buf.len;
    if (!assembler_empty(&c->ooo))
        keep += assembler_highest(&c->ooo) - c->rcv_nxt;
    if (ring_resize_keep(&c->rcv_buf, size + (1u << c->rcv_wscale), keep) == 0)
        c->rcv_buf_size = size;
}
