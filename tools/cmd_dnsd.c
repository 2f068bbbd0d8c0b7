/* naru dnsd: naru's authoritative DNS server on the host's kernel sockets.
 * This file is the kernel-socket transport: it receives queries over UDP
 * (in batches, recvmmsg/sendmmsg) and TCP (RFC 7766: several queries per
 * connection, each behind a two-byte length), hands each to
 * naru_dns_server_answer() and sends back the reply. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dns_net.h"
#include "naru/addr.h"
#include "naru/dns.h"
#include "runtime.h"
#include "counters.h"

#define PROG "naru dnsd"
#define MAX_LISTEN 8
#define MAX_CONNS 128
#define BATCH 64
#define UDP_BUF 4096
#define TCP_IDLE_SECONDS 10          /* RFC 7766 6.2.3: seconds, not minutes */
#define TCP_OUT_MAX (256u * 1024)    /* replies queued per connection before we stop reading */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru dnsd [--listen ADDR:PORT]... [--udp-max BYTES] [--minimal] ZONE...\n"
            "       naru dnsd --tap IFNAME --addr A.B.C.D/LEN [--gw A.B.C.D] [--listen ADDR:PORT]... ZONE...\n"
            "\n"
            "Serve the zones authoritatively over UDP and TCP on the host's kernel sockets,\n"
            "or with --tap on a naru stack of its own on a Linux TAP device (TCP there when\n"
            "naru's stack has it; the ready line says which).\n"
            "ZONE is ORIGIN=FILE, or a FILE whose first record is the zone's SOA (usually\n"
            "after a $ORIGIN line). A zone file with any error is refused and dnsd does not\n"
            "start. One line on stderr says when it is ready; SIGINT or SIGTERM stops it and\n"
            "prints its counters.\n"
            "\n"
            "  --listen ADDR:PORT  where to listen, repeatable; [V6]:PORT for IPv6 (default 127.0.0.1:53;\n"
            "                      with --tap, IPv4 only, default the --addr address, port 53)\n"
            "  --udp-max BYTES     largest UDP reply, 512..4096 (default 1232)\n"
            "  --minimal           leave the NS and extra addresses out of positive answers\n"
            "  --tap IFNAME        serve on naru's stack on this TAP device (needs --addr)\n"
            "  --addr A.B.C.D/LEN  the naru host's address there\n"
            "  --gw A.B.C.D        its default gateway\n"
            "  --mac MAC           its MAC address (random if not given)\n"
            "  --pcap FILE         capture its frames to FILE\n"
            "  -h, --help          this help\n"
            "\n"
            "Exit status: 0 after a clean stop, 1 when a zone or a socket fails, 2 on a usage error.\n"
            "example: naru dnsd --listen 127.0.0.1:5353 example.=tests/data/dns/example.zone\n"
            "         naru dnsd --tap naru0 --addr 198.18.0.2/24 tests/data/dns/example.zone\n");
}

struct conn {
    int fd;
    uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    time_t last;
};

struct dnsd {
    struct naru_dns_server *server;
    int udp[MAX_LISTEN], tcp[MAX_LISTEN];
    unsigned listen_count;
    struct conn conns[MAX_CONNS];
    unsigned conn_count;
    uint8_t *reply;            /* one TCP reply */
    /* UDP batches */
    struct mmsghdr rx[BATCH], tx[BATCH];
    struct iovec rx_iov[BATCH], tx_iov[BATCH];
    struct sockaddr_storage peers[BATCH];
    uint8_t *rx_buf, *tx_buf;
    uint64_t tcp_accepted, tcp_refused_full;
};

