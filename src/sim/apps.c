/* The simulator's applications: bookkeeping, ping, traceroute and the UDP
 * transfer. TCP transfers and HTTP are in app_tcp.c. Each is a small state
 * machine moved on by simulator timers and socket callbacks. */
#include "sim/apps.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "naru/addr.h"

#define DEFAULT_TIMEOUT NARU_SEC
#define TRACEROUTE_PORT 33434
#define TRACEROUTE_PAYLOAD 32
#define UDP_HEADER_BYTES 16    /* sequence number and datagram count */

/* ---- shared ---- */

struct app_pending_close {
    struct app_pending_close *next, **prev;
    struct naru_sim *sim;
    struct naru_stack *stack;
    int sock;
};

void app_finish(struct naru_sim_app *app, bool ok, const char *error)
{
    if (app->result.finished)
        return;
    app->result.finished = true;
    app->result.ok = ok;
    app->result.ended = naru_sim_now(app->sim);
    if (error)
        snprintf(app->result.error, sizeof app->result.error, "%s", error);
    app->sim->apps_unfinished--;
}

int app_at(struct naru_sim_app *app, struct naru_stack *stack, naru_time_t when, void (*fn)(void *ctx))
{
    return naru_sim_at_stack(app->sim, stack, when, fn, app);
}

static void close_now(void *ctx)
{
    struct app_pending_close *p = ctx;
    *p->prev = p->next;
    if (p->next)
        p->next->prev = p->prev;
    naru_close(p->stack, p->sock);
    free(p);
}

void app_close_later(struct naru_sim_app *app, struct naru_stack *stack, int sock)
{
    struct naru_sim *sim = app->sim;
    struct app_pending_close *p = malloc(sizeof *p);
    if (!p)
        return; /* the socket stays open until the simulation ends */
    *p = (struct app_pending_close){ .sim = sim, .stack = stack, .sock = sock };
    p->next = sim->pending_closes;
    p->prev = &sim->pending_closes;
    if (p->next)
        p->next->prev = &p->next;
    sim->pending_closes = p;
    if (naru_sim_at_stack(sim, stack, naru_sim_now(sim), close_now, p) < 0) {
        sim->pending_closes = p->next;
        if (p->next)
            p->next->prev = &sim->pending_closes;
        free(p);
    }
}

const uint8_t *app_pattern(struct naru_sim *sim)
{
    if (!sim->app_pattern) {
        sim->app_pattern = malloc(APP_PATTERN_SIZE);
        if (sim->app_pattern) {
            /* Fixed, not seeded: the data carried is the same in every run. */
            struct naru_random r;
            random_seed(&r, 0x6e617275);
            random_fill(&r, sim->app_pattern, APP_PATTERN_SIZE);
        }
    }
    return sim->app_pattern;
}

/* Byte k is table[k mod 64 KiB] xor the 64 KiB block number, so data in
 * the wrong place, even a whole block off, does not match. Done eight
 * bytes at a time: filling and checking are on every transfer's path. */
void app_fill(struct naru_sim *sim, uint64_t offset, uint8_t *buf, size_t len)
{
    const uint8_t *t = app_pattern(sim);
    while (len) {
        size_t at = (size_t)(offset % APP_PATTERN_SIZE), n = APP_PATTERN_SIZE - at;
        if (n > len)
            n = len;
        uint8_t block = (uint8_t)(offset / APP_PATTERN_SIZE);
        uint64_t splat = block * 0x0101010101010101ull, w;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&w, t + at + i, 8);
            w ^= splat;
            memcpy(buf + i, &w, 8);
        }
        for (; i < n; i++)
            buf[i] = t[at + i] ^ block;
        buf += n;
        offset += n;
        len -= n;
    }
}

