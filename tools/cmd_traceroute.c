/* naru traceroute: UDP probes with rising TTL. Each router where a probe's
 * TTL runs out answers ICMP time exceeded, naming itself; the destination
 * answers port unreachable (nobody listens on the probe ports). The
 * answers come back through NARU_SO_RECVERR, as with Linux's IP_RECVERR.
 * Probes go one at a time, as classic traceroute sends them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "runtime.h"

#define PROG "naru traceroute"
#define DEFAULT_PORT 33434
#define PROBE_DATA 32          /* 60-byte packets, as Linux's traceroute sends */

struct trace {
    struct runtime *rt;
    int sock;
    uint32_t dst;
    unsigned max_ttl, queries;
    naru_time_t wait;
    uint16_t port;
    unsigned ttl, query;
    uint32_t probe;            /* probes sent */
    bool awaiting;
    naru_time_t sent_at;
    uint32_t line_addr;        /* who answered last on this line */
    bool reached, stopped, done;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru traceroute [-m MAXTTL] [-q QUERIES] [-w WAIT] [-p PORT]\n"
            "                       [--tap IFNAME --addr CIDR [--gw IP]] HOST\n"
            "\n"
            "Show the routers on the way to HOST: UDP probes leave with TTL 1, 2, 3...;\n"
            "the router where a probe's TTL runs out answers ICMP \"time exceeded\", and\n"
            "HOST answers \"port unreachable\". By default naru runs in the simulator's\n"
            "built-in world (client 10.1.0.2 - router - server 10.2.0.2) in virtual time;\n"
            "HOST may be a name of that world.\n"
            "\n"
            "  -m MAXTTL          most hops to try (default 30, at most 255)\n"
            "  -q QUERIES         probes per hop (default 3, at most 10)\n"
            "  -w WAIT            seconds to wait for each answer (default 5; 1 simulated)\n"
            "  -p PORT            destination port of the first probe, rising by one per\n"
            "                     probe (default 33434)\n"
            RUNTIME_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 if HOST answered, 1 if not, 2 on a usage error.\n"
            "Marks: * no answer in time; !N, !H, !P network, host, protocol unreachable.\n"
            "example: naru traceroute -q 1 server\n");
}

static void send_probe(struct trace *t);

static void next(struct trace *t)
{
    t->awaiting = false;
    if (++t->query < t->queries) {
        send_probe(t);
        return;
    }
    printf("\n");
    fflush(stdout);
    if (t->reached || t->stopped || t->ttl >= t->max_ttl) {
        t->done = true;
        return;
    }
    t->ttl++;
    t->query = 0;
    send_probe(t);
}

static void on_timeout(void *ctx)
{
    struct trace *t = ctx;
    /* Every probe sets one; only the probe still waiting counts. */
    if (t->done || !t->awaiting || runtime_now(t->rt) < t->sent_at + t->wait)
        return;
    printf(" *");
    next(t);
}

static void send_probe(struct trace *t)
{
    struct naru_stack *stack = t->rt->stack;
    if (t->query == 0) {
        printf("%2u ", t->ttl);
        t->line_addr = 0;
    }
    uint8_t data[PROBE_DATA] = { 0 };
    struct naru_sockaddr to = { t->dst, (uint16_t)(t->port + t->probe++) };
    naru_setsockopt(stack, t->sock, NARU_IP_TTL, (int)t->ttl);
    t->awaiting = true;
    t->sent_at = runtime_now(t->rt);
    long n = naru_sendto(stack, t->sock, data, sizeof data, 0, &to);
    if (n < 0) {
        printf(" (%s)", strerror((int)-n));
        t->stopped = true;
        t->query = t->queries - 1;
        next(t);
        return;
    }
    runtime_at(t->rt, t->sent_at + t->wait, on_timeout, t);
}

