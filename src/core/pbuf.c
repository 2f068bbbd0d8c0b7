#include "core/pbuf.h"

#include <stdlib.h>

#include "stack.h"

int pbuf_pool_init(struct pbuf_pool *pool, uint32_t count, uint32_t buffer_size, uint8_t id)
{
    memset(pool, 0, sizeof *pool);
    pool->count = count;
    pool->buffer_size = buffer_size;
    if (count == 0)
        return 0;
    pool->descriptors = calloc(count, sizeof *pool->descriptors);
    pool->arena = malloc((size_t)count * buffer_size);
    if (!pool->descriptors || !pool->arena) {
        pbuf_pool_fini(pool);
        return -ENOMEM;
    }
    for (uint32_t i = count; i-- > 0;) {
        struct pbuf *pb = &pool->descriptors[i];
        pb->base = pool->arena + (size_t)i * buffer_size;
        pb->cap = buffer_size;
        pb->pool = id;
        pb->next = pool->free_list;
        pool->free_list = pb;
    }
    return 0;
}

void pbuf_pool_fini(struct pbuf_pool *pool)
{
    free(pool->descriptors);
    free(pool->arena);
    memset(pool, 0, sizeof *pool);
}

static struct pbuf *take(struct pbuf_pool *pool)
{
    struct pbuf *pb = pool->free_list;
    if (pb) {
        pool->free_list = pb->next;
        pool->in_use++;
    }
    return pb;
}

struct pbuf *pbuf_alloc(struct naru_stack *stack, size_t headroom, size_t len)
{
    size_t need = headroom + len;
    struct pbuf *pb = NULL;
    if (need <= stack->frame_pool.buffer_size) {
        pb = take(&stack->frame_pool);
        if (!pb)
            stack->counters.buffers_frame_exhausted++;
    } else if (need <= stack->large_pool.buffer_size) {
        pb = take(&stack->large_pool);
        if (!pb)
            stack->counters.buffers_large_exhausted++;
    } else {
        stack->counters.buffers_large_exhausted++;
    }
    if (!pb)
        return NULL;
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

void pbuf_free(struct naru_stack *stack, struct pbuf *pb)
{
    if (!pb)
        return;
    struct pbuf_pool *pool = pb->pool == PBUF_POOL_FRAME ? &stack->frame_pool : &stack->large_pool;
    pb->next = pool->free_list;
    pool->free_list = pb;
    pool->in_use--;
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

void pbuf_queue_free(struct naru_stack *stack, struct pbuf_queue *q)
{
    struct pbuf *pb;
    while ((pb = pbuf_queue_pop(q)))
        pbuf_free(stack, pb);
}
