/* naru host: a naru stack on a TAP device, answering ARP and ping and
 * running services until SIGINT or SIGTERM. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advertise.h"
#include "background.h"
#include "commands.h"
#include "counters.h"
#include "runtime.h"
#include "serve.h"

#define PROG "naru host"
#define MAX_SERVICES 16

static void usage(FILE *out)
{
    fprintf(out,
            "usage: naru host --tap IFNAME [--addr CIDR]... [--gw IP]... [--mac MAC]\n"
            "                 [--serve SERVICE[:PORT][=ARG]]... [--pcap FILE] [--no-offload]\n"
            "                 [--max-connections N] [--advertise PREFIX/64]... [--background]\n"
            "\n"
            "Bring a naru host up on a Linux TAP device (created if it does not exist):\n"
            "it answers ARP, neighbour discovery and ping (IPv4 and IPv6) and runs the\n"
            "services named, on both families, until SIGINT or SIGTERM, then prints its\n"
            "counters. Its ready line on stderr comes once the device is up and the\n"
            "services listen, and names every address the host has (the IPv6 link-local\n"
            "one too): from then on the kernel side can be given its address and used.\n"
            "Without --addr it has IPv6 alone: its link-local address, and addresses\n"
            "formed from routers' advertisements (SLAAC, RFC 4862).\n"
            "When its addresses change later (duplicate address detection ends, a router\n"
            "advertises a prefix and SLAAC forms an address, a lifetime runs out), a line\n"
            "\"naru host: addresses now ...\" names them all again. An IPv6 --addr another\n"
            "node on the link already has is not used, and a line says it is a duplicate.\n"
            "\n"
            "  --tap IFNAME       the TAP device (needs root or CAP_NET_ADMIN)\n"
            CLI_ADDR_HELP
            "  --mac MAC          MAC address (random, locally administered, if not given)\n"
            "  --serve SPEC       run a service; repeatable\n"
            "%s"
            "  --pcap FILE        capture every frame in and out to FILE (pcap)\n"
            "  --no-offload       one frame per read and write, checksums in naru; by default\n"
            "                     the kernel hands naru TCP segments merged up to 64 KiB, cuts\n"
            "                     naru's own at the MTU, and computes the checksums (TAP's\n"
            "                     virtio-net header, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)\n"
            "  --max-connections N\n"
            "                     connections each service may hold at once (default 10000):\n"
            "                     a client beyond them gets a reset, and the other services\n"
            "                     still serve. SYN floods are answered with SYN cookies\n"
            "  --advertise PREFIX/64\n"
            "                     be the IPv6 router of the link: send router\n"
            "                     advertisements for the prefix (RFC 4861 6.2: on-link and\n"
            "                     autonomous, valid 1 day and preferred 4 hours as radvd's),\n"
            "                     also in answer to solicitations, so that the kernel's side\n"
            "                     forms an address in it (SLAAC, RFC 4862) and reaches naru\n"
            "                     there; repeatable, up to 4. naru host takes PREFIX::1 unless\n"
            "                     an --addr is in the prefix. Router lifetime 0: it forwards\n"
            "                     nothing, so it is not a default router (RFC 4861 4.2) and the\n"
            "                     other side's routes elsewhere stay. On SIGINT or SIGTERM a last\n"
            "                     advertisement (6.2.5) deprecates the prefix\n"
            "  --background       once ready, go to the background and print the PID on\n"
            "                     stdout (stop it with kill PID: it prints its counters)\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 1 if the device or a service cannot be had, 2 on a usage error.\n"
            CLI_SIGNALS_HELP
            "example: naru host --tap naru0 --addr 198.18.0.2/24 --serve echo --serve http=.\n"
            "         naru host --tap naru0 --addr 198.18.0.2/24 --addr 2001:db8::2/64 --serve echo\n"
            "         naru host --tap naru0 --advertise 2001:db8:1::/64 --serve echo\n"
            "         pid=$(naru host --tap naru0 --addr 198.18.0.2/24 --serve echo --background)\n",
            serve_help);
}

/* What runs between turns of the loop, which never ends it (SIGINT and
 * SIGTERM do). */