static void on_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct trace *t = ctx;
    uint8_t buf[64];
    while (naru_recvfrom(stack, sock, buf, sizeof buf, 0, NULL) >= 0)
        ; /* nothing answers a probe with data; drop whatever does */
    struct naru_icmp_error e;
    while (naru_recv_error(stack, sock, &e) == 0) {
        if (t->done || !t->awaiting || e.dst.port != (uint16_t)(t->port + t->probe - 1))
            continue; /* an answer to a probe already given up on */
        char a[NARU_IP4_STRLEN];
        if (e.offender != t->line_addr) {
            printf(" %s", naru_ip4_format(e.offender, a));
            t->line_addr = e.offender;
        }
        double ms = (double)(runtime_now(t->rt) - t->sent_at) / 1e6;
        printf("  %.3f ms", ms);
        if (e.type == 3) {
            if (e.code == 3 && e.offender == t->dst) {
                t->reached = true;
            } else {
                printf(" !%c", e.code == 0 ? 'N' : e.code == 1 ? 'H' : e.code == 2 ? 'P' : 'X');
                t->stopped = true;
            }
        }
        next(t);
    }
    naru_socket_error(stack, sock); /* an unconnected socket: errors came above */
}

static bool finished(void *ctx)
{
    return ((struct trace *)ctx)->done;
}

int cmd_traceroute(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        RUNTIME_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct runtime_options ro = { 0 };
    struct trace t = { .max_ttl = 30, .queries = 3, .port = DEFAULT_PORT, .ttl = 1, .sock = -1 };
    double wait = -1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:m:q:w:p:h", long_options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            t.max_ttl = (unsigned)runtime_number(PROG, "max TTL", optarg, false, 255);
            if (!t.max_ttl) {
                fprintf(stderr, "%s: bad max TTL '%s' (1 to 255)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'q':
            t.queries = (unsigned)runtime_number(PROG, "number of queries", optarg, false, 10);
            if (!t.queries) {
                fprintf(stderr, "%s: bad number of queries '%s' (1 to 10)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'w':
            wait = runtime_number(PROG, "wait", optarg, true, 3600);
            if (wait <= 0) {
                fprintf(stderr, "%s: bad wait '%s' (more than 0 seconds)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'p':
            t.port = (uint16_t)runtime_number(PROG, "port", optarg, false, 65535);
            if (!t.port) {
                fprintf(stderr, "%s: bad port '%s' (1 to 65535)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            if (runtime_take_option(&ro, PROG, opt, optarg))
                break;
            return runtime_bad_option(PROG, argv, opt);
        }
    }
    const char *host = runtime_operand(PROG, argc, argv, "HOST");
    if (!host)
        return 2;
    struct runtime rt;
    int err = runtime_open_to(&rt, &ro, PROG, host, &t.dst);
    if (err)
        return err;
    int status = 1;
    t.rt = &rt;
    t.wait = (naru_time_t)((wait > 0 ? wait : rt.simulated ? 1 : 5) * 1e9);
    t.sock = naru_socket(rt.stack, NARU_SOCK_DGRAM);
    if (t.sock < 0 || (err = naru_setsockopt(rt.stack, t.sock, NARU_SO_RECVERR, 1)) < 0) {
        fprintf(stderr, "%s: socket: %s\n", PROG, strerror(t.sock < 0 ? -t.sock : -err));
        goto out;
    }
    naru_socket_set_callback(rt.stack, t.sock, on_event, &t);
    char a[NARU_IP4_STRLEN];
    if (rt.simulated)
        fprintf(stderr, "(simulated: client 10.1.0.2 -> router -> server 10.2.0.2, virtual time)\n");
    printf("traceroute to %s (%s), %u hops max, %d byte packets\n", host, naru_ip4_format(t.dst, a), t.max_ttl,
           20 + 8 + PROBE_DATA);
    fflush(stdout);
    send_probe(&t);
    int ran = runtime_run(&rt, NARU_NEVER, finished, &t);
    if (ran == 1 && !t.done)
        printf("\n");
    status = t.reached ? 0 : 1;
out:
    runtime_close(&rt);
    return status;
}
