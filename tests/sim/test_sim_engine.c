/* The simulation engine: events in time order, stack timers driven by the
 * event queue, learning switches, routers answering with TTL expiry, one
 * seed giving one run (byte-identical captures), and many stacks at once.
 * The traffic comes from sockets and the engine's own timers: no
 * application is needed to test the engine. */
#define _GNU_SOURCE /* scandir, mkdtemp */
#include "testnet.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ---- time ---- */

struct order_log {
    struct naru_sim *sim;
    int seen[8];
    naru_time_t at[8];
    int count;
};

struct order_mark {
    struct order_log *log;
    int id;
};

static void mark(void *ctx)
{
    struct order_mark *m = ctx;
    m->log->at[m->log->count] = naru_sim_now(m->log->sim);
    m->log->seen[m->log->count++] = m->id;
}

static void timers_fire_in_time_order_and_ties_in_the_order_set(void **state)
{
    (void)state;
    struct order_log log = { 0 };
    assert_int_equal(naru_sim_create(1, &log.sim), 0);
    struct naru_stack *s = naru_sim_add_stack(log.sim, "s", NULL);
    struct order_mark m[4] = { { &log, 0 }, { &log, 1 }, { &log, 2 }, { &log, 3 } };
    naru_sim_at(log.sim, 30 * NARU_MS, mark, &m[0]);
    naru_sim_at_stack(log.sim, s, 10 * NARU_MS, mark, &m[1]);
    naru_sim_at(log.sim, 10 * NARU_MS, mark, &m[2]);
    naru_sim_at(log.sim, 20 * NARU_MS, mark, &m[3]);
    assert_false(naru_sim_run(log.sim, NARU_SEC, NULL, NULL));
    assert_int_equal(log.count, 4);
    int expect[4] = { 1, 2, 3, 0 };
    for (int i = 0; i < 4; i++)
        assert_int_equal(log.seen[i], expect[i]);
    assert_int_equal(log.at[0], 10 * NARU_MS);
    assert_int_equal(log.at[3], 30 * NARU_MS);
    /* Idle: time jumps to the end of the run, and every stack with it. */
    assert_int_equal(naru_sim_now(log.sim), NARU_SEC);
    assert_int_equal(naru_stack_now(s), NARU_SEC);
    naru_sim_destroy(log.sim);
}

static bool after_two(void *ctx)
{
    struct order_log *log = ctx;
    return log->count >= 2;
}

static void run_stops_when_done_says_so(void **state)
{
    (void)state;
    struct order_log log = { 0 };
    assert_int_equal(naru_sim_create(1, &log.sim), 0);
    struct order_mark m[3] = { { &log, 0 }, { &log, 1 }, { &log, 2 } };
    for (int i = 0; i < 3; i++)
        naru_sim_at(log.sim, (naru_time_t)(i + 1) * NARU_MS, mark, &m[i]);
    assert_true(naru_sim_run(log.sim, NARU_SEC, after_two, &log));
    assert_int_equal(naru_sim_now(log.sim), 2 * NARU_MS);
    assert_false(naru_sim_run(log.sim, NARU_SEC, NULL, NULL));
    assert_int_equal(log.count, 3);
    naru_sim_destroy(log.sim);
}

static void stack_timers_run_with_nothing_else_happening(void **state)
{
    (void)state;
    /* An address nobody has: ARP retries on the stack's own timers, then
     * gives up and drops what waited, all through the event queue. */
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(3, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL);
    struct naru_stack *b = naru_sim_add_stack(sim, "b", NULL);
    assert_int_equal(naru_sim_connect(sim, a, "10.0.0.1/24", b, "10.0.0.2/24", NULL, NULL, NULL), 0);
    int tx = udp_socket(a, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.99")), .port = 9 };
    assert_int_equal(naru_sendto(a, tx, "x", 1, 0, &to), 1);
    naru_sim_run(sim, 10 * NARU_SEC, NULL, NULL);
    assert_true(counter(a, "arp_tx_requests") >= 3);
    assert_int_equal(counter(a, "arp_resolution_failed"), 1);
    assert_int_equal(naru_stack_buffers_in_use(a), 0);
    naru_sim_destroy(sim);
}

/* ---- traffic: echo requests on a ping socket, from the engine's timers ---- */

struct pinger {
    struct naru_sim *sim;
    struct naru_stack *from;
    uint32_t dst;
    int sock;
    unsigned count, sent, replies;
    naru_time_t interval;
};

static void pinger_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct pinger *p = ctx;
    uint8_t buf[128];
    long n;
    while ((n = naru_recvfrom(stack, sock, buf, sizeof buf, 0, NULL)) >= 0)
        p->replies += n >= 8 && buf[0] == 0; /* an echo reply */
}

