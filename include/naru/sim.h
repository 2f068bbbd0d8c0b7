/* The simulator: many naru stacks in one process on one virtual clock,
 * joined by links that model a real network's imperfections — bandwidth,
 * propagation delay, a drop-tail queue, loss (independent or in bursts),
 * reordering, duplication, bit corruption and an MTU — and by learning
 * Ethernet switches. Routers are stacks with several interfaces and
 * forwarding on.
 *
 * Everything happens as events in time order, taken from one event queue:
 * a frame arriving, a stack's timer falling due, a timer set by code running
 * in the simulation.
 * All randomness derives from the seed given to naru_sim_create(), so a run
 * can be repeated exactly: the same seed gives byte-identical captures.
 *
 * Applications act through naru's socket API from timers set with
 * naru_sim_at_stack() and from socket callbacks; no threads. */
#ifndef NARU_SIM_H
#define NARU_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/memlink.h"
#include "naru/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naru_sim;
struct naru_sim_link;
struct naru_sim_switch;

int naru_sim_create(uint64_t seed, struct naru_sim **out);
/* Destroys every stack, link and switch the simulation owns, and closes
 * its captures. Applications (simapp.h) are the caller's: destroy them
 * first. */
void naru_sim_destroy(struct naru_sim *sim);
naru_time_t naru_sim_now(const struct naru_sim *sim);
uint64_t naru_sim_seed(const struct naru_sim *sim);
/* A value derived from the simulation's seed and `salt`, for anything
 * built on the simulator that needs its own repeatable randomness. */
uint64_t naru_sim_derive_seed(const struct naru_sim *sim, uint64_t salt);

/* ---- nodes ---- */

/* naru_stack_config_default() with pools sized for a simulated host that
 * runs a few applications: fewer packet buffers (frames are copied onto
 * the links at once, so few wait in a stack), sockets and connections:
 * under half the memory of the stack defaults (bench/sim_speed.c). */
void naru_sim_stack_config_default(struct naru_stack_config *config);

/* A new stack owned by the simulation. config may be NULL for defaults;
 * either way the stack's seed is derived from the simulation's seed and
 * the order stacks are added in. Interfaces come from links (below), at
 * most config->interfaces of them (8 by default: size a router's config
 * to its links, as scenario files do). */
struct naru_stack *naru_sim_add_stack(struct naru_sim *sim, const char *name,
                                      const struct naru_stack_config *config);
/* The same with forwarding on: a router. */
struct naru_stack *naru_sim_add_router(struct naru_sim *sim, const char *name,
                                       const struct naru_stack_config *config);
const char *naru_sim_stack_name(const struct naru_sim *sim, const struct naru_stack *stack);
/* By name, or NULL. */
struct naru_stack *naru_sim_find_stack(const struct naru_sim *sim, const char *name);
unsigned naru_sim_stack_count(const struct naru_sim *sim);
struct naru_stack *naru_sim_stack_at(const struct naru_sim *sim, unsigned index);

/* The log hook of every stack added after this call (unless its config
 * brings its own): messages at `level` or more important, with the name of
 * the node that logged them. */
typedef void (*naru_sim_log_fn)(void *ctx, const char *node, naru_time_t now, enum naru_log_level level,
                                enum naru_layer layer, const char *message);
void naru_sim_set_log(struct naru_sim *sim, naru_sim_log_fn fn, void *ctx, enum naru_log_level level);

/* ---- links ---- */