bool app_check(struct naru_sim *sim, uint64_t offset, const uint8_t *buf, size_t len)
{
    const uint8_t *t = app_pattern(sim);
    uint64_t diff = 0;
    while (len) {
        size_t at = (size_t)(offset % APP_PATTERN_SIZE), n = APP_PATTERN_SIZE - at;
        if (n > len)
            n = len;
        uint8_t block = (uint8_t)(offset / APP_PATTERN_SIZE);
        uint64_t splat = block * 0x0101010101010101ull, a, b;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&a, t + at + i, 8);
            memcpy(&b, buf + i, 8);
            diff |= a ^ b ^ splat;
        }
        for (; i < n; i++)
            diff |= (uint8_t)(t[at + i] ^ block ^ buf[i]);
        buf += n;
        offset += n;
        len -= n;
    }
    return diff == 0;
}

static uint32_t first_addr(struct naru_stack *stack)
{
    for (int i = 0; i < (int)naru_if_count(stack); i++) {
        uint32_t a = 0;
        if (naru_if_get_addr(stack, i, &a, NULL) == 0 && a)
            return a;
    }
    return 0;
}

/* ---- ping ---- */

static void ping_finish(void *ctx)
{
    struct naru_sim_app *app = ctx;
    struct naru_sim_app_result *r = &app->result;
    if (r->received)
        r->rtt_avg = app->s.ping.rtt_sum / r->received;
    app_finish(app, r->received > 0, r->received ? NULL : "no reply");
}

static void ping_send(void *ctx)
{
    struct naru_sim_app *app = ctx;
    struct ping_state *p = &app->s.ping;
    struct naru_sim_app_result *r = &app->result;
    if (r->finished)
        return;
    uint32_t seq = r->sent + 1;
    size_t len = 8 + app->config.size;
    uint8_t *req = calloc(1, len);
    if (req) {
        req[0] = 8; /* echo request; the stack fills in the identifier */
        req[6] = (uint8_t)(seq >> 8);
        req[7] = (uint8_t)seq;
        app_fill(app->sim, seq, req + 8, app->config.size);
        struct naru_sockaddr to = { app->config.dst, 0 };
        p->sent_at[seq] = naru_sim_now(app->sim);
        naru_sendto(app->config.from, p->sock, req, len, 0, &to);
        free(req);
    }
    r->sent++;
    naru_time_t now = naru_sim_now(app->sim);
    if (r->sent < app->config.count)
        app_at(app, app->config.from, now + app->config.interval, ping_send);
    else
        app_at(app, app->config.from, now + app->config.timeout, ping_finish);
}

static void ping_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct ping_state *p = &app->s.ping;
    struct naru_sim_app_result *r = &app->result;
    uint8_t buf[128];
    long n;
    while ((n = naru_recvfrom(stack, sock, buf, sizeof buf, 0, NULL)) != -EAGAIN) {
        if (n < 8 || buf[0] != 0)
            continue; /* an error report, or not an echo reply */
        uint32_t seq = (uint32_t)(buf[6] << 8 | buf[7]);
        if (seq == 0 || seq > r->sent || p->replied[seq] || r->finished)
            continue;
        p->replied[seq] = true;
        naru_time_t rtt = naru_sim_now(app->sim) - p->sent_at[seq];
        if (!r->received || rtt < r->rtt_min)
            r->rtt_min = rtt;
        if (rtt > r->rtt_max)
            r->rtt_max = rtt;
        p->rtt_sum += rtt;
        r->received++;
    }
    struct naru_icmp_error e;
    while (naru_recv_error(stack, sock, &e) == 0)
        ;
    if (r->received == app->config.count && !r->finished)
        ping_finish(app);
}

static int ping_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->count)
        c->count = 5;
    if (c->count > 65535 || c->size > 65000)
        return -EINVAL;
    if (!c->interval)
        c->interval = NARU_SEC;
    if (!c->size)
        c->size = 56;
    app->s.ping.sock = -1;
    app->s.ping.sent_at = calloc(c->count + 1, sizeof *app->s.ping.sent_at);
    app->s.ping.replied = calloc(c->count + 1, sizeof *app->s.ping.replied);
    return app->s.ping.sent_at && app->s.ping.replied ? 0 : -ENOMEM;
}

