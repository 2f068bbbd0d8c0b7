/* ping: ICMP echo requests (RFC 792) on a ping socket, one each interval,
 * then a wait for the last replies. The sequence number on the wire is 16
 * bits and wraps; a reply is matched to the latest request that carried
 * its number, within the requests still remembered. */
#include "apps_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ICMP_HEADER 8
/* IPv4's total length holds its 20-byte header, IPv6's payload length
 * only the echo header: 65507 and 65527 bytes of data. */
#define MAX_DATA4 (65535 - 20 - ICMP_HEADER)
#define MAX_DATA6 (65535 - ICMP_HEADER)
#define SEQ_SPACE 65536u

struct naru_ping {
    struct naru_app_env env;
    struct naru_ping_config c;
    struct naru_ping_result r;
    struct naru_app_pattern *own_pattern;
    const struct naru_app_pattern *pattern;
    int sock;
    uint8_t *request, *reply;
    size_t reply_cap;
    /* Requests by number (1, 2, ...) mod ring: when each went, and
     * whether it was answered. */
    naru_time_t *sent_at;
    uint8_t *answered;
    uint32_t ring;
    bool all_sent;
};

void naru_ping_config_default(struct naru_ping_config *c)
{
    memset(c, 0, sizeof *c);
    c->count = 5;
    c->interval = NARU_SEC;
    c->size = 56;
    c->timeout = NARU_SEC;
}

naru_time_t naru_ping_rtt_avg(const struct naru_ping_result *r)
{
    return r->received ? r->rtt_sum / r->received : 0;
}

static uint64_t isqrt(uint64_t v)
{
    uint64_t x = v, y = (x + 1) / 2;
    if (v < 2)
        return v;
    while (y < x) {
        x = y;
        y = (x + v / x) / 2;
    }
    return x;
}

naru_time_t naru_ping_rtt_mdev(const struct naru_ping_result *r)
{
    if (!r->received)
        return 0;
    double n = (double)r->received, avg = (double)r->rtt_sum / n;
    double var = r->rtt_sum_squares / n - avg * avg;
    return var > 0 ? isqrt((uint64_t)var) : 0;
}

static void finish(struct naru_ping *p)
{
    if (p->r.finished)
        return;
    p->r.finished = true;
    p->r.ok = p->r.received > 0;
    p->r.ended = app_now(&p->env);
    if (p->c.on_done)
        p->c.on_done(p->c.ctx);
}

static void event(struct naru_ping *p, const struct naru_ping_event *e)
{
    if (p->c.on_event)
        p->c.on_event(p->c.ctx, e);
}

/* Every request has been answered one way or the other. */
static void maybe_done(struct naru_ping *p)
{
    if (p->all_sent && p->r.received + p->r.errors >= p->r.sent)
        finish(p);
}

static void on_timeout(void *arg)
{
    finish(arg);
}

static void send_next(void *arg)
{
    struct naru_ping *p = arg;
    if (p->r.finished)
        return;
    uint64_t n = p->r.sent + 1;
    uint16_t seq = (uint16_t)n;
    naru_time_t now = app_now(&p->env);
    memset(p->request, 0, ICMP_HEADER);
    /* Echo request (RFC 792; RFC 4443 4.1 for ICMPv6); the stack sets the
     * identifier and checksum. */
    p->request[0] = p->c.dst.addr.family == NARU_AF_INET6 ? 128 : 8;
    p->request[6] = (uint8_t)(seq >> 8);
    p->request[7] = (uint8_t)seq;
    naru_app_pattern_fill(p->pattern, n, p->request + ICMP_HEADER, p->c.size);
    p->sent_at[n % p->ring] = now;
    p->answered[n % p->ring] = 0;
    p->r.sent = n;
    p->r.last_sent = now;
    struct naru_sockaddr to = p->c.dst;
    to.port = 0;
    long sent = naru_sendto(p->env.stack, p->sock, p->request, ICMP_HEADER + p->c.size, 0, &to);
    if (sent < 0) {
        p->r.errors++;
        struct naru_ping_event e = { .kind = NARU_PING_SEND_FAILED, .seq = seq, .error = (int)sent };
        event(p, &e);
    }
    if (p->c.count && n >= p->c.count) {
        p->all_sent = true;
        app_at(&p->env, now + p->c.timeout, on_timeout, p);
        maybe_done(p);
    } else {
        app_at(&p->env, now + p->c.interval, send_next, p);
    }
}

/* The request a reply's number belongs to: the latest sent with it, if it
 * is still remembered; 0 if none. */
