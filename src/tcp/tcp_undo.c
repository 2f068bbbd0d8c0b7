/* Spurious retransmissions found, and their cost given back.
 *
 * A timeout, or a fast recovery, whose retransmissions were needless took
 * cwnd and ssthresh for nothing: the segments were only late (a delay
 * spike, reordering), or their ACKs were lost. Two ways to tell:
 *  - RFC 3522, Eifel detection: the first ACK that advances SND.UNA after
 *    the first retransmission echoes a timestamp older than that
 *    retransmission's, so it acknowledges the original;
 *  - RFC 3708: the receiver reports every byte sent again in the episode
 *    as a duplicate, with D-SACKs (RFC 2883), by the time it ends.
 * The response after a timeout is RFC 4015's: no go-back-N, ssthresh back
 * to what the flight was, cwnd to the flight plus at most an initial
 * window (no burst), and the RTO without its backoff (but SRTT as it was:
 * see respond()). After a fast recovery, cwnd and ssthresh are
 * restored as they were (as Linux undoes); for CUBIC, RFC 9438 4.9 asks
 * for its state (W_max, K, the epoch) to be restored too, which the copy
 * of cc_state does for either algorithm. */
#include "tcp/tcp_conn.h"

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_seq.h"

void tcp_undo_begin(struct naru_stack *stack, struct tcp_conn *c, bool timeout)
{
    struct tcp_undo *u = &c->undo;
    /* A fast recovery that begins while an episode is open is part of it.
     * A timeout starts its own: if it proves spurious, what it took is
     * given back, not what the fast recovery before it took (that one
     * retransmitted for real, as far as anyone knows). */
    if (u->armed && !timeout)
        return;
    u->armed = true;
    u->timeout = timeout;
    u->prior_cwnd = c->cwnd;
    u->prior_ssthresh = c->ssthresh;
    u->prior_cc = c->cc_state;
    /* RFC 4015 3.1 (0): pipe_prev, before loss recovery changes it. */
    uint32_t flight = c->snd_max - c->snd_una;
    u->pipe_prev = flight > c->ssthresh ? flight : c->ssthresh;
    u->marker = c->snd_una;
    u->rxt_bytes = 0;
    u->dsack_bytes = 0;
    /* RFC 3522 3.2 (1): RetransmitTS, the TSval the first retransmission
     * carries (it leaves in this same instant). */
    u->eifel_pending = c->ts_ok;
    u->eifel_tsval = tcp_ts_now(stack, c);
}

void tcp_undo_retransmitted(struct tcp_conn *c, uint32_t len)
{
    if (c->undo.armed)
        c->undo.rxt_bytes += len;
}

static void respond(struct naru_stack *stack, struct tcp_conn *c, uint32_t acked)
{
    struct tcp_undo *u = &c->undo;
    c->cc_state = u->prior_cc;
    if (u->timeout) {
        stack->counters.tcp_spurious_rtos++;
        /* RFC 4015 3.2: cwnd = FlightSize + min(bytes_acked, IW), ssthresh
         * = pipe_prev: slow start back to where the flight was, without a
         * burst. */
        uint32_t iw = 14600 > 2u * c->snd_mss ? 14600 : 2u * c->snd_mss; /* RFC 6928 2 */
        if (iw > (uint32_t)TCP_INITIAL_WINDOW_SEGMENTS * c->snd_mss)
            iw = (uint32_t)TCP_INITIAL_WINDOW_SEGMENTS * c->snd_mss;
        uint32_t flight = c->snd_max - c->snd_una;
        c->cwnd = flight + (acked < iw ? acked : iw);
        if (c->cwnd < c->snd_mss)
            c->cwnd = c->snd_mss;
        c->ssthresh = u->pipe_prev;
        /* RFC 4015 3.2 would also reinitialise the RTT estimators from
         * the RTT this ACK measures, the delay that fooled the timer. naru
         * keeps SRTT and RTTVAR as they were: on a path that lost its
         * link for a while, that echo can be tens of seconds old, and an
         * RTO of minutes follows. Its RTO already keeps the minimum above
         * SRTT (tcp_rto_from()). The backoff goes. */
        c->rto = tcp_rto_from(stack, c->srtt, c->rttvar);
        c->retries = 0;
        c->rto_ts_pending = false;
    } else {
        stack->counters.tcp_spurious_recoveries++;
        if (c->cwnd < u->prior_cwnd)
            c->cwnd = u->prior_cwnd;
        if (c->ssthresh < u->prior_ssthresh)
            c->ssthresh = u->prior_ssthresh;
    }
    TCP_DEBUG(stack, c, "spurious %s undone: cwnd %u ssthresh %u", u->timeout ? "timeout" : "recovery", c->cwnd,
              c->ssthresh);
    /* What was deemed lost was not: nothing goes again (RFC 4015 3.2:
     * SND.NXT back to SND.MAX, no go-back-N). */
    c->in_recovery = false;
    c->in_loss = false;
    c->dupacks = 0;
    if (seq_lt(c->snd_nxt, c->snd_max))
        c->snd_nxt = c->snd_max;
    c->high_rxt = c->snd_una;
    if (c->recovery->on_undo)
        c->recovery->on_undo(c, u->timeout); /* RACK: the path reorders */
    u->armed = false;
}

bool tcp_undo_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a)
{
    struct tcp_undo *u = &c->undo;
    uint32_t acked = c->snd_una - a->una_before;
    bool dsack = a->dsack;
    bool seen_before = u->dsack_seen;
    if (dsack)
        u->dsack_seen = true;
    if (!u->armed)
        return false;
    bool spurious = false;
    if (u->eifel_pending && acked) {
        /* RFC 3522 3.2 (4)-(6): the first acceptable ACK. An ACK with a
         * D-SACK was sent for the retransmission; one that covers all
         * outstanding data from a receiver not known to send D-SACKs may
         * echo an older timestamp however it came about. */
        u->eifel_pending = false;
        spurious = a->opt->timestamps_present && seq_lt(a->opt->ts_ecr, u->eifel_tsval) && !dsack &&
                   (seen_before || c->snd_una != c->snd_max);
    }
    /* RFC 3708: the D-SACKed bytes of this episode, against those sent
     * again in it. */
    if (dsack && seq_ge(a->dsack_left, u->marker))
        u->dsack_bytes += a->dsack_right - a->dsack_left;
    bool over = !c->in_recovery && !c->in_loss && seq_ge(c->snd_una, c->recover);
    if (!spurious && over && u->rxt_bytes && u->dsack_bytes >= u->rxt_bytes)
        spurious = true;
    if (spurious) {
        respond(stack, c, acked);
        return true;
    }
    if (over)
        u->armed = false; /* the episode is over, and was real */
    return false;
}
