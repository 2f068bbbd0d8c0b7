/* Byte ring buffers for a connection's send and receive data.
 *
 * A ring holds `len` bytes starting at `head`. The send ring keeps what the
 * application wrote and the peer has not acknowledged; the receive ring keeps
 * in-order bytes the application has not read, and out-of-order bytes are
 * written beyond them at their final offsets (ring_write_at), so a segment
 * that fills a hole costs no second copy. A ring's memory grows with what it
 * holds, doubling from RING_FIRST up to its limit (the buffer size: the
 * window it may offer), so a connection whose window stays small never pays
 * for the buffer it was allowed; nothing here allocates per segment. */
#ifndef NARU_TCP_BUFFER_H
#define NARU_TCP_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ring memory let go, kept for the next ring of the same size (one cache
 * per stack, for its connections). A connection's rings are large (128 KiB
 * each by default): allocated fresh each time and freed at the end, they
 * made glibc move the top of its heap down and up again (brk, then a page
 * fault on each page touched) for nearly every connection, most of the
 * CPU time of a stream of short connections. Bounded in entries and bytes;
 * the oldest entry gives way. The owner lowers the bound as connections
 * end (ring_cache_set_keep()), so the memory of a crowd that has gone goes
 * back to malloc. */
struct tcp_ring_cache {
    struct tcp_ring_cached {
        uint8_t *data;
        uint32_t size;
    } *slots;                  /* oldest first */
    uint32_t count, capacity;
    uint32_t keep;             /* entries kept at most now (<= capacity) */
    size_t bytes, limit;
    uint32_t largest;          /* larger rings are not kept */
};

/* A ring's first memory, at most its limit. */
#define RING_FIRST (8 * 1024)

struct tcp_ring {
    uint8_t *data;
    uint32_t size;             /* bytes of memory at data, grown up to limit as needed */
    uint32_t limit;            /* capacity in bytes: what len (and bytes past it) may reach */
    uint32_t head;             /* index of the first byte */
    uint32_t len;              /* bytes held */
    struct tcp_ring_cache *cache; /* where its memory comes from and goes (NULL: malloc) */
};

/* A ring of capacity `size`, with RING_FIRST bytes of memory (or size if
 * less): 0 or -ENOMEM. A ring of size 0 holds nothing and allocates
 * nothing. */
int ring_init(struct tcp_ring *r, uint32_t size);
/* The same, with memory from `cache` when it has the size, and back to it
 * when the ring is finished or resized (a resized ring leaves the cache:
 * its new memory is malloc's). */
int ring_init_cached(struct tcp_ring *r, uint32_t size, struct tcp_ring_cache *cache);
void ring_fini(struct tcp_ring *r);
/* Room for `entries` buffers of at most `largest` bytes and `limit` bytes
 * in all: 0 or -ENOMEM. */
int ring_cache_init(struct tcp_ring_cache *cache, uint32_t entries, uint32_t largest, size_t limit);
/* Free everything the cache holds. */
void ring_cache_fini(struct tcp_ring_cache *cache);
/* Keep at most `entries` (up to the capacity); the oldest beyond go now. */
void ring_cache_set_keep(struct tcp_ring_cache *cache, uint32_t entries);
/* Would the ring's memory go back to its cache (not to malloc) at ring_fini()? */
bool ring_cached(const struct tcp_ring *r);
/* Memory for `n` bytes from the head (n <= limit), the contents and the
 * bytes past them kept in place: 0 or -ENOMEM. */
int ring_reserve(struct tcp_ring *r, uint32_t n);
/* Set the capacity to `size` keeping the contents; 0, -EINVAL (smaller
 * than the contents) or -ENOMEM. */
int ring_resize(struct tcp_ring *r, uint32_t size);
/* The same, keeping `keep` bytes from the head (the contents and the
 * out-of-order bytes written past them). */
int ring_resize_keep(struct tcp_ring *r, uint32_t size, uint32_t keep);

static inline uint32_t ring_free(const struct tcp_ring *r)
{
    return r->limit - r->len;
}

/* Append up to n bytes; returns how many fitted. */
uint32_t ring_write(struct tcp_ring *r, const void *src, uint32_t n);
/* Copy n bytes to `offset` bytes past the end of the contents, without
 * making them part of it (out-of-order data). The caller keeps
 * offset + n <= ring_free(r), and has reserved them (ring_reserve()). */
void ring_write_at(struct tcp_ring *r, uint32_t offset, const void *src, uint32_t n);
/* Make n bytes written by ring_write_at() just past the end part of the
 * contents. */
void ring_commit(struct tcp_ring *r, uint32_t n);
/* Copy n bytes from `offset` into the contents without consuming them
 * (offset + n <= len). */
void ring_peek(const struct tcp_ring *r, uint32_t offset, void *dst, uint32_t n);
/* Drop n bytes from the front (n <= len). */
void ring_consume(struct tcp_ring *r, uint32_t n);
/* The contiguous run of bytes at `offset` (up to `n`): its address, and its
 * length in *run. Lets a caller checksum or copy without a bounce buffer. */
const uint8_t *ring_span(const struct tcp_ring *r, uint32_t offset, uint32_t n, uint32_t *run);

#endif
