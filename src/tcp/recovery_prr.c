/* Proportional Rate Reduction (RFC 6937, as revised by Linux's
 * experience), for fast recovery with SACK (recovery_sack.c,
 * recovery_rack.c): RFC 6675 5 (4.2) sets cwnd = ssthresh at once; PRR
 * instead lets cwnd come down in step with what is delivered, so a large
 * reduction is not a silence followed by a burst. */
#include "tcp/recovery.h"

#include "stack.h"
#include "tcp/tcp_conn.h"

void tcp_prr_begin(struct naru_stack *stack, struct tcp_conn *c)
{
    stack->counters.tcp_sack_recoveries++;
    c->prr_delivered = 0;
    c->prr_out = 0;
    c->recover_fs = c->snd_max - c->snd_una;
}

/* How much may go out now, from what was delivered. */
static void prr_ack(struct tcp_conn *c, uint32_t delivered, bool una_advanced)
{
    if (delivered == 0)
        return;
    c->prr_delivered += delivered;
    uint32_t pipe = c->recovery->pipe(c);
    uint64_t sndcnt;
    if (pipe > c->ssthresh) {
        /* Proportional Rate Reduction. */
        uint64_t fs = c->recover_fs ? c->recover_fs : 1;
        uint64_t target = ((uint64_t)c->prr_delivered * c->ssthresh + fs - 1) / fs;
        sndcnt = target > c->prr_out ? target - c->prr_out : 0;
    } else {
        /* Slow-start reduction bound: catch up to ssthresh, no faster
         * than what was delivered, plus a segment when the ACK made
         * progress. */
        uint64_t behind = c->prr_delivered > c->prr_out ? c->prr_delivered - c->prr_out : 0;
        sndcnt = behind > delivered ? behind : delivered;
        if (una_advanced)
            sndcnt += c->snd_mss;
        if (sndcnt > c->ssthresh - pipe)
            sndcnt = c->ssthresh - pipe;
    }
    if (c->prr_out == 0 && sndcnt == 0)
        sndcnt = c->snd_mss; /* the fast retransmit itself */
    c->cwnd = pipe + (uint32_t)sndcnt;
}

void tcp_prr_on_ack(struct tcp_conn *c, const struct tcp_ack *a)
{
    /* RFC 6937: DeliveredData = change in SND.UNA + change in SACKed. */
    int64_t delivered = (int64_t)(uint32_t)(c->snd_una - a->una_before) + (int64_t)c->scoreboard.sacked_bytes -
                        (int64_t)a->sacked_before;
    prr_ack(c, delivered > 0 ? (uint32_t)delivered : 0, c->snd_una != a->una_before);
}

void tcp_prr_end(struct tcp_conn *c)
{
    c->cwnd = c->ssthresh;
}
