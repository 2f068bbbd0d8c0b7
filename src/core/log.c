#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

void log_emit(const struct log_sink *sink, naru_time_t now, enum naru_log_level level,
              enum naru_layer layer, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    sink->fn(sink->ctx, now, level, layer, message);
}

const char *naru_layer_name(enum naru_layer layer)
{
    switch (layer) {
    case NARU_LAYER_LINK: return "link";
    case NARU_LAYER_ARP: return "arp";
    case NARU_LAYER_IP: return "ip";
    case NARU_LAYER_ICMP: return "icmp";
    case NARU_LAYER_UDP: return "udp";
    case NARU_LAYER_TCP: return "tcp";
    case NARU_LAYER_SOCKET: return "socket";
    case NARU_LAYER_DNS: return "dns";
    case NARU_LAYER_APP: return "app";
    case NARU_LAYER_NDP: return "ndp";
    }
    return "?";
}
