#include "core/pbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "naru/counters.h"

/* A chunk: its header, then n slots of a descriptor and its buffer. */
struct pbuf_chunk {
    struct pbuf_chunk *next;
    uint32_t n;
};

#define CACHE_LINE 64

/* A descriptor and its buffer, in whole cache lines. */
static size_t pbuf_slot_size(uint32_t buffer_size)
{
    return (sizeof(struct pbuf) + buffer_size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

static void pool_fini(struct pbuf_pool *pool)
{
    while (pool->chunks) {
        struct pbuf_chunk *c = pool->chunks;
        pool->chunks = c->next;
        free(c);
    }
    memset(pool, 0, sizeof *pool);
}

static void pool_init(struct pbuf_pool *pool, uint32_t count, uint32_t buffer_size, uint8_t id)
{
    memset(pool, 0, sizeof *pool);
    pool->count = count;
    pool->buffer_size = buffer_size;
    pool->id = id;
}

/* The next chunk of buffers onto the free list: false when the pool has
 * all its buffers already, or no memory is left for them. */
static bool carve(struct pbuf_pool *pool)
{
    uint32_t n = pool->count - pool->carved;
    if (n == 0)
        return false;
    uint32_t want = pool->buffer_size > PBUF_LARGE_SIZE / 2 ? 1
                    : pool->carved < PBUF_CHUNK_FIRST       ? PBUF_CHUNK_FIRST
                    : pool->carved < PBUF_CHUNK_MAX         ? pool->carved
                                                            : PBUF_CHUNK_MAX;
    if (n > want)
        n = want;
    /* Each descriptor just before its bytes: a frame read long after it
     * was written (where a simulated link delivers it) then costs one run
     * of adjacent cache lines, fetched together, not two misses in turn. */
    size_t slot = pbuf_slot_size(pool->buffer_size);
    struct pbuf_chunk *c = malloc(sizeof(struct pbuf_chunk) + CACHE_LINE + (size_t)n * slot);
    if (!c)
        return false;
    c->n = n;
    c->next = pool->chunks;
    pool->chunks = c;
    uint8_t *mem = (uint8_t *)(((uintptr_t)(c + 1) + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1));
    for (uint32_t i = n; i-- > 0;) {
        struct pbuf *pb = (struct pbuf *)(mem + (size_t)i * slot);
        memset(pb, 0, sizeof *pb);
        pb->base = (uint8_t *)(pb + 1);
        pb->cap = pool->buffer_size;
        pb->pool = pool->id;
        pb->next = pool->free_list;
        pool->free_list = pb;
    }
    pool->carved += n;
    return true;
}

int pbuf_pools_init(struct pbuf_pools *pools, uint32_t frame_count, uint32_t frame_size,
                    uint32_t large_count, struct naru_counters *counters)
{
    pools->counters = counters;
    pools->lender = NULL; /* until pbuf_pools_borrow_from() */
    pool_init(&pools->frame, frame_count, frame_size, PBUF_POOL_FRAME);
    pool_init(&pools->large, large_count, PBUF_LARGE_SIZE, PBUF_POOL_LARGE);
    return 0;
}

void pbuf_pools_fini(struct pbuf_pools *pools)
{
    pool_fini(&pools->frame);
    pool_fini(&pools->large);
}

static struct pbuf *take(struct pbuf_pool *pool)
{
    /* in_use counts lent buffers taken in too (pbuf_pools_land), which
     * were not carved here: the count bounds both. */
    if (pool->in_use >= pool->count)
        return NULL;
    if (!pool->free_list && !carve(pool))
        return NULL;
    struct pbuf *pb = pool->free_list;
    if (pb) {
        pool->free_list = pb->next;
        pool->in_use++;
    }
    return pb;
}

static struct pbuf *reset(struct pbuf *pb, size_t headroom, size_t len);

/* A frame buffer from the lender, counted as the stack's own. The lender's
 * free list is shared and last in, first out: the buffer a stack freed a
 * moment ago, still in the cache, where the stack's own pool would give
 * one it last touched long ago (a thousand stacks' pools are far more
 * memory than the cache). And what the stack sends in it goes on uncopied
 * (iface_transmit's transmit_lent). */
static struct pbuf *borrow(struct pbuf_pools *pools)
{
    if (pools->frame.in_use >= pools->frame.count)
        return NULL;
    struct pbuf *pb = take(pools->lender);
    if (pb)
        pools->frame.in_use++;
    return pb;
}

struct pbuf *pbuf_pools_alloc(struct pbuf_pools *pools, size_t headroom, size_t len)
{
    size_t need = headroom + len;
    struct pbuf *pb = NULL;
    if (need <= pools->frame.buffer_size) {
        pb = pools->lender && need <= pools->lender->buffer_size ? borrow(pools) : take(&pools->frame);
        if (!pb)
            pools->counters->buffers_frame_exhausted++;
    } else if (need <= pools->large.buffer_size) {
        pb = take(&pools->large);
        if (!pb)
            pools->counters->buffers_large_exhausted++;
    } else {
        pools->counters->buffers_large_exhausted++;
    }
    return pb ? reset(pb, headroom, len) : NULL;
}

static struct pbuf *reset(struct pbuf *pb, size_t headroom, size_t len)
{
    pb->next = NULL;
    pb->data = pb->base + headroom;
    pb->len = (uint32_t)len;
    pb->ifindex = -1;
    pb->flags = 0;
    pb->network_offset = 0;
    pb->csum_start = 0;
    pb->csum_offset = 0;
    pb->gso_size = 0;
    pb->headers_end = 0;
    pb->rx_gso_size = 0;
    pb->meta_addr.family = NARU_AF_UNSPEC;
    pb->meta_port = 0;
    pb->meta_ttl = 0;
    pb->meta_time = 0;
    return pb;
}

static void give_back(struct pbuf_pool *pool, struct pbuf *pb)
{
    pb->next = pool->free_list;
    pool->free_list = pb;
    pool->in_use--;
}

void pbuf_pools_free(struct pbuf_pools *pools, struct pbuf *pb)
{
    if (!pb)
        return;
    if (pb->pool == PBUF_POOL_LENT) {
        pools->frame.in_use--;
        give_back(pools->lender, pb);
        return;
    }
    give_back(pb->pool == PBUF_POOL_FRAME ? &pools->frame : &pools->large, pb);
}

void pbuf_lender_init(struct pbuf_pool *lender, uint32_t buffer_size)
{
    pool_init(lender, UINT32_MAX, buffer_size, PBUF_POOL_LENT);
}

void pbuf_lender_fini(struct pbuf_pool *lender)
{
    pool_fini(lender);
}

struct pbuf *pbuf_lend(struct pbuf_pool *lender, size_t headroom, size_t len)
{
    if (headroom + len > lender->buffer_size)
        return NULL;
    struct pbuf *pb = take(lender);
    return pb ? reset(pb, headroom, len) : NULL;
}

void pbuf_lend_return(struct pbuf_pool *lender, struct pbuf *pb)
{
    give_back(lender, pb);
}

void pbuf_lend_again(struct pbuf *pb)
{
    reset(pb, pbuf_headroom(pb), pb->len);
}

void pbuf_pools_hand_on(struct pbuf_pools *pools, struct pbuf *pb)
{
    (void)pb; /* it stays where it is: only who counts it changes */
    pools->frame.in_use--;
}

bool pbuf_pools_land(struct pbuf_pools *pools, struct pbuf_pool *lender, struct pbuf *pb)
{
    (void)pb; /* a lent buffer stays where it is: only who counts it changes */
    /* As pbuf_pools_alloc() fails for the copy it would have made. */
    if (pools->frame.in_use >= pools->frame.count) {
        pools->counters->buffers_frame_exhausted++;
        return false;
    }
    pools->frame.in_use++;
    pools->lender = lender;
    return true;
}

void pbuf_pools_borrow_from(struct pbuf_pools *pools, struct pbuf_pool *lender)
{
    pools->lender = lender;
}

void pbuf_queue_push(struct pbuf_queue *q, struct pbuf *pb)
{
    pb->next = NULL;
    if (q->tail)
        q->tail->next = pb;
    else
        q->head = pb;
    q->tail = pb;
    q->count++;
}

struct pbuf *pbuf_queue_pop(struct pbuf_queue *q)
{
    struct pbuf *pb = q->head;
    if (pb) {
        q->head = pb->next;
        if (!q->head)
            q->tail = NULL;
        q->count--;
        pb->next = NULL;
    }
    return pb;
}

void pbuf_queue_drain(struct pbuf_pools *pools, struct pbuf_queue *q)
{
    struct pbuf *pb;
    while ((pb = pbuf_queue_pop(q)))
        pbuf_pools_free(pools, pb);
}
