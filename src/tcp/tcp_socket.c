/* The tcp_* functions the socket layer calls: RFC 9293 3.10's user calls
 * (OPEN, SEND, RECEIVE, CLOSE, ABORT, STATUS) in BSD clothes, non-blocking,
 * with the error values socket users expect. */
#include "tcp/tcp.h"

#include "ip/ip.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "tcp/tcp_seq.h"

#define TCP_MIN_BUFFER 2048

int tcp_sock_init(struct naru_stack *stack, struct sock *s)
{
    struct tcp_conn *c = tcp_conn_alloc(stack);
    if (!c)
        return -ENOBUFS;
    c->sock = s;
    s->tcp = c;
    return 0;
}

/* A connection that has been used once is replaced by a fresh one that
 * keeps the user's settings (connect() again after a failure). */
static struct tcp_conn *fresh_conn(struct naru_stack *stack, struct sock *s)
{
    struct tcp_conn *old = s->tcp;
    if (!old->opened)
        return old;
    struct tcp_conn *c = tcp_conn_alloc(stack);
    if (!c)
        return NULL;
    c->snd_buf_size = old->snd_buf_size;
    c->rcv_buf_size = old->rcv_buf_size;
    c->snd_buf_locked = old->snd_buf_locked;
    c->rcv_buf_locked = old->rcv_buf_locked;
    c->nodelay = old->nodelay;
    c->keepalive = old->keepalive;
    c->reuseaddr = old->reuseaddr;
    c->cc = old->cc;
    old->sock = NULL;
    tcp_conn_finish(stack, old);
    c->sock = s;
    s->tcp = c;
    return c;
}

int tcp_connect(struct naru_stack *stack, struct sock *s, const struct sock_addr *to)
{
    struct tcp_conn *c = s->tcp;
    switch (c->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        return -EALREADY;
    case TCP_LISTEN:
        return -EINVAL;
    case TCP_CLOSED:
        break;
    default:
        return -EISCONN;
    }
    if (s->error)
        return sock_take_error(s); /* like a second connect() after a non-blocking one failed */
    if (to->port == 0)
        return -EINVAL;
    struct naru_addr src = s->local.addr;
    if (sock_addr_is_wildcard(&src)) {
        int err = ip_select_source_scoped(stack, &to->addr, to->scope_id, &src);
        if (err < 0)
            return err;
    }
    uint16_t lport = s->bound ? s->local.port : 0;
    if (lport) {
        if (!tcp_tuple_free(stack, &src, lport, &to->addr, to->port))
            return -EADDRINUSE;
    } else {
        lport = tcp_ephemeral_port(stack, s, &src, &to->addr, to->port);
        if (!lport)
            return -EADDRNOTAVAIL;
    }
    c = fresh_conn(stack, s);
    if (!c)
        return -ENOBUFS;
    tcp_conn_set_tuple(c, &src, lport, &to->addr, to->port);
    c->rcv_wscale = stack->config.tcp_window_scaling ? tcp_rcv_wscale(stack, c) : 0;
    if (s->bound)
        s->local.addr = src; /* the port, which indexes it, stays */
    else
        sock_set_bound(stack, s, &src, lport);
    s->remote = *to;
    c->adv_mss = tcp_route_mss(stack, &to->addr);
    c->rcv_mss = c->adv_mss < TCP_DEFAULT_MSS ? c->adv_mss : TCP_DEFAULT_MSS;
    c->ts_offset = tcp_ts_offset(stack, c);
    c->iss = tcp_isn(stack, c);
    c->snd_una = c->snd_nxt = c->snd_max = c->snd_small_end = c->iss;
    c->snd_buf_seq = c->iss + 1;
    c->state = TCP_SYN_SENT;
    c->opened = true;
    tcp_conn_hash(stack, c);
    stack->counters.tcp_active_opens++;
    tcp_output(stack, c);
    tcp_reap(stack);
    return -EINPROGRESS;
}

