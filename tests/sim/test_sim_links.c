/* Simulated links do what their configuration says: rate and delay set
 * the arrival time, a full queue drops, and loss (independent and in
 * bursts), reordering, duplication and corruption happen at the rates
 * asked for. Measured with UDP transfers and the link's own counts. */
#include "testnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "naru/simapp.h"
#include "sim/sim_internal.h"
#include "tcp_flow.h"
#include "wire/checksum.h"

struct pair {
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    struct naru_stack *a, *b;
    struct naru_sim_link *link;
};

static void pair_make(struct pair *p, uint64_t seed, const struct naru_sim_link_config *c)
{
    memset(p, 0, sizeof *p);
    assert_int_equal(naru_sim_create(seed, &p->sim), 0);
    p->a = naru_sim_add_stack(p->sim, "a", NULL);
    p->b = naru_sim_add_stack(p->sim, "b", NULL);
    assert_non_null(p->a);
    assert_non_null(p->b);
    assert_int_equal(naru_sim_add_link(p->sim, "ab", c, &p->link), 0);
    assert_int_equal(naru_sim_link_attach(p->link, 0, p->a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(p->link, 1, p->b, "10.0.0.2/24", NULL), 0);
    assert_int_equal(naru_sim_apps_create(p->sim, &p->apps), 0);
}

static void pair_free(struct pair *p)
{
    naru_sim_apps_destroy(p->apps);
    naru_sim_destroy(p->sim);
}

/* a learns b's MAC address, so no datagram waits for ARP (whose queue
 * would drop some) and the link counts only the transfer afterwards. */
static void resolve(struct pair *p)
{
    int tx = udp_socket(p->a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    uint8_t mac[6];
    for (int i = 0; i < 50 && naru_neighbour_lookup(p->a, 0, &to.addr, mac) < 0; i++) {
        naru_sendto(p->a, tx, "x", 1, 0, &to);
        naru_sim_run(p->sim, naru_sim_now(p->sim) + 100 * NARU_MS, NULL, NULL);
    }
    assert_int_equal(naru_neighbour_lookup(p->a, 0, &to.addr, mac), 0);
    naru_close(p->a, tx);
    naru_sim_run(p->sim, naru_sim_now(p->sim) + 100 * NARU_MS, NULL, NULL);
}

static void stats_since(const struct pair *p, const struct naru_sim_link_stats *before, struct naru_sim_link_stats *s)
{
    naru_sim_link_get_stats(p->link, 0, s);
    s->frames_sent -= before->frames_sent;
    s->frames_delivered -= before->frames_delivered;
    s->dropped_queue -= before->dropped_queue;
    s->lost -= before->lost;
    s->lost_in_burst -= before->lost_in_burst;
    s->reordered -= before->reordered;
    s->duplicated -= before->duplicated;
    s->corrupted -= before->corrupted;
}

/* `datagrams` UDP datagrams of 1000 bytes from a to b at `rate_bps`; the
 * link's counts for it in *s. */
static void udp_transfer(struct pair *p, uint64_t datagrams, uint64_t rate_bps, struct naru_sim_app_result *r,
                         struct naru_sim_link_stats *s)
{
    resolve(p);
    struct naru_sim_link_stats before;
    naru_sim_link_get_stats(p->link, 0, &before);
    struct naru_sim_app_config c = {
        .kind = NARU_SIM_UDP_TRANSFER, .from = p->a, .to = p->b, .size = 1016,
        .bytes = datagrams * 1000, .rate_bps = rate_bps, .start = naru_sim_now(p->sim) + 10 * NARU_MS,
    };
    struct naru_sim_app *app;
    assert_int_equal(naru_sim_app_add(p->apps, &c, &app), 0);
    assert_true(naru_sim_run(p->sim, naru_sim_now(p->sim) + 3600 * NARU_SEC, naru_sim_apps_finished, p->apps));
    naru_sim_app_get_result(app, r);
    assert_true(r->finished);
    stats_since(p, &before, s);
}

/* Within `sigmas` binomial standard deviations of n * prob. */
static void assert_rate(uint64_t count, uint64_t n, double prob, double sigmas)
{
    double expect = (double)n * prob, sd = sqrt((double)n * prob * (1 - prob));
    if (fabs((double)count - expect) > sigmas * sd)
        fail_msg("%llu of %llu, expected %.1f +- %.1f", (unsigned long long)count, (unsigned long long)n, expect,
                 sigmas * sd);
}

struct arrivals {
    naru_time_t sent, delivered;
    size_t len;
};

static void note_udp(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev, naru_time_t now,
                     const uint8_t *frame, size_t len)
{
    (void)link;
    struct arrivals *a = ctx;
    if (from != 0 || len < 14 + 20 || frame[14 + 9] != 17)
        return;
    if (ev == NARU_SIM_FRAME_SENT)
        a->sent = now;
    if (ev == NARU_SIM_FRAME_DELIVERED) {
        a->delivered = now;
        a->len = len;
    }
}

static void rate_and_delay_set_the_arrival_time(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 10000000, .delay = 5 * NARU_MS };
    struct pair p;
    pair_make(&p, 1, &c);
    struct arrivals seen = { 0 };
    naru_sim_set_observer(p.sim, note_udp, &seen);
    int rx = udp_socket(p.b, 9);
    int tx = udp_socket(p.a, 0);
    uint8_t data[1000] = { 0 };
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    assert_int_equal(naru_sendto(p.a, tx, data, sizeof data, 0, &to), 1000); /* resolves ARP */
    assert_true(wait_readable(p.sim, p.b, rx, NARU_SEC));
    naru_sim_run(p.sim, naru_sim_now(p.sim) + 100 * NARU_MS, NULL, NULL); /* the link goes idle */
    assert_int_equal(naru_sendto(p.a, tx, data, sizeof data, 0, &to), 1000);
    naru_sim_run(p.sim, naru_sim_now(p.sim) + NARU_SEC, NULL, NULL);
    /* 14 + 20 + 8 + 1000 bytes at 10 Mbit/s take 833.6 us to send. */
    assert_int_equal(seen.len, 1042);
    assert_int_equal(seen.delivered - seen.sent, 833600 + 5 * NARU_MS);
    pair_free(&p);
}

static void bandwidth_caps_throughput_and_the_queue_drops_the_rest(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 10000000, .delay = NARU_MS, .queue_frames = 50 };
    struct pair p;
    pair_make(&p, 2, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 5000, 20000000, &r, &s); /* twice what the link carries */
    assert_true(s.dropped_queue > 2000);
    assert_int_equal(s.queue_peak, 50);
    assert_int_equal(s.lost, 0);
    assert_true(r.intact);
    /* Payload share of 10 Mbit/s: 1016-byte datagrams in 1058-byte frames. */
    double limit = 10e6 * 1000 / 1058;
    assert_true(r.goodput_bps > 0.97 * limit && r.goodput_bps <= 1.001 * limit);
    assert_int_equal(counter(p.a, "link_tx_driver_errors"), s.dropped_queue);
    pair_free(&p);
}

