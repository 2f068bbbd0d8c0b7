/* Text shared by the graph and its dump. */
#ifndef NARU_TRACE_TSG_TEXT_H
#define NARU_TRACE_TSG_TEXT_H

#include <stdint.h>

/* "-12.000345678": seconds with 9 decimals, exact (no floating point). */
#define TSG_SECONDS_STRLEN 32
char *tsg_format_seconds(int64_t ns, char buf[TSG_SECONDS_STRLEN]);
/* "SA", "AF", "-": the flags set, as letters (S A F R P U E C). */
#define TSG_FLAGS_STRLEN 9
char *tsg_format_flags(uint8_t flags, char buf[TSG_FLAGS_STRLEN]);

#endif
