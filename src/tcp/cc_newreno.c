/* NewReno congestion control: RFC 5681 slow start and congestion
 * avoidance; RFC 6582's recovery is loss recovery's (recovery_newreno.c,
 * and cc.h on the split). */
#include "tcp/cc.h"

#include "tcp/tcp_conn.h"

/* Far below where 32-bit arithmetic on windows could overflow. */
#define TCP_CWND_MAX (1u << 30)

uint32_t tcp_cc_half_flight(const struct tcp_conn *c)
{
    /* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
    uint32_t flight = c->snd_max - c->snd_una;
    uint32_t half = flight / 2;
    return half > 2u * c->snd_mss ? half : 2u * c->snd_mss;
}

static void newreno_init(struct tcp_conn *c)
{
    c->cc_state.bytes_acked = 0;
}

static void newreno_on_ack(struct tcp_conn *c, uint32_t acked, naru_time_t now)
{
    (void)now;
    if (c->cwnd < c->ssthresh) {
        /* RFC 5681 3.1 slow start, as RFC 9406 (HyStart++) shapes it; a
         * stretch ACK takes cwnd at most to ssthresh (as Linux's
         * tcp_slow_start()). */
        uint32_t grown = c->cwnd + hystart_increase(c, acked);
        c->cwnd = grown > c->ssthresh ? c->ssthresh : grown;
    } else {
        /* RFC 5681 3.1: congestion avoidance counting bytes: one SMSS
         * more each time a whole cwnd has been acknowledged, however many
         * ACKs that took (a stretch ACK may complete more than one). */
        c->cc_state.bytes_acked += acked;
        while (c->cc_state.bytes_acked >= c->cwnd && c->cwnd < TCP_CWND_MAX) {
            c->cc_state.bytes_acked -= c->cwnd;
            c->cwnd += c->snd_mss;
        }
    }
    if (c->cwnd > TCP_CWND_MAX)
        c->cwnd = TCP_CWND_MAX;
}

static uint32_t newreno_ssthresh(struct tcp_conn *c, naru_time_t now)
{
    (void)now;
    c->cc_state.bytes_acked = 0;
    return tcp_cc_half_flight(c);
}

static void newreno_on_timeout(struct tcp_conn *c)
{
    c->cc_state.bytes_acked = 0;
}

static void newreno_on_recovery_exit(struct tcp_conn *c, naru_time_t now)
{
    (void)now;
    c->cc_state.bytes_acked = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
    .name = "newreno",
    .init = newreno_init,
    .on_ack = newreno_on_ack,
    .ssthresh = newreno_ssthresh,
    .on_timeout = newreno_on_timeout,
    .on_recovery_exit = newreno_on_recovery_exit,
};

const struct tcp_cc_ops *tcp_cc_by_id(int id)
{
    return id == NARU_TCP_CC_CUBIC ? &tcp_cc_cubic : &tcp_cc_newreno;
}
