/* Where a command runs: the simulator's small built-in world, or a Linux
 * TAP device on the wall clock; the stack it acts from, the loop it runs
 * in, and the names it resolves. Commands are written once, against
 * naru's socket API, its applications and this. */
#ifndef NARU_TOOLS_RUNTIME_H
#define NARU_TOOLS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "loop.h"
#include "names.h"
#include "naru/pcap.h"
#include "taphost.h"
#include "world.h"

#define RUNTIME_DIALS_MAX 8

struct runtime {
    const char *prog;
    bool simulated;
    struct naru_stack *stack;  /* the stack this command acts from */
    struct loop loop;
    struct world world;        /* simulated */
    struct taphost host;       /* on TAP */
    struct naru_pcap *pcap;    /* simulated: --pcap of the client's interface */
    struct names names;
    /* runtime_connect()'s dials: their timers may still be due, so they
     * are destroyed only in runtime_close(), once the loop runs no more. */
    struct naru_dial *dials[RUNTIME_DIALS_MAX];
    unsigned dial_count;
};

/* Bring up the stack: on TAP when o->tap is set, else the built-in world
 * (the command acts as its client), and the names HOST arguments go
 * through. Prints the reason and returns 1 on failure, 2 on a usage error
 * (a bad --hosts file too), 0 on success. Close it either way. */
int runtime_open(struct runtime *rt, const struct cli_options *o, const char *prog);
/* runtime_open(), then resolve `host` into to's address and scope_id
 * (names_resolve(), of o->family when -4 or -6 asked). 0, or the exit code
 * after saying why (and closing rt): 2 for a bad address or one of the
 * family -4/-6 excludes (checked before anything opens) or a zone that is
 * no interface, `unresolved` for a name that does not resolve (iputils'
 * ping and traceroute say 2, as for any bad argument; nc and fetch 1, a
 * network failure). */
int runtime_open_to(struct runtime *rt, const struct cli_options *o, const char *prog, const char *host,
                    int unresolved, struct naru_sockaddr *to);
/* runtime_open() after the checks runtime_open_to() makes of an address
 * (a zone too), for a command that looks the name up itself
 * (runtime_connect()). 0 or the exit code, as runtime_open_to(). */
int runtime_open_for(struct runtime *rt, const struct cli_options *o, const char *prog, const char *host);
/* Connect a TCP socket to HOST PORT with naru_dial(): a name is looked up
 * for both families (o->family alone with -4 or -6), and the addresses are
 * tried by RFC 8305's Happy Eyeballs; an address (a link-local one with its
 * zone) alone. Runs the loop for at most `timeout`. Returns the connected
 * socket (the caller's), or a negative errno: -EINTR for SIGINT/SIGTERM,
 * -ETIMEDOUT, the lookup's error when no address came (out->resolved
 * false), else the last attempt's; -EMFILE after RUNTIME_DIALS_MAX. */
struct runtime_dialed {
    int sock;
    int error;
    bool resolved;             /* the name gave addresses */
    struct naru_sockaddr peer; /* connected: who answered */
};
int runtime_connect(struct runtime *rt, const struct cli_options *o, const char *host, uint16_t port,
                    naru_time_t timeout, struct runtime_dialed *out);
void runtime_close(struct runtime *rt);
/* The environment for an application on the command's stack. */
int runtime_app_env(struct runtime *rt, struct naru_app_env *env);

#endif
