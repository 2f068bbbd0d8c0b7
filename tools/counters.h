/* A stack's counters as the tools print them when they stop. */
#ifndef NARU_TOOLS_COUNTERS_H
#define NARU_TOOLS_COUNTERS_H

#include <stdio.h>

#include "naru/stack.h"

/* Every non-zero counter, grouped by layer, like `netstat -s`. */
void print_counters(FILE *out, const struct naru_stack *stack);

#endif
