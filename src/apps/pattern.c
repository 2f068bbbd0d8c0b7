/* The data pattern: a 64 KiB table made the same way in every program and
 * run, read with the offset's 64 KiB block number mixed in. Filling and
 * checking are on every transfer's path, so both go 64 bytes a turn. */
#include "apps_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PATTERN_SIZE 65536
#define PATTERN_SEED 0x6e617275u /* "naru" */

struct naru_app_pattern {
    uint8_t table[PATTERN_SIZE];
};

/* SplitMix64's output function over a counter: a fixed, well-mixed
 * sequence needing no generator state. Written out byte by byte, so the
 * table is the same on any machine. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int naru_app_pattern_create(struct naru_app_pattern **out)
{
    struct naru_app_pattern *p = malloc(sizeof *p);
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < PATTERN_SIZE / 8; i++) {
        uint64_t w = mix(PATTERN_SEED + (i + 1) * 0x9e3779b97f4a7c15ull);
        for (int b = 0; b < 8; b++)
            p->table[8 * i + (size_t)b] = (uint8_t)(w >> (8 * b));
    }
    *out = p;
    return 0;
}

void naru_app_pattern_destroy(struct naru_app_pattern *p)
{
    free(p);
}

/* Sixteen bytes a lane, four lanes a turn: GCC's and Clang's vector
 * extension, plain SSE2 or NEON registers, and no alignment assumed. */
typedef uint64_t lane16 __attribute__((vector_size(16)));

static lane16 load16(const uint8_t *p)
{
    lane16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static lane16 splat16(uint8_t block)
{
    uint64_t s = block * 0x0101010101010101ull;
    return (lane16){ s, s };
}

void naru_app_pattern_fill(const struct naru_app_pattern *p, uint64_t offset, void *out, size_t len)
{
    uint8_t *buf = out;
    while (len) {
        size_t at = (size_t)(offset % PATTERN_SIZE), n = PATTERN_SIZE - at;
        if (n > len)
            n = len;
        uint8_t block = (uint8_t)(offset / PATTERN_SIZE);
        const uint8_t *t = p->table + at;
        lane16 splat = splat16(block);
        size_t i = 0;
        for (; i + 64 <= n; i += 64) {
            lane16 a = load16(t + i) ^ splat, b = load16(t + i + 16) ^ splat;
            lane16 c = load16(t + i + 32) ^ splat, d = load16(t + i + 48) ^ splat;
            memcpy(buf + i, &a, 16);
            memcpy(buf + i + 16, &b, 16);
            memcpy(buf + i + 32, &c, 16);
            memcpy(buf + i + 48, &d, 16);
        }
        for (; i + 16 <= n; i += 16) {
            lane16 a = load16(t + i) ^ splat;
            memcpy(buf + i, &a, 16);
        }
        for (; i < n; i++)
            buf[i] = t[i] ^ block;
        buf += n;
        offset += n;
        len -= n;
    }
}

bool naru_app_pattern_check(const struct naru_app_pattern *p, uint64_t offset, const void *in, size_t len)
{
    const uint8_t *buf = in;
    lane16 diff = { 0, 0 };
    uint8_t tail = 0;
    while (len) {
        size_t at = (size_t)(offset % PATTERN_SIZE), n = PATTERN_SIZE - at;
        if (n > len)
            n = len;
        uint8_t block = (uint8_t)(offset / PATTERN_SIZE);
        const uint8_t *t = p->table + at;
        lane16 splat = splat16(block);
        size_t i = 0;
        for (; i + 64 <= n; i += 64)
            diff |= (load16(t + i) ^ load16(buf + i) ^ splat) | (load16(t + i + 16) ^ load16(buf + i + 16) ^ splat) |
                    (load16(t + i + 32) ^ load16(buf + i + 32) ^ splat) |
                    (load16(t + i + 48) ^ load16(buf + i + 48) ^ splat);
        for (; i + 16 <= n; i += 16)
            diff |= load16(t + i) ^ load16(buf + i) ^ splat;
        for (; i + 8 <= n; i += 8) {
            uint64_t a, b;
            memcpy(&a, t + i, 8);
            memcpy(&b, buf + i, 8);
            diff[0] |= a ^ b ^ splat[0];
        }
        for (; i < n; i++)
            tail |= (uint8_t)(t[i] ^ block ^ buf[i]);
        buf += n;
        offset += n;
        len -= n;
    }
    return (diff[0] | diff[1] | tail) == 0;
}

const struct naru_app_pattern *app_pattern_use(const struct naru_app_pattern *given,
                                               struct naru_app_pattern **own)
{
    *own = NULL;
    if (given)
        return given;
    return naru_app_pattern_create(own) == 0 ? *own : NULL;
}
