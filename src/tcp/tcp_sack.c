#include "tcp/tcp_sack.h"

#include <string.h>

#include "tcp/tcp_seq.h"

void scoreboard_clear(struct tcp_scoreboard *sb)
{
    sb->count = 0;
    sb->sacked_bytes = 0;
}

static void recount(struct tcp_scoreboard *sb)
{
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < sb->count; i++)
        bytes += sb->ranges[i].right - sb->ranges[i].left;
    sb->sacked_bytes = bytes;
}

/* Merge [left, right) in, as the assembler does; returns true if it added
 * bytes not SACKed before. */
static bool insert(struct tcp_scoreboard *sb, uint32_t left, uint32_t right)
{
    uint32_t i = 0;
    while (i < sb->count && seq_lt(sb->ranges[i].right, left))
        i++;
    uint32_t j = i;
    while (j < sb->count && seq_le(sb->ranges[j].left, right))
        j++;
    if (j == i) {
        if (sb->count == TCP_SCOREBOARD_RANGES) {
            if (i == sb->count)
                return false; /* above everything we can keep */
            sb->count--;      /* the highest range gives way */
        }
        memmove(&sb->ranges[i + 1], &sb->ranges[i], (sb->count - i) * sizeof sb->ranges[0]);
        sb->count++;
        sb->ranges[i].left = left;
        sb->ranges[i].right = right;
        return true;
    }
    struct tcp_sack_block *r = &sb->ranges[i];
    bool grew = seq_lt(left, r->left) || seq_gt(right, sb->ranges[j - 1].right) || j - i > 1;
    r->left = seq_min(r->left, left);
    r->right = seq_max(sb->ranges[j - 1].right, right);
    if (j - i > 1) {
        memmove(&sb->ranges[i + 1], &sb->ranges[j], (sb->count - j) * sizeof sb->ranges[0]);
        sb->count -= j - i - 1;
    }
    return grew;
}

bool scoreboard_update(struct tcp_scoreboard *sb, uint32_t snd_una, uint32_t snd_max,
                       const struct tcp_sack_block *blocks, unsigned n)
{
    bool news = false;
    for (unsigned b = 0; b < n; b++) {
        uint32_t left = blocks[b].left, right = blocks[b].right;
        if (!seq_lt(left, right) || seq_gt(right, snd_max) || seq_le(right, snd_una))
            continue;
        if (seq_lt(left, snd_una))
            left = snd_una;
        news |= insert(sb, left, right);
    }
    if (news)
        recount(sb);
    return news;
}

void scoreboard_advance(struct tcp_scoreboard *sb, uint32_t snd_una)
{
    uint32_t n = 0;
    while (n < sb->count && seq_le(sb->ranges[n].right, snd_una))
        n++;
    if (n) {
        memmove(&sb->ranges[0], &sb->ranges[n], (sb->count - n) * sizeof sb->ranges[0]);
        sb->count -= n;
    }
    if (sb->count && seq_lt(sb->ranges[0].left, snd_una))
        sb->ranges[0].left = snd_una;
    if (n || sb->count)
        recount(sb);
}

uint32_t scoreboard_skip(const struct tcp_scoreboard *sb, uint32_t seq)
{
    for (uint32_t i = 0; i < sb->count; i++) {
        if (seq_lt(seq, sb->ranges[i].left))
            break;
        if (seq_lt(seq, sb->ranges[i].right))
            return sb->ranges[i].right;
    }
    return seq;
}

uint32_t scoreboard_hole_end(const struct tcp_scoreboard *sb, uint32_t seq, uint32_t limit)
{
    for (uint32_t i = 0; i < sb->count; i++)
        if (seq_gt(sb->ranges[i].left, seq))
            return seq_min(sb->ranges[i].left, limit);
    return limit;
}

uint32_t scoreboard_sacked_in(const struct tcp_scoreboard *sb, uint32_t left, uint32_t right)
{
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < sb->count; i++) {
        uint32_t l = seq_max(sb->ranges[i].left, left);
        uint32_t r = seq_min(sb->ranges[i].right, right);
        if (seq_lt(l, r))
            bytes += r - l;
    }
    return bytes;
}

uint32_t scoreboard_lost_edge(const struct tcp_scoreboard *sb, uint32_t snd_una, uint32_t smss)
{
    /* Walk down from the highest range; a hole below the k-th range from
     * the top has k ranges and their bytes above it. */
    uint32_t above = 0;
    for (uint32_t k = 1; k <= sb->count; k++) {
        const struct tcp_sack_block *r = &sb->ranges[sb->count - k];
        above += r->right - r->left;
        if (k >= TCP_DUPTHRESH || above > (TCP_DUPTHRESH - 1) * smss)
            return seq_max(r->left, snd_una);
    }
    return snd_una;
}
