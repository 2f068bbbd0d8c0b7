/* The small services (src/apps/services.c) between two simulated stacks:
 * echo, discard and daytime over TCP and UDP, hold's zero window, and
 * connections that wait in the accept queue for a free socket. */
#include "appnet.h"

#include <stdio.h>
#include <string.h>

#define CLIENTS 10
#define FREE_SOCKETS 4

struct client {
    struct client *all;        /* the array this one is part of, or NULL */
    int count;
    int sock;
    bool connected, sent, eof;
    char message[32];
    char got[128];
    size_t got_len;
};

static void send_and_close(struct naru_stack *stack, struct client *c)
{
    size_t len = strlen(c->message);
    assert_int_equal(naru_send(stack, c->sock, c->message, len, 0), (long)len);
    assert_int_equal(naru_shutdown(stack, c->sock, NARU_SHUT_WR), 0);
    c->sent = true;
}

/* Clients of a group speak only once all of them are connected, so that
 * the server has no handshake left to complete (nothing to wake its
 * listener) when the first connections end. */
static void client_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct client *c = ctx;
    unsigned ev = naru_socket_events(stack, sock);
    if (!c->connected && (ev & NARU_POLLOUT)) {
        c->connected = true;
        int connected = 0;
        for (int i = 0; i < c->count; i++)
            connected += c->all[i].connected;
        if (connected == c->count)
            for (int i = 0; i < c->count; i++)
                if (c->all[i].message[0])
                    send_and_close(stack, &c->all[i]);
    }
    long n;
    while (!c->eof && (n = naru_recv(stack, sock, c->got + c->got_len, sizeof c->got - 1 - c->got_len, 0)) >= 0) {
        if (n == 0)
            c->eof = true;
        c->got_len += (size_t)n;
        c->got[c->got_len] = '\0';
    }
}

static void connect_clients(struct appnet *n, struct client *clients, int count, uint16_t port)
{
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = port };
    for (int i = 0; i < count; i++) {
        struct client *c = &clients[i];
        c->all = clients;
        c->count = count;
        c->sock = naru_socket(n->a, NARU_SOCK_STREAM);
        assert_true(c->sock >= 0);
        naru_socket_set_callback(n->a, c->sock, client_event, c);
        int err = naru_connect(n->a, c->sock, &to);
        assert_true(err == 0 || err == -EINPROGRESS);
    }
}

static bool all_eof(void *ctx)
{
    struct client *clients = ctx;
    for (int i = 0; i < clients[0].count; i++)
        if (!clients[i].eof)
            return false;
    return true;
}

static struct naru_service *start(struct appnet *n, enum naru_service_kind kind, uint16_t port)
{
    struct naru_service_config c;
    naru_service_config_default(&c, kind);
    c.port = port;
    struct naru_service *svc;
    assert_int_equal(naru_service_start(&n->env_b, &c, &svc), 0);
    return svc;
}

static void echo_and_discard_over_tcp_end_with_the_peers_fin(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 21, NULL, NULL);
    struct naru_service *echo = start(&n, NARU_SERVICE_ECHO, 0);
    struct naru_service *discard = start(&n, NARU_SERVICE_DISCARD, 0);
    assert_true(naru_service_has_tcp(echo) && naru_service_has_udp(echo));
    struct client e[1] = { { .message = "hello, echo\n" } }, d[1] = { { .message = "into the void\n" } };
    connect_clients(&n, e, 1, 7);
    connect_clients(&n, d, 1, 9);
    assert_true(appnet_run(&n, 10 * NARU_SEC, all_eof, e));
    assert_true(appnet_run(&n, 10 * NARU_SEC, all_eof, d));
    assert_string_equal(e[0].got, "hello, echo\n");
    assert_int_equal(d[0].got_len, 0);
    naru_close(n.a, e[0].sock);
    naru_close(n.a, d[0].sock);
    appnet_run(&n, NARU_SEC, NULL, NULL);
    naru_service_destroy(echo);
    naru_service_destroy(discard);
    appnet_free(&n);
}

static int64_t fixed_time(void *ctx)
{
    return *(int64_t *)ctx;
}

static void daytime_says_the_date_over_udp_and_tcp(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 22, NULL, NULL);
    int64_t now = 383247463; /* RFC 867's example moment, in UTC */
    struct naru_service_config c;
    naru_service_config_default(&c, NARU_SERVICE_DAYTIME);
    c.unix_time = fixed_time;
    c.ctx = &now;
    struct naru_service *svc;
    assert_int_equal(naru_service_start(&n.env_b, &c, &svc), 0);
    struct client t[1] = { { .message = "" } };
    connect_clients(&n, t, 1, 13);
    assert_true(appnet_run(&n, 10 * NARU_SEC, all_eof, t));
    assert_string_equal(t[0].got, "Monday, February 22, 1982 17:37:43-UTC\r\n");
    naru_close(n.a, t[0].sock);
    /* Over UDP, a datagram asks; dates across the calendar's corners. */
    struct { int64_t at; const char *line; } when[] = {
        { 0, "Thursday, January 01, 1970 00:00:00-UTC\r\n" },
        { -1, "Wednesday, December 31, 1969 23:59:59-UTC\r\n" },
        { 951782400, "Tuesday, February 29, 2000 00:00:00-UTC\r\n" },
        { 4102531199, "Friday, January 01, 2100 23:59:59-UTC\r\n" },
    };
    int u = udp_socket(n.a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 13 };
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        now = when[i].at;
        assert_int_equal(naru_sendto(n.a, u, "?", 1, 0, &to), 1);
        assert_true(wait_readable(n.sim, n.a, u, NARU_SEC));
        char line[64] = "";
        assert_true(naru_recv(n.a, u, line, sizeof line - 1, 0) > 0);
        assert_string_equal(line, when[i].line);
    }
    naru_close(n.a, u);
    appnet_run(&n, NARU_SEC, NULL, NULL);
    naru_service_destroy(svc);
    appnet_free(&n);
}

