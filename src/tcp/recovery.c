/* What every loss recovery algorithm shares (recovery.h): which one a
 * connection uses, and fast recovery's beginning and end (RFC 5681 3.2,
 * RFC 6582 3.2, RFC 6675 5). */
#include "tcp/recovery.h"

#include "core/log.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

void tcp_recovery_select(struct tcp_conn *c)
{
    if (!c->sack_ok)
        c->recovery = &tcp_recovery_newreno;
    else if (c->sent.segs)
        c->recovery = &tcp_recovery_rack; /* its log exists (tcp_rack_init()) */
    else
        c->recovery = &tcp_recovery_sack;
}

void tcp_recovery_enter(struct naru_stack *stack, struct tcp_conn *c)
{
    tcp_undo_begin(stack, c, false); /* it may prove needless (tcp_undo.c) */
    c->ssthresh = c->cc->ssthresh(c, stack->now);
    c->recover = c->snd_max;
    c->in_recovery = true;
    c->high_rxt = c->snd_una;
    c->rtt_timing = false;
    c->fast_retrans++;
    stack->counters.tcp_fast_retransmits++;
}

void tcp_recovery_on_new_ack(struct naru_stack *stack, struct tcp_conn *c, uint32_t acked)
{
    if (c->in_recovery) {
        if (seq_lt(c->snd_una, c->recover)) {
            if (c->recovery->on_partial_ack)
                c->recovery->on_partial_ack(stack, c, acked);
            return;
        }
        /* Full acknowledgment: fast recovery ends. */
        c->recovery->on_recovered(stack, c);
        c->in_recovery = false;
        c->dupacks = 0;
        c->cc->on_recovery_exit(c, stack->now);
        TCP_DEBUG(stack, c, "recovery over at %u, cwnd %u", c->snd_una, c->cwnd);
    } else if (c->in_loss && seq_ge(c->snd_una, c->recover)) {
        /* RTO recovery is over (RFC 8985 6.3). */
        c->in_loss = false;
        c->recovery->on_recovered(stack, c);
    }
}

void tcp_recovery_retransmit_front(struct naru_stack *stack, struct tcp_conn *c, uint32_t end)
{
    uint32_t len = seq_lt(c->snd_una, end) ? end - c->snd_una : 0;
    if (len > c->snd_mss)
        len = c->snd_mss;
    tcp_retransmit_hole(stack, c, c->snd_una, len);
}

void tcp_recovery_go_back_n(struct naru_stack *stack, struct tcp_conn *c)
{
    (void)stack;
    c->snd_nxt = c->snd_una;
}
