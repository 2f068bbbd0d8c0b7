/* naru dnsd: naru's authoritative DNS server on the host's kernel sockets.
 * This file is the kernel-socket transport: it receives queries over UDP
 * (in batches, recvmmsg/sendmmsg) and TCP (RFC 7766: several queries per
 * connection, each behind a two-byte length), hands each to the server
 * and sends back the reply. Framing, deadlines and connection limits are
 * the server's TCP table (naru_dns_tcp_*), shared with the naru-socket
 * transport; this file only moves bytes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "background.h"
#include "commands.h"
#include "dns_net.h"
#include "naru/addr.h"
#include "naru/dns.h"
#include "runtime.h"
#include "counters.h"

#define PROG "naru dnsd"
#define MAX_LISTEN 8
#define BATCH 64
#define UDP_BUF 4096
#define TCP_OUT_MAX (256u * 1024)    /* replies queued per connection before we stop reading */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru dnsd [--listen ADDR:PORT]... [OPTIONS] ZONE...\n"
            "       naru dnsd --tap IFNAME --addr CIDR [--addr CIDR]... [--gw IP]... [--listen ADDR:PORT]...\n"
            "                 [OPTIONS] ZONE...\n"
            "\n"
            "Serve the zones authoritatively over UDP and TCP on the host's kernel sockets,\n"
            "or with --tap on a naru stack of its own on a Linux TAP device (TCP there when\n"
            "naru's stack has it; the ready line says which).\n"
            "ZONE is ORIGIN=FILE, or a FILE whose first record is the zone's SOA (usually\n"
            "after a $ORIGIN line). A zone file with any error is refused and dnsd does not\n"
            "start. One line on stderr says when it is ready (--background: then it goes to\n"
            "the background); SIGINT or SIGTERM stops it and prints its counters.\n"
            "\n"
            "  --listen ADDR:PORT  where to listen, repeatable; [V6]:PORT for IPv6 (default 127.0.0.1:53;\n"
            "                      with --tap, each --addr address, port 53). On kernel sockets port 0\n"
            "                      takes a free port, the same for UDP and TCP; the ready line names it\n"
            "  --udp-max BYTES     largest UDP reply, 512..4096 (default 1232)\n"
            "  --full-responses    add the zone's NS and their addresses to every positive answer,\n"
            "                      as NSD does by default (default: minimal, as Knot and BIND)\n"
            "  --minimal           minimal answers (the default)\n"
            "  --background        once ready, go to the background and print the PID on stdout\n"
            "TCP (RFC 7766): a new connection is always taken; when the limits are reached an\n"
            "older one is closed, an idle one first.\n"
            "  --tcp-max N         connections at once (default 128)\n"
            "  --tcp-per-client N  connections from one address, or one IPv6 /64 (default 16)\n"
            "  --tcp-timeout SECS  a whole query must arrive within this, from its first byte (default 5)\n"
            "  --tcp-idle SECS     close a connection idle this long (default 10)\n"
            "Response rate limiting over UDP (off by default), like NSD's and Knot's RRL:\n"
            "  --rrl-rate N        at most N responses a second of one kind to one client prefix\n"
            "  --rrl-slip N        send every Nth response over the limit truncated, so real\n"
            "                      clients retry over TCP; drop the rest (default 2; 0 drops all)\n"
            "  --rrl-ipv4-prefix LEN, --rrl-ipv6-prefix LEN\n"
            "                      what one client prefix is (default /24 and /56)\n"
            "On TAP:\n"
            "  --tap IFNAME        serve on naru's stack on this TAP device (needs --addr)\n"
            "  --addr CIDR         the naru host's address there, IPv4 or IPv6 (2001:db8::2/64);\n"
            "                      repeat it for both families\n"
            "  --gw IP             its default gateway, once for each family\n"
            "  --mac MAC           its MAC address (random if not given)\n"
            "  --pcap FILE         capture its frames to FILE\n"
            "  --no-offload        one frame per read and write, checksums in naru (default: the\n"
            "                      kernel's checksum and segmentation offloads)\n"
            "  -h, --help          this help\n"
            "\n"
            "Exit status: 1 when a zone or a socket fails, 2 on a usage error.\n"
            CLI_SIGNALS_HELP
            "example: naru dnsd --listen 127.0.0.1:5300 example.=tests/data/dns/example.zone\n"
            "         naru dnsd --tap naru0 --addr 198.18.0.2/24 tests/data/dns/example.zone\n");
}

