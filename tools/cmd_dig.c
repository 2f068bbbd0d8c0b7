/* naru dig: ask a DNS server one question and print the answer the way
 * BIND's dig does, on the host's kernel sockets, or with --tap on a naru
 * stack over a TAP device (the same output either way). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dns_net.h"
#include "naru/dns.h"
#include "naru/socket.h"
#include "runtime.h"

#define PROG "naru dig"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru dig [-4|-6] [-p PORT] [@SERVER[:PORT]] NAME [TYPE] [CLASS] [+OPTION]...\n"
            "       naru dig [-4|-6] [-p PORT] [@SERVER[:PORT]] -x ADDR [+OPTION]...\n"
            "                [--tap IFNAME --addr CIDR [--addr CIDR]... [--gw IP]... [--mac MAC] [--pcap FILE]]\n"
            "\n"
            "Ask SERVER (default: the first nameserver in /etc/resolv.conf, else 127.0.0.1)\n"
            "for the records of TYPE (default A) and CLASS (default IN) at NAME and print\n"
            "the reply like BIND's dig. TYPE and CLASS may come in either order, before or\n"
            "after NAME (\"www.example A IN\", \"IN A www.example\"). Runs on the host's\n"
            "kernel sockets, or with --tap on naru's own stack on a Linux TAP device. A\n"
            "truncated UDP reply is asked again over TCP.\n"
            "\n"
            "  @SERVER[:PORT]     IPv4 or IPv6 address; [V6]:PORT for IPv6 with a port\n"
            "  NAME               the domain name to ask about\n"
            "  TYPE               A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SRV, CAA, ANY, TYPEnn\n"
            "  CLASS              IN, CH, HS, NONE, ANY, CLASSnn\n"
            "  -p PORT            the server's port (default 53)\n"
            "  -x ADDR            reverse lookup: the PTR record of an IPv4 or IPv6 address\n"
            "                     (in-addr.arpa, ip6.arpa)\n"
            "  -t TYPE, -c CLASS, -q NAME\n"
            "                     the type, class and name, also when they look like others\n"
            "  -4, -6             IPv4 or IPv6 transport only (the default server is picked\n"
            "                     from resolv.conf in that family)\n"
            "  +tcp, +vc          ask over TCP (RFC 7766); +notcp: UDP first (the default)\n"
            "  +[no]recurse, +[no]rec\n"
            "                     set RD (the default) or clear it\n"
            "  +[no]edns          send an EDNS(0) OPT record (the default) or none\n"
            "  +bufsize=N         the UDP size the OPT advertises (default 1232)\n"
            "  +[no]dnssec        set the DO bit (RFC 3225) in the OPT; default clear\n"
            "  +[no]cookie        send a client COOKIE (RFC 7873); default none\n"
            "  +time=SECONDS      wait per try (default 5); +tries=N tries over UDP (default 3)\n"
            "  +[no]short         print only the answers' data\n"
            "                     (an option not named here is an error, exit 2)\n"
            "  --tap IFNAME       ask from naru's stack on this TAP device (needs --addr)\n"
            "  --addr CIDR, --gw IP, --mac MAC, --pcap FILE, --no-offload\n"
            "                     that stack's addresses (IPv4 or IPv6, repeatable), gateways,\n"
            "                     MAC address, capture file, and offloads off (naru host --help)\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 when a reply came (whatever its rcode), 1 when none did, 2 on a usage error.\n"
            CLI_SIGNALS_HELP
            "example: naru dig @127.0.0.1 -p 5300 www.example AAAA\n"
            "         naru dig +short -x 192.0.2.1\n");
}

struct dig {
    struct runtime *rt;        /* --tap: ask from this naru stack */
    struct sockaddr_storage server;
    socklen_t server_len;
    char server_text[128];
    const char *name;
    char reverse[80];          /* -x: the name under in-addr.arpa or ip6.arpa */
    uint16_t type, qclass;
    bool tcp, recurse, edns, short_form, dnssec, cookie;
    uint16_t bufsize;
    uint16_t port_flag;        /* -p PORT as given, for the header line; 0 without */
    int timeout_ms;
    int tries;
};

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    puts(line);
}

