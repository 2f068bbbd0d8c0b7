/* SYN cookies (RFC 4987 3.6; src/tcp/tcp_syncookie.c): the codec's round
 * trips, cookies refused when forged, stale or tampered with, and
 * connections made from cookies that then use what the cookie carried
 * (window scaling, SACK, the MSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "stack.h"
#include "tcp/tcp_syncookie.h"
#include "tcp_peer.h"
#include "testnet.h"

#define ISN 0x10000000u
#define PEER_ISN 0xfffffff0u

static const uint8_t secret[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void check_same(const struct tcp_syncookie_options *a, const struct tcp_syncookie_options *b)
{
    assert_int_equal(a->mss, b->mss);
    assert_int_equal(a->ts, b->ts);
    assert_int_equal(a->wscale_ok, b->wscale_ok);
    assert_int_equal(a->wscale, b->wscale);
    assert_int_equal(a->sack, b->sack);
    assert_int_equal(a->ecn, b->ecn);
}

static void syncookie_round_trips_every_mss_and_option_combination(void **state)
{
    (void)state;
    static const uint16_t peer_mss[] = { 0, 100, 535, 536, 1000, 1299, 1300, 1439, 1440, 1459, 1460, 9000, 65535 };
    static const uint16_t expect_mss[] = { 536, 536, 536, 536, 536, 536, 1300, 1300, 1440, 1440, 1460, 1460, 1460 };
    struct tcp_syncookie_tuple t = { .laddr = 0xc6120002, .raddr = 0xc6130a0b, .lport = 80, .rport = 40000 };
    uint32_t counter = 12345, checked = 0;
    for (size_t m = 0; m < sizeof peer_mss / sizeof peer_mss[0]; m++)
        for (int ts = 0; ts < 2; ts++)
            for (int ws = -1; ws <= 15; ws++) /* -1: not offered; 15 is taken as 14 (RFC 7323 2.3) */
                for (int sack = 0; sack < 2; sack++)
                    for (int ecn = 0; ecn < 2; ecn++) {
                        t.peer_isn = 0x9e3779b9u * (uint32_t)(checked + 1);
                        struct tcp_syncookie_options o = { .mss = peer_mss[m], .ts = ts, .wscale_ok = ws >= 0,
                                                           .wscale = (uint8_t)(ws < 0 ? 0 : ws), .sack = sack,
                                                           .ecn = ecn };
                        uint32_t ts_now = 0x12345678u + (uint32_t)checked * 7, tsval = 0;
                        uint32_t cookie = tcp_syncookie_make(secret, &t, counter, &o, ts_now, &tsval);
                        /* What a cookie carries: the MSS rounded down, and
                         * the other options only with timestamps. */
                        assert_int_equal(o.mss, expect_mss[m]);
                        assert_int_equal(o.wscale_ok, ts && ws >= 0);
                        assert_int_equal(o.wscale, ts && ws >= 0 ? (ws > 14 ? 14 : ws) : 0);
                        assert_int_equal(o.sack, ts && sack);
                        assert_int_equal(o.ecn, ts && ecn);
                        if (ts) {
                            /* Our TSval never runs ahead of the clock. */
                            assert_true(ts_now - tsval < 128);
                        }
                        /* Checked now, and a period later, it gives back the same. */
                        for (uint32_t later = 0; later < 2; later++) {
                            struct tcp_syncookie_options back;
                            assert_int_equal(tcp_syncookie_check(secret, &t, counter + later, cookie, ts, tsval,
                                                                 ts_now + 1000 * later, &back),
                                             0);
                            check_same(&o, &back);
                        }
                        /* Two periods later it is stale. */
                        struct tcp_syncookie_options back;
                        assert_int_equal(
                            tcp_syncookie_check(secret, &t, counter + 2, cookie, ts, tsval, ts_now + 2000, &back),
                            -1);
                        /* Another SYN's ISN, or another port, and it is no cookie. */
                        struct tcp_syncookie_tuple other = t;
                        other.peer_isn++;
                        assert_int_equal(tcp_syncookie_check(secret, &other, counter, cookie, ts, tsval, ts_now, &back),
                                         -1);
                        other = t;
                        other.rport++;
                        assert_int_equal(tcp_syncookie_check(secret, &other, counter, cookie, ts, tsval, ts_now, &back),
                                         -1);
                        checked++;
                    }
    assert_int_equal(checked, 13 * 2 * 17 * 2 * 2);
}

