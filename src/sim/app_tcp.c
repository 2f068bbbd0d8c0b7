/* The simulator's TCP applications: a bulk transfer to a receiver that
 * checks every byte, and an HTTP/1.1 download from a small web server.
 * Both use the socket API as any program would: non-blocking, moved on by
 * socket callbacks. */
#include "sim/apps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/counters.h"

#define CHUNK 65536
#define HTTP_HEADER_MAX 2048
#define HTTP_MAX_BODY ((uint64_t)1 << 34)

static const char default_page[] =
    "<!DOCTYPE html>\n"
    "<html><head><title>naru</title></head>\n"
    "<body><h1>Hello from naru</h1>\n"
    "<p>This page crossed a simulated Internet: split into TCP segments, carried in\n"
    "IP packets from router to router, some lost and sent again, and put back in\n"
    "order by the receiver before your program read a byte of it.</p></body></html>\n";

static const char *errno_text(int err)
{
    switch (err) {
    case -ECONNREFUSED: return "connection refused";
    case -ECONNRESET: return "connection reset";
    case -ETIMEDOUT: return "connection timed out";
    case -EHOSTUNREACH: return "host unreachable";
    case -ENETUNREACH: return "network unreachable";
    case -EPROTONOSUPPORT: return "TCP is not available in this build";
    default: return "socket error";
    }
}

/* A buffer of outgoing bytes filled once and sent from until empty, so a
 * send that takes a little at a time does not make us refill each time. */
struct stage {
    uint8_t *buf;
    size_t off, len;
};

/* Buffers set before the handshake, so the window scale offered fits
 * them (RFC 7323 2.2); sockets accepted inherit the listener's. */
static void set_buffers(struct naru_stack *stack, int sock, uint32_t bytes)
{
    if (!bytes)
        return;
    naru_setsockopt(stack, sock, NARU_SO_SNDBUF, (int)bytes);
    naru_setsockopt(stack, sock, NARU_SO_RCVBUF, (int)bytes);
}

static void set_congestion(struct naru_stack *stack, int sock, enum naru_sim_congestion cc)
{
    if (cc == NARU_SIM_CC_NEWRENO)
        naru_setsockopt(stack, sock, NARU_TCP_CONGESTION, NARU_TCP_CC_NEWRENO);
    else if (cc == NARU_SIM_CC_CUBIC)
        naru_setsockopt(stack, sock, NARU_TCP_CONGESTION, NARU_TCP_CC_CUBIC);
}

static uint64_t both_retransmits(const struct naru_sim_app *app)
{
    return naru_stack_counters(app->config.from)->tcp_retransmits +
           naru_stack_counters(app->config.to)->tcp_retransmits;
}

/* ---- TCP transfer ---- */

struct tcp_extra {
    struct stage stage;
    uint8_t *rbuf;
    bool unavailable;
};

static struct tcp_extra *extra_of(struct naru_sim_app *app)
{
    return (struct tcp_extra *)(void *)app->s.tcp.extra;
}

static void transfer_done(struct naru_sim_app *app, const char *error)
{
    struct tcp_state *t = &app->s.tcp;
    struct naru_sim_app_result *r = &app->result;
    if (r->finished)
        return;
    /* The sender may still be open (closing): ask it, else what it last said. */
    struct naru_tcp_info info;
    if (t->tx >= 0 && naru_tcp_get_info(app->config.from, t->tx, &info) == 0)
        t->sender_retrans = info.total_retrans;
    r->retransmits = t->sender_retrans;
    naru_time_t took = t->last_arrival > r->started ? t->last_arrival - r->started : 0;
    r->goodput_bps = took ? (double)r->bytes_received * 8 * (double)NARU_SEC / (double)took : 0;
    naru_time_t late = t->last_arrival > t->half_time ? t->last_arrival - t->half_time : 0;
    r->goodput_late_bps =
        t->half_time && late ? (double)(r->bytes_received - t->half_bytes) * 8 * (double)NARU_SEC / (double)late : 0;
    if (!error && !r->intact)
        error = "data arrived altered";
    if (!error && r->bytes_received != app->config.bytes)
        error = "the connection ended early";
    app_finish(app, error == NULL, error);
}

