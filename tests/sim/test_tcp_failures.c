/* TCP over a simulated link when things go wrong: the SYN, the SYN-ACK or
 * the final ACK of the handshake lost; a FIN lost; a peer that vanishes
 * (ETIMEDOUT); a closed port (ECONNREFUSED); TIME-WAIT running out; and
 * sequence numbers that start just below 2^32. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "naru/simapp.h"
#include "tcp/tcp_conn.h"
#include "tcp_flow.h"

#define DELAY (10 * NARU_MS)

struct net {
    struct naru_sim *sim;
    struct naru_stack *a, *b;
    struct naru_sim_link *link;
};

static void net_make(struct net *n, uint64_t seed, const struct naru_stack_config *config)
{
    memset(n, 0, sizeof *n);
    assert_int_equal(naru_sim_create(seed, &n->sim), 0);
    n->a = naru_sim_add_stack(n->sim, "a", config);
    n->b = naru_sim_add_stack(n->sim, "b", config);
    struct naru_sim_link_config c = { .delay = DELAY, .rate_bps = 100000000 };
    assert_int_equal(naru_sim_add_link(n->sim, "ab", &c, &n->link), 0);
    assert_int_equal(naru_sim_link_attach(n->link, 0, n->a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(n->link, 1, n->b, "10.0.0.2/24", NULL), 0);
    tcp_flow_resolve(n->sim, n->a, ip("10.0.0.1"), n->b, ip("10.0.0.2"));
}

static void run_for(struct net *n, naru_time_t t)
{
    naru_sim_run(n->sim, naru_sim_now(n->sim) + t, NULL, NULL);
}

struct loss_window {
    struct net *n;
    double loss;
};

static void set_loss(void *ctx)
{
    struct loss_window *w = ctx;
    naru_sim_link_set_loss(w->n->link, w->loss);
}

/* The link loses everything between from and to (from now). */
static void lose_between(struct net *n, naru_time_t from, naru_time_t to)
{
    static struct loss_window on, off;
    on = (struct loss_window){ n, 1.0 };
    off = (struct loss_window){ n, 0.0 };
    naru_sim_at(n->sim, naru_sim_now(n->sim) + from, set_loss, &on);
    naru_sim_at(n->sim, naru_sim_now(n->sim) + to, set_loss, &off);
}

static int listen_on(struct naru_stack *s, uint16_t port)
{
    int l = naru_socket(s, NARU_SOCK_STREAM);
    assert_int_equal(naru_bind(s, l, &(struct naru_sockaddr){ .port = port }), 0);
    assert_int_equal(naru_listen(s, l, 8), 0);
    return l;
}

static int connect_to(struct net *n, uint16_t port)
{
    int s = naru_socket(n->a, NARU_SOCK_STREAM);
    assert_int_equal(naru_connect(n->a, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = port }), -EINPROGRESS);
    return s;
}

static int state_of(struct naru_stack *s, int sock)
{
    struct naru_tcp_info ti;
    assert_int_equal(naru_tcp_get_info(s, sock, &ti), 0);
    return ti.state;
}

/* A handshake where one of its three segments is lost still completes,
 * one retransmission later; data sent right away arrives. The link loses
 * everything from lose_from to lose_to after connect() (0, 0: the SYN). */
static void handshake(naru_time_t lose_from, naru_time_t lose_to, const char *who_retransmits)
{
    struct net n;
    net_make(&n, 7, NULL);
    int l = listen_on(n.b, 80);
    int s;
    if (lose_to == 0) {
        /* The SYN leaves within connect(): lose it there. */
        naru_sim_link_set_loss(n.link, 1.0);
        s = connect_to(&n, 80);
        naru_sim_link_set_loss(n.link, 0.0);
    } else {
        lose_between(&n, lose_from, lose_to);
        s = connect_to(&n, 80);
    }
    run_for(&n, 3 * NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_ESTABLISHED);
    assert_int_equal(naru_send(n.a, s, "hello", 5, 0), 5);
    run_for(&n, 3 * NARU_SEC);
    int c = naru_accept(n.b, l, NULL);
    assert_true(c >= 0);
    char buf[8];
    assert_int_equal(naru_recv(n.b, c, buf, sizeof buf, 0), 5);
    assert_memory_equal(buf, "hello", 5);
    struct naru_stack *who = strcmp(who_retransmits, "a") == 0 ? n.a : n.b;
    assert_true(counter(who, "tcp_retransmits") >= 1);
    naru_sim_destroy(n.sim);
}

