/* naru fetch: an HTTP/1.1 GET over naru's TCP, like a small wget. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "http.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "runtime.h"

#define PROG "naru fetch"

struct fetch {
    struct runtime *rt;
    struct naru_stack *stack;
    int sock;
    char request[2048];
    size_t request_len, request_off;
    bool connected;
    bool done;
    int error;                 /* negative errno */
    bool malformed;
    struct http_response response;
    FILE *out;
    const char *out_name;
    bool progress;             /* stderr is a terminal */
    naru_time_t started, last_drawn;
    uint8_t buf[65536];
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru fetch [-o FILE|-] [--timeout SECONDS] URL\n"
            "\n"
            "Download URL (http://HOST[:PORT]/PATH) with an HTTP/1.1 GET over naru's TCP,\n"
            "into FILE (default: the last part of the path, or index.html), or to\n"
            "stdout with -o -. A progress bar shows on a terminal. In the simulator (the\n"
            "default) the built-in server 10.2.0.2 (\"server\") serves / and /bytes/N.\n"
            "\n"
            "  -o FILE            where the body goes; - for stdout\n"
            "  --timeout SECONDS  give up after this long without progress (default 30)\n"
            RUNTIME_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 on a 2xx response, 1 on an HTTP error or a network failure,\n"
            "2 on a usage error.\n"
            "example: naru fetch -o - http://server/\n");
}

struct url {
    char host[256];
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
    size_t hl = strcspn(h, ":/?#");
    if (hl == 0 || hl >= sizeof u->host) {
        snprintf(why, why_len, "no host in the URL");
        return -1;
    }
    memcpy(u->host, h, hl);
    u->host[hl] = '\0';
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
    naru_time_t now = runtime_now(f->rt);
    if (!f->progress || (!final && now - f->last_drawn < 100 * NARU_MS))
        return;
    f->last_drawn = now;
    double secs = (double)(now - f->started) / 1e9;
    double rate = secs > 0 ? (double)f->response.body_received / secs : 0;
    int64_t total = f->response.content_length;
    if (total > 0) {
        int width = 30, filled = (int)((double)f->response.body_received / (double)total * width);
        fprintf(stderr, "\r[%-*.*s] %3d%% %12llu bytes %8.1f KB/s", width, filled,
                "##############################", (int)(100 * f->response.body_received / (uint64_t)total),
                (unsigned long long)f->response.body_received, rate / 1024);
    } else {
        fprintf(stderr, "\r%12llu bytes %8.1f KB/s", (unsigned long long)f->response.body_received, rate / 1024);
    }
    if (final)
        fputc('\n', stderr);
}

static void body_bytes(void *ctx, const uint8_t *data, size_t len)
{
    struct fetch *f = ctx;
    /* Only a successful response's body is saved (like curl -f). */
    if (f->out && f->response.status >= 200 && f->response.status < 300 && fwrite(data, 1, len, f->out) != len)
        f->error = -EIO;
}

static void pump(struct fetch *f)
{
    while (f->request_off < f->request_len) {
        long n = naru_send(f->stack, f->sock, f->request + f->request_off, f->request_len - f->request_off, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            f->error = (int)n;
            return;
        }
        f->request_off += (size_t)n;
    }
    for (;;) {
        long n = naru_recv(f->stack, f->sock, f->buf, sizeof f->buf, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            f->error = (int)n;
            return;
        }
        int r = n == 0 ? http_response_eof(&f->response)
                       : http_response_feed(&f->response, f->buf, (size_t)n, body_bytes, f);
        if (r < 0) {
            if (n == 0)
                f->error = -ECONNRESET; /* closed before the body ended */
            else
                f->malformed = true;
            return;
        }
        if (r == 1) {
            f->done = true;
            return;
        }
        if (n == 0) {
            f->error = -ECONNRESET;
            return;
        }
    }
    draw_progress(f, false);
}

static void socket_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct fetch *f = ctx;
    if (f->done || f->error || f->malformed)
        return;
    if (!f->connected) {
        int state = runtime_connect_state(stack, sock);
        if (state <= 0) {
            f->error = state;
            return;
        }
        f->connected = true;
    }
    pump(f);
}

struct progress_watch {
    struct fetch *f;
    uint64_t last_bytes;
    naru_time_t last_change;
    naru_time_t timeout;
    bool stalled;
};

static bool finished(void *ctx)
{
    struct progress_watch *w = ctx;
    struct fetch *f = w->f;
    if (f->done || f->error || f->malformed)
        return true;
    naru_time_t now = runtime_now(f->rt);
    uint64_t seen = f->response.body_received + f->request_off + f->connected;
    if (seen != w->last_bytes) {
        w->last_bytes = seen;
        w->last_change = now;
    }
    return w->stalled = now - w->last_change > w->timeout;
}

/* Nothing else happens in a simulation once the transfer stalls: check the
 * timeout on a timer too. */
