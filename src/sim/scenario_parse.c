/* Reading scenario files into the model with libinih: every key of every
 * section, its value parsed and range-checked on the spot, so an error
 * names the line it is on. The whole is checked afterwards, by
 * scenario_check.c. Without libinih at build time, reading says so. */
#include "sim/scenario_model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "sim/grow.h"
#include "sim/scenario_template.h"

#ifdef NARU_HAVE_INIH
#include <ini.h>
#endif

/* inih's line buffer is 200 bytes with room for "\r\n\0". */
#define LINE_MAX_CHARS 196

bool naru_scenario_supported(void)
{
#ifdef NARU_HAVE_INIH
    return true;
#else
    return false;
#endif
}

#ifndef NARU_HAVE_INIH

static bool unsupported(struct naru_scenario *sc)
{
    return sc_error(sc, 0, "naru was built without scenario support (install libinih-dev and rebuild)");
}

bool sc_read_file(struct naru_scenario *sc, FILE *file)
{
    (void)file;
    return unsupported(sc);
}

bool sc_read_text(struct naru_scenario *sc, const char *text)
{
    (void)text;
    return unsupported(sc);
}

#else

/* ---- values ---- */

/* A decimal number, then the rest of the text (its unit). */
static bool number(const char *text, double *value, const char **unit)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)text[0]) && !(text[0] == '.' && isdigit((unsigned char)text[1])))
        return false;
    double v = strtod(text, &end);
    if (errno || !isfinite(v) || v < 0)
        return false;
    while (*end == ' ')
        end++;
    *value = v;
    *unit = end;
    return true;
}

static bool unit_is(const char *unit, const char *const *names, double *scale, const double *scales)
{
    for (int i = 0; names[i]; i++) {
        if (!strcmp(unit, names[i])) {
            *scale = scales[i];
            return true;
        }
    }
    return false;
}

static bool parse_time(const char *text, naru_time_t *out)
{
    static const char *const names[] = { "ns", "us", "ms", "s", NULL };
    static const double scales[] = { 1, 1e3, 1e6, 1e9 };
    double v, scale;
    const char *unit;
    if (!number(text, &v, &unit))
        return false;
    if (!*unit && v == 0) {
        *out = 0;
        return true;
    }
    if (!unit_is(unit, names, &scale, scales) || v * scale > 1e18)
        return false;
    *out = (naru_time_t)llround(v * scale);
    return true;
}

static bool parse_rate(const char *text, uint64_t *out)
{
    static const char *const names[] = { "bit/s", "bps", "kbit/s", "kbps", "Mbit/s", "Mbps", "Gbit/s", "Gbps",
                                         "bit", "kbit", "Mbit", "Gbit", NULL };
    static const double scales[] = { 1, 1, 1e3, 1e3, 1e6, 1e6, 1e9, 1e9, 1, 1e3, 1e6, 1e9 };
    double v, scale;
    const char *unit;
    if (!number(text, &v, &unit) || !unit_is(unit, names, &scale, scales) || v * scale > 1e13 || v * scale < 1)
        return false;
    *out = (uint64_t)llround(v * scale);
    return true;
}

