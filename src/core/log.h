/* The log hook: formatted only when someone listens at that level. A sink
 * is what a stack's config gives (naru_stack_config.log, log_ctx,
 * log_level); the stack's own macros (NARU_LOG, LOG_INFO, ... in
 * src/stack.h) pass its sink and its time. */
#ifndef NARU_CORE_LOG_H
#define NARU_CORE_LOG_H

#include <stdbool.h>

#include "naru/stack.h"

struct log_sink {
    naru_log_fn fn;            /* NULL: nobody listens */
    void *ctx;
    enum naru_log_level level; /* the least important level passed on */
};

static inline bool log_wants(const struct log_sink *sink, enum naru_log_level level)
{
    return sink->fn && level <= sink->level;
}
void log_emit(const struct log_sink *sink, naru_time_t now, enum naru_log_level level,
              enum naru_layer layer, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
