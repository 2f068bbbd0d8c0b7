/* RACK-TLP (RFC 8985) over a log of the segments in flight; see
 * tcp_rack.h. The log is a ring of records in sequence order; each ACK
 * pops what it acknowledges from the front and marks what it SACKs (found
 * by binary search), and RACK's loss scan walks what is still in flight. */
#include "tcp/tcp_rack.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

/* Records kept free for splitting one (tcp_rack_sent): new data waits
 * before the log is quite full. */
#define TCP_LOG_SPARE 2

/* ---- the log ---- */

static struct tcp_sent_seg *seg_at(const struct tcp_sent_log *l, uint32_t i)
{
    uint32_t k = l->head + i;
    if (k >= l->cap)
        k -= l->cap;
    return &l->segs[k];
}

/* RACK_sent_after(): t1 sent after t2, the sequence number breaking ties. */
static bool sent_after(naru_time_t t1, uint32_t seq1, naru_time_t t2, uint32_t seq2)
{
    return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}

/* Still in the network: on the list in send order. */
static bool in_flight(uint8_t flags)
{
    return !(flags & TCP_SEG_SACKED) && (flags & (TCP_SEG_LOST | TCP_SEG_RXT)) != TCP_SEG_LOST;
}

static void unlink_sent(struct tcp_sent_log *l, struct tcp_sent_seg *s)
{
    if (s->tprev == TCP_SENT_NONE)
        l->thead = s->tnext;
    else
        l->segs[s->tprev].tnext = s->tnext;
    if (s->tnext == TCP_SENT_NONE)
        l->ttail = s->tprev;
    else
        l->segs[s->tnext].tprev = s->tprev;
    s->tprev = s->tnext = TCP_SENT_NONE;
}

/* Onto the list in its place by send time: from the newest end, where a
 * record just sent belongs at once. */
static void link_sent(struct tcp_sent_log *l, struct tcp_sent_seg *s)
{
    uint32_t slot = (uint32_t)(s - l->segs), after = l->ttail;
    while (after != TCP_SENT_NONE && sent_after(l->segs[after].xmit_ts, l->segs[after].end, s->xmit_ts, s->end))
        after = l->segs[after].tprev;
    s->tprev = after;
    if (after == TCP_SENT_NONE) {
        s->tnext = l->thead;
        l->thead = slot;
    } else {
        s->tnext = l->segs[after].tnext;
        l->segs[after].tnext = slot;
    }
    if (s->tnext == TCP_SENT_NONE)
        l->ttail = slot;
    else
        l->segs[s->tnext].tprev = slot;
}

/* The list again from the ring, after records moved between slots. */
static void relink(struct tcp_sent_log *l);

/* The counters over the marks, with a record's bytes taken out or put in. */
static void count_out(struct tcp_sent_log *l, const struct tcp_sent_seg *s)
{
    uint32_t len = s->end - s->seq;
    if (s->flags & TCP_SEG_SACKED) {
        l->sacked_bytes -= len;
        l->sacked_segs--;
    }
    if (s->flags & TCP_SEG_LOST)
        l->lost_bytes -= len;
    if (s->flags & TCP_SEG_RXT)
        l->rxt_bytes -= len;
    if ((s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) == TCP_SEG_LOST)
        l->todo_bytes -= len;
}

static void count_in(struct tcp_sent_log *l, const struct tcp_sent_seg *s)
{
    uint32_t len = s->end - s->seq;
    if (s->flags & TCP_SEG_SACKED) {
        l->sacked_bytes += len;
        l->sacked_segs++;
    }
    if (s->flags & TCP_SEG_LOST)
        l->lost_bytes += len;
    if (s->flags & TCP_SEG_RXT)
        l->rxt_bytes += len;
    if ((s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) == TCP_SEG_LOST)
        l->todo_bytes += len;
}

static void set_flags(struct tcp_sent_log *l, struct tcp_sent_seg *s, uint8_t flags)
{
    bool was = in_flight(s->flags);
    count_out(l, s);
    s->flags = flags;
    count_in(l, s);
    if (was && !in_flight(flags))
        unlink_sent(l, s);
    else if (!was && in_flight(flags))
        link_sent(l, s);
}

