/* naru's applications in a simulation: each kind of simapp.h set up from
 * its config on the applications of src/apps, started at its time through
 * the simulator's environment (app_env.c), its result gathered when it
 * finishes. Written on the public API only; the engine does not know this
 * file. Summaries are in simapp_summary.c. */
#include "sim/simapp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "naru/counters.h"
#include "sim/grow.h"

#define DEFAULT_TIMEOUT NARU_SEC
#define ZONE_MAX (64 * 1024)

/* One web server per host and port, shared by the downloads from it. */
struct sim_http_server {
    struct sim_http_server *next;
    struct naru_stack *stack;
    uint16_t port;
    struct naru_http_server *server;
};

/* A stack's first usable address of a family: neither link-local nor
 * tentative. */
static struct naru_addr first_addr_of(const struct naru_stack *stack, int family)
{
    for (int i = 0; i < (int)naru_if_count(stack); i++) {
        struct naru_if_addr addrs[16];
        int count = naru_if_get_addrs(stack, i, addrs, 16);
        for (int j = 0; j < count && j < 16; j++)
            if (addrs[j].addr.family == family && !naru_addr_is_link_local(&addrs[j].addr) &&
                !(addrs[j].flags & NARU_IFA_TENTATIVE))
                return addrs[j].addr;
    }
    return (struct naru_addr){ .family = NARU_AF_UNSPEC };
}

struct naru_addr simapp_first_addr(const struct naru_stack *stack)
{
    for (int i = 0; i < (int)naru_if_count(stack); i++) {
        struct naru_if_addr a;
        if (naru_if_get_addrs(stack, i, &a, 1) > 0)
            return a.addr;
    }
    return (struct naru_addr){ .family = NARU_AF_UNSPEC };
}

static char *copy(const char *text)
{
    if (!text)
        return NULL;
    size_t n = strlen(text) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, text, n);
    return p;
}

int naru_sim_apps_create(struct naru_sim *sim, struct naru_sim_apps **out)
{
    struct naru_sim_apps *set = calloc(1, sizeof *set);
    if (!set)
        return -ENOMEM;
    set->sim = sim;
    int err = naru_app_pattern_create(&set->pattern);
    if (err < 0) {
        free(set);
        return err;
    }
    *out = set;
    return 0;
}

/* ---- finishing: the application's result, from the apps' own ---- */

static void set_error(struct naru_sim_app *app, const char *why)
{
    snprintf(app->result.error, sizeof app->result.error, "%s", why ? why : "");
}

static void gather(const struct naru_sim_app *app, struct naru_sim_app_result *r, bool final);

static void finish(struct naru_sim_app *app, bool ok, const char *why)
{
    struct naru_sim_app_result *r = &app->result;
    if (r->finished)
        return;
    gather(app, r, true);
    r->finished = true;
    r->ok = ok;
    r->ended = naru_sim_now(app->set->sim);
    if (!ok)
        set_error(app, why);
    app->set->unfinished--;
}

static uint64_t both_retransmits(const struct naru_sim_app *app)
{
    return naru_stack_counters(app->config.from)->tcp_retransmits +
           naru_stack_counters(app->config.to)->tcp_retransmits;
}

/* Read the applications' own results into r. Rates are taken up to the
 * last arrival once final, else up to now: what arrived so far, at the
 * rate so far. */
