/* Per-stack randomness: xoshiro256** seeded from the stack's seed, and
 * SipHash-2-4 for keyed hashes (RFC 6528 ISNs, RFC 6056 port choice).
 * With a fixed seed every run is the same, bit for bit. */
#ifndef NARU_CORE_RANDOM_H
#define NARU_CORE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct naru_random {
    uint64_t s[4];
};

void random_seed(struct naru_random *r, uint64_t seed);
uint64_t random_u64(struct naru_random *r);
static inline uint32_t random_u32(struct naru_random *r)
{
    return (uint32_t)(random_u64(r) >> 32);
}
/* Uniform in [0, bound), bound > 0. */
uint32_t random_below(struct naru_random *r, uint32_t bound);
/* Uniform double in [0, 1). */
double random_unit(struct naru_random *r);
void random_fill(struct naru_random *r, void *buf, size_t len);

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
