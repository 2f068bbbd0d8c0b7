/* Arrays that grow by doubling, new slots zeroed: what the engine, the
 * applications' set and the scenario reader keep their lists in. */
#ifndef NARU_SIM_GROW_H
#define NARU_SIM_GROW_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Room for element `count` of an array of `size`-byte elements. 0 or -ENOMEM. */
static inline int sim_grow(void **array, unsigned *cap, unsigned count, size_t size)
{
    if (count < *cap)
        return 0;
    unsigned ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*array, (size_t)ncap * size);
    if (!p)
        return -ENOMEM;
    memset((char *)p + (size_t)*cap * size, 0, (size_t)(ncap - *cap) * size);
    *array = p;
    *cap = ncap;
    return 0;
}

#endif
