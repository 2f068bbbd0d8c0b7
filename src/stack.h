/* The stack instance: the one place that holds every layer's state. Private
 * to src/; the public face is include/naru/. */
#ifndef NARU_STACK_PRIVATE_H
#define NARU_STACK_PRIVATE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/pbuf.h"
#include "core/random.h"
#include "core/timer.h"
#include "ip/icmp.h"
#include "ip/pmtu.h"
#include "ip/reassembly.h"
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
    struct naru_stack_config config;
    naru_time_t now;
    struct naru_random random;
    uint8_t secret[16];            /* key for RFC 6528 / RFC 6056 hashes */
    struct naru_counters counters;
    struct pbuf_pool frame_pool;
    struct pbuf_pool large_pool;
    struct timer_heap timers;

    struct naru_iface ifaces[NARU_MAX_INTERFACES];
    struct neighbour_table neighbours;
    struct route_table routes;
    struct pmtu_cache pmtu;
    uint16_t ip_next_id;
    struct reassembly reassembly;
    struct icmp_state icmp;
    struct pbuf_queue loopback;    /* datagrams to ourselves, delivered on poll */
    struct sock_table sockets;
    struct tcp_table *tcp;         /* connections, listeners, ports (src/tcp/tcp_conn.h) */
};

#endif
