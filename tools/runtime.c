#include "runtime.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "naru/addr.h"
#include "naru/socket.h"
#include "services.h"

struct runtime_timer {
    struct runtime_timer *next;
    naru_time_t when;
    void (*fn)(void *ctx);
    void *ctx;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

bool runtime_interrupted(void)
{
    return interrupted;
}

double runtime_number(const char *prog, const char *what, const char *text, bool fraction, double max)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || v < 0 || v > max || isnan(v) || (!fraction && v != floor(v))) {
        fprintf(stderr, "%s: bad %s '%s'\n", prog, what, text);
        exit(2);
    }
    return v;
}

naru_time_t runtime_seconds(const char *prog, const char *what, const char *text)
{
    return (naru_time_t)(runtime_number(prog, what, text, true, 86400) * 1e9);
}

int runtime_bad_option(const char *prog, char **argv, int opt)
{
    /* getopt_long with a leading ':' in optstring returns ':' for a
     * missing value and '?' for an unknown option. */
    const char *arg = argv[optind - 1];
    if (opt == ':')
        fprintf(stderr, "%s: missing value for %s (try --help)\n", prog, arg);
    else if (optopt && optopt < 128)
        fprintf(stderr, "%s: unknown option -%c (try --help)\n", prog, optopt);
    else
        fprintf(stderr, "%s: unknown option %s (try --help)\n", prog, arg);
    return 2;
}

bool runtime_take_option(struct runtime_options *o, const char *prog, int opt, const char *arg)
{
    uint32_t a;
    uint8_t len, mac[6];
    switch (opt - RUNTIME_OPT_BASE) {
    case 0:
        o->tap = arg;
        return true;
    case 1:
        if (naru_cidr_parse(arg, &a, &len) < 0 || a == 0) {
            fprintf(stderr, "%s: bad address '%s' (want A.B.C.D/LEN)\n", prog, arg);
            exit(2);
        }
        o->addr = arg;
        return true;
    case 2:
        if (naru_ip4_parse(arg, &a) < 0) {
            fprintf(stderr, "%s: bad gateway '%s' (want A.B.C.D)\n", prog, arg);
            exit(2);
        }
        o->gw = arg;
        return true;
    case 3:
        if (naru_mac_parse(arg, mac) < 0) {
            fprintf(stderr, "%s: bad MAC address '%s'\n", prog, arg);
            exit(2);
        }
        o->mac = arg;
        return true;
    case 4:
        o->pcap = arg;
        return true;
    case 5:
        o->seed = (uint64_t)runtime_number(prog, "seed", arg, false, 18446744073709549568.0);
        o->seed_set = true;
        return true;
    case 6: {
        /* A.B.C.D or A.B.C.D:PORT */
        char host[NARU_IP4_STRLEN + 1];
        const char *colon = strchr(arg, ':');
        size_t hl = colon ? (size_t)(colon - arg) : strlen(arg);
        unsigned long port = NARU_DNS_PORT;
        char *end = NULL;
        if (colon) {
            errno = 0;
            port = strtoul(colon + 1, &end, 10);
        }
        if (hl >= sizeof host || (colon && (!colon[1] || *end || errno || port == 0 || port > 65535))) {
            fprintf(stderr, "%s: bad name server '%s' (want A.B.C.D[:PORT])\n", prog, arg);
            exit(2);
        }
        memcpy(host, arg, hl);
        host[hl] = 0;
        if (naru_ip4_parse(host, &a) < 0 || a == 0) {
            fprintf(stderr, "%s: bad name server '%s' (want A.B.C.D[:PORT])\n", prog, arg);
            exit(2);
        }
        if (o->dns_count == NARU_DNS_MAX_SERVERS) {
            fprintf(stderr, "%s: at most %d --dns servers\n", prog, NARU_DNS_MAX_SERVERS);
            exit(2);
        }
        o->dns[o->dns_count++] = (struct naru_sockaddr){ a, (uint16_t)port };
        return true;
    }
    case 7:
        o->hosts = arg;
        return true;
    case 8:
        o->no_offload = true;
        return true;
    default:
        return false;
    }
}