static void ping_start(struct naru_sim_app *app)
{
    struct ping_state *p = &app->s.ping;
    p->sock = naru_socket(app->config.from, NARU_SOCK_PING);
    if (p->sock < 0) {
        app_finish(app, false, "cannot open a ping socket");
        return;
    }
    naru_socket_set_callback(app->config.from, p->sock, ping_readable, app);
    naru_setsockopt(app->config.from, p->sock, NARU_SO_RECVERR, 1);
    ping_send(app);
}

static void ping_destroy(struct naru_sim_app *app)
{
    free(app->s.ping.sent_at);
    free(app->s.ping.replied);
}

static const struct app_ops ping_ops = { ping_setup, ping_start, ping_destroy };

/* ---- traceroute ---- */

static void trace_send(struct naru_sim_app *app);

static void trace_next(struct naru_sim_app *app)
{
    struct traceroute_state *t = &app->s.trace;
    struct naru_sim_app_result *r = &app->result;
    t->awaiting = false;
    if (++t->query < app->config.queries) {
        trace_send(app);
        return;
    }
    struct naru_sim_hop *hop = &r->hops[r->hop_count++];
    if (hop->reached || hop->mark) {
        app_finish(app, hop->reached, hop->reached ? NULL : "an unreachable error stopped it");
        return;
    }
    if (t->ttl >= app->config.max_ttl || r->hop_count == NARU_SIM_MAX_HOPS) {
        app_finish(app, false, "the destination was not reached");
        return;
    }
    t->ttl++;
    t->query = 0;
    trace_send(app);
}

static void trace_timeout(void *ctx)
{
    struct naru_sim_app *app = ctx;
    struct traceroute_state *t = &app->s.trace;
    /* Every probe sets one of these; only the current probe's counts. */
    if (t->awaiting && naru_sim_now(app->sim) >= t->sent_at + app->config.timeout && !app->result.finished)
        trace_next(app);
}

static void trace_send(struct naru_sim_app *app)
{
    struct traceroute_state *t = &app->s.trace;
    struct naru_sim_hop *hop = &app->result.hops[app->result.hop_count];
    hop->ttl = t->ttl;
    uint8_t payload[TRACEROUTE_PAYLOAD] = { 0 };
    struct naru_sockaddr to = { app->config.dst, (uint16_t)(app->config.port + t->probe++) };
    naru_setsockopt(app->config.from, t->sock, NARU_IP_TTL, t->ttl);
    t->awaiting = true;
    t->sent_at = naru_sim_now(app->sim);
    app->result.sent++;
    naru_sendto(app->config.from, t->sock, payload, sizeof payload, 0, &to);
    app_at(app, app->config.from, t->sent_at + app->config.timeout, trace_timeout);
}

static void trace_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct traceroute_state *t = &app->s.trace;
    uint8_t buf[64];
    while (naru_recvfrom(stack, sock, buf, sizeof buf, 0, NULL) >= 0)
        ; /* nothing should answer a probe with data */
    struct naru_icmp_error e;
    while (naru_recv_error(stack, sock, &e) == 0) {
        uint16_t expect = (uint16_t)(app->config.port + t->probe - 1);
        if (!t->awaiting || app->result.finished || e.dst.port != expect)
            continue; /* late: its probe already timed out */
        struct naru_sim_hop *hop = &app->result.hops[app->result.hop_count];
        hop->addr[t->query] = e.offender;
        hop->rtt[t->query] = naru_sim_now(app->sim) - t->sent_at;
        hop->answered++;
        app->result.received++;
        if (e.type == 3) {
            if (e.code == 3)
                hop->reached = true;
            else
                hop->mark = e.code == 0 ? 'N' : e.code == 1 ? 'H' : 'P';
        }
        trace_next(app);
    }
    naru_socket_error(stack, sock); /* connected-socket errors do not apply */
}

