#include "trace/seqset.h"

#include <stdlib.h>
#include <string.h>

/* The first range whose end reaches start (ranges[i].end >= start). */
static size_t first_reaching(const struct seqset *s, int64_t start)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ranges[mid].end < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t seqset_add(struct seqset *s, int64_t start, int64_t end)
{
    /* Past (or touching) the last range: extend it or append. */
    if (s->count && start >= s->ranges[s->count - 1].start) {
        struct seq_range *last = &s->ranges[s->count - 1];
        if (start <= last->end) {
            int64_t seen = (end < last->end ? end : last->end) - start;
            if (end > last->end)
                last->end = end;
            return seen;
        }
    }
    size_t i = first_reaching(s, start);
    /* Ranges i .. j-1 touch or overlap [start, end): they merge with it. */
    size_t j = i;
    int64_t seen = 0, lo = start, hi = end;
    while (j < s->count && s->ranges[j].start <= end) {
        int64_t a = s->ranges[j].start > start ? s->ranges[j].start : start;
        int64_t b = s->ranges[j].end < end ? s->ranges[j].end : end;
        if (b > a)
            seen += b - a;
        if (s->ranges[j].start < lo)
            lo = s->ranges[j].start;
        if (s->ranges[j].end > hi)
            hi = s->ranges[j].end;
        j++;
    }
    if (j > i) { /* merge into range i, drop i+1 .. j-1 */
        s->ranges[i].start = lo;
        s->ranges[i].end = hi;
        memmove(&s->ranges[i + 1], &s->ranges[j], (s->count - j) * sizeof s->ranges[0]);
        s->count -= j - i - 1;
        return seen;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct seq_range *grown = realloc(s->ranges, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->ranges = grown;
        s->cap = cap;
    }
    memmove(&s->ranges[i + 1], &s->ranges[i], (s->count - i) * sizeof s->ranges[0]);
    s->ranges[i] = (struct seq_range){ start, end };
    s->count++;
    return 0;
}

void seqset_free(struct seqset *s)
{
    free(s->ranges);
    s->ranges = NULL;
    s->count = s->cap = 0;
}
