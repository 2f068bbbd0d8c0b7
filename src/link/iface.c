#include "link/iface.h"

#include <string.h>

#include "core/log.h"
#include "ip/addrconf.h"
#include "ip/autoconf.h"
#include "ip/ipv6.h"
#include "link/arp.h"
#include "link/ethernet.h"
#include "naru/addr.h"
#include "stack.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

struct naru_iface *iface_get(struct naru_stack *stack, int ifindex)
{
    if (ifindex < 0 || (uint32_t)ifindex >= stack->iface_count)
        return NULL;
    return &stack->ifaces[ifindex];
}

/* A datagram's destination is checked against every interface's address
 * on each hop, twice (iface_owns_addr): on a router that is mostly not
 * ours, and a bit per address set lets that be known at once. Bits are
 * never taken back: an address replaced only costs the scan. */
static unsigned addr4_bit(uint32_t addr)
{
    return (unsigned)((addr * 0x9e3779b1u) >> 24);
}

bool iface_owns_addr(const struct naru_stack *stack, uint32_t addr)
{
    unsigned bit = addr4_bit(addr);
    if (!(stack->addr4_filter[bit / 64] >> (bit % 64) & 1))
        return false;
    for (uint32_t i = 0; i < stack->iface_count; i++) {
        const struct naru_iface *iface = &stack->ifaces[i];
        if (iface->up && iface->addr == addr && addr != 0)
            return true;
    }
    return false;
}

bool iface_is_broadcast(const struct naru_iface *iface, uint32_t addr)
{
    if (addr == 0xffffffffu)
        return true;
    /* RFC 3021: a /31 has no broadcast address; a /32 has no subnet. */
    return iface->addr && iface->prefix_len < 31 && addr == (iface->addr | ~iface->netmask);
}

/* What a device does with a partial checksum (NARU_FRAME_CSUM_PARTIAL):
 * the field holds the pseudo-header's sum, so the ones'-complement sum from
 * `start` to the end, field included, folds to the checksum (RFC 1071).
 * Returns the partial value it replaced. */
static uint16_t checksum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
    uint8_t *field = frame + start + offset;
    uint16_t partial = wire_get16(field);
    uint16_t sum = inet_fold(inet_sum(frame + start, len - start, 0));
    if (offset == UDP_CHECKSUM_OFFSET && sum == 0)
        sum = 0xffff; /* RFC 768: 0 would mean "no checksum" */
    wire_put16(field, sum);
    return partial;
}

/* Is the partial checksum of a frame of len bytes within it? */
static bool checksum_fits(size_t len, size_t start, size_t offset)
{
    return start + offset + 2 <= len;
}

void iface_checksum_complete(struct pbuf *pb)
{
    if (!(pb->flags & PBUF_F_CSUM_PARTIAL))
        return;
    pb->flags &= (uint8_t)~PBUF_F_CSUM_PARTIAL;
    size_t at = (size_t)(pb->data - pb->base);
    if (pb->csum_start >= at)
        iface_frame_checksum_complete(pb->data, pb->len, pb->csum_start - at, pb->csum_offset);
}

bool iface_frame_checksum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
    if (!checksum_fits(len, start, offset))
        return false;
    checksum_complete(frame, len, start, offset);
    return true;
}

