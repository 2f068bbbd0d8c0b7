/* The stub resolver on the host's kernel sockets, not naru's: the same
 * resolver code behind a small transport (struct naru_dns_resolver_io)
 * written here with socket(2), poll(2) and CLOCK_MONOTONIC, asking naru's
 * authoritative server, also on kernel sockets, on 127.0.0.1. No root,
 * no namespace: loopback only. */
#define _GNU_SOURCE
#include "testnet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "naru/dns.h"

#define LOOPBACK 0x7f000001u
#define MAX_SOCKS 8
#define MAX_CONNS 4

/* ---- the transport: kernel sockets, handles are slots ---- */

struct kernel_io {
    struct naru_dns_resolver *resolver;
    int fd[MAX_SOCKS];         /* -1: free */
    bool want_out[MAX_SOCKS];  /* TCP: until the resolver has had POLLOUT */
    naru_time_t timer;
    unsigned opened[2];        /* by NARU_DNS_UDP, NARU_DNS_TCP */
};

static struct sockaddr_in sockaddr_of(const struct naru_sockaddr *a)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(a->addr.v4);
    sin.sin_port = htons(a->port);
    return sin;
}

static int k_open(void *ctx, enum naru_dns_transport transport, const struct naru_sockaddr *server)
{
    struct kernel_io *k = ctx;
    int slot = 0;
    while (slot < MAX_SOCKS && k->fd[slot] >= 0)
        slot++;
    if (slot == MAX_SOCKS)
        return -EMFILE;
    int fd = socket(AF_INET, (transport == NARU_DNS_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Connected, also for UDP: the kernel picks a random port, and an ICMP
     * port unreachable comes back as ECONNREFUSED. */
    struct sockaddr_in sin = sockaddr_of(server);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 && errno != EINPROGRESS) {
        int err = -errno;
        close(fd);
        return err;
    }
    k->fd[slot] = fd;
    k->want_out[slot] = transport == NARU_DNS_TCP;
    k->opened[transport]++;
    return slot;
}

static long k_send(void *ctx, int sock, const void *buf, size_t len, const struct naru_sockaddr *to)
{
    struct kernel_io *k = ctx;
    (void)to;                  /* connected to it */
    ssize_t n = send(k->fd[sock], buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN)
        k->want_out[sock] = true;
    return n < 0 ? -errno : n;
}

static long k_recv(void *ctx, int sock, void *buf, size_t cap, struct naru_sockaddr *from)
{
    struct kernel_io *k = ctx;
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    ssize_t n = recvfrom(k->fd[sock], buf, cap, 0, (struct sockaddr *)&sin, &sl);
    if (n < 0)
        return -errno;
    if (from) {
        from->addr = naru_addr_v4(ntohl(sin.sin_addr.s_addr));
        from->port = ntohs(sin.sin_port);
    }
    return n;
}

static void k_close(void *ctx, int sock)
{
    struct kernel_io *k = ctx;
    close(k->fd[sock]);
    k->fd[sock] = -1;
}

static naru_time_t k_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (naru_time_t)ts.tv_sec * NARU_SEC + (naru_time_t)ts.tv_nsec;
}

static void k_set_timer(void *ctx, naru_time_t when)
{
    struct kernel_io *k = ctx;
    k->timer = when;
}

/* ---- naru's server on kernel sockets (what naru dnsd does, in small) ---- */

struct server {
    struct naru_dns_server *dns;
    int udp, listener;         /* udp -1: none; a silent server reads nothing */
    bool silent;
    uint16_t port;
    int conn[MAX_CONNS];
    size_t have[MAX_CONNS];
    uint8_t in[MAX_CONNS][2 + 65535];
    uint8_t reply[2 + 65535];
    unsigned udp_queries, tcp_queries;
};

