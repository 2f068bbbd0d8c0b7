/* What both of naru demo's stories print the same way: times, frame lines,
 * the stacks' own neighbour messages in the user's language, counters. */
#ifndef NARU_TOOLS_DEMO_TEXT_H
#define NARU_TOOLS_DEMO_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"

/* Virtual time in milliseconds, for printing. */
double demo_ms(naru_time_t t);

/* "  12.345 ms  from   -> to     VERB<frame described>" */
void demo_frame_line(naru_time_t now, const char *from, const char *to, const char *verb, const uint8_t *frame,
                     size_t len);

/* The neighbour cache's messages (src/link/neighbour.c: who has, is at,
 * nobody answered), ARP's and NDP's alike, in the user's language; NULL
 * for any other message. */
const char *demo_neighbour_words(const char *message, char *buf, size_t cap);

/* A counter by its full name ("tcp_retransmits"); 0 if there is none. */
uint64_t demo_counter(const struct naru_stack *stack, const char *name);

#endif