static void pinger_send(void *ctx)
{
    struct pinger *p = ctx;
    uint8_t request[8 + 56] = { 8 }; /* echo request; the stack sets id and checksum */
    request[7] = (uint8_t)++p->sent;
    struct naru_sockaddr to = { .addr = naru_addr_v4(p->dst), .port = 0 };
    assert_int_equal(naru_sendto(p->from, p->sock, request, sizeof request, 0, &to), (long)sizeof request);
    if (p->sent < p->count)
        assert_int_equal(naru_sim_at_stack(p->sim, p->from, naru_sim_now(p->sim) + p->interval, pinger_send, p), 0);
}

static void pinger_start(struct pinger *p, struct naru_sim *sim, struct naru_stack *from, uint32_t dst, unsigned count,
                         naru_time_t interval, naru_time_t start)
{
    *p = (struct pinger){ .sim = sim, .from = from, .dst = dst, .count = count, .interval = interval };
    p->sock = naru_socket(from, NARU_SOCK_PING);
    assert_true(p->sock >= 0);
    naru_socket_set_callback(from, p->sock, pinger_readable, p);
    assert_int_equal(naru_sim_at_stack(sim, from, start, pinger_send, p), 0);
}

struct pingers {
    struct pinger *all;
    unsigned count;
};

static bool all_answered(void *ctx)
{
    struct pingers *ps = ctx;
    for (unsigned i = 0; i < ps->count; i++)
        if (ps->all[i].replies < ps->all[i].count)
            return false;
    return true;
}

/* ---- switches ---- */

struct by_link {
    struct naru_sim_link *watch;
    unsigned delivered_to_far_end, unicast_ip;
};

static void count_link(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev, naru_time_t now,
                       const uint8_t *frame, size_t len)
{
    (void)now;
    struct by_link *b = ctx;
    /* Frames the switch sent down to the watched host (end 1 is the host). */
    if (link != b->watch || from != 0 || ev != NARU_SIM_FRAME_DELIVERED)
        return;
    b->delivered_to_far_end++;
    if (len >= 14 && !(frame[0] & 1) && frame[12] == 0x08 && frame[13] == 0x00)
        b->unicast_ip++;
}

static void switch_floods_broadcasts_and_forwards_what_it_learnt(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(4, &sim), 0);
    struct naru_sim_switch *sw = naru_sim_add_switch(sim, "sw");
    struct naru_stack *h[3];
    struct naru_sim_link *l[3];
    const char *addr[3] = { "10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24" };
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof name, "h%d", i);
        h[i] = naru_sim_add_stack(sim, name, NULL);
        struct naru_sim_link_config c = { .rate_bps = 100000000, .delay = 10 * NARU_US };
        assert_int_equal(naru_sim_add_link(sim, name, &c, &l[i]), 0);
        assert_int_equal(naru_sim_link_attach_switch(l[i], 0, sw), 0);
        assert_int_equal(naru_sim_link_attach(l[i], 1, h[i], addr[i], NULL), 0);
    }
    naru_sim_run(sim, 100 * NARU_MS, NULL, NULL); /* gratuitous ARPs go everywhere */
    struct by_link watch = { .watch = l[2] };
    naru_sim_set_observer(sim, count_link, &watch);
    struct pinger ping;
    pinger_start(&ping, sim, h[0], ip("10.0.0.2"), 3, 10 * NARU_MS, naru_sim_now(sim));
    struct pingers all = { &ping, 1 };
    assert_true(naru_sim_run(sim, naru_sim_now(sim) + 10 * NARU_SEC, all_answered, &all));
    assert_int_equal(ping.replies, 3);
    /* h2 heard the ARP request (broadcast) and nothing of the pings. */
    assert_int_equal(watch.delivered_to_far_end, 1);
    assert_int_equal(watch.unicast_ip, 0);
    naru_close(h[0], ping.sock);
    naru_sim_destroy(sim);
}

