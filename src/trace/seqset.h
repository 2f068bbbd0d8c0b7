/* The sequence space a direction has sent so far, as a sorted list of
 * disjoint half-open ranges [start, end): what tells a retransmission
 * (bytes sent before) from new data. Appending past the end, the common
 * case, costs O(1); a range inside costs a binary search and a move. */
#ifndef NARU_TRACE_SEQSET_H
#define NARU_TRACE_SEQSET_H

#include <stddef.h>
#include <stdint.h>

struct seq_range {
    int64_t start, end;
};

struct seqset {
    struct seq_range *ranges;
    size_t count, cap;
};

/* Adds [start, end) (start < end). Returns how many of its numbers were
 * already in the set (0: all new), or -1 when out of memory (the set is
 * unchanged then). */
int64_t seqset_add(struct seqset *s, int64_t start, int64_t end);
void seqset_free(struct seqset *s);

#endif
