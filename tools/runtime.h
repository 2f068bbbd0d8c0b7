/* Where a command runs: the simulator's small built-in world, or a Linux
 * TAP device on the wall clock. Commands are written once, against naru's
 * socket API and these few calls. */
#ifndef NARU_TOOLS_RUNTIME_H
#define NARU_TOOLS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

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
};

/* getopt_long entries for the shared flags; values >= RUNTIME_OPT_BASE. */
#define RUNTIME_OPT_BASE 0x1000
#define RUNTIME_LONG_OPTIONS                                        \
    { "tap", required_argument, NULL, RUNTIME_OPT_BASE + 0 },       \
    { "addr", required_argument, NULL, RUNTIME_OPT_BASE + 1 },      \
    { "gw", required_argument, NULL, RUNTIME_OPT_BASE + 2 },        \
    { "mac", required_argument, NULL, RUNTIME_OPT_BASE + 3 },       \
    { "pcap", required_argument, NULL, RUNTIME_OPT_BASE + 4 },      \
    { "seed", required_argument, NULL, RUNTIME_OPT_BASE + 5 }
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
    "  --seed N           simulator seed (default 1)\n"

struct runtime_timer;

/* An extra file descriptor the TAP loop waits on (stdin for nc, say). */
struct runtime_watch {
    int fd;
    short events;              /* POLLIN / POLLOUT */
    void (*fn)(void *ctx, short revents);
    void *ctx;
};
#define RUNTIME_MAX_WATCHES 4

struct runtime {
    const char *prog;
    bool simulated;
    struct naru_stack *stack;  /* the stack this command acts from */
    int ifindex;
    struct naru_sim *sim;
    struct naru_stack *router, *server; /* the built-in world's other hosts */
    struct service *world_services[4];  /* what the built-in server runs */
    struct naru_tap *tap;
    struct naru_pcap *pcap;
    struct runtime_timer *timers; /* TAP mode: sorted, soonest first */
    uint8_t *frame;            /* TAP mode: receive buffer */
    struct runtime_watch watches[RUNTIME_MAX_WATCHES];
    int watch_count;
};

/* Bring up the stack: on TAP when o->tap is set, else the built-in world
 * (client 10.1.0.2 — router — server 10.2.0.2, 10 ms each way; the command
 * acts as the client; the server runs echo, discard, daytime and a web
 * site on port 80). Prints the reason and returns 1 on failure, 2 on a
 * usage error, 0 on success. */
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
/* A dotted quad, or a name of the built-in world (simulator). 0 or -ENOENT. */
int runtime_resolve(struct runtime *rt, const char *name, uint32_t *addr);
/* A stack of the built-in world by name ("server", "router"), or NULL. */
struct naru_stack *runtime_world_stack(struct runtime *rt, const char *name);
/* After getopt_long (optstring starting with ':') returned '?' or ':':
 * one line naming the problem; returns 2. */
int runtime_bad_option(const char *prog, char **argv, int opt);
/* True once SIGINT or SIGTERM arrived. */
bool runtime_interrupted(void);
/* Parse a non-negative number (decimal, fraction allowed when `fraction`),
 * or print "PROG: bad WHAT 'TEXT'" and exit 2. */
double runtime_number(const char *prog, const char *what, const char *text, bool fraction, double max);

#endif