struct naru_sim_link_config {
    uint64_t rate_bps;         /* serialisation rate of each direction; 0: instant */
    naru_time_t delay;         /* one-way propagation delay */
    uint32_t queue_frames;     /* drop-tail limit of each direction's queue,
                                  frames waiting or being sent; 0: 1000 */
    uint32_t queue_bytes;      /* the same in bytes; 0: no byte limit */
    uint32_t mtu;              /* IP MTU of the interfaces on the link; 0: 1500 */
    double loss;               /* probability each frame is lost, independently */
    /* Gilbert-Elliott burst loss: a two-state chain stepped once per frame.
     * Off while ge_p is 0. Mean loss is
     * (p/(p+r))(1-h) + (r/(p+r)) ge_good_loss. */
    double ge_p;               /* P(good -> bad) */
    double ge_r;               /* P(bad -> good) */
    double ge_h;               /* P(a frame gets through) in the bad state */
    double ge_good_loss;       /* P(a frame is lost) in the good state (1 - k) */
    double reorder;            /* probability a frame is held back ... */
    naru_time_t reorder_delay; /* ... for this long (0: 1 ms), so later frames pass it */
    double duplicate;          /* probability a frame arrives twice */
    double corrupt;            /* probability one bit of an IPv4 frame's datagram
                                  is flipped (the checksums must catch it) */
};

/* Per direction: the frames one end handed to the link. */
struct naru_sim_link_stats {
    uint64_t frames_sent;      /* handed to the link */
    uint64_t bytes_sent;
    uint64_t frames_delivered; /* arrived at the other end (duplicates included) */
    uint64_t bytes_delivered;
    uint64_t dropped_queue;    /* the queue was full (drop-tail) */
    uint64_t dropped_too_big;  /* larger than the MTU */
    uint64_t lost;             /* lost on the wire (independent or burst loss) */
    uint64_t lost_in_burst;    /* of those, lost in the Gilbert-Elliott bad state */
    uint64_t reordered;        /* held back so that later frames overtook them */
    uint64_t duplicated;       /* delivered a second time */
    uint64_t corrupted;        /* delivered with one bit flipped */
    uint32_t queue_peak;       /* the most frames ever queued at once */
};

/* A link with two ends, each attached to a stack (a new interface) or to
 * a switch port. Its name names its capture file. */
int naru_sim_add_link(struct naru_sim *sim, const char *name, const struct naru_sim_link_config *config,
                      struct naru_sim_link **out);
/* Attach end 0 or 1 to a new interface of `stack`, with the addresses in
 * cidr ("A.B.C.D/LEN", "2001:db8::1/64", or both separated by a space or
 * comma for a dual-stack interface; NULL for none yet) and a MAC address
 * unique in the simulation; ifindex may be NULL. */
int naru_sim_link_attach(struct naru_sim_link *link, int end, struct naru_stack *stack, const char *cidr,
                         int *ifindex);
int naru_sim_link_attach_switch(struct naru_sim_link *link, int end, struct naru_sim_switch *sw);
const char *naru_sim_link_name(const struct naru_sim_link *link);
/* The stack at an end (NULL for a switch or nothing) and its interface. */
struct naru_stack *naru_sim_link_stack(const struct naru_sim_link *link, int end, int *ifindex);
/* The name of the switch at an end, or NULL when it is not a switch's. */
const char *naru_sim_link_switch_name(const struct naru_sim_link *link, int end);
const struct naru_sim_link_config *naru_sim_link_get_config(const struct naru_sim_link *link);
void naru_sim_link_get_stats(const struct naru_sim_link *link, int end, struct naru_sim_link_stats *stats);
/* Change the independent loss from now on. */
void naru_sim_link_set_loss(struct naru_sim_link *link, double loss);

/* Two stacks joined by a new link, as with the in-memory link driver: each
 * gets an interface with the given address. Only the config's delay,
 * rate_bps, loss and queue_limit are used (its seed is derived from the
 * simulation's). ifindex outputs may be NULL. */
int naru_sim_connect(struct naru_sim *sim, struct naru_stack *a, const char *a_cidr,
                     struct naru_stack *b, const char *b_cidr,
                     const struct naru_memlink_config *link, int *a_ifindex, int *b_ifindex);
/* The n-th link added (by either call), or NULL. */
struct naru_sim_link *naru_sim_link(struct naru_sim *sim, unsigned n);
unsigned naru_sim_link_count(const struct naru_sim *sim);
struct naru_sim_link *naru_sim_find_link(const struct naru_sim *sim, const char *name);

