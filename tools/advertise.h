/* naru host --advertise PREFIX/64: the host as the IPv6 router of its TAP
 * link, sending router advertisements (RFC 4861 6.2) for the prefixes
 * given, on-link and autonomous, so that the kernel's side of the device
 * forms addresses in them (SLAAC, RFC 4862) and reaches naru on-link. */
#ifndef NARU_TOOLS_ADVERTISE_H
#define NARU_TOOLS_ADVERTISE_H

#include <stdbool.h>

#include "cli.h"
#include "naru/stack.h"

struct advertise {
    struct naru_ra_prefix prefixes[NARU_RA_PREFIXES_MAX];
    const char *texts[NARU_RA_PREFIXES_MAX]; /* as the user wrote them */
    unsigned count;
    bool started;              /* advertising: the link-local address was ready */
};

/* Take one --advertise. False after one line naming the flag and the
 * value (a usage error: exit 2). */
bool advertise_take(struct advertise *a, const char *prog, const char *arg);
/* After every flag: room for the addresses it will take beside --addr's.
 * False after one line saying why (exit 2). */
bool advertise_check(const struct advertise *a, const struct cli_options *o, const char *prog);
/* Once the interface is up: the host's own address in each prefix no
 * --addr is in (PREFIX::1), and the prefixes handed to the advertiser. 0,
 * or 1 after one line saying why. */
int advertise_configure(struct advertise *a, struct naru_stack *stack, int ifindex, const struct cli_options *o,
                        const char *prog);
/* Between turns of the loop: start advertising once the link-local
 * address is ready (RFC 4861 6.2.2: advertisements come from it), saying
 * so in one line. */
void advertise_poll(struct advertise *a, struct naru_stack *stack, int ifindex, const char *prog);
/* On SIGINT or SIGTERM: a last advertisement (RFC 4861 6.2.5), saying so. */
void advertise_stop(struct advertise *a, struct naru_stack *stack, int ifindex, const char *prog);

#endif