static void syncookie_with_other_option_bits_in_the_echo_is_refused(void **state)
{
    (void)state;
    /* The MAC covers the options in our TSval: a peer that echoes other
     * bits (SACK it did not offer, another window scale) has no cookie. */
    struct tcp_syncookie_tuple t = { .laddr = 1, .raddr = 2, .lport = 80, .rport = 40000, .peer_isn = 77 };
    struct tcp_syncookie_options o = { .mss = 1460, .ts = true, .wscale_ok = true, .wscale = 7, .sack = false };
    uint32_t ts_now = 5000000, tsval;
    uint32_t cookie = tcp_syncookie_make(secret, &t, 9, &o, ts_now, &tsval);
    struct tcp_syncookie_options back;
    assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, true, tsval, ts_now, &back), 0);
    for (uint32_t bit = 0; bit < 6; bit++)
        assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, true, tsval ^ (1u << bit), ts_now, &back), -1);
    /* Without the timestamp it was made with, it does not check either. */
    assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, false, 0, ts_now, &back), -1);
    /* Nor with an echo from the future, or older than any good cookie. */
    assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, true, tsval, tsval - 1000, &back), -1);
    assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, true, tsval, tsval + 3 * 60 * 1000, &back), -1);
    /* Another secret, another cookie. */
    uint8_t other[16];
    memcpy(other, secret, sizeof other);
    other[0] ^= 1;
    assert_int_equal(tcp_syncookie_check(other, &t, 9, cookie, true, tsval, ts_now, &back), -1);
}

static void ipv6_cookie_covers_the_whole_addresses_and_uses_ipv6_mss_table(void **state)
{
    (void)state;
    struct tcp_syncookie_tuple t = { .v6 = true, .laddr6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
                                     .raddr6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .lport = 80, .rport = 40000,
                                     .peer_isn = 77 };
    struct tcp_syncookie_options o = { .mss = 1440 };
    uint32_t tsval;
    uint32_t cookie = tcp_syncookie_make(secret, &t, 9, &o, 0, &tsval);
    assert_int_equal(o.mss, 1440); /* an entry of IPv6's table: 1500 - 60 */
    struct tcp_syncookie_options back;
    assert_int_equal(tcp_syncookie_check(secret, &t, 9, cookie, false, 0, 0, &back), 0);
    assert_int_equal(back.mss, 1440);
    /* A peer at another address of the same /64 has no cookie. */
    struct tcp_syncookie_tuple u = t;
    u.raddr6[8] ^= 1;
    assert_int_equal(tcp_syncookie_check(secret, &u, 9, cookie, false, 0, 0, &back), -1);
    /* The minimum MTU's MSS is the least a cookie says. */
    o = (struct tcp_syncookie_options){ .mss = 1300 };
    tcp_syncookie_make(secret, &t, 9, &o, 0, &tsval);
    assert_int_equal(o.mss, 1220);
}

static void syncookie_timestamp_is_never_zero(void **state)
{
    (void)state;
    /* A TSecr of 0 echoes nothing; so a clock near 0 and options whose
     * bits are 0 (window scale 0, no SACK) must not make a TSval of 0. */
    struct tcp_syncookie_tuple t = { .laddr = 1, .raddr = 2, .lport = 80, .rport = 40000, .peer_isn = 77 };
    for (uint32_t ts_now = 0; ts_now < 200; ts_now++) {
        struct tcp_syncookie_options o = { .mss = 1460, .ts = true, .wscale_ok = true, .wscale = 0 };
        uint32_t tsval;
        uint32_t cookie = tcp_syncookie_make(secret, &t, 3, &o, ts_now, &tsval);
        assert_int_not_equal(tsval, 0);
        struct tcp_syncookie_options back;
        assert_int_equal(tcp_syncookie_check(secret, &t, 3, cookie, true, tsval, ts_now, &back), 0);
        check_same(&o, &back);
    }
}

/* ---- on a stack ---- */

static void cookie_stack(struct tcp_peer *p, uint8_t mode)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_syncookies = mode;
    peer_init(p, &c);
}

static int listen_on(struct tcp_peer *p, uint16_t port)
{
    int l = naru_socket(p->stack, NARU_SOCK_STREAM);
    assert_true(l >= 0);
    struct naru_sockaddr a = { .port = port };
    assert_int_equal(naru_bind(p->stack, l, &a), 0);
    assert_int_equal(naru_listen(p->stack, l, 64), 0);
    p->port = port;
    return l;
}

