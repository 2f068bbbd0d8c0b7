/* Simulated links: per direction, a transmitter at a fixed rate behind a
 * drop-tail queue, then a wire with a propagation delay that may lose,
 * reorder, duplicate or corrupt what it carries.
 *
 * A frame's fate is decided when it is handed over: the time it leaves the
 * transmitter follows from the frames queued before it (first in, first
 * out, at rate_bps), and it arrives a delay later. So the queue needs no
 * events of its own: its occupancy at any moment is the frames whose
 * serialisation has not finished yet. */
#include "sim/sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/iface.h"
#include "naru/addr.h"

#define DEFAULT_QUEUE_FRAMES 1000
#define MAX_QUEUE_FRAMES 1000000
#define DEFAULT_REORDER_DELAY NARU_MS
#define ETH_HEADER 14
/* An MTU-sized datagram, its Ethernet header and two VLAN tags. */
#define FRAME_OVERHEAD (ETH_HEADER + 8)

/* ---- frame buffers: free lists by power-of-two size ---- */

static unsigned size_class(size_t bytes)
{
    /* The smallest c with 128 << c >= bytes, without a loop per frame. */
    return bytes <= 128 ? 0 : 64 - (unsigned)__builtin_clzll((unsigned long long)bytes - 1) - 7;
}

struct sim_frame *sim_frame_alloc(struct naru_sim *sim, size_t len)
{
    unsigned c = size_class(sizeof(struct sim_frame) + len);
    if (c >= FRAME_CLASSES)
        return NULL;
    struct sim_frame *f = sim->free_frames[c];
    if (f) {
        sim->free_frames[c] = f->next;
    } else {
        f = malloc((size_t)128 << c);
        if (!f)
            return NULL;
    }
    f->next = NULL;
    f->csum_partial = false;
    f->size_class = (uint8_t)c;
    f->len = (uint32_t)len;
    return f;
}

void sim_frame_free(struct naru_sim *sim, struct sim_frame *f)
{
    f->next = sim->free_frames[f->size_class];
    sim->free_frames[f->size_class] = f;
}

void sim_frames_fini(struct naru_sim *sim)
{
    for (unsigned c = 0; c < FRAME_CLASSES; c++) {
        while (sim->free_frames[c]) {
            struct sim_frame *f = sim->free_frames[c];
            sim->free_frames[c] = f->next;
            free(f);
        }
    }
}

/* ---- creating ---- */

static bool probability(double p)
{
    return p >= 0 && p <= 1; /* false for NaN too */
}

/* Whether any impairment is on: most links have none. */
static bool impaired(const struct naru_sim_link_config *c)
{
    return c->loss > 0 || c->ge_p > 0 || c->reorder > 0 || c->duplicate > 0 || c->corrupt > 0;
}

static int check_config(const struct naru_sim_link_config *c)
{
    if (!probability(c->loss) || !probability(c->ge_p) || !probability(c->ge_r) || !probability(c->ge_h) ||
        !probability(c->ge_good_loss) || !probability(c->reorder) || !probability(c->duplicate) ||
        !probability(c->corrupt))
        return -EINVAL;
    if (c->mtu && (c->mtu < 68 || c->mtu > 65535))
        return -EINVAL; /* RFC 791: every link carries 68-byte datagrams */
    if (c->queue_frames > MAX_QUEUE_FRAMES)
        return -EINVAL;
    return 0;
}

