/* The event queue: a 4-ary min-heap of (when, order) keys (event_queue.h).
 *
 * Place i's children are places 4i+1 .. 4i+4 and its parent (i-1)/4. The
 * keys live in a 64-byte-aligned block with place i in slot i+3, so the
 * children of place i fill slots 4(i+1) .. 4(i+1)+3: one cache line. The
 * sources' numbers sit in an array of their own, read only to record
 * where a moved key went, so comparing children touches that line alone. */
#include "sim/event_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LINE 64
#define LEAD 3 /* slots before place 0, aligning every group of children */

static void place(struct sim_queue *q, unsigned i, struct sim_queue_key k, uint32_t id)
{
    q->key[i] = k;
    q->id[i] = id;
    q->pos[id] = i + 1;
}

static void sift_up(struct sim_queue *q, unsigned i, struct sim_queue_key k, uint32_t id)
{
    while (i > 0) {
        unsigned parent = (i - 1) / 4;
        if (!sim_queue_key_before(&k, &q->key[parent]))
            break;
        place(q, i, q->key[parent], q->id[parent]);
        i = parent;
    }
    place(q, i, k, id);
}

static void sift_down(struct sim_queue *q, unsigned i, struct sim_queue_key k, uint32_t id)
{
    struct sim_queue_key *key = q->key;
    unsigned n = q->count, c;
    /* Places with all four children: the least of them by a small
     * tournament, in the one cache line they share. */
    while ((c = 4 * i + 1) + 3 < n) {
        const struct sim_queue_key *g = &key[c];
        unsigned a = sim_queue_key_before(&g[1], &g[0]);
        unsigned b = 2 + sim_queue_key_before(&g[3], &g[2]);
        c += a ^ ((a ^ b) & -(unsigned)sim_queue_key_before(&g[b], &g[a])); /* b if before a: no branch */
        if (!sim_queue_key_before(&key[c], &k))
            goto done;
        place(q, i, key[c], q->id[c]);
        i = c;
    }
    /* The last parent, with fewer: its children have none. */
    if (c < n) {
        unsigned least = c;
        for (unsigned j = c + 1; j < n; j++)
            if (sim_queue_key_before(&key[j], &key[least]))
                least = j;
        if (sim_queue_key_before(&key[least], &k)) {
            place(q, i, key[least], q->id[least]);
            i = least;
        }
    }
done:
    place(q, i, k, id);
}

void sim_queue_set(struct sim_queue *q, uint32_t id, struct sim_queue_key k)
{
    uint32_t pos = q->pos[id];
    if (!pos)
        sift_up(q, q->count++, k, id);
    else if (sim_queue_key_before(&k, &q->key[pos - 1]))
        sift_up(q, pos - 1, k, id);
    else
        sift_down(q, pos - 1, k, id);
}

void sim_queue_remove(struct sim_queue *q, uint32_t id)
{
    uint32_t pos = q->pos[id];
    if (!pos)
        return;
    q->pos[id] = 0;
    unsigned i = pos - 1, last = --q->count;
    if (i == last)
        return;
    /* The last key fills the hole, and moves whichever way it must. */
    struct sim_queue_key k = q->key[last];
    uint32_t moved = q->id[last];
    if (i > 0 && sim_queue_key_before(&k, &q->key[(i - 1) / 4]))
        sift_up(q, i, k, moved);
    else
        sift_down(q, i, k, moved);
}

int sim_queue_reserve(struct sim_queue *q, unsigned cap)
{
    if (cap <= q->cap)
        return 0;
    size_t bytes = ((size_t)cap + LEAD) * sizeof *q->key;
    bytes = (bytes + LINE - 1) / LINE * LINE; /* aligned_alloc wants a multiple */
    struct sim_queue_key *block = aligned_alloc(LINE, bytes);
    if (!block)
        return -ENOMEM;
    uint32_t *id = realloc(q->id, (size_t)cap * sizeof *id);
    if (!id) {
        free(block);
        return -ENOMEM;
    }
    q->id = id;
    uint32_t *pos = realloc(q->pos, (size_t)cap * sizeof *pos);
    if (!pos) {
        free(block);
        return -ENOMEM;
    }
    memset(pos + q->cap, 0, (size_t)(cap - q->cap) * sizeof *pos);
    q->pos = pos;
    if (q->count)
        memcpy(block + LEAD, q->key, q->count * sizeof *q->key);
    free(q->key_block);
    q->key_block = block;
    q->key = block + LEAD;
    q->cap = cap;
    return 0;
}

void sim_queue_free(struct sim_queue *q)
{
    free(q->key_block);
    free(q->id);
    free(q->pos);
    *q = (struct sim_queue){ 0 };
}
