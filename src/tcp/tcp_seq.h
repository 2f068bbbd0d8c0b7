/* Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4).
 *
 * Sequence numbers wrap, so "a is before b" means the forward distance from
 * a to b is less than half the space. Comparisons go through the unsigned
 * difference, which is well defined in C for every pair of values. */
#ifndef NARU_TCP_SEQ_H
#define NARU_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* a < b */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return ((a - b) & 0x80000000u) != 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
    return a == b || seq_lt(a, b);
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return seq_lt(b, a);
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
    return seq_le(b, a);
}
/* lo <= x < hi */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return seq_le(lo, x) && seq_lt(x, hi);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? b : a;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

#endif
