/* TCP between two naru stacks in one process, joined by the in-memory
 * link (include/naru/memlink.h), on one core:
 *
 *   bulk   one connection moves --bytes from stack A to stack B: A's
 *          application writes, A's TCP/IP/Ethernet output, the link (one
 *          copy per frame, into a buffer from the link's pool), B's input,
 *          B's application reads. Gbit/s of payload, at the MTU given
 *          (64 KiB shows the per-byte costs, 1500 the per-segment ones).
 *          With --no-trim, glibc keeps freed heap memory instead of giving
 *          it back to the kernel (when the link allocated every frame, a
 *          first trial at 64 KiB spent a fifth of its time in page faults
 *          without it; now it should change nothing).
 *   conns  new connections per second: connect, accept, the client closes,
 *          the server reads the end and closes; up to 64 at once.
 *   idle   memory per idle connection: --idle connections opened and left
 *          open; what the C library's malloc counts (mallinfo2) and the
 *          resident set grow by, per connection (both of its ends, one in
 *          each stack), and each end's buffer sizes.
 *
 * Over IPv4 (198.18.0.0/24, the default) or IPv6 (2001:db8::/64: -6); with
 * --family both, bulk and conns alternate the two families trial by trial
 * and give IPv6's median rate as a share of IPv4's.
 *
 * Time is virtual: 1 µs per turn of the loop, every seed fixed, so a run
 * does the same work each time and callgrind's counts repeat (count only
 * the measured loops: --toggle-collect=tcp_bench_bulk or tcp_bench_conns).
 * Only the rates depend on the machine; each is the median of --trials
 * runs, measured in CPU time (one core's worth).
 *
 * Uses the public API only (include/naru/). */
#define _GNU_SOURCE /* mallinfo2 */

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inproc.h"
#include "naru/addr.h"
#include "naru/memlink.h"
#include "naru/socket.h"
#include "naru/stack.h"

#define PORT 5001
#define MAX_TRIALS 50
#define CHUNK (1u << 20)       /* the application's writes and reads */
#define IN_FLIGHT 64           /* connections opening or closing at once (conns) */
/* Virtual time the stacks run before anything is measured: the interface
 * start's own frames (IPv6 duplicate address detection, MLD reports,
 * router solicitations: RFC 4862, RFC 3810, RFC 4861 6.3.7) are over by
 * then and never counted. */
#define SETTLE_SECONDS 15

struct pair {
    struct naru_stack *a, *b;  /* A connects (client), B listens (server) */
    struct naru_addr addr_a, addr_b;
    struct naru_memlink *link;
    int listener;
    naru_time_t now;
};

static void die(const char *what, long err)
{
    fprintf(stderr, "tcp_inproc: %s: %s\n", what, strerror((int)(err < 0 ? -err : err)));
    exit(1);
}

static void step(struct pair *p)
{
    p->now += NARU_US;
    naru_stack_poll(p->a, p->now);
    naru_stack_poll(p->b, p->now);
    naru_memlink_poll(p->link, p->now);
}

/* A datagram from A to B and one back: each stack learns the other's MAC
 * (ARP, or Neighbour Discovery). */
static void resolve_neighbours(struct pair *p)
{
    int ua = naru_socket(p->a, NARU_SOCK_DGRAM), ub = naru_socket(p->b, NARU_SOCK_DGRAM);
    struct naru_sockaddr la = { .port = 9 }, lb = { .port = 9 }, to_b = { .addr = p->addr_b, .port = 9 },
                         to_a = { .addr = p->addr_a, .port = 9 };
    if (ua < 0 || ub < 0 || naru_bind(p->a, ua, &la) < 0 || naru_bind(p->b, ub, &lb) < 0)
        die("UDP sockets for neighbour resolution", EINVAL);
    naru_sendto(p->a, ua, "", 0, 0, &to_b);
    naru_sendto(p->b, ub, "", 0, 0, &to_a);
    for (int i = 0; i < 100; i++)
        step(p);
    naru_close(p->a, ua);
    naru_close(p->b, ub);
}

/* Two stacks on one link, B listening on PORT, over IPv4 or IPv6 (family
 * 4 or 6). sockets, connections: how many each stack must hold at once
 * (TIME-WAIT holds a connection, not a socket). */
