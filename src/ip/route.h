/* The routing tables: longest-prefix match, IPv4's over a small sorted
 * array (as fast as it always was), IPv6's over another, sorted the same
 * way. The version changes with every route added or removed, in either,
 * so caches of "which interface, which MTU" can tell. */
#ifndef NARU_IP_ROUTE_H
#define NARU_IP_ROUTE_H

#include <stdint.h>

#include "naru/addr.h"

struct naru_stack;

struct route {
    uint32_t dst;
    uint32_t mask;
    uint32_t gateway;          /* 0: on-link */
    uint8_t prefix_len;
    int16_t ifindex;
};

struct route6 {
    uint8_t dst[16];
    uint8_t prefix_len;
    int16_t ifindex;
    struct naru_addr gateway;  /* the next hop; NARU_AF_UNSPEC: on-link */
};

struct route_table {
    struct route *routes;      /* IPv4, sorted by prefix length, longest first */
    uint32_t count;
    uint32_t capacity;         /* of each family's table */
    struct route6 *routes6;    /* IPv6, sorted the same way */
    uint32_t count6;
    uint32_t version;          /* changes with every route added or removed (caches check it) */
};

int route_init(struct naru_stack *stack);
void route_fini(struct naru_stack *stack);
/* The best IPv4 route to dst, or NULL. */
const struct route *route_lookup(const struct naru_stack *stack, uint32_t dst);
/* The best IPv6 route to dst, or NULL. */
const struct route6 *route6_lookup(const struct naru_stack *stack, const uint8_t dst[16]);

#endif
