/* The stack instance: the one place that holds every layer's state. Private
 * to src/; the public face is include/naru/. */
#ifndef NARU_STACK_PRIVATE_H
#define NARU_STACK_PRIVATE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/pbuf.h"
#include "core/random.h"
#include "core/timer.h"
#include "ip/icmp.h"
#include "ip/pmtu.h"
#include "ip/reassembly.h"
#include "ip/reassembly6.h"
#include "ip/route.h"
#include "link/arp.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "naru/counters.h"
#include "naru/stack.h"
#include "socket/sock.h"
#include "wire/ethernet.h"

struct tcp_table;

struct naru_stack {
    /* What nearly every frame reads comes first, together: in a big
     * simulation a frame finds its stack cold, and each line apart is one
     * more wait. */
    naru_time_t now;
    struct timer_heap timers;
    struct log_sink log;           /* the config's log hook */
    struct tcp_table *tcp;         /* connections, listeners, ports (src/tcp/tcp_conn.h) */
    struct pbuf_queue loopback;    /* datagrams to ourselves, delivered on poll */
    uint32_t iface_count;          /* added so far, in index order; never removed */
    uint64_t addr4_filter[4];      /* a bit per IPv4 address ever set (iface_owns_addr's quick no) */
    struct pbuf_pools buffers;     /* counting into `counters` */
    struct route_table routes;
    struct neighbour_table neighbours;
    struct naru_stack_config config;

    struct naru_random random;
    uint8_t secret[16];            /* key for RFC 6528 / RFC 6056 hashes */
    struct naru_counters counters;
    struct pmtu_cache pmtu;
    uint16_t ip_next_id;
    struct fragment_table reassembly;   /* of struct reassembly_slot */
    struct icmp_state icmp;
    struct icmp_state icmp6;       /* ICMPv6 errors' own bucket */
    struct fragment_table reassembly6;  /* of struct reassembly6_slot */
    struct sock_table sockets;
    struct naru_iface ifaces[];    /* config.interfaces of them, allocated with the stack */
};

/* The core's pools and log hook, on this stack's own (src/core/pbuf.h,
 * src/core/log.h): what every layer above calls. */
static inline struct pbuf *pbuf_alloc(struct naru_stack *stack, size_t headroom, size_t len)
{
    return pbuf_pools_alloc(&stack->buffers, headroom, len);
}
static inline void pbuf_free(struct naru_stack *stack, struct pbuf *pb)
{
    pbuf_pools_free(&stack->buffers, pb);
}
static inline void pbuf_queue_free(struct naru_stack *stack, struct pbuf_queue *q)
{
    pbuf_queue_drain(&stack->buffers, q);
}

static inline bool naru_log_enabled(const struct naru_stack *stack, enum naru_log_level level)
{
    return log_wants(&stack->log, level);
}
#define naru_log_emit(stack, level, layer, ...) log_emit(&(stack)->log, (stack)->now, (level), (layer), __VA_ARGS__)
#define NARU_LOG(stack, level, layer, ...)                                 \
    do {                                                                   \
        if (naru_log_enabled((stack), (level)))                            \
            naru_log_emit((stack), (level), (layer), __VA_ARGS__);         \
    } while (0)
#define LOG_INFO(stack, layer, ...) NARU_LOG(stack, NARU_LOG_INFO, layer, __VA_ARGS__)
#define LOG_DEBUG(stack, layer, ...) NARU_LOG(stack, NARU_LOG_DEBUG, layer, __VA_ARGS__)
#define LOG_WARN(stack, layer, ...) NARU_LOG(stack, NARU_LOG_WARN, layer, __VA_ARGS__)

#endif
