/* Segment arrival, state by state (RFC 9293 3.10.7), with the RFC 5961
 * defences (challenge ACKs for in-window RSTs and SYNs, the ACK validity
 * check), RFC 7323 PAWS and RTT measurement, and the ACK's news: RFC 2018
 * SACK blocks and RFC 2883 D-SACKs, handed to loss recovery (recovery.h). */
#include "tcp/tcp.h"

#include "core/log.h"
#include "ip/ip.h"
#include "ip/ipv6.h"
#include "ip/pmtu.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"
#include "wire/icmp.h"

/* RFC 7323 5.5: TS.Recent older than this (24 days) is no longer valid. */
#define TCP_PAWS_IDLE (24ull * 24 * 3600 * NARU_SEC)
/* Linux's tcp_invalid_ratelimit: ACKs to out-of-window pure ACKs and SYNs,
 * which are what an ACK loop is made of, at most this often. */
#define TCP_OOW_ACK_INTERVAL (500 * NARU_MS)

/* What an arriving segment says, after parsing. */
struct segment {
    const struct tcp_header *h;
    const struct tcp_options *opt;
    const struct naru_addr *src, *dst;
    uint32_t seq;              /* SEG.SEQ */
    uint32_t ack;              /* SEG.ACK */
    uint32_t seg_len;          /* SEG.LEN: data plus SYN and FIN */
    const uint8_t *data;
    uint32_t len;              /* data bytes */
    uint16_t gso_size;         /* data bytes per segment on the wire, when the link merged
                                * several into this one (GSO); 0 otherwise */
    uint8_t flags;
};

/* How many segments on the wire a (possibly merged) segment stands for. */
static uint32_t wire_segments(const struct segment *seg)
{
    if (!seg->gso_size || seg->len <= seg->gso_size)
        return 1;
    return (seg->len + seg->gso_size - 1) / seg->gso_size;
}

/* The options of a SYN or SYN-ACK decide what the connection uses
 * (RFC 7323 2.2 and 3.2, RFC 2018 2, RFC 9293 3.7.1). */
void tcp_take_syn_options(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_options *o)
{
    c->peer_mss = o->mss_present ? o->mss : TCP_DEFAULT_MSS;
    c->ws_ok = stack->config.tcp_window_scaling && o->wscale_present;
    if (c->ws_ok) {
        /* RFC 7323 2.3: a shift above 14 is taken as 14. */
        c->snd_wscale = o->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : o->wscale;
    } else {
        c->snd_wscale = 0;
        c->rcv_wscale = 0;
    }
    c->ts_ok = stack->config.tcp_timestamps && o->timestamps_present;
    if (c->ts_ok) {
        c->ts_recent = o->ts_val;
        c->ts_recent_stamp = stack->now;
    }
    c->sack_ok = stack->config.tcp_sack && o->sack_permitted;
}

static bool is_orphan(const struct tcp_conn *c)
{
    return !c->sock && !c->listener;
}

void tcp_abort(struct naru_stack *stack, struct tcp_conn *c, int err)
{
    if (c->sock && err)
        c->sock->error = err;
    if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
        stack->counters.tcp_estab_resets++;
    tcp_conn_finish(stack, c);
}

void tcp_established(struct naru_stack *stack, struct tcp_conn *c)
{
    /* A close() or shutdown() during the handshake sends its FIN now
     * (RFC 9293 3.10.4, SYN-SENT and SYN-RECEIVED). */
    c->state = c->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED;
    tcp_set_mss(stack, c);
    /* RFC 6928 2: IW = min(10*MSS, max(2*MSS, 14600)). */
    uint32_t iw = 14600 > 2u * c->snd_mss ? 14600 : 2u * c->snd_mss;
    if (iw > (uint32_t)TCP_INITIAL_WINDOW_SEGMENTS * c->snd_mss)
        iw = (uint32_t)TCP_INITIAL_WINDOW_SEGMENTS * c->snd_mss;
    c->cwnd = iw;
    c->ssthresh = 1u << 30; /* RFC 5681 3.1: arbitrarily high */
    c->cc->init(c);
    hystart_reset(&c->hystart);
    tcp_recovery_select(c); /* from the options agreed */
    c->recover = c->iss;    /* RFC 6582 3.2 (1) */
    c->high_rxt = c->snd_una;
    c->prior_snd_wnd = c->snd_wnd;
    c->burst_credit = TCP_MAX_BURST;
    c->retries = 0;
    /* RFC 6298 5.7: after a lost SYN, data starts with an RTO of 3 s. */
    if (c->syn_lost && c->rto < 3 * NARU_SEC)
        c->rto = 3 * NARU_SEC;
    c->last_rx = stack->now;
    c->rcv_ssthresh = c->rcv_buf_size < 65535 ? c->rcv_buf_size : 65535;
    /* Linux starts the autotuning measurement from the initial window. */
    c->rcvq_space = TCP_INITIAL_WINDOW_SEGMENTS * (uint32_t)c->adv_mss;
    c->rcvq_start = stack->now;
    if (seq_gt(c->rcv_adv, c->rcv_nxt) && c->rcv_adv - c->rcv_nxt > c->rcv_ssthresh)
        c->rcv_ssthresh = c->rcv_adv - c->rcv_nxt;
    tcp_keepalive_arm(stack, c);
    if (c->snd_buf.len)
        tcp_rack_init(stack, c); /* data queued during the handshake (recovery.h) */
    stack->counters.tcp_established++;
}