/* A record deemed lost: whatever retransmission of it was in flight is
 * lost with it. */
static void mark_lost(struct tcp_sent_log *l, struct tcp_sent_seg *s)
{
    set_flags(l, s, (uint8_t)((s->flags | TCP_SEG_LOST) & ~TCP_SEG_RXT));
    if (seq_lt(s->seq, l->lost_hint))
        l->lost_hint = s->seq;
}

/* The index of the first record ending after seq (count if none). */
static uint32_t find(const struct tcp_sent_log *l, uint32_t seq)
{
    uint32_t lo = 0, hi = l->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (seq_le(seg_at(l, mid)->end, seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Record i becomes two at seq (inside it); false if there is no room.
 * Records move between slots: the caller relinks the list in send order. */
static bool split(struct tcp_sent_log *l, uint32_t i, uint32_t seq)
{
    if (l->count == l->cap)
        return false;
    struct tcp_sent_seg *s = seg_at(l, i);
    count_out(l, s);
    for (uint32_t k = l->count; k > i + 1; k--)
        *seg_at(l, k) = *seg_at(l, k - 1);
    l->count++;
    struct tcp_sent_seg *hi = seg_at(l, i + 1);
    *hi = *s;
    hi->seq = seq;
    s->end = seq;
    count_in(l, s);
    count_in(l, hi);
    return true;
}

static void relink(struct tcp_sent_log *l)
{
    l->thead = l->ttail = TCP_SENT_NONE;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        s->tprev = s->tnext = TCP_SENT_NONE;
        if (in_flight(s->flags))
            link_sent(l, s);
    }
}

static uint32_t log_cap_for(const struct tcp_conn *c)
{
    /* Twice the buffer in full-sized segments: room for the shorter ones
     * a stream has too, before new data has to wait. */
    uint32_t mss = c->snd_mss > 64 ? c->snd_mss : 64;
    uint64_t n = 2ull * c->snd_buf_size / mss + 32;
    return n > (1u << 24) ? 1u << 24 : (uint32_t)n;
}

/* The records in a new ring of cap (at least count) entries. */
static bool relocate(struct tcp_sent_log *l, uint32_t cap)
{
    struct tcp_sent_seg *segs = malloc((size_t)cap * sizeof *segs);
    if (!segs)
        return false;
    for (uint32_t i = 0; i < l->count; i++)
        segs[i] = *seg_at(l, i);
    free(l->segs);
    l->segs = segs;
    l->cap = cap;
    l->head = 0;
    relink(l);
    return true;
}

void tcp_rack_init(struct naru_stack *stack, struct tcp_conn *c)
{
    /* Only with nothing in flight: the log must cover all of it. */
    if (c->sent.segs || !c->sack_ok || !stack->config.tcp_rack || c->state < TCP_ESTABLISHED ||
        c->snd_una != c->snd_max)
        return;
    memset(&c->sent, 0, sizeof c->sent);
    if (!relocate(&c->sent, log_cap_for(c)))
        return; /* no RACK for this connection: RFC 6675 alone */
    c->sent.lost_hint = c->snd_una;
    memset(&c->rack, 0, sizeof c->rack);
    c->rack.fack = c->rack.end_seq = c->snd_una;
    c->rack.reo_wnd_mult = 1; /* RFC 8985 6.1 */
}

void tcp_rack_fini(struct tcp_conn *c)
{
    free(c->sent.segs);
    memset(&c->sent, 0, sizeof c->sent);
    c->in_loss = false;
}

void tcp_rack_resize(struct tcp_conn *c)
{
    uint32_t cap = log_cap_for(c);
    if (tcp_rack_on(c) && cap > c->sent.cap)
        relocate(&c->sent, cap); /* without memory, the old ring serves */
}

uint32_t tcp_rack_room(const struct tcp_conn *c)
{
    uint32_t used = c->sent.count + TCP_LOG_SPARE;
    return used < c->sent.cap ? c->sent.cap - used : 0;
}

/* A new record for [seq, end), sent now. */
static void append(struct tcp_sent_log *l, uint32_t seq, uint32_t end, naru_time_t now)
{
    if (l->count == l->cap) {
        /* Cannot happen while new data waits for room (tcp_rack_room());
         * the last record grows rather than the log losing track. */
        struct tcp_sent_seg *last = seg_at(l, l->count - 1);
        if (in_flight(last->flags))
            unlink_sent(l, last);
        count_out(l, last);
        last->end = end;
        last->xmit_ts = now;
        last->flags &= TCP_SEG_RETRANSMITTED;
        count_in(l, last);
        link_sent(l, last);
        return;
    }
    struct tcp_sent_seg *s = seg_at(l, l->count++);
    s->seq = seq;
    s->end = end;
    s->xmit_ts = now;
    s->flags = 0;
    s->tprev = s->tnext = TCP_SENT_NONE;
    link_sent(l, s);
}

void tcp_rack_sent(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t end, uint32_t snd_max,
                   uint32_t piece)
{
    struct tcp_sent_log *l = &c->sent;
    /* Segment.xmit_ts strictly increases in the order segments leave, by
     * a nanosecond where the clock has not moved: a segment sent again is
     * then always later than the ones sent before it, as RACK_sent_after()
     * assumes, even when an ACK and what it releases share an instant. */
    naru_time_t now = stack->now > c->rack.last_xmit_ts ? stack->now : c->rack.last_xmit_ts + 1;
    c->rack.last_xmit_ts = now;
    if (seq_lt(seq, snd_max)) {
        /* Sent again: each record it covers has a new Segment.xmit_ts, and
         * a retransmission in the network (RFC 6675 SetPipe (b)). Records
         * are resent whole, so splits are rare. */
        uint32_t rend = seq_min(end, snd_max);
        uint32_t i = find(l, seq);
        bool moved = false;
        if (i < l->count && seq_gt(seq, seg_at(l, i)->seq) && split(l, i, seq)) {
            moved = true;
            i++;
        }
        for (; i < l->count && seq_lt(seg_at(l, i)->seq, rend); i++) {
            if (seq_gt(seg_at(l, i)->end, rend) && split(l, i, rend))
                moved = true;
            if (moved) {
                relink(l);
                moved = false;
            }
            struct tcp_sent_seg *s = seg_at(l, i);
            if (in_flight(s->flags))
                unlink_sent(l, s); /* back on at the newest end */
            uint8_t flags = s->flags | TCP_SEG_RETRANSMITTED;
            if (!(flags & TCP_SEG_SACKED))
                flags |= TCP_SEG_RXT;
            count_out(l, s);
            s->flags = flags;
            s->xmit_ts = now;
            count_in(l, s);
            if (in_flight(flags))
                link_sent(l, s);
        }
        /* The last of recovery's repairs may be what a probe is for
         * (tlp_allowed()). */
        if (c->in_recovery)
            c->rack.tlp_rearm = true;
    }
    if (!seq_gt(end, snd_max))
        return;
    /* New data: a record per segment the receiver will see, so that its
     * SACK blocks fall on records' edges (a TSO frame is cut at `piece`). */
    uint32_t from = seq_max(seq, snd_max);
    uint32_t data_end = c->fin_queued && end == c->snd_fin_seq + 1 ? end - 1 : end; /* our FIN rides the last */
    if (piece == 0)
        piece = end - from;
    while (seq_lt(from, data_end) && data_end - from > piece) {
        append(l, from, from + piece, now);
        from += piece;
    }
    append(l, from, end, now);
    /* RFC 8985 7.2: new data restarts the PTO. */
    c->rack.tlp_rearm = true;
}

uint32_t tcp_rack_pipe(const struct tcp_conn *c)
{
    const struct tcp_sent_log *l = &c->sent;
    uint32_t flight = c->snd_max - c->snd_una;
    uint32_t out = l->sacked_bytes + l->lost_bytes;
    return (flight > out ? flight - out : 0) + l->rxt_bytes;
}

/* The data bytes of a record: all but our FIN. */
static uint32_t data_len(const struct tcp_conn *c, const struct tcp_sent_seg *s)
{
    uint32_t len = s->end - s->seq;
    if (c->fin_queued && s->end == c->snd_fin_seq + 1)
        len--;
    return len;
}

bool tcp_rack_next_lost(struct tcp_conn *c, uint32_t *seq, uint32_t *len)
{
    struct tcp_sent_log *l = &c->sent;
    if (!l->todo_bytes)
        return false;
    for (uint32_t i = find(l, l->lost_hint); i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        if ((s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) == TCP_SEG_LOST) {
            l->lost_hint = s->seq;
            *seq = s->seq;
            *len = data_len(c, s);
            return true;
        }
    }
    l->lost_hint = c->snd_max;
    return false;
}

bool tcp_rack_last(const struct tcp_conn *c, uint32_t *seq, uint32_t *len)
{
    /* The highest the peer has not SACKed: in recovery the highest
     * segment may be SACKed, and sending it again would tell nothing. */
    const struct tcp_sent_log *l = &c->sent;
    for (uint32_t i = l->count; i-- > 0;) {
        const struct tcp_sent_seg *s = seg_at(l, i);
        if (!(s->flags & TCP_SEG_SACKED)) {
            *seq = s->seq;
            *len = data_len(c, s);
            return true;
        }
    }
    return false;
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
     * nanoseconds ahead of the clock (tcp_rack_sent) gives it a tiny
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

void tcp_rack_recovery_done(struct tcp_conn *c)
{
    struct tcp_rack *r = &c->rack;
    if (r->reo_wnd_persist && --r->reo_wnd_persist == 0)
        r->reo_wnd_mult = 1;
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
            mark_lost(l, s);
        } else if (due - now > timeout) {
            timeout = due - now;
        }
    }
    r->reo_deadline = timeout ? now + timeout : 0;
    return lost;
}

uint32_t tcp_rack_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_options *opt, bool dsack)
{
    struct tcp_sent_log *l = &c->sent;
    /* What the cumulative ACK covers leaves the log. */
    while (l->count) {
        struct tcp_sent_seg *s = seg_at(l, 0);
        if (seq_gt(s->end, c->snd_una)) {
            if (seq_lt(s->seq, c->snd_una)) {
                count_out(l, s);
                s->seq = c->snd_una;
                count_in(l, s);
            }
            break;
        }
        if (!(s->flags & TCP_SEG_SACKED))
            delivered(stack, c, s, opt);
        if (in_flight(s->flags))
            unlink_sent(l, s);
        count_out(l, s);
        l->head = l->head + 1 == l->cap ? 0 : l->head + 1;
        l->count--;
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
        for (uint32_t i = find(l, blocks[b].left); i < l->count; i++) {
            struct tcp_sent_seg *s = seg_at(l, i);
            /* A block covers data: a record that ends with our FIN is
             * SACKed when its data is (a FIN alone, when the FIN is). */
            uint32_t len = data_len(c, s);
            if (seq_gt(len ? s->seq + len : s->end, blocks[b].right))
                break;
            if (seq_lt(s->seq, blocks[b].left) || (s->flags & TCP_SEG_SACKED))
                continue;
            delivered(stack, c, s, opt);
            set_flags(l, s, (uint8_t)(TCP_SEG_SACKED | (s->flags & TCP_SEG_RETRANSMITTED)));
        }
    }
    update_reo_wnd(c, dsack);
    /* Scan again when RACK.xmit_ts moved, or when the reordering timer
     * waits for a segment this ACK may have delivered. */
    return c->rack.advanced || c->rack.reo_deadline ? detect_loss(stack, c) : 0;
}

