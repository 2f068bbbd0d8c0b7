/* RACK-TLP (RFC 8985): losses found by time, tails by probes, over the log
 * of segments in flight (tcp_sent_log.h).
 *
 * RACK deems a segment lost once a segment sent sufficiently later has
 * been delivered; TLP sends a probe when ACKs stop coming, so that a lost
 * tail is found by RACK from the probe's ACK rather than by the
 * retransmission timeout. RFC 8985 needs SACK; with it, RFC 6675 still
 * governs recovery (pipe, NextSeg, the cwnd of PRR), with RACK's marks in
 * place of IsLost() (RFC 8985 3.4 and 9.3); the SACK scoreboard
 * (tcp_sack.h) still keeps the SACKed bytes exactly, for PRR's
 * DeliveredData and TCP_INFO. After a timeout, RTO recovery (in_loss)
 * sends what RACK deems lost first (RFC 8985 6.3). */
#include "tcp/recovery.h"

#include <string.h>

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

/* RFC 8985 7.2: the worst-case delayed-ACK time of the receiver. */
#define TCP_WCDELACKT (200 * NARU_MS)
/* RACK.min_RTT is the least RTT seen in this window (Linux's
 * tcp_min_rtt_wlen), so that it follows a path that grew longer. */
#define TCP_MIN_RTT_WINDOW (300 * NARU_SEC)

/* ---- the log ---- */

static uint32_t log_cap_for(const struct tcp_conn *c)
{
    /* Twice the buffer in full-sized segments: room for the shorter ones
     * a stream has too, before new data has to wait. */
    uint32_t mss = c->snd_mss > 64 ? c->snd_mss : 64;
    uint64_t n = 2ull * c->snd_buf_size / mss + 32;
    return n > (1u << 24) ? 1u << 24 : (uint32_t)n;
}

void tcp_rack_init(struct naru_stack *stack, struct tcp_conn *c)
{
    /* Only with nothing in flight: the log must cover all of it. */
    if (c->sent.segs || !c->sack_ok || !stack->config.tcp_rack || c->state < TCP_ESTABLISHED ||
        c->snd_una != c->snd_max)
        return;
    if (!sent_log_init(&c->sent, log_cap_for(c), c->snd_una))
        return; /* no RACK for this connection: RFC 6675 alone */
    memset(&c->rack, 0, sizeof c->rack);
    c->rack.fack = c->rack.end_seq = c->snd_una;
    c->rack.reo_wnd_mult = 1; /* RFC 8985 6.1 */
    tcp_recovery_select(c);
}

void tcp_rack_fini(struct tcp_conn *c)
{
    c->in_loss = false;
    if (!c->sent.segs)
        return; /* never had the log, or let it go */
    sent_log_fini(&c->sent);
    tcp_recovery_select(c);
}

void tcp_rack_resize(struct tcp_conn *c)
{
    if (c->sent.segs)
        sent_log_grow(&c->sent, log_cap_for(c)); /* without memory, the old ring serves */
}

/* The data bytes of a record: all but our FIN. */
static uint32_t data_len(const struct tcp_conn *c, const struct tcp_sent_seg *s)
{
    uint32_t len = s->end - s->seq;
    if (c->fin_queued && s->end == c->snd_fin_seq + 1)
        len--;
    return len;
}

static uint32_t rack_room(const struct tcp_conn *c)
{
    return sent_log_room(&c->sent);
}

static void rack_sent(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t end, uint32_t snd_max,
                      uint32_t piece)
{
    uint32_t data_end = c->fin_queued && end == c->snd_fin_seq + 1 ? end - 1 : end; /* our FIN rides the last */
    bool again = sent_log_sent(&c->sent, seq, end, snd_max, data_end, piece, stack->now);
    /* RFC 8985 7.2: new data restarts the PTO; and the last of recovery's
     * repairs may be what a probe is for (tlp_allowed()). */
    if (seq_gt(end, snd_max) || (again && c->in_recovery))
        c->rack.tlp_rearm = true;
}