/* RFC 2883: [left, right) came again; the next ACK reports it first, so
 * the sender learns it sent that needlessly. One duplicate per ACK: a
 * second one joins the first if they touch, or takes its place. */
static void note_dsack(struct naru_stack *stack, struct tcp_conn *c, uint32_t left, uint32_t right)
{
    if (!c->sack_ok || !stack->config.tcp_dsack || !seq_lt(left, right))
        return;
    if (c->dsack_pending && seq_le(left, c->dsack_right) && seq_ge(right, c->dsack_left)) {
        c->dsack_left = seq_min(left, c->dsack_left);
        c->dsack_right = seq_max(right, c->dsack_right);
    } else {
        c->dsack_left = left;
        c->dsack_right = right;
    }
    c->dsack_pending = true;
    c->ack_now = true;
}

static void send_challenge_ack(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 5961 7: challenge ACKs go out at a bounded rate. */
    if (!tcp_challenge_allowed(stack))
        return;
    stack->counters.tcp_challenge_acks++;
    tcp_send_ack(stack, c);
}

/* RFC 9293 3.10.7.4 "If an incoming segment is not acceptable, an
 * acknowledgment should be sent in reply"; pure ACKs and SYNs only at a
 * bounded rate, as they are what an ACK loop is made of. */
static void send_oow_ack(struct naru_stack *stack, struct tcp_conn *c, const struct segment *seg)
{
    if (seg->len == 0 && !(seg->flags & TCP_FIN)) {
        if (c->last_oow_ack && stack->now - c->last_oow_ack < TCP_OOW_ACK_INTERVAL)
            return;
        c->last_oow_ack = stack->now ? stack->now : 1;
    }
    /* Data that came before (below RCV.NXT): the ACK says so (RFC 2883
     * 4.1.1), as Linux's tcp_send_dupack() does. */
    if (seg->len && seq_lt(seg->seq, c->rcv_nxt))
        note_dsack(stack, c, seg->seq, seq_min(seg->seq + seg->len, c->rcv_nxt));
    tcp_send_ack(stack, c);
}

/* ---- CLOSED (RFC 9293 3.10.7.1); LISTEN is tcp_listen.c's ---- */

static void reply_rst(struct naru_stack *stack, const struct segment *seg)
{
    if (seg->flags & TCP_RST)
        return;
    tcp_send_rst_reply(stack, seg->src, seg->dst, seg->h, seg->seg_len);
}

/* ---- SYN-SENT (RFC 9293 3.10.7.3) ---- */

static naru_time_t ts_rtt(const struct naru_stack *stack, const struct tcp_conn *c, uint32_t ts_ecr, bool *ok)
{
    /* RFC 7323 4: the echoed TSval says when the segment left. */
    uint32_t elapsed = tcp_ts_now(stack, c) - ts_ecr;
    *ok = ts_ecr != 0 && elapsed < 0x7fffffffu;
    return (naru_time_t)elapsed * NARU_MS;
}

static void process_text_and_fin(struct naru_stack *stack, struct tcp_conn *c, struct segment *seg);

static void syn_sent_input(struct naru_stack *stack, struct tcp_conn *c, struct segment *seg)
{
    bool ack_ok = false;
    if (seg->flags & TCP_ACK) {
        if (seq_le(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_max)) {
            reply_rst(stack, seg); /* <SEQ=SEG.ACK><CTL=RST> */
            return;
        }
        ack_ok = seq_gt(seg->ack, c->snd_una);
    }
    if (seg->flags & TCP_RST) {
        /* RFC 5961 3.2 / RFC 9293: a RST is believed only if it
         * acknowledges our SYN. */
        if (ack_ok) {
            stack->counters.tcp_rx_rst++;
            stack->counters.tcp_attempt_fails++;
            tcp_abort(stack, c, -ECONNREFUSED);
        }
        return;
    }
    if (!(seg->flags & TCP_SYN) || ((seg->flags & TCP_ACK) && !ack_ok))
        return;
    c->irs = seg->seq;
    c->rcv_nxt = seg->seq + 1;
    c->last_ack_sent = c->rcv_nxt;
    tcp_take_syn_options(stack, c, seg->opt);
    /* The window our SYN announced, unscaled. */
    c->rcv_adv = c->rcv_nxt + (c->rcv_buf_size < 65535 ? c->rcv_buf_size : 65535);
    c->snd_wnd = seg->h->window;
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = seg->ack;
    if (!ack_ok) {
        /* Simultaneous open: SYN-RECEIVED, and our SYN goes again with
         * an ACK. Text waits for ESTABLISHED: the peer sends it again. */
        c->state = TCP_SYN_RECEIVED;
        c->snd_nxt = c->iss;
        tcp_set_mss(stack, c);
        tcp_output(stack, c);
        return;
    }
    c->snd_una = seg->ack;
    bool sampled = false;
    if (c->ts_ok && seg->opt->timestamps_present) {
        naru_time_t rtt = ts_rtt(stack, c, seg->opt->ts_ecr, &sampled);
        if (sampled)
            tcp_rtt_sample(stack, c, rtt);
    }
    if (!sampled && c->rtt_timing && !c->syn_lost)
        tcp_rtt_sample(stack, c, stack->now - c->rtt_start);
    c->rtt_timing = false;
    tcp_rtx_stop(stack, c);
    tcp_established(stack, c);
    if (c->sock) {
        c->sock->connected = true;
        tcp_wake(stack, c);
    }
    /* RFC 9293: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; queued data may ride
     * along. Text or a FIN on the SYN-ACK is processed as in ESTABLISHED. */
    c->ack_now = true;
    seg->seq++; /* past the SYN */
    seg->flags &= (uint8_t)~TCP_SYN;
    if (seq_gt(seg->seq + seg->len, c->rcv_adv)) {
        seg->len = c->rcv_adv - seg->seq;
        seg->flags &= (uint8_t)~TCP_FIN;
    }
    if (seg->len || (seg->flags & TCP_FIN))
        process_text_and_fin(stack, c, seg);
    if (c->state != TCP_CLOSED)
        tcp_output(stack, c);
}

