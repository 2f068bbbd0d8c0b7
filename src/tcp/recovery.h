/* Loss recovery behind one small table of operations, as congestion
 * control is behind cc.h, so that an algorithm is one file that can be
 * read alone:
 *   recovery_newreno.c  without SACK: RFC 5681 fast retransmit, RFC 6582
 *                       NewReno's partial ACKs;
 *   recovery_sack.c     with SACK: RFC 6675's IsLost(), pipe and NextSeg()
 *                       over the scoreboard (tcp_sack.h);
 *   recovery_rack.c     RACK-TLP (RFC 8985): losses found by time over the
 *                       log of segments in flight (tcp_sent_log.h), tails
 *                       by probes; RFC 6675's pipe and NextSeg() read its marks.
 * What they share is here: fast recovery entered and left (recovery.c),
 * RFC 6937's pacing of the two with SACK (recovery_prr.c); undoing a
 * needless episode is tcp_undo.c's.
 *
 * A connection gets its algorithm when the handshake ends, from the
 * options agreed (tcp_recovery_select()): NewReno without SACK, RFC 6675
 * with it; RACK-TLP takes over from RFC 6675 once its log exists (from the
 * first data written, tcp_rack_init()), and hands back if the log must go.
 *
 * The split with congestion control (cc.h): recovery decides what is lost,
 * what goes next and cwnd while it lasts; the congestion control decides
 * ssthresh and how cwnd grows outside it. */
#ifndef NARU_TCP_RECOVERY_H
#define NARU_TCP_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"
#include "wire/tcp.h"

struct naru_stack;
struct tcp_conn;

/* What an acceptable ACK told the sender (tcp_input.c). */
struct tcp_ack {
    const struct tcp_options *opt;
    uint32_t ack;              /* SEG.ACK */
    uint32_t una_before;       /* SND.UNA before it */
    uint32_t sacked_before;    /* the scoreboard's SACKed bytes before it */
    uint32_t wnd;              /* the window it offers, scaled */
    uint32_t len;              /* data bytes it carries */
    uint8_t flags;
    bool sack_news;            /* its SACK blocks told something new (RFC 6675 2) */
    bool dsack;                /* its first block reports a duplicate (RFC 2883) */
    uint32_t dsack_left, dsack_right;
};

struct tcp_recovery_ops {
    const char *name;
    /* ---- ACKs (tcp_input.c) ---- */
    /* Every acceptable ACK, once SND.UNA moved, the scoreboard took its
     * SACK blocks and undo judged the last episode: find losses, enter
     * fast recovery (tcp_recovery_enter()), pace it. */
    void (*on_ack)(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a);
    /* SND.UNA moved by `acked` bytes in fast recovery, short of
     * RecoveryPoint: a partial ACK. NULL: nothing to do. */
    void (*on_partial_ack)(struct naru_stack *stack, struct tcp_conn *c, uint32_t acked);
    /* SND.UNA reached RecoveryPoint: fast recovery (in_recovery, still
     * set) or RTO recovery (in_loss, already cleared) is over. After fast
     * recovery, cwnd as it ends. */
    void (*on_recovered)(struct naru_stack *stack, struct tcp_conn *c);
    /* A needless episode was undone (tcp_undo.c). NULL: nothing to do. */
    void (*on_undo)(struct tcp_conn *c, bool timeout);
    /* ---- sending (tcp_output.c) ---- */
    /* RFC 6675 SetPipe(): bytes in the network. NULL without SACK. */
    uint32_t (*pipe)(const struct tcp_conn *c);
    /* In fast or RTO recovery: send what goes next, retransmissions and
     * new data, as pipe and cwnd allow; true if anything went. NULL:
     * ordinary sending serves (NewReno inflates cwnd instead). */
    bool (*send)(struct naru_stack *stack, struct tcp_conn *c);
    /* Segments that may still go before the algorithm's record of them is
     * full. NULL: no limit. */
    uint32_t (*room)(const struct tcp_conn *c);
    /* [seq, end) just went out, in segments of `piece` bytes; snd_max is
     * SND.MAX before it. NULL: nothing recorded. */
    void (*sent)(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t end, uint32_t snd_max,
                 uint32_t piece);
    /* After output, with data in flight and the RTO armed: the
     * algorithm's own timers, on the retransmission timer. NULL: none. */
    void (*arm_timers)(struct naru_stack *stack, struct tcp_conn *c);
    /* ---- timers (tcp_timer.c) and ICMP (tcp_input.c) ---- */
    /* The retransmission timer fired in a mode only this algorithm sets
     * (TCP_RTX_PROBE, TCP_RTX_REORDER). */
    void (*on_timer)(struct naru_stack *stack, struct tcp_conn *c);
    /* The retransmission timer expired, cwnd is one segment again: what
     * goes again (RFC 6298 5.4). */
    void (*on_rto)(struct naru_stack *stack, struct tcp_conn *c);
    /* The MSS shrank (RFC 1191): what was sent goes again, smaller. */
    void (*on_mtu_reduced)(struct naru_stack *stack, struct tcp_conn *c);
};

