#include "services.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "naru/counters.h"
#include "naru/socket.h"
#include "runtime.h"

enum service_kind { SERVICE_ECHO, SERVICE_DISCARD, SERVICE_DAYTIME, SERVICE_HOLD, SERVICE_HTTP };

static const struct {
    const char *name;
    enum service_kind kind;
    uint16_t port;             /* 0: must be given */
    bool udp;                  /* also served over UDP */
    bool needs_arg;
} kinds[] = {
    { "echo", SERVICE_ECHO, 7, true, false },        /* RFC 862 */
    { "discard", SERVICE_DISCARD, 9, true, false },  /* RFC 863 */
    { "daytime", SERVICE_DAYTIME, 13, true, false }, /* RFC 867 */
    { "hold", SERVICE_HOLD, 0, false, false },
    { "http", SERVICE_HTTP, 80, false, true },
};

const char service_help[] =
    "  services: echo (port 7, RFC 862), discard (9, RFC 863), daytime (13, RFC 867),\n"
    "            hold:PORT (accepts TCP connections, never reads: the peer sees a zero\n"
    "            window), http=DIR (80, static files, HTTP/1.1 keep-alive)\n";

#define CONN_BUFFER 65536

struct service {
    enum service_kind kind;
    const char *name;
    uint16_t port;
    char *root;                /* http: the directory, resolved; NULL: built-in site */
    bool udp;
    struct runtime *rt;
    struct naru_stack *stack;
    int udp_sock;
    int tcp_sock;
    struct conn *conns;
    unsigned conn_count;
    uint8_t datagram[65536];
};

struct conn {
    struct service *svc;
    struct conn *next, *prev;
    int sock;
    bool closing;              /* closed: waits for the deferred reap */
    bool peer_done;            /* the peer sent FIN */
    bool write_shut;
    /* bytes waiting to go out */
    uint8_t *out;
    size_t out_len, out_off;
    struct http_server_conn *http;
};

/* ---- connections ---- */

static void conn_event(void *ctx, struct naru_stack *stack, int sock);
static void accept_ready(void *ctx, struct naru_stack *stack, int listener);

static void reap(void *ctx)
{
    struct conn *c = ctx;
    struct service *svc = c->svc;
    naru_close(svc->stack, c->sock);
    if (c->prev)
        c->prev->next = c->next;
    else
        svc->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    svc->conn_count--;
    http_server_conn_free(c->http);
    free(c->out);
    free(c);
    /* A connection accept() could not take for want of a free socket
     * waits in the listener's queue, and the listener says nothing more
     * until another one arrives: take it now that a socket is free. */
    if (svc->tcp_sock >= 0)
        accept_ready(svc, svc->stack, svc->tcp_sock);
}

/* Closing from inside the stack's own callback is deferred to the next
 * turn of the event loop, so the stack never sees its socket vanish
 * mid-call. */
static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    naru_socket_set_callback(c->svc->stack, c->sock, NULL, NULL);
    runtime_at(c->svc->rt, runtime_now(c->svc->rt), reap, c);
}

