/* A TCP connection (the TCB of RFC 9293 3.3.1) and the table that finds
 * connections: by 4-tuple in a keyed hash, listeners by port, plus the
 * lists a connection can be on (a listener's half-open list and accept
 * queue, or the orphans still closing after the user let go).
 *
 * Private to src/tcp/. */
#ifndef NARU_TCP_CONN_H
#define NARU_TCP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "core/timer.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "naru/stack.h"
#include "tcp/cc.h"
#include "tcp/recovery.h"
#include "tcp/tcp_assembler.h"
#include "tcp/tcp_buffer.h"
#include "tcp/tcp_hystart.h"
#include "tcp/tcp_sack.h"
#include "tcp/tcp_sent_log.h"
#include "tcp/tcp_seq.h"
#include "wire/tcp.h"

struct naru_stack;
struct sock;
struct tcp_conn;

/* RFC 9293 3.3.2. Same order as enum naru_tcp_state. */
enum tcp_state {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};
const char *tcp_state_name(int state);

/* A doubly linked list of connections through their `next`/`prev`. */
struct tcp_list {
    struct tcp_conn *head, *tail;
    uint32_t count;
};

enum tcp_list_id { TCP_ON_NO_LIST, TCP_ON_HALF_OPEN, TCP_ON_ACCEPT_QUEUE, TCP_ON_ORPHANS };
/* What the retransmission timer does when it fires: retransmit (RFC
 * 6298), probe a zero window (persist), send a tail loss probe, or look
 * again for losses once the reordering window has passed (RFC 8985). */
enum tcp_rtx_mode { TCP_RTX_IDLE, TCP_RTX_RETRANSMIT, TCP_RTX_PERSIST, TCP_RTX_PROBE, TCP_RTX_REORDER };
enum tcp_idle_mode { TCP_IDLE_NONE, TCP_IDLE_KEEPALIVE, TCP_IDLE_FIN_WAIT_2, TCP_IDLE_TIME_WAIT };

/* A loss recovery episode that may yet prove spurious (tcp_undo.c). */
struct tcp_undo {
    bool armed;                /* an episode's reductions may be undone */
    bool timeout;              /* it had a retransmission timeout */
    bool eifel_pending;        /* RFC 3522: the first ACK after the retransmission is to come */
    bool dsack_seen;           /* the peer has sent a D-SACK (RFC 3522 3.2 (5)) */
    uint32_t eifel_tsval;      /* RFC 3522 RetransmitTS */
    uint32_t marker;           /* SND.UNA when the episode began */
    uint32_t rxt_bytes;        /* sent again in the episode */
    uint32_t dsack_bytes;      /* of those, reported as duplicates */
    uint32_t prior_cwnd, prior_ssthresh;
    uint32_t pipe_prev;        /* RFC 4015 */
    struct tcp_cc_state prior_cc;
};

struct tcp_conn {
    /* ---- identity and where the connection is kept ---- */
    struct naru_addr local_addr, remote_addr; /* a listener's local: NARU_AF_UNSPEC for the wildcard */
    uint16_t local_port, remote_port;
    uint32_t pseudo_sum;       /* the checksum's pseudo-header, but for the length (ip_pseudo_sum()) */
    uint8_t state;             /* enum tcp_state */
    uint8_t list;              /* enum tcp_list_id */
    bool hashed;               /* in the 4-tuple table (or, listening, the port table) */
    bool zombie;               /* freed at the next reap; nothing may touch it */
    struct tcp_conn *hash_next;
    struct tcp_conn *next, *prev;
    struct tcp_conn *batch_next, *batch_prev; /* the batch list */
    struct sock *sock;         /* NULL while a child waits for accept(), and once orphaned */
    struct tcp_conn *listener; /* a child's listener, until accept() */
    struct tcp_conn *orphan_port_next, **orphan_port_pprev; /* orphans, by local port */

