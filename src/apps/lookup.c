/* A DNS lookup as a program makes one: a dotted quad is its own answer;
 * else the hosts table, then naru's stub resolver, trying the name with
 * the search list in the order resolv.conf(5) gives. */
#include "apps_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"

#define NAME_MAX_TEXT 255      /* a domain name in text, and its trailing dot */

struct naru_lookup {
    struct naru_app_env env;
    struct naru_lookup_config c;
    struct naru_lookup_result r;
    struct naru_dns_resolver *resolver, *own;
    char name[NAME_MAX_TEXT + 1];
    char search[NARU_LOOKUP_MAX_SEARCH][NAME_MAX_TEXT + 1];
    uint64_t queries_before;
    int handle;                /* the query in flight, or -1 */
    unsigned tries, next;
    bool as_is_first;
    bool pending, in_resolve;
    int nodata, nxdomain, failed;
};

void naru_lookup_config_default(struct naru_lookup_config *c)
{
    memset(c, 0, sizeof *c);
    c->type = 1;
    c->ndots = 1;
}

static const char *why_of(int status)
{
    switch (status) {
    case 0: return "";
    case -ENOENT: return "no such name";
    case -ENODATA: return "the name has no address";
    case -ETIMEDOUT: return "no DNS server answered";
    case -ECONNREFUSED: return "the DNS server refused";
    case -EINVAL: return "not a name that can be looked up";
    case -ENOMEM: return "out of memory";
    default: return "the DNS answer was no good";
    }
}

static void finish(struct naru_lookup *l, int status)
{
    struct naru_lookup_result *r = &l->r;
    if (r->finished)
        return;
    r->finished = true;
    r->status = status;
    r->ok = status == 0 && r->count > 0;
    r->why = why_of(status);
    r->ended = app_now(&l->env);
    if (l->resolver)
        r->queries = naru_dns_resolver_stats(l->resolver)->queries_sent - l->queries_before;
    if (l->c.on_done)
        l->c.on_done(l->c.ctx);
}

static void on_answer(void *ctx, const struct naru_dns_result *res);

/* The i-th name to try: as it is at one end of the list, with each search
 * domain elsewhere (resolv.conf(5)). */
static void candidate(const struct naru_lookup *l, unsigned i, char *out, size_t cap)
{
    unsigned s = l->as_is_first ? i - 1 : i;
    if ((l->as_is_first && i == 0) || (!l->as_is_first && i == l->tries - 1))
        snprintf(out, cap, "%s", l->name);
    else
        snprintf(out, cap, "%s.%s", l->name, l->search[s]);
}

/* Which failure to report: a name that exists without an address says
 * most, then "no such name", then what the servers did (REFUSED from a
 * server not serving one search domain must not hide another's answer). */
static void conclude(struct naru_lookup *l)
{
    finish(l, l->nodata ? l->nodata : l->nxdomain ? l->nxdomain : l->failed ? l->failed : -ENOENT);
}

/* A candidate's outcome; true when the lookup is over. */
static bool record(struct naru_lookup *l, int status, const struct naru_dns_result *res)
{
    if (status == 0 && res && res->count == 0)
        status = -ENODATA;
    if (status == 0) {
        struct naru_lookup_result *r = &l->r;
        for (unsigned i = 0; i < res->count && r->count < NARU_DNS_MAX_ADDRS; i++)
            r->addrs[r->count++] = res->type == 28 ? naru_addr_v6(res->addrs[i])
                                                   : naru_addr_v4(naru_dns_result_ip4(res, i));
        r->ttl = res->ttl;
        r->from_hosts = res->from_hosts;
        snprintf(r->canonical, sizeof r->canonical, "%s", res->canonical);
        finish(l, 0);
        return true;
    }
    if (status == -ETIMEDOUT || status == -ENOMEM) {
        finish(l, status); /* no server answers: every other name would wait as long */
        return true;
    }
    if (status == -ENODATA)
        l->nodata = status;
    else if (status == -ENOENT || status == -EINVAL) /* EINVAL: too long with this domain */
        l->nxdomain = -ENOENT;
    else if (!l->failed)
        l->failed = status;
    return false;
}