int tcp_listen(struct naru_stack *stack, struct sock *s, int backlog)
{
    struct tcp_conn *c = s->tcp;
    uint32_t max = stack->config.tcp_backlog_max ? stack->config.tcp_backlog_max : 1;
    uint32_t b = backlog < 1 ? 1 : (uint32_t)backlog;
    if (b > max)
        b = max;
    if (c->state == TCP_LISTEN) {
        c->backlog = b;
        return 0;
    }
    if (c->state != TCP_CLOSED || c->opened)
        return -EINVAL;
    /* One listener per port and address (no SO_REUSEPORT). */
    struct tcp_table *t = stack->tcp;
    for (struct tcp_conn *l = t->listen_buckets[s->local.port & t->listen_mask]; l; l = l->hash_next)
        if (l->local_port == s->local.port && sock_addrs_overlap(&l->local_addr, &s->local.addr))
            return -EADDRINUSE;
    if (tcp_listen_start(stack, c) < 0)
        return -ENOMEM;
    c->local_addr = s->local.addr;
    c->local_port = s->local.port;
    c->backlog = b;
    c->state = TCP_LISTEN;
    tcp_conn_hash(stack, c);
    return 0;
}

int tcp_accept(struct naru_stack *stack, struct sock *s, struct sock_addr *peer)
{
    struct tcp_conn *l = s->tcp;
    if (l->state != TCP_LISTEN)
        return -EINVAL;
    struct tcp_conn *c = l->accept_queue.head;
    if (!c)
        return -EAGAIN;
    struct sock *ns = sock_alloc(stack, NARU_SOCK_STREAM);
    if (!ns)
        return -EMFILE;
    tcp_conn_set_list(stack, c, TCP_ON_NO_LIST);
    c->listener = NULL;
    c->sock = ns;
    ns->tcp = c;
    sock_set_bound(stack, ns, &c->local_addr, c->local_port);
    ns->connected = true;
    ns->remote.addr = c->remote_addr;
    ns->remote.port = c->remote_port;
    ns->reuseaddr = s->reuseaddr;
    ns->v6only = s->v6only;
    ns->ttl = s->ttl;
    ns->hop_limit = s->hop_limit;
    if (peer)
        *peer = ns->remote;
    return sock_handle(stack, ns);
}

static bool fin_received(const struct tcp_conn *c)
{
    return c->state == TCP_CLOSE_WAIT || c->state == TCP_CLOSING || c->state == TCP_LAST_ACK ||
           c->state == TCP_TIME_WAIT;
}

static bool was_opened(const struct tcp_conn *c)
{
    return c->opened;
}

long tcp_send(struct naru_stack *stack, struct sock *s, const void *data, size_t len)
{
    struct tcp_conn *c = s->tcp;
    if (s->error)
        return sock_take_error(s);
    switch (c->state) {
    case TCP_CLOSED:
        return was_opened(c) ? -EPIPE : -ENOTCONN;
    case TCP_LISTEN:
        return -ENOTCONN;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED: /* RFC 9293 3.10.2: queued until ESTABLISHED */
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
        break;
    default:
        return -EPIPE;
    }
    if (c->fin_queued)
        return -EPIPE;
    if (len == 0)
        return 0;
    uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    if (tcp_conn_snd_ring(stack, c) < 0)
        return -ENOMEM;
    if (ring_free(&c->snd_buf) < want && tcp_snd_buf_growable(stack, c))
        tcp_snd_buf_grow(stack, c);
    uint32_t n = ring_write(&c->snd_buf, data, want);
    if (n == 0)
        return -EAGAIN;
    tcp_rack_init(stack, c); /* once there is data to send (recovery.h) */
    tcp_output(stack, c);
    tcp_reap(stack);
    return (long)n;
}

