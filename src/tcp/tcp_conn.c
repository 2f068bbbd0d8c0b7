/* The connection table: a keyed hash of 4-tuples for demultiplexing (one
 * lookup per segment, never a scan), listeners by port, the lists a
 * connection can be on, and the life cycle of a connection's memory. */
#include "tcp/tcp_conn.h"

#include "tcp/tcp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/random.h"
#include "ip/ip.h"
#include "naru/addr.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp_seq.h"

#define TCP_LISTEN_BUCKETS 64

const char *tcp_state_name(int state)
{
    static const char *const names[] = {
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
    };
    return state >= 0 && state <= TCP_TIME_WAIT ? names[state] : "?";
}

/* Rings the cache keeps now: two for every eighth connection alive (a
 * stream of short connections finds the memory of those that just ended),
 * at least 8, so that after a crowd of connections has gone their memory
 * goes back to malloc rather than staying here. */
static uint32_t cache_keep(const struct tcp_table *t)
{
    uint32_t keep = t->conns / 4;
    return keep < 8 ? 8 : keep;
}

int tcp_init(struct naru_stack *stack)
{
    struct tcp_table *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    uint32_t buckets = 64;
    while (buckets < stack->config.tcp_connections && buckets < (1u << 24))
        buckets <<= 1;
    t->buckets = calloc(buckets, sizeof *t->buckets);
    t->listen_buckets = calloc(TCP_LISTEN_BUCKETS, sizeof *t->listen_buckets);
    t->orphan_port_buckets = calloc(buckets, sizeof *t->orphan_port_buckets);
    /* Rings let go are kept for new connections: rings no larger than the
     * default buffers (with the window-scale slack of the receive ring),
     * as many as a sixteenth of the connections allowed would have, from
     * 4 to 64 connections' worth (64: 18 MiB at 128 KiB buffers), and no
     * more than the connections alive use (cache_keep()). Larger rings
     * (SO_SNDBUF, SO_RCVBUF, autotuning) go back to malloc. */
    uint32_t cached = stack->config.tcp_connections / 16;
    cached = cached < 4 ? 4 : cached > 64 ? 64 : cached;
    uint32_t largest_rcv = stack->config.tcp_recv_buffer + (1u << TCP_MAX_WSCALE);
    uint32_t largest = stack->config.tcp_send_buffer > largest_rcv ? stack->config.tcp_send_buffer : largest_rcv;
    int cache_err = ring_cache_init(&t->ring_cache, 2 * cached, largest, (size_t)cached * 2 * largest);
    if (!t->buckets || !t->listen_buckets || !t->orphan_port_buckets || cache_err < 0) {
        ring_cache_fini(&t->ring_cache);
        free(t->buckets);
        free(t->listen_buckets);
        free(t->orphan_port_buckets);
        free(t);
        return -ENOMEM;
    }
    t->bucket_mask = buckets - 1;
    t->listen_mask = TCP_LISTEN_BUCKETS - 1;
    /* Keys from the stack's secret, not fresh draws: other layers' random
     * streams stay as they were. */
    t->hash_key[0] = siphash24(stack->secret, "tcp-hash-0", 10);
    t->hash_key[1] = siphash24(stack->secret, "tcp-hash-1", 10);
    t->hash_mul[0] = siphash24(stack->secret, "tcp-hash-2", 10) | 1;
    t->hash_mul[1] = siphash24(stack->secret, "tcp-hash-3", 10) | 1;
    t->next_ephemeral = (uint32_t)siphash24(stack->secret, "tcp-ephemeral", 13);
    stack->tcp = t;
    ring_cache_set_keep(&t->ring_cache, cache_keep(t));
    return 0;
}

static void conn_free(struct naru_stack *stack, struct tcp_conn *c)
{
    tcp_quota_release(c);
    tcp_conn_free_buffers(c);
    free(c);
    ring_cache_set_keep(&stack->tcp->ring_cache, cache_keep(stack->tcp));
}