static naru_time_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (naru_time_t)ts.tv_sec * NARU_SEC + (naru_time_t)ts.tv_nsec;
}

static uint64_t os_random(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v)
        v = (uint64_t)monotonic_ns() ^ (uint64_t)getpid() << 32;
    return v;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The built-in world's names, which its server also serves on port 53.
 * .test is reserved for testing (RFC 6761 6.2), so these names can never
 * collide with real ones. The SOA's last field is the negative-caching
 * TTL (RFC 2308 4). */
static const char world_zone[] =
    "$ORIGIN naru.test.\n"
    "$TTL 300\n"
    "@        SOA   ns hostmaster 1 3600 600 86400 60\n"
    "         NS    ns\n"
    "ns       A     10.2.0.2\n"
    "server   A     10.2.0.2\n"
    "client   A     10.1.0.2\n"
    "router   A     10.1.0.1\n"
    "gateway  CNAME router\n"
    "www      CNAME server\n";
/* The same server is authoritative for the world's root, where naru.test
 * is delegated to it: a name outside naru.test ("nosuch.", "example.com.")
 * then gets NXDOMAIN, as from a recursive server on the real Internet,
 * rather than REFUSED. */
static const char world_root_zone[] =
    "$ORIGIN .\n"
    "$TTL 300\n"
    "@              SOA   ns.naru.test. hostmaster.naru.test. 1 3600 600 86400 60\n"
    "               NS    ns.naru.test.\n"
    "naru.test.     NS    ns.naru.test.\n"
    "ns.naru.test.  A     10.2.0.2\n";
#define WORLD_DOMAIN "naru.test"
#define WORLD_NAME_SERVER 0x0a020002 /* 10.2.0.2, the server */

static int start_world_dns(struct runtime *rt)
{
    char err[256];
    struct naru_dns_server_config config;
    naru_dns_server_config_default(&config);
    int e = naru_dns_server_create(&config, &rt->world_dns);
    if (!e)
        e = naru_dns_server_load_zone_text(rt->world_dns, NULL, "built-in naru.test", world_zone,
                                           sizeof world_zone - 1, err, sizeof err);
    if (!e)
        e = naru_dns_server_load_zone_text(rt->world_dns, NULL, "built-in root", world_root_zone,
                                           sizeof world_root_zone - 1, err, sizeof err);
    if (!e) {
        struct naru_sockaddr any = { 0, NARU_DNS_PORT };
        e = naru_dns_server_attach(rt->world_dns, rt->server, &any, &rt->world_dns_endpoint);
    }
    return e;
}

/* The built-in world: client — router — server, as CLI.md's "small
 * built-in world" for ping, traceroute, nc and fetch. */
static int open_world(struct runtime *rt, const struct runtime_options *o)
{
    if (naru_sim_create(o->seed_set ? o->seed : 1, &rt->sim) < 0)
        return -ENOMEM;
    struct naru_stack *client = naru_sim_add_stack(rt->sim, "client", NULL);
    struct naru_stack *router = naru_sim_add_stack(rt->sim, "router", NULL);
    struct naru_stack *server = naru_sim_add_stack(rt->sim, "server", NULL);
    if (!client || !router || !server)
        return -ENOMEM;
    struct naru_memlink_config link = { .delay = 10 * NARU_MS, .rate_bps = 100000000 };
    int err = naru_sim_connect(rt->sim, client, "10.1.0.2/24", router, "10.1.0.1/24", &link, &rt->ifindex, NULL);
    int router_if;
    if (!err)
        err = naru_sim_connect(rt->sim, router, "10.2.0.1/24", server, "10.2.0.2/24", &link, &router_if, NULL);
    if (!err)
        err = naru_route_add(client, 0, 0, naru_ip4(10, 1, 0, 1), rt->ifindex);
    if (!err)
        err = naru_route_add(server, 0, 0, naru_ip4(10, 2, 0, 1), 0);
    if (err)
        return err;
    naru_stack_set_forwarding(router, true);
    rt->stack = client;
    rt->router = router;
    rt->server = server;
    char why[160];
    const char *specs[] = { "echo", "discard", "daytime" };
    for (int i = 0; i < 3; i++)
        rt->world_services[i] = service_parse(specs[i], why, sizeof why);
    rt->world_services[3] = service_builtin_http(80);
    for (int i = 0; i < 4; i++) {
        if (!rt->world_services[i])
            return -ENOMEM;
        err = service_start(rt->world_services[i], rt, server, why, sizeof why);
        if (err < 0 && err != -EPROTONOSUPPORT) /* a stack without TCP serves less */
            return err;
    }
    return start_world_dns(rt);
}

