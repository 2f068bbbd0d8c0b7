/* The receiver's record of out-of-order data: which sequence ranges beyond
 * RCV.NXT are already in the receive ring (the bytes themselves sit in the
 * ring at their final offsets; see tcp_buffer.h).
 *
 * Bounded: at most TCP_ASSEMBLER_RANGES separate ranges. A segment that
 * would need one more is dropped (the peer sends it again), which keeps the
 * cost of a hostile pattern of holes fixed. The same ranges, most recently
 * changed first, are the SACK blocks of RFC 2018. */
#ifndef NARU_TCP_ASSEMBLER_H
#define NARU_TCP_ASSEMBLER_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/tcp.h"

#define TCP_ASSEMBLER_RANGES 32

struct tcp_ooo_range {
    uint32_t left;             /* first sequence number held */
    uint32_t right;            /* one past the last */
    uint32_t stamp;            /* when the range last grew, for SACK order */
};

struct tcp_assembler {
    struct tcp_ooo_range ranges[TCP_ASSEMBLER_RANGES]; /* sorted, disjoint, not adjacent */
    uint32_t count;
    uint32_t clock;
};

void assembler_init(struct tcp_assembler *a);
static inline bool assembler_empty(const struct tcp_assembler *a)
{
    return a->count == 0;
}
/* Note [left, right) as held. 0, or -ENOSPC when it joins no existing range
 * and every slot is taken (then nothing changes). */
int assembler_add(struct tcp_assembler *a, uint32_t left, uint32_t right);
/* RCV.NXT has reached rcv_nxt: if the first range starts at or before it,
 * forget that range and return its right edge (the new RCV.NXT); otherwise
 * return rcv_nxt. Ranges entirely below rcv_nxt are forgotten too. */
uint32_t assembler_take_front(struct tcp_assembler *a, uint32_t rcv_nxt);
/* The part of [left, right) already held, in the first range it overlaps:
 * true and that part, or false. */
bool assembler_overlap(const struct tcp_assembler *a, uint32_t left, uint32_t right, uint32_t *from, uint32_t *to);
/* The range holding [left, right), if one does. */
bool assembler_containing(const struct tcp_assembler *a, uint32_t left, uint32_t right, struct tcp_sack_block *out);
/* RFC 2018 4: up to max blocks, the range holding the most recently
 * received segment first, then the others by how recently they changed.
 * Returns the number written. */
unsigned assembler_sack_blocks(const struct tcp_assembler *a, struct tcp_sack_block *out, unsigned max);
/* The right edge of the highest range (only when not empty). */
static inline uint32_t assembler_highest(const struct tcp_assembler *a)
{
    return a->ranges[a->count - 1].right;
}

#endif
