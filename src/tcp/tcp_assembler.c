#include "tcp/tcp_assembler.h"

#include <errno.h>
#include <string.h>

#include "tcp/tcp_seq.h"

void assembler_init(struct tcp_assembler *a)
{
    memset(a, 0, sizeof *a);
}

static void remove_ranges(struct tcp_assembler *a, uint32_t first, uint32_t n)
{
    memmove(&a->ranges[first], &a->ranges[first + n], (a->count - first - n) * sizeof a->ranges[0]);
    a->count -= n;
}

int assembler_add(struct tcp_assembler *a, uint32_t left, uint32_t right)
{
    /* The first range that ends at or after `left`: everything before it
     * lies wholly below the new one and stays. */
    uint32_t i = 0;
    while (i < a->count && seq_lt(a->ranges[i].right, left))
        i++;
    /* Ranges from i that start at or before `right` touch the new one and
     * merge with it. */
    uint32_t j = i;
    while (j < a->count && seq_le(a->ranges[j].left, right))
        j++;
    if (j == i) {
        if (a->count == TCP_ASSEMBLER_RANGES)
            return -ENOSPC;
        memmove(&a->ranges[i + 1], &a->ranges[i], (a->count - i) * sizeof a->ranges[0]);
        a->count++;
        a->ranges[i] = (struct tcp_ooo_range){ left, right, ++a->clock };
        return 0;
    }
    struct tcp_ooo_range *r = &a->ranges[i];
    r->left = seq_min(r->left, left);
    r->right = seq_max(a->ranges[j - 1].right, right);
    r->stamp = ++a->clock;
    if (j - i > 1)
        remove_ranges(a, i + 1, j - i - 1);
    return 0;
}

uint32_t assembler_take_front(struct tcp_assembler *a, uint32_t rcv_nxt)
{
    uint32_t n = 0;
    while (n < a->count && seq_le(a->ranges[n].left, rcv_nxt)) {
        rcv_nxt = seq_max(rcv_nxt, a->ranges[n].right);
        n++;
    }
    if (n)
        remove_ranges(a, 0, n);
    return rcv_nxt;
}

bool assembler_overlap(const struct tcp_assembler *a, uint32_t left, uint32_t right, uint32_t *from, uint32_t *to)
{
    for (uint32_t i = 0; i < a->count; i++) {
        uint32_t l = seq_max(a->ranges[i].left, left), r = seq_min(a->ranges[i].right, right);
        if (seq_lt(l, r)) {
            *from = l;
            *to = r;
            return true;
        }
    }
    return false;
}

bool assembler_containing(const struct tcp_assembler *a, uint32_t left, uint32_t right, struct tcp_sack_block *out)
{
    for (uint32_t i = 0; i < a->count; i++) {
        if (seq_le(a->ranges[i].left, left) && seq_ge(a->ranges[i].right, right)) {
            out->left = a->ranges[i].left;
            out->right = a->ranges[i].right;
            return true;
        }
    }
    return false;
}

unsigned assembler_sack_blocks(const struct tcp_assembler *a, struct tcp_sack_block *out, unsigned max)
{
    /* A selection by stamp; at most TCP_ASSEMBLER_RANGES * max steps. */
    unsigned n = 0;
    uint32_t below = UINT32_MAX; /* stamps are unique: pick the next lower each round */
    while (n < max) {
        int best = -1;
        for (uint32_t i = 0; i < a->count; i++)
            if (a->ranges[i].stamp < below && (best < 0 || a->ranges[i].stamp > a->ranges[best].stamp))
                best = (int)i;
        if (best < 0)
            break;
        out[n].left = a->ranges[best].left;
        out[n].right = a->ranges[best].right;
        below = a->ranges[best].stamp;
        n++;
    }
    return n;
}
