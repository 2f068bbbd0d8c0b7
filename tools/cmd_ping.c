/* naru ping: ICMP echo, with iputils ping's output and exit codes. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "runtime.h"

#define PROG "naru ping"
#define ICMP_HEADER 8
#define MAX_PAYLOAD (65535 - 20 - ICMP_HEADER)

struct ping {
    struct runtime *rt;
    int sock;
    uint32_t dst;
    char dst_text[NARU_IP4_STRLEN];
    const char *host;           /* as the user gave it: iputils' summary names it */
    long count;                 /* 0: until interrupted */
    size_t size;
    naru_time_t interval;
    naru_time_t timeout;
    uint8_t *request;
    uint8_t *reply;
    naru_time_t *sent_at;       /* by sequence number */
    uint8_t *answered;          /* by sequence number */
    long sent, received, duplicates, errors;
    double rtt_min, rtt_max, rtt_sum, rtt_sum2;
    naru_time_t start, last_sent;
    bool all_sent;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru ping [-c COUNT] [-s SIZE] [-i INTERVAL] [-W TIMEOUT] [--tap IFNAME --addr CIDR [--gw IP]] HOST\n"
            "\n"
            "Send ICMP echo requests to HOST and report the replies, like iputils ping.\n"
            "By default naru runs in the simulator's built-in world (client 10.1.0.2 —\n"
            "router — server 10.2.0.2) in virtual time; HOST may be a name of that world.\n"
            "\n"
            "  -c COUNT           stop after COUNT requests (default: 4 simulated, else until ^C)\n"
            "  -s SIZE            data bytes per request (default 56; above the MTU they fragment)\n"
            "  -i INTERVAL        seconds between requests (default 1)\n"
            "  -W TIMEOUT         seconds to wait for replies after the last request (default 10)\n"
            RUNTIME_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 if any reply came back, 1 if none, 2 on a usage error.\n"
            "example: naru ping -c 3 server\n");
}

/* iputils' precision: three significant digits, at least 0.001 ms. */
static void print_ms(double ms)
{
    printf("time=%.*f ms", ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3, ms);
}

static void send_next(void *ctx)
{
    struct ping *p = ctx;
    struct naru_stack *stack = p->rt->stack;
    uint16_t seq = (uint16_t)(p->sent + 1);
    memset(p->request, 0, ICMP_HEADER);
    p->request[0] = 8; /* echo request; the stack sets the identifier and checksum */
    p->request[6] = (uint8_t)(seq >> 8);
    p->request[7] = (uint8_t)seq;
    naru_time_t now = runtime_now(p->rt);
    struct naru_sockaddr to = { p->dst, 0 };
    long n = naru_sendto(stack, p->sock, p->request, ICMP_HEADER + p->size, 0, &to);
    if (n < 0) {
        fprintf(stdout, "%s: sendto: %s\n", PROG, strerror((int)-n));
        p->errors++;
    }
    p->sent_at[seq] = now;
    p->answered[seq] = 0;
    p->sent++;
    p->last_sent = now;
    if (p->count && p->sent >= p->count)
        p->all_sent = true;
    else
        runtime_at(p->rt, now + p->interval, send_next, p);
}

static const char *error_text(uint8_t type, uint8_t code)
{
    if (type == 11)
        return code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
    if (type != 3)
        return "ICMP error";
    switch (code) {
    case 0: return "Destination Net Unreachable";
    case 1: return "Destination Host Unreachable";
    case 2: return "Destination Protocol Unreachable";
    case 3: return "Destination Port Unreachable";
    case 4: return "Frag needed and DF set";
    default: return "Destination Unreachable";
    }
}

static void on_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct ping *p = ctx;
    struct naru_recv_info info;
    long n;
    while ((n = naru_recv_info(stack, sock, p->reply, ICMP_HEADER + MAX_PAYLOAD, 0, &info)) >= ICMP_HEADER) {
        uint16_t seq = (uint16_t)(p->reply[6] << 8 | p->reply[7]);
        if (p->reply[0] != 0 || info.from.addr != p->dst || seq == 0 || seq > p->sent)
            continue;
        double ms = (double)(info.when - p->sent_at[seq]) / 1e6;
        char from[NARU_IP4_STRLEN];
        naru_ip4_format(info.from.addr, from);
        if (p->answered[seq]) {
            p->duplicates++;
            printf("%ld bytes from %s: icmp_seq=%u ttl=%u ", n, from, seq, info.ttl);
            print_ms(ms);
            printf(" (DUP!)\n");
            continue;
        }
        p->answered[seq] = 1;
        p->received++;
        if (p->received == 1 || ms < p->rtt_min)
            p->rtt_min = ms;
        if (ms > p->rtt_max)
            p->rtt_max = ms;
        p->rtt_sum += ms;
        p->rtt_sum2 += ms * ms;
        printf("%ld bytes from %s: icmp_seq=%u ttl=%u ", n, from, seq, info.ttl);
        print_ms(ms);
        printf("\n");
    }
    struct naru_icmp_error e;
    while (naru_recv_error(stack, sock, &e) == 0) {
        char from[NARU_IP4_STRLEN];
        p->errors++;
        printf("From %s icmp_seq=%u %s\n", naru_ip4_format(e.offender, from), e.dst.port,
               error_text(e.type, e.code));
    }
    fflush(stdout);
}

