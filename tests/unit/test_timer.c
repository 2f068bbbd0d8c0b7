/* The timer heap against a plain reference: whatever the order of arms,
 * re-arms and cancels, timers fire in time order, each exactly once. */
#include "testnet.h"

#include <stdlib.h>

#include "core/random.h"
#include "core/timer.h"

#define N 200

struct probe {
    struct naru_timer timer;
    naru_time_t expected;      /* NARU_NEVER when cancelled */
    int fired;
    naru_time_t fired_at;
};

static naru_time_t last_fired;
static int fire_count;

static void on_fire(struct naru_stack *stack, struct naru_timer *t)
{
    (void)stack;
    struct probe *p = timer_owner(t, struct probe, timer);
    assert_true(p->timer.when >= last_fired);
    last_fired = p->timer.when;
    p->fired++;
    p->fired_at = p->timer.when;
    fire_count++;
}

static void timers_fire_in_order_after_random_arm_and_cancel(void **state)
{
    (void)state;
    struct timer_heap heap = { 0 };
    static struct probe probes[N];
    struct naru_random r;
    random_seed(&r, 7);
    for (int i = 0; i < N; i++) {
        timer_init(&probes[i].timer, on_fire);
        probes[i].expected = NARU_NEVER;
    }
    for (int round = 0; round < 5000; round++) {
        struct probe *p = &probes[random_below(&r, N)];
        if (random_below(&r, 4) == 0) {
            timer_cancel(&heap, &p->timer);
            p->expected = NARU_NEVER;
        } else {
            naru_time_t when = 1000 + random_below(&r, 50); /* many equal deadlines */
            timer_arm(&heap, &p->timer, when);
            p->expected = when;
        }
    }
    naru_time_t first = NARU_NEVER;
    for (int i = 0; i < N; i++)
        if (probes[i].expected < first)
            first = probes[i].expected;
    assert_int_equal(timer_next(&heap), first);
    last_fired = 0;
    fire_count = 0;
    timers_run(NULL, &heap, 1020);
    for (int i = 0; i < N; i++)
        assert_int_equal(probes[i].fired, probes[i].expected <= 1020);
    timers_run(NULL, &heap, 2000);
    int expected_total = 0;
    for (int i = 0; i < N; i++) {
        bool armed = probes[i].expected != NARU_NEVER;
        expected_total += armed;
        assert_int_equal(probes[i].fired, armed);
        if (armed)
            assert_int_equal(probes[i].fired_at, probes[i].expected);
    }
    assert_int_equal(fire_count, expected_total);
    assert_int_equal(timer_next(&heap), NARU_NEVER);
}

static struct timer_heap *rearm_heap;

static void rearm_once(struct naru_stack *stack, struct naru_timer *t)
{
    (void)stack;
    struct probe *p = timer_owner(t, struct probe, timer);
    if (p->fired++ == 0)
        timer_arm(rearm_heap, t, t->when + 10);
}

static void timer_may_rearm_itself_from_its_callback(void **state)
{
    (void)state;
    struct timer_heap heap = { 0 };
    struct probe p = { 0 };
    rearm_heap = &heap;
    timer_init(&p.timer, rearm_once);
    timer_arm(&heap, &p.timer, 5);
    timers_run(NULL, &heap, 5);
    assert_int_equal(p.fired, 1);
    assert_int_equal(timer_next(&heap), 15);
    timers_run(NULL, &heap, 100);
    assert_int_equal(p.fired, 2);
    assert_false(p.timer.armed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_fire_in_order_after_random_arm_and_cancel),
        cmocka_unit_test(timer_may_rearm_itself_from_its_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