/* Send what is buffered; true when all of it has gone. */
static bool flush(struct conn *c)
{
    while (c->out_off < c->out_len) {
        long n = naru_send(c->svc->stack, c->sock, c->out + c->out_off, c->out_len - c->out_off, 0);
        if (n == -EAGAIN)
            return false;
        if (n < 0) {
            conn_close(c);
            return false;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    return true;
}

static void finish_writing(struct conn *c)
{
    if (!c->write_shut) {
        naru_shutdown(c->svc->stack, c->sock, NARU_SHUT_WR);
        c->write_shut = true;
    }
    if (c->peer_done)
        conn_close(c);
}

static void stream_echo(struct conn *c, bool echo)
{
    struct naru_stack *stack = c->svc->stack;
    for (;;) {
        if (!flush(c) || c->closing)
            return;
        long n = naru_recv(stack, c->sock, c->out, CONN_BUFFER, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            c->peer_done = true;
            if (n < 0)
                conn_close(c);
            else
                finish_writing(c);
            return;
        }
        if (echo)
            c->out_len = (size_t)n;
    }
}

static void serve_http(struct conn *c)
{
    struct naru_stack *stack = c->svc->stack;
    for (;;) {
        if (!flush(c) || c->closing)
            return;
        /* Fill the output from the response in progress. */
        size_t produced = http_server_produce(c->http, c->out, CONN_BUFFER);
        if (produced) {
            c->out_len = produced;
            continue;
        }
        if (http_server_wants_close(c->http)) {
            finish_writing(c);
            if (!c->peer_done) {
                /* Drain until the peer closes too. */
                uint8_t sink[2048];
                long n;
                while ((n = naru_recv(stack, c->sock, sink, sizeof sink, 0)) > 0)
                    ;
                if (n != -EAGAIN) {
                    c->peer_done = true;
                    conn_close(c);
                }
            }
            return;
        }
        uint8_t in[4096];
        long n = naru_recv(stack, c->sock, in, sizeof in, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            c->peer_done = true;
            conn_close(c);
            return;
        }
        http_server_consume(c->http, in, (size_t)n);
    }
}

static void conn_event(void *ctx, struct naru_stack *stack, int sock)
{
    (void)stack;
    (void)sock;
    struct conn *c = ctx;
    if (c->closing)
        return;
    unsigned ev = naru_socket_events(c->svc->stack, c->sock);
    if ((ev & NARU_POLLERR) && !(ev & NARU_POLLIN)) {
        conn_close(c);
        return;
    }
    switch (c->svc->kind) {
    case SERVICE_ECHO:
        stream_echo(c, true);
        break;
    case SERVICE_DISCARD:
        stream_echo(c, false);
        break;
    case SERVICE_HTTP:
        serve_http(c);
        break;
    default:
        break;
    }
}

static void daytime_line(char *line, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(line, len, "%A, %B %d, %Y %H:%M:%S-UTC\r\n", &tm);
}

static void accept_ready(void *ctx, struct naru_stack *stack, int listener)
{
    struct service *svc = ctx;
    for (;;) {
        int sock = naru_accept(stack, listener, NULL);
        if (sock < 0)
            return;
        struct conn *c = calloc(1, sizeof *c);
        if (c && svc->kind != SERVICE_HOLD && svc->kind != SERVICE_DAYTIME)
            c->out = malloc(CONN_BUFFER);
        if (c && svc->kind == SERVICE_HTTP)
            c->http = http_server_conn_new(svc->root);
        if (!c || (svc->kind != SERVICE_HOLD && svc->kind != SERVICE_DAYTIME && !c->out) ||
            (svc->kind == SERVICE_HTTP && !c->http)) {
            if (c) {
                http_server_conn_free(c->http);
                free(c->out);
            }
            free(c);
            naru_close(stack, sock);
            continue;
        }
        c->svc = svc;
        c->sock = sock;
        c->next = svc->conns;
        if (svc->conns)
            svc->conns->prev = c;
        svc->conns = c;
        svc->conn_count++;
        if (svc->kind == SERVICE_DAYTIME) {
            char line[64];
            daytime_line(line, sizeof line);
            naru_send(stack, sock, line, strlen(line), 0);
            conn_close(c); /* close(2) semantics: the line goes out, then FIN */
        } else if (svc->kind != SERVICE_HOLD) {
            naru_socket_set_callback(stack, sock, conn_event, c);
            conn_event(c, stack, sock);
        }
    }
}

/* ---- UDP forms ---- */

static void udp_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct service *svc = ctx;
    struct naru_sockaddr from;
    long n;
    while ((n = naru_recvfrom(stack, sock, svc->datagram, sizeof svc->datagram, 0, &from)) >= 0) {
        if (svc->kind == SERVICE_ECHO) {
            naru_sendto(stack, sock, svc->datagram, (size_t)n, 0, &from);
        } else if (svc->kind == SERVICE_DAYTIME) {
            char line[64];
            daytime_line(line, sizeof line);
            naru_sendto(stack, sock, line, strlen(line), 0, &from);
        }
    }
}

/* ---- setup ---- */

static struct service *service_new(int kind_index)
{
    struct service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return NULL;
    svc->kind = kinds[kind_index].kind;
    svc->name = kinds[kind_index].name;
    svc->port = kinds[kind_index].port;
    svc->udp = kinds[kind_index].udp;
    svc->udp_sock = svc->tcp_sock = -1;
    return svc;
}

struct service *service_parse(const char *spec, char *why, size_t why_len)
{
    size_t name_len = strcspn(spec, ":=");
    for (int i = 0; i < (int)(sizeof kinds / sizeof kinds[0]); i++) {
        if (strlen(kinds[i].name) != name_len || strncmp(spec, kinds[i].name, name_len) != 0)
            continue;
        struct service *svc = service_new(i);
        if (!svc) {
            snprintf(why, why_len, "out of memory");
            return NULL;
        }
        const char *p = spec + name_len;
        if (*p == ':') {
            char *end;
            unsigned long port = strtoul(p + 1, &end, 10);
            if (end == p + 1 || port == 0 || port > 65535 || (*end && *end != '=')) {
                snprintf(why, why_len, "bad port in '%s'", spec);
                free(svc);
                return NULL;
            }
            svc->port = (uint16_t)port;
            p = end;
        }
        if (*p == '=' && svc->kind == SERVICE_HTTP) {
            char resolved[PATH_MAX];
            struct stat st;
            if (!realpath(p + 1, resolved) || stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode)) {
                snprintf(why, why_len, "http: '%s' is not a directory", p + 1);
                free(svc);
                return NULL;
            }
            svc->root = strdup(resolved);
        } else if (*p == '=') {
            snprintf(why, why_len, "%s takes no =ARG", kinds[i].name);
            free(svc);
            return NULL;
        } else if (kinds[i].needs_arg) {
            snprintf(why, why_len, "'%s' needs =DIR (e.g. %s=/srv/www)", spec, kinds[i].name);
            free(svc);
            return NULL;
        }
        if (svc->port == 0) {
            snprintf(why, why_len, "'%s' needs a port (%s:PORT)", spec, kinds[i].name);
            free(svc->root);
            free(svc);
            return NULL;
        }
        return svc;
    }
    snprintf(why, why_len, "unknown service '%.*s'", (int)name_len, spec);
    return NULL;
}

