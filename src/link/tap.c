/* Linux TAP (IFF_TAP | IFF_NO_PI): one read or write per Ethernet frame.
 *
 * With offloads (IFF_VNET_HDR), each frame crosses behind a virtio-net
 * header (include/uapi/linux/virtio_net.h), which says what QEMU's virtio
 * NICs and the kernel's tun driver say to each other: a checksum left
 * partial (VIRTIO_NET_HDR_F_NEEDS_CSUM, at csum_start + csum_offset), one
 * verified (F_DATA_VALID), or a TCP/IPv4 or TCP/IPv6 frame of merged
 * segments (GSO_TCPV4, GSO_TCPV6, gso_size bytes each). TUNSETOFFLOAD tells
 * the kernel what we take: TUN_F_CSUM turns on the device's NETIF_F_HW_CSUM,
 * TUN_F_TSO4 and TUN_F_TSO6 its NETIF_F_TSO and NETIF_F_TSO6, so the kernel
 * hands us its TCP segments unsegmented, and
 * cuts (or, delivering locally, takes whole) the ones we write. Here, and
 * only here, that header turns into naru's neutral struct naru_frame_meta.
 * The header's 16-bit fields are little-endian (TUNSETVNETLE). */
#include "naru/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The legacy header, without num_buffers (TUNSETVNETHDRSZ). */
#define VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr))

struct naru_tap {
    int fd;
    bool vnet;                 /* offloads: every frame behind a virtio-net header */
    char name[IFNAMSIZ];
};

/* How long naru_tap_open() waits for the kernel to call the link running. */
#define RUNNING_WAIT_MS 1000

/* Set the kernel side up, then wait until the kernel reports it running.
 * Attaching to the device turns its carrier on, but the kernel activates
 * the device's transmit queue a little later, from its link-watch work;
 * until then everything the kernel sends on it (such as its answer to our
 * first ARP request) is dropped. Without the wait, a host that speaks first
 * loses that answer and waits a whole ARP retry (1 s) to be heard.
 * IFF_RUNNING (operstate up) is set by that same work. After
 * RUNNING_WAIT_MS we go on anyway: the ARP retries cope. */
static int set_link_up(const char *name)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    int err = 0;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
        err = -errno;
    } else if (!(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            err = -errno;
    }
    for (int waited = 0; err == 0 && waited < RUNNING_WAIT_MS; waited++) {
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags & IFF_RUNNING))
            break;
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
    close(s);
    return err;
}

/* Ask for the header's form and the offloads. 0, or a negative errno. */
static int set_offloads(int fd)
{
    int hdr_len = VNET_HDR_LEN, little_endian = 1;
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 || ioctl(fd, TUNSETVNETLE, &little_endian) < 0 ||
        ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0)
        return -errno;
    return 0;
}

int naru_tap_open(const char *name, struct naru_tap **out)
{
    return naru_tap_open_offload(name, false, out);
}

int naru_tap_open_offload(const char *name, bool offload, struct naru_tap **out)
{
    if (!name || strlen(name) >= IFNAMSIZ || !*name)
        return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0));
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    if (offload && set_offloads(fd) < 0) {
        /* A kernel that refuses: the header cannot be dropped from this
         * attachment, so attach again without. */
        close(fd);
        return naru_tap_open_offload(name, false, out);
    }
    if (!offload) {
        /* A persistent device keeps the offloads its last user asked for;
         * left on, the kernel would hand us 64 KiB frames with partial
         * checksums and no header to say so. */
        ioctl(fd, TUNSETOFFLOAD, 0ul);
    }
    int err = set_link_up(ifr.ifr_name);
    struct naru_tap *tap = calloc(1, sizeof *tap);
    if (err < 0 || !tap) {
        free(tap);
        close(fd);
        return err < 0 ? err : -ENOMEM;
    }
    tap->fd = fd;
    tap->vnet = offload;
    snprintf(tap->name, sizeof tap->name, "%s", ifr.ifr_name);
    *out = tap;
    return 0;
}

void naru_tap_close(struct naru_tap *tap)
{
    if (!tap)
        return;
    close(tap->fd);
    free(tap);
}