static uint64_t request_of(const struct naru_ping *p, uint16_t seq)
{
    uint64_t back = (uint16_t)((uint16_t)p->r.sent - seq);
    if (back >= p->r.sent || back >= p->ring)
        return 0;
    return p->r.sent - back;
}

static void on_reply(struct naru_ping *p, size_t len, const struct naru_recv_info *info)
{
    uint16_t seq = (uint16_t)(p->reply[6] << 8 | p->reply[7]);
    uint64_t n = request_of(p, seq);
    if (p->reply[0] != (p->c.dst.addr.family == NARU_AF_INET6 ? 129 : 0) || !naru_addr_equal(&info->from.addr, &p->c.dst.addr) || !n)
        return; /* not an echo reply to one of ours */
    naru_time_t rtt = info->when - p->sent_at[n % p->ring];
    struct naru_ping_event e = { .kind = NARU_PING_REPLY, .seq = seq, .from = info->from, .bytes = len,
                                 .ttl = info->hop_limit, .rtt = rtt };
    if (p->answered[n % p->ring]) {
        p->r.duplicates++;
        e.kind = NARU_PING_DUPLICATE;
        event(p, &e);
        return;
    }
    p->answered[n % p->ring] = 1;
    if (!p->r.received || rtt < p->r.rtt_min)
        p->r.rtt_min = rtt;
    if (rtt > p->r.rtt_max)
        p->r.rtt_max = rtt;
    p->r.rtt_sum += rtt;
    p->r.rtt_sum_squares += (double)rtt * (double)rtt;
    p->r.received++;
    event(p, &e);
}

static void on_socket(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_ping *p = ctx;
    struct naru_recv_info info;
    long n;
    while ((n = naru_recv_info(stack, sock, p->reply, p->reply_cap, 0, &info)) >= 0) {
        if (n >= ICMP_HEADER && !p->r.finished)
            on_reply(p, (size_t)n, &info);
    }
    struct naru_icmp_error err;
    while (naru_recv_error(stack, sock, &err) == 0) {
        if (p->r.finished)
            continue;
        p->r.errors++;
        struct naru_ping_event e = { .kind = NARU_PING_ERROR, .seq = err.dst.port, .type = err.type,
                                     .code = err.code };
        e.from.addr = err.offender;
        event(p, &e);
    }
    if (!p->r.finished)
        maybe_done(p);
}

int naru_ping_start(const struct naru_app_env *env, const struct naru_ping_config *config, struct naru_ping **out)
{
    uint32_t max = config->dst.addr.family == NARU_AF_INET6 ? MAX_DATA6 : MAX_DATA4;
    if (config->size > max || (!config->count && !config->interval))
        return -EINVAL; /* endless, and all at one instant */
    struct naru_ping *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->env = *env;
    p->c = *config;
    p->sock = -1;
    p->r.started = app_now(env);
    p->r.last_sent = p->r.ended = NARU_APP_UNSET;
    p->ring = p->c.count && p->c.count < SEQ_SPACE ? (uint32_t)p->c.count + 1 : SEQ_SPACE;
    p->reply_cap = ICMP_HEADER + (p->c.size > 64 ? p->c.size : 64);
    p->request = malloc(ICMP_HEADER + p->c.size);
    p->reply = malloc(p->reply_cap);
    p->sent_at = calloc(p->ring, sizeof *p->sent_at);
    p->answered = calloc(p->ring, 1);
    p->pattern = app_pattern_use(config->pattern, &p->own_pattern);
    if (!p->request || !p->reply || !p->sent_at || !p->answered || !p->pattern) {
        naru_ping_destroy(p);
        return -ENOMEM;
    }
    *out = p;
    p->sock = naru_socket(env->stack, NARU_SOCK_PING);
    if (p->sock < 0) {
        p->r.error = p->sock;
        finish(p);
        return 0;
    }
    naru_socket_set_callback(env->stack, p->sock, on_socket, p);
    naru_setsockopt(env->stack, p->sock, NARU_SO_RECVERR, 1);
    send_next(p);
    return 0;
}

void naru_ping_stop(struct naru_ping *p)
{
    finish(p);
}

const struct naru_ping_result *naru_ping_result(const struct naru_ping *p)
{
    return &p->r;
}

void naru_ping_destroy(struct naru_ping *p)
{
    if (!p)
        return;
    if (p->sock >= 0)
        naru_close(p->env.stack, p->sock);
    naru_app_pattern_destroy(p->own_pattern);
    free(p->request);
    free(p->reply);
    free(p->sent_at);
    free(p->answered);
    free(p);
}
