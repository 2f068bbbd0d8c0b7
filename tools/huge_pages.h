/* Transparent huge pages for the heap (huge_pages.c). */
#ifndef NARU_TOOLS_HUGE_PAGES_H
#define NARU_TOOLS_HUGE_PAGES_H
#include <stdbool.h>
#include <stddef.h>

/* Marks the next `reserve` bytes of heap growth for huge pages. False
 * where the system cannot (then nothing changed that matters). */
bool heap_use_huge_pages(size_t reserve);
#endif
