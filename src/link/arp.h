/* ARP (RFC 826): the wire side of resolving IPv4 neighbours. The cache and
 * its state machine are the neighbour cache's (link/neighbour.h); ARP
 * answers requests, learns from what it hears, and asks when the cache
 * says so: a broadcast request a second, three at most, for a neighbour
 * being resolved, and unicast probes (RFC 1122 2.3.2.1) for a stale one
 * still in use, five seconds after its first use (DELAY, as Linux). */
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
#define ARP_DELAY_FIRST_PROBE (5 * NARU_SEC)

/* ARP's ops for the neighbour cache (after neighbour_init()). */
void arp_init(struct naru_stack *stack);
/* pb->data at the ARP packet. Takes the pbuf. */
void arp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* Gratuitous ARP: announce iface's address (RFC 5227 2.3). */
void arp_announce(struct naru_stack *stack, struct naru_iface *iface);

#endif
