/* The replay page's template, style and script (src/trace/page/), made
 * into C strings at build time by cmake/embed_page.cmake. */
#ifndef NARU_TRACE_REPLAY_PAGE_H
#define NARU_TRACE_REPLAY_PAGE_H

extern const char replay_page_template[];
extern const char replay_page_css[];
extern const char replay_page_js[];

#endif
