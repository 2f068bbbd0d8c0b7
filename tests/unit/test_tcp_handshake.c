/* Opening connections, segment by segment (RFC 9293 3.5, 3.10.7.1-3):
 * LISTEN, SYN-SENT and SYN-RECEIVED, what CLOSED ports answer, the options
 * of SYN and SYN-ACK, and the limits a listener keeps. Sequence numbers
 * start just below 2^32, so every test also crosses the wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "tcp_peer.h"
#include "testnet.h"

#define ISN 0xfffffff0u
#define PEER_ISN 0xfffffffau

static int listen_on(struct tcp_peer *p, uint16_t port, int backlog)
{
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_true(l >= 0);
    struct naru_sockaddr a = { .port = port };
    assert_int_equal(naru_bind(p->stack, l, &a), 0);
    assert_int_equal(naru_listen(p->stack, l, backlog), 0);
    p->port = port;
    return l;
}

static struct tcp_options full_syn_options(uint32_t ts_val)
{
    struct tcp_options o = { .mss_present = true, .mss = 1460, .wscale_present = true, .wscale = 7,
                             .sack_permitted = true, .timestamps_present = true, .ts_val = ts_val };
    return o;
}

static void send_syn(struct tcp_peer *p, uint16_t from_port, uint32_t seq)
{
    struct seg syn = { .flags = TCP_SYN, .seq = seq, .window = 65535, .src_port = from_port,
                       .opt = full_syn_options(1000) };
    peer_send(p, &syn);
}

static void tcp_listener_answers_syn_with_syn_ack_carrying_every_option(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    assert_int_equal(g->h.src_port, 80);
    assert_int_equal(g->h.dst_port, PEER_PORT);
    assert_int_equal(g->h.window, 65535); /* RFC 7323 2.2: never scaled in a SYN */
    assert_int_equal(g->len, 0);
    const struct tcp_options *o = &g->h.options;
    assert_true(o->mss_present);
    assert_int_equal(o->mss, 1460);       /* 1500 - 20 - 20 (RFC 9293 3.7.1) */
    assert_true(o->wscale_present);
    assert_int_equal(o->wscale, 9);       /* room for a 16 MiB autotuned buffer */
    assert_true(o->sack_permitted);
    assert_true(o->timestamps_present);
    assert_int_equal(o->ts_ecr, 1000);    /* RFC 7323 3.2: the SYN's TSval echoed */
    assert_int_equal(o->sack_count, 0);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_passive_opens"), 1);
}

static void tcp_final_ack_establishes_the_connection_for_accept(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    peer_take(p);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    assert_false(naru_socket_events(p->stack, l) & NARU_POLLIN);
    p->ts = true;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    peer_send_ack(p, 512);
    peer_expect_nothing(p);
    assert_true(naru_socket_events(p->stack, l) & NARU_POLLIN);
    struct naru_sockaddr peer;
    int s = naru_accept(p->stack, l, &peer);
    assert_true(s >= 0);
    assert_int_equal(peer.addr.v4, p->addr);
    assert_int_equal(peer.port, PEER_PORT);
    struct naru_sockaddr local;
    assert_int_equal(naru_getsockname(p->stack, s, &local), 0);
    assert_int_equal(local.addr.v4, p->host->addr);
    assert_int_equal(local.port, 80);
    struct naru_tcp_info ti;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &ti), 0);
    assert_int_equal(ti.state, NARU_TCP_ESTABLISHED);
    assert_int_equal(ti.options, NARU_TCPI_OPT_TIMESTAMPS | NARU_TCPI_OPT_SACK | NARU_TCPI_OPT_WSCALE);
    assert_int_equal(ti.snd_wscale, 7);
    assert_int_equal(ti.rcv_wscale, 9);
    assert_int_equal(ti.snd_mss, 1448);   /* 1460 less the 12 bytes of timestamps */
    assert_int_equal(ti.snd_wnd, 512 << 7);
    assert_int_equal(ti.snd_cwnd, 10 * 1448); /* RFC 6928 */
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLOUT);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
}