/* ---- switches ---- */

/* A learning Ethernet switch: frames go to the port their destination MAC
 * address was last seen on, or to every other port when it is unknown or
 * broadcast. Forwarding takes no time; the links' own rates do. */
struct naru_sim_switch *naru_sim_add_switch(struct naru_sim *sim, const char *name);

/* ---- watching ---- */

enum naru_sim_link_event {
    NARU_SIM_FRAME_SENT,       /* accepted onto the wire */
    NARU_SIM_FRAME_DELIVERED,  /* arrived at the far end */
    NARU_SIM_FRAME_LOST,       /* lost on the wire */
    NARU_SIM_FRAME_DROPPED,    /* refused: queue full or too big */
    NARU_SIM_FRAME_REORDERED,  /* held back (reported when sent) */
    NARU_SIM_FRAME_DUPLICATED, /* will arrive twice (reported when sent) */
    NARU_SIM_FRAME_CORRUPTED,  /* a bit flipped (reported when sent; the frame
                                  given is the corrupted copy) */
};
/* Called for every frame event on every link: `from_end` sent it. */
typedef void (*naru_sim_observer_fn)(void *ctx, struct naru_sim_link *link, int from_end,
                                     enum naru_sim_link_event event, naru_time_t now,
                                     const uint8_t *frame, size_t len);
void naru_sim_set_observer(struct naru_sim *sim, naru_sim_observer_fn fn, void *ctx);

/* Capture each link, now and added later, to DIR/NAME.pcap: every frame
 * that went onto the wire, either way, stamped with the time it was handed
 * to the link (frames lost on the way are in it, as a tap at the sender
 * sees them; frames the queue refused are not). 0 or a negative errno. */
int naru_sim_capture(struct naru_sim *sim, const char *dir);
/* Close the captures, flushing them; 0 or the first write error. Also
 * done by naru_sim_destroy(). */
int naru_sim_capture_close(struct naru_sim *sim);
/* Bytes written to the captures so far, headers included. */
uint64_t naru_sim_capture_bytes(const struct naru_sim *sim);

/* ---- time ---- */

/* Call fn(ctx) at virtual time `when` (not before now). Every stack is
 * brought to that time first, so fn may act on any of them. */
int naru_sim_at(struct naru_sim *sim, naru_time_t when, void (*fn)(void *ctx), void *ctx);
/* The same for code that acts on one stack only: cheaper with many stacks. */
int naru_sim_at_stack(struct naru_sim *sim, struct naru_stack *stack, naru_time_t when,
                      void (*fn)(void *ctx), void *ctx);
/* Code running for one stack (a socket callback, a naru_sim_at_stack()
 * timer) that acts on another must touch it first: this brings it to the
 * current time, and has its timers looked at again afterwards. */
void naru_sim_touch(struct naru_sim *sim, struct naru_stack *stack);

/* Run events in time order until virtual time `until`, or until done(ctx)
 * (checked before the first event and after every one) returns true.
 * Returns true if done said so. With nothing left to do, time jumps to
 * `until`. Between runs, code may act on any stack. */
bool naru_sim_run(struct naru_sim *sim, naru_time_t until, bool (*done)(void *ctx), void *ctx);
/* True when the last run stopped because events kept coming without time
 * passing (fifty million at one instant: a livelock), rather than run
 * forever. */
bool naru_sim_stalled(const struct naru_sim *sim);
/* Events processed so far: frame arrivals, stack timers, naru_sim_at() timers. */
uint64_t naru_sim_events(const struct naru_sim *sim);
/* Of those, frames delivered to a stack or a switch. */
uint64_t naru_sim_packet_events(const struct naru_sim *sim);
/* Frames put on a link, counted at each hop, data and ACKs alike (what
 * ns-3 counts as PhyTxEnd): those a queue refused are not, those lost on
 * the wire are. */
uint64_t naru_sim_transmissions(const struct naru_sim *sim);

#ifdef __cplusplus
}
#endif
#endif
