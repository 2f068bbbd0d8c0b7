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
#include <string.h>

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
/* A sum of native-order 16-bit words, folded to 16 bits, as the sum of
 * the same words read big-endian: byte-swapped on a little-endian machine
 * (RFC 1071 2(B): the sum is the same either way, bytes swapped). */
static inline uint16_t inet_folded_to_network(uint16_t folded)
{
    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe == 1)
        folded = (uint16_t)(folded << 8 | folded >> 8);
    return folded;
}
/* The checksum of 20 bytes, an IPv4 header without options: every packet
 * at every hop is checked and every one sent is summed, so one straight
 * line of adds replaces inet_sum()'s loops and folds (a third of the
 * instructions). Native 32-bit words added into 64 bits (as
 * inet_sum_accumulate), folded with end-around carry. */
static inline uint16_t inet_checksum_20(const void *data)
{
    const uint8_t *p = data;
    uint64_t a, b;
    uint32_t c;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    memcpy(&c, p + 16, 4);
    uint64_t acc = (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) + c; /* < 2^35 */
    acc = (acc & 0xffffffffu) + (acc >> 32); /* < 2^32 + 8 */
    acc = (acc & 0xffff) + (acc >> 16);      /* <= 0x1fffe (or 0x10007 from >= 2^32) */
    acc = (acc & 0xffff) + (acc >> 16);      /* <= 0xffff, 0 only for all zeros */
    return (uint16_t)~inet_folded_to_network((uint16_t)acc);
}
static inline uint16_t inet_checksum(const void *data, size_t len)
{
    if (len == 20)
        return inet_checksum_20(data);
    return inet_fold(inet_sum(data, len, 0));
}
/* RFC 1624 eqn. 3: a checksum after one 16-bit word of the message changed. */
uint16_t inet_checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word);

#endif
