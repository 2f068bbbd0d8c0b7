/* The byte ranges a packet being reassembled holds, sorted and disjoint:
 * one copy for IPv4's and IPv6's reassembly. */
#ifndef NARU_IP_FRAGMENT_RANGES_H
#define NARU_IP_FRAGMENT_RANGES_H

#include <stdint.h>

#define FRAGMENT_RANGES_MAX 64

struct fragment_ranges {
    uint16_t count;
    struct { uint16_t start, end; } range[FRAGMENT_RANGES_MAX];
};

enum fragment_placement { FRAGMENT_PLACED, FRAGMENT_DUPLICATE, FRAGMENT_OVERLAP, FRAGMENT_TOO_MANY, FRAGMENT_MALFORMED };

enum fragment_placement fragment_ranges_place(struct fragment_ranges *f, uint16_t start, uint16_t end);

/* Where the highest range ends (0 when none has come). */
static inline uint16_t fragment_ranges_end(const struct fragment_ranges *f)
{
    return f->count ? f->range[f->count - 1].end : 0;
}

#endif