static bool parse_size(const char *text, uint64_t *out)
{
    static const char *const names[] = { "", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB", "kB", NULL };
    static const double scales[] = { 1, 1, 1e3, 1e6, 1e9, 1024, 1048576, 1073741824, 1e3 };
    double v, scale;
    const char *unit;
    if (!number(text, &v, &unit) || !unit_is(unit, names, &scale, scales) || v * scale > 1e12 ||
        v * scale != floor(v * scale))
        return false;
    *out = (uint64_t)(v * scale);
    return true;
}

static bool parse_probability(const char *text, double *out)
{
    double v;
    const char *unit;
    if (!number(text, &v, &unit))
        return false;
    if (!strcmp(unit, "%"))
        v /= 100;
    else if (*unit)
        return false;
    if (v > 1)
        return false;
    *out = v;
    return true;
}

static bool parse_uint(const char *text, uint64_t max, uint64_t *out)
{
    double v;
    const char *unit;
    if (!number(text, &v, &unit) || *unit || v != floor(v) || v > (double)max)
        return false;
    *out = (uint64_t)v;
    return true;
}

static bool parse_name(const char *text, char out[SC_NAME_MAX])
{
    size_t n = strlen(text);
    if (n == 0 || n >= SC_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    memcpy(out, text, n + 1);
    return true;
}

/* ---- sections ---- */

static const char *const section_kinds[] = { "scenario", "host", "router", "switch", "link", "ping",
                                             "traceroute", "transfer", "http", "dns", "lookup", NULL };

static bool is_node_kind(const char *kind)
{
    return !strcmp(kind, "host") || !strcmp(kind, "router") || !strcmp(kind, "switch");
}

/* Nodes, links and applications each have their own names: a link may
 * be called after the host it serves. The line of the first, or 0. */
static int name_taken(const struct naru_scenario *sc, const char *kind, const char *name)
{
    uint32_t n;
    if (is_node_kind(kind))
        return (n = sc_find_node(sc, name)) == SC_NONE ? 0 : sc->nodes[n].line;
    if (!strcmp(kind, "link"))
        return (n = sc_find_link(sc, name)) == SC_NONE ? 0 : sc->links[n].line;
    return (n = sc_find_app(sc, name)) == SC_NONE ? 0 : sc->apps[n].line;
}

/* name into a model's name field: parse_name() and open_section() saw it fits. */
static void copy_name(char dst[SC_NAME_MAX], const char *name)
{
    size_t n = strlen(name);
    if (n >= SC_NAME_MAX)
        n = SC_NAME_MAX - 1;
    memcpy(dst, name, n);
    dst[n] = '\0';
}

/* One new node, link or application named `name`: its entry, or -1. */
static int add_member(struct naru_scenario *sc, const char *kind, const char *name, int line)
{
    int first = name_taken(sc, kind, name);
    if (first) {
        sc_error(sc, line, "a second %s named '%s' (the first is on line %d)",
                 !strcmp(kind, "link") ? "link" : is_node_kind(kind) ? "node" : "application", name, first);
        return -1;
    }
    if (is_node_kind(kind)) {
        if (sim_grow((void **)&sc->nodes, &sc->node_cap, sc->node_count, sizeof *sc->nodes) < 0)
            return sc_error(sc, line, "out of memory"), -1;
        struct sc_node *node = &sc->nodes[sc->node_count];
        memset(node, 0, sizeof *node);
        copy_name(node->name, name);
        node->kind = kind[0] == 'h' ? SC_HOST : kind[0] == 'r' ? SC_ROUTER : SC_SWITCH;
        node->line = line;
        if (sc_name_node(sc, sc->node_count) < 0)
            return sc_error(sc, line, "out of memory"), -1;
        return (int)sc->node_count++;
    }
    if (!strcmp(kind, "link")) {
        if (sim_grow((void **)&sc->links, &sc->link_cap, sc->link_count, sizeof *sc->links) < 0)
            return sc_error(sc, line, "out of memory"), -1;
        struct sc_link *l = &sc->links[sc->link_count];
        memset(l, 0, sizeof *l);
        copy_name(l->name, name);
        l->line = line;
        l->pool = SC_NONE;
        l->end[0].node = l->end[1].node = SC_NONE;
        if (sc_name_link(sc, sc->link_count) < 0)
            return sc_error(sc, line, "out of memory"), -1;
        return (int)sc->link_count++;
    }
    if (sim_grow((void **)&sc->apps, &sc->app_cap, sc->app_count, sizeof *sc->apps) < 0)
        return sc_error(sc, line, "out of memory"), -1;
    struct sc_app *a = &sc->apps[sc->app_count];
    memset(a, 0, sizeof *a);
    copy_name(a->name, name);
    a->line = line;
    a->config.kind = !strcmp(kind, "ping")         ? NARU_SIM_PING
                     : !strcmp(kind, "traceroute") ? NARU_SIM_TRACEROUTE
                     : !strcmp(kind, "http")       ? NARU_SIM_HTTP_GET
                     : !strcmp(kind, "dns")        ? NARU_SIM_DNS_SERVER
                     : !strcmp(kind, "lookup")     ? NARU_SIM_DNS_LOOKUP
                                                   : NARU_SIM_TCP_TRANSFER;
    if (sc_name_app(sc, sc->app_count) < 0)
        return sc_error(sc, line, "out of memory"), -1;
    return (int)sc->app_count++;
}

/* The name of member k of the open section (open_section() made sure
 * the longest fits in SC_NAME_MAX). */
#define MEMBER_NAME_MAX (SC_NAME_MAX + 24)
static void member_name(const struct sc_section *s, uint32_t k, char out[MEMBER_NAME_MAX])
{
    if (s->range)
        snprintf(out, MEMBER_NAME_MAX, "%s%lld", s->name, s->first + (long long)k);
    else
        snprintf(out, MEMBER_NAME_MAX, "%s", s->name);
}

/* A "[kind name]" or "[kind name1..name9]" line: start a section. */
static void open_section(struct naru_scenario *sc, const char *header, int line)
{
    struct sc_section *s = &sc->section;
    memset(s, 0, sizeof *s);
    s->line = line;
    s->index = -1;
    char kind[16] = "", name[64] = "", extra[8] = "";
    int n = sscanf(header, "%15s %63s %7s", kind, name, extra);
    bool known = false;
    for (int i = 0; section_kinds[i]; i++)
        known |= !strcmp(kind, section_kinds[i]);
    if (n < 1 || !known) {
        sc_error(sc, line, "unknown section '[%s]' (sections: [scenario], [host NAME], [router NAME], "
                           "[switch NAME], [link NAME], [ping|traceroute|transfer|http|dns|lookup NAME])", header);
        return;
    }
    memcpy(s->kind, kind, sizeof s->kind);
    s->members = 1;
    if (!strcmp(kind, "scenario")) {
        if (n != 1) {
            sc_error(sc, line, "[scenario] takes no name");
            return;
        }
        if (sc->have_scenario_section) {
            sc_error(sc, line, "a second [scenario] section");
            return;
        }
        sc->have_scenario_section = true;
        return;
    }
    if (n != 2) {
        sc_error(sc, line, "[%s] needs one name, like [%s NAME] or [%s NAME1..NAME100]", kind, kind, kind);
        return;
    }
    char prefix[SC_NAME_MAX], why[128];
    long long first, last;
    int range = sc_range_parse(name, prefix, sizeof prefix, &first, &last, why, sizeof why);
    if (range < 0) {
        sc_error(sc, line, "bad range '%s': %s", name, why);
        return;
    }
    s->members = 1;
    if (range) {
        if (last - first + 1 > SC_RANGE_MAX) {
            sc_error(sc, line, "the range '%s' has %lld members (at most %d)", name, last - first + 1, SC_RANGE_MAX);
            return;
        }
        s->range = true;
        s->first = first;
        s->members = (uint32_t)(last - first + 1);
        memcpy(s->name, prefix, sizeof s->name);
        /* The longest member's name must be a good name too. */
        char longest[96];
        snprintf(longest, sizeof longest, "%s%lld", prefix, last);
        char check[SC_NAME_MAX];
        if (!parse_name(longest, check)) {
            sc_error(sc, line, "bad name '%s' (letters, digits, '-', '_', '.'; at most %d)", longest,
                     SC_NAME_MAX - 1);
            return;
        }
    } else if (!parse_name(name, s->name)) {
        sc_error(sc, line, "bad name '%s' (letters, digits, '-', '_', '.'; at most %d)", name, SC_NAME_MAX - 1);
        return;
    }
    for (uint32_t k = 0; k < s->members; k++) {
        char member[MEMBER_NAME_MAX];
        member_name(s, k, member);
        int index = add_member(sc, kind, member, line);
        if (index < 0)
            return;
        if (k == 0)
            s->index = index;
    }
}

/* ---- keys ---- */

struct value {
    struct naru_scenario *sc;
    const char *key, *text;
    int line;
};

static bool bad(struct value *v, const char *want)
{
    return sc_error(v->sc, v->line, "bad %s '%s' (want %s)", v->key, v->text, want);
}

static bool want_time(struct value *v, naru_time_t *out)
{
    return parse_time(v->text, out) || bad(v, "a time such as 10ms, 1.5s or 250us");
}

static bool want_probability(struct value *v, double *out)
{
    return parse_probability(v->text, out) || bad(v, "a probability such as 1% or 0.01");
}

static bool want_uint(struct value *v, uint64_t min, uint64_t max, uint64_t *out)
{
    char range[64];
    snprintf(range, sizeof range, "a whole number from %llu to %llu", (unsigned long long)min,
             (unsigned long long)max);
    return (parse_uint(v->text, max, out) && *out >= min) || bad(v, range);
}

static bool want_size(struct value *v, uint64_t min, uint64_t max, uint64_t *out)
{
    char range[96];
    snprintf(range, sizeof range, "a size from %llu to %llu bytes, such as 1500, 64KB or 10MB",
             (unsigned long long)min, (unsigned long long)max);
    return (parse_size(v->text, out) && *out >= min && *out <= max) || bad(v, range);
}

static bool want_routing(struct value *v, enum sc_routing *out)
{
    if (!strcmp(v->text, "static"))
        *out = SC_ROUTING_STATIC;
    else if (!strcmp(v->text, "shortest"))
        *out = SC_ROUTING_SHORTEST;
    else
        return bad(v, "static (the route lines only) or shortest (shortest paths, by link delay)");
    return true;
}

static bool scenario_key(struct value *v)
{
    struct naru_scenario *sc = v->sc;
    uint64_t u;
    if (!strcmp(v->key, "description")) {
        snprintf(sc->description, sizeof sc->description, "%s", v->text);
        return true;
    }
    if (!strcmp(v->key, "seed")) {
        if (!want_uint(v, 0, UINT64_MAX >> 11, &u))
            return false;
        sc->seed = u;
        return true;
    }
    if (!strcmp(v->key, "time_limit")) {
        if (!want_time(v, &sc->time_limit))
            return false;
        if (sc->time_limit == 0 || sc->time_limit > 86400 * NARU_SEC)
            return bad(v, "a time above 0 and at most a day");
        return true;
    }
    if (!strcmp(v->key, "routing")) {
        sc->routing_line = v->line;
        return want_routing(v, &sc->routing);
    }
    if (!strcmp(v->key, "report")) {
        sc->report = 0;
        char words[200];
        snprintf(words, sizeof words, "%s", v->text);
        for (char *w = strtok(words, ", "); w; w = strtok(NULL, ", ")) {
            if (!strcmp(w, "apps"))
                sc->report |= REPORT_APPS;
            else if (!strcmp(w, "links"))
                sc->report |= REPORT_LINKS;
            else if (!strcmp(w, "counters"))
                sc->report |= REPORT_COUNTERS;
            else
                return sc_error(sc, v->line, "bad report item '%s' (want apps, links and/or counters)", w);
        }
        return true;
    }
    return sc_error(sc, v->line, "unknown key '%s' in [scenario] (description, seed, time_limit, routing, report)",
                    v->key);
}

/* "DEST/LEN via GW" or "default via GW", of either family. */
static bool route_value(struct value *v, struct sc_node *node, const char *dst_text, const char *gw_text)
{
    struct sc_route r = { .line = v->line, .gateway_iface = SC_NONE, .out_iface = SC_NONE };
    if (naru_addr_parse(gw_text, &r.gateway) < 0 || naru_addr_is_unspecified(&r.gateway))
        return sc_error(v->sc, v->line, "bad gateway address '%s'", gw_text);
    if (!strcmp(dst_text, "default")) {
        r.dst = r.gateway.family == NARU_AF_INET ? naru_addr_v4(0) : naru_addr_mask(&r.gateway, 0);
        r.prefix = 0;
    } else if (naru_prefix_parse(dst_text, &r.dst, &r.prefix) < 0) {
        return sc_error(v->sc, v->line, "bad route destination '%s' (want ADDRESS/LEN or default)", dst_text);
    }
    struct naru_addr masked = naru_addr_mask(&r.dst, r.prefix);
    if (!naru_addr_equal(&masked, &r.dst)) {
        char text[NARU_ADDR_STRLEN];
        return sc_error(v->sc, v->line, "route destination '%s' has host bits set (did you mean %s/%u?)", dst_text,
                        naru_addr_format(&masked, text), r.prefix);
    }
    if (r.dst.family != r.gateway.family)
        return sc_error(v->sc, v->line, "the route to %s goes via %s, an address of the other family", dst_text,
                        gw_text);
    if (sim_grow((void **)&node->routes, &node->route_cap, node->route_count, sizeof *node->routes) < 0)
        return sc_error(v->sc, v->line, "out of memory");
    node->routes[node->route_count++] = r;
    return true;
}

/* "yes" (every IPv6 network of its own), or one of its IPv6 prefixes:
 * router advertisements on the links they are on (RFC 4861 6.2). */
static bool advertise_value(struct value *v, struct sc_node *node)
{
    if (node->kind != SC_ROUTER)
        return sc_error(v->sc, v->line, "only a [router] sends router advertisements");
    struct sc_advert a = { .line = v->line };
    if (!strcmp(v->text, "yes")) {
        a.all = true;
    } else {
        if (naru_prefix_parse(v->text, &a.prefix, &a.len) < 0 || a.prefix.family != NARU_AF_INET6)
            return bad(v, "yes, or an IPv6 prefix of the router's own such as 2001:db8:1::/64");
        struct naru_addr masked = naru_addr_mask(&a.prefix, a.len);
        if (!naru_addr_equal(&masked, &a.prefix))
            return sc_error(v->sc, v->line, "the prefix '%s' has host bits set", v->text);
        if (naru_addr_is_link_local(&a.prefix) || a.prefix.v6[0] == 0xff)
            return sc_error(v->sc, v->line, "'%s' is link-local or multicast: routers advertise other prefixes",
                            v->text);
    }
    if (sim_grow((void **)&node->adverts, &node->advert_cap, node->advert_count, sizeof *node->adverts) < 0)
        return sc_error(v->sc, v->line, "out of memory");
    node->adverts[node->advert_count++] = a;
    return true;
}

static bool node_key(struct value *v, struct sc_node *node)
{
    if (node->kind == SC_SWITCH)
        return sc_error(v->sc, v->line, "unknown key '%s': a [switch] has no keys", v->key);
    if (!strcmp(v->key, "gateway")) {
        /* One of each family: a dual-stack host's two ways out. */
        char gw[2][64], extra[8];
        int n = sscanf(v->text, "%63s %63s %7s", gw[0], gw[1], extra);
        if (n < 1 || n > 2)
            return bad(v, "a gateway's address, or an IPv4 and an IPv6 one");
        for (int i = 0; i < n; i++)
            if (!route_value(v, node, "default", gw[i]))
                return false;
        return true;
    }
    if (!strcmp(v->key, "advertise"))
        return advertise_value(v, node);
    if (!strcmp(v->key, "route")) {
        char dst[64], via[8], gw[64], extra[8];
        if (sscanf(v->text, "%63s %7s %63s %7s", dst, via, gw, extra) != 3 || strcmp(via, "via"))
            return bad(v, "DEST/LEN via GATEWAY, or default via GATEWAY");
        return route_value(v, node, dst, gw);
    }
    if (!strcmp(v->key, "routing")) {
        node->routing_line = v->line;
        return want_routing(v, &node->routing);
    }
    return sc_error(v->sc, v->line, "unknown key '%s' in [%s %s] (route, gateway, routing%s)", v->key,
                    node->kind == SC_HOST ? "host" : "router", node->name,
                    node->kind == SC_ROUTER ? ", advertise" : "");
}

/* An interface's address: not the network's own, nor IPv4's broadcast. */
static bool interface_address(struct value *v, const char *text, const struct naru_addr *a, uint8_t prefix)
{
    unsigned bits = sc_addr_bits(a);
    if (prefix == 0 || (a->family == NARU_AF_INET && prefix > 32))
        return sc_error(v->sc, v->line, "bad prefix length in '%s'", text);
    if (prefix >= bits - 1)
        return true; /* RFC 3021 /31 and host routes: every address is a host's */
    struct naru_addr net = naru_addr_mask(a, prefix);
    if (naru_addr_equal(&net, a))
        return sc_error(v->sc, v->line, "'%s' is the network address of its network, not a host's", text);
    if (a->family == NARU_AF_INET && (a->v4 | naru_prefix_mask(prefix)) == UINT32_MAX)
        return sc_error(v->sc, v->line, "'%s' is the broadcast address of its network, not a host's", text);
    return true;
}

/* "NODE", or "NODE ADDRESS/LEN ...": at most one IPv4 address, IPv6
 * addresses besides. */
static bool end_value(struct value *v, struct sc_end *e)
{
    char tok[1 + SC_END_ADDRS + 1][64];
    int n = sscanf(v->text, "%63s %63s %63s %63s %63s %63s %63s", tok[0], tok[1], tok[2], tok[3], tok[4], tok[5],
                   tok[6]);
    if (n < 1)
        return bad(v, "NODE ADDRESS/LEN, or a switch's NAME");
    if (n > 1 + SC_END_ADDRS)
        return sc_error(v->sc, v->line, "too many addresses (an IPv4 address and at most %d IPv6 ones)",
                        SC_END_ADDRS - 1);
    if (!parse_name(tok[0], e->node_name))
        return sc_error(v->sc, v->line, "bad node name '%s'", tok[0]);
    e->line = v->line;
    e->node = SC_NONE;
    e->addr_count = 0;
    int v4 = 0;
    for (int i = 1; i < n; i++) {
        const char *cidr = tok[i];
        struct naru_addr a;
        uint8_t prefix;
        if (naru_prefix_parse(cidr, &a, &prefix) < 0 || naru_addr_is_unspecified(&a))
            return sc_error(v->sc, v->line, "bad address '%s' (want A.B.C.D/LEN or an IPv6 address/LEN)", cidr);
        if (!interface_address(v, cidr, &a, prefix))
            return false;
        if (a.family == NARU_AF_INET && v4++)
            return sc_error(v->sc, v->line, "two IPv4 addresses on one link end ('%s'): an interface has one "
                                            "(IPv6 addresses may be several)", cidr);
        if (a.family == NARU_AF_INET6 && i - v4 > SC_END_ADDRS - 1)
            return sc_error(v->sc, v->line, "too many addresses (an IPv4 address and at most %d IPv6 ones)",
                            SC_END_ADDRS - 1);
        if (a.family == NARU_AF_INET6 && naru_addr_is_link_local(&a))
            return sc_error(v->sc, v->line, "'%s' is link-local: every interface forms its own", cidr);
        for (int k = 0; k < e->addr_count; k++)
            if (naru_addr_equal(&e->addr[k], &a))
                return sc_error(v->sc, v->line, "'%s' given twice", cidr);
        e->addr[e->addr_count] = a;
        e->prefix[e->addr_count++] = prefix;
    }
    return true;
}

/* The section's pool: one for all its links, so not a template. */
static bool pool_key(struct value *v, struct sc_link *l, bool subnet)
{
    struct naru_scenario *sc = v->sc;
    struct sc_section *s = &sc->section;
    /* The first member sets the section's pool up; the others join it. */
    bool first = l == &sc->links[s->index];
    if (first && l->pool == SC_NONE) {
        if (sim_grow((void **)&sc->pools, &sc->pool_cap, sc->pool_count, sizeof *sc->pools) < 0)
            return sc_error(sc, v->line, "out of memory");
        memset(&sc->pools[sc->pool_count], 0, sizeof sc->pools[0]);
        sc->pools[sc->pool_count].line = 0;
        l->pool = sc->pool_count++;
    }
    uint32_t pool = sc->links[s->index].pool;
    if (pool == SC_NONE)
        return sc_error(sc, v->line, "out of memory");
    l->pool = pool;
    l->pool_member = (uint32_t)(l - &sc->links[s->index]);
    if (!first)
        return true;
    struct sc_pool *p = &sc->pools[pool];
    char tok[SC_POOL_PREFIXES + 1][64];
    int n = sscanf(v->text, "%63s %63s %63s", tok[0], tok[1], tok[2]);
    if (subnet) {
        if (n < 1 || n > SC_POOL_PREFIXES)
            return bad(v, "a prefix length such as /30 or /64, or one for each of the pool's prefixes (/30 /64)");
        for (int i = 0; i < n; i++) {
            const char *t = tok[i][0] == '/' ? tok[i] + 1 : tok[i];
            uint64_t len;
            if (!parse_uint(t, 128, &len) || len == 0)
                return bad(v, "a prefix length such as /30 or /64, or one for each of the pool's prefixes (/30 /64)");
            p->subnet[i] = (uint8_t)len;
        }
        p->subnet_count = (uint8_t)n;
        p->subnet_line = v->line;
        return true;
    }
    if (n < 1 || n > SC_POOL_PREFIXES)
        return bad(v, "a network such as 10.0.0.0/16 or 2001:db8::/48, or one of each family");
    for (int i = 0; i < n; i++) {
        if (naru_prefix_parse(tok[i], &p->base[i], &p->prefix[i]) < 0)
            return bad(v, "a network such as 10.0.0.0/16 or 2001:db8::/48, or one of each family");
        struct naru_addr masked = naru_addr_mask(&p->base[i], p->prefix[i]);
        if (!naru_addr_equal(&masked, &p->base[i]))
            return sc_error(sc, v->line, "the pool '%s' has host bits set", tok[i]);
        if (i && p->base[i].family == p->base[0].family)
            return sc_error(sc, v->line, "two %s prefixes in one pool: a link end takes at most one address of "
                                         "each family from it",
                            p->base[i].family == NARU_AF_INET ? "IPv4" : "IPv6");
    }
    p->count = (uint8_t)n;
    p->line = v->line;
    return true;
}

static bool link_key(struct value *v, struct sc_link *l)
{
    struct naru_sim_link_config *c = &l->config;
    uint64_t u;
    if (!strcmp(v->key, "a") || !strcmp(v->key, "b")) {
        int i = v->key[0] - 'a';
        l->end_set[i] = true;
        return end_value(v, &l->end[i]);
    }
    if (!strcmp(v->key, "pool") || !strcmp(v->key, "subnet"))
        return pool_key(v, l, v->key[0] == 's');
    if (!strcmp(v->key, "bandwidth"))
        return parse_rate(v->text, &c->rate_bps) || bad(v, "a rate such as 10Mbit, 1Gbit/s or 512kbit");
    if (!strcmp(v->key, "delay"))
        return want_time(v, &c->delay);
    if (!strcmp(v->key, "queue")) {
        if (!want_uint(v, 1, 1000000, &u))
            return false;
        c->queue_frames = (uint32_t)u;
        return true;
    }
    if (!strcmp(v->key, "queue_bytes")) {
        if (!want_size(v, 64, 1u << 31, &u))
            return false;
        c->queue_bytes = (uint32_t)u;
        return true;
    }
    if (!strcmp(v->key, "mtu")) {
        if (!want_uint(v, 68, 9000, &u))
            return false;
        c->mtu = (uint32_t)u;
        return true;
    }
    if (!strcmp(v->key, "loss"))
        return want_probability(v, &c->loss);
    if (!strcmp(v->key, "gilbert_p"))
        return want_probability(v, &c->ge_p);
    if (!strcmp(v->key, "gilbert_r"))
        return want_probability(v, &c->ge_r);
    if (!strcmp(v->key, "gilbert_h"))
        return want_probability(v, &c->ge_h);
    if (!strcmp(v->key, "gilbert_good_loss"))
        return want_probability(v, &c->ge_good_loss);
    if (!strcmp(v->key, "reorder"))
        return want_probability(v, &c->reorder);
    if (!strcmp(v->key, "reorder_delay"))
        return want_time(v, &c->reorder_delay);
    if (!strcmp(v->key, "duplicate"))
        return want_probability(v, &c->duplicate);
    if (!strcmp(v->key, "corrupt"))
        return want_probability(v, &c->corrupt);
    return sc_error(v->sc, v->line,
                    "unknown key '%s' in [link %s] (a, b, pool, subnet, bandwidth, delay, queue, queue_bytes, mtu, "
                    "loss, gilbert_p, gilbert_r, gilbert_h, gilbert_good_loss, reorder, reorder_delay, duplicate, "
                    "corrupt)",
                    v->key, l->name);
}

/* A DNS name in presentation form: labels of letters, digits, '-' and
 * '_', dots between; the resolver and the zone loader check the rest. */
static bool dns_name(const char *text)
{
    size_t n = strlen(text);
    if (n == 0 || n > 253 || text[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            return false;
        if (c == '.' && i + 1 < n && text[i + 1] == '.')
            return false;
    }
    return true;
}

static bool set_text(struct value *v, char **field)
{
    size_t n = strlen(v->text) + 1;
    char *copy = malloc(n);
    if (!copy)
        return sc_error(v->sc, v->line, "out of memory");
    memcpy(copy, v->text, n);
    free(*field);
    *field = copy;
    return true;
}

/* A node's name, or (where an address will do) an address of either family. */
static bool node_or_address(struct value *v, char *out, size_t cap, bool address_ok, const char *want)
{
    char name[SC_NAME_MAX];
    struct naru_addr a;
    if (parse_name(v->text, name) && (naru_addr_parse(v->text, &a) < 0 || !address_ok)) {
        snprintf(out, cap, "%s", name);
        return true;
    }
    if (address_ok && naru_addr_parse(v->text, &a) == 0 && strlen(v->text) < cap) {
        snprintf(out, cap, "%s", v->text);
        return true;
    }
    return bad(v, want);
}

/* `family = 4` or `6`: which of a named node's addresses to use. */
static bool family_value(struct value *v, struct sc_app *a)
{
    if (strcmp(v->text, "4") && strcmp(v->text, "6"))
        return bad(v, "4 or 6");
    a->family = v->text[0] == '4' ? NARU_AF_INET : NARU_AF_INET6;
    a->family_line = v->line;
    return true;
}

static bool dns_key(struct value *v, struct sc_app *a)
{
    uint64_t u;
    if (a->config.kind == NARU_SIM_DNS_SERVER) {
        if (!strcmp(v->key, "on")) {
            a->from_line = v->line;
            return parse_name(v->text, a->from) || bad(v, "a node's name");
        }
        if (!strcmp(v->key, "origin")) {
            if (!dns_name(v->text) || strlen(v->text) > 127)
                return bad(v, "a domain name such as example.test");
            return set_text(v, &a->origin);
        }
        if (!strcmp(v->key, "zone")) {
            if (strlen(v->text) > 255)
                return bad(v, "a shorter file name");
            a->zone_line = v->line;
            return set_text(v, &a->zone);
        }
        if (!strcmp(v->key, "port")) {
            if (!want_uint(v, 1, 65535, &u))
                return false;
            a->config.port = (uint16_t)u;
            return true;
        }
        return sc_error(v->sc, v->line, "unknown key '%s' in [dns %s] (on, origin, zone, port)", v->key, a->name);
    }
    if (!strcmp(v->key, "from")) {
        a->from_line = v->line;
        return parse_name(v->text, a->from) || bad(v, "a node's name");
    }
    if (!strcmp(v->key, "server")) {
        a->to_line = v->line;
        return node_or_address(v, a->to, sizeof a->to, true, "a node's name or an address");
    }
    if (!strcmp(v->key, "family"))
        return family_value(v, a);
    if (!strcmp(v->key, "type")) {
        if (strcmp(v->text, "A") && strcmp(v->text, "AAAA"))
            return bad(v, "A or AAAA");
        a->config.query_type = v->text[1] ? 28 : 1;
        return true;
    }
    if (!strcmp(v->key, "query")) {
        if (!dns_name(v->text) || strlen(v->text) > 255)
            return bad(v, "a name such as www.example.test");
        return set_text(v, &a->query);
    }
    if (!strcmp(v->key, "start"))
        return want_time(v, &a->config.start);
    if (!strcmp(v->key, "timeout"))
        return want_time(v, &a->config.timeout);
    return sc_error(v->sc, v->line, "unknown key '%s' in [lookup %s] (from, query, type, server, family, start, timeout)",
                    v->key,
                    a->name);
}

static bool app_key(struct value *v, struct sc_app *a, const char *kind)
{
    struct naru_sim_app_config *c = &a->config;
    enum naru_sim_app_kind k = c->kind;
    bool transfer = k == NARU_SIM_TCP_TRANSFER || k == NARU_SIM_UDP_TRANSFER;
    uint64_t u;
    if (k == NARU_SIM_DNS_SERVER || k == NARU_SIM_DNS_LOOKUP)
        return dns_key(v, a);
    if (!strcmp(v->key, "from")) {
        a->from_line = v->line;
        return parse_name(v->text, a->from) || bad(v, "a node's name");
    }
    if (!strcmp(v->key, "to")) {
        a->to_line = v->line;
        return node_or_address(v, a->to, sizeof a->to, true, "a node's name or an address");
    }
    if (!strcmp(v->key, "family"))
        return family_value(v, a);
    if (!strcmp(v->key, "start"))
        return want_time(v, &c->start);
    if (!strcmp(v->key, "timeout") && k != NARU_SIM_HTTP_GET && k != NARU_SIM_TCP_TRANSFER)
        return want_time(v, &c->timeout);
    if (k == NARU_SIM_PING) {
        if (!strcmp(v->key, "count")) {
            if (!want_uint(v, 1, 65535, &u))
                return false;
            c->count = (uint32_t)u;
            return true;
        }
        if (!strcmp(v->key, "interval"))
            return want_time(v, &c->interval);
        if (!strcmp(v->key, "size")) {
            if (!want_size(v, 0, 65000, &u))
                return false;
            c->size = (uint32_t)u;
            return true;
        }
    }
    if (k == NARU_SIM_TRACEROUTE) {
        if (!strcmp(v->key, "max_ttl")) {
            if (!want_uint(v, 1, NARU_SIM_MAX_HOPS, &u))
                return false;
            c->max_ttl = (uint8_t)u;
            return true;
        }
        if (!strcmp(v->key, "queries")) {
            if (!want_uint(v, 1, NARU_SIM_MAX_QUERIES, &u))
                return false;
            c->queries = (uint8_t)u;
            return true;
        }
    }
    if (transfer) {
        if (!strcmp(v->key, "protocol")) {
            if (strcmp(v->text, "tcp") && strcmp(v->text, "udp"))
                return bad(v, "tcp or udp");
            c->kind = v->text[0] == 'u' ? NARU_SIM_UDP_TRANSFER : NARU_SIM_TCP_TRANSFER;
            a->protocol_udp = v->text[0] == 'u';
            return true;
        }
        if (!strcmp(v->key, "bytes"))
            return want_size(v, 1, (uint64_t)1 << 40, &c->bytes);
        if (!strcmp(v->key, "congestion")) {
            if (!strcmp(v->text, "newreno"))
                c->congestion = NARU_SIM_CC_NEWRENO;
            else if (!strcmp(v->text, "cubic"))
                c->congestion = NARU_SIM_CC_CUBIC;
            else
                return bad(v, "newreno or cubic");
            return true;
        }
        if (!strcmp(v->key, "rate"))
            return parse_rate(v->text, &c->rate_bps) || bad(v, "a rate such as 10Mbit");
        if (!strcmp(v->key, "size")) {
            if (!want_size(v, 17, 65507, &u))
                return false;
            c->size = (uint32_t)u;
            return true;
        }
        if (!strcmp(v->key, "buffer")) {
            /* SO_SNDBUF and SO_RCVBUF of both ends, fixed: no autotuning. */
            if (!want_size(v, 2048, 1u << 30, &u))
                return false;
            c->socket_buffer = (uint32_t)u;
            return true;
        }
    }
    if (transfer || k == NARU_SIM_HTTP_GET) {
        if (!strcmp(v->key, "port")) {
            if (!want_uint(v, 1, 65535, &u))
                return false;
            c->port = (uint16_t)u;
            return true;
        }
    }
    if (k == NARU_SIM_HTTP_GET) {
        if (!strcmp(v->key, "size"))
            return want_size(v, 1, (uint64_t)1 << 34, &c->bytes);
    }
    static const char *const keys[] = {
        [NARU_SIM_PING] = "from, to, family, start, count, interval, size, timeout",
        [NARU_SIM_TRACEROUTE] = "from, to, family, start, max_ttl, queries, timeout",
        [NARU_SIM_UDP_TRANSFER] = "from, to, family, start, protocol, bytes, congestion, buffer, rate, size, port, "
                                  "timeout",
        [NARU_SIM_TCP_TRANSFER] = "from, to, family, start, protocol, bytes, congestion, buffer, rate, size, port, "
                                  "timeout",
        [NARU_SIM_HTTP_GET] = "from, to, family, start, size, port",
        [NARU_SIM_DNS_SERVER] = "on, origin, zone, port",
        [NARU_SIM_DNS_LOOKUP] = "from, query, type, server, family, start, timeout",
    };
    return sc_error(v->sc, v->line, "unknown key '%s' in [%s %s] (%s)", v->key, kind, a->name, keys[k]);
}

/* Keys a section may repeat; any other given twice is an error. */
static bool repeatable(const struct sc_section *s, const char *key)
{
    return (!strcmp(key, "route") || !strcmp(key, "advertise")) &&
           (!strcmp(s->kind, "host") || !strcmp(s->kind, "router"));
}

/* One key of the open section for its member k, the value already
 * expanded for it. */
static bool member_key(struct naru_scenario *sc, const char *key, const char *text, uint32_t k)
{
    struct sc_section *s = &sc->section;
    struct value v = { sc, key, text, sc->line };
    if (!strcmp(s->kind, "scenario"))
        return scenario_key(&v);
    if (!strcmp(s->kind, "link"))
        return link_key(&v, &sc->links[s->index + (int)k]);
    if (is_node_kind(s->kind))
        return node_key(&v, &sc->nodes[s->index + (int)k]);
    return app_key(&v, &sc->apps[s->index + (int)k], s->kind);
}

static bool section_key(struct naru_scenario *sc, const char *key, const char *text)
{
    struct sc_section *s = &sc->section;
    if (!s->range || !sc_template_has(text)) {
        bool ok = true;
        for (uint32_t k = 0; k < s->members && ok; k++)
            ok = member_key(sc, key, text, k);
        return ok;
    }
    /* A pool is one for all the section's links. */
    if (!strcmp(s->kind, "link") && (!strcmp(key, "pool") || !strcmp(key, "subnet")))
        return sc_error(sc, sc->line, "a %s is one for all the section's links: its value has no {...}", key);
    /* A template: each member its own value. */
    char value[512], why[160], member[MEMBER_NAME_MAX];
    for (uint32_t k = 0; k < s->members; k++) {
        member_name(s, k, member);
        sc->member = member;
        bool ok = sc_template_expand(text, s->first + (long long)k, value, sizeof value, why, sizeof why)
                      ? member_key(sc, key, value, k)
                      : sc_error(sc, sc->line, "%s = %s: %s", key, text, why);
        sc->member = NULL;
        if (!ok)
            return false;
    }
    return true;
}

static int handler(void *user, const char *section, const char *key, const char *text)
{
    (void)section; /* the reader saw the header first, with its line */
    struct naru_scenario *sc = user;
    struct sc_section *s = &sc->section;
    if (sc->failed)
        return 1; /* the first error is the one reported */
    if (!s->kind[0]) {
        if (!s->line)
            sc_error(sc, sc->line, "'%s' comes before any [section]", key);
        return 1;
    }
    if (!repeatable(s, key)) {
        for (unsigned i = 0; i < s->seen_count; i++) {
            if (!strcmp(s->seen[i], key)) {
                sc_error(sc, sc->line, "'%s' given twice in this section (first on line %d)%s", key,
                         s->seen_line[i], sc->line == s->seen_line[i] + 1 ? "; an indented line continues the one above it" : "");
                return 1;
            }
        }
    }
    bool ok = section_key(sc, key, text);
    /* Remember the key by one of our own strings: inih's is gone after. */
    static const char *const known[] = { "description", "seed", "time_limit", "report", "routing", "gateway", "a",
                                         "b", "pool", "subnet", "bandwidth", "delay", "queue", "queue_bytes", "mtu",
                                         "loss", "gilbert_p", "gilbert_r", "gilbert_h", "gilbert_good_loss",
                                         "reorder", "reorder_delay", "duplicate", "corrupt", "from", "to", "start",
                                         "timeout", "count", "interval", "size", "max_ttl", "queries", "protocol",
                                         "bytes", "rate", "port", "congestion", "buffer", "on", "origin", "zone",
                                         "server", "query", "family", "type", NULL };
    for (int i = 0; ok && known[i]; i++) {
        if (!strcmp(known[i], key) && s->seen_count < SC_MAX_KEYS) {
            s->seen[s->seen_count] = known[i];
            s->seen_line[s->seen_count++] = sc->line;
        }
    }
    return 1;
}

/* Lines come through here, so we know each one's number, see section
 * headers (inih tells the handler nothing of a section without keys) and
 * catch lines too long for inih's buffer. */
struct source {
    struct naru_scenario *sc;
    FILE *file;
    const char *text;
    size_t pos;
    int next_line;
};

static char *read_line(char *buf, int size, void *stream)
{
    struct source *src = stream;
    struct naru_scenario *sc = src->sc;
    char line[1024];
    size_t n = 0;
    bool got = false;
    for (;;) {
        int c;
        if (src->file) {
            c = fgetc(src->file);
        } else {
            c = src->text[src->pos] ? (unsigned char)src->text[src->pos] : EOF;
            if (c != EOF)
                src->pos++;
        }
        if (c == EOF)
            break;
        got = true;
        if (n < sizeof line - 1)
            line[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (!got)
        return NULL;
    line[n] = '\0';
    sc->line = ++src->next_line;
    size_t content = n;
    while (content && (line[content - 1] == '\n' || line[content - 1] == '\r'))
        content--;
    if (content > LINE_MAX_CHARS || (size_t)size < content + 3) {
        sc_error(sc, sc->line, "line too long (at most %d characters)", LINE_MAX_CHARS);
        snprintf(buf, (size_t)size, "\n");
        return buf;
    }
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '[' && !sc->failed) {
        const char *end = strchr(p, ']');
        if (!end) {
            sc_error(sc, sc->line, "a section header without its ']'");
        } else {
            char header[128];
            size_t hn = (size_t)(end - p - 1);
            if (hn >= sizeof header)
                hn = sizeof header - 1;
            memcpy(header, p + 1, hn);
            header[hn] = '\0';
            open_section(sc, header, sc->line);
        }
    }
    memcpy(buf, line, n + 1);
    return buf;
}

static bool read_source(struct naru_scenario *sc, struct source *src)
{
    int err = ini_parse_stream(read_line, src, handler, sc);
    if (err > 0 && !sc->failed)
        sc_error(sc, err, "not a key = value line, a [section] or a comment");
    else if (err < 0 && !sc->failed)
        sc_error(sc, 0, "cannot parse (out of memory)");
    return !sc->failed;
}

bool sc_read_file(struct naru_scenario *sc, FILE *file)
{
    struct source src = { .sc = sc, .file = file };
    return read_source(sc, &src);
}

bool sc_read_text(struct naru_scenario *sc, const char *text)
{
    struct source src = { .sc = sc, .text = text };
    return read_source(sc, &src);
}

#endif