static void byte_limit_bounds_the_queue(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 1000000, .queue_bytes = 10 * 1058 };
    struct pair p;
    pair_make(&p, 3, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 200, 100000000, &r, &s);
    assert_int_equal(s.queue_peak, 10);
    assert_true(s.dropped_queue > 150);
    pair_free(&p);
}

static void independent_loss_happens_at_the_configured_rate(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = NARU_MS, .loss = 0.05 };
    struct pair p;
    pair_make(&p, 4, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 20000, 50000000, &r, &s);
    assert_rate(s.lost, s.frames_sent, 0.05, 4);
    assert_int_equal(r.datagrams_lost, s.lost);
    assert_int_equal(r.datagrams_received, 20000 - s.lost);
    assert_true(r.intact);
    assert_int_equal(s.lost_in_burst, 0);
    pair_free(&p);
}

struct runs {
    uint64_t frames, lost, bursts;
    bool prev_lost, cur_lost;
};

static void note_losses(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev,
                        naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)link;
    (void)now;
    (void)frame;
    (void)len;
    struct runs *r = ctx;
    if (from != 0)
        return;
    if (ev == NARU_SIM_FRAME_SENT) {
        r->frames++;
        r->prev_lost = r->cur_lost;
        r->cur_lost = false;
    } else if (ev == NARU_SIM_FRAME_LOST) {
        /* A burst starts where the frame before got through. */
        if (!r->prev_lost)
            r->bursts++;
        r->lost++;
        r->cur_lost = true;
    }
}

