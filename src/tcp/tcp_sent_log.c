/* The log of segments in flight (tcp_sent_log.h): a ring of records in
 * sequence order, found by binary search, and a list through the records
 * still in the network in the order they were last sent. */
#include "tcp/tcp_sent_log.h"

#include <stdlib.h>
#include <string.h>

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
static void relink(struct tcp_sent_log *l)
{
    l->thead = l->ttail = TCP_SENT_NONE;
    for (uint32_t i = 0; i < l->count; i++) {
        struct tcp_sent_seg *s = sent_log_at(l, i);
        s->tprev = s->tnext = TCP_SENT_NONE;
        if (sent_log_in_flight(s->flags))
            link_sent(l, s);
    }
}

void sent_log_set_flags(struct tcp_sent_log *l, struct tcp_sent_seg *s, uint8_t flags)
{
    bool was = sent_log_in_flight(s->flags);
    sent_log_count(l, s, -1);
    s->flags = flags;
    sent_log_count(l, s, 1);
    if (was && !sent_log_in_flight(flags))
        sent_log_unlink(l, s);
    else if (!was && sent_log_in_flight(flags))
        link_sent(l, s);
}

void sent_log_mark_lost(struct tcp_sent_log *l, struct tcp_sent_seg *s)
{
    sent_log_set_flags(l, s, (uint8_t)((s->flags | TCP_SEG_LOST) & ~TCP_SEG_RXT));
    if (seq_lt(s->seq, l->lost_hint))
        l->lost_hint = s->seq;
}

uint32_t sent_log_find(const struct tcp_sent_log *l, uint32_t seq)
{
    uint32_t lo = 0, hi = l->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (seq_le(sent_log_at(l, mid)->end, seq))
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
    struct tcp_sent_seg *s = sent_log_at(l, i);
    sent_log_count(l, s, -1);
    for (uint32_t k = l->count; k > i + 1; k--)
        *sent_log_at(l, k) = *sent_log_at(l, k - 1);
    l->count++;
    struct tcp_sent_seg *hi = sent_log_at(l, i + 1);
    *hi = *s;
    hi->seq = seq;
    s->end = seq;
    sent_log_count(l, s, 1);
    sent_log_count(l, hi, 1);
    return true;
}

/* The records in a new ring of cap (at least count) entries. */
static bool relocate(struct tcp_sent_log *l, uint32_t cap)
{
    struct tcp_sent_seg *segs = malloc((size_t)cap * sizeof *segs);
    if (!segs)
        return false;
    for (uint32_t i = 0; i < l->count; i++)
        segs[i] = *sent_log_at(l, i);
    free(l->segs);
    l->segs = segs;
    l->cap = cap;
    l->head = 0;
    relink(l);
    return true;
}

bool sent_log_init(struct tcp_sent_log *l, uint32_t cap, uint32_t snd_una)
{
    memset(l, 0, sizeof *l);
    if (!relocate(l, cap))
        return false;
    l->lost_hint = snd_una;
    return true;
}

void sent_log_fini(struct tcp_sent_log *l)
{
    free(l->segs);
    memset(l, 0, sizeof *l);
}

bool sent_log_grow(struct tcp_sent_log *l, uint32_t cap)
{
    return cap <= l->cap || relocate(l, cap);
}

/* A new record for [seq, end), sent now. */
static void append(struct tcp_sent_log *l, uint32_t seq, uint32_t end, naru_time_t now)
{
    if (l->count == l->cap) {
        /* Cannot happen while new data waits for room (sent_log_room());
         * the last record grows rather than the log losing track. */
        struct tcp_sent_seg *last = sent_log_at(l, l->count - 1);
        if (sent_log_in_flight(last->flags))
            sent_log_unlink(l, last);
        sent_log_count(l, last, -1);
        last->end = end;
        last->xmit_ts = now;
        last->flags &= TCP_SEG_RETRANSMITTED;
        sent_log_count(l, last, 1);
        link_sent(l, last);
        return;
    }
    struct tcp_sent_seg *s = sent_log_at(l, l->count++);
    s->seq = seq;
    s->end = end;
    s->xmit_ts = now;
    s->flags = 0;
    s->tprev = s->tnext = TCP_SENT_NONE;
    link_sent(l, s);
}