/* +short: the data of each answer record, the last field of its line. */
static void print_short(void *ctx, const char *line)
{
    bool *in_answer = ctx;
    if (!strncmp(line, ";; ANSWER SECTION:", 18)) {
        *in_answer = true;
        return;
    }
    if (!line[0] || line[0] == ';') {
        if (line[0] == ';' && line[1] == ';')
            *in_answer = false;
        return;
    }
    if (!*in_answer)
        return;
    /* owner \t ttl \t class \t type \t data */
    const char *p = line;
    for (int tabs = 0; tabs < 4 && p; tabs++) {
        p = strchr(p, '\t');
        if (p)
            p++;
    }
    if (p)
        puts(p);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Wait for fd to be ready for `events`, at most ms. 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int ms)
{
    struct pollfd p = { .fd = fd, .events = events };
    for (;;) {
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -1 : r;
    }
}

static long ask_udp(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    int fd = socket(d->server.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return -errno;
    /* connect: the kernel then drops datagrams from any other address and port */
    if (connect(fd, (const struct sockaddr *)&d->server, d->server_len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    long result = -ETIMEDOUT;
    for (int t = 0; t < d->tries && result == -ETIMEDOUT; t++) {
        if (send(fd, q, qlen, 0) < 0) {
            result = -errno;
            break;
        }
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            int left = d->timeout_ms - (int)ms_since(&t0);
            if (left <= 0 || wait_fd(fd, POLLIN, left) <= 0)
                break;
            ssize_t n = recv(fd, reply, cap, 0);
            if (n < 0) {
                if (errno == ECONNREFUSED) {
                    result = -ECONNREFUSED;
                    break;
                }
                continue;
            }
            /* Only a reply to this very question counts (same ID and question). */
            if (naru_dns_reply_matches(q, qlen, reply, (size_t)n) == 0) {
                result = n;
                break;
            }
        }
    }
    close(fd);
    return result;
}

static bool write_all(int fd, const uint8_t *p, size_t n, int ms)
{
    while (n) {
        if (wait_fd(fd, POLLOUT, ms) <= 0)
            return false;
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static long ask_tcp(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    int fd = socket(d->server.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)&d->server, d->server_len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    uint8_t out[2 + 512];
    out[0] = (uint8_t)(qlen >> 8);
    out[1] = (uint8_t)qlen;
    memcpy(out + 2, q, qlen);
    long result = -ETIMEDOUT;
    if (write_all(fd, out, qlen + 2, d->timeout_ms)) {
        /* RFC 7766 8: the reply comes behind its own two-byte length. */
        uint8_t *in = malloc(2 + 65535);
        size_t have = 0;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (in) {
            int left = d->timeout_ms - (int)ms_since(&t0);
            if (left <= 0 || wait_fd(fd, POLLIN, left) <= 0)
                break;
            ssize_t n = recv(fd, in + have, 2 + 65535 - have, 0);
            if (n <= 0) {
                result = n == 0 ? -ECONNRESET : -errno;
                break;
            }
            have += (size_t)n;
            const uint8_t *msg;
            size_t mlen;
            size_t used = naru_dns_tcp_frame(in, have, &msg, &mlen);
            if (!used)
                continue;
            if (mlen > cap || naru_dns_reply_matches(q, qlen, msg, mlen) != 0) {
                result = -EPROTO;
                break;
            }
            memcpy(reply, msg, mlen);
            result = (long)mlen;
            break;
        }
        free(in);
    }
    close(fd);
    return result;
}

/* ---- the same questions from a naru stack (--tap) ---- */

struct naru_ask {
    struct runtime *rt;
    int sock;
    struct naru_sockaddr server;
    const uint8_t *q;
    size_t qlen;
    uint8_t *reply;
    size_t cap;
    long result;               /* length, or a negative errno */
    bool done;
    /* TCP */
    bool sent;
    uint8_t *in;
    size_t have;
};

static bool ask_done(void *ctx)
{
    return ((struct naru_ask *)ctx)->done;
}

static struct naru_sockaddr naru_server(const struct dig *d)
{
    struct naru_sockaddr sa;
    dns_net_to_naru(&d->server, &sa);
    return sa;
}

static void naru_udp_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_ask *a = ctx;
    struct naru_sockaddr from;
    long n;
    while (!a->done && (n = naru_recvfrom(stack, sock, a->reply, a->cap, 0, &from)) >= 0) {
        /* As from a connected kernel socket: only the server's address and
         * port, and only a reply to this very question (same ID and question). */
        if (naru_addr_equal(&from.addr, &a->server.addr) && from.port == a->server.port &&
            naru_dns_reply_matches(a->q, a->qlen, a->reply, (size_t)n) == 0) {
            a->result = n;
            a->done = true;
        }
    }
    struct naru_icmp_error e;
    while (!a->done && naru_recv_error(stack, sock, &e) == 0) {
        /* ICMP port unreachable: nobody serves DNS there (dig says so too);
         * network, host or address unreachable: nobody is there. ICMPv6's
         * codes are RFC 4443 3.1's. */
        bool six = e.family == NARU_AF_INET6;
        bool refused = six ? e.type == 1 && e.code == 4 : e.type == 3 && e.code == 3;
        bool unreachable = six ? e.type == 1 && (e.code == 0 || e.code == 3)
                               : e.type == 3 && (e.code == 0 || e.code == 1);
        if ((refused || unreachable) && naru_addr_equal(&e.dst.addr, &a->server.addr) &&
            e.dst.port == a->server.port) {
            a->result = refused ? -ECONNREFUSED : -EHOSTUNREACH;
            a->done = true;
        }
    }
}

static long naru_ask_udp(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    struct runtime *rt = d->rt;
    struct naru_ask a = { .rt = rt, .server = naru_server(d), .q = q, .qlen = qlen, .reply = reply,
                          .cap = cap, .result = -ETIMEDOUT };
    struct naru_sockaddr any = { .port = 0 };
    a.sock = naru_socket(rt->stack, NARU_SOCK_DGRAM);
    if (a.sock < 0)
        return a.sock;
    int err = naru_bind(rt->stack, a.sock, &any);
    if (!err)
        err = naru_setsockopt(rt->stack, a.sock, NARU_SO_RECVERR, 1);
    if (err < 0) {
        naru_close(rt->stack, a.sock);
        return err;
    }
    naru_socket_set_callback(rt->stack, a.sock, naru_udp_event, &a);
    for (int t = 0; t < d->tries && !a.done; t++) {
        long n = naru_sendto(rt->stack, a.sock, q, qlen, 0, &a.server);
        if (n < 0) {
            a.result = n;
            break;
        }
        if (loop_run(&rt->loop, loop_now(&rt->loop) + (naru_time_t)d->timeout_ms * NARU_MS, ask_done, &a) == 1) {
            a.result = -EINTR;
            break;
        }
    }
    naru_socket_set_callback(rt->stack, a.sock, NULL, NULL);
    naru_close(rt->stack, a.sock);
    return a.result;
}

static void naru_tcp_event(void *ctx, struct naru_stack *stack, int sock)
{
    struct naru_ask *a = ctx;
    if (a->done)
        return;
    unsigned ev = naru_socket_events(stack, sock);
    if (!a->sent && (ev & NARU_POLLOUT)) {
        uint8_t out[2 + 512];
        out[0] = (uint8_t)(a->qlen >> 8);
        out[1] = (uint8_t)a->qlen;
        memcpy(out + 2, a->q, a->qlen);
        long n = naru_send(stack, sock, out, a->qlen + 2, 0);
        if (n == (long)(a->qlen + 2)) {
            a->sent = true;
        } else if (n != -EAGAIN) {
            int err = naru_socket_error(stack, sock);
            a->result = n < 0 ? n : err ? err : -EIO;
            a->done = true;
            return;
        }
    }
    for (;;) {
        long n = naru_recv(stack, sock, a->in + a->have, 2 + 65535 - a->have, 0);
        if (n == -EAGAIN)
            break;
        if (n <= 0) {
            a->result = n == 0 ? -ECONNRESET : n;
            a->done = true;
            return;
        }
        a->have += (size_t)n;
        /* RFC 7766 8: the reply comes behind its own two-byte length. */
        const uint8_t *msg;
        size_t mlen;
        if (naru_dns_tcp_frame(a->in, a->have, &msg, &mlen)) {
            if (mlen > a->cap || naru_dns_reply_matches(a->q, a->qlen, msg, mlen) != 0) {
                a->result = -EPROTO;
            } else {
                memcpy(a->reply, msg, mlen);
                a->result = (long)mlen;
            }
            a->done = true;
            return;
        }
    }
    if (ev & (NARU_POLLERR | NARU_POLLHUP)) {
        int err = naru_socket_error(stack, sock);
        a->result = err ? err : -ECONNRESET;
        a->done = true;
    }
}

static long naru_ask_tcp(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    struct runtime *rt = d->rt;
    struct naru_ask a = { .rt = rt, .server = naru_server(d), .q = q, .qlen = qlen, .reply = reply,
                          .cap = cap, .result = -ETIMEDOUT };
    a.sock = naru_socket(rt->stack, NARU_SOCK_STREAM);
    if (a.sock < 0)
        return a.sock;         /* a stack without TCP */
    a.in = malloc(2 + 65535);
    if (!a.in) {
        naru_close(rt->stack, a.sock);
        return -ENOMEM;
    }
    naru_socket_set_callback(rt->stack, a.sock, naru_tcp_event, &a);
    int err = naru_connect(rt->stack, a.sock, &a.server);
    if (err < 0 && err != -EINPROGRESS && err != -EAGAIN) {
        a.result = err;
    } else {
        naru_tcp_event(&a, rt->stack, a.sock);
        if (loop_run(&rt->loop, loop_now(&rt->loop) + (naru_time_t)d->timeout_ms * NARU_MS, ask_done, &a) == 1)
            a.result = -EINTR;
    }
    naru_socket_set_callback(rt->stack, a.sock, NULL, NULL);
    naru_close(rt->stack, a.sock);
    free(a.in);
    return a.result;
}

static void default_server(struct dig *d, int family, uint16_t port)
{
    char text[128];
    snprintf(text, sizeof text, "%s", family == 6 ? "::1" : "127.0.0.1");
    FILE *f = fopen("/etc/resolv.conf", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            char addr[64];
            if (sscanf(line, " nameserver %63s", addr) == 1) {
                struct sockaddr_storage ss;
                socklen_t l;
                if (dns_net_parse_addr(addr, port, &ss, &l) == 0 &&
                    (!family || (ss.ss_family == AF_INET) == (family == 4))) {
                    snprintf(text, sizeof text, "%s", addr);
                    break;
                }
            }
        }
        fclose(f);
    }
    dns_net_parse_addr(text, port, &d->server, &d->server_len);
    snprintf(d->server_text, sizeof d->server_text, "%s", text);
}

static long ask_udp_any(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    return d->rt ? naru_ask_udp(d, q, qlen, reply, cap) : ask_udp(d, q, qlen, reply, cap);
}

static long ask_tcp_any(const struct dig *d, const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
    return d->rt ? naru_ask_tcp(d, q, qlen, reply, cap) : ask_tcp(d, q, qlen, reply, cap);
}

/* -x ADDR: RFC 1035 3.5 (d.c.b.a.in-addr.arpa) and RFC 3596 2.5 (32
 * nibbles, lowest first, under ip6.arpa). False for bad text. */
static bool reverse_name(const char *text, char *out, size_t cap)
{
    struct naru_addr a;
    if (cli_host_parse(text, &a) != CLI_HOST_ADDR)
        return false;
    if (a.family == NARU_AF_INET) {
        snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa.", a.v4 & 0xff, a.v4 >> 8 & 0xff, a.v4 >> 16 & 0xff,
                 a.v4 >> 24);
        return true;
    }
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int i = 15; i >= 0 && n + 4 < cap; i--) {
        out[n++] = hex[a.v6[i] & 0xf];
        out[n++] = '.';
        out[n++] = hex[a.v6[i] >> 4];
        out[n++] = '.';
    }
    snprintf(out + n, cap - n, "ip6.arpa.");
    return true;
}

