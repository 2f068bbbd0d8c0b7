/* Building a checked scenario into a simulation, running it, and
 * reporting what happened. */
#include "sim/scenario_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "naru/counters.h"

/* After the last application finishes, let connections finish closing. */
#define GRACE NARU_SEC

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

static int build_nodes(struct naru_scenario *sc, char *error, size_t cap)
{
    for (unsigned i = 0; i < sc->node_count; i++) {
        struct sc_node *n = &sc->nodes[i];
        if (n->kind == SC_SWITCH) {
            n->sw = naru_sim_add_switch(sc->sim, n->name);
            if (!n->sw)
                return fail(error, cap, -ENOMEM, "%s: out of memory", sc->file);
            continue;
        }
        struct naru_stack_config c;
        naru_stack_config_default(&c);
        /* As many interfaces as it has links. */
        c.interfaces = n->interfaces ? n->interfaces : 1;
        /* Frame buffers must hold the largest frame of any of its links. */
        uint32_t need = n->max_mtu + 14 + 8 + 160;
        if (need > c.frame_buffer_size)
            c.frame_buffer_size = (need + 63) & ~63u;
        n->stack = n->kind == SC_ROUTER ? naru_sim_add_router(sc->sim, n->name, &c)
                                        : naru_sim_add_stack(sc->sim, n->name, &c);
        if (!n->stack)
            return fail(error, cap, -ENOMEM, "%s:%d: cannot create '%s' (out of memory)", sc->file, n->line, n->name);
    }
    return 0;
}

static int build_links(struct naru_scenario *sc, const char *pcap_dir, char *error, size_t cap)
{
    for (unsigned i = 0; i < sc->link_count; i++) {
        struct sc_link *l = &sc->links[i];
        struct naru_sim_link *link;
        int err = naru_sim_add_link(sc->sim, l->name, &l->config, &link);
        if (err == -ENOENT || err == -EACCES || err == -EROFS || err == -ENOTDIR)
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
                char cidr[32], a[NARU_IP4_STRLEN];
                snprintf(cidr, sizeof cidr, "%s/%u", naru_ip4_format(end->addr, a), end->prefix);
                err = naru_sim_link_attach(link, e, n->stack, cidr, &end->ifindex);
            }
            if (err < 0)
                return fail(error, cap, err, "%s:%d: cannot attach '%s': %s", sc->file, end->line, n->name,
                            strerror(-err));
        }
    }
    return 0;
}

static int build_routes(struct naru_scenario *sc, char *error, size_t cap)
{
    for (unsigned i = 0; i < sc->node_count; i++) {
        struct sc_node *n = &sc->nodes[i];
        for (unsigned r = 0; r < n->route_count; r++) {
            const struct sc_route *rt = &n->routes[r];
            int ifindex = -1;
            for (int k = 0; k < (int)naru_if_count(n->stack) && ifindex < 0; k++) {
                uint32_t a;
                uint8_t p;
                if (naru_if_get_addr(n->stack, k, &a, &p) == 0 && a &&
                    (a & naru_prefix_mask(p)) == (rt->gateway & naru_prefix_mask(p)))
                    ifindex = k;
            }
            struct naru_addr dst = naru_addr_v4(rt->dst), gateway = naru_addr_v4(rt->gateway);
            int err = ifindex < 0 ? -ENETUNREACH : naru_route_add(n->stack, &dst, rt->prefix, &gateway, ifindex);
            if (err < 0)
                return fail(error, cap, err, "%s:%d: cannot add this route to '%s': %s", sc->file, rt->line, n->name,
                            strerror(-err));
        }
    }
    return 0;
}

static int build_apps(struct naru_scenario *sc, char *error, size_t cap)
{
    for (unsigned i = 0; i < sc->app_count; i++) {
        struct sc_app *a = &sc->apps[i];
        struct naru_sim_app_config c = a->config;
        c.name = a->name;
        c.from = sc->nodes[sc_find_node(sc, a->from)].stack;
        if (c.kind == NARU_SIM_DNS_SERVER) {
            c.origin = a->origin[0] ? a->origin : NULL;
            c.zone_path = a->zone[0] ? a->zone_path : NULL;
        } else if (c.kind == NARU_SIM_DNS_LOOKUP) {
            c.query = a->query;
        }
        int to = sc_find_node(sc, a->to);
        if (c.kind == NARU_SIM_DNS_SERVER) {
            /* no far end */
        } else if (to >= 0) {
            c.to = sc->nodes[to].stack;
            c.dst = naru_addr_v4(sc->nodes[to].first_addr);
            c.host = a->to; /* the static host table: node names */
        } else {
            if (naru_addr_parse(a->to, &c.dst) < 0)
                c.dst.family = NARU_AF_UNSPEC;
        }
        int err = naru_sim_app_add(sc->sim_apps, &c, &a->app);
        if (err < 0)
            return fail(error, cap, err, "%s:%d: cannot set '%s' up: %s", sc->file, a->line, a->name, strerror(-err));
    }
    return 0;
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
    int err = naru_sim_create(sc->run_seed, &sc->sim);
    if (!err)
        err = naru_sim_apps_create(sc->sim, &sc->sim_apps);
    if (err < 0)
        return fail(error, cap, err, "out of memory");
    if (o->log)
        naru_sim_set_log(sc->sim, o->log, o->log_ctx, o->log_level);
    if (o->pcap_dir && (err = naru_sim_capture(sc->sim, o->pcap_dir)) < 0)
        return fail(error, cap, err, "cannot capture to %s: %s", o->pcap_dir, strerror(-err));
    if ((err = build_nodes(sc, error, cap)) < 0 || (err = build_links(sc, o->pcap_dir, error, cap)) < 0 ||
        (err = build_routes(sc, error, cap)) < 0 || (err = build_apps(sc, error, cap)) < 0)
        return err;
    bool finished = naru_sim_run(sc->sim, sc->time_limit, naru_sim_apps_finished, sc->sim_apps);
    sc->stalled = naru_sim_stalled(sc->sim);
    sc->timed_out = !finished && !sc->stalled;
    if (finished) {
        naru_time_t end = naru_sim_now(sc->sim) + GRACE;
        naru_sim_run(sc->sim, end < sc->time_limit ? end : sc->time_limit, NULL, NULL);
    }
    if (o->pcap_dir && (err = naru_sim_capture_close(sc->sim)) < 0)
        return fail(error, cap, err, "writing the captures in %s failed: %s", o->pcap_dir, strerror(-err));
    return 0;
}