static void tcp_handshake_survives_a_lost_syn(void **state)
{
    (void)state;
    handshake(0, 0, "a");
}

static void tcp_handshake_survives_a_lost_syn_ack(void **state)
{
    (void)state;
    handshake(DELAY / 2, DELAY * 3 / 2, "b"); /* it leaves when the SYN arrives */
}

static void tcp_handshake_survives_a_lost_final_ack(void **state)
{
    (void)state;
    /* The client is ESTABLISHED, the server still in SYN-RECEIVED: the
     * client's data completes the handshake for it. */
    struct net n;
    net_make(&n, 8, NULL);
    int l = listen_on(n.b, 80);
    lose_between(&n, DELAY * 3 / 2, DELAY * 5 / 2);
    int s = connect_to(&n, 80);
    run_for(&n, DELAY * 3);
    assert_int_equal(state_of(n.a, s), NARU_TCP_ESTABLISHED);
    assert_int_equal(naru_accept(n.b, l, NULL), -EAGAIN);
    assert_int_equal(naru_send(n.a, s, "data", 4, 0), 4);
    run_for(&n, DELAY * 3);
    int c = naru_accept(n.b, l, NULL);
    assert_true(c >= 0);
    char buf[8];
    assert_int_equal(naru_recv(n.b, c, buf, sizeof buf, 0), 4);
    /* And when the client has nothing to say, the SYN-ACK retransmission
     * brings its ACK again. */
    naru_sim_destroy(n.sim);
    net_make(&n, 9, NULL);
    l = listen_on(n.b, 80);
    lose_between(&n, DELAY * 3 / 2, DELAY * 5 / 2);
    connect_to(&n, 80);
    run_for(&n, 2 * NARU_SEC);
    assert_true(naru_accept(n.b, l, NULL) >= 0);
    assert_int_equal(counter(n.b, "tcp_retransmits"), 1);
    naru_sim_destroy(n.sim);
}

static void tcp_close_survives_a_lost_fin(void **state)
{
    (void)state;
    struct net n;
    net_make(&n, 10, NULL);
    int l = listen_on(n.b, 80);
    int s = connect_to(&n, 80);
    run_for(&n, NARU_SEC);
    int c = naru_accept(n.b, l, NULL);
    assert_true(c >= 0);
    naru_sim_link_set_loss(n.link, 1.0);
    assert_int_equal(naru_shutdown(n.a, s, NARU_SHUT_WR), 0); /* the FIN is lost */
    naru_sim_link_set_loss(n.link, 0.0);
    run_for(&n, 100 * NARU_MS);
    char buf[4];
    assert_int_equal(naru_recv(n.b, c, buf, sizeof buf, 0), -EAGAIN);
    run_for(&n, 2 * NARU_SEC);
    assert_int_equal(naru_recv(n.b, c, buf, sizeof buf, 0), 0);
    assert_int_equal(state_of(n.a, s), NARU_TCP_FIN_WAIT_2);
    assert_int_equal(counter(n.a, "tcp_retransmits"), 1);
    /* The other FIN is lost too; the close still finishes. */
    naru_sim_link_set_loss(n.link, 1.0);
    naru_close(n.b, c);
    naru_sim_link_set_loss(n.link, 0.0);
    run_for(&n, 3 * NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_TIME_WAIT);
    naru_close(n.a, s);
    run_for(&n, 61 * NARU_SEC);
    assert_int_equal(counter(n.a, "tcp_time_wait_expired"), 1);
    assert_int_equal(naru_stack_buffers_in_use(n.a), 0);
    assert_int_equal(naru_stack_buffers_in_use(n.b), 0);
    naru_sim_destroy(n.sim);
}

