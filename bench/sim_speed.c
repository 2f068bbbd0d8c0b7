/* How fast the simulator runs: 100 hosts and 10 routers, 100 transfers at
 * once, and how many stacks fit in one process.
 *
 * The world: ten sites in a ring. Each site is a router with a switch and
 * ten hosts behind it (1 Gbit/s, 10 us); neighbouring routers are joined
 * by 1 Gbit/s links with 1 ms of delay, and route each way round the ring
 * by the shorter side. Every host sends to a host at another site, 1 to 5
 * routers away: TCP transfers when TCP is there (--udp forces UDP), else
 * UDP at a fixed rate.
 *
 * usage: sim_speed [--seconds S] [--udp] [--stacks N] [--seed N]
 * Prints wall time, events and packet events per second, simulated seconds
 * per wall second, peak memory; then the time and memory to build N stacks
 * (default 1000). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naru/addr.h"
#include "naru/sim.h"
#include "naru/simapp.h"
#include "naru/socket.h"

#define SITES 10
#define HOSTS_PER_SITE 10

/* CPU time too: on a shared machine wall time says as much about the
 * neighbours as about the simulator. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident memory, from Linux's /proc. */
static long peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "sim_speed: %s: %s\n", what, strerror(-err));
    exit(1);
}

static void check(int err, const char *what)
{
    if (err < 0)
        die(what, err);
}

static bool tcp_available(void)
{
    struct naru_stack_config c;
    naru_stack_config_default(&c);
    struct naru_stack *s;
    if (naru_stack_create(&c, &s) < 0)
        return false;
    int sock = naru_socket(s, NARU_SOCK_STREAM);
    naru_stack_destroy(s);
    return sock >= 0;
}