/* RFC 6675 SetPipe() with RACK's lost marks: bytes in the network. */
static uint32_t rack_pipe(const struct tcp_conn *c)
{
    const struct tcp_sent_log *l = &c->sent;
    uint32_t flight = c->snd_max - c->snd_una;
    uint32_t out = l->sacked_bytes + l->lost_bytes;
    return (flight > out ? flight - out : 0) + l->rxt_bytes;
}

/* RFC 6675 NextSeg() rule (1) with RACK's marks: the first record deemed
 * lost and not yet sent again; its data bytes (the FIN not counted). */
static bool next_lost(struct tcp_conn *c, uint32_t *seq, uint32_t *len)
{
    const struct tcp_sent_seg *s = sent_log_next_lost(&c->sent, c->snd_max);
    if (!s)
        return false;
    *seq = s->seq;
    *len = data_len(c, s);
    return true;
}

/* ---- RACK (RFC 8985 6.2) ---- */

/* Steps 1 to 3 for one record newly delivered, cumulatively or by SACK. */
static void delivered(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_sent_seg *s,
                      const struct tcp_options *opt)
{
    struct tcp_rack *r = &c->rack;
    naru_time_t now = stack->now;
    naru_time_t rtt = now > s->xmit_ts ? now - s->xmit_ts : 0;
    /* RACK.rtt itself is kept modulo 2^64: a segment stamped a few
     * nanoseconds ahead of the clock (sent_log_sent()) gives it a tiny
     * negative value, and Segment.xmit_ts + RACK.rtt stays exact. */
    naru_time_t rack_rtt = now - s->xmit_ts;
    /* Step 3, RACK_detect_reordering(): delivered below the highest
     * delivered, and not because it was sent again. */
    if (seq_gt(s->end, r->fack))
        r->fack = s->end;
    else if (seq_lt(s->end, r->fack) && !(s->flags & TCP_SEG_RETRANSMITTED))
        r->reordering_seen = true;
    if (s->flags & TCP_SEG_RETRANSMITTED) {
        /* Step 2: was this ACK for the last transmission or an earlier
         * one? An echoed timestamp older than the last transmission's
         * says earlier; without one, an RTT below the minimum does. */
        if (c->ts_ok && opt->timestamps_present) {
            uint32_t tsval = (uint32_t)(s->xmit_ts / NARU_MS) + c->ts_offset;
            if (seq_lt(opt->ts_ecr, tsval))
                return;
        }
        if (rtt < r->min_rtt)
            return;
    } else if (!r->min_rtt || rtt <= r->min_rtt || now - r->min_rtt_stamp > TCP_MIN_RTT_WINDOW) {
        /* Step 1: RACK.min_RTT, from samples nothing makes ambiguous. */
        r->min_rtt = rtt ? rtt : 1;
        r->min_rtt_stamp = now;
    }
    /* Step 2, RACK_update(). */
    if (sent_after(s->xmit_ts, s->end, r->xmit_ts, r->end_seq)) {
        r->rtt = rack_rtt;
        r->xmit_ts = s->xmit_ts;
        r->end_seq = s->end;
        r->advanced = true;
    }
}

/* Step 4, RACK_update_reo_wnd(), and the window itself. */
static naru_time_t reo_wnd(const struct tcp_conn *c)
{
    const struct tcp_rack *r = &c->rack;
    if (!r->reordering_seen) {
        /* Without reordering seen, as quick as DupThresh: at once in
         * recovery, and once DupThresh segments are SACKed. */
        if (c->in_recovery || c->in_loss)
            return 0;
        if (c->sent.sacked_segs >= TCP_DUPTHRESH)
            return 0;
    }
    naru_time_t wnd = r->reo_wnd_mult * r->min_rtt / 4;
    if (c->rtt_valid && c->srtt < wnd)
        wnd = c->srtt;
    return wnd;
}