static void gather(const struct naru_sim_app *app, struct naru_sim_app_result *r, bool final)
{
    naru_time_t now = naru_sim_now(app->set->sim);
    switch (app->config.kind) {
    case NARU_SIM_PING:
        if (app->ping) {
            const struct naru_ping_result *p = naru_ping_result(app->ping);
            r->sent = (uint32_t)p->sent;
            r->received = (uint32_t)p->received;
            r->rtt_min = p->rtt_min;
            r->rtt_max = p->rtt_max;
            r->rtt_avg = naru_ping_rtt_avg(p);
        }
        break;
    case NARU_SIM_TRACEROUTE:
        if (app->trace) {
            const struct naru_traceroute_result *t = naru_traceroute_result(app->trace);
            r->sent = (uint32_t)t->sent;
            r->received = (uint32_t)t->received;
            r->hop_count = t->hop_count;
            r->hops = t->hops;
        }
        break;
    case NARU_SIM_UDP_TRANSFER:
    case NARU_SIM_TCP_TRANSFER:
        if (app->rx) {
            const struct naru_transfer_result *rx = naru_transfer_result(app->rx);
            r->bytes_received = rx->bytes_received;
            r->intact = rx->intact;
            r->datagrams_received = rx->datagrams_received;
            r->duplicates = rx->duplicates;
            r->reordered = rx->reordered;
            /* Not lost before the end: still on the way, or not sent yet. */
            r->datagrams_lost = final ? rx->datagrams_expected - rx->unique : 0;
            r->goodput_bps = naru_app_rate(rx->bytes_received, r->started, final ? rx->last_arrival : now);
            r->goodput_late_bps = naru_app_rate(rx->bytes_received - rx->half_bytes, rx->half_time, rx->last_arrival);
        }
        if (app->tx) {
            const struct naru_transfer_result *tx = naru_transfer_result(app->tx);
            r->bytes_sent = tx->bytes_sent;
            r->datagrams_sent = tx->datagrams_sent;
            r->retransmits = tx->retransmits;
            r->srtt = tx->srtt;
        }
        break;
    case NARU_SIM_HTTP_GET:
        if (app->get) {
            const struct naru_http_get_result *g = naru_http_get_result(app->get);
            r->http_status = g->status;
            r->bytes_received = g->body_received;
            r->intact = g->intact;
            r->goodput_bps = naru_app_rate(g->body_received, r->started, final ? g->last_arrival : now);
            r->retransmits = both_retransmits(app) - app->retransmits_at_start;
        }
        break;
    case NARU_SIM_DNS_SERVER:
        r->dns_queries = app->dns_server ? naru_dns_server_stats(app->dns_server)->queries : 0;
        break;
    case NARU_SIM_DNS_LOOKUP:
        if (app->lookup) {
            const struct naru_lookup_result *l = naru_lookup_result(app->lookup);
            r->dns_status = l->status;
            r->addr_count = 0;
            for (unsigned i = 0; i < l->count && r->addr_count < sizeof r->addrs / sizeof r->addrs[0]; i++)
                r->addrs[r->addr_count++] = l->addrs[i];
            r->dns_ttl = l->ttl;
            r->dns_queries = l->queries;
        }
        break;
    }
}

static void ping_done(void *ctx)
{
    struct naru_sim_app *app = ctx;
    const struct naru_ping_result *p = naru_ping_result(app->ping);
    finish(app, p->ok, p->error ? "cannot open a ping socket" : "no reply");
}

static void trace_done(void *ctx)
{
    struct naru_sim_app *app = ctx;
    const struct naru_traceroute_result *t = naru_traceroute_result(app->trace);
    finish(app, t->ok, t->why);
}

/* A transfer is over when its receiver is (or its sender failed). */
static void transfer_done(void *ctx)
{
    struct naru_sim_app *app = ctx;
    const struct naru_transfer_result *rx = naru_transfer_result(app->rx);
    if (!rx->finished && app->tx) {
        const struct naru_transfer_result *tx = naru_transfer_result(app->tx);
        if (!tx->finished)
            return;
        if (app->config.kind == NARU_SIM_TCP_TRANSFER && tx->ok)
            return; /* the receiver's own end is still to come */
        if (app->config.kind == NARU_SIM_TCP_TRANSFER) {
            finish(app, false, tx->why);
            return;
        }
        naru_transfer_stop(app->rx); /* UDP: the sender has waited long enough */
        rx = naru_transfer_result(app->rx);
    }
    if (app->config.kind == NARU_SIM_UDP_TRANSFER && rx->intact && rx->unique)
        finish(app, true, NULL); /* losses are reported, not failures */
    else
        finish(app, rx->ok, rx->why);
}

