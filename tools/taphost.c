#include "taphost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "naru/addr.h"

/* Seeds and MAC addresses from the OS. */
static uint64_t os_random(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v)
        v = (uint64_t)loop_clock() ^ (uint64_t)getpid() << 32;
    return v;
}

int taphost_open(struct taphost *h, const struct cli_options *o, const char *prog)
{
    memset(h, 0, sizeof *h);
    uint32_t addr, gw = 0;
    uint8_t prefix;
    if (!o->addr) {
        fprintf(stderr, "%s: --tap needs --addr A.B.C.D/LEN\n", prog);
        return 2;
    }
    naru_cidr_parse(o->addr, &addr, &prefix);
    if (o->gw)
        naru_ip4_parse(o->gw, &gw);
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.seed = os_random();
    /* A host on TAP serves real clients: the library's defaults (64
     * sockets, 1024 connections) suit a small device. Here each listening
     * socket may hold max_connections (10,000 by default), and the pools
     * have room for all of them at once, so a crowd on one service never
     * shuts out another; as many again for TIME-WAIT, which gives way at
     * the limit. Memory goes only to connections that exist. */
    uint64_t per = o->max_connections ? o->max_connections : CLI_MAX_CONNECTIONS;
    uint64_t sockets = per * (o->listeners ? o->listeners : 1) + 1024;
    config.tcp_listener_connections = (uint32_t)per;
    config.sockets = (uint32_t)sockets;
    config.tcp_connections = (uint32_t)(2 * sockets);
    /* With offloads, every TCP frame in or out may be a 64 KiB one; they
     * are freed as soon as they are handled, so a few suffice. */
    config.large_buffers = 32;
    int err = naru_stack_create(&config, &h->stack);
    if (err < 0) {
        fprintf(stderr, "%s: cannot create the stack: %s\n", prog, strerror(-err));
        return 1;
    }
    err = naru_tap_open_offload(o->tap, !o->no_offload, &h->tap);
    if (err < 0) {
        fprintf(stderr, "%s: cannot open TAP device %s: %s%s\n", prog, o->tap, strerror(-err),
                err == -EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
        return 1;
    }
    int mtu = naru_tap_mtu(h->tap);
    struct naru_if_config ifc = { .name = naru_tap_name(h->tap), .mtu = mtu > 0 ? (uint32_t)mtu : 1500,
                                  .driver = naru_tap_driver(h->tap) };
    if (o->mac) {
        naru_mac_parse(o->mac, ifc.mac);
    } else {
        uint64_t r = os_random();
        memcpy(ifc.mac, &r, 6);
        ifc.mac[0] = (uint8_t)((ifc.mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
    }
    h->ifindex = naru_if_add(h->stack, &ifc);
    if (h->ifindex < 0) {
        fprintf(stderr, "%s: cannot add interface %s (MTU %u): %s\n", prog, o->tap, ifc.mtu, strerror(-h->ifindex));
        return 1;
    }
    naru_stack_poll(h->stack, loop_clock());
    if (o->pcap) {
        /* Attach the capture before the address, so the gratuitous ARP is in it. */
        if ((err = naru_pcap_open(o->pcap, &h->pcap)) < 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", prog, o->pcap, strerror(-err));
            return 1;
        }
        struct timespec real;
        clock_gettime(CLOCK_REALTIME, &real);
        naru_pcap_set_epoch(h->pcap, (uint64_t)real.tv_sec * NARU_SEC + (uint64_t)real.tv_nsec - loop_clock());
        naru_if_set_tap(h->stack, h->ifindex, naru_pcap_tap, h->pcap);
    }
    if ((err = naru_if_set_addr(h->stack, h->ifindex, addr, prefix)) < 0 ||
        (gw && (err = naru_route_add(h->stack, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = gw }, h->ifindex)) < 0)) {
        fprintf(stderr, "%s: cannot configure %s: %s\n", prog, o->addr, strerror(-err));
        return 1;
    }
    return 0;
}

void taphost_close(struct taphost *h, const char *prog)
{
    naru_stack_destroy(h->stack);
    naru_tap_close(h->tap);
    if (h->pcap && naru_pcap_close(h->pcap) < 0)
        fprintf(stderr, "%s: the capture file is incomplete\n", prog);
    memset(h, 0, sizeof *h);
}