static void receiver_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct tcp_state *t = &app->s.tcp;
    struct naru_sim_app_result *r = &app->result;
    uint8_t *buf = extra_of(app)->rbuf;
    for (;;) {
        long n = naru_recv(stack, sock, buf, CHUNK, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            transfer_done(app, errno_text((int)n));
            app_close_later(app, stack, sock);
            t->rx = -1;
            return;
        }
        if (n == 0) {
            t->receiver_done = true;
            transfer_done(app, NULL);
            naru_close(stack, sock);
            t->rx = -1;
            return;
        }
        if (!app_check(app->sim, r->bytes_received, buf, (size_t)n))
            r->intact = false;
        r->bytes_received += (uint64_t)n;
        t->last_arrival = naru_sim_now(app->sim);
        if (!t->half_time && r->bytes_received >= app->config.bytes / 2) {
            t->half_time = t->last_arrival;
            t->half_bytes = r->bytes_received;
        }
    }
}

static void listener_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct tcp_state *t = &app->s.tcp;
    struct naru_sockaddr peer;
    int c;
    while ((c = naru_accept(stack, sock, &peer)) >= 0) {
        if (t->rx >= 0) {
            naru_close(stack, c); /* one transfer per application */
            continue;
        }
        t->rx = c;
        set_buffers(stack, c, app->config.socket_buffer);
        naru_socket_set_callback(stack, c, receiver_event, app);
        receiver_event(app, stack, c);
    }
}

static void sender_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct tcp_state *t = &app->s.tcp;
    struct stage *st = &extra_of(app)->stage;
    if (t->sender_done)
        return;
    struct naru_tcp_info info;
    if (naru_tcp_get_info(stack, sock, &info) == 0)
        t->sender_retrans = info.total_retrans;
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        if (err < 0) {
            transfer_done(app, errno_text(err));
            t->sender_done = true;
            naru_close(stack, sock);
            t->tx = -1;
            return;
        }
    }
    while ((ev & NARU_POLLOUT) && t->written < app->config.bytes) {
        if (st->off == st->len) {
            uint64_t left = app->config.bytes - t->written;
            st->len = left < CHUNK ? (size_t)left : CHUNK;
            st->off = 0;
            app_fill(app->sim, t->written, st->buf, st->len);
        }
        long n = naru_send(stack, sock, st->buf + st->off, st->len - st->off, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            transfer_done(app, errno_text((int)n));
            t->sender_done = true;
            naru_close(stack, sock);
            t->tx = -1;
            return;
        }
        st->off += (size_t)n;
        t->written += (uint64_t)n;
        app->result.bytes_sent = t->written;
    }
    if (t->written == app->config.bytes && !t->shut) {
        naru_shutdown(stack, sock, NARU_SHUT_WR);
        t->shut = true;
    }
    if (t->shut) {
        /* The receiver closes when it has everything: then so do we. */
        uint8_t b[256];
        long n;
        while ((n = naru_recv(stack, sock, b, sizeof b, 0)) > 0)
            ;
        if (n == 0 || (n < 0 && n != -EAGAIN)) {
            t->sender_done = true;
            naru_close(stack, sock);
            t->tx = -1;
        }
    }
}

static int transfer_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    struct tcp_state *t = &app->s.tcp;
    t->tx = t->listener = t->rx = -1;
    if (!c->to)
        return -EINVAL;
    if (!c->bytes)
        c->bytes = 1000000;
    struct tcp_extra *x = calloc(1, sizeof *x);
    if (!x)
        return -ENOMEM;
    t->extra = x;
    x->stage.buf = malloc(CHUNK);
    x->rbuf = malloc(CHUNK);
    if (!x->stage.buf || !x->rbuf)
        return -ENOMEM;
    app->result.intact = true;
    t->listener = naru_socket(c->to, NARU_SOCK_STREAM);
    if (t->listener == -EPROTONOSUPPORT) {
        x->unavailable = true; /* reported when it starts */
        return 0;
    }
    if (t->listener < 0)
        return t->listener;
    set_buffers(c->to, t->listener, c->socket_buffer);
    struct naru_sockaddr local = { 0, c->port };
    int err = naru_bind(c->to, t->listener, &local);
    if (!err)
        err = naru_listen(c->to, t->listener, 4);
    if (err < 0)
        return err;
    naru_socket_set_callback(c->to, t->listener, listener_event, app);
    return 0;
}

