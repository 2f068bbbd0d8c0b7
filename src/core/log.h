/* The log hook: formatted only when someone listens at that level. */
#ifndef NARU_CORE_LOG_H
#define NARU_CORE_LOG_H

#include "naru/stack.h"

void naru_log_emit(struct naru_stack *stack, enum naru_log_level level, enum naru_layer layer,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool naru_log_enabled(const struct naru_stack *stack, enum naru_log_level level);

#define NARU_LOG(stack, level, layer, ...)                                 \
    do {                                                                   \
        if (naru_log_enabled((stack), (level)))                            \
            naru_log_emit((stack), (level), (layer), __VA_ARGS__);         \
    } while (0)
#define LOG_INFO(stack, layer, ...) NARU_LOG(stack, NARU_LOG_INFO, layer, __VA_ARGS__)
#define LOG_DEBUG(stack, layer, ...) NARU_LOG(stack, NARU_LOG_DEBUG, layer, __VA_ARGS__)
#define LOG_WARN(stack, layer, ...) NARU_LOG(stack, NARU_LOG_WARN, layer, __VA_ARGS__)

#endif
