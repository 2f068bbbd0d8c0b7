/* naru's web server: HTTP/1.1 with persistent connections (RFC 9112 9),
 * GET and HEAD, serving a site (naru's own, or one the caller gives). */
#include "http.h"
#include "tcp_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CONN_BUFFER 65536

struct naru_http_server {
    struct app_tcp_server tcp;
    struct naru_http_site site;
    struct naru_app_pattern *own_pattern;
    struct naru_http_server_stats stats;
};

struct http_conn {
    struct app_tcp_conn tcp;   /* first: the server's list holds these */
    struct app_http_server_conn *http;
    bool peer_done, write_shut;
};

void naru_http_server_config_default(struct naru_http_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->port = 80;
    c->max_connections = 4096;
    c->backlog = 128;
}

static struct naru_http_server *server_of(struct http_conn *c)
{
    return (struct naru_http_server *)(void *)c->tcp.server;
}

static void serve(struct http_conn *c)
{
    struct naru_stack *stack = c->tcp.server->env.stack;
    for (;;) {
        if (!app_tcp_conn_flush(&c->tcp) || c->tcp.closing)
            return;
        size_t produced = app_http_server_produce(c->http, c->tcp.out, CONN_BUFFER);
        if (produced) {
            c->tcp.out_len = produced;
            continue;
        }
        if (app_http_server_wants_close(c->http)) {
            if (!c->write_shut) {
                naru_shutdown(stack, c->tcp.sock, NARU_SHUT_WR);
                c->write_shut = true;
            }
            /* Read until the client closes too, then let go (the client
             * holds TIME-WAIT, RFC 9112 9.6). */
            uint8_t sink[2048];
            long n;
            while ((n = naru_recv(stack, c->tcp.sock, sink, sizeof sink, 0)) > 0)
                ;
            if (n != -EAGAIN || c->peer_done)
                app_tcp_conn_close(&c->tcp);
            return;
        }
        uint8_t in[4096];
        long n = naru_recv(stack, c->tcp.sock, in, sizeof in, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            c->peer_done = true;
            app_tcp_conn_close(&c->tcp);
            return;
        }
        app_http_server_consume(c->http, in, (size_t)n);
    }
}

static void conn_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct http_conn *c = ctx;
    if (c->tcp.closing)
        return;
    unsigned ev = naru_socket_events(stack, sock);
    if ((ev & NARU_POLLERR) && !(ev & NARU_POLLIN)) {
        app_tcp_conn_close(&c->tcp);
        return;
    }
    serve(c);
}

static struct app_tcp_conn *conn_make(struct app_tcp_server *tcp)
{
    struct naru_http_server *srv = (struct naru_http_server *)(void *)tcp;
    struct http_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->http = app_http_server_conn_new(&srv->site, &srv->stats);
    if (!c->http) {
        free(c);
        return NULL;
    }
    return &c->tcp;
}

static void conn_start(struct app_tcp_conn *tc)
{
    struct http_conn *c = (struct http_conn *)(void *)tc;
    server_of(c)->stats.connections++;
    naru_socket_set_callback(tc->server->env.stack, tc->sock, conn_event, c);
    conn_event(c, tc->server->env.stack, tc->sock);
}

static void conn_free(struct app_tcp_conn *tc)
{
    struct http_conn *c = (struct http_conn *)(void *)tc;
    app_http_server_conn_free(c->http);
    free(c);
}

int naru_http_server_start(const struct naru_app_env *env, const struct naru_http_server_config *config,
                           struct naru_http_server **out)
{
    if (!config->port || (config->site.open && !config->site.read))
        return -EINVAL;
    struct naru_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    srv->tcp = (struct app_tcp_server){ .env = *env, .sock = -1, .max = config->max_connections,
                                        .out_cap = CONN_BUFFER, .make = conn_make, .start = conn_start,
                                        .free = conn_free };
    if (config->site.open) {
        srv->site = config->site;
    } else {
        const struct naru_app_pattern *p = app_pattern_use(config->pattern, &srv->own_pattern);
        if (!p) {
            free(srv);
            return -ENOMEM;
        }
        naru_http_builtin_site(p, &srv->site);
    }
    int err = app_tcp_server_listen(&srv->tcp, config->port, config->backlog > 0 ? config->backlog : 128);
    if (err < 0) {
        naru_http_server_destroy(srv);
        return err;
    }
    *out = srv;
    return 0;
}

const struct naru_http_server_stats *naru_http_server_stats(const struct naru_http_server *srv)
{
    return &srv->stats;
}

void naru_http_server_destroy(struct naru_http_server *srv)
{
    if (!srv)
        return;
    app_tcp_server_close(&srv->tcp);
    naru_app_pattern_destroy(srv->own_pattern);
    free(srv);
}
