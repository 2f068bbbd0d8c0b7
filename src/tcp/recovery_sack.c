/* Loss recovery with SACK, RFC 6675, over the scoreboard (tcp_sack.h):
 * recovery begins at DupThresh duplicate ACKs or when IsLost() calls the
 * first segment lost; pipe and NextSeg() say what goes next, PRR (RFC
 * 6937) how much; a lost retransmission is found as Linux found them before
 * RACK. Connections with RACK-TLP use recovery_rack.c instead; this is for
 * SACK without it (tcp_rack off, or no memory for its log). */
#include "tcp/recovery.h"

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

static void enter(struct naru_stack *stack, struct tcp_conn *c)
{
    tcp_recovery_enter(stack, c);
    TCP_DEBUG(stack, c, "fast retransmit at %u (%u duplicate ACKs), recover %u, ssthresh %u", c->snd_una,
              c->dupacks, c->snd_max, c->ssthresh);
    tcp_prr_begin(stack, c);
    /* Retransmit the first segment presumed lost (RFC 6675 5 (4.3)): up
     * to the first SACKed byte. */
    uint32_t data_end = tcp_sent_data_end(c);
    tcp_recovery_retransmit_front(stack, c, scoreboard_hole_end(&c->scoreboard, c->snd_una, data_end));
}

static void on_duplicate_ack(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->dupacks < 255)
        c->dupacks++;
    if (c->in_recovery)
        return; /* each further one: the pipe says what left the network */
    /* RFC 6675 5: DupThresh duplicates, or the scoreboard already calls
     * the first segment lost; RFC 6582 3.2 (2): not for data sent before
     * the last recovery or timeout began. An ACK point at RecoveryPoint is
     * past it: everything of that episode has arrived, and a hole at
     * RecoveryPoint is new data lost (waiting for a timeout there cost a
     * fifth of all recoveries); SACK's duplicate ACKs carry new
     * information, so old retransmissions cannot fake them. */
    bool lost = c->dupacks >= TCP_DUPTHRESH ||
                seq_gt(scoreboard_lost_edge(&c->scoreboard, c->snd_una, c->snd_mss), c->snd_una);
    if (lost && seq_ge(c->snd_una, c->recover))
        enter(stack, c);
}

/* A lost retransmission, found as Linux found them before RACK: the first
 * hole was sent again, yet SND.UNA stays while data sent after that
 * retransmission (DupThresh segments past it, for reordering) is SACKed.
 * Without this, only a timeout finds it. */
static void find_lost_retransmission(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->rtx_front != c->snd_una) {
        c->rtx_front = c->snd_una; /* a hole retransmitted earlier reaches the front */
        c->rtx_front_max = c->snd_max;
    } else if (seq_gt(scoreboard_highest(&c->scoreboard), c->rtx_front_max + TCP_DUPTHRESH * c->snd_mss)) {
        stack->counters.tcp_lost_retransmits++;
        c->high_rxt = c->snd_una;
        c->rtx_front_max = c->snd_max;
    }
}

static void sack_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a)
{
    /* RFC 6675 2: a duplicate ACK is one that reports new SACKed data. */
    if (a->sack_news && a->ack == a->una_before && c->snd_una != c->snd_max)
        on_duplicate_ack(stack, c);
    if (!c->in_recovery)
        return;
    if (seq_lt(c->snd_una, c->high_rxt) && !scoreboard_empty(&c->scoreboard))
        find_lost_retransmission(stack, c);
    tcp_prr_on_ack(c, a);
}

static void sack_on_recovered(struct naru_stack *stack, struct tcp_conn *c)
{
    (void)stack;
    tcp_prr_end(c);
}

/* RFC 6675 3 / SetPipe(): an estimate of the bytes in the network. */
static uint32_t sack_pipe(const struct tcp_conn *c)
{
    const struct tcp_scoreboard *sb = &c->scoreboard;
    uint32_t lost = scoreboard_lost_edge(sb, c->snd_una, c->snd_mss);
    uint32_t pipe = 0;
    if (seq_lt(lost, c->snd_max))
        pipe += (c->snd_max - lost) - scoreboard_sacked_in(sb, lost, c->snd_max);
    uint32_t rxt = seq_min(c->high_rxt, c->snd_max);
    if (seq_lt(c->snd_una, rxt))
        pipe += (rxt - c->snd_una) - scoreboard_sacked_in(sb, c->snd_una, rxt);
    return pipe;
}

/* RFC 6675 4, NextSeg(): the next hole to retransmit during recovery, or
 * false. Rules (1) and (3); rule (2), new data, is the caller's. */
static bool next_hole(const struct tcp_conn *c, bool lost_only, uint32_t *seq, uint32_t *len)
{
    const struct tcp_scoreboard *sb = &c->scoreboard;
    if (scoreboard_empty(sb))
        return false;
    uint32_t highest = scoreboard_highest(sb);
    uint32_t lost = scoreboard_lost_edge(sb, c->snd_una, c->snd_mss);
    uint32_t s = seq_max(c->high_rxt, c->snd_una);
    s = scoreboard_skip(sb, s);
    if (!seq_lt(s, highest))
        return false;
    if (lost_only && !seq_lt(s, lost))
        return false;
    uint32_t end = scoreboard_hole_end(sb, s, highest);
    uint32_t n = end - s;
    if (n > tcp_current_mss(c))
        n = tcp_current_mss(c);
    *seq = s;
    *len = n;
    return true;
}

/* RFC 6675 5 (C): while cwnd - pipe >= 1 SMSS, send NextSeg(). */
static bool sack_send(struct naru_stack *stack, struct tcp_conn *c)
{
    bool sent = false;
    for (int guard = 0; guard < 1024; guard++) {
        uint32_t pipe = sack_pipe(c);
        if (pipe >= c->cwnd || c->cwnd - pipe < c->snd_mss)
            break;
        uint32_t seq, len;
        if (next_hole(c, true, &seq, &len)) {
            tcp_retransmit_hole(stack, c, seq, len); /* rule (1) */
        } else if (!tcp_send_new_segment(stack, c, c->cwnd - pipe)) { /* rule (2), a segment at a time */
            if (!next_hole(c, false, &seq, &len))
                break;
            tcp_retransmit_hole(stack, c, seq, len); /* rule (3) */
        }
        sent = true;
    }
    return sent;
}

const struct tcp_recovery_ops tcp_recovery_sack = {
    .name = "sack",
    .on_ack = sack_on_ack,
    .on_recovered = sack_on_recovered,
    .pipe = sack_pipe,
    .send = sack_send,
    .on_rto = tcp_recovery_go_back_n,
    .on_mtu_reduced = tcp_recovery_go_back_n,
};