static int open_listener(struct dnsd *d, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (dns_net_parse_addr(text, 53, &ss, &len) < 0) {
        fprintf(stderr, "%s: bad listen address '%s'\n", PROG, text);
        return -2;
    }
    int one = 1;
    int u = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int t = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (u < 0 || t < 0)
        goto fail;
    if (ss.ss_family == AF_INET6) {
        setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rcvbuf = 4 << 20;
    setsockopt(u, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(u, (struct sockaddr *)&ss, len) < 0 || bind(t, (struct sockaddr *)&ss, len) < 0 ||
        listen(t, 64) < 0)
        goto fail;
    d->udp[d->listen_count] = u;
    d->tcp[d->listen_count] = t;
    d->listen_count++;
    return 0;
fail:
    fprintf(stderr, "%s: cannot listen on %s: %s\n", PROG, text, strerror(errno));
    if (u >= 0)
        close(u);
    if (t >= 0)
        close(t);
    return -1;
}

static void serve_udp(struct dnsd *d, int fd)
{
    /* A bounded number of batches, so TCP gets its turn under load. */
    for (int round = 0; round < 16; round++) {
        for (int i = 0; i < BATCH; i++) {
            d->rx_iov[i] = (struct iovec){ d->rx_buf + (size_t)i * UDP_BUF, UDP_BUF };
            d->rx[i].msg_hdr = (struct msghdr){ .msg_name = &d->peers[i],
                                                .msg_namelen = sizeof d->peers[i],
                                                .msg_iov = &d->rx_iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(fd, d->rx, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return;
        int out = 0;
        for (int i = 0; i < n; i++) {
            if (d->rx[i].msg_hdr.msg_flags & MSG_TRUNC)
                continue;      /* larger than any query we answer: drop */
            uint8_t *reply = d->tx_buf + (size_t)out * UDP_BUF;
            size_t len = naru_dns_server_answer(d->server, d->rx_buf + (size_t)i * UDP_BUF,
                                                d->rx[i].msg_len, NARU_DNS_UDP, reply, UDP_BUF);
            if (!len)
                continue;
            d->tx_iov[out] = (struct iovec){ reply, len };
            d->tx[out].msg_hdr = (struct msghdr){ .msg_name = &d->peers[i],
                                                  .msg_namelen = d->rx[i].msg_hdr.msg_namelen,
                                                  .msg_iov = &d->tx_iov[out], .msg_iovlen = 1 };
            out++;
        }
        for (int sent = 0; sent < out;) {
            int k = sendmmsg(fd, d->tx + sent, (unsigned)(out - sent), 0);
            if (k <= 0) {
                if (k < 0 && errno == EINTR)
                    continue;
                sent++;        /* skip the one that failed (e.g. unreachable peer) */
                continue;
            }
            sent += k;
        }
        if (n < BATCH)
            return;
    }
}

static void conn_close(struct dnsd *d, unsigned i)
{
    struct conn *c = &d->conns[i];
    close(c->fd);
    free(c->in);
    free(c->out);
    d->conns[i] = d->conns[--d->conn_count];
}

static void accept_tcp(struct dnsd *d, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (d->conn_count == MAX_CONNS) {
            /* Bounded: the newest is turned away rather than grow. */
            d->tcp_refused_full++;
            close(fd);
            continue;
        }
        struct conn *c = &d->conns[d->conn_count];
        memset(c, 0, sizeof *c);
        c->fd = fd;
        c->in = malloc(2 + 65535);
        if (!c->in) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->last = time(NULL);
        d->conn_count++;
        d->tcp_accepted++;
    }
}

static bool queue_out(struct conn *c, const uint8_t *p, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n)
            cap *= 2;
        if (cap > TCP_OUT_MAX + 65537)
            return false;
        uint8_t *b = realloc(c->out, cap);
        if (!b)
            return false;
        c->out = b;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return true;
}

/* Returns false when the connection should close. */
static bool flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EINTR;
        c->out_off += (size_t)w;
    }
    c->out_off = c->out_len = 0;
    return true;
}

