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

static uint8_t *memory_get(struct tcp_ring_cache *cache, uint32_t size)
{
    if (cache) {
        for (uint32_t i = cache->count; i-- > 0;) {
            if (cache->slots[i].size != size)
                continue;
            uint8_t *data = cache->slots[i].data;
            memmove(&cache->slots[i], &cache->slots[i + 1], (cache->count - i - 1) * sizeof cache->slots[0]);
            cache->count--;
            cache->bytes -= size;
            return data;
        }
    }
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
    if (size == 0)
        return 0;
    r->data = memory_get(cache, size);
    if (!r->data)
        return -ENOMEM;
    r->size = size;
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

int ring_resize(struct tcp_ring *r, uint32_t size)
{
    return ring_resize_keep(r, size, r->len);
}

int ring_resize_keep(struct tcp_ring *r, uint32_t size, uint32_t keep)
{
    if (keep < r->len)
        keep = r->len;
    if (size < keep || keep > r->size)
        return -EINVAL;
    if (size == r->size)
        return 0;
    /* A resized ring's size is seldom one a new connection asks for (it
     * grew with autotuning or SO_RCVBUF): its memory comes from malloc and
     * goes back to it. What it leaves, of the size it began with, may
     * serve the next connection. */
    uint8_t *data = size ? malloc(size) : NULL;
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
    memory_put(r->cache, r->data, r->size);
    r->cache = NULL;
    r->data = data;
    r->size = size;
    r->head = 0;
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
