/* The stub resolver: asks recursive servers over naru's UDP sockets (TCP
 * when an answer comes back truncated), and keeps a bounded cache.
 *
 * Defences against forged answers (RFC 5452): every try goes out from a
 * new socket, so a new random ephemeral port (RFC 6056), with a new random
 * ID, and an answer counts only if it comes from the address and port the
 * query went to, with the same ID and the same question. Anything else is
 * counted and dropped, and never reaches the cache.
 *
 * The resolver does no I/O and reads no clock: sockets, time, one timer and
 * a seed come through struct naru_dns_resolver_io, so the same code runs on
 * a naru stack (resolver_naru.c) and on the host's kernel sockets. Each
 * query keeps its own deadline; the one timer asked of the transport is
 * the earliest of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "dns/text.h"
#include "naru/addr.h"
#include "naru/counters.h"
#include "naru/dns.h"
#include "wire/dns.h"

#define MAX_RESTARTS 8         /* new queries for CNAME targets the server did not follow */
#define MAX_CHAIN 16           /* CNAMEs followed inside one answer */
#define QUERY_MAX 512

struct rquery {
    bool used;
    bool done;                 /* result ready; delivered from the timer */
    uint16_t gen;
    struct naru_dns_resolver *r;
    struct dns_name qname;     /* as asked */
    struct dns_name name;      /* being asked now (after CNAME restarts) */
    uint16_t type;
    unsigned restarts;
    uint32_t chain_ttl;        /* smallest TTL along the CNAMEs so far */
    naru_dns_callback cb;
    void *ctx;
    unsigned attempt;          /* tries so far; server = attempt % servers */
    int sock;
    bool tcp;
    uint16_t id;
    struct naru_sockaddr server;
    uint8_t query[QUERY_MAX];
    size_t qlen;
    uint8_t *tcp_buf;          /* TCP: the reply being received */
    size_t tcp_have;
    bool tcp_sent;
    naru_time_t deadline;      /* the try times out, or (done) the result goes out */
    struct naru_dns_result result;
};

struct cache_entry {
    bool used;
    struct dns_name name;      /* lower case */
    uint16_t type;             /* 0: NXDOMAIN, for every type (RFC 2308 5) */
    int status;
    naru_time_t expires;
    naru_time_t last_used;
    unsigned count;
    uint8_t addrs[NARU_DNS_MAX_ADDRS][16];
    struct dns_name canonical;
};

struct host_entry {
    struct dns_name name;      /* lower case */
    struct naru_addr v4, v6;   /* NARU_AF_UNSPEC: none of that family */
};

struct naru_dns_resolver {
    struct naru_dns_resolver_io io;
    naru_time_t timer_at;      /* what the transport's timer is set to */
    bool polling;              /* setting it waits for the end of the poll */
    struct naru_dns_resolver_config config;
    struct naru_random random;
    struct rquery *queries;
    struct cache_entry *cache;
    struct host_entry *hosts;
    unsigned host_count;
    struct naru_dns_resolver_stats stats;
};

/* Each event counts in this resolver's own stats and, on a naru stack, in
 * the stack's counters too (include/naru/counters.h), which print beside
 * every other layer's and add up all the resolvers on the stack. */
#define COUNT(r, stat, counter)                       \
    do {                                              \
        (r)->stats.stat++;                            \
        if ((r)->io.counters)                         \
            (r)->io.counters->dns_##counter++;        \
    } while (0)

void naru_dns_resolver_config_default(struct naru_dns_resolver_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout = 1 * NARU_SEC;
    c->rounds = 3;
    c->cache_entries = 256;
    c->max_queries = 32;
    c->max_ttl = 86400;
    c->max_negative_ttl = 10800;
    c->hosts_entries = 64;
}

