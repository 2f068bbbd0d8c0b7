/* Path MTU discovery across a router (RFC 1191): the sender's segments go
 * with DF; the router cannot pass them onto a narrower link and says so;
 * the sender shrinks its segments, sends again what was lost, and the
 * transfer completes. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "tcp_flow.h"

struct world {
    struct naru_sim *sim;
    struct naru_stack *a, *r, *r2, *b;
    struct naru_sim_link *narrow;
    size_t largest_on_narrow; /* bytes of the largest frame delivered over it */
    size_t delivered_on_narrow;
};

static void watch(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                  naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)from_end, (void)now, (void)frame;
    struct world *w = ctx;
    if (link == w->narrow && event == NARU_SIM_FRAME_DELIVERED) {
        w->delivered_on_narrow++;
        if (len > w->largest_on_narrow)
            w->largest_on_narrow = len;
    }
}

/* a -- r: MTU 1500; r -- r2: MTU 1000; r2 -- b: MTU 1500. Both ends
 * see 1500-byte links, so neither's MSS option tells of the narrow one. */
static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_int_equal(naru_sim_create(11, &w->sim), 0);
    naru_sim_set_observer(w->sim, watch, w);
    w->a = naru_sim_add_stack(w->sim, "a", NULL);
    w->r = naru_sim_add_stack(w->sim, "r", NULL);
    w->r2 = naru_sim_add_stack(w->sim, "r2", NULL);
    w->b = naru_sim_add_stack(w->sim, "b", NULL);
    struct naru_sim_link_config wide = { .rate_bps = 100000000, .delay = 5 * NARU_MS };
    struct naru_sim_link_config narrow = { .rate_bps = 100000000, .delay = 5 * NARU_MS, .mtu = 1000 };
    struct naru_sim_link *l1, *l3;
    int a_if, r_out, r2_in, b_if;
    assert_int_equal(naru_sim_add_link(w->sim, "wide-a", &wide, &l1), 0);
    assert_int_equal(naru_sim_link_attach(l1, 0, w->a, "10.1.0.2/24", &a_if), 0);
    assert_int_equal(naru_sim_link_attach(l1, 1, w->r, "10.1.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "narrow", &narrow, &w->narrow), 0);
    assert_int_equal(naru_sim_link_attach(w->narrow, 0, w->r, "10.9.0.1/24", &r_out), 0);
    assert_int_equal(naru_sim_link_attach(w->narrow, 1, w->r2, "10.9.0.2/24", &r2_in), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "wide-b", &wide, &l3), 0);
    assert_int_equal(naru_sim_link_attach(l3, 0, w->r2, "10.2.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(l3, 1, w->b, "10.2.0.2/24", &b_if), 0);
    assert_int_equal(naru_route_add(w->a, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.1") }, a_if), 0);
    assert_int_equal(naru_route_add(w->r, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.0") }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.9.0.2") }, r_out), 0);
    assert_int_equal(naru_route_add(w->r2, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.0") }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.9.0.1") }, r2_in), 0);
    assert_int_equal(naru_route_add(w->b, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.1") }, b_if), 0);
    naru_stack_set_forwarding(w->r, true);
    naru_stack_set_forwarding(w->r2, true);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    naru_sim_destroy(w->sim);
    free(w);
    return 0;
}

static bool transfer(struct world *w, uint16_t port, uint64_t bytes, struct naru_tcp_info *sender)
{
    struct tcp_flow f = { 0 };
    tcp_flow_start(&f, w->sim, w->a, w->b, ip("10.2.0.2"), port, bytes, 0);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 600 * NARU_SEC, tcp_flow_done, &f);
    bool ok = tcp_flow_ok(&f);
    if (sender)
        assert_int_equal(naru_tcp_get_info(w->a, f.client.sock, sender), 0);
    tcp_flow_free(&f);
    return ok;
}

static void transfer_through_a_narrower_link_completes_with_smaller_segments(void **state)
{
    struct world *w = *state;
    struct naru_tcp_info ti;
    assert_true(transfer(w, 5001, 2000000, &ti));
    /* The router refused what did not fit, with DF set, and said so. */
    assert_true(counter(w->r, "ip_fragment_fails") >= 1);
    assert_int_equal(counter(w->r, "ip_fragmented"), 0);
    assert_int_equal(counter(w->a, "ip_pmtu_lowered"), 1);
    /* The segments were made to fit: 1000 - 20 - 20 - 12 bytes of
     * timestamps. Nothing larger than the link's MTU crossed it. */
    assert_int_equal(ti.snd_mss, 948);
    assert_true(w->largest_on_narrow <= 14 + 1000);
    assert_true(w->delivered_on_narrow > 2000000 / 948);
    /* The path is remembered: a second connection starts small, and the
     * router has nothing more to refuse. */
    uint64_t refused = counter(w->r, "ip_fragment_fails");
    assert_true(transfer(w, 5002, 500000, &ti));
    assert_int_equal(ti.snd_mss, 948);
    assert_int_equal(counter(w->r, "ip_fragment_fails"), refused);
    assert_int_equal(counter(w->a, "ip_pmtu_lowered"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(transfer_through_a_narrower_link_completes_with_smaller_segments, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
