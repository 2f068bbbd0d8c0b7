/* The compact syntax of scenario files: a range of names ("h1..h1000")
 * makes one section stand for many nodes, links or applications, and its
 * values are templates: "{EXPR}" is replaced, for each member, by an
 * integer expression of the member's number `i` (decimal; "{EXPR:x}" in
 * hexadecimal, for IPv6). Private to src/sim/. */
#ifndef NARU_SIM_SCENARIO_TEMPLATE_H
#define NARU_SIM_SCENARIO_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

/* "h1..h1000" (or "h1..1000"): the name's prefix and the first and last
 * numbers. 0 when text is no range, 1 for a range, -1 for a bad one (why
 * says what is wrong). */
int sc_range_parse(const char *text, char *prefix, size_t prefix_cap, long long *first, long long *last,
                   char *why, size_t why_cap);

/* Whether text has a "{...}" to replace. */
bool sc_template_has(const char *text);

/* text with every {EXPR} replaced for member i. false, with why, for a bad
 * expression, a division by zero, an overflow or a result that does not
 * fit in out. */
bool sc_template_expand(const char *text, long long i, char *out, size_t cap, char *why, size_t why_cap);

#endif
