/* A scenario's layer 3 (scenario_net.h): interfaces grouped by node and
 * by network in flat arrays (counted, then filled), and hash indexes. */
#include "sim/scenario_net.h"

#include <stdlib.h>
#include <string.h>

static bool bit_get(const uint8_t *bits, unsigned i)
{
    return bits[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *bits, unsigned i)
{
    bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* ---- the indexes' keys ---- */

static uint64_t addr_hash(const struct naru_addr *a)
{
    return sc_prefix_hash(a, 255, 1);
}

static bool same_addr(const void *ctx, uint32_t e)
{
    const void *const *q = ctx;
    const struct naru_scenario *sc = q[0];
    return naru_addr_equal(&sc->ifaces[e].addr, q[1]);
}

static uint64_t rehash_addr(const void *ctx, uint32_t e)
{
    const struct naru_scenario *sc = ctx;
    return addr_hash(&sc->ifaces[e].addr);
}

static uint64_t node_net_hash(uint32_t node, uint32_t net)
{
    uint32_t key[2] = { node, net };
    return sim_hash_bytes(key, sizeof key, 2);
}

struct node_net_query {
    const struct naru_scenario *sc;
    uint32_t node, net;
};

static bool same_node_net(const void *ctx, uint32_t e)
{
    const struct node_net_query *q = ctx;
    return q->sc->ifaces[e].node == q->node && q->sc->ifaces[e].network == q->net;
}

static uint64_t rehash_node_net(const void *ctx, uint32_t e)
{
    const struct naru_scenario *sc = ctx;
    return node_net_hash(sc->ifaces[e].node, sc->ifaces[e].network);
}

struct prefix_query {
    const struct naru_scenario *sc;
    const struct naru_addr *addr;
    uint8_t prefix;
};

static bool same_prefix(const void *ctx, uint32_t e)
{
    const struct prefix_query *q = ctx;
    const struct sc_network *n = &q->sc->networks[e];
    return n->prefix == q->prefix && naru_addr_equal(&n->prefix_addr, q->addr);
}

static uint64_t rehash_prefix(const void *ctx, uint32_t e)
{
    const struct naru_scenario *sc = ctx;
    return sc_prefix_hash(&sc->networks[e].prefix_addr, sc->networks[e].prefix, 3);
}

/* ---- lookups ---- */

uint32_t sc_iface_of_addr(const struct naru_scenario *sc, const struct naru_addr *addr)
{
    const void *q[2] = { sc, addr };
    return sim_index_find(&sc->addr_index, addr_hash(addr), same_addr, q);
}

uint32_t sc_node_iface_on(const struct naru_scenario *sc, uint32_t node, uint32_t net)
{
    struct node_net_query q = { sc, node, net };
    return sim_index_find(&sc->node_net_index, node_net_hash(node, net), same_node_net, &q);
}

uint32_t sc_network_find(const struct naru_scenario *sc, const struct naru_addr *prefix_addr, uint8_t prefix)
{
    struct prefix_query q = { sc, prefix_addr, prefix };
    return sim_index_find(&sc->prefix_index, sc_prefix_hash(prefix_addr, prefix, 3), same_prefix, &q);
}

unsigned sc_networks_of(const struct naru_scenario *sc, const struct naru_addr *addr, uint32_t *out, unsigned cap)
{
    unsigned n = 0;
    int bits = (int)sc_addr_bits(addr);
    for (int len = bits; len >= 0 && n < cap; len--) {
        /* IPv4 lengths are kept after IPv6's 0..128. */
        unsigned bit = addr->family == NARU_AF_INET6 ? (unsigned)len : 129u + (unsigned)len;
        if (!bit_get(sc->net_lengths, bit))
            continue;
        struct naru_addr p = naru_addr_mask(addr, (uint8_t)len);
        uint32_t net = sc_network_find(sc, &p, (uint8_t)len);
        if (net != SC_NONE)
            out[n++] = net;
    }
    return n;
}

uint32_t sc_node_iface_towards(const struct naru_scenario *sc, uint32_t node, uint32_t other)
{
    const struct sc_iface *o = &sc->ifaces[other];
    uint32_t mine = sc_node_iface_on(sc, node, o->network);
    if (mine != SC_NONE)
        return mine;
    /* Not on its network, but perhaps on its segment with another
     * network: the gateway must still be on one of the node's networks. */
    const struct sc_node *n = &sc->nodes[node];
    for (uint32_t k = 0; k < n->iface_count; k++) {
        uint32_t i = sc->ifaces_by_node[n->first_iface + k];
        if (sc->ifaces[i].segment == o->segment &&
            naru_addr_in_prefix(&o->addr, &sc->ifaces[i].addr, sc->ifaces[i].prefix))
            return i;
    }
    return SC_NONE;
}

/* ---- building ---- */

static bool list_ifaces(struct naru_scenario *sc)
{
    uint32_t count = 0;
    for (unsigned i = 0; i < sc->link_count; i++)
        for (int e = 0; e < 2; e++)
            count += sc->links[i].end[e].addr_count;
    sc->ifaces = calloc(count ? count : 1, sizeof *sc->ifaces);
    sc->ifaces_by_node = calloc(count ? count : 1, sizeof *sc->ifaces_by_node);
    if (!sc->ifaces || !sc->ifaces_by_node)
        return sc_error(sc, 0, "out of memory");
    for (unsigned i = 0; i < sc->link_count; i++) {
        const struct sc_link *l = &sc->links[i];
        for (int e = 0; e < 2; e++) {
            const struct sc_end *end = &l->end[e];
            for (unsigned k = 0; k < end->addr_count; k++) {
                struct sc_iface *f = &sc->ifaces[sc->iface_count];
                *f = (struct sc_iface){ .node = end->node, .link = i, .end = (uint8_t)e, .prefix = end->prefix[k],
                                        .addr = end->addr[k], .segment = l->segment, .network = SC_NONE,
                                        .line = end->line };
                /* Addresses are unique: the first error names the first use. */
                uint32_t other = sc_iface_of_addr(sc, &f->addr);
                if (other != SC_NONE) {
                    char a[NARU_ADDR_STRLEN];
                    return sc_error(sc, f->line, "the address %s is already on line %d",
                                    naru_addr_format(&f->addr, a), sc->ifaces[other].line);
                }
                if (sim_index_add(&sc->addr_index, addr_hash(&f->addr), sc->iface_count, rehash_addr, sc) < 0)
                    return sc_error(sc, 0, "out of memory");
                sc->iface_count++;
            }
        }
    }
    /* Grouped by node, in link order within each. */
    for (uint32_t i = 0; i < sc->iface_count; i++)
        sc->nodes[sc->ifaces[i].node].iface_count++;
    uint32_t at = 0;
    for (unsigned n = 0; n < sc->node_count; n++) {
        sc->nodes[n].first_iface = at;
        at += sc->nodes[n].iface_count;
        sc->nodes[n].iface_count = 0;
    }
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        struct sc_node *n = &sc->nodes[sc->ifaces[i].node];
        sc->ifaces_by_node[n->first_iface + n->iface_count++] = i;
    }
    return true;
}

/* Networks: one per prefix, all of it on one segment (a link, or links
 * joined by switches): the same prefix in two places could not be routed. */
static bool list_networks(struct naru_scenario *sc)
{
    sc->networks = calloc(sc->iface_count ? sc->iface_count : 1, sizeof *sc->networks);
    sc->net_ifaces = calloc(sc->iface_count ? sc->iface_count : 1, sizeof *sc->net_ifaces);
    if (!sc->networks || !sc->net_ifaces)
        return sc_error(sc, 0, "out of memory");
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        struct sc_iface *f = &sc->ifaces[i];
        struct naru_addr p = naru_addr_mask(&f->addr, f->prefix);
        uint32_t net = sc_network_find(sc, &p, f->prefix);
        if (net != SC_NONE && sc->networks[net].segment != f->segment) {
            char a[NARU_ADDR_STRLEN];
            const struct sc_iface *first = &sc->ifaces[sc->net_ifaces[net]];
            return sc_error(sc, f->line,
                            "the network %s/%u is also on link '%s' (line %d), which this link does not meet: "
                            "a network's addresses are on one link, or links joined by switches",
                            naru_addr_format(&p, a), f->prefix, sc->links[first->link].name, first->line);
        }
        if (net == SC_NONE) {
            net = sc->network_count++;
            sc->networks[net] = (struct sc_network){ .prefix_addr = p, .prefix = f->prefix, .segment = f->segment };
            sc->net_ifaces[net] = i; /* its first, for the message above; rewritten below */
            if (sim_index_add(&sc->prefix_index, sc_prefix_hash(&p, f->prefix, 3), net, rehash_prefix, sc) < 0)
                return sc_error(sc, 0, "out of memory");
            bit_set(sc->net_lengths, f->addr.family == NARU_AF_INET6 ? f->prefix : 129u + f->prefix);
        }
        f->network = net;
        sc->networks[net].iface_count++;
    }
    uint32_t at = 0;
    for (uint32_t n = 0; n < sc->network_count; n++) {
        sc->networks[n].first_iface = at;
        at += sc->networks[n].iface_count;
        sc->networks[n].iface_count = 0;
    }
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        struct sc_network *n = &sc->networks[sc->ifaces[i].network];
        sc->net_ifaces[n->first_iface + n->iface_count++] = i;
        if (sc_node_iface_on(sc, sc->ifaces[i].node, sc->ifaces[i].network) == SC_NONE &&
            sim_index_add(&sc->node_net_index, node_net_hash(sc->ifaces[i].node, sc->ifaces[i].network), i,
                         rehash_node_net, sc) < 0)
            return sc_error(sc, 0, "out of memory");
    }
    return true;
}

