/* naru sim FILE: run a scenario file on the simulator and report. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "naru/scenario.h"

#define PROG "naru sim"

static void usage(FILE *out)
{
    fprintf(out, "usage: naru sim FILE [--seed N] [--pcap DIR] [--time-limit T] [--verbose]\n"
                 "\n"
                 "Run a scenario file: a simulated network of hosts, routers, switches and\n"
                 "links, and the applications that run on it (ping, traceroute, transfers,\n"
                 "HTTP). Prints what each application achieved and what each link carried.\n"
                 "The same seed gives the same run, packet for packet. scenarios/README.md\n"
                 "describes the file format.\n"
                 "\n"
                 "  --seed N     seed for every random choice (default: the file's, else 1)\n"
                 "  --pcap DIR   capture each link to DIR/LINK.pcap (DIR is created)\n"
                 "  --time-limit T  stop at simulated time T (10s, 500ms), over the file's\n"
                 "  --verbose    print the stacks' log messages as they happen\n"
                 "  -h, --help   this help\n"
                 "\n"
                 "exit status: 0 every application did what it set out to do, 1 one did\n"
                 "not or the time limit came first, 2 a bad scenario or flag\n"
                 "\n"
                 "example: naru sim scenarios/two-sites.ini --seed 7 --pcap /tmp/caps\n");
}

static void print_log(void *ctx, const char *node, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                      const char *message)
{
    (void)ctx;
    (void)level;
    printf("%12.6f  %-10s %-5s %s\n", (double)now / 1e9, node, naru_layer_name(layer), message);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_sim(int argc, char **argv)
{
    static const struct option options[] = {
        { "seed", required_argument, NULL, 's' },
        { "pcap", required_argument, NULL, 'p' },
        { "verbose", no_argument, NULL, 'v' },
        { "time-limit", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct naru_scenario_options o = { 0 };
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 's': {
            char *end;
            errno = 0;
            o.seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "%s: bad seed '%s' (want a non-negative integer)\n", PROG, optarg);
                return 2;
            }
            o.seed_set = true;
            break;
        }
        case 'p':
            o.pcap_dir = optarg;
            break;
        case 't': {
            char *end;
            errno = 0;
            double v = strtod(optarg, &end);
            double scale = !strcmp(end, "s") ? 1e9 : !strcmp(end, "ms") ? 1e6 : !strcmp(end, "us") ? 1e3 : 0;
            if (errno || end == optarg || !scale || !(v > 0) || v * scale > 86400e9) {
                fprintf(stderr, "%s: bad time limit '%s' (want a time such as 10s or 500ms, at most a day)\n",
                        PROG, optarg);
                return 2;
            }
            o.time_limit = (naru_time_t)(v * scale);
            break;
        }
        case 'v':
            o.log = print_log;
            o.log_level = NARU_LOG_INFO;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "%s: unknown or incomplete option '%s' (try --help)\n", PROG, argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "%s: %s (try --help)\n", PROG, optind == argc ? "which scenario file?" : "one file at a time");
        return 2;
    }
    const char *path = argv[optind];
    char error[512];
    struct naru_scenario *sc;
    int err = naru_scenario_load(path, &sc, error, sizeof error);
    if (err < 0) {
        fprintf(stderr, "%s: %s\n", PROG, error);
        return 2;
    }
    if (o.pcap_dir && mkdir(o.pcap_dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", PROG, o.pcap_dir, strerror(errno));
        naru_scenario_free(sc);
        return 2;
    }
    const char *about = naru_scenario_description(sc);
    double t0 = wall();
    err = naru_scenario_run(sc, &o, error, sizeof error);
    double took = wall() - t0;
    if (err < 0) {
        fprintf(stderr, "%s: %s\n", PROG, error);
        naru_scenario_free(sc);
        return 1;
    }
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    struct naru_sim *sim = naru_scenario_sim(sc);
    printf("%s%s%s (seed %llu)\n", path, about[0] ? ": " : "", about, (unsigned long long)out.seed);
    printf("ran %.3f s of simulated time in %.3f s (%llu events)\n\n", (double)naru_sim_now(sim) / 1e9, took,
           (unsigned long long)naru_sim_events(sim));
    naru_scenario_report(sc, stdout);
    if (o.pcap_dir)
        printf("\ncaptures: %s/LINK.pcap, one for each link\n", o.pcap_dir);
    int status = out.timed_out || out.stalled || out.apps_ok < out.apps ? 1 : 0;
    if (out.apps_ok < out.apps)
        printf("\n%u of %u applications did not do what they set out to\n", out.apps - out.apps_ok, out.apps);
    naru_scenario_free(sc);
    return status;
}
