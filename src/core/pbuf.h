/* Packet buffers from pools bounded when the stack is created.
 *
 * A pbuf is one contiguous buffer with headroom, so each layer prepends its
 * header in place on the way down and strips it on the way up. Two pools:
 * frame-sized buffers for ordinary packets, and a few 64 KiB buffers for
 * reassembly and large datagrams. An empty pool means a counted drop. A
 * stack may also take in frame buffers lent to it (pbuf_lend, below). */
#ifndef NARU_CORE_PBUF_H
#define NARU_CORE_PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/stack.h"

struct naru_counters;

/* Room for Ethernet + IPv4 + TCP headers with all options, and a VLAN tag. */
#define PBUF_HEADROOM 160
/* Largest IP payload, its header, and headroom in front. */
#define PBUF_LARGE_SIZE (PBUF_HEADROOM + 65536 + 64)

enum pbuf_pool_id { PBUF_POOL_FRAME, PBUF_POOL_LARGE, PBUF_POOL_LENT };

/* How a received packet was addressed: RFC 1122 3.2.2 forbids ICMP errors
 * about datagrams sent to a broadcast address. */
#define PBUF_F_LINK_BROADCAST 0x01
#define PBUF_F_IP_BROADCAST 0x02
/* Checksum offload (naru_frame_meta). Going out: the TCP/UDP checksum at
 * csum_start + csum_offset holds only the pseudo-header's sum, for the
 * device to complete. Coming in: the same, as a trusted local sender left
 * it; or the device verified the checksum. The two directions have their
 * own bits (and gso_size its rx_ twin), so a received pbuf reused for a
 * reply (ARP, ICMP echo) never carries the sender's offload state out. */
#define PBUF_F_CSUM_PARTIAL 0x04
#define PBUF_F_RX_CSUM_PARTIAL 0x08
#define PBUF_F_RX_CSUM_VALID 0x10

struct pbuf {
    struct pbuf *next;         /* queue link, owned by whoever holds the pbuf */
    uint8_t *base;
    uint8_t *data;             /* first valid byte */
    uint32_t len;              /* valid bytes */
    uint32_t cap;              /* bytes at base */
    uint8_t pool;
    uint8_t flags;             /* PBUF_F_* */
    int16_t ifindex;           /* interface it arrived on */
    uint16_t network_offset;   /* IP header, from base: quoted by ICMP errors */
    /* Offloads (link/iface.c): where a partial checksum starts (the
     * transport header, from base) and its field (from there); for merged
     * TCP segments, the payload bytes per segment on the wire, going out
     * (TSO, with where the TCP header ends, from base) or as they came in
     * (GSO). 0 when not in use. */
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t gso_size;
    uint16_t headers_end;
    uint16_t rx_gso_size;
    /* Scratch for the layer holding the pbuf (a UDP queue keeps the sender). */
    struct naru_addr meta_addr;
    uint16_t meta_port;
    uint8_t meta_ttl;
    naru_time_t meta_time;
};

/* A pool's buffers are memory only once used: they are carved in chunks
 * as the pool first needs them, up to `count`, and kept until the pool
 * goes. Each chunk holds its buffers' descriptors too, each just before
 * its buffer, and chunks double (PBUF_CHUNK_FIRST frame buffers, then as
 * many as carved so far, at most PBUF_CHUNK_MAX; one large buffer at a
 * time): a stack that never holds more than a couple of buffers at once
 * costs a couple, however large its pool may grow, which is what lets ten
 * thousand simulated hosts fit. */
#define PBUF_CHUNK_FIRST 2
#define PBUF_CHUNK_MAX 32

struct pbuf_chunk;

struct pbuf_pool {
    struct pbuf *free_list;
    struct pbuf_chunk *chunks; /* carved so far, newest first */
    uint32_t count;
    uint32_t carved;
    uint32_t buffer_size;
    uint32_t in_use;
    uint8_t id;
};

/* The two pools a stack allocates from, and the counters an empty pool
 * counts into (buffers_*_exhausted). The stack's pbuf_alloc() and
 * pbuf_free() (src/stack.h) are these on its own pools. */
struct pbuf_pools {
    struct pbuf_pool frame;
    struct pbuf_pool large;
    struct pbuf_pool *lender;  /* where buffers lent to this stack go back */
    struct naru_counters *counters;
};

/* frame_count buffers of frame_size bytes and large_count of
 * PBUF_LARGE_SIZE, allocated as they are first taken: 0. */
int pbuf_pools_init(struct pbuf_pools *pools, uint32_t frame_count, uint32_t frame_size,
                    uint32_t large_count, struct naru_counters *counters);
void pbuf_pools_fini(struct pbuf_pools *pools);
static inline unsigned pbuf_pools_in_use(const struct pbuf_pools *pools)
{
    return pools->frame.in_use + pools->large.in_use;
}

/* A buffer with `headroom` bytes before data and room for `len` bytes of
 * data; data->len = len. NULL (counted) when the pool is empty. */