static void tcp_vanished_peer_times_out(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.tcp_retries = 5;
    struct net n;
    net_make(&n, 11, &config);
    int l = listen_on(n.b, 80);
    int s = connect_to(&n, 80);
    run_for(&n, NARU_SEC);
    assert_true(naru_accept(n.b, l, NULL) >= 0);
    naru_sim_link_set_loss(n.link, 1.0); /* the peer is gone without a word */
    assert_int_equal(naru_send(n.a, s, "anyone?", 7, 0), 7);
    run_for(&n, 10 * NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_ESTABLISHED);
    run_for(&n, 20 * NARU_SEC);
    assert_true(naru_socket_events(n.a, s) & NARU_POLLERR);
    char buf[4];
    assert_int_equal(naru_recv(n.a, s, buf, sizeof buf, 0), -ETIMEDOUT);
    /* A tail loss probe (RFC 8985 7), then the five retransmissions. */
    assert_int_equal(counter(n.a, "tcp_tail_loss_probes"), 1);
    assert_int_equal(counter(n.a, "tcp_retransmits"), 6);
    naru_sim_destroy(n.sim);
}

static void tcp_closed_port_refuses_the_connection(void **state)
{
    (void)state;
    struct net n;
    net_make(&n, 12, NULL);
    int s = connect_to(&n, 81);
    run_for(&n, NARU_SEC);
    assert_true(naru_socket_events(n.a, s) & NARU_POLLERR);
    assert_int_equal(naru_socket_error(n.a, s), -ECONNREFUSED);
    assert_int_equal(counter(n.b, "tcp_tx_rst"), 1);
    /* A second attempt from the same socket: refused again. */
    assert_int_equal(naru_connect(n.a, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 81 }), -EINPROGRESS);
    run_for(&n, NARU_SEC);
    assert_int_equal(naru_connect(n.a, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 81 }), -ECONNREFUSED);
    naru_sim_destroy(n.sim);
}

static void tcp_time_wait_runs_out_after_two_msl(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.tcp_time_wait = 5 * NARU_SEC;
    struct net n;
    net_make(&n, 13, &config);
    int l = listen_on(n.b, 80);
    int s = connect_to(&n, 80);
    run_for(&n, NARU_SEC);
    int c = naru_accept(n.b, l, NULL);
    naru_shutdown(n.a, s, NARU_SHUT_WR);
    run_for(&n, NARU_SEC);
    naru_close(n.b, c);
    run_for(&n, NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_TIME_WAIT);
    run_for(&n, 3 * NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_TIME_WAIT);
    run_for(&n, 2 * NARU_SEC);
    assert_int_equal(state_of(n.a, s), NARU_TCP_CLOSED);
    assert_int_equal(counter(n.a, "tcp_time_wait_expired"), 1);
    naru_sim_destroy(n.sim);
}

static void tcp_transfer_across_the_sequence_number_wrap(void **state)
{
    (void)state;
    struct net n;
    memset(&n, 0, sizeof n);
    assert_int_equal(naru_sim_create(14, &n.sim), 0);
    n.a = naru_sim_add_stack(n.sim, "a", NULL);
    n.b = naru_sim_add_stack(n.sim, "b", NULL);
    struct naru_sim_link_config c = { .delay = 2 * NARU_MS, .rate_bps = 100000000, .loss = 0.05, .reorder = 0.02 };
    naru_sim_add_link(n.sim, "ab", &c, &n.link);
    naru_sim_link_attach(n.link, 0, n.a, "10.0.0.1/24", NULL);
    naru_sim_link_attach(n.link, 1, n.b, "10.0.0.2/24", NULL);
    tcp_flow_resolve(n.sim, n.a, ip("10.0.0.1"), n.b, ip("10.0.0.2"));
    tcp_debug_set_isn(n.a, 0xffff0000u);
    tcp_debug_set_isn(n.b, 0xfffff000u);
    struct tcp_flow f = { .close_when_done = true };
    tcp_flow_start(&f, n.sim, n.a, n.b, ip("10.0.0.2"), 5001, 300000, 300000);
    assert_true(naru_sim_run(n.sim, naru_sim_now(n.sim) + 600 * NARU_SEC, tcp_flow_done, &f));
    assert_true(tcp_flow_ok(&f));
    tcp_flow_free(&f);
    naru_sim_destroy(n.sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_handshake_survives_a_lost_syn),
        cmocka_unit_test(tcp_handshake_survives_a_lost_syn_ack),
        cmocka_unit_test(tcp_handshake_survives_a_lost_final_ack),
        cmocka_unit_test(tcp_close_survives_a_lost_fin),
        cmocka_unit_test(tcp_vanished_peer_times_out),
        cmocka_unit_test(tcp_closed_port_refuses_the_connection),
        cmocka_unit_test(tcp_time_wait_runs_out_after_two_msl),
        cmocka_unit_test(tcp_transfer_across_the_sequence_number_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
