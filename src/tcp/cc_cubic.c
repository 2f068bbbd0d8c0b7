/* CUBIC congestion control (RFC 9438): after a loss the window grows as a
 * cubic function of the time since the loss, centred on the window where
 * the loss happened, with a Reno-friendly floor. Slow start is RFC 5681's. */
#include "tcp/cc.h"

#include "tcp/tcp_conn.h"

#define CUBIC_C 0.4        /* RFC 9438 4.2, segments / s^3 */
#define CUBIC_BETA 0.7     /* RFC 9438 4.6 */
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA)) /* RFC 9438 4.3 */
#define TCP_CWND_MAX (1u << 30)

/* The cube root without libm: Newton's method from a power-of-two guess. */
static double cube_root(double x)
{
    if (x <= 0)
        return 0;
    double r = 1;
    while (r * r * r < x)
        r *= 2;
    for (int i = 0; i < 60; i++) {
        double next = (2 * r + x / (r * r)) / 3;
        if (next >= r)
            break;
        r = next;
    }
    return r;
}

static double seconds(naru_time_t t)
{
    return (double)t / (double)NARU_SEC;
}

static void cubic_init(struct tcp_conn *c)
{
    struct tcp_cc_state *s = &c->cc_state;
    s->bytes_acked = 0;
    s->w_max = 0;
    s->epoch_start = 0;
}

/* W_cubic(t) of RFC 9438 (1), in bytes. */
static double w_cubic(const struct tcp_conn *c, double t)
{
    const struct tcp_cc_state *s = &c->cc_state;
    double d = t - seconds(s->k_ns);
    return CUBIC_C * d * d * d * c->snd_mss + s->w_max;
}

static void cubic_on_ack(struct tcp_conn *c, uint32_t acked, naru_time_t now)
{
    struct tcp_cc_state *s = &c->cc_state;
    if (c->cwnd < c->ssthresh) {
        /* RFC 9438 4.10: slow start as for Reno, with HyStart++, at most
         * to ssthresh. */
        uint32_t grown = c->cwnd + hystart_increase(c, acked);
        c->cwnd = grown > c->ssthresh ? c->ssthresh : grown;
        if (c->cwnd > TCP_CWND_MAX)
            c->cwnd = TCP_CWND_MAX;
        return;
    }
    if (s->epoch_start == 0) {
        /* A congestion-avoidance stage begins (RFC 9438 4.2). */
        s->epoch_start = now ? now : 1;
        s->cwnd_epoch = c->cwnd;
        s->w_est = c->cwnd;
        if (s->w_max > c->cwnd) {
            double segments = (double)(s->w_max - c->cwnd) / c->snd_mss;
            s->k_ns = (uint64_t)(cube_root(segments / CUBIC_C) * (double)NARU_SEC);
        } else {
            s->w_max = c->cwnd;
            s->k_ns = 0;
        }
    }
    double t = seconds(now - s->epoch_start);
    /* RFC 9438 4.3: the Reno-friendly estimate. */
    s->w_est += (uint32_t)(CUBIC_ALPHA * (double)acked * c->snd_mss / c->cwnd);
    double cubic_now = w_cubic(c, t);
    if (cubic_now < (double)s->w_est) {
        c->cwnd = s->w_est;
    } else {
        /* RFC 9438 4.4 and 4.5: aim at W_cubic one RTT ahead, no more than
         * half again the current window. */
        double rtt = seconds(c->srtt ? c->srtt : 100 * NARU_MS);
        double target = w_cubic(c, t + rtt);
        if (target < c->cwnd)
            target = c->cwnd;
        if (target > 1.5 * c->cwnd)
            target = 1.5 * c->cwnd;
        s->bytes_acked += (uint32_t)((target - c->cwnd) * acked / c->cwnd);
        if (s->bytes_acked) {
            c->cwnd += s->bytes_acked;
            s->bytes_acked = 0;
        }
    }
    if (c->cwnd > TCP_CWND_MAX)
        c->cwnd = TCP_CWND_MAX;
}

static uint32_t cubic_ssthresh(struct tcp_conn *c, naru_time_t now)
{
    (void)now;
    struct tcp_cc_state *s = &c->cc_state;
    /* RFC 9438 4.7: fast convergence: a second loss below the last W_max
     * lowers W_max further, to give way to newer flows. */
    if (c->cwnd < s->w_max)
        s->w_max = (uint32_t)(c->cwnd * (1.0 + CUBIC_BETA) / 2.0);
    else
        s->w_max = c->cwnd;
    s->epoch_start = 0;
    /* RFC 9438 4.6: ssthresh = cwnd * beta, at least two segments. */
    uint32_t ssthresh = (uint32_t)(c->cwnd * CUBIC_BETA);
    return ssthresh > 2u * c->snd_mss ? ssthresh : 2u * c->snd_mss;
}

static void cubic_on_timeout(struct tcp_conn *c)
{
    /* RFC 9438 4.8: a timeout begins a new epoch from slow start. */
    c->cc_state.epoch_start = 0;
}

static void cubic_on_recovery_exit(struct tcp_conn *c, naru_time_t now)
{
    (void)now;
    c->cc_state.epoch_start = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
    .name = "cubic",
    .init = cubic_init,
    .on_ack = cubic_on_ack,
    .ssthresh = cubic_ssthresh,
    .on_timeout = cubic_on_timeout,
    .on_recovery_exit = cubic_on_recovery_exit,
};