static void update_reo_wnd(struct tcp_conn *c, bool dsack)
{
    struct tcp_rack *r = &c->rack;
    if (!dsack && !r->dsack_round_open)
        return;
    if (r->dsack_round_open && seq_ge(c->snd_una, r->dsack_round))
        r->dsack_round_open = false;
    /* A D-SACK means a segment was sent needlessly, most often because
     * the network reordered it: one more quarter of min_RTT of patience,
     * at most once a round trip, for the next 16 recoveries. */
    if (!r->dsack_round_open && dsack) {
        r->dsack_round_open = true;
        r->dsack_round = c->snd_max;
        if (r->reo_wnd_mult < 255)
            r->reo_wnd_mult++;
        r->reo_wnd_persist = 16;
    }
}

/* Step 5, RACK_detect_loss(): every segment sent before the most recently
 * sent delivered one is lost once RACK.rtt plus the reordering window has
 * passed since it left; for the others, when that will be is the
 * reordering timer. Returns the bytes newly deemed lost. */
static uint32_t detect_loss(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_sent_log *l = &c->sent;
    struct tcp_rack *r = &c->rack;
    r->advanced = false;
    r->reo_deadline = 0;
    /* The common case: the oldest segment in flight left after RACK's. */
    if (l->thead == TCP_SENT_NONE ||
        !sent_after(r->xmit_ts, r->end_seq, l->segs[l->thead].xmit_ts, l->segs[l->thead].end))
        return 0;
    naru_time_t now = stack->now, wnd = reo_wnd(c), timeout = 0;
    uint32_t lost = 0;
    /* Only what is still in the network, oldest first, up to the first
     * sent after RACK's segment. */
    for (uint32_t k = l->thead, next; k != TCP_SENT_NONE; k = next) {
        struct tcp_sent_seg *s = &l->segs[k];
        next = s->tnext;
        if (!sent_after(r->xmit_ts, r->end_seq, s->xmit_ts, s->end))
            break;
        naru_time_t due = s->xmit_ts + r->rtt + wnd;
        if (due <= now) {
            if (s->flags & TCP_SEG_RXT) {
                stack->counters.tcp_lost_retransmits++;
                TCP_DEBUG(stack, c, "RACK: retransmission of %u lost", s->seq);
            }
            lost += s->end - s->seq;
            sent_log_mark_lost(l, s);
        } else if (due - now > timeout) {
            timeout = due - now;
        }
    }
    r->reo_deadline = timeout ? now + timeout : 0;
    return lost;
}

/* An ACK arrived: SND.UNA already moved, the scoreboard already took its
 * SACK blocks. Records what was delivered (RACK_update, reordering, the
 * reordering window), then runs RACK_detect_loss. */
static void rack_update(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_options *opt, bool dsack)
{
    struct tcp_sent_log *l = &c->sent;
    /* What the cumulative ACK covers was delivered, and leaves the log. */
    while (l->count) {
        struct tcp_sent_seg *s = sent_log_at(l, 0);
        if (seq_gt(s->end, c->snd_una)) {
            if (seq_lt(s->seq, c->snd_una))
                sent_log_trim(l, c->snd_una);
            break;
        }
        if (!(s->flags & TCP_SEG_SACKED))
            delivered(stack, c, s, opt);
        sent_log_pop(l);
    }
    if (seq_lt(l->lost_hint, c->snd_una))
        l->lost_hint = c->snd_una;
    /* What the SACK blocks cover, lowest block first so that reordering
     * is judged in sequence order; a D-SACK reports no new data. */
    struct tcp_sack_block blocks[4];
    unsigned n = 0;
    for (unsigned b = dsack ? 1 : 0; b < opt->sack_count && n < 4; b++) {
        struct tcp_sack_block blk = opt->sack[b];
        if (!seq_lt(blk.left, blk.right) || seq_le(blk.right, c->snd_una) || seq_gt(blk.right, c->snd_max))
            continue;
        unsigned k = n++;
        while (k && seq_lt(blk.left, blocks[k - 1].left)) {
            blocks[k] = blocks[k - 1];
            k--;
        }
        blocks[k] = blk;
    }
    for (unsigned b = 0; b < n; b++) {
        for (uint32_t i = sent_log_find(l, blocks[b].left); i < l->count; i++) {
            struct tcp_sent_seg *s = sent_log_at(l, i);
            /* A block covers data: a record that ends with our FIN is
             * SACKed when its data is (a FIN alone, when the FIN is). */
            uint32_t len = data_len(c, s);
            if (seq_gt(len ? s->seq + len : s->end, blocks[b].right))
                break;
            if (seq_lt(s->seq, blocks[b].left) || (s->flags & TCP_SEG_SACKED))
                continue;
            delivered(stack, c, s, opt);
            sent_log_set_flags(l, s, (uint8_t)(TCP_SEG_SACKED | (s->flags & TCP_SEG_RETRANSMITTED)));
        }
    }
    update_reo_wnd(c, dsack);
    /* Scan again when RACK.xmit_ts moved, or when the reordering timer
     * waits for a segment this ACK may have delivered. */
    if (c->rack.advanced || c->rack.reo_deadline)
        detect_loss(stack, c);
}