static void tick(void *ctx)
{
    struct progress_watch *w = ctx;
    if (!finished(w))
        runtime_at(w->f->rt, runtime_now(w->f->rt) + NARU_SEC, tick, w);
}

int cmd_fetch(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "timeout", required_argument, NULL, 'T' },
        RUNTIME_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct runtime_options ro = { 0 };
    const char *output = NULL;
    naru_time_t timeout = 30 * NARU_SEC;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:o:h", long_options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'T':
            timeout = runtime_seconds(PROG, "timeout", optarg);
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
    const char *url_text = runtime_operand(PROG, argc, argv, "URL");
    if (!url_text)
        return 2;
    struct url url;
    char why[128], name[256];
    if (parse_url(url_text, &url, why, sizeof why) < 0) {
        fprintf(stderr, "%s: %s: %s\n", PROG, url_text, why);
        return 2;
    }
    struct fetch *f = calloc(1, sizeof *f);
    if (!f)
        return 1;
    f->sock = -1;
    struct runtime rt;
    uint32_t addr;
    int status = runtime_open_to(&rt, &ro, PROG, url.host, &addr);
    if (status)
        goto out;
    status = 1;
    f->rt = &rt;
    f->stack = rt.stack;
    http_response_init(&f->response);
    char host_header[300];
    if (url.port == 80)
        snprintf(host_header, sizeof host_header, "%s", url.host);
    else
        snprintf(host_header, sizeof host_header, "%s:%u", url.host, url.port);
    f->request_len = (size_t)snprintf(f->request, sizeof f->request,
                                      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: naru-fetch\r\n"
                                      "Accept: */*\r\nConnection: close\r\n\r\n",
                                      url.path, host_header);
    f->out_name = output ? output : default_name(&url, name, sizeof name);
    if (!strcmp(f->out_name, "-")) {
        f->out = stdout;
        f->out_name = "stdout";
    } else if (!(f->out = fopen(f->out_name, "wb"))) {
        fprintf(stderr, "%s: cannot write %s: %s\n", PROG, f->out_name, strerror(errno));
        goto out;
    }
    f->progress = isatty(STDERR_FILENO) && f->out != stdout;
    f->sock = naru_socket(rt.stack, NARU_SOCK_STREAM);
    if (f->sock < 0) {
        fprintf(stderr, "%s: socket: %s\n", PROG, strerror(-f->sock));
        goto out;
    }
    naru_socket_set_callback(rt.stack, f->sock, socket_event, f);
    f->started = runtime_now(&rt);
    struct naru_sockaddr to = { addr, url.port };
    int err = naru_connect(rt.stack, f->sock, &to);
    if (err < 0 && err != -EINPROGRESS) {
        fprintf(stderr, "%s: connect to %s port %u failed: %s\n", PROG, url.host, url.port, strerror(-err));
        goto out;
    }
    if (err == 0)
        socket_event(f, rt.stack, f->sock);
    struct progress_watch watch = { .f = f, .last_change = runtime_now(&rt), .timeout = timeout };
    if (rt.simulated)
        tick(&watch);
    int r = runtime_run(&rt, NARU_NEVER, finished, &watch);
    draw_progress(f, true);
    double secs = (double)(runtime_now(&rt) - f->started) / 1e9;
    if (r == 1) {
        fprintf(stderr, "%s: interrupted\n", PROG);
    } else if (f->error && !f->connected) {
        fprintf(stderr, "%s: connect to %s port %u failed: %s\n", PROG, url.host, url.port, strerror(-f->error));
    } else if (f->error) {
        fprintf(stderr, "%s: %s after %llu body bytes\n", PROG, strerror(-f->error),
                (unsigned long long)f->response.body_received);
    } else if (f->malformed) {
        fprintf(stderr, "%s: the server's response is not valid HTTP\n", PROG);
    } else if (watch.stalled || !f->done) {
        fprintf(stderr, "%s: no progress for %.0f s; giving up\n", PROG, (double)timeout / 1e9);
    } else if (f->response.status < 200 || f->response.status >= 300) {
        fprintf(stderr, "%s: HTTP %d %s\n", PROG, f->response.status, f->response.reason);
    } else {
        status = 0;
        fprintf(stderr, "%s: %llu bytes to %s in %.3f s%s (%.1f KB/s), HTTP %d %s\n", PROG,
                (unsigned long long)f->response.body_received, f->out_name, secs,
                rt.simulated ? " of simulated time" : "",
                secs > 0 ? (double)f->response.body_received / secs / 1024 : 0, f->response.status,
                f->response.reason);
    }
out:
    if (f->out && f->out != stdout && fclose(f->out) != 0 && status == 0) {
        fprintf(stderr, "%s: cannot write %s\n", PROG, f->out_name);
        status = 1;
    }
    if (f->out == stdout)
        fflush(stdout);
    if (f->sock >= 0)
        naru_close(rt.stack, f->sock);
    runtime_close(&rt);
    free(f);
    return status;
}
