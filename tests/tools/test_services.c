/* The services `naru host --serve` runs, on the simulator's built-in world:
 * what they do when the stack runs short of sockets. */
#include "testnet.h"

#include <stdio.h>
#include <string.h>

#include "runtime.h"

#define CLIENTS 10
#define FREE_SOCKETS 4

struct client {
    struct client *all;        /* the array of CLIENTS this one is part of */
    int sock;
    bool connected;
    bool sent;
    bool eof;
    char message[32];
    char got[64];
    size_t got_len;
};

static void send_and_close(struct naru_stack *stack, struct client *c)
{
    size_t len = strlen(c->message);
    assert_int_equal(naru_send(stack, c->sock, c->message, len, 0), (long)len);
    assert_int_equal(naru_shutdown(stack, c->sock, NARU_SHUT_WR), 0);
    c->sent = true;
}

/* Clients speak only once all of them are connected, so that the server
 * has no handshake left to complete (nothing to wake its listener) when
 * the first connections end. */
static void client_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct client *c = ctx;
    unsigned ev = naru_socket_events(stack, sock);
    if (!c->connected && (ev & NARU_POLLOUT)) {
        c->connected = true;
        int connected = 0;
        for (int i = 0; i < CLIENTS; i++)
            connected += c->all[i].connected;
        if (connected == CLIENTS)
            for (int i = 0; i < CLIENTS; i++)
                send_and_close(stack, &c->all[i]);
    }
    long n;
    while (!c->eof && (n = naru_recv(stack, sock, c->got + c->got_len, sizeof c->got - 1 - c->got_len, 0)) >= 0) {
        if (n == 0)
            c->eof = true;
        c->got_len += (size_t)n;
    }
}

static bool all_answered(void *ctx)
{
    struct client *clients = ctx;
    for (int i = 0; i < CLIENTS; i++)
        if (!clients[i].eof)
            return false;
    return true;
}

/* The server's socket table is all but full: the echo service can accept
 * only FREE_SOCKETS connections at once, and the rest wait in the
 * listener's accept queue. Each one served and closed frees a socket, and
 * the service must then take the next from the queue by itself: the
 * listener has nothing new to say, since no new connection arrives. */
static void echo_serves_queued_connections_as_sockets_free_up(void **state)
{
    (void)state;
    struct runtime rt;
    struct runtime_options ro = { 0 };
    assert_int_equal(runtime_open(&rt, &ro, "test_services"), 0);
    struct naru_stack *server = runtime_world_stack(&rt, "server");
    assert_non_null(server);

    int filler[1024], fillers = 0;
    while (fillers < 1024 && (filler[fillers] = naru_socket(server, NARU_SOCK_DGRAM)) >= 0)
        fillers++;
    assert_true(fillers > FREE_SOCKETS && fillers < 1024);
    for (int i = 0; i < FREE_SOCKETS; i++)
        naru_close(server, filler[--fillers]);

    struct client clients[CLIENTS];
    memset(clients, 0, sizeof clients);
    struct naru_sockaddr echo = { naru_ip4(10, 2, 0, 2), 7 };
    for (int i = 0; i < CLIENTS; i++) {
        struct client *c = &clients[i];
        c->all = clients;
        snprintf(c->message, sizeof c->message, "client %d\n", i);
        c->sock = naru_socket(rt.stack, NARU_SOCK_STREAM);
        assert_true(c->sock >= 0);
        naru_socket_set_callback(rt.stack, c->sock, client_event, c);
        int err = naru_connect(rt.stack, c->sock, &echo);
        assert_true(err == 0 || err == -EINPROGRESS);
    }
    assert_int_equal(runtime_run(&rt, runtime_now(&rt) + 60 * NARU_SEC, all_answered, clients), 0);
    for (int i = 0; i < CLIENTS; i++) {
        assert_true(clients[i].sent);
        clients[i].got[clients[i].got_len] = '\0';
        assert_string_equal(clients[i].got, clients[i].message);
        naru_close(rt.stack, clients[i].sock);
    }
    for (int i = 0; i < fillers; i++)
        naru_close(server, filler[i]);
    runtime_close(&rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_serves_queued_connections_as_sockets_free_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