static struct tcp_options syn_options(uint32_t ts_val, uint16_t mss)
{
    return (struct tcp_options){ .mss_present = true, .mss = mss, .wscale_present = true, .wscale = 7,
                                 .sack_permitted = true, .timestamps_present = true, .ts_val = ts_val };
}

/* The peer's SYN (from its port, ISN PEER_ISN); the stack's SYN-ACK. */
static struct got syn_and_synack(struct tcp_peer *p, const struct tcp_options *o)
{
    struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535, .opt = *o };
    peer_send(p, &syn);
    struct got g = *peer_take(p);
    expect_seg(&g, TCP_SYN | TCP_ACK, g.h.seq, PEER_ISN + 1);
    return g;
}

/* The final ACK for a SYN-ACK g, with timestamps if g had them. */
static void final_ack(struct tcp_peer *p, const struct got *g, uint32_t ack)
{
    struct seg s = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = ack, .window = 65535 >> 7 };
    if (g->h.options.timestamps_present) {
        s.opt.timestamps_present = true;
        s.opt.ts_val = p->ts_val;
        s.opt.ts_ecr = g->h.options.ts_val;
    }
    peer_send(p, &s);
}

static void cookie_connection_uses_window_scaling_and_sack(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    tcp_debug_set_isn(p->stack, ISN); /* what a half-open connection would use: not a cookie */
    int l = listen_on(p, 80);
    struct tcp_options o = syn_options(1000, 1460);
    struct got g = syn_and_synack(p, &o);
    assert_int_not_equal(g.h.seq, ISN);
    assert_int_equal(counter(p->stack, "tcp_syncookies_sent"), 1);
    /* The SYN-ACK answers every option the SYN offered, as a half-open
     * connection's would. */
    const struct tcp_options *so = &g.h.options;
    assert_true(so->mss_present);
    assert_int_equal(so->mss, 1460);
    assert_true(so->wscale_present);
    assert_int_equal(so->wscale, 9);
    assert_true(so->sack_permitted);
    assert_true(so->timestamps_present);
    assert_int_equal(so->ts_ecr, 1000);
    assert_int_equal(g.h.window, 65535);
    /* Nothing was kept: no connection until the final ACK. */
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    uint32_t iss = g.h.seq;
    final_ack(p, &g, iss + 1);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "tcp_syncookies_accepted"), 1);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    struct naru_tcp_info info;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &info), 0);
    assert_int_equal(info.state, NARU_TCP_ESTABLISHED);
    assert_int_equal(info.options, NARU_TCPI_OPT_TIMESTAMPS | NARU_TCPI_OPT_SACK | NARU_TCPI_OPT_WSCALE);
    assert_int_equal(info.snd_wscale, 7);
    assert_int_equal(info.rcv_wscale, 9);
    assert_int_equal(info.snd_mss, 1460 - 12);
    assert_int_equal(info.snd_wnd, (65535 >> 7) << 7); /* the peer's window, scaled */

    /* Window scaling at work: the peer offers 512 KiB (4096 << 7), and the
     * stack sends beyond 64 KiB without waiting (initial window aside, as
     * the window opens with ACKs). */
    p->ts = true;
    p->snd_nxt = PEER_ISN + 1;
    p->rcv_nxt = iss + 1;
    static uint8_t data[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    assert_int_equal(naru_send(p->stack, s, data, sizeof data, 0), 131072);
    struct got segs[16];
    int n = 0;
    while (n < 16 && peer_maybe_take(p, &segs[n]))
        n++;
    assert_int_equal(n, 10); /* IW 10 (RFC 6928) */
    /* SACK at work: the first segment is lost, the peer SACKs the rest;
     * the stack sends the hole again, and only the hole. */
    uint32_t mss = 1460 - 12;
    struct seg sack = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = iss + 1, .window = 4096 };
    sack.opt.timestamps_present = true;
    sack.opt.ts_val = p->ts_val;
    sack.opt.ts_ecr = p->ts_recent;
    sack.opt.sack_count = 1;
    for (uint32_t k = 2; k <= 4; k++) {
        sack.opt.sack[0] = (struct tcp_sack_block){ iss + 1 + mss, iss + 1 + k * mss };
        peer_send(p, &sack);
    }
    struct got rtx;
    bool hole_sent = false;
    while (peer_maybe_take(p, &rtx)) {
        if (rtx.h.seq == iss + 1) {
            assert_int_equal(rtx.len, mss);
            assert_memory_equal(rtx.data, data, mss);
            hole_sent = true;
        } else {
            /* Nothing the peer SACKed goes again. */
            assert_true(rtx.h.seq - (iss + 1) >= 4 * mss);
        }
    }
    assert_true(hole_sent);
    assert_int_equal(counter(p->stack, "tcp_sack_recoveries"), 1);
    /* The whole window is acknowledged: scaled, 4096 << 7 bytes more may go. */
    struct seg all = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = iss + 1 + 10 * mss, .window = 4096 };
    all.opt.timestamps_present = true;
    all.opt.ts_val = p->ts_val;
    all.opt.ts_ecr = p->ts_recent;
    peer_send(p, &all);
    assert_int_equal(naru_tcp_get_info(p->stack, s, &info), 0);
    assert_int_equal(info.snd_wnd, 4096u << 7);
}