void iface_transmit(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    struct naru_frame_meta meta = { 0 };
    size_t at = (size_t)(pb->data - pb->base);
    if ((pb->flags & PBUF_F_CSUM_PARTIAL) &&
        (pb->csum_start < at || !checksum_fits(pb->len, pb->csum_start - at, pb->csum_offset)))
        pb->flags &= (uint8_t)~PBUF_F_CSUM_PARTIAL; /* cannot happen: it was put in the frame */
    if (pb->flags & PBUF_F_CSUM_PARTIAL) {
        if (iface_offers(iface, NARU_OFFLOAD_TX_CSUM)) {
            meta.flags |= NARU_FRAME_CSUM_PARTIAL;
            meta.csum_start = (uint16_t)(pb->csum_start - at);
            meta.csum_offset = pb->csum_offset;
        } else {
            /* A plain device (a route that moved, a forwarded frame): do
             * the device's work. */
            iface_checksum_complete(pb);
        }
    }
    if (pb->gso_size) {
        stack->counters.link_tx_tso++;
        meta.flags |= wire_get16(pb->data + 12) == ETHERTYPE_IPV6 ? NARU_FRAME_GSO_TCP6 : NARU_FRAME_GSO_TCP4;
        meta.gso_size = pb->gso_size;
        meta.hdr_len = (uint16_t)(pb->headers_end - at);
    }
    if (iface->tap) {
        /* Captures show the checksum the device will put in, so Wireshark
         * and tshark find it right; the device still gets the partial one. */
        if (meta.flags & NARU_FRAME_CSUM_PARTIAL) {
            uint16_t partial = checksum_complete(pb->data, pb->len, meta.csum_start, meta.csum_offset);
            iface->tap(iface->tap_ctx, stack->now, iface->ifindex, NARU_DIR_OUT, pb->data, pb->len);
            wire_put16(pb->data + meta.csum_start + meta.csum_offset, partial);
        } else {
            iface->tap(iface->tap_ctx, stack->now, iface->ifindex, NARU_DIR_OUT, pb->data, pb->len);
        }
    }
    uint32_t len = pb->len;
    /* A frame in a buffer lent to this stack (one it forwards, or a
     * reply written over a request) goes on in that buffer, uncopied. */
    int err = IFACE_NOT_TAKEN;
    if (pb->pool == PBUF_POOL_LENT && iface->transmit_lent && !pb->gso_size) {
        err = iface->transmit_lent(iface->driver.ctx, stack->buffers.lender, pb, &meta);
        if (err != IFACE_NOT_TAKEN) {
            pbuf_pools_hand_on(&stack->buffers, pb);
            pb = NULL;
        }
    }
    if (err == IFACE_NOT_TAKEN)
        err = iface->driver.transmit_offload ? iface->driver.transmit_offload(iface->driver.ctx, pb->data, len, &meta)
                                             : iface->driver.transmit(iface->driver.ctx, pb->data, len);
    if (err < 0) {
        stack->counters.link_tx_driver_errors++;
    } else {
        stack->counters.link_tx_frames++;
        stack->counters.link_tx_bytes += len;
    }
    if (pb)
        pbuf_free(stack, pb);
}

int naru_if_add(struct naru_stack *stack, const struct naru_if_config *config)
{
    if (!config || !config->driver.transmit)
        return -EINVAL;
    uint32_t mtu = config->mtu ? config->mtu : 1500;
    if (mtu < 68 || mtu > 65535 || mtu + ETH_HEADER_LEN + ETH_VLAN_TAG_LEN + PBUF_HEADROOM > stack->buffers.frame.buffer_size)
        return -EINVAL; /* RFC 791: every host must take 68-byte datagrams */
    /* Offloads: transmit ones need the transmit op that takes metadata;
     * TSO needs checksum offload (each segment's checksum is the device's
     * to compute) and a size above the MTU; large frames in need the large
     * buffers to land in. */
    const struct naru_driver *d = &config->driver;
    uint32_t known = NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_TX_TSO6 | NARU_OFFLOAD_RX_LARGE;
    uint32_t tso = NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_TX_TSO6;
    if ((d->offloads & ~known) ||
        ((d->offloads & (NARU_OFFLOAD_TX_CSUM | tso)) && !d->transmit_offload) ||
        ((d->offloads & tso) &&
         (!(d->offloads & NARU_OFFLOAD_TX_CSUM) || d->tso_max <= mtu || d->tso_max > IPV4_MAX_DATAGRAM)) ||
        ((d->offloads & NARU_OFFLOAD_RX_LARGE) && stack->buffers.large.count == 0))
        return -EINVAL;
    if (stack->iface_count < stack->config.interfaces) {
        uint32_t i = stack->iface_count++;
        struct naru_iface *iface = &stack->ifaces[i];
        memset(iface, 0, sizeof *iface);
        iface->ifindex = (int)i;
        snprintf(iface->name, sizeof iface->name, "%s", config->name ? config->name : "eth");
        memcpy(iface->mac, config->mac, 6);
        iface->mtu = mtu;
        iface->driver = config->driver;
        return (int)i;
    }
    return -ENOSPC;
}

