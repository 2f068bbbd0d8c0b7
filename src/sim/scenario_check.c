/* Checking a scenario as a whole before anything runs: links join nodes
 * that exist, addresses are unique and sensible, every gateway is a
 * neighbour, applications name real nodes, and no route sends a packet
 * round in a circle. Every step is a pass over the model with hash
 * lookups, so ten thousand hosts check in well under a second. */
#include "sim/scenario_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/dns.h"
#include "sim/scenario_net.h"
#include "sim/scenario_routing.h"

/* ---- layer 2: which links are one Ethernet segment (joined by switches) ---- */

static uint32_t find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* addr + (m << shift), false past the end of the family's addresses. */
static bool add_shifted(struct naru_addr *a, uint64_t m, unsigned shift)
{
    if (a->family == NARU_AF_INET)
        return shift < 32 && m <= (UINT32_MAX >> shift) && sc_addr_add(a, m << shift);
    unsigned mbits = m ? 64 - (unsigned)__builtin_clzll(m) : 0;
    if (shift + mbits > 128)
        return false;
    /* IPv6: byte by byte, from the lowest byte the shift reaches. */
    unsigned s = shift % 8;
    uint64_t lo = m << s, hi = s ? m >> (64 - s) : 0;
    uint32_t carry = 0;
    for (int i = 15 - (int)(shift / 8), k = 0; i >= 0; i--, k++) {
        uint32_t add = k < 8 ? (uint32_t)(lo >> (8 * k)) & 0xff : k == 8 ? (uint32_t)hi & 0xff : 0;
        uint32_t sum = a->v6[i] + add + carry;
        a->v6[i] = (uint8_t)sum;
        carry = sum >> 8;
    }
    return carry == 0;
}

/* An end without an address takes one from each of its link's pools:
 * the k-th subnet's first host address for end a, its second for end b. */
static bool from_pool(struct naru_scenario *sc, struct sc_link *l, int e)
{
    const struct sc_pool *p = &sc->pools[l->pool];
    if (!p->line)
        return sc_error(sc, l->line, "[link %s] has subnet = but no pool = PREFIX/LEN to take it from", l->name);
    if (p->subnet_count > p->count)
        return sc_error(sc, p->subnet_line, "%u subnet lengths for a pool of %u prefix%s", p->subnet_count, p->count,
                        p->count == 1 ? "" : "es");
    struct sc_end *end = &l->end[e];
    for (unsigned i = 0; i < p->count; i++) {
        unsigned bits = sc_addr_bits(&p->base[i]);
        uint8_t subnet = i < p->subnet_count ? p->subnet[i] : (uint8_t)(bits == 32 ? 30 : 64);
        int line = i < p->subnet_count ? p->subnet_line : p->line;
        char a[NARU_ADDR_STRLEN];
        if (subnet < p->prefix[i] || subnet > bits - 1)
            return sc_error(sc, line, "a pool of %s/%u cannot give out subnets of /%u",
                            naru_addr_format(&p->base[i], a), p->prefix[i], subnet);
        unsigned shift = bits - subnet;
        uint64_t room = subnet - p->prefix[i] >= 63 ? UINT64_MAX : (uint64_t)1 << (subnet - p->prefix[i]);
        if (l->pool_member >= room)
            return sc_error(sc, p->line,
                            "the pool %s/%u has room for %llu subnets of /%u, and this section has more links",
                            naru_addr_format(&p->base[i], a), p->prefix[i], (unsigned long long)room, subnet);
        struct naru_addr addr = p->base[i];
        /* The subnet's first address, then the end's host number in it: /31
         * and /127 have no network address to skip (RFC 3021, RFC 6164). */
        uint64_t host = (uint64_t)e + (subnet < bits - 1 ? 1 : 0);
        if (!add_shifted(&addr, l->pool_member, shift) || !sc_addr_add(&addr, host))
            return sc_error(sc, p->line, "the pool runs out of addresses");
        end->addr[end->addr_count] = addr;
        end->prefix[end->addr_count++] = subnet;
    }
    return true;
}