static void gilbert_elliott_losses_come_in_bursts(void **state)
{
    (void)state;
    /* p = 1%, r = 25%, h = 0: mean loss p/(p+r) = 3.85%, bursts of 1/r = 4. */
    struct naru_sim_link_config c = { .rate_bps = 100000000, .ge_p = 0.01, .ge_r = 0.25 };
    struct pair p;
    pair_make(&p, 5, &c);
    struct runs runs = { 0 };
    naru_sim_set_observer(p.sim, note_losses, &runs);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 40000, 50000000, &r, &s);
    double rate = (double)s.lost / (double)s.frames_sent;
    assert_true(rate > 0.030 && rate < 0.047);
    assert_int_equal(s.lost_in_burst, s.lost);
    double mean_burst = (double)runs.lost / (double)runs.bursts;
    assert_true(mean_burst > 3.3 && mean_burst < 4.8);
    pair_free(&p);
}

static void independent_losses_are_mostly_single(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .loss = 0.0385 };
    struct pair p;
    pair_make(&p, 5, &c);
    struct runs runs = { 0 };
    naru_sim_set_observer(p.sim, note_losses, &runs);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 40000, 50000000, &r, &s);
    double mean_burst = (double)runs.lost / (double)runs.bursts;
    assert_true(mean_burst < 1.1);
    pair_free(&p);
}

static void reordering_lets_later_datagrams_overtake(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = NARU_MS, .reorder = 0.1,
                                      .reorder_delay = 2 * NARU_MS };
    struct pair p;
    pair_make(&p, 6, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 10000, 40000000, &r, &s); /* one every 200 us: 10 pass each held one */
    assert_rate(s.reordered, s.frames_sent, 0.1, 4);
    assert_int_equal(r.datagrams_received, 10000);
    assert_int_equal(r.datagrams_lost, 0);
    /* Each held datagram arrives behind the ones that passed it. */
    assert_true(r.reordered >= s.reordered * 9 / 10 && r.reordered <= s.reordered);
    assert_true(r.intact);
    pair_free(&p);
}

static void duplication_delivers_some_datagrams_twice(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = NARU_MS, .duplicate = 0.05 };
    struct pair p;
    pair_make(&p, 7, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 10000, 40000000, &r, &s);
    assert_rate(s.duplicated, s.frames_sent, 0.05, 4);
    assert_int_equal(r.duplicates, s.duplicated);
    assert_int_equal(r.datagrams_lost, 0);
    assert_int_equal(s.frames_delivered, s.frames_sent + s.duplicated);
    pair_free(&p);
}

static void corruption_is_caught_by_checksums_and_counted(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = NARU_MS, .corrupt = 0.05 };
    struct pair p;
    pair_make(&p, 8, &c);
    struct naru_sim_app_result r;
    struct naru_sim_link_stats s;
    udp_transfer(&p, 10000, 40000000, &r, &s);
    assert_rate(s.corrupted, s.frames_sent, 0.05, 4);
    /* Not one altered byte reached the application ... */
    assert_true(r.intact);
    assert_int_equal(r.datagrams_received, 10000 - s.corrupted);
    /* ... because every corrupted frame was dropped, and counted, by IP or UDP. */
    uint64_t caught = counter(p.b, "ip_rx_checksum_errors") + counter(p.b, "ip_rx_header_errors") +
                      counter(p.b, "ip_rx_length_errors") + counter(p.b, "udp_rx_malformed");
    assert_int_equal(caught, s.corrupted);
    pair_free(&p);
}

struct tcp_sums {
    unsigned seen, bad;
};

