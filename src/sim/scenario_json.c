/* A run's results as JSON (naru_scenario_write_json), for scripts: the
 * run as a whole, each application, each link each way, and each TCP
 * flow. Times are seconds of simulated time; a time or duration that did
 * not happen (an application that never started) is null, never a
 * wrapped number. */
#include "sim/scenario_model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_seconds(FILE *out, naru_time_t t)
{
    if (t == NARU_APP_UNSET)
        fputs("null", out);
    else
        fprintf(out, "%.9f", (double)t / 1e9);
}

/* A number JSON can hold: NaN and infinities become null. */
static void json_number(FILE *out, double v)
{
    if (v != v || v > 1e300 || v < -1e300)
        fputs("null", out);
    else
        fprintf(out, "%.6f", v);
}

static const char *kind_text(enum naru_sim_app_kind k)
{
    switch (k) {
    case NARU_SIM_PING: return "ping";
    case NARU_SIM_TRACEROUTE: return "traceroute";
    case NARU_SIM_UDP_TRANSFER: return "udp_transfer";
    case NARU_SIM_TCP_TRANSFER: return "tcp_transfer";
    case NARU_SIM_HTTP_GET: return "http";
    case NARU_SIM_DNS_SERVER: return "dns_server";
    case NARU_SIM_DNS_LOOKUP: return "lookup";
    }
    return "?";
}

static const char *outcome_text(const struct naru_scenario *sc)
{
    return sc->interrupted ? "interrupted" : sc->capture_full ? "capture_limit" : sc->stalled ? "stalled" : sc->timed_out ? "time_limit" : "finished";
}

/* How long it ran: to its end, or so far. */
static naru_time_t duration(const struct naru_sim_app_result *r, naru_time_t now)
{
    if (r->started == NARU_APP_UNSET)
        return NARU_APP_UNSET;
    naru_time_t end = r->finished && r->ended != NARU_APP_UNSET ? r->ended : now;
    return end >= r->started ? end - r->started : 0;
}

static void write_app(FILE *out, const struct sc_app *a, naru_time_t now)
{
    struct naru_sim_app_result r;
    naru_sim_app_get_result(a->app, &r);
    fputs("    {\"name\": ", out);
    json_string(out, a->name);
    fprintf(out, ", \"kind\": \"%s\", \"from\": ", kind_text(r.kind));
    json_string(out, a->from);
    fputs(", \"to\": ", out);
    json_string(out, a->to);
    if (r.dst.family) {
        char text[NARU_ADDR_STRLEN];
        fputs(", \"address\": ", out);
        json_string(out, naru_addr_format(&r.dst, text));
    } else if (r.kind != NARU_SIM_DNS_SERVER) {
        fputs(", \"address\": null", out);
    }
    fprintf(out, ", \"finished\": %s, \"ok\": %s, \"error\": ", r.finished ? "true" : "false", r.ok ? "true" : "false");
    json_string(out, r.ok ? "" : r.error[0] ? r.error : r.finished ? "failed" : "unfinished");
    fputs(", \"started\": ", out);
    json_seconds(out, r.started);
    fputs(", \"ended\": ", out);
    json_seconds(out, r.finished ? r.ended : NARU_APP_UNSET);
    fputs(", \"duration\": ", out);
    json_seconds(out, duration(&r, now));
    switch (r.kind) {
    case NARU_SIM_PING:
    case NARU_SIM_TRACEROUTE:
        fprintf(out, ", \"sent\": %u, \"received\": %u", r.sent, r.received);
        if (r.kind == NARU_SIM_PING && r.received) {
            fputs(", \"rtt_min\": ", out);
            json_seconds(out, r.rtt_min);
            fputs(", \"rtt_avg\": ", out);
            json_seconds(out, r.rtt_avg);
            fputs(", \"rtt_max\": ", out);
            json_seconds(out, r.rtt_max);
        }
        if (r.kind == NARU_SIM_TRACEROUTE)
            fprintf(out, ", \"hops\": %u", r.hop_count);
        break;
    case NARU_SIM_UDP_TRANSFER:
    case NARU_SIM_TCP_TRANSFER:
    case NARU_SIM_HTTP_GET:
        fprintf(out, ", \"bytes\": %llu, \"bytes_sent\": %llu, \"bytes_received\": %llu, \"intact\": %s",
                (unsigned long long)a->config.bytes,
                (unsigned long long)r.bytes_sent, (unsigned long long)r.bytes_received, r.intact ? "true" : "false");
        fputs(", \"goodput_bps\": ", out);
        json_number(out, r.goodput_bps);
        fprintf(out, ", \"retransmits\": %llu", (unsigned long long)r.retransmits);
        if (r.kind == NARU_SIM_UDP_TRANSFER)
            fprintf(out, ", \"datagrams_sent\": %llu, \"datagrams_received\": %llu, \"datagrams_lost\": %llu",
                    (unsigned long long)r.datagrams_sent, (unsigned long long)r.datagrams_received,
                    (unsigned long long)r.datagrams_lost);
        if (r.kind == NARU_SIM_HTTP_GET)
            fprintf(out, ", \"http_status\": %d", r.http_status);
        break;
    case NARU_SIM_DNS_SERVER:
    case NARU_SIM_DNS_LOOKUP:
        fprintf(out, ", \"queries\": %llu", (unsigned long long)r.dns_queries);
        if (r.kind == NARU_SIM_DNS_LOOKUP)
            fprintf(out, ", \"status\": %d, \"addresses\": %u", r.dns_status, r.addr_count);
        break;
    }
    fputc('}', out);
}