static void cookie_connection_without_timestamps_has_no_window_scaling_or_sack(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    int l = listen_on(p, 80);
    struct tcp_options o = syn_options(0, 1400);
    o.timestamps_present = false;
    struct got g = syn_and_synack(p, &o);
    /* Nowhere to keep them: the SYN-ACK offers neither (as Linux). */
    assert_true(g.h.options.mss_present);
    assert_false(g.h.options.wscale_present);
    assert_false(g.h.options.sack_permitted);
    assert_false(g.h.options.timestamps_present);
    final_ack(p, &g, g.h.seq + 1);
    int s = naru_accept(p->stack, l, NULL);
    assert_true(s >= 0);
    struct naru_tcp_info info;
    assert_int_equal(naru_tcp_get_info(p->stack, s, &info), 0);
    assert_int_equal(info.options, 0);
    assert_int_equal(info.snd_mss, 1300); /* 1400, rounded down to the cookie's table */
}

static void forged_cookie_ack_is_refused_with_a_reset(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    int l = listen_on(p, 80);
    struct tcp_options o = syn_options(1000, 1460);
    struct got g = syn_and_synack(p, &o);
    /* Any other acknowledgment number is no cookie: RFC 9293 3.10.7.2's
     * answer to an ACK in LISTEN, <SEQ=SEG.ACK><CTL=RST>. */
    for (uint32_t wrong = 1; wrong <= 4; wrong++) {
        final_ack(p, &g, g.h.seq + 1 + (wrong << 8));
        struct got *r = peer_take(p);
        expect_seg(r, TCP_RST, g.h.seq + 1 + (wrong << 8), 0);
    }
    assert_int_equal(counter(p->stack, "tcp_syncookies_failed"), 4);
    assert_int_equal(counter(p->stack, "tcp_syncookies_accepted"), 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    /* The right one still works. */
    final_ack(p, &g, g.h.seq + 1);
    peer_expect_nothing(p);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
}

static void stale_cookie_ack_is_refused(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    int l = listen_on(p, 80);
    struct tcp_options o = syn_options(1000, 1460);
    o.timestamps_present = false; /* so only the counter dates it */
    struct got g = syn_and_synack(p, &o);
    /* Two counter periods later, the cookie has expired. */
    peer_advance(p, 2 * TCP_SYNCOOKIE_PERIOD);
    final_ack(p, &g, g.h.seq + 1);
    struct got *r = peer_take(p);
    expect_seg(r, TCP_RST, g.h.seq + 1, 0);
    assert_int_equal(counter(p->stack, "tcp_syncookies_failed"), 1);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
}

static void cookie_is_good_until_the_counter_has_moved_twice(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    int l = listen_on(p, 80);
    /* The SYN at the start of a period: its cookie is good for that one
     * and the next. */
    peer_advance(p, TCP_SYNCOOKIE_PERIOD - p->now % TCP_SYNCOOKIE_PERIOD);
    struct tcp_options o = syn_options(p->ts_val, 1460);
    struct got g = syn_and_synack(p, &o);
    peer_advance(p, 2 * TCP_SYNCOOKIE_PERIOD - NARU_SEC);
    final_ack(p, &g, g.h.seq + 1);
    peer_expect_nothing(p);
    assert_true(naru_accept(p->stack, l, NULL) >= 0);
}

static void listener_that_sent_no_cookies_lately_takes_none(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ON);
    int l = listen_on(p, 80);
    /* A cookie the stack would accept, had it sent any: made here with
     * the stack's own secret. */
    struct tcp_syncookie_tuple t = { .laddr = p->host->addr, .raddr = p->addr, .lport = 80, .rport = PEER_PORT,
                                     .peer_isn = PEER_ISN };
    struct tcp_syncookie_options o = { .mss = 1460 };
    uint32_t tsval;
    uint32_t cookie = tcp_syncookie_make(p->stack->secret, &t, (uint32_t)(p->now / TCP_SYNCOOKIE_PERIOD), &o, 0,
                                         &tsval);
    struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = cookie + 1, .window = 512 };
    peer_send(p, &ack);
    expect_seg(peer_take(p), TCP_RST, cookie + 1, 0);
    assert_int_equal(naru_accept(p->stack, l, NULL), -EAGAIN);
    assert_int_equal(counter(p->stack, "tcp_syncookies_accepted"), 0);
}