static void transfer_start(struct naru_sim_app *app)
{
    struct tcp_state *t = &app->s.tcp;
    struct naru_stack *from = app->config.from;
    if (extra_of(app)->unavailable) {
        app_finish(app, false, errno_text(-EPROTONOSUPPORT));
        return;
    }
    t->tx = naru_socket(from, NARU_SOCK_STREAM);
    if (t->tx < 0) {
        app_finish(app, false, errno_text(t->tx));
        return;
    }
    naru_socket_set_callback(from, t->tx, sender_event, app);
    set_buffers(from, t->tx, app->config.socket_buffer);
    set_congestion(from, t->tx, app->config.congestion);
    struct naru_sockaddr to = { app->config.dst, app->config.port };
    int err = naru_connect(from, t->tx, &to);
    if (err < 0 && err != -EINPROGRESS) {
        transfer_done(app, errno_text(err));
        return;
    }
    sender_event(app, from, t->tx);
}

static void transfer_destroy(struct naru_sim_app *app)
{
    struct tcp_extra *x = extra_of(app);
    if (x) {
        free(x->stage.buf);
        free(x->rbuf);
        free(x);
    }
}

const struct app_ops app_tcp_transfer_ops = { transfer_setup, transfer_start, transfer_destroy };

/* ---- HTTP ---- */

/* The body of a page: the small HTML page for "/", else `size` bytes of
 * the transfer pattern for "/SIZE". */
static void body_fill(struct naru_sim *sim, uint64_t size, uint64_t off, uint8_t *buf, size_t len)
{
    if (size == 0) {
        memcpy(buf, default_page + off, len);
        return;
    }
    app_fill(sim, off, buf, len);
}

static bool body_check(struct naru_sim *sim, uint64_t size, uint64_t off, const uint8_t *buf, size_t len)
{
    if (size == 0)
        return off + len <= sizeof default_page - 1 && !memcmp(buf, default_page + off, len);
    return app_check(sim, off, buf, len);
}

struct http_conn {
    struct http_conn *next;
    struct app_http_server *server;
    int sock;
    bool closed, responding, shut;
    char request[HTTP_HEADER_MAX];
    size_t request_len;
    char header[256];
    size_t header_len, header_off;
    uint64_t size;             /* 0: the default page */
    uint64_t body_len, body_off;
    struct stage stage;
};

struct app_http_server {
    struct app_http_server *next;
    struct naru_sim *sim;
    struct naru_stack *stack;
    uint16_t port;
    int listener;
    struct http_conn *conns;
};

static void conn_close(struct http_conn *c)
{
    if (!c->closed) {
        c->closed = true;
        naru_close(c->server->stack, c->sock);
    }
}

/* "GET /PATH HTTP/1.x": which page. False if it is not such a request. */
static bool parse_request(struct http_conn *c)
{
    const char *r = c->request;
    if (strncmp(r, "GET /", 5) != 0)
        return false;
    r += 5;
    uint64_t size = 0;
    while (*r >= '0' && *r <= '9' && size < HTTP_MAX_BODY)
        size = size * 10 + (uint64_t)(*r++ - '0');
    if (*r != ' ')
        return false;
    c->size = size;
    c->body_len = size ? size : sizeof default_page - 1;
    int n = snprintf(c->header, sizeof c->header,
                     "HTTP/1.1 200 OK\r\nServer: naru-sim\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
                     "Connection: close\r\n\r\n",
                     size ? "application/octet-stream" : "text/html", (unsigned long long)c->body_len);
    c->header_len = (size_t)n;
    return true;
}

static void conn_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct http_conn *c = ctx;
    if (c->closed)
        return;
    if (naru_socket_events(stack, sock) & NARU_POLLERR && naru_socket_error(stack, sock) < 0) {
        conn_close(c);
        return;
    }
    while (!c->responding) {
        if (c->request_len == sizeof c->request - 1) {
            conn_close(c); /* a request this big is not one of ours */
            return;
        }
        long n = naru_recv(stack, sock, c->request + c->request_len, sizeof c->request - 1 - c->request_len, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            conn_close(c);
            return;
        }
        c->request_len += (size_t)n;
        c->request[c->request_len] = '\0';
        if (strstr(c->request, "\r\n\r\n")) {
            if (!parse_request(c)) {
                conn_close(c);
                return;
            }
            c->responding = true;
        }
    }
    while (c->header_off < c->header_len) {
        long n = naru_send(stack, sock, c->header + c->header_off, c->header_len - c->header_off, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            conn_close(c);
            return;
        }
        c->header_off += (size_t)n;
    }
    while (c->body_off < c->body_len) {
        struct stage *st = &c->stage;
        if (st->off == st->len) {
            uint64_t left = c->body_len - c->body_off;
            st->len = left < CHUNK ? (size_t)left : CHUNK;
            st->off = 0;
            body_fill(c->server->sim, c->size, c->body_off, st->buf, st->len);
        }
        long n = naru_send(stack, sock, st->buf + st->off, st->len - st->off, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            conn_close(c);
            return;
        }
        st->off += (size_t)n;
        c->body_off += (uint64_t)n;
    }
    if (!c->shut) {
        naru_shutdown(stack, sock, NARU_SHUT_WR);
        c->shut = true;
    }
    /* Wait for the client's close, then let go (no TIME-WAIT here). */
    char b[256];
    long n;
    while ((n = naru_recv(stack, sock, b, sizeof b, 0)) > 0)
        ;
    if (n != -EAGAIN)
        conn_close(c);
}