static void check_tcp_sum(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev,
                          naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)link, (void)from, (void)now;
    struct tcp_sums *t = ctx;
    if (ev != NARU_SIM_FRAME_SENT || len < 14 + 20 + 20 || frame[12] != 0x08 || frame[13] != 0x00 || frame[23] != 6)
        return;
    const uint8_t *ip = frame + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = (size_t)ip[2] << 8 | ip[3];
    uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
    uint32_t dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
    uint16_t seg = (uint16_t)(total - ihl);
    t->seen++;
    if (inet_fold(inet_sum(ip + ihl, seg, inet_pseudo_sum(src, dst, 6, seg))) != 0)
        t->bad++;
}

/* Links take TCP checksums left partial (as veth does), but whatever looks
 * at a frame on the wire, an observer or a capture, sees it whole. */
static void tcp_frames_seen_on_a_link_carry_whole_checksums(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = NARU_MS };
    struct pair p;
    pair_make(&p, 12, &c);
    tcp_flow_resolve(p.sim, p.a, ip("10.0.0.1"), p.b, ip("10.0.0.2"));
    struct tcp_sums sums = { 0 };
    naru_sim_set_observer(p.sim, check_tcp_sum, &sums);
    struct tcp_flow f = { .close_when_done = true };
    tcp_flow_start(&f, p.sim, p.a, p.b, ip("10.0.0.2"), 5001, 300000, 300000);
    naru_sim_run(p.sim, naru_sim_now(p.sim) + 60 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    assert_true(sums.seen > 200);
    assert_int_equal(sums.bad, 0);
    tcp_flow_free(&f);
    pair_free(&p);
}

static void count_frames(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev,
                         naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)link, (void)from, (void)now, (void)frame, (void)len;
    if (ev == NARU_SIM_FRAME_SENT)
        ++*(uint64_t *)ctx;
}

/* Frames in flight to a stack sit in buffers the simulator lends, which
 * the stack takes in without a copy: every one comes back, whether lost on
 * the wire, dropped by a full queue, duplicated, held back to be
 * reordered, or taken in and freed by the stack. With an observer, a TCP
 * frame is copied (to complete its checksum) before the queue may drop it. */
static void lent_frame_buffers_all_come_back_after_loss_and_queue_drops(void **state)
{
    (void)state;
    for (int observed = 0; observed < 2; observed++) {
        struct naru_sim_link_config c = { .rate_bps = 20000000, .delay = 5 * NARU_MS, .queue_frames = 16,
                                          .loss = 0.03, .duplicate = 0.02, .reorder = 0.02 };
        struct pair p;
        pair_make(&p, 21, &c);
        uint64_t sent = 0;
        if (observed)
            naru_sim_set_observer(p.sim, count_frames, &sent);
        tcp_flow_resolve(p.sim, p.a, ip("10.0.0.1"), p.b, ip("10.0.0.2"));
        struct tcp_flow f = { .close_when_done = true };
        tcp_flow_start(&f, p.sim, p.a, p.b, ip("10.0.0.2"), 5001, 2000000, 2000000);
        /* And UDP at twice the link's rate, for the queue to drop. */
        struct naru_sim_app_config u = {
            .kind = NARU_SIM_UDP_TRANSFER, .from = p.a, .to = p.b, .size = 1016,
            .bytes = 2000 * 1000, .rate_bps = 40000000, .start = naru_sim_now(p.sim) + 100 * NARU_MS,
        };
        struct naru_sim_app *app;
        assert_int_equal(naru_sim_app_add(p.apps, &u, &app), 0);
        /* Mid-transfer: frames are on the wire, in lent buffers. */
        naru_sim_run(p.sim, naru_sim_now(p.sim) + 300 * NARU_MS, NULL, NULL);
        assert_true(p.sim->lent.in_use > 0);
        naru_sim_run(p.sim, naru_sim_now(p.sim) + 600 * NARU_SEC, tcp_flow_done, &f);
        assert_true(tcp_flow_ok(&f));
        assert_true(naru_sim_run(p.sim, naru_sim_now(p.sim) + 600 * NARU_SEC, naru_sim_apps_finished, p.apps));
        struct naru_sim_link_stats s;
        naru_sim_link_get_stats(p.link, 0, &s);
        assert_true(s.lost > 10);
        assert_true(s.dropped_queue > 10);
        assert_true(s.duplicated > 5);
        assert_true(s.reordered > 5);
        assert_true(!observed || sent > 1000);
        tcp_flow_free(&f);
        /* Past TIME_WAIT: nothing is held anywhere. */
        naru_sim_run(p.sim, naru_sim_now(p.sim) + 300 * NARU_SEC, NULL, NULL);
        assert_int_equal(naru_stack_buffers_in_use(p.a), 0);
        assert_int_equal(naru_stack_buffers_in_use(p.b), 0);
        assert_int_equal(p.sim->lent.in_use, 0);
        assert_true(p.sim->lent.carved > 10);
        pair_free(&p);
    }
}

