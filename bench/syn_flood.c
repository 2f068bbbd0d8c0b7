/* syn_flood: a bounded SYN flood for bench/syn_flood_bench.sh.
 *
 * Sends TCP SYNs, at a given rate and up to a given count (or time), to one
 * address and port, each from a random source address in a network and a
 * random port, as a spoofing flooder does: through a raw socket with our
 * own IP header (needs root or CAP_NET_RAW). Each SYN carries the options
 * a Linux client's does (MSS, SACK-permitted, timestamps, window scale),
 * so a listener answers it as it would a real one. Both the target and
 * the sources must lie in 198.18.0.0/15 (RFC 2544's benchmarking range):
 * nothing outside a test's own namespaces is ever sent to or spoofed.
 *
 * usage: syn_flood --to A.B.C.D:PORT --from A.B.C.D/LEN --rate N
 *                  (--count N | --seconds S)
 * Prints one line: SYNs sent, seconds, SYNs per second. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_RATE 2000000u      /* SYNs per second */
#define MAX_COUNT 100000000ull
#define MAX_SECONDS 600.0
#define BATCH 64               /* SYNs per sendmmsg() */
#define SYN_LEN 60             /* 20 IP + 20 TCP + 20 options, as Linux's SYNs */
#define TEST_NET 0xc6120000u   /* 198.18.0.0/15 */
#define TEST_MASK 0xfffe0000u

static void usage(FILE *out)
{
    fprintf(out, "usage: syn_flood --to A.B.C.D:PORT --from A.B.C.D/LEN --rate N (--count N | --seconds S)\n"
                 "\n"
                 "Send TCP SYNs at N a second to A.B.C.D:PORT, each from a random address of the\n"
                 "network --from and a random port, through a raw socket (root or CAP_NET_RAW),\n"
                 "until --count have gone or --seconds have passed. Target and sources must lie\n"
                 "in 198.18.0.0/15. Limits: %u a second, %llu SYNs, %.0f seconds.\n",
            MAX_RATE, MAX_COUNT, MAX_SECONDS);
}

