/* The small services inetd ran: echo (RFC 862), discard (RFC 863) and
 * daytime (RFC 867) over TCP and UDP, and hold, which accepts TCP
 * connections and never reads, so the peer meets a zero window. */
#include "tcp_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONN_BUFFER 65536

static const struct {
    const char *name;
    uint16_t port;             /* 0: must be given */
    bool has_udp;
} kinds[] = {
    [NARU_SERVICE_ECHO] = { "echo", 7, true },
    [NARU_SERVICE_DISCARD] = { "discard", 9, true },
    [NARU_SERVICE_DAYTIME] = { "daytime", 13, true },
    [NARU_SERVICE_HOLD] = { "hold", 0, false },
};

struct naru_service {
    struct app_tcp_server tcp;
    struct naru_service_config c;
    int udp_sock;
    uint8_t datagram[65536];
};

struct service_conn {
    struct app_tcp_conn tcp;   /* first: the server's list holds these; echo's bytes
                                  wait in its output buffer */
    bool write_shut;
};

void naru_service_config_default(struct naru_service_config *c, enum naru_service_kind kind)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->udp = true;
    c->max_connections = 4096;
}

const char *naru_service_name(enum naru_service_kind kind)
{
    return (unsigned)kind < sizeof kinds / sizeof kinds[0] ? kinds[kind].name : "?";
}

static struct naru_service *service_of(struct app_tcp_conn *c)
{
    return (struct naru_service *)(void *)c->server;
}

/* ---- daytime: RFC 867 leaves the form free; this is the common one,
 * "Tuesday, February 22, 1982 17:37:43-PST" in UTC ---- */

static void daytime_line(const struct naru_service *svc, char *line, size_t cap)
{
    static const char *const days[] = { "Thursday", "Friday", "Saturday", "Sunday",
                                        "Monday", "Tuesday", "Wednesday" };
    static const char *const months[] = { "January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December" };
    int64_t t = svc->c.unix_time ? svc->c.unix_time(svc->c.ctx)
                                 : (int64_t)(app_now(&svc->tcp.env) / NARU_SEC);
    int64_t days_since = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days_since * 86400;
    /* The civil date of a day number (days from 1970-01-01), after Howard
     * Hinnant's days_from_civil inverse. */
    int64_t z = days_since + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    int64_t weekday = ((days_since % 7) + 7) % 7;
    snprintf(line, cap, "%s, %s %02d, %lld %02d:%02d:%02d-UTC\r\n", days[weekday], months[month - 1], (int)day,
             (long long)year, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* ---- TCP ---- */

static void finish_writing(struct service_conn *c, bool peer_done)
{
    if (!c->write_shut) {
        naru_shutdown(c->tcp.server->env.stack, c->tcp.sock, NARU_SHUT_WR);
        c->write_shut = true;
    }
    if (peer_done)
        app_tcp_conn_close(&c->tcp);
}

/* Echo and discard: read what comes (and send it back); at the peer's
 * FIN, send ours (RFC 9293's half-close: the peer may still be reading). */
static void conn_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct service_conn *c = ctx;
    if (c->tcp.closing)
        return;
    unsigned ev = naru_socket_events(stack, sock);
    if ((ev & NARU_POLLERR) && !(ev & NARU_POLLIN)) {
        app_tcp_conn_close(&c->tcp);
        return;
    }
    bool echo = service_of(&c->tcp)->c.kind == NARU_SERVICE_ECHO;
    for (;;) {
        if (!app_tcp_conn_flush(&c->tcp) || c->tcp.closing)
            return;
        long n = naru_recv(stack, sock, c->tcp.out, CONN_BUFFER, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            app_tcp_conn_close(&c->tcp);
            return;
        }
        if (n == 0) {
            finish_writing(c, true);
            return;
        }
        if (echo)
            c->tcp.out_len = (size_t)n;
    }
}

static struct app_tcp_conn *conn_make(struct app_tcp_server *tcp)
{
    (void)tcp;
    struct service_conn *c = calloc(1, sizeof *c);
    return c ? &c->tcp : NULL;
}

static void conn_start(struct app_tcp_conn *tc)
{
    struct service_conn *c = (struct service_conn *)(void *)tc;
    struct naru_service *svc = service_of(tc);
    struct naru_stack *stack = tc->server->env.stack;
    switch (svc->c.kind) {
    case NARU_SERVICE_DAYTIME: {
        char line[64];
        daytime_line(svc, line, sizeof line);
        naru_send(stack, tc->sock, line, strlen(line), 0);
        app_tcp_conn_close(tc); /* close(2) semantics: the line goes out, then FIN */
        break;
    }
    case NARU_SERVICE_HOLD:
        break;
    default:
        naru_socket_set_callback(stack, tc->sock, conn_event, c);
        conn_event(c, stack, tc->sock);
    }
}

static void conn_free(struct app_tcp_conn *tc)
{
    free(tc);
}

/* ---- UDP ---- */

static void udp_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_service *svc = ctx;
    struct naru_sockaddr from;
    long n;
    while ((n = naru_recvfrom(stack, sock, svc->datagram, sizeof svc->datagram, 0, &from)) >= 0) {
        if (svc->c.kind == NARU_SERVICE_ECHO) {
            naru_sendto(stack, sock, svc->datagram, (size_t)n, 0, &from);
        } else if (svc->c.kind == NARU_SERVICE_DAYTIME) {
            char line[64];
            daytime_line(svc, line, sizeof line);
            naru_sendto(stack, sock, line, strlen(line), 0, &from);
        }
    }
}

