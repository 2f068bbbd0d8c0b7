#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "stack.h"

bool naru_log_enabled(const struct naru_stack *stack, enum naru_log_level level)
{
    return stack->config.log && level <= stack->config.log_level;
}

void naru_log_emit(struct naru_stack *stack, enum naru_log_level level, enum naru_layer layer,
                   const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    stack->config.log(stack->config.log_ctx, stack->now, level, layer, message);
}

const char *naru_layer_name(enum naru_layer layer)
{
    static const char *const names[] = { "link", "arp", "ip", "icmp", "udp",
                                         "tcp", "socket", "dns", "app" };
    return (unsigned)layer < sizeof names / sizeof names[0] ? names[layer] : "?";
}