/* An +option: true when known and well formed. */
static bool take_plus(struct dig *d, const char *a)
{
    unsigned long v;
    char *end;
    bool no = !strncmp(a, "+no", 3);
    const char *word = a + (no ? 3 : 1);
    if (!strcmp(word, "tcp") || !strcmp(word, "vc"))
        d->tcp = !no;
    else if (!strcmp(word, "rec") || !strcmp(word, "recurse"))
        d->recurse = !no;
    else if (!strcmp(word, "edns"))
        d->edns = !no;
    else if (!strcmp(word, "short"))
        d->short_form = !no;
    else if (!strcmp(word, "dnssec"))
        d->dnssec = !no;
    else if (!strcmp(word, "cookie"))
        d->cookie = !no;
    else if (!no && !strncmp(a, "+bufsize=", 9) && (v = strtoul(a + 9, &end, 10), !*end && a[9] && v >= 512 && v <= 65535))
        d->bufsize = (uint16_t)v;
    else if (!no && !strncmp(a, "+time=", 6) && (v = strtoul(a + 6, &end, 10), !*end && a[6] && v >= 1 && v <= 300))
        d->timeout_ms = (int)v * 1000;
    else if (!no && !strncmp(a, "+tries=", 7) && (v = strtoul(a + 7, &end, 10), !*end && a[7] && v >= 1 && v <= 10))
        d->tries = (int)v;
    else
        return false;
    return true;
}