static bool check_end(struct naru_scenario *sc, struct sc_link *l, int e)
{
    if (!l->end_set[e])
        return sc_error(sc, l->line, "[link %s] needs %c = NODE A.B.C.D/LEN", l->name, 'a' + e);
    struct sc_end *end = &l->end[e];
    end->node = sc_find_node(sc, end->node_name);
    if (end->node == SC_NONE)
        return sc_error(sc, end->line, "link '%s' goes to '%s', but there is no node of that name", l->name,
                        end->node_name);
    struct sc_node *n = &sc->nodes[end->node];
    if (n->kind == SC_SWITCH && end->addr_count)
        return sc_error(sc, end->line, "'%s' is a switch: a switch port has no address", n->name);
    if (n->kind == SC_SWITCH && l->pool != SC_NONE)
        return sc_error(sc, sc->pools[l->pool].line ? sc->pools[l->pool].line : l->line,
                        "a pool gives each link a network of its own, but links to switch '%s' share one: "
                        "write their addresses (as a = h{i} 10.1.0.{i}/24)",
                        n->name);
    if (n->kind != SC_SWITCH && !end->addr_count && l->pool != SC_NONE && !from_pool(sc, l, e))
        return false;
    /* A host without an address may form one by SLAAC: check_autoconf()
     * sees whether a router advertises on its link. */
    if (n->kind == SC_ROUTER && !end->addr_count)
        return sc_error(sc, end->line, "router '%s' needs an address on this link: %c = %s A.B.C.D/LEN", n->name,
                        'a' + e, n->name);
    if (++n->interfaces > NARU_INTERFACES_MAX)
        return sc_error(sc, end->line, "'%s' has more than %d links", n->name, NARU_INTERFACES_MAX);
    uint32_t mtu = l->config.mtu ? l->config.mtu : 1500;
    if (mtu > n->max_mtu)
        n->max_mtu = mtu;
    return true;
}

/* Two stacks on one wire must share a network, in each family both have,
 * to talk at all. */
static bool ends_share_networks(struct naru_scenario *sc, const struct sc_link *l)
{
    const struct sc_end *a = &l->end[0], *b = &l->end[1];
    for (unsigned j = 0; j < b->addr_count; j++) {
        bool family_met = false, shared = false;
        for (unsigned i = 0; i < a->addr_count && !shared; i++) {
            if (a->addr[i].family != b->addr[j].family)
                continue;
            family_met = true;
            uint8_t shorter = a->prefix[i] < b->prefix[j] ? a->prefix[i] : b->prefix[j];
            shared = naru_addr_in_prefix(&a->addr[i], &b->addr[j], shorter);
        }
        if (family_met && !shared) {
            char y[NARU_ADDR_STRLEN];
            return sc_error(sc, b->line, "%s/%u is on none of %s's networks on this link, so link '%s' cannot "
                                         "carry anything to it",
                            naru_addr_format(&b->addr[j], y), b->prefix[j], a->node_name, l->name);
        }
    }
    return true;
}

static bool check_links(struct naru_scenario *sc)
{
    uint32_t *parent = calloc(sc->link_count + sc->node_count + 1, sizeof *parent);
    if (!parent)
        return sc_error(sc, 0, "out of memory");
    /* Links are 0..L-1; a switch is L + its node index. */
    for (uint32_t i = 0; i < sc->link_count + sc->node_count; i++)
        parent[i] = i;
    bool ok = true;
    for (uint32_t i = 0; i < sc->link_count && ok; i++) {
        struct sc_link *l = &sc->links[i];
        ok = check_end(sc, l, 0) && check_end(sc, l, 1);
        if (!ok)
            break;
        if (l->end[0].node == l->end[1].node) {
            ok = sc_error(sc, l->end[1].line, "link '%s' joins '%s' to itself", l->name, l->end[0].node_name);
            break;
        }
        if (!(ok = ends_share_networks(sc, l)))
            break;
        for (int e = 0; e < 2; e++) {
            struct sc_end *end = &l->end[e];
            if (sc->nodes[end->node].kind != SC_SWITCH)
                continue;
            uint32_t sw = sc->link_count + end->node;
            uint32_t ra = find(parent, i), rb = find(parent, sw);
            if (ra == rb) {
                /* Already one segment: a second path between switches, which
                 * would flood broadcasts round forever (no spanning tree). */
                ok = sc_error(sc, end->line, "link '%s' closes a loop of switches (broadcasts would circle forever)",
                              l->name);
                break;
            }
            parent[ra] = rb;
        }
    }
    for (uint32_t i = 0; i < sc->link_count && ok; i++)
        sc->links[i].segment = find(parent, i);
    free(parent);
    return ok;
}