static int trace_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->max_ttl)
        c->max_ttl = 30;
    if (!c->queries)
        c->queries = 3;
    if (c->queries > NARU_SIM_MAX_QUERIES || c->max_ttl > NARU_SIM_MAX_HOPS)
        return -EINVAL;
    if (!c->port)
        c->port = TRACEROUTE_PORT;
    app->s.trace.sock = -1;
    app->s.trace.ttl = 1;
    return 0;
}

static void trace_start(struct naru_sim_app *app)
{
    struct traceroute_state *t = &app->s.trace;
    t->sock = naru_socket(app->config.from, NARU_SOCK_DGRAM);
    if (t->sock < 0) {
        app_finish(app, false, "cannot open a UDP socket");
        return;
    }
    naru_setsockopt(app->config.from, t->sock, NARU_SO_RECVERR, 1);
    naru_socket_set_callback(app->config.from, t->sock, trace_event, app);
    trace_send(app);
}

static const struct app_ops trace_ops = { trace_setup, trace_start, NULL };

/* ---- UDP transfer ---- */

static size_t udp_len(const struct naru_sim_app *app, uint64_t seq)
{
    uint64_t payload = app->config.size - UDP_HEADER_BYTES;
    uint64_t done = seq * payload;
    uint64_t left = app->config.bytes - done;
    return UDP_HEADER_BYTES + (size_t)(left < payload ? left : payload);
}

static void udp_finish(void *ctx)
{
    struct naru_sim_app *app = ctx;
    struct udp_state *u = &app->s.udp;
    struct naru_sim_app_result *r = &app->result;
    r->datagrams_lost = u->total - u->unique;
    naru_time_t took = u->last_arrival > r->started ? u->last_arrival - r->started : 0;
    r->goodput_bps = took ? (double)r->bytes_received * 8 * (double)NARU_SEC / (double)took : 0;
    if (!r->intact)
        app_finish(app, false, "data arrived altered");
    else if (!u->unique)
        app_finish(app, false, "nothing arrived");
    else
        app_finish(app, true, NULL);
}

static void udp_send(void *ctx)
{
    struct naru_sim_app *app = ctx;
    struct udp_state *u = &app->s.udp;
    struct naru_sim_app_result *r = &app->result;
    if (r->finished || u->next >= u->total)
        return;
    uint64_t seq = u->next++;
    size_t len = udp_len(app, seq);
    for (int i = 0; i < 8; i++) {
        u->buf[i] = (uint8_t)(seq >> (56 - 8 * i));
        u->buf[8 + i] = (uint8_t)(u->total >> (56 - 8 * i));
    }
    uint64_t payload = app->config.size - UDP_HEADER_BYTES;
    app_fill(app->sim, seq * payload, u->buf + UDP_HEADER_BYTES, len - UDP_HEADER_BYTES);
    struct naru_sockaddr to = { app->config.dst, app->config.port };
    if (naru_sendto(app->config.from, u->tx, u->buf, len, 0, &to) == (long)len) {
        r->datagrams_sent++;
        r->bytes_sent += len - UDP_HEADER_BYTES;
    }
    /* Pace by payload bits, like iperf's -b, carrying the remainder. */
    uint64_t bits_ns = (uint64_t)len * 8 * NARU_SEC + u->carry;
    u->carry = bits_ns % app->config.rate_bps;
    naru_time_t gap = bits_ns / app->config.rate_bps;
    naru_time_t now = naru_sim_now(app->sim);
    if (u->next < u->total)
        app_at(app, app->config.from, now + gap, udp_send);
    else
        app_at(app, app->config.from, now + app->config.timeout, udp_finish);
}

