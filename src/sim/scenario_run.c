/* Building a checked scenario into a simulation and running it. Each
 * stack is sized from the scenario: as many interfaces as it has links,
 * a routing table and neighbour cache as large as its routes and
 * neighbours, sockets for the applications that use it. The report is in
 * scenario_report.c and scenario_json.c. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: the build's CPU time, for the report */
#include "sim/scenario_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/scenario_net.h"
#include "sim/scenario_routing.h"

/* After the last application finishes, let connections finish closing. */
#define GRACE NARU_SEC
/* A host's neighbour cache beyond its gateways and peers: entries it may
 * meet on a big LAN are recycled, least recently used first. */
#define HOST_NEIGHBOURS_MIN 16

static int fail(char *error, size_t cap, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *error, size_t cap, int err, const char *fmt, ...)
{
    if (cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(error, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}

static uint32_t at_least(uint32_t v, uint32_t min)
{
    return v < min ? min : v;
}

/* A stack's config from what the scenario asks of it. */
static void node_config(const struct naru_scenario *sc, uint32_t i, long computed, struct naru_stack_config *c)
{
    const struct sc_node *n = &sc->nodes[i];
    naru_sim_stack_config_default(c);
    c->interfaces = at_least(n->interfaces, 1);
    /* Frame buffers must hold the largest frame of any of its links. */
    uint32_t need = n->max_mtu + 14 + 8 + 160;
    if (need > c->frame_buffer_size)
        c->frame_buffer_size = (need + 63) & ~63u;
    c->routes = at_least(n->iface_count + n->route_count + (uint32_t)computed, 4);
    /* SLAAC: prefixes and a default route learnt from advertisements. */
    if (n->autoconf)
        c->routes += 2 * n->interfaces;
    uint32_t neighbours = n->neighbours;
    if (n->kind == SC_HOST && neighbours > HOST_NEIGHBOURS_MIN + 2 * n->apps)
        neighbours = HOST_NEIGHBOURS_MIN + 2 * n->apps;
    c->arp_entries = at_least(neighbours, 4);
    /* A transfer is a listener and a connection at one end, a connection at
     * the other; a web server a connection for each download. */
    c->sockets = 8 + 2 * n->apps;
    c->tcp_connections = 16 + 2 * n->apps;
}

static int build_nodes(struct naru_scenario *sc, char *error, size_t cap)
{
    for (uint32_t i = 0; i < sc->node_count; i++) {
        struct sc_node *n = &sc->nodes[i];
        if (n->kind == SC_SWITCH) {
            n->sw = naru_sim_add_switch(sc->sim, n->name);
            if (!n->sw)
                return fail(error, cap, -ENOMEM, "%s: out of memory", sc->file);
            continue;
        }
        long computed = sc_routes_table(sc, i, NULL, NULL);
        struct naru_stack_config c;
        node_config(sc, i, computed, &c);
        n->stack = n->kind == SC_ROUTER ? naru_sim_add_router(sc->sim, n->name, &c)
                                        : naru_sim_add_stack(sc->sim, n->name, &c);
        if (!n->stack)
            return fail(error, cap, -ENOMEM, "%s:%d: cannot create '%s' (out of memory)", sc->file, n->line, n->name);
    }
    return 0;
}

static int build_links(struct naru_scenario *sc, const char *pcap_dir, char *error, size_t cap)
{
    for (uint32_t i = 0; i < sc->link_count; i++) {
        struct sc_link *l = &sc->links[i];
        struct naru_sim_link *link;
        int err = naru_sim_add_link(sc->sim, l->name, &l->config, &link);
        if (err == -ENOENT || err == -EACCES || err == -EROFS || err == -ENOTDIR || err == -EMFILE ||
            err == -ENFILE)
            return fail(error, cap, err, "cannot write %s/%s.pcap: %s", pcap_dir, l->name, strerror(-err));
        if (err < 0)
            return fail(error, cap, err, "%s:%d: cannot create link '%s': %s", sc->file, l->line, l->name,
                        strerror(-err));
        for (int e = 0; e < 2; e++) {
            struct sc_end *end = &l->end[e];
            struct sc_node *n = &sc->nodes[end->node];
            if (n->kind == SC_SWITCH) {
                err = naru_sim_link_attach_switch(link, e, n->sw);
            } else {
                char cidr[SC_END_ADDRS * (NARU_ADDR_STRLEN + 5)], a[NARU_ADDR_STRLEN];
                size_t used = 0;
                for (unsigned k = 0; k < end->addr_count; k++)
                    used += (size_t)snprintf(cidr + used, sizeof cidr - used, "%s%s/%u", k ? " " : "",
                                             naru_addr_format(&end->addr[k], a), end->prefix[k]);
                err = naru_sim_link_attach(link, e, n->stack, end->addr_count ? cidr : NULL, &end->ifindex);
                /* No address: up all the same, for SLAAC (the checker saw a
                 * router advertise on this link). */
                if (!err && !end->addr_count)
                    err = naru_if_up(n->stack, end->ifindex);
            }
            if (err < 0)
                return fail(error, cap, err, "%s:%d: cannot attach '%s': %s", sc->file, end->line, n->name,
                            strerror(-err));
        }
    }
    return 0;
}

struct route_build {
    struct naru_scenario *sc;
    uint32_t node;
};

/* The stack's interface an interface of the scenario became. */
static int ifindex_of(const struct naru_scenario *sc, uint32_t iface)
{
    const struct sc_iface *f = &sc->ifaces[iface];
    return sc->links[f->link].end[f->end].ifindex;
}

static int add_computed(void *ctx, const struct naru_addr *dst, uint8_t prefix, uint32_t gateway_iface)
{
    struct route_build *b = ctx;
    const struct sc_iface *gw = &b->sc->ifaces[gateway_iface];
    uint32_t out = sc_node_iface_towards(b->sc, b->node, gateway_iface);
    if (out == SC_NONE)
        return -ENETUNREACH;
    return naru_route_add(b->sc->nodes[b->node].stack, dst, prefix, &gw->addr, ifindex_of(b->sc, out));
}

static int build_routes(struct naru_scenario *sc, char *error, size_t cap)
{
    for (uint32_t i = 0; i < sc->node_count; i++) {
        struct sc_node *n = &sc->nodes[i];
        if (n->kind == SC_SWITCH)
            continue;
        for (uint32_t r = 0; r < n->route_count; r++) {
            const struct sc_route *rt = &n->routes[r];
            int err = naru_route_add(n->stack, &rt->dst, rt->prefix, &rt->gateway, ifindex_of(sc, rt->out_iface));
            if (err < 0)
                return fail(error, cap, err, "%s:%d: cannot add this route to '%s': %s", sc->file, rt->line, n->name,
                            strerror(-err));
        }
        struct route_build b = { sc, i };
        if (sc_routes_table(sc, i, add_computed, &b) < 0) {
            int line = n->routing_line ? n->routing_line : sc->routing_line;
            return fail(error, cap, -ENOSPC, "%s:%d: cannot add the shortest-path routes to '%s'", sc->file,
                        line ? line : n->line, n->name);
        }
    }
    return 0;
}

/* A router's advertise lines: router advertisements (RFC 4861 6.2, the
 * RFC's default intervals and lifetimes) on each interface with an IPv6
 * network they name, that prefix in them; a /64 with the autonomous flag,
 * so hosts form addresses from it (RFC 4862 5.5.3). */
static int build_adverts(struct naru_scenario *sc, char *error, size_t cap)
{
    struct naru_router_advert ra;
    naru_router_advert_default(&ra);
    for (uint32_t i = 0; i < sc->node_count; i++) {
        const struct sc_node *n = &sc->nodes[i];
        for (unsigned k = 0; k < n->advert_count; k++) {
            const struct sc_advert *ad = &n->adverts[k];
            for (uint32_t j = 0; j < n->iface_count; j++) {
                uint32_t f = sc->ifaces_by_node[n->first_iface + j];
                const struct sc_network *net = &sc->networks[sc->ifaces[f].network];
                if (sc->ifaces[f].addr.family != NARU_AF_INET6 ||
                    (!ad->all && (net->prefix != ad->len || !naru_addr_equal(&net->prefix_addr, &ad->prefix))))
                    continue;
                struct naru_ra_prefix p = { .prefix = net->prefix_addr, .len = net->prefix, .on_link = true,
                                            .autonomous = net->prefix == 64, .valid_s = 2592000,
                                            .preferred_s = 604800 };
                int ifindex = ifindex_of(sc, f);
                int err = naru_if_set_router_advert(n->stack, ifindex, &ra);
                if (!err)
                    err = naru_if_advertise_prefix(n->stack, ifindex, &p);
                if (err < 0)
                    return fail(error, cap, err, "%s:%d: '%s' cannot advertise %s/%u%s", sc->file, ad->line,
                                n->name, naru_addr_format(&p.prefix, (char[NARU_ADDR_STRLEN]){ 0 }), p.len,
                                err == -ENOSPC ? ": more than 4 prefixes on one link" : "");
            }
        }
    }
    return 0;
}

/* The first address of node `to` of the family (0: of any), or UNSPEC. */
static struct naru_addr node_addr(const struct naru_scenario *sc, uint32_t to, int family)
{
    const struct sc_node *t = &sc->nodes[to];
    for (uint32_t k = 0; k < t->iface_count; k++) {
        const struct sc_iface *f = &sc->ifaces[sc->ifaces_by_node[t->first_iface + k]];
        if (!family || f->addr.family == family)
            return f->addr;
    }
    return (struct naru_addr){ .family = NARU_AF_UNSPEC };
}

static int build_apps(struct naru_scenario *sc, char *error, size_t cap)
{
    for (uint32_t i = 0; i < sc->app_count; i++) {
        struct sc_app *a = &sc->apps[i];
        struct naru_sim_app_config c = a->config;
        c.name = a->name;
        c.from = sc->nodes[sc_find_node(sc, a->from)].stack;
        if (c.kind == NARU_SIM_DNS_SERVER) {
            c.origin = a->origin;
            c.zone_path = a->zone_path;
        } else if (c.kind == NARU_SIM_DNS_LOOKUP) {
            c.query = a->query;
        }
        uint32_t to = sc_find_node(sc, a->to);
        if (c.kind == NARU_SIM_DNS_SERVER) {
            /* no far end */
        } else if (to != SC_NONE) {
            const struct sc_node *t = &sc->nodes[to];
            c.to = t->stack;
            /* Its address as a static host table would give it; one SLAAC
             * forms is known only once the application starts. */
            c.dst = node_addr(sc, to, a->family);
            if (!c.dst.family)
                c.family = NARU_AF_INET6;
            c.host = a->to; /* the static host table: node names */
        } else if (naru_addr_parse(a->to, &c.dst) < 0) {
            c.dst.family = NARU_AF_UNSPEC;
        }
        int err = naru_sim_app_add(sc->sim_apps, &c, &a->app);
        if (err < 0)
            return fail(error, cap, err, "%s:%d: cannot set '%s' up: %s", sc->file, a->line, a->name, strerror(-err));
    }
    return 0;
}

struct run_state {
    struct naru_scenario *sc;
    const volatile sig_atomic_t *interrupt;
    uint64_t pcap_limit;
};

/* Must the run stop short: a signal, or captures at their limit? */
static bool interrupted(void *ctx)
{
    struct run_state *r = ctx;
    if (r->interrupt && *r->interrupt)
        r->sc->interrupted = true;
    if (r->pcap_limit && naru_sim_capture_bytes(r->sc->sim) >= r->pcap_limit)
        r->sc->capture_full = true;
    return r->sc->interrupted || r->sc->capture_full;
}

static bool run_done(void *ctx)
{
    struct run_state *r = ctx;
    return interrupted(r) || naru_sim_apps_finished(r->sc->sim_apps);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int naru_scenario_run(struct naru_scenario *sc, const struct naru_scenario_options *o, char *error, size_t cap)
{
    struct naru_scenario_options none = { 0 };
    if (!o)
        o = &none;
    if (cap)
        error[0] = '\0';
    if (sc->ran)
        return fail(error, cap, -EALREADY, "%s: a scenario runs once", sc->file);
    sc->ran = true;
    sc->run_seed = o->seed_set ? o->seed : sc->seed;
    if (o->time_limit)
        sc->time_limit = o->time_limit;
    double t0 = cpu_now();
    int err = naru_sim_create(sc->run_seed, &sc->sim);
    if (!err)
        err = naru_sim_apps_create(sc->sim, &sc->sim_apps);
    if (err < 0)
        return fail(error, cap, err, "out of memory");
    if (o->log)
        naru_sim_set_log(sc->sim, o->log, o->log_ctx, o->log_level);
    if (o->pcap_dir && (err = naru_sim_capture(sc->sim, o->pcap_dir)) < 0)
        return fail(error, cap, err, "cannot capture to %s: %s", o->pcap_dir, strerror(-err));
    if (o->on_sim && (err = o->on_sim(o->on_sim_ctx, sc->sim)) < 0)
        return fail(error, cap, err, "cannot watch the simulation: %s", strerror(-err));
    if ((err = build_nodes(sc, error, cap)) < 0 || (err = build_links(sc, o->pcap_dir, error, cap)) < 0 ||
        (err = build_routes(sc, error, cap)) < 0 || (err = build_adverts(sc, error, cap)) < 0 ||
        (err = build_apps(sc, error, cap)) < 0)
        return err;
    sc->build_seconds = cpu_now() - t0;
    struct run_state rs = { sc, o->interrupt, o->pcap_dir ? o->pcap_limit : 0 };
    bool finished = naru_sim_run(sc->sim, sc->time_limit, run_done, &rs) && !sc->interrupted && !sc->capture_full;
    sc->stalled = naru_sim_stalled(sc->sim);
    sc->timed_out = !finished && !sc->stalled && !sc->interrupted && !sc->capture_full;
    if (finished) {
        naru_time_t end = naru_sim_now(sc->sim) + GRACE;
        naru_sim_run(sc->sim, end < sc->time_limit ? end : sc->time_limit, interrupted, &rs);
    }
    /* Memory per node is the figure of a world's scale: the process's
     * peak, which the simulation is nearly all of. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0)
        sc->peak_rss_kib = (uint64_t)ru.ru_maxrss; /* KiB on Linux */
    if (o->pcap_dir && (err = naru_sim_capture_close(sc->sim)) < 0)
        return fail(error, cap, err, "writing the captures in %s failed: %s", o->pcap_dir, strerror(-err));
    return 0;
}

unsigned naru_scenario_link_count(const struct naru_scenario *sc)
{
    return sc->link_count;
}

uint64_t naru_scenario_capture_bound(const struct naru_scenario *sc, naru_time_t time_limit)
{
    double seconds = (double)(time_limit ? time_limit : sc->time_limit) / 1e9, bytes = 0;
    for (uint32_t i = 0; i < sc->link_count; i++) {
        const struct naru_sim_link_config *c = &sc->links[i].config;
        if (!c->rate_bps)
            return UINT64_MAX;
        /* Both ways; a record's 16-byte header on each full-sized frame. */
        bytes += 2 * (double)c->rate_bps / 8 * seconds * (1 + 16.0 / (c->mtu ? c->mtu + 14 : 1514));
    }
    return bytes >= 1.8e19 ? UINT64_MAX : (uint64_t)bytes;
}

void naru_scenario_outcome(const struct naru_scenario *sc, struct naru_scenario_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->timed_out = sc->timed_out;
    out->stalled = sc->stalled;
    out->interrupted = sc->interrupted;
    out->capture_full = sc->capture_full;
    out->time_limit = sc->time_limit;
    out->apps = sc->app_count;
    out->seed = sc->ran ? sc->run_seed : sc->seed;
    out->nodes = sc->node_count;
    out->peak_rss_kib = sc->peak_rss_kib;
    for (uint32_t i = 0; i < sc->app_count; i++) {
        struct naru_sim_app_result r;
        if (!sc->apps[i].app)
            continue;
        naru_sim_app_get_result(sc->apps[i].app, &r);
        out->apps_ok += r.ok;
    }
}
