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
    int err = naru_stack_create(&config, &rt->stack);
    if (err < 0) {
        fprintf(stderr, "%s: cannot create the stack: %s\n", rt->prog, strerror(-err));
        return 1;
    }
    err = naru_tap_open(o->tap, &rt->tap);
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
    rt->frame = malloc(65536);
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
        return 0;
    }
    return open_tap(rt, o);
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
    for (int i = 0; i < 256; i++) { /* bounded, so timers still run under load */
        long len = naru_tap_read(rt->tap, rt->frame, 65536);
        if (len <= 0)
            break;
        naru_stack_poll(rt->stack, monotonic_ns());
        naru_stack_input(rt->stack, rt->ifindex, rt->frame, (size_t)len);
    }
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

int runtime_resolve(struct runtime *rt, const char *name, uint32_t *addr)
{
    if (naru_ip4_parse(name, addr) == 0)
        return 0;
    if (rt->simulated) {
        static const struct { const char *name; uint32_t addr; } hosts[] = {
            { "client", 0x0a010002 }, { "router", 0x0a010001 }, { "gateway", 0x0a010001 },
            { "server", 0x0a020002 },
        };
        for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
            if (strcmp(hosts[i].name, name) == 0) {
                *addr = hosts[i].addr;
                return 0;
            }
        }
    }
    return -ENOENT;
}
