/* A TCP listener and the connections it accepted: what naru's web server
 * and the small services share. Private to src/apps/. */
#ifndef NARU_APPS_TCP_SERVER_H
#define NARU_APPS_TCP_SERVER_H

#include "apps_internal.h"

struct app_tcp_server;

/* One accepted connection; the owner's own connection struct starts with it. */
struct app_tcp_conn {
    struct app_tcp_server *server;
    struct app_tcp_conn *next, *prev;
    int sock;
    bool closing;              /* closed: waits for the deferred reap */
    uint8_t *out;              /* out_cap bytes waiting to be sent, when the server has out_cap */
    size_t out_len, out_off;
};

struct app_tcp_server {
    struct naru_app_env env;
    int sock;                  /* listening; -1 when not */
    unsigned count, max;
    size_t out_cap;            /* each connection's output buffer; 0: none */
    struct app_tcp_conn *conns;
    /* A connection's object, its tcp_conn zeroed (NULL refuses it), and
     * then its start, once it is counted: set callbacks, maybe send. */
    struct app_tcp_conn *(*make)(struct app_tcp_server *server);
    void (*start)(struct app_tcp_conn *conn);
    void (*free)(struct app_tcp_conn *conn);
};

/* Listen on port with SO_REUSEADDR. 0 or a negative errno. */
int app_tcp_server_listen(struct app_tcp_server *server, uint16_t port, int backlog);
/* Close a connection once the current event is over: the stack never
 * sees a socket vanish inside its own callback. */
void app_tcp_conn_close(struct app_tcp_conn *conn);
/* Send what its output buffer holds: true when all of it has gone (and
 * the buffer is empty again); false while the socket takes no more, or
 * after a send failed and the connection was closed. */
bool app_tcp_conn_flush(struct app_tcp_conn *conn);
/* Every connection and the listener, at once. */
void app_tcp_server_close(struct app_tcp_server *server);

#endif
