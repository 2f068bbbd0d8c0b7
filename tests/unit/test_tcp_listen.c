/* A listener under pressure (src/tcp/tcp_listen.c): the oldest half-open
 * connection gives way, half-open connections get fewer SYN-ACKs when the
 * list fills, each listener has a connection limit of its own, a batch
 * answers a bounded number of SYNs, and idle connections hold no rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "testnet.h"

#define ISN 0x10000000u
#define PEER_ISN 0x20000000u

static void restart(struct tcp_peer *p, const struct naru_stack_config *c)
{
    peer_fini(p);
    peer_init(p, c);
    tcp_debug_set_isn(p->stack, ISN);
}

static int listen_on(struct tcp_peer *p, uint16_t port, int backlog)
{
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_true(l >= 0);
    struct naru_sockaddr a = { .port = port };
    assert_int_equal(naru_bind(p->stack, l, &a), 0);
    assert_int_equal(naru_listen(p->stack, l, backlog), 0);
    return l;
}

static void syn(struct tcp_peer *p, uint16_t from, uint16_t to)
{
    struct seg s = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535, .src_port = from, .dst_port = to,
                     .opt = { .mss_present = true, .mss = 1460 } };
    peer_send(p, &s);
}

static void ack(struct tcp_peer *p, uint16_t from, uint16_t to)
{
    struct seg s = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 1, .window = 65535, .src_port = from,
                     .dst_port = to };
    peer_send(p, &s);
}

/* Count the SYN-ACKs sent since the last look, each to its port. */
static int take_synacks(struct tcp_peer *p, uint16_t *ports, int max)
{
    struct got g;
    int n = 0;
    while (peer_maybe_take(p, &g)) {
        assert_int_equal(g.h.flags, TCP_SYN | TCP_ACK);
        if (n < max)
            ports[n] = g.h.dst_port;
        n++;
    }
    return n;
}

static void oldest_half_open_connection_gives_way_without_cookies(void **state)
{
    struct tcp_peer *p = *state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_half_open = 2;
    c.tcp_syncookies = NARU_TCP_SYNCOOKIES_OFF;
    restart(p, &c);
    int l = listen_on(p, 80, 64);
    for (uint16_t port = 1000; port < 1005; port++)
        syn(p, port, 80);
    /* Every SYN got its SYN-ACK: none dropped, the oldest recycled. */
    uint16_t ports[8];
    assert_int_equal(take_synacks(p, ports, 8), 5);
    assert_int_equal(counter(p->stack, "tcp_half_open_recycled"), 3);
    assert_int_equal(counter(p->stack, "tcp_listen_half_open_drops"), 0);
    /* The two newest complete; an ACK for one that gave way meets a reset. */
    ack(p, 1003, 80);
    ack(p, 1004, 80);
    peer_expect_nothing(p);
    ack(p, 1000, 80);
    expect_seg(peer_take(p), TCP_RST, ISN + 1, 0);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
}

static void half_open_list_under_pressure_gives_up_its_oldest_after_one_retransmission(void **state)
{
    struct tcp_peer *p = *state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_half_open = 8;
    restart(p, &c);
    listen_on(p, 80, 64);
    listen_on(p, 81, 64);
    /* Port 80's list more than half full (under pressure); port 81's one
     * entry is alone on its own. */
    for (uint16_t i = 0; i < 6; i++)
        syn(p, (uint16_t)(1000 + i), 80);
    syn(p, 2000, 81);
    uint16_t ports[8];
    assert_int_equal(take_synacks(p, ports, 8), 7);
    /* RFC 6298: every SYN-ACK again after 1 s. */
    peer_advance(p, 1 * NARU_SEC);
    assert_int_equal(take_synacks(p, ports, 8), 7);
    /* 2 s later, port 80's give up after that one retransmission until
     * its list is half full again; the rest get a second. */
    peer_advance(p, 2 * NARU_SEC);
    assert_int_equal(counter(p->stack, "tcp_half_open_pruned"), 3);
    assert_int_equal(take_synacks(p, ports, 8), 4);
    int to_80 = 0, to_81 = 0;
    for (int i = 0; i < 4; i++) {
        to_80 += ports[i] >= 1000 && ports[i] < 1006;
        to_81 += ports[i] == 2000;
    }
    assert_int_equal(to_80, 3);
    assert_int_equal(to_81, 1);
    /* Port 81's, never under pressure, gets Linux's five retransmissions
     * (1, 2, 4, 8 and 16 s apart), then goes 32 s after the last. */
    peer_advance(p, 59 * NARU_SEC);
    struct got g;
    to_81 = 0;
    while (peer_maybe_take(p, &g))
        to_81 += g.h.dst_port == 2000;
    assert_int_equal(to_81, 3);
    assert_int_equal(counter(p->stack, "tcp_half_open_pruned"), 3);
    peer_advance(p, 2 * NARU_SEC);
    ack(p, 2000, 81);
    expect_seg(peer_take(p), TCP_RST, ISN + 1, 0);
}

