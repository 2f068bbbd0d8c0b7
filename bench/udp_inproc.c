/* UDP datagrams per second between two naru stacks in one process, joined
 * by the in-memory link: stack A sends a batch of datagrams from a connected
 * socket, the link carries them, stack B's socket receives them; repeat.
 * Each datagram thus crosses A's UDP/IP/Ethernet output, the link (one
 * copy per frame, into a buffer from its pool), and B's Ethernet/IP/UDP
 * input and socket queue, and is copied out to the reader.
 *
 * Over IPv4 (198.18.0.0/24) or IPv6 (2001:db8::/64), or both in one run
 * (--family both: each trial runs one family then the other on two pairs
 * of stacks, so the machine's load falls on both alike, and a row gives
 * IPv6's rate as a share of IPv4's).
 *
 * Time is virtual (1 µs per batch) and every seed is fixed, so a run does
 * exactly the same work each time: under callgrind the instruction count is
 * repeatable. Only the wall-clock figures depend on the machine.
 *
 * Uses the public API only (include/naru/). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime in strict C11 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inproc.h"
#include "naru/addr.h"
#include "naru/memlink.h"
#include "naru/socket.h"
#include "naru/stack.h"

#define MAX_SIZES 8
#define MAX_TRIALS 50
#define MAX_PAYLOAD 65507
#define PORT 9000
/* Virtual time the stacks run before anything is measured: the interface
 * start's own frames (IPv6 duplicate address detection, MLD reports,
 * router solicitations: RFC 4862, RFC 3810, RFC 4861 6.3.7) are over by
 * then and never counted as data. */
#define SETTLE_SECONDS 15

struct bench {
    int family;                /* 4 or 6 */
    struct naru_stack *a, *b;
    struct naru_memlink *link;
    int tx, rx;
    naru_time_t now;
    uint8_t *out, *in;
};

static void die(const char *what, long err)
{
    fprintf(stderr, "udp_inproc: %s: %s\n", what, strerror((int)(err < 0 ? -err : err)));
    exit(1);
}

static void step(struct bench *b)
{
    b->now += NARU_US;
    naru_stack_poll(b->a, b->now);
    naru_stack_poll(b->b, b->now);
    naru_memlink_poll(b->link, b->now);
}

static void setup(struct bench *b, int family, uint32_t sockets)
{
    memset(b, 0, sizeof *b);
    b->family = family;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.log_level = NARU_LOG_ERROR;
    /* Room for a batch of fragmented 4000-byte datagrams in flight. */
    config.frame_buffers = 2048;
    config.large_buffers = 64;
    config.reassembly_datagrams = 64;
    config.udp_recv_queue = 256;
    if (sockets)
        config.sockets = sockets;
    long err;
    config.seed = 1;
    if ((err = naru_stack_create(&config, &b->a)) < 0)
        die("stack A", err);
    config.seed = 2;
    if ((err = naru_stack_create(&config, &b->b)) < 0)
        die("stack B", err);
    struct naru_memlink_config link = { .seed = 3, .queue_limit = 8192 };
    if ((err = naru_memlink_create(&link, &b->link)) < 0)
        die("link", err);
    struct naru_if_config ifa = { .name = "a0", .mac = { 0x02, 0, 0, 0, 0, 0x0a }, .mtu = 1500 };
    struct naru_if_config ifb = { .name = "b0", .mac = { 0x02, 0, 0, 0, 0, 0x0b }, .mtu = 1500 };
    int ia = naru_memlink_attach(b->link, 0, b->a, &ifa);
    int ib = naru_memlink_attach(b->link, 1, b->b, &ifb);
    if (ia < 0 || ib < 0)
        die("attach", ia < 0 ? ia : ib);
    struct naru_addr addr_a = host_addr(family, 1), addr_b = host_addr(family, 2);
    uint8_t prefix_len = family == 4 ? 24 : 64;
    if ((err = naru_if_add_addr(b->a, ia, &addr_a, prefix_len)) < 0 ||
        (err = naru_if_add_addr(b->b, ib, &addr_b, prefix_len)) < 0)
        die("address", err);
    for (int i = 0; i < SETTLE_SECONDS * 100; i++) {
        b->now += 10 * NARU_MS;
        naru_stack_poll(b->a, b->now);
        naru_stack_poll(b->b, b->now);
        naru_memlink_poll(b->link, b->now);
    }
    if (tentative(b->a, ia) || tentative(b->b, ib))
        die("an address is still tentative", EADDRNOTAVAIL);

    b->rx = naru_socket(b->b, NARU_SOCK_DGRAM);
    b->tx = naru_socket(b->a, NARU_SOCK_DGRAM);
    if (b->rx < 0 || b->tx < 0)
        die("socket", b->rx < 0 ? b->rx : b->tx);
    struct naru_sockaddr local = { .port = PORT }, peer = { .addr = addr_b, .port = PORT };
    if ((err = naru_bind(b->b, b->rx, &local)) < 0)
        die("bind", err);
    if ((err = naru_connect(b->a, b->tx, &peer)) < 0)
        die("connect", err);

    b->out = malloc(MAX_PAYLOAD);
    b->in = malloc(MAX_PAYLOAD + 1);
    if (!b->out || !b->in)
        die("buffers", ENOMEM);
    for (size_t i = 0; i < MAX_PAYLOAD; i++)
        b->out[i] = (uint8_t)(i * 31 + 7);

    /* One datagram first, so ARP or Neighbour Discovery is done before
     * anything is measured. */
    if ((err = naru_send(b->a, b->tx, b->out, 1, 0)) != 1)
        die("first send", err);
    for (int i = 0; i < 1000 && !(naru_socket_events(b->b, b->rx) & NARU_POLLIN); i++)
        step(b);
    if (naru_recv(b->b, b->rx, b->in, MAX_PAYLOAD, 0) != 1)
        die("first datagram never arrived", EIO);
}

