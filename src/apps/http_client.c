/* An HTTP/1.1 GET (RFC 9110 9.3.1) over one connection: connect, send the
 * request, parse the response as it comes, and, against naru's own site,
 * check every byte of the body. */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_MAX 2048

struct naru_http_get {
    struct naru_app_env env;
    struct naru_http_get_config c;
    struct naru_http_get_result r;
    struct app_http_response response;
    struct naru_app_pattern *own_pattern;
    const struct naru_app_pattern *pattern;
    int sock;
    char path[1024];           /* verify: the path as the site sees it */
    char request[REQUEST_MAX];
    size_t request_len, request_off;
    naru_time_t progress_at;   /* when anything last moved, for the idle timeout */
    char why[96];
    uint8_t buf[16384];
};

void naru_http_get_config_default(struct naru_http_get_config *c)
{
    memset(c, 0, sizeof *c);
    c->server.port = 80;
    c->path = "/";
}

static void finish(struct naru_http_get *g, int error, const char *why)
{
    struct naru_http_get_result *r = &g->r;
    if (r->finished)
        return;
    r->finished = true;
    r->error = error;
    r->complete = g->response.complete;
    r->ended = app_now(&g->env);
    if (!why && (r->status < 200 || r->status > 299)) {
        snprintf(g->why, sizeof g->why, "the server answered %d %s", r->status, r->reason);
        why = g->why;
    }
    if (!why && g->c.verify && !r->intact)
        why = "the body arrived altered";
    r->ok = why == NULL;
    r->why = why ? why : "";
    if (g->c.on_done)
        g->c.on_done(g->c.ctx);
}

/* The result as the parser has it: status line, length, body so far. */
static void sync(struct naru_http_get *g)
{
    struct naru_http_get_result *r = &g->r;
    r->status = g->response.status;
    memcpy(r->reason, g->response.reason, sizeof r->reason);
    r->content_length = g->response.content_length;
    r->body_received = g->response.body_received;
}

static void body_bytes(void *ctx, const uint8_t *data, size_t len)
{
    struct naru_http_get *g = ctx;
    int status = g->response.status;
    sync(g); /* the head is in: on_body may look at the result */
    if (g->c.verify && status >= 200 && status <= 299 &&
        !app_http_builtin_check(g->pattern, g->path, g->response.body_received, data, len))
        g->r.intact = false;
    if (g->c.on_body)
        g->c.on_body(g->c.ctx, data, len);
}

static void close_socket(struct naru_http_get *g)
{
    if (g->sock >= 0)
        naru_close(g->env.stack, g->sock);
    g->sock = -1;
}

/* What arrived: parse it. False once the socket is closed. */
static bool take(struct naru_http_get *g, struct naru_stack *stack)
{
    struct naru_http_get_result *r = &g->r;
    for (;;) {
        long n = naru_recv(stack, g->sock, g->buf, sizeof g->buf, 0);
        if (n == -EAGAIN)
            return true;
        if (n < 0) {
            finish(g, (int)n, app_errno_text((int)n));
            close_socket(g);
            return false;
        }
        if (n == 0) {
            /* The server closed: the end of a body without a length. */
            int e = app_http_response_eof(&g->response);
            if (!g->response.headers_done)
                finish(g, -ECONNRESET, "no response");
            else if (e < 0)
                finish(g, -ECONNRESET, "the response was cut short");
            else
                finish(g, 0, NULL);
            close_socket(g);
            return false;
        }
        r->last_arrival = g->progress_at = app_now(&g->env);
        if (r->finished)
            continue; /* the response is in: read on until the server closes */
        int got = app_http_response_feed(&g->response, g->buf, (size_t)n, body_bytes, g);
        sync(g);
        if (got < 0)
            finish(g, -EPROTO, "the response is not HTTP");
        else if (got == 1)
            finish(g, 0, NULL);
    }
}

static void on_socket(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_http_get *g = ctx;
    struct naru_http_get_result *r = &g->r;
    (void)sock;
    if (g->sock < 0)
        return;
    if (!r->connected) {
        int state = app_connect_state(stack, g->sock);
        if (state < 0) {
            finish(g, state, app_errno_text(state));
            close_socket(g);
        }
        if (state <= 0)
            return;
        r->connected = true;
        r->connected_at = g->progress_at = app_now(&g->env);
    }
    while (g->request_off < g->request_len) {
        long n = naru_send(stack, g->sock, g->request + g->request_off, g->request_len - g->request_off, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            finish(g, (int)n, app_errno_text((int)n));
            close_socket(g);
            return;
        }
        g->request_off += (size_t)n;
        g->progress_at = app_now(&g->env);
    }
    if (!take(g, stack))
        return;
    if (naru_socket_events(stack, g->sock) & NARU_POLLERR) {
        int err = naru_socket_error(stack, g->sock);
        if (err < 0) {
            finish(g, err, app_errno_text(err));
            close_socket(g);
        }
    }
}

/* Nothing new for idle_timeout: give up. Looked at on a timer, since
 * nothing else happens once a transfer stalls. */
