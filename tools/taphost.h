/* A naru stack on a Linux TAP device: created, given the device as its
 * interface (with the kernel's offloads unless turned off), addresses of
 * both families, default gateways and a capture, as --tap, --addr, --gw,
 * --mac, --pcap and --no-offload ask. */
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
/* Every address the interface has, IPv4's first, the IPv6 link-local one
 * included, any still tentative (duplicate address detection, RFC 4862
 * 5.4) marked so,
 * then " via " and the gateways: "198.18.0.2/24, 2001:db8::2/64,
 * fe80::1/64 via 198.18.0.1", for ready lines. */
void taphost_describe(const struct taphost *h, const struct cli_options *o, char *buf, size_t len);
/* Also says so when the capture could not be written whole. */
void taphost_close(struct taphost *h, const char *prog);

#endif