static void get_done(void *ctx)
{
    struct naru_sim_app *app = ctx;
    const struct naru_http_get_result *g = naru_http_get_result(app->get);
    uint64_t expected = app->config.bytes; /* 0: the page, whatever its length */
    if (!g->ok)
        finish(app, false, g->why);
    else if (expected && (g->body_received != expected || g->content_length != (int64_t)expected))
        finish(app, false, "the page arrived incomplete");
    else
        finish(app, true, NULL);
}

static void lookup_done(void *ctx)
{
    struct naru_sim_app *app = ctx;
    const struct naru_lookup_result *l = naru_lookup_result(app->lookup);
    finish(app, l->ok, l->why);
}

/* ---- each kind: set up when added, started at its time ---- */

static int transfer_config(struct naru_sim_app *app, struct naru_transfer_config *t)
{
    const struct naru_sim_app_config *c = &app->config;
    bool udp = c->kind == NARU_SIM_UDP_TRANSFER;
    naru_transfer_config_default(t, udp ? NARU_TRANSFER_UDP : NARU_TRANSFER_TCP);
    t->bytes = c->bytes;
    t->peer.port = c->port;
    if (udp) {
        t->datagram_size = c->size;
        t->rate_bps = c->rate_bps;
        t->linger = c->timeout;
    }
    t->socket_buffer = c->socket_buffer;
    t->congestion = c->congestion == NARU_SIM_CC_NEWRENO ? NARU_TCP_CC_NEWRENO
                    : c->congestion == NARU_SIM_CC_CUBIC ? NARU_TCP_CC_CUBIC
                                                         : -1;
    t->pattern = app->set->pattern;
    t->on_done = transfer_done;
    t->ctx = app;
    return 0;
}

static int transfer_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->to)
        return -EINVAL; /* the receiver runs on a simulated host */
    if (!c->bytes)
        c->bytes = 1000000;
    if (c->kind == NARU_SIM_UDP_TRANSFER) {
        if (!c->size)
            c->size = 1472;
        if (!c->rate_bps)
            c->rate_bps = 10000000;
        if (c->size <= NARU_TRANSFER_UDP_HEADER || c->size > 65507)
            return -EINVAL;
    }
    app->result.intact = true;
    struct naru_transfer_config t;
    transfer_config(app, &t);
    int err = naru_transfer_receive(&app->env_to, &t, &app->rx);
    if (err == -EPROTONOSUPPORT) {
        app->unavailable = true; /* reported when it starts */
        return 0;
    }
    return err;
}

static void transfer_start(struct naru_sim_app *app)
{
    if (app->unavailable) {
        finish(app, false, "TCP is not available in this build");
        return;
    }
    struct naru_transfer_config t;
    transfer_config(app, &t);
    t.peer.addr = app->config.dst;
    int err = naru_transfer_send(&app->env_from, &t, &app->tx);
    if (err < 0)
        finish(app, false, "cannot start the transfer");
    else if (naru_transfer_result(app->tx)->finished)
        transfer_done(app);
}

/* The server on (stack, port), started on first use. */
static int http_server(struct naru_sim_app *app)
{
    struct naru_sim_apps *set = app->set;
    for (struct sim_http_server *s = set->http_servers; s; s = s->next)
        if (s->stack == app->config.to && s->port == app->config.port)
            return 0;
    struct sim_http_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    struct naru_http_server_config c;
    naru_http_server_config_default(&c);
    c.port = app->config.port;
    c.backlog = 16;
    c.pattern = set->pattern;
    int err = naru_http_server_start(&app->env_to, &c, &s->server);
    if (err < 0) {
        free(s);
        return err;
    }
    s->stack = app->config.to;
    s->port = app->config.port;
    s->next = set->http_servers;
    set->http_servers = s;
    return 0;
}