uint32_t tcp_rack_reorder_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    stack->counters.tcp_rack_reorder_timeouts++;
    /* The PTO was held back while this timer ran (RFC 8985 7.2). */
    c->rack.tlp_rearm = true;
    return detect_loss(stack, c);
}

void tcp_rack_mark_losses_on_rto(struct naru_stack *stack, struct tcp_conn *c)
{
    /* RFC 8985 6.3: the first unacknowledged segment, and every other one
     * sent long enough ago that RACK would call it lost now. */
    struct tcp_sent_log *l = &c->sent;
    naru_time_t wnd = reo_wnd(c);
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        if (s->flags & TCP_SEG_SACKED)
            continue;
        if (i == 0 || s->xmit_ts + c->rack.rtt + wnd <= stack->now)
            mark_lost(l, s);
    }
    c->rack.reo_deadline = 0;
    /* A probe still unanswered is past helping. */
    c->rack.tlp_pending = false;
}

void tcp_rack_forget_sacks(struct tcp_conn *c)
{
    struct tcp_sent_log *l = &c->sent;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        if (s->flags & TCP_SEG_SACKED)
            set_flags(l, s, (uint8_t)(TCP_SEG_LOST | (s->flags & TCP_SEG_RETRANSMITTED)));
    }
    l->lost_hint = c->snd_una;
}

