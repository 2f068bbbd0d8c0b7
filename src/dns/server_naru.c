/* The authoritative server on naru's own sockets: the naru-socket
 * transport beside tools/cmd_dnsd.c's kernel-socket one. UDP always; TCP
 * (RFC 7766, several queries per connection) when the stack has TCP, with
 * framing, deadlines and limits from the server's TCP table (server_tcp.c)
 * and one stack timer for the table's next deadline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "naru/dns.h"
#include "naru/socket.h"
#include "stack.h"

struct tcp_conn {
    struct naru_dns_server_endpoint *e;
    int sock;                  /* -1: free */
};

struct naru_dns_server_endpoint {
    struct naru_dns_server *server;
    struct naru_stack *stack;
    int udp;
    int listener;              /* -1 without TCP */
    struct naru_dns_tcp *tcp;  /* the connection table, with TCP */
    struct tcp_conn *conns;    /* one per slot of the table */
    struct naru_timer deadline;
    uint8_t reply[4096];
    uint8_t query[4096];
};

/* The server's own stats before a call, so that what the call added can
 * go into the stack's counters too (several endpoints, even on several
 * stacks, may share one server). */
static struct naru_dns_server_stats stats_before(const struct naru_dns_server_endpoint *e)
{
    return *naru_dns_server_stats(e->server);
}

static void count_since(const struct naru_dns_server_endpoint *e,
                        const struct naru_dns_server_stats *before)
{
    const struct naru_dns_server_stats *now = naru_dns_server_stats(e->server);
    struct naru_counters *c = &e->stack->counters;
    c->dns_server_queries += now->queries - before->queries;
    c->dns_server_dropped += now->dropped - before->dropped;
    c->dns_server_formerr += now->formerr - before->formerr;
    c->dns_server_truncated += now->truncated - before->truncated;
    c->dns_server_rrl_dropped += now->rrl_dropped - before->rrl_dropped;
    c->dns_server_rrl_slipped += now->rrl_slipped - before->rrl_slipped;
}

static void on_udp(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_dns_server_endpoint *e = ctx;
    struct naru_sockaddr from;
    for (;;) {
        long n = naru_recvfrom(stack, sock, e->query, sizeof e->query, 0, &from);
        if (n < 0)
            return;
        struct naru_addr client = from.addr;
        struct naru_dns_server_stats before = stats_before(e);
        size_t len = naru_dns_server_answer_from(e->server, &client, naru_stack_now(stack), e->query,
                                                 (size_t)n, NARU_DNS_UDP, e->reply, sizeof e->reply);
        count_since(e, &before);
        if (len && naru_sendto(stack, sock, e->reply, len, 0, &from) < 0)
            stack->counters.dns_server_tx_failed++;
    }
}

static void arm_deadline(struct naru_dns_server_endpoint *e)
{
    naru_time_t next = naru_dns_tcp_next_deadline(e->tcp);
    if (next == NARU_NEVER)
        timer_cancel(&e->stack->timers, &e->deadline);
    else
        timer_arm(&e->stack->timers, &e->deadline, next);
}

static void conn_release(struct naru_dns_server_endpoint *e, struct tcp_conn *c)
{
    naru_socket_set_callback(e->stack, c->sock, NULL, NULL);
    naru_close(e->stack, c->sock);
    c->sock = -1;
}

static void conn_close(struct naru_dns_server_endpoint *e, int slot)
{
    conn_release(e, &e->conns[slot]);
    naru_dns_tcp_close(e->tcp, slot);
}

static void on_deadline(struct naru_stack *stack, struct naru_timer *t)
{
    struct naru_dns_server_endpoint *e = timer_owner(t, struct naru_dns_server_endpoint, deadline);
    for (int slot; (slot = naru_dns_tcp_expired(e->tcp, naru_stack_now(stack))) >= 0;) {
        stack->counters.dns_server_tcp_timeouts++;
        conn_close(e, slot);
    }
    arm_deadline(e);
}

/* A reply the send buffer cannot take whole ends the connection: the
 * client retries; the server never blocks. */