int naru_dns_resolver_create_io(const struct naru_dns_resolver_io *io,
                                const struct naru_dns_resolver_config *config,
                                struct naru_dns_resolver **out)
{
    if (!io || !io->open || !io->send || !io->recv || !io->close || !io->now || !io->set_timer ||
        !config || config->server_count > NARU_DNS_MAX_SERVERS || !config->max_queries ||
        config->max_queries > 32767)
        return -EINVAL;
    struct naru_dns_resolver *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->io = *io;
    r->io.release = NULL;      /* the caller still owns ctx if this fails */
    r->timer_at = NARU_NEVER;
    r->config = *config;
    if (!r->config.rounds)
        r->config.rounds = 1;
    if (!r->config.timeout)
        r->config.timeout = NARU_SEC;
    /* A given seed gives the same IDs: a simulation repeats exactly. */
    random_seed(&r->random, io->seed);
    r->queries = calloc(config->max_queries, sizeof *r->queries);
    r->cache = calloc(config->cache_entries ? config->cache_entries : 1, sizeof *r->cache);
    r->hosts = calloc(config->hosts_entries ? config->hosts_entries : 1, sizeof *r->hosts);
    if (!r->queries || !r->cache || !r->hosts) {
        naru_dns_resolver_destroy(r);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < config->max_queries; i++) {
        r->queries[i].sock = -1;
        r->queries[i].r = r;
        r->queries[i].deadline = NARU_NEVER;
    }
    r->io.release = io->release;
    *out = r;
    return 0;
}

/* ---- the one timer ---- */

/* Set the transport's timer to the earliest deadline of any query (again,
 * if `always`: after a poll, when the timer has fired). */
static void rearm(struct naru_dns_resolver *r, bool always)
{
    if (r->polling)
        return;
    naru_time_t next = NARU_NEVER;
    for (unsigned i = 0; i < r->config.max_queries; i++)
        if (r->queries[i].used && r->queries[i].deadline < next)
            next = r->queries[i].deadline;
    if (always || next != r->timer_at) {
        r->timer_at = next;
        r->io.set_timer(r->io.ctx, next);
    }
}

static void set_deadline(struct rquery *q, naru_time_t when)
{
    struct naru_dns_resolver *r = q->r;
    naru_time_t old = q->deadline;
    q->deadline = when;
    if (r->polling)
        return;
    if (when < r->timer_at) {
        r->timer_at = when;
        r->io.set_timer(r->io.ctx, when);
    } else if (old == r->timer_at && when != old) {
        rearm(r, false);       /* the earliest may have moved later */
    }
}

static void close_socket(struct rquery *q)
{
    if (q->sock >= 0) {
        q->r->io.close(q->r->io.ctx, q->sock);
        q->sock = -1;
    }
    free(q->tcp_buf);
    q->tcp_buf = NULL;
    q->tcp_have = 0;
    q->tcp_sent = false;
}

static void query_free(struct rquery *q)
{
    close_socket(q);
    q->used = false;
    q->gen++;
    set_deadline(q, NARU_NEVER);
}

void naru_dns_resolver_destroy(struct naru_dns_resolver *r)
{
    if (!r)
        return;
    if (r->queries)
        for (unsigned i = 0; i < r->config.max_queries; i++)
            if (r->queries[i].used)
                query_free(&r->queries[i]);
    void (*release)(void *) = r->io.release;
    void *ctx = r->io.ctx;
    free(r->queries);
    free(r->cache);
    free(r->hosts);
    free(r);
    if (release)
        release(ctx);
}

const struct naru_dns_resolver_stats *naru_dns_resolver_stats(const struct naru_dns_resolver *r)
{
    return &r->stats;
}