long tcp_recv(struct naru_stack *stack, struct sock *s, void *buf, size_t len, int flags)
{
    struct tcp_conn *c = s->tcp;
    if (c->rcv_buf.len && len) {
        uint32_t n = len < c->rcv_buf.len ? (uint32_t)len : c->rcv_buf.len;
        ring_peek(&c->rcv_buf, 0, buf, n);
        if (!(flags & NARU_MSG_PEEK)) {
            ring_consume(&c->rcv_buf, n);
            tcp_rcv_buf_adjust(stack, c, n);
            tcp_conn_release_idle_rings(c);
            /* RFC 1122 4.2.3.3 / RFC 9293 3.8.6.2.2: tell the peer when the
             * window has opened enough to matter, at the end of the batch
             * (tcp_output.c): a read inside one shares its ACK. */
            if (c->state != TCP_CLOSED && c->state != TCP_TIME_WAIT && tcp_window_update_due(c))
                tcp_ack_at_batch_end(stack, c);
        }
        return (long)n;
    }
    if (s->error)
        return sock_take_error(s);
    switch (c->state) {
    case TCP_CLOSED:
        return was_opened(c) ? 0 : -ENOTCONN;
    case TCP_LISTEN:
        return -ENOTCONN;
    default:
        break;
    }
    if (len == 0 || fin_received(c) || c->rd_shutdown)
        return 0;
    return -EAGAIN;
}

/* RFC 9293 3.10.4 CLOSE, for the sending half: the FIN follows the data. */
static void queue_fin(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->fin_queued)
        return;
    c->fin_queued = true;
    c->snd_fin_seq = tcp_snd_end(c);
    switch (c->state) {
    case TCP_ESTABLISHED:
        c->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        c->state = TCP_LAST_ACK;
        break;
    default:
        break; /* SYN-SENT, SYN-RECEIVED: once ESTABLISHED (tcp_established) */
    }
    tcp_output(stack, c);
}

int tcp_shutdown(struct naru_stack *stack, struct sock *s, int how)
{
    struct tcp_conn *c = s->tcp;
    if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
        return -ENOTCONN;
    if (how == NARU_SHUT_RD || how == NARU_SHUT_RDWR) {
        c->rd_shutdown = true;
        tcp_wake(stack, c);
    }
    if (how == NARU_SHUT_WR || how == NARU_SHUT_RDWR)
        queue_fin(stack, c);
    tcp_reap(stack);
    return 0;
}

static void close_listener(struct naru_stack *stack, struct tcp_conn *l)
{
    /* Half-open children vanish; established ones nobody accepted are
     * reset, as Linux does, so their peers do not wait in vain. */
    while (l->half_open.head)
        tcp_conn_finish(stack, l->half_open.head);
    while (l->accept_queue.head) {
        struct tcp_conn *c = l->accept_queue.head;
        tcp_send_rst(stack, c, c->snd_max, true);
        tcp_conn_finish(stack, c);
    }
    tcp_conn_finish(stack, l);
}

void tcp_close(struct naru_stack *stack, struct sock *s)
{
    struct tcp_conn *c = s->tcp;
    s->tcp = NULL;
    c->sock = NULL;
    switch (c->state) {
    case TCP_CLOSED:
    case TCP_SYN_SENT:
        tcp_conn_finish(stack, c);
        break;
    case TCP_LISTEN:
        close_listener(stack, c);
        break;
    default:
        if (c->rcv_buf.len && c->state != TCP_TIME_WAIT) {
            /* RFC 2525 2.17, as Linux: closing with unread data loses it,
             * and the peer is told with a reset. */
            stack->counters.tcp_abort_on_close++;
            tcp_send_rst(stack, c, c->snd_max, true);
            tcp_abort(stack, c, 0);
            break;
        }
        tcp_conn_set_list(stack, c, TCP_ON_ORPHANS);
        c->rd_shutdown = true;
        ring_fini(&c->rcv_buf);
        if (c->state == TCP_FIN_WAIT_2)
            tcp_idle_arm(stack, c, TCP_IDLE_FIN_WAIT_2, stack->config.tcp_fin_timeout);
        if (c->state != TCP_TIME_WAIT)
            queue_fin(stack, c);
        break;
    }
    tcp_reap(stack);
}