int naru_sim_add_link(struct naru_sim *sim, const char *name, const struct naru_sim_link_config *config,
                      struct naru_sim_link **out)
{
    struct naru_sim_link_config c = { 0 };
    if (config)
        c = *config;
    int err = check_config(&c);
    if (err)
        return err;
    if (!c.mtu)
        c.mtu = 1500;
    if (!c.queue_frames)
        c.queue_frames = DEFAULT_QUEUE_FRAMES;
    if (!c.reorder_delay)
        c.reorder_delay = DEFAULT_REORDER_DELAY;
    char auto_name[SIM_NAME_MAX];
    if (!name || !*name) {
        snprintf(auto_name, sizeof auto_name, "link%u", sim->link_count);
        name = auto_name;
    }
    if (strlen(name) >= SIM_NAME_MAX)
        return -ENAMETOOLONG;
    if (naru_sim_find_link(sim, name))
        return -EEXIST;
    if (sim_grow((void **)&sim->links, &sim->link_cap, sim->link_count, sizeof *sim->links) < 0 ||
        sim_heap_reserve(sim, 2) < 0)
        return -ENOMEM;
    struct naru_sim_link *link = calloc(1, sizeof *link);
    if (!link)
        return -ENOMEM;
    link->sim = sim;
    link->config = c;
    link->impaired = impaired(&c);
    snprintf(link->name, sizeof link->name, "%s", name);
    unsigned index = sim->link_count;
    for (int i = 0; i < 2; i++) {
        struct sim_direction *d = &link->dir[i];
        d->link = link;
        d->index = i;
        uint64_t salt = 0x10000 + (uint64_t)index * 16 + (uint64_t)i * 8;
        random_seed(&d->rng_loss, naru_sim_derive_seed(sim, salt));
        random_seed(&d->rng_ge, naru_sim_derive_seed(sim, salt + 1));
        random_seed(&d->rng_reorder, naru_sim_derive_seed(sim, salt + 2));
        random_seed(&d->rng_duplicate, naru_sim_derive_seed(sim, salt + 3));
        random_seed(&d->rng_corrupt, naru_sim_derive_seed(sim, salt + 4));
        link->ends[i].link = link;
        link->ends[i].index = i;
        link->ends[i].ifindex = -1;
    }
    if (sim->capture_dir && (err = sim_link_open_capture(link, sim->capture_dir)) < 0) {
        sim_link_destroy(link);
        return err;
    }
    sim->links[sim->link_count] = link;
    if (sim_name_link(sim, sim->link_count) < 0) {
        sim_link_destroy(link);
        return -ENOMEM;
    }
    sim->link_count++;
    for (int i = 0; i < 2; i++)
        sim_source_register(sim, &link->dir[i].source, SOURCE_DIRECTION);
    *out = link;
    return 0;
}

static void lane_free(struct naru_sim *sim, struct sim_lane *lane)
{
    while (lane->head) {
        struct sim_frame *f = lane->head;
        lane->head = f->next;
        sim_frame_free(sim, f);
    }
    lane->tail = NULL;
}

void sim_link_destroy(struct naru_sim_link *link)
{
    for (int i = 0; i < 2; i++) {
        lane_free(link->sim, &link->dir[i].lane);
        lane_free(link->sim, &link->dir[i].held);
        free(link->dir[i].queue);
    }
    if (link->pcap)
        naru_pcap_close(link->pcap);
    free(link);
}

int sim_link_open_capture(struct naru_sim_link *link, const char *dir)
{
    if (link->pcap)
        return 0;
    /* Link names become file names: keep them to safe characters. */
    char safe[SIM_NAME_MAX];
    size_t i = 0;
    for (; link->name[i] && i < sizeof safe - 1; i++) {
        char ch = link->name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '_' || ch == '.';
        safe[i] = ok && !(i == 0 && ch == '.') ? ch : '_';
    }
    safe[i] = '\0';
    size_t len = strlen(dir) + strlen(safe) + 8;
    char *path = malloc(len);
    if (!path)
        return -ENOMEM;
    snprintf(path, len, "%s/%s.pcap", dir, safe);
    int err = naru_pcap_open(path, &link->pcap);
    free(path);
    return err;
}

static int end_transmit(void *ctx, const uint8_t *frame, size_t len)
{
    struct sim_end *end = ctx;
    struct naru_sim *sim = end->link->sim;
    /* The stack sent something, so its timers may have changed too. */
    sim_node_mark(sim, end->node);
    return sim_link_transmit(end->link, end->index, frame, len, NULL);
}