static void pair_open(struct pair *p, int family, uint32_t mtu, uint32_t sockets, uint32_t connections)
{
    memset(p, 0, sizeof *p);
    p->addr_a = host_addr(family, 1);
    p->addr_b = host_addr(family, 2);
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.log_level = NARU_LOG_ERROR;
    /* Frames are copied out by the link at once, so few buffers are held
     * at a time; but each must take the MTU (stack.h: MTU + 256). */
    config.frame_buffer_size = mtu + 256 > 2048 ? mtu + 256 : 2048;
    config.frame_buffers = mtu > 9000 ? 64 : 512;
    config.tcp_max_buffer = 64u << 20;
    if (sockets + 16 > config.sockets)
        config.sockets = sockets + 16;
    if (connections + 16 > config.tcp_connections)
        config.tcp_connections = connections + 16;
    long err;
    config.seed = 1;
    if ((err = naru_stack_create(&config, &p->a)) < 0)
        die("stack A", err);
    config.seed = 2;
    if ((err = naru_stack_create(&config, &p->b)) < 0)
        die("stack B", err);
    struct naru_memlink_config link = { .seed = 3, .queue_limit = 1u << 16 };
    if ((err = naru_memlink_create(&link, &p->link)) < 0)
        die("link", err);
    struct naru_if_config ifa = { .name = "a0", .mac = { 0x02, 0, 0, 0, 0, 0x0a }, .mtu = mtu };
    struct naru_if_config ifb = { .name = "b0", .mac = { 0x02, 0, 0, 0, 0, 0x0b }, .mtu = mtu };
    int ia = naru_memlink_attach(p->link, 0, p->a, &ifa);
    int ib = naru_memlink_attach(p->link, 1, p->b, &ifb);
    if (ia < 0 || ib < 0)
        die("attach (is the MTU 68..65535?)", ia < 0 ? ia : ib);
    uint8_t prefix_len = family == 4 ? 24 : 64;
    if ((err = naru_if_add_addr(p->a, ia, &p->addr_a, prefix_len)) < 0 ||
        (err = naru_if_add_addr(p->b, ib, &p->addr_b, prefix_len)) < 0)
        die("address", err);
    for (int i = 0; i < SETTLE_SECONDS * 100; i++) {
        p->now += 10 * NARU_MS;
        naru_stack_poll(p->a, p->now);
        naru_stack_poll(p->b, p->now);
        naru_memlink_poll(p->link, p->now);
    }
    if (tentative(p->a, ia) || tentative(p->b, ib))
        die("an address is still tentative", EADDRNOTAVAIL);
    p->listener = naru_socket(p->b, NARU_SOCK_STREAM);
    struct naru_sockaddr any = { .port = PORT };
    if (p->listener < 0 || (err = naru_bind(p->b, p->listener, &any)) < 0 ||
        (err = naru_listen(p->b, p->listener, 4096)) < 0)
        die("listen", p->listener < 0 ? p->listener : err);
    /* Resolve the neighbours before anything is measured: while that is
     * pending, a stack holds only arp_queue packets for the neighbour (8),
     * so a burst of SYNs would lose the rest to a 1 s retransmission. */
    uint8_t mac[6];
    resolve_neighbours(p);
    if (naru_neighbour_lookup(p->a, ia, &p->addr_b, mac) < 0 || naru_neighbour_lookup(p->b, ib, &p->addr_a, mac) < 0)
        die("neighbours did not resolve", EHOSTUNREACH);
}

static void pair_close(struct pair *p)
{
    naru_close(p->b, p->listener);
    naru_memlink_destroy(p->link);
    naru_stack_destroy(p->a);
    naru_stack_destroy(p->b);
}

static int connect_to_b(struct pair *p)
{
    int s = naru_socket(p->a, NARU_SOCK_STREAM);
    if (s < 0)
        die("socket", s);
    struct naru_sockaddr to = { .addr = p->addr_b, .port = PORT };
    int err = naru_connect(p->a, s, &to);
    if (err < 0 && err != -EINPROGRESS)
        die("connect", err);
    return s;
}

/* One connection, established, with both ends' buffers set; *server gets
 * B's end. */
