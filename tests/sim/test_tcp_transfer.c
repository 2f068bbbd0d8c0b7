/* Bulk transfers over simulated links, every byte checked. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/describe.h"
#include "tcp_flow.h"

struct pair {
    struct naru_sim *sim;
    struct naru_stack *a, *b;
    struct naru_sim_link *link;
};

static void print_log(void *ctx, const char *node, naru_time_t now, enum naru_log_level level,
                      enum naru_layer layer, const char *message)
{
    (void)ctx, (void)level, (void)layer;
    fprintf(stderr, "%10.3f %s %s\n", (double)now / 1e9, node, message);
}

static void trace(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                  naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)ctx, (void)link;
    static const char *what[] = { "sent", "delivered", "LOST", "DROPPED", "reordered", "duplicated", "CORRUPTED" };
    if (event == NARU_SIM_FRAME_SENT)
        return;
    char text[300];
    naru_frame_describe(frame, len, text, sizeof text);
    fprintf(stderr, "%10.3f %c %s %s\n", (double)now / 1e9, from_end ? 'b' : 'a', what[event], text);
}

static const struct naru_stack_config *stack_config;

static void pair_make(struct pair *p, uint64_t seed, const struct naru_sim_link_config *c)
{
    memset(p, 0, sizeof *p);
    assert_int_equal(naru_sim_create(seed, &p->sim), 0);
    if (getenv("TCP_TEST_TRACE"))
        naru_sim_set_observer(p->sim, trace, NULL);
    if (getenv("TCP_TEST_LOG"))
        naru_sim_set_log(p->sim, print_log, NULL, NARU_LOG_DEBUG);
    p->a = naru_sim_add_stack(p->sim, "a", stack_config);
    p->b = naru_sim_add_stack(p->sim, "b", stack_config);
    assert_int_equal(naru_sim_add_link(p->sim, "ab", c, &p->link), 0);
    assert_int_equal(naru_sim_link_attach(p->link, 0, p->a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(p->link, 1, p->b, "10.0.0.2/24", NULL), 0);
}

static void transfer(uint64_t seed, const struct naru_sim_link_config *c, uint64_t c2s, uint64_t s2c)
{
    struct pair p;
    pair_make(&p, seed, c);
    tcp_flow_resolve(p.sim, p.a, ip("10.0.0.1"), p.b, ip("10.0.0.2"));
    struct tcp_flow f = { .close_when_done = true };
    tcp_flow_start(&f, p.sim, p.a, p.b, ip("10.0.0.2"), 5001, c2s, s2c);
    bool done = naru_sim_run(p.sim, naru_sim_now(p.sim) + 3600 * NARU_SEC, tcp_flow_done, &f);
    if (!tcp_flow_ok(&f))
        fprintf(stderr, "seed %llu: done %d client err %d sent %llu recv %llu eof %d mism %llu; server err %d sent %llu recv %llu eof %d mism %llu\n",
                (unsigned long long)seed, done, f.client.error, (unsigned long long)f.client.sent,
                (unsigned long long)f.client.received, f.client.eof, (unsigned long long)f.client.mismatch_at,
                f.server.error, (unsigned long long)f.server.sent, (unsigned long long)f.server.received,
                f.server.eof, (unsigned long long)f.server.mismatch_at);
    if (!tcp_flow_ok(&f)) {
        const struct tcp_flow_end *ends[2] = { &f.client, &f.server };
        for (int i = 0; i < 2; i++) {
            struct naru_tcp_info ti;
            if (ends[i]->sock < 0 || naru_tcp_get_info(ends[i]->stack, ends[i]->sock, &ti) < 0)
                continue;
            fprintf(stderr, "  %s: %s rto %u cwnd %u ssth %u snd_wnd %u rcv_wnd %u unacked %u sacked %u retr %u probes %u sq %u rq %u rec %d\n",
                    i ? "server" : "client", naru_tcp_state_name(ti.state), ti.rto_us, ti.snd_cwnd, ti.snd_ssthresh,
                    ti.snd_wnd, ti.rcv_wnd, ti.unacked, ti.sacked, ti.retransmits, ti.probes, ti.send_queue,
                    ti.recv_queue, ti.in_recovery);
        }
        const char *names[] = { "tcp_rx", "tcp_rx_malformed", "tcp_rx_out_of_window", "tcp_rx_paws_rejected",
                                "tcp_rx_no_timestamp", "tcp_rx_bad_ack", "tcp_challenge_acks",
                                "tcp_challenge_ack_limited", "tcp_rx_ooo_dropped", "tcp_rx_no_socket",
                                "tcp_tx", "link_tx_frames", "link_rx_frames", "buffers_frame_exhausted",
                                "arp_queue_overflow", "ip_rx", "ip_rx_checksum_errors", "link_tx_driver_errors" };
        fprintf(stderr, "  buffers in use: a %u b %u\n", naru_stack_buffers_in_use(p.a), naru_stack_buffers_in_use(p.b));
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
            fprintf(stderr, "  %s: a %llu b %llu\n", names[i], (unsigned long long)counter(p.a, names[i]),
                    (unsigned long long)counter(p.b, names[i]));
    }
    assert_true(tcp_flow_ok(&f));
    tcp_flow_free(&f);
    naru_sim_destroy(p.sim);
}

static void tcp_transfer_both_ways_on_a_clean_link(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .delay = 1 * NARU_MS, .rate_bps = 100000000 };
    transfer(1, &c, 1000000, 1000000);
}

static void tcp_transfer_survives_loss(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .delay = 5 * NARU_MS, .rate_bps = 100000000, .loss = 0.05 };
    for (uint64_t seed = 1; seed <= 5; seed++)
        transfer(seed, &c, 1000000, 1000000);
}

static void tcp_transfer_survives_everything(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .delay = 5 * NARU_MS, .rate_bps = 100000000, .loss = 0.2,
                                      .reorder = 0.05, .duplicate = 0.05, .corrupt = 0.05 };
    for (uint64_t seed = 1; seed <= 5; seed++)
        transfer(seed, &c, 1000000, 1000000);
}

/* The test: 10 MB each way at once, every byte checked, over a
 * link that loses 20% of frames and reorders, duplicates and corrupts
 * them too, for 50 seeds. */