static void ring(uint64_t seed, double seconds, bool tcp)
{
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    check(naru_sim_create(seed, &sim), "create");
    check(naru_sim_apps_create(sim, &apps), "create");
    struct naru_stack *routers[SITES], *hosts[SITES][HOSTS_PER_SITE];
    char name[32], cidr[32];
    for (int s = 0; s < SITES; s++) {
        snprintf(name, sizeof name, "r%d", s);
        routers[s] = naru_sim_add_router(sim, name, NULL);
        if (!routers[s])
            die("router", -ENOMEM);
    }
    struct naru_sim_link_config lan = { .rate_bps = 1000000000, .delay = 10 * NARU_US };
    struct naru_sim_link_config wan = { .rate_bps = 1000000000, .delay = NARU_MS };
    /* wan S joins router S (10.100.S.1) to router S+1 (10.100.S.2). */
    int left_if[SITES], right_if[SITES];
    for (int s = 0; s < SITES; s++) {
        struct naru_sim_link *l;
        snprintf(name, sizeof name, "wan%d", s);
        check(naru_sim_add_link(sim, name, &wan, &l), "link");
        snprintf(cidr, sizeof cidr, "10.100.%d.2/30", s);
        check(naru_sim_link_attach(l, 0, routers[(s + 1) % SITES], cidr, &left_if[(s + 1) % SITES]), "attach");
        snprintf(cidr, sizeof cidr, "10.100.%d.1/30", s);
        check(naru_sim_link_attach(l, 1, routers[s], cidr, &right_if[s]), "attach");
    }
    for (int s = 0; s < SITES; s++) {
        snprintf(name, sizeof name, "sw%d", s);
        struct naru_sim_switch *sw = naru_sim_add_switch(sim, name);
        struct naru_sim_link *l;
        snprintf(name, sizeof name, "r%d-lan", s);
        check(naru_sim_add_link(sim, name, &lan, &l), "link");
        snprintf(cidr, sizeof cidr, "10.%d.0.1/24", s);
        check(naru_sim_link_attach(l, 0, routers[s], cidr, NULL), "attach");
        check(naru_sim_link_attach_switch(l, 1, sw), "attach");
        for (int h = 0; h < HOSTS_PER_SITE; h++) {
            snprintf(name, sizeof name, "h%d-%d", s, h);
            hosts[s][h] = naru_sim_add_stack(sim, name, NULL);
            if (!hosts[s][h])
                die("host", -ENOMEM);
            check(naru_sim_add_link(sim, name, &lan, &l), "link");
            check(naru_sim_link_attach_switch(l, 0, sw), "attach");
            snprintf(cidr, sizeof cidr, "10.%d.0.%d/24", s, h + 2);
            check(naru_sim_link_attach(l, 1, hosts[s][h], cidr, NULL), "attach");
            check(naru_route_add(hosts[s][h], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, (uint8_t)s, 0, 1) }, 0), "route");
        }
    }
    /* Routes the short way round: right for up to 5 sites. */
    for (int s = 0; s < SITES; s++) {
        for (int d = 1; d < SITES; d++) {
            int dst = (s + d) % SITES;
            bool right = d <= SITES / 2;
            uint32_t gw = right ? naru_ip4(10, 100, (uint8_t)s, 2) : naru_ip4(10, 100, (uint8_t)((s + SITES - 1) % SITES), 1);
            check(naru_route_add(routers[s], &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, (uint8_t)dst, 0, 0) }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = gw }, right ? right_if[s] : left_if[s]),
                  "route");
        }
    }
    /* The flows: 100 at once, 10 Mbit/s each when UDP. */
    uint64_t bytes = (uint64_t)(seconds * 10e6 / 8);
    for (int s = 0; s < SITES; s++) {
        for (int h = 0; h < HOSTS_PER_SITE; h++) {
            int dst = (s + 1 + h % 5) % SITES;
            struct naru_sim_app_config c = {
                .kind = tcp ? NARU_SIM_TCP_TRANSFER : NARU_SIM_UDP_TRANSFER,
                .from = hosts[s][h], .to = hosts[dst][(h + 3) % HOSTS_PER_SITE],
                .bytes = bytes, .rate_bps = 10000000, .start = 100 * NARU_MS + (naru_time_t)(s * 10 + h) * NARU_MS,
                /* A few times the paths' bandwidth-delay product (1 Gbit/s,
                 * up to 12 ms there and back): enough, without letting
                 * autotuning grow 100 send buffers to megabytes each. */
                .socket_buffer = 1 << 20,
            };
            check(naru_sim_app_add(apps, &c, NULL), "application");
        }
    }
    double t0 = wall(), c0 = cpu();
    naru_sim_run(sim, 600 * NARU_SEC, naru_sim_apps_finished, apps);
    double took = wall() - t0, cpu_took = cpu() - c0;
    uint64_t received = 0, ok = 0;
    for (unsigned i = 0; i < naru_sim_app_count(apps); i++) {
        struct naru_sim_app_result r;
        naru_sim_app_get_result(naru_sim_app_at(apps, i), &r);
        received += r.bytes_received;
        ok += r.ok;
        if (!r.ok) {
            char text[512];
            naru_sim_app_summary(naru_sim_app_at(apps, i), text, sizeof text);
            fprintf(stderr, "sim_speed: failed: %s", text);
        }
    }
    double simulated = (double)naru_sim_now(sim) / 1e9;
    printf("sim_speed: %d hosts, %d routers, %u %s transfers, seed %llu\n", SITES * HOSTS_PER_SITE, SITES,
           naru_sim_app_count(apps), tcp ? "TCP" : "UDP (10 Mbit/s each)", (unsigned long long)seed);
    printf("  transfers ok        %llu of %u, %.1f MB delivered\n", (unsigned long long)ok, naru_sim_app_count(apps),
           (double)received / 1e6);
    printf("  simulated time      %.3f s\n", simulated);
    printf("  wall time           %.3f s (CPU %.3f s)\n", took, cpu_took);
    printf("  events              %llu (%.0f per wall second, %.0f per CPU second)\n",
           (unsigned long long)naru_sim_events(sim), (double)naru_sim_events(sim) / took,
           (double)naru_sim_events(sim) / cpu_took);
    printf("  packet events       %llu (%.0f per wall second, %.0f per CPU second)\n",
           (unsigned long long)naru_sim_packet_events(sim), (double)naru_sim_packet_events(sim) / took,
           (double)naru_sim_packet_events(sim) / cpu_took);
    printf("  simulated s per wall s  %.2f\n", simulated / took);
    printf("  peak memory         %.1f MiB\n", (double)peak_kib() / 1024);
    naru_sim_apps_destroy(apps);
    naru_sim_destroy(sim);
}

