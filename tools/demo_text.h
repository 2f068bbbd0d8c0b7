/* What both of naru demo's stories print the same way: times, frame lines,
 * the stacks' own neighbour messages in the user's language, counters. */
#ifndef NARU_TOOLS_DEMO_TEXT_H
#define NARU_TOOLS_DEMO_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "naru/sim.h"
#include "naru/simapp.h"
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

/* Run one application, starting 100 ms from now, to its end (or ten
 * minutes), then `settle` more for the last frames (a close, late copies)
 * to land; its result into *r, the app into *out if out. 0 or -errno. */
int demo_run_app(struct naru_sim *sim, struct naru_sim_apps *apps, const struct naru_sim_app_config *c,
                 naru_time_t settle, struct naru_sim_app_result *r, struct naru_sim_app **out);

#endif
