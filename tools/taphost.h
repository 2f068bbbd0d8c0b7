/* A naru stack on a Linux TAP device: created, given the device as its
 * interface (with the kernel's offloads unless turned off), an address,
 * a default gateway and a capture, as --tap, --addr, --gw, --mac, --pcap
 * and --no-offload ask. */
#ifndef NARU_TOOLS_TAPHOST_H
#define NARU_TOOLS_TAPHOST_H

#include "cli.h"
#include "naru/pcap.h"
#include "naru/stack.h"
#include "naru/tap.h"

struct taphost {
    struct naru_stack *stack;
    struct naru_tap *tap;
    int ifindex;
    struct naru_pcap *pcap;
};

/* 0, or the exit code after one line saying why: 2 for a usage error, 1
 * when the device or the stack cannot be had. Close it either way. */
int taphost_open(struct taphost *h, const struct cli_options *o, const char *prog);
/* Also says so when the capture could not be written whole. */
void taphost_close(struct taphost *h, const char *prog);

#endif