    /* ---- a listener's children (RFC 9293 3.10.7.2), tcp_listen.c ---- */
    struct tcp_list half_open; /* SYN-RECEIVED, oldest first */
    struct tcp_list accept_queue;
    uint32_t backlog;
    uint32_t syn_batch;        /* the input batch syn_batch_count counts the SYNs of */
    uint32_t syn_batch_count;
    naru_time_t cookies_sent_at; /* the last SYN cookie it sent; 0: none */
    naru_time_t neighbour_confirmed; /* RFC 4861 7.3.1: last told NDP the first hop answers; 0: never */
    struct tcp_quota *quota;   /* a listener's, and each child's until TIME-WAIT */

    /* ---- RFC 9293 3.3.1: send sequence variables ---- */
    uint32_t iss;
    uint32_t snd_una;
    uint32_t snd_nxt;          /* next to send; rewinds to SND.UNA after a timeout */
    uint32_t snd_max;          /* highest sent plus one (RFC 6675 HighData) */
    uint32_t snd_wnd;          /* bytes, scaled */
    uint32_t snd_wl1, snd_wl2;
    uint32_t max_snd_wnd;      /* largest window the peer offered (RFC 5961 5.2, SWS) */
    uint32_t snd_buf_seq;      /* sequence number of the first byte in snd_buf */
    uint32_t snd_fin_seq;      /* our FIN's sequence number, once the user shut writing */
    uint32_t snd_small_end;    /* end of the last short segment sent (Nagle, Minshall's form) */
    /* ---- receive sequence variables ---- */
    uint32_t irs;
    uint32_t rcv_nxt;
    uint32_t rcv_adv;          /* right edge of the window last advertised: RCV.WND = rcv_adv - rcv_nxt */
    uint32_t last_ack_sent;    /* RCV.NXT as last acknowledged (RFC 7323 4.3) */
    uint32_t fin_seq_in;       /* the peer's FIN, when it came out of order */
    uint32_t dsack_left, dsack_right; /* RFC 2883: a duplicate to report, while dsack_pending */

    /* ---- negotiated options ---- */
    uint16_t snd_mss;          /* Eff.snd.MSS: data bytes per segment, options excluded */
    uint16_t peer_mss;         /* the peer's MSS option (536 without one, RFC 9293 3.7.1) */
    uint16_t adv_mss;          /* the MSS we announced */
    uint16_t rcv_mss;          /* largest segment seen from the peer, for delayed ACKs */
    uint8_t snd_wscale;        /* shift applied to the peer's windows */
    uint8_t rcv_wscale;        /* shift applied to ours */
    uint8_t options_len;       /* bytes of options on an ordinary segment */
    /* What the route's device does for us (tcp_output.c), as of
     * offload_version (the routing table's version; 0: to be looked up). */
    uint16_t tso_segs;         /* segments one frame may carry, the device cutting them (1: no TSO) */
    bool csum_offload;         /* checksums left partial, for the device */
    uint32_t offload_version;
    uint32_t path_mtu;         /* the path MTU snd_mss was set for (0: none yet, or no route) */
    uint32_t path_version;     /* the routing table's version then (tcp_mtu.c) */
    bool ws_ok, ts_ok, sack_ok;

    /* ---- what has happened ---- */
    bool opened;               /* has left CLOSED once (connect, or a SYN to a listener) */
    bool passive;              /* began in LISTEN */
    bool fin_queued;           /* the user shut writing: a FIN follows the data */
    bool fin_in_pending;       /* fin_seq_in is set */
    bool rd_shutdown;          /* the user shut reading */
    bool ack_now;              /* the next output must carry an ACK */
    bool dsack_pending;        /* the next ACK reports dsack_left..right first */
    bool ack_at_batch_end;     /* owes an ACK at the batch's end (tcp_output.c) */
    bool send_at_batch_end;    /* sends what ACKs of the batch let out at its end */
    bool rtt_timing;           /* a segment is being timed (no timestamps) */
    bool in_recovery;          /* fast recovery (RFC 6582 / RFC 6675) */
    bool in_loss;              /* RTO recovery with RACK (RFC 8985 6.3): lost segments go first */
    bool syn_lost;             /* the SYN was retransmitted (RFC 6298 5.7) */
    bool nodelay, keepalive, reuseaddr;
    bool cwnd_limited;         /* the last send stopped at cwnd (RFC 7661) */
    bool snd_buf_locked, rcv_buf_locked; /* SO_SNDBUF / SO_RCVBUF set: no autotuning */
    uint16_t burst_credit;     /* segments we may still send on the last ACK's clock */
    uint8_t dupacks;
    uint8_t retries;           /* consecutive timeouts without progress */
    uint8_t probes;            /* persist or keepalive probes unanswered */
    uint8_t rtx_mode;          /* enum tcp_rtx_mode */
    uint8_t idle_mode;         /* enum tcp_idle_mode */
    int soft_error;            /* an ICMP error seen, reported if we time out */

