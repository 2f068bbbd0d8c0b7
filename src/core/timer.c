#include "core/timer.h"

#include <stddef.h>

void timer_init(struct naru_timer *t, naru_timer_fn fire)
{
    t->when = 0;
    t->fire = fire;
    t->child = t->sibling = t->prev = NULL;
    t->armed = false;
}

/* Join two heap roots; the later one becomes the first child. On equal
 * times `a` stays on top, so equal deadlines fire in a repeatable order. */
static struct naru_timer *meld(struct naru_timer *a, struct naru_timer *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (b->when < a->when) {
        struct naru_timer *t = a;
        a = b;
        b = t;
    }
    b->prev = a;
    b->sibling = a->child;
    if (a->child)
        a->child->prev = b;
    a->child = b;
    return a;
}

/* The standard two-pass merge of a list of siblings into one heap. */
static struct naru_timer *merge_pairs(struct naru_timer *first)
{
    struct naru_timer *pairs = NULL;
    while (first) {
        struct naru_timer *a = first, *b = first->sibling;
        first = b ? b->sibling : NULL;
        a->sibling = a->prev = NULL;
        if (b)
            b->sibling = b->prev = NULL;
        struct naru_timer *m = meld(a, b);
        m->sibling = pairs;
        pairs = m;
    }
    struct naru_timer *result = NULL;
    while (pairs) {
        struct naru_timer *next = pairs->sibling;
        pairs->sibling = NULL;
        result = meld(result, pairs);
        pairs = next;
    }
    return result;
}

void timer_cancel(struct timer_heap *heap, struct naru_timer *t)
{
    if (!t->armed)
        return;
    if (t == heap->root) {
        heap->root = merge_pairs(t->child);
    } else {
        if (t->prev->child == t)
            t->prev->child = t->sibling;
        else
            t->prev->sibling = t->sibling;
        if (t->sibling)
            t->sibling->prev = t->prev;
        t->sibling = t->prev = NULL;
        heap->root = meld(heap->root, merge_pairs(t->child));
    }
    if (heap->root)
        heap->root->prev = heap->root->sibling = NULL;
    t->child = NULL;
    t->armed = false;
}

void timer_arm(struct timer_heap *heap, struct naru_timer *t, naru_time_t when)
{
    timer_cancel(heap, t);
    t->when = when;
    t->child = t->sibling = t->prev = NULL;
    t->armed = true;
    heap->root = meld(heap->root, t);
}

void timers_run(struct naru_stack *stack, struct timer_heap *heap, naru_time_t now)
{
    while (heap->root && heap->root->when <= now) {
        struct naru_timer *t = heap->root;
        timer_cancel(heap, t);
        t->fire(stack, t);
    }
}