uint32_t naru_dns_result_ip4(const struct naru_dns_result *res, unsigned i)
{
    const uint8_t *a = res->addrs[i];
    return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* ---- hosts ---- */

int naru_dns_hosts_add(struct naru_dns_resolver *r, const char *name, const struct naru_addr *addr)
{
    struct dns_name n;
    if (addr->family != NARU_AF_INET && addr->family != NARU_AF_INET6)
        return -EINVAL;
    if (dns_name_from_text(name, strlen(name), NULL, &n) < 0)
        return -EINVAL;
    dns_name_lower(&n);
    struct host_entry *h = NULL;
    for (unsigned i = 0; i < r->host_count && !h; i++)
        if (dns_name_equal(&r->hosts[i].name, &n))
            h = &r->hosts[i];
    if (!h) {
        if (r->host_count == r->config.hosts_entries)
            return -ENOSPC;
        h = &r->hosts[r->host_count++];
        *h = (struct host_entry){ .name = n };
    }
    if (addr->family == NARU_AF_INET)
        h->v4 = *addr;
    else
        h->v6 = *addr;
    return 0;
}

int naru_dns_hosts_lookup(const struct naru_dns_resolver *r, const char *name, uint8_t family,
                          struct naru_addr *addr)
{
    struct dns_name n;
    if (dns_name_from_text(name, strlen(name), NULL, &n) < 0)
        return -EINVAL;
    for (unsigned i = 0; i < r->host_count; i++) {
        if (!dns_name_equal(&r->hosts[i].name, &n))
            continue;
        const struct host_entry *h = &r->hosts[i];
        const struct naru_addr *a = family == NARU_AF_INET ? &h->v4
                                    : family == NARU_AF_INET6 ? &h->v6
                                    : h->v6.family ? &h->v6 : &h->v4;
        if (a->family == NARU_AF_UNSPEC)
            return -ENOENT;
        *addr = *a;
        return 0;
    }
    return -ENOENT;
}

/* Next whitespace-separated field of a line, or NULL (strtok_r is POSIX). */
static char *next_field(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (!*s)
        return NULL;
    char *start = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
        s++;
    if (*s)
        *s++ = 0;
    *p = s;
    return start;
}

int naru_dns_hosts_load(struct naru_dns_resolver *r, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -errno;
    }
    char line[1024];
    unsigned lineno = 0;
    int status = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *cursor = line;
        char *addr = next_field(&cursor);
        if (!addr)
            continue;
        struct naru_addr a;
        if (naru_addr_parse(addr, &a) < 0) {
            if (strchr(addr, '%'))
                continue;      /* a zone ("fe80::1%lo0"): no address for a name */
            snprintf(err, err_len, "%s:%u: bad address '%s'", path, lineno, addr);
            status = -EINVAL;
            break;
        }
        char *name;
        bool any = false;
        while ((name = next_field(&cursor))) {
            any = true;
            int e = naru_dns_hosts_add(r, name, &a);
            if (e < 0) {
                snprintf(err, err_len, "%s:%u: %s '%s'", path, lineno,
                         e == -ENOSPC ? "hosts table full at" : "bad name", name);
                status = e;
                break;
            }
        }
        if (status < 0)
            break;
        if (!any) {
            snprintf(err, err_len, "%s:%u: address without a name", path, lineno);
            status = -EINVAL;
            break;
        }
    }
    fclose(f);
    return status;
}

/* ---- cache ---- */

static naru_time_t now_of(const struct naru_dns_resolver *r)
{
    return r->io.now(r->io.ctx);
}

unsigned naru_dns_cache_size(const struct naru_dns_resolver *r)
{
    unsigned n = 0;
    for (unsigned i = 0; i < r->config.cache_entries; i++)
        if (r->cache[i].used && r->cache[i].expires > now_of(r))
            n++;
    return n;
}

void naru_dns_cache_flush(struct naru_dns_resolver *r)
{
    memset(r->cache, 0, r->config.cache_entries * sizeof *r->cache);
}

static struct cache_entry *cache_find(struct naru_dns_resolver *r, const struct dns_name *name,
                                      uint16_t type)
{
    naru_time_t now = now_of(r);
    for (unsigned i = 0; i < r->config.cache_entries; i++) {
        struct cache_entry *e = &r->cache[i];
        if (!e->used)
            continue;
        if (e->expires <= now) {
            e->used = false;   /* RFC 1035 3.2.1: gone when its TTL runs out */
            continue;
        }
        if (e->type == type && dns_name_equal(&e->name, name))
            return e;
    }
    return NULL;
}

static void cache_store(struct naru_dns_resolver *r, const struct dns_name *name, uint16_t type,
                        const struct naru_dns_result *res, uint32_t ttl)
{
    if (!r->config.cache_entries || ttl == 0)
        return;
    naru_time_t now = now_of(r);
    struct cache_entry *slot = cache_find(r, name, type);
    if (!slot) {
        /* A free or expired slot, else the least recently used one. */
        for (unsigned i = 0; i < r->config.cache_entries && !slot; i++)
            if (!r->cache[i].used || r->cache[i].expires <= now)
                slot = &r->cache[i];
        if (!slot) {
            slot = &r->cache[0];
            for (unsigned i = 1; i < r->config.cache_entries; i++)
                if (r->cache[i].last_used < slot->last_used)
                    slot = &r->cache[i];
            COUNT(r, cache_evictions, cache_evictions);
        }
    }
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->name = *name;
    dns_name_lower(&slot->name);
    slot->type = type;
    slot->status = res->status;
    slot->expires = now + (naru_time_t)ttl * NARU_SEC;
    slot->last_used = now;
    slot->count = res->count;
    memcpy(slot->addrs, res->addrs, sizeof slot->addrs);
    dns_name_from_text(res->canonical, strlen(res->canonical), NULL, &slot->canonical);
}

static void canonical_text(const struct dns_name *n, char *out)
{
    size_t l = dns_name_to_text(n, out, NARU_DNS_NAME_TEXT_MAX);
    if (l > 1 && l < NARU_DNS_NAME_TEXT_MAX && out[l - 1] == '.')
        out[l - 1] = 0;
}