/* ---- routers ---- */

struct chain {
    struct naru_sim *sim;
    struct naru_stack *client, *r[3], *server;
};

/* client - r1 - r2 - r3 - server, each link its own /24. */
static void chain_make(struct chain *w, uint64_t seed, const struct naru_sim_link_config *core)
{
    assert_int_equal(naru_sim_create(seed, &w->sim), 0);
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    for (int i = 0; i < 3; i++) {
        char name[4] = { 'r', (char)('1' + i), 0 };
        w->r[i] = naru_sim_add_router(w->sim, name, NULL);
    }
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    struct naru_stack *order[5] = { w->client, w->r[0], w->r[1], w->r[2], w->server };
    for (int i = 0; i < 4; i++) {
        char a[20], b[20], name[8];
        snprintf(a, sizeof a, "10.0.%d.1/24", i);
        snprintf(b, sizeof b, "10.0.%d.2/24", i);
        snprintf(name, sizeof name, "l%d", i);
        struct naru_sim_link *l;
        assert_int_equal(naru_sim_add_link(w->sim, name, core, &l), 0);
        assert_int_equal(naru_sim_link_attach(l, 0, order[i], a, NULL), 0);
        assert_int_equal(naru_sim_link_attach(l, 1, order[i + 1], b, NULL), 0);
    }
    /* Everything to the right goes right, everything else left. */
    assert_int_equal(naru_route_add(w->client, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.0.2") }, 0), 0);
    for (int i = 0; i < 3; i++) {
        char right[16], left[16];
        snprintf(right, sizeof right, "10.0.%d.2", i + 1);
        snprintf(left, sizeof left, "10.0.%d.1", i);
        for (int net = i + 2; net < 4; net++) {
            uint32_t dst = ip("10.0.0.0") | (uint32_t)net << 8;
            assert_int_equal(naru_route_add(w->r[i], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = dst }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip(right) }, 1), 0);
        }
        for (int net = 0; net < i; net++) {
            uint32_t dst = ip("10.0.0.0") | (uint32_t)net << 8;
            assert_int_equal(naru_route_add(w->r[i], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = dst }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip(left) }, 0), 0);
        }
    }
    assert_int_equal(naru_route_add(w->server, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.0.3.1") }, 0), 0);
}

static void chain_free(struct chain *w)
{
    naru_sim_destroy(w->sim);
}

struct answer {
    bool got;
    struct naru_icmp_error e;
};

static void on_error(void *ctx, struct naru_stack *stack, int sock)
{
    struct answer *a = ctx;
    if (naru_recv_error(stack, sock, &a->e) == 0)
        a->got = true;
}

static bool answered(void *ctx)
{
    return ((struct answer *)ctx)->got;
}

/* A datagram whose TTL runs out at a router comes back as ICMP time
 * exceeded from that router; the one that reaches the server, as port
 * unreachable from it. */
static void each_router_answers_when_the_ttl_runs_out_there(void **state)
{
    (void)state;
    struct chain w;
    struct naru_sim_link_config c = { .rate_bps = 10000000, .delay = 5 * NARU_MS };
    chain_make(&w, 5, &c);
    int sock = udp_socket(w.client, 0);
    assert_int_equal(naru_setsockopt(w.client, sock, NARU_SO_RECVERR, 1), 0);
    struct answer a;
    naru_socket_set_callback(w.client, sock, on_error, &a);
    const char *expect[4] = { "10.0.0.2", "10.0.1.2", "10.0.2.2", "10.0.3.2" };
    for (int ttl = 1; ttl <= 4; ttl++) {
        for (int probe = 0; probe < 2; probe++) { /* the second after ARP is done everywhere */
            a.got = false;
            assert_int_equal(naru_setsockopt(w.client, sock, NARU_IP_TTL, ttl), 0);
            struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.3.2")), .port = (uint16_t)(33434 + 2 * ttl + probe) };
            naru_time_t sent = naru_sim_now(w.sim);
            assert_int_equal(naru_sendto(w.client, sock, "probe", 5, 0, &to), 5);
            assert_true(naru_sim_run(w.sim, sent + 10 * NARU_SEC, answered, &a));
            assert_int_equal(a.e.offender.v4, ip(expect[ttl - 1]));
            assert_int_equal(a.e.type, ttl < 4 ? 11 : 3);   /* time exceeded, or unreachable */
            assert_int_equal(a.e.code, ttl < 4 ? 0 : 3);    /* in transit; port */
            assert_int_equal(a.e.dst.port, to.port);
            /* Each hop is 10 ms further away, there and back. */
            if (probe == 1)
                assert_true(a.e.when - sent >= (naru_time_t)ttl * 10 * NARU_MS &&
                            a.e.when - sent < (naru_time_t)ttl * 10 * NARU_MS + NARU_MS);
        }
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(counter(w.r[i], "ip_ttl_exceeded"), 2); /* its own hop's probes, no others */
    assert_int_equal(counter(w.server, "udp_rx_no_port"), 2);
    naru_close(w.client, sock);
    chain_free(&w);
}

static void ping_crosses_three_routers_with_ttl_falling(void **state)
{
    (void)state;
    struct chain w;
    struct naru_sim_link_config c = { .rate_bps = 10000000, .delay = 5 * NARU_MS };
    chain_make(&w, 6, &c);
    int rx = udp_socket(w.server, 7);
    int tx = udp_socket(w.client, 0);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.3.2")), .port = 7 };
    assert_int_equal(naru_sendto(w.client, tx, "hop", 3, 0, &to), 3);
    assert_true(wait_readable(w.sim, w.server, rx, NARU_SEC));
    char buf[8];
    struct naru_recv_info info;
    assert_int_equal(naru_recv_info(w.server, rx, buf, sizeof buf, 0, &info), 3);
    assert_int_equal(info.hop_limit, 64 - 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(counter(w.r[i], "ip_forwarded"), 1);
    chain_free(&w);
}

/* ---- determinism ---- */

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* One hash over every capture file of a run, in name order. */
static uint64_t captures_hash(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n > 2);
    uint64_t h = 0xcbf29ce484222325ull;
    int files = 0;
    for (int i = 0; i < n; i++) {
        if (strstr(names[i]->d_name, ".pcap")) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            FILE *f = fopen(path, "rb");
            assert_non_null(f);
            uint8_t buf[4096];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, f)) > 0)
                h = fnv1a(h, buf, got);
            fclose(f);
            h = fnv1a(h, (const uint8_t *)names[i]->d_name, strlen(names[i]->d_name));
            files++;
            unlink(path);
        }
        free(names[i]);
    }
    free(names);
    assert_int_equal(files, 4);
    return h;
}

