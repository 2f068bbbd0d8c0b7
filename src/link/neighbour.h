/* The neighbour cache: one design for ARP (IPv4) and Neighbor Discovery
 * (IPv6), with the states of RFC 4861 7.3.2.
 *
 * An entry is INCOMPLETE while we ask (solicitations a retransmission time
 * apart, a bounded queue of packets waiting), REACHABLE for a while after
 * an answer, then STALE: still used, but the first use starts DELAY, and if
 * nothing confirms the neighbour meanwhile, PROBE asks it directly. An
 * entry nobody confirms, or nobody uses, goes.
 *
 * Entries are keyed by (interface, address) in a keyed hash, and bounded:
 * resolved entries give way least recently used first; INCOMPLETE ones are
 * never evicted, and have a small bound of their own (RFC 6583 7.1), so a
 * scan of addresses that nobody answers cannot push resolved neighbours
 * out. What differs between ARP and NDP is in the ops: how to ask, what to
 * tell a sender whose packet could not be delivered, the timings and the
 * counters. */
#ifndef NARU_LINK_NEIGHBOUR_H
#define NARU_LINK_NEIGHBOUR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/pbuf.h"
#include "core/timer.h"
#include "naru/addr.h"

struct naru_stack;
struct naru_iface;

enum neighbour_state {
    NEIGH_FREE,
    NEIGH_INCOMPLETE,
    NEIGH_REACHABLE,
    NEIGH_STALE,
    NEIGH_DELAY,
    NEIGH_PROBE,
};

/* Why a packet was dropped, for the protocol's counters. */
enum neighbour_drop {
    NEIGH_DROP_QUEUE_FULL,     /* too many waiting on one neighbour (the oldest goes) */
    NEIGH_DROP_UNANSWERED,     /* the neighbour never answered */
    NEIGH_DROP_TABLE_FULL,     /* every entry is being resolved */
    NEIGH_DROP_INCOMPLETE_FULL, /* too many neighbours being resolved at once (RFC 6583) */
};

struct neighbour;

struct neighbour_ops {
    uint16_t ethertype;        /* of the packets sent to a neighbour */
    uint8_t layer;             /* enum naru_layer, for log lines */
    uint8_t max_multicast;     /* solicitations while INCOMPLETE (MAX_MULTICAST_SOLICIT) */
    uint8_t max_unicast;       /* probes in PROBE (MAX_UNICAST_SOLICIT) */
    naru_time_t retrans_time;  /* between solicitations (RetransTimer) */
    naru_time_t reachable_time; /* REACHABLE lasts this long after a confirmation */
    naru_time_t delay_first_probe; /* DELAY_FIRST_PROBE_TIME; 0: PROBE at once */
    naru_time_t stale_time;    /* an unused STALE entry goes after this */
    /* Ask for n's link-layer address: to `unicast` (PROBE), or to everyone
     * who may answer (NULL: INCOMPLETE). */
    void (*solicit)(struct naru_stack *stack, struct naru_iface *iface, const struct neighbour *n,
                    const uint8_t *unicast);
    /* A packet waiting for n could not be delivered: tell its sender.
     * Takes the pbuf (pb->data at the IP header). */
    void (*unreachable)(struct naru_stack *stack, struct pbuf *pb);
    /* Nobody answered for addr on iface: its entry is gone (NULL: nothing
     * to do). NDP drops it from the default routers (RFC 4861 6.3.6). */
    void (*unanswered)(struct naru_stack *stack, struct naru_iface *iface, const struct naru_addr *addr);
    /* Count `count` packets dropped for `why`. */
    void (*count_drop)(struct naru_stack *stack, enum neighbour_drop why, uint32_t count);
    /* The link's own ReachableTime (reachable) or RetransTimer, as a router
     * advertised them (RFC 4861 6.3.4), or 0: the figures above. NULL:
     * always those. */
    naru_time_t (*link_time)(const struct naru_iface *iface, bool reachable);
};

struct neighbour {
    struct naru_addr addr;
    uint8_t state;             /* enum neighbour_state */
    int16_t ifindex;
    uint8_t probes;            /* solicitations sent in this state */
    uint8_t mac[6];
    struct neighbour *hash_next; /* a bucket's chain, or the free list */
    struct neighbour *lru_prev, *lru_next; /* resolved entries, most recently used first */
    struct pbuf_queue pending; /* INCOMPLETE: packets waiting, oldest first */
    struct naru_timer timer;
};

struct neighbour_table {
    struct neighbour *entries;
    uint32_t count;
    struct neighbour **buckets;
    uint32_t bucket_mask;
    uint64_t hash_key, hash_mul; /* from the stack's secret: peers cannot aim at one bucket */
    struct neighbour *free_list;
    struct neighbour *lru_head, *lru_tail; /* every entry not FREE or INCOMPLETE */
    uint32_t incomplete;       /* entries INCOMPLETE now */
    uint32_t incomplete_max;
    struct neighbour *last_hit; /* most packets go where the last one went */
    const struct neighbour_ops *ops[2]; /* IPv4 (ARP), IPv6 (NDP) */
};

int neighbour_init(struct naru_stack *stack);
void neighbour_fini(struct naru_stack *stack);
/* The protocol that resolves addresses of `family` (NARU_AF_INET or
 * NARU_AF_INET6). */
void neighbour_set_ops(struct naru_stack *stack, uint8_t family, const struct neighbour_ops *ops);

/* The entry for addr on the interface, in any state but FREE; NULL if none. */
struct neighbour *neighbour_find(struct naru_stack *stack, int ifindex, const struct naru_addr *addr);
/* A new entry (STALE, no address yet: the caller updates it at once), for
 * a neighbour that made itself known; NULL when the table cannot take it. */
struct neighbour *neighbour_create(struct naru_stack *stack, int ifindex, const struct naru_addr *addr);
/* The neighbour is at `mac`: confirmed reachable (an answer to our
 * solicitation), or only heard of (STALE: RFC 4861 7.2.5's unsolicited
 * news). Packets waiting go out. */
void neighbour_update(struct naru_stack *stack, struct naru_iface *iface, struct neighbour *n,
                      const uint8_t mac[6], bool reachable);
/* RFC 4861 7.2.5: an advertisement that does not override a REACHABLE
 * entry's address makes it STALE, the address kept. */
void neighbour_mark_stale(struct naru_stack *stack, struct neighbour *n);
/* RFC 4861 7.3.1: an upper layer saw forward progress through addr (TCP:
 * new data acknowledged): a resolved entry is REACHABLE again, with no
 * probe. */
void neighbour_confirm(struct naru_stack *stack, int ifindex, const struct naru_addr *addr);
/* Send an IP datagram (pb->data at the IP header) to next_hop, a neighbour
 * on iface's link, resolving it first if need be. Takes the pbuf. */
void neighbour_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                      const struct naru_addr *next_hop);

static inline bool neighbour_resolved(const struct neighbour *n)
{
    return n->state != NEIGH_FREE && n->state != NEIGH_INCOMPLETE;
}

#endif
