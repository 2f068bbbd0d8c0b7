/* traceroute: UDP probes with TTL 1, 2, 3..., one at a time as classic
 * traceroute sends them. The router where a probe's TTL runs out answers
 * ICMP time exceeded, naming itself; the destination answers port
 * unreachable, since nobody listens on the probe ports (RFC 1393 explains
 * the method); over IPv6 the same with the hop limit and ICMPv6's time
 * exceeded and port unreachable (RFC 4443 3.3, 3.1). The answers come back through NARU_SO_RECVERR, as with
 * Linux's IP_RECVERR; each probe goes to the next port, so an answer names
 * the probe it is about. */
#include "apps_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBE_SIZE 1472

struct naru_traceroute {
    struct naru_app_env env;
    struct naru_traceroute_config c;
    struct naru_traceroute_result r;
    struct naru_traceroute_hop *hops; /* max_ttl of them */
    int sock;
    uint8_t ttl, query;
    uint32_t probe;            /* probes sent so far */
    bool awaiting;
    naru_time_t sent_at;
    uint8_t data[MAX_PROBE_SIZE];
};

void naru_traceroute_config_default(struct naru_traceroute_config *c)
{
    memset(c, 0, sizeof *c);
    c->dst.port = 33434;
    c->max_ttl = 30;
    c->queries = 3;
    c->wait = 5 * NARU_SEC;
    c->probe_size = 32;
}

static void finish(struct naru_traceroute *t, bool ok, int error, const char *why)
{
    if (t->r.finished)
        return;
    t->r.finished = true;
    t->r.ok = ok;
    t->r.error = error;
    t->r.why = ok ? "" : why;
    t->r.ended = app_now(&t->env);
    if (t->c.on_done)
        t->c.on_done(t->c.ctx);
}

static struct naru_traceroute_hop *hop_now(struct naru_traceroute *t)
{
    return &t->hops[t->r.hop_count - 1];
}

static void send_probe(struct naru_traceroute *t);

/* The current probe is answered or given up on: the next one, the next
 * hop, or the end. */
static void next(struct naru_traceroute *t, const struct naru_traceroute_probe *probe)
{
    struct naru_traceroute_hop *hop = hop_now(t);
    t->awaiting = false;
    if (t->c.on_probe)
        t->c.on_probe(t->c.ctx, probe);
    if (t->r.finished)
        return;
    if (++t->query < t->c.queries) {
        send_probe(t);
        return;
    }
    if (hop->reached || hop->mark) {
        finish(t, hop->reached, 0, "an unreachable error stopped it");
        return;
    }
    if (t->ttl >= t->c.max_ttl) {
        finish(t, false, 0, "the destination was not reached");
        return;
    }
    t->ttl++;
    t->query = 0;
    send_probe(t);
}

static void on_timeout(void *arg)
{
    struct naru_traceroute *t = arg;
    /* Every probe sets one of these; only the current probe's counts. */
    if (t->r.finished || !t->awaiting || app_now(&t->env) < t->sent_at + t->c.wait)
        return;
    struct naru_traceroute_probe probe = { .ttl = t->ttl, .query = t->query,
                                           .last = t->query + 1 >= t->c.queries };
    next(t, &probe);
}

static void send_probe(struct naru_traceroute *t)
{
    if (t->query == 0) {
        struct naru_traceroute_hop *hop = &t->hops[t->r.hop_count++];
        hop->ttl = t->ttl;
    }
    struct naru_sockaddr to = t->c.dst;
    to.port = (uint16_t)(t->c.dst.port + t->probe++);
    naru_setsockopt(t->env.stack, t->sock, NARU_IP_TTL, t->ttl);
    t->awaiting = true;
    t->sent_at = app_now(&t->env);
    t->r.sent++;
    long n = naru_sendto(t->env.stack, t->sock, t->data, t->c.probe_size, 0, &to);
    if (n < 0) {
        struct naru_traceroute_probe probe = { .ttl = t->ttl, .query = t->query, .last = true,
                                               .send_error = (int)n };
        t->awaiting = false;
        if (t->c.on_probe)
            t->c.on_probe(t->c.ctx, &probe);
        finish(t, false, (int)n, "the stack refused a probe");
        return;
    }
    app_at(&t->env, t->sent_at + t->c.wait, on_timeout, t);
}

/* ICMPv6 destination unreachable's codes (RFC 4443 3.1) as traceroute6
 * marks them: no route, administratively prohibited, address unreachable. */
static char mark_of6(uint8_t code)
{
    switch (code) {
    case 0: return 'N';
    case 3: return 'H';
    default: return 'X';
    }
}

static char mark_of(uint8_t code)
{
    switch (code) {
    case 0: return 'N';
    case 1: return 'H';
    case 2: return 'P';
    case 4: return 'F';
    default: return 'X';
    }
}