static void teardown(struct bench *b)
{
    naru_close(b->a, b->tx);
    naru_close(b->b, b->rx);
    unsigned held = naru_stack_buffers_in_use(b->a) + naru_stack_buffers_in_use(b->b);
    if (held)
        fprintf(stderr, "udp_inproc: %u packet buffers still held after the run\n", held);
    naru_memlink_destroy(b->link);
    naru_stack_destroy(b->a);
    naru_stack_destroy(b->b);
    free(b->out);
    free(b->in);
}

/* The measured loop, kept out of line so callgrind can count it alone
 * (valgrind --tool=callgrind --toggle-collect=udp_bench_run). Returns the
 * number of datagrams received whole. */
__attribute__((noinline)) uint64_t udp_bench_run(struct bench *b, size_t size, uint64_t count,
                                                 unsigned batch);
__attribute__((noinline)) uint64_t udp_bench_run(struct bench *b, size_t size, uint64_t count,
                                                 unsigned batch)
{
    uint64_t sent = 0, received = 0;
    while (sent < count) {
        unsigned n = count - sent < batch ? (unsigned)(count - sent) : batch;
        for (unsigned i = 0; i < n; i++) {
            long r = naru_send(b->a, b->tx, b->out, size, 0);
            if (r != (long)size)
                die("send", r < 0 ? r : EIO);
        }
        sent += n;
        step(b);
        long r;
        while ((r = naru_recv(b->b, b->rx, b->in, MAX_PAYLOAD + 1, 0)) >= 0)
            received += (size_t)r == size;
    }
    return received;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: udp_inproc [-4 | -6 | --family 4|6|both] [--sizes N,N,...] [--count N]\n"
            "                  [--trials N] [--batch N] [--sockets N] [--quiet]\n"
            "\n"
            "UDP datagrams per second between two naru stacks in one process over the\n"
            "in-memory link. Each trial sends --count datagrams of each payload size in\n"
            "batches of --batch; the median and the best trial are reported.\n"
            "\n"
            "  -4, -6      over IPv4 (the default) or IPv6\n"
            "  --family    4, 6, or both: trials of the two alternate, and a row gives\n"
            "              IPv6's median rate as a share of IPv4's\n"
            "  --sizes     payload bytes, comma-separated (default 64,1400,4000)\n"
            "  --count     datagrams per trial and size (default 200000; fewer for big ones)\n"
            "  --trials    trials per size (default 5)\n"
            "  --batch     datagrams sent before the link and receiver run (default 32)\n"
            "  --sockets   socket table size of each stack (default: naru's default)\n"
            "  --quiet     no table (for callgrind runs)\n"
            "\n"
            "example: udp_inproc --family both --sizes 64,1400 --trials 3\n");
}

