/* Bulk transfers, like iperf: a sender and a receiver, over TCP (one
 * connection, the stream checked byte for byte) or UDP (numbered
 * datagrams at a steady rate: losses, duplicates and reordering counted,
 * nothing repaired). The data is the pattern, so anything misplaced or
 * altered on the way is noticed. */
#include "apps_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes staged for a send or taken by a read: each end holds this much,
 * so a thousand transfers in one simulation hold it a thousand times
 * (64 KiB each was 64 MB; an eighth as much costs only more calls). */
#define CHUNK 8192
#define UDP_MAX_DATAGRAM 65507

/* Bytes a receiver reads are checked and dropped at once, and a datagram
 * is built and sent at once: one buffer per thread serves all of those
 * transfers, and stays in cache. With one each, a thousand receivers in
 * one simulation wrote to a thousand cold buffers (and held 64 KiB each
 * for UDP). Only a TCP sender keeps bytes between calls: its chunk. */
static _Thread_local uint8_t scratch[UDP_MAX_DATAGRAM];

struct naru_transfer {
    struct naru_app_env env;
    struct naru_transfer_config c;
    struct naru_transfer_result r;
    struct naru_app_pattern *own_pattern;
    const struct naru_app_pattern *pattern;
    bool sender;
    int sock;                  /* the sender's, the UDP receiver's, or the accepted one */
    int listener;              /* TCP receiver */
    uint8_t *buf;              /* TCP sender: CHUNK */
    /* TCP sender: a chunk of the stream being sent */
    size_t stage_off, stage_len;
    bool shut;
    /* UDP */
    uint64_t next;             /* sender: the next datagram */
    uint64_t carry;            /* sender: pacing's remainder, in 1/rate ns */
    uint8_t *seen;             /* receiver: a bit per datagram */
    uint64_t highest;
};

void naru_transfer_config_default(struct naru_transfer_config *c, enum naru_transfer_protocol protocol)
{
    memset(c, 0, sizeof *c);
    c->protocol = protocol;
    c->bytes = 1000000;
    c->datagram_size = 1472;
    c->rate_bps = 10000000;
    c->linger = NARU_SEC;
    c->congestion = -1;
}

static void finish(struct naru_transfer *t, int error, const char *why)
{
    struct naru_transfer_result *r = &t->r;
    if (r->finished)
        return;
    if (!why && !t->sender && !r->intact)
        why = "data arrived altered";
    if (!why && !t->sender && r->bytes_received != t->c.bytes)
        why = t->c.protocol == NARU_TRANSFER_TCP ? "the connection ended early"
              : r->unique ? "datagrams were lost" : "nothing arrived";
    r->finished = true;
    r->ok = why == NULL;
    r->error = error;
    r->why = why ? why : "";
    r->ended = app_now(&t->env);
    if (t->c.on_done)
        t->c.on_done(t->c.ctx);
}

static uint64_t udp_payload(const struct naru_transfer *t)
{
    return t->c.datagram_size - NARU_TRANSFER_UDP_HEADER;
}

static size_t udp_len(const struct naru_transfer *t, uint64_t seq)
{
    uint64_t left = t->c.bytes - seq * udp_payload(t);
    return NARU_TRANSFER_UDP_HEADER + (size_t)(left < udp_payload(t) ? left : udp_payload(t));
}

/* ---- UDP ---- */

static void udp_linger_over(void *arg)
{
    finish(arg, 0, NULL);
}