static void udp_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct udp_state *u = &app->s.udp;
    struct naru_sim_app_result *r = &app->result;
    uint8_t buf[65536];
    long n;
    while ((n = naru_recvfrom(stack, sock, buf, sizeof buf, 0, NULL)) != -EAGAIN) {
        if (n < UDP_HEADER_BYTES)
            continue;
        uint64_t seq = 0;
        for (int i = 0; i < 8; i++)
            seq = seq << 8 | buf[i];
        if (seq >= u->total || (size_t)n != udp_len(app, seq)) {
            r->intact = false;
            continue;
        }
        r->datagrams_received++;
        if (u->seen[seq / 8] & (1u << (seq % 8))) {
            r->duplicates++;
            continue;
        }
        u->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
        if (u->unique && seq < u->highest)
            r->reordered++;
        if (seq > u->highest || !u->unique)
            u->highest = seq;
        u->unique++;
        uint64_t payload = app->config.size - UDP_HEADER_BYTES;
        if (!app_check(app->sim, seq * payload, buf + UDP_HEADER_BYTES, (size_t)n - UDP_HEADER_BYTES))
            r->intact = false;
        r->bytes_received += (uint64_t)n - UDP_HEADER_BYTES;
        u->last_arrival = naru_sim_now(app->sim);
    }
    if (u->unique == u->total && !r->finished)
        udp_finish(app);
}

static int udp_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    struct udp_state *u = &app->s.udp;
    u->tx = u->rx = -1;
    if (!c->to)
        return -EINVAL; /* the receiver runs on a simulated host */
    if (!c->bytes)
        c->bytes = 1000000;
    if (!c->size)
        c->size = 1472;
    if (!c->rate_bps)
        c->rate_bps = 10000000;
    if (!c->timeout)
        c->timeout = DEFAULT_TIMEOUT;
    if (c->size <= UDP_HEADER_BYTES || c->size > 65507)
        return -EINVAL;
    u->total = (c->bytes + (c->size - UDP_HEADER_BYTES) - 1) / (c->size - UDP_HEADER_BYTES);
    u->seen = calloc((size_t)(u->total / 8 + 1), 1);
    u->buf = malloc(c->size);
    if (!u->seen || !u->buf)
        return -ENOMEM;
    app->result.intact = true;
    u->rx = naru_socket(c->to, NARU_SOCK_DGRAM);
    if (u->rx < 0)
        return u->rx;
    struct naru_sockaddr local = { 0, c->port };
    int err = naru_bind(c->to, u->rx, &local);
    if (err < 0)
        return err;
    naru_socket_set_callback(c->to, u->rx, udp_readable, app);
    return 0;
}

static void udp_start(struct naru_sim_app *app)
{
    struct udp_state *u = &app->s.udp;
    u->tx = naru_socket(app->config.from, NARU_SOCK_DGRAM);
    if (u->tx < 0) {
        app_finish(app, false, "cannot open a UDP socket");
        return;
    }
    udp_send(app);
}

static void udp_destroy(struct naru_sim_app *app)
{
    free(app->s.udp.seen);
    free(app->s.udp.buf);
}

static const struct app_ops udp_ops = { udp_setup, udp_start, udp_destroy };

/* ---- the registry ---- */

static const char *kind_name(enum naru_sim_app_kind kind)
{
    switch (kind) {
    case NARU_SIM_PING: return "ping";
    case NARU_SIM_TRACEROUTE: return "traceroute";
    case NARU_SIM_UDP_TRANSFER: return "udp";
    case NARU_SIM_TCP_TRANSFER: return "tcp";
    case NARU_SIM_HTTP_GET: return "http";
    case NARU_SIM_DNS_SERVER: return "dns";
    case NARU_SIM_DNS_LOOKUP: return "lookup";
    default: return NULL;
    }
}

static void app_begin(void *ctx)
{
    struct naru_sim_app *app = ctx;
    app->result.started = naru_sim_now(app->sim);
    app->ops->start(app);
}