int main(int argc, char **argv)
{
    size_t sizes[MAX_SIZES] = { 64, 1400, 4000 };
    int nsizes = 3, trials = 5;
    uint64_t count = 0;
    unsigned batch = 32;
    uint32_t sockets = 0;
    int quiet = 0;
    int families[2] = { 4 }, nfamilies = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(arg, "--quiet")) {
            quiet = 1;
            continue;
        } else if (!strcmp(arg, "-4") || !strcmp(arg, "-6")) {
            families[0] = arg[1] - '0';
            nfamilies = 1;
            continue;
        }
        if (!value) {
            fprintf(stderr, "udp_inproc: %s needs a value (try --help)\n", arg);
            return 2;
        }
        i++;
        errno = 0;
        if (!strcmp(arg, "--family")) {
            if (!strcmp(value, "4") || !strcmp(value, "6")) {
                families[0] = value[0] - '0';
                nfamilies = 1;
            } else if (!strcmp(value, "both")) {
                families[0] = 4;
                families[1] = 6;
                nfamilies = 2;
            } else {
                fprintf(stderr, "udp_inproc: bad family '%s' (4, 6 or both)\n", value);
                return 2;
            }
        } else if (!strcmp(arg, "--sizes")) {
            nsizes = 0;
            for (const char *p = value; *p && nsizes < MAX_SIZES; p = *end ? end + 1 : end) {
                unsigned long v = strtoul(p, &end, 10);
                if (end == p || v > MAX_PAYLOAD || (*end && *end != ',')) {
                    fprintf(stderr, "udp_inproc: bad size list '%s' (0..%d each)\n", value, MAX_PAYLOAD);
                    return 2;
                }
                sizes[nsizes++] = v;
            }
        } else if (!strcmp(arg, "--count")) {
            count = strtoull(value, &end, 10);
            if (*end || !count || errno) {
                fprintf(stderr, "udp_inproc: bad count '%s'\n", value);
                return 2;
            }
        } else if (!strcmp(arg, "--trials")) {
            trials = (int)strtol(value, &end, 10);
            if (*end || trials < 1 || trials > MAX_TRIALS) {
                fprintf(stderr, "udp_inproc: bad trials '%s' (1..%d)\n", value, MAX_TRIALS);
                return 2;
            }
        } else if (!strcmp(arg, "--batch")) {
            unsigned long v = strtoul(value, &end, 10);
            if (*end || v < 1 || v > 64) {
                fprintf(stderr, "udp_inproc: bad batch '%s' (1..64)\n", value);
                return 2;
            }
            batch = (unsigned)v;
        } else if (!strcmp(arg, "--sockets")) {
            unsigned long v = strtoul(value, &end, 10);
            if (*end || v < 2 || v > 1000000) {
                fprintf(stderr, "udp_inproc: bad sockets '%s' (2..1000000)\n", value);
                return 2;
            }
            sockets = (uint32_t)v;
        } else {
            fprintf(stderr, "udp_inproc: unknown option %s (try --help)\n", arg);
            return 2;
        }
    }

    struct bench b[2];
    for (int f = 0; f < nfamilies; f++)
        setup(&b[f], families[f], sockets);
    if (!quiet)
        printf("%6s %8s %10s %7s %14s %14s %10s %10s\n", "family", "payload", "datagrams", "trials",
               "median dgram/s", "best dgram/s", "ns/dgram", "Mbit/s");
    int status = 0;
    for (int s = 0; s < nsizes; s++) {
        uint64_t n = count ? count : sizes[s] > 1500 ? 50000 : 200000;
        double rate[2][MAX_TRIALS], mid[2];
        for (int t = 0; t < trials; t++) {
            for (int f = 0; f < nfamilies; f++) {
                double start = seconds();
                uint64_t got = udp_bench_run(&b[f], sizes[s], n, batch);
                double took = seconds() - start;
                if (got != n) {
                    fprintf(stderr, "udp_inproc: IPv%d, %zu-byte datagrams: sent %llu, received %llu whole\n",
                            families[f], sizes[s], (unsigned long long)n, (unsigned long long)got);
                    status = 1;
                }
                rate[f][t] = (double)got / took;
            }
        }
        for (int f = 0; f < nfamilies; f++) {
            mid[f] = median(rate[f], trials); /* sorts: the best is last */
            if (!quiet)
                printf("%6s %8zu %10llu %7d %14.0f %14.0f %10.0f %10.0f\n", families[f] == 4 ? "IPv4" : "IPv6",
                       sizes[s], (unsigned long long)n, trials, mid[f], rate[f][trials - 1], 1e9 / mid[f],
                       mid[f] * (double)sizes[s] * 8 / 1e6);
        }
        if (!quiet && nfamilies == 2)
            printf("%6s %8zu %10s %7s %13.0f%%\n", "v6/v4", sizes[s], "", "", 100 * mid[1] / mid[0]);
    }
    for (int f = 0; f < nfamilies; f++)
        teardown(&b[f]);
    return status;
}
