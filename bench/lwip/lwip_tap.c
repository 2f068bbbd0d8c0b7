/* lwIP (Debian's liblwip, as installed) as a TCP peer on a Linux TAP
 * device, for bench/tcp_bench.sh to measure beside naru on the same setup.
 * Never a part of naru: only this driver and glue, built against the
 * system's lwIP headers and library.
 *
 *   lwip_tap --tap IFNAME --addr A.B.C.D/LEN --port N MODE
 *
 *   sink         raw API: accept connections, count and drop what arrives
 *   source:N     raw API: on each connection send N bytes (copied into
 *                lwIP's buffers, as a socket's send() would), then close
 *   sock-sink    the same through lwIP's BSD socket API (an application
 *   sock-source:N  thread talking to lwIP's tcpip thread)
 *
 * The TAP driver is this file's own (Debian's tapif corrupts memory on
 * frames above about 590 bytes): one thread reads frames straight into
 * lwIP packet buffers, up to 64 at a time, and hands them to lwIP under
 * its core lock; lwIP writes frames with one write() (or writev() for a
 * chain) each. lwIP's own tcpip thread runs its timers. Debian's build of
 * lwIP 2.1.3 fixes the TCP options: MSS 1460, a 64 KiB window and send
 * buffer, window scaling, no SACK, no timestamps, checksums in software
 * (computed while copying on send).
 *
 * It prints "lwip_tap: ready" on stderr once the interface is up, and one
 * line per finished connection on stdout: "bytes N". */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#define FRAME_MAX 1518         /* Ethernet frame of a 1500-byte MTU, with a VLAN tag */
#define RX_BATCH 64            /* frames handed to lwIP per taking of its lock */
#define CHUNK 65536

static int tap_fd = -1;
static struct netif tap_netif;
static uint8_t pattern[CHUNK];

static void fail(const char *what)
{
    fprintf(stderr, "lwip_tap: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ---- the TAP netif driver ---- */

static err_t tap_linkoutput(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    ssize_t n;
    if (!p->next) {
        n = write(tap_fd, p->payload, p->len);
    } else {
        struct iovec iov[16];
        int cnt = 0;
        for (struct pbuf *q = p; q && cnt < 16; q = q->next)
            iov[cnt++] = (struct iovec){ q->payload, q->len };
        n = writev(tap_fd, iov, cnt);
    }
    return n == (ssize_t)p->tot_len ? ERR_OK : ERR_IF;
}

static err_t tap_netif_init(struct netif *netif)
{
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
    netif->linkoutput = tap_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x12, 0x00, 0x03 };
    memcpy(netif->hwaddr, mac, 6);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static int tap_open(const char *name)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fail("/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        fail("TUNSETIFF");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        fail("SIOCGIFFLAGS");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        fail("SIOCSIFFLAGS");
    /* The kernel starts the device's queue a moment after the carrier comes
     * on; wait for it (IFF_RUNNING), or the first answers are dropped. */
    for (int i = 0; i < 1000 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_RUNNING); i++)
        usleep(1000);
    close(s);
    return fd;
}

/* Frames from the kernel, read straight into lwIP's buffers. */
static void *rx_thread(void *arg)
{
    (void)arg;
    struct pbuf *batch[RX_BATCH];
    for (;;) {
        struct pollfd pfd = { .fd = tap_fd, .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            fail("poll");
        int n = 0;
        while (n < RX_BATCH) {
            struct pbuf *p = pbuf_alloc(PBUF_RAW, FRAME_MAX, PBUF_RAM);
            if (!p)
                break;
            ssize_t len = read(tap_fd, p->payload, FRAME_MAX);
            if (len <= 0) {
                pbuf_free(p);
                if (len < 0 && errno != EAGAIN && errno != EINTR)
                    fail("read");
                break;
            }
            pbuf_realloc(p, (u16_t)len);
            batch[n++] = p;
        }
        if (!n)
            continue;
        LOCK_TCPIP_CORE();
        for (int i = 0; i < n; i++)
            if (tap_netif.input(batch[i], &tap_netif) != ERR_OK)
                pbuf_free(batch[i]);
        UNLOCK_TCPIP_CORE();
    }
    return NULL;
}

/* ---- raw API ---- */

struct source {
    u32_t remaining;
    bool closed;
};

static u32_t source_bytes;

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)err;
    u32_t *count = arg;
    if (!p) {
        printf("bytes %u\n", *count);
        fflush(stdout);
        free(count);
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
        return ERR_OK;
    }
    *count += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void sink_err(void *arg, err_t err)
{
    (void)err;
    free(arg);
}

static err_t sink_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    u32_t *count = calloc(1, sizeof *count);
    if (!count)
        return ERR_MEM;
    tcp_arg(pcb, count);
    tcp_recv(pcb, sink_recv);
    tcp_err(pcb, sink_err);
    return ERR_OK;
}