struct pbuf *pbuf_pools_alloc(struct pbuf_pools *pools, size_t headroom, size_t len);
void pbuf_pools_free(struct pbuf_pools *pools, struct pbuf *pb);

/* A lender: frame buffers shared by many stacks, for frames on their way
 * to one (the simulator's links), so one copy moves a frame from a sender
 * to its receiver. The lender has no bound of its own; a buffer taken in
 * by a stack (pbuf_pools_land) counts in that stack's frame pool as if
 * taken from it, so the stack's limit holds as when it copied the frame
 * in, and goes back to the lender when the stack frees it. Shared, the
 * buffers in flight cost the peak of all of them at once, not the sum of
 * each stack's own peak. */
void pbuf_lender_init(struct pbuf_pool *lender, uint32_t buffer_size);
void pbuf_lender_fini(struct pbuf_pool *lender);
/* NULL when it does not fit or memory is out. */
struct pbuf *pbuf_lend(struct pbuf_pool *lender, size_t headroom, size_t len);
/* Back unused (lost on the way, or refused by pbuf_pools_land). */
void pbuf_lend_return(struct pbuf_pool *lender, struct pbuf *pb);
/* A lent buffer a stack took in goes on holding a frame it sends (one it
 * forwards, given to the simulator's link as it is): the link clears its
 * per-layer fields as pbuf_lend() leaves them, keeping data and len... */
void pbuf_lend_again(struct pbuf *pb);
/* ...and the stack no longer counts it in its pool. */
void pbuf_pools_hand_on(struct pbuf_pools *pools, struct pbuf *pb);
/* The stack takes a lent buffer as its own: false (counted in
 * buffers_frame_exhausted, still the lender's) when all its frame
 * buffers are in use. */
bool pbuf_pools_land(struct pbuf_pools *pools, struct pbuf_pool *lender, struct pbuf *pb);
/* From now on the stack's frame buffers that fit a lent one come from the
 * lender too (still counted, and bounded, as its own): see pbuf.c's
 * borrow(). */
void pbuf_pools_borrow_from(struct pbuf_pools *pools, struct pbuf_pool *lender);

static inline size_t pbuf_headroom(const struct pbuf *pb)
{
    return (size_t)(pb->data - pb->base);
}
static inline size_t pbuf_tailroom(const struct pbuf *pb)
{
    return pb->cap - pbuf_headroom(pb) - pb->len;
}
/* Prepend n bytes; NULL if there is no headroom. */
static inline uint8_t *pbuf_push(struct pbuf *pb, size_t n)
{
    if (pbuf_headroom(pb) < n)
        return NULL;
    pb->data -= n;
    pb->len += (uint32_t)n;
    return pb->data;
}
/* Strip n bytes from the front (n <= len). */
static inline void pbuf_pull(struct pbuf *pb, size_t n)
{
    pb->data += n;
    pb->len -= (uint32_t)n;
}
static inline void pbuf_trim(struct pbuf *pb, size_t len)
{
    if (len < pb->len)
        pb->len = (uint32_t)len;
}
static inline uint8_t *pbuf_network_header(const struct pbuf *pb)
{
    return pb->base + pb->network_offset;
}
static inline void pbuf_mark_network_header(struct pbuf *pb)
{
    pb->network_offset = (uint16_t)(pb->data - pb->base);
}
/* Does a partial checksum the driver marked (PBUF_F_RX_CSUM_PARTIAL) lie
 * past the network header just marked, header_len long, as a transport
 * checksum must? One inside the header would rewrite it when completed
 * (forwarding, a capture): the frame is dropped instead. */
static inline bool partial_checksum_past(const struct pbuf *pb, size_t header_len)
{
    return !(pb->flags & PBUF_F_RX_CSUM_PARTIAL) || pb->csum_start >= pb->network_offset + header_len;
}
/* May the transport layer skip verifying the checksum of the header at
 * pb->data, whose checksum field is at field_offset? Only if the device
 * verified it, or a trusted local sender left exactly this checksum
 * partial. */
static inline bool pbuf_checksum_trusted(const struct pbuf *pb, uint16_t field_offset)
{
    if (pb->flags & PBUF_F_RX_CSUM_VALID)
        return true;
    return (pb->flags & PBUF_F_RX_CSUM_PARTIAL) && pb->csum_start == (size_t)(pb->data - pb->base) &&
           pb->csum_offset == field_offset;
}

/* A FIFO of pbufs. */
struct pbuf_queue {
    struct pbuf *head;
    struct pbuf *tail;
    uint32_t count;
};
void pbuf_queue_push(struct pbuf_queue *q, struct pbuf *pb);
struct pbuf *pbuf_queue_pop(struct pbuf_queue *q);
/* Empty the queue, giving every pbuf back to its pool. */
void pbuf_queue_drain(struct pbuf_pools *pools, struct pbuf_queue *q);

#endif
