/* Time differences in the trace code: a damaged capture's timestamps may
 * be anything, so differences are held at the ends of int64_t rather than
 * overflow. */
#ifndef NARU_TRACE_TIME_H
#define NARU_TRACE_TIME_H

#include <stdint.h>

/* a - b, saturated. */
static inline int64_t trace_time_since(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

#endif
