/* naru nc: stdin to a TCP connection, the connection to stdout, like
 * netcat; end of input half-closes (FIN), and nc ends when the peer closes. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "runtime.h"

#define PROG "naru nc"
#define BUFFER 65536

struct nc {
    struct runtime *rt;
    struct naru_stack *stack;
    const char *host;
    uint16_t port;
    bool verbose;
    int listener;
    int sock;
    bool connected;
    int error;                 /* negative errno once the connection failed */
    int out_error;             /* errno once stdout failed */
    uint8_t *in;               /* stdin bytes not yet sent */
    size_t in_len, in_off;
    bool stdin_eof;
    bool write_shut;
    bool sock_eof;
    uint8_t *out;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru nc [-4|-6] [-v] [-w SECONDS] HOST PORT\n"
            "       naru nc -l [-4|-6] [-v] [HOST] PORT          (listen: needs --tap)\n"
            "\n"
            "Open a TCP connection to HOST PORT (or accept one with -l), copy stdin to it\n"
            "and it to stdout. At the end of stdin naru sends FIN (a half-close) and keeps\n"
            "reading until the peer closes; it exits once the peer has acknowledged all it\n"
            "sent (naru's stack ends with it). In the simulator (the default) stdin is read\n"
            "whole first; the built-in server runs echo (7), discard (9), daytime (13)\n"
            "and HTTP (80). HOST is an address (IPv4, IPv6, fe80::1%%IF) or a name; a name\n"
            "with addresses of both families is tried over both, IPv6 first (Happy\n"
            "Eyeballs, RFC 8305). -l without HOST listens on both families at once.\n"
            "\n"
            "  -l                 listen for one connection instead of connecting\n"
            "  -v                 say on stderr when the connection opens and closes\n"
            "  -w SECONDS         give up if the connection does not open in time (default 30)\n"
            CLI_HELP
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 after a clean close, 1 if the connection failed or was reset\n"
            "or the name does not resolve, 2 on a usage error (a bad address too).\n"
            CLI_SIGNALS_HELP
            "example: echo hello | naru nc server 7\n");
}

static void pump(struct nc *nc);

/* A stream socket that is connecting: 1 once connected, 0 while it still
 * tries, a negative errno when it failed. */
static int connect_state(struct naru_stack *stack, int sock)
{
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        return err ? err : -ECONNREFUSED;
    }
    return (ev & NARU_POLLOUT) ? 1 : 0;
}

static void stdin_ready(void *ctx, short revents)
{
    (void)revents;
    struct nc *nc = ctx;
    if (nc->in_off < nc->in_len || nc->stdin_eof)
        return;
    ssize_t n = read(STDIN_FILENO, nc->in, BUFFER);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        nc->stdin_eof = true;
        loop_watch_fd(&nc->rt->loop, STDIN_FILENO, 0, NULL, NULL);
    } else {
        nc->in_len = (size_t)n;
        nc->in_off = 0;
        /* Hold stdin until these bytes are in the socket: backpressure. */
        loop_watch_fd(&nc->rt->loop, STDIN_FILENO, 0, NULL, NULL);
    }
    pump(nc);
}

/* A write that fails ends nc: a closed pipe (`| head`) quietly, by the
 * SIGPIPE that comes with its EPIPE (loop.c); any other error with a word. */
static void write_all(struct nc *nc, const uint8_t *p, size_t len)
{
    while (len && !nc->out_error) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0 && errno == EINTR && !loop_interrupted())
            continue;
        if (n <= 0) {
            nc->out_error = n < 0 ? errno : EIO;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void pump(struct nc *nc)
{
    if (!nc->connected || nc->error || nc->out_error)
        return;
    while (nc->in_off < nc->in_len) {
        long n = naru_send(nc->stack, nc->sock, nc->in + nc->in_off, nc->in_len - nc->in_off, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            nc->error = (int)n;
            return;
        }
        nc->in_off += (size_t)n;
    }
    if (nc->in_off == nc->in_len) {
        nc->in_off = nc->in_len = 0;
        if (nc->stdin_eof && !nc->write_shut) {
            naru_shutdown(nc->stack, nc->sock, NARU_SHUT_WR);
            nc->write_shut = true;
        } else if (!nc->stdin_eof && !nc->rt->simulated) {
            loop_watch_fd(&nc->rt->loop, STDIN_FILENO, POLLIN, stdin_ready, nc);
        }
    }
    while (!nc->sock_eof) {
        long n = naru_recv(nc->stack, nc->sock, nc->out, BUFFER, 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            nc->error = (int)n;
            return;
        }
        if (n == 0)
            nc->sock_eof = true;
        else
            write_all(nc, nc->out, (size_t)n);
    }
}

static void socket_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct nc *nc = ctx;
    if (!nc->connected) {
        int state = connect_state(stack, sock);
        if (state <= 0) {
            nc->error = state;
            return;
        }
        nc->connected = true;
        if (nc->verbose)
            fprintf(stderr, "%s: connected to %s port %u\n", PROG, nc->host, nc->port);
    }
    pump(nc);
}