    /* ---- RFC 7323 ---- */
    uint32_t ts_recent;
    naru_time_t ts_recent_stamp;
    uint32_t ts_offset;        /* per-connection TSval offset (RFC 7323 7.1) */
    uint32_t rto_tsval;        /* our TSval when the retransmission timer last expired */
    bool rto_ts_pending;       /* no RTT sample yet from a segment sent after it */

    /* ---- RFC 6298 ---- */
    naru_time_t srtt, rttvar, rto;
    naru_time_t rtt_start;
    uint32_t rtt_seq;
    bool rtt_valid;

    /* ---- congestion control (RFC 5681, 6582, 6675) ---- */
    uint32_t cwnd, ssthresh;
    uint32_t recover;          /* RFC 6582 "recover" = RFC 6675 RecoveryPoint */
    uint32_t high_rxt;         /* RFC 6675 HighRxt, one past */
    uint32_t prr_delivered;    /* RFC 6937: delivered since recovery began */
    uint32_t prr_out;          /* sent since recovery began */
    uint32_t recover_fs;       /* flight when recovery began */
    uint32_t rtx_front;        /* SND.UNA when its segment was last retransmitted */
    uint32_t rtx_front_max;    /* SND.MAX then: SACKs beyond it mean the retransmission was lost */
    uint32_t prior_snd_wnd;    /* for the duplicate-ACK test of RFC 5681 2 */
    const struct tcp_cc_ops *cc;
    struct tcp_cc_state cc_state;
    struct tcp_hystart hystart;
    const struct tcp_recovery_ops *recovery; /* recovery.h: chosen when the handshake ends */
    struct tcp_scoreboard scoreboard;
    struct tcp_sent_log sent;  /* segments in flight, with RACK (RFC 8985) */
    struct tcp_rack rack;
    struct tcp_undo undo;

    /* ---- data ---- */
    struct tcp_ring snd_buf;   /* written and not yet acknowledged, from snd_buf_seq */
    struct tcp_ring rcv_buf;   /* in order and unread; out-of-order bytes beyond */
    struct tcp_assembler ooo;
    uint32_t snd_buf_size, rcv_buf_size;    /* the user's sizes (SO_SNDBUF, SO_RCVBUF) */
    uint32_t rcv_unacked;      /* bytes received since the last ACK we sent */
    uint32_t rcv_ssthresh;     /* the window grows to the buffer at the pace data comes (Linux) */
    /* Receive-buffer autotuning (Linux's dynamic right-sizing): the buffer
     * follows what the application reads per round trip. */
    uint32_t rcvq_copied;      /* read since rcvq_start */
    uint32_t rcvq_space;       /* most read in one round trip so far */
    naru_time_t rcvq_start;
    naru_time_t rcv_rtt;       /* the round trip as the receiver sees it (min) */
    naru_time_t rcv_rtt_sent;  /* when the ACK that moved the window past rcv_rtt_edge left */
    uint32_t rcv_rtt_edge;     /* data beyond it could only come after that ACK */
    bool rcv_rtt_pending;

    /* ---- timers ---- */
    struct naru_timer rtx_timer;    /* retransmission or persist */
    struct naru_timer delack_timer;
    struct naru_timer idle_timer;   /* keepalive, FIN-WAIT-2 or TIME-WAIT */
    naru_time_t rtx_deadline;       /* rtx_timer may fire early and re-arm itself */
    naru_time_t rto_deadline;       /* when the retransmission timeout is due (a PTO or
                                       the reordering timer may come first) */
    naru_time_t persist_backoff;
    naru_time_t last_rx;            /* for keepalive */
    naru_time_t last_oow_ack;       /* RFC 5961 10 style limit on ACKs to junk */

