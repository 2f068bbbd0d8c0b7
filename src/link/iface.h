/* Network interfaces: a driver, a MAC address, an MTU, one IPv4 address,
 * and a few IPv6 addresses (iface_addr6.c). */
#ifndef NARU_LINK_IFACE_H
#define NARU_LINK_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include "ip/addrconf.h"
#include "naru/stack.h"

struct naru_stack;
struct pbuf;
struct pbuf_pool;

/* IPv6 addresses an interface may hold at once: its link-local address,
 * and a few from SLAAC or configuration. */
#define IFACE_ADDR6_MAX 8

/* RFC 4862 2: a tentative address is not yet ours (duplicate address
 * detection runs); a deprecated one is still ours but not chosen for new
 * communication. */
enum iface_addr6_state { IFA6_TENTATIVE, IFA6_PREFERRED, IFA6_DEPRECATED };
#define IFA6_LINK_LOCAL 0x1        /* fe80::/10: set by iface_addr6_add() itself */
#define IFA6_AUTOCONF 0x2          /* from SLAAC (RFC 4862 5.5) */
#define IFA6_STATIC 0x4            /* configured by the user */
#define IFA6_OPTIMISTIC 0x8        /* RFC 4429: in use while DAD still runs (a user's address) */

struct iface_addr6 {
    uint8_t addr[16];
    uint8_t prefix_len;
    uint8_t state;             /* enum iface_addr6_state */
    uint8_t flags;             /* IFA6_* */
    naru_time_t valid_until;   /* the valid lifetime's end; NARU_NEVER: infinite */
    naru_time_t preferred_until; /* the preferred lifetime's end */
    /* Duplicate address detection (ip/addrconf.c): */
    naru_time_t dad_next;      /* the next probe, or DAD's end; NARU_NEVER: not running */
    uint8_t dad_probes_left;   /* neighbour solicitations still to send */
    uint8_t dad_counter;       /* RFC 7217 DAD_Counter it was formed with */
    uint8_t dad_nonce[6];      /* RFC 7527: our probes' nonce, to know them looped back */
};

/* What every IPv4 frame in or out reads comes first (two cache lines),
 * before the IPv6 addresses and autoconfiguration. */
struct naru_iface {
    bool up;
    int ifindex;
    uint8_t mac[6];
    uint32_t mtu;
    uint32_t addr;             /* 0 until configured */
    uint8_t prefix_len;
    uint32_t netmask;
    struct naru_driver driver;
    naru_frame_tap_fn tap;
    void *tap_ctx;
    /* The simulator's output path without a copy (iface_transmit): takes
     * a lent buffer (pbuf_lend) of `lender` holding the finished frame,
     * with driver.ctx, or returns IFACE_NOT_TAKEN having done nothing. */
    int (*transmit_lent)(void *ctx, struct pbuf_pool *lender, struct pbuf *pb, const struct naru_frame_meta *meta);
    char name[NARU_IFNAME_MAX];
    struct iface_addr6 addr6[IFACE_ADDR6_MAX];
    uint8_t addr6_count;
    struct addrconf_iface autoconf; /* IPv6 autoconfiguration and MLD (ip/addrconf.h) */
};

struct naru_iface *iface_get(struct naru_stack *stack, int ifindex);
/* The MTU for IP packets of `family` on iface: for IPv6, the one a router
 * advertised when below the link's (RFC 4861 6.3.4; checked on arrival). */
static inline uint32_t iface_ip_mtu(const struct naru_iface *iface, uint8_t family)
{
    uint32_t advertised = family == NARU_AF_INET6 ? iface->autoconf.rd.mtu : 0;
    return advertised && advertised < iface->mtu ? advertised : iface->mtu;
}
/* Is addr one of ours, on any interface that is up? */
bool iface_owns_addr(const struct naru_stack *stack, uint32_t addr);
/* ---- IPv6 addresses (iface_addr6.c) ---- */
/* Give iface an address, in `state`, with lifetimes counted from now
 * (NARU_NEVER: infinite; preferred <= valid), and bring the interface up.
 * No route comes with it: RFC 5942 has on-link prefixes come from router
 * advertisements or configuration, not from addresses. Returns 0,
 * -EEXIST, -ENOSPC (IFACE_ADDR6_MAX) or -EINVAL. */
int iface_addr6_add(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16],
                    uint8_t prefix_len, enum iface_addr6_state state, uint8_t flags,
                    naru_time_t valid_lifetime, naru_time_t preferred_lifetime);
/* 0 or -ENOENT. */
int iface_addr6_remove(struct naru_iface *iface, const uint8_t addr[16]);
/* The address's entry on iface, or NULL. */
struct iface_addr6 *iface_addr6_find(struct naru_iface *iface, const uint8_t addr[16]);
/* Is addr ours: assigned (preferred or deprecated, not tentative) on an
 * interface that is up? */
bool iface_owns_addr6(const struct naru_stack *stack, const uint8_t addr[16]);

/* The limited broadcast, or the directed broadcast of iface's subnet. */
bool iface_is_broadcast(const struct naru_iface *iface, uint32_t addr);
/* Hand a finished frame (pb->data at the Ethernet header) to the driver and
 * free the pbuf. A partial checksum (PBUF_F_CSUM_PARTIAL) goes to a driver
 * that takes it as such and is completed here for one that does not. */
void iface_transmit(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
#define IFACE_NOT_TAKEN 1
/* Do a device's work on a checksum left partial (PBUF_F_CSUM_PARTIAL):
 * complete it in place, for a frame no device will see whole. */
void iface_checksum_complete(struct pbuf *pb);
/* The same for a frame a driver holds, its checksum partial at start +
 * offset (struct naru_frame_meta): false if that is not within len. */
bool iface_frame_checksum_complete(uint8_t *frame, size_t len, size_t start, size_t offset);
/* The simulator's input path, without a copy: pb is a buffer of `lender`
 * (pbuf_lend) holding a frame, its data at the Ethernet header after
 * PBUF_HEADROOM, a partial checksum marked PBUF_F_RX_CSUM_PARTIAL at
 * csum_start (from base) and csum_offset. Taken in as
 * naru_stack_input_offload() takes a copy, or given back to the lender. */
void iface_input_lent(struct naru_stack *stack, int ifindex, struct pbuf *pb, struct pbuf_pool *lender);
/* The simulator's side of both: the interface's transmit_lent, and the
 * stack's frame buffers borrowed from `lender` (pbuf_pools_borrow_from),
 * so what it sends there goes on in the buffer it was written in. */
void iface_use_lender(struct naru_stack *stack, int ifindex, struct pbuf_pool *lender,
                      int (*transmit_lent)(void *ctx, struct pbuf_pool *lender, struct pbuf *pb,
                                           const struct naru_frame_meta *meta));
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
/* The same for a TCP/IPv6 packet of `len` bytes. */
static inline bool iface_takes_gso6(const struct naru_iface *iface, size_t len)
{
    return iface_offers(iface, NARU_OFFLOAD_TX_TSO6) && len <= iface->driver.tso_max;
}

#endif