static void listener_connection_limit_resets_syns_and_spares_other_listeners(void **state)
{
    struct tcp_peer *p = *state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_listener_connections = 2;
    restart(p, &c);
    int l80 = listen_on(p, 80, 64);
    int l81 = listen_on(p, 81, 64);
    int s[2];
    for (uint16_t i = 0; i < 2; i++) {
        syn(p, (uint16_t)(1000 + i), 80);
        peer_take(p);
        ack(p, (uint16_t)(1000 + i), 80);
        s[i] = naru_accept(p->stack, l80, NULL);
        assert_true(s[i] >= 0);
    }
    /* Port 80 holds its two: a third SYN gets a reset (RFC 9293 3.10.7.1's
     * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>). */
    syn(p, 1002, 80);
    expect_seg(peer_take(p), TCP_RST | TCP_ACK, 0, PEER_ISN + 1);
    assert_int_equal(counter(p->stack, "tcp_listen_conn_limit"), 1);
    /* Port 81 is not shut out. */
    syn(p, 2000, 81);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    ack(p, 2000, 81);
    assert_true(naru_accept(p->stack, l81, NULL) >= 0);
    /* The stack closes one of port 80's first: in TIME-WAIT it no longer
     * counts, and port 80 takes a new connection. */
    p->peer_port = 1000;
    p->port = 80;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    naru_close(p->stack, s[0]);
    expect_seg(peer_take(p), TCP_FIN | TCP_ACK, ISN + 1, PEER_ISN + 1);
    p->rcv_nxt++;
    peer_send_data(p, NULL, 0, TCP_FIN);
    expect_seg(peer_take(p), TCP_ACK, ISN + 2, PEER_ISN + 2);
    syn(p, 1003, 80);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    /* At the limit again (one open, one half-open). */
    syn(p, 1004, 80);
    expect_seg(peer_take(p), TCP_RST | TCP_ACK, 0, PEER_ISN + 1);
    naru_close(p->stack, s[1]);
}

static void syn_budget_bounds_the_syns_a_batch_answers_not_established_data(void **state)
{
    struct tcp_peer *p = *state;
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_syn_budget = 4;
    peer_fini(p);
    peer_init(p, &c);
    int s = peer_passive_open(p, 80, ISN, PEER_ISN, NULL);
    /* One batch: a flood of ten SYNs with the established peer's data in
     * the middle. */
    peer_batch_begin(p);
    for (uint16_t i = 0; i < 5; i++)
        syn(p, (uint16_t)(3000 + i), 80);
    p->peer_port = PEER_PORT;
    peer_send_data(p, "hello", 5, TCP_PSH);
    for (uint16_t i = 5; i < 10; i++)
        syn(p, (uint16_t)(3000 + i), 80);
    peer_batch_end(p);
    int synacks = 0, acks = 0;
    struct got g;
    while (peer_maybe_take(p, &g)) {
        if (g.h.flags == (TCP_SYN | TCP_ACK))
            synacks++;
        else if (g.h.dst_port == PEER_PORT && g.h.ack == PEER_ISN + 1 + 5)
            acks++;
    }
    assert_int_equal(synacks, 4);
    assert_int_equal(counter(p->stack, "tcp_syn_budget_drops"), 6);
    char buf[8];
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), 5);
    (void)acks; /* the data is acknowledged when the delayed-ACK timer says */
    /* The next batch has a budget of its own. */
    syn(p, 3010, 80);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
}

static void idle_connection_holds_no_rings(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_passive_open(p, 80, ISN, PEER_ISN, NULL);
    struct tcp_conn *c = tcp_debug_conn(p->stack, s);
    assert_null(c->snd_buf.data);
    assert_null(c->rcv_buf.data);
    /* Data in: a receive ring, given back once the application read it all. */
    peer_send_data(p, "request", 7, TCP_PSH);
    assert_non_null(c->rcv_buf.data);
    char buf[16];
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), 7);
    assert_null(c->rcv_buf.data);
    /* Data out: a send ring, given back once the peer acknowledged it all. */
    assert_int_equal(naru_send(p->stack, s, "reply", 5, 0), 5);
    assert_non_null(c->snd_buf.data);
    struct got *g = peer_take(p);
    assert_int_equal(g->len, 5);
    p->rcv_nxt += 5;
    peer_send_ack(p, 65535 >> 7);
    assert_null(c->snd_buf.data);
    /* More data finds a ring again, and the window offered is as it was. */
    struct naru_tcp_info info;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &info), 0);
    uint32_t window = info.rcv_wnd;
    peer_send_data(p, "again", 5, TCP_PSH);
    assert_non_null(c->rcv_buf.data);
    assert_int_equal(naru_tcp_get_info(p->stack, s, &info), 0);
    assert_int_equal(info.recv_queue, 5);
    assert_int_equal(info.rcv_wnd, window - 5);
}

#define T(f) cmocka_unit_test_setup_teardown(f, peer_setup, peer_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(oldest_half_open_connection_gives_way_without_cookies),
        T(half_open_list_under_pressure_gives_up_its_oldest_after_one_retransmission),
        T(listener_connection_limit_resets_syns_and_spares_other_listeners),
        T(syn_budget_bounds_the_syns_a_batch_answers_not_established_data),
        T(idle_connection_holds_no_rings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