static void server_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct app_http_server *srv = ctx;
    struct naru_sockaddr peer;
    int s;
    while ((s = naru_accept(stack, sock, &peer)) >= 0) {
        struct http_conn *c = calloc(1, sizeof *c);
        if (c)
            c->stage.buf = malloc(CHUNK);
        if (!c || !c->stage.buf) {
            if (c)
                free(c);
            naru_close(stack, s);
            continue;
        }
        c->server = srv;
        c->sock = s;
        c->next = srv->conns;
        srv->conns = c;
        naru_socket_set_callback(stack, s, conn_event, c);
        conn_event(c, stack, s);
    }
}

/* The server on (stack, port), started on first use. */
static int http_server(struct naru_sim *sim, struct naru_stack *stack, uint16_t port)
{
    for (struct app_http_server *s = sim->http_servers; s; s = s->next)
        if (s->stack == stack && s->port == port)
            return 0;
    struct app_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->sim = sim;
    srv->stack = stack;
    srv->port = port;
    srv->listener = naru_socket(stack, NARU_SOCK_STREAM);
    if (srv->listener < 0) {
        int err = srv->listener;
        free(srv);
        return err;
    }
    struct naru_sockaddr local = { 0, port };
    int err = naru_bind(stack, srv->listener, &local);
    if (!err)
        err = naru_listen(stack, srv->listener, 16);
    if (err < 0) {
        naru_close(stack, srv->listener);
        free(srv);
        return err;
    }
    naru_socket_set_callback(stack, srv->listener, server_event, srv);
    srv->next = sim->http_servers;
    sim->http_servers = srv;
    return 0;
}

void app_http_servers_destroy(struct naru_sim *sim)
{
    while (sim->http_servers) {
        struct app_http_server *srv = sim->http_servers;
        sim->http_servers = srv->next;
        while (srv->conns) {
            struct http_conn *c = srv->conns;
            srv->conns = c->next;
            conn_close(c);
            free(c->stage.buf);
            free(c);
        }
        naru_close(srv->stack, srv->listener);
        free(srv);
    }
}

struct http_extra {
    char request[256];
    size_t request_len, request_off;
    bool unavailable;
    bool connected;
};

static struct http_extra *hx(struct naru_sim_app *app)
{
    return (struct http_extra *)(void *)app->s.http.extra;
}

static void get_done(struct naru_sim_app *app, const char *error)
{
    struct http_state *h = &app->s.http;
    struct naru_sim_app_result *r = &app->result;
    if (r->finished)
        return;
    naru_time_t took = h->last_arrival > r->started ? h->last_arrival - r->started : 0;
    r->goodput_bps = took ? (double)r->bytes_received * 8 * (double)NARU_SEC / (double)took : 0;
    r->retransmits = both_retransmits(app) - h->retransmits_at_start;
    if (!error && r->http_status != 200)
        error = "the server did not answer 200 OK";
    if (!error && !r->intact)
        error = "the page arrived altered";
    if (!error && (r->bytes_received != h->body_expected || h->content_length != (long)h->body_expected))
        error = "the page arrived incomplete";
    app_finish(app, error == NULL, error);
}

