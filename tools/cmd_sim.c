/* naru sim FILE: run a scenario file on the simulator and report.
 * SIGINT and SIGTERM stop the run where it is: the report so far, the
 * captures complete, and the exit status of a process the signal ended
 * (130, 143). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "huge_pages.h"
#include "naru/replay.h"
#include "naru/scenario.h"

#define PROG "naru sim"

static void usage(FILE *out)
{
    fprintf(out, "usage: naru sim FILE [--seed N] [--pcap DIR [--pcap-limit SIZE]] [--json FILE]\n"
                 "                     [--html FILE] [--time-limit T] [--verbose] [--no-huge-pages]\n"
                 "\n"
                 "Run a scenario file: a simulated network of hosts, routers, switches and\n"
                 "links, and the applications that run on it (ping, traceroute, transfers,\n"
                 "HTTP). Prints what each application achieved and what each link carried.\n"
                 "The same seed gives the same run, packet for packet. scenarios/README.md\n"
                 "describes the file format.\n"
                 "\n"
                 "  --seed N     seed for every random choice (default: the file's, else 1)\n"
                 "  --pcap DIR   capture each link to DIR/LINK.pcap (DIR is created)\n"
                 "  --pcap-limit SIZE  stop the run when the captures hold SIZE bytes\n"
                 "               (500MB, 2GiB; none: no limit); default 1GiB\n"
                 "  --json FILE  write the results as JSON to FILE (- for stdout): each\n"
                 "               application, TCP flow and link, and the run's figures\n"
                 "  --html FILE  write FILE: one page that replays the run in a browser (the\n"
                 "               network, packets moving, each one layer by layer, TCP's\n"
                 "               graphs); it keeps 256 bytes of every frame: for small worlds\n"
                 "  --time-limit T  stop at simulated time T (10s, 500ms), over the file's\n"
                 "  --verbose    print the stacks' log messages as they happen\n"
                 "  --no-huge-pages  leave the heap in 4 KiB pages; by default it asks the\n"
                 "               kernel for transparent huge pages, which big worlds run\n"
                 "               faster with (5-17%% here; they may cost a little memory)\n"
                 "  -h, --help   this help\n"
                 "\n"
                 "Ctrl-C (or SIGTERM) stops the run: the report so far, complete captures.\n"
                 "\n"
                 "exit status: 0 every application did what it set out to do, 1 one did\n"
                 "not or the time limit came first, 2 a bad scenario or flag, 130 (143)\n"
                 "stopped by SIGINT (SIGTERM)\n"
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

/* Worlds of more links than this are warned about before a capture. */
#define BIG_WORLD_LINKS 32

static volatile sig_atomic_t stop_signal;

static void on_signal(int signo)
{
    stop_signal = signo;
}

