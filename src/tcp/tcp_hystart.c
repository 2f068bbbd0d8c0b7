#include "tcp/tcp_hystart.h"

#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

/* RFC 9406 4.3. */
#define MIN_RTT_THRESH (4 * NARU_MS)
#define MAX_RTT_THRESH (16 * NARU_MS)
#define MIN_RTT_DIVISOR 8
#define N_RTT_SAMPLE 8
#define CSS_GROWTH_DIVISOR 4
#define CSS_ROUNDS 5

void hystart_reset(struct tcp_hystart *h)
{
    h->last_round_min_rtt = NARU_NEVER;
    h->current_round_min_rtt = NARU_NEVER;
    h->css_baseline_min_rtt = NARU_NEVER;
    h->rtt_samples = 0;
    h->css_rounds = 0;
    h->round_started = false;
}

static bool in_css(const struct tcp_hystart *h)
{
    return h->css_baseline_min_rtt != NARU_NEVER;
}

void hystart_on_ack(struct tcp_conn *c, uint32_t ack, naru_time_t rtt)
{
    struct tcp_hystart *h = &c->hystart;
    if (c->cwnd >= c->ssthresh)
        return;
    /* RFC 9406 4.2: rounds, each ending when the data sent at its start
     * is acknowledged. */
    if (!h->round_started || seq_ge(ack, h->window_end)) {
        if (h->round_started && in_css(h) && ++h->css_rounds >= CSS_ROUNDS) {
            c->ssthresh = c->cwnd; /* on to congestion avoidance */
            return;
        }
        h->round_started = true;
        h->window_end = c->snd_max;
        h->last_round_min_rtt = h->current_round_min_rtt;
        h->current_round_min_rtt = NARU_NEVER;
        h->rtt_samples = 0;
    }
    if (!rtt)
        return;
    if (rtt < h->current_round_min_rtt)
        h->current_round_min_rtt = rtt;
    h->rtt_samples++;
    if (h->rtt_samples < N_RTT_SAMPLE || h->current_round_min_rtt == NARU_NEVER ||
        h->last_round_min_rtt == NARU_NEVER)
        return;
    if (!in_css(h)) {
        naru_time_t thresh = h->last_round_min_rtt / MIN_RTT_DIVISOR;
        if (thresh > MAX_RTT_THRESH)
            thresh = MAX_RTT_THRESH;
        if (thresh < MIN_RTT_THRESH)
            thresh = MIN_RTT_THRESH;
        if (h->current_round_min_rtt >= h->last_round_min_rtt + thresh) {
            /* The delay grew: a queue is building. */
            h->css_baseline_min_rtt = h->current_round_min_rtt;
            h->css_rounds = 0;
        }
    } else if (h->current_round_min_rtt < h->css_baseline_min_rtt) {
        /* A false alarm (jitter): back to slow start. */
        h->css_baseline_min_rtt = NARU_NEVER;
    }
}

uint32_t hystart_increase(const struct tcp_conn *c, uint32_t acked)
{
    /* RFC 3465 byte counting: cwnd grows by what the ACK acknowledges,
     * so it doubles each round trip however the receiver spaces its ACKs.
     * RFC 3465 2.3 caps one ACK's share at L = 2 SMSS against line-rate
     * bursts; but stretch ACKs for dozens of segments are now the norm (GRO
     * receivers, and naru's own ACK per input batch), and under that cap
     * slow start would crawl. Linux dropped the cap for the same reason
     * (tcp_slow_start() adds every segment acknowledged); the burst it
     * guarded against is bounded here by the ACK clock's burst limit
     * (TCP_MAX_BURST, tcp_output.c). */
    uint32_t inc = acked;
    if (in_css(&c->hystart))
        inc /= CSS_GROWTH_DIVISOR;
    return inc;
}
