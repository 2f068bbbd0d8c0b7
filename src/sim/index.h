/* A hash index: numbered entries (of an array the caller keeps) found by
 * a key the caller hashes and compares, with open addressing. What the
 * engine finds stacks and links by name with, and the scenario model its
 * names, addresses and prefixes. Private to src/sim/. */
#ifndef NARU_SIM_INDEX_H
#define NARU_SIM_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_INDEX_NONE UINT32_MAX

struct sim_index {
    uint32_t *slots;           /* entry + 1, 0 empty */
    uint32_t bits;
    uint32_t count;
};

uint64_t sim_hash_bytes(const void *data, size_t len, uint64_t seed);
/* The entry with this hash that same(ctx, entry) accepts, or SIM_INDEX_NONE. */
uint32_t sim_index_find(const struct sim_index *ix, uint64_t hash, bool (*same)(const void *ctx, uint32_t entry),
                        const void *ctx);
/* Add entry with `hash`; rehash(ctx, entry) gives any entry's hash when
 * the index grows. 0 or -ENOMEM. */
int sim_index_add(struct sim_index *ix, uint64_t hash, uint32_t entry,
                  uint64_t (*rehash)(const void *ctx, uint32_t entry), const void *ctx);
void sim_index_free(struct sim_index *ix);

#endif
