/* The routing tables: longest-prefix match over tables sized when the
 * stack is created. IPv4's is a hash of (prefix, length) pairs that finds
 * a route in a few probes however many there are (a simulated router may
 * hold thousands): one probe for each prefix length in use, longest first.
 * IPv6's is an array sorted by prefix length, longest first. The version
 * changes with every route added or removed, in either, so caches of
 * "which interface, which MTU" can tell. */
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

/* The fields every IPv4 lookup reads come first, in one cache line (a
 * router in a big world is looked up cold). */
struct route_table {
    struct route *routes;      /* IPv4: the first count of capacity, in no order */
    uint32_t *index;           /* open addressing, linear probing: route number + 1, 0 empty */
    uint32_t index_bits;       /* the index has 1 << index_bits slots, at most half full */
    uint8_t length_count;
    uint8_t lengths[33];       /* the lengths in use, longest first */
    uint32_t count;
    uint32_t capacity;         /* of each family's table */
    struct route6 *routes6;    /* IPv6, sorted by prefix length, longest first; made with the first */
    uint32_t count6;
    uint32_t allocated6;       /* routes6's room, doubled up to capacity */
    uint32_t version;          /* changes with every route added or removed (caches check it) */
    uint32_t per_length[33];   /* routes of each prefix length */
};

int route_init(struct naru_stack *stack);
void route_fini(struct naru_stack *stack);
/* The best IPv4 route to dst, or NULL. */
const struct route *route_lookup(const struct naru_stack *stack, uint32_t dst);
/* The best IPv6 route to dst, or NULL. */
const struct route6 *route6_lookup(const struct naru_stack *stack, const uint8_t dst[16]);

#endif