    /* ---- numbers for naru_tcp_get_info() ---- */
    uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
    uint32_t segs_in, segs_out, total_retrans, fast_retrans;
};

struct tcp_quota;

struct tcp_table {
    struct tcp_conn **buckets; /* by 4-tuple */
    uint32_t bucket_mask;
    struct tcp_conn **listen_buckets; /* by local port */
    uint32_t listen_mask;
    uint64_t hash_key[2], hash_mul[2]; /* the 4-tuple hash's secret (tcp_conn.c) */
    uint32_t conns;            /* allocated, of every state */
    struct tcp_list orphans;
    struct tcp_conn **orphan_port_buckets; /* orphans again, by local port (bind) */
    struct tcp_ring_cache ring_cache; /* connections' ring memory, for reuse */
    struct tcp_conn *zombies;
    /* Connections owing an ACK, or holding data for one TSO frame, at the
     * end of the input batch, i.e. at the next naru_stack_poll()
     * (tcp_output.c). */
    struct tcp_conn *batch;
    uint32_t batch_serial;     /* input batches so far (tcp_listen.c's SYN budget) */
    uint32_t next_ephemeral;   /* RFC 6056 3.3.3 */
    naru_time_t rst_credit, rst_refill;             /* token buckets */
    naru_time_t challenge_credit, challenge_refill;
    struct sock *wake[8];      /* sockets to tell, once the work in hand is done */
    unsigned wake_count;
    bool isn_fixed;            /* tests: tcp_debug_set_isn() */
    uint32_t isn_value;
};

/* ---- tcp_undo.c ---- */
/* A loss recovery episode begins (a fast recovery, or the first timeout of
 * a series): remember what it is about to reduce. */
void tcp_undo_begin(struct naru_stack *stack, struct tcp_conn *c, bool timeout);
/* len bytes were sent again. */
void tcp_undo_retransmitted(struct tcp_conn *c, uint32_t len);
/* An ACK (SND.UNA already moved; a D-SACK it carried): was the episode
 * spurious? If so its reductions are undone; returns true. */
bool tcp_undo_on_ack(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_ack *a);

/* ---- tcp_conn.c ---- */
/* A new connection in CLOSED, counted against the limit; NULL if none. */
struct tcp_conn *tcp_conn_alloc(struct naru_stack *stack);
/* A connection's rings are allocated when there is something to put in
 * them (the send ring by send(), the receive ring by the first byte of
 * data) and let go when empty, so an idle connection holds none: 0 or
 * -ENOMEM. */
int tcp_conn_snd_ring(struct naru_stack *stack, struct tcp_conn *c);
int tcp_conn_rcv_ring(struct naru_stack *stack, struct tcp_conn *c);
/* Give back the rings that hold nothing (of the default sizes: tcp_conn.c). */
void tcp_conn_release_idle_rings(struct tcp_conn *c);
/* The receive ring's size: the buffer, and room for a window rounded up
 * to the scale (tcp_select_window). */
uint32_t tcp_rcv_ring_size(const struct tcp_conn *c);
void tcp_conn_free_buffers(struct tcp_conn *c);
/* Find by 4-tuple (the family is part of the key), then listener by local
 * address and port (or wildcard). */
struct tcp_conn *tcp_conn_lookup_addr(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport,
                                      const struct naru_addr *raddr, uint16_t rport);
struct tcp_conn *tcp_listener_lookup(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport);
/* tcp_conn_lookup_addr() for an IPv4 4-tuple (tests). */
struct tcp_conn *tcp_conn_lookup(struct naru_stack *stack, uint32_t laddr, uint16_t lport, uint32_t raddr,
                                 uint16_t rport);
/* A connection's 4-tuple, before it is hashed. */
void tcp_conn_set_tuple(struct tcp_conn *c, const struct naru_addr *laddr, uint16_t lport,
                        const struct naru_addr *raddr, uint16_t rport);
void tcp_conn_hash(struct naru_stack *stack, struct tcp_conn *c);
void tcp_conn_unhash(struct naru_stack *stack, struct tcp_conn *c);
/* Move c to a list (off the one it is on). */
void tcp_conn_set_list(struct naru_stack *stack, struct tcp_conn *c, enum tcp_list_id list);
/* The connection is finished: off every table and list, timers stopped,
 * buffers freed. If a socket still holds it, it stays as CLOSED for the
 * socket to report; otherwise it is freed at the next reap. */