static void tcp_syn_without_options_gets_only_mss_back(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 8);
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 8192 };
    peer_send(p, &syn);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    assert_true(g->h.options.mss_present);
    assert_false(g->h.options.wscale_present);
    assert_false(g->h.options.sack_permitted);
    assert_false(g->h.options.timestamps_present);
    assert_int_equal(g->h.header_len, 24);
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 1, .window = 8192 };
    peer_send(p, &ack);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.options, 0);
    assert_int_equal(ti.snd_mss, 536);    /* RFC 9293 3.7.1: no MSS option */
    assert_int_equal(ti.snd_wnd, 8192);   /* no scaling */
    /* Without scaling our window says at most 65535; one byte in, the right
     * edge stays put (RFC 9293 3.8.6.2.2), so 65534. */
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    peer_send_data(p, "x", 1, TCP_PSH);
    peer_advance(p, 200 * NARU_MS);
    g = peer_take(p);
    expect_seg(g, TCP_ACK, ISN + 1, PEER_ISN + 2);
    assert_int_equal(g->h.window, 65534);
    assert_int_equal(g->h.header_len, 20);
}

static void tcp_connect_sends_syn_with_every_option(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    struct naru_sockaddr to = { .addr = naru_addr_v4(p->addr), .port = 80 };
    assert_int_equal(naru_connect(p->stack, s, &to), -EINPROGRESS);
    assert_int_equal(naru_connect(p->stack, s, &to), -EALREADY);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN, ISN, 0);
    assert_int_equal(g->h.ack, 0);
    assert_int_equal(g->h.dst_port, 80);
    assert_true(g->h.src_port >= 49152);  /* RFC 6056 ephemeral range */
    assert_int_equal(g->h.window, 65535);
    const struct tcp_options *o = &g->h.options;
    assert_true(o->mss_present && o->wscale_present && o->sack_permitted && o->timestamps_present);
    assert_int_equal(o->mss, 1460);
    assert_int_equal(o->wscale, 9);
    assert_int_equal(o->ts_ecr, 0);
    /* Linux's layout: MSS, SACK-permitted, timestamps, NOP, window scale. */
    assert_int_equal(g->h.header_len, 40);
    struct naru_sockaddr local;
    naru_getsockname(p->stack, s, &local);
    assert_int_equal(local.port, g->h.src_port);
    assert_int_equal(local.addr.v4, p->host->addr);
    assert_int_equal(naru_getpeername(p->stack, s, &local), -ENOTCONN);
    assert_int_equal(counter(p->stack, "tcp_active_opens"), 1);
}

static void tcp_syn_ack_completes_active_open_with_an_ack(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    struct naru_sockaddr peer;
    assert_int_equal(naru_getpeername(p->stack, s, &peer), 0);
    assert_int_equal(peer.port, 80);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_ESTABLISHED);
    assert_int_equal(ti.snd_wnd, 65535); /* the SYN-ACK's window is not scaled */
    assert_int_equal(naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 }), -EISCONN);
    assert_int_equal(counter(p->stack, "tcp_established"), 1);
}

static void tcp_syn_sent_unacceptable_ack_gets_reset(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    p->port = g->h.src_port;
    p->peer_port = 80;
    /* RFC 9293 3.10.7.3: SEG.ACK =< ISS or SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>. */
    uint32_t bad[2] = { ISN, ISN + 2 };
    for (int i = 0; i < 2; i++) {
        struct seg synack = { .flags = TCP_SYN | TCP_ACK, .seq = PEER_ISN, .ack = bad[i], .window = 65535 };
        peer_send(p, &synack);
        g = peer_take(p);
        expect_seg(g, TCP_RST, bad[i], 0);
        assert_int_equal(g->h.ack, 0);
    }
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_SYN_SENT);
    /* A reset with an unacceptable ACK is dropped without a word. */
    struct seg rst = { .flags = TCP_RST | TCP_ACK, .seq = PEER_ISN, .ack = ISN + 2 };
    peer_send(p, &rst);
    peer_expect_nothing(p);
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_SYN_SENT);
}

static void tcp_syn_sent_reset_acking_the_syn_refuses_the_connection(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    p->port = g->h.src_port;
    p->peer_port = 80;
    /* A reset without ACK is ignored in SYN-SENT (RFC 5961 3.2 too). */
    struct seg rst = { .flags = TCP_RST, .seq = 12345 };
    peer_send(p, &rst);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    struct seg rst_ack = { .flags = TCP_RST | TCP_ACK, .seq = 0, .ack = ISN + 1 };
    peer_send(p, &rst_ack);
    peer_expect_nothing(p);
    unsigned ev = naru_socket_events(p->stack, s);
    assert_true(ev & NARU_POLLERR);
    assert_true(ev & NARU_POLLHUP);
    char buf[4];
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), -ECONNREFUSED);
    assert_int_equal(naru_recv(p->stack, s, buf, sizeof buf, 0), 0);
    assert_int_equal(naru_send(p->stack, s, "x", 1, 0), -EPIPE);
    assert_int_equal(counter(p->stack, "tcp_attempt_fails"), 1);
}