/* ---- the synchronized states and SYN-RECEIVED (RFC 9293 3.10.7.4) ---- */

/* RFC 9293 3.10.7.4, first check: the four cases of the acceptability
 * test, plus the allowance for ACKs into a zero window. */
static bool acceptable(const struct tcp_conn *c, const struct segment *seg, bool *zero_window_ack)
{
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t end = c->rcv_nxt + wnd;
    *zero_window_ack = false;
    if (seg->seg_len == 0) {
        if (wnd == 0)
            return seg->seq == c->rcv_nxt;
        return seq_in(seg->seq, c->rcv_nxt, end);
    }
    if (wnd == 0) {
        /* "special allowance should be made to accept valid ACKs, URGs,
         * and RSTs": its ACK counts, its text does not. */
        *zero_window_ack = seg->seq == c->rcv_nxt;
        return *zero_window_ack;
    }
    return seq_in(seg->seq, c->rcv_nxt, end) || seq_in(seg->seq + seg->seg_len - 1, c->rcv_nxt, end);
}

/* RFC 2883 4: the first SACK block reports a duplicate when it lies below
 * the cumulative ACK, or within the second block. */
static bool is_dsack(const struct segment *seg, uint32_t *left, uint32_t *right)
{
    const struct tcp_options *o = seg->opt;
    if (!o->sack_count || !seq_lt(o->sack[0].left, o->sack[0].right))
        return false;
    bool below = seq_le(o->sack[0].right, seg->ack);
    bool within = o->sack_count > 1 && seq_ge(o->sack[0].left, o->sack[1].left) &&
                  seq_le(o->sack[0].right, o->sack[1].right);
    *left = o->sack[0].left;
    *right = o->sack[0].right;
    return below || within;
}

/* Round-trip time from an ACK that moved SND.UNA: from the echoed
 * timestamp (RFC 7323 4.1), else from the timed segment (RFC 6298 3).
 * Returns the sample, 0 if none. */
static naru_time_t sample_rtt(struct naru_stack *stack, struct tcp_conn *c, const struct segment *seg)
{
    bool sampled = false;
    naru_time_t rtt_sample = 0;
    if (c->ts_ok && seg->opt->timestamps_present) {
        naru_time_t rtt = ts_rtt(stack, c, seg->opt->ts_ecr, &sampled);
        if (sampled && c->rto_ts_pending) {
            if (seq_lt(seg->opt->ts_ecr, c->rto_tsval))
                sampled = false; /* sent before the last timeout (tcp_timer.c) */
            else
                c->rto_ts_pending = false;
        }
        if (sampled) {
            tcp_rtt_sample(stack, c, rtt);
            rtt_sample = rtt ? rtt : 1;
        }
    } else if (c->rtt_timing && seq_gt(seg->ack, c->rtt_seq)) {
        rtt_sample = stack->now - c->rtt_start;
        tcp_rtt_sample(stack, c, rtt_sample);
        c->rtt_timing = false;
    }
    if (c->rtt_timing && seq_gt(seg->ack, c->rtt_seq))
        c->rtt_timing = false;
    return rtt_sample;
}

