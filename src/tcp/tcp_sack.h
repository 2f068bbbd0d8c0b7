/* The sender's SACK scoreboard (RFC 6675): which ranges above SND.UNA the
 * peer has reported holding, and the questions loss recovery asks of it —
 * is this byte lost, how much is in the network (pipe), what to send next.
 *
 * Bounded to TCP_SCOREBOARD_RANGES ranges; when a report would need more,
 * the highest range is forgotten (the lowest holes matter most, and a
 * forgotten range only costs a needless retransmission). */
#ifndef NARU_TCP_SACK_H
#define NARU_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/tcp.h"

#define TCP_SCOREBOARD_RANGES 32
/* RFC 6675 2: DupThresh. */
#define TCP_DUPTHRESH 3

struct tcp_scoreboard {
    struct tcp_sack_block ranges[TCP_SCOREBOARD_RANGES]; /* sorted, disjoint */
    uint32_t count;
    uint32_t sacked_bytes;
};

void scoreboard_clear(struct tcp_scoreboard *sb);
/* Record the peer's SACK blocks. Only the part of each block inside
 * (snd_una, snd_max] is believed (RFC 6675 5: blocks below SND.UNA are
 * D-SACKs or stale; above SND.MAX, lies). Returns true if some byte became
 * SACKed that was not before. */
bool scoreboard_update(struct tcp_scoreboard *sb, uint32_t snd_una, uint32_t snd_max,
                       const struct tcp_sack_block *blocks, unsigned n);
/* SND.UNA moved to snd_una: forget what lies below it. */
void scoreboard_advance(struct tcp_scoreboard *sb, uint32_t snd_una);
static inline bool scoreboard_empty(const struct tcp_scoreboard *sb)
{
    return sb->count == 0;
}
/* The highest SACKed sequence number plus one (only when not empty). */
static inline uint32_t scoreboard_highest(const struct tcp_scoreboard *sb)
{
    return sb->ranges[sb->count - 1].right;
}
/* If seq is SACKed, the end of its range; else seq. */
uint32_t scoreboard_skip(const struct tcp_scoreboard *sb, uint32_t seq);
/* The first SACKed sequence number above seq, or limit if none is below it:
 * where the hole starting at seq ends. */
uint32_t scoreboard_hole_end(const struct tcp_scoreboard *sb, uint32_t seq, uint32_t limit);
/* SACKed bytes in [left, right). */
uint32_t scoreboard_sacked_in(const struct tcp_scoreboard *sb, uint32_t left, uint32_t right);
/* RFC 6675 4, IsLost(): every unSACKed byte below the returned sequence
 * number is deemed lost (DupThresh discontiguous SACKed ranges above it, or
 * more than (DupThresh - 1) * SMSS SACKed bytes). snd_una if none is. */
uint32_t scoreboard_lost_edge(const struct tcp_scoreboard *sb, uint32_t snd_una, uint32_t smss);

#endif