/* ---- router advertisements and SLAAC ---- */

/* Each router's advertise lines name networks of its own; the segments
 * they are advertised on are marked (seg_slaac: with a /64, which hosts
 * form addresses from, RFC 4862 5.5.3). Then every host end without an
 * IPv6 address on such a segment autoconfigures, and an end with no
 * address at all must be on one. */
static bool check_adverts(struct naru_scenario *sc, uint8_t *seg_slaac)
{
    char a[NARU_ADDR_STRLEN];
    for (uint32_t n = 0; n < sc->node_count; n++) {
        const struct sc_node *node = &sc->nodes[n];
        for (unsigned k = 0; k < node->advert_count; k++) {
            const struct sc_advert *ad = &node->adverts[k];
            bool found = false;
            for (uint32_t j = 0; j < node->iface_count; j++) {
                const struct sc_iface *f = &sc->ifaces[sc->ifaces_by_node[node->first_iface + j]];
                const struct sc_network *net = &sc->networks[f->network];
                if (f->addr.family != NARU_AF_INET6 ||
                    (!ad->all && (net->prefix != ad->len || !naru_addr_equal(&net->prefix_addr, &ad->prefix))))
                    continue;
                found = true;
                if (net->prefix == 64)
                    seg_slaac[f->segment] = 1;
            }
            if (!found && ad->all)
                return sc_error(sc, ad->line, "'%s' has no IPv6 address to advertise the prefix of", node->name);
            if (!found)
                return sc_error(sc, ad->line, "'%s' has no address in %s/%u: a router advertises the prefixes of "
                                              "its own links (give it an address there)",
                                node->name, naru_addr_format(&ad->prefix, a), ad->len);
        }
    }
    return true;
}

static bool check_autoconf(struct naru_scenario *sc)
{
    uint8_t *seg_slaac = calloc(sc->link_count + sc->node_count + 1, 1); /* segments are link or switch numbers */
    if (!seg_slaac)
        return sc_error(sc, 0, "out of memory");
    bool ok = check_adverts(sc, seg_slaac);
    for (uint32_t i = 0; i < sc->link_count && ok; i++) {
        const struct sc_link *l = &sc->links[i];
        for (int e = 0; e < 2 && ok; e++) {
            const struct sc_end *end = &l->end[e];
            struct sc_node *n = &sc->nodes[end->node];
            if (n->kind != SC_HOST)
                continue;
            bool has6 = false;
            for (unsigned k = 0; k < end->addr_count; k++)
                has6 |= end->addr[k].family == NARU_AF_INET6;
            if (!has6 && seg_slaac[l->segment]) {
                n->autoconf = true;
                if (!n->autoconf_line)
                    n->autoconf_line = end->line;
            } else if (!end->addr_count) {
                ok = sc_error(sc, end->line, "host '%s' needs an address on this link: %c = %s A.B.C.D/LEN (or a "
                                             "router advertising a /64 on it: advertise = PREFIX/64)",
                              n->name, 'a' + e, n->name);
            }
        }
    }
    free(seg_slaac);
    return ok;
}

/* ---- layer 3 ---- */

