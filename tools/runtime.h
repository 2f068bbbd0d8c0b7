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

struct runtime {
    const char *prog;
    bool simulated;
    struct naru_stack *stack;  /* the stack this command acts from */
    struct loop loop;
    struct world world;        /* simulated */
    struct taphost host;       /* on TAP */
    struct naru_pcap *pcap;    /* simulated: --pcap of the client's interface */
    struct names names;
};

/* Bring up the stack: on TAP when o->tap is set, else the built-in world
 * (the command acts as its client), and the names HOST arguments go
 * through. Prints the reason and returns 1 on failure, 2 on a usage error
 * (a bad --hosts file too), 0 on success. Close it either way. */
int runtime_open(struct runtime *rt, const struct cli_options *o, const char *prog);
/* runtime_open(), then resolve `host` into *addr. 0, or the exit code
 * after saying why (and closing rt). */
int runtime_open_to(struct runtime *rt, const struct cli_options *o, const char *prog, const char *host,
                    struct naru_addr *addr);
void runtime_close(struct runtime *rt);
/* The environment for an application on the command's stack. */
int runtime_app_env(struct runtime *rt, struct naru_app_env *env);

#endif
