/* naru fetch: an HTTP/1.1 GET (src/apps/http_client.c) into a file, like
 * a small wget. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "runtime.h"

#define PROG "naru fetch"

struct fetch {
    struct runtime *rt;
    struct naru_http_get *get;
    FILE *out;                 /* opened at the first byte of a 2xx body */
    const char *out_name;
    bool to_stdout;
    bool keep_partial;         /* --keep-partial */
    int write_error;
    bool progress;             /* stderr is a terminal */
    naru_time_t last_drawn;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru fetch [-4|-6] [-o FILE|-] [--timeout SECONDS] [--keep-partial] URL\n"
            "\n"
            "Download URL (http://HOST[:PORT]/PATH; an IPv6 address in brackets,\n"
            "http://[2001:db8::1]:8080/, a link-local one with its zone as\n"
            "http://[fe80::1%%25eth0]/) with an HTTP/1.1 GET over naru's TCP; a name with\n"
            "addresses of both families is tried over both, IPv6 first (Happy Eyeballs,\n"
            "RFC 8305). The body goes into FILE (default: the last part of the path, or\n"
            "index.html), or to\n"
            "stdout with -o -. A progress bar shows on a terminal. In the simulator (the\n"
            "default) the built-in server 10.2.0.2 and 2001:db8:2::2 (\"server\") serves /\n"
            "and /bytes/N.\n"
            "Only a whole 2xx body is kept: a download that fails or is stopped (Ctrl-C)\n"
            "says how many bytes arrived and leaves no file, unless --keep-partial (curl\n"
            "keeps such parts unless told to remove them).\n"
            "\n"
            "  -o FILE            where the body goes; - for stdout\n"
            "  --timeout SECONDS  give up after this long without progress (default 30)\n"
            "  --keep-partial     keep what arrived of a download that failed or was stopped\n"
            CLI_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 on a 2xx response, 1 on an HTTP error or a network failure,\n"
            "2 on a usage error.\n"
            CLI_SIGNALS_HELP
            "example: naru fetch -o - http://server/\n");
}

struct url {
    char host[256];            /* a name, or an address without brackets ("fe80::1%eth0") */
    char host_header[300];     /* RFC 9110 7.2: host[:port], an IPv6 address in brackets, no zone */
    uint16_t port;
    char path[1024];
};

static int parse_url(const char *text, struct url *u, char *why, size_t why_len)
{
    if (strncmp(text, "http://", 7) != 0) {
        snprintf(why, why_len, "%s", strncmp(text, "https://", 8) == 0 ? "https is not supported" : "the URL must start with http://");
        return -1;
    }
    const char *h = text + 7;
    size_t hl;
    bool bracketed = *h == '[';
    if (bracketed) {
        /* RFC 3986 3.2.2: an IPv6 address in brackets; RFC 6874: its zone
         * after "%25" (a bare '%' taken too, as curl does). */
        const char *close = strchr(h, ']');
        if (!close) {
            snprintf(why, why_len, "no ']' after the IPv6 address");
            return -1;
        }
        const char *zone = memchr(h, '%', (size_t)(close - h));
        size_t al = (size_t)((zone ? zone : close) - (h + 1));
        const char *z = zone ? zone + (strncmp(zone, "%25", 3) == 0 && zone + 3 < close ? 3 : 1) : close;
        size_t zl = (size_t)(close - z);
        struct naru_addr a;
        if (al + zl + 2 >= sizeof u->host) {
            snprintf(why, why_len, "bad IPv6 address in the URL");
            return -1;
        }
        snprintf(u->host, sizeof u->host, "%.*s%s%.*s", (int)al, h + 1, zone ? "%" : "", (int)zl, z);
        if (cli_host_parse(u->host, &a) != CLI_HOST_ADDR || a.family != NARU_AF_INET6) {
            snprintf(why, why_len, "bad IPv6 address in the URL");
            return -1;
        }
        hl = (size_t)(close + 1 - h);
    } else {
        hl = strcspn(h, ":/?#");
        if (hl == 0 || hl >= sizeof u->host) {
            snprintf(why, why_len, "no host in the URL");
            return -1;
        }
        memcpy(u->host, h, hl);
        u->host[hl] = '\0';
    }
    const char *p = h + hl;
    u->port = 80;
    if (*p == ':') {
        char *end;
        unsigned long port = strtoul(p + 1, &end, 10);
        if (end == p + 1 || port == 0 || port > 65535) {
            snprintf(why, why_len, "bad port in the URL");
            return -1;
        }
        u->port = (uint16_t)port;
        p = end;
    }
    /* The Host header: the URL's authority, a zone left out (RFC 6874 4). */
    size_t name_len = bracketed ? strcspn(u->host, "%") : strlen(u->host);
    const char *port_text = u->port == 80 ? "" : h + hl;
    int port_len = u->port == 80 ? 0 : (int)(p - (h + hl));
    snprintf(u->host_header, sizeof u->host_header, "%s%.*s%s%.*s", bracketed ? "[" : "", (int)name_len, u->host,
             bracketed ? "]" : "", port_len, port_text);
    if (*p && *p != '/' && *p != '?') {
        snprintf(why, why_len, "bad URL");
        return -1;
    }
    size_t pl = strcspn(p, "#");
    if (pl + 2 >= sizeof u->path) {
        snprintf(why, why_len, "URL too long");
        return -1;
    }
    snprintf(u->path, sizeof u->path, "%s%.*s", *p == '/' ? "" : "/", (int)pl, p);
    for (const char *c = u->path; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            snprintf(why, why_len, "spaces and control characters must be %%-encoded in the URL");
            return -1;
        }
    }
    return 0;
}