/* n stacks in pairs, each pair on its own link; one pings the other.
 * Pools as naru_sim_stack_config_default() sizes them for simulated hosts. */
static void many_stacks(unsigned n)
{
    long before = peak_kib();
    double t0 = wall();
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    check(naru_sim_create(1, &sim), "create");
    check(naru_sim_apps_create(sim, &apps), "create");
    struct naru_stack_config lean;
    naru_sim_stack_config_default(&lean);
    for (unsigned i = 0; i + 1 < n; i += 2) {
        char a[16], b[16], ca[24], cb[24];
        snprintf(a, sizeof a, "a%u", i / 2);
        snprintf(b, sizeof b, "b%u", i / 2);
        struct naru_stack *sa = naru_sim_add_stack(sim, a, &lean), *sb = naru_sim_add_stack(sim, b, &lean);
        if (!sa || !sb)
            die("stack", -ENOMEM);
        uint32_t net = naru_ip4(10, 0, 0, 0) + i * 2;
        snprintf(ca, sizeof ca, "%u.%u.%u.%u/30", net >> 24, (net >> 16) & 0xff, (net >> 8) & 0xff, (net & 0xff) + 1);
        snprintf(cb, sizeof cb, "%u.%u.%u.%u/30", net >> 24, (net >> 16) & 0xff, (net >> 8) & 0xff, (net & 0xff) + 2);
        struct naru_memlink_config lc = { .delay = NARU_MS, .rate_bps = 100000000 };
        check(naru_sim_connect(sim, sa, ca, sb, cb, &lc, NULL, NULL), "connect");
        struct naru_sim_app_config c = { .kind = NARU_SIM_PING, .from = sa, .to = sb, .count = 10,
                                         .interval = 10 * NARU_MS, .start = (naru_time_t)i * NARU_US };
        check(naru_sim_app_add(apps, &c, NULL), "ping");
    }
    double built = wall() - t0;
    naru_sim_run(sim, 60 * NARU_SEC, naru_sim_apps_finished, apps);
    unsigned replies = 0, sent = 0;
    for (unsigned i = 0; i < naru_sim_app_count(apps); i++) {
        struct naru_sim_app_result r;
        naru_sim_app_get_result(naru_sim_app_at(apps, i), &r);
        replies += r.received;
        sent += r.sent;
    }
    double total = wall() - t0;
    long after = peak_kib();
    printf("sim_speed: %u stacks in pairs, each pair pinging: built in %.3f s, %u of %u replies, %.3f s in all,\n"
           "  peak memory %.1f MiB more (%.1f KiB a stack)\n",
           naru_sim_stack_count(sim), built, replies, sent, total, (double)(after - before) / 1024,
           (double)(after - before) / n);
    naru_sim_apps_destroy(apps);
    naru_sim_destroy(sim);
}

int main(int argc, char **argv)
{
    double seconds = 10;
    bool force_udp = false;
    unsigned stacks = 1000;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--udp"))
            force_udp = true;
        else if (!strcmp(argv[i], "--stacks") && i + 1 < argc)
            stacks = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: sim_speed [--seconds S] [--udp] [--stacks N] [--seed N]\n");
            return 2;
        }
    }
    if (seconds <= 0 || seconds > 3600) {
        fprintf(stderr, "sim_speed: --seconds wants 0 < S <= 3600\n");
        return 2;
    }
    /* Stacks first, so their peak memory is not hidden by the ring's. */
    if (stacks)
        many_stacks(stacks);
    ring(seed, seconds, tcp_available() && !force_udp);
    return 0;
}
