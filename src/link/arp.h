/* ARP (RFC 826) and the neighbour cache.
 *
 * An entry is INCOMPLETE while we ask (a request a second, three at most,
 * with a bounded queue of packets waiting), REACHABLE for a while after an
 * answer, then STALE: still used, but the next use asks again (PROBE). An
 * entry nobody confirms is dropped. */
#ifndef NARU_LINK_ARP_H
#define NARU_LINK_ARP_H

#include <stdint.h>

#include "core/pbuf.h"
#include "core/timer.h"

struct naru_stack;
struct naru_iface;

#define ARP_REQUEST_INTERVAL (1 * NARU_SEC)
#define ARP_MAX_REQUESTS 3
#define ARP_REACHABLE_TIME (30 * NARU_SEC)
#define ARP_STALE_TIME (60 * NARU_SEC)

enum arp_entry_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE, ARP_STALE, ARP_PROBE };

struct arp_entry {
    uint8_t state;
    int16_t ifindex;
    uint8_t requests_sent;
    uint8_t mac[6];
    uint32_t ip;
    naru_time_t last_used;
    struct pbuf_queue pending;
    struct naru_timer timer;
};

struct arp_table {
    struct arp_entry *entries;
    uint32_t count;
    struct arp_entry *last_hit;
};

int arp_init(struct naru_stack *stack);
void arp_fini(struct naru_stack *stack);
/* pb->data at the ARP packet. Takes the pbuf. */
void arp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* Send an IPv4 datagram to a neighbour, resolving it first. Takes the pbuf. */
void arp_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, uint32_t next_hop);
/* Gratuitous ARP: announce iface's address (RFC 5227 2.3). */
void arp_announce(struct naru_stack *stack, struct naru_iface *iface);

#endif
