/* RACK-TLP (RFC 8985): time-based loss detection and tail loss probes,
 * over a log of the segments in flight.
 *
 * The log holds one record per segment sent, in sequence order, tiling
 * [SND.UNA, SND.MAX) exactly: when the segment was last sent (RFC 8985
 * Segment.xmit_ts) and what is known of it: SACKed, deemed lost, a
 * retransmission of it in flight. RACK deems a segment lost once a segment
 * sent sufficiently later has been delivered; TLP sends a probe when ACKs
 * stop coming, so that a lost tail is found by RACK from the probe's ACK
 * rather than by the retransmission timeout.
 *
 * RFC 8985 needs SACK. A connection without it, or with RACK turned off
 * (tcp_rack in the stack's configuration), has no log and recovers as RFC
 * 6675 and RFC 6582 say. With the log, RFC 6675 still governs recovery
 * (pipe, NextSeg, the cwnd of PRR), with RACK's marks in place of IsLost()
 * (RFC 8985 3.4 and 9.3); the SACK scoreboard (tcp_sack.h) still keeps the
 * SACKed bytes exactly, for PRR's DeliveredData and TCP_INFO.
 *
 * Private to src/tcp/. */
#ifndef NARU_TCP_RACK_H
#define NARU_TCP_RACK_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"
#include "wire/tcp.h"

struct tcp_conn;
struct naru_stack;

/* What is known of a segment in flight. */
#define TCP_SEG_SACKED 0x01        /* the peer holds it (RFC 2018) */
#define TCP_SEG_LOST 0x02          /* RFC 8985 Segment.lost */
#define TCP_SEG_RXT 0x04           /* a retransmission of it is in the network (RFC 6675 SetPipe (b)) */
#define TCP_SEG_RETRANSMITTED 0x08 /* RFC 8985 Segment.retransmitted: sent more than once */

struct tcp_sent_seg {
    uint32_t seq;              /* its first sequence number */
    uint32_t end;              /* one past its last (our FIN counts as one) */
    naru_time_t xmit_ts;       /* RFC 8985 Segment.xmit_ts: when last sent */
    uint32_t tprev, tnext;     /* neighbours in send order, while in flight */
    uint8_t flags;
};

/* Besides the ring in sequence order, the records still in the network
 * (neither SACKed nor lost and waiting) are on a list in the order they
 * were last sent, oldest first, as Linux keeps its tsorted list: RACK's
 * scan stops at the first one sent after RACK.xmit_ts. */
struct tcp_sent_log {
    struct tcp_sent_seg *segs; /* a ring of cap records, count of them from head */
    uint32_t cap, head, count;
    uint32_t thead, ttail;     /* the list in send order (slots; TCP_SENT_NONE if empty) */
    uint32_t sacked_bytes;     /* in records marked SACKED */
    uint32_t lost_bytes;       /* in records marked LOST */
    uint32_t rxt_bytes;        /* in records marked RXT */
    uint32_t todo_bytes;       /* in records LOST and not RXT: to retransmit */
    uint32_t sacked_segs;      /* RFC 8985 RACK.segs_sacked */
    uint32_t lost_hint;        /* no record below it is LOST and not RXT */
};

/* RACK's and TLP's state (RFC 8985 5.2 and 7). */
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
    naru_time_t last_xmit_ts;  /* the latest Segment.xmit_ts given */
    /* TLP (RFC 8985 7) */
    uint32_t tlp_end_seq;      /* TLP.end_seq, while tlp_pending */
    bool tlp_pending;          /* a probe is unresolved (TLP.end_seq is not None) */
    bool tlp_is_retrans;       /* TLP.is_retrans */
    bool tlp_rearm;            /* new data went out or SND.UNA moved: the PTO starts again */
};

#define TCP_SENT_NONE UINT32_MAX

/* RFC 8985 7.2: the worst-case delayed-ACK time of the receiver. */
#define TCP_WCDELACKT (200 * NARU_MS)
/* RACK.min_RTT is the least RTT seen in this window (Linux's
 * tcp_min_rtt_wlen), so that it follows a path that grew longer. */
#define TCP_MIN_RTT_WINDOW (300 * NARU_SEC)