/* SND.UNA < SEG.ACK: SND.UNA moves to it (RFC 9293 3.10.7.4, fifth). */
static void take_new_ack(struct naru_stack *stack, struct tcp_conn *c, const struct segment *seg)
{
    uint32_t ack = seg->ack;
    uint32_t acked = ack - c->snd_una;
    uint32_t data_end = tcp_snd_end(c);
    uint32_t data_acked = 0;
    if (seq_gt(ack, c->snd_buf_seq))
        data_acked = seq_min(ack, data_end) - c->snd_buf_seq;
    if (data_acked) {
        ring_consume(&c->snd_buf, data_acked);
        c->snd_buf_seq += data_acked;
        c->bytes_acked += data_acked;
        tcp_conn_release_idle_rings(c);
    }
    c->snd_una = ack;
    if (seq_lt(c->snd_nxt, ack))
        c->snd_nxt = ack;
    /* RFC 4861 7.3.1: new data acknowledged vouches for the first hop, so
     * it is not probed; once a second is plenty (REACHABLE lasts 30 s). */
    if (c->remote_addr.family == NARU_AF_INET6 &&
        (!c->neighbour_confirmed || stack->now - c->neighbour_confirmed >= NARU_SEC)) {
        c->neighbour_confirmed = stack->now;
        ipv6_confirm_neighbour(stack, &c->remote_addr);
    }
    /* The ACK clock: what this ACK lets out (tcp_output.c). */
    uint32_t acked_segments = (acked + c->snd_mss - 1) / c->snd_mss;
    /* ACKs of one batch whose sending waits for its end add up. */
    uint32_t credit = acked_segments + (c->send_at_batch_end ? c->burst_credit : TCP_MAX_BURST);
    c->burst_credit = (uint16_t)(credit < 0xffff ? credit : 0xffff);
    naru_time_t rtt_sample = sample_rtt(stack, c, seg);
    c->retries = 0;
    scoreboard_advance(&c->scoreboard, c->snd_una);
    if (!c->in_recovery) {
        c->dupacks = 0;
        /* RFC 7661: only a window in use grows. A window that grew
         * while the application or the buffer held data back would
         * later let it all out in one burst. */
        if (data_acked)
            hystart_on_ack(c, ack, rtt_sample);
        if (data_acked && c->cwnd_limited)
            c->cc->on_ack(c, data_acked, stack->now);
    }
    if (c->in_recovery || c->in_loss)
        tcp_recovery_on_new_ack(stack, c, acked); /* a partial ACK, or the end of recovery */
    /* RFC 6298 5.2 and 5.3. */
    if (c->snd_una == c->snd_max)
        tcp_rtx_stop(stack, c);
    else
        tcp_rtx_restart(stack, c);
    if (data_acked)
        tcp_wake(stack, c);
}

/* Our FIN is acknowledged: the closing states move on. Returns false if
 * the connection is gone. */
static bool fin_acked_transitions(struct naru_stack *stack, struct tcp_conn *c)
{
    bool fin_acked = c->fin_queued && seq_gt(c->snd_una, c->snd_fin_seq);
    if (!fin_acked)
        return true;
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        c->state = TCP_FIN_WAIT_2;
        if (is_orphan(c))
            tcp_idle_arm(stack, c, TCP_IDLE_FIN_WAIT_2, stack->config.tcp_fin_timeout);
        tcp_wake(stack, c);
        return true;
    case TCP_CLOSING:
        tcp_enter_time_wait(stack, c);
        tcp_wake(stack, c);
        return true;
    case TCP_LAST_ACK:
        tcp_conn_finish(stack, c);
        return false;
    default:
        return true;
    }
}

/* The ACK field of an acceptable segment (RFC 9293 3.10.7.4, fifth), the
 * connection synchronized. False if the segment goes no further: it was
 * answered with a challenge ACK, or our FIN's ACK closed the connection. */
static bool process_ack(struct naru_stack *stack, struct tcp_conn *c, const struct segment *seg)
{
    /* RFC 5961 5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is a
     * challenge (this includes RFC 9293's "ACK acks something not yet
     * sent"). SND.MAX stands for SND.NXT: after a timeout SND.NXT rewinds. */
    if (seq_lt(seg->ack, c->snd_una - c->max_snd_wnd) || seq_gt(seg->ack, c->snd_max)) {
        stack->counters.tcp_rx_bad_ack++;
        send_challenge_ack(stack, c);
        return false;
    }
    struct tcp_ack a = {
        .opt = seg->opt,
        .ack = seg->ack,
        .una_before = c->snd_una,
        .sacked_before = c->scoreboard.sacked_bytes,
        .wnd = (uint32_t)seg->h->window << c->snd_wscale,
        .len = seg->len,
        .flags = seg->flags,
    };
    a.dsack = c->sack_ok && is_dsack(seg, &a.dsack_left, &a.dsack_right);
    if (a.dsack)
        stack->counters.tcp_dsacks_received++;
    if (seq_gt(a.ack, c->snd_una))
        take_new_ack(stack, c, seg);
    /* SACK blocks, after SND.UNA moved (RFC 6675 5). */
    if (c->sack_ok && seg->opt->sack_count)
        a.sack_news = scoreboard_update(&c->scoreboard, c->snd_una, c->snd_max, seg->opt->sack,
                                        seg->opt->sack_count);
    /* Was the last loss recovery needless? (RFC 3522, RFC 3708) */
    tcp_undo_on_ack(stack, c, &a);
    /* Losses found, recovery entered and paced (recovery.h). */
    c->recovery->on_ack(stack, c, &a);
    /* Window update (RFC 9293 3.10.7.4). */
    if (seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && seq_le(c->snd_wl2, a.ack))) {
        if (a.wnd != c->snd_wnd && c->snd_wnd == 0)
            c->probes = 0;
        c->prior_snd_wnd = c->snd_wnd;
        c->snd_wnd = a.wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = a.ack;
        if (a.wnd > c->max_snd_wnd)
            c->max_snd_wnd = a.wnd;
    }
    if (c->rtx_mode == TCP_RTX_PERSIST)
        c->probes = 0; /* the peer answers: keep probing (RFC 1122 4.2.2.17) */
    return fin_acked_transitions(stack, c);
}

