/* The routing table: longest-prefix match over a small fixed array. */
#ifndef NARU_IP_ROUTE_H
#define NARU_IP_ROUTE_H

#include <stdint.h>

struct naru_stack;

struct route {
    uint32_t dst;
    uint32_t mask;
    uint32_t gateway;          /* 0: on-link */
    uint8_t prefix_len;
    int16_t ifindex;
};

struct route_table {
    struct route *routes;      /* sorted by prefix length, longest first */
    uint32_t count;
    uint32_t capacity;
    uint32_t version;          /* changes with every route added or removed (caches check it) */
};

int route_init(struct naru_stack *stack);
void route_fini(struct naru_stack *stack);
/* The best route to dst, or NULL. */
const struct route *route_lookup(const struct naru_stack *stack, uint32_t dst);

#endif