/* Queue as much as lwIP's send buffer takes; FIN once all is queued. */
static void source_push(struct tcp_pcb *pcb, struct source *s)
{
    while (s->remaining) {
        u32_t n = tcp_sndbuf(pcb);
        if (n > s->remaining)
            n = s->remaining;
        if (n > CHUNK)
            n = CHUNK;
        if (!n || tcp_write(pcb, pattern, (u16_t)n, TCP_WRITE_FLAG_COPY | (n < s->remaining ? TCP_WRITE_FLAG_MORE : 0)) != ERR_OK)
            break;
        s->remaining -= n;
    }
    tcp_output(pcb);
    if (!s->remaining && !s->closed) {
        s->closed = true;
        printf("bytes %u\n", source_bytes);
        fflush(stdout);
        tcp_sent(pcb, NULL);
        tcp_arg(pcb, NULL);
        free(s);
        if (tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
    }
}

static err_t source_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)len;
    if (arg)
        source_push(pcb, arg);
    return ERR_OK;
}

/* The request (or anything else) the peer sends is read and dropped. */
static err_t source_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (p) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static void source_err(void *arg, err_t err)
{
    (void)err;
    free(arg);
}

static err_t source_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct source *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_MEM;
    s->remaining = source_bytes;
    tcp_arg(pcb, s);
    tcp_sent(pcb, source_sent);
    tcp_recv(pcb, source_recv);
    tcp_err(pcb, source_err);
    source_push(pcb, s);
    return ERR_OK;
}

static void raw_listen(uint16_t port, bool source)
{
    LOCK_TCPIP_CORE();
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK || !(pcb = tcp_listen(pcb))) {
        fprintf(stderr, "lwip_tap: cannot listen on port %u\n", port);
        exit(1);
    }
    tcp_accept(pcb, source ? source_accept : sink_accept);
    UNLOCK_TCPIP_CORE();
}

/* ---- socket API ---- */

static void sock_serve(uint16_t port, bool source)
{
    int l = lwip_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (l < 0 || lwip_bind(l, (struct sockaddr *)&any, sizeof any) < 0 || lwip_listen(l, 8) < 0) {
        fprintf(stderr, "lwip_tap: cannot listen on port %u (socket API)\n", port);
        exit(1);
    }
    static uint8_t buf[CHUNK];
    for (;;) {
        int c = lwip_accept(l, NULL, NULL);
        if (c < 0)
            continue;
        u32_t bytes = 0;
        if (source) {
            /* Take the request first: closing with it unread would reset. */
            if (lwip_recv(c, buf, sizeof buf, 0) >= 0) {
                while (bytes < source_bytes) {
                    u32_t n = source_bytes - bytes < CHUNK ? source_bytes - bytes : CHUNK;
                    ssize_t sent = lwip_send(c, pattern, n, 0);
                    if (sent <= 0)
                        break;
                    bytes += (u32_t)sent;
                }
            }
        } else {
            ssize_t n;
            while ((n = lwip_recv(c, buf, sizeof buf, 0)) > 0)
                bytes += (u32_t)n;
        }
        printf("bytes %u\n", bytes);
        fflush(stdout);
        lwip_close(c);
    }
}

/* ---- setup ---- */

static void usage(FILE *out)
{
    fprintf(out, "usage: lwip_tap --tap IFNAME --addr A.B.C.D/LEN --port N sink|source:BYTES|sock-sink|sock-source:BYTES\n"
                 "lwIP (the system's liblwip) as a TCP sink or source on a TAP device, for bench/tcp_bench.sh.\n");
}

int main(int argc, char **argv)
{
    const char *tap = NULL, *addr = NULL, *mode = NULL;
    long port = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--tap") && i + 1 < argc) {
            tap = argv[++i];
        } else if (!strcmp(argv[i], "--addr") && i + 1 < argc) {
            addr = argv[++i];
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            port = strtol(argv[++i], NULL, 10);
        } else if (!mode) {
            mode = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    unsigned a, b, c, d, len;
    bool source = mode && (!strncmp(mode, "source:", 7) || !strncmp(mode, "sock-source:", 12));
    bool sockets = mode && !strncmp(mode, "sock-", 5);
    if (source)
        source_bytes = (u32_t)strtoul(strchr(mode, ':') + 1, NULL, 10);
    if (!tap || !addr || port <= 0 || port > 65535 || !mode ||
        (strcmp(mode, "sink") && strcmp(mode, "sock-sink") && !source) || (source && !source_bytes) ||
        sscanf(addr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len) != 5 || len < 1 || len > 30) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 31 + 7);
    signal(SIGPIPE, SIG_IGN);
    tap_fd = tap_open(tap);

    tcpip_init(NULL, NULL);
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, a, b, c, d);
    mask.addr = lwip_htonl(0xffffffffu << (32 - len));
    ip4_addr_set_zero(&gw);
    LOCK_TCPIP_CORE();
    if (!netif_add(&tap_netif, &ip, &mask, &gw, NULL, tap_netif_init, ethernet_input)) {
        fprintf(stderr, "lwip_tap: netif_add failed\n");
        return 1;
    }
    netif_set_default(&tap_netif);
    netif_set_link_up(&tap_netif);
    netif_set_up(&tap_netif);
    UNLOCK_TCPIP_CORE();

    pthread_t rx;
    if (pthread_create(&rx, NULL, rx_thread, NULL) != 0)
        fail("pthread_create");
    if (!sockets)
        raw_listen((uint16_t)port, source);
    fprintf(stderr, "lwip_tap: ready on %s as %s, %s on port %ld (lwIP %s)\n", tap, addr, mode, port,
            LWIP_VERSION_STRING);
    if (sockets)
        sock_serve((uint16_t)port, source);
    pthread_join(rx, NULL);
    return 0;
}