static void process_fin(struct naru_stack *stack, struct tcp_conn *c)
{
    c->rcv_nxt++;
    c->fin_in_pending = false;
    c->ack_now = true;
    tcp_wake(stack, c);
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        c->state = TCP_CLOSE_WAIT;
        break;
    case TCP_FIN_WAIT_1:
        if (c->fin_queued && seq_gt(c->snd_una, c->snd_fin_seq))
            tcp_enter_time_wait(stack, c);
        else
            c->state = TCP_CLOSING; /* simultaneous close */
        break;
    case TCP_FIN_WAIT_2:
        tcp_enter_time_wait(stack, c);
        break;
    default:
        break;
    }
}

/* RFC 9293 3.10.7.4, seventh and eighth: the text, then the FIN. The
 * segment is already trimmed to the window. */
static void process_text_and_fin(struct naru_stack *stack, struct tcp_conn *c, struct segment *seg)
{
    bool takes_text = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2;
    if (seg->len && takes_text) {
        if (is_orphan(c)) {
            /* RFC 9293 3.10.4 / RFC 1122 4.2.2.13: nobody will read it:
             * reset, so the peer learns its data was lost. */
            stack->counters.tcp_abort_on_data++;
            tcp_send_rst(stack, c, c->snd_max, true);
            tcp_abort(stack, c, 0);
            return;
        }
        if (tcp_conn_rcv_ring(stack, c) < 0) {
            /* No memory for the ring: as if the segment were lost. */
            stack->counters.tcp_rx_no_memory++;
            return;
        }
        uint32_t off = seg->seq - c->rcv_nxt;
        if (ring_reserve(&c->rcv_buf, c->rcv_buf.len + off + seg->len) < 0) {
            /* The ring could not grow to hold it: lost, as above. */
            stack->counters.tcp_rx_no_memory++;
            return;
        }
        uint32_t held_from, held_to;
        if (assembler_overlap(&c->ooo, seg->seq, seg->seq + seg->len, &held_from, &held_to))
            note_dsack(stack, c, held_from, held_to); /* RFC 2883 4.1.2: held out of order already */
        /* The segment size the peer uses (for the "full-sized segment" of
         * delayed ACKs): of a merged segment, the size of its pieces. */
        uint32_t segs = wire_segments(seg);
        uint32_t piece = segs > 1 ? seg->gso_size : seg->len;
        if (piece > c->rcv_mss && piece <= c->adv_mss)
            c->rcv_mss = (uint16_t)piece;
        if (c->rcv_rtt_pending && seq_gt(seg->seq + seg->len, c->rcv_rtt_edge)) {
            /* The receiver's round trip, for autotuning (like Linux's
             * window-based estimate, at the clock's full resolution): data
             * past the old window edge left the sender after our ACK
             * reached it. Later than that if the sender held it, so the
             * smallest sample is the best. */
            naru_time_t rtt = stack->now - c->rcv_rtt_sent;
            if (!c->rcv_rtt || rtt < c->rcv_rtt)
                c->rcv_rtt = rtt ? rtt : 1;
            c->rcv_rtt_pending = false;
        }
        if (off == 0) {
            ring_write_at(&c->rcv_buf, 0, seg->data, seg->len);
            ring_commit(&c->rcv_buf, seg->len);
            c->rcv_nxt += seg->len;
            c->rcv_unacked += seg->len;
            c->bytes_received += seg->len;
            /* Linux's tcp_grow_window(): two segments more per segment
             * (per piece of a merged one). */
            if (c->rcv_ssthresh < c->rcv_buf_size) {
                uint32_t grown = c->rcv_ssthresh + 2u * c->rcv_mss * segs;
                c->rcv_ssthresh = grown < c->rcv_buf_size ? grown : c->rcv_buf_size;
            }
            if (!assembler_empty(&c->ooo)) {
                uint32_t next = assembler_take_front(&c->ooo, c->rcv_nxt);
                if (next != c->rcv_nxt) {
                    uint32_t more = next - c->rcv_nxt;
                    ring_commit(&c->rcv_buf, more);
                    c->rcv_nxt = next;
                    c->bytes_received += more;
                }
                /* RFC 5681 4.2: ACK at once a segment that fills a hole. */
                c->ack_now = true;
            }
            tcp_wake(stack, c);
        } else {
            /* Out of order: keep it in place if the assembler has room;
             * RFC 5681 4.2: ACK at once (the duplicate ACK and its SACK
             * blocks tell the sender). */
            stack->counters.tcp_rx_out_of_order++;
            if (assembler_add(&c->ooo, seg->seq, seg->seq + seg->len) == 0)
                ring_write_at(&c->rcv_buf, off, seg->data, seg->len);
            else
                stack->counters.tcp_rx_ooo_dropped++;
            c->ack_now = true;
        }
    }
    if (seg->flags & TCP_FIN) {
        uint32_t fin_seq = seg->seq + seg->len;
        if (fin_seq == c->rcv_nxt) {
            process_fin(stack, c);
        } else if (seq_gt(fin_seq, c->rcv_nxt) && takes_text) {
            c->fin_in_pending = true;
            c->fin_seq_in = fin_seq;
            c->ack_now = true;
        }
    }
    if (c->fin_in_pending && c->fin_seq_in == c->rcv_nxt)
        process_fin(stack, c);
    /* RFC 9293 3.8.6.3 / RFC 1122 4.2.3.2: an ACK for at least every
     * second full-sized segment, at the end of the input batch that brought
     * them (tcp_output.c says what a batch is, and why); otherwise at most
     * the delayed-ACK time. Half the window we last offered, unacknowledged,
     * is acknowledged at once, so a long batch never stalls the sender. */
    if (!c->ack_now && c->rcv_unacked) {
        uint32_t offered = c->rcv_adv - c->last_ack_sent;
        if (c->rcv_unacked < 2u * c->rcv_mss)
            tcp_delack_arm(stack, c);
        else if (c->rcv_unacked >= offered / 2)
            c->ack_now = true;
        else
            tcp_ack_at_batch_end(stack, c);
    }
}