bool sc_net_build(struct naru_scenario *sc)
{
    return list_ifaces(sc) && list_networks(sc);
}

/* ---- static routes ---- */

static uint64_t static_hash(uint32_t node, const struct naru_addr *dst, uint8_t prefix)
{
    return sc_prefix_hash(dst, prefix, 4 + (uint64_t)node * 0x9e3779b97f4a7c15ull);
}

struct static_query {
    const struct naru_scenario *sc;
    uint32_t node;
    const struct naru_addr *dst;
    uint8_t prefix;
};

static bool same_static(const void *ctx, uint32_t e)
{
    const struct static_query *q = ctx;
    const struct sc_static_ref *ref = &q->sc->static_refs[e];
    const struct sc_route *r = &q->sc->nodes[ref->node].routes[ref->route];
    return ref->node == q->node && r->prefix == q->prefix && naru_addr_equal(&r->dst, q->dst);
}

static uint64_t rehash_static(const void *ctx, uint32_t e)
{
    const struct naru_scenario *sc = ctx;
    const struct sc_static_ref *ref = &sc->static_refs[e];
    const struct sc_route *r = &sc->nodes[ref->node].routes[ref->route];
    return static_hash(ref->node, &r->dst, r->prefix);
}

uint32_t sc_static_find(const struct naru_scenario *sc, uint32_t node, const struct naru_addr *dst, uint8_t prefix)
{
    if (!sc->static_lengths)
        return SC_NONE;
    unsigned bit = dst->family == NARU_AF_INET6 ? prefix : 129u + prefix;
    if (!bit_get(sc->static_lengths + (size_t)node * sizeof sc->net_lengths, bit))
        return SC_NONE;
    struct static_query q = { sc, node, dst, prefix };
    uint32_t e = sim_index_find(&sc->static_index, static_hash(node, dst, prefix), same_static, &q);
    return e == SC_NONE ? SC_NONE : sc->static_refs[e].route;
}