static bool check_routes(struct naru_scenario *sc)
{
    char a[NARU_ADDR_STRLEN];
    for (uint32_t n = 0; n < sc->node_count; n++) {
        struct sc_node *node = &sc->nodes[n];
        for (uint32_t r = 0; r < node->route_count; r++) {
            struct sc_route *rt = &node->routes[r];
            naru_addr_format(&rt->gateway, a);
            uint32_t net = sc_network_find(sc, &rt->dst, rt->prefix);
            if (net != SC_NONE && sc_node_iface_on(sc, n, net) != SC_NONE)
                return sc_error(sc, rt->line, "this route is to %s's own network", node->name);
            uint32_t mine = SC_NONE;
            for (uint32_t k = 0; k < node->iface_count && mine == SC_NONE; k++) {
                uint32_t i = sc->ifaces_by_node[node->first_iface + k];
                if (naru_addr_in_prefix(&rt->gateway, &sc->ifaces[i].addr, sc->ifaces[i].prefix))
                    mine = i;
            }
            if (mine == SC_NONE)
                return sc_error(sc, rt->line, "the gateway %s is not on any of %s's networks", a, node->name);
            uint32_t gw = sc_iface_of_addr(sc, &rt->gateway);
            if (gw == SC_NONE)
                return sc_error(sc, rt->line, "no node has the gateway's address %s", a);
            const struct sc_iface *g = &sc->ifaces[gw];
            if (g->node == n)
                return sc_error(sc, rt->line, "the gateway %s is %s itself", a, node->name);
            if (g->segment != sc->ifaces[mine].segment)
                return sc_error(sc, rt->line, "the gateway %s (%s) is not on the same link as %s", a,
                                sc->nodes[g->node].name, node->name);
            if (sc->nodes[g->node].kind != SC_ROUTER)
                return sc_error(sc, rt->line, "the gateway %s is %s, a host: only a [router] forwards", a,
                                sc->nodes[g->node].name);
            rt->gateway_iface = gw;
            rt->out_iface = mine;
        }
    }
    return true;
}

/* ---- route loops ---- */

enum hop_kind { HOP_NONE, HOP_DELIVER, HOP_GATEWAY };

struct hop {
    enum hop_kind kind;
    uint32_t gateway;          /* the gateway's interface */
    int line;                  /* of the route taken */
};

#define MAX_NETS 129

/* The route node n takes towards d, held by the networks nets (longest
 * first): the longest prefix of its own networks, its computed routes and
 * its route lines, a route line winning a tie. */
static struct hop next_hop(const struct naru_scenario *sc, uint32_t n, const struct naru_addr *d, const uint32_t *nets,
                           unsigned nnets)
{
    struct hop hop = { HOP_NONE, SC_NONE, 0 };
    int best = -1;
    const struct sc_node *node = &sc->nodes[n];
    for (unsigned k = 0; k < nnets; k++) {
        const struct sc_network *net = &sc->networks[nets[k]];
        if (sc_node_iface_on(sc, n, nets[k]) != SC_NONE) {
            hop = (struct hop){ HOP_DELIVER, SC_NONE, 0 };
            best = net->prefix;
            break;
        }
        uint32_t via = sc_routes_first_hop(sc, n, nets[k]);
        if (via != SC_NONE) {
            hop = (struct hop){ HOP_GATEWAY, via, node->routing_line ? node->routing_line : sc->routing_line };
            best = net->prefix;
            break;
        }
    }
    if (!node->route_count)
        return hop;
    int bits = (int)sc_addr_bits(d);
    for (int len = bits; len >= 0 && len >= best; len--) {
        struct naru_addr p = naru_addr_mask(d, (uint8_t)len);
        uint32_t r = sc_static_find(sc, n, &p, (uint8_t)len);
        if (r != SC_NONE)
            return (struct hop){ HOP_GATEWAY, node->routes[r].gateway_iface, node->routes[r].line };
    }
    return hop;
}

struct loop_walk {
    uint32_t *stamp;           /* per node: 2k+1 on the path of destination k, 2k+2 done with it */
    uint32_t *path;
    uint32_t gen;
};

/* Follow the routes towards d from every router with route lines (a loop
 * must take one: computed routes alone always get nearer); a node met
 * twice on the way is a loop. */