/* Links take TCP segments with the checksum left partial, as Linux's veth
 * does (NARU_OFFLOAD_TX_CSUM), and hand them to the stack at the other end
 * so: the checksum is summed once end to end on no hop, which is correct
 * because a simulated wire corrupts nothing unless told to. Wherever the
 * frame is looked at as the wire carries it (captures, observers, a link
 * that corrupts, a switch) it is completed first. */
static int end_transmit_offload(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta)
{
    struct sim_end *end = ctx;
    sim_node_mark(end->link->sim, end->node);
    return sim_link_transmit(end->link, end->index, frame, len, meta);
}

int naru_sim_link_attach(struct naru_sim_link *link, int end, struct naru_stack *stack, const char *cidr,
                         int *ifindex_out)
{
    if (!link || end < 0 || end > 1)
        return -EINVAL;
    struct sim_end *e = &link->ends[end];
    struct sim_node *node = sim_node_of(link->sim, stack);
    if (!node || e->node || e->sw)
        return -EINVAL;
    /* One address or several ("10.0.0.1/24 2001:db8::1/64"): all are
     * checked before the interface is made. */
    enum { MAX_ADDRS = 8 };
    struct naru_addr addrs[MAX_ADDRS];
    uint8_t prefixes[MAX_ADDRS];
    unsigned count = 0;
    for (const char *p = cidr; p && *p;) {
        size_t len = strcspn(p, " ,");
        char one[NARU_ADDR_STRLEN + 8];
        if (len && (len >= sizeof one || count == MAX_ADDRS))
            return -EINVAL;
        if (len) {
            memcpy(one, p, len);
            one[len] = '\0';
            struct naru_addr *a = &addrs[count];
            *a = naru_addr_v4(0);
            if (strchr(one, ':') ? naru_prefix_parse(one, a, &prefixes[count]) < 0
                                 : naru_cidr_parse(one, &a->v4, &prefixes[count]) < 0)
                return -EINVAL;
            if (naru_addr_is_unspecified(a))
                return -EINVAL;
            count++;
        }
        p += len + (p[len] != '\0');
    }
    if (cidr && !count)
        return -EINVAL;
    uint32_t id = ++link->sim->next_mac;
    char name[NARU_IFNAME_MAX];
    snprintf(name, sizeof name, "eth%u", node->interfaces);
    struct naru_if_config ifc = {
        .name = name,
        .mac = { 0x02, 0x00, (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id },
        .mtu = link->config.mtu,
        .driver = { .transmit = end_transmit, .transmit_offload = end_transmit_offload, .ctx = e,
                    .offloads = NARU_OFFLOAD_TX_CSUM },
    };
    /* The stack transmits at its own clock: bring it to now first. */
    naru_stack_poll(stack, link->sim->now);
    int ifindex = naru_if_add(stack, &ifc);
    if (ifindex < 0)
        return ifindex;
    e->node = node;
    e->ifindex = ifindex;
    node->interfaces++;
    if (ifindex_out)
        *ifindex_out = ifindex;
    int err = 0;
    for (unsigned i = 0; i < count && !err; i++)
        err = naru_if_add_addr(stack, ifindex, &addrs[i], prefixes[i]);
    sim_node_mark(link->sim, node);
    return err;
}

int naru_sim_link_attach_switch(struct naru_sim_link *link, int end, struct naru_sim_switch *sw)
{
    if (!link || !sw || end < 0 || end > 1)
        return -EINVAL;
    struct sim_end *e = &link->ends[end];
    if (e->node || e->sw)
        return -EINVAL;
    int err = sim_switch_add_port(sw, e);
    if (err < 0)
        return err;
    e->sw = sw;
    return 0;
}

const char *naru_sim_link_name(const struct naru_sim_link *link)
{
    return link->name;
}

struct naru_stack *naru_sim_link_stack(const struct naru_sim_link *link, int end, int *ifindex)
{
    const struct sim_end *e = &link->ends[end & 1];
    if (ifindex)
        *ifindex = e->node ? e->ifindex : -1;
    return e->node ? e->node->stack : NULL;
}

const struct naru_sim_link_config *naru_sim_link_get_config(const struct naru_sim_link *link)
{
    return &link->config;
}

void naru_sim_link_get_stats(const struct naru_sim_link *link, int end, struct naru_sim_link_stats *stats)
{
    *stats = link->dir[end & 1].stats;
}

void naru_sim_link_set_loss(struct naru_sim_link *link, double loss)
{
    if (probability(loss)) {
        link->config.loss = loss;
        link->impaired = impaired(&link->config);
    }
}

/* ---- the data path ---- */

static void observe(struct naru_sim_link *link, int from, enum naru_sim_link_event ev, const uint8_t *frame,
                    size_t len)
{
    struct naru_sim *sim = link->sim;
    if (sim->observer)
        sim->observer(sim->observer_ctx, link, from, ev, sim->now, frame, len);
}

static void lane_append(struct sim_lane *lane, struct sim_frame *f)
{
    if (lane->tail)
        lane->tail->next = f;
    else
        lane->head = f;
    lane->tail = f;
}

static bool frame_before(const struct sim_frame *a, const struct sim_frame *b)
{
    return a->arrival < b->arrival || (a->arrival == b->arrival && a->seq < b->seq);
}

/* The direction's next arrival is the earlier of its lanes' heads. */
static struct sim_lane *next_lane(struct sim_direction *d)
{
    struct sim_frame *a = d->lane.head, *b = d->held.head;
    if (!a)
        return b ? &d->held : NULL;
    if (!b)
        return &d->lane;
    return frame_before(b, a) ? &d->held : &d->lane;
}

static void update_key(struct naru_sim *sim, struct sim_direction *d)
{
    struct sim_lane *l = next_lane(d);
    if (l)
        sim_direction_key(sim, d, l->head->arrival, l->head->seq);
    else
        sim_direction_key(sim, d, NARU_NEVER, 0);
}

/* Time to put len bytes on the wire at rate_bps, carrying the fraction of
 * a nanosecond to the next frame so long runs keep the exact rate. */
static naru_time_t serialisation(struct sim_direction *d, uint64_t rate_bps, size_t len)
{
    if (!rate_bps)
        return 0;
    uint64_t bits_ns = (uint64_t)len * 8 * NARU_SEC + d->carry;
    d->carry = bits_ns % rate_bps;
    return bits_ns / rate_bps;
}

/* Most queues stay short: the ring starts small and doubles as needed. */
static int queue_grow(struct sim_direction *d, uint32_t limit)
{
    uint32_t cap = d->queue_cap ? d->queue_cap * 2 : 16;
    if (cap > limit)
        cap = limit;
    struct sim_queued *q = malloc((size_t)cap * sizeof *q);
    if (!q)
        return -ENOMEM;
    for (uint32_t i = 0; i < d->queue_count; i++)
        q[i] = d->queue[(d->queue_head + i) % d->queue_cap];
    free(d->queue);
    d->queue = q;
    d->queue_cap = cap;
    d->queue_head = 0;
    return 0;
}

static bool chance(struct naru_random *r, double p)
{
    return p > 0 && random_unit(r) < p;
}

/* Gilbert (1960) and Elliott (1963): a good and a bad state, stepped once
 * per frame, each with its own loss probability. Returns true if lost. */
static bool burst_lost(struct sim_direction *d, const struct naru_sim_link_config *c)
{
    if (c->ge_p <= 0)
        return false;
    double step = random_unit(&d->rng_ge), draw = random_unit(&d->rng_ge);
    if (d->ge_bad ? step < c->ge_r : step < c->ge_p)
        d->ge_bad = !d->ge_bad;
    return d->ge_bad ? draw >= c->ge_h : draw < c->ge_good_loss;
}

static void frame_free_if(struct naru_sim *sim, struct sim_frame *f)
{
    if (f)
        sim_frame_free(sim, f);
}

/* The checksum its sender left partial, done as a device would. */
static void frame_complete(struct sim_frame *f)
{
    if (f->csum_partial)
        iface_frame_checksum_complete(f->data, f->len, f->csum_start, f->csum_offset);
    f->csum_partial = false;
}

int sim_link_transmit(struct naru_sim_link *link, int from, const uint8_t *frame, size_t len,
                      const struct naru_frame_meta *meta)
{
    struct naru_sim *sim = link->sim;
    struct sim_direction *d = &link->dir[from];
    const struct naru_sim_link_config *c = &link->config;
    naru_time_t now = sim->now;
    d->stats.frames_sent++;
    d->stats.bytes_sent += len;
    if (len > (size_t)c->mtu + FRAME_OVERHEAD) {
        d->stats.dropped_too_big++;
        observe(link, from, NARU_SIM_FRAME_DROPPED, frame, len);
        return -EMSGSIZE;
    }
    bool partial = meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL);
    struct sim_frame *f = NULL;
    if (partial && (link->pcap || sim->observer || (link->impaired && c->corrupt > 0))) {
        /* Seen or corrupted as the wire carries it: completed first. */
        if (!(f = sim_frame_alloc(sim, len))) {
            d->stats.dropped_queue++;
            return -ENOBUFS;
        }
        memcpy(f->data, frame, len);
        f->csum_partial = true;
        f->csum_start = meta->csum_start;
        f->csum_offset = meta->csum_offset;
        frame_complete(f);
        frame = f->data;
        partial = false;
    }
    /* Frames whose serialisation has finished have left the queue. */
    while (d->queue_count && d->queue[d->queue_head].done <= now) {
        d->queue_bytes -= d->queue[d->queue_head].len;
        if (++d->queue_head == d->queue_cap)
            d->queue_head = 0;
        d->queue_count--;
    }
    if (d->queue_count >= c->queue_frames || (c->queue_bytes && d->queue_bytes + len > c->queue_bytes) ||
        (d->queue_count == d->queue_cap && queue_grow(d, c->queue_frames) < 0)) {
        d->stats.dropped_queue++;
        observe(link, from, NARU_SIM_FRAME_DROPPED, frame, len);
        frame_free_if(sim, f);
        return -ENOBUFS; /* counted by the stack as a driver drop, like a full qdisc */
    }
    if (d->busy_until < now) {
        d->busy_until = now;
        d->carry = 0;
    }
    d->busy_until += serialisation(d, c->rate_bps, len);
    uint32_t slot = d->queue_head + d->queue_count;
    struct sim_queued *q = &d->queue[slot >= d->queue_cap ? slot - d->queue_cap : slot];
    q->done = d->busy_until;
    q->len = (uint32_t)len;
    d->queue_count++;
    d->queue_bytes += len;
    if (d->queue_count > d->stats.queue_peak)
        d->stats.queue_peak = d->queue_count;
    sim->transmissions++;
    if (link->pcap) {
        naru_pcap_write(link->pcap, now, frame, len);
        sim->capture_bytes += 16 + len; /* a pcap record's header and the frame */
    }
    observe(link, from, NARU_SIM_FRAME_SENT, frame, len);

    /* Every impairment draws from its own generator on every frame, so
     * each one's choices do not depend on which others are on. A link
     * with none draws nothing, as each would draw nothing when off. */
    bool burst = false, lost = false, held = false, twice = false, corrupt = false;
    uint32_t bit = 0;
    if (link->impaired) {
        burst = burst_lost(d, c);
        lost = chance(&d->rng_loss, c->loss) || burst;
        held = chance(&d->rng_reorder, c->reorder);
        twice = chance(&d->rng_duplicate, c->duplicate);
        /* Only IPv4 datagrams are corrupted: ARP has no checksum, and real
         * links' frame check sequences keep such errors away from it. */
        corrupt = chance(&d->rng_corrupt, c->corrupt) && len > ETH_HEADER && frame[12] == 0x08 && frame[13] == 0x00;
        if (corrupt)
            bit = random_below(&d->rng_corrupt, (uint32_t)(len - ETH_HEADER) * 8);
    }
    if (lost) {
        d->stats.lost++;
        if (burst)
            d->stats.lost_in_burst++;
        observe(link, from, NARU_SIM_FRAME_LOST, frame, len);
        frame_free_if(sim, f);
        return 0; /* lost on the wire: the sender cannot know */
    }
    if (!f) {
        if (!(f = sim_frame_alloc(sim, len))) {
            d->stats.dropped_queue++;
            return -ENOBUFS;
        }
        memcpy(f->data, frame, len);
        f->csum_partial = partial;
        if (partial) {
            f->csum_start = meta->csum_start;
            f->csum_offset = meta->csum_offset;
        }
    }
    f->arrival = d->busy_until + c->delay;
    f->seq = ++sim->order;
    if (held) {
        f->arrival += c->reorder_delay;
        d->stats.reordered++;
        observe(link, from, NARU_SIM_FRAME_REORDERED, frame, len);
    }
    if (corrupt) {
        f->data[ETH_HEADER + bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        d->stats.corrupted++;
        observe(link, from, NARU_SIM_FRAME_CORRUPTED, f->data, len);
    }
    struct sim_lane *lane = held ? &d->held : &d->lane;
    /* Only a frame that heads its lane can be the direction's next. */
    bool new_head = lane->head == NULL;
    lane_append(lane, f);
    if (twice) {
        struct sim_frame *g = sim_frame_alloc(sim, len);
        if (g) {
            memcpy(g->data, f->data, len);
            g->csum_partial = f->csum_partial;
            g->csum_start = f->csum_start;
            g->csum_offset = f->csum_offset;
            g->arrival = f->arrival;
            g->seq = ++sim->order;
            lane_append(lane, g);
            d->stats.duplicated++;
            observe(link, from, NARU_SIM_FRAME_DUPLICATED, frame, len);
        }
    }
    if (new_head)
        update_key(sim, d);
    return 0;
}

void sim_direction_deliver(struct naru_sim *sim, struct sim_direction *d)
{
    struct sim_lane *lane = next_lane(d);
    if (!lane)
        return;
    struct sim_frame *f = lane->head;
    lane->head = f->next;
    if (!lane->head)
        lane->tail = NULL;
    update_key(sim, d);
    struct naru_sim_link *link = d->link;
    struct sim_end *to = &link->ends[1 - d->index];
    if (f->csum_partial && (to->sw || sim->observer))
        frame_complete(f); /* a switch's next link, or an observer, sees it whole */
    if (to->node || to->sw) {
        d->stats.frames_delivered++;
        d->stats.bytes_delivered += f->len;
        sim->packet_events++;
        observe(link, d->index, NARU_SIM_FRAME_DELIVERED, f->data, f->len);
    }
    if (to->node) {
        naru_stack_poll(to->node->stack, sim->now);
        struct naru_frame_meta meta = { .flags = NARU_FRAME_CSUM_PARTIAL, .csum_start = f->csum_start,
                                        .csum_offset = f->csum_offset };
        naru_stack_input_offload(to->node->stack, to->ifindex, f->data, f->len, f->csum_partial ? &meta : NULL);
        sim_node_mark(sim, to->node);
    } else if (to->sw) {
        sim_switch_input(to->sw, to, f->data, f->len);
    }
    sim_frame_free(sim, f);
}