bool sc_static_index(struct naru_scenario *sc)
{
    uint32_t total = 0;
    for (unsigned n = 0; n < sc->node_count; n++)
        total += sc->nodes[n].route_count;
    sc->static_refs = calloc(total + 1, sizeof *sc->static_refs);
    sc->static_lengths = calloc((size_t)sc->node_count + 1, sizeof sc->net_lengths);
    if (!sc->static_refs || !sc->static_lengths)
        return sc_error(sc, 0, "out of memory");
    for (uint32_t n = 0; n < sc->node_count; n++) {
        struct sc_node *node = &sc->nodes[n];
        if (node->route_count && node->kind == SC_ROUTER)
            sc->static_routers++;
        for (uint32_t k = 0; k < node->route_count; k++) {
            const struct sc_route *r = &node->routes[k];
            uint32_t first = sc_static_find(sc, n, &r->dst, r->prefix);
            if (first != SC_NONE) {
                char a[NARU_ADDR_STRLEN];
                if (r->prefix == 0)
                    return sc_error(sc, r->line, "a second default route (the first is on line %d)",
                                    node->routes[first].line);
                return sc_error(sc, r->line, "a second route to %s/%u (the first is on line %d)",
                                naru_addr_format(&r->dst, a), r->prefix, node->routes[first].line);
            }
            sc->static_refs[sc->static_count] = (struct sc_static_ref){ n, k };
            if (sim_index_add(&sc->static_index, static_hash(n, &r->dst, r->prefix), sc->static_count, rehash_static,
                             sc) < 0)
                return sc_error(sc, 0, "out of memory");
            sc->static_count++;
            bit_set(sc->static_lengths + (size_t)n * sizeof sc->net_lengths,
                    r->dst.family == NARU_AF_INET6 ? r->prefix : 129u + r->prefix);
        }
    }
    return true;
}