extern const struct tcp_recovery_ops tcp_recovery_newreno;
extern const struct tcp_recovery_ops tcp_recovery_sack;
extern const struct tcp_recovery_ops tcp_recovery_rack;

/* ---- recovery.c ---- */
/* The algorithm for what the connection has agreed and holds. */
void tcp_recovery_select(struct tcp_conn *c);
/* Fast recovery begins (RFC 5681 3.2, RFC 6582 3.2, RFC 6675 5): ssthresh
 * from the congestion control, RecoveryPoint at SND.MAX. */
void tcp_recovery_enter(struct naru_stack *stack, struct tcp_conn *c);
/* SND.UNA moved by `acked` bytes in fast or RTO recovery: a partial ACK,
 * or the end of recovery. */
void tcp_recovery_on_new_ack(struct naru_stack *stack, struct tcp_conn *c, uint32_t acked);
/* RFC 5681 3.2 (2): the first unacknowledged segment goes again, at most
 * one SMSS of it and no further than `end`. */
void tcp_recovery_retransmit_front(struct naru_stack *stack, struct tcp_conn *c, uint32_t end);
/* After a timeout or an MTU drop, without RACK: sending goes back to
 * SND.UNA (what the peer SACKed is skipped, tcp_output.c). */
void tcp_recovery_go_back_n(struct naru_stack *stack, struct tcp_conn *c);

/* ---- recovery_prr.c (RFC 6937, with SACK) ---- */
void tcp_prr_begin(struct naru_stack *stack, struct tcp_conn *c);
/* An ACK during fast recovery: cwnd for what may go now. */
void tcp_prr_on_ack(struct tcp_conn *c, const struct tcp_ack *a);
/* Fast recovery ended: cwnd = ssthresh. */
void tcp_prr_end(struct tcp_conn *c);

/* ---- recovery_rack.c ---- */
/* RACK-TLP's state (RFC 8985 5.2 and 7). */
struct tcp_rack {
    naru_time_t xmit_ts;       /* RACK.xmit_ts */
    uint32_t end_seq;          /* RACK.end_seq */
    naru_time_t rtt;           /* RACK.rtt */
    naru_time_t min_rtt;       /* RACK.min_RTT, over a window of TCP_MIN_RTT_WINDOW */
    naru_time_t min_rtt_stamp;
    uint32_t fack;             /* RACK.fack */
    uint32_t dsack_round;      /* RACK.dsack_round, while dsack_round_open */
    uint8_t reo_wnd_mult;      /* RACK.reo_wnd_mult */
    uint8_t reo_wnd_persist;   /* RACK.reo_wnd_persist */
    bool reordering_seen;      /* RACK.reordering_seen */
    bool dsack_round_open;
    bool advanced;             /* RACK.xmit_ts moved since the last loss scan */
    naru_time_t reo_deadline;  /* the reordering timer's expiry (RFC 8985 6.2 step 5), 0 if none */
    /* TLP (RFC 8985 7) */
    uint32_t tlp_end_seq;      /* TLP.end_seq, while tlp_pending */
    bool tlp_pending;          /* a probe is unresolved (TLP.end_seq is not None) */
    bool tlp_is_retrans;       /* TLP.is_retrans */
    bool tlp_rearm;            /* new data went out or SND.UNA moved: the PTO starts again */
};

/* RACK-TLP needs SACK and a log of what is in flight. Give an established
 * connection with SACK its log (sized for its send buffer) if RACK is
 * configured and nothing is in flight; called when the first data is
 * written, so an idle connection holds none. Without memory the
 * connection goes on with RFC 6675 alone. */
void tcp_rack_init(struct naru_stack *stack, struct tcp_conn *c);
void tcp_rack_fini(struct tcp_conn *c);
/* The send buffer grew: room for as many more records. */
void tcp_rack_resize(struct tcp_conn *c);

#endif
