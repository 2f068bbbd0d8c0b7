/* The path MTU cache, for both families (RFC 1191 for IPv4, RFC 8201 for
 * IPv6): the largest datagram the path to a destination takes, as routers
 * said with "fragmentation needed" or "packet too big". Bounded (the
 * oldest entry gives way), and every entry expires after ten minutes (RFC
 * 1191 6.3; RFC 8201 5.3), so a path that widened again is used whole.
 * TCP sizes its segments by it (tcp_set_mss()). The routing table's
 * version changes with every entry learned or gone, so whoever caches
 * "the MTU of the path" knows to look again. */
#ifndef NARU_IP_PMTU_H
#define NARU_IP_PMTU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "naru/addr.h"

struct naru_stack;

#define PMTU_EXPIRY (10 * 60 * NARU_SEC)

struct pmtu_entry {
    struct naru_addr dst;
    uint32_t mtu;
    naru_time_t expires;
};

struct pmtu_cache {
    struct pmtu_entry *entries;
    uint32_t count;
    uint32_t allocated;        /* entries' room, doubled as needed */
    uint32_t capacity;         /* at most this many */
    struct naru_timer timer;   /* the soonest expiry */
};

int pmtu_init(struct naru_stack *stack);
void pmtu_fini(struct naru_stack *stack);
/* What was learned of the path to dst, or 0 if nothing. */
uint32_t pmtu_get(const struct naru_stack *stack, const struct naru_addr *dst);
/* A router says the path to dst takes at most `mtu` bytes. The caller has
 * checked the report is about a datagram of ours in flight (RFC 5927,
 * RFC 8201 5.2); here, the MTU itself: below the family's minimum (68,
 * RFC 791; 1280, RFC 8201 4) or not below the path MTU known now, it is
 * ignored. Returns true if the path MTU is now lower. */
bool pmtu_update(struct naru_stack *stack, const struct naru_addr *dst, uint32_t mtu);
/* The path MTU to dst: the learned one, else the route's interface MTU;
 * 0 if there is no route. */
uint32_t pmtu_path_mtu(struct naru_stack *stack, const struct naru_addr *dst);

#endif
