/* Where a command runs: the simulator's small built-in world, or a Linux
 * TAP device on the wall clock. Commands are written once, against naru's
 * socket API and these few calls. */
#ifndef NARU_TOOLS_RUNTIME_H
#define NARU_TOOLS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/dns.h"
#include "naru/pcap.h"
#include "naru/sim.h"
#include "naru/stack.h"
#include "naru/tap.h"

/* The flags every network command shares (CLI.md "Where a command runs"). */
struct runtime_options {
    const char *tap;           /* --tap IFNAME: run on TAP instead of the simulator */
    const char *addr;          /* --addr A.B.C.D/LEN */
    const char *gw;            /* --gw A.B.C.D */
    const char *mac;           /* --mac MAC */
    const char *pcap;          /* --pcap FILE */
    uint64_t seed;             /* --seed N (simulator) */
    bool seed_set;
    struct naru_sockaddr dns[NARU_DNS_MAX_SERVERS]; /* --dns A.B.C.D[:PORT], repeatable */
    unsigned dns_count;
    const char *hosts;         /* --hosts FILE */
    bool no_offload;           /* --no-offload (TAP) */
    uint32_t max_connections;  /* TAP: connections each listening socket may hold (naru host
                                  --max-connections); 0: RUNTIME_MAX_CONNECTIONS */
    unsigned listeners;        /* TAP: listening sockets the command will open */
};
#define RUNTIME_MAX_CONNECTIONS 10000

/* getopt_long entries for the shared flags; values >= RUNTIME_OPT_BASE. */
#define RUNTIME_OPT_BASE 0x1000
enum {
    RUNTIME_OPT_TAP = RUNTIME_OPT_BASE,
    RUNTIME_OPT_ADDR,
    RUNTIME_OPT_GW,
    RUNTIME_OPT_MAC,
    RUNTIME_OPT_PCAP,
    RUNTIME_OPT_SEED,
    RUNTIME_OPT_DNS,
    RUNTIME_OPT_HOSTS,
    RUNTIME_OPT_NO_OFFLOAD,
};
#define RUNTIME_LONG_OPTIONS                                        \
    { "tap", required_argument, NULL, RUNTIME_OPT_TAP },            \
    { "addr", required_argument, NULL, RUNTIME_OPT_ADDR },          \
    { "gw", required_argument, NULL, RUNTIME_OPT_GW },              \
    { "mac", required_argument, NULL, RUNTIME_OPT_MAC },            \
    { "pcap", required_argument, NULL, RUNTIME_OPT_PCAP },          \
    { "seed", required_argument, NULL, RUNTIME_OPT_SEED },          \
    { "dns", required_argument, NULL, RUNTIME_OPT_DNS },            \
    { "hosts", required_argument, NULL, RUNTIME_OPT_HOSTS },         \
    { "no-offload", no_argument, NULL, RUNTIME_OPT_NO_OFFLOAD }
/* Take one of the shared flags from getopt_long; false if `opt` is not one.
 * A bad value prints one line naming it and exits 2. */
bool runtime_take_option(struct runtime_options *o, const char *prog, int opt, const char *arg);
#define RUNTIME_HELP                                                                    \
    "  --tap IFNAME       run on this Linux TAP device (created if missing) instead\n"   \
    "                     of the simulator; needs --addr\n"                             \
    "  --addr A.B.C.D/LEN this host's address on the TAP device\n"                      \
    "  --gw A.B.C.D       default gateway (TAP)\n"                                      \
    "  --mac MAC          MAC address (TAP; random if not given)\n"                     \
    "  --pcap FILE        capture every frame of naru's interface to FILE\n"            \
    "  --seed N           simulator seed (default 1)\n"                                \
    "  --dns A.B.C.D[:PORT]\n"                                                          \
    "                     name server for HOST names, repeatable (default on TAP:\n"     \
    "                     /etc/resolv.conf; in the simulator, the world's own at\n"     \
    "                     10.2.0.2, serving naru.test: server, router, client, www)\n"  \
    "  --hosts FILE       hosts table (/etc/hosts format), looked at before DNS\n"       \
    "                     (default on TAP: /etc/hosts)\n"                               \
    "  --no-offload       TAP: one frame per read and write, checksums in naru, instead\n" \
    "                     of the kernel's checksum and segmentation offloads (64 KiB\n"  \
    "                     TCP segments each way, cut at the MTU by the kernel)\n"

struct runtime_timer;

/* An extra file descriptor the TAP loop waits on (stdin for nc, say). */
struct runtime_watch {
    int fd;
    short events;              /* POLLIN / POLLOUT */
    void (*fn)(void *ctx, short revents);
    void *ctx;
};
#define RUNTIME_MAX_WATCHES 4

#define RUNTIME_MAX_SEARCH 6    /* resolv.conf(5)'s historical limit */
#define RUNTIME_SEARCH_MAX 254  /* a domain name in text, no trailing dot */

/* What a resolv.conf(5) file says: IPv4 name servers (IPv6 ones are left
 * out: naru speaks IPv4), the search list and ndots. */
