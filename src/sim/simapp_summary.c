/* A simulated application's result in a few plain lines, as the tool it
 * imitates would print it. An application that has not finished is told
 * as far as it got: its time and rate so far, and marked unfinished. */
#include "sim/simapp_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "naru/addr.h"

struct text {
    char *buf;
    size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->len < t->cap ? t->buf + t->len : NULL, t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static double ms(naru_time_t t)
{
    return (double)t / (double)NARU_MS;
}

static void put_rate(struct text *t, double bps)
{
    if (bps >= 1e9)
        put(t, "%.2f Gbit/s", bps / 1e9);
    else if (bps >= 1e6)
        put(t, "%.2f Mbit/s", bps / 1e6);
    else
        put(t, "%.1f kbit/s", bps / 1e3);
}

/* How long it ran: to its end, or so far. False before it started. */
static bool ran_for(const struct naru_sim_app *app, const struct naru_sim_app_result *r, naru_time_t *took)
{
    return naru_app_elapsed(r->started, r->finished ? r->ended : naru_sim_now(app->set->sim), took);
}

static const char *addr_text(struct naru_addr addr, char buf[NARU_APP_ADDR_TEXT])
{
    struct naru_sockaddr a = { .addr = addr };
    return naru_app_addr_text(&a, false, buf);
}

/* The simulated host with this address, for traceroute's names. */
static const char *owner_name(struct naru_sim *sim, const struct naru_addr *addr)
{
    for (unsigned i = 0; i < naru_sim_stack_count(sim); i++) {
        struct naru_stack *s = naru_sim_stack_at(sim, i);
        for (int k = 0; k < (int)naru_if_count(s); k++) {
            struct naru_if_addr x[16];
            int n = naru_if_get_addrs(s, k, x, 16);
            for (int j = 0; j < n && j < 16; j++)
                if (naru_addr_equal(&x[j].addr, addr))
                    return naru_sim_stack_name(sim, s);
        }
    }
    return NULL;
}

static void summary_trace(struct text *t, const struct naru_sim_app *app, const struct naru_sim_app_result *r)
{
    char a[NARU_APP_ADDR_TEXT];
    put(t, "%s: traceroute to %s, %u hops max\n", app->name, addr_text(app->config.dst, a), app->config.max_ttl);
    for (unsigned h = 0; h < r->hop_count; h++) {
        const struct naru_traceroute_hop *hop = &r->hops[h];
        struct naru_sockaddr previous = { .port = 0 };
        put(t, "  %2u ", hop->ttl);
        for (unsigned q = 0; q < app->config.queries; q++) {
            struct naru_traceroute_probe probe;
            char one[128];
            naru_traceroute_hop_probe(hop, q, &probe);
            if (!probe.answered && h + 1 == r->hop_count && !r->finished)
                break; /* not sent yet, or still awaited */
            put(t, "%s", naru_traceroute_probe_text(&probe, &previous,
                                                    probe.answered ? owner_name(app->set->sim, &probe.from.addr) : NULL,
                                                    one, sizeof one));
            if (probe.answered)
                previous = probe.from;
        }
        put(t, "\n");
    }
    if (!r->finished)
        put(t, "  (unfinished)\n");
    else if (!r->ok)
        put(t, "  %s\n", r->error);
}

static void summary_stream(struct text *t, const struct naru_sim_app *app, const struct naru_sim_app_result *r)
{
    char a[NARU_APP_ADDR_TEXT];
    bool http = app->config.kind == NARU_SIM_HTTP_GET;
    if (http) {
        put(t, "%s: GET http://%s:%u%s: status %d, ", app->name, app->host, app->config.port, app->path,
            r->http_status);
        int64_t length = app->get ? naru_http_get_result(app->get)->content_length : -1;
        if (app->config.bytes)
            put(t, "%llu of %llu bytes, ", (unsigned long long)r->bytes_received,
                (unsigned long long)app->config.bytes);
        else if (length >= 0)
            put(t, "%llu of %lld bytes, ", (unsigned long long)r->bytes_received, (long long)length);
        else
            put(t, "%llu bytes, ", (unsigned long long)r->bytes_received);
    } else {
        struct naru_sockaddr dst = { .addr = app->config.dst, .port = app->config.port };
        put(t, "%s: TCP to %s: %llu of %llu bytes, ", app->name, naru_app_addr_text(&dst, true, a),
            (unsigned long long)r->bytes_received, (unsigned long long)app->config.bytes);
    }
    naru_time_t took;
    if (!ran_for(app, r, &took)) {
        put(t, "not started\n");
        return;
    }
    put(t, "%s, %.3f s, ", r->intact ? "intact" : "NOT intact", (double)took / (double)NARU_SEC);
    put_rate(t, r->goodput_bps);
    if (r->goodput_late_bps > 0) {
        put(t, " (second half ");
        put_rate(t, r->goodput_late_bps);
        put(t, ")");
    }
    put(t, ", %llu retransmissions%s", (unsigned long long)r->retransmits, r->finished ? "" : " (unfinished)");
    if (r->finished && !r->ok)
        put(t, ": %s", r->error);
    put(t, "\n");
}

int naru_sim_app_summary(const struct naru_sim_app *app, char *buf, size_t cap)
{
    struct text t = { buf, cap, 0 };
    if (cap)
        buf[0] = '\0';
    struct naru_sim_app_result r;
    simapp_result(app, &r);
    char a[NARU_APP_ADDR_TEXT];
    struct naru_sockaddr dst = { .addr = app->config.dst, .port = app->config.port };
    const char *status = !r.finished ? " (unfinished)" : "";
    naru_time_t took;
    switch (app->config.kind) {
    case NARU_SIM_PING:
        put(&t, "%s: ping %s: %u sent, %u received", app->name, addr_text(app->config.dst, a), r.sent, r.received);
        if (r.finished) /* while it runs, some are still on the way: not lost */
            put(&t, ", %.0f%% lost", r.sent ? 100.0 * (r.sent - r.received) / r.sent : 0.0);
        else
            put(&t, " so far");
        if (r.received)
            put(&t, "; rtt min/avg/max %.3f/%.3f/%.3f ms", ms(r.rtt_min), ms(r.rtt_avg), ms(r.rtt_max));
        put(&t, "%s\n", status);
        break;
    case NARU_SIM_TRACEROUTE:
        summary_trace(&t, app, &r);
        break;
    case NARU_SIM_UDP_TRANSFER:
        put(&t, "%s: UDP to %s: %llu of %llu datagrams arrived (%llu lost, %llu duplicated, %llu out of order), "
                "%llu bytes, %s, ",
            app->name, naru_app_addr_text(&dst, true, a),
            (unsigned long long)(r.datagrams_received - r.duplicates), (unsigned long long)r.datagrams_sent,
            (unsigned long long)r.datagrams_lost, (unsigned long long)r.duplicates, (unsigned long long)r.reordered,
            (unsigned long long)r.bytes_received, r.intact ? "intact" : "ALTERED");
        put_rate(&t, r.goodput_bps);
        put(&t, "%s\n", status);
        break;
    case NARU_SIM_TCP_TRANSFER:
    case NARU_SIM_HTTP_GET:
        summary_stream(&t, app, &r);
        break;
    case NARU_SIM_DNS_SERVER:
        put(&t, "%s: DNS server for %s on %s, port %u: %llu %s answered\n", app->name,
            app->config.zone_path ? app->config.zone_path : app->config.origin,
            naru_sim_stack_name(app->set->sim, app->config.from), app->config.port ? app->config.port : 53,
            (unsigned long long)r.dns_queries, r.dns_queries == 1 ? "query" : "queries");
        break;
    case NARU_SIM_DNS_LOOKUP:
        put(&t, "%s: %s", app->name, app->config.query);
        for (unsigned i = 0; i < r.addr_count; i++)
            put(&t, "%s%s", i ? ", " : " is ", addr_text(r.addrs[i], a));
        if (r.addr_count)
            put(&t, " (TTL %u s)", r.dns_ttl);
        put(&t, ", asked of %s", addr_text(app->config.dst, a));
        if (ran_for(app, &r, &took))
            put(&t, " in %.3f ms", ms(took));
        put(&t, ", %llu %s sent%s\n", (unsigned long long)r.dns_queries, r.dns_queries == 1 ? "query" : "queries",
            status);
        break;
    }
    if (app->config.kind != NARU_SIM_TRACEROUTE && r.finished && !r.ok &&
        app->config.kind != NARU_SIM_TCP_TRANSFER && app->config.kind != NARU_SIM_HTTP_GET)
        put(&t, "  %s\n", r.error);
    return t.len > 0x7fffffff ? 0x7fffffff : (int)t.len;
}