unsigned naru_if_count(const struct naru_stack *stack)
{
    return stack->iface_count;
}

/* The interface is up: IPv6 autoconfiguration starts (once), unless
 * IPv6 is off; a router's interface solicits no advertisements. */
static void ipv6_up(struct naru_stack *stack, struct naru_iface *iface)
{
    iface->up = true;
    if (stack->config.ipv6)
        autoconf_iface_up(stack, iface, stack->config.forwarding);
}

int naru_if_up(struct naru_stack *stack, int ifindex)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return -EINVAL;
    if (!stack->config.ipv6)
        return -EAFNOSUPPORT;
    ipv6_up(stack, iface);
    return 0;
}

int naru_if_set_addr(struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t prefix_len)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface || prefix_len > 32 || addr == 0)
        return -EINVAL;
    if (iface->addr) {
        struct naru_addr old = naru_addr_v4(iface->addr & iface->netmask);
        naru_route_del(stack, &old, iface->prefix_len);
    }
    iface->addr = addr;
    unsigned bit = addr4_bit(addr);
    stack->addr4_filter[bit / 64] |= 1ull << (bit % 64);
    iface->prefix_len = prefix_len;
    iface->netmask = naru_prefix_mask(prefix_len);
    iface->up = true;
    stack->routes.version++; /* routes through it may be usable now */
    struct naru_addr connected = naru_addr_v4(addr & iface->netmask);
    int err = naru_route_add(stack, &connected, prefix_len, NULL, ifindex);
    if (err < 0 && err != -EEXIST)
        return err;
    char a[NARU_IP4_STRLEN], m[NARU_MAC_STRLEN];
    LOG_INFO(stack, NARU_LAYER_LINK, "%s is up: %s/%u, MAC %s, MTU %u", iface->name,
             naru_ip4_format(addr, a), prefix_len, naru_mac_format(iface->mac, m), iface->mtu);
    arp_announce(stack, iface);
    ipv6_up(stack, iface);
    return 0;
}

/* A configured IPv6 address is assigned at once (no duplicate address
 * detection yet) with infinite lifetimes, and its prefix is on-link, as
 * `ip addr add` does. */
static int add_addr6(struct naru_stack *stack, struct naru_iface *iface, const struct naru_addr *addr,
                     uint8_t prefix_len)
{
    if (prefix_len > 128 || naru_addr_is_v4_mapped(addr))
        return -EINVAL;
    if (!stack->config.ipv6)
        return -EAFNOSUPPORT;
    /* In use at once, with duplicate address detection all the same
     * (RFC 4429 optimistic): a conflict drops it (ip/addrconf.c). */
    int err = addrconf_add(stack, iface, addr->v6, prefix_len, IFA6_STATIC | IFA6_OPTIMISTIC, NARU_NEVER,
                           NARU_NEVER, true, 0);
    if (err < 0)
        return err;
    stack->routes.version++; /* routes through it may be usable now */
    if (prefix_len < 128) {
        struct naru_addr prefix = naru_addr_mask(addr, prefix_len);
        err = naru_route_add(stack, &prefix, prefix_len, NULL, iface->ifindex);
        if (err < 0 && err != -EEXIST) {
            addrconf_remove(stack, iface, addr->v6);
            return err;
        }
    }
    char a[NARU_ADDR_STRLEN];
    LOG_INFO(stack, NARU_LAYER_LINK, "%s has %s/%u", iface->name, naru_addr_format(addr, a), prefix_len);
    ipv6_up(stack, iface); /* and its link-local address */
    return 0;
}

