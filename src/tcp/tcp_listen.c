/* A listener's side of opening (RFC 9293 3.10.7.2, LISTEN), and what keeps
 * it serving through floods and crowds:
 *  - a SYN makes a half-open connection on the listener's list; when the
 *    list is full a SYN cookie answers without state (RFC 4987 3.6,
 *    tcp_syncookie.c), or, with cookies off, the oldest half-open
 *    connection gives way (RFC 4987 3.4); with the list half full,
 *    half-open connections get one SYN-ACK retransmission, not five;
 *  - with tcp_syn_budget set, an input batch (what the stack is handed
 *    between two polls) has each listener answer at most that many SYNs:
 *    once a flood fills the host's reads, the SYNs beyond go unanswered
 *    and the rest of the batch, the segments of connections already open,
 *    keeps its share of the CPU (off by default: README.md says why);
 *  - each listener's connections count against a limit of its own
 *    (tcp_listener_connections), so a crowd on one port never takes the
 *    room of another's.
 */
#include "tcp/tcp_conn.h"

#include <stdlib.h>

#include "stack.h"
#include "tcp/tcp.h"
#include "tcp/tcp_seq.h"
#include "tcp/tcp_syncookie.h"

/* What a listener's connections hold: shared by the listener and its
 * children, freed when the last of them lets go. */
struct tcp_quota {
    struct tcp_conn *listener; /* NULL once it has gone */
    uint32_t conns;            /* children from SYN-RECEIVED until TIME-WAIT or the end */
    uint32_t limit;            /* 0: none of its own (the stack's pool) */
    uint32_t refs;             /* the listener, and each child counted */
};

int tcp_listen_start(struct naru_stack *stack, struct tcp_conn *l)
{
    if (l->quota)
        return 0;
    struct tcp_quota *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    q->listener = l;
    q->limit = stack->config.tcp_listener_connections;
    q->refs = 1;
    l->quota = q;
    return 0;
}

void tcp_quota_release(struct tcp_conn *c)
{
    struct tcp_quota *q = c->quota;
    if (!q)
        return;
    c->quota = NULL;
    if (q->listener == c)
        q->listener = NULL;
    else
        q->conns--;
    if (--q->refs == 0)
        free(q);
}

static bool at_connection_limit(const struct tcp_conn *l)
{
    return l->quota && l->quota->limit && l->quota->conns >= l->quota->limit;
}

void tcp_listen_batch_end(struct naru_stack *stack)
{
    stack->tcp->batch_serial++;
}

/* May l answer one more SYN in this input batch? */
static bool syn_budget_take(struct naru_stack *stack, struct tcp_conn *l)
{
    uint32_t budget = stack->config.tcp_syn_budget;
    if (!budget)
        return true;
    if (l->syn_batch != stack->tcp->batch_serial) {
        l->syn_batch = stack->tcp->batch_serial;
        l->syn_batch_count = 0;
    }
    if (l->syn_batch_count >= budget)
        return false;
    l->syn_batch_count++;
    return true;
}

uint8_t tcp_synack_retries(struct naru_stack *stack, const struct tcp_conn *c)
{
    uint8_t limit = stack->config.tcp_synack_retries;
    const struct tcp_conn *l = c->listener;
    /* Under pressure (the list half full), one retransmission: a peer that
     * is there answers the SYN-ACK within a round trip, or the one sent a
     * second later, so entries that outlive that are most likely a flood's
     * spoofed ones. Linux prunes its queue in the same spirit
     * (reqsk_timer_handler). Called when the timer fires: a connection it
     * gives up on early is counted here. */
    if (!l || limit <= 1 || l->half_open.count < stack->config.tcp_half_open / 2)
        return limit;
    if (c->retries >= 1 && c->retries < limit)
        stack->counters.tcp_half_open_pruned++;
    return 1;
}

/* A connection for a SYN (real, or the one a cookie stands for) from the
 * peer src to l: identity, settings and options, with RCV.NXT after irs. */
static struct tcp_conn *child_new(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                                  const struct naru_addr *dst, const struct tcp_header *h, uint32_t irs,
                                  const struct tcp_options *syn)
{
    struct tcp_conn *c = tcp_conn_alloc(stack);
    if (!c)
        return NULL;
    tcp_conn_set_tuple(c, dst, h->dst_port, src, h->src_port);
    c->listener = l;
    c->passive = true;
    c->opened = true;
    c->snd_buf_size = l->snd_buf_size;
    c->rcv_buf_size = l->rcv_buf_size;
    c->nodelay = l->nodelay;
    c->keepalive = l->keepalive;
    c->reuseaddr = l->reuseaddr;
    c->cc = l->cc;
    c->rcv_buf_locked = l->rcv_buf_locked;
    c->snd_buf_locked = l->snd_buf_locked;
    if (l->quota) {
        c->quota = l->quota;
        c->quota->conns++;
        c->quota->refs++;
    }
    /* RFC 9293 3.10.7.2: RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ; data on
     * the SYN is not acknowledged, so the peer sends it again. */
    c->irs = irs;
    c->rcv_nxt = irs + 1;
    c->rcv_adv = c->rcv_nxt;
    c->last_ack_sent = c->rcv_nxt;
    c->rcv_wscale = tcp_rcv_wscale(stack, c);
    tcp_take_syn_options(stack, c, syn);
    c->adv_mss = tcp_route_mss(stack, &c->remote_addr);
    c->rcv_mss = c->adv_mss < TCP_DEFAULT_MSS ? c->adv_mss : TCP_DEFAULT_MSS;
    tcp_set_mss(stack, c);
    c->ts_offset = tcp_ts_offset(stack, c);
    return c;
}