/* A cached answer for (name, type), or the name's NXDOMAIN. */
static bool cache_answer(struct naru_dns_resolver *r, const struct dns_name *name, uint16_t type,
                         struct naru_dns_result *res)
{
    struct cache_entry *e = cache_find(r, name, type);
    if (!e)
        e = cache_find(r, name, 0);
    if (!e) {
        COUNT(r, cache_misses, cache_misses);
        return false;
    }
    naru_time_t now = now_of(r);
    e->last_used = now;
    memset(res, 0, sizeof *res);
    res->status = e->status;
    res->type = type;
    res->count = e->count;
    memcpy(res->addrs, e->addrs, sizeof res->addrs);
    canonical_text(&e->canonical, res->canonical);
    /* The TTL left, rounded up, as a cache hands it on. */
    res->ttl = (uint32_t)((e->expires - now + NARU_SEC - 1) / NARU_SEC);
    res->from_cache = true;
    if (e->status == 0)
        COUNT(r, cache_hits, cache_hits);
    else
        COUNT(r, negative_hits, negative_hits);
    return true;
}

/* ---- queries ---- */

static void finish(struct rquery *q, int status)
{
    q->result.status = status;
    q->result.type = q->type;
    q->done = true;
    close_socket(q);
    /* Deliver from the timer, never from inside a socket callback. */
    set_deadline(q, now_of(q->r));
}

static void try_next(struct rquery *q);

static int build_query(struct rquery *q)
{
    struct naru_dns_resolver *r = q->r;
    q->id = (uint16_t)random_u32(&r->random);
    struct dns_builder b;
    dns_builder_init(&b, q->query, sizeof q->query, sizeof q->query);
    /* RD: a stub asks recursive servers to do the work (RFC 1123 6.1.3.1). */
    if (dns_builder_header(&b, q->id, DNS_RD) < 0 || dns_builder_reserve_opt(&b, DNS_OPT_LEN) < 0 ||
        dns_builder_question(&b, &q->name, q->type, DNS_C_IN) < 0 ||
        dns_builder_opt(&b, DNS_EDNS_DEFAULT_MAX, 0, 0, false, NULL, 0) < 0)
        return -EINVAL;
    q->qlen = dns_builder_finish(&b);
    return 0;
}

static void send_udp(struct rquery *q)
{
    struct naru_dns_resolver *r = q->r;
    unsigned n = r->config.server_count;
    unsigned round = q->attempt / n;
    q->server = r->config.servers[q->attempt % n];
    if (!q->server.port)
        q->server.port = NARU_DNS_PORT;
    close_socket(q);
    q->tcp = false;
    /* A new socket per try: a new random source port (RFC 5452 9.2). */
    int sock = r->io.open(r->io.ctx, NARU_DNS_UDP, &q->server);
    naru_time_t timeout = r->config.timeout << (round < 16 ? round : 16);
    set_deadline(q, now_of(r) + timeout);
    if (sock < 0)
        return;                /* the timer tries again */
    q->sock = sock;
    if (build_query(q) < 0)
        return;
    long sent = r->io.send(r->io.ctx, q->sock, q->query, q->qlen, &q->server);
    if (sent >= 0)
        COUNT(r, queries_sent, queries);
    else if (sent == -ENETUNREACH || sent == -EHOSTUNREACH)
        /* No route to this server: waiting out the timeout cannot help, so
         * the next try (the next server) goes at once, from the timer. */
        set_deadline(q, now_of(r));
    if (q->attempt)
        COUNT(r, retries, retries);
}

static void try_next(struct rquery *q)
{
    struct naru_dns_resolver *r = q->r;
    if (!r->config.server_count) {
        finish(q, -ETIMEDOUT);
        return;
    }
    q->attempt++;
    if (q->attempt >= r->config.server_count * r->config.rounds) {
        COUNT(r, timeouts, timeouts);
        finish(q, q->result.status ? q->result.status : -ETIMEDOUT);
        return;
    }
    send_udp(q);
}