struct runtime_resolv_conf {
    struct naru_sockaddr servers[NARU_DNS_MAX_SERVERS];
    unsigned server_count;
    char search[RUNTIME_MAX_SEARCH][RUNTIME_SEARCH_MAX + 1];
    unsigned search_count;
    unsigned ndots;            /* default 1 */
};
/* Read `path` into *conf. 0, or a negative errno when it cannot be read
 * (then *conf is empty, with ndots 1). Lines it does not know are skipped,
 * as the C library does. */
int runtime_read_resolv_conf(const char *path, struct runtime_resolv_conf *conf);

struct runtime {
    const char *prog;
    bool simulated;
    struct naru_stack *stack;  /* the stack this command acts from */
    int ifindex;
    struct naru_sim *sim;
    struct naru_stack *router, *server; /* the built-in world's other hosts */
    struct service *world_services[4];  /* what the built-in server runs */
    struct naru_dns_server *world_dns;  /* the built-in server's name server */
    struct naru_dns_server_endpoint *world_dns_endpoint;
    struct naru_dns_resolver *resolver; /* names in HOST arguments */
    struct runtime_resolv_conf names;   /* search list and ndots for them */
    struct naru_tap *tap;
    struct naru_pcap *pcap;
    struct runtime_timer *timers; /* TAP mode: sorted, soonest first */
    uint8_t *frame;            /* TAP mode: receive buffer */
    struct runtime_watch watches[RUNTIME_MAX_WATCHES];
    int watch_count;
};

/* Bring up the stack: on TAP when o->tap is set, else the built-in world
 * (client 10.1.0.2 — router — server 10.2.0.2, 10 ms each way; the command
 * acts as the client; the server runs echo, discard, daytime, a web site
 * on port 80 and a name server on port 53 for naru.test and the world's
 * root); and the resolver runtime_resolve() uses. Prints the reason and
 * returns 1 on failure, 2 on a usage error (a bad --hosts file too), 0 on
 * success. */
int runtime_open(struct runtime *rt, const struct runtime_options *o, const char *prog);
void runtime_close(struct runtime *rt);
naru_time_t runtime_now(const struct runtime *rt);
int runtime_at(struct runtime *rt, naru_time_t when, void (*fn)(void *ctx), void *ctx);
/* TAP mode: call fn when fd is ready for `events`; events 0 removes it.
 * In the simulator there is no wall clock to wait on: -ENOTSUP. */
int runtime_watch_fd(struct runtime *rt, int fd, short events, void (*fn)(void *ctx, short revents),
                     void *ctx);
/* Run until done(ctx), SIGINT/SIGTERM, or `deadline`. Returns 0 when done,
 * 1 when interrupted by a signal, 2 at the deadline. */
int runtime_run(struct runtime *rt, naru_time_t deadline, bool (*done)(void *ctx), void *ctx);
/* HOST to an IPv4 address: a dotted quad; else the hosts table (--hosts,
 * or /etc/hosts on TAP) by the name as given; else naru's stub resolver,
 * through the world's name server in the simulator (search domain
 * naru.test, so "server" works) or --dns / /etc/resolv.conf on TAP, with
 * the search list applied as resolv.conf(5) says. Runs the world while it
 * waits. 0, or -ENOENT (no such name), -ENODATA (no IPv4 address),
 * -ETIMEDOUT (no server answered), -ECONNREFUSED (servers failed), -EINTR
 * (SIGINT/SIGTERM). */
int runtime_resolve(struct runtime *rt, const char *name, uint32_t *addr);
/* What the usual tools print for a runtime_resolve() error, after
 * "PROG: HOST: " (getaddrinfo's words: "Name or service not known", ...). */
const char *runtime_resolve_error(int err);
/* A stack of the built-in world by name ("server", "router"), or NULL. */
struct naru_stack *runtime_world_stack(struct runtime *rt, const char *name);
/* After getopt_long (optstring starting with ':') returned '?' or ':':
 * one line naming the problem; returns 2. */
int runtime_bad_option(const char *prog, char **argv, int opt);
/* A duration in seconds (fractions allowed, at most a day), as naru time;
 * a bad one exits 2 like runtime_number(). */
naru_time_t runtime_seconds(const char *prog, const char *what, const char *text);
/* The single operand after the flags (HOST, URL), or NULL after a one-line
 * error naming what is missing or extra. */
const char *runtime_operand(const char *prog, int argc, char **argv, const char *what);
/* runtime_open(), then resolve `host` into *addr. 0, or the exit code after
 * saying why (and closing rt). */
int runtime_open_to(struct runtime *rt, const struct runtime_options *o, const char *prog,
                    const char *host, uint32_t *addr);
/* A stream socket that is connecting: 1 once it is connected, 0 while it
 * still tries, a negative errno when it failed. */
int runtime_connect_state(struct naru_stack *stack, int sock);
/* True once SIGINT or SIGTERM arrived. */
bool runtime_interrupted(void);
/* Parse a non-negative number (decimal, fraction allowed when `fraction`),
 * or print "PROG: bad WHAT 'TEXT'" and exit 2. */
double runtime_number(const char *prog, const char *what, const char *text, bool fraction, double max);

#endif
