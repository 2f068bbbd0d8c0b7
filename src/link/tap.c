/* Linux TAP (IFF_TAP | IFF_NO_PI): one read or write per Ethernet frame. */
#include "naru/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct naru_tap {
    int fd;
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

int naru_tap_open(const char *name, struct naru_tap **out)
{
    if (!name || strlen(name) >= IFNAMSIZ || !*name)
        return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    int err = set_link_up(ifr.ifr_name);
    struct naru_tap *tap = calloc(1, sizeof *tap);
    if (err < 0 || !tap) {
        free(tap);
        close(fd);
        return err < 0 ? err : -ENOMEM;
    }
    tap->fd = fd;
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

static int tap_transmit(void *ctx, const uint8_t *frame, size_t len)
{
    struct naru_tap *tap = ctx;
    ssize_t n = write(tap->fd, frame, len);
    if (n < 0)
        return errno == EAGAIN ? -ENOBUFS : -errno;
    return 0;
}

struct naru_driver naru_tap_driver(struct naru_tap *tap)
{
    return (struct naru_driver){ .transmit = tap_transmit, .ctx = tap };
}

long naru_tap_read(struct naru_tap *tap, uint8_t *buf, size_t cap)
{
    ssize_t n = read(tap->fd, buf, cap);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    return (long)n;
}