static bool check_loops_to(struct naru_scenario *sc, struct loop_walk *w, const struct naru_addr *d)
{
    uint32_t nets[MAX_NETS];
    unsigned nnets = sc_networks_of(sc, d, nets, MAX_NETS);
    uint32_t on_path = 2 * w->gen + 1, done = on_path + 1;
    w->gen++;
    for (uint32_t start = 0; start < sc->node_count; start++) {
        const struct sc_node *s = &sc->nodes[start];
        if (s->kind != SC_ROUTER || !s->route_count || w->stamp[start] == done)
            continue;
        uint32_t cur = start, len = 0;
        for (;;) {
            w->stamp[cur] = on_path;
            w->path[len++] = cur;
            struct hop h = next_hop(sc, cur, d, nets, nnets);
            if (h.kind != HOP_GATEWAY)
                break;
            uint32_t next = sc->ifaces[h.gateway].node;
            if (sc->nodes[next].kind != SC_ROUTER || w->stamp[next] == done)
                break; /* a host does not forward; a done node leads nowhere round */
            if (w->stamp[next] == on_path) {
                char text[256] = "", a[NARU_ADDR_STRLEN];
                size_t used = 0;
                uint32_t from = 0;
                while (w->path[from] != next)
                    from++;
                for (uint32_t i = from; i < len && used < sizeof text - 40; i++)
                    used += (size_t)snprintf(text + used, sizeof text - used, "%s -> ", sc->nodes[w->path[i]].name);
                snprintf(text + used, sizeof text - used, "%s", sc->nodes[next].name);
                return sc_error(sc, h.line, "route loop: packets for %s would go %s and round again",
                                naru_addr_format(d, a), text);
            }
            cur = next;
        }
        for (uint32_t i = 0; i < len; i++)
            w->stamp[w->path[i]] = done;
    }
    return true;
}

static bool check_loops(struct naru_scenario *sc)
{
    if (!sc->static_routers)
        return true; /* computed routes alone cannot loop (scenario_routing.h) */
    struct loop_walk w = { calloc(sc->node_count + 1, sizeof *w.stamp), calloc(sc->node_count + 1, sizeof *w.path),
                           0 };
    bool ok = w.stamp && w.path;
    if (!ok)
        sc_error(sc, 0, "out of memory");
    /* Every address on a network fares as its first does, unless a route
     * line names a longer prefix than the network's. */
    int longest[2] = { -1, -1 };
    for (uint32_t i = 0; i < sc->static_count; i++) {
        const struct sc_route *r = &sc->nodes[sc->static_refs[i].node].routes[sc->static_refs[i].route];
        int f = r->dst.family == NARU_AF_INET6;
        if (r->prefix > longest[f])
            longest[f] = r->prefix;
    }
    for (uint32_t n = 0; n < sc->network_count && ok; n++) {
        const struct sc_network *net = &sc->networks[n];
        int f = net->prefix_addr.family == NARU_AF_INET6;
        uint32_t count = longest[f] > net->prefix ? net->iface_count : 1;
        for (uint32_t k = 0; k < count && ok; k++)
            ok = check_loops_to(sc, &w, &sc->ifaces[sc->net_ifaces[net->first_iface + k]].addr);
    }
    for (uint32_t i = 0; i < sc->static_count && ok; i++) {
        const struct sc_route *r = &sc->nodes[sc->static_refs[i].node].routes[sc->static_refs[i].route];
        struct naru_addr d = r->dst;
        if (r->prefix < sc_addr_bits(&d))
            sc_addr_add(&d, 1);
        ok = check_loops_to(sc, &w, &d);
    }
    free(w.stamp);
    free(w.path);
    return ok;
}

/* ---- applications ---- */

/* A node that runs things: a host or router with an address. */
static bool runner(struct naru_scenario *sc, const char *name, int line, uint32_t *out)
{
    uint32_t n = sc_find_node(sc, name);
    if (n == SC_NONE)
        return sc_error(sc, line, "there is no node named '%s'", name);
    if (sc->nodes[n].kind == SC_SWITCH)
        return sc_error(sc, line, "'%s' is a switch: applications run on hosts and routers", name);
    if (!sc->nodes[n].iface_count && !sc->nodes[n].autoconf)
        return sc_error(sc, line, "'%s' has no address", name);
    *out = n;
    return true;
}

/* An application's far end: a node's name (with family =, its address of
 * that family: known now, or formed by SLAAC once it runs) or an address
 * (of the family, if one is given). */
static bool check_family(struct naru_scenario *sc, const struct sc_app *a, uint32_t to, const struct naru_addr *addr)
{
    if (!a->family)
        return true;
    const char *fam = a->family == NARU_AF_INET ? "IPv4" : "IPv6";
    if (to == SC_NONE) {
        if (addr->family != a->family)
            return sc_error(sc, a->family_line, "family = %c, but %s is not an %s address",
                            a->family == NARU_AF_INET ? '4' : '6', a->to, fam);
        return true;
    }
    if (sc_node_has_family(sc, to, a->family) || (a->family == NARU_AF_INET6 && sc->nodes[to].autoconf))
        return true;
    return sc_error(sc, a->family_line, "'%s' has no %s address%s", a->to, fam,
                    a->family == NARU_AF_INET6 ? " (give it one, or put it on a link where a router advertises a /64)"
                                               : "");
}