static int get_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->to)
        return -EINVAL;
    if (!c->port)
        c->port = 80;
    if (c->bytes > NARU_HTTP_BYTES_MAX)
        return -EINVAL;
    app->result.intact = true;
    if (c->bytes)
        snprintf(app->path, sizeof app->path, "/bytes/%llu", (unsigned long long)c->bytes);
    else
        snprintf(app->path, sizeof app->path, "/");
    int err = http_server(app);
    if (err == -EPROTONOSUPPORT) {
        app->unavailable = true;
        return 0;
    }
    return err;
}

static void get_start(struct naru_sim_app *app)
{
    if (app->unavailable) {
        finish(app, false, "TCP is not available in this build");
        return;
    }
    app->retransmits_at_start = both_retransmits(app);
    struct naru_http_get_config g;
    naru_http_get_config_default(&g);
    g.server = (struct naru_sockaddr){ .addr = app->config.dst, .port = app->config.port };
    g.host = app->host;
    g.path = app->path;
    g.verify = true;
    g.pattern = app->set->pattern;
    g.on_done = get_done;
    g.ctx = app;
    int err = naru_http_get_start(&app->env_from, &g, &app->get);
    if (err < 0)
        finish(app, false, "cannot start the download");
    else if (naru_http_get_result(app->get)->finished)
        get_done(app);
}

/* A zone naming every stack of the simulation: NAME.ORIGIN A address. */
static char *auto_zone(struct naru_sim_app *app, const char *origin)
{
    struct naru_sim *sim = app->set->sim;
    char *z = malloc(ZONE_MAX);
    if (!z)
        return NULL;
    const char *self = naru_sim_stack_name(sim, app->config.from);
    size_t n = (size_t)snprintf(z, ZONE_MAX,
                                "$ORIGIN %s.\n$TTL 3600\n"
                                "@ IN SOA %s hostmaster 1 3600 600 86400 60\n"
                                "@ IN NS %s\n",
                                origin, self, self);
    /* Each stack's first address of each family: A and AAAA. */
    for (unsigned i = 0; i < naru_sim_stack_count(sim) && n < ZONE_MAX; i++) {
        struct naru_stack *s = naru_sim_stack_at(sim, i);
        bool have4 = false, have6 = false;
        for (int k = 0; k < (int)naru_if_count(s) && n < ZONE_MAX; k++) {
            struct naru_if_addr addrs[16];
            int count = naru_if_get_addrs(s, k, addrs, 16);
            for (int j = 0; j < count && j < 16 && n < ZONE_MAX; j++) {
                const struct naru_addr *a = &addrs[j].addr;
                bool *have = a->family == NARU_AF_INET ? &have4 : &have6;
                if (*have || naru_addr_is_link_local(a))
                    continue;
                *have = true;
                char text[NARU_ADDR_STRLEN];
                n += (size_t)snprintf(z + n, ZONE_MAX - n, "%s IN %s %s\n", naru_sim_stack_name(sim, s),
                                      a->family == NARU_AF_INET ? "A" : "AAAA", naru_addr_format(a, text));
            }
        }
    }
    if (n >= ZONE_MAX) {
        free(z);
        return NULL;
    }
    return z;
}

static int dns_server_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    app->origin = copy(c->origin ? c->origin : "sim");
    if (!app->origin)
        return -ENOMEM;
    c->origin = app->origin;
    struct naru_dns_server_config sc;
    naru_dns_server_config_default(&sc);
    int err = naru_dns_server_create(&sc, &app->dns_server);
    if (err < 0)
        return err;
    /* A zone that does not load is the scenario's mistake: say where. */
    char why[256] = "";
    if (c->zone_path) {
        app->zone_path = copy(c->zone_path);
        if (!app->zone_path)
            return -ENOMEM;
        c->zone_path = app->zone_path;
        err = naru_dns_server_load_zone(app->dns_server, c->origin, c->zone_path, why, sizeof why);
    } else {
        app->zone = c->zone ? copy(c->zone) : auto_zone(app, app->origin);
        if (!app->zone)
            return -ENOMEM;
        err = naru_dns_server_load_zone_text(app->dns_server, c->zone ? c->origin : NULL, "zone", app->zone,
                                             strlen(app->zone), why, sizeof why);
        c->zone = NULL;
    }
    if (err < 0) {
        set_error(app, why);
        return err;
    }
    struct naru_sockaddr local = { .port = c->port ? c->port : NARU_DNS_PORT };
    return naru_dns_server_attach(app->dns_server, c->from, &local, &app->dns_endpoint);
}

