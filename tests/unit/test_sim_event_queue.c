/* The simulator's event queue (src/sim/event_queue.c): after every one of
 * many random insertions, moves earlier and later (also below the last
 * top), and removals (fixed seed), its top is the least key a brute-force
 * scan finds, and every source sits in the bucket its key says. */
#include "testnet.h"

#include "sim/event_queue.h"

#define SOURCES 300

/* The source with the least key, and its key, whatever its time (the
 * engine bounds it by its next timer: sim_queue_top_by). Only when
 * count > 0. */
static uint32_t top_id(struct sim_queue *q)
{
    return sim_queue_top_by(q, NARU_NEVER);
}

static const struct sim_queue_key *top_key(struct sim_queue *q)
{
    return sim_queue_key_of(q, top_id(q));
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The order written the plain way, for the brute-force minimum. */
static bool ref_before(const struct sim_queue_key *a, const struct sim_queue_key *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

struct shadow {
    bool queued[SOURCES];
    struct sim_queue_key key[SOURCES];
};

/* The bucket a later time belongs in, written out again from
 * event_queue.c's description: the level of the highest 6-bit digit where
 * it differs from the floor, and its value there. */
static unsigned expected_bucket(naru_time_t when, naru_time_t floor)
{
    unsigned high = 63;
    while (!(((when ^ floor) >> high) & 1))
        high--;
    unsigned level = high / SIM_QUEUE_DIGIT;
    return level * 64 + (unsigned)((when >> (level * SIM_QUEUE_DIGIT)) & 63);
}

/* Every bucket's list: linked both ways round its own node, each source
 * where its key says, the floor's list in order and at the floor's time,
 * the bits saying which buckets hold any. Returns how many sources the
 * lists hold. */
static unsigned check_buckets(const struct sim_queue *q)
{
    unsigned listed = 0;
    for (unsigned b = 0; b < SIM_QUEUE_BUCKETS; b++) {
        uint32_t prev = b;
        for (uint32_t node = q->link[b].next; node != b; node = q->link[node].next) {
            assert_true(node >= SIM_QUEUE_BUCKETS && node - SIM_QUEUE_BUCKETS < q->cap);
            const struct sim_queue_entry *e = &q->entry[node - SIM_QUEUE_BUCKETS];
            assert_int_equal(e->bucket, b);
            assert_int_equal(q->link[node].prev, prev);
            assert_true(e->key.when >= q->floor);
            if (b == SIM_QUEUE_FLOOR) {
                assert_int_equal(e->key.when, q->floor);
                if (prev != b)
                    assert_true(q->entry[prev - SIM_QUEUE_BUCKETS].key.order < e->key.order);
            } else {
                assert_int_equal(expected_bucket(e->key.when, q->floor), b);
            }
            prev = node;
            listed++;
            assert_true(listed <= q->cap); /* no cycle but through the bucket's node */
        }
        assert_int_equal(q->link[b].prev, prev);
        assert_int_equal((q->digits[b / 64] >> (b % 64)) & 1, q->link[b].next != b);
    }
    for (unsigned level = 0; level <= SIM_QUEUE_LEVELS; level++)
        assert_int_equal((q->levels >> level) & 1, q->digits[level] != 0);
    return listed;
}

/* The whole queue against the shadow: the least key on top, every source
 * in the bucket its key says, the brute-force minimum on top. */
static void check_queue(struct sim_queue *q, const struct shadow *s)
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
    assert_int_equal(check_buckets(q), queued);
    if (least >= 0) {
        assert_int_equal(top_id(q), (uint32_t)least);
        assert_int_equal(top_key(q)->when, s->key[least].when);
        assert_int_equal(top_key(q)->order, s->key[least].order);
        assert_int_equal(check_buckets(q), queued); /* finding the top kept it all in place */
    }
}

/* A time after `now`: mostly close, as frames in flight are, sometimes
 * far, as node timers are, often exactly on a time other keys have. */
static naru_time_t later(naru_time_t now, uint64_t r)
{
    switch (r % 4) {
    case 0: return now + r % 8;                        /* ties with the top, and near it */
    case 1: return now + (r >> 8) % 50 * 1000;          /* in step: a few distinct times */
    case 2: return now + (r >> 8) % ((uint64_t)1 << 20); /* frames in flight */
    default: return now + (r >> 8) % ((uint64_t)1 << 40); /* timers, far off */
    }
}

static void random_updates_keep_the_least_key_on_top(void **state)
{
    (void)state;
    struct sim_queue q = { 0 };
    struct shadow s = { 0 };
    /* Grown in steps while full, as the engine grows it with the world. */
    assert_int_equal(sim_queue_reserve(&q, 8), 0);
    naru_time_t now = 0;
    unsigned cap = 8, below = 0;
    for (unsigned step = 0; step < 60000; step++) {
        if (step % 200 == 0 && cap < SOURCES) {
            cap = cap * 2 > SOURCES ? SOURCES : cap * 2;
            assert_int_equal(sim_queue_reserve(&q, cap), 0);
        }
        uint64_t r = next_random();
        uint32_t id = (uint32_t)(r % cap);
        /* Orders unique (the step in the low bits) but in no particular
         * sequence, as a frame's order is its sending's, not its queueing's. */
        struct sim_queue_key k = { later(now, next_random()), (next_random() >> 32) << 32 | step };
        switch ((r >> 16) % 16) {
        case 0: case 1: /* taken out */
            sim_queue_remove(&q, id);
            s.queued[id] = false;
            break;
        case 15: { /* a top no later than a bound, as the engine asks with a timer due */
            naru_time_t bound = later(now, r >> 20), floor = q.floor;
            uint32_t top = sim_queue_top_by(&q, bound);
            int least = -1;
            for (unsigned i = 0; i < cap; i++)
                if (s.queued[i] && (least < 0 || ref_before(&s.key[i], &s.key[least])))
                    least = (int)i;
            if (least < 0 || s.key[least].when > bound)
                assert_int_equal(top, SIM_QUEUE_NONE);
            else
                assert_int_equal(top, (uint32_t)least);
            assert_true(q.floor <= (floor > bound ? floor : bound)); /* never past the bound */
            break;
        }
        case 2: /* set below the last top's time, as code between runs may */
            if (now) {
                k.when = now - 1 - (r >> 24) % (now < 5000 ? now : 5000);
                below++;
            }
            goto set;
        case 3: case 4: case 5: case 6: case 7: case 8: /* the top runs and moves later, as a busy link does */
            if (q.count) {
                id = top_id(&q);
                now = top_key(&q)->when;
                k.when = later(now, r >> 20);
            }
            /* fall through */
        default: /* queued, or moved either way */
        set:
            sim_queue_set(&q, id, k);
            s.queued[id] = true;
            s.key[id] = k;
            break;
        }
        check_queue(&q, &s);
    }
    assert_true(below > 1000); /* the rebuild ran, many times */
    /* Emptied from the top: keys come out in order. */
    struct sim_queue_key last = { 0, 0 };
    while (q.count) {
        struct sim_queue_key k = *top_key(&q);
        assert_false(ref_before(&k, &last));
        last = k;
        uint32_t id = top_id(&q);
        sim_queue_remove(&q, id);
        s.queued[id] = false;
        check_queue(&q, &s);
    }
    sim_queue_free(&q);
}

/* A top asked for no later than a bound leaves the floor at or below it,
 * so keys set from the bound on (a timer's doings) go in without sorting
 * every source again. */
static void a_bounded_top_keeps_the_floor_at_the_bound(void **state)
{
    (void)state;
    struct sim_queue q = { 0 };
    assert_int_equal(sim_queue_reserve(&q, 4), 0);
    sim_queue_set(&q, 0, (struct sim_queue_key){ 1000, 1 });
    sim_queue_set(&q, 1, (struct sim_queue_key){ 5000, 2 });
    sim_queue_set(&q, 3, (struct sim_queue_key){ 5001, 3 }); /* in 1's bucket */
    assert_int_equal(sim_queue_top_by(&q, 999), SIM_QUEUE_NONE);
    assert_int_equal(sim_queue_top_by(&q, 1000), 0);
    sim_queue_remove(&q, 0);
    assert_int_equal(sim_queue_top_by(&q, 3000), SIM_QUEUE_NONE); /* the bucket starts after 3000 */
    assert_true(q.floor <= 3000);
    assert_int_equal(sim_queue_top_by(&q, 4999), SIM_QUEUE_NONE); /* the bucket starts before 4999, its keys after */
    assert_true(q.floor <= 4999);
    check_buckets(&q);
    sim_queue_set(&q, 2, (struct sim_queue_key){ 4999, 4 });
    assert_true(q.floor <= 4999);
    check_buckets(&q);
    assert_int_equal(sim_queue_top_by(&q, 4999), 2);
    sim_queue_remove(&q, 2);
    assert_int_equal(sim_queue_top_by(&q, 5000), 1);
    sim_queue_remove(&q, 1);
    assert_int_equal(top_id(&q), 3);
    check_buckets(&q);
    sim_queue_free(&q);
}

/* Many sources at one time, queued in a shuffled order and from a later
 * time falling to it: they leave by order alone. */
static void equal_times_leave_in_order(void **state)
{
    (void)state;
    enum { N = 200 };
    struct sim_queue q = { 0 };
    assert_int_equal(sim_queue_reserve(&q, N + 1), 0);
    uint32_t perm[N];
    for (uint32_t i = 0; i < N; i++)
        perm[i] = i;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(next_random() % (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    /* Source perm[i] gets order 1000 - perm[i] * 3: the source numbers,
     * the orders and the queueing all in different sequences. */
    sim_queue_set(&q, N, (struct sim_queue_key){ 10, 5000 }); /* the top, to leave first */
    for (uint32_t i = 0; i < N; i++)
        sim_queue_set(&q, perm[i], (struct sim_queue_key){ 123456789, 1000 - perm[i] * 3 });
    assert_int_equal(top_id(&q), N);
    sim_queue_remove(&q, N);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t want = N - 1 - i; /* least order: 1000 - 199 * 3 */
        assert_int_equal(top_id(&q), want);
        assert_int_equal(top_key(&q)->order, 1000 - want * 3);
        if (i == N / 2) { /* one more at the same time, its order amid theirs */
            sim_queue_set(&q, N, (struct sim_queue_key){ 123456789, 1000 - want * 3 + 1 });
            assert_int_equal(top_id(&q), want);
        }
        sim_queue_remove(&q, want);
        if (i == N / 2) {
            assert_int_equal(top_id(&q), N);
            sim_queue_remove(&q, N);
        }
    }
    assert_int_equal(q.count, 0);
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
        assert_int_equal(top_id(&q), want[i]);
        sim_queue_remove(&q, want[i]);
    }
    assert_int_equal(q.count, 0);
    sim_queue_remove(&q, 3); /* not queued: nothing */
    assert_int_equal(q.count, 0);
    sim_queue_free(&q);
}

/* The look-ahead guess (sim_queue_after): always a queued source other
 * than the top, or none when the top is alone; the true next whenever the
 * keys were set in order (as a run mostly sets them), ties included; and
 * each source's hint as set. */
static void the_guess_after_the_top(void **state)
{
    (void)state;
    struct sim_queue q = { 0 };
    assert_int_equal(sim_queue_reserve(&q, SOURCES), 0);
    static int cell[SOURCES];
    naru_time_t t = 1000;
    for (uint32_t id = 0; id < SOURCES; id++) {
        t += next_random() % 3 ? next_random() % 5000 : 0; /* a third tie with the one before */
        sim_queue_set(&q, id, (struct sim_queue_key){ t, id });
        sim_queue_set_hint(&q, id, id % 2 ? &cell[id] : NULL);
    }
    for (uint32_t want = 0; want < SOURCES; want++) {
        uint32_t top = top_id(&q);
        assert_int_equal(top, want);
        assert_ptr_equal(sim_queue_hint(&q, top), top % 2 ? &cell[top] : NULL);
        uint32_t guess = sim_queue_after(&q, top);
        sim_queue_remove(&q, top);
        assert_int_equal(guess, q.count ? top_id(&q) : SIM_QUEUE_NONE);
    }
    /* Out of order: a guess, but a queued one that is not the top. */
    for (uint32_t id = 0; id < SOURCES; id++)
        sim_queue_set(&q, id, (struct sim_queue_key){ 1000 + next_random() % 100000, id });
    unsigned right = 0;
    while (q.count > 1) {
        uint32_t top = top_id(&q), guess = sim_queue_after(&q, top);
        assert_int_not_equal(guess, SIM_QUEUE_NONE);
        assert_int_not_equal(guess, top);
        assert_true(sim_queue_has(&q, guess));
        sim_queue_remove(&q, top);
        right += guess == top_id(&q);
    }
    assert_int_equal(sim_queue_after(&q, top_id(&q)), SIM_QUEUE_NONE);
    assert_true(right > 0);
    sim_queue_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_updates_keep_the_least_key_on_top),
        cmocka_unit_test(equal_times_leave_in_order),
        cmocka_unit_test(a_bounded_top_keeps_the_floor_at_the_bound),
        cmocka_unit_test(growing_keeps_what_is_queued),
        cmocka_unit_test(the_guess_after_the_top),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
