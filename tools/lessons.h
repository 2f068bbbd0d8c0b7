/* Two of the seed's lessons as experiments on a running simulation, for
 * naru demo's chapters 6 and 7 and for the tests that check what those
 * chapters claim: each runs the simulation itself and returns what
 * happened (times, addresses, errors), and the caller tells it.
 *
 * - lesson_send: one UDP datagram to an address where nobody is. IP sends
 *   it anyway; ARP goes unanswered (on the sender's own network, or at the
 *   last router), or an ICMP error comes back; what the sending program
 *   learns of it.
 * - lesson_move: a service moves to another host and its name's record is
 *   updated; a client that looks the name up before each try keeps using
 *   the cached old address until the record's TTL runs out. */
#ifndef NARU_TOOLS_LESSONS_H
#define NARU_TOOLS_LESSONS_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/sim.h"
#include "naru/simapp.h"
#include "naru/socket.h"

/* ---- chapter 6: IP is connectionless and promises nothing ---- */

struct lesson_send {
    naru_time_t sent_at;
    long sent;                 /* what the send call returned: the datagram's size */
    int error;                 /* what a plain program learns afterwards (the
                                  socket's pending error): 0, -EHOSTUNREACH, ... */
    bool icmp;                 /* an ICMP error came back to the sender's host */
    struct naru_icmp_error icmp_error; /* which, and from whom, when `icmp` */
    uint64_t arp_requests;     /* ARP requests the asker sent meanwhile */
    uint64_t arp_failed;       /* datagrams the asker dropped, its ARP unanswered */
};

/* Send one UDP datagram from `from` to `to` (after connecting the socket
 * to it when `connected`), run the simulation for `wait`, and say what
 * happened. `asker` is the host whose ARP is watched: `from` for an
 * address on its own network, the last router for one beyond it. 0, or a
 * negative errno when the experiment could not be set up. */
int lesson_send(struct naru_sim *sim, struct naru_stack *from, struct naru_stack *asker,
                const struct naru_sockaddr *to, bool connected, naru_time_t wait, struct lesson_send *out);

/* ---- chapter 7: addresses change, names stay ---- */

#define LESSON_MOVE_TRIES 12

struct lesson_try {
    naru_time_t at;            /* the lookup began */
    naru_time_t answered;      /* the lookup's answer (at once from the cache) */
    int lookup;                /* 0, or the resolver's error (no try then) */
    bool from_cache;
    uint32_t ttl;              /* seconds the answer had left */
    uint32_t addr;             /* the address it gave */
    int result;                /* 0 connected; -ECONNREFUSED, -ETIMEDOUT, ... */
    naru_time_t done;
};

struct lesson_move_config {
    struct naru_sim *sim;
    struct naru_sim_app *dns;  /* the DNS server application serving `zone` */
    const char *zone;          /* its zone as it was, master-file text with $ORIGIN */
    const char *label;         /* the moving name, relative to the zone: "shop" */
    const char *name;          /* the same in full, for the client: "shop.naru.test" */
    uint32_t ttl;              /* the record's TTL, seconds */
    struct naru_stack *client, *old_host, *new_host;
    uint32_t old_addr, new_addr;
    struct naru_sockaddr dns_server; /* where the client's resolver asks */
    uint16_t port;             /* the service's TCP port */
    unsigned tries;            /* at most LESSON_MOVE_TRIES */
    naru_time_t interval;      /* between tries */
    naru_time_t try_timeout;   /* a connection not made by then has failed */
    naru_time_t move_after;    /* from the first try to the move */
};

struct lesson_move {
    naru_time_t moved_at;      /* the zone changed, the old host stopped, the new started */
    naru_time_t expires_at;    /* the first answer's TTL ran out in the client's cache */
    unsigned count;
    struct lesson_try tries[LESSON_MOVE_TRIES];
    uint64_t queries;          /* DNS queries the client's resolver sent */
};

/* Serve `port` on the old host, put the name's record in the zone, then
 * have the client look the name up and connect, `tries` times; at
 * move_after the record changes to the new address, the old host stops
 * serving and the new one starts. Returns once every try has ended: 0,
 * or a negative errno (err says why) when it could not be set up. */
int lesson_move(const struct lesson_move_config *config, struct lesson_move *out, char *err, size_t err_len);

/* The new host of chapter 7 for the demo's world: `name` on a network of
 * its own, 10.3.0.0/24 (the host .80), joined to r2 (.1) by a new link
 * "lan3", with the routes to reach it through r1 and r2. */
int lesson_add_new_home(struct naru_sim *sim, struct naru_stack *r1, struct naru_stack *r2, const char *name,
                        struct naru_stack **out);

#endif