/* A SYN for a connection in TIME-WAIT may open a new one (RFC 1122
 * 4.2.2.13, RFC 6191) if it is clearly newer. Returns true if handled. */
static bool time_wait_reopen(struct naru_stack *stack, struct tcp_conn *c, struct segment *seg)
{
    if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN)
        return false;
    bool newer = c->ts_ok && seg->opt->timestamps_present ? seq_gt(seg->opt->ts_val, c->ts_recent)
                                                          : seq_gt(seg->seq, c->rcv_nxt);
    struct tcp_conn *l = tcp_listener_lookup(stack, seg->dst, seg->h->dst_port);
    if (!newer || !l)
        return false;
    /* The new ISN must lie above every sequence number the old
     * connection used (RFC 1122 4.2.2.13). */
    uint32_t old_snd = c->snd_max;
    tcp_conn_finish(stack, c);
    stack->counters.tcp_time_wait_reused++;
    tcp_listen_input(stack, l, seg->src, seg->dst, seg->h, seg->seg_len, &old_snd);
    return true;
}

static void synchronized_input(struct naru_stack *stack, struct tcp_conn *c, struct segment *seg)
{
    const struct tcp_options *o = seg->opt;
    uint8_t flags = seg->flags;

    /* Simultaneous open (RFC 9293 Figure 7, line 6): in SYN-RECEIVED, the
     * peer's SYN-ACK repeats its SYN one below RCV.NXT and acknowledges
     * ours. The acceptability test alone would refuse it; take it as the
     * ACK that completes the handshake (Linux does the same). */
    if (c->state == TCP_SYN_RECEIVED && !c->passive && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
        seg->seq == c->irs && seq_gt(seg->ack, c->snd_una) && seq_le(seg->ack, c->snd_max)) {
        seg->seq++;
        seg->flags &= (uint8_t)~TCP_SYN;
        seg->seg_len--;
        flags = seg->flags;
    }
    /* A retransmitted SYN while our SYN-ACK is unanswered: send the SYN-ACK
     * again (as Linux and the BSDs do) rather than a bare ACK. */
    if (c->state == TCP_SYN_RECEIVED && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        seg->seq == c->irs) {
        /* At most one answer per TCP_OOW_ACK_INTERVAL, as for any reply to
         * segments that cost the sender nothing. */
        if (c->last_oow_ack && stack->now - c->last_oow_ack < TCP_OOW_ACK_INTERVAL)
            return;
        c->last_oow_ack = stack->now ? stack->now : 1;
        c->snd_nxt = c->iss;
        tcp_output(stack, c);
        return;
    }
    if (c->state == TCP_TIME_WAIT) {
        if (time_wait_reopen(stack, c, seg))
            return;
        /* The peer's FIN again: our last ACK was lost. ACK it and restart
         * the 2*MSL wait (RFC 9293 3.10.7.4, TIME-WAIT). */
        if ((flags & TCP_FIN) && !(flags & (TCP_RST | TCP_SYN)) && seg->seq + seg->len + 1 == c->rcv_nxt) {
            tcp_send_ack(stack, c);
            tcp_idle_arm(stack, c, TCP_IDLE_TIME_WAIT, stack->config.tcp_time_wait);
            return;
        }
    }
    /* RFC 7323 3.2: once timestamps are agreed, a non-RST segment without
     * one is dropped. */
    if (c->ts_ok && !o->timestamps_present && !(flags & TCP_RST)) {
        stack->counters.tcp_rx_no_timestamp++;
        return;
    }
    /* RFC 7323 5.3 R1: PAWS. */
    if (c->ts_ok && o->timestamps_present && !(flags & TCP_RST) && seq_lt(o->ts_val, c->ts_recent)) {
        if (stack->now - c->ts_recent_stamp > TCP_PAWS_IDLE) {
            c->ts_recent = o->ts_val; /* RFC 7323 5.5: TS.Recent went stale */
            c->ts_recent_stamp = stack->now;
        } else {
            stack->counters.tcp_rx_paws_rejected++;
            send_oow_ack(stack, c, seg);
            return;
        }
    }
    /* First: is the segment in the window? */
    bool zero_window_ack;
    if (!acceptable(c, seg, &zero_window_ack)) {
        stack->counters.tcp_rx_out_of_window++;
        if (!(flags & TCP_RST))
            send_oow_ack(stack, c, seg);
        return;
    }
    /* Second: RST (RFC 5961 3.2). */
    if (flags & TCP_RST) {
        if (seg->seq != c->rcv_nxt) {
            send_challenge_ack(stack, c);
            return;
        }
        stack->counters.tcp_rx_rst++;
        switch (c->state) {
        case TCP_SYN_RECEIVED:
            if (c->passive) {
                tcp_conn_finish(stack, c); /* back to LISTEN: the child goes */
            } else {
                stack->counters.tcp_attempt_fails++;
                tcp_abort(stack, c, -ECONNREFUSED);
            }
            return;
        case TCP_ESTABLISHED:
        case TCP_FIN_WAIT_1:
        case TCP_FIN_WAIT_2:
        case TCP_CLOSE_WAIT:
            tcp_abort(stack, c, -ECONNRESET);
            return;
        default: /* CLOSING, LAST-ACK, TIME-WAIT */
            tcp_abort(stack, c, 0);
            return;
        }
    }
    /* Fourth: SYN. */
    if (flags & TCP_SYN) {
        if (c->state == TCP_SYN_RECEIVED && c->passive) {
            tcp_conn_finish(stack, c); /* RFC 9293: "return this connection to the LISTEN state" */
            return;
        }
        /* RFC 5961 4.2: whatever its sequence number, a challenge ACK. */
        send_challenge_ack(stack, c);
        return;
    }
    /* RFC 7323 4.3 and 5.3 R3: remember the timestamp of a segment that
     * is in sequence as of our last ACK. */
    if (c->ts_ok && seq_ge(o->ts_val, c->ts_recent) && seq_le(seg->seq, c->last_ack_sent)) {
        c->ts_recent = o->ts_val;
        c->ts_recent_stamp = stack->now;
    }
    /* Trim to the window: what we already have goes from the front, what
     * does not fit goes from the back. */
    if (zero_window_ack) {
        seg->len = 0;
        seg->flags &= (uint8_t)~TCP_FIN;
        c->ack_now = true;
    }
    if (seq_lt(seg->seq, c->rcv_nxt)) {
        uint32_t dup = c->rcv_nxt - seg->seq;
        if (dup >= seg->len) {
            if (dup > seg->len)
                seg->flags &= (uint8_t)~TCP_FIN; /* the FIN came before */
            dup = seg->len;
        }
        note_dsack(stack, c, seg->seq, seg->seq + dup);
        seg->data += dup;
        seg->len -= dup;
        seg->seq += dup;
        stack->counters.tcp_rx_duplicate_bytes += dup;
        c->ack_now = true; /* RFC 5681 4.2: the sender retransmitted */
    }
    if (seq_gt(seg->seq + seg->len, c->rcv_adv)) {
        seg->len = seq_gt(c->rcv_adv, seg->seq) ? c->rcv_adv - seg->seq : 0;
        seg->flags &= (uint8_t)~TCP_FIN;
        c->ack_now = true;
    }
    /* Fifth: ACK. */
    if (!(flags & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RECEIVED) {
        if (!seq_gt(seg->ack, c->snd_una) || seq_gt(seg->ack, c->snd_max)) {
            reply_rst(stack, seg); /* <SEQ=SEG.ACK><CTL=RST> */
            return;
        }
        if (c->listener && c->listener->accept_queue.count >= c->listener->backlog) {
            /* The accept queue is full: like Linux, drop the ACK and stay
             * half-open; our SYN-ACK's retransmission asks for it again,
             * by when accept() may have made room. */
            stack->counters.tcp_listen_overflows++;
            return;
        }
        c->snd_wnd = (uint32_t)seg->h->window << c->snd_wscale;
        if (c->snd_wnd > c->max_snd_wnd)
            c->max_snd_wnd = c->snd_wnd;
        c->snd_wl1 = seg->seq;
        c->snd_wl2 = seg->ack;
        tcp_established(stack, c);
        if (c->listener) {
            tcp_conn_set_list(stack, c, TCP_ON_ACCEPT_QUEUE);
            struct tcp_conn *l = c->listener;
            tcp_wake(stack, l);
        } else if (c->sock) {
            c->sock->connected = true;
            tcp_wake(stack, c);
        }
    }
    if (!process_ack(stack, c, seg))
        return;
    /* Sixth: URG: the urgent pointer is tolerated; the data stays in line. */
    /* Seventh and eighth. */
    if (seg->len || (seg->flags & TCP_FIN) || c->fin_in_pending)
        process_text_and_fin(stack, c, seg);
    if (c->state == TCP_CLOSED)
        return;
    /* A pure ACK that lets data out, where the device cuts TSO frames:
     * what the batch's ACKs let out goes at its end, as one frame, rather
     * than a small frame per ACK; an ACK clock of small frames would keep
     * itself going (each frame earns one ACK). Linux reaches the same end
     * by deferring small TSO frames (tcp_tso_should_defer()). A driver
     * that polls after every frame sees no difference. */
    if (c->tso_segs > 1 && !seg->len && !(seg->flags & (TCP_SYN | TCP_FIN | TCP_RST)) && !c->ack_now &&
        !c->in_recovery) {
        tcp_send_at_batch_end(stack, c);
        return;
    }
    tcp_output(stack, c);
}

void tcp_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip)
{
    struct tcp_header h;
    stack->counters.tcp_rx++;
    /* A checksum the link vouches for (offload) is not summed again. */
    int hl = pbuf_checksum_trusted(pb, TCP_CHECKSUM_OFFSET)
                 ? tcp_parse_header(pb->data, pb->len, &h)
                 : tcp_parse_pseudo(pb->data, pb->len, ip_pseudo_sum(&ip->src, &ip->dst, IP_PROTO_TCP), &h);
    if (hl < 0 || h.src_port == 0 || h.dst_port == 0) {
        stack->counters.tcp_rx_malformed++;
        pbuf_free(stack, pb);
        return;
    }
    /* RFC 1122 4.2.3.10: never a connection with a broadcast or multicast
     * address; such segments are dropped without a reset. */
    if (ip->broadcast || ip->multicast) {
        stack->counters.tcp_rx_no_socket++;
        pbuf_free(stack, pb);
        return;
    }
    struct segment seg = {
        .h = &h,
        .opt = &h.options,
        .src = &ip->src,
        .dst = &ip->dst,
        .seq = h.seq,
        .ack = h.ack,
        .data = pb->data + hl,
        .len = pb->len - (uint32_t)hl,
        .gso_size = pb->rx_gso_size,
        .flags = h.flags,
    };
    seg.seg_len = seg.len + ((h.flags & TCP_SYN) ? 1 : 0) + ((h.flags & TCP_FIN) ? 1 : 0);
    uint32_t segs = wire_segments(&seg);
    stack->counters.tcp_rx += segs - 1; /* counted as on the wire, as Linux does */
    struct tcp_conn *c = tcp_conn_lookup_addr(stack, &ip->dst, h.dst_port, &ip->src, h.src_port);
    if (c) {
        c->segs_in += segs;
        c->last_rx = stack->now;
        if (c->state == TCP_SYN_SENT)
            syn_sent_input(stack, c, &seg);
        else
            synchronized_input(stack, c, &seg);
    } else {
        struct tcp_conn *l = tcp_listener_lookup(stack, &ip->dst, h.dst_port);
        if (l) {
            /* A valid SYN cookie comes back as its connection, in
             * SYN-RECEIVED: the segment completes its handshake. If it
             * does not (a window or PAWS test fails), the connection goes:
             * it is on no list, with no timer. */
            c = tcp_listen_input(stack, l, &ip->src, &ip->dst, &h, seg.seg_len, NULL);
            if (c) {
                c->segs_in += segs;
                c->last_rx = stack->now;
                synchronized_input(stack, c, &seg);
                if (!c->zombie && c->state == TCP_SYN_RECEIVED)
                    tcp_conn_finish(stack, c);
            }
        } else {
            /* RFC 9293 3.10.7.1: CLOSED. */
            stack->counters.tcp_rx_no_socket++;
            reply_rst(stack, &seg);
        }
    }
    pbuf_free(stack, pb);
    tcp_reap(stack);
}

