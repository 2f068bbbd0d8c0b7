/* The command line's small parts every command shares: the flags that say
 * where a command runs, numbers and durations, shares such as a loss
 * rate, and the operand after the flags. A bad value is one line naming
 * it and exit code 2 (CLI.md). */
#ifndef NARU_TOOLS_CLI_H
#define NARU_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/dns.h"
#include "naru/stack.h"

/* An address given with --addr (with its prefix length) or --gw, checked,
 * and its text as the user wrote it, for messages. */
struct cli_addr {
    struct naru_addr addr;
    uint8_t prefix_len;        /* --addr; 0 for --gw */
    const char *text;
};
/* --addr: one IPv4 address (an interface has one) and IPv6 ones up to the
 * interface's 8 less its link-local address. --gw: one per family. */
#define CLI_ADDRS_MAX 8
#define CLI_GWS_MAX 2

/* The flags every network command shares (CLI.md "Where a command runs"). */
struct cli_options {
    const char *tap;           /* --tap IFNAME: run on TAP instead of the simulator */
    struct cli_addr addrs[CLI_ADDRS_MAX]; /* --addr CIDR, repeatable (dual stack) */
    unsigned addr_count;
    struct cli_addr gws[CLI_GWS_MAX];     /* --gw IP, once per family */
    unsigned gw_count;
    const char *mac;           /* --mac MAC */
    const char *pcap;          /* --pcap FILE */
    uint64_t seed;             /* --seed N (simulator) */
    bool seed_set;
    struct naru_sockaddr dns[NARU_DNS_MAX_SERVERS]; /* --dns A.B.C.D[:PORT], repeatable */
    unsigned dns_count;
    const char *hosts;         /* --hosts FILE */
    bool no_offload;           /* --no-offload (TAP) */
    uint32_t max_connections;  /* TAP: connections each listening socket may hold (naru host
                                  --max-connections); 0: CLI_MAX_CONNECTIONS */
    unsigned listeners;        /* TAP: listening sockets the command will open */
};
#define CLI_MAX_CONNECTIONS 10000

/* getopt_long entries for the shared flags; values >= CLI_OPT_BASE. */
#define CLI_OPT_BASE 0x1000
enum {
    CLI_OPT_TAP = CLI_OPT_BASE,
    CLI_OPT_ADDR,
    CLI_OPT_GW,
    CLI_OPT_MAC,
    CLI_OPT_PCAP,
    CLI_OPT_SEED,
    CLI_OPT_DNS,
    CLI_OPT_HOSTS,
    CLI_OPT_NO_OFFLOAD,
};
/* The flags of a stack on TAP (naru host, dig, dnsd), and those with the
 * simulator's and the resolver's (ping, traceroute, nc, fetch). */
#define CLI_TAP_LONG_OPTIONS                                    \
    { "tap", required_argument, NULL, CLI_OPT_TAP },            \
    { "addr", required_argument, NULL, CLI_OPT_ADDR },          \
    { "gw", required_argument, NULL, CLI_OPT_GW },              \
    { "mac", required_argument, NULL, CLI_OPT_MAC },            \
    { "pcap", required_argument, NULL, CLI_OPT_PCAP },          \
    { "no-offload", no_argument, NULL, CLI_OPT_NO_OFFLOAD }
#define CLI_LONG_OPTIONS                                        \
    CLI_TAP_LONG_OPTIONS,                                       \
    { "seed", required_argument, NULL, CLI_OPT_SEED },          \
    { "dns", required_argument, NULL, CLI_OPT_DNS },            \
    { "hosts", required_argument, NULL, CLI_OPT_HOSTS }
#define CLI_HELP                                                                        \
    "  --tap IFNAME       run on this Linux TAP device (created if missing) instead\n"   \
    "                     of the simulator; needs --addr\n"                             \
    CLI_ADDR_HELP                                                                       \
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

/* --addr and --gw, as every command with a TAP backend says them. */
#define CLI_ADDR_HELP                                                                   \
    "  --addr CIDR        an address and prefix length on the TAP device, IPv4\n"        \
    "                     (198.18.0.2/24) or IPv6 (2001:db8::2/64); repeat it for\n"    \
    "                     both families (one IPv4, up to 7 IPv6). The IPv6\n"           \
    "                     link-local address (fe80::, from the MAC) comes by itself\n"   \
    "  --gw IP            default gateway, IPv4 or IPv6, on the host's network (an\n"    \
    "                     IPv6 one may be link-local); once for each family\n"

/* The help text's words for how a long-running command stops (loop.h). */
#define CLI_SIGNALS_HELP                                                              \
    "SIGINT (Ctrl-C) or SIGTERM stops it: it says what it did, then ends by that\n"  \
    "signal (exit status 130 or 143); a closed stdout (| head) ends it quietly.\n"

/* Take one of the shared flags from getopt_long; false if `opt` is not one.
 * A bad value prints one line naming it and exits 2. */
bool cli_take_option(struct cli_options *o, const char *prog, int opt, const char *arg);
/* After getopt_long (optstring starting with ':') returned '?' or ':':
 * one line naming the problem; returns 2. */
int cli_bad_option(const char *prog, char **argv, int opt);
/* A non-negative number (decimal, fraction allowed when `fraction`) at
 * most max, or "PROG: bad WHAT 'TEXT'" and exit 2. */
double cli_number(const char *prog, const char *what, const char *text, bool fraction, double max);
/* A duration in seconds (fractions allowed, at most a day), as naru time;
 * a bad one exits 2 like cli_number(). */
naru_time_t cli_seconds(const char *prog, const char *what, const char *text);
/* A share such as a loss rate, as a fraction 0..max. One rule: a number is
 * a percentage, with or without '%' ("2" and "2%" are 2%, "0.5%" half a
 * percent); above 100 it is an error. False for bad text or above max. */
bool cli_share(const char *text, double max, double *out);
/* The help text's words for cli_share()'s rule. */
#define CLI_SHARE_HELP "a percentage: 2, 2% and 0.5% are shares of 100"
/* A directory argument without its trailing slashes ("out/" -> "out", "/"
 * stays), so paths made from it read DIR/FILE, not DIR//FILE. */
char *cli_dir(char *arg);
/* Address text: every address a command reads (HOST arguments, --addr,
 * --gw, --dns) goes through cli_host_parse(), so the tools take IPv6 in
 * one place when their stacks speak it. */
enum cli_host {
    CLI_HOST_NAME,             /* a name, to resolve */
    CLI_HOST_ADDR,             /* an address, IPv4 or IPv6, in *addr */
    CLI_HOST_BAD,              /* meant as an address, and not one: a usage error */
};
/* "999.1.1.1", "10.1" or "1::2::3" are bad addresses, not names: text of
 * only digits and dots, or with a ':', is an address or nothing (a name's
 * last label is never all digits, RFC 1123 2.1 and RFC 3696 2; no host
 * name has a ':'). */
enum cli_host cli_host_parse(const char *text, struct naru_addr *addr);
/* An IPv4 address (A.B.C.D), as the tools' stacks speak only IPv4 yet.
 * 0, -EINVAL for bad text, -EAFNOSUPPORT for an IPv6 address. */
int cli_ip4(const char *text, uint32_t *addr);
/* The first --addr of that family, or NULL. */
const struct cli_addr *cli_addr_of(const struct cli_options *o, enum naru_family family);
/* The single operand after the flags (HOST, URL), or NULL after a one-line
 * error naming what is missing or extra. */
const char *cli_operand(const char *prog, int argc, char **argv, const char *what);

#endif
