/* Checking a scenario as a whole before anything runs: links join nodes
 * that exist, addresses are unique and sensible, every gateway is a
 * neighbour, applications name real nodes, and no route sends a packet
 * round in a circle. */
#include "sim/scenario_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "naru/dns.h"

static const char *kind_word(enum sc_node_kind k)
{
    return k == SC_HOST ? "host" : k == SC_ROUTER ? "router" : "switch";
}

static void ip_text(uint32_t a, char buf[NARU_IP4_STRLEN])
{
    naru_ip4_format(a, buf);
}

/* ---- layer 2: which links are one Ethernet segment (joined by switches) ---- */

static int find(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static bool check_links(struct naru_scenario *sc)
{
    int *parent = calloc(sc->link_count + sc->node_count + 1, sizeof *parent);
    if (!parent)
        return sc_error(sc, 0, "out of memory");
    /* Links are 0..L-1; a switch is L + its node index. */
    for (unsigned i = 0; i < sc->link_count + sc->node_count; i++)
        parent[i] = (int)i;
    bool ok = true;
    for (unsigned i = 0; i < sc->link_count && ok; i++) {
        struct sc_link *l = &sc->links[i];
        for (int e = 0; e < 2 && ok; e++) {
            if (!l->end_set[e]) {
                ok = sc_error(sc, l->line, "[link %s] needs %c = NODE A.B.C.D/LEN", l->name, 'a' + e);
                break;
            }
            struct sc_end *end = &l->end[e];
            end->node = sc_find_node(sc, end->node_name);
            if (end->node < 0) {
                ok = sc_error(sc, end->line, "link '%s' goes to '%s', but there is no node of that name", l->name,
                              end->node_name);
                break;
            }
            struct sc_node *n = &sc->nodes[end->node];
            if (n->kind == SC_SWITCH && end->has_addr)
                ok = sc_error(sc, end->line, "'%s' is a switch: a switch port has no address", n->name);
            else if (n->kind != SC_SWITCH && !end->has_addr)
                ok = sc_error(sc, end->line, "%s '%s' needs an address on this link: %c = %s A.B.C.D/LEN",
                              kind_word(n->kind), n->name, 'a' + e, n->name);
            else if (n->kind != SC_SWITCH && ++n->interfaces > SC_MAX_INTERFACES)
                ok = sc_error(sc, end->line, "'%s' has more than %d interfaces", n->name, SC_MAX_INTERFACES);
            if (ok && n->kind != SC_SWITCH) {
                uint32_t mtu = l->config.mtu ? l->config.mtu : 1500;
                if (mtu > n->max_mtu)
                    n->max_mtu = mtu;
            }
        }
        if (!ok)
            break;
        if (l->end[0].node == l->end[1].node) {
            ok = sc_error(sc, l->end[1].line, "link '%s' joins '%s' to itself", l->name, l->end[0].node_name);
            break;
        }
        /* Two stacks on one wire must share a network to talk at all. */
        struct sc_end *a = &l->end[0], *b = &l->end[1];
        if (a->has_addr && b->has_addr) {
            uint32_t mask = naru_prefix_mask(a->prefix < b->prefix ? a->prefix : b->prefix);
            if ((a->addr & mask) != (b->addr & mask)) {
                char x[NARU_IP4_STRLEN], y[NARU_IP4_STRLEN];
                ip_text(a->addr, x);
                ip_text(b->addr, y);
                ok = sc_error(sc, b->line, "%s/%u and %s/%u are not on one network, so link '%s' cannot carry "
                                           "anything between them",
                              x, a->prefix, y, b->prefix, l->name);
                break;
            }
        }
        for (int e = 0; e < 2; e++) {
            struct sc_end *end = &l->end[e];
            if (sc->nodes[end->node].kind != SC_SWITCH)
                continue;
            int sw = (int)sc->link_count + end->node;
            int ra = find(parent, (int)i), rb = find(parent, sw);
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
    for (unsigned i = 0; i < sc->link_count && ok; i++)
        sc->links[i].segment = find(parent, (int)i);
    free(parent);
    return ok;
}

/* ---- layer 3 ---- */

struct iface {
    int node;
    uint32_t addr;
    uint8_t prefix;
    int segment, line;
};

static unsigned list_ifaces(const struct naru_scenario *sc, struct iface *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < sc->link_count; i++)
        for (int e = 0; e < 2; e++)
            if (sc->links[i].end[e].has_addr)
                out[n++] = (struct iface){ sc->links[i].end[e].node, sc->links[i].end[e].addr,
                                           sc->links[i].end[e].prefix, sc->links[i].segment,
                                           sc->links[i].end[e].line };
    return n;
}

static const struct iface *owner(const struct iface *ifs, unsigned n, uint32_t addr)
{
    for (unsigned i = 0; i < n; i++)
        if (ifs[i].addr == addr)
            return &ifs[i];
    return NULL;
}

/* The route node `n` would use for dst: its own network (connected, with
 * *via == NULL) or a static route; false when it has none. */
static bool lookup(const struct naru_scenario *sc, const struct iface *ifs, unsigned nifs, int n, uint32_t dst,
                   const struct sc_route **via)
{
    int best = -1;
    *via = NULL;
    for (unsigned i = 0; i < nifs; i++) {
        if (ifs[i].node != n)
            continue;
        uint32_t mask = naru_prefix_mask(ifs[i].prefix);
        if ((dst & mask) == (ifs[i].addr & mask) && ifs[i].prefix > best)
            best = ifs[i].prefix;
    }
    const struct sc_node *node = &sc->nodes[n];
    for (unsigned r = 0; r < node->route_count; r++) {
        const struct sc_route *rt = &node->routes[r];
        if ((dst & naru_prefix_mask(rt->prefix)) == rt->dst && (int)rt->prefix > best) {
            best = rt->prefix;
            *via = rt;
        }
    }
    return best >= 0;
}

static bool check_addresses(struct naru_scenario *sc, const struct iface *ifs, unsigned nifs)
{
    for (unsigned i = 0; i < nifs; i++) {
        for (unsigned j = 0; j < i; j++) {
            if (ifs[i].addr == ifs[j].addr) {
                char a[NARU_IP4_STRLEN];
                ip_text(ifs[i].addr, a);
                return sc_error(sc, ifs[i].line, "the address %s is already on line %d", a, ifs[j].line);
            }
        }
        struct sc_node *n = &sc->nodes[ifs[i].node];
        if (!n->first_addr)
            n->first_addr = ifs[i].addr;
    }
    return true;
}

static bool check_routes(struct naru_scenario *sc, const struct iface *ifs, unsigned nifs)
{
    char a[NARU_IP4_STRLEN];
    for (unsigned n = 0; n < sc->node_count; n++) {
        struct sc_node *node = &sc->nodes[n];
        for (unsigned r = 0; r < node->route_count; r++) {
            const struct sc_route *rt = &node->routes[r];
            ip_text(rt->gateway, a);
            const struct iface *mine = NULL;
            for (unsigned i = 0; i < nifs; i++) {
                uint32_t mask = naru_prefix_mask(ifs[i].prefix);
                if (ifs[i].node == (int)n && (rt->gateway & mask) == (ifs[i].addr & mask))
                    mine = &ifs[i];
                if (ifs[i].node == (int)n && ifs[i].prefix == rt->prefix &&
                    (ifs[i].addr & naru_prefix_mask(rt->prefix)) == rt->dst)
                    return sc_error(sc, rt->line, "this route is to %s's own network", node->name);
            }
            if (!mine)
                return sc_error(sc, rt->line, "the gateway %s is not on any of %s's networks", a, node->name);
            const struct iface *gw = owner(ifs, nifs, rt->gateway);
            if (!gw)
                return sc_error(sc, rt->line, "no node has the gateway's address %s", a);
            if (gw->node == (int)n)
                return sc_error(sc, rt->line, "the gateway %s is %s itself", a, node->name);
            if (gw->segment != mine->segment)
                return sc_error(sc, rt->line, "the gateway %s (%s) is not on the same link as %s", a,
                                sc->nodes[gw->node].name, node->name);
            if (sc->nodes[gw->node].kind != SC_ROUTER)
                return sc_error(sc, rt->line, "the gateway %s is %s, a host: only a [router] forwards", a,
                                sc->nodes[gw->node].name);
        }
    }
    return true;
}

/* Follow the routes from every node towards dst; a node met twice on the
 * way is a loop. */
static bool check_loops_to(struct naru_scenario *sc, const struct iface *ifs, unsigned nifs, uint32_t dst,
                           uint8_t *visited, int *path)
{
    for (unsigned start = 0; start < sc->node_count; start++) {
        if (sc->nodes[start].kind == SC_SWITCH)
            continue;
        memset(visited, 0, sc->node_count);
        int cur = (int)start, len = 0;
        for (;;) {
            const struct iface *o = owner(ifs, nifs, dst);
            if (o && o->node == cur)
                break;
            const struct sc_route *via;
            if (!lookup(sc, ifs, nifs, cur, dst, &via) || !via)
                break; /* no route, or the destination's own network: no loop */
            if (cur != (int)start && sc->nodes[cur].kind != SC_ROUTER)
                break; /* a host does not forward */
            visited[cur] = 1;
            path[len++] = cur;
            int next = owner(ifs, nifs, via->gateway)->node;
            if (visited[next]) {
                char text[256] = "", a[NARU_IP4_STRLEN];
                size_t used = 0;
                int from = 0;
                while (path[from] != next)
                    from++;
                for (int i = from; i < len && used < sizeof text - 40; i++)
                    used += (size_t)snprintf(text + used, sizeof text - used, "%s -> ", sc->nodes[path[i]].name);
                snprintf(text + used, sizeof text - used, "%s", sc->nodes[next].name);
                ip_text(dst, a);
                return sc_error(sc, via->line, "route loop: packets for %s would go %s and round again", a, text);
            }
            cur = next;
        }
    }
    return true;
}

static bool check_loops(struct naru_scenario *sc, const struct iface *ifs, unsigned nifs)
{
    uint8_t *visited = malloc(sc->node_count + 1);
    int *path = malloc((sc->node_count + 1) * sizeof *path);
    bool ok = visited && path;
    if (!ok)
        sc_error(sc, 0, "out of memory");
    for (unsigned i = 0; i < nifs && ok; i++)
        ok = check_loops_to(sc, ifs, nifs, ifs[i].addr, visited, path);
    for (unsigned n = 0; n < sc->node_count && ok; n++)
        for (unsigned r = 0; r < sc->nodes[n].route_count && ok; r++)
            ok = check_loops_to(sc, ifs, nifs, sc->nodes[n].routes[r].dst | (sc->nodes[n].routes[r].prefix < 32),
                                visited, path);
    free(visited);
    free(path);
    return ok;
}

/* ---- applications ---- */

/* A node that runs things: a host or router with an address. */
static bool runner(struct naru_scenario *sc, const char *name, int line, int *out)
{
    int n = sc_find_node(sc, name);
    if (n < 0)
        return sc_error(sc, line, "there is no node named '%s'", name);
    if (sc->nodes[n].kind == SC_SWITCH)
        return sc_error(sc, line, "'%s' is a switch: applications run on hosts and routers", name);
    if (!sc->nodes[n].first_addr)
        return sc_error(sc, line, "'%s' has no address", name);
    *out = n;
    return true;
}

/* The zone file is read now, so its mistakes stop the scenario before it
 * runs; a relative path is taken from the scenario file's folder. */
static bool check_zone(struct naru_scenario *sc, struct sc_app *a)
{
    if (!a->zone[0])
        return true;
    const char *slash = strrchr(sc->file, '/');
    if (a->zone[0] == '/' || !slash)
        snprintf(a->zone_path, sizeof a->zone_path, "%s", a->zone);
    else
        snprintf(a->zone_path, sizeof a->zone_path, "%.*s/%s", (int)(slash - sc->file), sc->file, a->zone);
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    struct naru_dns_server *server;
    if (naru_dns_server_create(&c, &server) < 0)
        return sc_error(sc, a->zone_line, "out of memory");
    char why[256] = "";
    int err = naru_dns_server_load_zone(server, a->origin[0] ? a->origin : NULL, a->zone_path, why, sizeof why);
    naru_dns_server_destroy(server);
    if (err < 0)
        return sc_error(sc, a->zone_line, "the zone does not load: %s", why);
    return true;
}

static bool check_dns(struct naru_scenario *sc, struct sc_app *a)
{
    int n;
    if (a->config.kind == NARU_SIM_DNS_SERVER) {
        if (!a->from[0])
            return sc_error(sc, a->line, "'%s' needs on = NODE (where the server runs)", a->name);
        return runner(sc, a->from, a->from_line, &n) && check_zone(sc, a);
    }
    if (!a->from[0])
        return sc_error(sc, a->line, "'%s' needs from = NODE (where the lookup runs)", a->name);
    if (!runner(sc, a->from, a->from_line, &n))
        return false;
    if (!a->query[0])
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
    uint32_t addr;
    if (naru_ip4_parse(a->to, &addr) == 0)
        return true;
    return runner(sc, a->to, a->to_line, &n);
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
        int from = sc_find_node(sc, a->from);
        if (from < 0)
            return sc_error(sc, a->from_line, "there is no node named '%s'", a->from);
        if (sc->nodes[from].kind == SC_SWITCH)
            return sc_error(sc, a->from_line, "'%s' is a switch: applications run on hosts and routers", a->from);
        if (!sc->nodes[from].first_addr)
            return sc_error(sc, a->from_line, "'%s' has no address", a->from);
        uint32_t addr;
        int to = sc_find_node(sc, a->to);
        if (to < 0 && naru_ip4_parse(a->to, &addr) < 0)
            return sc_error(sc, a->to_line, "there is no node named '%s'", a->to);
        if (to >= 0 && sc->nodes[to].kind == SC_SWITCH)
            return sc_error(sc, a->to_line, "'%s' is a switch: it has no address", a->to);
        if (to < 0 && k != NARU_SIM_PING && k != NARU_SIM_TRACEROUTE)
            return sc_error(sc, a->to_line, "'%s' needs a node's name in to: the %s runs there", a->name,
                            k == NARU_SIM_HTTP_GET ? "web server" : "receiver");
        if (to == from)
            return sc_error(sc, a->to_line, "'%s' goes from %s to itself", a->name, a->from);
        if (a->config.start > sc->time_limit)
            return sc_error(sc, a->line, "'%s' starts after the time limit", a->name);
    }
    return true;
}

bool sc_check(struct naru_scenario *sc)
{
    if (sc->node_count == 0)
        return sc_error(sc, 0, "no nodes: declare [host NAME], [router NAME] and [link NAME] sections");
    if (!check_links(sc))
        return false;
    struct iface *ifs = calloc(2 * sc->link_count + 1, sizeof *ifs);
    if (!ifs)
        return sc_error(sc, 0, "out of memory");
    unsigned nifs = list_ifaces(sc, ifs);
    bool ok = check_addresses(sc, ifs, nifs) && check_routes(sc, ifs, nifs) && check_loops(sc, ifs, nifs) &&
              check_apps(sc);
    free(ifs);
    return ok;
}