void tcp_icmp_error(struct naru_stack *stack, const struct ip_error *e)
{
    uint32_t seq = wire_get32(e->quoted + 4);
    struct tcp_conn *c = tcp_conn_lookup_addr(stack, &e->src, e->src_port, &e->dst, e->dst_port);
    if (!c || c->state == TCP_LISTEN || c->state == TCP_CLOSED)
        return;
    /* RFC 5927 4.1: believe only errors about data in flight. */
    if (!seq_in(seq, c->snd_una, c->snd_max) && !(c->snd_una == c->snd_max && seq == c->snd_una))
        return;
    stack->counters.tcp_rx_icmp_errors++;
    if (e->err == -EMSGSIZE) {
        /* RFC 1191, RFC 8201: the path is narrower than we thought. The
         * report is about a segment of ours in flight (above: RFC 5927 4.1,
         * RFC 8201 5.2); the cache checks the MTU it names. */
        pmtu_update(stack, &c->remote_addr, e->mtu);
        if (tcp_mtu_changed(stack, c))
            tcp_output(stack, c);
        tcp_reap(stack);
        return;
    }
    /* RFC 1122 4.2.3.9: soft errors never abort an open connection; they
     * are reported if it later times out. A connection attempt gives up at
     * once, as on Linux. */
    if (c->state == TCP_SYN_SENT && e->unreachable) {
        stack->counters.tcp_attempt_fails++;
        tcp_abort(stack, c, e->err);
        tcp_reap(stack);
        return;
    }
    c->soft_error = e->err;
}
