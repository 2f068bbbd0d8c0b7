/* Loss recovery over simulated lossy links, every byte checked: with
 * RACK-TLP (RFC 8985) far fewer losses wait for a retransmission timeout
 * than with RFC 6675's recovery alone (the same stack with tcp_rack off,
 * on the same seeds); over a reordering link, D-SACKs undo needless
 * recoveries and teach RACK to wait. LR_LOG=1 prints the stacks' debug log, LR_TRACE=1
 * every frame. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/describe.h"
#include "tcp_flow.h"

static void dbg_log(void *ctx, const char *node, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                    const char *message)
{
    (void)ctx, (void)level, (void)layer;
    fprintf(stderr, "%10.6f %s %s\n", (double)now / 1e9, node, message);
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
    fprintf(stderr, "%10.6f %c %s %s\n", (double)now / 1e9, from_end ? 'b' : 'a', what[event], text);
}

struct tally {
    uint64_t timeouts, probes, retransmits, undone;
    naru_time_t elapsed;
};

static void add_counters(struct tally *t, const struct naru_stack *s)
{
    t->timeouts += counter(s, "tcp_timeouts");
    t->probes += counter(s, "tcp_tail_loss_probes");
    t->retransmits += counter(s, "tcp_retransmits");
    t->undone += counter(s, "tcp_spurious_recoveries") + counter(s, "tcp_spurious_rtos");
}

static bool both_connected(void *ctx)
{
    const struct tcp_flow *f = ctx;
    return (f->client.connected && f->server.connected) || f->client.error || f->server.error;
}

/* One simulation: `flows` transfers of `bytes` each way (or one way),
 * one after the other on fresh connections, over a link that loses `loss`
 * of the frames each way once a connection is open (handshakes are
 * another story: only timers can repair them). */
static void run_with(const struct naru_stack_config *base, uint64_t seed, double loss, double reorder, int flows,
                     uint64_t bytes, bool both_ways, struct tally *t)
{
    struct naru_stack_config config = *base;
    if (getenv("LR_LOG"))
        config.log_level = NARU_LOG_DEBUG;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(seed, &sim), 0);
    if (getenv("LR_LOG"))
        naru_sim_set_log(sim, dbg_log, NULL, NARU_LOG_DEBUG);
    if (getenv("LR_TRACE"))
        naru_sim_set_observer(sim, trace, NULL);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", &config), *b = naru_sim_add_stack(sim, "b", &config);
    struct naru_sim_link_config lc = { .delay = 10 * NARU_MS, .rate_bps = 50000000, .reorder = reorder,
                                       .reorder_delay = 3 * NARU_MS };
    struct naru_sim_link *link;
    assert_int_equal(naru_sim_add_link(sim, "ab", &lc, &link), 0);
    assert_int_equal(naru_sim_link_attach(link, 0, a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(link, 1, b, "10.0.0.2/24", NULL), 0);
    tcp_flow_resolve(sim, a, ip("10.0.0.1"), b, ip("10.0.0.2"));
    naru_time_t began = naru_sim_now(sim);
    for (int i = 0; i < flows; i++) {
        struct tcp_flow f = { .close_when_done = true };
        naru_sim_link_set_loss(link, 0);
        tcp_flow_start(&f, sim, a, b, ip("10.0.0.2"), (uint16_t)(5000 + i), bytes, both_ways ? bytes : 0);
        naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_SEC, both_connected, &f);
        naru_sim_link_set_loss(link, loss);
        naru_sim_run(sim, naru_sim_now(sim) + 600 * NARU_SEC, tcp_flow_done, &f);
        assert_true(tcp_flow_ok(&f)); /* every byte, once, in order */
        tcp_flow_free(&f);
    }
    t->elapsed += naru_sim_now(sim) - began;
    add_counters(t, a);
    add_counters(t, b);
    naru_sim_destroy(sim);
}

