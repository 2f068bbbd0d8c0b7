/* naru sim's request for transparent huge pages (tools/huge_pages.c): the
 * heap's mapping is marked for them, memory from it still works, and a
 * mapping made for one large block is no longer what big blocks get
 * (the rings and pools that are to live on the marked heap). Skipped
 * where the system cannot give them (a kernel set to `never`, or a
 * malloc that is not glibc's, as under AddressSanitizer). */
#include "testnet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huge_pages.h"

static bool kernel_gives_huge_pages(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char line[128] = "";
    if (!f)
        return false;
    bool read = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    return read && !strstr(line, "[never]");
}

/* The VmFlags of the mapping holding address p, from /proc/self/smaps. */
static bool flags_of(const void *p, char *flags, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return false;
    char line[512];
    bool inside = false, found = false;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = (uintptr_t)p >= a && (uintptr_t)p < b;
        else if (inside && !strncmp(line, "VmFlags:", 8)) {
            snprintf(flags, size, "%s", line + 8);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static void the_heap_is_marked_for_huge_pages(void **state)
{
    (void)state;
    if (!kernel_gives_huge_pages() || !heap_use_huge_pages((size_t)64 << 20))
        skip();
    /* An 8 MiB block: from a mapping of its own by glibc's default
     * threshold (128 KiB), from the heap now; its end is past the heap's
     * unmarked start (less than one huge page). */
    size_t n = (size_t)8 << 20;
    unsigned char *block = malloc(n);
    assert_non_null(block);
    memset(block, 0xa5, n);
    for (size_t i = 0; i < n; i += 4096)
        assert_int_equal(block[i], 0xa5);
    char flags[512];
    assert_true(flags_of(block + n - 1, flags, sizeof flags));
    assert_non_null(strstr(flags, " hg")); /* VM_HUGEPAGE: madvise(MADV_HUGEPAGE) */
    free(block);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_heap_is_marked_for_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
