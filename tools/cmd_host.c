/* naru host: a naru stack on a TAP device, answering ARP and ping and
 * running services until SIGINT or SIGTERM. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
            "usage: naru host --tap IFNAME --addr CIDR [--addr CIDR]... [--gw IP]... [--mac MAC]\n"
            "                 [--serve SERVICE[:PORT][=ARG]]... [--pcap FILE] [--no-offload]\n"
            "                 [--max-connections N] [--background]\n"
            "\n"
            "Bring a naru host up on a Linux TAP device (created if it does not exist):\n"
            "it answers ARP, neighbour discovery and ping (IPv4 and IPv6) and runs the\n"
            "services named, on both families, until SIGINT or SIGTERM, then prints its\n"
            "counters. Its ready line on stderr comes once the device is up and the\n"
            "services listen, and names every address the host has (the IPv6 link-local\n"
            "one too): from then on the kernel side can be given its address and used.\n"
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
            "  --background       once ready, go to the background and print the PID on\n"
            "                     stdout (stop it with kill PID: it prints its counters)\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 1 if the device or a service cannot be had, 2 on a usage error.\n"
            CLI_SIGNALS_HELP
            "example: naru host --tap naru0 --addr 198.18.0.2/24 --serve echo --serve http=.\n"
            "         naru host --tap naru0 --addr 198.18.0.2/24 --addr 2001:db8::2/64 --serve echo\n"
            "         pid=$(naru host --tap naru0 --addr 198.18.0.2/24 --serve echo --background)\n",
            serve_help);
}

/* loop_run()'s check between turns of the loop, which never ends it
 * (SIGINT and SIGTERM do): every few seconds, memory that closed
 * connections let go goes back to the system. glibc keeps freed heap pages
 * for reuse and gives back only what is at the top of its heap, so after a
 * crowd of connections has gone its memory would stay resident; once
 * several MB are free, malloc_trim() returns the pages inside the heap too. */
static bool give_back_memory(void *ctx)
{
    time_t *next = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < *next)
        return false;
    *next = now.tv_sec + 5;
    if (mallinfo2().fordblks > 8u << 20)
        malloc_trim(0);
    return false;
}

int cmd_host(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "serve", required_argument, NULL, 'S' },
        { "max-connections", required_argument, NULL, 'M' },
        { "background", no_argument, NULL, 'B' },
        CLI_TAP_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cli_options ro = { 0 };
    struct serve services[MAX_SERVICES];
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
        } else if (!cli_take_option(&ro, PROG, opt, optarg)) {
            status = cli_bad_option(PROG, argv, opt);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", PROG, argv[optind]);
        goto out;
    }
    if (!ro.tap || !ro.addr_count) {
        fprintf(stderr, "%s: needs --tap IFNAME and --addr CIDR (try --help)\n", PROG);
        goto out;
    }
    ro.listeners = (unsigned)service_count;
    int err = background ? background_start() : 0;
    if (err < 0) {
        fprintf(stderr, "%s: cannot go to the background: %s\n", PROG, strerror(-err));
        status = 1;
        goto out;
    }
    opened = true;
    status = runtime_open(&rt, &ro, PROG);
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
        time_t next_trim = 0;
        loop_run(&rt.loop, NARU_NEVER, give_back_memory, &next_trim);
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
