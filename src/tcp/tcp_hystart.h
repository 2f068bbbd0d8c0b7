/* HyStart++ (RFC 9406): leave slow start when the round-trip time starts
 * to grow (a queue is forming), before the losses that overshooting would
 * cause; then a conservative slow start for a few rounds guards against a
 * false alarm. It sits under any congestion control (cc.h). */
#ifndef NARU_TCP_HYSTART_H
#define NARU_TCP_HYSTART_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"

struct tcp_hystart {
    uint32_t window_end;       /* the round ends when this is acknowledged */
    naru_time_t last_round_min_rtt;    /* NARU_NEVER: none yet */
    naru_time_t current_round_min_rtt;
    naru_time_t css_baseline_min_rtt;  /* NARU_NEVER: not in CSS */
    uint32_t rtt_samples;
    uint32_t css_rounds;
    bool round_started;
};

struct tcp_conn;

/* At the start of a slow start (connection start, after a timeout). */
void hystart_reset(struct tcp_hystart *h);
/* An ACK for new data in slow start, with an RTT sample or 0. May end slow
 * start by setting ssthresh. */
void hystart_on_ack(struct tcp_conn *c, uint32_t ack, naru_time_t rtt);
/* How much an ACK for `acked` bytes grows cwnd in slow start: RFC 3465
 * byte counting (without the L cap: see tcp_hystart.c), divided by
 * CSS_GROWTH_DIVISOR in conservative slow start. */
uint32_t hystart_increase(const struct tcp_conn *c, uint32_t acked);

#endif
