/* The authoritative server on naru's own sockets: the naru-socket
 * transport beside tools/cmd_dnsd.c's kernel-socket one. UDP always; TCP
 * (RFC 7766, several queries per connection) when the stack has TCP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "naru/dns.h"
#include "naru/socket.h"
#include "stack.h"

#define TCP_CONNS 16

struct tcp_conn_state {
    int sock;                  /* -1: free */
    size_t have;
    uint8_t in[2 + 65535];
};

struct naru_dns_server_endpoint {
    struct naru_dns_server *server;
    struct naru_stack *stack;
    int udp;
    int listener;              /* -1 without TCP */
    uint8_t reply[2 + 65535];
    uint8_t query[4096];
    struct tcp_conn_state conns[TCP_CONNS];
};

/* Count one answered query in the stack's counters: the reply's rcode and
 * TC bit are in its header (RFC 1035 4.1.1), so nothing is parsed again. */
static void count_reply(struct naru_stack *stack, const uint8_t *reply, size_t len)
{
    stack->counters.dns_server_queries++;
    if (!len) {
        stack->counters.dns_server_dropped++;
        return;
    }
    if ((reply[3] & 0x0f) == 1)
        stack->counters.dns_server_formerr++;
    if (reply[2] & 0x02)
        stack->counters.dns_server_truncated++;
}

static void on_udp(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_dns_server_endpoint *e = ctx;
    struct naru_sockaddr from;
    for (;;) {
        long n = naru_recvfrom(stack, sock, e->query, sizeof e->query, 0, &from);
        if (n < 0)
            return;
        size_t len = naru_dns_server_answer(e->server, e->query, (size_t)n, NARU_DNS_UDP,
                                            e->reply, 4096);
        count_reply(stack, e->reply, len);
        if (len && naru_sendto(stack, sock, e->reply, len, 0, &from) < 0)
            stack->counters.dns_server_tx_failed++;
    }
}

static void conn_close(struct naru_dns_server_endpoint *e, struct tcp_conn_state *c)
{
    naru_socket_set_callback(e->stack, c->sock, NULL, NULL);
    naru_close(e->stack, c->sock);
    c->sock = -1;
    c->have = 0;
}

static void on_conn(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_dns_server_endpoint *e = ctx;
    struct tcp_conn_state *c = NULL;
    for (int i = 0; i < TCP_CONNS; i++)
        if (e->conns[i].sock == sock)
            c = &e->conns[i];
    if (!c)
        return;
    for (;;) {
        long n = naru_recv(stack, sock, c->in + c->have, sizeof c->in - c->have, 0);
        if (n == -EAGAIN)
            break;
        if (n <= 0) {
            conn_close(e, c);
            return;
        }
        c->have += (size_t)n;
        const uint8_t *msg;
        size_t mlen, used, off = 0;
        /* RFC 7766 6.2.1.1: each query on the connection answered in turn. */
        while ((used = naru_dns_tcp_frame(c->in + off, c->have - off, &msg, &mlen)) > 0) {
            off += used;
            size_t len = naru_dns_server_answer(e->server, msg, mlen, NARU_DNS_TCP, e->reply + 2,
                                                65535);
            count_reply(stack, e->reply + 2, len);
            if (!len)
                continue;
            e->reply[0] = (uint8_t)(len >> 8);
            e->reply[1] = (uint8_t)len;
            /* A reply the send buffer cannot take whole ends the connection:
             * the client retries; the server never blocks. */
            if (naru_send(stack, sock, e->reply, len + 2, 0) != (long)(len + 2)) {
                stack->counters.dns_server_tx_failed++;
                conn_close(e, c);
                return;
            }
        }
        memmove(c->in, c->in + off, c->have - off);
        c->have -= off;
    }
}

static void on_listen(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_dns_server_endpoint *e = ctx;
    for (;;) {
        int s = naru_accept(stack, sock, NULL);
        if (s < 0)
            return;
        struct tcp_conn_state *c = NULL;
        for (int i = 0; i < TCP_CONNS && !c; i++)
            if (e->conns[i].sock < 0)
                c = &e->conns[i];
        if (!c) {
            stack->counters.dns_server_tcp_refused++;
            naru_close(stack, s);      /* bounded: turn the newest away */
            continue;
        }
        c->sock = s;
        c->have = 0;
        naru_socket_set_callback(stack, s, on_conn, e);
        on_conn(e, stack, s);
    }
}

int naru_dns_server_attach(struct naru_dns_server *server, struct naru_stack *stack,
                           const struct naru_sockaddr *addr, struct naru_dns_server_endpoint **out)
{
    struct naru_dns_server_endpoint *e = calloc(1, sizeof *e);
    if (!e)
        return -ENOMEM;
    e->server = server;
    e->stack = stack;
    e->listener = -1;
    for (int i = 0; i < TCP_CONNS; i++)
        e->conns[i].sock = -1;
    struct naru_sockaddr a = *addr;
    if (!a.port)
        a.port = NARU_DNS_PORT;
    e->udp = naru_socket(stack, NARU_SOCK_DGRAM);
    if (e->udp < 0) {
        int err = e->udp;
        free(e);
        return err;
    }
    int err = naru_bind(stack, e->udp, &a);
    if (err < 0) {
        naru_close(stack, e->udp);
        free(e);
        return err;
    }
    naru_socket_set_callback(stack, e->udp, on_udp, e);
    int l = naru_socket(stack, NARU_SOCK_STREAM);
    if (l >= 0) {
        naru_setsockopt(stack, l, NARU_SO_REUSEADDR, 1);
        if (naru_bind(stack, l, &a) < 0 || naru_listen(stack, l, TCP_CONNS) < 0) {
            naru_close(stack, l);
        } else {
            e->listener = l;
            naru_socket_set_callback(stack, l, on_listen, e);
        }
    }
    /* else: a stack without TCP serves UDP only. */
    *out = e;
    return 0;
}

void naru_dns_server_detach(struct naru_dns_server_endpoint *e)
{
    if (!e)
        return;
    for (int i = 0; i < TCP_CONNS; i++)
        if (e->conns[i].sock >= 0)
            conn_close(e, &e->conns[i]);
    if (e->listener >= 0) {
        naru_socket_set_callback(e->stack, e->listener, NULL, NULL);
        naru_close(e->stack, e->listener);
    }
    naru_socket_set_callback(e->stack, e->udp, NULL, NULL);
    naru_close(e->stack, e->udp);
    free(e);
}

bool naru_dns_server_endpoint_has_tcp(const struct naru_dns_server_endpoint *e)
{
    return e && e->listener >= 0;
}