int naru_if_add_addr(struct naru_stack *stack, int ifindex, const struct naru_addr *addr, uint8_t prefix_len)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface || !addr)
        return -EINVAL;
    switch (addr->family) {
    case NARU_AF_INET:
        return naru_if_set_addr(stack, ifindex, addr->v4, prefix_len);
    case NARU_AF_INET6:
        return add_addr6(stack, iface, addr, prefix_len);
    default:
        return -EAFNOSUPPORT;
    }
}

int naru_if_get_addr(const struct naru_stack *stack, int ifindex, uint32_t *addr, uint8_t *prefix_len)
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    if (!iface)
        return -EINVAL;
    if (addr)
        *addr = iface->addr;
    if (prefix_len)
        *prefix_len = iface->prefix_len;
    return 0;
}

int naru_if_get_addrs(const struct naru_stack *stack, int ifindex, struct naru_if_addr *out, unsigned cap)
{
    const struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    if (!iface || (!out && cap))
        return -EINVAL;
    unsigned n = 0;
    if (iface->addr) {
        if (n < cap)
            out[n] = (struct naru_if_addr){ .addr = naru_addr_v4(iface->addr), .prefix_len = iface->prefix_len };
        n++;
    }
    for (uint8_t i = 0; i < iface->addr6_count; i++, n++) {
        if (n >= cap)
            continue;
        const struct iface_addr6 *a = &iface->addr6[i];
        uint8_t flags = (uint8_t)((a->state == IFA6_TENTATIVE ? NARU_IFA_TENTATIVE : 0) |
                                  (a->state == IFA6_DEPRECATED ? NARU_IFA_DEPRECATED : 0) |
                                  (a->flags & IFA6_AUTOCONF ? NARU_IFA_AUTOCONF : 0));
        out[n] = (struct naru_if_addr){ .addr = naru_addr_v6(a->addr), .prefix_len = a->prefix_len, .flags = flags };
    }
    return (int)n;
}

const char *naru_if_name(const struct naru_stack *stack, int ifindex)
{
    const struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    return iface ? iface->name : NULL;
}

int naru_if_index(const struct naru_stack *stack, const char *name)
{
    for (uint32_t i = 0; name && i < stack->iface_count; i++)
        if (strcmp(stack->ifaces[i].name, name) == 0)
            return (int)i;
    return -ENODEV;
}

int naru_if_get_mac(const struct naru_stack *stack, int ifindex, uint8_t mac[6])
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    if (!iface)
        return -EINVAL;
    memcpy(mac, iface->mac, 6);
    return 0;
}

uint32_t naru_if_mtu(const struct naru_stack *stack, int ifindex)
{
    struct naru_iface *iface = iface_get((struct naru_stack *)stack, ifindex);
    return iface ? iface->mtu : 0;
}

int naru_if_set_tap(struct naru_stack *stack, int ifindex, naru_frame_tap_fn fn, void *ctx)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return -EINVAL;
    iface->tap = fn;
    iface->tap_ctx = ctx;
    return 0;
}

void naru_stack_input(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len)
{
    naru_stack_input_offload(stack, ifindex, frame, len, NULL);
}

/* May a frame of len bytes come in on iface? Counted if not. */
static bool rx_acceptable(struct naru_stack *stack, const struct naru_iface *iface, size_t len)
{
    /* A large frame only from a driver that merges segments (GSO). */
    size_t largest = iface_offers(iface, NARU_OFFLOAD_RX_LARGE) ? IPV4_MAX_DATAGRAM : iface->mtu;
    if (!iface->up)
        stack->counters.link_rx_interface_down++;
    else if (len > largest + ETH_HEADER_LEN + 2 * ETH_VLAN_TAG_LEN)
        stack->counters.link_rx_malformed++;
    else
        return true;
    return false;
}

