/* Crowds of connections in the simulator: 5,000 idle clients fill one
 * port to its listener's limit while another port still serves, and when
 * they have all gone the server's memory is back where it was. */
#include "testnet.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"
#include "tcp/tcp_conn.h"

#define IDLE 5000

struct server {
    int sock[IDLE + 16];
    int count;
};

static void accept_all(void *ctx, struct naru_stack *stack, int listener)
{
    struct server *srv = ctx;
    int s;
    while ((s = naru_accept(stack, listener, NULL)) >= 0) {
        assert_true(srv->count < IDLE + 16);
        srv->sock[srv->count++] = s;
    }
}

struct connecting {
    struct naru_stack *stack;
    const int *sock;
    int count;
};

/* Every socket has connected (or failed). */
static bool all_settled(void *ctx)
{
    struct connecting *w = ctx;
    for (int i = 0; i < w->count; i++)
        if (!(naru_socket_events(w->stack, w->sock[i]) & (NARU_POLLOUT | NARU_POLLERR)))
            return false;
    return true;
}

static int connect_to(struct naru_stack *stack, uint32_t addr, uint16_t port)
{
    int s = naru_socket(stack, NARU_SOCK_STREAM);
    assert_true(s >= 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(addr), .port = port };
    assert_int_equal(naru_connect(stack, s, &to), -EINPROGRESS);
    return s;
}

static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static void idle_crowd_on_one_port_leaves_another_serving_and_memory_returns(void **state)
{
    (void)state;
    struct naru_stack_config server_config, client_config;
    naru_stack_config_default(&server_config);
    server_config.sockets = IDLE + 64;
    server_config.tcp_connections = 2 * IDLE + 1024;
    server_config.tcp_listener_connections = IDLE; /* each listener's own */
    naru_stack_config_default(&client_config);
    client_config.sockets = IDLE + 64;
    client_config.tcp_connections = IDLE + 64;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(7, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "client", &client_config);
    struct naru_stack *b = naru_sim_add_stack(sim, "server", &server_config);
    struct naru_sim_link_config lc = { .rate_bps = 1000000000, .delay = 1 * NARU_MS, .queue_frames = 4096 };
    struct naru_sim_link *link;
    assert_int_equal(naru_sim_add_link(sim, "ab", &lc, &link), 0);
    assert_int_equal(naru_sim_link_attach(link, 0, a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(link, 1, b, "10.0.0.2/24", NULL), 0);
    uint32_t server_addr = ip("10.0.0.2");

    static struct server idle, web;
    memset(&idle, 0, sizeof idle);
    memset(&web, 0, sizeof web);
    int listeners[2];
    uint16_t ports[2] = { 7, 80 };
    for (int i = 0; i < 2; i++) {
        listeners[i] = naru_socket(b, NARU_SOCK_STREAM);
        struct naru_sockaddr at = { .port = ports[i] };
        assert_int_equal(naru_bind(b, listeners[i], &at), 0);
        assert_int_equal(naru_listen(b, listeners[i], 4096), 0);
        naru_socket_set_callback(b, listeners[i], accept_all, i ? (void *)&web : (void *)&idle);
    }
    naru_sim_run(sim, naru_sim_now(sim) + NARU_SEC, NULL, NULL); /* ARP, gratuitous and otherwise */
    size_t heap_before = heap_in_use();
    unsigned buffers_before = naru_stack_buffers_in_use(b);

    /* 5,000 clients to port 7, 250 at a time; they stay and say nothing. */
    static int clients[IDLE];
    for (int i = 0; i < IDLE; i += 250) {
        for (int j = i; j < i + 250; j++)
            clients[j] = connect_to(a, server_addr, 7);
        struct connecting w = { a, clients + i, 250 };
        assert_true(naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_SEC, all_settled, &w));
    }
    naru_sim_run(sim, naru_sim_now(sim) + NARU_SEC, NULL, NULL);
    assert_int_equal(idle.count, IDLE);
    for (int i = 0; i < IDLE; i++)
        assert_int_equal(naru_socket_error(a, clients[i]), 0);
    /* An idle connection costs each end its TCB (about 1.7 KB) and no
     * ring memory (which would be 256 KiB). Both ends are in this process. */
    long per_end = ((long)heap_in_use() - (long)heap_before) / (2 * IDLE);
    assert_true(per_end < 2560);

    /* Port 7 is full: the next client is refused at once (a reset). */
    int refused = connect_to(a, server_addr, 7);
    struct connecting w = { a, &refused, 1 };
    assert_true(naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_SEC, all_settled, &w));
    assert_int_equal(naru_socket_error(a, refused), -ECONNREFUSED);
    assert_int_equal(counter(b, "tcp_listen_conn_limit"), 1);
    naru_close(a, refused);

    /* Port 80 serves all the same. */
    int browser = connect_to(a, server_addr, 80);
    w = (struct connecting){ a, &browser, 1 };
    assert_true(naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_SEC, all_settled, &w));
    assert_int_equal(naru_socket_error(a, browser), 0);
    naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_MS, NULL, NULL); /* its ACK on the way */
    assert_int_equal(web.count, 1);
    assert_int_equal(naru_send(a, browser, "GET /", 5, 0), 5);
    assert_true(wait_readable(sim, b, web.sock[0], 10 * NARU_SEC));
    char buf[16];
    assert_int_equal(naru_recv(b, web.sock[0], buf, sizeof buf, 0), 5);
    assert_int_equal(naru_send(b, web.sock[0], "200 OK", 6, 0), 6);
    assert_true(wait_readable(sim, a, browser, 10 * NARU_SEC));
    assert_int_equal(naru_recv(a, browser, buf, sizeof buf, 0), 6);
    assert_memory_equal(buf, "200 OK", 6);

    /* Everyone leaves; after TIME-WAIT nothing is left but the listeners,
     * and the server's memory is back where it was. */
    for (int i = 0; i < IDLE; i++)
        naru_close(a, clients[i]);
    naru_close(a, browser);
    naru_sim_run(sim, naru_sim_now(sim) + 5 * NARU_SEC, NULL, NULL);
    for (int i = 0; i < idle.count; i++)
        naru_close(b, idle.sock[i]);
    naru_close(b, web.sock[0]);
    naru_sim_run(sim, naru_sim_now(sim) + 65 * NARU_SEC, NULL, NULL);
    assert_int_equal(b->tcp->conns, 2);
    assert_int_equal(a->tcp->conns, 0);
    assert_int_equal(naru_stack_buffers_in_use(b), buffers_before);
    assert_int_equal(naru_stack_buffers_in_use(a), 0);
    assert_true(b->tcp->ring_cache.count <= 8);
    /* What stays: the rings the caches keep (at most 8 a stack) and the
     * arrays that grew to their high-water mark (timer heaps, the
     * simulator's event queue); 5,000 connections' TCBs alone were 8 MB. */
    assert_true((long)heap_in_use() - (long)heap_before < 2 * 1024 * 1024);
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_crowd_on_one_port_leaves_another_serving_and_memory_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
