/* Redirects taken in by a host (RFC 4861 8.1, 8.3): a first-hop router
 * says a destination is better reached through another router on the
 * link, or is itself on the link. naru's destination cache is the routing
 * table: a redirect becomes a /128 route, of which an interface keeps a
 * bounded few (the oldest gives way). */
#ifndef NARU_IP_REDIRECT_H
#define NARU_IP_REDIRECT_H

#include <stdint.h>

struct naru_stack;
struct naru_iface;
struct ndp_message;

#define REDIRECTS_MAX 8

struct redirect_cache {
    uint8_t dst[REDIRECTS_MAX][16];
    uint8_t count;
    uint8_t oldest;            /* where the next one goes once full */
};

/* A redirect ndp_parse accepted, with its IPv6 header's source and hop
 * limit: checked further (RFC 4861 8.1: hop limit 255, from the router
 * we now send the destination through) and taken in. */
void redirect_input(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16], uint8_t hop_limit,
                    const struct ndp_message *m);

#endif