void tcp_fini(struct naru_stack *stack)
{
    struct tcp_table *t = stack->tcp;
    if (!t)
        return;
    /* Detach every socket first: the stack is going away, so nothing is
     * sent and no socket is told. Every connection is reachable from a
     * socket, the 4-tuple table, a listener's lists or the orphan list. */
    for (uint32_t i = 0; i < stack->sockets.count; i++) {
        struct sock *s = sock_get(stack, (int)i);
        if (s && s->type == NARU_SOCK_STREAM && s->tcp) {
            struct tcp_conn *c = s->tcp;
            s->tcp = NULL;
            c->sock = NULL;
            if (!c->hashed && c->list == TCP_ON_NO_LIST && !c->zombie) {
                tcp_conn_timers_stop(stack, c);
                tcp_conn_discard(stack, c);
            }
        }
    }
    for (uint32_t b = 0; b <= t->listen_mask; b++)
        while (t->listen_buckets[b]) {
            struct tcp_conn *l = t->listen_buckets[b];
            while (l->half_open.head)
                tcp_conn_finish(stack, l->half_open.head);
            while (l->accept_queue.head)
                tcp_conn_finish(stack, l->accept_queue.head);
            tcp_conn_finish(stack, l);
        }
    for (uint32_t b = 0; b <= t->bucket_mask; b++)
        while (t->buckets[b])
            tcp_conn_finish(stack, t->buckets[b]);
    while (t->orphans.head)
        tcp_conn_finish(stack, t->orphans.head);
    t->wake_count = 0;
    tcp_reap(stack);
    ring_cache_fini(&t->ring_cache);
    free(t->buckets);
    free(t->listen_buckets);
    free(t->orphan_port_buckets);
    free(t);
    stack->tcp = NULL;
}

struct tcp_conn *tcp_conn_alloc(struct naru_stack *stack)
{
    struct tcp_table *t = stack->tcp;
    if (t->conns >= stack->config.tcp_connections) {
        /* Like Linux's tcp_max_tw_buckets: at the limit, a connection in
         * TIME-WAIT that no socket holds gives way, rather than a new
         * connection being refused. The oldest orphan comes first. */
        for (struct tcp_conn *o = t->orphans.head; o; o = o->next) {
            if (o->state == TCP_TIME_WAIT) {
                stack->counters.tcp_time_wait_recycled++;
                tcp_conn_finish(stack, o);
                break;
            }
        }
    }
    if (t->conns >= stack->config.tcp_connections) {
        stack->counters.tcp_conn_limit++;
        return NULL;
    }
    struct tcp_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    t->conns++;
    ring_cache_set_keep(&t->ring_cache, cache_keep(t));
    c->state = TCP_CLOSED;
    c->snd_buf_size = stack->config.tcp_send_buffer;
    c->rcv_buf_size = stack->config.tcp_recv_buffer;
    c->rto = stack->config.tcp_initial_rto;
    c->cc = tcp_cc_by_id(stack->config.tcp_congestion);
    c->peer_mss = TCP_DEFAULT_MSS;
    c->snd_mss = TCP_DEFAULT_MSS;
    assembler_init(&c->ooo);
    tcp_conn_timers_init(c);
    return c;
}

uint32_t tcp_rcv_ring_size(const struct tcp_conn *c)
{
    return c->rcv_buf_size + (1u << c->rcv_wscale);
}

int tcp_conn_snd_ring(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->snd_buf.data || !c->snd_buf_size)
        return 0;
    return ring_init_cached(&c->snd_buf, c->snd_buf_size, &stack->tcp->ring_cache);
}

int tcp_conn_rcv_ring(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->rcv_buf.data)
        return 0;
    return ring_init_cached(&c->rcv_buf, tcp_rcv_ring_size(c), &stack->tcp->ring_cache);
}

void tcp_conn_release_idle_rings(struct tcp_conn *c)
{
    /* Only rings the cache takes: taking one back costs no more than a
     * look at the cache's last entry, where a larger one would go back to
     * malloc, and perhaps to the system, at every turn. A ring that grew
     * (autotuning, SO_RCVBUF) belongs to a busy connection, and stays.
     * The receive ring must also hold nothing out of order: those bytes
     * sit past its end. */
    if (!c->snd_buf.len && ring_cached(&c->snd_buf))
        ring_fini(&c->snd_buf);
    if (!c->rcv_buf.len && ring_cached(&c->rcv_buf) && assembler_empty(&c->ooo))
        ring_fini(&c->rcv_buf);
}

void tcp_conn_free_buffers(struct tcp_conn *c)
{
    ring_fini(&c->snd_buf);
    tcp_rack_fini(c);
    ring_fini(&c->rcv_buf);
}

