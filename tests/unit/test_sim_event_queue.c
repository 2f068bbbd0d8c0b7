/* The simulator's event queue (src/sim/event_queue.c): after every one of
 * many random insertions, moves earlier and later, and removals (fixed
 * seed), its top is the least key a brute-force scan finds, every place
 * knows its source and every parent is before its children. */
#include "testnet.h"

#include "sim/event_queue.h"

#define SOURCES 300

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The order written the plain way, to check the queue's own against. */
static bool ref_before(const struct sim_queue_key *a, const struct sim_queue_key *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

struct shadow {
    bool queued[SOURCES];
    struct sim_queue_key key[SOURCES];
};

/* The whole queue against the shadow: the least key on top, the heap
 * order on every place, places and sources agreeing. */
static void check_queue(const struct sim_queue *q, const struct shadow *s)
{
    unsigned queued = 0;
    int least = -1;
    for (unsigned id = 0; id < q->cap; id++) {
        assert_int_equal(sim_queue_has(q, id), s->queued[id]);
        if (!s->queued[id])
            continue;
        queued++;
        const struct sim_queue_key *k = sim_queue_key_of(q, id);
        assert_int_equal(k->when, s->key[id].when);
        assert_int_equal(k->order, s->key[id].order);
        if (least < 0 || ref_before(&s->key[id], &s->key[least]))
            least = (int)id;
    }
    assert_int_equal(q->count, queued);
    for (unsigned i = 0; i < q->count; i++) {
        assert_int_equal(q->pos[q->id[i]], i + 1);
        if (i > 0)
            assert_false(ref_before(&q->key[i], &q->key[(i - 1) / 4]));
    }
    if (least >= 0) {
        assert_int_equal(sim_queue_top_id(q), (uint32_t)least);
        assert_int_equal(sim_queue_top(q)->when, s->key[least].when);
    }
}

static void random_updates_keep_the_least_key_on_top(void **state)
{
    (void)state;
    struct sim_queue q = { 0 };
    struct shadow s = { 0 };
    /* Grown in steps while full, as the engine grows it with the world. */
    assert_int_equal(sim_queue_reserve(&q, 8), 0);
    uint64_t order = 0;
    naru_time_t now = 0;
    unsigned cap = 8;
    for (unsigned step = 0; step < 60000; step++) {
        if (step % 200 == 0 && cap < SOURCES) {
            cap = cap * 2 > SOURCES ? SOURCES : cap * 2;
            assert_int_equal(sim_queue_reserve(&q, cap), 0);
        }
        uint64_t r = next_random();
        uint32_t id = (uint32_t)(r % cap);
        /* Few distinct times, so many keys tie on `when` and the order
         * must decide. */
        struct sim_queue_key k = { now + (r >> 32) % 50, ++order };
        switch ((r >> 16) % 8) {
        case 0: /* taken out */
            sim_queue_remove(&q, id);
            s.queued[id] = false;
            break;
        case 1: case 2: case 3: /* the top runs and moves later, as a busy link does */
            if (q.count) {
                id = sim_queue_top_id(&q);
                now = sim_queue_top(&q)->when;
                k.when = now + (r >> 40) % 50;
            }
            /* fall through */
        default: /* queued, or moved either way */
            sim_queue_set(&q, id, k);
            s.queued[id] = true;
            s.key[id] = k;
            break;
        }
        check_queue(&q, &s);
    }
    /* Emptied from the top: keys come out in order. */
    struct sim_queue_key last = { 0, 0 };
    while (q.count) {
        struct sim_queue_key k = *sim_queue_top(&q);
        assert_false(ref_before(&k, &last));
        last = k;
        uint32_t id = sim_queue_top_id(&q);
        sim_queue_remove(&q, id);
        s.queued[id] = false;
        check_queue(&q, &s);
    }
    sim_queue_free(&q);
}

static void growing_keeps_what_is_queued(void **state)
{
    (void)state;
    struct sim_queue q = { 0 };
    assert_int_equal(sim_queue_reserve(&q, 5), 0);
    for (uint32_t id = 0; id < 5; id++)
        sim_queue_set(&q, id, (struct sim_queue_key){ 100 - id, id });
    assert_int_equal(sim_queue_reserve(&q, 1000), 0);
    assert_int_equal(sim_queue_reserve(&q, 10), 0); /* never shrinks */
    assert_int_equal(q.cap, 1000);
    assert_false(sim_queue_has(&q, 999));
    sim_queue_set(&q, 999, (struct sim_queue_key){ 1, 7 });
    uint32_t want[] = { 999, 4, 3, 2, 1, 0 };
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(sim_queue_top_id(&q), want[i]);
        sim_queue_remove(&q, want[i]);
    }
    assert_int_equal(q.count, 0);
    sim_queue_remove(&q, 3); /* not queued: nothing */
    assert_int_equal(q.count, 0);
    sim_queue_free(&q);
}

static void the_order_breaks_ties_up_to_the_last_time(void **state)
{
    (void)state;
    naru_time_t times[] = { 0, 1, 5, (naru_time_t)1 << 63, NARU_NEVER - 2, NARU_NEVER - 1 };
    uint64_t orders[] = { 0, 1, 2, UINT64_MAX - 1, UINT64_MAX };
    for (unsigned i = 0; i < 6 * 5; i++)
        for (unsigned j = 0; j < 6 * 5; j++) {
            struct sim_queue_key a = { times[i / 5], orders[i % 5] }, b = { times[j / 5], orders[j % 5] };
            assert_int_equal(sim_queue_key_before(&a, &b), ref_before(&a, &b));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_updates_keep_the_least_key_on_top),
        cmocka_unit_test(growing_keeps_what_is_queued),
        cmocka_unit_test(the_order_breaks_ties_up_to_the_last_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