/* Recovery ended: the reordering window's persistence counts down (RFC
 * 8985 6.2 step 4). */
static void rack_on_recovered(struct naru_stack *stack, struct tcp_conn *c)
{
    (void)stack;
    if (c->in_recovery)
        tcp_prr_end(c);
    struct tcp_rack *r = &c->rack;
    if (r->reo_wnd_persist && --r->reo_wnd_persist == 0)
        r->reo_wnd_mult = 1;
}

/* RACK deemed segments lost (RFC 8985 6.2 step 5, or its timer): fast
 * recovery begins unless recovery is under way. */
static void losses_found(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->in_recovery || c->in_loss || !c->sent.todo_bytes)
        return;
    /* RFC 6675 5 (4.2) and RFC 6937 respond to it as to DupThresh
     * duplicate ACKs. What RACK deems lost goes first (rack_send()), at
     * the pace PRR allows. */
    tcp_recovery_enter(stack, c);
    tcp_prr_begin(stack, c);
    /* Room for the first retransmission now; PRR takes over with the
     * next ACK. */
    c->cwnd = rack_pipe(c) + c->snd_mss;
    TCP_DEBUG(stack, c, "RACK: recovery at %u, recover %u, ssthresh %u", c->snd_una, c->snd_max, c->ssthresh);
}

/* A needless episode was undone: nothing is deemed lost any more; a fast
 * recovery for a segment that came after later ones were SACKed shows a
 * path that reorders, and RACK's window for it opens (RFC 8985 6.2 step 3
 * cannot see it: the segment was sent again). */
static void rack_on_undo(struct tcp_conn *c, bool timeout)
{
    if (!timeout)
        c->rack.reordering_seen = true;
    struct tcp_sent_log *l = &c->sent;
    if (!l->lost_bytes)
        return;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = sent_log_at(l, i);
        if (s->flags & TCP_SEG_LOST)
            sent_log_set_flags(l, s, (uint8_t)(s->flags & ~TCP_SEG_LOST));
    }
    c->rack.reo_deadline = 0;
}

/* ---- TLP (RFC 8985 7) ---- */

/* RFC 8985 7.4.2, TLP_process_ack(). */
static void tlp_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a, bool dupack)
{
    struct tcp_rack *r = &c->rack;
    if (!r->tlp_pending || seq_lt(a->ack, r->tlp_end_seq))
        return;
    if (!r->tlp_is_retrans) {
        r->tlp_pending = false; /* new data probed: RACK judges it like any */
        return;
    }
    if (a->dsack && (a->dsack_right == r->tlp_end_seq || a->dsack_right + 1 == r->tlp_end_seq)) {
        r->tlp_pending = false; /* both copies arrived: nothing was lost */
        return;
    }
    if (seq_gt(a->ack, r->tlp_end_seq)) {
        /* The probe repaired a loss: a congestion event like any other. */
        r->tlp_pending = false;
        if (c->in_recovery || c->in_loss)
            return;
        stack->counters.tcp_tlp_recoveries++;
        c->ssthresh = c->cc->ssthresh(c, stack->now);
        if (c->cwnd > c->ssthresh)
            c->cwnd = c->ssthresh;
        TCP_DEBUG(stack, c, "TLP repaired a loss: cwnd %u", c->cwnd);
        return;
    }
    if (dupack)
        r->tlp_pending = false; /* original and probe both lost; the RTO will do */
}