void tcp_conn_finish(struct naru_stack *stack, struct tcp_conn *c);
/* Free c at the next reap (it must not be on any table or list). */
void tcp_conn_discard(struct naru_stack *stack, struct tcp_conn *c);
/* Free discarded connections, then tell woken sockets. Every entry point
 * (input, timer, socket call) ends with this. */
void tcp_reap(struct naru_stack *stack);
/* Ask for the socket to be told (after the work in hand). */
void tcp_wake(struct naru_stack *stack, struct tcp_conn *c);
/* Does a connection the user has closed still hold the port on an
 * address overlapping addr (the wildcard: any)? */
bool tcp_orphan_holds_port(struct naru_stack *stack, const struct naru_addr *addr, uint16_t port);
/* Is this 4-tuple free? */
bool tcp_tuple_free(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport,
                    const struct naru_addr *raddr, uint16_t rport);
/* RFC 6056 3.3.3: an ephemeral port for a connection, or 0. */
uint16_t tcp_ephemeral_port(struct naru_stack *stack, const struct sock *s, const struct naru_addr *laddr,
                            const struct naru_addr *raddr, uint16_t rport);

/* A log line about a connection, prefixed with its addresses. */
void tcp_log_conn(struct naru_stack *stack, enum naru_log_level level, const struct tcp_conn *c, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));
#define TCP_LOG(stack, level, c, ...)                                      \
    do {                                                                   \
        if (naru_log_enabled((stack), (level)))                            \
            tcp_log_conn((stack), (level), (c), __VA_ARGS__);              \
    } while (0)
#define TCP_DEBUG(stack, c, ...) TCP_LOG(stack, NARU_LOG_DEBUG, c, __VA_ARGS__)
#define TCP_INFO(stack, c, ...) TCP_LOG(stack, NARU_LOG_INFO, c, __VA_ARGS__)

/* ---- tcp_isn.c ---- */
/* RFC 6528: M + F(localip, localport, remoteip, remoteport, secretkey). */
uint32_t tcp_isn(struct naru_stack *stack, const struct tcp_conn *c);
/* RFC 7323 7.1: a per-connection offset for TSval; of a 4-tuple. */
uint32_t tcp_ts_offset(struct naru_stack *stack, const struct tcp_conn *c);
uint32_t tcp_ts_offset_of(struct naru_stack *stack, const struct naru_addr *laddr, const struct naru_addr *raddr,
                          uint16_t lport, uint16_t rport);

/* ---- tcp_listen.c ---- */
/* listen(): the listener's connection limit (tcp_listener_connections):
 * 0 or -ENOMEM. */
int tcp_listen_start(struct naru_stack *stack, struct tcp_conn *l);
/* c no longer counts against its listener's limit (it entered TIME-WAIT,
 * or goes); a listener lets go of its share. */
void tcp_quota_release(struct tcp_conn *c);
/* A segment for no connection, to listener l (RFC 9293 3.10.7.2): a SYN
 * opens a half-open connection or is answered with a cookie; an ACK that
 * gives back a valid cookie returns the connection it stands for, in
 * SYN-RECEIVED, for the caller to take the segment as the handshake's
 * last; anything else NULL. iss_floor (or NULL): the new ISN must lie
 * above it (a SYN reopening TIME-WAIT). */
struct tcp_conn *tcp_listen_input(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                                  const struct naru_addr *dst, const struct tcp_header *h, uint32_t seg_len,
                                  const uint32_t *iss_floor);
/* SYN-ACK retransmissions a half-open connection gets, now. */
uint8_t tcp_synack_retries(struct naru_stack *stack, const struct tcp_conn *c);

/* ---- tcp_output.c ---- */
/* Send what the state, the windows and the rules allow; at least an ACK if
 * one is owed. */
void tcp_output(struct naru_stack *stack, struct tcp_conn *c);
/* Send one segment at seq with len bytes of data from the send ring. */
void tcp_send_segment(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len,
                      uint8_t flags);
