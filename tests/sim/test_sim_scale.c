/* Scenarios at scale: routes computed for you (routing = shortest) against
 * a brute-force answer, a generated world of a thousand nodes run twice
 * to the same bytes, and the compact syntax's errors and route loops found
 * with file and line however big the world. */
#define _GNU_SOURCE
#include "testnet.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ip/route.h"
#include "naru/scenario.h"
#include "sim/scenario_model.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp/tcp_buffer.h"
#include "tcp/tcp_conn.h"

/* A growing string for generated scenarios. */
struct text {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static struct naru_scenario *parsed(const char *text)
{
    char error[512];
    struct naru_scenario *sc = NULL;
    if (naru_scenario_parse("world.ini", text, &sc, error, sizeof error) != 0)
        fail_msg("%s", error);
    return sc;
}

static uint64_t rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* The node whose interface holds `addr`. */
static uint32_t owner(const struct naru_scenario *sc, const struct naru_addr *addr, uint32_t *link)
{
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        if (naru_addr_equal(&sc->ifaces[i].addr, addr)) {
            *link = sc->ifaces[i].link;
            return sc->ifaces[i].node;
        }
    }
    fail_msg("no interface holds the gateway");
    return SC_NONE;
}

static bool on_network(const struct naru_scenario *sc, uint32_t node, uint32_t net)
{
    const struct sc_network *nw = &sc->networks[net];
    for (uint32_t k = 0; k < nw->iface_count; k++)
        if (sc->ifaces[sc->net_ifaces[nw->first_iface + k]].node == node)
            return true;
    return false;
}

/* Node `at`'s gateway towards an address of network `net` (the route the
 * stack was given), or fails when it has none. */
static struct naru_addr gateway_towards(const struct naru_scenario *sc, uint32_t at, const struct sc_network *nw)
{
    if (nw->prefix_addr.family == NARU_AF_INET) {
        const struct route *r = route_lookup(sc->nodes[at].stack, nw->prefix_addr.v4 | 1);
        assert_non_null(r);
        assert_int_not_equal(r->gateway, 0);
        return naru_addr_v4(r->gateway);
    }
    uint8_t dst[16];
    memcpy(dst, nw->prefix_addr.v6, 16);
    dst[15] |= 1;
    const struct route6 *r = route6_lookup(sc->nodes[at].stack, dst);
    assert_non_null(r);
    assert_int_equal(r->gateway.family, NARU_AF_INET6);
    return r->gateway;
}

/* Random connected graphs of routers with hosts hung on them, dual-stack
 * (every link has an IPv4 and an IPv6 network): following the tables the
 * stacks were given, hop by hop, from every node to every network of either
 * family, takes as long (in link delay) as the shortest path Floyd-Warshall
 * finds through routers, and never loops. */
