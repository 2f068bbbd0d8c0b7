/* naru plot FILE: the time-sequence graph of a TCP connection in any
 * capture (naru's, tcpdump's, tshark's), as SVG, or the same points as
 * text, or the list of connections. The analysis and the drawing are the
 * library's (naru/flowtrace.h); this is flags and files. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "loop.h"
#include "naru/addr.h"
#include "naru/capture.h"
#include "naru/flowtrace.h"

#define PROG "naru plot"
#define MAX_SIDE 20000

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru plot FILE [--list] [--flow N | --flow ADDR:PORT-ADDR:PORT] [--reverse]\n"
            "                 [--svg OUT] [--dump OUT] [--from S] [--to S] [--width PX] [--height PX]\n"
            "\n"
            "Draw a TCP connection of a capture as a time-sequence graph, as tcptrace and\n"
            "xplot do: time across, sequence number up; each data segment a bar with arrow\n"
            "ends (retransmissions red, out-of-order blue), the ACKs coming back a green\n"
            "step line, ACK + advertised window an olive one, SACK blocks purple; SYN, FIN\n"
            "and RST labelled. FILE is a pcap or pcapng capture (- for standard input) of\n"
            "Ethernet, raw IP or Linux cooked frames, IPv4 or IPv6: naru's own (naru sim\n"
            "--pcap, naru demo --pcap), tcpdump's or tshark's. Sequence numbers count from\n"
            "each side's ISN, as tshark's tcp.seq; time from the capture's first frame.\n"
            "\n"
            "  --list           list the TCP connections with their index, frames and data\n"
            "                   bytes each way (tshark -z conv,tcp), on stdout\n"
            "  --flow N         connection N of --list (counted from 0, as tshark's\n"
            "                   tcp.stream); default: the one that carried the most data\n"
            "  --flow A:P-B:P   the connection between these endpoints, drawing the data\n"
            "                   A:P sent ([2001:db8::1]:80 for IPv6)\n"
            "  --reverse        draw the other direction (default: the one with more data)\n"
            "  --svg OUT, -o OUT  write the graph as SVG to OUT (- for stdout)\n"
            "  --dump OUT       write the graph's points as tab-separated text to OUT (- for\n"
            "                   stdout): one line per segment of both directions\n"
            "  --from S, --to S  only this time window, in seconds since the first frame (the\n"
            "                   graph and the points)\n"
            "  --width PX, --height PX  size of the graph (default 1000 x 600)\n"
            "  -h, --help       this help\n"
            "\n"
            "Exit status: 0 done, 1 a missing or damaged file or no such connection, 2 a\n"
            "usage error.\n"
            "example: naru plot out/wifi.pcap --svg wifi.svg\n");
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    fprintf(stderr, "%s: ", PROG);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try '%s --help')\n", PROG);
    return 2;
}

/* "ADDR:PORT" or "[ADDR6]:PORT". 0 or -EINVAL. */
static int parse_endpoint(const char *text, size_t len, struct naru_addr *addr, uint16_t *port)
{
    char buf[NARU_TRACE_ENDPOINT_STRLEN];
    if (len == 0 || len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *host = buf, *colon;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close || close[1] != ':')
            return -EINVAL;
        *close = '\0';
        host = buf + 1;
        colon = close + 1;
    } else {
        colon = strrchr(buf, ':');
        if (!colon || strchr(buf, ':') != colon) /* IPv6 needs its brackets here */
            return -EINVAL;
    }
    *colon = '\0';
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end || errno || p > 65535 || colon[1] == '-' || colon[1] == '+')
        return -EINVAL;
    *port = (uint16_t)p;
    return naru_addr_parse(host, addr);
}

static int parse_seconds(const char *text, int64_t *ns)
{
    char *end;
    errno = 0;
    double s = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(s) || fabs(s) > 9e9)
        return -EINVAL;
    *ns = (int64_t)llround(s * 1e9);
    return 0;
}

static int parse_side(const char *text, unsigned *px)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno || v < 200 || v > MAX_SIDE)
        return -EINVAL;
    *px = (unsigned)v;
    return 0;
}

