#include "tcp/tcp_buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ring_init(struct tcp_ring *r, uint32_t size)
{
    memset(r, 0, sizeof *r);
    if (size == 0)
        return 0;
    r->data = malloc(size);
    if (!r->data)
        return -ENOMEM;
    r->size = size;
    return 0;
}

void ring_fini(struct tcp_ring *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
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
    free(r->data);
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