int runtime_read_resolv_conf(const char *path, struct runtime_resolv_conf *conf)
{
    memset(conf, 0, sizeof *conf);
    conf->ndots = 1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *key = strtok_r(line, " \t\r\n", &save);
        if (!key || key[0] == '#' || key[0] == ';')
            continue;
        char *v;
        if (!strcmp(key, "nameserver")) {
            uint32_t a;
            v = strtok_r(NULL, " \t\r\n", &save);
            /* IPv6 servers are skipped: naru's stacks speak IPv4 only. */
            if (v && naru_ip4_parse(v, &a) == 0 && conf->server_count < NARU_DNS_MAX_SERVERS)
                conf->servers[conf->server_count++] = (struct naru_sockaddr){ a, NARU_DNS_PORT };
        } else if (!strcmp(key, "search") || !strcmp(key, "domain")) {
            /* resolv.conf(5): the last search or domain line wins. */
            conf->search_count = 0;
            while ((v = strtok_r(NULL, " \t\r\n", &save)) && conf->search_count < RUNTIME_MAX_SEARCH) {
                size_t l = strlen(v);
                if (l && v[l - 1] == '.')
                    v[--l] = 0;
                if (l && l <= RUNTIME_SEARCH_MAX)
                    memcpy(conf->search[conf->search_count++], v, l + 1);
            }
        } else if (!strcmp(key, "options")) {
            while ((v = strtok_r(NULL, " \t\r\n", &save))) {
                if (!strncmp(v, "ndots:", 6)) {
                    unsigned long n = strtoul(v + 6, NULL, 10);
                    conf->ndots = n > 15 ? 15 : (unsigned)n; /* glibc caps it at 15 */
                }
            }
        }
    }
    fclose(f);
    return 0;
}

/* The stub resolver HOST names go through: its servers, hosts table and
 * search list. Returns 0, or 1 / 2 after printing why (as runtime_open). */
static int open_names(struct runtime *rt, const struct runtime_options *o)
{
    struct naru_dns_resolver_config config;
    naru_dns_resolver_config_default(&config);
    config.cache_entries = 64;
    config.hosts_entries = 256;
    memset(&rt->names, 0, sizeof rt->names);
    rt->names.ndots = 1;
    if (o->dns_count) {
        memcpy(config.servers, o->dns, sizeof o->dns);
        config.server_count = o->dns_count;
    } else if (rt->simulated) {
        config.servers[0] = (struct naru_sockaddr){ WORLD_NAME_SERVER, NARU_DNS_PORT };
        config.server_count = 1;
    } else {
        /* The host's own settings; the search list only goes with them. */
        runtime_read_resolv_conf("/etc/resolv.conf", &rt->names);
        memcpy(config.servers, rt->names.servers, sizeof config.servers);
        config.server_count = rt->names.server_count;
    }
    if (rt->simulated) {
        /* Bare names ("server") find the world's names, as with
         * "search naru.test" in resolv.conf. */
        rt->names.search_count = 1;
        strcpy(rt->names.search[0], WORLD_DOMAIN);
    }
    int err = naru_dns_resolver_create(rt->stack, &config, &rt->resolver);
    if (err < 0) {
        fprintf(stderr, "%s: cannot create the resolver: %s\n", rt->prog, strerror(-err));
        return 1;
    }
    char why[512];
    if (o->hosts) {
        if (naru_dns_hosts_load(rt->resolver, o->hosts, why, sizeof why) < 0) {
            fprintf(stderr, "%s: %s\n", rt->prog, why);
            return 2;
        }
    } else if (!rt->simulated) {
        /* Like the C library, on the real network /etc/hosts comes first.
         * A line it cannot use ends the reading, keeping what came before:
         * the system's file is not this command's input to refuse. */
        naru_dns_hosts_load(rt->resolver, "/etc/hosts", why, sizeof why);
    }
    return 0;
}