struct between_turns {
    time_t next_trim;
    const struct taphost *host;
    const struct cli_options *ro;
    struct naru_if_addr addrs[TAPHOST_ADDRS_MAX]; /* as the last line said them */
    int addr_count;
    struct advertise *adv;
};

/* Every few seconds, memory that closed connections let go goes back to
 * the system. glibc keeps freed heap pages for reuse and gives back only
 * what is at the top of its heap, so after a crowd of connections has gone
 * its memory would stay resident; once several MB are free, malloc_trim()
 * returns the pages inside the heap too. */
static void give_back_memory(struct between_turns *b)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < b->next_trim)
        return;
    b->next_trim = now.tv_sec + 5;
    if (mallinfo2().fordblks > 8u << 20)
        malloc_trim(0);
}

/* An IPv6 address of the user's (not SLAAC's) gone from the interface:
 * duplicate address detection found another node holding it (RFC 4862
 * 5.4.5), as nothing else takes one away. Linux keeps such an address
 * listed "dadfailed tentative"; naru drops it, and says so plainly. A
 * duplicate link-local address turns IPv6 off on the link, and takes
 * every other address with it. */
static bool gone(const struct naru_if_addr *a, const struct naru_if_addr *now, int n)
{
    for (int j = 0; j < n; j++)
        if (naru_addr_equal(&now[j].addr, &a->addr))
            return false;
    return a->addr.family == NARU_AF_INET6 && !(a->flags & NARU_IFA_AUTOCONF);
}

static void say_duplicates(const struct naru_if_addr *before, int count, const struct naru_if_addr *now, int n)
{
    char text[NARU_ADDR_STRLEN];
    for (int i = 0; i < count; i++) {
        if (naru_addr_is_link_local(&before[i].addr) && gone(&before[i], now, n)) {
            fprintf(stderr, "%s: %s/%u is a duplicate (another node on the link has it): IPv6 off on the link "
                            "(RFC 4862 5.4.5)\n", PROG, naru_addr_format(&before[i].addr, text), before[i].prefix_len);
            return;
        }
    }
    for (int i = 0; i < count; i++)
        if (gone(&before[i], now, n))
            fprintf(stderr, "%s: %s/%u is a duplicate (another node on the link has it, RFC 4862 5.4.5): not used\n",
                    PROG, naru_addr_format(&before[i].addr, text), before[i].prefix_len);
}

/* The interface's addresses change after the ready line: duplicate address
 * detection ends (RFC 4862 5.4), a router's prefix gives one by SLAAC
 * (5.5.3), a lifetime runs out. A line says each new set. */
static void say_new_addresses(struct between_turns *b)
{
    struct naru_if_addr now[TAPHOST_ADDRS_MAX];
    int n = naru_if_get_addrs(b->host->stack, b->host->ifindex, now, TAPHOST_ADDRS_MAX);
    if (n > TAPHOST_ADDRS_MAX)
        n = TAPHOST_ADDRS_MAX;
    bool same = n == b->addr_count;
    for (int i = 0; same && i < n; i++)
        same = naru_addr_equal(&now[i].addr, &b->addrs[i].addr) && now[i].prefix_len == b->addrs[i].prefix_len &&
               now[i].flags == b->addrs[i].flags;
    if (same)
        return;
    say_duplicates(b->addrs, b->addr_count, now, n);
    if (n > 0)
        memcpy(b->addrs, now, (size_t)n * sizeof now[0]);
    bool first = b->addr_count < 0;
    b->addr_count = n;
    if (first)
        return;
    char addrs[768];
    taphost_describe(b->host, b->ro, addrs, sizeof addrs);
    fprintf(stderr, "%s: addresses now %s\n", PROG, addrs);
}

static bool between_turns(void *ctx)
{
    struct between_turns *b = ctx;
    give_back_memory(b);
    say_new_addresses(b);
    advertise_poll(b->adv, b->host->stack, b->host->ifindex, PROG);
    return false;
}

