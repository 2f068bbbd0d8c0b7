/* Transfers (src/apps/transfer.c) between two simulated stacks: TCP
 * carries every byte through loss, UDP counts what it loses, and a
 * stopped receiver's counts stay as they were. */
#include "appnet.h"

#include <string.h>

static bool finished(void *ctx)
{
    return naru_transfer_result(ctx)->finished;
}

static void tcp_carries_every_byte_intact_through_loss(void **state)
{
    (void)state;
    struct appnet n;
    struct naru_sim_link_config lossy = { .rate_bps = 50000000, .delay = 10 * NARU_MS, .loss = 0.01 };
    appnet_make(&n, 31, &lossy, NULL);
    struct naru_transfer_config c;
    naru_transfer_config_default(&c, NARU_TRANSFER_TCP);
    c.bytes = 3000000;
    c.peer.port = 5001;
    struct naru_transfer *rx, *tx;
    assert_int_equal(naru_transfer_receive(&n.env_b, &c, &rx), 0);
    c.peer.addr = naru_addr_v4(ip("10.0.0.2"));
    assert_int_equal(naru_transfer_send(&n.env_a, &c, &tx), 0);
    assert_true(appnet_run(&n, 600 * NARU_SEC, finished, rx));
    const struct naru_transfer_result *r = naru_transfer_result(rx);
    assert_true(r->ok);
    assert_true(r->intact);
    assert_int_equal(r->bytes_received, 3000000);
    assert_true(r->half_time != NARU_APP_UNSET && r->half_bytes >= 1500000);
    assert_true(naru_app_rate(r->bytes_received, naru_transfer_result(tx)->started, r->last_arrival) > 1e6);
    appnet_run(&n, 5 * NARU_SEC, NULL, NULL); /* the sender sees the receiver close */
    const struct naru_transfer_result *s = naru_transfer_result(tx);
    assert_true(s->finished && s->ok);
    assert_int_equal(s->bytes_sent, 3000000);
    assert_true(s->retransmits > 0);
    naru_transfer_destroy(tx);
    naru_transfer_destroy(rx);
    appnet_free(&n);
}

static void a_refused_tcp_transfer_says_so(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 32, NULL, NULL);
    struct naru_transfer_config c;
    naru_transfer_config_default(&c, NARU_TRANSFER_TCP);
    c.peer = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 5001 };
    struct naru_transfer *tx;
    assert_int_equal(naru_transfer_send(&n.env_a, &c, &tx), 0);
    assert_true(appnet_run(&n, 60 * NARU_SEC, finished, tx));
    const struct naru_transfer_result *s = naru_transfer_result(tx);
    assert_false(s->ok);
    assert_int_equal(s->error, -ECONNREFUSED);
    assert_string_equal(s->why, "connection refused");
    naru_transfer_destroy(tx);
    appnet_free(&n);
}

static void udp_counts_losses_duplicates_and_reordering(void **state)
{
    (void)state;
    struct appnet n;
    struct naru_sim_link_config bad = { .rate_bps = 100000000, .delay = 2 * NARU_MS, .loss = 0.1,
                                        .duplicate = 0.05, .reorder = 0.05 };
    appnet_make(&n, 33, &bad, NULL);
    struct naru_transfer_config c;
    naru_transfer_config_default(&c, NARU_TRANSFER_UDP);
    c.bytes = 1000 * 1000;
    c.datagram_size = 1016;
    c.peer.port = 6000;
    struct naru_transfer *rx, *tx;
    assert_int_equal(naru_transfer_receive(&n.env_b, &c, &rx), 0);
    c.peer.addr = naru_addr_v4(ip("10.0.0.2"));
    assert_int_equal(naru_transfer_send(&n.env_a, &c, &tx), 0);
    assert_true(appnet_run(&n, 600 * NARU_SEC, finished, tx)); /* sent, and lingered */
    naru_transfer_stop(rx);
    const struct naru_transfer_result *r = naru_transfer_result(rx);
    assert_int_equal(r->datagrams_expected, 1000);
    assert_int_equal(naru_transfer_result(tx)->datagrams_sent, 1000);
    assert_true(r->intact);
    assert_false(r->ok); /* some were lost */
    assert_string_equal(r->why, "datagrams were lost");
    assert_true(r->unique > 850 && r->unique < 950);
    assert_int_equal(r->datagrams_received, r->unique + r->duplicates);
    assert_true(r->duplicates > 20);
    assert_true(r->reordered > 10);
    assert_int_equal(r->bytes_received, r->unique * 1000);
    naru_transfer_destroy(tx);
    naru_transfer_destroy(rx);
    appnet_free(&n);
}