bool sent_log_sent(struct tcp_sent_log *l, uint32_t seq, uint32_t end, uint32_t snd_max, uint32_t data_end,
                   uint32_t piece, naru_time_t now)
{
    /* Segment.xmit_ts strictly increases in the order segments leave, by
     * a nanosecond where the clock has not moved: a segment sent again is
     * then always later than the ones sent before it, as RACK_sent_after()
     * assumes, even when an ACK and what it releases share an instant. */
    if (now <= l->last_xmit_ts)
        now = l->last_xmit_ts + 1;
    l->last_xmit_ts = now;
    bool again = seq_lt(seq, snd_max);
    if (again) {
        /* Sent again: each record it covers has a new Segment.xmit_ts, and
         * a retransmission in the network (RFC 6675 SetPipe (b)). Records
         * are resent whole, so splits are rare. */
        uint32_t rend = seq_min(end, snd_max);
        uint32_t i = sent_log_find(l, seq);
        bool moved = false;
        if (i < l->count && seq_gt(seq, sent_log_at(l, i)->seq) && split(l, i, seq)) {
            moved = true;
            i++;
        }
        for (; i < l->count && seq_lt(sent_log_at(l, i)->seq, rend); i++) {
            if (seq_gt(sent_log_at(l, i)->end, rend) && split(l, i, rend))
                moved = true;
            if (moved) {
                relink(l);
                moved = false;
            }
            struct tcp_sent_seg *s = sent_log_at(l, i);
            if (sent_log_in_flight(s->flags))
                sent_log_unlink(l, s); /* back on at the newest end */
            uint8_t flags = s->flags | TCP_SEG_RETRANSMITTED;
            if (!(flags & TCP_SEG_SACKED))
                flags |= TCP_SEG_RXT;
            sent_log_count(l, s, -1);
            s->flags = flags;
            s->xmit_ts = now;
            sent_log_count(l, s, 1);
            if (sent_log_in_flight(flags))
                link_sent(l, s);
        }
    }
    if (!seq_gt(end, snd_max))
        return again;
    /* New data: a record per segment the receiver will see, so that its
     * SACK blocks fall on records' edges (a TSO frame is cut at `piece`). */
    uint32_t from = seq_max(seq, snd_max);
    if (piece == 0)
        piece = end - from;
    while (seq_lt(from, data_end) && data_end - from > piece) {
        append(l, from, from + piece, now);
        from += piece;
    }
    append(l, from, end, now);
    return again;
}

struct tcp_sent_seg *sent_log_next_lost(struct tcp_sent_log *l, uint32_t snd_max)
{
    if (!l->todo_bytes)
        return NULL;
    for (uint32_t i = sent_log_find(l, l->lost_hint); i < l->count; i++) {
        struct tcp_sent_seg *s = sent_log_at(l, i);
        if ((s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) == TCP_SEG_LOST) {
            l->lost_hint = s->seq;
            return s;
        }
    }
    l->lost_hint = snd_max;
    return NULL;
}

bool sent_log_split_to(struct tcp_sent_log *l, uint32_t mss, uint32_t cap)
{
    uint32_t pieces = 0;
    for (uint32_t i = 0; i < l->count; i++) {
        const struct tcp_sent_seg *s = sent_log_at(l, i);
        pieces += (s->end - s->seq + mss - 1) / mss;
    }
    if (cap < pieces + 32)
        cap = pieces + 32;
    if (!relocate(l, cap))
        return false;
    for (uint32_t i = 0; i < l->count; i++) {
        const struct tcp_sent_seg *s = sent_log_at(l, i);
        if (s->end - s->seq > mss)
            split(l, i, s->seq + mss);
    }
    relink(l);
    return true;
}
