/* ping (src/apps/ping.c) between two simulated stacks: replies and their
 * round trips, the sequence number's wrap, silence, and stopping early. */
#include "appnet.h"

#include <stdlib.h>
#include <string.h>

struct seen {
    unsigned replies, duplicates, errors;
    uint16_t last_seq;
    size_t bytes;
};

static void on_event(void *ctx, const struct naru_ping_event *e)
{
    struct seen *s = ctx;
    if (e->kind == NARU_PING_REPLY) {
        s->replies++;
        s->last_seq = e->seq;
        s->bytes = e->bytes;
    } else if (e->kind == NARU_PING_DUPLICATE) {
        s->duplicates++;
    } else {
        s->errors++;
    }
}

static bool finished(void *ctx)
{
    return naru_ping_result(ctx)->finished;
}

static void replies_are_counted_with_their_round_trips(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 1, NULL, NULL);
    struct seen s = { 0 };
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.0.0.2"));
    c.count = 3;
    c.interval = 100 * NARU_MS;
    c.timeout = 10 * NARU_SEC;
    c.on_event = on_event;
    c.ctx = &s;
    struct naru_ping *p;
    assert_int_equal(naru_ping_start(&n.env_a, &c, &p), 0);
    assert_true(appnet_run(&n, 60 * NARU_SEC, finished, p));
    const struct naru_ping_result *r = naru_ping_result(p);
    assert_true(r->ok);
    assert_int_equal(r->sent, 3);
    assert_int_equal(r->received, 3);
    assert_int_equal(s.replies, 3);
    assert_int_equal(s.bytes, 8 + 56);
    /* 5 ms each way and a little to serialise: about 10 ms there and
     * back; the first request waited a round trip more for ARP. */
    assert_true(r->rtt_min >= 10 * NARU_MS && r->rtt_min < 11 * NARU_MS);
    assert_true(r->rtt_max >= 20 * NARU_MS && r->rtt_max < 21 * NARU_MS);
    assert_true(naru_ping_rtt_avg(r) >= r->rtt_min && naru_ping_rtt_avg(r) <= r->rtt_max);
    /* Done at the last reply, not at the timeout. */
    naru_time_t waited;
    assert_true(naru_app_elapsed(r->last_sent, r->ended, &waited));
    assert_true(waited < 11 * NARU_MS);
    naru_ping_destroy(p);
    appnet_free(&n);
}

/* icmp_seq is 16 bits: request 65536 goes out as 0, 65537 as 1. Each
 * reply still belongs to the request it answers. */
static void sequence_numbers_wrap_without_a_lost_reply(void **state)
{
    (void)state;
    struct appnet n;
    struct naru_sim_link_config fast = { .rate_bps = 1000000000, .delay = 100 * NARU_US };
    appnet_make(&n, 2, &fast, NULL);
    struct seen s = { 0 };
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.0.0.2"));
    c.count = 65540;
    c.interval = NARU_MS;
    c.size = 8;
    c.on_event = on_event;
    c.ctx = &s;
    struct naru_ping *p;
    assert_int_equal(naru_ping_start(&n.env_a, &c, &p), 0);
    assert_true(appnet_run(&n, 3600 * NARU_SEC, finished, p));
    const struct naru_ping_result *r = naru_ping_result(p);
    assert_int_equal(r->sent, 65540);
    assert_int_equal(r->received, 65540);
    assert_int_equal(r->duplicates, 0);
    assert_int_equal(s.last_seq, (uint16_t)65540);
    naru_ping_destroy(p);
    appnet_free(&n);
}

static void silence_ends_at_the_timeout_and_is_not_ok(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 3, NULL, NULL);
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.0.0.2"));
    c.count = 2;
    c.timeout = 2 * NARU_SEC;
    naru_sim_link_set_loss(n.link, 1.0);
    struct naru_ping *p;
    assert_int_equal(naru_ping_start(&n.env_a, &c, &p), 0);
    assert_true(appnet_run(&n, 60 * NARU_SEC, finished, p));
    const struct naru_ping_result *r = naru_ping_result(p);
    assert_false(r->ok);
    assert_int_equal(r->sent, 2);
    assert_int_equal(r->received, 0);
    assert_int_equal(naru_ping_rtt_avg(r), 0);
    assert_int_equal(r->ended, r->last_sent + 2 * NARU_SEC);
    naru_ping_destroy(p);
    appnet_free(&n);
}

static void stop_finishes_an_endless_ping(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 4, NULL, NULL);
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("10.0.0.2"));
    c.count = 0;               /* until stopped */
    struct naru_ping *p;
    assert_int_equal(naru_ping_start(&n.env_a, &c, &p), 0);
    appnet_run(&n, 5500 * NARU_MS, NULL, NULL);
    assert_false(naru_ping_result(p)->finished);
    naru_ping_stop(p);
    const struct naru_ping_result *r = naru_ping_result(p);
    assert_true(r->finished && r->ok);
    assert_int_equal(r->sent, 6);
    assert_int_equal(r->received, 6);
    appnet_run(&n, 5 * NARU_SEC, NULL, NULL);
    assert_int_equal(r->sent, 6); /* no more once stopped */
    naru_ping_destroy(p);
    appnet_free(&n);
}

static void unreachable_network_is_an_error_per_request(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 5, NULL, NULL);
    struct seen s = { 0 };
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.dst.addr = naru_addr_v4(ip("192.0.2.1")); /* a has no route there */
    c.count = 2;
    c.on_event = on_event;
    c.ctx = &s;
    struct naru_ping *p;
    assert_int_equal(naru_ping_start(&n.env_a, &c, &p), 0);
    assert_true(appnet_run(&n, 60 * NARU_SEC, finished, p));
    const struct naru_ping_result *r = naru_ping_result(p);
    assert_false(r->ok);
    assert_int_equal(r->errors, 2);
    assert_int_equal(s.errors, 2);
    /* Every request was answered with an error: no need to wait. */
    assert_true(r->ended < r->last_sent + NARU_SEC);
    naru_ping_destroy(p);
    appnet_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replies_are_counted_with_their_round_trips),
        cmocka_unit_test(sequence_numbers_wrap_without_a_lost_reply),
        cmocka_unit_test(silence_ends_at_the_timeout_and_is_not_ok),
        cmocka_unit_test(stop_finishes_an_endless_ping),
        cmocka_unit_test(unreachable_network_is_an_error_per_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