struct service *service_builtin_http(uint16_t port)
{
    struct service *svc = service_new(4);
    if (svc)
        svc->port = port;
    return svc;
}

int service_start(struct service *svc, struct runtime *rt, struct naru_stack *stack, char *why,
                  size_t why_len)
{
    svc->rt = rt;
    svc->stack = stack;
    struct naru_sockaddr any = { 0, svc->port };
    int s = naru_socket(stack, NARU_SOCK_STREAM);
    if (s == -EPROTONOSUPPORT && svc->udp)
        goto udp; /* a stack built without TCP still serves the UDP form */
    int err = s < 0 ? s : naru_setsockopt(stack, s, NARU_SO_REUSEADDR, 1);
    if (!err)
        err = naru_bind(stack, s, &any);
    if (!err)
        err = naru_listen(stack, s, 128);
    if (err < 0) {
        snprintf(why, why_len, "%s: cannot listen on TCP port %u: %s", svc->name, svc->port, strerror(-err));
        if (s >= 0)
            naru_close(stack, s);
        return err;
    }
    svc->tcp_sock = s;
    naru_socket_set_callback(stack, s, accept_ready, svc);
    if (!svc->udp)
        return 0;
udp:
    s = naru_socket(stack, NARU_SOCK_DGRAM);
    err = s < 0 ? s : naru_bind(stack, s, &any);
    if (err < 0) {
        snprintf(why, why_len, "%s: cannot bind UDP port %u: %s", svc->name, svc->port, strerror(-err));
        if (s >= 0)
            naru_close(stack, s);
        return err;
    }
    naru_socket_set_callback(stack, s, udp_readable, svc);
    svc->udp_sock = s;
    return 0;
}

void service_describe(const struct service *svc, char *buf, size_t len)
{
    const char *proto = svc->tcp_sock >= 0 && svc->udp_sock >= 0 ? "tcp+udp" : svc->udp_sock >= 0 ? "udp" : "tcp";
    snprintf(buf, len, "%s (%s %u)%s%s", svc->name, proto, svc->port,
             svc->root ? " from " : "", svc->root ? svc->root : "");
}

void service_free(struct service *svc)
{
    if (!svc)
        return;
    while (svc->conns) {
        struct conn *c = svc->conns;
        svc->conns = c->next;
        if (svc->stack)
            naru_close(svc->stack, c->sock);
        http_server_conn_free(c->http);
        free(c->out);
        free(c);
    }
    if (svc->stack && svc->udp_sock >= 0)
        naru_close(svc->stack, svc->udp_sock);
    if (svc->stack && svc->tcp_sock >= 0)
        naru_close(svc->stack, svc->tcp_sock);
    free(svc->root);
    free(svc);
}

void print_counters(FILE *out, const struct naru_stack *stack)
{
    const struct naru_counters *c = naru_stack_counters(stack);
    const char *layer = NULL;
    for (unsigned i = 0; i < naru_counter_count(); i++) {
        uint64_t v = naru_counter_value(c, i);
        if (!v)
            continue;
        if (!layer || strcmp(layer, naru_counter_layer(i)) != 0) {
            layer = naru_counter_layer(i);
            fprintf(out, "%s:\n", layer);
        }
        fprintf(out, "    %llu %s\n", (unsigned long long)v, naru_counter_description(i));
    }
}
