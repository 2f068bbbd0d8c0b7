/* The in-memory link driver: a FIFO of frame copies per direction.
 *
 * Frame buffers come from a bounded free list of the link's own, not from
 * malloc each time (DESIGN: no allocation on the per-packet path; at a
 * 64 KiB MTU, malloc and free of every frame also made glibc shrink and
 * regrow its heap, and page faults took a fifth of the time). Two sizes:
 * small frames (pure ACKs, SYNs, ARP) and the largest frame the link has
 * carried, so a 64 KiB MTU does not make every ACK take 64 KiB. */
#include "naru/memlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"

/* Frames of up to this many bytes take a small buffer: an Ethernet header
 * and a TCP/IP header with options come to well under it. */
#define SMALL_FRAME 256
/* The least a large buffer holds: an Ethernet frame of a 1500-byte MTU
 * with room for VLAN tags, so the common MTU never resizes the pool. */
#define LARGE_FRAME_MIN 2048
/* What the free lists may keep once frames are delivered: a burst larger
 * than this is allocated and freed as before. */
#define POOL_SMALL_FRAMES 1024
#define POOL_LARGE_BYTES ((size_t)8 << 20)

struct frame {
    struct frame *next;
    naru_time_t arrival;
    size_t len;
    size_t capacity;           /* SMALL_FRAME, or the large size when allocated */
    uint8_t data[];
};

struct frame_pool {
    struct frame *small, *large;   /* free lists */
    uint32_t small_count;
    size_t large_bytes;            /* held by the large free list */
    size_t large_size;             /* capacity of a large buffer now; only grows */
};

struct direction {
    struct frame *head, *tail;
    uint32_t in_flight;
    naru_time_t busy_until;    /* when the sender's last frame finishes serialising */
    struct naru_memlink_stats stats;
};

struct end {
    struct naru_memlink *link;
    int index;
    struct naru_stack *stack;
    int ifindex;
};

struct naru_memlink {
    struct naru_memlink_config config;
    struct naru_random random;
    struct direction dir[2];   /* dir[i]: frames sent by end i */
    struct end ends[2];
    struct frame_pool pool;
};

static void free_list(struct frame *f)
{
    while (f) {
        struct frame *next = f->next;
        free(f);
        f = next;
    }
}

static struct frame *frame_get(struct frame_pool *pool, size_t len)
{
    struct frame *f;
    size_t capacity;
    if (len <= SMALL_FRAME) {
        capacity = SMALL_FRAME;
        if ((f = pool->small)) {
            pool->small = f->next;
            pool->small_count--;
            return f;
        }
    } else {
        if (len > pool->large_size) {
            /* A larger frame than any before: the kept buffers are too small. */
            free_list(pool->large);
            pool->large = NULL;
            pool->large_bytes = 0;
            pool->large_size = len > LARGE_FRAME_MIN ? len : LARGE_FRAME_MIN;
        }
        capacity = pool->large_size;
        if ((f = pool->large)) {
            pool->large = f->next;
            pool->large_bytes -= capacity;
            return f;
        }
    }
    f = malloc(sizeof *f + capacity);
    if (f)
        f->capacity = capacity;
    return f;
}

static void frame_put(struct frame_pool *pool, struct frame *f)
{
    if (f->capacity == SMALL_FRAME && pool->small_count < POOL_SMALL_FRAMES) {
        f->next = pool->small;
        pool->small = f;
        pool->small_count++;
    } else if (f->capacity == pool->large_size && pool->large_bytes + f->capacity <= POOL_LARGE_BYTES) {
        f->next = pool->large;
        pool->large = f;
        pool->large_bytes += f->capacity;
    } else {
        free(f);
    }
}