static bool serve_tcp(struct dnsd *d, struct conn *c)
{
    if (c->out_len - c->out_off > TCP_OUT_MAX)
        return true;           /* the peer is not reading: wait for it */
    ssize_t n = recv(c->fd, c->in + c->in_len, 2 + 65535 - c->in_len, 0);
    if (n == 0) {
        flush_out(c);          /* the peer is done; send what is queued, then close */
        return false;
    }
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    c->in_len += (size_t)n;
    c->last = time(NULL);
    const uint8_t *msg;
    size_t mlen, used, off = 0;
    /* RFC 7766 6.2.1.1: answer pipelined queries, each in turn. */
    while ((used = naru_dns_tcp_frame(c->in + off, c->in_len - off, &msg, &mlen)) > 0) {
        off += used;
        size_t len = naru_dns_server_answer(d->server, msg, mlen, NARU_DNS_TCP, d->reply + 2, 65535);
        if (!len)
            continue;
        d->reply[0] = (uint8_t)(len >> 8);
        d->reply[1] = (uint8_t)len;
        if (!queue_out(c, d->reply, len + 2))
            return false;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return flush_out(c);
}

/* The server's counters; the kernel transport adds its TCP connections
 * (on TAP they are in the stack's counters, printed after these). */
static void print_stats(const struct dnsd *d, bool kernel)
{
    const struct naru_dns_server_stats *s = naru_dns_server_stats(d->server);
    fprintf(stderr,
            "%s: stopped. %llu queries (%llu over TCP, %llu with EDNS), %llu dropped\n"
            "  NOERROR %llu (NODATA %llu, referrals %llu), NXDOMAIN %llu, REFUSED %llu,\n"
            "  FORMERR %llu, NOTIMP %llu, BADVERS %llu, truncated %llu",
            PROG, (unsigned long long)s->queries, (unsigned long long)s->tcp,
            (unsigned long long)s->edns, (unsigned long long)s->dropped,
            (unsigned long long)s->noerror, (unsigned long long)s->nodata,
            (unsigned long long)s->referrals, (unsigned long long)s->nxdomain,
            (unsigned long long)s->refused, (unsigned long long)s->formerr,
            (unsigned long long)s->notimp, (unsigned long long)s->badvers,
            (unsigned long long)s->truncated);
    if (kernel)
        fprintf(stderr, "; TCP connections %llu (%llu turned away)", (unsigned long long)d->tcp_accepted,
                (unsigned long long)d->tcp_refused_full);
    fputc('\n', stderr);
}

static int run(struct dnsd *d)
{
    struct pollfd *pfd = calloc(2 * MAX_LISTEN + MAX_CONNS, sizeof *pfd);
    if (!pfd)
        return 1;
    time_t last_sweep = time(NULL);
    while (!stop_signal) {
        unsigned n = 0;
        for (unsigned i = 0; i < d->listen_count; i++) {
            pfd[n++] = (struct pollfd){ .fd = d->udp[i], .events = POLLIN };
            pfd[n++] = (struct pollfd){ .fd = d->tcp[i], .events = POLLIN };
        }
        for (unsigned i = 0; i < d->conn_count; i++) {
            struct conn *c = &d->conns[i];
            short ev = c->out_len - c->out_off > TCP_OUT_MAX ? 0 : POLLIN;
            if (c->out_len > c->out_off)
                ev |= POLLOUT;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        int r = poll(pfd, n, 1000);
        if (r < 0 && errno != EINTR) {
            perror(PROG ": poll");
            break;
        }
        if (r > 0) {
            for (unsigned i = 0; i < d->listen_count; i++) {
                if (pfd[2 * i].revents & POLLIN)
                    serve_udp(d, d->udp[i]);
                if (pfd[2 * i + 1].revents & POLLIN)
                    accept_tcp(d, d->tcp[i]);
            }
            /* Connections polled this round; walk down so closing is safe. */
            unsigned polled = n - 2 * d->listen_count;
            for (unsigned k = polled; k-- > 0;) {
                struct pollfd *p = &pfd[2 * d->listen_count + k];
                if (!p->revents)
                    continue;
                struct conn *c = &d->conns[k];
                bool ok = true;
                if (p->revents & POLLOUT)
                    ok = flush_out(c);
                if (ok && (p->revents & (POLLIN | POLLHUP | POLLERR)))
                    ok = serve_tcp(d, c);
                if (!ok)
                    conn_close(d, k);
            }
        }
        time_t now = time(NULL);
        if (now != last_sweep) {
            last_sweep = now;
            for (unsigned k = d->conn_count; k-- > 0;)
                if (now - d->conns[k].last > TCP_IDLE_SECONDS)
                    conn_close(d, k);
        }
    }
    free(pfd);
    return 0;
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

/* dnsd --tap: the same server on a naru stack of its own, through the
 * tools runtime; naru_dns_server_attach() is the naru-socket transport. */
static int serve_tap(struct dnsd *d, const struct cli_options *ro, const char **listen_on,
                     unsigned listen_count)
{
    struct naru_sockaddr where[MAX_LISTEN];
    uint32_t self = 0;
    uint8_t prefix = 0;
    naru_cidr_parse(ro->addr ? ro->addr : "", &self, &prefix);
    for (unsigned i = 0; i < listen_count; i++) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (dns_net_parse_addr(listen_on[i], 53, &ss, &len) < 0 || ss.ss_family != AF_INET) {
            fprintf(stderr, "%s: bad listen address '%s' (with --tap: A.B.C.D[:PORT])\n", PROG,
                    listen_on[i]);
            return 2;
        }
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)&ss;
        where[i] = (struct naru_sockaddr){ ntohl(in4->sin_addr.s_addr), ntohs(in4->sin_port) };
    }
    if (!listen_count)
        where[listen_count++] = (struct naru_sockaddr){ self, NARU_DNS_PORT };
    struct runtime rt;
    int status = runtime_open(&rt, ro, PROG);
    struct naru_dns_server_endpoint *ep[MAX_LISTEN] = { 0 };
    bool tcp = true;
    for (unsigned i = 0; i < listen_count && !status; i++) {
        int err = naru_dns_server_attach(d->server, rt.stack, &where[i], &ep[i]);
        if (err < 0) {
            char a[NARU_IP4_STRLEN];
            fprintf(stderr, "%s: cannot listen on %s:%u: %s\n", PROG, naru_ip4_format(where[i].addr, a),
                    where[i].port, strerror(-err));
            status = 1;
            break;
        }
        tcp = tcp && naru_dns_server_endpoint_has_tcp(ep[i]);
    }
    if (!status) {
        unsigned zones = naru_dns_server_zone_count(d->server);
        fprintf(stderr, "%s: ready: %u zone%s on", PROG, zones, zones == 1 ? "" : "s");
        for (unsigned i = 0; i < listen_count; i++) {
            char a[NARU_IP4_STRLEN];
            fprintf(stderr, " %s:%u", naru_ip4_format(where[i].addr, a), where[i].port);
        }
        fprintf(stderr, " via %s (%s)\n", ro->tap, tcp ? "UDP and TCP" : "UDP; this stack has no TCP");
        loop_run(&rt.loop, NARU_NEVER, never, NULL);
        print_stats(d, false);
        fprintf(stderr, "%s: counters of naru's stack:\n", PROG);
        print_counters(stderr, rt.stack);
    }
    for (unsigned i = 0; i < listen_count; i++)
        naru_dns_server_detach(ep[i]);
    runtime_close(&rt);
    return status;
}

int cmd_dnsd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "udp-max", required_argument, NULL, 'u' },
        { "minimal", no_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        CLI_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    const char *listen_on[MAX_LISTEN];
    unsigned listen_count = 0;
    struct naru_dns_server_config cfg;
    naru_dns_server_config_default(&cfg);
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        char *end;
        unsigned long v;
        switch (opt) {
        case 'l':
            if (listen_count == MAX_LISTEN) {
                fprintf(stderr, "%s: at most %d --listen addresses\n", PROG, MAX_LISTEN);
                return 2;
            }
            listen_on[listen_count++] = optarg;
            break;
        case 'u':
            v = strtoul(optarg, &end, 10);
            if (*end || !*optarg || v < 512 || v > UDP_BUF) {
                fprintf(stderr, "%s: --udp-max must be 512..%d\n", PROG, UDP_BUF);
                return 2;
            }
            cfg.udp_max = (uint16_t)v;
            break;
        case 'm':
            cfg.minimal_responses = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case CLI_OPT_SEED:
        case CLI_OPT_DNS:
        case CLI_OPT_HOSTS:
            fprintf(stderr, "%s: %s is not a dnsd flag (try --help)\n", PROG, argv[optind - 1]);
            return 2;
        default:
            if (cli_take_option(&ro, PROG, opt, optarg))
                break;
            fprintf(stderr, "%s: unknown or incomplete flag '%s' (try --help)\n", PROG,
                    argv[optind - 1]);
            return 2;
        }
    }
    if (!ro.tap && (ro.addr || ro.gw || ro.mac || ro.pcap)) {
        fprintf(stderr, "%s: --addr, --gw, --mac and --pcap need --tap IFNAME\n", PROG);
        return 2;
    }
    if (ro.tap && !ro.addr) {
        fprintf(stderr, "%s: --tap needs --addr A.B.C.D/LEN\n", PROG);
        return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: no ZONE given (try --help)\n", PROG);
        return 2;
    }
    if (!listen_count && !ro.tap)
        listen_on[listen_count++] = "127.0.0.1:53";
    struct dnsd *d = calloc(1, sizeof *d);
    if (!d || naru_dns_server_create(&cfg, &d->server) < 0) {
        free(d);
        return 1;
    }
    int status = 1;
    for (int i = optind; i < argc; i++) {
        char err[512];
        char *arg = argv[i];
        char *eq = strchr(arg, '=');
        const char *origin = NULL, *path = arg;
        char origin_buf[1024];
        if (eq) {
            size_t l = (size_t)(eq - arg);
            if (l == 0 || l >= sizeof origin_buf || !eq[1]) {
                fprintf(stderr, "%s: bad ZONE '%s' (ORIGIN=FILE or FILE)\n", PROG, arg);
                status = 2;
                goto out;
            }
            memcpy(origin_buf, arg, l);
            origin_buf[l] = 0;
            origin = origin_buf;
            path = eq + 1;
        }
        if (naru_dns_server_load_zone(d->server, origin, path, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", PROG, err);
            goto out;
        }
    }
    if (ro.tap) {
        status = serve_tap(d, &ro, listen_on, listen_count);
        goto out;
    }
    for (unsigned i = 0; i < listen_count; i++) {
        int r = open_listener(d, listen_on[i]);
        if (r < 0) {
            status = r == -2 ? 2 : 1;
            goto out;
        }
    }
    d->reply = malloc(2 + 65535);
    d->rx_buf = malloc((size_t)BATCH * UDP_BUF);
    d->tx_buf = malloc((size_t)BATCH * UDP_BUF);
    if (!d->reply || !d->rx_buf || !d->tx_buf)
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "%s: ready: %u zone%s on", PROG, naru_dns_server_zone_count(d->server),
            naru_dns_server_zone_count(d->server) == 1 ? "" : "s");
    for (unsigned i = 0; i < listen_count; i++)
        fprintf(stderr, " %s", listen_on[i]);
    fprintf(stderr, " (UDP and TCP)\n");
    status = run(d);
    print_stats(d, true);
out:
    for (unsigned k = d->conn_count; k-- > 0;)
        conn_close(d, k);
    for (unsigned i = 0; i < d->listen_count; i++) {
        close(d->udp[i]);
        close(d->tcp[i]);
    }
    free(d->reply);
    free(d->rx_buf);
    free(d->tx_buf);
    naru_dns_server_destroy(d->server);
    free(d);
    return status;
}
