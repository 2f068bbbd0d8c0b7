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

static void flight_free(struct naru_sim *sim, struct sim_flight *fl);
static int transmit(struct naru_sim_link *link, int from, const uint8_t *frame, size_t len,
                    const struct naru_frame_meta *meta, struct pbuf *given);
static bool link_takes(const struct naru_sim_link *link, int from, size_t len);

static void lane_free(struct naru_sim *sim, struct sim_lane *lane)
{
    for (uint32_t i = 0; i < lane->count; i++)
        flight_free(sim, &lane->ring[(lane->head + i) & (lane->cap - 1)]);
    free(lane->ring);
    memset(lane, 0, sizeof *lane);
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

/* iface_transmit's path for a lent buffer (struct naru_iface's
 * transmit_lent). */
static int end_transmit_lent(void *ctx, struct pbuf_pool *lender, struct pbuf *pb, const struct naru_frame_meta *meta)
{
    struct sim_end *end = ctx;
    struct naru_sim *sim = end->link->sim;
    if (lender != &sim->lent || !link_takes(end->link, end->index, pb->len))
        return IFACE_NOT_TAKEN;
    sim_node_mark(sim, end->node);
    return transmit(end->link, end->index, pb->data, pb->len, meta, pb);
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
    iface_use_lender(stack, ifindex, &link->sim->lent, end_transmit_lent);
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

/* The ring doubled: false when memory is out. */
static bool lane_grow(struct sim_lane *lane)
{
    uint32_t cap = lane->cap ? lane->cap * 2 : 4;
    struct sim_flight *ring = malloc((size_t)cap * sizeof *ring);
    if (!ring)
        return false;
    for (uint32_t i = 0; i < lane->count; i++)
        ring[i] = lane->ring[(lane->head + i) & (lane->cap - 1)];
    free(lane->ring);
    lane->ring = ring;
    lane->cap = cap;
    lane->head = 0;
    return true;
}

/* Room for one more frame: false when memory is out. */
static inline bool lane_room(struct sim_lane *lane)
{
    return lane->count < lane->cap || lane_grow(lane);
}

/* Onto the lane's tail, which lane_room() made room for. */
static void lane_push(struct sim_lane *lane, const struct sim_flight *fl)
{
    lane->ring[(lane->head + lane->count++) & (lane->cap - 1)] = *fl;
}

static struct sim_flight *lane_head(struct sim_lane *lane)
{
    return lane->count ? &lane->ring[lane->head] : NULL;
}

static struct sim_flight lane_pop(struct sim_lane *lane)
{
    struct sim_flight fl = lane->ring[lane->head];
    lane->head = (lane->head + 1) & (lane->cap - 1);
    lane->count--;
    return fl;
}

static bool flight_before(const struct sim_flight *a, const struct sim_flight *b)
{
    return a->arrival < b->arrival || (a->arrival == b->arrival && a->seq < b->seq);
}

/* The direction's next arrival is the earlier of its lanes' heads. */
static inline struct sim_lane *next_lane(struct sim_direction *d)
{
    if (!d->held.count) /* nothing held back: most links reorder nothing */
        return d->lane.count ? &d->lane : NULL;
    struct sim_flight *a = lane_head(&d->lane), *b = lane_head(&d->held);
    if (!a)
        return b ? &d->held : NULL;
    if (!b)
        return &d->lane;
    return flight_before(b, a) ? &d->held : &d->lane;
}

/* Where the frame's memory starts (a pool buffer's descriptor, or the
 * simulator's own frame), whichever it is. */
static const void *flight_memory(const struct sim_flight *fl)
{
    return (const void *)(fl->frame & ~(uintptr_t)1);
}

static void update_key(struct naru_sim *sim, struct sim_direction *d)
{
    struct sim_lane *l = next_lane(d);
    if (l) {
        const struct sim_flight *fl = &l->ring[l->head];
        sim_direction_key(sim, d, fl->arrival, fl->seq, flight_memory(fl));
    } else {
        sim_direction_key(sim, d, NARU_NEVER, 0, NULL);
    }
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

/* ---- frames in flight: lent for the receiving stack, or the simulator's own ---- */

static struct pbuf *flight_pb(const struct sim_flight *fl)
{
    return fl->frame & 1 ? (struct pbuf *)(fl->frame - 1) : NULL;
}

static struct sim_frame *flight_f(const struct sim_flight *fl)
{
    return fl->frame & 1 ? NULL : (struct sim_frame *)fl->frame;
}

static uint8_t *flight_data(const struct sim_flight *fl)
{
    struct pbuf *pb = flight_pb(fl);
    return pb ? pb->data : flight_f(fl)->data;
}

static size_t flight_len(const struct sim_flight *fl)
{
    struct pbuf *pb = flight_pb(fl);
    return pb ? pb->len : flight_f(fl)->len;
}

static bool flight_partial(const struct sim_flight *fl)
{
    struct pbuf *pb = flight_pb(fl);
    return pb ? (pb->flags & PBUF_F_RX_CSUM_PARTIAL) != 0 : flight_f(fl)->csum_partial;
}

/* A lent buffer holding the frame as the flight, its partial checksum
 * marked for the receiving stack (iface_input_lent). One that does not
 * fit is no checksum to complete, here or there. */
static void flight_lent(struct sim_flight *fl, struct pbuf *pb, const struct naru_frame_meta *meta)
{
    if (meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL) &&
        (size_t)meta->csum_start + meta->csum_offset + 2 <= pb->len) {
        pb->flags |= PBUF_F_RX_CSUM_PARTIAL;
        pb->csum_start = (uint16_t)(pbuf_headroom(pb) + meta->csum_start);
        pb->csum_offset = meta->csum_offset;
    }
    fl->frame = (uintptr_t)pb | 1;
}

/* A copy of frame, in flight to `to`: into a lent frame buffer when a
 * stack will take it in (and it is one to lend: SIM_LENT_MIN), marked as
 * the stack's input path would mark a partial checksum (meta). -ENOBUFS
 * when memory is out. */
static int flight_copy(struct naru_sim *sim, const struct sim_end *to, struct sim_flight *fl, const uint8_t *frame,
                       size_t len, const struct naru_frame_meta *meta)
{
    bool partial = meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL);
    struct pbuf *pb = to->node && len > SIM_LENT_MIN ? pbuf_lend(&sim->lent, PBUF_HEADROOM, len) : NULL;
    if (pb) {
        memcpy(pb->data, frame, len);
        flight_lent(fl, pb, meta);
        return 0;
    }
    struct sim_frame *f = sim_frame_alloc(sim, len);
    if (!f)
        return -ENOBUFS;
    memcpy(f->data, frame, len);
    f->csum_partial = partial;
    if (partial) {
        f->csum_start = meta->csum_start;
        f->csum_offset = meta->csum_offset;
    }
    fl->frame = (uintptr_t)f;
    return 0;
}

/* A lent buffer a stack hands on (iface_transmit) becomes the flight as
 * it is: the copy flight_copy() would make, without making it. */
static void flight_take(struct sim_flight *fl, struct pbuf *pb, const struct naru_frame_meta *meta)
{
    pbuf_lend_again(pb);
    flight_lent(fl, pb, meta);
}

/* The partial checksum a frame in flight carries, as naru_frame_meta. */
static const struct naru_frame_meta *flight_meta(const struct sim_flight *fl, struct naru_frame_meta *meta)
{
    if (!flight_partial(fl))
        return NULL;
    struct pbuf *pb = flight_pb(fl);
    struct sim_frame *f = flight_f(fl);
    *meta = (struct naru_frame_meta){ .flags = NARU_FRAME_CSUM_PARTIAL };
    meta->csum_start = pb ? (uint16_t)(pb->csum_start - pbuf_headroom(pb)) : f->csum_start;
    meta->csum_offset = pb ? pb->csum_offset : f->csum_offset;
    return meta;
}

static void flight_free(struct naru_sim *sim, struct sim_flight *fl)
{
    if (flight_pb(fl))
        pbuf_lend_return(&sim->lent, flight_pb(fl));
    else if (fl->frame)
        sim_frame_free(sim, flight_f(fl));
    fl->frame = 0;
}

/* The checksum its sender left partial, done as a device would. */
static void flight_complete(struct sim_flight *fl)
{
    struct naru_frame_meta meta;
    if (flight_meta(fl, &meta))
        iface_frame_checksum_complete(flight_data(fl), flight_len(fl), meta.csum_start, meta.csum_offset);
    if (flight_pb(fl))
        flight_pb(fl)->flags &= (uint8_t)~PBUF_F_RX_CSUM_PARTIAL;
    else
        flight_f(fl)->csum_partial = false;
}

/* A frame onto the link: copied, or `given` (a lent buffer holding it,
 * the link's from now on, whatever becomes of the frame; only where
 * link_takes() said so). */
static int transmit(struct naru_sim_link *link, int from, const uint8_t *frame, size_t len,
                    const struct naru_frame_meta *meta, struct pbuf *given)
{
    struct naru_sim *sim = link->sim;
    struct sim_direction *d = &link->dir[from];
    const struct sim_end *to = &link->ends[1 - from];
    const struct naru_sim_link_config *c = &link->config;
    naru_time_t now = sim->now;
    struct sim_flight fl = { 0 };
    if (given) {
        flight_take(&fl, given, meta);
        sim->handed_on++;
    }
    d->stats.frames_sent++;
    d->stats.bytes_sent += len;
    if (len > (size_t)c->mtu + FRAME_OVERHEAD) {
        d->stats.dropped_too_big++;
        observe(link, from, NARU_SIM_FRAME_DROPPED, frame, len);
        flight_free(sim, &fl);
        return -EMSGSIZE;
    }
    bool partial = meta && (meta->flags & NARU_FRAME_CSUM_PARTIAL);
    if (!given && partial && (link->pcap || sim->observer || (link->impaired && c->corrupt > 0))) {
        /* Seen or corrupted as the wire carries it: completed first. */
        if (flight_copy(sim, to, &fl, frame, len, meta) < 0) {
            d->stats.dropped_queue++;
            return -ENOBUFS;
        }
        flight_complete(&fl);
        frame = flight_data(&fl);
        meta = NULL;
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
        flight_free(sim, &fl);
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
        flight_free(sim, &fl);
        return 0; /* lost on the wire: the sender cannot know */
    }
    struct sim_lane *lane = held ? &d->held : &d->lane;
    if ((!fl.frame && flight_copy(sim, to, &fl, frame, len, meta) < 0) || !lane_room(lane)) {
        flight_free(sim, &fl);
        d->stats.dropped_queue++;
        return -ENOBUFS;
    }
    fl.arrival = d->busy_until + c->delay;
    fl.seq = ++sim->order;
    if (held) {
        fl.arrival += c->reorder_delay;
        d->stats.reordered++;
        observe(link, from, NARU_SIM_FRAME_REORDERED, frame, len);
    }
    if (corrupt) {
        flight_data(&fl)[ETH_HEADER + bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        d->stats.corrupted++;
        observe(link, from, NARU_SIM_FRAME_CORRUPTED, flight_data(&fl), len);
    }
    /* Only a frame that heads its lane can be the direction's next. */
    bool new_head = lane->count == 0;
    lane_push(lane, &fl);
    struct naru_frame_meta m;
    struct sim_flight g = { .arrival = fl.arrival };
    if (twice && lane_room(lane) && flight_copy(sim, to, &g, flight_data(&fl), len, flight_meta(&fl, &m)) == 0) {
        g.seq = ++sim->order;
        lane_push(lane, &g);
        d->stats.duplicated++;
        observe(link, from, NARU_SIM_FRAME_DUPLICATED, frame, len);
    }
    if (new_head)
        update_key(sim, d);
    return 0;
}

int sim_link_transmit(struct naru_sim_link *link, int from, const uint8_t *frame, size_t len,
                      const struct naru_frame_meta *meta)
{
    return transmit(link, from, frame, len, meta, NULL);
}

/* Whether a frame of len bytes from end `from` can go on in the buffer
 * that holds it: one the link would have lent a copy in (to a stack, and
 * large enough), on a link that neither captures, shows nor impairs it
 * (those see or change the frame before it is in flight). */
static bool link_takes(const struct naru_sim_link *link, int from, size_t len)
{
    return link->ends[1 - from].node && len > SIM_LENT_MIN && !link->pcap && !link->sim->observer &&
           !link->impaired;
}

void sim_direction_deliver(struct naru_sim *sim, struct sim_direction *d)
{
    /* The lane's next slot, read when the key is set below (the run loop
     * asked for the frame and the direction: sim.c). */
    const struct sim_lane *l = &d->lane;
    if (l->count > 1)
        __builtin_prefetch(&l->ring[(l->head + 1) & (l->cap - 1)]);
    struct sim_lane *lane = next_lane(d);
    if (!lane)
        return;
    struct sim_flight fl = lane_pop(lane);
    update_key(sim, d);
    struct naru_sim_link *link = d->link;
    struct sim_end *to = &link->ends[1 - d->index];
    if (flight_partial(&fl) && (to->sw || sim->observer))
        flight_complete(&fl); /* a switch's next link, or an observer, sees it whole */
    uint8_t *data = flight_data(&fl);
    size_t len = flight_len(&fl);
    if (to->node || to->sw) {
        d->stats.frames_delivered++;
        d->stats.bytes_delivered += len;
        sim->packet_events++;
        observe(link, d->index, NARU_SIM_FRAME_DELIVERED, data, len);
    }
    if (flight_pb(&fl)) {
        /* Only a frame to a stack is lent, and ends stay put. */
        naru_stack_poll(to->node->stack, sim->now);
        iface_input_lent(to->node->stack, to->ifindex, flight_pb(&fl), &sim->lent);
        sim_node_mark(sim, to->node);
        return;
    }
    if (to->node) {
        naru_stack_poll(to->node->stack, sim->now);
        struct naru_frame_meta meta;
        naru_stack_input_offload(to->node->stack, to->ifindex, data, len, flight_meta(&fl, &meta));
        sim_node_mark(sim, to->node);
    } else if (to->sw) {
        sim_switch_input(to->sw, to, data, len);
    }
    sim_frame_free(sim, flight_f(&fl));
}