int cmd_host(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "serve", required_argument, NULL, 'S' },
        { "max-connections", required_argument, NULL, 'M' },
        { "background", no_argument, NULL, 'B' },
        { "advertise", required_argument, NULL, 'A' },
        CLI_TAP_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    struct serve services[MAX_SERVICES];
    struct advertise adv = { 0 };
    int service_count = 0, status = 2, opt;
    char why[160];
    struct runtime rt;
    bool opened = false, background = false;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            status = 0;
            goto out;
        } else if (opt == 'S') {
            if (service_count == MAX_SERVICES) {
                fprintf(stderr, "%s: at most %d services\n", PROG, MAX_SERVICES);
                goto out;
            }
            if (serve_parse(optarg, &services[service_count], why, sizeof why) < 0) {
                fprintf(stderr, "%s: %s\n", PROG, why);
                goto out;
            }
            service_count++;
        } else if (opt == 'M') {
            ro.max_connections = (uint32_t)cli_number(PROG, "--max-connections", optarg, false, 1000000);
            if (!ro.max_connections) {
                fprintf(stderr, "%s: bad --max-connections '%s'\n", PROG, optarg);
                goto out;
            }
        } else if (opt == 'B') {
            background = true;
        } else if (opt == 'A') {
            if (!advertise_take(&adv, PROG, optarg))
                goto out;
        } else if (!cli_take_option(&ro, PROG, opt, optarg)) {
            status = cli_bad_option(PROG, argv, opt);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", PROG, argv[optind]);
        goto out;
    }
    if (!ro.tap) {
        fprintf(stderr, "%s: needs --tap IFNAME (try --help)\n", PROG);
        goto out;
    }
    if (!advertise_check(&adv, &ro, PROG))
        goto out;
    ro.listeners = (unsigned)service_count;
    int err = background ? background_start() : 0;
    if (err < 0) {
        fprintf(stderr, "%s: cannot go to the background: %s\n", PROG, strerror(-err));
        status = 1;
        goto out;
    }
    opened = true;
    status = runtime_open(&rt, &ro, PROG);
    if (!status)
        status = advertise_configure(&adv, rt.stack, rt.host.ifindex, &ro, PROG);
    if (status)
        goto out;
    struct naru_app_env env;
    runtime_app_env(&rt, &env);
    char list[512] = "";
    for (int i = 0; i < service_count; i++) {
        char one[64];
        services[i].max_connections = ro.max_connections ? ro.max_connections : CLI_MAX_CONNECTIONS;
        if (serve_start(&services[i], &env, why, sizeof why) < 0) {
            fprintf(stderr, "%s: %s\n", PROG, why);
            status = 1;
            break;
        }
        serve_describe(&services[i], one, sizeof one);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", one);
    }
    if (status == 0) {
        char addrs[768];
        taphost_describe(&rt.host, &ro, addrs, sizeof addrs);
        fprintf(stderr, "%s: ready on %s as %s%s%s\n", PROG, ro.tap, addrs, service_count ? "" : " (no services)",
                naru_tap_has_offloads(rt.host.tap) ? ", with offloads" : ", no offloads");
        if (service_count)
            fprintf(stderr, "%s: serving %s\n", PROG, list);
        background_ready();
        struct between_turns b = { .host = &rt.host, .ro = &ro, .addr_count = -1, .adv = &adv };
        say_new_addresses(&b); /* what the ready line said */
        loop_run(&rt.loop, NARU_NEVER, between_turns, &b);
        naru_stack_poll(rt.stack, loop_clock());
        advertise_stop(&adv, rt.stack, rt.host.ifindex, PROG);
        fprintf(stderr, "%s: stopping; counters:\n", PROG);
        print_counters(stderr, rt.stack);
    }
out:
    /* Sockets before their stack. */
    for (int i = 0; i < service_count; i++)
        serve_stop(&services[i]);
    if (opened)
        runtime_close(&rt);
    return status;
}