unsigned tcp_poll_events(const struct naru_stack *stack, struct sock *s)
{
    (void)stack;
    const struct tcp_conn *c = s->tcp;
    unsigned ev = s->error ? NARU_POLLERR : 0;
    switch (c->state) {
    case TCP_LISTEN:
        return ev | (c->accept_queue.count ? NARU_POLLIN : 0);
    case TCP_CLOSED:
        /* Like Linux: a fresh socket is hung up and writable; a finished
         * connection also reads (its error, or end of file). */
        return ev | NARU_POLLHUP | NARU_POLLOUT | (was_opened(c) ? NARU_POLLIN : 0);
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
        return ev;
    default:
        break;
    }
    if (c->rcv_buf.len || fin_received(c) || c->rd_shutdown)
        ev |= NARU_POLLIN;
    if (c->fin_queued) {
        ev |= NARU_POLLOUT; /* send() fails at once with EPIPE */
        if (fin_received(c))
            ev |= NARU_POLLHUP;
    } else if (!c->snd_buf.data ||
               (ring_free(&c->snd_buf) > 0 &&
                (c->snd_buf_locked || ring_free(&c->snd_buf) >= c->snd_buf.len / 2)) ||
               tcp_snd_buf_growable(stack, c)) {
        /* Linux's rule: writable while the free space is at least half
         * what is queued (or the next send() will grow the buffer). No
         * ring yet: send() makes one. A buffer set with SO_SNDBUF is
         * writable while it has room: Linux doubles that value (socket(7))
         * and the rule holds against the double, so payload up to the
         * value itself never blocks there; with the rule against the value
         * alone, a sender refilled only at a third free, and a flow with
         * fixed buffers kept about 2/3 of them in flight. */
        ev |= NARU_POLLOUT;
    }
    return ev;
}

static int set_buffer(struct tcp_conn *c, bool receive, int value, uint32_t max)
{
    uint32_t size = (uint32_t)value;
    if (size < TCP_MIN_BUFFER)
        size = TCP_MIN_BUFFER;
    if (size > max)
        size = max;
    struct tcp_ring *ring = receive ? &c->rcv_buf : &c->snd_buf;
    if (ring->data) {
        /* Live: grow only, keeping what is in it; the window scale chosen
         * at the handshake caps what the receive side can offer. */
        uint32_t ring_size = receive ? size + (1u << c->rcv_wscale) : size;
        if (ring_size <= ring->limit)
            return 0;
        if (ring_resize(ring, ring_size) < 0)
            return -ENOMEM;
    }
    if (receive)
        c->rcv_buf_size = size;
    else
        c->snd_buf_size = size;
    return 0;
}

int tcp_setsockopt(struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int value)
{
    struct tcp_conn *c = s->tcp;
    int err = 0;
    switch (opt) {
    case NARU_SO_RCVBUF:
    case NARU_SO_SNDBUF:
        if (value <= 0)
            return -EINVAL;
        if (opt == NARU_SO_RCVBUF && c->ooo.count)
            return -EBUSY; /* out-of-order bytes sit at offsets in the ring */
        /* Like Linux: a size the user chose is kept, not autotuned. */
        if (opt == NARU_SO_RCVBUF)
            c->rcv_buf_locked = true;
        else
            c->snd_buf_locked = true;
        return set_buffer(c, opt == NARU_SO_RCVBUF, value, stack->config.tcp_max_buffer);
    case NARU_SO_KEEPALIVE:
        c->keepalive = value != 0;
        if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
            tcp_keepalive_arm(stack, c);
        break;
    case NARU_TCP_NODELAY:
        c->nodelay = value != 0;
        if (c->nodelay)
            tcp_output(stack, c); /* what Nagle held goes now */
        break;
    case NARU_TCP_CONGESTION:
        if (value != NARU_TCP_CC_NEWRENO && value != NARU_TCP_CC_CUBIC)
            return -EINVAL;
        if (c->cc != tcp_cc_by_id(value)) {
            c->cc = tcp_cc_by_id(value);
            c->cc->init(c);
        }
        break;
    default:
        err = -ENOPROTOOPT;
        break;
    }
    tcp_reap(stack);
    return err;
}

