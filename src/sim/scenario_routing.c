/* Shortest-path routes (scenario_routing.h): Dijkstra's algorithm from
 * each node that computes, over a graph of its nodes and switches joined
 * by links weighted by their delay. Hosts end paths but do not carry them
 * on (they do not forward); switches carry them on at layer 2, so the
 * first hop is the first router met. A node's route to a network goes to
 * the nearest router on it.
 *
 * A host whose only way out is one router needs no search: its routes all
 * go there, and a default route says so. */
#include "sim/scenario_routing.h"

#include <stdlib.h>
#include <string.h>

#include "sim/scenario_net.h"

/* first[] of a switch reached from the source without a router between. */
#define ONLINK (SC_NONE - 1)

struct sc_routes {
    uint32_t node_count;
    uint32_t **first_hop;      /* [node]: [network] the gateway's interface, or NULL */
    uint32_t *default_gw;      /* [node * 2 + family]: the one way out, or SC_NONE */
    bool *covered;             /* [network]: inside a shorter prefix of the scenario */
    uint32_t *covered_list;    /* the covered networks */
    uint32_t covered_count;
    uint32_t *counts;          /* scratch for sc_routes_table(): routes per gateway */
    uint32_t *touched;
};

/* The search's state, reused from one source to the next. */
struct search {
    const struct naru_scenario *sc;
    int family;
    uint32_t *adj_start, *adj;     /* per node: link * 2 + end of its links */
    uint32_t *link_iface;          /* (link * 2 + end) * 2 + family: that end's first interface of
                                    * the family, or SC_NONE */
    uint8_t *carries;              /* link: bit 0 IPv4, bit 1 IPv6, when both its ends carry it */
    uint8_t *own;                  /* network: the source is on it */
    uint64_t *dist;
    uint32_t *hops, *first, *stamp, gen;
    struct heap_item { uint64_t dist; uint32_t hops, node; } *heap;
    uint32_t heap_count, heap_cap;
};

static int fam_index(int family)
{
    return family == NARU_AF_INET6;
}

static bool is_l3(const struct naru_scenario *sc, uint32_t n)
{
    return sc->nodes[n].kind != SC_SWITCH;
}

static bool item_before(const struct heap_item *a, const struct heap_item *b)
{
    if (a->dist != b->dist)
        return a->dist < b->dist;
    if (a->hops != b->hops)
        return a->hops < b->hops;
    return a->node < b->node;
}

