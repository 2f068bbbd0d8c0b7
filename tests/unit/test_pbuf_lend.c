/* Frame buffers lent to a stack (the simulator's frames in flight): a
 * lent buffer a stack takes in counts in its frame pool as one of its
 * own, is refused when all of those are in use, and goes back to the
 * lender when the stack frees it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/pbuf.h"
#include "naru/counters.h"

static void lent_buffers_count_as_the_stacks_own_and_go_back_to_the_lender(void **state)
{
    (void)state;
    struct naru_counters counters;
    memset(&counters, 0, sizeof counters);
    struct pbuf_pools pools;
    assert_int_equal(pbuf_pools_init(&pools, 2, 2048, 0, &counters), 0);
    struct pbuf_pool lender;
    pbuf_lender_init(&lender, 1728);

    /* The lender has no bound of its own: three frames on their way. */
    struct pbuf *a = pbuf_lend(&lender, PBUF_HEADROOM, 1514);
    struct pbuf *b = pbuf_lend(&lender, PBUF_HEADROOM, 1514);
    struct pbuf *c = pbuf_lend(&lender, PBUF_HEADROOM, 1514);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(a->len, 1514);
    assert_int_equal(pbuf_headroom(a), PBUF_HEADROOM);
    assert_int_equal(lender.in_use, 3);
    assert_int_equal(pools.frame.in_use, 0);
    /* Too large for a lent buffer. */
    assert_null(pbuf_lend(&lender, PBUF_HEADROOM, 1728));

    /* The stack takes two in: its two frame buffers are in use... */
    assert_true(pbuf_pools_land(&pools, &lender, a));
    assert_true(pbuf_pools_land(&pools, &lender, b));
    assert_int_equal(pools.frame.in_use, 2);
    /* ...so the third is refused and counted, as a copy would have been, */
    assert_false(pbuf_pools_land(&pools, &lender, c));
    assert_int_equal(counters.buffers_frame_exhausted, 1);
    pbuf_lend_return(&lender, c);
    /* and the stack's own allocations find the pool full too. */
    assert_null(pbuf_pools_alloc(&pools, PBUF_HEADROOM, 100));
    assert_int_equal(counters.buffers_frame_exhausted, 2);

    /* Freed by the stack, a lent buffer goes back to the lender. */
    pbuf_pools_free(&pools, a);
    assert_int_equal(pools.frame.in_use, 1);
    assert_int_equal(lender.in_use, 1);
    pbuf_pools_free(&pools, b);
    assert_int_equal(pools.frame.in_use, 0);
    assert_int_equal(lender.in_use, 0);

    /* A stack that borrows (as the simulator's do) takes its frame
     * buffers from the lender, counted in its own pool and bounded by
     * it; a buffer larger than the lender's comes from its own pool. */
    pbuf_pools_borrow_from(&pools, &lender);
    struct pbuf *borrowed = pbuf_pools_alloc(&pools, PBUF_HEADROOM, 100);
    assert_non_null(borrowed);
    assert_int_equal(borrowed->pool, PBUF_POOL_LENT);
    assert_int_equal(lender.in_use, 1);
    struct pbuf *own = pbuf_pools_alloc(&pools, PBUF_HEADROOM, 1728);
    assert_non_null(own);
    assert_int_equal(own->pool, PBUF_POOL_FRAME);
    assert_int_equal(pools.frame.in_use, 2);
    assert_null(pbuf_pools_alloc(&pools, PBUF_HEADROOM, 100));
    assert_int_equal(counters.buffers_frame_exhausted, 3);
    assert_int_equal(lender.in_use, 1);
    pbuf_pools_free(&pools, own);
    pbuf_pools_free(&pools, borrowed);
    assert_int_equal(pools.frame.in_use, 0);
    assert_int_equal(lender.in_use, 0);
    /* The buffers given back are lent again, not carved anew. */
    uint32_t carved = lender.carved;
    struct pbuf *again = pbuf_lend(&lender, PBUF_HEADROOM, 60);
    assert_non_null(again);
    assert_int_equal(lender.carved, carved);
    pbuf_lend_return(&lender, again);

    pbuf_pools_fini(&pools);
    pbuf_lender_fini(&lender);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lent_buffers_count_as_the_stacks_own_and_go_back_to_the_lender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