static void app_free(struct naru_sim_app *app)
{
    if (app->ops && app->ops->destroy)
        app->ops->destroy(app);
    free(app);
}

/* Ports for transfers to one host, so that several can run at once. */
static uint16_t next_transfer_port(struct naru_sim *sim, struct naru_stack *to)
{
    uint16_t port = 5001;
    for (unsigned i = 0; i < sim->app_count; i++) {
        const struct naru_sim_app *a = sim->apps[i];
        if ((a->config.kind == NARU_SIM_UDP_TRANSFER || a->config.kind == NARU_SIM_TCP_TRANSFER) &&
            a->config.to == to && a->config.port >= port)
            port = (uint16_t)(a->config.port + 1);
    }
    return port;
}

int naru_sim_app_add(struct naru_sim *sim, const struct naru_sim_app_config *config, struct naru_sim_app **out)
{
    const char *kind = config ? kind_name(config->kind) : NULL;
    if (!kind || !config->from || !sim_node_of(sim, config->from) || (config->to && !sim_node_of(sim, config->to)))
        return -EINVAL;
    if (sim_grow((void **)&sim->apps, &sim->app_cap, sim->app_count, sizeof *sim->apps) < 0)
        return -ENOMEM;
    struct naru_sim_app *app = calloc(1, sizeof *app);
    if (!app)
        return -ENOMEM;
    app->sim = sim;
    app->index = sim->app_count;
    app->config = *config;
    app->result.kind = config->kind;
    struct naru_sim_app_config *c = &app->config;
    if (config->name)
        snprintf(app->name, sizeof app->name, "%s", config->name);
    else
        snprintf(app->name, sizeof app->name, "%s%u", kind, app->index + 1);
    c->name = app->name;
    if (!c->dst && c->to)
        c->dst = first_addr(c->to);
    if (!c->timeout)
        c->timeout = DEFAULT_TIMEOUT;
    char a[NARU_IP4_STRLEN];
    snprintf(app->host, sizeof app->host, "%s", config->host ? config->host : naru_ip4_format(c->dst, a));
    c->host = app->host;
    if ((c->kind == NARU_SIM_UDP_TRANSFER || c->kind == NARU_SIM_TCP_TRANSFER) && !c->port)
        c->port = next_transfer_port(sim, c->to);
    switch (c->kind) {
    case NARU_SIM_PING: app->ops = &ping_ops; break;
    case NARU_SIM_TRACEROUTE: app->ops = &trace_ops; break;
    case NARU_SIM_UDP_TRANSFER: app->ops = &udp_ops; break;
    case NARU_SIM_TCP_TRANSFER: app->ops = &app_tcp_transfer_ops; break;
    case NARU_SIM_HTTP_GET: app->ops = &app_http_ops; break;
    case NARU_SIM_DNS_SERVER: app->ops = &app_dns_server_ops; break;
    case NARU_SIM_DNS_LOOKUP: app->ops = &app_dns_lookup_ops; break;
    }
    int err = c->dst || c->kind == NARU_SIM_DNS_SERVER ? 0 : -EINVAL;
    if (!err)
        err = app->ops->setup(app);
    if (!err)
        err = naru_sim_at_stack(sim, c->from, c->start, app_begin, app);
    if (err) {
        app_free(app);
        return err;
    }
    sim->apps[sim->app_count++] = app;
    sim->apps_unfinished++;
    if (out)
        *out = app;
    return 0;
}

void sim_apps_destroy(struct naru_sim *sim)
{
    app_http_servers_destroy(sim);
    for (unsigned i = 0; i < sim->app_count; i++)
        app_free(sim->apps[i]);
    while (sim->pending_closes) {
        struct app_pending_close *p = sim->pending_closes;
        sim->pending_closes = p->next;
        free(p);
    }
    free(sim->apps);
    free(sim->app_pattern);
    sim->apps = NULL;
    sim->app_count = 0;
}