/* A TCP flow: a transfer's one connection, from its sender's side. */
static bool write_flow(FILE *out, const struct sc_app *a, naru_time_t now, bool first)
{
    struct naru_sim_app_result r;
    naru_sim_app_get_result(a->app, &r);
    if (r.kind != NARU_SIM_TCP_TRANSFER && r.kind != NARU_SIM_HTTP_GET)
        return first;
    fputs(first ? "\n    {\"application\": " : ",\n    {\"application\": ", out);
    json_string(out, a->name);
    fputs(", \"from\": ", out);
    json_string(out, r.kind == NARU_SIM_HTTP_GET ? a->to : a->from);
    fputs(", \"to\": ", out);
    json_string(out, r.kind == NARU_SIM_HTTP_GET ? a->from : a->to);
    fprintf(out, ", \"bytes\": %llu, \"duration\": ", (unsigned long long)r.bytes_received);
    json_seconds(out, duration(&r, now));
    fputs(", \"goodput_bps\": ", out);
    json_number(out, r.goodput_bps);
    fprintf(out, ", \"retransmits\": %llu, \"srtt\": ", (unsigned long long)r.retransmits);
    if (r.kind == NARU_SIM_TCP_TRANSFER && r.srtt)
        json_seconds(out, r.srtt);
    else
        fputs("null", out);
    fputc('}', out);
    return false;
}

static void write_link(FILE *out, const struct naru_scenario *sc, uint32_t i, int e)
{
    const struct sc_link *l = &sc->links[i];
    struct naru_sim_link_stats s;
    naru_sim_link_get_stats(naru_sim_link(sc->sim, i), e, &s);
    fputs("    {\"link\": ", out);
    json_string(out, l->name);
    fputs(", \"from\": ", out);
    json_string(out, l->end[e].node_name);
    fputs(", \"to\": ", out);
    json_string(out, l->end[1 - e].node_name);
    fprintf(out,
            ", \"frames_sent\": %llu, \"bytes_sent\": %llu, \"frames_delivered\": %llu, \"bytes_delivered\": %llu"
            ", \"lost\": %llu, \"dropped_queue\": %llu, \"dropped_too_big\": %llu, \"reordered\": %llu"
            ", \"duplicated\": %llu, \"corrupted\": %llu, \"queue_peak\": %u}",
            (unsigned long long)s.frames_sent, (unsigned long long)s.bytes_sent,
            (unsigned long long)s.frames_delivered, (unsigned long long)s.bytes_delivered, (unsigned long long)s.lost,
            (unsigned long long)s.dropped_queue, (unsigned long long)s.dropped_too_big,
            (unsigned long long)s.reordered, (unsigned long long)s.duplicated, (unsigned long long)s.corrupted,
            s.queue_peak);
}

