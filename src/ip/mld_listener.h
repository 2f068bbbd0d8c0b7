/* The multicast listener side of MLDv2 (RFC 3810) for one interface: the
 * groups it listens to, the state-change reports that announce a join or
 * a leave, and the answers to queries, with MLDv1 compatibility (RFC 3810
 * 8). naru listens to whole groups, never to chosen sources: every group
 * is in EXCLUDE mode with no sources (an "any-source" join). */
#ifndef NARU_IP_MLD_LISTENER_H
#define NARU_IP_MLD_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"

struct naru_stack;
struct naru_iface;
struct mld_query;

/* Groups one interface may listen to at once: the solicited-node group of
 * each of its addresses and a few for applications. Bounded, counted. */
#define MLD_GROUPS_MAX 16
#define MLD_ROBUSTNESS 2                                /* RFC 3810 9.1 */
#define MLD_UNSOLICITED_REPORT_INTERVAL (1 * NARU_SEC)  /* RFC 3810 9.11 */
#define MLD_QUERY_INTERVAL (125 * NARU_SEC)             /* RFC 3810 9.2 */
#define MLD_QUERY_RESPONSE_INTERVAL (10 * NARU_SEC)     /* RFC 3810 9.3 */
/* RFC 3810 9.12: how long a version 1 query keeps us speaking version 1. */
#define MLD_OLDER_VERSION_QUERIER_TIMEOUT (MLD_ROBUSTNESS * MLD_QUERY_INTERVAL + MLD_QUERY_RESPONSE_INTERVAL)

struct mld_group {
    uint8_t addr[16];
    uint16_t users;            /* joins not yet left; 0: leaving, announced then dropped */
    uint8_t changes_left;      /* state-change reports still to send (RFC 3810 6.1) */
    naru_time_t answer_at;     /* a group-specific (or v1) query's answer; NARU_NEVER: none */
};

struct mld_listener {
    struct mld_group groups[MLD_GROUPS_MAX];
    uint8_t count;
    naru_time_t change_at;     /* the next state-change report; NARU_NEVER: none */
    naru_time_t general_at;    /* the answer to a general query; NARU_NEVER: none */
    naru_time_t v1_until;      /* version 1 compatibility mode ends (RFC 3810 8.2.1) */
    struct naru_timer timer;   /* at the earliest of the above */
};

void mld_listener_init(struct mld_listener *l);
/* Stop: cancel the timer, forget every group (no leave is sent). */
void mld_listener_stop(struct naru_stack *stack, struct mld_listener *l);

/* Join group on iface (counting users: a group joined twice is left
 * twice). The state-change report goes after `delay` (RFC 4862 5.4.2
 * delays the one for a tentative address), then again at random within
 * the unsolicited report interval. Returns 0, -EINVAL (not multicast) or
 * -ENOSPC (counted). */
int mld_join(struct naru_stack *stack, struct naru_iface *iface, const uint8_t group[16], naru_time_t delay);
/* Leave it: when its last user leaves, announced (RFC 3810 6.1) and
 * dropped. 0 or -ENOENT. */
int mld_leave(struct naru_stack *stack, struct naru_iface *iface, const uint8_t group[16]);
/* Does iface listen to group (all-nodes always, RFC 4291 2.8)? */
bool mld_listening(const struct naru_iface *iface, const uint8_t group[16]);

/* A query the IP layer received on iface and checked (mld_ip_valid);
 * schedules the answer (RFC 3810 6.2), or switches to version 1 (8.2.1). */
void mld_listener_query(struct naru_stack *stack, struct naru_iface *iface, const struct mld_query *q);

#endif
