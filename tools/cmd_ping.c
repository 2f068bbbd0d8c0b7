/* naru ping: ICMP echo (src/apps/ping.c), with iputils ping's output and
 * exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "runtime.h"

#define PROG "naru ping"
/* The most data an echo carries: IPv4's total length holds its 20-byte
 * header too, IPv6's payload length only the 8-byte echo header. */
#define MAX_PAYLOAD4 (65535 - 20 - 8)
#define MAX_PAYLOAD6 (65535 - 8)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru ping [-4|-6] [-c COUNT] [-s SIZE] [-i INTERVAL] [-W TIMEOUT]\n"
            "                 [--tap IFNAME --addr CIDR [--addr CIDR]... [--gw IP]...] HOST\n"
            "\n"
            "Send ICMP echo requests to HOST and report the replies, like iputils ping:\n"
            "ICMPv6 echo (RFC 4443 4) to an IPv6 address (2001:db8::1, fe80::1%%IF).\n"
            "By default naru runs in the simulator's built-in world (client 10.1.0.2 and\n"
            "2001:db8:1::2 — router — server 10.2.0.2 and 2001:db8:2::2) in virtual time;\n"
            "HOST may be a name of that world.\n"
            "\n"
            "  -c COUNT           stop after COUNT requests (default: 4 simulated, else until ^C)\n"
            "  -s SIZE            data bytes per request (default 56; above the MTU they fragment;\n"
            "                     at most 65507 over IPv4, 65527 over IPv6)\n"
            "  -i INTERVAL        seconds between requests (default 1)\n"
            "  -W TIMEOUT         seconds to wait for replies after the last request (default 10)\n"
            CLI_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 if any reply came back, 1 if none, 2 on a usage error (a bad\n"
            "address, or a name that does not resolve, as iputils ping).\n"
            CLI_SIGNALS_HELP
            "example: naru ping -c 3 server\n");
}

static double ms(naru_time_t t)
{
    return (double)t / (double)NARU_MS;
}

/* iputils' precision: three significant digits, at least 0.001 ms. */
static void print_ms(double v)
{
    printf("time=%.*f ms", v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3, v);
}

/* iputils ping6's words for ICMPv6 errors (RFC 4443 3). */
static const char *error_text6(uint8_t type, uint8_t code)
{
    switch (type) {
    case 1:
        switch (code) {
        case 0: return "Destination unreachable: No route";
        case 1: return "Destination unreachable: Administratively prohibited";
        case 2: return "Destination unreachable: Beyond scope of source address";
        case 3: return "Destination unreachable: Address unreachable";
        case 4: return "Destination unreachable: Port unreachable";
        default: return "Destination unreachable";
        }
    case 2: return "Packet too big";
    case 3: return code == 0 ? "Time exceeded: Hop limit" : "Time exceeded: Defragmentation failure";
    case 4: return "Parameter problem";
    default: return "ICMPv6 error";
    }
}

static const char *error_text(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == NARU_AF_INET6)
        return error_text6(type, code);
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

/* What on_event() needs to know. */
struct ping_out {
    const struct naru_sockaddr *dst;
    const struct naru_stack *stack; /* for the names of zones: fe80::1%eth0 */
};

static void on_event(void *ctx, const struct naru_ping_event *e)
{
    const struct ping_out *o = ctx;
    const struct naru_sockaddr *dst = o->dst;
    char from[NARU_SOCKADDR_STRLEN];
    struct naru_sockaddr sa = { .addr = e->from.addr, .scope_id = e->from.scope_id };
    /* A link-local answer came in on the interface the request left by. */
    if (!sa.scope_id && naru_addr_is_link_local(&sa.addr) && sa.addr.family == NARU_AF_INET6)
        sa.scope_id = dst->scope_id;
    naru_sockaddr_format(&sa, o->stack, from);
    switch (e->kind) {
    case NARU_PING_REPLY:
    case NARU_PING_DUPLICATE:
        printf("%zu bytes from %s: icmp_seq=%u ttl=%u ", e->bytes, from, e->seq, e->ttl);
        print_ms(ms(e->rtt));
        printf(e->kind == NARU_PING_DUPLICATE ? " (DUP!)\n" : "\n");
        break;
    case NARU_PING_ERROR:
        printf("From %s icmp_seq=%u %s\n", from, e->seq, error_text(dst->addr.family, e->type, e->code));
        break;
    case NARU_PING_SEND_FAILED:
        printf("%s: sendto: %s\n", PROG, strerror(-e->error));
        break;
    }
    fflush(stdout);
}

