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

/* A gateway is a neighbour: an address on one of the host's own networks
 * that it reaches by ARP or neighbour discovery (RFC 1122 3.3.1.1), or an
 * IPv6 link-local one, as routers advertise themselves (RFC 4861 6.1.2);
 * and not the host's own. 0, or 2 after one line saying why. */
static int check_gateway(const struct cli_options *o, const struct cli_addr *gw, const char *prog)
{
    char nets[256] = "";
    size_t used = 0;
    for (unsigned i = 0; i < o->addr_count; i++) {
        const struct cli_addr *a = &o->addrs[i];
        if (naru_addr_equal(&a->addr, &gw->addr)) {
            fprintf(stderr, "%s: the gateway %s is this host's own address\n", prog, gw->text);
            return 2;
        }
        if (a->addr.family != gw->addr.family)
            continue;
        if (naru_addr_in_prefix(&gw->addr, &a->addr, a->prefix_len))
            return 0;
        char net[NARU_ADDR_STRLEN];
        struct naru_addr masked = naru_addr_mask(&a->addr, a->prefix_len);
        used += (size_t)snprintf(nets + used, used < sizeof nets ? sizeof nets - used : 0, "%s%s/%u (--addr %s)",
                                 used ? " or " : "", naru_addr_format(&masked, net), a->prefix_len, a->text);
        if (used >= sizeof nets)
            used = sizeof nets - 1;
    }
    if (gw->addr.family == NARU_AF_INET6 && naru_addr_is_link_local(&gw->addr))
        return 0;
    if (used)
        fprintf(stderr, "%s: the gateway %s is not on this host's network %s\n", prog, gw->text, nets);
    else
        fprintf(stderr, "%s: the gateway %s is %s, and this host has no %s --addr\n", prog, gw->text,
                gw->addr.family == NARU_AF_INET ? "IPv4" : "IPv6", gw->addr.family == NARU_AF_INET ? "IPv4" : "IPv6");
    return 2;
}

int taphost_open(struct taphost *h, const struct cli_options *o, const char *prog)
{
    memset(h, 0, sizeof *h);
    if (!o->addr_count) {
        fprintf(stderr, "%s: --tap needs --addr CIDR\n", prog);
        return 2;
    }
    for (unsigned i = 0; i < o->gw_count; i++)
        if (check_gateway(o, &o->gws[i], prog))
            return 2;
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
    /* As `ip addr add` each, then `ip route add default via` each. */
    for (unsigned i = 0; i < o->addr_count; i++) {
        const struct cli_addr *a = &o->addrs[i];
        if ((err = naru_if_add_addr(h->stack, h->ifindex, &a->addr, a->prefix_len)) < 0) {
            fprintf(stderr, "%s: cannot configure %s: %s\n", prog, a->text, strerror(-err));
            return 1;
        }
    }
    for (unsigned i = 0; i < o->gw_count; i++) {
        const struct cli_addr *gw = &o->gws[i];
        struct naru_addr any = { .family = gw->addr.family };
        if ((err = naru_route_add(h->stack, &any, 0, &gw->addr, h->ifindex)) < 0) {
            fprintf(stderr, "%s: cannot route through %s: %s\n", prog, gw->text, strerror(-err));
            return 1;
        }
    }
    return 0;
}

void taphost_describe(const struct taphost *h, const struct cli_options *o, char *buf, size_t len)
{
    struct naru_if_addr addrs[16];
    int n = naru_if_get_addrs(h->stack, h->ifindex, addrs, sizeof addrs / sizeof addrs[0]);
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < n && i < (int)(sizeof addrs / sizeof addrs[0]) && used < len; i++) {
        char a[NARU_ADDR_STRLEN];
        used += (size_t)snprintf(buf + used, len - used, "%s%s/%u%s", i ? ", " : "",
                                 naru_addr_format(&addrs[i].addr, a), addrs[i].prefix_len,
                                 addrs[i].flags & NARU_IFA_TENTATIVE ? " (tentative)" : "");
    }
    for (unsigned i = 0; i < o->gw_count && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : " via ", o->gws[i].text);
}

void taphost_close(struct taphost *h, const char *prog)
{
    naru_stack_destroy(h->stack);
    naru_tap_close(h->tap);
    if (h->pcap && naru_pcap_close(h->pcap) < 0)
        fprintf(stderr, "%s: the capture file is incomplete\n", prog);
    memset(h, 0, sizeof *h);
}
