/* Where a pool puts its buffers (src/core/pbuf.c): each buffer's bytes
 * start right after its descriptor, so a frame read long after it was
 * written costs adjacent cache lines (the simulator's deliveries); and a
 * buffer filled to its capacity leaves every other buffer and descriptor
 * as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/pbuf.h"
#include "naru/counters.h"

#define TAKEN 40 /* several chunks: 2, 2, 4, 8, 16, ... */

static void buffers_follow_their_descriptors_and_stay_apart(void **state)
{
    (void)state;
    struct naru_counters counters;
    memset(&counters, 0, sizeof counters);
    struct pbuf_pools pools;
    assert_int_equal(pbuf_pools_init(&pools, TAKEN, 2048, 2, &counters), 0);
    struct pbuf *pb[TAKEN + 2];
    for (unsigned i = 0; i < TAKEN; i++) {
        pb[i] = pbuf_pools_alloc(&pools, PBUF_HEADROOM, 100);
        assert_non_null(pb[i]);
        assert_int_equal(pb[i]->pool, PBUF_POOL_FRAME);
    }
    pb[TAKEN] = pbuf_pools_alloc(&pools, PBUF_HEADROOM, 20000);
    pb[TAKEN + 1] = pbuf_pools_alloc(&pools, PBUF_HEADROOM, 20000);
    assert_non_null(pb[TAKEN]);
    assert_non_null(pb[TAKEN + 1]);
    assert_int_equal(pb[TAKEN]->pool, PBUF_POOL_LARGE);

    for (unsigned i = 0; i < TAKEN + 2; i++) {
        assert_ptr_equal(pb[i]->base, (uint8_t *)(pb[i] + 1));
        assert_int_equal((uintptr_t)pb[i] % 64, 0); /* a slot starts a cache line */
    }
    /* Every buffer filled to its capacity: no descriptor changes. */
    for (unsigned i = 0; i < TAKEN + 2; i++)
        memset(pb[i]->base, (int)(0x40 + i), pb[i]->cap);
    for (unsigned i = 0; i < TAKEN + 2; i++) {
        assert_ptr_equal(pb[i]->base, (uint8_t *)(pb[i] + 1));
        assert_int_equal(pb[i]->len, i < TAKEN ? 100 : 20000);
        assert_int_equal(pb[i]->cap, i < TAKEN ? 2048 : PBUF_LARGE_SIZE);
        for (uint32_t at = 0; at < pb[i]->cap; at++)
            if (pb[i]->base[at] != (uint8_t)(0x40 + i))
                fail_msg("buffer %u byte %u overwritten", i, (unsigned)at);
    }
    for (unsigned i = 0; i < TAKEN + 2; i++)
        pbuf_pools_free(&pools, pb[i]);
    assert_int_equal(pbuf_pools_in_use(&pools), 0);
    pbuf_pools_fini(&pools);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffers_follow_their_descriptors_and_stay_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