/* A router sends a frame it forwards on in the buffer it was lent, with
 * no copy, and a host what it sends in the lender's buffer it wrote it in
 * (pbuf_pools_borrow_from), where the next link neither captures, shows
 * nor impairs it;
 * the data arrives intact and every buffer comes back. With an observer
 * (or a capture, or impairments) each hop copies, as before. */
static void a_router_forwards_frames_in_the_buffers_it_was_lent(void **state)
{
    (void)state;
    for (int observed = 0; observed < 2; observed++) {
        struct naru_sim *sim;
        assert_int_equal(naru_sim_create(5, &sim), 0);
        struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *r = naru_sim_add_stack(sim, "r", NULL),
                          *b = naru_sim_add_stack(sim, "b", NULL);
        struct naru_memlink_config link = { .rate_bps = 100000000, .delay = 2 * NARU_MS };
        int a_if, b_if;
        assert_int_equal(naru_sim_connect(sim, a, "10.1.0.2/24", r, "10.1.0.1/24", &link, &a_if, NULL), 0);
        assert_int_equal(naru_sim_connect(sim, r, "10.2.0.1/24", b, "10.2.0.2/24", &link, NULL, &b_if), 0);
        struct naru_addr any = naru_addr_v4(0), ra = naru_addr_v4(ip("10.1.0.1")), rb = naru_addr_v4(ip("10.2.0.1"));
        assert_int_equal(naru_route_add(a, &any, 0, &ra, a_if), 0);
        assert_int_equal(naru_route_add(b, &any, 0, &rb, b_if), 0);
        naru_stack_set_forwarding(r, true);
        uint64_t sent = 0;
        if (observed)
            naru_sim_set_observer(sim, count_frames, &sent);
        struct tcp_flow f = { .close_when_done = true };
        tcp_flow_start(&f, sim, a, b, ip("10.2.0.2"), 5001, 2000000, 300000);
        naru_sim_run(sim, naru_sim_now(sim) + 600 * NARU_SEC, tcp_flow_done, &f);
        assert_true(tcp_flow_ok(&f));
        uint64_t forwarded = counter(r, "ip_forwarded");
        assert_true(forwarded > (2000000 + 300000) / 1448);
        if (observed) {
            assert_int_equal(sim->handed_on, 0);
        } else {
            /* Every full-sized segment, each way, on both hops: the
             * router's, and its sender's in the buffer it borrowed. */
            assert_true(sim->handed_on >= 2 * ((2000000 + 300000) / 1448));
            assert_true(sim->handed_on <= sim->transmissions);
        }
        tcp_flow_free(&f);
        naru_sim_run(sim, naru_sim_now(sim) + 300 * NARU_SEC, NULL, NULL);
        assert_int_equal(naru_stack_buffers_in_use(a), 0);
        assert_int_equal(naru_stack_buffers_in_use(r), 0);
        assert_int_equal(naru_stack_buffers_in_use(b), 0);
        assert_int_equal(sim->lent.in_use, 0);
        naru_sim_destroy(sim);
    }
}

static void mtu_sets_the_interfaces_and_ip_fragments_to_fit(void **state)
{
    (void)state;
    struct naru_sim_link_config c = { .mtu = 576, .delay = NARU_MS };
    struct pair p;
    pair_make(&p, 9, &c);
    assert_int_equal(naru_if_mtu(p.a, 0), 576);
    int rx = udp_socket(p.b, 9);
    int tx = udp_socket(p.a, 0);
    static uint8_t data[1400], got[1500];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    assert_int_equal(naru_sendto(p.a, tx, data, sizeof data, 0, &to), 1400);
    assert_true(wait_readable(p.sim, p.b, rx, NARU_SEC));
    assert_int_equal(naru_recv(p.b, rx, got, sizeof got, 0), 1400);
    assert_memory_equal(got, data, 1400);
    assert_int_equal(counter(p.a, "ip_fragments_created"), 3);
    struct naru_sim_link_stats s;
    naru_sim_link_get_stats(p.link, 0, &s);
    assert_int_equal(s.dropped_too_big, 0);
    pair_free(&p);
}