void naru_dns_resolver_poll(struct naru_dns_resolver *r)
{
    naru_time_t now = now_of(r);
    r->polling = true;
    struct rquery *due = NULL;
    for (unsigned i = 0; i < r->config.max_queries; i++) {
        struct rquery *q = &r->queries[i];
        if (!q->used || q->deadline > now)
            continue;
        if (q->done) {
            if (!due)
                due = q;
            continue;
        }
        try_next(q);           /* this try timed out */
    }
    /* One answer per poll, delivered last: its callback may start queries
     * or destroy the resolver. The timer stays due for any others. */
    struct naru_dns_result res;
    naru_dns_callback cb = NULL;
    void *ctx = NULL;
    if (due) {
        res = due->result;
        cb = due->cb;
        ctx = due->ctx;
        query_free(due);
    }
    r->polling = false;
    rearm(r, true);
    if (cb)
        cb(ctx, &res);
}

static bool start_tcp(struct rquery *q)
{
    struct naru_dns_resolver *r = q->r;
    close_socket(q);
    int sock = r->io.open(r->io.ctx, NARU_DNS_TCP, &q->server);
    if (sock < 0)
        return false;          /* no TCP here */
    q->sock = sock;
    q->tcp_buf = malloc(2 + 65535);
    if (!q->tcp_buf || build_query(q) < 0) {
        close_socket(q);
        return false;
    }
    q->tcp = true;
    set_deadline(q, now_of(r) + r->config.timeout * 2);
    return true;
}

/* Smallest TTL of the RRset at `owner` of `type` in the answer section, and
 * fill addresses when it is the asked type. Returns the record count. */
static unsigned collect(const struct dns_message *m, const struct dns_name *owner, uint16_t type,
                        struct naru_dns_result *res, uint32_t *ttl, struct dns_name *cname)
{
    size_t off = m->section_start[DNS_SEC_ANSWER];
    unsigned found = 0;
    for (unsigned i = 0; i < m->header.ancount; i++) {
        struct dns_rr rr;
        if (dns_read_rr(m, &off, &rr) < 0)
            break;
        if (rr.class_ != DNS_C_IN || rr.type != type || !dns_name_equal(&rr.name, owner))
            continue;
        /* RFC 2181 8: a TTL with the top bit set means zero. */
        uint32_t t = rr.ttl & 0x80000000u ? 0 : rr.ttl;
        if (t < *ttl)
            *ttl = t;
        if (type == DNS_T_CNAME) {
            *cname = rr.data.target;
            return 1;
        }
        if (res->count < NARU_DNS_MAX_ADDRS) {
            memcpy(res->addrs[res->count], type == DNS_T_A ? rr.data.a : rr.data.aaaa,
                   type == DNS_T_A ? 4 : 16);
            res->count++;
        }
        found++;
    }
    return found;
}

/* RFC 2308 5: the negative TTL is min(SOA TTL, SOA MINIMUM) of the SOA in
 * the authority section; without one, nothing is cached. */
static bool negative_ttl(const struct dns_message *m, const struct dns_name *name, uint32_t *ttl)
{
    size_t off = m->section_start[DNS_SEC_AUTHORITY];
    for (unsigned i = 0; i < m->header.nscount; i++) {
        struct dns_rr rr;
        if (dns_read_rr(m, &off, &rr) < 0)
            return false;
        if (rr.type != DNS_T_SOA || !dns_name_is_subdomain(name, &rr.name))
            continue;
        uint32_t t = rr.ttl & 0x80000000u ? 0 : rr.ttl;
        *ttl = t < rr.data.soa.minimum ? t : rr.data.soa.minimum;
        return true;
    }
    return false;
}