static int dig_run(struct dig *d);

int cmd_dig(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        CLI_TAP_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct dig d = { .type = 1, .qclass = 1, .recurse = true, .edns = true, .bufsize = 1232,
                     .timeout_ms = 5000, .tries = 3 };
    struct cli_options ro = { 0 };
    bool have_type = false, have_class = false;
    const char *server = NULL;
    int family = 0;            /* -4 / -6 */
    uint16_t port = NARU_DNS_PORT;
    /* The flags first (GNU getopt moves @SERVER, NAME, TYPE, CLASS and
     * +options, which are not flags, to the end, where the loop below
     * reads them). */
    int opt, t;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h46p:x:t:c:q:", long_options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return 0;
        case '4':
        case '6':
            family = opt == '4' ? 4 : 6;
            break;
        case 'p':
            port = (uint16_t)cli_number(PROG, "port", optarg, false, 65535);
            if (!port) {
                fprintf(stderr, "%s: bad port '0'\n", PROG);
                return 2;
            }
            d.port_flag = port;
            break;
        case 'x':
            if (!reverse_name(optarg, d.reverse, sizeof d.reverse)) {
                fprintf(stderr, "%s: bad address '%s' for -x\n", PROG, optarg);
                return 2;
            }
            d.name = d.reverse;
            if (!have_type)
                d.type = 12; /* PTR */
            break;
        case 't':
            if ((t = naru_dns_type_from_text(optarg)) < 0) {
                fprintf(stderr, "%s: unknown type '%s'\n", PROG, optarg);
                return 2;
            }
            d.type = (uint16_t)t;
            have_type = true;
            break;
        case 'c':
            if ((t = naru_dns_class_from_text(optarg)) < 0) {
                fprintf(stderr, "%s: unknown class '%s'\n", PROG, optarg);
                return 2;
            }
            d.qclass = (uint16_t)t;
            have_class = true;
            break;
        case 'q':
            d.name = optarg;
            break;
        default:
            if (!cli_take_option(&ro, PROG, opt, optarg))
                return cli_bad_option(PROG, argv, opt);
        }
    }
    if (!ro.tap && (ro.addr_count || ro.gw_count || ro.mac || ro.pcap || ro.no_offload)) {
        fprintf(stderr, "%s: --addr, --gw, --mac, --pcap and --no-offload need --tap IFNAME\n", PROG);
        return 2;
    }
    if (ro.tap && !ro.addr_count) {
        fprintf(stderr, "%s: --tap needs --addr CIDR\n", PROG);
        return 2;
    }
    bool named = d.name != NULL;
    for (int i = optind; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '@') {
            server = a + 1;
        } else if (a[0] == '+') {
            if (!take_plus(&d, a)) {
                fprintf(stderr, "%s: unknown or bad option '%s' (try --help)\n", PROG, a);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: unknown flag '%s' (try --help)\n", PROG, a);
            return 2;
        } else if (!have_type && (t = naru_dns_type_from_text(a)) >= 0) {
            /* BIND's order: a word that names a type or a class is one. */
            d.type = (uint16_t)t;
            have_type = true;
        } else if (!have_class && (t = naru_dns_class_from_text(a)) >= 0) {
            d.qclass = (uint16_t)t;
            have_class = true;
        } else if (!named) {
            d.name = a;
            named = true;
        } else {
            fprintf(stderr, "%s: unexpected argument '%s' (NAME, TYPE and CLASS are given)\n", PROG, a);
            return 2;
        }
    }
    if (!d.name) {
        fprintf(stderr, "%s: missing NAME (try --help)\n", PROG);
        return 2;
    }
    if (server) {
        if (dns_net_parse_addr(server, port, &d.server, &d.server_len) < 0) {
            fprintf(stderr, "%s: bad server address '%s'\n", PROG, server);
            return 2;
        }
        snprintf(d.server_text, sizeof d.server_text, "%s", server);
    } else {
        default_server(&d, family, port);
    }
    int server_family = d.server.ss_family == AF_INET ? 4 : 6;
    if (family && server_family != family) {
        fprintf(stderr, "%s: the server %s is not an IPv%d address (-%d)\n", PROG, d.server_text, family,
                family);
        return 2;
    }
    if (!ro.tap)
        return dig_run(&d);
    struct runtime rt;
    int status = runtime_open(&rt, &ro, PROG);
    if (!status) {
        d.rt = &rt;
        status = dig_run(&d);
    }
    runtime_close(&rt);
    return status;
}