/* Datagrams still queued on a slow link when the sender gives up arrive
 * later; a stopped receiver does not count them, so its numbers are the
 * ones of the moment it stopped and add up. */
static void a_stopped_receiver_counts_no_more(void **state)
{
    (void)state;
    struct appnet n;
    struct naru_sim_link_config slow = { .rate_bps = 1000000, .delay = NARU_MS, .queue_frames = 1000 };
    appnet_make(&n, 34, &slow, NULL);
    struct naru_transfer_config c;
    naru_transfer_config_default(&c, NARU_TRANSFER_UDP);
    c.bytes = 300 * 1000;
    c.datagram_size = 1016;
    c.rate_bps = 10000000;       /* ten times what the link carries */
    c.linger = NARU_SEC;
    c.peer.port = 6000;
    struct naru_transfer *rx, *tx;
    assert_int_equal(naru_transfer_receive(&n.env_b, &c, &rx), 0);
    c.peer.addr = naru_addr_v4(ip("10.0.0.2"));
    assert_int_equal(naru_transfer_send(&n.env_a, &c, &tx), 0);
    assert_true(appnet_run(&n, 600 * NARU_SEC, finished, tx));
    naru_transfer_stop(rx);
    struct naru_transfer_result then = *naru_transfer_result(rx);
    assert_true(then.finished);
    assert_true(then.unique > 50 && then.unique < 300);
    appnet_run(&n, 10 * NARU_SEC, NULL, NULL); /* the queue drains into the receiver */
    const struct naru_transfer_result *now = naru_transfer_result(rx);
    assert_int_equal(now->unique, then.unique);
    assert_int_equal(now->datagrams_received, then.datagrams_received);
    assert_int_equal(now->bytes_received, then.bytes_received);
    struct naru_sim_link_stats st;
    naru_sim_link_get_stats(n.link, 0, &st);
    assert_true(st.frames_delivered >= 300); /* they did arrive, uncounted */
    naru_transfer_destroy(tx);
    naru_transfer_destroy(rx);
    appnet_free(&n);
}

static void a_datagram_with_the_wrong_bytes_is_noticed(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 35, NULL, NULL);
    struct naru_transfer_config c;
    naru_transfer_config_default(&c, NARU_TRANSFER_UDP);
    c.bytes = 100;
    c.datagram_size = 116;
    c.peer.port = 6000;
    struct naru_transfer *rx;
    assert_int_equal(naru_transfer_receive(&n.env_b, &c, &rx), 0);
    /* Datagram 0 of 1, its header right, its data zeros. */
    uint8_t d[116] = { 0 };
    d[15] = 1;
    int u = udp_socket(n.a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 6000 };
    assert_int_equal(naru_sendto(n.a, u, d, sizeof d, 0, &to), (long)sizeof d);
    assert_true(appnet_run(&n, 10 * NARU_SEC, finished, rx));
    const struct naru_transfer_result *r = naru_transfer_result(rx);
    assert_false(r->intact);
    assert_false(r->ok);
    assert_string_equal(r->why, "data arrived altered");
    naru_close(n.a, u);
    naru_transfer_destroy(rx);
    appnet_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_carries_every_byte_intact_through_loss),
        cmocka_unit_test(a_refused_tcp_transfer_says_so),
        cmocka_unit_test(udp_counts_losses_duplicates_and_reordering),
        cmocka_unit_test(a_stopped_receiver_counts_no_more),
        cmocka_unit_test(a_datagram_with_the_wrong_bytes_is_noticed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
