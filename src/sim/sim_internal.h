/* The simulator's insides, shared by its files: the event queue, nodes,
 * links and switches. Private to src/sim/. */
#ifndef NARU_SIM_INTERNAL_H
#define NARU_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pbuf.h"
#include "core/random.h"
#include "sim/event_queue.h"
#include "sim/grow.h"
#include "sim/index.h"
#include "naru/pcap.h"
#include "naru/sim.h"

#define SIM_NAME_MAX 32

/* Anything that can have an event due: a stack (its next timer) or one
 * direction of a link (its next frame to arrive). Each sits in the event
 * queue at most once, keyed by (when, order); order breaks ties in the
 * order keys were set, so runs repeat exactly. */
enum sim_source_kind { SOURCE_NODE, SOURCE_DIRECTION };
struct sim_source {
    naru_time_t when;          /* its key's, NARU_NEVER when not queued: asked after every event */
    uint32_t id;               /* its number in the sim's sources and event queue */
    uint8_t kind;
};

/* A frame the simulator holds itself: on its way to a switch, or to a
 * stack but smaller or larger than a lent buffer is for (SIM_LENT_MIN,
 * SIM_LENT_SIZE). */
struct sim_frame {
    struct sim_frame *next;    /* on a free list */
    uint32_t len;
    uint8_t size_class;
    bool csum_partial;         /* its sender left the TCP checksum for the device */
    uint16_t csum_start, csum_offset;
    uint8_t data[];
};

/* A frame in flight: copied once, at transmit, into a frame buffer the
 * simulator lends to stacks (naru_sim.lent) when a stack will receive it
 * and it would have taken a 2 KiB sim_frame, which that stack's input
 * path takes in without a copy (iface_input_lent); else into a sim_frame.
 * Tagged: a lent pbuf's address with its lowest bit set, or a sim_frame's,
 * so the lanes hold no more per frame than the frames' own headers did. */
struct sim_flight {
    naru_time_t arrival;
    uint64_t seq;              /* global transmit order: ties arrive in it */
    uintptr_t frame;
};

/* Frames a queue holds, for the drop-tail limit: when each finishes
 * being serialised, and its size. */
struct sim_queued {
    naru_time_t done;
    uint32_t len;
};

struct sim_end {
    struct naru_sim_link *link;
    int index;
    struct sim_node *node;     /* a stack's interface, or */
    struct naru_sim_switch *sw; /* a switch port */
    int ifindex;
    unsigned port;             /* its port number on the switch */
};

/* A FIFO of frames in flight: a ring, its capacity a power of two, grown
 * as needed. */
struct sim_lane {
    struct sim_flight *ring;
    uint32_t cap, head, count;
};

/* One direction of a link: the frames end `index` sent. Arrival times only
 * grow along a lane (each frame leaves the transmitter after the one before
 * it and all take the same delay), so appending keeps a lane sorted; frames
 * held back to be reordered take a second lane, where the same holds. */
struct sim_direction {
    struct sim_source source;
    struct naru_sim_link *link;
    int index;
    struct sim_lane lane, held;
    naru_time_t busy_until;    /* when the transmitter finishes its last frame */
    uint64_t carry;            /* serialisation time's remainder, in 1/rate ns */
    struct sim_queued *queue;  /* ring, grown on demand up to queue_frames */
    uint32_t queue_cap, queue_head, queue_count;
    uint64_t queue_bytes;
    /* Counted on every frame: beside the fields above, so a hop touches
     * few cache lines (the generators below only on impaired links). */
    struct naru_sim_link_stats stats;
    bool ge_bad;               /* Gilbert-Elliott state */
    /* One generator per impairment, so turning one on does not change
     * which frames another picks. */
    struct naru_random rng_loss, rng_ge, rng_reorder, rng_duplicate, rng_corrupt;
};

/* What every frame reads first (the name last), so a hop in a big world
 * touches few cache lines. */
struct naru_sim_link {
    struct naru_sim *sim;
    struct naru_pcap *pcap;
    bool impaired;             /* any of loss, bursts, reordering, duplicates, corruption */
    struct naru_sim_link_config config;
    struct sim_end ends[2];
    struct sim_direction dir[2];
    char name[SIM_NAME_MAX];
};

struct sim_node {
    struct sim_source source;
    struct naru_stack *stack;
    struct sim_node *dirty_next; /* touched on every frame: in the first cache line */
    bool dirty;
    struct naru_sim *sim;
    unsigned index;
    unsigned interfaces;
    char name[SIM_NAME_MAX];
};

#define SWITCH_MAC_TABLE 256

struct sim_switch_entry {
    uint8_t mac[6];
    bool used;
    uint16_t port;
};

