/* What a run of a scenario reports in words: each application's result,
 * what each link carried, the nodes' counters, and how the run ended. */
#include "sim/scenario_model.h"

#include <stdio.h>
#include <string.h>

#include "naru/counters.h"

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
        struct naru_sim_link *link = naru_sim_link(sc->sim, i); /* built in the scenario's order */
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
    if (sc->interrupted)
        fprintf(out, "\ninterrupted at %.6f s of simulated time: the results above are as far as it got\n",
                (double)naru_sim_now(sc->sim) / 1e9);
    if (sc->capture_full)
        fprintf(out, "\nstopped at %.6f s of simulated time: the captures reached %llu bytes, "
                     "their limit (--pcap-limit); the results above are as far as it got\n",
                (double)naru_sim_now(sc->sim) / 1e9, (unsigned long long)naru_sim_capture_bytes(sc->sim));
    if (sc->timed_out || sc->interrupted || sc->capture_full) {
        unsigned unfinished = 0;
        for (unsigned i = 0; i < sc->app_count; i++) {
            struct naru_sim_app_result r;
            if (!sc->apps[i].app)
                continue;
            naru_sim_app_get_result(sc->apps[i].app, &r);
            if (r.finished)
                continue;
            if (unfinished++ == 0)
                fprintf(out, sc->timed_out ? "\nthe time limit of %.3f s was reached with these unfinished:"
                                           : "\nunfinished:",
                        (double)sc->time_limit / 1e9);
            if (unfinished <= 20)
                fprintf(out, " %s", sc->apps[i].name);
        }
        if (unfinished > 20)
            fprintf(out, " and %u more", unfinished - 20);
        if (unfinished || sc->timed_out)
            fputc('\n', out);
    }
}