static const char *default_name(const struct url *u, char *buf, size_t len)
{
    size_t pl = strcspn(u->path, "?");
    const char *slash = u->path + pl;
    while (slash > u->path && slash[-1] != '/')
        slash--;
    size_t nl = (size_t)(u->path + pl - slash);
    if (nl == 0 || (nl == 1 && *slash == '.') || (nl == 2 && !strncmp(slash, "..", 2)))
        return "index.html";
    snprintf(buf, len, "%.*s", (int)nl, slash);
    return buf;
}

static void draw_progress(struct fetch *f, bool final)
{
    naru_time_t now = loop_now(&f->rt->loop);
    if (!f->progress || (!final && now - f->last_drawn < 100 * NARU_MS))
        return;
    f->last_drawn = now;
    const struct naru_http_get_result *r = naru_http_get_result(f->get);
    double rate = naru_app_rate(r->body_received, r->started, now) / 8;
    if (r->content_length > 0) {
        int width = 30, filled = (int)((double)r->body_received / (double)r->content_length * width);
        fprintf(stderr, "\r[%-*.*s] %3d%% %12llu bytes %8.1f KB/s", width, filled,
                "##############################", (int)(100 * r->body_received / (uint64_t)r->content_length),
                (unsigned long long)r->body_received, rate / 1024);
    } else {
        fprintf(stderr, "\r%12llu bytes %8.1f KB/s", (unsigned long long)r->body_received, rate / 1024);
    }
    if (final)
        fputc('\n', stderr);
}

/* The output, made on first use: a download that fails before its body
 * leaves no file behind (curl's habit). */
static bool output(struct fetch *f)
{
    if (!f->out && !f->write_error) {
        f->out = f->to_stdout ? stdout : fopen(f->out_name, "wb");
        if (!f->out)
            f->write_error = errno;
    }
    return f->out != NULL;
}

static void body_bytes(void *ctx, const uint8_t *data, size_t len)
{
    struct fetch *f = ctx;
    int status = naru_http_get_result(f->get)->status;
    /* Only a successful response's body is saved (like curl -f). */
    if (status >= 200 && status < 300 && output(f) && fwrite(data, 1, len, f->out) != len && !f->write_error)
        f->write_error = errno ? errno : EIO;
    draw_progress(f, false);
}

static bool finished(void *ctx)
{
    struct fetch *f = ctx;
    return naru_http_get_result(f->get)->finished || f->write_error;
}