static bool send_reply(void *ctx, int slot, const uint8_t *framed, size_t len)
{
    struct naru_dns_server_endpoint *e = ctx;
    struct naru_stack *stack = e->stack;
    if (naru_send(stack, e->conns[slot].sock, framed, len, 0) != (long)len) {
        stack->counters.dns_server_tx_failed++;
        return false;
    }
    return true;
}

static void on_conn(void *ctx, struct naru_stack *stack, int sock)
{
    struct tcp_conn *c = ctx;
    struct naru_dns_server_endpoint *e = c->e;
    int slot = (int)(c - e->conns);
    if (c->sock != sock)
        return;
    for (;;) {
        size_t room;
        uint8_t *in = naru_dns_tcp_rx_space(e->tcp, slot, &room);
        long n = naru_recv(stack, sock, in, room, 0);
        if (n == -EAGAIN)
            break;
        if (n <= 0) {
            conn_close(e, slot);
            break;
        }
        struct naru_dns_server_stats before = stats_before(e);
        int err = naru_dns_tcp_received(e->tcp, slot, (size_t)n, naru_stack_now(stack), send_reply, e);
        count_since(e, &before);
        if (err < 0) {
            conn_close(e, slot);
            break;
        }
    }
    arm_deadline(e);
}

static void on_listen(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_dns_server_endpoint *e = ctx;
    for (;;) {
        struct naru_sockaddr peer;
        int s = naru_accept(stack, sock, &peer);
        if (s < 0)
            break;
        struct naru_addr client = peer.addr;
        bool evicted;
        int slot = naru_dns_tcp_open(e->tcp, &client, naru_stack_now(stack), &evicted);
        struct tcp_conn *c = &e->conns[slot];
        if (evicted) {
            stack->counters.dns_server_tcp_evicted++;
            conn_release(e, c);    /* an older connection gave way */
        }
        c->sock = s;
        naru_socket_set_callback(stack, s, on_conn, c);
        on_conn(c, stack, s);
    }
    arm_deadline(e);
}

static void listen_tcp(struct naru_dns_server_endpoint *e, const struct naru_sockaddr *a)
{
    struct naru_stack *stack = e->stack;
    int l = naru_socket(stack, NARU_SOCK_STREAM);
    if (l < 0)
        return;                /* a stack without TCP serves UDP only */
    if (naru_dns_tcp_create(e->server, &e->tcp) < 0 ||
        !(e->conns = calloc(naru_dns_tcp_slots(e->tcp), sizeof *e->conns))) {
        naru_close(stack, l);
        return;
    }
    unsigned slots = naru_dns_tcp_slots(e->tcp);
    for (unsigned i = 0; i < slots; i++)
        e->conns[i] = (struct tcp_conn){ .e = e, .sock = -1 };
    naru_setsockopt(stack, l, NARU_SO_REUSEADDR, 1);
    if (naru_bind(stack, l, a) < 0 || naru_listen(stack, l, (int)(slots < 128 ? slots : 128)) < 0) {
        naru_close(stack, l);
        return;
    }
    e->listener = l;
    naru_socket_set_callback(stack, l, on_listen, e);
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
    timer_init(&e->deadline, on_deadline);
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
    listen_tcp(e, &a);
    *out = e;
    return 0;
}

void naru_dns_server_detach(struct naru_dns_server_endpoint *e)
{
    if (!e)
        return;
    if (e->tcp) {
        unsigned slots = naru_dns_tcp_slots(e->tcp);
        for (unsigned i = 0; i < slots; i++)
            if (e->conns && e->conns[i].sock >= 0)
                conn_close(e, (int)i);
    }
    timer_cancel(&e->stack->timers, &e->deadline);
    if (e->listener >= 0) {
        naru_socket_set_callback(e->stack, e->listener, NULL, NULL);
        naru_close(e->stack, e->listener);
    }
    naru_socket_set_callback(e->stack, e->udp, NULL, NULL);
    naru_close(e->stack, e->udp);
    naru_dns_tcp_destroy(e->tcp);
    free(e->conns);
    free(e);
}

bool naru_dns_server_endpoint_has_tcp(const struct naru_dns_server_endpoint *e)
{
    return e && e->listener >= 0;
}