/* RFC 8985 7.2: may a probe be scheduled now? Not with a probe
 * unresolved, not while RACK's reordering timer watches segments, not in
 * RTO recovery, and in the open state not with segments SACKed.
 *
 * In fast recovery RFC 8985 says no probe either, since recovery has its
 * own repairs; but once everything deemed lost has gone again and nothing
 * is left for RACK to judge, the ACK that would end recovery is the only
 * thing still coming, and a receiver that acknowledges a burst once (Linux
 * does, per GRO batch) makes its loss cost an RTO. naru probes then, as
 * FreeBSD's RACK stack does by default (rack_tlp_in_recovery); the probe's
 * ACK ends recovery or shows what is still missing, and a loss it repairs
 * is not answered twice (tlp_on_ack()). */
static bool tlp_allowed(const struct tcp_conn *c)
{
    switch (c->state) {
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    default:
        return false;
    }
    if (c->snd_una == c->snd_max || c->in_loss || c->rack.tlp_pending || c->rack.reo_deadline)
        return false;
    if (c->in_recovery)
        return !c->sent.todo_bytes;
    return c->sent.sacked_segs == 0;
}

static naru_time_t pto(const struct naru_stack *stack, const struct tcp_conn *c)
{
    /* RFC 8985 7.2: PTO = 2 * SRTT, plus the worst-case delayed ACK when
     * only one segment is out (its ACK may be held back); 1 s before any
     * RTT sample. A little more (2 ms, as Linux) allows for the timer's
     * slack, so a probe does not race an ACK already on its way. */
    if (!c->rtt_valid)
        return stack->config.tcp_initial_rto;
    naru_time_t t = 2 * c->srtt;
    if (c->snd_max - c->snd_una <= c->snd_mss)
        t += TCP_WCDELACKT;
    else
        t += 2 * NARU_MS;
    return t;
}

/* The reordering timer if RACK wants it, else the PTO if TLP may probe
 * (RFC 8985 7.2), else the retransmission timer. */
static void rack_arm_timers(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_rack *r = &c->rack;
    if (c->snd_una == c->snd_max || c->rtx_mode == TCP_RTX_IDLE || c->rtx_mode == TCP_RTX_PERSIST) {
        r->tlp_rearm = false;
        return;
    }
    naru_time_t now = stack->now;
    if (r->reo_deadline) {
        /* RFC 8985 6.2 step 5: the reordering timer, unless the RTO
         * comes first (it marks the losses itself). */
        r->tlp_rearm = false;
        if (r->reo_deadline < c->rto_deadline)
            tcp_rtx_set(stack, c, TCP_RTX_REORDER, r->reo_deadline > now ? r->reo_deadline : now);
        else if (c->rtx_mode != TCP_RTX_RETRANSMIT)
            tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
        return;
    }
    if (c->rtx_mode == TCP_RTX_REORDER || (c->rtx_mode == TCP_RTX_PROBE && !tlp_allowed(c)))
        tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
    if (!r->tlp_rearm)
        return;
    r->tlp_rearm = false;
    if (!tlp_allowed(c))
        return;
    /* RFC 8985 7.2: never later than the RTO would fire. */
    naru_time_t when = now + pto(stack, c);
    tcp_rtx_set(stack, c, TCP_RTX_PROBE, when < c->rto_deadline ? when : c->rto_deadline);
}

/* The highest record not SACKed: what a probe that resends data sends
 * (TLP_send_probe's "highest-sequence segment"), and its data bytes. In
 * recovery the highest segment may be SACKed, and sending it again would
 * tell nothing. */