static int open_tap(struct runtime *rt, const struct runtime_options *o)
{
    uint32_t addr, gw = 0;
    uint8_t prefix;
    if (!o->addr) {
        fprintf(stderr, "%s: --tap needs --addr A.B.C.D/LEN\n", rt->prog);
        return 2;
    }
    naru_cidr_parse(o->addr, &addr, &prefix);
    if (o->gw)
        naru_ip4_parse(o->gw, &gw);
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.seed = os_random();
    /* A host on TAP serves real clients: the library's defaults (64
     * sockets, 1024 connections) suit a small device. Here each listening
     * socket may hold max_connections (10,000 by default), and the pools
     * have room for all of them at once, so a crowd on one service never
     * shuts out another; as many again for TIME-WAIT, which gives way at
     * the limit. Memory goes only to connections that exist. */
    uint64_t per = o->max_connections ? o->max_connections : RUNTIME_MAX_CONNECTIONS;
    uint64_t sockets = per * (o->listeners ? o->listeners : 1) + 1024;
    config.tcp_listener_connections = (uint32_t)per;
    config.sockets = (uint32_t)sockets;
    config.tcp_connections = (uint32_t)(2 * sockets);
    /* With offloads, every TCP frame in or out may be a 64 KiB one; they
     * are freed as soon as they are handled, so a few suffice. */
    config.large_buffers = 32;
    int err = naru_stack_create(&config, &rt->stack);
    if (err < 0) {
        fprintf(stderr, "%s: cannot create the stack: %s\n", rt->prog, strerror(-err));
        return 1;
    }
    err = naru_tap_open_offload(o->tap, !o->no_offload, &rt->tap);
    if (err < 0) {
        fprintf(stderr, "%s: cannot open TAP device %s: %s%s\n", rt->prog, o->tap, strerror(-err),
                err == -EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
        return 1;
    }
    int mtu = naru_tap_mtu(rt->tap);
    struct naru_if_config ifc = { .name = naru_tap_name(rt->tap), .mtu = mtu > 0 ? (uint32_t)mtu : 1500,
                                  .driver = naru_tap_driver(rt->tap) };
    if (o->mac) {
        naru_mac_parse(o->mac, ifc.mac);
    } else {
        uint64_t r = os_random();
        memcpy(ifc.mac, &r, 6);
        ifc.mac[0] = (uint8_t)((ifc.mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
    }
    rt->ifindex = naru_if_add(rt->stack, &ifc);
    if (rt->ifindex < 0) {
        fprintf(stderr, "%s: cannot add interface %s (MTU %u): %s\n", rt->prog, o->tap, ifc.mtu,
                strerror(-rt->ifindex));
        return 1;
    }
    rt->frame = malloc(NARU_TAP_FRAME_MAX);
    if (!rt->frame)
        return 1;
    naru_stack_poll(rt->stack, monotonic_ns());
    if (o->pcap) {
        /* Attach the capture before the address, so the gratuitous ARP is in it. */
        if ((err = naru_pcap_open(o->pcap, &rt->pcap)) < 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", rt->prog, o->pcap, strerror(-err));
            return 1;
        }
        struct timespec real;
        clock_gettime(CLOCK_REALTIME, &real);
        naru_pcap_set_epoch(rt->pcap, (uint64_t)real.tv_sec * NARU_SEC + (uint64_t)real.tv_nsec - monotonic_ns());
        naru_if_set_tap(rt->stack, rt->ifindex, naru_pcap_tap, rt->pcap);
    }
    if ((err = naru_if_set_addr(rt->stack, rt->ifindex, addr, prefix)) < 0 ||
        (gw && (err = naru_route_add(rt->stack, 0, 0, gw, rt->ifindex)) < 0)) {
        fprintf(stderr, "%s: cannot configure %s: %s\n", rt->prog, o->addr, strerror(-err));
        return 1;
    }
    return 0;
}

int runtime_open(struct runtime *rt, const struct runtime_options *o, const char *prog)
{
    memset(rt, 0, sizeof *rt);
    rt->prog = prog;
    install_signals();
    if (!o->tap) {
        if (o->addr || o->gw || o->mac) {
            fprintf(stderr, "%s: --addr, --gw and --mac need --tap IFNAME\n", prog);
            return 2;
        }
        rt->simulated = true;
        int err = open_world(rt, o);
        if (err < 0) {
            fprintf(stderr, "%s: cannot build the simulated world: %s\n", prog, strerror(-err));
            return 1;
        }
        if (o->pcap) {
            if ((err = naru_pcap_open(o->pcap, &rt->pcap)) < 0) {
                fprintf(stderr, "%s: cannot write %s: %s\n", prog, o->pcap, strerror(-err));
                return 1;
            }
            naru_if_set_tap(rt->stack, rt->ifindex, naru_pcap_tap, rt->pcap);
        }
        return open_names(rt, o);
    }
    int err = open_tap(rt, o);
    return err ? err : open_names(rt, o);
}

const char *runtime_operand(const char *prog, int argc, char **argv, const char *what)
{
    if (optind == argc - 1)
        return argv[optind];
    if (optind >= argc)
        fprintf(stderr, "%s: missing %s (try --help)\n", prog, what);
    else
        fprintf(stderr, "%s: too many arguments (try --help)\n", prog);
    return NULL;
}

int runtime_open_to(struct runtime *rt, const struct runtime_options *o, const char *prog,
                    const char *host, uint32_t *addr)
{
    int status = runtime_open(rt, o, prog);
    if (status == 0) {
        int err = runtime_resolve(rt, host, addr);
        if (err == 0)
            return 0;
        fprintf(stderr, "%s: %s: %s\n", prog, host, runtime_resolve_error(err));
        status = 1;
    }
    runtime_close(rt);
    return status;
}

int runtime_connect_state(struct naru_stack *stack, int sock)
{
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        return err ? err : -ECONNREFUSED;
    }
    return (ev & NARU_POLLOUT) ? 1 : 0;
}

void runtime_close(struct runtime *rt)
{
    while (rt->timers) {
        struct runtime_timer *t = rt->timers;
        rt->timers = t->next;
        free(t);
    }
    for (int i = 0; i < 4; i++)
        service_free(rt->world_services[i]);
    /* Sockets and timers first, while their stacks are still there. */
    naru_dns_resolver_destroy(rt->resolver);
    naru_dns_server_detach(rt->world_dns_endpoint);
    naru_dns_server_destroy(rt->world_dns);
    if (rt->simulated) {
        naru_sim_destroy(rt->sim);
    } else {
        naru_stack_destroy(rt->stack);
        naru_tap_close(rt->tap);
    }
    if (rt->pcap && naru_pcap_close(rt->pcap) < 0)
        fprintf(stderr, "%s: the capture file is incomplete\n", rt->prog);
    free(rt->frame);
    memset(rt, 0, sizeof *rt);
}

naru_time_t runtime_now(const struct runtime *rt)
{
    return rt->simulated ? naru_sim_now(rt->sim) : naru_stack_now(rt->stack);
}

int runtime_at(struct runtime *rt, naru_time_t when, void (*fn)(void *ctx), void *ctx)
{
    if (rt->simulated)
        return naru_sim_at(rt->sim, when, fn, ctx);
    struct runtime_timer *t = malloc(sizeof *t), **p = &rt->timers;
    if (!t)
        return -ENOMEM;
    *t = (struct runtime_timer){ .when = when, .fn = fn, .ctx = ctx };
    while (*p && (*p)->when <= when)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    return 0;
}

struct sim_wait {
    bool (*done)(void *ctx);
    void *ctx;
};

static bool sim_done(void *ctx)
{
    struct sim_wait *w = ctx;
    return interrupted || (w->done && w->done(w->ctx));
}

int runtime_watch_fd(struct runtime *rt, int fd, short events, void (*fn)(void *ctx, short revents),
                     void *ctx)
{
    if (rt->simulated)
        return -ENOTSUP;
    for (int i = 0; i < rt->watch_count; i++) {
        if (rt->watches[i].fd != fd)
            continue;
        if (events) {
            rt->watches[i] = (struct runtime_watch){ fd, events, fn, ctx };
        } else {
            rt->watches[i] = rt->watches[--rt->watch_count];
        }
        return 0;
    }
    if (!events)
        return 0;
    if (rt->watch_count == RUNTIME_MAX_WATCHES)
        return -ENOSPC;
    rt->watches[rt->watch_count++] = (struct runtime_watch){ fd, events, fn, ctx };
    return 0;
}

/* One pass of the TAP loop: frames in, timers, then sleep in poll(2)
 * until the next frame or deadline. */
static void tap_step(struct runtime *rt, naru_time_t deadline)
{
    naru_stack_poll(rt->stack, monotonic_ns());
    while (rt->timers && rt->timers->when <= naru_stack_now(rt->stack)) {
        struct runtime_timer *t = rt->timers;
        rt->timers = t->next;
        t->fn(t->ctx);
        free(t);
    }
    naru_time_t next = naru_stack_next_deadline(rt->stack);
    if (rt->timers && rt->timers->when < next)
        next = rt->timers->when;
    if (deadline < next)
        next = deadline;
    naru_time_t now = monotonic_ns();
    int timeout_ms = next <= now ? 0 : next - now > 1000 * NARU_MS ? 1000 : (int)((next - now + NARU_MS - 1) / NARU_MS);
    struct pollfd pfd[1 + RUNTIME_MAX_WATCHES] = { { .fd = naru_tap_fd(rt->tap), .events = POLLIN } };
    int n = rt->watch_count;
    for (int i = 0; i < n; i++)
        pfd[1 + i] = (struct pollfd){ .fd = rt->watches[i].fd, .events = rt->watches[i].events };
    if (poll(pfd, (nfds_t)(1 + n), timeout_ms) <= 0)
        return;
    /* Copy first: a callback may change the watch list. */
    struct runtime_watch ready[RUNTIME_MAX_WATCHES];
    short revents[RUNTIME_MAX_WATCHES];
    int ready_count = 0;
    for (int i = 0; i < n; i++) {
        if (pfd[1 + i].revents) {
            revents[ready_count] = pfd[1 + i].revents;
            ready[ready_count++] = rt->watches[i];
        }
    }
    for (int i = 0; i < ready_count; i++) {
        naru_stack_poll(rt->stack, monotonic_ns());
        ready[i].fn(ready[i].ctx, revents[i]);
    }
    if (!pfd[0].revents)
        return;
    /* One batch: the frames waiting, each handed in stamped with the time it
     * was read, then one poll at the end, which sends the ACKs the batch
     * owes all at once (src/tcp/tcp_output.c). Bounded, so timers and the
     * other descriptors still get their turn under load. */
    naru_stack_poll(rt->stack, monotonic_ns());
    for (int i = 0; i < 256; i++) {
        struct naru_frame_meta meta;
        long len = naru_tap_read_meta(rt->tap, rt->frame, NARU_TAP_FRAME_MAX, &meta);
        if (len <= 0)
            break;
        naru_stack_set_time(rt->stack, monotonic_ns());
        naru_stack_input_offload(rt->stack, rt->ifindex, rt->frame, (size_t)len, &meta);
    }
    naru_stack_poll(rt->stack, monotonic_ns());
}

int runtime_run(struct runtime *rt, naru_time_t deadline, bool (*done)(void *ctx), void *ctx)
{
    if (rt->simulated) {
        struct sim_wait w = { done, ctx };
        if (naru_sim_run(rt->sim, deadline, sim_done, &w))
            return interrupted ? 1 : 0;
        return 2;
    }
    for (;;) {
        if (interrupted)
            return 1;
        if (done && done(ctx))
            return 0;
        if (monotonic_ns() >= deadline)
            return 2;
        tap_step(rt, deadline);
    }
}

struct naru_stack *runtime_world_stack(struct runtime *rt, const char *name)
{
    if (!rt->simulated)
        return NULL;
    if (!strcmp(name, "client"))
        return rt->stack;
    if (!strcmp(name, "router"))
        return rt->router;
    if (!strcmp(name, "server"))
        return rt->server;
    return NULL;
}

struct lookup_wait {
    const bool *done;
};

static bool lookup_finished(void *ctx)
{
    return *((struct lookup_wait *)ctx)->done;
}

/* naru_dns_lookup()'s wait: run the world until the answer is in. The
 * resolver gives up by itself (its retries are bounded), so the deadline
 * is only a backstop. */
static bool lookup_wait(void *ctx, const bool *done)
{
    struct runtime *rt = ctx;
    struct lookup_wait w = { done };
    return runtime_run(rt, runtime_now(rt) + 300 * NARU_SEC, lookup_finished, &w) == 0;
}

static int lookup_one(struct runtime *rt, const char *name, uint32_t *addr)
{
    struct naru_dns_result *res = malloc(sizeof *res);
    if (!res)
        return -ENOMEM;
    int err = naru_dns_lookup(rt->resolver, name, res, lookup_wait, rt);
    if (err == 0 && res->count == 0)
        err = -ENODATA;
    if (err == 0)
        *addr = naru_dns_result_ip4(res, 0);
    free(res);
    return runtime_interrupted() ? -EINTR : err;
}

int runtime_resolve(struct runtime *rt, const char *name, uint32_t *addr)
{
    if (naru_ip4_parse(name, addr) == 0)
        return 0;
    size_t len = strlen(name);
    if (!rt->resolver || !len || len > RUNTIME_SEARCH_MAX + 1 || name[0] == '.')
        return -ENOENT;
    /* The hosts table first, by the name as typed (like "files" before
     * "dns" in nsswitch.conf). */
    if (naru_dns_hosts_lookup(rt->resolver, name, addr) == 0)
        return 0;
    /* resolv.conf(5): an absolute name is asked as it is; a name with at
     * least ndots dots is asked as it is first, then with each search
     * domain; one with fewer dots gets the search domains first. */
    unsigned dots = 0;
    for (const char *p = name; *p; p++)
        dots += *p == '.';
    bool absolute = name[len - 1] == '.';
    bool as_is_first = absolute || dots >= rt->names.ndots;
    unsigned tries = absolute ? 1 : 1 + rt->names.search_count;
    /* Which failure to report: a name that exists without an address says
     * most, then "no such name", then what the servers did (REFUSED from a
     * server not serving one search domain must not hide another's answer). */
    int nodata = 0, nxdomain = 0, failed = 0;
    for (unsigned i = 0; i < tries; i++) {
        char candidate[2 * (RUNTIME_SEARCH_MAX + 1) + 2];
        unsigned s = as_is_first ? i - 1 : i; /* search index; as is at the other end */
        if ((as_is_first && i == 0) || (!as_is_first && i == tries - 1))
            snprintf(candidate, sizeof candidate, "%s", name);
        else
            snprintf(candidate, sizeof candidate, "%s.%s", name, rt->names.search[s]);
        int err = lookup_one(rt, candidate, addr);
        if (err == 0)
            return 0;
        if (err == -ETIMEDOUT || err == -EINTR || err == -ENOMEM)
            return err;        /* no server answers: every other name would wait as long */
        if (err == -ENODATA)
            nodata = err;
        else if (err == -ENOENT || err == -EINVAL) /* EINVAL: too long with this domain */
            nxdomain = -ENOENT;
        else if (!failed)
            failed = err;
    }
    return nodata ? nodata : nxdomain ? nxdomain : failed ? failed : -ENOENT;
}

const char *runtime_resolve_error(int err)
{
    switch (err) {
    case -ENOENT:
    case -EINVAL:
        return "Name or service not known";
    case -ENODATA:
        return "No address associated with hostname";
    case -EINTR:
        return "Interrupted";
    case -ENOMEM:
        return "Memory allocation failure";
    case -EMSGSIZE:
        return "Answer too large for UDP, and this stack has no TCP";
    default:
        return "Temporary failure in name resolution";
    }
}