static int open_connection(struct pair *p, int buffer, int *server)
{
    int s = connect_to_b(p);
    if (buffer && (naru_setsockopt(p->a, s, NARU_SO_SNDBUF, buffer) < 0 ||
                   naru_setsockopt(p->a, s, NARU_SO_RCVBUF, buffer) < 0))
        die("SO_SNDBUF/SO_RCVBUF on the client", EINVAL);
    /* The listener's buffers pass to the connections it accepts. */
    if (buffer && (naru_setsockopt(p->b, p->listener, NARU_SO_RCVBUF, buffer) < 0 ||
                   naru_setsockopt(p->b, p->listener, NARU_SO_SNDBUF, buffer) < 0))
        die("SO_SNDBUF/SO_RCVBUF on the listener", EINVAL);
    int a = -1;
    for (int i = 0; i < 100000 && a < 0; i++) {
        step(p);
        a = naru_accept(p->b, p->listener, NULL);
    }
    if (a < 0)
        die("accept", a);
    *server = a;
    return s;
}

/* The process's CPU time: everything here runs on one thread, and on a
 * shared machine CPU time wanders much less than wall time (the time other
 * programs hold the core is not counted). */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- bulk ---- */

static uint8_t *out_data, *in_data;

/* The measured loop (callgrind: --toggle-collect=tcp_bench_bulk). */
__attribute__((noinline)) uint64_t tcp_bench_bulk(struct pair *p, int tx, int rx, uint64_t bytes);
__attribute__((noinline)) uint64_t tcp_bench_bulk(struct pair *p, int tx, int rx, uint64_t bytes)
{
    uint64_t sent = 0, received = 0;
    while (received < bytes) {
        while (sent < bytes) {
            size_t want = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
            long n = naru_send(p->a, tx, out_data, want, 0);
            if (n == -EAGAIN)
                break;
            if (n <= 0)
                die("send", n < 0 ? n : EIO);
            sent += (uint64_t)n;
        }
        step(p);
        long n;
        while ((n = naru_recv(p->b, rx, in_data, CHUNK, 0)) > 0)
            received += (uint64_t)n;
        if (n != -EAGAIN)
            die("recv", n < 0 ? n : EPIPE);
    }
    return received;
}

/* The families to run (4, 6) and how many: --family. */
struct families {
    int f[2];
    int n;
};

static const char *family_name(int family)
{
    return family == 4 ? "IPv4" : "IPv6";
}

static int run_bulk(const struct families *fam, uint32_t mtu, uint64_t bytes, int trials, int buffer, bool quiet)
{
    double rate[2][MAX_TRIALS], mid[2];
    struct naru_tcp_info before[2], after[2], rinfo[2];
    int sndbuf[2] = { 0, 0 }, status = 0;
    /* Trial by trial, one family then the other: the machine's load falls
     * on both alike. */
    for (int t = 0; t < trials; t++) {
        for (int f = 0; f < fam->n; f++) {
            struct pair p;
            pair_open(&p, fam->f[f], mtu, 2, 2);
            int rx, tx = open_connection(&p, buffer, &rx);
            naru_setsockopt(p.a, tx, NARU_TCP_NODELAY, 1);
            naru_tcp_get_info(p.a, tx, &before[f]);
            double start = seconds();
            tcp_bench_bulk(&p, tx, rx, bytes);
            rate[f][t] = (double)bytes * 8 / (seconds() - start) / 1e9;
            naru_tcp_get_info(p.a, tx, &after[f]);
            naru_tcp_get_info(p.b, rx, &rinfo[f]);
            naru_getsockopt(p.a, tx, NARU_SO_SNDBUF, &sndbuf[f]);
            naru_close(p.a, tx);
            naru_close(p.b, rx);
            pair_close(&p);
        }
    }
    for (int f = 0; f < fam->n; f++) {
        uint32_t segs = after[f].segs_out - before[f].segs_out;
        mid[f] = median(rate[f], trials); /* sorts: the best is last */
        if (!quiet)
            printf("%6s %6u %7llu %8d %8u %9.2f %9.2f %8.0f %7u %6u %5llu\n", family_name(fam->f[f]), mtu,
                   (unsigned long long)(bytes >> 20), buffer, after[f].snd_mss, mid[f], rate[f][trials - 1],
                   segs ? (double)bytes / segs : 0, segs, rinfo[f].segs_out,
                   (unsigned long long)after[f].bytes_retrans);
        if (!quiet && !buffer)
            printf("       the sender at the end: cwnd %u bytes, the peer's window %u, SO_SNDBUF grown to %d\n",
                   after[f].snd_cwnd, after[f].snd_wnd, sndbuf[f]);
        if (after[f].bytes_retrans)
            status = 1;
    }
    if (!quiet && fam->n == 2)
        printf("%6s %6u %7s %8s %8s %8.0f%%\n", "v6/v4", mtu, "", "", "", 100 * mid[1] / mid[0]);
    return status;
}

