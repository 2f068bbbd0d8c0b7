/* Byte ring buffers for a connection's send and receive data.
 *
 * A ring holds `len` bytes starting at `head`. The send ring keeps what the
 * application wrote and the peer has not acknowledged; the receive ring keeps
 * in-order bytes the application has not read, and out-of-order bytes are
 * written beyond them at their final offsets (ring_write_at), so a segment
 * that fills a hole costs no second copy. Memory is allocated once, when the
 * connection gets its buffers; nothing here allocates per segment. */
#ifndef NARU_TCP_BUFFER_H
#define NARU_TCP_BUFFER_H

#include <stddef.h>
#include <stdint.h>

struct tcp_ring {
    uint8_t *data;
    uint32_t size;             /* capacity in bytes */
    uint32_t head;             /* index of the first byte */
    uint32_t len;              /* bytes held */
};

/* 0 or -ENOMEM. A ring of size 0 holds nothing and allocates nothing. */
int ring_init(struct tcp_ring *r, uint32_t size);
void ring_fini(struct tcp_ring *r);
/* Grow to `size` keeping the contents; 0, -EINVAL (smaller than the
 * contents) or -ENOMEM. */
int ring_resize(struct tcp_ring *r, uint32_t size);
/* The same, keeping `keep` bytes from the head (the contents and the
 * out-of-order bytes written past them). */
int ring_resize_keep(struct tcp_ring *r, uint32_t size, uint32_t keep);

static inline uint32_t ring_free(const struct tcp_ring *r)
{
    return r->size - r->len;
}

/* Append up to n bytes; returns how many fitted. */
uint32_t ring_write(struct tcp_ring *r, const void *src, uint32_t n);
/* Copy n bytes to `offset` bytes past the end of the contents, without
 * making them part of it (out-of-order data). The caller keeps
 * offset + n <= ring_free(r). */
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