static bool last_unsacked(const struct tcp_conn *c, uint32_t *seq, uint32_t *len)
{
    const struct tcp_sent_log *l = &c->sent;
    for (uint32_t i = l->count; i-- > 0;) {
        const struct tcp_sent_seg *s = sent_log_at(l, i);
        if (!(s->flags & TCP_SEG_SACKED)) {
            *seq = s->seq;
            *len = data_len(c, s);
            return true;
        }
    }
    return false;
}

/* The PTO expired: send the probe (RFC 8985 7.3). */
static void tlp_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_rack *r = &c->rack;
    c->rtx_mode = TCP_RTX_IDLE;
    if (!tlp_allowed(c)) {
        if (c->snd_una != c->snd_max)
            tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
        return;
    }
    /* RFC 8985 7.3, TLP_send_probe(): new data if the peer's window takes
     * it, else the highest segment again; cwnd is not consulted. */
    uint32_t before = c->snd_max;
    tcp_send_forced(stack, c);
    if (seq_gt(c->snd_max, before)) {
        r->tlp_is_retrans = false;
    } else {
        uint32_t seq, len;
        if (!last_unsacked(c, &seq, &len)) {
            tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
            return;
        }
        tcp_retransmit_hole(stack, c, seq, len);
        r->tlp_is_retrans = true;
    }
    r->tlp_pending = true;
    r->tlp_end_seq = c->snd_max;
    stack->counters.tcp_tail_loss_probes++;
    TCP_DEBUG(stack, c, "tail loss probe (%s) up to %u", r->tlp_is_retrans ? "again" : "new data", c->snd_max);
    /* The probe restarts the RTO, not the PTO: if it too goes unanswered,
     * the timeout is the last resort (RFC 8985 7.3). */
    r->tlp_rearm = false;
    tcp_rtx_restart(stack, c);
}

/* RFC 8985 6.2 step 5: the reordering window has passed for a segment
 * sent before one that was delivered. */
static void reorder_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    /* The RTO stays due when it was. */
    c->rtx_mode = TCP_RTX_RETRANSMIT;
    c->rtx_deadline = c->rto_deadline;
    stack->counters.tcp_rack_reorder_timeouts++;
    /* The PTO was held back while this timer ran (RFC 8985 7.2). */
    c->rack.tlp_rearm = true;
    if (detect_loss(stack, c))
        losses_found(stack, c);
    tcp_output(stack, c);
    if (c->rtx_mode == TCP_RTX_RETRANSMIT)
        tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
}

static void rack_on_timer(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->rtx_mode == TCP_RTX_PROBE)
        tlp_timeout(stack, c);
    else
        reorder_timeout(stack, c);
}

/* ---- the recovery ---- */

static void rack_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a)
{
    bool advanced = c->snd_una != a->una_before;
    if (advanced)
        c->rack.tlp_rearm = true; /* RFC 8985 7.2 */
    /* Losses are found by time, from what was delivered. */
    bool dupack = a->ack == a->una_before && !a->opt->sack_count && a->len == 0;
    rack_update(stack, c, a->opt, a->dsack);
    tlp_on_ack(stack, c, a, dupack);
    if (!advanced && a->sack_news && c->dupacks < 255)
        c->dupacks++; /* for limited transmit (RFC 3042) */
    losses_found(stack, c);
    if (c->in_recovery)
        tcp_prr_on_ack(c, a);
}

/* RFC 6675 5 (C) with RACK (RFC 8985 3.4): while cwnd - pipe >= 1 SMSS,
 * what RACK deems lost, whole, lowest first; then new data. The same in
 * RTO recovery, where cwnd starts again from one segment. */