static const char zone[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "@ SOA ns.example. admin.example. 1 7200 3600 1209600 60\n"
    "@ NS ns\n"
    "ns A 192.0.2.53\n"
    "www A 192.0.2.80\n"
    "alias CNAME www\n";

static int bound(int type, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
    sin.sin_addr.s_addr = htonl(LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
    return ntohs(sin.sin_port);
}

static void server_start(struct server *s, bool silent)
{
    memset(s, 0, sizeof *s);
    s->silent = silent;
    for (int i = 0; i < MAX_CONNS; i++)
        s->conn[i] = -1;
    assert_int_equal(naru_dns_server_create(NULL, &s->dns), 0);
    char err[256];
    /* 120 addresses under one name: more than a 1232-byte UDP answer holds. */
    char text[sizeof zone + 120 * 32];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", zone);
    for (int i = 1; i <= 120; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "big A 198.51.100.%d\n", i);
    if (naru_dns_server_load_zone_text(s->dns, NULL, "test", text, len, err, sizeof err) < 0)
        fail_msg("%s", err);
    /* UDP and TCP on the same port, as a DNS server has them. */
    for (int tries = 0; tries < 50; tries++) {
        s->udp = bound(SOCK_DGRAM, 0);
        s->port = port_of(s->udp);
        s->listener = bound(SOCK_STREAM, s->port);
        if (s->listener >= 0)
            break;
        close(s->udp);
    }
    assert_true(s->listener >= 0);
    assert_int_equal(listen(s->listener, 4), 0);
}

static void server_stop(struct server *s)
{
    close(s->udp);
    close(s->listener);
    for (int i = 0; i < MAX_CONNS; i++)
        if (s->conn[i] >= 0)
            close(s->conn[i]);
    naru_dns_server_destroy(s->dns);
}

static void server_udp(struct server *s)
{
    uint8_t query[4096];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s->udp, query, sizeof query, 0, (struct sockaddr *)&from, &fl);
    if (n <= 0)
        return;
    s->udp_queries++;
    size_t len = naru_dns_server_answer(s->dns, query, (size_t)n, NARU_DNS_UDP, s->reply, 4096);
    if (len)
        sendto(s->udp, s->reply, len, 0, (struct sockaddr *)&from, fl);
}

static void server_conn(struct server *s, int i)
{
    ssize_t n = recv(s->conn[i], s->in[i] + s->have[i], sizeof s->in[i] - s->have[i], 0);
    if (n <= 0) {
        close(s->conn[i]);
        s->conn[i] = -1;
        return;
    }
    s->have[i] += (size_t)n;
    const uint8_t *msg;
    size_t mlen;
    size_t used = naru_dns_tcp_frame(s->in[i], s->have[i], &msg, &mlen);
    if (!used)
        return;
    s->tcp_queries++;
    size_t len = naru_dns_server_answer(s->dns, msg, mlen, NARU_DNS_TCP, s->reply + 2, sizeof s->reply - 2);
    s->reply[0] = (uint8_t)(len >> 8);
    s->reply[1] = (uint8_t)len;
    assert_int_equal(send(s->conn[i], s->reply, len + 2, MSG_NOSIGNAL), (ssize_t)(len + 2));
    memmove(s->in[i], s->in[i] + used, s->have[i] - used);
    s->have[i] -= used;
}

/* ---- one event loop for both ---- */

struct world {
    struct kernel_io io;
    struct server server;
    struct naru_dns_resolver *r;
};

static unsigned naru_events(short revents)
{
    return (revents & POLLIN ? NARU_POLLIN : 0) | (revents & POLLOUT ? NARU_POLLOUT : 0) |
           (revents & POLLERR ? NARU_POLLERR : 0) | (revents & POLLHUP ? NARU_POLLHUP : 0);
}

/* Run until *done, or fail after 10 s of nothing useful. */
static void run_until(struct world *w, const bool *done)
{
    naru_time_t give_up = k_now(NULL) + 10 * NARU_SEC;
    while (!*done) {
        struct pollfd p[2 + MAX_CONNS + MAX_SOCKS];
        int who[2 + MAX_CONNS + MAX_SOCKS];   /* -1 udp, -2 listener, -3-i conn i, else slot */
        nfds_t n = 0;
        struct server *s = &w->server;
        if (!s->silent) {
            p[n] = (struct pollfd){ .fd = s->udp, .events = POLLIN };
            who[n++] = -1;
            p[n] = (struct pollfd){ .fd = s->listener, .events = POLLIN };
            who[n++] = -2;
        }
        for (int i = 0; i < MAX_CONNS; i++)
            if (s->conn[i] >= 0) {
                p[n] = (struct pollfd){ .fd = s->conn[i], .events = POLLIN };
                who[n++] = -3 - i;
            }
        for (int i = 0; i < MAX_SOCKS; i++)
            if (w->io.fd[i] >= 0) {
                p[n] = (struct pollfd){ .fd = w->io.fd[i],
                                        .events = (short)(POLLIN | (w->io.want_out[i] ? POLLOUT : 0)) };
                who[n++] = i;
            }
        naru_time_t now = k_now(NULL);
        assert_true(now < give_up);
        int timeout = 1000;
        if (w->io.timer != NARU_NEVER)
            timeout = w->io.timer <= now ? 0 : (int)((w->io.timer - now + NARU_MS - 1) / NARU_MS);
        assert_true(poll(p, n, timeout) >= 0);
        for (nfds_t i = 0; i < n; i++) {
            if (!p[i].revents)
                continue;
            if (who[i] == -1) {
                server_udp(s);
            } else if (who[i] == -2) {
                int c = accept4(s->listener, NULL, NULL, SOCK_CLOEXEC);
                for (int j = 0; j < MAX_CONNS && c >= 0; j++)
                    if (s->conn[j] < 0) {
                        s->conn[j] = c;
                        s->have[j] = 0;
                        c = -1;
                    }
                if (c >= 0)
                    close(c);
            } else if (who[i] <= -3) {
                server_conn(s, -3 - who[i]);
            } else if (w->io.fd[who[i]] == p[i].fd) {
                if (p[i].revents & POLLOUT)
                    w->io.want_out[who[i]] = false;
                naru_dns_resolver_socket_ready(w->r, who[i], naru_events(p[i].revents));
            }
        }
        if (w->io.timer != NARU_NEVER && k_now(NULL) >= w->io.timer)
            naru_dns_resolver_poll(w->r);
    }
}

/* The resolver asks the server; after a port nobody listens on first, if
 * `refused_port`. */
static void world_start(struct world *w, bool silent, uint16_t refused_port, naru_time_t timeout,
                        unsigned rounds)
{
    memset(w, 0, sizeof *w);
    for (int i = 0; i < MAX_SOCKS; i++)
        w->io.fd[i] = -1;
    w->io.timer = NARU_NEVER;
    server_start(&w->server, silent);
    struct naru_dns_resolver_config c;
    naru_dns_resolver_config_default(&c);
    if (refused_port)
        c.servers[c.server_count++] = (struct naru_sockaddr){ .addr = naru_addr_v4(LOOPBACK), .port = refused_port };
    c.servers[c.server_count++] = (struct naru_sockaddr){ .addr = naru_addr_v4(LOOPBACK), .port = w->server.port };
    if (timeout)
        c.timeout = timeout;
    if (rounds)
        c.rounds = rounds;
    struct naru_dns_resolver_io io = {
        .ctx = &w->io, .open = k_open, .send = k_send, .recv = k_recv, .close = k_close,
        .now = k_now, .set_timer = k_set_timer, .seed = 12345,
    };
    assert_int_equal(naru_dns_resolver_create_io(&io, &c, &w->r), 0);
    w->io.resolver = w->r;
}

static void world_stop(struct world *w)
{
    naru_dns_resolver_destroy(w->r);
    for (int i = 0; i < MAX_SOCKS; i++)
        assert_int_equal(w->io.fd[i], -1);   /* every socket it opened, closed */
    server_stop(&w->server);
}

struct got {
    bool done;
    struct naru_dns_result res;
    naru_time_t when;
};

static void resolved(void *ctx, const struct naru_dns_result *res)
{
    struct got *g = ctx;
    g->res = *res;
    g->done = true;
    g->when = k_now(NULL);
}

static struct got resolve(struct world *w, const char *name, uint16_t type)
{
    struct got g = { 0 };
    assert_true(naru_dns_resolve(w->r, name, type, resolved, &g) >= 0);
    run_until(w, &g.done);
    return g;
}

/* ---- tests ---- */

static void kernel_resolver_gets_addresses_from_a_server_on_loopback(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, false, 0, 0, 0);
    struct got g = resolve(&w, "www.example", 1 /* A */);
    assert_int_equal(g.res.status, 0);
    assert_int_equal(g.res.count, 1);
    assert_int_equal(naru_dns_result_ip4(&g.res, 0), 0xc0000250u);   /* 192.0.2.80 */
    assert_false(g.res.from_cache);
    g = resolve(&w, "alias.example", 1);
    assert_int_equal(g.res.status, 0);
    assert_string_equal(g.res.canonical, "www.example");
    assert_int_equal(naru_dns_result_ip4(&g.res, 0), 0xc0000250u);
    g = resolve(&w, "nope.example", 1);
    assert_int_equal(g.res.status, -ENOENT);
    /* Asked once each, over UDP; the second time from the cache. */
    assert_int_equal(w.server.udp_queries, 3);
    g = resolve(&w, "www.example", 1);
    assert_true(g.res.from_cache);
    assert_int_equal(w.server.udp_queries, 3);
    assert_int_equal(naru_dns_resolver_stats(w.r)->queries_sent, 3);
    assert_int_equal(w.io.opened[NARU_DNS_UDP], 3);
    world_stop(&w);
}