void tcp_send_ack(struct naru_stack *stack, struct tcp_conn *c);
/* Owe the peer an ACK at the end of the input batch (tcp_output.c says
 * what a batch is); any segment we send first carries it instead. */
void tcp_ack_at_batch_end(struct naru_stack *stack, struct tcp_conn *c);
/* Send what the ACKs of this batch let out at its end, in one TSO frame
 * rather than one per ACK (tcp_output.c). */
void tcp_send_at_batch_end(struct naru_stack *stack, struct tcp_conn *c);
/* An ACK went: the one owed at the batch's end is not. */
void tcp_ack_batch_cancel(struct naru_stack *stack, struct tcp_conn *c);
/* The connection goes: it owes nothing any more. */
void tcp_batch_forget(struct naru_stack *stack, struct tcp_conn *c);
/* A segment the peer must answer with an ACK carrying its window:
 * <SEQ=SND.UNA-1><ACK=RCV.NXT>, for zero-window and keepalive probes. */
void tcp_send_probe(struct naru_stack *stack, struct tcp_conn *c);
/* Send one segment of what the peer's window allows now, ignoring Nagle
 * and silly-window avoidance (the persist timer's override). */
void tcp_send_forced(struct naru_stack *stack, struct tcp_conn *c);
/* Retransmit [seq, seq + len) during loss recovery; moves HighRxt. */
void tcp_retransmit_hole(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, uint32_t len);
/* One segment of new data (or our FIN alone) from SND.NXT, of what the
 * windows, room bytes and the sender's rules allow; false if none may go. */
bool tcp_send_new_segment(struct naru_stack *stack, struct tcp_conn *c, uint32_t room);
/* A reset on a connection: <SEQ=seq><CTL=RST>, or with ACK=RCV.NXT. */
void tcp_send_rst(struct naru_stack *stack, struct tcp_conn *c, uint32_t seq, bool with_ack);
/* A reset answering a segment no connection wants (RFC 9293 3.10.7.1),
 * subject to the rate limit. */
void tcp_send_rst_reply(struct naru_stack *stack, const struct naru_addr *src, const struct naru_addr *dst,
                        const struct tcp_header *in, uint32_t seg_len);
/* The window to advertise now (after RFC 9293 3.8.6.2.2), unscaled; moves
 * rcv_adv. */
uint32_t tcp_select_window(struct tcp_conn *c);
/* The segment size and options for the route, once options are known. */
void tcp_set_mss(struct naru_stack *stack, struct tcp_conn *c);
uint16_t tcp_route_mss(struct naru_stack *stack, const struct naru_addr *dst);
/* The MTU of the path to dst as segments are sized for it: the path MTU
 * cache's, else the route's interface's (a frame buffer's, to ourselves);
 * 0 with no route. */
uint32_t tcp_path_mtu(struct naru_stack *stack, const struct naru_addr *dst);

/* ---- tcp_mtu.c ---- */
/* Size segments for the path MTU now. If they shrank, what was sent too
 * big is to go again; returns true then (the caller sends). */
bool tcp_mtu_changed(struct naru_stack *stack, struct tcp_conn *c);
/* The routing table's version moved (routes, the path MTU cache): does
 * the path MTU differ from what the segments are sized for? */
void tcp_path_changed(struct naru_stack *stack, struct tcp_conn *c);
uint32_t tcp_ts_now(const struct naru_stack *stack, const struct tcp_conn *c);
/* Bytes of the send ring not yet sent: SND.NXT to the end of the data. */
uint32_t tcp_unsent(const struct tcp_conn *c);
/* Data bytes a segment may carry now, its SACK blocks taken out. */
uint32_t tcp_current_mss(const struct tcp_conn *c);
static inline uint32_t tcp_snd_end(const struct tcp_conn *c)
{
    return c->snd_buf_seq + c->snd_buf.len;
}
/* The end of the data sent so far (our FIN not counted). */
static inline uint32_t tcp_sent_data_end(const struct tcp_conn *c)
{
    return seq_min(c->snd_max, tcp_snd_end(c));
}
/* The window to advertise would grow enough to be worth an update. */
bool tcp_window_update_due(const struct tcp_conn *c);
/* Autotuning: the send buffer would be grown by the next send(); grow it;
 * fold an application read into the receive-buffer measurement. */