/* A datagram of 1000 bytes to the server's port 5001, and the next one. */
static void stream_send(void *ctx)
{
    struct pinger *p = ctx;
    uint8_t data[1000];
    memset(data, (int)p->sent, sizeof data);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.3.2")), .port = 5001 };
    naru_sendto(p->from, p->sock, data, sizeof data, 0, &to); /* the queue may refuse it */
    if (++p->sent < p->count)
        assert_int_equal(naru_sim_at_stack(p->sim, p->from, naru_sim_now(p->sim) + p->interval, stream_send, p), 0);
}

static uint64_t impaired_run(uint64_t seed)
{
    char dir[] = "/tmp/naru-sim-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct chain w;
    struct naru_sim_link_config c = { .rate_bps = 10000000, .delay = 2 * NARU_MS, .loss = 0.05,
                                      .reorder = 0.05, .duplicate = 0.02, .corrupt = 0.02, .queue_frames = 20 };
    chain_make(&w, seed, &c);
    assert_int_equal(naru_sim_capture(w.sim, dir), 0);
    /* Echo requests, and a stream of datagrams at 12 Mbit/s beside them. */
    struct pinger ping, stream;
    pinger_start(&ping, w.sim, w.client, ip("10.0.3.2"), 20, 50 * NARU_MS, 0);
    int sink = udp_socket(w.server, 5001);
    stream = (struct pinger){ .sim = w.sim, .from = w.client, .count = 300, .interval = 667 * NARU_US };
    stream.sock = udp_socket(w.client, 0);
    assert_int_equal(naru_sim_at_stack(w.sim, w.client, 100 * NARU_MS, stream_send, &stream), 0);
    naru_sim_run(w.sim, 10 * NARU_SEC, NULL, NULL);
    assert_true(ping.replies > 0 && stream.sent == 300);
    assert_int_equal(naru_sim_capture_close(w.sim), 0);
    naru_close(w.client, ping.sock);
    naru_close(w.client, stream.sock);
    naru_close(w.server, sink);
    chain_free(&w);
    uint64_t h = captures_hash(dir);
    rmdir(dir);
    return h;
}