int tcp_getsockopt(const struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int *value)
{
    (void)stack;
    const struct tcp_conn *c = s->tcp;
    switch (opt) {
    case NARU_SO_RCVBUF:
        *value = (int)c->rcv_buf_size;
        return 0;
    case NARU_SO_SNDBUF:
        *value = (int)c->snd_buf_size;
        return 0;
    case NARU_SO_KEEPALIVE:
        *value = c->keepalive;
        return 0;
    case NARU_TCP_NODELAY:
        *value = c->nodelay;
        return 0;
    case NARU_TCP_CONGESTION:
        *value = c->cc == &tcp_cc_cubic ? NARU_TCP_CC_CUBIC : NARU_TCP_CC_NEWRENO;
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

bool tcp_port_available(struct naru_stack *stack, struct sock *s, const struct naru_addr *addr, uint16_t port)
{
    /* Linux's rule: two sockets may share a port (on overlapping
     * addresses) only if both ask for SO_REUSEADDR and neither listens.
     * Connections the user has closed, TIME-WAIT above all, give way to a
     * socket that asks for SO_REUSEADDR. */
    for (const struct sock *t = sock_bound_first(stack, NARU_SOCK_STREAM, port); t; t = sock_bound_next(t)) {
        if (t == s || !sock_addrs_overlap(&t->local.addr, addr))
            continue;
        bool listening = t->tcp && t->tcp->state == TCP_LISTEN;
        if (!s->reuseaddr || !t->reuseaddr || listening)
            return false;
    }
    return s->reuseaddr || !tcp_orphan_holds_port(stack, addr, port);
}

struct tcp_conn *tcp_debug_conn(struct naru_stack *stack, int sock)
{
    struct sock *s = sock_get(stack, sock);
    return s && s->type == NARU_SOCK_STREAM ? s->tcp : NULL;
}

int naru_tcp_get_info(const struct naru_stack *stack, int sock, struct naru_tcp_info *info)
{
    struct sock *s = sock_get((struct naru_stack *)stack, sock);
    if (!s)
        return -EBADF;
    if (s->type != NARU_SOCK_STREAM || !s->tcp)
        return -EOPNOTSUPP;
    const struct tcp_conn *c = s->tcp;
    memset(info, 0, sizeof *info);
    info->state = (enum naru_tcp_state)c->state;
    info->options = (c->ts_ok ? NARU_TCPI_OPT_TIMESTAMPS : 0) | (c->sack_ok ? NARU_TCPI_OPT_SACK : 0) |
                    (c->ws_ok ? NARU_TCPI_OPT_WSCALE : 0);
    info->snd_wscale = c->snd_wscale;
    info->rcv_wscale = c->rcv_wscale;
    info->congestion = c->cc == &tcp_cc_cubic ? NARU_TCP_CC_CUBIC : NARU_TCP_CC_NEWRENO;
    info->rto_us = (uint32_t)(c->rto / NARU_US);
    info->rtt_us = (uint32_t)(c->srtt / NARU_US);
    info->rttvar_us = (uint32_t)(c->rttvar / NARU_US);
    info->snd_mss = c->snd_mss;
    info->rcv_mss = c->rcv_mss;
    info->snd_cwnd = c->cwnd;
    info->snd_ssthresh = c->ssthresh;
    info->snd_wnd = c->snd_wnd;
    info->rcv_wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    info->unacked = c->snd_max - c->snd_una;
    info->sacked = c->scoreboard.sacked_bytes;
    info->retransmits = c->retries;
    info->backoff = c->retries;
    info->probes = c->probes;
    info->total_retrans = c->total_retrans;
    info->fast_retrans = c->fast_retrans;
    info->bytes_acked = c->bytes_acked;
    info->bytes_received = c->bytes_received;
    info->bytes_sent = c->bytes_sent;
    info->bytes_retrans = c->bytes_retrans;
    info->segs_in = c->segs_in;
    info->segs_out = c->segs_out;
    info->send_queue = c->snd_buf.len;
    info->recv_queue = c->rcv_buf.len;
    info->in_recovery = c->in_recovery;
    return 0;
}

const char *naru_tcp_state_name(enum naru_tcp_state state)
{
    return tcp_state_name((int)state);
}