static void accept_event(void *ctx, struct naru_stack *stack, int listener)
{
    struct nc *nc = ctx;
    struct naru_sockaddr peer;
    int sock = naru_accept(stack, listener, &peer);
    if (sock < 0)
        return;
    nc->sock = sock;
    nc->connected = true;
    naru_socket_set_callback(stack, listener, NULL, NULL);
    if (nc->verbose) {
        char a[NARU_SOCKADDR_STRLEN];
        fprintf(stderr, "%s: connection from %s port %u\n", PROG,
                naru_sockaddr_format(&(struct naru_sockaddr){ .addr = peer.addr, .scope_id = peer.scope_id }, stack, a),
                peer.port);
    }
    naru_socket_set_callback(stack, sock, socket_event, nc);
    if (!nc->rt->simulated && !nc->stdin_eof)
        loop_watch_fd(&nc->rt->loop, STDIN_FILENO, POLLIN, stdin_ready, nc);
    pump(nc);
}

/* Our data and FIN acknowledged. Linux's kernel goes on sending for a
 * closed socket; naru's stack ends with this process, so leaving before
 * the peer has it all would lose what is still queued. */
static bool delivered(const struct nc *nc)
{
    struct naru_tcp_info info;
    if (naru_tcp_get_info(nc->stack, nc->sock, &info) < 0)
        return true;
    return info.state == NARU_TCP_FIN_WAIT_2 || info.state == NARU_TCP_TIME_WAIT || info.state == NARU_TCP_CLOSED;
}

static bool finished(void *ctx)
{
    struct nc *nc = ctx;
    return nc->error || nc->out_error || (nc->sock_eof && nc->write_shut && delivered(nc));
}

static bool opened(void *ctx)
{
    struct nc *nc = ctx;
    return nc->connected || nc->error;
}

/* The simulator has no wall clock to wait on stdin: read it all first. */
static int slurp_stdin(struct nc *nc)
{
    size_t cap = BUFFER, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf)
            return -ENOMEM;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                return -ENOMEM;
            }
            buf = bigger;
        }
        ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
        if (loop_interrupted()) {
            free(buf);
            return -EINTR;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    free(nc->in);
    nc->in = buf;
    nc->in_len = len;
    nc->in_off = 0;
    nc->stdin_eof = true;
    return 0;
}