/* A TCP connection's socket and the replies queued for it; its slot in
 * the server's TCP table has the same index. */
struct conn {
    int fd;                    /* -1: free */
    uint8_t *out;
    size_t out_len, out_off, out_cap;
};

struct dnsd {
    struct naru_dns_server *server;
    struct naru_dns_tcp *tcp_table;
    int udp[MAX_LISTEN], tcp[MAX_LISTEN];
    unsigned listen_count;
    char listen_text[MAX_LISTEN][NARU_SOCKADDR_STRLEN]; /* as bound: "A.B.C.D:PORT", "[V6]:PORT" */
    struct conn *conns;        /* one per slot of tcp_table */
    unsigned slots;
    /* UDP batches */
    struct mmsghdr rx[BATCH], tx[BATCH];
    struct iovec rx_iov[BATCH], tx_iov[BATCH];
    struct sockaddr_storage peers[BATCH];
    uint8_t *rx_buf, *tx_buf;
};

static naru_time_t monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (naru_time_t)ts.tv_sec * NARU_SEC + (naru_time_t)ts.tv_nsec;
}

static struct naru_addr addr_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ss;
        return naru_addr_v6(in6->sin6_addr.s6_addr);
    }
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)ss;
    return naru_addr_v4(ntohl(in4->sin_addr.s_addr));
}

/* Sockets for UDP and TCP bound to one address; the port is ss's, or with
 * port 0 one the kernel gives UDP, taken for TCP too. 0, or -errno. */