static void run(uint64_t seed, bool rack, double loss, int flows, uint64_t bytes, bool both_ways, struct tally *t)
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.tcp_rack = rack;
    run_with(&config, seed, loss, 0, flows, bytes, both_ways, t);
}

static void report(const char *what, const struct tally *with, const struct tally *without)
{
    fprintf(stderr, "%s: RACK-TLP %llu timeouts, %llu probes, %llu retransmissions, %.1f s; "
                    "RFC 6675 alone %llu timeouts, %llu retransmissions, %.1f s\n",
            what, (unsigned long long)with->timeouts, (unsigned long long)with->probes,
            (unsigned long long)with->retransmits, (double)with->elapsed / 1e9,
            (unsigned long long)without->timeouts, (unsigned long long)without->retransmits,
            (double)without->elapsed / 1e9);
}

/* Bulk: 1 MB each way at once through 6% loss each way, eight seeds.
 * Lost retransmissions are common at that rate: RACK finds them from the
 * SACKs of later segments, where RFC 6675 alone waits for the timer. */
static void tcp_bulk_transfers_through_loss_wait_for_fewer_timeouts(void **state)
{
    (void)state;
    struct tally with = { 0 }, without = { 0 };
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run(seed, true, 0.06, 1, 1000000, true, &with);
        run(seed, false, 0.06, 1, 1000000, true, &without);
    }
    report("bulk, 6% loss", &with, &without);
    assert_true(with.timeouts * 3 <= without.timeouts);
    assert_true(with.elapsed < without.elapsed);
}

/* Short transfers: 40 connections of 20 kB, one after another, through 5%
 * loss. Their losses are often at the tail of a flight, where without a
 * probe only the timer finds them. */
static void tcp_short_transfers_through_loss_end_with_probes_not_timeouts(void **state)
{
    (void)state;
    struct tally with = { 0 }, without = { 0 };
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run(seed, true, 0.05, 40, 20000, false, &with);
        run(seed, false, 0.05, 40, 20000, false, &without);
    }
    report("short, 5% loss", &with, &without);
    assert_true(with.probes > 0);
    assert_true(with.timeouts * 2 <= without.timeouts);
    assert_true(with.elapsed < without.elapsed);
}

/* Reordering, no loss: segments held back 3 ms (a tenth of the RTT) look
 * lost to the first SACKs. The receiver reports the needless
 * retransmissions (D-SACK, RFC 2883); the sender undoes those recoveries
 * (RFC 3708) and RACK waits longer before calling a hole lost (RFC 8985
 * 6.2 step 4). Without D-SACKs (tcp_dsack off at both ends) the same
 * transfers take longer. */
static void tcp_reordering_undone_and_learned_from_dsacks(void **state)
{
    (void)state;
    struct tally with = { 0 }, without = { 0 };
    struct naru_stack_config on, off;
    naru_stack_config_default(&on);
    off = on;
    off.tcp_dsack = false;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run_with(&on, seed, 0, 0.03, 1, 1000000, true, &with);
        run_with(&off, seed, 0, 0.03, 1, 1000000, true, &without);
    }
    fprintf(stderr, "reordering 3%%: with D-SACK %llu recoveries undone, %llu retransmissions, %.1f s; "
                    "without %llu undone, %llu retransmissions, %.1f s\n",
            (unsigned long long)with.undone, (unsigned long long)with.retransmits, (double)with.elapsed / 1e9,
            (unsigned long long)without.undone, (unsigned long long)without.retransmits,
            (double)without.elapsed / 1e9);
    assert_true(with.undone > 0);
    assert_true(with.retransmits < without.retransmits);
    assert_true(with.elapsed <= without.elapsed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_bulk_transfers_through_loss_wait_for_fewer_timeouts),
        cmocka_unit_test(tcp_short_transfers_through_loss_end_with_probes_not_timeouts),
        cmocka_unit_test(tcp_reordering_undone_and_learned_from_dsacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