static void try_next(struct naru_lookup *l)
{
    while (!l->r.finished && l->next < l->tries) {
        char name[2 * (NAME_MAX_TEXT + 1) + 2];
        candidate(l, l->next++, name, sizeof name);
        l->pending = true;
        l->in_resolve = true;
        int h = naru_dns_resolve(l->resolver, name, l->c.type, on_answer, l);
        l->in_resolve = false;
        if (h < 0 && l->pending) {
            l->pending = false;
            if (record(l, h, NULL))
                return;
            continue;
        }
        if (l->pending) {
            l->handle = h; /* the answer comes later */
            return;
        }
        /* Answered before naru_dns_resolve returned (cache, hosts): on. */
    }
    if (!l->r.finished)
        conclude(l);
}

static void on_answer(void *ctx, const struct naru_dns_result *res)
{
    struct naru_lookup *l = ctx;
    l->pending = false;
    l->handle = -1;
    if (record(l, res->status, res) || l->in_resolve)
        return;
    try_next(l);
}

int naru_lookup_start(const struct naru_app_env *env, const struct naru_lookup_config *config,
                      struct naru_lookup **out)
{
    size_t len = config->name ? strlen(config->name) : 0;
    if (!config->resolver && !config->server_count)
        return -EINVAL;
    if (config->search_count > NARU_LOOKUP_MAX_SEARCH || config->server_count > NARU_DNS_MAX_SERVERS)
        return -EINVAL;
    struct naru_lookup *l = calloc(1, sizeof *l);
    if (!l)
        return -ENOMEM;
    l->env = *env;
    l->c = *config;
    l->c.name = NULL;
    l->handle = -1;
    struct naru_lookup_result *r = &l->r;
    r->why = "";
    r->started = app_now(env);
    r->ended = NARU_APP_UNSET;
    *out = l;
    if (!len || len > NAME_MAX_TEXT || config->name[0] == '.') {
        finish(l, -ENOENT);
        return 0;
    }
    memcpy(l->name, config->name, len + 1);
    for (unsigned i = 0; i < config->search_count; i++)
        snprintf(l->search[i], sizeof l->search[i], "%s", config->search[i]);
    /* An address as text is itself, of the family asked for. */
    uint8_t family = config->type == 1 ? NARU_AF_INET : config->type == 28 ? NARU_AF_INET6 : NARU_AF_UNSPEC;
    struct naru_addr a = { .family = NARU_AF_INET };
    if (family == NARU_AF_INET ? naru_ip4_parse(l->name, &a.v4) == 0
                               : naru_addr_parse(l->name, &a) == 0 && a.family == family) {
        r->addrs[r->count++] = a;
        snprintf(r->canonical, sizeof r->canonical, "%s", l->name);
        finish(l, 0);
        return 0;
    }
    l->resolver = config->resolver;
    if (!l->resolver) {
        struct naru_dns_resolver_config rc;
        naru_dns_resolver_config_default(&rc);
        memcpy(rc.servers, config->servers, sizeof rc.servers);
        rc.server_count = config->server_count;
        if (config->timeout)
            rc.timeout = config->timeout;
        int err = naru_dns_resolver_create(env->stack, &rc, &l->own);
        if (err < 0) {
            finish(l, err);
            return 0;
        }
        l->resolver = l->own;
    }
    l->queries_before = naru_dns_resolver_stats(l->resolver)->queries_sent;
    /* The hosts table first, by the name as typed (like "files" before
     * "dns" in nsswitch.conf). */
    if (family && naru_dns_hosts_lookup(l->resolver, l->name, family, &a) == 0) {
        r->addrs[r->count++] = a;
        r->from_hosts = true;
        snprintf(r->canonical, sizeof r->canonical, "%s", l->name);
        finish(l, 0);
        return 0;
    }
    unsigned dots = 0;
    for (const char *p = l->name; *p; p++)
        dots += *p == '.';
    bool absolute = l->name[len - 1] == '.';
    l->as_is_first = absolute || dots >= config->ndots;
    l->tries = absolute ? 1 : 1 + config->search_count;
    try_next(l);
    return 0;
}

const struct naru_lookup_result *naru_lookup_result(const struct naru_lookup *l)
{
    return &l->r;
}

void naru_lookup_destroy(struct naru_lookup *l)
{
    if (!l)
        return;
    if (l->handle >= 0)
        naru_dns_cancel(l->resolver, l->handle);
    naru_dns_resolver_destroy(l->own);
    free(l);
}
