/* Congestion control behind one small table of operations, so an algorithm
 * is one file that can be read alone (cc_newreno.c, cc_cubic.c).
 *
 * The split follows RFC 5681: loss detection and recovery (fast
 * retransmit, NewReno's partial ACKs, SACK, RACK-TLP) are loss recovery's,
 * behind a table of their own (recovery.h), the same for every congestion
 * control; an algorithm here decides only how cwnd grows on new ACKs and
 * what ssthresh becomes after a loss. cwnd and ssthresh are in bytes and
 * live in the connection. */
#ifndef NARU_TCP_CC_H
#define NARU_TCP_CC_H

#include <stdint.h>

#include "naru/stack.h"

struct tcp_conn;

/* Room for any algorithm's private state. */
struct tcp_cc_state {
    uint32_t bytes_acked;      /* RFC 5681 3.1: bytes ACKed toward the next cwnd step */
    /* CUBIC (RFC 9438 4) */
    uint32_t w_max;            /* bytes: cwnd before the last reduction */
    uint32_t w_est;            /* bytes: the Reno-friendly estimate */
    uint32_t cwnd_epoch;       /* bytes: cwnd when the epoch began */
    uint64_t k_ns;             /* time to climb back to w_max */
    naru_time_t epoch_start;   /* 0: no epoch yet */
};

struct tcp_cc_ops {
    const char *name;
    /* After the handshake: cwnd is already the initial window. */
    void (*init)(struct tcp_conn *c);
    /* `acked` new bytes cumulatively ACKed outside loss recovery. */
    void (*on_ack)(struct tcp_conn *c, uint32_t acked, naru_time_t now);
    /* A loss was detected (fast retransmit, or the first timeout of a
     * series): the new ssthresh in bytes. */
    uint32_t (*ssthresh)(struct tcp_conn *c, naru_time_t now);
    /* The retransmission timer expired (cwnd is already one segment). */
    void (*on_timeout)(struct tcp_conn *c);
    /* Fast recovery ended with a full ACK (cwnd is already set). */
    void (*on_recovery_exit)(struct tcp_conn *c, naru_time_t now);
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* The algorithm by its enum naru_tcp_cc value; NewReno for unknown ones. */
const struct tcp_cc_ops *tcp_cc_by_id(int id);

/* RFC 5681 (4): max(FlightSize / 2, 2 * SMSS). */
uint32_t tcp_cc_half_flight(const struct tcp_conn *c);

#endif