static void full_half_open_list_answers_with_cookies(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    c.tcp_half_open = 2;
    peer_init(p, &c);
    tcp_debug_set_isn(p->stack, ISN);
    int l = listen_on(p, 80);
    struct got synacks[5];
    for (uint16_t i = 0; i < 5; i++) {
        struct seg syn = { .flags = TCP_SYN, .seq = PEER_ISN, .window = 65535, .src_port = (uint16_t)(1000 + i),
                           .opt = syn_options(1000, 1460) };
        peer_send(p, &syn);
        synacks[i] = *peer_take(p);
        expect_seg(&synacks[i], TCP_SYN | TCP_ACK, synacks[i].h.seq, PEER_ISN + 1);
    }
    /* Two half-open connections (the fixed ISN), three cookies. */
    assert_int_equal(synacks[0].h.seq, ISN);
    assert_int_equal(synacks[1].h.seq, ISN);
    for (int i = 2; i < 5; i++)
        assert_int_not_equal(synacks[i].h.seq, ISN);
    assert_int_equal(counter(p->stack, "tcp_syncookies_sent"), 3);
    assert_int_equal(counter(p->stack, "tcp_listen_half_open_drops"), 0);
    /* Every one of them completes. */
    for (uint16_t i = 0; i < 5; i++) {
        struct seg ack = { .flags = TCP_ACK, .seq = PEER_ISN + 1, .ack = synacks[i].h.seq + 1, .window = 512,
                           .src_port = (uint16_t)(1000 + i) };
        ack.opt.timestamps_present = true;
        ack.opt.ts_val = 1001;
        ack.opt.ts_ecr = synacks[i].h.options.ts_val;
        peer_send(p, &ack);
    }
    peer_expect_nothing(p);
    for (int i = 0; i < 5; i++)
        assert_true(naru_accept(p->stack, l, NULL) >= 0);
    assert_int_equal(counter(p->stack, "tcp_syncookies_accepted"), 3);
}

static void cookie_ack_carrying_data_delivers_it(void **state)
{
    struct tcp_peer *p = *state;
    peer_fini(p);
    cookie_stack(p, NARU_TCP_SYNCOOKIES_ALWAYS);
    int l = listen_on(p, 80);
    struct tcp_options o = syn_options(1000, 1460);
    struct got g = syn_and_synack(p, &o);
    /* The bare ACK was lost; the request that followed it completes the
     * handshake instead. */
    struct seg s = { .flags = TCP_ACK | TCP_PSH, .seq = PEER_ISN + 1, .ack = g.h.seq + 1, .window = 512,
                     .data = "GET / HTTP/1.0\r\n\r\n", .len = 18 };
    s.opt.timestamps_present = true;
    s.opt.ts_val = 1001;
    s.opt.ts_ecr = g.h.options.ts_val;
    peer_send(p, &s);
    int c = naru_accept(p->stack, l, NULL);
    assert_true(c >= 0);
    char buf[64];
    assert_int_equal(naru_recv(p->stack, c, buf, sizeof buf, 0), 18);
    assert_memory_equal(buf, "GET / HTTP/1.0\r\n\r\n", 18);
}

#define T(f) cmocka_unit_test_setup_teardown(f, peer_setup, peer_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syncookie_round_trips_every_mss_and_option_combination),
        cmocka_unit_test(syncookie_with_other_option_bits_in_the_echo_is_refused),
        cmocka_unit_test(syncookie_timestamp_is_never_zero),
        cmocka_unit_test(ipv6_cookie_covers_the_whole_addresses_and_uses_ipv6_mss_table),
        T(cookie_connection_uses_window_scaling_and_sack),
        T(cookie_connection_without_timestamps_has_no_window_scaling_or_sack),
        T(forged_cookie_ack_is_refused_with_a_reset),
        T(stale_cookie_ack_is_refused),
        T(cookie_is_good_until_the_counter_has_moved_twice),
        T(listener_that_sent_no_cookies_lately_takes_none),
        T(full_half_open_list_answers_with_cookies),
        T(cookie_ack_carrying_data_delivers_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