static int lookup_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->query || (!c->dst.family && !(c->family && c->to)))
        return -EINVAL;
    app->query = copy(c->query);
    if (!app->query)
        return -ENOMEM;
    c->query = app->query;
    return 0;
}

static void lookup_start(struct naru_sim_app *app)
{
    struct naru_lookup_config l;
    naru_lookup_config_default(&l);
    l.servers[0] = (struct naru_sockaddr){ .addr = app->config.dst, .port = app->config.port ? app->config.port : NARU_DNS_PORT };
    l.server_count = 1;
    l.timeout = app->config.timeout;
    l.name = app->config.query;
    if (app->config.query_type)
        l.type = app->config.query_type;
    l.on_done = lookup_done;
    l.ctx = app;
    if (naru_lookup_start(&app->env_from, &l, &app->lookup) < 0)
        finish(app, false, "cannot start a lookup");
    else if (naru_lookup_result(app->lookup)->finished)
        lookup_done(app);
}

static int ping_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->count)
        c->count = 5;
    if (!c->interval)
        c->interval = NARU_SEC;
    if (!c->size)
        c->size = 56;
    return c->count > 65535 || c->size > 65000 ? -EINVAL : 0;
}

static void ping_start(struct naru_sim_app *app)
{
    struct naru_ping_config p;
    naru_ping_config_default(&p);
    p.dst.addr = app->config.dst;
    p.count = app->config.count;
    p.interval = app->config.interval;
    p.size = app->config.size;
    p.timeout = app->config.timeout;
    p.pattern = app->set->pattern;
    p.on_done = ping_done;
    p.ctx = app;
    if (naru_ping_start(&app->env_from, &p, &app->ping) < 0)
        finish(app, false, "cannot start the ping");
    else if (naru_ping_result(app->ping)->finished)
        ping_done(app);
}

static int trace_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    if (!c->max_ttl)
        c->max_ttl = 30;
    if (!c->queries)
        c->queries = 3;
    if (!c->port)
        c->port = 33434;
    return c->queries > NARU_SIM_MAX_QUERIES || c->max_ttl > NARU_SIM_MAX_HOPS ? -EINVAL : 0;
}

static void trace_start(struct naru_sim_app *app)
{
    struct naru_traceroute_config t;
    naru_traceroute_config_default(&t);
    t.dst = (struct naru_sockaddr){ .addr = app->config.dst, .port = app->config.port };
    t.max_ttl = app->config.max_ttl;
    t.queries = app->config.queries;
    t.wait = app->config.timeout;
    t.on_done = trace_done;
    t.ctx = app;
    if (naru_traceroute_start(&app->env_from, &t, &app->trace) < 0)
        finish(app, false, "cannot start the traceroute");
    else if (naru_traceroute_result(app->trace)->finished)
        trace_done(app);
}