/* Ask, and print the reply; the process's exit status. */
static int dig_run(struct dig *dp)
{
    const struct dig d = *dp;
    uint16_t id;
    if (dns_net_random(&id, sizeof id) < 0) {
        fprintf(stderr, "%s: no random numbers from the OS\n", PROG);
        return 1;
    }
    uint8_t q[512], cookie[8];
    /* +dnssec and +cookie travel in the OPT record: they bring one. */
    struct naru_dns_query_flags qflags = { .qclass = d.qclass, .recursion_desired = d.recurse,
                                          .edns_udp_size = d.edns || d.dnssec || d.cookie ? d.bufsize : 0,
                                          .dnssec_ok = d.dnssec };
    if (d.cookie) {
        if (dns_net_random(cookie, sizeof cookie) < 0) {
            fprintf(stderr, "%s: no random numbers from the OS\n", PROG);
            return 1;
        }
        qflags.client_cookie = cookie;
    }
    long qlen = naru_dns_query_build_flags(q, sizeof q, id, d.name, d.type, &qflags);
    if (qlen < 0) {
        fprintf(stderr, "%s: bad name '%s'\n", PROG, d.name);
        return 2;
    }
    char tb[16], cb[16], pb[16] = "";
    if (!d.short_form) {
        if (d.port_flag)
            snprintf(pb, sizeof pb, " -p %u", d.port_flag);
        printf("\n; <<>> naru dig <<>> @%s%s %s %s%s%s%s\n", d.server_text, pb, d.name,
               naru_dns_type_name(d.type, tb), d.qclass != 1 ? " " : "", d.qclass != 1 ? naru_dns_class_name(d.qclass, cb) : "",
               d.tcp ? " +tcp" : "");
    }
    static uint8_t reply[65535];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long n;
    bool tcp = d.tcp;
    if (!tcp) {
        n = ask_udp_any(&d, q, (size_t)qlen, reply, sizeof reply);
        uint16_t flags;
        if (n > 0 && naru_dns_reply_rcode(reply, (size_t)n, &flags) >= 0 && (flags & 0x0200)) {
            if (!d.short_form)
                printf(";; Truncated, retrying in TCP mode.\n");
            tcp = true;
        }
    }
    if (tcp) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        n = ask_tcp_any(&d, q, (size_t)qlen, reply, sizeof reply);
    }
    double ms = ms_since(&t0);
    char server[160];
    if (n == -EINTR)
        return 1;              /* SIGINT or SIGTERM on TAP: stop, as dig does (main.c) */
    if (n < 0) {
        printf(";; communications error to %s: %s\n",
               dns_net_format_addr((struct sockaddr *)&d.server, server, sizeof server),
               n == -ETIMEDOUT ? "timed out" : strerror((int)-n));
        return 1;
    }
    if (d.short_form) {
        bool in_answer = false;
        naru_dns_print_message(reply, (size_t)n, print_short, &in_answer);
        return 0;
    }
    printf(";; Got answer:\n");
    naru_dns_print_message(reply, (size_t)n, print_line, NULL);
    printf("\n;; Query time: %.0f msec\n", ms);
    printf(";; SERVER: %s (%s)\n", dns_net_format_addr((struct sockaddr *)&d.server, server, sizeof server),
           tcp ? "TCP" : "UDP");
    printf(";; MSG SIZE  rcvd: %ld\n\n", n);
    return 0;
}