static void bad(const char *what, const char *text)
{
    fprintf(stderr, "syn_flood: bad %s '%s'\n", what, text);
    exit(2);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
    /* xorshift64*: plenty for random addresses and ports. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* One SYN from src:sport to dst:dport (addresses in host order). */
static void build_syn(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq,
                      uint32_t tsval)
{
    memset(b, 0, SYN_LEN);
    b[0] = 0x45;                  /* IPv4, 20-byte header */
    put16(b + 2, SYN_LEN);
    b[6] = 0x40;                  /* DF */
    b[8] = 64;                    /* TTL */
    b[9] = IPPROTO_TCP;
    put32(b + 12, src);
    put32(b + 16, dst);
    put16(b + 10, fold(sum16(b, 20, 0)));
    uint8_t *t = b + 20;
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    t[12] = (40 / 4) << 4;        /* data offset: 40 bytes */
    t[13] = 0x02;                 /* SYN */
    put16(t + 14, 64240);         /* Linux's SYN window */
    uint8_t *o = t + 20;          /* MSS, SACK-permitted, timestamps, NOP, window scale */
    o[0] = 2, o[1] = 4, put16(o + 2, 1460);
    o[4] = 4, o[5] = 2;
    o[6] = 8, o[7] = 10, put32(o + 8, tsval), put32(o + 12, 0);
    o[16] = 1;
    o[17] = 3, o[18] = 3, o[19] = 7;
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IPPROTO_TCP + 40;
    put16(t + 16, fold(sum16(t, 40, pseudo)));
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "to", required_argument, NULL, 't' },     { "from", required_argument, NULL, 'f' },
        { "rate", required_argument, NULL, 'r' },   { "count", required_argument, NULL, 'c' },
        { "seconds", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint32_t dst = 0, net = 0, mask = 0, rate = 0;
    uint16_t dport = 0;
    uint64_t count = 0;
    double seconds = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        char text[64], *end, *slash;
        switch (opt) {
        case 't': {
            snprintf(text, sizeof text, "%s", optarg);
            char *colon = strchr(text, ':');
            struct in_addr a;
            if (!colon || (*colon = 0, inet_pton(AF_INET, text, &a) != 1))
                bad("--to", optarg);
            unsigned long p = strtoul(colon + 1, &end, 10);
            if (*end || p == 0 || p > 65535)
                bad("--to", optarg);
            dst = ntohl(a.s_addr);
            dport = (uint16_t)p;
            break;
        }
        case 'f': {
            snprintf(text, sizeof text, "%s", optarg);
            struct in_addr a;
            if (!(slash = strchr(text, '/')) || (*slash = 0, inet_pton(AF_INET, text, &a) != 1))
                bad("--from", optarg);
            unsigned long len = strtoul(slash + 1, &end, 10);
            if (*end || len > 32)
                bad("--from", optarg);
            mask = len ? 0xffffffffu << (32 - len) : 0;
            net = ntohl(a.s_addr) & mask;
            break;
        }
        case 'r': {
            unsigned long r = strtoul(optarg, &end, 10);
            if (*end || r == 0 || r > MAX_RATE)
                bad("--rate", optarg);
            rate = (uint32_t)r;
            break;
        }
        case 'c': {
            unsigned long long c = strtoull(optarg, &end, 10);
            if (*end || c == 0 || c > MAX_COUNT)
                bad("--count", optarg);
            count = c;
            break;
        }
        case 's':
            seconds = strtod(optarg, &end);
            if (*end || !(seconds > 0) || seconds > MAX_SECONDS)
                bad("--seconds", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc || !dport || !mask || !rate || (!count && !seconds)) {
        usage(stderr);
        return 2;
    }
    if ((dst & TEST_MASK) != TEST_NET || (net & TEST_MASK) != TEST_NET || (mask & TEST_MASK) != TEST_MASK) {
        fprintf(stderr, "syn_flood: target and sources must lie in 198.18.0.0/15\n");
        return 2;
    }
    if (!count)
        count = MAX_COUNT;
    if (!seconds)
        seconds = MAX_SECONDS;
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IP_HDRINCL implied */
    if (fd < 0) {
        fprintf(stderr, "syn_flood: raw socket: %s (needs root or CAP_NET_RAW)\n", strerror(errno));
        return 1;
    }
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    rng_state = (uint64_t)getpid() << 32 ^ (uint64_t)(now_seconds() * 1e9) ^ 0x9e3779b97f4a7c15ull;

    static uint8_t packets[BATCH][SYN_LEN];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(dst) };
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){ packets[i], SYN_LEN };
        msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i],
                                           .msg_iovlen = 1 };
    }
    uint64_t tried = 0, sent = 0;
    double start = now_seconds();
    while (tried < count) {
        /* Pace: the batch goes when the rate says it is due. */
        double due = start + (double)tried / rate;
        double now = now_seconds();
        if (now - start >= seconds)
            break;
        if (due > now) {
            double wait = due - now;
            struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
            nanosleep(&ts, NULL);
        }
        unsigned n = count - tried < BATCH ? (unsigned)(count - tried) : BATCH;
        uint32_t tsval = (uint32_t)(now * 1000);
        for (unsigned i = 0; i < n; i++) {
            uint32_t src = net | (rng() & ~mask);
            build_syn(packets[i], src, dst, (uint16_t)(1024 + rng() % 64512), dport, rng(), tsval);
        }
        int r = sendmmsg(fd, msgs, n, 0);
        if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
            fprintf(stderr, "syn_flood: sendmmsg: %s\n", strerror(errno));
            return 1;
        }
        tried += n; /* what the kernel's queue would not take is lost, as on a wire */
        sent += r > 0 ? (uint64_t)r : 0;
    }
    double elapsed = now_seconds() - start;
    close(fd);
    printf("sent %llu SYNs in %.3f s: %.0f/s (%llu more the socket's queue did not take)\n",
           (unsigned long long)sent, elapsed, elapsed > 0 ? (double)sent / elapsed : 0.0,
           (unsigned long long)(tried - sent));
    return 0;
}
