/* The hash index (index.h): linear probing, at most half full. */
#include "sim/index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t sim_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    /* FNV-1a, then a finaliser so the top bits are mixed too. */
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

uint32_t sim_index_find(const struct sim_index *ix, uint64_t hash, bool (*same)(const void *ctx, uint32_t entry),
                       const void *ctx)
{
    if (!ix->slots)
        return SIM_INDEX_NONE;
    uint32_t mask = (1u << ix->bits) - 1;
    for (uint32_t i = (uint32_t)(hash >> (64 - ix->bits));; i = (i + 1) & mask) {
        uint32_t e = ix->slots[i];
        if (!e)
            return SIM_INDEX_NONE;
        if (same(ctx, e - 1))
            return e - 1;
    }
}

static void place(struct sim_index *ix, uint64_t hash, uint32_t entry)
{
    uint32_t mask = (1u << ix->bits) - 1;
    uint32_t i = (uint32_t)(hash >> (64 - ix->bits));
    while (ix->slots[i])
        i = (i + 1) & mask;
    ix->slots[i] = entry + 1;
}

int sim_index_add(struct sim_index *ix, uint64_t hash, uint32_t entry, uint64_t (*rehash)(const void *ctx, uint32_t entry),
                 const void *ctx)
{
    if (!ix->slots || 2 * (ix->count + 1) > (1u << ix->bits)) {
        uint32_t bits = ix->slots ? ix->bits + 1 : 4;
        if (bits > 31)
            return -ENOMEM;
        uint32_t *old = ix->slots, old_bits = ix->bits;
        ix->slots = calloc((size_t)1 << bits, sizeof *ix->slots);
        if (!ix->slots) {
            ix->slots = old;
            return -ENOMEM;
        }
        ix->bits = bits;
        for (uint32_t i = 0; old && i < (1u << old_bits); i++)
            if (old[i])
                place(ix, rehash(ctx, old[i] - 1), old[i] - 1);
        free(old);
    }
    place(ix, hash, entry);
    ix->count++;
    return 0;
}

void sim_index_free(struct sim_index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}