static void shortest_routes_match_floyd_warshall(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    enum { MAXN = 24 };
    uint64_t x = 2026;
    unsigned long families[2] = { 0, 0 };
    for (int round = 0; round < 25; round++) {
        int routers = 3 + (int)(rnd(&x) % 10), hosts = 1 + (int)(rnd(&x) % 8), n = routers + hosts;
        static int64_t dist[MAXN][MAXN];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                dist[i][j] = i == j ? 0 : INT64_MAX / 4;
        struct text t = { 0 };
        put(&t, "[scenario]\nrouting = shortest\n[router r0..r%d]\n[host h0..h%d]\n", routers - 1, hosts - 1);
        static bool joined[MAXN][MAXN];
        memset(joined, 0, sizeof joined);
        int links = 0;
        /* A random tree, then random extra links. */
        for (int v = 0; v < routers + routers / 2 + 1; v++) {
            int a = v < routers - 1 ? v + 1 : (int)(rnd(&x) % (uint64_t)routers);
            int b = v < routers - 1 ? (int)(rnd(&x) % (uint64_t)(v + 1)) : (int)(rnd(&x) % (uint64_t)routers);
            if (a == b || joined[a][b])
                continue;
            joined[a][b] = joined[b][a] = true;
            int64_t us = 1 + (int64_t)(rnd(&x) % 50) * 100;
            put(&t, "[link e%d]\na = r%d 10.%d.0.1/30 2001:db8:%d::1/64\nb = r%d 10.%d.0.2/30 2001:db8:%d::2/64\n"
                    "delay = %lldus\n",
                links, a, links + 1, links + 1, b, links + 1, links + 1, (long long)us);
            links++;
            if (us * 1000 < dist[a][b])
                dist[a][b] = dist[b][a] = us * 1000;
        }
        for (int h = 0; h < hosts; h++) {
            int r = (int)(rnd(&x) % (uint64_t)routers);
            int64_t us = 1 + (int64_t)(rnd(&x) % 20) * 100;
            put(&t, "[link a%d]\na = h%d 10.200.%d.2/24 2001:db8:200:%d::2/64\nb = r%d 10.200.%d.1/24 "
                    "2001:db8:200:%d::1/64\ndelay = %lldus\n",
                h, h, h, h, r, h, h, (long long)us);
            dist[routers + h][r] = dist[r][routers + h] = us * 1000;
        }
        /* Through routers only: hosts do not forward. */
        for (int k = 0; k < routers; k++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (dist[i][k] + dist[k][j] < dist[i][j])
                        dist[i][j] = dist[i][k] + dist[k][j];

        struct naru_scenario *sc = parsed(t.s);
        char error[256];
        struct naru_scenario_options o = { .time_limit = 1000 };
        assert_int_equal(naru_scenario_run(sc, &o, error, sizeof error), 0);
        for (int u = 0; u < n; u++) {
            char name[16];
            snprintf(name, sizeof name, "%c%d", u < routers ? 'r' : 'h', u < routers ? u : u - routers);
            uint32_t start = sc_find_node(sc, name);
            for (uint32_t net = 0; net < sc->network_count; net++) {
                if (on_network(sc, start, net))
                    continue;
                /* The brute-force answer: to the nearest router on it. */
                int64_t best = INT64_MAX / 4;
                const struct sc_network *nw = &sc->networks[net];
                for (uint32_t k = 0; k < nw->iface_count; k++) {
                    uint32_t v = sc->ifaces[sc->net_ifaces[nw->first_iface + k]].node;
                    if (sc->nodes[v].kind != SC_ROUTER)
                        continue;
                    int vi = atoi(sc->nodes[v].name + 1);
                    if (dist[u][vi] < best)
                        best = dist[u][vi];
                }
                uint32_t at = start;
                int64_t took = 0;
                int hops = 0;
                families[nw->prefix_addr.family == NARU_AF_INET6]++;
                while (!on_network(sc, at, net)) {
                    struct naru_addr gw = gateway_towards(sc, at, nw);
                    uint32_t link = 0;
                    at = owner(sc, &gw, &link);
                    took += (int64_t)sc->links[link].config.delay;
                    assert_true(++hops <= n);
                }
                if (took != best)
                    fail_msg("round %d: %s to network %u: %lld ns along the tables, %lld shortest\n%s", round, name,
                             net, (long long)took, (long long)best, t.s);
            }
        }
        naru_scenario_free(sc);
        free(t.s);
    }
    /* Both families' routes were followed, as many of each. */
    assert_true(families[0] > 0);
    assert_int_equal(families[0], families[1]);
}

/* ns-3's benchmark world in small, as bench/sim_world.sh writes it. */
static char *ring_world(int routers, int hosts, int flows, const char *bytes)
{
    struct text t = { 0 };
    put(&t, "[scenario]\ntime_limit = 20s\nrouting = shortest\n[router r0..r%d]\n[host h0..h%d]\n", routers - 1,
        hosts - 1);
    put(&t, "[link ring0..ring%d]\na = r{i}\nb = r{(i + 1) %% %d}\npool = 10.255.0.0/16\nsubnet = /30\n"
            "bandwidth = 10Gbit\ndelay = 5ms\n",
        routers - 1, routers);
    put(&t, "[link access0..access%d]\na = h{i}\nb = r{i / %d}\npool = 10.0.0.0/12\nsubnet = /30\n"
            "bandwidth = 1Gbit\ndelay = 1ms\n",
        hosts - 1, hosts / routers);
    put(&t, "[transfer f0..f%d]\nfrom = h{9 * i}\nto = h{(9 * i + 37) %% %d}\nbytes = %s\nbuffer = 128KiB\n",
        flows - 1, hosts, bytes);
    return t.s;
}

static void run_captured(const char *text, uint64_t seed, const char *dir)
{
    struct naru_scenario *sc = parsed(text);
    char error[512];
    struct naru_scenario_options o = { .seed = seed, .seed_set = true, .pcap_dir = dir, .pcap_limit = 64u << 20 };
    assert_int_equal(mkdir(dir, 0700), 0);
    if (naru_scenario_run(sc, &o, error, sizeof error) != 0)
        fail_msg("%s", error);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_false(out.capture_full);
    assert_false(out.timed_out);
    assert_int_equal(out.apps_ok, out.apps);
    naru_scenario_free(sc);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* 0 when every capture in a is byte for byte the one in b; else how many differ. */
static int captures_differ(const char *a, const char *b, int *files)
{
    DIR *d = opendir(a);
    assert_non_null(d);
    int differ = 0;
    *files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        long n = file_size(pa);
        assert_true(n > 0);
        (*files)++;
        if (file_size(pb) != n) {
            differ++;
            continue;
        }
        FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
        assert_non_null(fa);
        assert_non_null(fb);
        char *ba = malloc((size_t)n), *bb = malloc((size_t)n);
        assert_int_equal(fread(ba, 1, (size_t)n, fa), n);
        assert_int_equal(fread(bb, 1, (size_t)n, fb), n);
        differ += memcmp(ba, bb, (size_t)n) != 0;
        free(ba);
        free(bb);
        fclose(fa);
        fclose(fb);
    }
    closedir(d);
    return differ;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* A thousand nodes (100 routers, 900 hosts), 100 transfers: the same seed
 * gives the same bytes on every link, another seed other bytes. The
 * transfers are small, so the captures are a few megabytes. */
static void generated_thousand_node_world_is_deterministic(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char *text = ring_world(100, 900, 100, "8KB");
    char root[] = "/tmp/naru-scale-XXXXXX", a[64], b[64], c[64];
    assert_non_null(mkdtemp(root));
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    snprintf(c, sizeof c, "%s/c", root);
    run_captured(text, 7, a);
    run_captured(text, 7, b);
    run_captured(text, 8, c);
    int files;
    assert_int_equal(captures_differ(a, b, &files), 0);
    assert_int_equal(files, 1000);
    assert_true(captures_differ(a, c, &files) > 0);
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
    rmdir(root);
    free(text);
}

static void rejected(const char *text, int line, const char *words)
{
    if (!naru_scenario_supported())
        skip();
    char error[512], where[32];
    struct naru_scenario *sc = NULL;
    if (naru_scenario_parse("bad.ini", text, &sc, error, sizeof error) != -EINVAL)
        fail_msg("accepted:\n%s", text);
    assert_null(sc);
    snprintf(where, sizeof where, "bad.ini:%d: ", line);
    if (strncmp(error, where, strlen(where)) != 0 || !strstr(error, words))
        fail_msg("got \"%s\", wanted \"%s...%s\"", error, where, words);
}

static void compact_syntax_errors_name_file_and_line(void **state)
{
    (void)state;
    rejected("[router r]\n[host h5..h1]\n", 2, "runs backwards");
    rejected("[host h1..hx]\n", 1, "bad range");
    rejected("[host h1..h3]\n[link l1..l3]\nb = h1\na = h{i / 0}\n", 4, "division by zero");
    rejected("[host h1..h3]\n[link l1..l3]\na = h{i +}\nb = h1\n", 3, "stops short");
    rejected("[host h1..h3]\n[link l1..l3]\na = h{(i}\nb = h1\n", 3, "without its ')'");
    /* The member a bad value is for is named. */
    rejected("[router r]\n[host h1..h3]\n[link l1..l3]\na = h{i}\nb = r 10.0.{i - 2}.1/24\n", 5, "l1");
    rejected("[router r]\n[host h1..h300]\n[link l1..l300]\na = h{i}\nb = r\npool = 10.0.0.0/24\nsubnet = /30\n",
             6, "room for 64 subnets");
    rejected("[router r]\n[host h1..h3]\n[link l1..l3]\na = h{i}\nb = r\npool = 10.{i}.0.0/16\nsubnet = /30\n", 6,
             "no {...}");
    rejected("[host h1..h3]\n[link l1..l3]\na = h{i + 1} 10.0.{i}.2/24\nb = h1 10.0.{i}.1/24\n", 3, "'h4', but there is no node");
}

/* A thousand routers in a ring, each sending 10.99.0.0/16 on to the next:
 * a loop a thousand routers long, found and named. */
static void route_loop_round_a_thousand_routers_is_found(void **state)
{
    (void)state;
    rejected("[scenario]\nrouting = shortest\n"
             "[router r0..r999]\n"
             "route = 10.99.0.0/16 via 10.1.{4 * i / 256}.{4 * i % 256 + 2}\n"
             "[link ring0..ring999]\n"
             "a = r{i} 10.1.{4 * i / 256}.{4 * i % 256 + 1}/30\n"
             "b = r{(i + 1) % 1000} 10.1.{4 * i / 256}.{4 * i % 256 + 2}/30\n",
             4, "route loop");
}

static double goodput_of(const char *buffer_line)
{
    char text[512];
    snprintf(text, sizeof text,
             "[scenario]\ntime_limit = 60s\n[host a]\n[host b]\n[link l]\na = a 10.0.0.1/24\nb = b 10.0.0.2/24\n"
             "bandwidth = 1Gbit\ndelay = 50ms\n[transfer t]\nfrom = a\nto = b\nbytes = 4MB\n%s",
             buffer_line);
    struct naru_scenario *sc = parsed(text);
    char error[256];
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_sim_app_result r;
    naru_sim_app_get_result(sc->apps[0].app, &r);
    assert_true(r.ok);
    double bps = (double)r.bytes_received * 8 / ((double)(r.ended - r.started) / 1e9);
    naru_scenario_free(sc);
    return bps;
}

/* buffer = 64KiB fixes both ends' buffers: on a 100 ms round trip the
 * window, and so the rate, is held to 64 KiB a round trip, and reaches
 * nearly that (the sender keeps its buffer full, as Linux's does with the
 * same SO_SNDBUF); without it the buffers are autotuned and the same
 * transfer goes far faster. */
static void transfer_buffer_fixes_the_window(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    double fixed = goodput_of("buffer = 64KiB\n"), tuned = goodput_of("");
    assert_true(fixed <= 65536 * 8 / 0.1);
    assert_true(fixed > 0.85 * 65536 * 8 / 0.1);
    assert_true(tuned > 3 * fixed);
}

/* Connections that have closed hold no ring memory in the simulator: a
 * world's memory is what its live connections use. Eight transfers with
 * fixed 128 KiB buffers through a router; once they are done, every
 * connection the hosts still know (TIME-WAIT) has given both rings back. */
static void closed_connections_give_their_rings_back(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    struct naru_scenario *sc =
        parsed("[scenario]\ntime_limit = 20s\nrouting = shortest\n[host a]\n[router r]\n[host b]\n"
               "[link la]\na = a 10.0.1.1/24\nb = r 10.0.1.2/24\nbandwidth = 1Gbit\ndelay = 1ms\n"
               "[link lb]\na = r 10.0.2.1/24\nb = b 10.0.2.2/24\nbandwidth = 1Gbit\ndelay = 1ms\n"
               "[transfer t1..t8]\nfrom = a\nto = b\nbytes = 2MB\nbuffer = 128KiB\n");
    char error[256];
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_int_equal(out.apps_ok, 8);
    struct naru_sim *sim = naru_scenario_sim(sc);
    unsigned known = 0;
    for (unsigned i = 0; i < naru_sim_stack_count(sim); i++) {
        struct tcp_table *t = naru_sim_stack_at(sim, i)->tcp;
        for (uint32_t b = 0; t && b <= t->bucket_mask; b++)
            for (struct tcp_conn *c = t->buckets[b]; c; c = c->hash_next, known++) {
                assert_null(c->snd_buf.data);
                assert_null(c->rcv_buf.data);
            }
    }
    assert_true(known >= 8); /* the walk saw the connections, closing or closed */
    naru_scenario_free(sc);
}

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_ACCOUNTED 0 /* the sanitizer's allocator is not malloc's: mallinfo2 does not see it */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_ACCOUNTED 0
#else
#define HEAP_ACCOUNTED 1
#endif
#else
#define HEAP_ACCOUNTED 1
#endif

static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* An idle simulated node costs at most 64 KiB (issue 13); the test holds it
 * to half that, so a regression shows before the target is broken (it was
 * about 64 KB before pools, tables and sockets grew from use). Counted by
 * the allocator (not RSS): 1,000 idle hosts behind 10 routers (each router with a route
 * to every host's network) and one small transfer, the world read, built
 * and run; what the heap holds after the run, model and simulator
 * included, over the nodes. The hosts have done ARP, IPv6 autoconfiguration
 * and MLD; their tables, pools and sockets take memory as they are used. */
static void idle_node_costs_at_most_32_kib(void **state)
{
    (void)state;
    if (!naru_scenario_supported() || !HEAP_ACCOUNTED)
        skip();
    char *text = ring_world(10, 1000, 1, "100KB");
    size_t before = heap_in_use();
    struct naru_scenario *sc = parsed(text);
    char error[512];
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_int_equal(out.apps_ok, 1);
    size_t per_node = (heap_in_use() - before) / sc->node_count;
    print_message("an idle node: %zu bytes of heap\n", per_node);
    assert_true(per_node <= 32 * 1024);
    naru_scenario_free(sc);
    free(text);
}

/* A receive ring's memory follows the window the connection uses, not the
 * buffer it may use: 4 MB over 1 Gbit/s to a receiver with 1 MiB buffers
 * that reads at every arrival. Its window offers the whole megabyte all
 * along, and its ring never holds more than a few segments' worth of
 * memory (it starts at RING_FIRST and doubles with what it holds). With
 * losses it would grow to hold what arrives out of order: that is the
 * window used too. */
#define RING_TEST_BYTES (4 * 1024 * 1024)

struct ring_watch {
    int listener, sock, sender;
    struct naru_stack *a, *b;
    long sent, received;
    uint32_t largest_memory, smallest_limit;
    uint8_t buf[65536];
};

static void ring_watch_read(void *ctx, struct naru_stack *stack, int listener)
{
    struct ring_watch *w = ctx;
    if (listener == w->listener) {
        int s = naru_accept(stack, listener, NULL);
        if (s < 0)
            return;
        w->sock = s;
        naru_socket_set_callback(stack, s, ring_watch_read, w);
    }
    if (w->sock < 0)
        return;
    const struct tcp_ring *r = &sock_get(stack, w->sock)->tcp->rcv_buf;
    if (r->size > w->largest_memory)
        w->largest_memory = r->size;
    if (r->data && r->limit < w->smallest_limit)
        w->smallest_limit = r->limit;
    long n;
    while ((n = naru_recv(stack, w->sock, w->buf, sizeof w->buf, 0)) > 0)
        w->received += n;
}

static void ring_watch_write(void *ctx, struct naru_stack *stack, int sock)
{
    struct ring_watch *w = ctx;
    long n;
    while (w->sent < RING_TEST_BYTES &&
           (n = naru_send(stack, sock, w->buf, (size_t)(RING_TEST_BYTES - w->sent) < sizeof w->buf
                                                   ? (size_t)(RING_TEST_BYTES - w->sent) : sizeof w->buf, 0)) > 0)
        w->sent += n;
}

static bool ring_watch_done(void *ctx)
{
    const struct ring_watch *w = ctx;
    return w->received == RING_TEST_BYTES;
}

static void receive_ring_grows_with_the_window_used(void **state)
{
    (void)state;
    struct naru_stack_config c;
    naru_sim_stack_config_default(&c);
    c.tcp_recv_buffer = 1024 * 1024;
    c.tcp_max_buffer = 1024 * 1024; /* a window the link's queue holds: nothing lost, nothing out of order */
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(3, &sim), 0);
    static struct ring_watch w;
    memset(&w, 0, sizeof w);
    w.sock = -1;
    w.smallest_limit = UINT32_MAX;
    w.a = naru_sim_add_stack(sim, "a", &c);
    w.b = naru_sim_add_stack(sim, "b", &c);
    assert_non_null(w.a);
    assert_non_null(w.b);
    struct naru_sim_link_config lc = { .rate_bps = 1000000000, .delay = 1 * NARU_MS, .queue_frames = 1000 };
    struct naru_sim_link *link;
    assert_int_equal(naru_sim_add_link(sim, "ab", &lc, &link), 0);
    assert_int_equal(naru_sim_link_attach(link, 0, w.a, "10.0.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(link, 1, w.b, "10.0.0.2/24", NULL), 0);
    w.listener = naru_socket(w.b, NARU_SOCK_STREAM);
    struct naru_sockaddr at = { .port = 9 };
    assert_int_equal(naru_bind(w.b, w.listener, &at), 0);
    assert_int_equal(naru_listen(w.b, w.listener, 4), 0);
    naru_socket_set_callback(w.b, w.listener, ring_watch_read, &w);
    w.sender = naru_socket(w.a, NARU_SOCK_STREAM);
    struct naru_sockaddr to = { .addr = naru_addr_v4(ip("10.0.0.2")), .port = 9 };
    assert_int_equal(naru_connect(w.a, w.sender, &to), -EINPROGRESS);
    naru_socket_set_callback(w.a, w.sender, ring_watch_write, &w);
    assert_true(naru_sim_run(sim, 30 * NARU_SEC, ring_watch_done, &w));
    assert_int_equal(w.received, RING_TEST_BYTES);
    assert_int_equal(counter(w.b, "tcp_rx_out_of_order"), 0);
    assert_true(w.smallest_limit >= 1024 * 1024); /* the window it could offer */
    assert_true(w.largest_memory >= RING_FIRST);
    assert_true(w.largest_memory <= 64 * 1024);   /* what it held */
    print_message("receive ring: at most %u bytes of memory for a %u-byte buffer\n", w.largest_memory,
                  w.smallest_limit);
    naru_sim_destroy(sim);
}

/* The shipped example of the compact syntax runs, and every application in
 * it does what it set out to. */
static void thousand_host_example_runs_clean(void **state)
{
    (void)state;
    if (!naru_scenario_supported())
        skip();
    char error[512];
    struct naru_scenario *sc;
    if (naru_scenario_load(NARU_TEST_DATA "/../../scenarios/large/ring-of-sites.ini", &sc, error, sizeof error))
        fail_msg("%s", error);
    assert_int_equal(sc->node_count, 1100);
    assert_int_equal(naru_scenario_run(sc, NULL, error, sizeof error), 0);
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    assert_false(out.timed_out);
    assert_int_equal(out.apps, 100);
    assert_int_equal(out.apps_ok, 100);
    naru_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shortest_routes_match_floyd_warshall),
        cmocka_unit_test(generated_thousand_node_world_is_deterministic),
        cmocka_unit_test(compact_syntax_errors_name_file_and_line),
        cmocka_unit_test(route_loop_round_a_thousand_routers_is_found),
        cmocka_unit_test(transfer_buffer_fixes_the_window),
        cmocka_unit_test(thousand_host_example_runs_clean),
        cmocka_unit_test(closed_connections_give_their_rings_back),
        cmocka_unit_test(idle_node_costs_at_most_32_kib),
        cmocka_unit_test(receive_ring_grows_with_the_window_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
