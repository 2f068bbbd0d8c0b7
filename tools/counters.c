#include "counters.h"

#include <string.h>

#include "naru/counters.h"

void print_counters(FILE *out, const struct naru_stack *stack)
{
    const struct naru_counters *c = naru_stack_counters(stack);
    const char *layer = NULL;
    for (unsigned i = 0; i < naru_counter_count(); i++) {
        uint64_t v = naru_counter_value(c, i);
        if (!v)
            continue;
        if (!layer || strcmp(layer, naru_counter_layer(i)) != 0) {
            layer = naru_counter_layer(i);
            fprintf(out, "%s:\n", layer);
        }
        fprintf(out, "    %llu %s\n", (unsigned long long)v, naru_counter_description(i));
    }
}
