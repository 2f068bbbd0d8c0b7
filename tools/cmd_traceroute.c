/* naru traceroute: src/apps/traceroute.c's probes, a line per hop printed
 * as the answers come. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "runtime.h"

#define PROG "naru traceroute"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru traceroute [-4|-6] [-m MAXTTL] [-q QUERIES] [-w WAIT] [-p PORT]\n"
            "                       [--tap IFNAME --addr CIDR [--addr CIDR]... [--gw IP]...] HOST\n"
            "\n"
            "Show the routers on the way to HOST: UDP probes leave with TTL (IPv6: hop\n"
            "limit) 1, 2, 3...; the router where a probe's TTL runs out answers ICMP or\n"
            "ICMPv6 \"time exceeded\", and HOST answers \"port unreachable\". By default naru runs in the simulator's\n"
            "built-in world (client 10.1.0.2 and 2001:db8:1::2 - router - server 10.2.0.2\n"
            "and 2001:db8:2::2) in virtual time; HOST may be a name of that world.\n"
            "\n"
            "  -m MAXTTL          most hops to try (default 30, at most 255)\n"
            "  -q QUERIES         probes per hop (default 3, at most 10)\n"
            "  -w WAIT            seconds to wait for each answer (default 5; 1 simulated)\n"
            "  -p PORT            destination port of the first probe, rising by one per\n"
            "                     probe (default 33434)\n"
            CLI_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 if HOST answered, 1 if not, 2 on a usage error (a bad address,\n"
            "or a name that does not resolve, as traceroute).\n"
            CLI_SIGNALS_HELP
            "Marks: * no answer in time; !N, !H, !P network, host, protocol unreachable.\n"
            "example: naru traceroute -q 1 server\n");
}

struct lines {
    struct naru_sockaddr previous; /* who answered last on this line */
};

static void on_probe(void *ctx, const struct naru_traceroute_probe *p)
{
    struct lines *l = ctx;
    char text[128];
    if (p->query == 0) {
        printf("%2u ", p->ttl);
        l->previous.addr.family = NARU_AF_UNSPEC;
    }
    printf("%s", naru_traceroute_probe_text(p, &l->previous, NULL, text, sizeof text));
    if (p->answered)
        l->previous = p->from;
    if (p->last)
        printf("\n");
    fflush(stdout);
}

static bool finished(void *ctx)
{
    return naru_traceroute_result(ctx)->finished;
}

int cmd_traceroute(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        CLI_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    struct naru_traceroute_config c;
    naru_traceroute_config_default(&c);
    double wait = -1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:m:q:w:p:h46", long_options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            c.max_ttl = (uint8_t)cli_number(PROG, "max TTL", optarg, false, 255);
            if (!c.max_ttl) {
                fprintf(stderr, "%s: bad max TTL '%s' (1 to 255)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'q':
            c.queries = (uint8_t)cli_number(PROG, "number of queries", optarg, false, NARU_TRACEROUTE_MAX_QUERIES);
            if (!c.queries) {
                fprintf(stderr, "%s: bad number of queries '%s' (1 to %d)\n", PROG, optarg,
                        NARU_TRACEROUTE_MAX_QUERIES);
                return 2;
            }
            break;
        case 'w':
            wait = cli_number(PROG, "wait", optarg, true, 3600);
            if (wait <= 0) {
                fprintf(stderr, "%s: bad wait '%s' (more than 0 seconds)\n", PROG, optarg);
                return 2;
            }
            break;
        case 'p':
            c.dst.port = (uint16_t)cli_number(PROG, "port", optarg, false, 65535);
            if (!c.dst.port) {
                fprintf(stderr, "%s: bad port '%s' (1 to 65535)\n", PROG, optarg);
                return 2;
            }
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
    status = 1;
    c.wait = (naru_time_t)((wait > 0 ? wait : rt.simulated ? 1 : 5) * 1e9);
    struct lines lines = { .previous = { .port = 0 } };
    c.on_probe = on_probe;
    c.ctx = &lines;
    char a[NARU_SOCKADDR_STRLEN];
    struct naru_sockaddr dst = { .addr = c.dst.addr, .scope_id = c.dst.scope_id };
    if (rt.simulated)
        fputs(WORLD_STORY, stderr);
    printf("traceroute to %s (%s), %u hops max, %d byte packets\n", host, naru_sockaddr_format(&dst, rt.stack, a),
           c.max_ttl, (c.dst.addr.family == NARU_AF_INET6 ? 40 : 20) + 8 + c.probe_size);
    fflush(stdout);
    struct naru_app_env env;
    struct naru_traceroute *t = NULL;
    int err = runtime_app_env(&rt, &env);
    if (!err)
        err = naru_traceroute_start(&env, &c, &t);
    if (err < 0 || !naru_traceroute_result(t)->sent) { /* no socket */
        int e = err < 0 ? err : naru_traceroute_result(t)->error;
        fprintf(stderr, "%s: socket: %s\n", PROG, strerror(-e));
        goto out;
    }
    if (loop_run(&rt.loop, NARU_NEVER, finished, t) == 1 && !naru_traceroute_result(t)->finished)
        printf("\n");
    status = naru_traceroute_result(t)->ok ? 0 : 1;
out:
    naru_traceroute_destroy(t);
    runtime_close(&rt);
    return status;
}