/* ---- conns ---- */

/* The measured loop (callgrind: --toggle-collect=tcp_bench_conns).
 * Clients connect, and close as soon as they are connected (a FIN); the
 * server accepts, reads the end of the stream and closes too. Returns how
 * many connections the server saw to their end. */
__attribute__((noinline)) uint64_t tcp_bench_conns(struct pair *p, uint64_t count);
__attribute__((noinline)) uint64_t tcp_bench_conns(struct pair *p, uint64_t count)
{
    int clients[IN_FLIGHT], servers[IN_FLIGHT];
    int nclients = 0, nservers = 0;
    uint64_t started = 0, done = 0;
    uint8_t byte[16];
    for (uint64_t turn = 0; done < count; turn++) {
        if (turn > count * 1000)
            die("connections stalled", ETIMEDOUT);
        while (nclients < IN_FLIGHT && started < count && started - done < IN_FLIGHT) {
            clients[nclients++] = connect_to_b(p);
            started++;
        }
        for (int i = 0; i < nclients; i++) {
            if (naru_socket_events(p->a, clients[i]) & NARU_POLLOUT) {
                naru_close(p->a, clients[i]);
                clients[i--] = clients[--nclients];
            }
        }
        step(p);
        int a;
        while (nservers < IN_FLIGHT && (a = naru_accept(p->b, p->listener, NULL)) >= 0)
            servers[nservers++] = a;
        for (int i = 0; i < nservers; i++) {
            if (naru_recv(p->b, servers[i], byte, sizeof byte, 0) == 0) {
                naru_close(p->b, servers[i]);
                servers[i--] = servers[--nservers];
                done++;
            }
        }
    }
    return done;
}

static int run_conns(const struct families *fam, uint64_t count, uint32_t sockets, int trials, bool quiet)
{
    double rate[2][MAX_TRIALS], mid[2];
    for (int t = 0; t < trials; t++) {
        for (int f = 0; f < fam->n; f++) {
            struct pair p;
            /* Every client end stays in TIME-WAIT (60 s of virtual time)
             * for the rest of the trial. */
            pair_open(&p, fam->f[f], 1500, sockets, (uint32_t)count + IN_FLIGHT);
            double start = seconds();
            tcp_bench_conns(&p, count);
            rate[f][t] = (double)count / (seconds() - start);
            pair_close(&p);
        }
    }
    for (int f = 0; f < fam->n; f++) {
        mid[f] = median(rate[f], trials); /* sorts: the best is last */
        if (!quiet)
            printf("%6s %10llu %8u %7d %14.0f %14.0f %10.2f\n", family_name(fam->f[f]), (unsigned long long)count,
                   sockets + 16, trials, mid[f], rate[f][trials - 1], 1e6 / mid[f]);
    }
    if (!quiet && fam->n == 2)
        printf("%6s %10s %8s %7s %13.0f%%\n", "v6/v4", "", "", "", 100 * mid[1] / mid[0]);
    return 0;
}

/* ---- idle ---- */

static size_t malloc_bytes(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd; /* in use: heap chunks and mmap'd chunks */
}

static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * 4096;
}