static void bad_link_configurations_are_refused(void **state)
{
    (void)state;
    struct naru_sim *sim;
    struct naru_sim_link *l;
    assert_int_equal(naru_sim_create(1, &sim), 0);
    struct naru_sim_link_config bad_loss = { .loss = 1.5 };
    struct naru_sim_link_config bad_mtu = { .mtu = 40 };
    struct naru_sim_link_config nan_dup = { .duplicate = NAN };
    assert_int_equal(naru_sim_add_link(sim, "x", &bad_loss, &l), -EINVAL);
    assert_int_equal(naru_sim_add_link(sim, "x", &bad_mtu, &l), -EINVAL);
    assert_int_equal(naru_sim_add_link(sim, "x", &nan_dup, &l), -EINVAL);
    assert_int_equal(naru_sim_add_link(sim, "x", NULL, &l), 0);
    assert_int_equal(naru_sim_add_link(sim, "x", NULL, &l), -EEXIST);
    naru_sim_destroy(sim);
}

static void an_interface_may_have_addresses_of_both_families(void **state)
{
    (void)state;
    struct naru_sim *sim;
    struct naru_sim_link *l;
    assert_int_equal(naru_sim_create(1, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *b = naru_sim_add_stack(sim, "b", NULL);
    assert_int_equal(naru_sim_add_link(sim, "ab", NULL, &l), 0);
    int ifindex;
    assert_int_equal(naru_sim_link_attach(l, 0, a, "10.0.0.1/24 2001:db8::1/64", &ifindex), 0);
    struct naru_if_addr got[4];
    int n = naru_if_get_addrs(a, ifindex, got, 4);
    assert_true(n >= 2 && n <= 4); /* and a link-local address, when the IPv6 layer makes one */
    assert_int_equal(got[0].addr.v4, ip("10.0.0.1"));
    bool found = false;
    char text[NARU_ADDR_STRLEN];
    for (int i = 1; i < n; i++)
        if (strcmp(naru_addr_format(&got[i].addr, text), "2001:db8::1") == 0)
            found = got[i].prefix_len == 64;
    assert_true(found);
    /* A bad address anywhere in the list: no interface at all. */
    assert_int_equal(naru_sim_link_attach(l, 1, b, "10.0.0.2/24, 2001:db8::/129", NULL), -EINVAL);
    assert_int_equal(naru_sim_link_attach(l, 1, b, "0.0.0.0/24", NULL), -EINVAL);
    assert_int_equal(naru_if_count(b), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, b, "2001:db8::2/64", NULL), 0);
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_interface_may_have_addresses_of_both_families),
        cmocka_unit_test(rate_and_delay_set_the_arrival_time),
        cmocka_unit_test(bandwidth_caps_throughput_and_the_queue_drops_the_rest),
        cmocka_unit_test(byte_limit_bounds_the_queue),
        cmocka_unit_test(independent_loss_happens_at_the_configured_rate),
        cmocka_unit_test(gilbert_elliott_losses_come_in_bursts),
        cmocka_unit_test(independent_losses_are_mostly_single),
        cmocka_unit_test(reordering_lets_later_datagrams_overtake),
        cmocka_unit_test(duplication_delivers_some_datagrams_twice),
        cmocka_unit_test(corruption_is_caught_by_checksums_and_counted),
        cmocka_unit_test(tcp_frames_seen_on_a_link_carry_whole_checksums),
        cmocka_unit_test(lent_frame_buffers_all_come_back_after_loss_and_queue_drops),
        cmocka_unit_test(a_router_forwards_frames_in_the_buffers_it_was_lent),
        cmocka_unit_test(mtu_sets_the_interfaces_and_ip_fragments_to_fit),
        cmocka_unit_test(bad_link_configurations_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