static void udp_send(void *arg)
{
    struct naru_transfer *t = arg;
    struct naru_transfer_result *r = &t->r;
    if (r->finished || t->next >= r->datagrams_expected)
        return;
    uint64_t seq = t->next++;
    size_t len = udp_len(t, seq);
    for (int i = 0; i < 8; i++) {
        scratch[i] = (uint8_t)(seq >> (56 - 8 * i));
        scratch[8 + i] = (uint8_t)(r->datagrams_expected >> (56 - 8 * i));
    }
    naru_app_pattern_fill(t->pattern, seq * udp_payload(t), scratch + NARU_TRANSFER_UDP_HEADER,
                          len - NARU_TRANSFER_UDP_HEADER);
    if (naru_sendto(t->env.stack, t->sock, scratch, len, 0, &t->c.peer) == (long)len) {
        r->datagrams_sent++;
        r->bytes_sent += len - NARU_TRANSFER_UDP_HEADER;
    }
    /* Pace by datagram bits, carrying the remainder. */
    uint64_t bits_ns = (uint64_t)len * 8 * NARU_SEC + t->carry;
    t->carry = bits_ns % t->c.rate_bps;
    naru_time_t gap = bits_ns / t->c.rate_bps;
    naru_time_t now = app_now(&t->env);
    if (t->next < r->datagrams_expected)
        app_at(&t->env, now + gap, udp_send, t);
    else
        app_at(&t->env, now + t->c.linger, udp_linger_over, t);
}

static void udp_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_transfer *t = ctx;
    struct naru_transfer_result *r = &t->r;
    long n;
    while ((n = naru_recvfrom(stack, sock, scratch, UDP_MAX_DATAGRAM, 0, NULL)) >= 0) {
        if (r->finished || n < NARU_TRANSFER_UDP_HEADER)
            continue; /* counted no more once finished: the result stays as it was */
        uint64_t seq = 0;
        for (int i = 0; i < 8; i++)
            seq = seq << 8 | scratch[i];
        if (seq >= r->datagrams_expected || (size_t)n != udp_len(t, seq)) {
            r->intact = false;
            continue;
        }
        r->datagrams_received++;
        if (t->seen[seq / 8] & (1u << (seq % 8))) {
            r->duplicates++;
            continue;
        }
        t->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
        if (r->unique && seq < t->highest)
            r->reordered++;
        if (seq > t->highest || !r->unique)
            t->highest = seq;
        r->unique++;
        if (!naru_app_pattern_check(t->pattern, seq * udp_payload(t), scratch + NARU_TRANSFER_UDP_HEADER,
                                    (size_t)n - NARU_TRANSFER_UDP_HEADER))
            r->intact = false;
        r->bytes_received += (uint64_t)n - NARU_TRANSFER_UDP_HEADER;
        r->last_arrival = app_now(&t->env);
        if (r->first_arrival == NARU_APP_UNSET)
            r->first_arrival = r->last_arrival;
        if (r->unique == r->datagrams_expected)
            finish(t, 0, NULL);
    }
}

/* ---- TCP ---- */

static void set_buffers(const struct naru_transfer *t, int sock)
{
    /* Before the handshake, so the window scale offered fits them (RFC
     * 7323 2.2); accepted sockets inherit the listener's. */
    if (!t->c.socket_buffer)
        return;
    naru_setsockopt(t->env.stack, sock, NARU_SO_SNDBUF, (int)t->c.socket_buffer);
    naru_setsockopt(t->env.stack, sock, NARU_SO_RCVBUF, (int)t->c.socket_buffer);
}

static void close_later(void *arg)
{
    struct naru_transfer *t = arg;
    if (t->sock >= 0)
        naru_close(t->env.stack, t->sock);
    t->sock = -1;
}

static void receiver_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_transfer *t = ctx;
    struct naru_transfer_result *r = &t->r;
    for (;;) {
        long n = naru_recv(stack, sock, scratch, CHUNK, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            finish(t, (int)n, app_errno_text((int)n));
            /* Not from inside its own callback: an error may come from deep in the stack. */
            naru_socket_set_callback(stack, sock, NULL, NULL);
            app_at(&t->env, app_now(&t->env), close_later, t);
            return;
        }
        if (n == 0) {
            finish(t, 0, NULL);
            naru_close(stack, sock);
            t->sock = -1;
            return;
        }
        if (!naru_app_pattern_check(t->pattern, r->bytes_received, scratch, (size_t)n))
            r->intact = false;
        r->bytes_received += (uint64_t)n;
        r->last_arrival = app_now(&t->env);
        if (r->first_arrival == NARU_APP_UNSET)
            r->first_arrival = r->last_arrival;
        if (r->half_time == NARU_APP_UNSET && r->bytes_received >= t->c.bytes / 2) {
            r->half_time = r->last_arrival;
            r->half_bytes = r->bytes_received;
        }
    }
}