static bool rack_send(struct naru_stack *stack, struct tcp_conn *c)
{
    bool sent = false;
    for (;;) {
        uint32_t pipe = rack_pipe(c);
        uint32_t seq, len;
        bool lost = next_lost(c, &seq, &len);
        /* Room for the segment that would go: a lost one is sent again
         * whole, new data in a segment of tcp_current_mss(). PRR counts
         * bytes, segments vary in size: the first segment of a turn goes
         * if there is room at all, rather than wait for bytes no ACK may
         * bring. */
        uint32_t need = lost ? (len ? len : 1) : tcp_current_mss(c);
        if (pipe >= c->cwnd || (c->cwnd - pipe < need && sent)) {
            c->cwnd_limited = lost || tcp_unsent(c);
            break;
        }
        if (lost) {
            tcp_retransmit_hole(stack, c, seq, len);
        } else if (!tcp_send_new_segment(stack, c, c->cwnd - pipe)) {
            c->cwnd_limited = false;
            break;
        }
        sent = true;
    }
    return sent;
}

static void rack_on_rto(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_sent_log *l = &c->sent;
    /* The scoreboard is trusted for one timeout, not two (tcp_timer.c);
     * nor are the SACK marks. */
    if (c->retries > 1) {
        for (uint32_t i = 0; i < l->count; i++) {
            struct tcp_sent_seg *s = sent_log_at(l, i);
            if (s->flags & TCP_SEG_SACKED)
                sent_log_set_flags(l, s, (uint8_t)(TCP_SEG_LOST | (s->flags & TCP_SEG_RETRANSMITTED)));
        }
        l->lost_hint = c->snd_una;
    }
    /* RFC 8985 6.3: RTO recovery sends what RACK deems lost, first of all
     * the earliest segment (RFC 6298 5.4), and new data after, as cwnd
     * grows again from one segment; segments sent since a probe or a
     * retransmission, still in the network, are not sent again unless
     * RACK finds them lost too. Deemed lost: the first unacknowledged
     * segment, and every other one sent long enough ago that RACK would
     * call it lost now. */
    naru_time_t wnd = reo_wnd(c);
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = sent_log_at(l, i);
        if (s->flags & TCP_SEG_SACKED)
            continue;
        if (i == 0 || s->xmit_ts + c->rack.rtt + wnd <= stack->now)
            sent_log_mark_lost(l, s);
    }
    c->rack.reo_deadline = 0;
    c->rack.tlp_pending = false; /* a probe still unanswered is past helping */
    c->in_loss = true;
    uint32_t seq, len;
    if (next_lost(c, &seq, &len))
        tcp_retransmit_hole(stack, c, seq, len);
}

static void rack_on_mtu_reduced(struct naru_stack *stack, struct tcp_conn *c)
{
    /* Every record must fit a segment again: split those longer than the
     * new MSS. Without memory for that, RFC 6675 alone from now on; the
     * RTO stays due when it was. */
    if (!sent_log_split_to(&c->sent, c->snd_mss, log_cap_for(c))) {
        tcp_rack_fini(c);
        if (c->rtx_mode == TCP_RTX_PROBE || c->rtx_mode == TCP_RTX_REORDER)
            tcp_rtx_set(stack, c, TCP_RTX_RETRANSMIT, c->rto_deadline);
        c->recovery->on_mtu_reduced(stack, c);
        return;
    }
    /* What was too big goes again (RFC 1191), as lost segments are sent
     * in RTO recovery but with no loss to answer for: cwnd stays. */
    struct tcp_sent_log *l = &c->sent;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = sent_log_at(l, i);
        if (!(s->flags & TCP_SEG_SACKED))
            sent_log_mark_lost(l, s);
    }
    c->rack.reo_deadline = 0;
    if (!c->in_loss && !c->in_recovery) {
        c->in_loss = true;
        c->recover = c->snd_max;
    }
}

const struct tcp_recovery_ops tcp_recovery_rack = {
    .name = "rack",
    .on_ack = rack_on_ack,
    .on_recovered = rack_on_recovered,
    .on_undo = rack_on_undo,
    .pipe = rack_pipe,
    .send = rack_send,
    .room = rack_room,
    .sent = rack_sent,
    .arm_timers = rack_arm_timers,
    .on_timer = rack_on_timer,
    .on_rto = rack_on_rto,
    .on_mtu_reduced = rack_on_mtu_reduced,
};