static bool heap_push(struct search *s, struct heap_item it)
{
    if (s->heap_count == s->heap_cap) {
        uint32_t cap = s->heap_cap ? s->heap_cap * 2 : 1024;
        void *p = realloc(s->heap, cap * sizeof *s->heap);
        if (!p)
            return false;
        s->heap = p;
        s->heap_cap = cap;
    }
    uint32_t i = s->heap_count++;
    while (i > 0 && item_before(&it, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = it;
    return true;
}

static struct heap_item heap_pop(struct search *s)
{
    struct heap_item top = s->heap[0], last = s->heap[--s->heap_count];
    uint32_t i = 0, n = s->heap_count;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && item_before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!item_before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

/* Whether end e of link l can carry the family: a switch port, or an
 * address of that family. */
static bool end_carries(const struct search *s, uint32_t l, int e, int family)
{
    uint32_t node = s->sc->links[l].end[e].node;
    if (!is_l3(s->sc, node))
        return true;
    return s->link_iface[2 * (2 * l + (uint32_t)e) + (uint32_t)fam_index(family)] != SC_NONE;
}

static bool search_from(struct search *s, uint32_t src)
{
    const struct naru_scenario *sc = s->sc;
    s->gen++;
    s->heap_count = 0;
    s->dist[src] = 0;
    s->hops[src] = 0;
    s->first[src] = SC_NONE;
    s->stamp[src] = s->gen;
    if (!heap_push(s, (struct heap_item){ 0, 0, src }))
        return false;
    while (s->heap_count) {
        struct heap_item it = heap_pop(s);
        uint32_t v = it.node;
        if (it.dist != s->dist[v] || it.hops != s->hops[v])
            continue; /* a stale entry: v was reached more cheaply since */
        if (v != src && sc->nodes[v].kind == SC_HOST)
            continue; /* a host does not forward */
        for (uint32_t k = s->adj_start[v]; k < s->adj_start[v + 1]; k++) {
            uint32_t l = s->adj[k] / 2;
            int e = (int)(s->adj[k] % 2);
            if (!(s->carries[l] & (1u << fam_index(s->family))))
                continue;
            uint32_t w = sc->links[l].end[1 - e].node;
            uint64_t d = it.dist + sc->links[l].config.delay;
            uint32_t h = it.hops + is_l3(sc, w);
            if (s->stamp[w] == s->gen && (d > s->dist[w] || (d == s->dist[w] && h >= s->hops[w])))
                continue;
            s->stamp[w] = s->gen;
            s->dist[w] = d;
            s->hops[w] = h;
            uint32_t far_end = 2 * (2 * l + (uint32_t)(1 - e)) + (uint32_t)fam_index(s->family);
            if (v == src || s->first[v] == ONLINK)
                s->first[w] = is_l3(sc, w) ? s->link_iface[far_end] : ONLINK;
            else
                s->first[w] = s->first[v];
            if (!heap_push(s, (struct heap_item){ d, h, w }))
                return false;
        }
    }
    return true;
}

/* After a search from src: its first hop towards every network of the
 * family it is not on, through the nearest router on that network. */
static void first_hops(const struct search *s, uint32_t src, uint32_t *fh)
{
    const struct naru_scenario *sc = s->sc;
    const struct sc_node *node = &sc->nodes[src];
    for (uint32_t k = 0; k < node->iface_count; k++)
        s->own[sc->ifaces[sc->ifaces_by_node[node->first_iface + k]].network] = 1;
    for (uint32_t n = 0; n < sc->network_count; n++) {
        const struct sc_network *net = &sc->networks[n];
        if (net->prefix_addr.family != s->family || s->own[n])
            continue;
        uint32_t best = SC_NONE;
        for (uint32_t k = 0; k < net->iface_count; k++) {
            uint32_t r = sc->ifaces[sc->net_ifaces[net->first_iface + k]].node;
            if (sc->nodes[r].kind != SC_ROUTER || s->stamp[r] != s->gen || s->first[r] >= ONLINK)
                continue;
            if (best == SC_NONE || s->dist[r] < s->dist[best] ||
                (s->dist[r] == s->dist[best] && s->hops[r] < s->hops[best]))
                best = r;
        }
        if (best != SC_NONE)
            fh[n] = s->first[best];
    }
    for (uint32_t k = 0; k < node->iface_count; k++)
        s->own[sc->ifaces[sc->ifaces_by_node[node->first_iface + k]].network] = 0;
}

static bool search_init(struct search *s, const struct naru_scenario *sc)
{
    memset(s, 0, sizeof *s);
    s->sc = sc;
    uint32_t n = sc->node_count;
    s->adj_start = calloc(n + 1, sizeof *s->adj_start);
    s->adj = calloc(2 * (size_t)sc->link_count + 1, sizeof *s->adj);
    s->link_iface = malloc((4 * (size_t)sc->link_count + 1) * sizeof *s->link_iface);
    s->dist = calloc(n, sizeof *s->dist);
    s->hops = calloc(n, sizeof *s->hops);
    s->first = calloc(n, sizeof *s->first);
    s->stamp = calloc(n, sizeof *s->stamp);
    s->carries = calloc(sc->link_count + 1, 1);
    s->own = calloc(sc->network_count + 1, 1);
    if (!s->adj_start || !s->adj || !s->link_iface || !s->dist || !s->hops || !s->first || !s->stamp ||
        !s->carries || !s->own)
        return false;
    for (uint32_t l = 0; l < sc->link_count; l++)
        for (int e = 0; e < 2; e++)
            s->adj_start[sc->links[l].end[e].node + 1]++;
    for (uint32_t v = 0; v < n; v++)
        s->adj_start[v + 1] += s->adj_start[v];
    uint32_t *fill = calloc(n + 1, sizeof *fill);
    if (!fill)
        return false;
    for (uint32_t l = 0; l < sc->link_count; l++) {
        for (int e = 0; e < 2; e++) {
            uint32_t v = sc->links[l].end[e].node;
            s->adj[s->adj_start[v] + fill[v]++] = 2 * l + (uint32_t)e;
        }
    }
    free(fill);
    for (size_t k = 0; k < 4 * (size_t)sc->link_count; k++)
        s->link_iface[k] = SC_NONE;
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        const struct sc_iface *f = &sc->ifaces[i];
        uint32_t *slot = &s->link_iface[2 * (2 * f->link + f->end) + (uint32_t)fam_index(f->addr.family)];
        if (*slot == SC_NONE)
            *slot = i;
    }
    for (uint32_t l = 0; l < sc->link_count; l++)
        for (int fam = 0; fam < 2; fam++) {
            int family = fam ? NARU_AF_INET6 : NARU_AF_INET;
            if (end_carries(s, l, 0, family) && end_carries(s, l, 1, family))
                s->carries[l] |= (uint8_t)(1u << fam);
        }
    return true;
}

static void search_fini(struct search *s)
{
    free(s->adj_start);
    free(s->adj);
    free(s->link_iface);
    free(s->dist);
    free(s->hops);
    free(s->first);
    free(s->stamp);
    free(s->carries);
    free(s->own);
    free(s->heap);
}

/* A host with one interface of the family, on a segment with one router
 * of it: that router's interface there. SC_NONE otherwise. */
static uint32_t one_way_out(const struct naru_scenario *sc, uint32_t node, int family, const uint32_t *seg_routers,
                            const uint32_t *seg_router_iface)
{
    const struct sc_node *n = &sc->nodes[node];
    if (n->kind != SC_HOST)
        return SC_NONE;
    uint32_t mine = SC_NONE;
    for (uint32_t k = 0; k < n->iface_count; k++) {
        uint32_t i = sc->ifaces_by_node[n->first_iface + k];
        if (sc->ifaces[i].addr.family != family)
            continue;
        if (mine != SC_NONE)
            return SC_NONE;
        mine = i;
    }
    if (mine == SC_NONE || seg_routers[sc->ifaces[mine].segment] != 1)
        return SC_NONE;
    uint32_t gw = seg_router_iface[sc->ifaces[mine].segment];
    /* The router's address must be on the host's network to be its gateway. */
    return sc_node_iface_towards(sc, node, gw) == mine ? gw : SC_NONE;
}

/* Networks inside a shorter prefix that some node may route otherwise:
 * their routes are kept even where a default route would do. */
static bool find_covered(const struct naru_scenario *sc, struct sc_routes *r)
{
    r->covered = calloc(sc->network_count + 1, sizeof *r->covered);
    r->covered_list = calloc(sc->network_count + 1, sizeof *r->covered_list);
    if (!r->covered || !r->covered_list)
        return false;
    for (uint32_t n = 0; n < sc->network_count; n++) {
        const struct sc_network *net = &sc->networks[n];
        bool covered = false;
        for (uint8_t len = 1; len < net->prefix && !covered; len++) {
            struct naru_addr p = naru_addr_mask(&net->prefix_addr, len);
            covered = sc_network_find(sc, &p, len) != SC_NONE;
        }
        r->covered[n] = covered;
    }
    /* Static routes: each marks the networks inside its prefix. */
    for (uint32_t v = 0; v < sc->node_count; v++) {
        const struct sc_node *node = &sc->nodes[v];
        for (unsigned k = 0; k < node->route_count; k++) {
            const struct sc_route *rt = &node->routes[k];
            if (rt->prefix == 0)
                continue;
            for (uint32_t n = 0; n < sc->network_count; n++)
                if (sc->networks[n].prefix > rt->prefix &&
                    naru_addr_in_prefix(&sc->networks[n].prefix_addr, &rt->dst, rt->prefix))
                    r->covered[n] = true;
        }
    }
    for (uint32_t n = 0; n < sc->network_count; n++)
        if (r->covered[n])
            r->covered_list[r->covered_count++] = n;
    return true;
}

bool sc_routes_compute(struct naru_scenario *sc)
{
    struct sc_routes *r = calloc(1, sizeof *r);
    if (!r)
        return sc_error(sc, 0, "out of memory");
    sc->computed = r;
    r->node_count = sc->node_count;
    uint32_t segs = sc->link_count + sc->node_count + 1;
    r->first_hop = calloc(sc->node_count + 1, sizeof *r->first_hop);
    r->default_gw = malloc((2 * (size_t)sc->node_count + 1) * sizeof *r->default_gw);
    r->counts = calloc(sc->iface_count + 1, sizeof *r->counts);
    r->touched = calloc(sc->iface_count + 1, sizeof *r->touched);
    uint32_t *seg_routers = calloc(2 * (size_t)segs, sizeof *seg_routers);
    uint32_t *seg_router_iface = calloc(2 * (size_t)segs, sizeof *seg_router_iface);
    struct search s = { 0 };
    bool ok = r->first_hop && r->default_gw && r->counts && r->touched && seg_routers && seg_router_iface &&
              search_init(&s, sc) && find_covered(sc, r);
    for (size_t k = 0; ok && k < 2 * (size_t)sc->node_count; k++)
        r->default_gw[k] = SC_NONE;
    for (uint32_t i = 0; ok && i < sc->iface_count; i++) {
        const struct sc_iface *f = &sc->ifaces[i];
        if (sc->nodes[f->node].kind != SC_ROUTER)
            continue;
        size_t at = (size_t)fam_index(f->addr.family) * segs + f->segment;
        seg_routers[at]++;
        seg_router_iface[at] = i;
    }
    for (uint32_t v = 0; ok && v < sc->node_count; v++) {
        if (!sc->nodes[v].computes)
            continue;
        for (int fam = 0; fam < 2 && ok; fam++) {
            int family = fam ? NARU_AF_INET6 : NARU_AF_INET;
            if (!sc_node_has_family(sc, v, family))
                continue;
            uint32_t gw = one_way_out(sc, v, family, seg_routers + (size_t)fam * segs,
                                      seg_router_iface + (size_t)fam * segs);
            if (gw != SC_NONE) {
                r->default_gw[2 * v + (uint32_t)fam] = gw;
                continue;
            }
            if (!r->first_hop[v]) {
                r->first_hop[v] = malloc((sc->network_count + 1) * sizeof **r->first_hop);
                if (!(ok = r->first_hop[v] != NULL))
                    break;
                for (uint32_t n = 0; n < sc->network_count; n++)
                    r->first_hop[v][n] = SC_NONE;
            }
            s.family = family;
            ok = search_from(&s, v);
            if (ok)
                first_hops(&s, v, r->first_hop[v]);
        }
    }
    search_fini(&s);
    free(seg_routers);
    free(seg_router_iface);
    return ok || sc_error(sc, 0, "out of memory");
}

void sc_routes_free(struct sc_routes *r)
{
    if (!r)
        return;
    for (uint32_t v = 0; r->first_hop && v < r->node_count; v++)
        free(r->first_hop[v]);
    free(r->first_hop);
    free(r->default_gw);
    free(r->covered);
    free(r->covered_list);
    free(r->counts);
    free(r->touched);
    free(r);
}

uint32_t sc_routes_first_hop(const struct naru_scenario *sc, uint32_t node, uint32_t net)
{
    const struct sc_routes *r = sc->computed;
    if (!r || !sc->nodes[node].computes)
        return SC_NONE;
    if (r->first_hop[node] && r->first_hop[node][net] != SC_NONE)
        return r->first_hop[node][net];
    const struct sc_network *n = &sc->networks[net];
    uint32_t gw = r->default_gw[2 * node + (uint32_t)fam_index(n->prefix_addr.family)];
    if (gw == SC_NONE || sc_node_iface_on(sc, node, net) != SC_NONE)
        return SC_NONE;
    return gw;
}

static struct naru_addr any_of(int family)
{
    struct naru_addr a = { .family = (uint8_t)family };
    return a;
}

long sc_routes_table(const struct naru_scenario *sc, uint32_t node,
                     int (*fn)(void *ctx, const struct naru_addr *dst, uint8_t prefix, uint32_t gateway_iface),
                     void *ctx)
{
    const struct sc_routes *r = sc->computed;
    if (!r || !sc->nodes[node].computes)
        return 0;
    bool host = sc->nodes[node].kind == SC_HOST;
    long count = 0;
#define EMIT(dst, prefix, gw)                                              \
    do {                                                                   \
        if (fn && fn(ctx, (dst), (prefix), (gw)) < 0)                      \
            return -1;                                                     \
        count++;                                                           \
    } while (0)
    for (int fam = 0; fam < 2; fam++) {
        int family = fam ? NARU_AF_INET6 : NARU_AF_INET;
        struct naru_addr any = any_of(family);
        uint32_t sd = sc_static_find(sc, node, &any, 0);
        uint32_t default_via = sd == SC_NONE ? SC_NONE : sc->nodes[node].routes[sd].gateway_iface;
        uint32_t one = r->default_gw[2 * node + (uint32_t)fam];
        const uint32_t *fh = r->first_hop[node];
        if (one == SC_NONE && !fh)
            continue;
        if (host && default_via == SC_NONE) {
            /* The gateway most routes go through becomes the default. */
            uint32_t best = one, touched = 0;
            for (uint32_t n = 0; one == SC_NONE && n < sc->network_count; n++) {
                uint32_t via = fh[n];
                if (via == SC_NONE || sc->networks[n].prefix_addr.family != family)
                    continue;
                if (r->counts[via]++ == 0)
                    r->touched[touched++] = via;
            }
            for (uint32_t k = 0; k < touched; k++) {
                uint32_t via = r->touched[k];
                if (best == SC_NONE || r->counts[via] > r->counts[best] ||
                    (r->counts[via] == r->counts[best] && via < best))
                    best = via;
            }
            for (uint32_t k = 0; k < touched; k++)
                r->counts[r->touched[k]] = 0;
            if (best != SC_NONE) {
                EMIT(&any, 0, best);
                default_via = best;
            }
        }
        /* A host with one way out and that way as its default: only the
         * networks a shorter prefix covers need their own routes. */
        bool only_covered = one != SC_NONE && default_via == one;
        uint32_t total = only_covered ? r->covered_count : sc->network_count;
        for (uint32_t k = 0; k < total; k++) {
            uint32_t n = only_covered ? r->covered_list[k] : k;
            const struct sc_network *net = &sc->networks[n];
            if (net->prefix_addr.family != family)
                continue;
            uint32_t via = fh ? fh[n] : sc_node_iface_on(sc, node, n) == SC_NONE ? one : SC_NONE;
            if (via == SC_NONE || sc_static_find(sc, node, &net->prefix_addr, net->prefix) != SC_NONE)
                continue;
            if (host && via == default_via && !r->covered[n])
                continue;
            EMIT(&net->prefix_addr, net->prefix, via);
        }
    }
#undef EMIT
    return count;
}