int cmd_fetch(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "timeout", required_argument, NULL, 'T' },
        { "keep-partial", no_argument, NULL, 'K' },
        CLI_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    const char *output_name = NULL;
    naru_time_t timeout = 30 * NARU_SEC;
    bool keep_partial = false;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:o:h46", long_options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            output_name = optarg;
            break;
        case 'T':
            timeout = cli_seconds(PROG, "timeout", optarg);
            break;
        case 'K':
            keep_partial = true;
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
    const char *url_text = cli_operand(PROG, argc, argv, "URL");
    if (!url_text)
        return 2;
    struct url url;
    char why[128], name[256];
    if (parse_url(url_text, &url, why, sizeof why) < 0) {
        fprintf(stderr, "%s: %s: %s\n", PROG, url_text, why);
        return 2;
    }
    struct runtime rt;
    struct naru_http_get_config c;
    naru_http_get_config_default(&c);
    int status = runtime_open_for(&rt, &ro, PROG, url.host);
    if (status)
        return status;
    status = 1;
    struct fetch f = { .rt = &rt, .keep_partial = keep_partial };
    f.out_name = output_name ? output_name : default_name(&url, name, sizeof name);
    f.to_stdout = !strcmp(f.out_name, "-");
    if (f.to_stdout)
        f.out_name = "stdout";
    f.progress = isatty(STDERR_FILENO) && !f.to_stdout;
    /* A name is tried over both families (RFC 8305's Happy Eyeballs); the
     * idle timeout bounds the wait for a connection too. */
    struct runtime_dialed dl;
    int sock = runtime_connect(&rt, &ro, url.host, url.port, timeout, &dl);
    int err = 0;
    if (sock == -EINTR) {
        if (loop_user_stopped())
            fprintf(stderr, "%s: stopped by %s while connecting\n", PROG, loop_signal() == SIGINT ? "SIGINT" : "SIGTERM");
        goto out;
    } else if (sock < 0 && !dl.resolved) {
        fprintf(stderr, "%s: %s: %s\n", PROG, url.host, names_error(sock));
        goto out;
    } else if (sock < 0) {
        fprintf(stderr, "%s: connect to %s port %u failed: %s\n", PROG, url.host, url.port,
                sock == -ETIMEDOUT ? "timed out" : strerror(-sock));
        goto out;
    }
    c.server = dl.peer;
    c.host = url.host_header;
    c.path = url.path;
    c.idle_timeout = timeout;
    c.on_body = body_bytes;
    c.ctx = &f;
    struct naru_app_env env;
    err = runtime_app_env(&rt, &env);
    if (err < 0)
        naru_close(rt.stack, sock);
    else
        err = naru_http_get_start_on(&env, &c, sock, &f.get);
    if (err < 0) {
        fprintf(stderr, "%s: %s: %s\n", PROG, url_text, strerror(-err));
        goto out;
    }
    int ran = loop_run(&rt.loop, NARU_NEVER, finished, &f);
    const struct naru_http_get_result *r = naru_http_get_result(f.get);
    draw_progress(&f, true);
    naru_time_t took;
    naru_app_elapsed(r->started, loop_now(&rt.loop), &took);
    double secs = (double)took / 1e9;
    char arrived[96];
    if (r->content_length >= 0)
        snprintf(arrived, sizeof arrived, "%llu of %lld bytes", (unsigned long long)r->body_received,
                 (long long)r->content_length);
    else
        snprintf(arrived, sizeof arrived, "%llu bytes", (unsigned long long)r->body_received);
    if (f.write_error == EPIPE && f.to_stdout) {
        /* stdout closed (`| head`): quietly, as the SIGPIPE ends us */
    } else if (f.write_error) {
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, f.out_name, strerror(f.write_error));
    } else if (ran == 1) {
        if (loop_user_stopped())
            fprintf(stderr, "%s: stopped by %s after %s\n", PROG,
                    loop_signal() == SIGINT ? "SIGINT" : "SIGTERM", arrived);
    } else if (r->error && !r->connected) {
        fprintf(stderr, "%s: connect to %s port %u failed: %s\n", PROG, url.host, url.port, strerror(-r->error));
    } else if (r->error == -ETIMEDOUT) {
        fprintf(stderr, "%s: no progress for %.0f s; giving up after %s\n", PROG, (double)timeout / 1e9, arrived);
    } else if (r->error == -EPROTO) {
        fprintf(stderr, "%s: the server's response is not valid HTTP\n", PROG);
    } else if (r->error) {
        fprintf(stderr, "%s: %s after %s\n", PROG, strerror(-r->error), arrived);
    } else if (r->status < 200 || r->status >= 300) {
        fprintf(stderr, "%s: HTTP %d %s\n", PROG, r->status, r->reason);
    } else if (!output(&f)) { /* an empty body: the file, empty */
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, f.out_name, strerror(f.write_error));
    } else {
        status = 0;
        fprintf(stderr, "%s: %llu bytes to %s in %.3f s%s (%.1f KB/s), HTTP %d %s\n", PROG,
                (unsigned long long)r->body_received, f.out_name, secs, rt.simulated ? " of simulated time" : "",
                naru_app_rate(r->body_received, r->started, loop_now(&rt.loop)) / 8 / 1024, r->status,
                r->reason);
    }
out:
    if (f.out && f.out != stdout && fclose(f.out) != 0 && status == 0) {
        fprintf(stderr, "%s: cannot write %s\n", PROG, f.out_name);
        status = 1;
    }
    /* A failed or stopped download leaves no part of itself behind (the
     * file was made at its first byte), unless asked to. */
    if (status != 0 && f.out && f.out != stdout) {
        if (f.keep_partial)
            fprintf(stderr, "%s: kept the part that arrived in %s\n", PROG, f.out_name);
        else if (unlink(f.out_name) == 0)
            fprintf(stderr, "%s: removed %s (--keep-partial keeps what arrived)\n", PROG, f.out_name);
    }
    if (f.out == stdout)
        fflush(stdout);
    naru_http_get_destroy(f.get);
    runtime_close(&rt);
    return status;
}
