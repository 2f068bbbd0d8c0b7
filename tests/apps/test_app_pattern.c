/* The data pattern (src/apps/pattern.c): the same bytes in every program
 * and version (captures and other programs' checks depend on them), filled
 * alike in one piece or byte by byte, and every wrong byte found. */
#include "appnet.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 65536ull

/* Bytes written down from the first version of the pattern. */
static void bytes_are_those_of_every_earlier_version(void **state)
{
    (void)state;
    static const struct {
        uint64_t offset;
        uint8_t bytes[4];
    } pinned[] = {
        { 0, { 0xf0, 0x0b, 0xe8, 0xcc } },
        { BLOCK - 1, { 0x2a, 0xf1, 0x0a, 0xe9 } },
        { BLOCK, { 0xf1, 0x0a, 0xe9, 0xcd } },
        { 3 * BLOCK + 17, { 0xa4, 0x91, 0xdb, 0x9d } },
        { 255 * BLOCK + 100, { 0xc4, 0x7c, 0xda, 0x3c } },
        { 256 * BLOCK + 100, { 0x3b, 0x83, 0x25, 0xc3 } },
    };
    struct naru_app_pattern *p;
    assert_int_equal(naru_app_pattern_create(&p), 0);
    for (size_t k = 0; k < sizeof pinned / sizeof pinned[0]; k++) {
        uint8_t got[4];
        naru_app_pattern_fill(p, pinned[k].offset, got, sizeof got);
        assert_memory_equal(got, pinned[k].bytes, sizeof got);
    }
    naru_app_pattern_destroy(p);
}

/* Fills of any offset and length, across block edges, equal the same
 * bytes filled one at a time; and each passes the check. */
static void a_fill_in_one_piece_equals_byte_by_byte(void **state)
{
    (void)state;
    struct naru_app_pattern *p;
    assert_int_equal(naru_app_pattern_create(&p), 0);
    enum { MAX = 3 * 65536 + 300 };
    uint8_t *whole = malloc(MAX), *single = malloc(MAX);
    assert_non_null(whole);
    assert_non_null(single);
    const uint64_t starts[] = { 0, 1, 63, 64, 65, BLOCK - 200, BLOCK - 1, 7 * BLOCK + 33, 255 * BLOCK - 5 };
    const size_t lens[] = { 0, 1, 15, 16, 17, 63, 64, 65, 127, 200, 1448, 65536, MAX };
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            size_t len = lens[l];
            naru_app_pattern_fill(p, starts[s], whole, len);
            for (size_t i = 0; i < len; i++)
                naru_app_pattern_fill(p, starts[s] + i, single + i, 1);
            assert_memory_equal(whole, single, len);
            assert_true(naru_app_pattern_check(p, starts[s], whole, len));
        }
    }
    free(whole);
    free(single);
    naru_app_pattern_destroy(p);
}

/* One wrong bit anywhere (in a 64-byte turn, in the tail, either side of a
 * block edge) fails the check, as do the right bytes at the wrong offset. */
static void every_wrong_byte_is_found(void **state)
{
    (void)state;
    struct naru_app_pattern *p;
    assert_int_equal(naru_app_pattern_create(&p), 0);
    enum { LEN = 1000 };
    uint8_t buf[LEN];
    const uint64_t starts[] = { 0, 5, BLOCK - 500 };
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        naru_app_pattern_fill(p, starts[s], buf, LEN);
        for (size_t i = 0; i < LEN; i++) {
            uint8_t bit = (uint8_t)(1u << (i % 8));
            buf[i] ^= bit;
            assert_false(naru_app_pattern_check(p, starts[s], buf, LEN));
            buf[i] ^= bit;
        }
        assert_true(naru_app_pattern_check(p, starts[s], buf, LEN));
        assert_false(naru_app_pattern_check(p, starts[s] + 1, buf, LEN));
        assert_false(naru_app_pattern_check(p, starts[s] + BLOCK, buf, LEN));
    }
    naru_app_pattern_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytes_are_those_of_every_earlier_version),
        cmocka_unit_test(a_fill_in_one_piece_equals_byte_by_byte),
        cmocka_unit_test(every_wrong_byte_is_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