/* The bucket of a 4-tuple: every segment asks, so the hash must be cheap,
 * and keyed, or a peer choosing its addresses and ports could fill one
 * bucket and make each lookup a long walk (hash flooding). It need not
 * be a cryptographic hash: nothing here is sent, and its value shows only
 * as timing. Two rounds of xor with a secret key and multiplication by a
 * secret odd number (the first product's high half folded into its low
 * half between them) spread every input bit over the high 32 bits of the
 * last product, which are the hash. An IPv6 address goes in 64 bits at a
 * time, each through a round of its own. ISNs stay SipHash's (RFC 6528,
 * tcp_isn.c). */
static uint32_t tuple_hash6(const struct tcp_table *t, const struct naru_addr *laddr, uint16_t lport,
                            const struct naru_addr *raddr, uint16_t rport)
{
    uint64_t w[4];
    memcpy(w, raddr->v6, 16);
    memcpy(w + 2, laddr->v6, 16);
    uint64_t h = ((uint64_t)rport << 16 | lport) ^ t->hash_key[0];
    for (int i = 0; i < 4; i++) {
        h = (h ^ w[i]) * t->hash_mul[i & 1];
        h ^= h >> 32;
    }
    h = (h ^ t->hash_key[1]) * t->hash_mul[0];
    return (uint32_t)(h >> 32);
}

static inline uint32_t tuple_hash(const struct tcp_table *t, const struct naru_addr *laddr, uint16_t lport,
                                  const struct naru_addr *raddr, uint16_t rport)
{
    if (raddr->family == NARU_AF_INET6)
        return tuple_hash6(t, laddr, lport, raddr, rport);
    uint64_t remote = (uint64_t)raddr->v4 << 32 | (uint64_t)rport << 16 | lport;
    uint64_t h = (remote ^ t->hash_key[0]) * t->hash_mul[0];
    h ^= h >> 32;
    h = (h ^ laddr->v4 ^ t->hash_key[1]) * t->hash_mul[1];
    return (uint32_t)(h >> 32);
}

struct tcp_conn *tcp_conn_lookup_addr(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport,
                                      const struct naru_addr *raddr, uint16_t rport)
{
    struct tcp_table *t = stack->tcp;
    struct tcp_conn *c = t->buckets[tuple_hash(t, laddr, lport, raddr, rport) & t->bucket_mask];
    for (; c; c = c->hash_next)
        if (c->remote_port == rport && c->local_port == lport && naru_addr_equal(&c->remote_addr, raddr) &&
            naru_addr_equal(&c->local_addr, laddr))
            return c;
    return NULL;
}

struct tcp_conn *tcp_conn_lookup(struct naru_stack *stack, uint32_t laddr, uint16_t lport, uint32_t raddr,
                                 uint16_t rport)
{
    struct naru_addr l = naru_addr_v4(laddr), r = naru_addr_v4(raddr);
    return tcp_conn_lookup_addr(stack, &l, lport, &r, rport);
}

struct tcp_conn *tcp_listener_lookup(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport)
{
    struct tcp_table *t = stack->tcp;
    struct tcp_conn *wildcard = NULL;
    for (struct tcp_conn *c = t->listen_buckets[lport & t->listen_mask]; c; c = c->hash_next) {
        if (c->local_port != lport)
            continue;
        if (naru_addr_equal(&c->local_addr, laddr))
            return c;
        /* The wildcard takes either family, but IPv4 not with V6ONLY and
         * IPv6 not when bound to 0.0.0.0. */
        if (sock_addr_is_wildcard(&c->local_addr) && (!c->sock || sock_wildcard_takes(c->sock, laddr->family)))
            wildcard = c;
    }
    return wildcard;
}

void tcp_conn_set_tuple(struct tcp_conn *c, const struct naru_addr *laddr, uint16_t lport,
                        const struct naru_addr *raddr, uint16_t rport)
{
    c->local_addr = *laddr;
    c->local_port = lport;
    c->remote_addr = *raddr;
    c->remote_port = rport;
    c->pseudo_sum = ip_pseudo_sum(laddr, raddr, IP_PROTO_TCP);
}