static int run_idle(int family, uint32_t count, bool quiet)
{
    /* What the socket table and connection limits cost, set when a stack
     * is created, per connection they make room for. */
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.log_level = NARU_LOG_ERROR;
    struct naru_stack *s;
    size_t m0 = malloc_bytes();
    if (naru_stack_create(&config, &s) < 0)
        die("stack", ENOMEM);
    size_t small = malloc_bytes() - m0;
    naru_stack_destroy(s);
    config.sockets += count;
    config.tcp_connections += count;
    m0 = malloc_bytes();
    if (naru_stack_create(&config, &s) < 0)
        die("stack", ENOMEM);
    size_t big = malloc_bytes() - m0;
    naru_stack_destroy(s);
    double table = (double)(big - small) / count;

    struct pair p;
    pair_open(&p, family, 1500, count, count);
    int *client = malloc(count * sizeof *client), *server = malloc(count * sizeof *server);
    if (!client || !server)
        die("socket lists", ENOMEM);
    size_t malloc_before = malloc_bytes(), rss_before = resident_bytes();
    uint32_t opened = 0, accepted = 0;
    for (int turn = 0; accepted < count && turn < 1000000; turn++) {
        for (int i = 0; i < 64 && opened < count && opened - accepted < 256; i++)
            client[opened++] = connect_to_b(&p);
        step(&p);
        int a;
        while ((a = naru_accept(p.b, p.listener, NULL)) >= 0)
            server[accepted++] = a;
    }
    for (int i = 0; i < 1000; i++)
        step(&p); /* the last ACKs, and delayed ACKs: nothing left to do */
    size_t malloc_after = malloc_bytes(), rss_after = resident_bytes();
    if (accepted < count)
        die("not every connection opened", ETIMEDOUT);
    int snd = 0, rcv = 0;
    naru_getsockopt(p.b, server[0], NARU_SO_SNDBUF, &snd);
    naru_getsockopt(p.b, server[0], NARU_SO_RCVBUF, &rcv);
    double per = (double)(malloc_after - malloc_before) / count;
    double rss = (double)(rss_after - rss_before) / count;
    if (!quiet) {
        printf("  %u idle connections over %s between two stacks (so each connection has two ends):\n", count,
               family_name(family));
        printf("    allocated (malloc, mallinfo2):  %9.0f bytes per connection, %9.0f per end\n", per, per / 2);
        printf("    buffers (SO_SNDBUF %d + SO_RCVBUF %d): none while idle; a ring is allocated when\n"
               "                                    data comes and let go when it is empty\n",
               snd, rcv);
        printf("    resident (RSS growth):          %9.0f bytes per connection, %9.0f per end\n"
               "                                    (buffer pages never written are not resident)\n",
               rss, rss / 2);
        printf("    socket table and limits:        %9.0f bytes per socket slot, set when the stack is created\n",
               table);
    }
    for (uint32_t i = 0; i < count; i++) {
        naru_close(p.a, client[i]);
        naru_close(p.b, server[i]);
    }
    free(client);
    free(server);
    pair_close(&p);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tcp_inproc bulk [FAMILY] [--mtu N] [--bytes N] [--buffer N] [--trials N] [--no-trim]\n"
            "                       [--quiet]\n"
            "       tcp_inproc conns [FAMILY] [--count N] [--sockets N] [--trials N] [--quiet]\n"
            "       tcp_inproc idle [-4 | -6] [--count N]\n"
            "\n"
            "TCP between two naru stacks in one process over the in-memory link.\n"
            "  bulk    payload Gbit/s of one connection (median and best of the trials)\n"
            "  conns   connections opened and closed per second, 64 at a time\n"
            "  (rates are per second of the process's CPU time)\n"
            "  idle    bytes of memory per idle connection\n"
            "\n"
            "  -4, -6       over IPv4 (the default) or IPv6 (FAMILY: these, or --family 4|6|both:\n"
            "               both alternates the families trial by trial and gives IPv6's\n"
            "               median rate as a share of IPv4's)\n"
            "  --mtu N      IP MTU of the link (bulk; default 65535; IPv6: at least 1280)\n"
            "  --bytes N    bytes per trial (bulk; default 1 GiB)\n"
            "  --buffer N   SO_SNDBUF and SO_RCVBUF of both ends (bulk; default 4 MiB;\n"
            "               0 for the stack's default)\n"
            "  --count N    connections per trial (conns; default 10000) or held (idle; 10000)\n"
            "  --sockets N  socket table size, less 16 (conns; default 240; at least 128):\n"
            "               sockets and ports are found through indexes, so the cost\n"
            "               per connection should not grow with it\n"
            "  --trials N   trials, each on fresh stacks (default 5)\n"
            "  --no-trim    keep glibc from returning freed heap to the kernel (bulk)\n"
            "  --quiet      no table (for callgrind runs)\n"
            "\n"
            "example: tcp_inproc bulk --family both --mtu 1500 --bytes 268435456 --trials 3\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "bulk") && strcmp(mode, "conns") && strcmp(mode, "idle")) {
        fprintf(stderr, "tcp_inproc: unknown mode '%s' (try --help)\n", mode);
        return 2;
    }
    unsigned long long mtu = 65535, bytes = 1ull << 30, buffer = 4u << 20, count = 10000, trials = 5, sockets = 240;
    bool quiet = false, no_trim = false;
    struct families fam = { { 4 }, 1 };
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--quiet")) {
            quiet = true;
            continue;
        } else if (!strcmp(arg, "--no-trim")) {
            no_trim = true;
            continue;
        } else if (!strcmp(arg, "-4") || !strcmp(arg, "-6")) {
            fam = (struct families){ { arg[1] - '0' }, 1 };
            continue;
        } else if (!strcmp(arg, "--family")) {
            const char *v = i + 1 < argc ? argv[++i] : "";
            if (!strcmp(v, "4") || !strcmp(v, "6"))
                fam = (struct families){ { v[0] - '0' }, 1 };
            else if (!strcmp(v, "both"))
                fam = (struct families){ { 4, 6 }, 2 };
            else {
                fprintf(stderr, "tcp_inproc: --family needs 4, 6 or both\n");
                return 2;
            }
            continue;
        }
        unsigned long long *v = !strcmp(arg, "--mtu")      ? &mtu
                                : !strcmp(arg, "--bytes")  ? &bytes
                                : !strcmp(arg, "--buffer") ? &buffer
                                : !strcmp(arg, "--count")  ? &count
                                : !strcmp(arg, "--trials") ? &trials
                                : !strcmp(arg, "--sockets") ? &sockets
                                                           : NULL;
        if (!v) {
            fprintf(stderr, "tcp_inproc: unknown option %s (try --help)\n", arg);
            return 2;
        }
        char *end;
        if (i + 1 == argc || (errno = 0, *v = strtoull(argv[++i], &end, 10), *end || errno)) {
            fprintf(stderr, "tcp_inproc: %s needs a number\n", arg);
            return 2;
        }
    }
    if (mtu < 576 || mtu > 65535 || !bytes || buffer > (64u << 20) || !count || count > 1000000 || sockets < 2 * IN_FLIGHT ||
        sockets > 1000000 || !trials ||
        trials > MAX_TRIALS || (fam.f[fam.n - 1] == 6 && mtu < 1280)) {
        fprintf(stderr, "tcp_inproc: a value is out of range (try --help)\n");
        return 2;
    }
    if (!strcmp(mode, "idle")) {
        if (fam.n != 1) {
            fprintf(stderr, "tcp_inproc: idle takes one family (-4 or -6)\n");
            return 2;
        }
        return run_idle(fam.f[0], (uint32_t)count, quiet);
    }
    if (!strcmp(mode, "conns")) {
        if (!quiet)
            printf("%6s %10s %8s %7s %14s %14s %10s\n", "family", "conns", "sockets", "trials", "median conn/s",
                   "best conn/s", "µs/conn");
        return run_conns(&fam, count, (uint32_t)sockets, (int)trials, quiet);
    }
    if (no_trim && (!mallopt(M_TRIM_THRESHOLD, 256 << 20) || !mallopt(M_MMAP_THRESHOLD, 32 << 20)))
        die("mallopt", EINVAL);
    out_data = malloc(CHUNK);
    in_data = malloc(CHUNK);
    if (!out_data || !in_data)
        die("buffers", ENOMEM);
    for (size_t i = 0; i < CHUNK; i++)
        out_data[i] = (uint8_t)(i * 31 + 7);
    if (!quiet)
        printf("%6s %6s %7s %8s %8s %9s %9s %8s %7s %6s %5s\n", "family", "MTU", "MiB", "buffer", "MSS", "med Gb/s", "best Gb/s",
               "B/seg", "segs", "acks", "rexmt");
    int status = run_bulk(&fam, (uint32_t)mtu, bytes, (int)trials, (int)buffer, quiet);
    free(out_data);
    free(in_data);
    return status;
}
