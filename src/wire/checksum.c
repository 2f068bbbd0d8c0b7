#include "wire/checksum.h"

#include <string.h>

/* RFC 1071 (2)(B): the sum is independent of byte order, so add native
 * 32-bit words into a 64-bit accumulator (no carry lost for any length an
 * IP datagram can have) and swap the folded result once at the end. */
uint32_t inet_sum(const void *data, size_t len, uint32_t sum)
{
    const uint8_t *p = data;
    uint64_t acc = 0;

    while (len >= 32) {
        uint32_t w[8];
        memcpy(w, p, sizeof w);
        acc += (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
        p += 32;
        len -= 32;
    }
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        acc += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        acc += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        /* A final odd byte is the high half of a big-endian word. */
        uint8_t last[2] = { p[0], 0 };
        uint16_t w;
        memcpy(&w, last, 2);
        acc += w;
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);

    uint16_t folded = (uint16_t)acc;
    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe == 1)
        folded = (uint16_t)(folded << 8 | folded >> 8);
    uint64_t total = (uint64_t)sum + folded;
    while (total >> 32)
        total = (total & 0xffffffffu) + (total >> 32);
    return (uint32_t)total;
}

uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + protocol + length;
}

uint16_t inet_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t inet_checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word)
{
    /* HC' = ~(~HC + ~m + m') */
    uint32_t sum = (uint16_t)~checksum;
    sum += (uint16_t)~old_word;
    sum += new_word;
    return inet_fold(sum);
}