void tcp_rack_unmark_lost(struct tcp_conn *c)
{
    struct tcp_sent_log *l = &c->sent;
    if (!l->lost_bytes)
        return;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        if (s->flags & TCP_SEG_LOST)
            set_flags(l, s, (uint8_t)(s->flags & ~TCP_SEG_LOST));
    }
    c->rack.reo_deadline = 0;
}

bool tcp_rack_mtu_reduced(struct tcp_conn *c)
{
    /* Every record must fit a segment again: split those longer than the
     * new MSS, in a ring large enough for the pieces. */
    struct tcp_sent_log *l = &c->sent;
    uint32_t mss = c->snd_mss, pieces = 0;
    for (uint32_t i = 0; i < l->count; i++) {
        const struct tcp_sent_seg *s = seg_at(l, i);
        pieces += (s->end - s->seq + mss - 1) / mss;
    }
    uint32_t cap = log_cap_for(c);
    if (cap < pieces + 32)
        cap = pieces + 32;
    if (!relocate(l, cap)) {
        tcp_rack_fini(c);
        return false;
    }
    for (uint32_t i = 0; i < l->count; i++) {
        const struct tcp_sent_seg *s = seg_at(l, i);
        if (s->end - s->seq > mss)
            split(l, i, s->seq + mss);
    }
    relink(l);
    /* What was too big has to go again (RFC 1191), as after a timeout
     * but with no loss to answer for. */
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = seg_at(l, i);
        if (!(s->flags & TCP_SEG_SACKED))
            mark_lost(l, s);
    }
    c->rack.reo_deadline = 0;
    return true;
}