static void tcp_simultaneous_open_goes_through_syn_received(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    struct naru_sockaddr local = { .port = 5000 };
    assert_int_equal(naru_bind(p->stack, s, &local), 0);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 6000 });
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN, ISN, 0);
    assert_int_equal(g->h.src_port, 5000);
    p->port = 5000;
    p->peer_port = 6000;
    /* The peer's SYN crosses ours (RFC 9293 Figure 7). */
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535, .opt = full_syn_options(1000) };
    peer_send(p, &syn);
    g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    assert_true(g->h.options.mss_present);
    assert_true(g->h.options.timestamps_present);
    assert_int_equal(g->h.options.ts_ecr, 1000);
    struct naru_tcp_info ti;
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_SYN_RECEIVED);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    /* The peer's SYN-ACK (for our SYN) arrives: ESTABLISHED. */
    p->ts = true;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = ISN + 1;
    struct seg synack = { .flags = TCP_SYN | TCP_ACK, .seq = PEER_ISN, .ack = ISN + 1, .window = 512,
                          .opt = full_syn_options(1001) };
    synack.opt.ts_ecr = p->ts_recent;
    peer_send(p, &synack);
    naru_tcp_get_info(p->stack, s, &ti);
    assert_int_equal(ti.state, NARU_TCP_ESTABLISHED);
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLOUT);
}

static void tcp_closed_port_answers_syn_with_rst_ack(void **state)
{
    struct tcp_peer *p = *state;
    p->port = 81;
    send_syn(p, 0, PEER_ISN);
    struct got *g = peer_take(p);
    /* RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    expect_seg(g, TCP_RST | TCP_ACK, 0, PEER_ISN + 1);
    assert_int_equal(g->h.window, 0);
    assert_int_equal(g->h.header_len, 20);
    assert_int_equal(g->h.src_port, 81);
    assert_int_equal(counter(p->stack, "tcp_rx_no_socket"), 1);
    /* Data and a FIN count in SEG.LEN. */
    struct seg fin = { .flags = TCP_FIN | TCP_PSH, .seq = 7, .data = "abc", .len = 3 };
    peer_send(p, &fin);
    g = peer_take(p);
    expect_seg(g, TCP_RST | TCP_ACK, 0, 7 + 3 + 1);
}

static void tcp_closed_port_answers_ack_with_rst_at_its_ack_number(void **state)
{
    struct tcp_peer *p = *state;
    p->port = 81;
    struct seg ack = { .flags = TCP_ACK, .seq = 100, .ack = 0xfffffffeu, .window = 1000 };
    peer_send(p, &ack);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_RST, 0xfffffffeu, 0);
    assert_int_equal(g->h.ack, 0);
    /* A reset is never answered (RFC 9293 3.10.7.1). */
    struct seg rst = { .flags = TCP_RST | TCP_ACK, .seq = 100, .ack = 5 };
    peer_send(p, &rst);
    peer_expect_nothing(p);
}

static void tcp_listener_answers_stray_ack_with_rst_and_ignores_rst(void **state)
{
    struct tcp_peer *p = *state;
    listen_on(p, 80, 8);
    struct seg ack = { .flags = TCP_ACK, .seq = 100, .ack = 200 };
    peer_send(p, &ack);
    expect_seg(peer_take(p), TCP_RST, 200, 0);
    struct seg rst = { .flags = TCP_RST, .seq = 100 };
    peer_send(p, &rst);
    peer_expect_nothing(p);
    /* Neither SYN nor ACK nor RST: dropped. */
    struct seg bare = { .flags = TCP_PSH, .seq = 100, .data = "x", .len = 1 };
    peer_send(p, &bare);
    peer_expect_nothing(p);
}

static void tcp_syn_received_unacceptable_ack_gets_reset(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    peer_take(p);
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 5, .window = 512,
                       .opt = { .timestamps_present = true, .ts_val = 1001 } };
    peer_send(p, &ack);
    expect_seg(peer_take(p), TCP_RST, ISN + 5, 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    /* The half-open connection is still there for the right ACK. */
    ack.ack = ISN + 1;
    peer_send(p, &ack);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
}