static void answer(struct rquery *q, const struct dns_message *m, bool truncated)
{
    struct naru_dns_resolver *r = q->r;
    unsigned rcode = DNS_RCODE(m->header.flags);
    if (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN) {
        /* SERVFAIL, REFUSED, ...: ask the next server. */
        q->result.status = -ECONNREFUSED;
        try_next(q);
        return;
    }
    COUNT(r, replies, replies);
    struct naru_dns_result *res = &q->result;
    res->count = 0;
    struct dns_name cur = q->name;
    uint32_t ttl = q->chain_ttl;
    bool moved = false;
    for (unsigned chain = 0;; chain++) {
        if (collect(m, &cur, q->type, res, &ttl, NULL)) {
            canonical_text(&cur, res->canonical);
            res->ttl = ttl < r->config.max_ttl ? ttl : r->config.max_ttl;
            res->status = 0;
            if (!truncated)
                cache_store(r, &q->qname, q->type, res, res->ttl);
            finish(q, 0);
            return;
        }
        struct dns_name next;
        if (!collect(m, &cur, DNS_T_CNAME, res, &ttl, &next))
            break;
        if (chain == MAX_CHAIN || dns_name_equal(&next, &q->qname)) {
            finish(q, -ELOOP);
            return;
        }
        cur = next;
        moved = true;
    }
    canonical_text(&cur, res->canonical);
    uint32_t neg = 0;
    bool have_soa = negative_ttl(m, &cur, &neg);
    if (rcode == DNS_R_NOERROR && moved && !have_soa) {
        /* The server gave the CNAME but not what it points to (an
         * authoritative server whose zone ends there): ask for the target. */
        if (++q->restarts > MAX_RESTARTS) {
            finish(q, -ELOOP);
            return;
        }
        q->name = cur;
        q->chain_ttl = ttl;
        q->attempt = 0;
        send_udp(q);
        return;
    }
    if (truncated && rcode == DNS_R_NOERROR) {
        /* RFC 2181 9: records left out of a truncated answer say nothing
         * about whether they exist, so this is no NODATA; and without TCP
         * there is no asking for the whole answer. */
        finish(q, -EMSGSIZE);
        return;
    }
    int status = rcode == DNS_R_NXDOMAIN ? -ENOENT : -ENODATA;
    res->status = status;
    if (have_soa && !truncated) {
        uint32_t t = neg < ttl ? neg : ttl;
        if (t > r->config.max_negative_ttl)
            t = r->config.max_negative_ttl;
        res->ttl = t;
        cache_store(r, &q->qname, q->type, res, t);
        /* NXDOMAIN says the name has nothing at all: every type. */
        if (status == -ENOENT && dns_name_equal(&cur, &q->qname))
            cache_store(r, &q->qname, 0, res, t);
    }
    finish(q, status);
}

/* Is this datagram (or TCP message) the answer to q? RFC 5452 9.1. */
static void consider(struct rquery *q, const uint8_t *buf, size_t len, const struct naru_sockaddr *from)
{
    struct naru_dns_resolver *r = q->r;
    if (from && (!naru_addr_equal(&from->addr, &q->server.addr) || from->port != q->server.port)) {
        COUNT(r, forged, rx_forged);
        return;
    }
    struct dns_message m;
    if (dns_parse(buf, len, &m) < 0) {
        COUNT(r, malformed, rx_malformed);
        return;
    }
    struct dns_question question;
    size_t off = m.section_start[DNS_SEC_QUESTION];
    if (!(m.header.flags & DNS_QR) || m.header.id != q->id || m.header.qdcount != 1 ||
        dns_read_question(&m, &off, &question) < 0 || question.type != q->type ||
        question.class_ != DNS_C_IN || !dns_name_equal(&question.name, &q->name)) {
        COUNT(r, forged, rx_forged);
        return;
    }
    if ((m.header.flags & DNS_TC) && !q->tcp) {
        /* RFC 7766 5: retry the same server over TCP. */
        COUNT(r, truncated, rx_truncated);
        if (start_tcp(q))
            return;
        /* No TCP here: use what fits, uncached. */
        answer(q, &m, true);
        return;
    }
    answer(q, &m, false);
}

static void tcp_event(struct rquery *q, unsigned events)
{
    struct naru_dns_resolver *r = q->r;
    if (events & (NARU_POLLERR | NARU_POLLHUP) && !(events & NARU_POLLIN)) {
        close_socket(q);
        try_next(q);
        return;
    }
    if (!q->tcp_sent && (events & NARU_POLLOUT)) {
        uint8_t out[2 + QUERY_MAX];
        out[0] = (uint8_t)(q->qlen >> 8);
        out[1] = (uint8_t)q->qlen;
        memcpy(out + 2, q->query, q->qlen);
        long n = r->io.send(r->io.ctx, q->sock, out, q->qlen + 2, NULL);
        if (n == (long)(q->qlen + 2)) {
            q->tcp_sent = true;
            COUNT(r, queries_sent, queries);
        } else if (n != -EAGAIN) {
            close_socket(q);
            try_next(q);
            return;
        }
    }
    if (events & NARU_POLLIN) {
        long n = r->io.recv(r->io.ctx, q->sock, q->tcp_buf + q->tcp_have, 2 + 65535 - q->tcp_have, NULL);
        if (n > 0)
            q->tcp_have += (size_t)n;
        const uint8_t *msg;
        size_t mlen;
        if (naru_dns_tcp_frame(q->tcp_buf, q->tcp_have, &msg, &mlen)) {
            consider(q, msg, mlen, NULL);
            if (!q->done && q->tcp)
                try_next(q);   /* the one reply on this connection was not ours */
            return;
        }
        if (n == 0 || (n < 0 && n != -EAGAIN)) {
            close_socket(q);
            try_next(q);
        }
    }
}