/* ---- the log ---- */
/* tcp_rack_on(c), in tcp_conn.h: the connection has a log (and so RACK). */
/* Give an established connection with SACK its log (sized for its send
 * buffer) if RACK is configured and nothing is in flight; called when the
 * first data is written, so an idle connection holds none. Without memory
 * the connection goes without. */
void tcp_rack_init(struct naru_stack *stack, struct tcp_conn *c);
void tcp_rack_fini(struct tcp_conn *c);
/* The send buffer grew: room for as many more records. */
void tcp_rack_resize(struct tcp_conn *c);
/* The MSS shrank (RFC 1191): records longer than it are split, so each
 * can be sent again whole, and all but the SACKed ones are to be sent
 * again. False if there was no memory for that: the connection then goes
 * on without RACK. */
bool tcp_rack_mtu_reduced(struct tcp_conn *c);
/* How many more segments may be sent before the log is full: new data
 * waits beyond that (as Linux's send buffer accounting holds back a flood
 * of tiny segments). */
uint32_t tcp_rack_room(const struct tcp_conn *c);
/* [seq, end) was just sent, at stack->now, in segments of `piece` bytes
 * (a TSO frame is several); snd_max is SND.MAX before it. */
void tcp_rack_sent(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t end, uint32_t snd_max,
                   uint32_t piece);
/* RFC 6675 SetPipe() with RACK's lost marks: bytes in the network. */
uint32_t tcp_rack_pipe(const struct tcp_conn *c);
/* RFC 6675 NextSeg() rule (1) with RACK's marks: the first record deemed
 * lost and not yet sent again; its data bytes (the FIN not counted). */
bool tcp_rack_next_lost(struct tcp_conn *c, uint32_t *seq, uint32_t *len);
/* tcp_rack_lost_pending(c), in tcp_conn.h: some record is deemed lost
 * and waits to be sent again. */
/* The highest record not SACKed: what a probe that resends data sends
 * (TLP_send_probe's "highest-sequence segment"), and its data bytes. */
bool tcp_rack_last(const struct tcp_conn *c, uint32_t *seq, uint32_t *len);

/* ---- RACK (RFC 8985 6) ---- */
/* An ACK arrived: SND.UNA already moved, the scoreboard already took its
 * SACK blocks. Records what was delivered (RACK_update, reordering, the
 * reordering window), then runs RACK_detect_loss. Returns the bytes newly
 * deemed lost. dsack: the ACK carried a D-SACK (RFC 2883). */
uint32_t tcp_rack_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_options *opt, bool dsack);
/* The reordering timer expired: RACK_detect_loss again. */
uint32_t tcp_rack_reorder_timeout(struct naru_stack *stack, struct tcp_conn *c);
/* RFC 8985 6.3: the retransmission timer expired: mark the first record
 * and those old enough lost. */
void tcp_rack_mark_losses_on_rto(struct naru_stack *stack, struct tcp_conn *c);
/* Recovery ended or was undone: the reordering window's persistence
 * counts down (RFC 8985 6.2 step 4). */
void tcp_rack_recovery_done(struct tcp_conn *c);
/* The scoreboard was dropped (reneging, RFC 2018 8): so are the SACK marks. */
void tcp_rack_forget_sacks(struct tcp_conn *c);
/* A spurious episode was undone: nothing is deemed lost any more. */
void tcp_rack_unmark_lost(struct tcp_conn *c);

/* ---- TLP (RFC 8985 7) ---- */
/* After an ACK: TLP_process_ack (RFC 8985 7.4). */
void tcp_tlp_on_ack(struct naru_stack *stack, struct tcp_conn *c, uint32_t ack, bool dsack, uint32_t dsack_right,
                    bool dupack);
/* The timers after output: the reordering timer if RACK wants it, else
 * the PTO if TLP may probe (RFC 8985 7.2), else the retransmission timer. */
void tcp_rack_timers(struct naru_stack *stack, struct tcp_conn *c);
/* The PTO expired: send the probe (RFC 8985 7.3). */
void tcp_tlp_timeout(struct naru_stack *stack, struct tcp_conn *c);

#endif