struct plot_args {
    const char *file;
    bool list;
    bool has_index;
    size_t index;
    bool has_endpoints;
    struct naru_addr a, b;
    uint16_t a_port, b_port;
    bool reverse;
    const char *svg, *dump;
    struct naru_tsg_options tsg;
};

static int parse_flow(struct plot_args *args, const char *text)
{
    const char *dash = strchr(text, '-');
    if (!dash) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(text, &end, 10);
        if (*text < '0' || *text > '9' || *end || errno)
            return -EINVAL;
        args->has_index = true;
        args->index = (size_t)n;
        return 0;
    }
    if (parse_endpoint(text, (size_t)(dash - text), &args->a, &args->a_port) < 0 ||
        parse_endpoint(dash + 1, strlen(dash + 1), &args->b, &args->b_port) < 0)
        return -EINVAL;
    args->has_endpoints = true;
    return 0;
}

static int parse_args(int argc, char **argv, struct plot_args *args)
{
    static const struct option options[] = {
        { "list", no_argument, NULL, 'l' },
        { "flow", required_argument, NULL, 'f' },
        { "reverse", no_argument, NULL, 'r' },
        { "svg", required_argument, NULL, 'o' },
        { "dump", required_argument, NULL, 'd' },
        { "from", required_argument, NULL, 'F' },
        { "to", required_argument, NULL, 'T' },
        { "width", required_argument, NULL, 'W' },
        { "height", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return 0;
        case 'l':
            args->list = true;
            break;
        case 'f':
            if (args->has_index || args->has_endpoints)
                return usage_error("--flow given twice");
            if (parse_flow(args, optarg) < 0)
                return usage_error("bad --flow '%s': N, or ADDR:PORT-ADDR:PORT", optarg);
            break;
        case 'r':
            args->reverse = true;
            break;
        case 'o':
            args->svg = optarg;
            break;
        case 'd':
            args->dump = optarg;
            break;
        case 'F':
            if (parse_seconds(optarg, &args->tsg.from_ns) < 0)
                return usage_error("bad --from '%s': seconds since the first frame", optarg);
            args->tsg.has_from = true;
            break;
        case 'T':
            if (parse_seconds(optarg, &args->tsg.to_ns) < 0)
                return usage_error("bad --to '%s': seconds since the first frame", optarg);
            args->tsg.has_to = true;
            break;
        case 'W':
            if (parse_side(optarg, &args->tsg.width) < 0)
                return usage_error("bad --width '%s': 200 to 20000 pixels", optarg);
            break;
        case 'H':
            if (parse_side(optarg, &args->tsg.height) < 0)
                return usage_error("bad --height '%s': 200 to 20000 pixels", optarg);
            break;
        case ':':
            return usage_error("%s needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("no capture file given");
    if (optind + 1 < argc)
        return usage_error("one capture file, not also '%s'", argv[optind + 1]);
    args->file = argv[optind];
    args->tsg.source = args->file;
    if (!args->list && !args->svg && !args->dump)
        return usage_error("nothing to do: give --svg OUT, --dump OUT or --list");
    if (args->svg && args->dump && !strcmp(args->svg, "-") && !strcmp(args->dump, "-"))
        return usage_error("--svg and --dump cannot both go to stdout");
    if (args->list && ((args->svg && !strcmp(args->svg, "-")) || (args->dump && !strcmp(args->dump, "-"))))
        return usage_error("--list and a graph on stdout do not mix");
    if (args->tsg.has_from && args->tsg.has_to && args->tsg.from_ns >= args->tsg.to_ns)
        return usage_error("--from must come before --to");
    return -1; /* go on */
}

static uint64_t conn_bytes(const struct naru_trace_conn *c)
{
    return c->dir[0].bytes + c->dir[1].bytes;
}

static void list_conns(const struct naru_flowtrace *t, const char *file, const char *format)
{
    size_t n = naru_flowtrace_count(t);
    int width = 1;
    for (size_t i = 0; i < n; i++) {
        const struct naru_trace_conn *c = naru_flowtrace_conn(t, i);
        char a[NARU_TRACE_ENDPOINT_STRLEN];
        for (int d = 0; d < 2; d++) {
            int w = (int)strlen(naru_trace_endpoint_format(&c->dir[d].src, c->dir[d].src_port, a));
            if (w > width)
                width = w;
        }
    }
    const struct naru_flowtrace_stats *st = naru_flowtrace_stats(t);
    printf("%s: %zu TCP connection%s (%s, %" PRIu64 " frames", file, n, n == 1 ? "" : "s", format, st->frames);
    if (st->fragments || st->unreadable)
        printf("; not traced: %" PRIu64 " IP fragments, %" PRIu64 " with headers cut short or malformed",
               st->fragments, st->unreadable);
    if (st->other_link)
        printf("; %" PRIu64 " frames of link type %" PRIu32 ", which naru does not read", st->other_link,
               st->other_linktype);
    printf(")\n");
    printf("%-5s  %-*s  %-*s  %10s %12s %7s  %10s %12s %7s  %13s %12s\n", "index", width, "A", width, "B",
           "A>B frames", "bytes", "rexmit", "B>A frames", "bytes", "rexmit", "start (s)", "duration (s)");
    for (size_t i = 0; i < n; i++) {
        const struct naru_trace_conn *c = naru_flowtrace_conn(t, i);
        char a[NARU_TRACE_ENDPOINT_STRLEN], b[NARU_TRACE_ENDPOINT_STRLEN];
        naru_trace_endpoint_format(&c->dir[0].src, c->dir[0].src_port, a);
        naru_trace_endpoint_format(&c->dir[1].src, c->dir[1].src_port, b);
        printf("%-5zu  %-*s  %-*s  %10zu %12" PRIu64 " %7" PRIu64 "  %10zu %12" PRIu64 " %7" PRIu64
               "  %13.6f %12.6f\n",
               c->index, width, a, width, b, c->dir[0].count, c->dir[0].bytes, c->dir[0].retransmissions,
               c->dir[1].count, c->dir[1].bytes, c->dir[1].retransmissions, (double)c->first_ns / 1e9,
               (double)(c->last_ns - c->first_ns) / 1e9);
    }
}

/* The connection and direction the flags ask for, or an error line. */
static int choose(const struct naru_flowtrace *t, const struct plot_args *args, const struct naru_trace_conn **out,
                  int *dir)
{
    size_t n = naru_flowtrace_count(t);
    const struct naru_trace_conn *best = NULL;
    int best_dir = 0;
    if (n == 0) {
        const struct naru_flowtrace_stats *st = naru_flowtrace_stats(t);
        if (st->other_link)
            fprintf(stderr, "%s: %s: no TCP connections in it (%" PRIu64 " frames of link type %" PRIu32
                    ", which naru does not read)\n", PROG, args->file, st->other_link, st->other_linktype);
        else
            fprintf(stderr, "%s: %s: no TCP connections in it (%" PRIu64 " frames)\n", PROG, args->file,
                    st->frames);
        return 1;
    }
    if (args->has_index) {
        if (args->index >= n) {
            fprintf(stderr, "%s: %s: no connection %zu (it has %zu, numbered from 0: see --list)\n", PROG,
                    args->file, args->index, n);
            return 1;
        }
        best = naru_flowtrace_conn(t, args->index);
    } else if (args->has_endpoints) {
        for (size_t i = 0; i < n; i++) {
            const struct naru_trace_conn *c = naru_flowtrace_conn(t, i);
            for (int d = 0; d < 2; d++) {
                const struct naru_trace_direction *x = &c->dir[d];
                if (naru_addr_equal(&x->src, &args->a) && x->src_port == args->a_port &&
                    naru_addr_equal(&x->dst, &args->b) && x->dst_port == args->b_port &&
                    (!best || x->bytes > best->dir[best_dir].bytes)) {
                    best = c;
                    best_dir = d;
                }
            }
        }
        if (!best) {
            char a[NARU_TRACE_ENDPOINT_STRLEN], b[NARU_TRACE_ENDPOINT_STRLEN];
            fprintf(stderr, "%s: %s: no TCP connection from %s to %s (see --list)\n", PROG, args->file,
                    naru_trace_endpoint_format(&args->a, args->a_port, a),
                    naru_trace_endpoint_format(&args->b, args->b_port, b));
            return 1;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const struct naru_trace_conn *c = naru_flowtrace_conn(t, i);
            if (!best || conn_bytes(c) > conn_bytes(best))
                best = c;
        }
    }
    if (!args->has_endpoints)
        best_dir = best->dir[1].bytes > best->dir[0].bytes;
    *out = best;
    *dir = args->reverse ? 1 - best_dir : best_dir;
    return 0;
}

/* Writes with fn to path ("-": stdout). A file that failed is removed
 * (CLI.md: no half-written output), but only a regular file: never a
 * device or pipe the user named. A closed stdout ends quietly: the
 * SIGPIPE caught is raised again by main.c (exit 141, as every tool). */
static int write_out(const char *path, const char *what, int (*fn)(FILE *, const struct naru_trace_conn *, int,
                                                                 const struct naru_tsg_options *),
                     const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    bool to_stdout = !strcmp(path, "-");
    struct stat st;
    bool regular = stat(path, &st) != 0 || S_ISREG(st.st_mode); /* or not there yet */
    FILE *out = to_stdout ? stdout : fopen(path, "w");
    if (!out) {
        fprintf(stderr, "%s: cannot write %s %s: %s\n", PROG, what, path, strerror(errno));
        return 1;
    }
    errno = 0;
    int err = fn(out, c, d, o);
    int saved = errno;
    if (to_stdout) {
        if (err < 0 && saved == EPIPE)
            return 0;
        if (err < 0) {
            fprintf(stderr, "%s: cannot write %s to stdout: %s\n", PROG, what, strerror(saved ? saved : EIO));
            return 1;
        }
        return 0;
    }
    if (fclose(out) != 0 && err == 0) {
        err = -EIO;
        saved = errno;
    }
    if (err < 0) {
        fprintf(stderr, "%s: cannot write %s %s: %s\n", PROG, what, path, strerror(saved ? saved : EIO));
        if (regular)
            remove(path);
        return 1;
    }
    return 0;
}

static int svg_fn(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    return naru_tsg_svg(out, c, d, o);
}

static int dump_fn(FILE *out, const struct naru_trace_conn *c, int d, const struct naru_tsg_options *o)
{
    return naru_tsg_dump(out, c, d, o);
}

int cmd_plot(int argc, char **argv)
{
    struct plot_args args = { 0 };
    int status = parse_args(argc, argv, &args);
    if (status >= 0)
        return status;
    status = 0;
    loop_catch_signals(); /* a closed stdout shows as EPIPE, handled above */

    char error[NARU_CAPTURE_ERRLEN];
    struct naru_capture *cap = naru_capture_open(args.file, error);
    if (!cap) {
        fprintf(stderr, "%s: %s\n", PROG, error);
        return 1;
    }
    struct naru_flowtrace *t = naru_flowtrace_new();
    int err = t ? naru_flowtrace_read(t, cap) : -ENOMEM;
    if (err == -EIO) {
        fprintf(stderr, "%s: %s\n", PROG, naru_capture_error(cap));
        status = 1;
    } else if (err < 0) {
        fprintf(stderr, "%s: %s: %s\n", PROG, args.file, strerror(-err));
        status = 1;
    }
    char format[32];
    snprintf(format, sizeof format, "%s", naru_capture_format(cap));
    naru_capture_close(cap);
    if (status)
        goto out;

    if (args.list)
        list_conns(t, args.file, format);
    if (args.svg || args.dump) {
        const struct naru_trace_conn *c;
        int d;
        if ((status = choose(t, &args, &c, &d)) != 0)
            goto out;
        if (args.svg)
            status = write_out(args.svg, "the graph", svg_fn, c, d, &args.tsg);
        if (!status && args.dump)
            status = write_out(args.dump, "the points", dump_fn, c, d, &args.tsg);
    }
    if (args.list && fflush(stdout) != 0 && errno != EPIPE) {
        fprintf(stderr, "%s: cannot write the list: %s\n", PROG, strerror(errno));
        status = 1;
    }
out:
    naru_flowtrace_free(t);
    return status;
}