int naru_scenario_write_json(const struct naru_scenario *sc, double wall_seconds, FILE *out)
{
    if (!sc->ran || !sc->sim)
        return -EINVAL;
    naru_time_t now = naru_sim_now(sc->sim);
    struct naru_scenario_outcome o;
    naru_scenario_outcome(sc, &o);
    fputs("{\n  \"scenario\": ", out);
    json_string(out, sc->file);
    fputs(",\n  \"description\": ", out);
    json_string(out, sc->description);
    fprintf(out, ",\n  \"seed\": %llu,\n  \"outcome\": \"%s\",\n  \"simulated_seconds\": ", (unsigned long long)o.seed,
            outcome_text(sc));
    json_seconds(out, now);
    fputs(",\n  \"time_limit\": ", out);
    json_seconds(out, sc->time_limit);
    fputs(",\n  \"wall_seconds\": ", out);
    json_number(out, wall_seconds);
    fputs(",\n  \"build_cpu_seconds\": ", out);
    json_number(out, sc->build_seconds);
    uint64_t tx = naru_sim_transmissions(sc->sim), delivered = 0;
    for (uint32_t i = 0; i < sc->app_count; i++) {
        struct naru_sim_app_result r;
        naru_sim_app_get_result(sc->apps[i].app, &r);
        delivered += r.bytes_received;
    }
    fprintf(out, ",\n  \"nodes\": %u,\n  \"link_count\": %u,\n  \"events\": %llu,\n  \"transmissions\": %llu"
                 ",\n  \"transmissions_per_wall_second\": ",
            sc->node_count, sc->link_count, (unsigned long long)naru_sim_events(sc->sim), (unsigned long long)tx);
    if (wall_seconds > 0)
        json_number(out, (double)tx / wall_seconds);
    else
        fputs("null", out);
    fputs(",\n  \"peak_rss_kib\": ", out);
    if (sc->peak_rss_kib)
        fprintf(out, "%llu", (unsigned long long)sc->peak_rss_kib);
    else
        fputs("null", out);
    fputs(",\n  \"peak_rss_kib_per_node\": ", out);
    if (sc->peak_rss_kib && sc->node_count)
        json_number(out, (double)sc->peak_rss_kib / sc->node_count);
    else
        fputs("null", out);
    fprintf(out, ",\n  \"bytes_delivered\": %llu,\n  \"applications_ok\": %u,\n  \"applications\": [",
            (unsigned long long)delivered, o.apps_ok);
    for (uint32_t i = 0; i < sc->app_count; i++) {
        fputs(i ? ",\n" : "\n", out);
        write_app(out, &sc->apps[i], now);
    }
    fputs(sc->app_count ? "\n  ],\n  \"flows\": [" : "],\n  \"flows\": [", out);
    bool first = true;
    for (uint32_t i = 0; i < sc->app_count; i++)
        first = write_flow(out, &sc->apps[i], now, first);
    fputs(first ? "],\n  \"links\": [" : "\n  ],\n  \"links\": [", out);
    for (uint32_t i = 0; i < sc->link_count; i++)
        for (int e = 0; e < 2; e++) {
            fputs(i || e ? ",\n" : "\n", out);
            write_link(out, sc, i, e);
        }
    fputs(sc->link_count ? "\n  ]\n}\n" : "]\n}\n", out);
    return ferror(out) ? -EIO : 0;
}
