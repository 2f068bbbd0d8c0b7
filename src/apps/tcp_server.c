/* A TCP listener and its connections: accepting up to a limit, closing
 * each once its callback has returned, and taking a connection that
 * waited in the accept queue for want of a socket as soon as one frees. */
#include "tcp_server.h"

#include <errno.h>
#include <stdlib.h>

static void release(struct app_tcp_server *srv, struct app_tcp_conn *c)
{
    free(c->out);
    srv->free(c);
}

static void accept_ready(void *ctx, struct naru_stack *stack, int listener)
{
    struct app_tcp_server *srv = ctx;
    for (;;) {
        int sock = naru_accept(stack, listener, NULL);
        if (sock < 0)
            return;
        struct app_tcp_conn *c = srv->count < srv->max ? srv->make(srv) : NULL;
        if (c && srv->out_cap && !(c->out = malloc(srv->out_cap))) {
            release(srv, c);
            c = NULL;
        }
        if (!c) {
            naru_close(stack, sock);
            continue;
        }
        c->server = srv;
        c->sock = sock;
        c->prev = NULL;
        c->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = c;
        srv->conns = c;
        srv->count++;
        srv->start(c);
    }
}

static void reap(void *arg)
{
    struct app_tcp_conn *c = arg;
    struct app_tcp_server *srv = c->server;
    naru_close(srv->env.stack, c->sock);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->count--;
    release(srv, c);
    /* A connection accept() could not take for want of a free socket
     * waits in the listener's queue, and the listener says nothing more
     * until another one arrives: take it now that a socket is free. */
    if (srv->sock >= 0)
        accept_ready(srv, srv->env.stack, srv->sock);
}

void app_tcp_conn_close(struct app_tcp_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    naru_socket_set_callback(c->server->env.stack, c->sock, NULL, NULL);
    app_at(&c->server->env, app_now(&c->server->env), reap, c);
}

bool app_tcp_conn_flush(struct app_tcp_conn *c)
{
    while (c->out_off < c->out_len) {
        long n = naru_send(c->server->env.stack, c->sock, c->out + c->out_off, c->out_len - c->out_off, 0);
        if (n == -EAGAIN)
            return false;
        if (n < 0) {
            app_tcp_conn_close(c);
            return false;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    return true;
}

int app_tcp_server_listen(struct app_tcp_server *srv, uint16_t port, int backlog)
{
    struct naru_stack *stack = srv->env.stack;
    struct naru_sockaddr any = { .port = port };
    srv->sock = -1;
    int s = naru_socket(stack, NARU_SOCK_STREAM);
    int err = s < 0 ? s : naru_setsockopt(stack, s, NARU_SO_REUSEADDR, 1);
    if (!err)
        err = naru_bind(stack, s, &any);
    if (!err)
        err = naru_listen(stack, s, backlog);
    if (err < 0) {
        if (s >= 0)
            naru_close(stack, s);
        return err;
    }
    srv->sock = s;
    naru_socket_set_callback(stack, s, accept_ready, srv);
    return 0;
}

void app_tcp_server_close(struct app_tcp_server *srv)
{
    while (srv->conns) {
        struct app_tcp_conn *c = srv->conns;
        srv->conns = c->next;
        naru_close(srv->env.stack, c->sock);
        release(srv, c);
    }
    srv->count = 0;
    if (srv->sock >= 0)
        naru_close(srv->env.stack, srv->sock);
    srv->sock = -1;
}
