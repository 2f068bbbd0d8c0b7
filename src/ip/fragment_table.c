#include "ip/fragment_table.h"

#include <stdlib.h>
#include <string.h>

#include "stack.h"

static struct fragment_slot *slot_at(const struct fragment_table *t, uint32_t i)
{
    return (struct fragment_slot *)(void *)(t->slots + (size_t)i * t->slot_size);
}

int fragment_table_init(struct fragment_table *t, uint32_t count, size_t slot_size, naru_timer_fn timed_out)
{
    t->slots = NULL;
    t->count = count;
    t->slot_size = slot_size;
    t->timed_out = timed_out;
    return 0;
}

/* The slots on the first fragment: most hosts never see one. */
static bool slots_ready(struct fragment_table *t)
{
    if (t->slots)
        return true;
    if (!t->count || !(t->slots = calloc(t->count, t->slot_size)))
        return false;
    for (uint32_t i = 0; i < t->count; i++)
        timer_init(&slot_at(t, i)->timer, t->timed_out);
    return true;
}

void fragment_slot_free(struct naru_stack *stack, struct fragment_slot *s)
{
    pbuf_free(stack, s->buffer);
    timer_cancel(&stack->timers, &s->timer);
    s->buffer = NULL;
    s->used = false;
}

void fragment_table_fini(struct naru_stack *stack, struct fragment_table *t)
{
    if (!t->slots)
        return;
    for (uint32_t i = 0; i < t->count; i++)
        if (slot_at(t, i)->used)
            fragment_slot_free(stack, slot_at(t, i));
    free(t->slots);
    t->slots = NULL;
}

struct fragment_slot *fragment_table_find_or_start(struct naru_stack *stack, struct fragment_table *t,
                                                   bool (*match)(const struct fragment_slot *s, const void *key),
                                                   const void *key, naru_time_t timeout, uint64_t *evicted,
                                                   bool *fresh)
{
    struct fragment_slot *free_slot = NULL, *oldest = NULL;
    *fresh = false;
    if (!slots_ready(t))
        return NULL;
    for (uint32_t i = 0; i < t->count; i++) {
        struct fragment_slot *s = slot_at(t, i);
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (match(s, key))
            return s;
        if (!oldest || s->started < oldest->started)
            oldest = s;
    }
    struct fragment_slot *s = free_slot;
    if (!s) {
        if (!oldest)
            return NULL;
        (*evicted)++;
        fragment_slot_free(stack, oldest);
        s = oldest;
    }
    s->buffer = pbuf_alloc(stack, 0, PBUF_LARGE_SIZE);
    if (!s->buffer)
        return NULL;
    s->used = true;
    s->started = stack->now;
    s->total_len = 0;
    s->received = 0;
    s->ranges.count = 0;
    timer_arm(&stack->timers, &s->timer, stack->now + timeout);
    *fresh = true;
    return s;
}

enum fragment_placement fragment_slot_take(struct fragment_slot *s, uint32_t start, uint32_t end, bool more,
                                           const uint8_t *data, size_t offset)
{
    /* The parsers keep fragments within the largest datagram; this keeps
     * the buffer safe whatever a caller passes. */
    if (start >= end || end > UINT16_MAX)
        return FRAGMENT_MALFORMED;
    /* Past the known end, or a second last fragment with another end, or a
     * last one that ends before bytes already held. */
    if ((s->total_len && end > s->total_len) || (!more && s->total_len && end != s->total_len) ||
        (!more && end < fragment_ranges_end(&s->ranges)))
        return FRAGMENT_MALFORMED;
    enum fragment_placement p = fragment_ranges_place(&s->ranges, (uint16_t)start, (uint16_t)end);
    if (p != FRAGMENT_PLACED)
        return p;
    memcpy(s->buffer->base + offset + start, data, end - start);
    s->received += end - start;
    if (!more)
        s->total_len = end;
    return FRAGMENT_PLACED;
}
