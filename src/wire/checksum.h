/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * Sums are 32-bit partial ones'-complement sums of 16-bit big-endian words.
 * Chain inet_sum() calls over pieces of a message (every piece but the last
 * of even length), then inet_fold() gives the checksum field value. A
 * message whose stored checksum is right folds to 0. */
#ifndef NARU_WIRE_CHECKSUM_H
#define NARU_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t inet_sum(const void *data, size_t len, uint32_t sum);
/* inet_sum() in two steps, for code that reads the bytes anyway (a copy
 * that sums as it goes): accumulate over pieces, chained like inet_sum()
 * (start at 0; every piece but the last of even length), then finish:
 * fold, byte-swap and add to a partial sum. An accumulator is any 64-bit
 * value congruent, modulo 0xffff, to the sum of the message's 16-bit words
 * read in native byte order (an odd last byte padded with a zero byte
 * after it), so a loop of its own may add native 32-bit words into it.
 * Nothing overflows below 16 GiB of data. */
uint64_t inet_sum_accumulate(const void *data, size_t len, uint64_t acc);
uint32_t inet_sum_finish(uint64_t acc, uint32_t sum);
/* The IPv4 pseudo-header of TCP and UDP (RFC 793 3.1, RFC 768). Inline:
 * every datagram sent and received sums one. */
static inline uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + protocol + length;
}
/* The IPv6 pseudo-header of TCP, UDP and ICMPv6 (RFC 8200 8.1): source,
 * final destination, upper-layer packet length (32 bits), next header. */
uint32_t inet6_pseudo_sum(const uint8_t src[16], const uint8_t dst[16], uint32_t length, uint8_t next_header);
/* Fold a partial sum to 16 bits and complement it. */
uint16_t inet_fold(uint32_t sum);
static inline uint16_t inet_checksum(const void *data, size_t len)
{
    return inet_fold(inet_sum(data, len, 0));
}
/* RFC 1624 eqn. 3: a checksum after one 16-bit word of the message changed. */
uint16_t inet_checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word);

#endif