struct naru_sim_switch {
    struct naru_sim *sim;
    char name[SIM_NAME_MAX];
    struct sim_end **ports;
    unsigned port_count, port_cap;
    struct sim_switch_entry table[SWITCH_MAC_TABLE];
};

/* A timer set with naru_sim_at() or naru_sim_at_stack(). */
struct sim_timer {
    naru_time_t when;
    uint64_t order;
    void (*fn)(void *ctx);
    void *ctx;
    struct sim_node *node;     /* NULL: may act on every stack */
};

#define FRAME_CLASSES 11       /* 128 bytes << class, up to 128 KiB */
/* A lent frame buffer: headroom, then a frame of a 1500-byte MTU with two
 * VLAN tags, to 64 bytes (1.8 KB with its descriptor). Only frames that a
 * sim_frame would hold in a 2 KiB block are lent: larger ones, and smaller
 * ones (ACKs, handshakes) which a small block holds, stay sim_frames. */
#define SIM_LENT_SIZE ((PBUF_HEADROOM + 1500 + 14 + 8 + 63) & ~63u)
#define SIM_LENT_MIN (1024 - sizeof(struct sim_frame))

struct naru_sim {
    uint64_t seed;
    naru_time_t now;
    uint64_t events, packet_events;
    uint64_t transmissions;    /* frames put on a link, each hop */
    uint64_t handed_on;        /* of those, frames put in flight in the lender's buffer a stack sent them in */
    uint64_t capture_bytes;    /* written to the links' pcaps */
    uint64_t order;            /* key order, and frame seq */
    bool stalled;

    struct sim_node **nodes;
    unsigned node_count, node_cap;
    struct sim_node **node_map; /* open addressing, by stack pointer */
    unsigned node_map_cap;
    struct sim_node *dirty;
    struct sim_index stack_names, link_names;

    struct naru_sim_link **links;
    unsigned link_count, link_cap;
    struct naru_sim_switch **switches;
    unsigned switch_count, switch_cap;
    uint32_t next_mac;

    /* Keys and places only, never the sources themselves (scattered
     * through memory in a big world, a cache miss each). */
    struct sim_queue queue;
    struct sim_source **sources; /* by id; queue.cap of them, source_count used */
    unsigned source_count;
    struct sim_timer *timers;  /* binary min-heap */
    unsigned timer_count, timer_cap;

    struct sim_frame *free_frames[FRAME_CLASSES];
    /* Frame buffers for frames in flight to stacks and in the stacks
     * that took them in (SIM_LENT_SIZE each). */
    struct pbuf_pool lent;

    naru_sim_log_fn log;
    void *log_ctx;
    enum naru_log_level log_level;
    naru_sim_observer_fn observer;
    void *observer_ctx;
    char *capture_dir;
};

/* The event queue. */
int sim_heap_reserve(struct naru_sim *sim, unsigned more);
/* A new node's or direction's source numbered, once it exists for good;
 * cannot fail: sim_heap_reserve() made room before it was made. */
void sim_source_register(struct naru_sim *sim, struct sim_source *s, uint8_t kind);
void sim_source_set(struct naru_sim *sim, struct sim_source *s, naru_time_t when);
/* A direction's next arrival: its time, its order, and the frame it brings
 * (NULL if none), which the run loop asks for one event ahead. */
void sim_direction_key(struct naru_sim *sim, struct sim_direction *d, naru_time_t when, uint64_t order,
                       const void *frame);

/* Nodes. */
struct sim_node *sim_node_of(const struct naru_sim *sim, const struct naru_stack *stack);
void sim_node_mark(struct naru_sim *sim, struct sim_node *node);

/* Frames. */
struct sim_frame *sim_frame_alloc(struct naru_sim *sim, size_t len);
void sim_frame_free(struct naru_sim *sim, struct sim_frame *f);
void sim_frames_fini(struct naru_sim *sim);

/* Links. */
int sim_name_link(struct naru_sim *sim, unsigned index);
void sim_link_destroy(struct naru_sim_link *link);
/* A frame handed to the link at end `from`, at the simulation's now; meta
 * (or NULL) may leave its checksum partial, as to a device with
 * NARU_OFFLOAD_TX_CSUM. */
int sim_link_transmit(struct naru_sim_link *link, int from, const uint8_t *frame, size_t len,
                      const struct naru_frame_meta *meta);
/* The direction's next frame is due: deliver it. */
void sim_direction_deliver(struct naru_sim *sim, struct sim_direction *d);
int sim_link_open_capture(struct naru_sim_link *link, const char *dir);

/* Switches. */
void sim_switch_input(struct naru_sim_switch *sw, struct sim_end *port, const uint8_t *frame, size_t len);
int sim_switch_add_port(struct naru_sim_switch *sw, struct sim_end *end);
void sim_switch_destroy(struct naru_sim_switch *sw);

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