static void tcp_reset_in_syn_received_returns_to_listen(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    peer_take(p);
    struct seg rst = { .flags = TCP_RST, .seq = PEER_ISN + 1 };
    peer_send(p, &rst);
    peer_expect_nothing(p);
    /* The child is gone: its final ACK now meets the listener. */
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 1 };
    peer_send(p, &ack);
    expect_seg(peer_take(p), TCP_RST, ISN + 1, 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    /* And the listener still takes new connections. */
    send_syn(p, 0, PEER_ISN);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
}

static void tcp_retransmitted_syn_gets_the_syn_ack_again(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    send_syn(p, 0, PEER_ISN);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    assert_true(g->h.options.mss_present);
    assert_int_equal(counter(p->stack, "tcp_passive_opens"), 1);
}

static void tcp_syn_ack_is_retransmitted_with_backoff_then_dropped(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 8);
    send_syn(p, 0, PEER_ISN);
    peer_take(p);
    /* RFC 6298 2.1: 1 s, then doubling; 5 retransmissions (tcp_synack_retries). */
    naru_time_t wait = 1 * NARU_SEC;
    for (int i = 0; i < 5; i++) {
        peer_advance(p, wait - 1);
        peer_expect_nothing(p);
        peer_advance(p, 1);
        expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
        wait *= 2;
    }
    peer_advance(p, wait);
    peer_expect_nothing(p); /* the half-open connection is gone, silently */
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 1 };
    peer_send(p, &ack);
    expect_seg(peer_take(p), TCP_RST, ISN + 1, 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
}

static void tcp_connect_gives_up_after_syn_retries_with_etimedout(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_syn_retries = 2;
    peer_init(p, &c);
    tcp_debug_set_isn(p->stack, ISN);
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    expect_seg(peer_take(p), TCP_SYN, ISN, 0);
    peer_advance(p, 1 * NARU_SEC);
    expect_seg(peer_take(p), TCP_SYN, ISN, 0);
    peer_advance(p, 2 * NARU_SEC);
    expect_seg(peer_take(p), TCP_SYN, ISN, 0);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    peer_advance(p, 4 * NARU_SEC - 1);
    assert_int_equal(naru_socket_events(p->stack, s), 0);
    peer_advance(p, 1);
    peer_expect_nothing(p);
    assert_true(naru_socket_events(p->stack, s) & NARU_POLLERR);
    assert_int_equal(naru_socket_error(p->stack, s), -ETIMEDOUT);
    assert_int_equal(counter(p->stack, "tcp_timeout_aborts"), 1);
}

static void tcp_full_accept_queue_drops_syns(void **state)
{
    struct tcp_peer *p = *state;
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80, 1);
    send_syn(p, 1000, PEER_ISN);
    peer_take(p);
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ISN + 1, .src_port = 1000,
                       .opt = { .timestamps_present = true, .ts_val = 1001 } };
    peer_send(p, &ack);
    /* One connection waits for accept(): the backlog is full. */
    send_syn(p, 1001, PEER_ISN);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_listen_overflows"), 1);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
    send_syn(p, 1001, PEER_ISN);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    /* A third whose SYN came in while there was room, but whose final ACK
     * finds the queue full again: the ACK is dropped, the SYN-ACK repeated
     * later, and accept() then finds it. */
    send_syn(p, 1002, PEER_ISN);
    expect_seg(peer_take(p), TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    ack.src_port = 1001;
    peer_send(p, &ack);
    ack.src_port = 1002;
    peer_send(p, &ack);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_listen_overflows"), 2);
    int second = naru_accept(p->stack, l, NULL);
    assert_true(second >= 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    peer_advance(p, 1 * NARU_SEC);
    struct got *g = peer_take(p);
    expect_seg(g, TCP_SYN | TCP_ACK, ISN, PEER_ISN + 1);
    assert_int_equal(g->h.dst_port, 1002);
    peer_send(p, &ack);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
}

static void tcp_resets_for_unknown_connections_are_rate_limited(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_rst_rate = 10;
    c.tcp_rst_burst = 2;
    peer_init(p, &c);
    p->port = 81;
    for (int i = 0; i < 5; i++)
        send_syn(p, 0, PEER_ISN);
    peer_take(p);
    peer_take(p);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_rst_rate_limited"), 3);
    peer_advance(p, 100 * NARU_MS); /* one token a tenth of a second */
    send_syn(p, 0, PEER_ISN);
    peer_take(p);
}

static void tcp_ephemeral_ports_are_random_distinct_and_in_range(void **state)
{
    struct tcp_peer *p = *state;
    uint16_t ports[8];
    for (int i = 0; i < 8; i++) {
        int s = naru_socket(p->stack, NARU_SOCK_STREAM);
        assert_int_equal(naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 }), -EINPROGRESS);
        struct naru_sockaddr local;
        naru_getsockname(p->stack, s, &local);
        ports[i] = local.port;
        assert_true(ports[i] >= 49152);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(ports[i], ports[j]);
    }
    /* Not simply counting up from the bottom of the range. */
    assert_true(ports[0] != 49152);
}