static void listener_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_transfer *t = ctx;
    struct naru_sockaddr peer;
    int c;
    while ((c = naru_accept(stack, sock, &peer)) >= 0) {
        if (t->sock >= 0 || t->r.finished) {
            naru_close(stack, c); /* one connection per transfer */
            continue;
        }
        t->sock = c;
        set_buffers(t, c);
        naru_socket_set_callback(stack, c, receiver_event, t);
        receiver_event(t, stack, c);
    }
}

static void sender_stop(struct naru_transfer *t, int error)
{
    finish(t, error, error ? app_errno_text(error) : NULL);
    naru_close(t->env.stack, t->sock);
    t->sock = -1;
}

static void sender_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_transfer *t = ctx;
    struct naru_transfer_result *r = &t->r;
    if (r->finished || t->sock < 0)
        return;
    struct naru_tcp_info info;
    if (naru_tcp_get_info(stack, sock, &info) == 0) {
        r->retransmits = info.total_retrans;
        r->srtt = (naru_time_t)info.rtt_us * NARU_US;
    }
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        if (err < 0) {
            sender_stop(t, err);
            return;
        }
    }
    while ((ev & NARU_POLLOUT) && r->bytes_sent < t->c.bytes) {
        if (t->stage_off == t->stage_len) {
            uint64_t left = t->c.bytes - r->bytes_sent;
            t->stage_len = left < CHUNK ? (size_t)left : CHUNK;
            t->stage_off = 0;
            naru_app_pattern_fill(t->pattern, r->bytes_sent, t->buf, t->stage_len);
        }
        long n = naru_send(stack, sock, t->buf + t->stage_off, t->stage_len - t->stage_off, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            sender_stop(t, (int)n);
            return;
        }
        t->stage_off += (size_t)n;
        r->bytes_sent += (uint64_t)n;
    }
    if (r->bytes_sent == t->c.bytes && !t->shut) {
        naru_shutdown(stack, sock, NARU_SHUT_WR);
        t->shut = true;
    }
    if (t->shut) {
        /* The receiver closes when it has everything: then so do we. */
        uint8_t b[256];
        long n;
        while ((n = naru_recv(stack, sock, b, sizeof b, 0)) > 0)
            ;
        if (n == 0 || (n < 0 && n != -EAGAIN))
            sender_stop(t, n < 0 ? (int)n : 0);
    }
}

/* ---- starting ---- */

static int transfer_new(const struct naru_app_env *env, const struct naru_transfer_config *config, bool sender,
                        struct naru_transfer **out)
{
    const struct naru_transfer_config *c = config;
    bool udp = c->protocol == NARU_TRANSFER_UDP;
    if ((c->protocol != NARU_TRANSFER_TCP && !udp) || !c->bytes || (!c->peer.port && (sender || udp)) ||
        (sender && naru_addr_is_unspecified(&c->peer.addr)) ||
        (udp && (c->datagram_size <= NARU_TRANSFER_UDP_HEADER || c->datagram_size > UDP_MAX_DATAGRAM ||
                 !c->rate_bps)))
        return -EINVAL;
    struct naru_transfer *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->env = *env;
    t->c = *config;
    t->sender = sender;
    t->sock = t->listener = -1;
    struct naru_transfer_result *r = &t->r;
    r->intact = true;
    r->why = "";
    r->started = app_now(env);
    r->first_arrival = r->last_arrival = r->ended = r->half_time = NARU_APP_UNSET;
    if (udp)
        r->datagrams_expected = (c->bytes + udp_payload(t) - 1) / udp_payload(t);
    if (!udp && sender)
        t->buf = malloc(CHUNK);
    if (udp && !sender)
        t->seen = calloc((size_t)(r->datagrams_expected / 8 + 1), 1);
    t->pattern = app_pattern_use(c->pattern, &t->own_pattern);
    if ((!udp && sender && !t->buf) || (udp && !sender && !t->seen) || !t->pattern) {
        naru_transfer_destroy(t);
        return -ENOMEM;
    }
    *out = t;
    return 0;
}

