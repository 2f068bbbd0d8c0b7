/* Transparent huge pages for the heap, asked for by the program itself.
 *
 * A big simulated world reads its memory nearly at random (a frame here,
 * a stack there), so with 4 KiB pages most of those reads miss the TLB
 * too. glibc asks the kernel for huge pages only when the environment
 * says so (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), and a kernel set to
 * `madvise` gives them only on request. So the heap grows in one large
 * step (M_TOP_PAD: address space, not memory, until touched), that
 * mapping is marked MADV_HUGEPAGE and kept (a heap cut back and grown
 * again would be a new, unmarked mapping: M_TRIM_THRESHOLD), and rings
 * and pools come from it rather than from small mappings of their own
 * (M_MMAP_THRESHOLD). Anything that fails leaves the heap as it was. */
#include "huge_pages.h"

#include <stdlib.h> /* first: it says whether this is glibc */

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* The heap's mapping, from /proc/self/maps. */
static bool heap_bounds(uintptr_t *start, uintptr_t *end)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long a, b;
        char name[16] = "";
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %15s", &a, &b, name) == 3 && !strcmp(name, "[heap]")) {
            *start = a;
            *end = b;
            found = true;
        }
    }
    fclose(maps);
    return found;
}

bool heap_use_huge_pages(size_t reserve)
{
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, INT32_MAX) ||
        !mallopt(M_TOP_PAD, (int)(reserve < INT32_MAX ? reserve : INT32_MAX)))
        return false;
    /* More than the heap has free, so it grows now, by the pad (through a
     * volatile pointer, or the compiler drops the pair). Then the pad as
     * it was: growth past the reserve goes on in small steps, and where
     * the reserve was refused (strict overcommit) nothing asks again. */
    void *volatile grow = malloc(4 << 20);
    free(grow);
    mallopt(M_TOP_PAD, 128 * 1024);
    uintptr_t start, end;
    if (!heap_bounds(&start, &end) || end - start < reserve / 2)
        return false;
    start = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    return end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0;
}
#else
bool heap_use_huge_pages(size_t reserve)
{
    (void)reserve;
    return false;
}
#endif
