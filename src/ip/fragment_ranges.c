#include "ip/fragment_ranges.h"

#include <string.h>

/* An exact repeat (a duplicated packet) is dropped alone; any other
 * overlap poisons the packet, as RFC 5722 asks for IPv6 and Linux does
 * for IPv4: overlaps are how attacks hide. */
enum fragment_placement fragment_ranges_place(struct fragment_ranges *f, uint16_t start, uint16_t end)
{
    uint16_t at = 0;
    for (; at < f->count; at++) {
        if (f->range[at].start == start && f->range[at].end == end)
            return FRAGMENT_DUPLICATE;
        if (start < f->range[at].end && f->range[at].start < end)
            return FRAGMENT_OVERLAP;
        if (start < f->range[at].start)
            break;
    }
    if (f->count == FRAGMENT_RANGES_MAX)
        return FRAGMENT_TOO_MANY;
    memmove(&f->range[at + 1], &f->range[at], (size_t)(f->count - at) * sizeof f->range[0]);
    f->range[at].start = start;
    f->range[at].end = end;
    f->count++;
    return FRAGMENT_PLACED;
}
