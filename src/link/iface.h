/* Network interfaces: a driver, a MAC address, an MTU and one IPv4 address. */
#ifndef NARU_LINK_IFACE_H
#define NARU_LINK_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_stack;
struct pbuf;

struct naru_iface {
    bool up;
    int ifindex;
    char name[NARU_IFNAME_MAX];
    uint8_t mac[6];
    uint32_t mtu;
    uint32_t addr;             /* 0 until configured */
    uint8_t prefix_len;
    uint32_t netmask;
    struct naru_driver driver;
    naru_frame_tap_fn tap;
    void *tap_ctx;
};

struct naru_iface *iface_get(struct naru_stack *stack, int ifindex);
/* Is addr one of ours, on any interface that is up? */
bool iface_owns_addr(const struct naru_stack *stack, uint32_t addr);
/* The limited broadcast, or the directed broadcast of iface's subnet. */
bool iface_is_broadcast(const struct naru_iface *iface, uint32_t addr);
/* Hand a finished frame (pb->data at the Ethernet header) to the driver and
 * free the pbuf. A partial checksum (PBUF_F_CSUM_PARTIAL) goes to a driver
 * that takes it as such and is completed here for one that does not. */
void iface_transmit(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* Do a device's work on a checksum left partial (PBUF_F_CSUM_PARTIAL):
 * complete it in place, for a frame no device will see whole. */
void iface_checksum_complete(struct pbuf *pb);
/* Does the interface's driver offer all of `offloads` (NARU_OFFLOAD_*)? */
static inline bool iface_offers(const struct naru_iface *iface, uint32_t offloads)
{
    return (iface->driver.offloads & offloads) == offloads;
}
/* May a TCP frame of merged segments (GSO), an IP datagram of `len`
 * bytes, go out of this interface whole? */
static inline bool iface_takes_gso(const struct naru_iface *iface, size_t len)
{
    return iface_offers(iface, NARU_OFFLOAD_TX_TSO4) && len <= iface->driver.tso_max;
}

#endif