static void tcp_mss_follows_the_interface_mtu_and_the_peer(void **state)
{
    struct tcp_peer *p = *state;
    int s = peer_active_open(p, 80, ISN, PEER_ISN);
    naru_close(p->stack, s);
    peer_fini(p);
    /* A peer that announces MSS 1000: our segments carry at most 1000 - 12. */
    peer_init(p, NULL);
    tcp_debug_set_isn(p->stack, ISN);
    s = naru_socket(p->stack, NARU_SOCK_STREAM);
    naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 80 });
    struct got *g = peer_take(p);
    p->port = g->h.src_port;
    p->peer_port = 80;
    struct seg synack = { .flags = TCP_SYN | TCP_ACK, .seq = PEER_ISN, .ack = ISN + 1, .window = 65535,
                          .opt = { .mss_present = true, .mss = 1000, .timestamps_present = true,
                                   .ts_val = 5, .ts_ecr = g->h.options.ts_val } };
    peer_send(p, &synack);
    peer_take(p);
    static char data[3000];
    assert_int_equal(naru_send(p->stack, s, data, sizeof data, 0), 3000);
    for (uint32_t off = 0; off < 3000; off += 988) {
        g = peer_take(p);
        assert_int_equal(g->len, off + 988 <= 3000 ? 988 : 3000 - off);
        assert_int_equal(g->h.seq, ISN + 1 + off);
        assert_true(g->len + g->h.header_len - 20 <= 1000); /* data and options within the MSS */
    }
    peer_expect_nothing(p);
}

static void tcp_connect_without_a_route_fails_at_once(void **state)
{
    struct tcp_peer *p = *state;
    int s = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_int_equal(naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(ip("192.0.2.1")), .port = 80 }), -ENETUNREACH);
    assert_int_equal(naru_connect(p->stack, s, &(struct naru_sockaddr){ .addr = naru_addr_v4(p->addr), .port = 0 }), -EINVAL);
    peer_expect_nothing(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, peer_setup, peer_teardown)
        T(tcp_listener_answers_syn_with_syn_ack_carrying_every_option),
        T(tcp_final_ack_establishes_the_connection_for_accept),
        T(tcp_syn_without_options_gets_only_mss_back),
        T(tcp_connect_sends_syn_with_every_option),
        T(tcp_syn_ack_completes_active_open_with_an_ack),
        T(tcp_syn_sent_unacceptable_ack_gets_reset),
        T(tcp_syn_sent_reset_acking_the_syn_refuses_the_connection),
        T(tcp_simultaneous_open_goes_through_syn_received),
        T(tcp_closed_port_answers_syn_with_rst_ack),
        T(tcp_closed_port_answers_ack_with_rst_at_its_ack_number),
        T(tcp_listener_answers_stray_ack_with_rst_and_ignores_rst),
        T(tcp_syn_received_unacceptable_ack_gets_reset),
        T(tcp_reset_in_syn_received_returns_to_listen),
        T(tcp_retransmitted_syn_gets_the_syn_ack_again),
        T(tcp_syn_ack_is_retransmitted_with_backoff_then_dropped),
        T(tcp_connect_gives_up_after_syn_retries_with_etimedout),
        T(tcp_full_accept_queue_drops_syns),
        T(tcp_resets_for_unknown_connections_are_rate_limited),
        T(tcp_ephemeral_ports_are_random_distinct_and_in_range),
        T(tcp_mss_follows_the_interface_mtu_and_the_peer),
        T(tcp_connect_without_a_route_fails_at_once),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