static void begin(void *ctx)
{
    struct naru_sim_app *app = ctx;
    app->result.started = naru_sim_now(app->set->sim);
    if (!app->config.dst.family && app->config.family && app->config.to) {
        app->config.dst = first_addr_of(app->config.to, app->config.family);
        if (!app->config.dst.family) {
            char why[96];
            snprintf(why, sizeof why, "%s has no IPv%c address yet",
                     naru_sim_stack_name(app->set->sim, app->config.to), app->config.family == NARU_AF_INET ? '4' : '6');
            finish(app, false, why);
            return;
        }
        if (!app->config_host_given) {
            char a[NARU_ADDR_STRLEN];
            snprintf(app->host, sizeof app->host, app->config.dst.family == NARU_AF_INET6 ? "[%s]" : "%s",
                     naru_addr_format(&app->config.dst, a));
        }
    }
    switch (app->config.kind) {
    case NARU_SIM_PING: ping_start(app); break;
    case NARU_SIM_TRACEROUTE: trace_start(app); break;
    case NARU_SIM_UDP_TRANSFER:
    case NARU_SIM_TCP_TRANSFER: transfer_start(app); break;
    case NARU_SIM_HTTP_GET: get_start(app); break;
    /* It serves from setup on; starting is only the moment it counts as
     * done, so a scenario does not wait for a server to finish. */
    case NARU_SIM_DNS_SERVER: finish(app, true, NULL); break;
    case NARU_SIM_DNS_LOOKUP: lookup_start(app); break;
    }
}

/* ---- the set ---- */

static const char *kind_name(enum naru_sim_app_kind kind)
{
    switch (kind) {
    case NARU_SIM_PING: return "ping";
    case NARU_SIM_TRACEROUTE: return "traceroute";
    case NARU_SIM_UDP_TRANSFER: return "udp";
    case NARU_SIM_TCP_TRANSFER: return "tcp";
    case NARU_SIM_HTTP_GET: return "http";
    case NARU_SIM_DNS_SERVER: return "dns";
    case NARU_SIM_DNS_LOOKUP: return "lookup";
    default: return NULL;
    }
}

static void app_free(struct naru_sim_app *app)
{
    naru_ping_destroy(app->ping);
    naru_traceroute_destroy(app->trace);
    naru_transfer_destroy(app->tx);
    naru_transfer_destroy(app->rx);
    naru_http_get_destroy(app->get);
    naru_lookup_destroy(app->lookup);
    if (app->dns_endpoint)
        naru_dns_server_detach(app->dns_endpoint);
    naru_dns_server_destroy(app->dns_server);
    free(app->zone);
    free(app->zone_path);
    free(app->origin);
    free(app->query);
    free(app);
}

/* Ports for transfers to one host, so that several can run at once. */
static uint16_t next_transfer_port(const struct naru_sim_apps *set, struct naru_stack *to)
{
    uint16_t port = 5001;
    for (unsigned i = 0; i < set->count; i++) {
        const struct naru_sim_app *a = set->apps[i];
        if ((a->config.kind == NARU_SIM_UDP_TRANSFER || a->config.kind == NARU_SIM_TCP_TRANSFER) &&
            a->config.to == to && a->config.port >= port)
            port = (uint16_t)(a->config.port + 1);
    }
    return port;
}