static bool finished(void *ctx)
{
    return naru_ping_result(ctx)->finished;
}

static void summary(const char *host, const struct naru_ping_result *r)
{
    naru_time_t took;
    naru_app_elapsed(r->started, r->last_sent, &took); /* 0 when nothing went */
    printf("\n--- %s ping statistics ---\n", host);
    printf("%llu packets transmitted, %llu received", (unsigned long long)r->sent,
           (unsigned long long)r->received);
    if (r->duplicates)
        printf(", +%llu duplicates", (unsigned long long)r->duplicates);
    if (r->errors)
        printf(", +%llu errors", (unsigned long long)r->errors);
    double loss = r->sent ? 100.0 * (double)(r->sent - r->received) / (double)r->sent : 0;
    printf(", %.4g%% packet loss, time %llums\n", loss, (unsigned long long)(took / NARU_MS));
    if (r->received)
        printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", ms(r->rtt_min), ms(naru_ping_rtt_avg(r)),
               ms(r->rtt_max), ms(naru_ping_rtt_mdev(r)));
}

int cmd_ping(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        CLI_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    struct naru_ping_config c;
    naru_ping_config_default(&c);
    c.timeout = 10 * NARU_SEC;
    long count = -1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:c:s:i:W:h46", long_options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            count = (long)cli_number(PROG, "count", optarg, false, 1e9);
            if (count == 0) {
                fprintf(stderr, "%s: bad count '%s' (at least 1)\n", PROG, optarg);
                return 2;
            }
            break;
        case 's':
            c.size = (uint32_t)cli_number(PROG, "size", optarg, false, MAX_PAYLOAD6);
            break;
        case 'i':
            c.interval = cli_seconds(PROG, "interval", optarg);
            break;
        case 'W':
            c.timeout = cli_seconds(PROG, "timeout", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            if (cli_take_option(&ro, PROG, opt, optarg))
                break;
            return cli_bad_option(PROG, argv, opt);
        }
    }
    const char *host = cli_operand(PROG, argc, argv, "HOST");
    if (!host)
        return 2;
    struct runtime rt;
    int status = runtime_open_to(&rt, &ro, PROG, host, 2, &c.dst);
    if (status)
        return status;
    if (c.dst.addr.family != NARU_AF_INET6 && c.size > MAX_PAYLOAD4) {
        fprintf(stderr, "%s: size %u is too big for IPv4 (at most %u bytes of data; %u over IPv6)\n", PROG, c.size,
                MAX_PAYLOAD4, MAX_PAYLOAD6);
        runtime_close(&rt);
        return 2;
    }
    status = 1;
    c.count = count < 0 ? (rt.simulated ? 4 : 0) : (uint64_t)count;
    if (!c.count && !c.interval) {
        fprintf(stderr, "%s: -i 0 needs -c COUNT: it would send without end at one instant\n", PROG);
        runtime_close(&rt);
        return 2;
    }
    struct ping_out out = { .dst = &c.dst, .stack = rt.stack };
    c.on_event = on_event;
    c.ctx = &out;
    struct naru_app_env env;
    struct naru_ping *p = NULL;
    char addr[NARU_APP_ADDR_TEXT];
    naru_sockaddr_format(&c.dst, rt.stack, addr);
    if (rt.simulated)
        fputs(WORLD_STORY, stderr);
    /* The datagram: the data, the echo header (8) and IP's (20, or 40). */
    printf("PING %s (%s) %u(%u) bytes of data.\n", host, addr, c.size,
           c.size + (c.dst.addr.family == NARU_AF_INET6 ? 48 : 28));
    fflush(stdout);
    int err = runtime_app_env(&rt, &env);
    if (!err)
        err = naru_ping_start(&env, &c, &p);
    if (err < 0 || naru_ping_result(p)->error) {
        fprintf(stderr, "%s: socket: %s\n", PROG, strerror(err < 0 ? -err : -naru_ping_result(p)->error));
        goto out;
    }
    loop_run(&rt.loop, NARU_NEVER, finished, p);
    naru_ping_stop(p); /* interrupted: the summary of what there is */
    summary(host, naru_ping_result(p));
    status = naru_ping_result(p)->received ? 0 : 1;
out:
    naru_ping_destroy(p);
    runtime_close(&rt);
    return status;
}