void naru_scenario_outcome(const struct naru_scenario *sc, struct naru_scenario_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->timed_out = sc->timed_out;
    out->stalled = sc->stalled;
    out->time_limit = sc->time_limit;
    out->apps = sc->app_count;
    out->seed = sc->ran ? sc->run_seed : sc->seed;
    for (unsigned i = 0; i < sc->app_count; i++) {
        struct naru_sim_app_result r;
        if (!sc->apps[i].app)
            continue;
        naru_sim_app_get_result(sc->apps[i].app, &r);
        out->apps_ok += r.ok;
    }
}

struct naru_sim *naru_scenario_sim(const struct naru_scenario *sc)
{
    return sc->sim;
}

struct naru_sim_apps *naru_scenario_apps(const struct naru_scenario *sc)
{
    return sc->sim_apps;
}

const char *naru_scenario_description(const struct naru_scenario *sc)
{
    return sc->description;
}

static void report_links(const struct naru_scenario *sc, FILE *out)
{
    fprintf(out, "\nlinks, each way (frames):\n");
    fprintf(out, "  %-14s %-21s %9s %9s %7s %7s %7s %6s %7s %6s\n", "link", "from > to", "sent", "arrived", "lost",
            "q-drop", "reorder", "dup", "corrupt", "q-peak");
    for (unsigned i = 0; i < sc->link_count; i++) {
        const struct sc_link *l = &sc->links[i];
        struct naru_sim_link *link = naru_sim_find_link(sc->sim, l->name);
        for (int e = 0; e < 2; e++) {
            struct naru_sim_link_stats s;
            naru_sim_link_get_stats(link, e, &s);
            char dir[2 * SC_NAME_MAX + 4];
            snprintf(dir, sizeof dir, "%s > %s", l->end[e].node_name, l->end[1 - e].node_name);
            fprintf(out, "  %-14s %-21s %9llu %9llu %7llu %7llu %7llu %6llu %7llu %6u\n", e ? "" : l->name, dir,
                    (unsigned long long)s.frames_sent, (unsigned long long)s.frames_delivered,
                    (unsigned long long)s.lost, (unsigned long long)(s.dropped_queue + s.dropped_too_big),
                    (unsigned long long)s.reordered, (unsigned long long)s.duplicated,
                    (unsigned long long)s.corrupted, s.queue_peak);
        }
    }
}

static void report_counters(const struct naru_scenario *sc, FILE *out)
{
    fprintf(out, "\ncounters that are not zero:\n");
    for (unsigned i = 0; i < sc->node_count; i++) {
        const struct sc_node *n = &sc->nodes[i];
        if (!n->stack)
            continue;
        const struct naru_counters *c = naru_stack_counters(n->stack);
        fprintf(out, "  %s:", n->name);
        int col = 4 + (int)strlen(n->name);
        for (unsigned k = 0; k < naru_counter_count(); k++) {
            uint64_t v = naru_counter_value(c, k);
            if (!v)
                continue;
            char item[96];
            int len = snprintf(item, sizeof item, " %s_%s %llu", naru_counter_layer(k), naru_counter_name(k),
                               (unsigned long long)v);
            if (col + len > 100) {
                fprintf(out, "\n   ");
                col = 3;
            }
            fputs(item, out);
            col += len;
        }
        fputc('\n', out);
    }
}

void naru_scenario_report(const struct naru_scenario *sc, FILE *out)
{
    if (!sc->ran || !sc->sim)
        return;
    if (sc->report & REPORT_APPS) {
        fprintf(out, "applications:\n");
        for (unsigned i = 0; i < sc->app_count; i++) {
            char text[4096];
            if (!sc->apps[i].app)
                continue;
            naru_sim_app_summary(sc->apps[i].app, text, sizeof text);
            fprintf(out, "  ");
            for (const char *p = text; *p; p++) {
                fputc(*p, out);
                if (*p == '\n' && p[1])
                    fputs("  ", out);
            }
        }
        if (!sc->app_count)
            fprintf(out, "  (none)\n");
    }
    if (sc->report & REPORT_LINKS)
        report_links(sc, out);
    if (sc->report & REPORT_COUNTERS)
        report_counters(sc, out);
    if (sc->stalled)
        fprintf(out, "\nthe run stopped at %.6f s: events kept coming without time passing (a livelock)\n",
                (double)naru_sim_now(sc->sim) / 1e9);
    if (sc->timed_out) {
        fprintf(out, "\nthe time limit of %.3f s was reached with these unfinished:", (double)sc->time_limit / 1e9);
        for (unsigned i = 0; i < sc->app_count; i++) {
            struct naru_sim_app_result r;
            naru_sim_app_get_result(sc->apps[i].app, &r);
            if (!r.finished)
                fprintf(out, " %s", sc->apps[i].name);
        }
        fputc('\n', out);
    }
}