/* A frame in its pbuf, up the stack. A partial checksum is captured
 * completed, as the device would have completed it: the capture reads
 * right, and the checksum, now whole, is known good. */
static void rx_deliver(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, bool partial)
{
    if (iface->tap && partial) {
        checksum_complete(pb->data, pb->len, pb->csum_start - pbuf_headroom(pb), pb->csum_offset);
        pb->flags = (uint8_t)((pb->flags & ~PBUF_F_RX_CSUM_PARTIAL) | PBUF_F_RX_CSUM_VALID);
        iface->tap(iface->tap_ctx, stack->now, iface->ifindex, NARU_DIR_IN, pb->data, pb->len);
    }
    eth_input(stack, iface, pb);
}

void naru_stack_input_offload(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len,
                              const struct naru_frame_meta *meta)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return;
    stack->counters.link_rx_frames++;
    stack->counters.link_rx_bytes += len;
    bool partial = meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL) &&
                   checksum_fits(len, meta->csum_start, meta->csum_offset);
    /* A partial checksum is captured completed, from the copy below. */
    if (iface->tap && !partial)
        iface->tap(iface->tap_ctx, stack->now, ifindex, NARU_DIR_IN, frame, len);
    struct pbuf *pb = rx_acceptable(stack, iface, len) ? pbuf_alloc(stack, PBUF_HEADROOM, len) : NULL;
    if (!pb) {
        if (iface->tap && partial)
            iface->tap(iface->tap_ctx, stack->now, ifindex, NARU_DIR_IN, frame, len);
        return;
    }
    memcpy(pb->data, frame, len);
    pb->ifindex = (int16_t)ifindex;
    if (meta) {
        if (meta->flags & NARU_FRAME_CSUM_VALID)
            pb->flags |= PBUF_F_RX_CSUM_VALID;
        if (partial) {
            pb->flags |= PBUF_F_RX_CSUM_PARTIAL;
            pb->csum_start = (uint16_t)(PBUF_HEADROOM + meta->csum_start);
            pb->csum_offset = meta->csum_offset;
        }
        if ((meta->flags & (NARU_FRAME_GSO_TCP4 | NARU_FRAME_GSO_TCP6)) && iface_offers(iface, NARU_OFFLOAD_RX_LARGE)) {
            pb->rx_gso_size = meta->gso_size;
            stack->counters.link_rx_gso++;
        }
    }
    rx_deliver(stack, iface, pb, partial);
}

void iface_use_lender(struct naru_stack *stack, int ifindex, struct pbuf_pool *lender,
                      int (*transmit_lent)(void *ctx, struct pbuf_pool *lender, struct pbuf *pb,
                                           const struct naru_frame_meta *meta))
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface)
        return;
    iface->transmit_lent = transmit_lent;
    pbuf_pools_borrow_from(&stack->buffers, lender);
}

void iface_input_lent(struct naru_stack *stack, int ifindex, struct pbuf *pb, struct pbuf_pool *lender)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (!iface) {
        pbuf_lend_return(lender, pb);
        return;
    }
    stack->counters.link_rx_frames++;
    stack->counters.link_rx_bytes += pb->len;
    bool partial = pb->flags & PBUF_F_RX_CSUM_PARTIAL;
    if (iface->tap && !partial)
        iface->tap(iface->tap_ctx, stack->now, ifindex, NARU_DIR_IN, pb->data, pb->len);
    if (!rx_acceptable(stack, iface, pb->len) || !pbuf_pools_land(&stack->buffers, lender, pb)) {
        if (iface->tap && partial)
            iface->tap(iface->tap_ctx, stack->now, ifindex, NARU_DIR_IN, pb->data, pb->len);
        pbuf_lend_return(lender, pb);
        return;
    }
    pb->ifindex = (int16_t)ifindex;
    rx_deliver(stack, iface, pb, partial);
}