int naru_sim_app_add(struct naru_sim_apps *set, const struct naru_sim_app_config *config, struct naru_sim_app **out)
{
    struct naru_sim *sim = set->sim;
    const char *kind = config ? kind_name(config->kind) : NULL;
    if (!kind || !config->from)
        return -EINVAL;
    if (sim_grow((void **)&set->apps, &set->cap, set->count, sizeof *set->apps) < 0)
        return -ENOMEM;
    struct naru_sim_app *app = calloc(1, sizeof *app);
    if (!app)
        return -ENOMEM;
    app->set = set;
    app->index = set->count;
    app->config = *config;
    app->result.kind = config->kind;
    app->result.started = app->result.ended = NARU_APP_UNSET;
    struct naru_sim_app_config *c = &app->config;
    if (naru_sim_app_env(sim, c->from, &app->env_from) < 0 || (c->to && naru_sim_app_env(sim, c->to, &app->env_to) < 0)) {
        free(app);
        return -EINVAL;
    }
    if (config->name)
        snprintf(app->name, sizeof app->name, "%s", config->name);
    else
        snprintf(app->name, sizeof app->name, "%s%u", kind, app->index + 1);
    c->name = app->name;
    if (!c->dst.family && c->to && !c->family)
        c->dst = simapp_first_addr(c->to);
    else if (!c->dst.family && c->to)
        c->dst = first_addr_of(c->to, c->family); /* or once it starts */
    app->config_host_given = config->host != NULL;
    if (!c->timeout)
        c->timeout = DEFAULT_TIMEOUT;
    char a[NARU_ADDR_STRLEN];
    naru_addr_format(&c->dst, a);
    /* The Host header's form of an address: IPv6's in brackets (RFC 3986 3.2.2). */
    snprintf(app->host, sizeof app->host, c->dst.family == NARU_AF_INET6 && !config->host ? "[%s]" : "%s",
             config->host ? config->host : a);
    c->host = app->host;
    if ((c->kind == NARU_SIM_UDP_TRANSFER || c->kind == NARU_SIM_TCP_TRANSFER) && !c->port)
        c->port = next_transfer_port(set, c->to);
    int err = c->dst.family || c->kind == NARU_SIM_DNS_SERVER || (c->family && c->to) ? 0 : -EINVAL;
    if (!err) {
        switch (c->kind) {
        case NARU_SIM_PING: err = ping_setup(app); break;
        case NARU_SIM_TRACEROUTE: err = trace_setup(app); break;
        case NARU_SIM_UDP_TRANSFER:
        case NARU_SIM_TCP_TRANSFER: err = transfer_setup(app); break;
        case NARU_SIM_HTTP_GET: err = get_setup(app); break;
        case NARU_SIM_DNS_SERVER: err = dns_server_setup(app); break;
        case NARU_SIM_DNS_LOOKUP: err = lookup_setup(app); break;
        }
    }
    if (!err)
        err = naru_sim_at_stack(sim, c->from, c->start, begin, app);
    if (err) {
        app_free(app);
        return err;
    }
    set->apps[set->count++] = app;
    set->unfinished++;
    if (out)
        *out = app;
    return 0;
}

void naru_sim_apps_destroy(struct naru_sim_apps *set)
{
    if (!set)
        return;
    for (unsigned i = 0; i < set->count; i++)
        app_free(set->apps[i]);
    while (set->http_servers) {
        struct sim_http_server *s = set->http_servers;
        set->http_servers = s->next;
        naru_http_server_destroy(s->server);
        free(s);
    }
    naru_app_pattern_destroy(set->pattern);
    free(set->apps);
    free(set);
}

const char *naru_sim_app_name(const struct naru_sim_app *app)
{
    return app->name;
}

void simapp_result(const struct naru_sim_app *app, struct naru_sim_app_result *result)
{
    *result = app->result;
    result->dst = app->config.dst;
    if (!result->finished)
        gather(app, result, false);
    else if (app->dns_server) /* a server serves on after it counts as done */
        result->dns_queries = naru_dns_server_stats(app->dns_server)->queries;
}

void naru_sim_app_get_result(const struct naru_sim_app *app, struct naru_sim_app_result *result)
{
    simapp_result(app, result);
}

unsigned naru_sim_app_count(const struct naru_sim_apps *set)
{
    return set->count;
}

struct naru_sim_app *naru_sim_app_at(const struct naru_sim_apps *set, unsigned index)
{
    return index < set->count ? set->apps[index] : NULL;
}

int naru_sim_dns_server_update(struct naru_sim_app *app, const char *zone, char *err, size_t err_len)
{
    if (!app->dns_server)
        return -ENOTSUP;
    return naru_dns_server_reload_zone_text(app->dns_server, app->config.origin, "zone update", zone, strlen(zone),
                                            err, err_len);
}

struct naru_sim_app *naru_sim_find_app(const struct naru_sim_apps *set, const char *name)
{
    for (unsigned i = 0; i < set->count; i++)
        if (!strcmp(set->apps[i]->name, name))
            return set->apps[i];
    return NULL;
}

bool naru_sim_apps_finished(void *set)
{
    return ((struct naru_sim_apps *)set)->unfinished == 0;
}