int naru_tap_fd(const struct naru_tap *tap)
{
    return tap->fd;
}

const char *naru_tap_name(const struct naru_tap *tap)
{
    return tap->name;
}

int naru_tap_mtu(const struct naru_tap *tap)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", tap->name);
    int r = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
    close(s);
    return r;
}

bool naru_tap_has_offloads(const struct naru_tap *tap)
{
    return tap->vnet;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int tap_transmit_offload(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta)
{
    struct naru_tap *tap = ctx;
    ssize_t n;
    if (!tap->vnet) {
        n = write(tap->fd, frame, len);
    } else {
        /* struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size,
         * csum_start, csum_offset. */
        uint8_t hdr[VNET_HDR_LEN];
        memset(hdr, 0, sizeof hdr);
        if (meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL)) {
            hdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
            put_le16(hdr + 6, meta->csum_start);
            put_le16(hdr + 8, meta->csum_offset);
        }
        if (meta && (meta->flags & (NARU_FRAME_GSO_TCP4 | NARU_FRAME_GSO_TCP6))) {
            hdr[1] = meta->flags & NARU_FRAME_GSO_TCP6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
            put_le16(hdr + 2, meta->hdr_len);
            put_le16(hdr + 4, meta->gso_size);
        } else {
            hdr[1] = VIRTIO_NET_HDR_GSO_NONE;
        }
        struct iovec iov[2] = { { hdr, sizeof hdr }, { (void *)frame, len } };
        n = writev(tap->fd, iov, 2);
    }
    if (n < 0)
        return errno == EAGAIN ? -ENOBUFS : -errno;
    return 0;
}

static int tap_transmit(void *ctx, const uint8_t *frame, size_t len)
{
    return tap_transmit_offload(ctx, frame, len, NULL);
}

struct naru_driver naru_tap_driver(struct naru_tap *tap)
{
    struct naru_driver d = { .transmit = tap_transmit, .ctx = tap };
    if (tap->vnet) {
        d.offloads = NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_TX_TSO6 | NARU_OFFLOAD_RX_LARGE;
        d.tso_max = 65535; /* an IPv4 datagram's limit; the kernel's gso_max_size is 64 KiB */
        d.transmit_offload = tap_transmit_offload;
    }
    return d;
}

long naru_tap_read(struct naru_tap *tap, uint8_t *buf, size_t cap)
{
    return naru_tap_read_meta(tap, buf, cap, NULL);
}

long naru_tap_read_meta(struct naru_tap *tap, uint8_t *buf, size_t cap, struct naru_frame_meta *meta)
{
    if (meta)
        memset(meta, 0, sizeof *meta);
    if (!tap->vnet) {
        ssize_t n = read(tap->fd, buf, cap);
        if (n < 0)
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
        return (long)n;
    }
    uint8_t hdr[VNET_HDR_LEN];
    struct iovec iov[2] = { { hdr, sizeof hdr }, { buf, cap } };
    ssize_t n = readv(tap->fd, iov, 2);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (n < VNET_HDR_LEN)
        return -EIO;
    if (meta) {
        if (hdr[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
            meta->flags |= NARU_FRAME_CSUM_PARTIAL;
            meta->csum_start = get_le16(hdr + 6);
            meta->csum_offset = get_le16(hdr + 8);
        } else if (hdr[0] & VIRTIO_NET_HDR_F_DATA_VALID) {
            meta->flags |= NARU_FRAME_CSUM_VALID;
        }
        /* Only TCP was asked for (TUN_F_TSO4, TUN_F_TSO6); the ECN bit
         * does not change how the segments were cut. */
        uint16_t gso_size = get_le16(hdr + 4);
        uint8_t gso_type = hdr[1] & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
        if ((gso_type == VIRTIO_NET_HDR_GSO_TCPV4 || gso_type == VIRTIO_NET_HDR_GSO_TCPV6) && gso_size) {
            meta->flags |= gso_type == VIRTIO_NET_HDR_GSO_TCPV6 ? NARU_FRAME_GSO_TCP6 : NARU_FRAME_GSO_TCP4;
            meta->gso_size = gso_size;
        }
    }
    return (long)(n - VNET_HDR_LEN);
}