int naru_transfer_send(const struct naru_app_env *env, const struct naru_transfer_config *config,
                       struct naru_transfer **out)
{
    struct naru_transfer *t;
    int err = transfer_new(env, config, true, &t);
    if (err < 0)
        return err;
    *out = t;
    struct naru_stack *stack = env->stack;
    bool udp = config->protocol == NARU_TRANSFER_UDP;
    t->sock = naru_socket(stack, udp ? NARU_SOCK_DGRAM : NARU_SOCK_STREAM);
    if (t->sock < 0) {
        err = t->sock;
        t->sock = -1;
        finish(t, err, udp ? "cannot open a UDP socket" : app_errno_text(err));
        return 0;
    }
    if (udp) {
        udp_send(t);
        return 0;
    }
    naru_socket_set_callback(stack, t->sock, sender_event, t);
    set_buffers(t, t->sock);
    if (config->congestion >= 0)
        naru_setsockopt(stack, t->sock, NARU_TCP_CONGESTION, config->congestion);
    err = naru_connect(stack, t->sock, &config->peer);
    if (err < 0 && err != -EINPROGRESS) {
        finish(t, err, app_errno_text(err));
        return 0;
    }
    sender_event(t, stack, t->sock);
    return 0;
}

int naru_transfer_receive(const struct naru_app_env *env, const struct naru_transfer_config *config,
                          struct naru_transfer **out)
{
    struct naru_transfer *t;
    int err = transfer_new(env, config, false, &t);
    if (err < 0)
        return err;
    struct naru_stack *stack = env->stack;
    struct naru_sockaddr local = config->peer;
    if (config->protocol == NARU_TRANSFER_UDP) {
        t->sock = naru_socket(stack, NARU_SOCK_DGRAM);
        err = t->sock < 0 ? t->sock : naru_bind(stack, t->sock, &local);
        if (!err)
            naru_socket_set_callback(stack, t->sock, udp_readable, t);
    } else {
        t->listener = naru_socket(stack, NARU_SOCK_STREAM);
        err = t->listener < 0 ? t->listener : 0;
        if (!err) {
            set_buffers(t, t->listener);
            err = naru_bind(stack, t->listener, &local);
        }
        if (!err)
            err = naru_listen(stack, t->listener, 4);
        if (!err)
            naru_socket_set_callback(stack, t->listener, listener_event, t);
    }
    if (err < 0) {
        naru_transfer_destroy(t);
        return err;
    }
    *out = t;
    return 0;
}

void naru_transfer_stop(struct naru_transfer *t)
{
    finish(t, 0, NULL);
}

const struct naru_transfer_result *naru_transfer_result(struct naru_transfer *t)
{
    struct naru_tcp_info info;
    if (t->sender && t->c.protocol == NARU_TRANSFER_TCP && t->sock >= 0 &&
        naru_tcp_get_info(t->env.stack, t->sock, &info) == 0) {
        t->r.retransmits = info.total_retrans;
        t->r.srtt = (naru_time_t)info.rtt_us * NARU_US;
    }
    return &t->r;
}

void naru_transfer_destroy(struct naru_transfer *t)
{
    if (!t)
        return;
    if (t->sock >= 0)
        naru_close(t->env.stack, t->sock);
    if (t->listener >= 0)
        naru_close(t->env.stack, t->listener);
    naru_app_pattern_destroy(t->own_pattern);
    free(t->buf);
    free(t->seen);
    free(t);
}