static void idle_tick(void *arg)
{
    struct naru_http_get *g = arg;
    if (g->r.finished)
        return;
    if (app_now(&g->env) - g->progress_at >= g->c.idle_timeout) {
        finish(g, -ETIMEDOUT, "nothing new arrived in time");
        close_socket(g);
        return;
    }
    app_at(&g->env, g->progress_at + g->c.idle_timeout, idle_tick, g);
}

/* connected: a connected stream socket to use, or -1 to connect to config->server. */
static int get_start(const struct naru_app_env *env, const struct naru_http_get_config *config, int connected,
                     struct naru_http_get **out)
{
    const char *path = config->path ? config->path : "/";
    if (path[0] != '/' || strlen(path) >= sizeof ((struct naru_http_get *)0)->path)
        return -EINVAL;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return -EINVAL; /* spaces and controls must be %-encoded */
    char host[NARU_APP_ADDR_TEXT];
    const char *h = config->host;
    if (!h && config->server.addr.family == NARU_AF_INET6) {
        /* RFC 9110 7.2: an IPv6 address in the Host header takes RFC
         * 3986's brackets, port or not (and no zone). */
        char a[NARU_ADDR_STRLEN];
        naru_addr_format(&config->server.addr, a);
        if (config->server.port != 80)
            snprintf(host, sizeof host, "[%s]:%u", a, (unsigned)config->server.port);
        else
            snprintf(host, sizeof host, "[%s]", a);
        h = host;
    } else if (!h) {
        h = naru_app_addr_text(&config->server, config->server.port != 80, host);
    }
    for (const char *p = h; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return -EINVAL;
    struct naru_http_get *g = calloc(1, sizeof *g);
    if (!g)
        return -ENOMEM;
    g->env = *env;
    g->c = *config;
    g->c.host = NULL;
    g->c.path = NULL; /* the caller's strings need not outlive this call */
    g->sock = -1;
    g->pattern = config->verify ? app_pattern_use(config->pattern, &g->own_pattern) : NULL;
    int len = snprintf(g->request, sizeof g->request,
                       "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: naru\r\nConnection: close\r\n\r\n", path, h);
    int err = config->verify && !g->pattern ? -ENOMEM : 0;
    if (!err && (len < 0 || (size_t)len >= sizeof g->request ||
                 (config->verify && !app_http_clean_path(path, g->path, sizeof g->path))))
        err = -EINVAL;
    if (err) {
        naru_http_get_destroy(g);
        return err;
    }
    g->request_len = (size_t)len;
    app_http_response_init(&g->response);
    struct naru_http_get_result *r = &g->r;
    r->content_length = -1;
    r->intact = true;
    r->why = "";
    r->started = app_now(env);
    r->connected_at = r->last_arrival = r->ended = NARU_APP_UNSET;
    *out = g;
    struct naru_stack *stack = env->stack;
    if (connected >= 0) {
        g->sock = connected;
        naru_socket_set_callback(stack, g->sock, on_socket, g);
        on_socket(g, stack, g->sock);
        g->progress_at = r->started;
        if (config->idle_timeout)
            app_at(env, r->started + config->idle_timeout, idle_tick, g);
        return 0;
    }
    g->sock = naru_socket(stack, NARU_SOCK_STREAM);
    if (g->sock < 0) {
        err = g->sock;
        g->sock = -1;
        finish(g, err, app_errno_text(err));
        return 0;
    }
    if (config->socket_buffer) {
        /* Before the handshake, so the window scale offered fits (RFC 7323 2.2). */
        naru_setsockopt(stack, g->sock, NARU_SO_SNDBUF, (int)config->socket_buffer);
        naru_setsockopt(stack, g->sock, NARU_SO_RCVBUF, (int)config->socket_buffer);
    }
    naru_socket_set_callback(stack, g->sock, on_socket, g);
    struct naru_sockaddr to = config->server;
    err = naru_connect(stack, g->sock, &to);
    if (err < 0 && err != -EINPROGRESS) {
        finish(g, err, app_errno_text(err));
        close_socket(g);
        return 0;
    }
    if (err == 0)
        on_socket(g, stack, g->sock);
    g->progress_at = r->started;
    if (config->idle_timeout)
        app_at(env, r->started + config->idle_timeout, idle_tick, g);
    return 0;
}

int naru_http_get_start(const struct naru_app_env *env, const struct naru_http_get_config *config,
                        struct naru_http_get **out)
{
    return get_start(env, config, -1, out);
}

int naru_http_get_start_on(const struct naru_app_env *env, const struct naru_http_get_config *config, int sock,
                           struct naru_http_get **out)
{
    if (sock < 0)
        return -EBADF;
    int err = get_start(env, config, sock, out);
    if (err < 0)
        naru_close(env->stack, sock);
    return err;
}

const struct naru_http_get_result *naru_http_get_result(const struct naru_http_get *g)
{
    return &g->r;
}

void naru_http_get_destroy(struct naru_http_get *g)
{
    if (!g)
        return;
    close_socket(g);
    naru_app_pattern_destroy(g->own_pattern);
    free(g);
}
