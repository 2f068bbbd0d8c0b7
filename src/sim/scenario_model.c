/* The scenario model's own operations: making an empty one with the
 * defaults, finding a node, link or application by name (a hash index, so
 * ten thousand of them cost no more to find than ten), recording the first
 * error, freeing it. */
#include "sim/scenario_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_routing.h"

struct naru_scenario *sc_new(const char *file, char *error, size_t error_cap)
{
    struct naru_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    snprintf(sc->file, sizeof sc->file, "%s", file);
    sc->error = error;
    sc->error_cap = error_cap;
    if (error_cap)
        error[0] = '\0';
    sc->time_limit = 60 * NARU_SEC;
    sc->seed = 1;
    sc->report = REPORT_APPS | REPORT_LINKS;
    sc->routing = SC_ROUTING_STATIC;
    return sc;
}

bool sc_error(struct naru_scenario *sc, int line, const char *fmt, ...)
{
    if (sc->failed)
        return false;
    sc->failed = true;
    if (!sc->error || !sc->error_cap)
        return false;
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0 && sc->member)
        snprintf(sc->error, sc->error_cap, "%s:%d: %s: %s", sc->file, line, sc->member, what);
    else if (line > 0)
        snprintf(sc->error, sc->error_cap, "%s:%d: %s", sc->file, line, what);
    else
        snprintf(sc->error, sc->error_cap, "%s: %s", sc->file, what);
    return false;
}

/* ---- names ---- */

static uint64_t name_hash(const char *name)
{
    return sim_hash_bytes(name, strlen(name), 0);
}

struct name_query {
    const struct naru_scenario *sc;
    const char *name;
};

static const char *node_name(const struct naru_scenario *sc, uint32_t n) { return sc->nodes[n].name; }
static const char *link_name(const struct naru_scenario *sc, uint32_t n) { return sc->links[n].name; }
static const char *app_name(const struct naru_scenario *sc, uint32_t n) { return sc->apps[n].name; }

static bool same_node(const void *ctx, uint32_t e)
{
    const struct name_query *q = ctx;
    return !strcmp(node_name(q->sc, e), q->name);
}
static bool same_link(const void *ctx, uint32_t e)
{
    const struct name_query *q = ctx;
    return !strcmp(link_name(q->sc, e), q->name);
}
static bool same_app(const void *ctx, uint32_t e)
{
    const struct name_query *q = ctx;
    return !strcmp(app_name(q->sc, e), q->name);
}
static uint64_t rehash_node(const void *ctx, uint32_t e) { return name_hash(node_name(ctx, e)); }
static uint64_t rehash_link(const void *ctx, uint32_t e) { return name_hash(link_name(ctx, e)); }
static uint64_t rehash_app(const void *ctx, uint32_t e) { return name_hash(app_name(ctx, e)); }

uint32_t sc_find_node(const struct naru_scenario *sc, const char *name)
{
    struct name_query q = { sc, name };
    return sim_index_find(&sc->node_names, name_hash(name), same_node, &q);
}

bool sc_node_has_family(const struct naru_scenario *sc, uint32_t n, int family)
{
    const struct sc_node *node = &sc->nodes[n];
    for (uint32_t k = 0; k < node->iface_count; k++)
        if (sc->ifaces[sc->ifaces_by_node[node->first_iface + k]].addr.family == family)
            return true;
    return false;
}

uint32_t sc_find_link(const struct naru_scenario *sc, const char *name)
{
    struct name_query q = { sc, name };
    return sim_index_find(&sc->link_names, name_hash(name), same_link, &q);
}

uint32_t sc_find_app(const struct naru_scenario *sc, const char *name)
{
    struct name_query q = { sc, name };
    return sim_index_find(&sc->app_names, name_hash(name), same_app, &q);
}

int sc_name_node(struct naru_scenario *sc, uint32_t n)
{
    return sim_index_add(&sc->node_names, name_hash(sc->nodes[n].name), n, rehash_node, sc);
}

int sc_name_link(struct naru_scenario *sc, uint32_t n)
{
    return sim_index_add(&sc->link_names, name_hash(sc->links[n].name), n, rehash_link, sc);
}

int sc_name_app(struct naru_scenario *sc, uint32_t n)
{
    return sim_index_add(&sc->app_names, name_hash(sc->apps[n].name), n, rehash_app, sc);
}

/* ---- addresses ---- */

unsigned sc_addr_bits(const struct naru_addr *a)
{
    return a->family == NARU_AF_INET6 ? 128 : 32;
}

uint64_t sc_prefix_hash(const struct naru_addr *a, uint8_t prefix, uint64_t seed)
{
    uint8_t key[18];
    key[0] = a->family;
    key[1] = prefix;
    size_t n = 2;
    if (a->family == NARU_AF_INET6) {
        memcpy(key + 2, a->v6, 16);
        n += 16;
    } else {
        memcpy(key + 2, &a->v4, 4);
        n += 4;
    }
    return sim_hash_bytes(key, n, seed);
}

bool sc_addr_add(struct naru_addr *a, uint64_t n)
{
    if (a->family == NARU_AF_INET) {
        if (n > UINT32_MAX - a->v4)
            return false;
        a->v4 += (uint32_t)n;
        return true;
    }
    /* IPv6: from the last byte up, carrying. */
    uint64_t carry = n;
    for (int i = 15; i >= 0 && carry; i--) {
        uint64_t sum = a->v6[i] + (carry & 0xff);
        a->v6[i] = (uint8_t)sum;
        carry = (carry >> 8) + (sum >> 8);
    }
    return carry == 0;
}

void naru_scenario_free(struct naru_scenario *sc)
{
    if (!sc)
        return;
    naru_sim_apps_destroy(sc->sim_apps);
    naru_sim_destroy(sc->sim);
    for (unsigned i = 0; i < sc->node_count; i++) {
        free(sc->nodes[i].routes);
        free(sc->nodes[i].adverts);
    }
    for (unsigned i = 0; i < sc->app_count; i++) {
        free(sc->apps[i].zone);
        free(sc->apps[i].zone_path);
        free(sc->apps[i].origin);
        free(sc->apps[i].query);
    }
    sc_routes_free(sc->computed);
    free(sc->nodes);
    free(sc->links);
    free(sc->apps);
    free(sc->pools);
    free(sc->ifaces);
    free(sc->ifaces_by_node);
    free(sc->networks);
    free(sc->net_ifaces);
    free(sc->static_lengths);
    free(sc->static_refs);
    sim_index_free(&sc->node_names);
    sim_index_free(&sc->link_names);
    sim_index_free(&sc->app_names);
    sim_index_free(&sc->addr_index);
    sim_index_free(&sc->node_net_index);
    sim_index_free(&sc->prefix_index);
    sim_index_free(&sc->static_index);
    free(sc);
}
