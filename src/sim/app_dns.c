/* The simulator's DNS applications: naru's authoritative server on a
 * simulated host, and a lookup through naru's stub resolver, so names in
 * a simulation are resolved by real DNS messages over the simulated links
 * (lost, retried, timed) rather than by a table. */
#include "sim/apps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "naru/dns.h"

#define ZONE_MAX (64 * 1024)

struct dns_state {
    struct naru_dns_server *server;
    struct naru_dns_server_endpoint *endpoint;
    struct naru_dns_resolver *resolver;
    char *zone, *zone_path, *origin, *query; /* copies of the config's strings */
};

static struct dns_state *state_of(struct naru_sim_app *app)
{
    return app->s.dns;
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

static uint32_t first_addr(struct naru_stack *stack)
{
    for (int i = 0; i < (int)naru_if_count(stack); i++) {
        uint32_t a = 0;
        if (naru_if_get_addr(stack, i, &a, NULL) == 0 && a)
            return a;
    }
    return 0;
}

/* A zone naming every stack of the simulation: NAME.ORIGIN A address. */
static char *auto_zone(struct naru_sim_app *app, const char *origin)
{
    struct naru_sim *sim = app->sim;
    char *z = malloc(ZONE_MAX);
    if (!z)
        return NULL;
    const char *self = naru_sim_stack_name(sim, app->config.from);
    size_t n = (size_t)snprintf(z, ZONE_MAX,
                                "$ORIGIN %s.\n$TTL 3600\n"
                                "@ IN SOA %s hostmaster 1 3600 600 86400 60\n"
                                "@ IN NS %s\n",
                                origin, self, self);
    for (unsigned i = 0; i < naru_sim_stack_count(sim) && n < ZONE_MAX; i++) {
        struct naru_stack *s = naru_sim_stack_at(sim, i);
        uint32_t a = first_addr(s);
        char text[NARU_IP4_STRLEN];
        if (a)
            n += (size_t)snprintf(z + n, ZONE_MAX - n, "%s IN A %s\n", naru_sim_stack_name(sim, s),
                                  naru_ip4_format(a, text));
    }
    if (n >= ZONE_MAX) {
        free(z);
        return NULL;
    }
    return z;
}

static int server_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    struct dns_state *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    app->s.dns = d;
    d->origin = copy(c->origin ? c->origin : "sim");
    if (!d->origin)
        return -ENOMEM;
    c->origin = d->origin;
    struct naru_dns_server_config sc;
    naru_dns_server_config_default(&sc);
    int err = naru_dns_server_create(&sc, &d->server);
    if (err < 0)
        return err;
    /* A zone that does not load is the scenario's mistake: say where. */
    char why[256] = "";
    if (c->zone_path) {
        err = naru_dns_server_load_zone(d->server, c->origin, c->zone_path, why, sizeof why);
    } else {
        d->zone = c->zone ? copy(c->zone) : auto_zone(app, d->origin);
        if (!d->zone)
            return -ENOMEM;
        err = naru_dns_server_load_zone_text(d->server, c->zone ? c->origin : NULL, "zone", d->zone,
                                             strlen(d->zone), why, sizeof why);
    }
    if (err < 0) {
        snprintf(app->result.error, sizeof app->result.error, "%.*s", (int)sizeof app->result.error - 1, why);
        return err;
    }
    struct naru_sockaddr local = { 0, c->port ? c->port : NARU_DNS_PORT };
    return naru_dns_server_attach(d->server, c->from, &local, &d->endpoint);
}

static void server_start(struct naru_sim_app *app)
{
    /* It serves from setup on; starting is only the moment it counts as
     * done, so a scenario does not wait for a server to finish. */
    app_finish(app, true, NULL);
}

static void server_destroy(struct naru_sim_app *app)
{
    struct dns_state *d = state_of(app);
    if (!d)
        return;
    if (d->endpoint)
        naru_dns_server_detach(d->endpoint);
    naru_dns_server_destroy(d->server);
    free(d->zone);
    free(d->origin);
    free(d);
}

const struct app_ops app_dns_server_ops = { server_setup, server_start, server_destroy };

static void looked_up(void *ctx, const struct naru_dns_result *res)
{
    struct naru_sim_app *app = ctx;
    struct naru_sim_app_result *r = &app->result;
    r->dns_status = res->status;
    r->addr_count = 0;
    for (unsigned i = 0; i < res->count && r->addr_count < sizeof r->addrs / sizeof r->addrs[0]; i++)
        r->addrs[r->addr_count++] = naru_dns_result_ip4(res, i);
    r->dns_ttl = res->ttl;
    r->dns_queries = naru_dns_resolver_stats(state_of(app)->resolver)->queries_sent;
    const char *why = res->status == 0                ? NULL
                      : res->status == -ENOENT        ? "no such name"
                      : res->status == -ENODATA       ? "the name has no address"
                      : res->status == -ETIMEDOUT     ? "no DNS server answered"
                      : res->status == -ECONNREFUSED  ? "the DNS server refused"
                                                      : "the DNS answer was no good";
    app_finish(app, res->status == 0 && r->addr_count > 0, why);
}

static int lookup_setup(struct naru_sim_app *app)
{
    struct naru_sim_app_config *c = &app->config;
    struct dns_state *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    app->s.dns = d;
    if (!c->query || !c->dst)
        return -EINVAL;
    d->query = copy(c->query);
    if (!d->query)
        return -ENOMEM;
    c->query = d->query;
    return 0;
}

static void lookup_start(struct naru_sim_app *app)
{
    struct dns_state *d = state_of(app);
    struct naru_sim_app_config *c = &app->config;
    struct naru_dns_resolver_config rc;
    naru_dns_resolver_config_default(&rc);
    rc.servers[0] = (struct naru_sockaddr){ c->dst, c->port ? c->port : NARU_DNS_PORT };
    rc.server_count = 1;
    if (app->config.timeout)
        rc.timeout = app->config.timeout;
    int err = naru_dns_resolver_create(c->from, &rc, &d->resolver);
    if (err < 0) {
        app_finish(app, false, "cannot start a resolver");
        return;
    }
    int h = naru_dns_resolve(d->resolver, c->query, 1 /* A */, looked_up, app);
    if (h < 0 && !app->result.finished)
        app_finish(app, false, "not a name that can be looked up");
}

static void lookup_destroy(struct naru_sim_app *app)
{
    struct dns_state *d = state_of(app);
    if (!d)
        return;
    naru_dns_resolver_destroy(d->resolver);
    free(d->query);
    free(d);
}

const struct app_ops app_dns_lookup_ops = { lookup_setup, lookup_start, lookup_destroy };

uint64_t app_dns_served(const struct naru_sim_app *app)
{
    const struct dns_state *d = app->s.dns;
    return d && d->server ? naru_dns_server_stats(d->server)->queries : 0;
}
