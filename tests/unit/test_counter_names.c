/* The counters' names as naru prints them (naru host's list on stop,
 * which the interop tests read back by layer and description): each
 * layer a word of its own, each name the X-macro's. */
#include "testnet.h"

#include <string.h>

#include "naru/counters.h"

static void every_layer_and_name_is_the_x_macros_own(void **state)
{
    (void)state;
#define CHECK_ROW(l, n, d) ++row;                                                       \
    assert_string_equal(naru_counter_layer(row - 1), #l);                                \
    assert_string_equal(naru_counter_name(row - 1), #n);                                 \
    assert_string_equal(naru_counter_description(row - 1), d);
    unsigned row = 0;
    NARU_COUNTER_LIST(CHECK_ROW)
#undef CHECK_ROW
    assert_int_equal(row, naru_counter_count());
    assert_null(naru_counter_layer(row));
}

static void every_counter_is_found_by_its_field_name(void **state)
{
    (void)state;
#define CHECK_FIND(l, n, d) assert_int_equal(naru_counter_find(#l "_" #n), row++);
    int row = 0;
    NARU_COUNTER_LIST(CHECK_FIND)
#undef CHECK_FIND
    assert_int_equal(naru_counter_find("ip_forwarde"), -1);
    assert_int_equal(naru_counter_find("ip6forwarded"), -1);
    assert_int_equal(naru_counter_find("tcp_"), -1);
    assert_int_equal(naru_counter_find(""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_layer_and_name_is_the_x_macros_own),
        cmocka_unit_test(every_counter_is_found_by_its_field_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