static void one_seed_gives_byte_identical_captures(void **state)
{
    (void)state;
    assert_true(impaired_run(11) == impaired_run(11));
}

static void another_seed_gives_other_captures(void **state)
{
    (void)state;
    assert_true(impaired_run(11) != impaired_run(12));
}

/* ---- scale ---- */

static void a_thousand_stacks_share_one_process(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(8, &sim), 0);
    enum { PAIRS = 500 };
    struct naru_stack *a[PAIRS];
    static struct pinger ping[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        char na[16], nb[16], aa[24], ab[24];
        snprintf(na, sizeof na, "a%d", i);
        snprintf(nb, sizeof nb, "b%d", i);
        a[i] = naru_sim_add_stack(sim, na, NULL);
        struct naru_stack *b = naru_sim_add_stack(sim, nb, NULL);
        assert_non_null(a[i]);
        assert_non_null(b);
        snprintf(aa, sizeof aa, "10.%d.%d.1/30", i / 256, i % 256);
        snprintf(ab, sizeof ab, "10.%d.%d.2/30", i / 256, i % 256);
        struct naru_memlink_config c = { .delay = NARU_MS };
        assert_int_equal(naru_sim_connect(sim, a[i], aa, b, ab, &c, NULL, NULL), 0);
        pinger_start(&ping[i], sim, a[i], naru_ip4(10, (uint8_t)(i / 256), (uint8_t)(i % 256), 2), 3,
                     100 * NARU_MS, (naru_time_t)i * NARU_US);
    }
    assert_int_equal(naru_sim_stack_count(sim), 2 * PAIRS);
    struct pingers all = { ping, PAIRS };
    assert_true(naru_sim_run(sim, 60 * NARU_SEC, all_answered, &all));
    for (int i = 0; i < PAIRS; i++) {
        assert_int_equal(ping[i].replies, 3);
        naru_close(a[i], ping[i].sock);
    }
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_fire_in_time_order_and_ties_in_the_order_set),
        cmocka_unit_test(run_stops_when_done_says_so),
        cmocka_unit_test(stack_timers_run_with_nothing_else_happening),
        cmocka_unit_test(switch_floods_broadcasts_and_forwards_what_it_learnt),
        cmocka_unit_test(each_router_answers_when_the_ttl_runs_out_there),
        cmocka_unit_test(ping_crosses_three_routers_with_ttl_falling),
        cmocka_unit_test(one_seed_gives_byte_identical_captures),
        cmocka_unit_test(another_seed_gives_other_captures),
        cmocka_unit_test(a_thousand_stacks_share_one_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
