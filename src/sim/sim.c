/* The simulation engine: a virtual clock and one event queue.
 *
 * The queue holds event sources, not events: every stack is in it once,
 * keyed by its next timer, and every link direction once, keyed by its next
 * frame to arrive; timers set with naru_sim_at() sit in a heap of their own
 * beside it. So one step costs O(log n) however many stacks there are, where polling
 * every stack for its deadline would cost O(n).
 *
 * A stack's next deadline can change whenever code acts on it. The engine
 * looks at it again after each event the stack took part in: a frame it
 * received, a timer it ran, a frame it sent, a timer set for it
 * (naru_sim_at_stack), or an explicit naru_sim_touch(). */
#include "sim/sim_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"

/* Events at one instant beyond this mean something loops without time
 * passing (a stack re-arming a timer for now, forever): stop the run. */
#define STALL_LIMIT 50000000u

static uint64_t mix(uint64_t seed, uint64_t salt)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull * (salt + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t naru_sim_derive_seed(const struct naru_sim *sim, uint64_t salt)
{
    return mix(sim->seed, salt);
}

int naru_sim_create(uint64_t seed, struct naru_sim **out)
{
    struct naru_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return -ENOMEM;
    sim->seed = seed;
    sim->log_level = NARU_LOG_INFO;
    pbuf_lender_init(&sim->lent, SIM_LENT_SIZE);
    *out = sim;
    return 0;
}

void naru_sim_destroy(struct naru_sim *sim)
{
    if (!sim)
        return;
    /* The stacks first, while the links they may still send on exist. */
    for (unsigned i = 0; i < sim->node_count; i++) {
        naru_stack_destroy(sim->nodes[i]->stack);
        sim->nodes[i]->stack = NULL;
    }
    naru_sim_capture_close(sim);
    for (unsigned i = 0; i < sim->link_count; i++)
        sim_link_destroy(sim->links[i]);
    for (unsigned i = 0; i < sim->switch_count; i++)
        sim_switch_destroy(sim->switches[i]);
    for (unsigned i = 0; i < sim->node_count; i++)
        free(sim->nodes[i]);
    sim_frames_fini(sim);
    /* Last: the stacks may have held lent buffers, and the links still did. */
    pbuf_lender_fini(&sim->lent);
    free(sim->links);
    free(sim->switches);
    free(sim->nodes);
    free(sim->node_map);
    sim_queue_free(&sim->queue);
    free(sim->sources);
    free(sim->timers);
    free(sim->capture_dir);
    sim_index_free(&sim->stack_names);
    sim_index_free(&sim->link_names);
    free(sim);
}

naru_time_t naru_sim_now(const struct naru_sim *sim)
{
    return sim->now;
}

uint64_t naru_sim_seed(const struct naru_sim *sim)
{
    return sim->seed;
}

uint64_t naru_sim_events(const struct naru_sim *sim)
{
    return sim->events;
}

uint64_t naru_sim_packet_events(const struct naru_sim *sim)
{
    return sim->packet_events;
}

uint64_t naru_sim_capture_bytes(const struct naru_sim *sim)
{
    return sim->capture_bytes;
}

uint64_t naru_sim_transmissions(const struct naru_sim *sim)
{
    return sim->transmissions;
}

/* ---- names ---- */

struct name_query {
    const struct naru_sim *sim;
    const char *name;
};

static uint64_t name_hash(const char *name)
{
    return sim_hash_bytes(name, strlen(name), 0);
}

static bool same_stack(const void *ctx, uint32_t e)
{
    const struct name_query *q = ctx;
    return !strcmp(q->sim->nodes[e]->name, q->name);
}

static bool same_link(const void *ctx, uint32_t e)
{
    const struct name_query *q = ctx;
    return !strcmp(q->sim->links[e]->name, q->name);
}

static uint64_t rehash_stack(const void *ctx, uint32_t e)
{
    return name_hash(((const struct naru_sim *)ctx)->nodes[e]->name);
}

static uint64_t rehash_link(const void *ctx, uint32_t e)
{
    return name_hash(((const struct naru_sim *)ctx)->links[e]->name);
}

int sim_name_link(struct naru_sim *sim, unsigned index)
{
    return sim_index_add(&sim->link_names, name_hash(sim->links[index]->name), index, rehash_link, sim);
}

/* ---- the event queue (event_queue.c) ---- */

/* Queue `s` at (when, order), move it, or take it out (when == NEVER). */
static void source_update(struct naru_sim *sim, struct sim_source *s, naru_time_t when, uint64_t order)
{
    s->when = when;
    if (when == NARU_NEVER)
        sim_queue_remove(&sim->queue, s->id);
    else
        sim_queue_set(&sim->queue, s->id, (struct sim_queue_key){ when, order });
}

void sim_source_set(struct naru_sim *sim, struct sim_source *s, naru_time_t when)
{
    /* Frame sources carry their own order (the head frame's sequence);
     * this is for the others. */
    if (s->when == when && when != NARU_NEVER) /* queued, and staying put */
        return;
    source_update(sim, s, when, ++sim->order);
}

void sim_direction_key(struct naru_sim *sim, struct sim_direction *d, naru_time_t when, uint64_t order,
                       const void *frame)
{
    sim_queue_set_hint(&sim->queue, d->source.id, frame);
    source_update(sim, &d->source, when, order);
}

/* In a big world the next event's source, and the frame a link delivers,
 * were last touched a path delay ago: no cache holds them, and a delivery
 * waited for one miss, then the next. Asked for one event ahead, they
 * arrive while this event runs. Two lines of the source; four of a frame
 * (a pool buffer's descriptor, headroom and headers: pbuf.c). */
static void prefetch_after(const struct naru_sim *sim, uint32_t top_id)
{
    uint32_t next = sim_queue_after(&sim->queue, top_id);
    if (next == SIM_QUEUE_NONE)
        return;
    const char *source = (const char *)sim->sources[next];
    __builtin_prefetch(source);
    __builtin_prefetch(source + 64);
    const char *frame = sim_queue_hint(&sim->queue, next);
    if (frame) {
        __builtin_prefetch(frame);
        __builtin_prefetch(frame + 64);
        __builtin_prefetch(frame + 128);
        __builtin_prefetch(frame + 192);
    }
}

/* Room for every source there can be, so queueing one never allocates
 * (and never fails) in the middle of a run. Called before a node or link
 * is added, with how many sources it brings. */
int sim_heap_reserve(struct naru_sim *sim, unsigned more)
{
    unsigned need = sim->node_count + 2 * sim->link_count + more;
    if (need <= sim->queue.cap)
        return 0;
    unsigned cap = sim->queue.cap ? sim->queue.cap : 8;
    while (cap < need)
        cap *= 2;
    void *p = realloc(sim->sources, cap * sizeof *sim->sources);
    if (!p)
        return -ENOMEM;
    sim->sources = p;
    return sim_queue_reserve(&sim->queue, cap);
}

void sim_source_register(struct naru_sim *sim, struct sim_source *s, uint8_t kind)
{
    s->kind = kind;
    s->when = NARU_NEVER;
    s->id = sim->source_count++;
    sim->sources[s->id] = s;
}

/* ---- nodes ---- */

static size_t node_hash(const struct naru_stack *stack, unsigned cap)
{
    return (size_t)(((uintptr_t)stack >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

struct sim_node *sim_node_of(const struct naru_sim *sim, const struct naru_stack *stack)
{
    if (!sim->node_map_cap || !stack)
        return NULL;
    for (size_t i = node_hash(stack, sim->node_map_cap);; i = (i + 1) & (sim->node_map_cap - 1)) {
        struct sim_node *n = sim->node_map[i];
        if (!n)
            return NULL;
        if (n->stack == stack)
            return n;
    }
}

static int node_map_insert(struct naru_sim *sim, struct sim_node *node)
{
    if (2 * (sim->node_count + 1) > sim->node_map_cap) {
        unsigned cap = sim->node_map_cap ? sim->node_map_cap * 2 : 16;
        struct sim_node **map = calloc(cap, sizeof *map);
        if (!map)
            return -ENOMEM;
        struct sim_node **old = sim->node_map;
        unsigned old_cap = sim->node_map_cap;
        sim->node_map = map;
        sim->node_map_cap = cap;
        for (unsigned i = 0; i < old_cap; i++)
            if (old[i])
                node_map_insert(sim, old[i]);
        free(old);
    }
    size_t i = node_hash(node->stack, sim->node_map_cap);
    while (sim->node_map[i])
        i = (i + 1) & (sim->node_map_cap - 1);
    sim->node_map[i] = node;
    return 0;
}

void sim_node_mark(struct naru_sim *sim, struct sim_node *node)
{
    if (node && !node->dirty) {
        node->dirty = true;
        node->dirty_next = sim->dirty;
        sim->dirty = node;
    }
}

static void node_refresh(struct naru_sim *sim, struct sim_node *node)
{
    sim_source_set(sim, &node->source, naru_stack_next_deadline(node->stack));
}

static void process_dirty(struct naru_sim *sim)
{
    while (sim->dirty) {
        struct sim_node *n = sim->dirty;
        sim->dirty = n->dirty_next;
        n->dirty = false;
        node_refresh(sim, n);
    }
}

/* Bring every stack to now and look at every deadline again: for code
 * that may have acted on any stack. */
static void sync_all(struct naru_sim *sim)
{
    for (unsigned i = 0; i < sim->node_count; i++)
        naru_stack_poll(sim->nodes[i]->stack, sim->now);
    for (unsigned i = 0; i < sim->node_count; i++)
        node_refresh(sim, sim->nodes[i]);
}

static void node_log(void *ctx, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                     const char *message)
{
    struct sim_node *node = ctx;
    struct naru_sim *sim = node->sim;
    if (sim->log)
        sim->log(sim->log_ctx, node->name, now, level, layer, message);
}

void naru_sim_set_log(struct naru_sim *sim, naru_sim_log_fn fn, void *ctx, enum naru_log_level level)
{
    sim->log = fn;
    sim->log_ctx = ctx;
    sim->log_level = level;
}

void naru_sim_stack_config_default(struct naru_stack_config *c)
{
    naru_stack_config_default(c);
    c->frame_buffers = 128;
    c->large_buffers = 4;
    c->sockets = 16;
    c->tcp_connections = 64;
    c->arp_entries = 16;
    c->routes = 16;
}

struct naru_stack *naru_sim_add_stack(struct naru_sim *sim, const char *name,
                                      const struct naru_stack_config *config)
{
    if (sim_grow((void **)&sim->nodes, &sim->node_cap, sim->node_count, sizeof *sim->nodes) < 0 ||
        sim_heap_reserve(sim, 1) < 0)
        return NULL;
    struct sim_node *node = calloc(1, sizeof *node);
    if (!node)
        return NULL;
    node->sim = sim;
    node->index = sim->node_count;
    snprintf(node->name, sizeof node->name, "%s", name ? name : "node");
    struct naru_stack_config c;
    if (config)
        c = *config;
    else
        naru_stack_config_default(&c);
    c.seed = mix(sim->seed, sim->node_count);
    if (!c.log && sim->log) {
        c.log = node_log;
        c.log_ctx = node;
        c.log_level = sim->log_level;
    }
    if (naru_stack_create(&c, &node->stack) < 0) {
        free(node);
        return NULL;
    }
    sim->nodes[sim->node_count] = node;
    /* The first of a name keeps it: naru_sim_find_stack() finds that one. */
    if (node_map_insert(sim, node) < 0 ||
        (!naru_sim_find_stack(sim, node->name) &&
         sim_index_add(&sim->stack_names, name_hash(node->name), sim->node_count, rehash_stack, sim) < 0)) {
        naru_stack_destroy(node->stack);
        free(node);
        return NULL;
    }
    sim->node_count++;
    sim_source_register(sim, &node->source, SOURCE_NODE);
    naru_stack_poll(node->stack, sim->now);
    node_refresh(sim, node);
    return node->stack;
}

struct naru_stack *naru_sim_add_router(struct naru_sim *sim, const char *name,
                                       const struct naru_stack_config *config)
{
    struct naru_stack *s = naru_sim_add_stack(sim, name, config);
    if (s)
        naru_stack_set_forwarding(s, true);
    return s;
}

const char *naru_sim_stack_name(const struct naru_sim *sim, const struct naru_stack *stack)
{
    struct sim_node *n = sim_node_of(sim, stack);
    return n ? n->name : "?";
}

struct naru_stack *naru_sim_find_stack(const struct naru_sim *sim, const char *name)
{
    struct name_query q = { sim, name };
    uint32_t n = sim_index_find(&sim->stack_names, name_hash(name), same_stack, &q);
    return n == SIM_INDEX_NONE ? NULL : sim->nodes[n]->stack;
}

unsigned naru_sim_stack_count(const struct naru_sim *sim)
{
    return sim->node_count;
}

struct naru_stack *naru_sim_stack_at(const struct naru_sim *sim, unsigned index)
{
    return index < sim->node_count ? sim->nodes[index]->stack : NULL;
}

void naru_sim_touch(struct naru_sim *sim, struct naru_stack *stack)
{
    struct sim_node *n = sim_node_of(sim, stack);
    if (!n)
        return;
    naru_stack_poll(stack, sim->now);
    sim_node_mark(sim, n);
}

/* ---- links by the simple call ---- */

int naru_sim_connect(struct naru_sim *sim, struct naru_stack *a, const char *a_cidr,
                     struct naru_stack *b, const char *b_cidr,
                     const struct naru_memlink_config *link_config, int *a_ifindex, int *b_ifindex)
{
    struct naru_sim_link_config c = { 0 };
    if (link_config) {
        c.delay = link_config->delay;
        c.rate_bps = link_config->rate_bps;
        c.loss = link_config->loss;
        c.queue_frames = link_config->queue_limit;
    }
    /* Named after its ends, as people would: "client-r1", "client-r1-2". */
    char name[SIM_NAME_MAX], base[SIM_NAME_MAX];
    snprintf(base, sizeof base, "%.15s-%.15s", naru_sim_stack_name(sim, a), naru_sim_stack_name(sim, b));
    snprintf(name, sizeof name, "%s", base);
    for (unsigned n = 2; naru_sim_find_link(sim, name); n++)
        snprintf(name, sizeof name, "%.26s-%u", base, n);
    struct naru_sim_link *link;
    int err = naru_sim_add_link(sim, name, &c, &link);
    if (!err)
        err = naru_sim_link_attach(link, 0, a, a_cidr, a_ifindex);
    if (!err)
        err = naru_sim_link_attach(link, 1, b, b_cidr, b_ifindex);
    return err;
}

struct naru_sim_link *naru_sim_link(struct naru_sim *sim, unsigned n)
{
    return n < sim->link_count ? sim->links[n] : NULL;
}

unsigned naru_sim_link_count(const struct naru_sim *sim)
{
    return sim->link_count;
}

struct naru_sim_link *naru_sim_find_link(const struct naru_sim *sim, const char *name)
{
    struct name_query q = { sim, name };
    uint32_t n = sim_index_find(&sim->link_names, name_hash(name), same_link, &q);
    return n == SIM_INDEX_NONE ? NULL : sim->links[n];
}

void naru_sim_set_observer(struct naru_sim *sim, naru_sim_observer_fn fn, void *ctx)
{
    sim->observer = fn;
    sim->observer_ctx = ctx;
}

int naru_sim_capture(struct naru_sim *sim, const char *dir)
{
    char *copy = malloc(strlen(dir) + 1);
    if (!copy)
        return -ENOMEM;
    strcpy(copy, dir);
    free(sim->capture_dir);
    sim->capture_dir = copy;
    for (unsigned i = 0; i < sim->link_count; i++) {
        int err = sim_link_open_capture(sim->links[i], dir);
        if (err < 0)
            return err;
    }
    return 0;
}

int naru_sim_capture_close(struct naru_sim *sim)
{
    int first = 0;
    for (unsigned i = 0; i < sim->link_count; i++) {
        struct naru_sim_link *l = sim->links[i];
        if (l->pcap) {
            int err = naru_pcap_close(l->pcap);
            l->pcap = NULL;
            if (err < 0 && !first)
                first = err;
        }
    }
    free(sim->capture_dir);
    sim->capture_dir = NULL;
    return first;
}

/* ---- timers ---- */

static bool timer_before(const struct sim_timer *a, const struct sim_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static int timer_add(struct naru_sim *sim, struct sim_node *node, naru_time_t when, void (*fn)(void *ctx),
                     void *ctx)
{
    if (!fn)
        return -EINVAL;
    if (sim_grow((void **)&sim->timers, &sim->timer_cap, sim->timer_count, sizeof *sim->timers) < 0)
        return -ENOMEM;
    struct sim_timer t = { when < sim->now ? sim->now : when, ++sim->order, fn, ctx, node };
    unsigned i = sim->timer_count++;
    while (i > 0 && timer_before(&t, &sim->timers[(i - 1) / 2])) {
        sim->timers[i] = sim->timers[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sim->timers[i] = t;
    return 0;
}

int naru_sim_at(struct naru_sim *sim, naru_time_t when, void (*fn)(void *ctx), void *ctx)
{
    return timer_add(sim, NULL, when, fn, ctx);
}

int naru_sim_at_stack(struct naru_sim *sim, struct naru_stack *stack, naru_time_t when,
                      void (*fn)(void *ctx), void *ctx)
{
    struct sim_node *node = sim_node_of(sim, stack);
    if (!node)
        return -EINVAL;
    return timer_add(sim, node, when, fn, ctx);
}

static struct sim_timer pop_timer(struct naru_sim *sim)
{
    struct sim_timer top = sim->timers[0];
    struct sim_timer last = sim->timers[--sim->timer_count];
    unsigned i = 0, n = sim->timer_count;
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && timer_before(&sim->timers[c + 1], &sim->timers[c]))
            c++;
        if (!timer_before(&sim->timers[c], &last))
            break;
        sim->timers[i] = sim->timers[c];
        i = c;
    }
    if (n)
        sim->timers[i] = last;
    return top;
}

static void run_timer(struct naru_sim *sim)
{
    struct sim_timer t = pop_timer(sim);
    if (t.node) {
        naru_stack_poll(t.node->stack, sim->now);
        t.fn(t.ctx);
        sim_node_mark(sim, t.node);
    } else {
        sync_all(sim);
        t.fn(t.ctx);
        sync_all(sim);
    }
}

/* ---- the loop ---- */

bool naru_sim_stalled(const struct naru_sim *sim)
{
    return sim->stalled;
}

bool naru_sim_run(struct naru_sim *sim, naru_time_t until, bool (*done)(void *ctx), void *ctx)
{
    /* Code outside the run may have acted on any stack. */
    sync_all(sim);
    bool finished = done && done(ctx);
    naru_time_t instant = sim->now;
    uint64_t at_instant = 0;
    sim->stalled = false;
    while (!finished) {
        const struct sim_timer *t = sim->timer_count ? &sim->timers[0] : NULL;
        /* No further than a timer due first or the run's end: what they
         * do sets keys from then on, which the queue must still take. */
        uint32_t top_id = sim->queue.count ? sim_queue_top_by(&sim->queue, t && t->when < until ? t->when : until)
                                           : SIM_QUEUE_NONE;
        const struct sim_queue_key *top = top_id != SIM_QUEUE_NONE ? sim_queue_key_of(&sim->queue, top_id) : NULL;
        bool take_timer = t && (!top || t->when < top->when || (t->when == top->when && t->order < top->order));
        naru_time_t when = take_timer ? t->when : top ? top->when : NARU_NEVER;
        if (when == NARU_NEVER || when > until)
            break;
        if (when > sim->now)
            sim->now = when;
        if (sim->now != instant) {
            instant = sim->now;
            at_instant = 0;
        } else if (++at_instant > STALL_LIMIT) {
            sim->stalled = true;
            break;
        }
        sim->events++;
        if (take_timer) {
            run_timer(sim);
        } else {
            prefetch_after(sim, top_id);
            struct sim_source *source = sim->sources[top_id];
            if (source->kind == SOURCE_NODE) {
                struct sim_node *node = container_of(source, struct sim_node, source);
                naru_stack_poll(node->stack, sim->now);
                sim_node_mark(sim, node);
            } else {
                sim_direction_deliver(sim, container_of(source, struct sim_direction, source));
            }
        }
        process_dirty(sim);
        if (done && done(ctx))
            finished = true;
    }
    if (!finished && !sim->stalled && until != NARU_NEVER && until > sim->now)
        sim->now = until;
    /* Leave every stack at the current time, for code acting between runs. */
    sync_all(sim);
    return finished;
}