/* The zone file is read now, so its mistakes stop the scenario before it
 * runs; a relative path is taken from the scenario file's folder. */
static bool check_zone(struct naru_scenario *sc, struct sc_app *a)
{
    if (!a->zone)
        return true;
    const char *slash = strrchr(sc->file, '/');
    size_t cap = strlen(sc->file) + strlen(a->zone) + 2;
    a->zone_path = malloc(cap);
    if (!a->zone_path)
        return sc_error(sc, a->zone_line, "out of memory");
    if (a->zone[0] == '/' || !slash)
        snprintf(a->zone_path, cap, "%s", a->zone);
    else
        snprintf(a->zone_path, cap, "%.*s/%s", (int)(slash - sc->file), sc->file, a->zone);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    struct naru_dns_server *server;
    if (naru_dns_server_create(&c, &server) < 0)
        return sc_error(sc, a->zone_line, "out of memory");
    char why[256] = "";
    int err = naru_dns_server_load_zone(server, a->origin, a->zone_path, why, sizeof why);
    naru_dns_server_destroy(server);
    if (err < 0)
        return sc_error(sc, a->zone_line, "the zone does not load: %s", why);
    return true;
}

static bool check_dns(struct naru_scenario *sc, struct sc_app *a)
{
    uint32_t n;
    if (a->config.kind == NARU_SIM_DNS_SERVER) {
        if (!a->from[0])
            return sc_error(sc, a->line, "'%s' needs on = NODE (where the server runs)", a->name);
        if (!runner(sc, a->from, a->from_line, &n) || !check_zone(sc, a))
            return false;
        sc->nodes[n].apps++;
        return true;
    }
    if (!a->from[0])
        return sc_error(sc, a->line, "'%s' needs from = NODE (where the lookup runs)", a->name);
    if (!runner(sc, a->from, a->from_line, &n))
        return false;
    sc->nodes[n].apps++;
    if (!a->query)
        return sc_error(sc, a->line, "'%s' needs query = NAME (what to look up)", a->name);
    if (!a->to[0]) {
        /* The scenario's first DNS server, as a resolv.conf would name it. */
        for (unsigned i = 0; i < sc->app_count && !a->to[0]; i++)
            if (sc->apps[i].config.kind == NARU_SIM_DNS_SERVER)
                snprintf(a->to, sizeof a->to, "%s", sc->apps[i].from);
        if (!a->to[0])
            return sc_error(sc, a->line, "'%s' needs server = NODE or address (there is no [dns] section)",
                            a->name);
        a->to_line = a->line;
    }
    struct naru_addr addr;
    if (naru_addr_parse(a->to, &addr) == 0)
        return check_family(sc, a, SC_NONE, &addr);
    return runner(sc, a->to, a->to_line, &n) && check_family(sc, a, n, NULL);
}