bool tcp_snd_buf_growable(const struct naru_stack *stack, const struct tcp_conn *c);
void tcp_snd_buf_grow(struct naru_stack *stack, struct tcp_conn *c);
void tcp_rcv_buf_adjust(struct naru_stack *stack, struct tcp_conn *c, uint32_t read);
/* The shift for our window: from the largest buffer the connection may
 * grow to. */
uint8_t tcp_rcv_wscale(const struct naru_stack *stack, const struct tcp_conn *c);

/* ---- tcp_timer.c ---- */
void tcp_conn_timers_init(struct tcp_conn *c);
void tcp_conn_timers_stop(struct naru_stack *stack, struct tcp_conn *c);
/* RFC 6298 5.1-5.3: start, restart or stop the retransmission timer. */
void tcp_rtx_arm(struct naru_stack *stack, struct tcp_conn *c);
void tcp_rtx_restart(struct naru_stack *stack, struct tcp_conn *c);
void tcp_rtx_stop(struct naru_stack *stack, struct tcp_conn *c);
/* Set the retransmission timer's mode and when it acts (RACK-TLP's PTO and
 * reordering timer share it with the RTO). */
void tcp_rtx_set(struct naru_stack *stack, struct tcp_conn *c, enum tcp_rtx_mode mode, naru_time_t when);
void tcp_persist_arm(struct naru_stack *stack, struct tcp_conn *c);
void tcp_delack_arm(struct naru_stack *stack, struct tcp_conn *c);
void tcp_delack_stop(struct naru_stack *stack, struct tcp_conn *c);
void tcp_keepalive_arm(struct naru_stack *stack, struct tcp_conn *c);
void tcp_idle_arm(struct naru_stack *stack, struct tcp_conn *c, enum tcp_idle_mode mode, naru_time_t after);
/* RFC 6298 2.3 with the configured minimum as the floor of the variance
 * term (see tcp_timer.c), within the ceiling. */
naru_time_t tcp_rto_from(const struct naru_stack *stack, naru_time_t srtt, naru_time_t rttvar);
/* RFC 6298 2: fold in one round-trip sample. */
void tcp_rtt_sample(struct naru_stack *stack, struct tcp_conn *c, naru_time_t rtt);
/* Enter TIME-WAIT (RFC 9293 3.10.7.4): buffers go, the 2*MSL timer runs. */
void tcp_enter_time_wait(struct naru_stack *stack, struct tcp_conn *c);

/* ---- tcp_input.c ---- */
/* The options of a SYN or SYN-ACK decide what the connection uses. */
void tcp_take_syn_options(struct naru_stack *stack, struct tcp_conn *c, const struct tcp_options *o);
/* The connection failed or was reset: the user hears `err` (0 for none). */
void tcp_abort(struct naru_stack *stack, struct tcp_conn *c, int err);
/* Connection became ESTABLISHED (either side): set up congestion control
 * and loss recovery. */
void tcp_established(struct naru_stack *stack, struct tcp_conn *c);

/* ---- tcp_socket.c ---- */
/* Rate limit for RFC 5961 challenge ACKs (RFC 5961 7). */
bool tcp_challenge_allowed(struct naru_stack *stack);
/* For tests: every connection created from now on starts at this ISN. */
void tcp_debug_set_isn(struct naru_stack *stack, uint32_t isn);
struct tcp_conn *tcp_debug_conn(struct naru_stack *stack, int sock);

/* The smallest window scale that lets the window field cover the buffer. */
static inline uint8_t tcp_choose_wscale(uint32_t buffer)
{
    uint8_t shift = 0;
    while (shift < 14 && (buffer >> shift) > 65535)
        shift++;
    return shift;
}

#define TCP_DEFAULT_MSS 536    /* RFC 9293 3.7.1, IPv4 */
#define TCP_TS_OPTION_LEN 12   /* with its two NOPs */
#define TCP_MAX_WSCALE 14      /* RFC 7323 2.3 */
#define TCP_INITIAL_WINDOW_SEGMENTS 10 /* RFC 6928 */
#define TCP_MAX_BURST 16       /* segments an ACK may release beyond those it acknowledged */

#endif