void naru_dns_resolver_socket_ready(struct naru_dns_resolver *r, int sock, unsigned events)
{
    struct rquery *q = NULL;
    for (unsigned i = 0; i < r->config.max_queries && !q; i++)
        if (r->queries[i].used && !r->queries[i].done && r->queries[i].sock == sock && sock >= 0)
            q = &r->queries[i];
    if (!q)
        return;
    if (q->tcp) {
        tcp_event(q, events);
        return;
    }
    uint8_t buf[DNS_EDNS_DEFAULT_MAX];
    struct naru_sockaddr from;
    for (;;) {
        long n = r->io.recv(r->io.ctx, sock, buf, sizeof buf, &from);
        if (n < 0) {
            if (n == -ECONNREFUSED) {
                /* ICMP port unreachable: nobody serves DNS there. */
                try_next(q);
            }
            return;
        }
        consider(q, buf, (size_t)n, &from);
        if (q->done || sock != q->sock)
            return;
    }
}

static struct rquery *query_alloc(struct naru_dns_resolver *r)
{
    for (unsigned i = 0; i < r->config.max_queries; i++)
        if (!r->queries[i].used)
            return &r->queries[i];
    return NULL;
}

static bool hosts_answer(struct naru_dns_resolver *r, const struct dns_name *name, uint16_t type,
                         struct naru_dns_result *res)
{
    for (unsigned i = 0; i < r->host_count; i++) {
        if (!dns_name_equal(&r->hosts[i].name, name))
            continue;
        memset(res, 0, sizeof *res);
        res->type = type;
        res->from_hosts = true;
        canonical_text(name, res->canonical);
        const struct naru_addr *a = type == DNS_T_A ? &r->hosts[i].v4 : type == DNS_T_AAAA ? &r->hosts[i].v6 : NULL;
        if (!a || a->family == NARU_AF_UNSPEC) {
            res->status = -ENODATA;
            return true;
        }
        if (a->family == NARU_AF_INET) {
            res->addrs[0][0] = (uint8_t)(a->v4 >> 24);
            res->addrs[0][1] = (uint8_t)(a->v4 >> 16);
            res->addrs[0][2] = (uint8_t)(a->v4 >> 8);
            res->addrs[0][3] = (uint8_t)a->v4;
        } else {
            memcpy(res->addrs[0], a->v6, 16);
        }
        res->count = 1;
        return true;
    }
    return false;
}

int naru_dns_resolve(struct naru_dns_resolver *r, const char *text, uint16_t type,
                     naru_dns_callback cb, void *ctx)
{
    struct dns_name name;
    if (!cb || (type != DNS_T_A && type != DNS_T_AAAA) ||
        dns_name_from_text(text, strlen(text), NULL, &name) < 0 || name.len <= 1)
        return -EINVAL;
    struct naru_dns_result res;
    if (hosts_answer(r, &name, type, &res) || cache_answer(r, &name, type, &res)) {
        cb(ctx, &res);
        return 0;
    }
    struct rquery *q = query_alloc(r);
    if (!q)
        return -EAGAIN;
    uint16_t gen = q->gen;
    memset(q, 0, sizeof *q);
    q->gen = gen;
    q->r = r;
    q->deadline = NARU_NEVER;
    q->used = true;
    q->sock = -1;
    q->qname = name;
    q->name = name;
    q->type = type;
    q->cb = cb;
    q->ctx = ctx;
    q->chain_ttl = UINT32_MAX;
    memset(&q->result, 0, sizeof q->result);
    if (!r->config.server_count) {
        finish(q, -ETIMEDOUT);
    } else {
        send_udp(q);
    }
    unsigned index = (unsigned)(q - r->queries);
    return (int)(index | (unsigned)(q->gen & 0x7fff) << 16) & 0x7fffffff;
}

int naru_dns_cancel(struct naru_dns_resolver *r, int handle)
{
    if (handle < 0)
        return -EINVAL;
    unsigned index = (unsigned)handle & 0xffff;
    if (index >= r->config.max_queries)
        return -EINVAL;
    struct rquery *q = &r->queries[index];
    if (!q->used || (q->gen & 0x7fff) != ((unsigned)handle >> 16))
        return -ENOENT;
    query_free(q);
    return 0;
}

struct lookup_wait {
    bool done;
    struct naru_dns_result *result;
};