static void catch_signals(bool on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A size such as 500MB, 2GiB or 4096; none is 0 (no limit). */
static bool parse_size(const char *text, uint64_t *out)
{
    if (!strcmp(text, "none")) {
        *out = 0;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    static const struct { const char *unit; double scale; } units[] = {
        { "", 1 }, { "B", 1 }, { "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 },
        { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 },
    };
    if (errno || end == text || !(v > 0))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(end, units[i].unit) && v * units[i].scale < 1.8e19) {
            *out = (uint64_t)(v * units[i].scale);
            return *out > 0;
        }
    }
    return false;
}

static void format_bytes(uint64_t n, char *out, size_t cap)
{
    if (n >= 1000000000)
        snprintf(out, cap, "%.1f GB", (double)n / 1e9);
    else
        snprintf(out, cap, "%.1f MB", (double)n / 1e6);
}

/* --html: the page's recorder watches every link from the start. */
static int watch_for_page(void *ctx, struct naru_sim *sim)
{
    struct naru_replay **replay = ctx;
    if (!(*replay = naru_replay_new(sim)))
        return -ENOMEM;
    naru_sim_set_observer(sim, naru_replay_observe, *replay);
    return 0;
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
        { "json", required_argument, NULL, 'j' },
        { "html", required_argument, NULL, 'H' },
        { "pcap-limit", required_argument, NULL, 'l' },
        { "no-huge-pages", no_argument, NULL, 'g' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool huge_pages = true;
    struct naru_scenario_options o = { .pcap_limit = 1073741824ull };
    const char *json_path = NULL, *html_path = NULL;
    FILE *html = NULL;
    struct naru_replay *replay = NULL;
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
            o.pcap_dir = cli_dir(optarg);
            break;
        case 'j':
            json_path = optarg;
            break;
        case 'H':
            html_path = optarg;
            break;
        case 'l':
            if (!parse_size(optarg, &o.pcap_limit)) {
                fprintf(stderr, "%s: bad capture limit '%s' (want a size such as 500MB or 2GiB, or none)\n", PROG,
                        optarg);
                return 2;
            }
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
        case 'g':
            huge_pages = false;
            break;
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
    if (huge_pages)
        heap_use_huge_pages((size_t)1 << 30);
    stop_signal = 0;
    catch_signals(true);
    double t0 = wall();
    int err = naru_scenario_load(path, &sc, error, sizeof error);
    double loaded = wall() - t0;
    if (err < 0) {
        catch_signals(false);
        fprintf(stderr, "%s: %s\n", PROG, error);
        return 2;
    }
    FILE *json = NULL;
    if (json_path) {
        json = strcmp(json_path, "-") ? fopen(json_path, "w") : stdout;
        if (!json) {
            catch_signals(false);
            fprintf(stderr, "%s: cannot write %s: %s\n", PROG, json_path, strerror(errno));
            naru_scenario_free(sc);
            return 2;
        }
    }
    /* Opened before the run, so a path that cannot be written is told at once. */
    if (html_path && !(html = fopen(html_path, "w"))) {
        catch_signals(false);
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, html_path, strerror(errno));
        if (json && json != stdout)
            fclose(json);
        naru_scenario_free(sc);
        return 1;
    }
    if (html) {
        o.on_sim = watch_for_page;
        o.on_sim_ctx = &replay;
    }
    /* With the JSON on stdout, the words go to stderr. */
    FILE *out = json == stdout ? stderr : stdout;
    int status = 0;
    if (o.pcap_dir && mkdir(o.pcap_dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", PROG, o.pcap_dir, strerror(errno));
        status = 2;
        goto done;
    }
    if (stop_signal) {
        fprintf(stderr, "%s: interrupted before the run began\n", PROG);
        status = 128 + stop_signal;
        goto done;
    }
    /* A big world's captures could fill a disk: say so before it starts.
     * (Any world's could in theory; a small one's seldom do, so it is
     * spared the warning, though not the limit.) */
    uint64_t bound = o.pcap_dir ? naru_scenario_capture_bound(sc, o.time_limit) : 0;
    if (o.pcap_dir && naru_scenario_link_count(sc) > BIG_WORLD_LINKS && (!o.pcap_limit || bound > o.pcap_limit)) {
        char most[48], limit[32];
        if (bound == UINT64_MAX)
            snprintf(most, sizeof most, "without bound (a link has no rate)");
        else
            format_bytes(bound, most, sizeof most);
        format_bytes(o.pcap_limit, limit, sizeof limit);
        if (o.pcap_limit)
            fprintf(stderr, "%s: warning: the captures of %s could reach %s; the run stops when they hold %s "
                            "(--pcap-limit)\n", PROG, path, most, limit);
        else
            fprintf(stderr, "%s: warning: the captures of %s could reach %s, with no limit (--pcap-limit none)\n",
                    PROG, path, most);
    }
    const char *about = naru_scenario_description(sc);
    o.interrupt = &stop_signal;
    t0 = wall();
    err = naru_scenario_run(sc, &o, error, sizeof error);
    double took = wall() - t0;
    catch_signals(false); /* the run is over: a second Ctrl-C may cut the report short */
    if (err < 0) {
        fprintf(stderr, "%s: %s\n", PROG, error);
        status = 1;
        goto done;
    }
    struct naru_scenario_outcome res;
    naru_scenario_outcome(sc, &res);
    struct naru_sim *sim = naru_scenario_sim(sc);
    fprintf(out, "%s%s%s (seed %llu)\n", path, about[0] ? ": " : "", about, (unsigned long long)res.seed);
    fprintf(out, "ran %.3f s of simulated time in %.3f s (%llu events, %llu frames onto links; read and checked in %.3f s)\n",
            (double)naru_sim_now(sim) / 1e9, took, (unsigned long long)naru_sim_events(sim),
            (unsigned long long)naru_sim_transmissions(sim), loaded);
    if (res.peak_rss_kib && res.nodes)
        fprintf(out, "peak memory %.1f MiB, %.1f KiB per node (%u nodes)\n", (double)res.peak_rss_kib / 1024,
                (double)res.peak_rss_kib / res.nodes, res.nodes);
    fputc('\n', out);
    naru_scenario_report(sc, out);
    if (o.pcap_dir)
        fprintf(out, "\ncaptures: %s/LINK.pcap, one for each link\n", o.pcap_dir);
    status = res.timed_out || res.stalled || res.apps_ok < res.apps ? 1 : 0;
    if (res.apps_ok < res.apps)
        fprintf(out, "\n%u of %u applications did not do what they set out to\n", res.apps - res.apps_ok, res.apps);
    if (json && naru_scenario_write_json(sc, took, json) < 0) {
        fprintf(stderr, "%s: writing %s failed\n", PROG, json_path);
        status = 1;
    }
    if (html) {
        char title[600];
        snprintf(title, sizeof title, "naru sim %s (seed %llu)", path, (unsigned long long)res.seed);
        err = naru_replay_write_html(replay, title, html);
        if (fclose(html) != 0 || err < 0) {
            fprintf(stderr, "%s: writing %s failed: %s\n", PROG, html_path, strerror(err < 0 ? -err : errno));
            remove(html_path);
            status = 1;
        } else {
            fprintf(out, "replay page: %s\n", html_path);
        }
        html = NULL;
    }
    if (res.interrupted)
        status = 128 + stop_signal;
done:
    catch_signals(false);
    if (json && json != stdout && fclose(json) != 0 && status == 0) {
        fprintf(stderr, "%s: writing %s failed: %s\n", PROG, json_path, strerror(errno));
        status = 1;
    }
    if (html) { /* the run never got to write it */
        fclose(html);
        remove(html_path);
    }
    naru_replay_free(replay);
    naru_scenario_free(sc);
    return status;
}