static void kernel_resolver_asks_again_over_tcp_when_the_answer_is_truncated(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, false, 0, 0, 0);
    struct got g = resolve(&w, "big.example", 1);
    assert_int_equal(g.res.status, 0);
    assert_int_equal(g.res.count, NARU_DNS_MAX_ADDRS);
    assert_int_equal(naru_dns_result_ip4(&g.res, 0) >> 8, 0xc6336400u >> 8);   /* 198.51.100.0/24 */
    assert_int_equal(naru_dns_resolver_stats(w.r)->truncated, 1);
    assert_int_equal(w.server.tcp_queries, 1);
    assert_int_equal(w.io.opened[NARU_DNS_TCP], 1);
    world_stop(&w);
}

static void kernel_resolver_passes_a_refused_server_over_without_waiting(void **state)
{
    (void)state;
    /* A port nobody listens on: bound for a moment, then let go. */
    int fd = bound(SOCK_DGRAM, 0);
    uint16_t closed = port_of(fd);
    close(fd);
    struct world w;
    naru_time_t timeout = 60 * NARU_SEC;
    world_start(&w, false, closed, timeout, 0);
    naru_time_t start = k_now(NULL);
    struct got g = resolve(&w, "www.example", 1);
    assert_int_equal(g.res.status, 0);
    assert_int_equal(naru_dns_resolver_stats(w.r)->retries, 1);
    assert_int_equal(w.server.udp_queries, 1);
    /* ICMP port unreachable moved it on, long before the first timeout. */
    assert_true(g.when < start + timeout);
    world_stop(&w);
}

static void kernel_resolver_times_out_when_nobody_answers(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, true, 0, 20 * NARU_MS, 2);
    struct got g = resolve(&w, "www.example", 1);
    assert_int_equal(g.res.status, -ETIMEDOUT);
    const struct naru_dns_resolver_stats *st = naru_dns_resolver_stats(w.r);
    assert_int_equal(st->queries_sent, 2);
    assert_int_equal(st->retries, 1);
    assert_int_equal(st->timeouts, 1);
    assert_int_equal(w.io.timer, NARU_NEVER);   /* nothing left to wait for */
    world_stop(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernel_resolver_gets_addresses_from_a_server_on_loopback),
        cmocka_unit_test(kernel_resolver_asks_again_over_tcp_when_the_answer_is_truncated),
        cmocka_unit_test(kernel_resolver_passes_a_refused_server_over_without_waiting),
        cmocka_unit_test(kernel_resolver_times_out_when_nobody_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