static void lookup_done(void *ctx, const struct naru_dns_result *res)
{
    struct lookup_wait *w = ctx;
    *w->result = *res;
    w->done = true;
}

struct naru_addr naru_dns_result_addr(const struct naru_dns_result *res, unsigned i)
{
    struct naru_addr a = { .family = NARU_AF_UNSPEC };
    if (i >= res->count)
        return a;
    if (res->type == DNS_T_A)
        return naru_addr_v4(naru_dns_result_ip4(res, i));
    a = naru_addr_v6(res->addrs[i]);
    if (naru_addr_is_v4_mapped(&a)) {
        const uint8_t *b = res->addrs[i] + 12;
        a = naru_addr_v4((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    }
    return a;
}

/* Both families' answers in one result: IPv6's first, IPv4's v4-mapped. */
static int merge_both(struct naru_dns_result *out, const struct naru_dns_result *six,
                      const struct naru_dns_result *four)
{
    const struct naru_dns_result *first = six->status == 0 && six->count ? six : four;
    *out = *first;
    out->type = 0;
    out->count = 0;
    for (unsigned i = 0; i < six->count && six->status == 0 && out->count < NARU_DNS_MAX_ADDRS; i++)
        memcpy(out->addrs[out->count++], six->addrs[i], 16);
    for (unsigned i = 0; i < four->count && four->status == 0 && out->count < NARU_DNS_MAX_ADDRS; i++) {
        uint8_t *a = out->addrs[out->count++];
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        memcpy(a + 12, four->addrs[i], 4);
    }
    if (out->count) {
        out->status = 0;
        out->ttl = six->status == 0 && four->status == 0 && four->ttl < six->ttl ? four->ttl : first->ttl;
        return 0;
    }
    /* Neither has an address: the A answer's word, unless it only says
     * NODATA and AAAA's says more. */
    out->status = four->status == -ENODATA && six->status ? six->status : four->status ? four->status : -ENODATA;
    return out->status;
}

int naru_dns_lookup(struct naru_dns_resolver *r, const char *name, uint16_t type, struct naru_dns_result *result,
                    naru_dns_wait_fn wait, void *ctx)
{
    if (type != 0 && type != DNS_T_A && type != DNS_T_AAAA)
        return -EINVAL;
    memset(result, 0, sizeof *result);
    struct naru_addr literal;
    if (naru_addr_parse(name, &literal) == 0) {
        uint16_t own = literal.family == NARU_AF_INET ? DNS_T_A : DNS_T_AAAA;
        if (type && type != own)
            return -ENODATA; /* an address of the other family */
        result->type = type ? own : 0;
        result->count = 1;
        if (literal.family == NARU_AF_INET6) {
            memcpy(result->addrs[0], literal.v6, 16);
        } else {
            uint8_t *a = result->addrs[0] + (type ? 0 : 12);
            if (!type)
                result->addrs[0][10] = result->addrs[0][11] = 0xff;
            a[0] = (uint8_t)(literal.v4 >> 24);
            a[1] = (uint8_t)(literal.v4 >> 16);
            a[2] = (uint8_t)(literal.v4 >> 8);
            a[3] = (uint8_t)literal.v4;
        }
        snprintf(result->canonical, sizeof result->canonical, "%s", name);
        return 0;
    }
    /* RFC 8305 3: both at once, AAAA first. */
    static const uint16_t both[] = { DNS_T_AAAA, DNS_T_A };
    const uint16_t *types = type ? &type : both;
    unsigned n = type ? 1 : 2;
    struct naru_dns_result answers[2];
    struct lookup_wait w[2] = { { false, &answers[0] }, { false, &answers[1] } };
    int h[2] = { -1, -1 };
    for (unsigned i = 0; i < n; i++) {
        h[i] = naru_dns_resolve(r, name, types[i], lookup_done, &w[i]);
        if (h[i] < 0) {
            if (i)
                naru_dns_cancel(r, h[0]);
            return h[i];
        }
    }
    bool all = false;
    while (!all) {
        all = w[0].done && (n == 1 || w[1].done);
        if (all)
            break;
        const bool *waiting = w[0].done ? &w[1].done : &w[0].done;
        if (!wait(ctx, waiting) && !*waiting) {
            for (unsigned i = 0; i < n; i++)
                if (!w[i].done)
                    naru_dns_cancel(r, h[i]);
            return -ETIMEDOUT;
        }
    }
    if (n == 1) {
        *result = answers[0];
        return result->status;
    }
    return merge_both(result, &answers[0], &answers[1]);
}