static struct tcp_conn **bucket_of(struct tcp_table *t, const struct tcp_conn *c)
{
    if (c->state == TCP_LISTEN)
        return &t->listen_buckets[c->local_port & t->listen_mask];
    return &t->buckets[tuple_hash(t, &c->local_addr, c->local_port, &c->remote_addr, c->remote_port) &
                       t->bucket_mask];
}

void tcp_conn_hash(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->hashed)
        return;
    struct tcp_conn **b = bucket_of(stack->tcp, c);
    c->hash_next = *b;
    *b = c;
    c->hashed = true;
}

void tcp_conn_unhash(struct naru_stack *stack, struct tcp_conn *c)
{
    if (!c->hashed)
        return;
    for (struct tcp_conn **p = bucket_of(stack->tcp, c); *p; p = &(*p)->hash_next) {
        if (*p == c) {
            *p = c->hash_next;
            break;
        }
    }
    c->hash_next = NULL;
    c->hashed = false;
}

static struct tcp_list *list_of(struct naru_stack *stack, struct tcp_conn *c, enum tcp_list_id id)
{
    switch (id) {
    case TCP_ON_HALF_OPEN:
        return &c->listener->half_open;
    case TCP_ON_ACCEPT_QUEUE:
        return &c->listener->accept_queue;
    case TCP_ON_ORPHANS:
        return &stack->tcp->orphans;
    default:
        return NULL;
    }
}

/* Orphans are also chained by local port, so bind() finds whether one
 * holds a port without a walk over every connection closing. */
static void orphan_port_link(struct tcp_table *t, struct tcp_conn *c)
{
    struct tcp_conn **head = &t->orphan_port_buckets[c->local_port & t->bucket_mask];
    c->orphan_port_next = *head;
    c->orphan_port_pprev = head;
    if (*head)
        (*head)->orphan_port_pprev = &c->orphan_port_next;
    *head = c;
}

static void orphan_port_unlink(struct tcp_conn *c)
{
    *c->orphan_port_pprev = c->orphan_port_next;
    if (c->orphan_port_next)
        c->orphan_port_next->orphan_port_pprev = c->orphan_port_pprev;
    c->orphan_port_next = NULL;
    c->orphan_port_pprev = NULL;
}

bool tcp_orphan_holds_port(struct naru_stack *stack, const struct naru_addr *addr, uint16_t port)
{
    struct tcp_table *t = stack->tcp;
    for (const struct tcp_conn *o = t->orphan_port_buckets[port & t->bucket_mask]; o; o = o->orphan_port_next)
        if (o->local_port == port && sock_addrs_overlap(&o->local_addr, addr))
            return true;
    return false;
}

void tcp_conn_set_list(struct naru_stack *stack, struct tcp_conn *c, enum tcp_list_id id)
{
    if (c->list == TCP_ON_ORPHANS)
        orphan_port_unlink(c);
    if (id == TCP_ON_ORPHANS)
        orphan_port_link(stack->tcp, c);
    struct tcp_list *from = list_of(stack, c, (enum tcp_list_id)c->list);
    if (from) {
        if (c->prev)
            c->prev->next = c->next;
        else
            from->head = c->next;
        if (c->next)
            c->next->prev = c->prev;
        else
            from->tail = c->prev;
        from->count--;
    }
    c->next = c->prev = NULL;
    c->list = (uint8_t)id;
    struct tcp_list *to = list_of(stack, c, id);
    if (to) {
        c->prev = to->tail;
        if (to->tail)
            to->tail->next = c;
        else
            to->head = c;
        to->tail = c;
        to->count++;
    }
}

void tcp_conn_finish(struct naru_stack *stack, struct tcp_conn *c)
{
    tcp_conn_unhash(stack, c);
    tcp_conn_set_list(stack, c, TCP_ON_NO_LIST);
    c->listener = NULL;
    tcp_conn_timers_stop(stack, c);
    tcp_batch_forget(stack, c);
    /* Bytes received stay readable while a socket holds the connection. */
    ring_fini(&c->snd_buf);
    tcp_rack_fini(c);
    if (!c->sock)
        ring_fini(&c->rcv_buf);
    assembler_init(&c->ooo);
    scoreboard_clear(&c->scoreboard);
    c->state = TCP_CLOSED;
    if (c->sock)
        tcp_wake(stack, c);
    else
        tcp_conn_discard(stack, c);
}

