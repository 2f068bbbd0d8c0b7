#include "tcp/tcp_buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ring_cache_init(struct tcp_ring_cache *cache, uint32_t entries, uint32_t largest, size_t limit)
{
    memset(cache, 0, sizeof *cache);
    cache->slots = calloc(entries ? entries : 1, sizeof *cache->slots);
    if (!cache->slots)
        return -ENOMEM;
    cache->capacity = entries;
    cache->keep = entries;
    cache->largest = largest;
    cache->limit = limit;
    return 0;
}

void ring_cache_fini(struct tcp_ring_cache *cache)
{
    for (uint32_t i = 0; i < cache->count; i++)
        free(cache->slots[i].data);
    free(cache->slots);
    memset(cache, 0, sizeof *cache);
}

static void evict_oldest(struct tcp_ring_cache *cache)
{
    free(cache->slots[0].data);
    cache->bytes -= cache->slots[0].size;
    cache->count--;
    memmove(&cache->slots[0], &cache->slots[1], cache->count * sizeof cache->slots[0]);
}

void ring_cache_set_keep(struct tcp_ring_cache *cache, uint32_t entries)
{
    cache->keep = entries < cache->capacity ? entries : cache->capacity;
    while (cache->count > cache->keep)
        evict_oldest(cache);
}

/* Memory of at least `size` bytes and at most `most`, its size in *got:
 * the newest cached that fits, else malloc's of `size`. */
static uint8_t *memory_get(struct tcp_ring_cache *cache, uint32_t size, uint32_t most, uint32_t *got)
{
    if (cache) {
        for (uint32_t i = cache->count; i-- > 0;) {
            if (cache->slots[i].size < size || cache->slots[i].size > most)
                continue;
            uint8_t *data = cache->slots[i].data;
            *got = cache->slots[i].size;
            memmove(&cache->slots[i], &cache->slots[i + 1], (cache->count - i - 1) * sizeof cache->slots[0]);
            cache->count--;
            cache->bytes -= *got;
            return data;
        }
    }
    *got = size;
    return malloc(size);
}

static bool cacheable(const struct tcp_ring_cache *cache, uint32_t size)
{
    return cache && cache->keep && size <= cache->largest && size <= cache->limit;
}

bool ring_cached(const struct tcp_ring *r)
{
    return r->data && cacheable(r->cache, r->size);
}

static void memory_put(struct tcp_ring_cache *cache, uint8_t *data, uint32_t size)
{
    if (!data)
        return;
    if (!cacheable(cache, size)) {
        free(data);
        return;
    }
    while (cache->count && (cache->count >= cache->keep || cache->bytes + size > cache->limit))
        evict_oldest(cache);
    cache->slots[cache->count].data = data;
    cache->slots[cache->count].size = size;
    cache->count++;
    cache->bytes += size;
}

int ring_init_cached(struct tcp_ring *r, uint32_t size, struct tcp_ring_cache *cache)
{
    memset(r, 0, sizeof *r);
    r->cache = cache;
    r->limit = size;
    if (size == 0)
        return 0;
    r->data = memory_get(cache, size < RING_FIRST ? size : RING_FIRST, size, &r->size);
    if (!r->data) {
        r->size = 0;
        return -ENOMEM;
    }
    return 0;
}

int ring_init(struct tcp_ring *r, uint32_t size)
{
    return ring_init_cached(r, size, NULL);
}

void ring_fini(struct tcp_ring *r)
{
    struct tcp_ring_cache *cache = r->cache;
    memory_put(cache, r->data, r->size);
    memset(r, 0, sizeof *r);
    r->cache = cache;
}

/* Index of the byte `offset` past the head. */
static inline uint32_t ring_index(const struct tcp_ring *r, uint32_t offset)
{
    uint32_t i = r->head + offset;
    return i >= r->size ? i - r->size : i;
}

/* New memory of `size` to `most` bytes (the cache's, or malloc's) holding
 * the first `keep` bytes from the head at index 0; the old memory goes back
 * to the cache, or to malloc if it is larger than the cache keeps. */
