/* Router advertisements sent by an interface of a router (RFC 4861 6.2):
 * what it advertises (prefixes with lifetimes and flags, an MTU, the
 * router lifetime), unsolicited ones at random between MinRtrAdvInterval
 * and MaxRtrAdvInterval (the first few sooner), and solicited ones in
 * answer to router solicitations, after a random delay and rate-limited.
 * The simulator and `naru host` configure it through this internal API. */
#ifndef NARU_IP_ROUTER_ADVERT_H
#define NARU_IP_ROUTER_ADVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "naru/stack.h"

struct naru_stack;
struct naru_iface;

#define RA_PREFIXES_MAX NARU_RA_PREFIXES_MAX
#define RA_MAX_INITIAL_ADVERTISEMENTS 3                 /* RFC 4861 10 */
#define RA_MAX_INITIAL_ADVERT_INTERVAL (16 * NARU_SEC)  /* RFC 4861 10 */
#define RA_MIN_DELAY_BETWEEN_RAS (3 * NARU_SEC)         /* RFC 4861 10 */
#define RA_MAX_DELAY_TIME (500 * NARU_MS)               /* RFC 4861 10 MAX_RA_DELAY_TIME */
#define RA_MAX_INTERVAL_DEFAULT (600 * NARU_SEC)        /* RFC 4861 6.2.1 */

/* The prefixes and variables advertised are the public API's
 * (naru/stack.h: struct naru_ra_prefix, struct naru_router_advert, RFC
 * 4861 6.2.1). */
struct router_advertiser {
    bool enabled;
    struct naru_router_advert config;
    struct naru_ra_prefix prefixes[RA_PREFIXES_MAX];
    uint8_t prefix_count;
    uint8_t initial_left;      /* advertisements still to send at the initial pace */
    naru_time_t next_at;       /* the next advertisement */
    naru_time_t last_sent;     /* the last multicast one; NARU_NEVER: none yet */
    struct naru_timer timer;
};

/* Start advertising on iface (joining all-routers, RFC 4291 2.8), or
 * change what is advertised. -EINVAL for intervals or a lifetime outside
 * RFC 4861 6.2.1's ranges. */
int router_advert_enable(struct naru_stack *stack, struct naru_iface *iface, const struct naru_router_advert *c);
/* Advertise a prefix (again, with new lifetimes and flags). -ENOSPC, -EINVAL. */
int router_advert_add_prefix(struct naru_stack *stack, struct naru_iface *iface, const struct naru_ra_prefix *p);
/* RFC 4861 6.2.5: stop, with a last advertisement of router lifetime 0. */
void router_advert_disable(struct naru_stack *stack, struct naru_iface *iface);
/* A router solicitation arrived (RFC 4861 6.2.6): answer soon. */
void router_advert_solicited(struct naru_stack *stack, struct naru_iface *iface);

#endif