static bool finished(void *ctx)
{
    struct ping *p = ctx;
    if (!p->all_sent)
        return false;
    if (p->received + p->errors >= p->sent)
        return true;
    return runtime_now(p->rt) >= p->last_sent + p->timeout;
}

static void summary(struct ping *p)
{
    naru_time_t elapsed = (p->last_sent - p->start) / NARU_MS;
    printf("\n--- %s ping statistics ---\n", p->host);
    printf("%ld packets transmitted, %ld received", p->sent, p->received);
    if (p->duplicates)
        printf(", +%ld duplicates", p->duplicates);
    if (p->errors)
        printf(", +%ld errors", p->errors);
    double loss = p->sent ? 100.0 * (double)(p->sent - p->received) / (double)p->sent : 0;
    printf(", %.4g%% packet loss, time %llums\n", loss, (unsigned long long)elapsed);
    if (p->received) {
        double avg = p->rtt_sum / (double)p->received;
        double var = p->rtt_sum2 / (double)p->received - avg * avg;
        printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", p->rtt_min, avg, p->rtt_max,
               sqrt(var > 0 ? var : 0));
    }
}

int cmd_ping(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        RUNTIME_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct runtime_options ro = { 0 };
    struct ping p = { .count = -1, .size = 56, .interval = NARU_SEC, .timeout = 10 * NARU_SEC };
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:c:s:i:W:h", long_options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            p.count = (long)runtime_number(PROG, "count", optarg, false, 1e9);
            if (p.count == 0) {
                fprintf(stderr, "%s: bad count '%s' (at least 1)\n", PROG, optarg);
                return 2;
            }
            break;
        case 's':
            p.size = (size_t)runtime_number(PROG, "size", optarg, false, MAX_PAYLOAD);
            break;
        case 'i':
            p.interval = runtime_seconds(PROG, "interval", optarg);
            break;
        case 'W':
            p.timeout = runtime_seconds(PROG, "timeout", optarg);
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
    int err = runtime_open_to(&rt, &ro, PROG, host, &p.dst);
    if (err)
        return err;
    int status = 1;
    p.rt = &rt;
    if (p.count < 0)
        p.count = rt.simulated ? 4 : 0;
    naru_ip4_format(p.dst, p.dst_text);
    p.host = host;
    p.request = calloc(1, ICMP_HEADER + MAX_PAYLOAD);
    p.reply = malloc(ICMP_HEADER + MAX_PAYLOAD);
    p.sent_at = calloc(65536, sizeof *p.sent_at);
    p.answered = calloc(65536, 1);
    if (!p.request || !p.reply || !p.sent_at || !p.answered)
        goto out;
    for (size_t i = 0; i < p.size; i++)
        p.request[ICMP_HEADER + i] = (uint8_t)(0x10 + i);
    p.sock = naru_socket(rt.stack, NARU_SOCK_PING);
    if (p.sock < 0 || naru_setsockopt(rt.stack, p.sock, NARU_SO_RECVERR, 1) < 0) {
        fprintf(stderr, "%s: socket: %s\n", PROG, strerror(-p.sock));
        goto out;
    }
    naru_socket_set_callback(rt.stack, p.sock, on_readable, &p);
    if (rt.simulated)
        fprintf(stderr, "(simulated: client 10.1.0.2 -> router -> server 10.2.0.2, virtual time)\n");
    printf("PING %s (%s) %zu(%zu) bytes of data.\n", host, p.dst_text, p.size, p.size + 28);
    fflush(stdout);
    p.start = runtime_now(&rt);
    send_next(&p);
    runtime_run(&rt, NARU_NEVER, finished, &p);
    summary(&p);
    status = p.received ? 0 : 1;
out:
    free(p.request);
    free(p.reply);
    free(p.sent_at);
    free(p.answered);
    runtime_close(&rt);
    return status;
}