static void echo_over_udp_answers_each_datagram(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 23, NULL, NULL);
    struct naru_service *echo = start(&n, NARU_SERVICE_ECHO, 0);
    int u = udp_socket(n.a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 7 };
    assert_int_equal(naru_sendto(n.a, u, "ping", 4, 0, &to), 4);
    assert_true(wait_readable(n.sim, n.a, u, NARU_SEC));
    char buf[16];
    struct naru_sockaddr from;
    assert_int_equal(naru_recvfrom(n.a, u, buf, sizeof buf, 0, &from), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(from.port, 7);
    naru_close(n.a, u);
    naru_service_destroy(echo);
    appnet_free(&n);
}

static void hold_never_reads_so_the_window_closes(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 24, NULL, NULL);
    struct naru_service_config c;
    naru_service_config_default(&c, NARU_SERVICE_HOLD);
    struct naru_service *svc;
    assert_int_equal(naru_service_start(&n.env_b, &c, &svc), -EINVAL); /* hold has no port of its own */
    c.port = 5555;
    assert_int_equal(naru_service_start(&n.env_b, &c, &svc), 0);
    assert_false(naru_service_has_udp(svc));
    struct client h[1] = { { .message = "" } };
    connect_clients(&n, h, 1, 5555);
    appnet_run(&n, NARU_SEC, NULL, NULL);
    static uint8_t data[1 << 16];
    long sent = 0, got;
    for (int i = 0; i < 30; i++) {
        while ((got = naru_send(n.a, h[0].sock, data, sizeof data, 0)) > 0)
            sent += got;
        appnet_run(&n, NARU_SEC, NULL, NULL);
    }
    struct naru_tcp_info before, after;
    assert_int_equal(naru_tcp_get_info(n.a, h[0].sock, &before), 0);
    appnet_run(&n, 30 * NARU_SEC, NULL, NULL);
    assert_int_equal(naru_tcp_get_info(n.a, h[0].sock, &after), 0);
    /* The receive buffer filled and stays full: nothing more is taken,
     * and the connection lives on, probed. */
    assert_int_equal(after.state, NARU_TCP_ESTABLISHED);
    assert_true(before.bytes_acked < (uint64_t)sent);
    assert_int_equal(after.bytes_acked, before.bytes_acked);
    assert_true(after.snd_wnd < 1024);
    naru_close(n.a, h[0].sock);
    naru_service_destroy(svc);
    appnet_free(&n);
}

/* The server's socket table is all but full: echo can accept only
 * FREE_SOCKETS connections at once, and the rest wait in the listener's
 * accept queue. Each one served and closed frees a socket, and the
 * service must then take the next from the queue by itself: the listener
 * has nothing new to say, since no new connection arrives. */
static void queued_connections_are_served_as_sockets_free_up(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 25, NULL, NULL);
    struct naru_service *echo = start(&n, NARU_SERVICE_ECHO, 0);
    int filler[1024], fillers = 0;
    while (fillers < 1024 && (filler[fillers] = naru_socket(n.b, NARU_SOCK_DGRAM)) >= 0)
        fillers++;
    assert_true(fillers > FREE_SOCKETS && fillers < 1024);
    for (int i = 0; i < FREE_SOCKETS; i++)
        naru_close(n.b, filler[--fillers]);
    struct client clients[CLIENTS];
    memset(clients, 0, sizeof clients);
    for (int i = 0; i < CLIENTS; i++)
        snprintf(clients[i].message, sizeof clients[i].message, "client %d\n", i);
    connect_clients(&n, clients, CLIENTS, 7);
    assert_true(appnet_run(&n, 60 * NARU_SEC, all_eof, clients));
    for (int i = 0; i < CLIENTS; i++) {
        assert_true(clients[i].sent);
        assert_string_equal(clients[i].got, clients[i].message);
        naru_close(n.a, clients[i].sock);
    }
    for (int i = 0; i < fillers; i++)
        naru_close(n.b, filler[i]);
    appnet_run(&n, NARU_SEC, NULL, NULL);
    naru_service_destroy(echo);
    appnet_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_and_discard_over_tcp_end_with_the_peers_fin),
        cmocka_unit_test(daytime_says_the_date_over_udp_and_tcp),
        cmocka_unit_test(echo_over_udp_answers_each_datagram),
        cmocka_unit_test(hold_never_reads_so_the_window_closes),
        cmocka_unit_test(queued_connections_are_served_as_sockets_free_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
