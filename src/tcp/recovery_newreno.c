/* Loss recovery without SACK: RFC 5681 3.2's fast retransmit after
 * DupThresh duplicate ACKs, and RFC 6582's NewReno fast recovery, where
 * each partial ACK shows the next hole. cwnd is inflated by the segments
 * that leave the network, so ordinary sending (tcp_output.c) serves; a
 * timeout goes back to SND.UNA. */
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
    /* RFC 6582 3.2 (2) and RFC 5681 3.2 (3): inflate by the three
     * segments that left the network. */
    c->cwnd = c->ssthresh + TCP_DUPTHRESH * c->snd_mss;
    tcp_recovery_retransmit_front(stack, c, tcp_sent_data_end(c));
}

static void on_duplicate_ack(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->dupacks < 255)
        c->dupacks++;
    if (c->in_recovery) {
        /* RFC 6582 3.2 (4) / RFC 5681 3.2 (4): each further duplicate
         * means a segment left the network. */
        c->cwnd += c->snd_mss;
        return;
    }
    /* RFC 6582 3.2 (2): not for data sent before the last recovery or
     * timeout began. */
    if (c->dupacks >= TCP_DUPTHRESH && seq_gt(c->snd_una, c->recover))
        enter(stack, c);
}

static void newreno_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a)
{
    /* RFC 5681 2: a duplicate ACK acknowledges nothing new while data is
     * outstanding, carries no data, SYN or FIN, and leaves the window as
     * it was. */
    if (a->ack == a->una_before && c->snd_una != c->snd_max && a->len == 0 && !(a->flags & (TCP_SYN | TCP_FIN)) &&
        a->wnd == c->snd_wnd)
        on_duplicate_ack(stack, c);
}

static void newreno_on_partial_ack(struct naru_stack *stack, struct tcp_conn *c, uint32_t acked)
{
    /* RFC 6582 3.2 (5): the next hole is lost too. Deflate by what was
     * acknowledged, add one SMSS back if that was a segment or more. */
    c->high_rxt = c->snd_una;
    tcp_recovery_retransmit_front(stack, c, tcp_sent_data_end(c));
    c->cwnd = c->cwnd > acked ? c->cwnd - acked : c->snd_mss;
    if (acked >= c->snd_mss)
        c->cwnd += c->snd_mss;
    if (c->dupacks) {
        /* Reset the timer for the first partial ACK only ("impatient"). */
        tcp_rtx_restart(stack, c);
        c->dupacks = 0;
    }
}

static void newreno_on_recovered(struct naru_stack *stack, struct tcp_conn *c)
{
    (void)stack;
    /* RFC 6582 3.2 (3): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS). */
    uint32_t flight = c->snd_max - c->snd_una;
    uint32_t w = (flight > c->snd_mss ? flight : c->snd_mss) + c->snd_mss;
    c->cwnd = w > c->ssthresh ? c->ssthresh : w;
}

const struct tcp_recovery_ops tcp_recovery_newreno = {
    .name = "newreno",
    .on_ack = newreno_on_ack,
    .on_partial_ack = newreno_on_partial_ack,
    .on_recovered = newreno_on_recovered,
    .on_rto = tcp_recovery_go_back_n,
    .on_mtu_reduced = tcp_recovery_go_back_n,
};