static void tcp_ten_megabytes_each_way_survive_a_hostile_link_for_fifty_seeds(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .delay = 5 * NARU_MS, .rate_bps = 100000000, .loss = 0.2,
                                      .reorder = 0.05, .duplicate = 0.05, .corrupt = 0.05 };
    uint64_t seeds = getenv("TCP_TEST_SEEDS") ? strtoull(getenv("TCP_TEST_SEEDS"), NULL, 10) : 50;
    for (uint64_t seed = 1; seed <= seeds; seed++)
        transfer(1000 + seed, &c, 10000000, 10000000);
}

/* The same with CUBIC (RFC 9438) in charge of both ends. */
static void tcp_cubic_transfers_survive_loss(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.tcp_congestion = NARU_TCP_CC_CUBIC;
    stack_config = &config;
    struct naru_sim_link_config c = { .delay = 20 * NARU_MS, .rate_bps = 100000000, .loss = 0.02, .reorder = 0.01 };
    for (uint64_t seed = 1; seed <= 5; seed++)
        transfer(seed, &c, 3000000, 3000000);
    stack_config = NULL;
}

/* Four connections share one link, each moving its bytes. */
static void tcp_several_connections_share_a_link(void **state)
{
    (void)state;
    struct pair p;
    struct naru_sim_link_config c = { .delay = 2 * NARU_MS, .rate_bps = 50000000, .loss = 0.01 };
    pair_make(&p, 5, &c);
    tcp_flow_resolve(p.sim, p.a, ip("10.0.0.1"), p.b, ip("10.0.0.2"));
    struct tcp_flow f[4];
    for (int i = 0; i < 4; i++) {
        memset(&f[i], 0, sizeof f[i]);
        f[i].close_when_done = true;
        tcp_flow_start(&f[i], p.sim, i % 2 ? p.b : p.a, i % 2 ? p.a : p.b, ip(i % 2 ? "10.0.0.1" : "10.0.0.2"),
                       (uint16_t)(6000 + i), 2000000, 500000);
    }
    for (int i = 0; i < 4; i++) {
        assert_true(naru_sim_run(p.sim, naru_sim_now(p.sim) + 600 * NARU_SEC, tcp_flow_done, &f[i]));
        assert_true(tcp_flow_ok(&f[i]));
        tcp_flow_free(&f[i]);
    }
    naru_sim_run(p.sim, naru_sim_now(p.sim) + 120 * NARU_SEC, NULL, NULL);
    assert_int_equal(naru_stack_buffers_in_use(p.a), 0);
    assert_int_equal(naru_stack_buffers_in_use(p.b), 0);
    naru_sim_destroy(p.sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_transfer_both_ways_on_a_clean_link),
        cmocka_unit_test(tcp_transfer_survives_loss),
        cmocka_unit_test(tcp_transfer_survives_everything),
        cmocka_unit_test(tcp_ten_megabytes_each_way_survive_a_hostile_link_for_fifty_seeds),
        cmocka_unit_test(tcp_cubic_transfers_survive_loss),
        cmocka_unit_test(tcp_several_connections_share_a_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
