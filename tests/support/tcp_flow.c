#include "tcp_flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void end_callback(void *ctx, struct naru_stack *stack, int sock);

static void note_error(struct tcp_flow_end *e, long err)
{
    if (!e->error)
        e->error = (int)err;
}

static void pump(struct tcp_flow_end *e)
{
    if (e->sock < 0 || e->closed)
        return;
    uint8_t buf[TCP_FLOW_CHUNK];
    uint32_t chunk = e->flow->chunk ? e->flow->chunk : TCP_FLOW_CHUNK;
    if (chunk > TCP_FLOW_CHUNK)
        chunk = TCP_FLOW_CHUNK;
    while (e->connected && e->sent < e->to_send && !e->error) {
        uint64_t left = e->to_send - e->sent;
        uint32_t n = left < chunk ? (uint32_t)left : chunk;
        const uint8_t *from = e->send_table + e->sent % TCP_FLOW_PERIOD;
        long w = naru_send(e->stack, e->sock, from, n, 0);
        if (w == -EAGAIN)
            break;
        if (w < 0) {
            note_error(e, w);
            break;
        }
        e->sent += (uint64_t)w;
    }
    if (e->connected && e->sent == e->to_send && !e->shut && !e->error) {
        long r = naru_shutdown(e->stack, e->sock, NARU_SHUT_WR);
        if (r < 0)
            note_error(e, r);
        e->shut = true;
    }
    while (!e->eof && !e->error) {
        long r = naru_recv(e->stack, e->sock, buf, sizeof buf, 0);
        if (r == -EAGAIN || r == -ENOTCONN)
            break;
        if (r < 0) {
            note_error(e, r);
            break;
        }
        if (r == 0) {
            e->eof = true;
            break;
        }
        const uint8_t *want = e->receive_table + e->received % TCP_FLOW_PERIOD;
        if (!e->mismatch_at && memcmp(buf, want, (size_t)r) != 0)
            for (long i = 0; i < r; i++)
                if (!e->mismatch_at && buf[i] != want[i])
                    e->mismatch_at = e->received + (uint64_t)i + 1;
        e->received += (uint64_t)r;
    }
    bool finished = (e->eof && e->shut) || e->error;
    if (finished && !e->finished_at)
        e->finished_at = naru_sim_now(e->flow->sim);
    if (finished && e->flow->close_when_done && !e->closed) {
        naru_close(e->stack, e->sock);
        e->closed = true;
    }
}

static void listener_callback(void *ctx, struct naru_stack *stack, int sock)
{
    struct tcp_flow *f = ctx;
    struct tcp_flow_end *e = &f->server;
    if (e->sock >= 0)
        return;
    struct naru_sockaddr peer;
    int s = naru_accept(stack, sock, &peer);
    if (s < 0)
        return;
    e->sock = s;
    e->connected = true;
    naru_socket_set_callback(stack, s, end_callback, e);
    pump(e);
}

static void end_callback(void *ctx, struct naru_stack *stack, int sock)
{
    struct tcp_flow_end *e = ctx;
    if (!e->connected) {
        unsigned ev = naru_socket_events(stack, sock);
        if (ev & NARU_POLLERR) {
            note_error(e, naru_socket_error(stack, sock));
            return;
        }
        if (!(ev & NARU_POLLOUT))
            return;
        e->connected = true;
    }
    pump(e);
}

void tcp_flow_start(struct tcp_flow *f, struct naru_sim *sim, struct naru_stack *client,
                    struct naru_stack *server, uint32_t server_addr, uint16_t port, uint64_t c2s,
                    uint64_t s2c)
{
    struct naru_addr a = naru_addr_v4(server_addr);
    tcp_flow_start_addr(f, sim, client, server, &a, port, c2s, s2c);
}

void tcp_flow_start_addr(struct tcp_flow *f, struct naru_sim *sim, struct naru_stack *client,
                         struct naru_stack *server, const struct naru_addr *server_addr, uint16_t port,
                         uint64_t c2s, uint64_t s2c)
{
    f->sim = sim;
    struct tcp_flow_end *c = &f->client, *s = &f->server;
    memset(c, 0, sizeof *c);
    memset(s, 0, sizeof *s);
    c->flow = s->flow = f;
    c->stack = client;
    s->stack = server;
    c->to_send = s->to_receive = c2s;
    s->to_send = c->to_receive = s2c;
    c->send_seed = s->receive_seed = 0x1234u + port;
    s->send_seed = c->receive_seed = 0xabcd0000u + port;
    s->sock = -1;
    uint32_t seeds[2] = { c->send_seed, s->send_seed };
    uint8_t *tables[2];
    for (int i = 0; i < 2; i++) {
        tables[i] = malloc(TCP_FLOW_PERIOD + TCP_FLOW_CHUNK);
        for (uint32_t j = 0; j < TCP_FLOW_PERIOD + TCP_FLOW_CHUNK; j++)
            tables[i][j] = tcp_pattern(seeds[i], j);
    }
    c->send_table = s->receive_table = tables[0];
    s->send_table = c->receive_table = tables[1];
    f->listener = naru_socket(server, NARU_SOCK_STREAM);
    struct naru_sockaddr any = { .port = port };
    naru_bind(server, f->listener, &any);
    naru_listen(server, f->listener, 16);
    naru_socket_set_callback(server, f->listener, listener_callback, f);
    c->sock = naru_socket(client, NARU_SOCK_STREAM);
    naru_socket_set_callback(client, c->sock, end_callback, c);
    struct naru_sockaddr to = { .addr = *server_addr, .port = port };
    long r = naru_connect(client, c->sock, &to);
    if (r != -EINPROGRESS && r < 0)
        note_error(c, r);
}

void tcp_flow_free(struct tcp_flow *f)
{
    free(f->client.send_table);
    free(f->server.send_table);
    f->client.send_table = f->server.send_table = NULL;
    f->client.receive_table = f->server.receive_table = NULL;
}

static bool end_done(const struct tcp_flow_end *e)
{
    return e->error || e->mismatch_at || (e->eof && e->shut && e->sent == e->to_send);
}

bool tcp_flow_done(void *flow)
{
    const struct tcp_flow *f = flow;
    return (end_done(&f->client) && end_done(&f->server)) || f->client.error || f->server.error;
}

bool tcp_flow_ok(const struct tcp_flow *f)
{
    const struct tcp_flow_end *ends[2] = { &f->client, &f->server };
    for (int i = 0; i < 2; i++) {
        const struct tcp_flow_end *e = ends[i];
        if (e->error || e->mismatch_at || !e->eof || e->received != e->to_receive || e->sent != e->to_send)
            return false;
    }
    return true;
}

static void resolve_one(struct naru_sim *sim, struct naru_stack *from, struct naru_stack *to, uint32_t to_addr)
{
    int s = naru_socket(from, NARU_SOCK_DGRAM);
    struct naru_sockaddr dst = { .addr = naru_addr_v4(to_addr), .port = 9 };
    uint8_t mac[6];
    for (int i = 0; i < 200 && naru_neighbour_lookup(from, 0, &dst.addr, mac) < 0; i++) {
        naru_sendto(from, s, "x", 1, 0, &dst);
        naru_sim_run(sim, naru_sim_now(sim) + 1500 * NARU_MS, NULL, NULL);
    }
    naru_close(from, s);
    (void)to;
}

void tcp_flow_resolve(struct naru_sim *sim, struct naru_stack *a, uint32_t a_addr, struct naru_stack *b,
                      uint32_t b_addr)
{
    resolve_one(sim, a, b, b_addr);
    resolve_one(sim, b, a, a_addr);
}
