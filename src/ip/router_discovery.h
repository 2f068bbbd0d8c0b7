/* Router discovery on a host interface (RFC 4861 6.3): router
 * solicitations at start, router advertisements checked and taken in (the
 * default router list with RFC 4191 preferences, the prefix list, the
 * link's parameters, RFC 8106 DNS servers), SLAAC handed the autonomous
 * prefixes, and the routes all this implies added and removed as routers
 * and prefixes come and go. Every list is bounded: a flood of
 * advertisements with random prefixes costs no memory, only counts. */
#ifndef NARU_IP_ROUTER_DISCOVERY_H
#define NARU_IP_ROUTER_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"

struct naru_stack;
struct naru_iface;
struct ndp_message;

#define RD_ROUTERS_MAX 4
#define RD_PREFIXES_MAX 8
#define RD_DNS_SERVERS_MAX 3                            /* RFC 8106 5.3.1 suggests 3 */
#define RD_MAX_RTR_SOLICITATIONS 3                      /* RFC 4861 10 */
#define RD_RTR_SOLICITATION_INTERVAL (4 * NARU_SEC)     /* RFC 4861 10 */
#define RD_MAX_RTR_SOLICITATION_DELAY (1 * NARU_SEC)    /* RFC 4861 10 */
#define RD_REACHABLE_TIME (30 * NARU_SEC)               /* RFC 4861 10 REACHABLE_TIME */

struct rd_router {
    uint8_t addr[16];          /* its link-local address */
    naru_time_t until;         /* the router lifetime's end */
    int8_t preference;         /* RFC 4191 2.1: 1 high, 0 medium, -1 low */
};

struct rd_prefix {
    uint8_t prefix[16];
    uint8_t len;
    naru_time_t until;         /* the valid lifetime's end (on-link, RFC 4861 6.3.4) */
    bool route_added;          /* its on-link route is ours to remove */
};

struct rd_dns_server {
    uint8_t addr[16];
    naru_time_t until;
};

struct router_discovery {
    struct naru_timer timer;   /* the next solicitation, or the earliest lifetime end */
    bool started;
    uint8_t solicitations_left;
    naru_time_t solicit_at;    /* NARU_NEVER: no more */
    struct rd_router routers[RD_ROUTERS_MAX];
    uint8_t router_count;
    struct rd_prefix prefixes[RD_PREFIXES_MAX];
    uint8_t prefix_count;
    struct rd_dns_server dns[RD_DNS_SERVERS_MAX];
    uint8_t dns_count;
    uint8_t default_router[16]; /* the one ::/0 goes through; :: for none */
    /* The link's parameters, as advertised (RFC 4861 6.3.2); 0: not yet. */
    uint8_t cur_hop_limit;
    uint32_t mtu;
    naru_time_t base_reachable_time;
    naru_time_t reachable_time; /* randomised from the base (RFC 4861 6.3.2) */
    naru_time_t retrans_timer;
};

/* Begin on iface: router solicitations after a random delay (RFC 4861
 * 6.3.7). */
void router_discovery_start(struct naru_stack *stack, struct naru_iface *iface);
/* A router advertisement ndp_parse accepted, with its IPv6 header's source
 * and hop limit: checked further (RFC 4861 6.1.2) and taken in (6.3.4). */
void router_discovery_input(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16],
                            uint8_t hop_limit, const struct ndp_message *ra);
/* RFC 4861 6.3.5, 7.3.3: the router is no longer one (NUD found it
 * unreachable, or an NA without R): out of the default router list. */
void router_discovery_router_gone(struct naru_stack *stack, struct naru_iface *iface, const uint8_t router[16]);
/* The DNS servers iface learned (RFC 8106) and still valid, up to max;
 * returns how many. */
int router_discovery_dns_servers(const struct naru_iface *iface, uint8_t servers[][16], int max);

#endif