static bool check_apps(struct naru_scenario *sc)
{
    for (unsigned i = 0; i < sc->app_count; i++) {
        struct sc_app *a = &sc->apps[i];
        enum naru_sim_app_kind k = a->config.kind;
        if (k == NARU_SIM_DNS_SERVER || k == NARU_SIM_DNS_LOOKUP) {
            if (!check_dns(sc, a))
                return false;
            continue;
        }
        if (!a->from[0])
            return sc_error(sc, a->line, "'%s' needs from = NODE (where it runs)", a->name);
        if (!a->to[0])
            return sc_error(sc, a->line, "'%s' needs to = NODE%s", a->name,
                            k == NARU_SIM_PING || k == NARU_SIM_TRACEROUTE ? " or an address" : "");
        uint32_t from = sc_find_node(sc, a->from);
        if (from == SC_NONE)
            return sc_error(sc, a->from_line, "there is no node named '%s'", a->from);
        if (sc->nodes[from].kind == SC_SWITCH)
            return sc_error(sc, a->from_line, "'%s' is a switch: applications run on hosts and routers", a->from);
        if (!sc->nodes[from].iface_count && !sc->nodes[from].autoconf)
            return sc_error(sc, a->from_line, "'%s' has no address", a->from);
        struct naru_addr addr;
        uint32_t to = sc_find_node(sc, a->to);
        bool is_addr = to == SC_NONE && naru_addr_parse(a->to, &addr) == 0;
        if (to == SC_NONE && !is_addr)
            return sc_error(sc, a->to_line, "there is no node named '%s'", a->to);
        if (to != SC_NONE && sc->nodes[to].kind == SC_SWITCH)
            return sc_error(sc, a->to_line, "'%s' is a switch: it has no address", a->to);
        if (to != SC_NONE && !sc->nodes[to].iface_count && !sc->nodes[to].autoconf)
            return sc_error(sc, a->to_line, "'%s' has no address", a->to);
        if (is_addr && k != NARU_SIM_PING && k != NARU_SIM_TRACEROUTE)
            return sc_error(sc, a->to_line, "'%s' needs a node's name in to: the %s runs there", a->name,
                            k == NARU_SIM_HTTP_GET ? "web server" : "receiver");
        if (!check_family(sc, a, to, &addr))
            return false;
        if (to == from)
            return sc_error(sc, a->to_line, "'%s' goes from %s to itself", a->name, a->from);
        if (a->config.start > sc->time_limit)
            return sc_error(sc, a->line, "'%s' starts after the time limit", a->name);
        sc->nodes[from].apps++;
        if (to != SC_NONE)
            sc->nodes[to].apps++;
    }
    return true;
}

/* ---- sizes ---- */

/* How routes are made for each node, and how many stacks each can reach
 * in one hop (its neighbour cache's size). */
static void resolve_nodes(struct naru_scenario *sc)
{
    for (uint32_t n = 0; n < sc->node_count; n++) {
        struct sc_node *node = &sc->nodes[n];
        enum sc_routing r = node->routing ? node->routing : sc->routing;
        node->computes = node->kind != SC_SWITCH && r == SC_ROUTING_SHORTEST;
    }
}

static bool count_neighbours(struct naru_scenario *sc)
{
    bool ipv6 = false;
    for (uint32_t i = 0; i < sc->iface_count; i++) {
        const struct sc_iface *f = &sc->ifaces[i];
        sc->nodes[f->node].neighbours += sc->networks[f->network].iface_count - 1;
        ipv6 |= f->addr.family == NARU_AF_INET6;
    }
    if (!ipv6)
        return true;
    /* With IPv6, every stack on a segment may be met by its link-local
     * address and by one SLAAC formed, besides those written. */
    uint32_t *stacks = calloc(sc->link_count + sc->node_count + 1, sizeof *stacks);
    if (!stacks)
        return sc_error(sc, 0, "out of memory");
    for (uint32_t i = 0; i < sc->link_count; i++)
        for (int e = 0; e < 2; e++)
            stacks[sc->links[i].segment] += sc->nodes[sc->links[i].end[e].node].kind != SC_SWITCH;
    for (uint32_t i = 0; i < sc->link_count; i++)
        for (int e = 0; e < 2; e++)
            if (sc->nodes[sc->links[i].end[e].node].kind != SC_SWITCH)
                sc->nodes[sc->links[i].end[e].node].neighbours += 2 * (stacks[sc->links[i].segment] - 1);
    free(stacks);
    return true;
}

bool sc_check(struct naru_scenario *sc)
{
    if (sc->node_count == 0)
        return sc_error(sc, 0, "no nodes: declare [host NAME], [router NAME] and [link NAME] sections");
    if (!check_links(sc) || !sc_net_build(sc) || !check_autoconf(sc) || !sc_static_index(sc) || !check_routes(sc))
        return false;
    resolve_nodes(sc);
    if (!count_neighbours(sc))
        return false;
    bool computes = false;
    for (uint32_t n = 0; n < sc->node_count && !computes; n++)
        computes = sc->nodes[n].computes;
    if (computes && !sc_routes_compute(sc))
        return false;
    return check_loops(sc) && check_apps(sc);
}