static void on_socket(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_traceroute *t = ctx;
    uint8_t sink[64];
    while (naru_recvfrom(stack, sock, sink, sizeof sink, 0, NULL) >= 0)
        ; /* nothing answers a probe with data: drop it */
    struct naru_icmp_error e;
    while (naru_recv_error(stack, sock, &e) == 0) {
        uint16_t expect = (uint16_t)(t->c.dst.port + t->probe - 1);
        if (t->r.finished || !t->awaiting || e.dst.port != expect)
            continue; /* late: its probe already timed out */
        struct naru_traceroute_hop *hop = hop_now(t);
        struct naru_traceroute_probe probe = { .ttl = t->ttl, .query = t->query, .answered = true,
                                               .last = t->query + 1 >= t->c.queries };
        probe.from.addr = e.offender;
        probe.rtt = app_now(&t->env) - t->sent_at;
        bool reached_dst = naru_addr_equal(&e.offender, &t->c.dst.addr);
        if (e.family == NARU_AF_INET6) {
            if (e.type == 1 && e.code == 4 && reached_dst)
                probe.reached = true;
            else if (e.type == 1)
                probe.mark = mark_of6(e.code);
            else if (e.type == 2)
                probe.mark = 'F'; /* packet too big */
        } else if (e.type == 3) {
            if (e.code == 3 && reached_dst)
                probe.reached = true;
            else
                probe.mark = mark_of(e.code);
        }
        hop->from[t->query] = probe.from;
        hop->rtt[t->query] = probe.rtt;
        hop->marks[t->query] = probe.mark;
        hop->answered++;
        hop->reached |= probe.reached;
        if (!hop->mark)
            hop->mark = probe.mark;
        t->r.received++;
        next(t, &probe);
    }
    naru_socket_error(stack, sock); /* an unconnected socket: errors came above */
}

int naru_traceroute_start(const struct naru_app_env *env, const struct naru_traceroute_config *config,
                          struct naru_traceroute **out)
{
    if (!config->max_ttl || !config->queries || config->queries > NARU_TRACEROUTE_MAX_QUERIES ||
        config->probe_size > MAX_PROBE_SIZE || !config->dst.port)
        return -EINVAL;
    struct naru_traceroute *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->hops = calloc(config->max_ttl, sizeof *t->hops);
    if (!t->hops) {
        free(t);
        return -ENOMEM;
    }
    t->env = *env;
    t->c = *config;
    t->ttl = 1;
    t->r.hops = t->hops;
    t->r.why = "";
    t->r.started = app_now(env);
    t->r.ended = NARU_APP_UNSET;
    *out = t;
    t->sock = naru_socket(env->stack, NARU_SOCK_DGRAM);
    if (t->sock < 0) {
        finish(t, false, t->sock, "cannot open a UDP socket");
        return 0;
    }
    naru_setsockopt(env->stack, t->sock, NARU_SO_RECVERR, 1);
    naru_socket_set_callback(env->stack, t->sock, on_socket, t);
    send_probe(t);
    return 0;
}

const struct naru_traceroute_result *naru_traceroute_result(const struct naru_traceroute *t)
{
    return &t->r;
}

void naru_traceroute_destroy(struct naru_traceroute *t)
{
    if (!t)
        return;
    if (t->sock >= 0)
        naru_close(t->env.stack, t->sock);
    free(t->hops);
    free(t);
}

void naru_traceroute_hop_probe(const struct naru_traceroute_hop *hop, unsigned q, struct naru_traceroute_probe *p)
{
    memset(p, 0, sizeof *p);
    p->ttl = hop->ttl;
    p->query = (uint8_t)q;
    p->answered = hop->from[q].addr.family != NARU_AF_UNSPEC;
    p->from = hop->from[q];
    p->rtt = hop->rtt[q];
    p->mark = hop->marks[q];
}

const char *naru_traceroute_probe_text(const struct naru_traceroute_probe *p, const struct naru_sockaddr *previous,
                                       const char *name, char *buf, size_t cap)
{
    if (!cap)
        return buf;
    buf[0] = '\0';
    if (p->send_error) {
        snprintf(buf, cap, " (%s)", app_errno_text(p->send_error));
        return buf;
    }
    if (!p->answered) {
        snprintf(buf, cap, " *");
        return buf;
    }
    size_t n = 0;
    char a[NARU_APP_ADDR_TEXT];
    if (!previous || !naru_addr_equal(&previous->addr, &p->from.addr))
        n += (size_t)snprintf(buf + n, cap - n, " %s", naru_app_addr_text(&p->from, false, a));
    if (n < cap && name && (!previous || !naru_addr_equal(&previous->addr, &p->from.addr)))
        n += (size_t)snprintf(buf + n, cap - n, " (%s)", name);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "  %.3f ms", (double)p->rtt / (double)NARU_MS);
    if (n < cap && p->mark)
        snprintf(buf + n, cap - n, " !%c", p->mark);
    return buf;
}