/* ---- TLP (RFC 8985 7) ---- */

void tcp_tlp_on_ack(struct naru_stack *stack, struct tcp_conn *c, uint32_t ack, bool dsack, uint32_t dsack_right,
                    bool dupack)
{
    struct tcp_rack *r = &c->rack;
    /* RFC 8985 7.4.2, TLP_process_ack(). */
    if (!r->tlp_pending || seq_lt(ack, r->tlp_end_seq))
        return;
    if (!r->tlp_is_retrans) {
        r->tlp_pending = false; /* new data probed: RACK judges it like any */
        return;
    }
    if (dsack && (dsack_right == r->tlp_end_seq || dsack_right + 1 == r->tlp_end_seq)) {
        r->tlp_pending = false; /* both copies arrived: nothing was lost */
        return;
    }
    if (seq_gt(ack, r->tlp_end_seq)) {
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
 * is not answered twice (tcp_tlp_on_ack()). */
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
        return !tcp_rack_lost_pending(c);
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

void tcp_rack_timers(struct naru_stack *stack, struct tcp_conn *c)
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

void tcp_tlp_timeout(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_rack *r = &c->rack;
    c->rtx_mode = TCP_RTX_IDLE;
    if (!tcp_rack_on(c) || !tlp_allowed(c)) {
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
        if (!tcp_rack_last(c, &seq, &len)) {
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