static int bind_pair(struct sockaddr_storage *ss, socklen_t len, int *udp, int *tcp)
{
    int one = 1;
    int u = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int t = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (u < 0 || t < 0)
        goto fail;
    if (ss->ss_family == AF_INET6) {
        setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rcvbuf = 4 << 20;
    setsockopt(u, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    socklen_t got = len;
    if (bind(u, (struct sockaddr *)ss, len) < 0 || getsockname(u, (struct sockaddr *)ss, &got) < 0 ||
        bind(t, (struct sockaddr *)ss, len) < 0 || listen(t, 128) < 0)
        goto fail;
    *udp = u;
    *tcp = t;
    return 0;
fail:;
    int err = -errno;
    if (u >= 0)
        close(u);
    if (t >= 0)
        close(t);
    return err;
}

/* Listen on text's address over UDP and TCP; its text as bound (port 0
 * made real) goes into d->listen_text for the ready line. */
static int open_listener(struct dnsd *d, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (dns_net_parse_addr(text, 53, &ss, &len) < 0) {
        fprintf(stderr, "%s: bad listen address '%s'\n", PROG, text);
        return -2;
    }
    struct naru_sockaddr asked;
    dns_net_to_naru(&ss, &asked);
    int u = -1, t = -1, err;
    /* With port 0 the port UDP got may be taken for TCP: try others. */
    for (int tries = 0;; tries++) {
        struct sockaddr_storage at = ss;
        err = bind_pair(&at, len, &u, &t);
        if (!err) {
            struct naru_sockaddr bound;
            dns_net_to_naru(&at, &bound);
            naru_sockaddr_format(&bound, NULL, d->listen_text[d->listen_count]);
            break;
        }
        if (asked.port != 0 || err != -EADDRINUSE || tries == 16) {
            fprintf(stderr, "%s: cannot listen on %s: %s\n", PROG, text, strerror(-err));
            return -1;
        }
    }
    d->udp[d->listen_count] = u;
    d->tcp[d->listen_count] = t;
    d->listen_count++;
    return 0;
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
        naru_time_t now = monotonic_now();
        int out = 0;
        for (int i = 0; i < n; i++) {
            if (d->rx[i].msg_hdr.msg_flags & MSG_TRUNC)
                continue;      /* larger than any query we answer: drop */
            uint8_t *reply = d->tx_buf + (size_t)out * UDP_BUF;
            struct naru_addr client = addr_of(&d->peers[i]);
            size_t len = naru_dns_server_answer_from(d->server, &client, now,
                                                     d->rx_buf + (size_t)i * UDP_BUF,
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

static void conn_release(struct conn *c)
{
    close(c->fd);
    c->fd = -1;
    c->out_len = c->out_off = 0;
}

static void conn_close(struct dnsd *d, int slot)
{
    conn_release(&d->conns[slot]);
    naru_dns_tcp_close(d->tcp_table, slot);
}

static void accept_tcp(struct dnsd *d, int lfd)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct naru_addr client = addr_of(&peer);
        bool evicted;
        int slot = naru_dns_tcp_open(d->tcp_table, &client, monotonic_now(), &evicted);
        struct conn *c = &d->conns[slot];
        if (evicted)
            conn_release(c);   /* an older connection gave way */
        c->fd = fd;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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

static bool send_reply(void *ctx, int slot, const uint8_t *framed, size_t len)
{
    struct dnsd *d = ctx;
    return queue_out(&d->conns[slot], framed, len);
}

static bool serve_tcp(struct dnsd *d, int slot)
{
    struct conn *c = &d->conns[slot];
    if (c->out_len - c->out_off > TCP_OUT_MAX)
        return true;           /* the peer is not reading: wait for it */
    size_t room;
    uint8_t *in = naru_dns_tcp_rx_space(d->tcp_table, slot, &room);
    ssize_t n = recv(c->fd, in, room, 0);
    if (n == 0) {
        flush_out(c);          /* the peer is done; send what is queued, then close */
        return false;
    }
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    if (naru_dns_tcp_received(d->tcp_table, slot, (size_t)n, monotonic_now(), send_reply, d) < 0)
        return false;
    return flush_out(c);
}

/* The server's counters; the kernel transport adds its TCP connections
 * (on TAP they are in the stack's counters, printed after these). */
static void print_stats(const struct dnsd *d)
{
    const struct naru_dns_server_stats *s = naru_dns_server_stats(d->server);
    fprintf(stderr,
            "%s: stopped. %llu queries (%llu over TCP, %llu with EDNS), %llu dropped\n"
            "  NOERROR %llu (NODATA %llu, referrals %llu), NXDOMAIN %llu, REFUSED %llu,\n"
            "  FORMERR %llu, NOTIMP %llu, BADVERS %llu, truncated %llu;\n"
            "  rate-limited over UDP: %llu dropped, %llu sent truncated\n",
            PROG, (unsigned long long)s->queries, (unsigned long long)s->tcp,
            (unsigned long long)s->edns, (unsigned long long)s->dropped,
            (unsigned long long)s->noerror, (unsigned long long)s->nodata,
            (unsigned long long)s->referrals, (unsigned long long)s->nxdomain,
            (unsigned long long)s->refused, (unsigned long long)s->formerr,
            (unsigned long long)s->notimp, (unsigned long long)s->badvers,
            (unsigned long long)s->truncated, (unsigned long long)s->rrl_dropped,
            (unsigned long long)s->rrl_slipped);
    if (d->tcp_table) {
        const struct naru_dns_tcp_stats *t = naru_dns_tcp_stats(d->tcp_table);
        fprintf(stderr,
                "  TCP connections %llu; closed for a newer one: %llu idle, %llu mid-message;\n"
                "  timed out: %llu mid-message, %llu idle; %llu with a query too long\n",
                (unsigned long long)t->accepted, (unsigned long long)t->evicted_idle,
                (unsigned long long)t->evicted_busy, (unsigned long long)t->message_timeouts,
                (unsigned long long)t->idle_timeouts, (unsigned long long)t->oversized);
    }
}

static int run(struct dnsd *d)
{
    struct pollfd *pfd = calloc(2 * MAX_LISTEN + d->slots, sizeof *pfd);
    int *slot_of = calloc(d->slots ? d->slots : 1, sizeof *slot_of);
    if (!pfd || !slot_of) {
        free(pfd);
        free(slot_of);
        return 1;
    }
    while (!loop_interrupted()) {
        unsigned n = 0, polled = 0;
        for (unsigned i = 0; i < d->listen_count; i++) {
            pfd[n++] = (struct pollfd){ .fd = d->udp[i], .events = POLLIN };
            pfd[n++] = (struct pollfd){ .fd = d->tcp[i], .events = POLLIN };
        }
        for (unsigned i = 0; i < d->slots; i++) {
            struct conn *c = &d->conns[i];
            if (c->fd < 0)
                continue;
            short ev = c->out_len - c->out_off > TCP_OUT_MAX ? 0 : POLLIN;
            if (c->out_len > c->out_off)
                ev |= POLLOUT;
            slot_of[polled++] = (int)i;
            pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
        }
        /* Sleep until a socket is ready or the next TCP deadline. */
        int timeout = 1000;
        naru_time_t now = monotonic_now(), next = naru_dns_tcp_next_deadline(d->tcp_table);
        if (next != NARU_NEVER) {
            naru_time_t wait = next > now ? next - now : 0;
            if (wait < 1000 * NARU_MS)
                timeout = (int)((wait + NARU_MS - 1) / NARU_MS);
        }
        int r = poll(pfd, n, timeout);
        if (r < 0 && errno != EINTR) {
            perror(PROG ": poll");
            break;
        }
        if (r > 0) {
            struct pollfd *cp = pfd + 2 * d->listen_count;
            for (unsigned k = 0; k < polled; k++) {
                int slot = slot_of[k];
                struct conn *c = &d->conns[slot];
                if (!cp[k].revents || c->fd != cp[k].fd)
                    continue;
                bool ok = true;
                if (cp[k].revents & POLLOUT)
                    ok = flush_out(c);
                if (ok && (cp[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    ok = serve_tcp(d, slot);
                if (!ok)
                    conn_close(d, slot);
            }
            for (unsigned i = 0; i < d->listen_count; i++) {
                if (pfd[2 * i].revents & POLLIN)
                    serve_udp(d, d->udp[i]);
                if (pfd[2 * i + 1].revents & POLLIN)
                    accept_tcp(d, d->tcp[i]);
            }
        }
        now = monotonic_now();
        for (int slot; (slot = naru_dns_tcp_expired(d->tcp_table, now)) >= 0;)
            conn_close(d, slot);
    }
    free(slot_of);
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
    for (unsigned i = 0; i < listen_count; i++) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (dns_net_parse_addr(listen_on[i], 53, &ss, &len) < 0) {
            fprintf(stderr, "%s: bad listen address '%s' (want A.B.C.D[:PORT] or [V6]:PORT)\n", PROG,
                    listen_on[i]);
            return 2;
        }
        dns_net_to_naru(&ss, &where[i]);
    }
    /* By default, each --addr, port 53. */
    for (unsigned i = 0; !listen_count && i < ro->addr_count && i < MAX_LISTEN; i++)
        where[i] = (struct naru_sockaddr){ .addr = ro->addrs[i].addr, .port = NARU_DNS_PORT };
    if (!listen_count)
        listen_count = ro->addr_count < MAX_LISTEN ? ro->addr_count : MAX_LISTEN;
    struct runtime rt;
    int status = runtime_open(&rt, ro, PROG);
    struct naru_dns_server_endpoint *ep[MAX_LISTEN] = { 0 };
    bool tcp = true;
    for (unsigned i = 0; i < listen_count && !status; i++) {
        int err = naru_dns_server_attach(d->server, rt.stack, &where[i], &ep[i]);
        if (err < 0) {
            char a[NARU_SOCKADDR_STRLEN];
            fprintf(stderr, "%s: cannot listen on %s: %s\n", PROG, naru_sockaddr_format(&where[i], NULL, a),
                    strerror(-err));
            status = 1;
            break;
        }
        tcp = tcp && naru_dns_server_endpoint_has_tcp(ep[i]);
    }
    if (!status) {
        unsigned zones = naru_dns_server_zone_count(d->server);
        fprintf(stderr, "%s: ready: %u zone%s on", PROG, zones, zones == 1 ? "" : "s");
        for (unsigned i = 0; i < listen_count; i++) {
            char a[NARU_SOCKADDR_STRLEN];
            fprintf(stderr, " %s", naru_sockaddr_format(&where[i], NULL, a));
        }
        fprintf(stderr, " via %s (%s)\n", ro->tap, tcp ? "UDP and TCP" : "UDP; this stack has no TCP");
        background_ready();
        loop_run(&rt.loop, NARU_NEVER, never, NULL);
        print_stats(d);
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
        { "full-responses", no_argument, NULL, 'F' },
        { "tcp-max", required_argument, NULL, 'T' },
        { "tcp-per-client", required_argument, NULL, 'P' },
        { "tcp-timeout", required_argument, NULL, 'M' },
        { "tcp-idle", required_argument, NULL, 'I' },
        { "rrl-rate", required_argument, NULL, 'R' },
        { "rrl-slip", required_argument, NULL, 'S' },
        { "rrl-ipv4-prefix", required_argument, NULL, '4' },
        { "rrl-ipv6-prefix", required_argument, NULL, '6' },
        { "background", no_argument, NULL, 'B' },
        { "help", no_argument, NULL, 'h' },
        CLI_TAP_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    const char *listen_on[MAX_LISTEN];
    unsigned listen_count = 0;
    bool background = false;
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
            cfg.full_responses = false;
            break;
        case 'F':
            cfg.full_responses = true;
            break;
        case 'T':
            cfg.tcp_max = (unsigned)cli_number(PROG, "--tcp-max", optarg, false, 65536);
            if (!cfg.tcp_max) {
                fprintf(stderr, "%s: --tcp-max must be at least 1\n", PROG);
                return 2;
            }
            break;
        case 'P':
            cfg.tcp_max_per_client = (unsigned)cli_number(PROG, "--tcp-per-client", optarg, false, 65536);
            if (!cfg.tcp_max_per_client) {
                fprintf(stderr, "%s: --tcp-per-client must be at least 1\n", PROG);
                return 2;
            }
            break;
        case 'M':
        case 'I': {
            const char *flag = opt == 'M' ? "--tcp-timeout" : "--tcp-idle";
            naru_time_t t = cli_seconds(PROG, flag, optarg);
            if (!t) {
                fprintf(stderr, "%s: %s must be more than 0\n", PROG, flag);
                return 2;
            }
            *(opt == 'M' ? &cfg.tcp_message_timeout : &cfg.tcp_idle_timeout) = t;
            break;
        }
        case 'R':
            cfg.rrl_rate = (unsigned)cli_number(PROG, "--rrl-rate", optarg, false, 1e9);
            break;
        case 'S':
            cfg.rrl_slip = (unsigned)cli_number(PROG, "--rrl-slip", optarg, false, 1000);
            break;
        case '4':
            cfg.rrl_ipv4_prefix = (uint8_t)cli_number(PROG, "--rrl-ipv4-prefix", optarg, false, 32);
            break;
        case '6':
            cfg.rrl_ipv6_prefix = (uint8_t)cli_number(PROG, "--rrl-ipv6-prefix", optarg, false, 128);
            break;
        case 'B':
            background = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            if (cli_take_option(&ro, PROG, opt, optarg))
                break;
            fprintf(stderr, "%s: unknown or incomplete flag '%s' (try --help)\n", PROG,
                    argv[optind - 1]);
            return 2;
        }
    }
    if (!ro.tap && (ro.addr_count || ro.gw_count || ro.mac || ro.pcap)) {
        fprintf(stderr, "%s: --addr, --gw, --mac and --pcap need --tap IFNAME\n", PROG);
        return 2;
    }
    if (ro.tap && !ro.addr_count) {
        fprintf(stderr, "%s: --tap needs --addr CIDR\n", PROG);
        return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "%s: no ZONE given (try --help)\n", PROG);
        return 2;
    }
    if (!listen_count && !ro.tap)
        listen_on[listen_count++] = "127.0.0.1:53";
    if (dns_net_random(&cfg.seed, sizeof cfg.seed) < 0)
        cfg.seed = (uint64_t)monotonic_now() ^ (uint64_t)getpid() << 32;
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
    int err = background ? background_start() : 0;
    if (err < 0) {
        fprintf(stderr, "%s: cannot go to the background: %s\n", PROG, strerror(-err));
        goto out;
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
    d->rx_buf = malloc((size_t)BATCH * UDP_BUF);
    d->tx_buf = malloc((size_t)BATCH * UDP_BUF);
    if (!d->rx_buf || !d->tx_buf || naru_dns_tcp_create(d->server, &d->tcp_table) < 0)
        goto out;
    d->slots = naru_dns_tcp_slots(d->tcp_table);
    d->conns = calloc(d->slots, sizeof *d->conns);
    if (!d->conns)
        goto out;
    for (unsigned i = 0; i < d->slots; i++)
        d->conns[i].fd = -1;
    loop_catch_signals();
    fprintf(stderr, "%s: ready: %u zone%s on", PROG, naru_dns_server_zone_count(d->server),
            naru_dns_server_zone_count(d->server) == 1 ? "" : "s");
    for (unsigned i = 0; i < d->listen_count; i++)
        fprintf(stderr, " %s", d->listen_text[i]);
    fprintf(stderr, " (UDP and TCP)\n");
    background_ready();
    status = run(d);
    print_stats(d);
out:
    for (unsigned k = 0; d->conns && k < d->slots; k++) {
        if (d->conns[k].fd >= 0)
            conn_close(d, (int)k);
        free(d->conns[k].out);
    }
    free(d->conns);
    naru_dns_tcp_destroy(d->tcp_table);
    for (unsigned i = 0; i < d->listen_count; i++) {
        close(d->udp[i]);
        close(d->tcp[i]);
    }
    free(d->rx_buf);
    free(d->tx_buf);
    naru_dns_server_destroy(d->server);
    free(d);
    return status;
}
