/* The in-memory link driver: a FIFO of frame copies per direction. */
#include "naru/memlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"

struct frame {
    struct frame *next;
    naru_time_t arrival;
    size_t len;
    uint8_t data[];
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
};

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
    for (int i = 0; i < 2; i++) {
        struct frame *f = link->dir[i].head;
        while (f) {
            struct frame *next = f->next;
            free(f);
            f = next;
        }
    }
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
    struct frame *f = malloc(sizeof *f + len);
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
        free(f);
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