int naru_memlink_create(const struct naru_memlink_config *config, struct naru_memlink **out)
{
    if (!config || config->loss < 0 || config->loss > 1)
        return -EINVAL;
    struct naru_memlink *link = calloc(1, sizeof *link);
    if (!link)
        return -ENOMEM;
    link->config = *config;
    if (!link->config.queue_limit)
        link->config.queue_limit = 4096;
    random_seed(&link->random, config->seed);
    for (int i = 0; i < 2; i++) {
        link->ends[i].link = link;
        link->ends[i].index = i;
        link->ends[i].ifindex = -1;
    }
    *out = link;
    return 0;
}

void naru_memlink_destroy(struct naru_memlink *link)
{
    if (!link)
        return;
    for (int i = 0; i < 2; i++)
        free_list(link->dir[i].head);
    free_list(link->pool.small);
    free_list(link->pool.large);
    free(link);
}

static int transmit(void *ctx, const uint8_t *data, size_t len)
{
    struct end *end = ctx;
    struct naru_memlink *link = end->link;
    struct direction *d = &link->dir[end->index];
    d->stats.frames_sent++;
    if (link->config.loss > 0 && random_unit(&link->random) < link->config.loss) {
        d->stats.frames_lost++;
        return 0; /* lost on the wire: the sender cannot know */
    }
    if (d->in_flight >= link->config.queue_limit) {
        d->stats.frames_overflow++;
        return -ENOBUFS;
    }
    struct frame *f = frame_get(&link->pool, len);
    if (!f)
        return -ENOMEM;
    naru_time_t now = naru_stack_now(end->stack);
    naru_time_t start = d->busy_until > now ? d->busy_until : now;
    naru_time_t serialise = link->config.rate_bps ? (naru_time_t)len * 8 * NARU_SEC / link->config.rate_bps : 0;
    d->busy_until = start + serialise;
    f->arrival = d->busy_until + link->config.delay;
    f->len = len;
    f->next = NULL;
    memcpy(f->data, data, len);
    if (d->tail)
        d->tail->next = f;
    else
        d->head = f;
    d->tail = f;
    d->in_flight++;
    return 0;
}

int naru_memlink_attach(struct naru_memlink *link, int end, struct naru_stack *stack,
                        const struct naru_if_config *config)
{
    if (!link || end < 0 || end > 1 || !stack || !config || link->ends[end].stack)
        return -EINVAL;
    struct naru_if_config c = *config;
    c.driver.transmit = transmit;
    c.driver.ctx = &link->ends[end];
    link->ends[end].stack = stack;
    int ifindex = naru_if_add(stack, &c);
    if (ifindex < 0) {
        link->ends[end].stack = NULL;
        return ifindex;
    }
    link->ends[end].ifindex = ifindex;
    return ifindex;
}

naru_time_t naru_memlink_next_deadline(const struct naru_memlink *link)
{
    naru_time_t next = NARU_NEVER;
    for (int i = 0; i < 2; i++)
        if (link->dir[i].head && link->dir[i].head->arrival < next)
            next = link->dir[i].head->arrival;
    return next;
}

void naru_memlink_poll(struct naru_memlink *link, naru_time_t now)
{
    for (;;) {
        /* The earlier of the two heads first, so time never runs backwards. */
        int which = -1;
        for (int i = 0; i < 2; i++) {
            struct frame *f = link->dir[i].head;
            if (f && f->arrival <= now && (which < 0 || f->arrival < link->dir[which].head->arrival))
                which = i;
        }
        if (which < 0)
            return;
        struct direction *d = &link->dir[which];
        struct frame *f = d->head;
        d->head = f->next;
        if (!d->head)
            d->tail = NULL;
        d->in_flight--;
        struct end *to = &link->ends[1 - which];
        if (to->stack) {
            d->stats.frames_delivered++;
            naru_stack_poll(to->stack, f->arrival);
            naru_stack_input(to->stack, to->ifindex, f->data, f->len);
        }
        frame_put(&link->pool, f);
    }
}

void naru_memlink_set_loss(struct naru_memlink *link, double loss)
{
    link->config.loss = loss;
}

void naru_memlink_get_stats(const struct naru_memlink *link, int end, struct naru_memlink_stats *stats)
{
    *stats = link->dir[end & 1].stats;
}