const char *naru_sim_app_name(const struct naru_sim_app *app)
{
    return app->name;
}

void naru_sim_app_get_result(const struct naru_sim_app *app, struct naru_sim_app_result *result)
{
    *result = app->result;
}

unsigned naru_sim_app_count(const struct naru_sim *sim)
{
    return sim->app_count;
}

struct naru_sim_app *naru_sim_app_at(const struct naru_sim *sim, unsigned index)
{
    return index < sim->app_count ? sim->apps[index] : NULL;
}

struct naru_sim_app *naru_sim_find_app(const struct naru_sim *sim, const char *name)
{
    for (unsigned i = 0; i < sim->app_count; i++)
        if (!strcmp(sim->apps[i]->name, name))
            return sim->apps[i];
    return NULL;
}

bool naru_sim_apps_finished(void *sim)
{
    return ((struct naru_sim *)sim)->apps_unfinished == 0;
}

/* ---- summaries ---- */

struct text {
    char *buf;
    size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->len < t->cap ? t->buf + t->len : NULL, t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static double ms(naru_time_t t)
{
    return (double)t / (double)NARU_MS;
}

static void put_rate(struct text *t, double bps)
{
    if (bps >= 1e9)
        put(t, "%.2f Gbit/s", bps / 1e9);
    else if (bps >= 1e6)
        put(t, "%.2f Mbit/s", bps / 1e6);
    else
        put(t, "%.1f kbit/s", bps / 1e3);
}

static void summary_trace(struct text *t, const struct naru_sim_app *app)
{
    const struct naru_sim_app_result *r = &app->result;
    char a[NARU_IP4_STRLEN];
    put(t, "%s: traceroute to %s, %u hops max\n", app->name, naru_ip4_format(app->config.dst, a),
        app->config.max_ttl);
    for (unsigned h = 0; h < r->hop_count; h++) {
        const struct naru_sim_hop *hop = &r->hops[h];
        put(t, "  %2u ", hop->ttl);
        uint32_t last = 0;
        for (unsigned q = 0; q < app->config.queries; q++) {
            if (!hop->addr[q]) {
                put(t, " *");
                continue;
            }
            if (hop->addr[q] != last) {
                struct naru_stack *owner = NULL;
                for (unsigned i = 0; i < app->sim->node_count && !owner; i++)
                    for (int k = 0; k < (int)naru_if_count(app->sim->nodes[i]->stack); k++) {
                        uint32_t x = 0;
                        if (naru_if_get_addr(app->sim->nodes[i]->stack, k, &x, NULL) == 0 && x == hop->addr[q])
                            owner = app->sim->nodes[i]->stack;
                    }
                put(t, " %s", naru_ip4_format(hop->addr[q], a));
                if (owner)
                    put(t, " (%s)", naru_sim_stack_name(app->sim, owner));
                last = hop->addr[q];
            }
            put(t, "  %.3f ms", ms(hop->rtt[q]));
        }
        if (hop->mark)
            put(t, " !%c", hop->mark);
        put(t, "\n");
    }
    if (!r->ok && r->finished)
        put(t, "  %s\n", r->error);
}

int naru_sim_app_summary(const struct naru_sim_app *app, char *buf, size_t cap)
{
    struct text t = { buf, cap, 0 };
    if (cap)
        buf[0] = '\0';
    const struct naru_sim_app_result *r = &app->result;
    char a[NARU_IP4_STRLEN];
    const char *status = !r->finished ? " (unfinished)" : "";
    switch (app->config.kind) {
    case NARU_SIM_PING:
        put(&t, "%s: ping %s: %u sent, %u received, %.0f%% lost", app->name, naru_ip4_format(app->config.dst, a),
            r->sent, r->received, r->sent ? 100.0 * (r->sent - r->received) / r->sent : 0.0);
        if (r->received)
            put(&t, "; rtt min/avg/max %.3f/%.3f/%.3f ms", ms(r->rtt_min), ms(r->rtt_avg), ms(r->rtt_max));
        put(&t, "%s\n", status);
        break;
    case NARU_SIM_TRACEROUTE:
        summary_trace(&t, app);
        break;
    case NARU_SIM_UDP_TRANSFER:
        put(&t, "%s: UDP to %s:%u: %llu of %llu datagrams arrived (%llu lost, %llu duplicated, %llu out of order), "
                "%llu bytes, %s, ",
            app->name, naru_ip4_format(app->config.dst, a), app->config.port,
            (unsigned long long)(r->datagrams_received - r->duplicates), (unsigned long long)r->datagrams_sent,
            (unsigned long long)r->datagrams_lost, (unsigned long long)r->duplicates,
            (unsigned long long)r->reordered, (unsigned long long)r->bytes_received,
            r->intact ? "intact" : "ALTERED");
        put_rate(&t, r->goodput_bps);
        put(&t, "%s\n", status);
        break;
    case NARU_SIM_TCP_TRANSFER:
    case NARU_SIM_HTTP_GET:
        if (app->config.kind == NARU_SIM_HTTP_GET)
            put(&t, "%s: GET http://%s:%u/%.0llu: status %d, ", app->name, app->host, app->config.port,
                (unsigned long long)app->config.bytes, r->http_status);
        else
            put(&t, "%s: TCP to %s:%u: ", app->name, naru_ip4_format(app->config.dst, a), app->config.port);
        put(&t, "%llu of %llu bytes, %s, %.3f s, ", (unsigned long long)r->bytes_received,
            (unsigned long long)(app->config.kind == NARU_SIM_HTTP_GET ? app->s.http.body_expected
                                                                       : app->config.bytes), r->intact ? "intact" : "NOT intact",
            (double)(r->ended - r->started) / (double)NARU_SEC);
        put_rate(&t, r->goodput_bps);
        if (r->goodput_late_bps > 0) {
            put(&t, " (second half ");
            put_rate(&t, r->goodput_late_bps);
            put(&t, ")");
        }
        put(&t, ", %llu retransmissions%s", (unsigned long long)r->retransmits, status);
        if (r->finished && !r->ok)
            put(&t, ": %s", r->error);
        put(&t, "\n");
        break;
    case NARU_SIM_DNS_SERVER:
        put(&t, "%s: DNS server for %s on %s, port %u: %llu %s answered\n", app->name,
            app->config.zone_path ? app->config.zone_path : app->config.origin,
            naru_sim_stack_name(app->sim, app->config.from), app->config.port ? app->config.port : 53,
            (unsigned long long)app_dns_served(app), app_dns_served(app) == 1 ? "query" : "queries");
        break;
    case NARU_SIM_DNS_LOOKUP:
        put(&t, "%s: %s", app->name, app->config.query);
        for (unsigned i = 0; i < r->addr_count; i++)
            put(&t, "%s%s", i ? ", " : " is ", naru_ip4_format(r->addrs[i], a));
        if (r->addr_count)
            put(&t, " (TTL %u s)", r->dns_ttl);
        put(&t, ", asked of %s in %.3f ms, %llu %s sent%s\n", naru_ip4_format(app->config.dst, a),
            ms(r->ended - r->started), (unsigned long long)r->dns_queries, r->dns_queries == 1 ? "query" : "queries",
            status);
        break;
    }
    if (app->config.kind != NARU_SIM_TRACEROUTE && r->finished && !r->ok &&
        app->config.kind != NARU_SIM_TCP_TRANSFER && app->config.kind != NARU_SIM_HTTP_GET)
        put(&t, "  %s\n", r->error);
    return t.len > 0x7fffffff ? 0x7fffffff : (int)t.len;
}