/* Status line and Content-Length; the rest of the header is not needed. */
static bool parse_response_header(struct naru_sim_app *app)
{
    struct http_state *h = &app->s.http;
    int major, minor, status;
    if (sscanf(h->header, "HTTP/%d.%d %d", &major, &minor, &status) != 3)
        return false;
    app->result.http_status = status;
    h->content_length = -1;
    for (const char *p = h->header; (p = strstr(p, "\r\n")) != NULL; p += 2) {
        if (!strncmp(p + 2, "Content-Length:", 15) || !strncmp(p + 2, "content-length:", 15)) {
            h->content_length = strtol(p + 17, NULL, 10);
            break;
        }
    }
    return true;
}

static void get_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_sim_app *app = ctx;
    struct http_state *h = &app->s.http;
    struct http_extra *x = hx(app);
    struct naru_sim_app_result *r = &app->result;
    if (r->finished)
        return;
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        if (err < 0) {
            get_done(app, errno_text(err));
            naru_close(stack, sock);
            return;
        }
    }
    if (!(ev & NARU_POLLOUT) && !x->connected)
        return;
    x->connected = true;
    while (x->request_off < x->request_len) {
        long n = naru_send(stack, sock, x->request + x->request_off, x->request_len - x->request_off, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            get_done(app, errno_text((int)n));
            naru_close(stack, sock);
            return;
        }
        x->request_off += (size_t)n;
    }
    uint8_t buf[16384];
    for (;;) {
        long n = naru_recv(stack, sock, buf, sizeof buf, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            get_done(app, n < 0 ? errno_text((int)n) : h->header_done ? NULL : "no response");
            naru_close(stack, sock);
            return;
        }
        h->last_arrival = naru_sim_now(app->sim);
        size_t used = 0;
        while (!h->header_done && used < (size_t)n) {
            if (h->header_len == sizeof h->header - 1) {
                get_done(app, "the response header is too long");
                naru_close(stack, sock);
                return;
            }
            h->header[h->header_len++] = (char)buf[used++];
            h->header[h->header_len] = '\0';
            if (h->header_len >= 4 && !memcmp(h->header + h->header_len - 4, "\r\n\r\n", 4)) {
                h->header_done = true;
                if (!parse_response_header(app)) {
                    get_done(app, "the response is not HTTP");
                    naru_close(stack, sock);
                    return;
                }
            }
        }
        size_t body = (size_t)n - used;
        if (body) {
            if (r->bytes_received + body > h->body_expected ||
                !body_check(app->sim, app->config.bytes, r->bytes_received, buf + used, body))
                r->intact = false;
            r->bytes_received += body;
        }
    }
}

static int get_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    struct http_state *h = &app->s.http;
    h->sock = -1;
    if (!c->to)
        return -EINVAL;
    if (!c->port)
        c->port = 80;
    if (c->bytes > HTTP_MAX_BODY)
        return -EINVAL;
    struct http_extra *x = calloc(1, sizeof *x);
    if (!x)
        return -ENOMEM;
    h->extra = x;
    h->body_expected = c->bytes ? c->bytes : sizeof default_page - 1;
    app->result.intact = true;
    if (c->bytes)
        snprintf(x->request, sizeof x->request, "GET /%llu HTTP/1.1\r\nHost: %.64s\r\nConnection: close\r\n\r\n",
                 (unsigned long long)c->bytes, c->host);
    else
        snprintf(x->request, sizeof x->request, "GET / HTTP/1.1\r\nHost: %.64s\r\nConnection: close\r\n\r\n",
                 c->host);
    x->request_len = strlen(x->request);
    int err = http_server(app->sim, c->to, c->port);
    if (err == -EPROTONOSUPPORT) {
        x->unavailable = true;
        return 0;
    }
    return err;
}

static void get_start(struct naru_sim_app *app)
{
    struct http_state *h = &app->s.http;
    struct naru_stack *from = app->config.from;
    if (hx(app)->unavailable) {
        app_finish(app, false, errno_text(-EPROTONOSUPPORT));
        return;
    }
    h->retransmits_at_start = both_retransmits(app);
    h->sock = naru_socket(from, NARU_SOCK_STREAM);
    if (h->sock < 0) {
        app_finish(app, false, errno_text(h->sock));
        return;
    }
    naru_socket_set_callback(from, h->sock, get_event, app);
    struct naru_sockaddr to = { app->config.dst, app->config.port };
    int err = naru_connect(from, h->sock, &to);
    if (err < 0 && err != -EINPROGRESS) {
        get_done(app, errno_text(err));
        return;
    }
}

static void get_destroy(struct naru_sim_app *app)
{
    free(hx(app));
}

const struct app_ops app_http_ops = { get_setup, get_start, get_destroy };