static int move_to(struct tcp_ring *r, uint32_t size, uint32_t most, uint32_t keep)
{
    uint32_t got = 0;
    uint8_t *data = size ? memory_get(r->cache, size, most, &got) : NULL;
    if (size && !data)
        return -ENOMEM;
    if (keep) {
        /* ring_peek() without its bound: the bytes past len are wanted too. */
        uint32_t first = r->size - r->head;
        if (first > keep)
            first = keep;
        memcpy(data, r->data + r->head, first);
        if (keep > first)
            memcpy(data + first, r->data, keep - first);
    }
    /* Outgrown memory goes to malloc: a size passed on the way up would
     * sit in the cache; a ring let go (ring_fini()) or made smaller gives
     * the cache what it held. */
    if (got > r->size)
        free(r->data);
    else
        memory_put(r->cache, r->data, r->size);
    r->data = data;
    r->size = got;
    r->head = 0;
    return 0;
}

int ring_reserve(struct tcp_ring *r, uint32_t n)
{
    if (n <= r->size)
        return 0;
    if (n > r->limit)
        return -EINVAL;
    uint32_t size = r->size ? r->size : RING_FIRST;
    while (size < n)
        size = size > r->limit / 2 ? r->limit : 2 * size;
    if (size > r->limit)
        size = r->limit;
    /* Everything from the head on, bytes past len included: out-of-order
     * data sits there at its offsets. */
    return move_to(r, size, r->limit, r->size);
}

int ring_resize(struct tcp_ring *r, uint32_t size)
{
    return ring_resize_keep(r, size, r->len);
}

int ring_resize_keep(struct tcp_ring *r, uint32_t size, uint32_t keep)
{
    if (keep < r->len)
        keep = r->len;
    if (size < keep || keep > r->size) /* bytes held are in its memory */
        return -EINVAL;
    r->limit = size;
    /* A ring with more memory than its new limit moves into less; else
     * its memory grows as the bytes come (ring_reserve()). */
    if (r->size > size)
        return move_to(r, size, size, keep);
    return 0;
}

static void copy_in(struct tcp_ring *r, uint32_t at, const uint8_t *src, uint32_t n)
{
    uint32_t first = r->size - at;
    if (first > n)
        first = n;
    memcpy(r->data + at, src, first);
    if (n > first)
        memcpy(r->data, src + first, n - first);
}

uint32_t ring_write(struct tcp_ring *r, const void *src, uint32_t n)
{
    uint32_t room = ring_free(r);
    if (n > room)
        n = room;
    if (ring_reserve(r, r->len + n) < 0 && n > r->size - r->len)
        n = r->size - r->len; /* no memory for more: what fits */
    if (n) {
        copy_in(r, ring_index(r, r->len), src, n);
        r->len += n;
    }
    return n;
}

void ring_write_at(struct tcp_ring *r, uint32_t offset, const void *src, uint32_t n)
{
    if (n)
        copy_in(r, ring_index(r, r->len + offset), src, n);
}

void ring_commit(struct tcp_ring *r, uint32_t n)
{
    r->len += n;
}

void ring_peek(const struct tcp_ring *r, uint32_t offset, void *dst, uint32_t n)
{
    if (!n)
        return;
    uint32_t at = ring_index(r, offset);
    uint32_t first = r->size - at;
    if (first > n)
        first = n;
    memcpy(dst, r->data + at, first);
    if (n > first)
        memcpy((uint8_t *)dst + first, r->data, n - first);
}

void ring_consume(struct tcp_ring *r, uint32_t n)
{
    /* The head only moves forward: out-of-order bytes may wait past the
     * end of an empty receive ring, at offsets relative to it. */
    r->head = ring_index(r, n);
    r->len -= n;
}

const uint8_t *ring_span(const struct tcp_ring *r, uint32_t offset, uint32_t n, uint32_t *run)
{
    uint32_t at = ring_index(r, offset);
    uint32_t first = r->size - at;
    *run = first < n ? first : n;
    return r->data + at;
}