int cmd_nc(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        CLI_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    struct nc nc = { .listener = -1, .sock = -1 };
    bool listen_mode = false;
    naru_time_t connect_timeout = 30 * NARU_SEC;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:lvw:h46", long_options, NULL)) != -1) {
        switch (opt) {
        case 'l':
            listen_mode = true;
            break;
        case 'v':
            nc.verbose = true;
            break;
        case 'w':
            connect_timeout = cli_seconds(PROG, "timeout", optarg);
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
    int positional = argc - optind;
    if (positional != 2 && !(listen_mode && positional == 1)) {
        fprintf(stderr, "%s: %s (try --help)\n", PROG, positional < 2 ? "missing HOST PORT" : "too many arguments");
        return 2;
    }
    nc.host = positional == 2 ? argv[optind] : NULL;
    nc.port = (uint16_t)cli_number(PROG, "port", argv[argc - 1], false, 65535);
    if (nc.port == 0) {
        fprintf(stderr, "%s: bad port '0'\n", PROG);
        return 2;
    }
    if (listen_mode && !ro.tap) {
        fprintf(stderr, "%s: -l needs --tap: in the simulated world nobody would connect to the client\n", PROG);
        return 2;
    }
    struct runtime rt;
    /* -l without HOST: the wildcard of both families (one dual-stack
     * socket), or of the one -4 or -6 names. */
    struct naru_sockaddr local = { .addr = { .family = ro.family }, .port = nc.port };
    int status = listen_mode && nc.host ? runtime_open_to(&rt, &ro, PROG, nc.host, 1, &local)
                 : nc.host              ? runtime_open_for(&rt, &ro, PROG, nc.host)
                                        : runtime_open(&rt, &ro, PROG);
    if (status) {
        if (!nc.host)
            runtime_close(&rt); /* runtime_open() leaves that to its caller */
        return status;
    }
    if (!nc.host)
        nc.host = ro.family == NARU_AF_INET ? "0.0.0.0" : ro.family == NARU_AF_INET6 ? "::" : "*";
    status = 1;
    nc.rt = &rt;
    nc.stack = rt.stack;
    nc.in = malloc(BUFFER);
    nc.out = malloc(BUFFER);
    if (!nc.in || !nc.out)
        goto out;
    if (rt.simulated && slurp_stdin(&nc) < 0)
        goto out;              /* out of memory, or stopped by a signal */
    int err;
    if (listen_mode) {
        nc.listener = naru_socket(rt.stack, NARU_SOCK_STREAM);
        err = nc.listener < 0 ? nc.listener : naru_setsockopt(rt.stack, nc.listener, NARU_SO_REUSEADDR, 1);
        if (!err && ro.family == NARU_AF_INET6 && naru_addr_is_unspecified(&local.addr))
            err = naru_setsockopt(rt.stack, nc.listener, NARU_IPV6_V6ONLY, 1);
        if (!err)
            err = naru_bind(rt.stack, nc.listener, &local);
        if (!err)
            err = naru_listen(rt.stack, nc.listener, 1);
        if (err < 0) {
            fprintf(stderr, "%s: cannot listen on port %u: %s\n", PROG, nc.port, strerror(-err));
            goto out;
        }
        naru_socket_set_callback(rt.stack, nc.listener, accept_event, &nc);
        if (nc.verbose)
            fprintf(stderr, "%s: listening on %s port %u\n", PROG, nc.host, nc.port);
        if (loop_run(&rt.loop, NARU_NEVER, opened, &nc) != 0)
            goto out;
    } else {
        /* A name is tried over both families (RFC 8305's Happy Eyeballs). */
        struct runtime_dialed dl;
        nc.sock = runtime_connect(&rt, &ro, nc.host, nc.port, connect_timeout, &dl);
        if (nc.sock == -EINTR) {
            if (loop_user_stopped())
                fprintf(stderr, "%s: stopped while connecting to %s port %u\n", PROG, nc.host, nc.port);
            goto out;
        }
        if (nc.sock < 0 && !dl.resolved) {
            fprintf(stderr, "%s: %s: %s\n", PROG, nc.host, names_error(nc.sock));
            goto out;
        }
        if (nc.sock < 0) {
            fprintf(stderr, "%s: connect to %s port %u failed: %s\n", PROG, nc.host, nc.port,
                    nc.sock == -ETIMEDOUT ? "timed out" : strerror(-nc.sock));
            goto out;
        }
        nc.connected = true;
        if (nc.verbose) {
            char a[NARU_SOCKADDR_STRLEN];
            fprintf(stderr, "%s: connected to %s port %u", PROG, nc.host, nc.port);
            struct naru_addr literal;
            if (cli_host_parse(nc.host, &literal) == CLI_HOST_NAME)
                fprintf(stderr, " (%s)", naru_sockaddr_format(&(struct naru_sockaddr){ .addr = dl.peer.addr,
                                                                                       .scope_id = dl.peer.scope_id },
                                                               rt.stack, a));
            fputc('\n', stderr);
        }
        naru_socket_set_callback(rt.stack, nc.sock, socket_event, &nc);
        if (!rt.simulated)
            loop_watch_fd(&rt.loop, STDIN_FILENO, POLLIN, stdin_ready, &nc);
        pump(&nc);
    }
    int r = loop_run(&rt.loop, NARU_NEVER, finished, &nc);
    if (nc.error) {
        fprintf(stderr, "%s: connection to %s port %u: %s\n", PROG, nc.host, nc.port, strerror(-nc.error));
    } else if (nc.out_error && nc.out_error != EPIPE) {
        fprintf(stderr, "%s: write to stdout: %s\n", PROG, strerror(nc.out_error));
    } else if (r == 1 && loop_user_stopped() && nc.verbose) {
        fprintf(stderr, "%s: stopped\n", PROG);
    } else if (r == 0 && !nc.out_error) {
        status = 0;
        if (nc.verbose)
            fprintf(stderr, "%s: closed\n", PROG);
    }
out:
    if (nc.sock >= 0)
        naru_close(rt.stack, nc.sock);
    if (nc.listener >= 0)
        naru_close(rt.stack, nc.listener);
    free(nc.in);
    free(nc.out);
    runtime_close(&rt);
    return status;
}