/* A SYN: a half-open connection, and our SYN-ACK. */
static void open_half(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                      const struct naru_addr *dst, const struct tcp_header *h, const uint32_t *iss_floor)
{
    struct tcp_conn *c = child_new(stack, l, src, dst, h, h->seq, &h->options);
    if (!c)
        return; /* counted: tcp_conn_limit */
    c->iss = tcp_isn(stack, c);
    if (iss_floor && seq_le(c->iss, *iss_floor))
        c->iss = *iss_floor + 65536;
    c->snd_una = c->snd_nxt = c->snd_max = c->snd_small_end = c->iss;
    c->snd_buf_seq = c->iss + 1;
    /* RFC 7323 2.2: the window of a SYN is not scaled. */
    c->snd_wnd = h->window;
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = c->iss;
    c->state = TCP_SYN_RECEIVED;
    tcp_conn_hash(stack, c);
    tcp_conn_set_list(stack, c, TCP_ON_HALF_OPEN);
    stack->counters.tcp_passive_opens++;
    tcp_output(stack, c);
}

/* The connection a valid cookie stands for, as if it had been half-open
 * all along: SYN-RECEIVED, our SYN-ACK sent (its ISN the cookie), on no
 * list; the caller takes the ACK as the handshake's last. */
static struct tcp_conn *open_from_cookie(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                                         const struct naru_addr *dst, const struct tcp_header *h,
                                         const struct tcp_syncookie_options *o)
{
    struct tcp_options syn = {
        .mss_present = true,
        .mss = o->mss,
        .wscale_present = o->wscale_ok,
        .wscale = o->wscale,
        .sack_permitted = o->sack,
        .timestamps_present = o->ts,
        .ts_val = h->options.ts_val,
    };
    struct tcp_conn *c = child_new(stack, l, src, dst, h, h->seq - 1, &syn);
    if (!c)
        return NULL;
    c->iss = h->ack - 1;
    c->snd_una = c->snd_small_end = c->iss;
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->snd_buf_seq = c->iss + 1;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    /* The window our SYN-ACK offered (tcp_syncookie_send()). */
    c->rcv_adv = c->rcv_nxt + (c->rcv_buf_size < 65535 ? c->rcv_buf_size : 65535);
    if (c->ts_ok) {
        /* The echo of our SYN-ACK's TSval is no round-trip sample: its
         * low bits were the cookie's. Samples start with the segments we
         * send next (as after a timeout, tcp_timer.c). */
        c->rto_tsval = tcp_ts_now(stack, c) + 1;
        c->rto_ts_pending = true;
    }
    c->state = TCP_SYN_RECEIVED;
    tcp_conn_hash(stack, c);
    stack->counters.tcp_passive_opens++;
    return c;
}

struct tcp_conn *tcp_listen_input(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                                  const struct naru_addr *dst, const struct tcp_header *h, uint32_t seg_len,
                                  const uint32_t *iss_floor)
{
    uint8_t flags = h->flags;
    /* First, RST: ignored. */
    if (flags & TCP_RST)
        return NULL;
    /* Second, ACK: no connection expects it, unless it gives back a
     * cookie; otherwise <SEQ=SEG.ACK><CTL=RST>. */
    if (flags & TCP_ACK) {
        struct tcp_syncookie_options o;
        if (!(flags & TCP_SYN) && tcp_syncookie_accept(stack, l, src, dst, h, &o) == 0) {
            if (at_connection_limit(l)) {
                stack->counters.tcp_listen_conn_limit++;
            } else if (l->accept_queue.count >= l->backlog) {
                /* As for a half-open connection (tcp_input.c): dropped,
                 * and the cookie is still good when the peer tries again. */
                stack->counters.tcp_listen_overflows++;
                return NULL;
            } else {
                return open_from_cookie(stack, l, src, dst, h, &o);
            }
        }
        tcp_send_rst_reply(stack, src, dst, h, seg_len);
        return NULL;
    }
    /* Third, SYN. */
    if (!(flags & TCP_SYN))
        return NULL;
    if (!syn_budget_take(stack, l)) {
        stack->counters.tcp_syn_budget_drops++;
        return NULL;
    }
    if (at_connection_limit(l)) {
        /* The listener holds all the connections it may: a reset, so the
         * client learns at once (ECONNREFUSED) rather than retrying for two
         * minutes against a server that may stay full as long. The reset
         * is rate-limited (tcp_rst_rate), as any reply to a segment that
         * costs its sender nothing. */
        stack->counters.tcp_listen_conn_limit++;
        tcp_send_rst_reply(stack, src, dst, h, seg_len);
        return NULL;
    }
    if (l->accept_queue.count >= l->backlog) {
        /* The application is behind: like Linux, the SYN goes unanswered
         * and the client's retransmission may find room. */
        stack->counters.tcp_listen_overflows++;
        return NULL;
    }
    uint8_t cookies = stack->config.tcp_syncookies;
    if (cookies == NARU_TCP_SYNCOOKIES_ALWAYS ||
        (cookies && l->half_open.count >= stack->config.tcp_half_open)) {
        tcp_syncookie_send(stack, l, src, dst, h);
        return NULL;
    }
    if (l->half_open.count >= stack->config.tcp_half_open) {
        if (!l->half_open.head) {
            stack->counters.tcp_listen_half_open_drops++; /* a list of size 0 */
            return NULL;
        }
        /* RFC 4987 3.4: the oldest half-open connection gives way. */
        stack->counters.tcp_half_open_recycled++;
        tcp_conn_finish(stack, l->half_open.head);
    }
    open_half(stack, l, src, dst, h, iss_floor);
    return NULL;
}
