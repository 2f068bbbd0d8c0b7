/* The segments in flight, one record each: what RACK-TLP (RFC 8985,
 * recovery_rack.c) needs to know of them, as the scoreboard (tcp_sack.h)
 * is what RFC 6675 needs.
 *
 * The log holds one record per segment sent, in sequence order, tiling
 * [SND.UNA, SND.MAX) exactly: when the segment was last sent (RFC 8985
 * Segment.xmit_ts) and what is known of it: SACKed, deemed lost, a
 * retransmission of it in flight. Besides the ring in sequence order, the
 * records still in the network (neither SACKed nor lost and waiting) are
 * on a list in the order they were last sent, oldest first, as Linux keeps
 * its tsorted list: RACK's scan stops at the first one sent after
 * RACK.xmit_ts.
 *
 * Private to src/tcp/. */
#ifndef NARU_TCP_SENT_LOG_H
#define NARU_TCP_SENT_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"
#include "tcp/tcp_seq.h"

/* What is known of a segment in flight. */
#define TCP_SEG_SACKED 0x01        /* the peer holds it (RFC 2018) */
#define TCP_SEG_LOST 0x02          /* RFC 8985 Segment.lost */
#define TCP_SEG_RXT 0x04           /* a retransmission of it is in the network (RFC 6675 SetPipe (b)) */
#define TCP_SEG_RETRANSMITTED 0x08 /* RFC 8985 Segment.retransmitted: sent more than once */

struct tcp_sent_seg {
    uint32_t seq;              /* its first sequence number */
    uint32_t end;              /* one past its last (our FIN counts as one) */
    naru_time_t xmit_ts;       /* RFC 8985 Segment.xmit_ts: when last sent */
    uint32_t tprev, tnext;     /* neighbours in send order, while in flight */
    uint8_t flags;
};

struct tcp_sent_log {
    struct tcp_sent_seg *segs; /* a ring of cap records, count of them from head */
    uint32_t cap, head, count;
    uint32_t thead, ttail;     /* the list in send order (slots; TCP_SENT_NONE if empty) */
    uint32_t sacked_bytes;     /* in records marked SACKED */
    uint32_t lost_bytes;       /* in records marked LOST */
    uint32_t rxt_bytes;        /* in records marked RXT */
    uint32_t todo_bytes;       /* in records LOST and not RXT: to retransmit */
    uint32_t sacked_segs;      /* RFC 8985 RACK.segs_sacked */
    uint32_t lost_hint;        /* no record below it is LOST and not RXT */
    naru_time_t last_xmit_ts;  /* the latest Segment.xmit_ts given */
};

#define TCP_SENT_NONE UINT32_MAX

static inline struct tcp_sent_seg *sent_log_at(const struct tcp_sent_log *l, uint32_t i)
{
    uint32_t k = l->head + i;
    if (k >= l->cap)
        k -= l->cap;
    return &l->segs[k];
}

/* RACK_sent_after(): t1 sent after t2, the sequence number breaking ties. */
static inline bool sent_after(naru_time_t t1, uint32_t seq1, naru_time_t t2, uint32_t seq2)
{
    return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}

/* Still in the network: on the list in send order. */
static inline bool sent_log_in_flight(uint8_t flags)
{
    return !(flags & TCP_SEG_SACKED) && (flags & (TCP_SEG_LOST | TCP_SEG_RXT)) != TCP_SEG_LOST;
}

static inline void sent_log_unlink(struct tcp_sent_log *l, struct tcp_sent_seg *s)
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

/* The counters over the marks, with a record's bytes taken out (sign -1)
 * or put in (+1). */
static inline void sent_log_count(struct tcp_sent_log *l, const struct tcp_sent_seg *s, int sign)
{
    uint32_t len = (uint32_t)sign * (s->end - s->seq);
    if (s->flags & TCP_SEG_SACKED) {
        l->sacked_bytes += len;
        l->sacked_segs += (uint32_t)sign;
    }
    if (s->flags & TCP_SEG_LOST)
        l->lost_bytes += len;
    if (s->flags & TCP_SEG_RXT)
        l->rxt_bytes += len;
    if ((s->flags & (TCP_SEG_LOST | TCP_SEG_RXT)) == TCP_SEG_LOST)
        l->todo_bytes += len;
}

/* The oldest record leaves: SND.UNA passed it. (Inline, as the
 * cumulative ACK pops a record per segment.) */
static inline void sent_log_pop(struct tcp_sent_log *l)
{
    struct tcp_sent_seg *s = sent_log_at(l, 0);
    if (sent_log_in_flight(s->flags))
        sent_log_unlink(l, s);
    sent_log_count(l, s, -1);
    l->head = l->head + 1 == l->cap ? 0 : l->head + 1;
    l->count--;
}

/* SND.UNA moved into the oldest record: it begins there now. */
static inline void sent_log_trim(struct tcp_sent_log *l, uint32_t snd_una)
{
    struct tcp_sent_seg *s = sent_log_at(l, 0);
    sent_log_count(l, s, -1);
    s->seq = snd_una;
    sent_log_count(l, s, 1);
}

/* A ring of cap records for data from snd_una; false without memory. */
bool sent_log_init(struct tcp_sent_log *l, uint32_t cap, uint32_t snd_una);
void sent_log_fini(struct tcp_sent_log *l);
/* Room for cap records (more than now); false without memory, and the
 * log stays as it was. */
bool sent_log_grow(struct tcp_sent_log *l, uint32_t cap);
/* Records kept free for splitting one (sent_log_sent): new data waits
 * before the log is quite full. */
#define TCP_SENT_LOG_SPARE 2

/* How many more segments may be recorded. */
static inline uint32_t sent_log_room(const struct tcp_sent_log *l)
{
    uint32_t used = l->count + TCP_SENT_LOG_SPARE;
    return used < l->cap ? l->cap - used : 0;
}
/* [seq, end) left at `now`, strictly later than anything before it;
 * snd_max is SND.MAX before it. What lies below snd_max was sent again:
 * each record it covers is stamped and has a retransmission in flight.
 * What lies above it is new: a record per `piece` bytes below data_end
 * (a TSO frame is several segments on the wire), the rest (our FIN) with
 * the last. Returns true if something was sent again. */
bool sent_log_sent(struct tcp_sent_log *l, uint32_t seq, uint32_t end, uint32_t snd_max, uint32_t data_end,
                   uint32_t piece, naru_time_t now);
/* The index of the first record ending after seq (count if none). */
uint32_t sent_log_find(const struct tcp_sent_log *l, uint32_t seq);
/* A record's marks change; the counters and the send-order list follow. */
void sent_log_set_flags(struct tcp_sent_log *l, struct tcp_sent_seg *s, uint8_t flags);
/* A record deemed lost: whatever retransmission of it was in flight is
 * lost with it. */
void sent_log_mark_lost(struct tcp_sent_log *l, struct tcp_sent_seg *s);
/* The first record deemed lost and not yet sent again, or NULL. */
struct tcp_sent_seg *sent_log_next_lost(struct tcp_sent_log *l, uint32_t snd_max);
/* Every record cut to at most mss bytes, in a ring of at least cap
 * records; false without memory (the log is then unusable). */
bool sent_log_split_to(struct tcp_sent_log *l, uint32_t mss, uint32_t cap);

#endif
