#include "wire/checksum.h"

#include <string.h>

/* RFC 1071 (2)(B): the sum is independent of byte order, so add native
 * words and swap the folded result once at the end. RFC 1071 (2)(C): it
 * may also be computed over wider words, since 2^32 = 1 and 2^16 = 1
 * modulo 0xffff; here each 64-bit load gives two 32-bit halves, added into
 * 64-bit accumulators, so no carry is lost below 2^32 halves (16 GiB).
 * Four accumulators, not one, so the additions do not wait on each other
 * (and a compiler may put them in vector registers). Loads go through
 * memcpy: any address is allowed, and the bytes keep their pairing
 * whatever the address's alignment. */
uint64_t inet_sum_accumulate(const void *data, size_t len, uint64_t acc)
{
    const uint8_t *p = data;
    uint64_t a0 = acc, a1 = 0, a2 = 0, a3 = 0;

    while (len >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, p, 8);
        memcpy(&w1, p + 8, 8);
        memcpy(&w2, p + 16, 8);
        memcpy(&w3, p + 24, 8);
        a0 += (w0 & 0xffffffffu) + (w0 >> 32);
        a1 += (w1 & 0xffffffffu) + (w1 >> 32);
        a2 += (w2 & 0xffffffffu) + (w2 >> 32);
        a3 += (w3 & 0xffffffffu) + (w3 >> 32);
        p += 32;
        len -= 32;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        a0 += (w & 0xffffffffu) + (w >> 32);
        p += 8;
        len -= 8;
    }
    if (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        a1 += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        a2 += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        /* A final odd byte is the high half of a big-endian word. */
        uint8_t last[2] = { p[0], 0 };
        uint16_t w;
        memcpy(&w, last, 2);
        a3 += w;
    }
    return (a0 + a1) + (a2 + a3);
}

uint32_t inet_sum_finish(uint64_t acc, uint32_t sum)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);

    uint64_t total = (uint64_t)sum + inet_folded_to_network((uint16_t)acc);
    while (total >> 32)
        total = (total & 0xffffffffu) + (total >> 32);
    return (uint32_t)total;
}

uint32_t inet_sum(const void *data, size_t len, uint32_t sum)
{
    return inet_sum_finish(inet_sum_accumulate(data, len, 0), sum);
}

uint32_t inet6_pseudo_sum(const uint8_t src[16], const uint8_t dst[16], uint32_t length, uint8_t next_header)
{
    /* The 32 address bytes as four 64-bit words, each added as two 32-bit
     * halves (as inet_sum_accumulate does): one pass and one fold, where
     * two inet_sum() calls would loop and fold twice. Every packet of TCP
     * and UDP over IPv6 pays this on the way out and on the way in. */
    uint64_t w[4];
    memcpy(w, src, 16);
    memcpy(w + 2, dst, 16);
    uint64_t acc = 0;
    for (int i = 0; i < 4; i++)
        acc += (w[i] & 0xffffffffu) + (w[i] >> 32);
    return inet_sum_finish(acc, (length >> 16) + (length & 0xffff) + next_header);
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
