/* Redirects taken in by a host (RFC 4861 8.1, 8.3): a first-hop router
 * says a destination is better reached through another router on the
 * link, or is itself on the link. naru's destination cache is the routing
 * table: a redirect becomes a /128 route, of which an interface keeps a
 * bounded few (the oldest gives way). */
#ifndef NARU_IP_REDIRECT_H
#define NARU_IP_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_stack;
struct naru_iface;
struct ndp_message;

#define REDIRECTS_MAX 8
/* RFC 4861 8.2: a router limits the redirects it sends; one a second per
 * interface, a burst of a few. */
#define REDIRECT_TX_INTERVAL (1 * NARU_SEC)
#define REDIRECT_TX_BURST 5

struct redirect_cache {
    uint8_t dst[REDIRECTS_MAX][16];
    uint8_t count;
    uint8_t oldest;            /* where the next one goes once full */
    /* As a router: a token bucket for the redirects sent. */
    bool tx_started;
    naru_time_t tx_credit;
    naru_time_t tx_last;
};

/* A redirect ndp_parse accepted, with its IPv6 header's source and hop
 * limit: checked further (RFC 4861 8.1: hop limit 255, from the router
 * we now send the destination through) and taken in. */
void redirect_input(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16], uint8_t hop_limit,
                    const struct ndp_message *m);

/* A router forwards `packet` (len bytes from its IPv6 header; it came in
 * on iface from src_mac) back out of iface to next_hop: tell the sender
 * of the better first hop (RFC 4861 8.2), when the sender is a neighbour
 * (its source is link-local or in an on-link prefix of ours), the
 * destination is not multicast, and the rate limit allows. target_mac is
 * next_hop's link-layer address if known (NULL otherwise). Returns true if
 * one was sent. */
bool redirect_send(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src_mac[6],
                   const uint8_t *packet, size_t len, const uint8_t next_hop[16], const uint8_t *target_mac);

#endif
