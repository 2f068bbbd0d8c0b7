#include "naru/counters.h"

#include <stddef.h>
#include <string.h>

/* Character arrays rather than pointers: the table stays in read-only
 * memory with no relocations. */
static const struct {
    char layer[12]; /* "addrconf" and its NUL */
    char name[32];
    char description[72];
    uint16_t offset;
} table[] = {
#define NARU_COUNTER_ROW(l, n, d) { #l, #n, d, offsetof(struct naru_counters, l##_##n) },
    NARU_COUNTER_LIST(NARU_COUNTER_ROW)
#undef NARU_COUNTER_ROW
};

unsigned naru_counter_count(void)
{
    return sizeof table / sizeof table[0];
}

const char *naru_counter_layer(unsigned i)
{
    return i < naru_counter_count() ? table[i].layer : NULL;
}

const char *naru_counter_name(unsigned i)
{
    return i < naru_counter_count() ? table[i].name : NULL;
}

const char *naru_counter_description(unsigned i)
{
    return i < naru_counter_count() ? table[i].description : NULL;
}

uint64_t naru_counter_value(const struct naru_counters *c, unsigned i)
{
    if (i >= naru_counter_count())
        return 0;
    uint64_t v;
    memcpy(&v, (const char *)c + table[i].offset, sizeof v);
    return v;
}

int naru_counter_find(const char *full_name)
{
    for (unsigned i = 0; i < naru_counter_count(); i++) {
        size_t n = strlen(table[i].layer);
        if (!strncmp(full_name, table[i].layer, n) && full_name[n] == '_' && !strcmp(full_name + n + 1, table[i].name))
            return (int)i;
    }
    return -1;
}