void tcp_conn_discard(struct naru_stack *stack, struct tcp_conn *c)
{
    if (c->zombie)
        return;
    tcp_batch_forget(stack, c);
    c->zombie = true;
    stack->tcp->conns--; /* its memory goes at the next reap */
    c->next = stack->tcp->zombies;
    stack->tcp->zombies = c;
}

void tcp_wake(struct naru_stack *stack, struct tcp_conn *c)
{
    struct tcp_table *t = stack->tcp;
    struct sock *s = c->sock;
    if (!s || !s->callback)
        return;
    for (unsigned i = 0; i < t->wake_count; i++)
        if (t->wake[i] == s)
            return;
    if (t->wake_count == sizeof t->wake / sizeof t->wake[0]) {
        sock_notify(stack, s); /* not reached in practice: an entry point wakes one or two */
        return;
    }
    t->wake[t->wake_count++] = s;
}

void tcp_reap(struct naru_stack *stack)
{
    struct tcp_table *t = stack->tcp;
    while (t->zombies) {
        struct tcp_conn *c = t->zombies;
        t->zombies = c->next;
        conn_free(stack, c);
    }
    if (!t->wake_count)
        return;
    struct sock *wake[sizeof t->wake / sizeof t->wake[0]];
    unsigned n = t->wake_count;
    memcpy(wake, t->wake, n * sizeof wake[0]);
    t->wake_count = 0;
    /* A callback may do anything, even close another of these sockets:
     * sock_notify() then finds no callback on it. */
    for (unsigned i = 0; i < n; i++)
        if (wake[i]->used)
            sock_notify(stack, wake[i]);
}

bool tcp_tuple_free(struct naru_stack *stack, const struct naru_addr *laddr, uint16_t lport,
                    const struct naru_addr *raddr, uint16_t rport)
{
    return tcp_conn_lookup_addr(stack, laddr, lport, raddr, rport) == NULL;
}

uint16_t tcp_ephemeral_port(struct naru_stack *stack, const struct sock *s, const struct naru_addr *laddr,
                            const struct naru_addr *raddr, uint16_t rport)
{
    /* RFC 6056 3.3.3 (Algorithm 3): a secret offset per destination (the
     * whole addresses, of either family), so ports are unpredictable to
     * others but spread for each peer. */
    struct tcp_table *t = stack->tcp;
    uint8_t key[1 + 16 + 16 + 2];
    size_t key_len;
    key[0] = 'P';
    if (raddr->family == NARU_AF_INET6) {
        memcpy(key + 1, laddr->v6, 16);
        memcpy(key + 17, raddr->v6, 16);
        memcpy(key + 33, &rport, 2);
        key_len = 35;
    } else {
        memcpy(key + 1, &laddr->v4, 4);
        memcpy(key + 5, &raddr->v4, 4);
        memcpy(key + 9, &rport, 2);
        key_len = 11;
    }
    uint32_t offset = (uint32_t)siphash24(stack->secret, key, key_len);
    uint32_t range = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    for (uint32_t count = 0; count < range; count++) {
        uint16_t port = (uint16_t)(EPHEMERAL_PORT_MIN + (t->next_ephemeral + offset) % range);
        t->next_ephemeral++;
        if (!sock_port_in_use(stack, NARU_SOCK_STREAM, laddr, port, s) &&
            tcp_tuple_free(stack, laddr, port, raddr, rport))
            return port;
    }
    return 0;
}

void tcp_log_conn(struct naru_stack *stack, enum naru_log_level level, const struct tcp_conn *c, const char *fmt,
                  ...)
{
    char what[200], a[NARU_ADDR_STRLEN], b[NARU_ADDR_STRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* A wildcard or no address yet shows as IPv4's, as it always has. */
    struct naru_addr none = naru_addr_v4(0);
    const struct naru_addr *local = sock_addr_is_wildcard(&c->local_addr) ? &none : &c->local_addr;
    const struct naru_addr *remote = sock_addr_is_wildcard(&c->remote_addr) ? &none : &c->remote_addr;
    naru_log_emit(stack, level, NARU_LAYER_TCP, "%s:%u > %s:%u %s: %s", naru_addr_format(local, a), c->local_port,
                  naru_addr_format(remote, b), c->remote_port, tcp_state_name(c->state), what);
}