static int open_udp(struct naru_service *svc, uint16_t port)
{
    struct naru_stack *stack = svc->tcp.env.stack;
    struct naru_sockaddr any = { .port = port };
    int s = naru_socket(stack, NARU_SOCK_DGRAM);
    int err = s < 0 ? s : naru_bind(stack, s, &any);
    if (err < 0) {
        if (s >= 0)
            naru_close(stack, s);
        return err;
    }
    naru_socket_set_callback(stack, s, udp_readable, svc);
    svc->udp_sock = s;
    return 0;
}

int naru_service_start(const struct naru_app_env *env, const struct naru_service_config *config,
                       struct naru_service **out)
{
    if ((unsigned)config->kind >= sizeof kinds / sizeof kinds[0])
        return -EINVAL;
    uint16_t port = config->port ? config->port : kinds[config->kind].port;
    if (!port)
        return -EINVAL; /* hold has no port of its own */
    struct naru_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return -ENOMEM;
    svc->c = *config;
    svc->c.port = port;
    svc->udp_sock = -1;
    bool buffered = config->kind == NARU_SERVICE_ECHO || config->kind == NARU_SERVICE_DISCARD;
    svc->tcp = (struct app_tcp_server){ .env = *env, .sock = -1, .max = config->max_connections,
                                        .out_cap = buffered ? CONN_BUFFER : 0, .make = conn_make,
                                        .start = conn_start, .free = conn_free };
    bool udp = config->udp && kinds[config->kind].has_udp;
    int err = app_tcp_server_listen(&svc->tcp, port, 128);
    if (err == -EPROTONOSUPPORT && udp)
        err = 0; /* a stack built without TCP still serves the UDP form */
    if (!err && udp)
        err = open_udp(svc, port);
    if (err < 0) {
        naru_service_destroy(svc);
        return err;
    }
    *out = svc;
    return 0;
}

bool naru_service_has_tcp(const struct naru_service *svc)
{
    return svc->tcp.sock >= 0;
}

bool naru_service_has_udp(const struct naru_service *svc)
{
    return svc->udp_sock >= 0;
}

void naru_service_destroy(struct naru_service *svc)
{
    if (!svc)
        return;
    app_tcp_server_close(&svc->tcp);
    if (svc->udp_sock >= 0)
        naru_close(svc->tcp.env.stack, svc->udp_sock);
    free(svc);
}
