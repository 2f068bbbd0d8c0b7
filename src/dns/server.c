/* The authoritative server: zones in memory and the answer to one query,
 * per RFC 1034 4.3.2 (for an authoritative-only server, so no recursion
 * and no cache), with wildcards per RFC 4592, negative answers per RFC
 * 2308, EDNS per RFC 6891 and truncation per RFC 2181 9.
 *
 * The transport calls naru_dns_server_answer() with the query's bytes and
 * sends back what it returns; nothing here knows about sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/server.h"
#include "dns/text.h"
#include "dns/zone.h"
#include "naru/dns.h"
#include "wire/dns.h"

#define MAX_CNAME_CHAIN 8      /* links followed inside a zone, a loop guard */
#define MAX_ADDITIONAL 16      /* names whose addresses go in the additional section */

struct naru_dns_server {
    struct naru_dns_server_config config;
    struct zone *zones;
    unsigned zone_count;
    struct naru_dns_server_stats stats;
    struct rrl *rrl;           /* NULL: no response rate limiting */
};

void naru_dns_server_config_default(struct naru_dns_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->udp_max = DNS_EDNS_DEFAULT_MAX;
    c->full_responses = false;
    c->tcp_max = 128;
    c->tcp_max_per_client = 16;
    c->tcp_message_timeout = 5 * NARU_SEC;
    c->tcp_idle_timeout = 10 * NARU_SEC;
    c->rrl_rate = 0;
    c->rrl_slip = 2;           /* NSD's and Knot's default */
    c->rrl_ipv4_prefix = 24;
    c->rrl_ipv6_prefix = 56;
    c->rrl_buckets = 16384;
}

const struct naru_dns_server_config *server_config(const struct naru_dns_server *s)
{
    return &s->config;
}

int naru_dns_server_create(const struct naru_dns_server_config *config, struct naru_dns_server **out)
{
    struct naru_dns_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    if (config)
        s->config = *config;
    else
        naru_dns_server_config_default(&s->config);
    if (s->config.udp_max < DNS_UDP_PLAIN_MAX)
        s->config.udp_max = DNS_UDP_PLAIN_MAX;
    if (s->config.rrl_rate && !(s->rrl = rrl_create(&s->config))) {
        free(s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

void naru_dns_server_destroy(struct naru_dns_server *s)
{
    if (!s)
        return;
    while (s->zones) {
        struct zone *next = s->zones->next;
        zone_destroy(s->zones);
        s->zones = next;
    }
    rrl_destroy(s->rrl);
    free(s);
}

unsigned naru_dns_server_zone_count(const struct naru_dns_server *s)
{
    return s->zone_count;
}

const struct naru_dns_server_stats *naru_dns_server_stats(const struct naru_dns_server *s)
{
    return &s->stats;
}

static int add_zone(struct naru_dns_server *s, struct zone *z, const char *name, char *err,
                    size_t err_len)
{
    for (struct zone *o = s->zones; o; o = o->next) {
        if (dns_name_equal(&o->origin, &z->origin)) {
            char t[1024];
            dns_name_to_text(&z->origin, t, sizeof t);
            snprintf(err, err_len, "%s: zone %s is already loaded", name, t);
            zone_destroy(z);
            return -EEXIST;
        }
    }
    z->next = s->zones;
    s->zones = z;
    s->zone_count++;
    return 0;
}

/* A zone read from a file (text NULL) or from text, with its origin given
 * or from the text's $ORIGIN; NULL after an error naming the problem. */
static struct zone *read_zone(const char *origin, const char *name, const char *text, size_t len, char *err,
                              size_t err_len)
{
    struct dns_name o;
    if (origin) {
        int e = dns_name_from_text(origin, strlen(origin), NULL, &o);
        if (e < 0) {
            snprintf(err, err_len, "%s: bad origin '%s': %s", name, origin, dns_text_error_name(e));
            return NULL;
        }
    }
    return zonefile_load(origin ? &o : NULL, name, text, len, err, err_len);
}

static int load(struct naru_dns_server *s, const char *origin, const char *name, const char *text,
                size_t len, char *err, size_t err_len)
{
    struct zone *z = read_zone(origin, name, text, len, err, err_len);
    if (!z)
        return -EINVAL;
    return add_zone(s, z, name, err, err_len);
}

int naru_dns_server_load_zone(struct naru_dns_server *s, const char *origin, const char *path,
                              char *err, size_t err_len)
{
    return load(s, origin, path, NULL, 0, err, err_len);
}

int naru_dns_server_load_zone_text(struct naru_dns_server *s, const char *origin, const char *name,
                                   const char *text, size_t len, char *err, size_t err_len)
{
    return load(s, origin, name, text ? text : "", text ? len : 0, err, err_len);
}

int naru_dns_server_reload_zone_text(struct naru_dns_server *s, const char *origin, const char *name,
                                     const char *text, size_t len, char *err, size_t err_len)
{
    struct zone *z = read_zone(origin, name, text ? text : "", text ? len : 0, err, err_len);
    if (!z)
        return -EINVAL;
    /* The new zone takes the old one's place whole, or it is simply added:
     * a query sees the one or the other, never a mix. */
    for (struct zone **at = &s->zones; *at; at = &(*at)->next) {
        if (dns_name_equal(&(*at)->origin, &z->origin)) {
            z->next = (*at)->next;
            zone_destroy(*at);
            *at = z;
            return 0;
        }
    }
    return add_zone(s, z, name, err, err_len);
}

/* ---- answering ---- */

struct answer {
    struct naru_dns_server *server;
    const struct zone *zone;
    struct dns_builder b;
    uint16_t qtype;
    uint16_t rcode;
    bool aa;
    bool stop;                 /* an RRset that must be there did not fit */
    enum rrl_kind kind;        /* for response rate limiting */
    const struct dns_name *kind_name;   /* the name it counts under (the question's if NULL) */
    unsigned nadd;
    struct dns_name additional[MAX_ADDITIONAL];
    bool additional_glue[MAX_ADDITIONAL];   /* referral glue: required (RFC 9471) */
};

/* The longest zone at or above qname, or NULL. */
static const struct zone *find_zone(const struct naru_dns_server *s, const struct dns_name *qname)
{
    const struct zone *best = NULL;
    for (const struct zone *z = s->zones; z; z = z->next)
        if (dns_name_is_subdomain(qname, &z->origin) &&
            (!best || z->origin_labels > best->origin_labels))
            best = z;
    return best;
}

/* Write an RRset whole or not at all. owner NULL: point at owner_off. */
static int put_rrset(struct answer *a, enum dns_section sec, const struct dns_name *owner,
                     uint16_t owner_off, const struct zone_rrset *set, uint32_t ttl)
{
    struct dns_builder_mark m = dns_builder_mark(&a->b);
    for (const struct zone_rdata *r = set->first; r; r = r->next) {
        int err = owner ? dns_builder_rr(&a->b, sec, owner, set->type, DNS_C_IN, ttl, r->data, r->len)
                        : dns_builder_rr_ptr(&a->b, sec, owner_off, set->type, DNS_C_IN, ttl,
                                             r->data, r->len);
        if (err < 0) {
            dns_builder_rollback(&a->b, &m);
            return err;
        }
    }
    return 0;
}

/* An RRset the reply cannot do without: if it does not fit, the reply is
 * truncated (RFC 2181 9) and nothing more is added. */
static void put_required(struct answer *a, enum dns_section sec, const struct dns_name *owner,
                         uint16_t owner_off, const struct zone_rrset *set, uint32_t ttl)
{
    if (a->stop)
        return;
    if (put_rrset(a, sec, owner, owner_off, set, ttl) < 0) {
        a->b.truncated = true;
        a->stop = true;
    }
}

static void want_address(struct answer *a, const uint8_t *wire, size_t len, bool glue)
{
    if (a->nadd == MAX_ADDITIONAL)
        return;
    struct dns_name n;
    if (dns_name_from_wire(wire, len, &n) < 0)
        return;
    for (unsigned i = 0; i < a->nadd; i++)
        if (dns_name_equal(&a->additional[i], &n))
            return;
    a->additional_glue[a->nadd] = glue;
    a->additional[a->nadd++] = n;
}

/* RFC 1034 4.3.2 step 6: addresses for the names an answer mentions. */
static void note_targets(struct answer *a, const struct zone_rrset *set, bool glue)
{
    for (const struct zone_rdata *r = set->first; r; r = r->next) {
        if (set->type == DNS_T_NS)
            want_address(a, r->data, r->len, glue);
        else if (set->type == DNS_T_MX && r->len > 2)
            want_address(a, r->data + 2, r->len - 2u, false);
        else if (set->type == DNS_T_SRV && r->len > 6)
            want_address(a, r->data + 6, r->len - 6u, false);
    }
}

static void put_additional(struct answer *a)
{
    for (unsigned i = 0; i < a->nadd && !a->stop; i++) {
        const struct dns_name *n = &a->additional[i];
        if (!dns_name_is_subdomain(n, &a->zone->origin))
            continue;
        const struct zone_node *node = zone_find(a->zone, n);
        if (!node)
            continue;
        static const uint16_t types[2] = { DNS_T_A, DNS_T_AAAA };
        for (int t = 0; t < 2; t++) {
            const struct zone_rrset *set = zone_rrset_find(node, types[t]);
            if (!set)
                continue;
            if (put_rrset(a, DNS_SEC_ADDITIONAL, &node->name, 0, set, set->ttl) < 0 &&
                a->additional_glue[i]) {
                /* RFC 9471 3: glue for a name server inside the delegated
                 * zone is required; without it, set TC. Other extra
                 * addresses are dropped quietly (RFC 2181 9). */
                a->b.truncated = true;
                a->stop = true;
            }
        }
    }
}

/* RFC 2308 3: the SOA in a negative answer has the TTL
 * min(SOA TTL, SOA MINIMUM), which is the negative caching time. */
static void put_soa(struct answer *a)
{
    const struct zone_rrset *soa = a->zone->soa;
    uint32_t minimum = wire_get32(soa->first->data + soa->first->len - 4);
    put_required(a, DNS_SEC_AUTHORITY, &a->zone->apex->name, 0, soa,
                 soa->ttl < minimum ? soa->ttl : minimum);
}

/* The delegation on the way from the apex down to `name`, or NULL. */
static const struct zone_node *find_cut(const struct zone *z, const struct dns_name *name)
{
    unsigned labels = dns_name_label_count(name);
    struct dns_name anc;
    for (unsigned depth = z->origin_labels + 1; depth <= labels; depth++) {
        dns_name_strip(name, labels - depth, &anc);
        const struct zone_node *n = zone_find(z, &anc);
        if (!n)
            return NULL;       /* nothing exists below here, so no cut either */
        if (n->cut)
            return n;
    }
    return NULL;
}

static void referral(struct answer *a, const struct zone_node *cut)
{
    const struct zone_rrset *ns = zone_rrset_find(cut, DNS_T_NS);
    put_required(a, DNS_SEC_AUTHORITY, &cut->name, 0, ns, ns->ttl);
    note_targets(a, ns, false);
    /* Glue is the addresses of name servers at or below the cut. */
    for (unsigned i = 0; i < a->nadd; i++)
        a->additional_glue[i] = dns_name_is_subdomain(&a->additional[i], &cut->name);
    a->server->stats.referrals++;
    a->kind = RRL_REFERRAL;
    a->kind_name = &cut->name;
}

/* RFC 4592 3.3.1: the closest encloser's "*" child, if any. */
static const struct zone_node *find_wildcard(const struct zone *z, const struct dns_name *name)
{
    unsigned labels = dns_name_label_count(name);
    struct dns_name anc;
    for (unsigned strip = 1; labels - strip >= z->origin_labels; strip++) {
        dns_name_strip(name, strip, &anc);
        if (!zone_find(z, &anc))
            continue;
        /* anc is the closest encloser */
        if (anc.len + 2 > DNS_NAME_MAX)
            return NULL;
        struct dns_name star;
        star.wire[0] = 1;
        star.wire[1] = '*';
        memcpy(star.wire + 2, anc.wire, anc.len);
        star.len = (uint8_t)(anc.len + 2);
        return zone_find(z, &star);
    }
    return NULL;
}

static void resolve(struct answer *a, const struct dns_name *qname)
{
    const struct zone *z = a->zone;
    struct dns_name name = *qname;
    const struct dns_name *owner = NULL;   /* NULL: the question's name, by pointer */
    bool positive = false;
    const struct zone_node *visited[MAX_CNAME_CHAIN];
    for (unsigned chain = 0;; chain++) {
        if (z->has_cuts) {
            const struct zone_node *cut = find_cut(z, &name);
            /* DS lives on the parent's side of a cut (RFC 4035 3.1.4.1). */
            if (cut && !(a->qtype == DNS_T_DS && dns_name_equal(&cut->key, &name))) {
                if (chain == 0)
                    a->aa = false;
                referral(a, cut);
                return;
            }
        }
        const struct zone_node *node = zone_find(z, &name);
        if (!node && z->has_wildcards)
            node = find_wildcard(z, &name);
        if (!node) {
            a->rcode = DNS_R_NXDOMAIN;   /* RFC 6604: the rcode of the last name */
            a->kind = RRL_NXDOMAIN;      /* counted per zone: random names are one flood */
            a->kind_name = &z->origin;
            put_soa(a);
            return;
        }
        if (a->qtype == DNS_T_ANY && node->rrsets) {
            for (const struct zone_rrset *s = node->rrsets; s; s = s->next) {
                put_required(a, DNS_SEC_ANSWER, owner, 12, s, s->ttl);
                note_targets(a, s, false);
            }
            positive = true;
            break;
        }
        const struct zone_rrset *set = zone_rrset_find(node, a->qtype);
        if (set) {
            put_required(a, DNS_SEC_ANSWER, owner, 12, set, set->ttl);
            note_targets(a, set, false);
            positive = true;
            break;
        }
        const struct zone_rrset *cname = zone_rrset_find(node, DNS_T_CNAME);
        if (!cname) {
            put_soa(a);      /* NODATA: RFC 2308 2.2 */
            if (chain == 0) {
                a->server->stats.nodata++;
                a->kind = RRL_NODATA;
            }
            return;
        }
        /* RFC 1034 4.3.2 step 3a: put the CNAME in, and go on with its target
         * while it stays inside this zone and does not come back to a name
         * already answered (a loop, RFC 1034 3.6.2). */
        for (unsigned k = 0; k < chain; k++)
            if (visited[k] == node)
                return;
        visited[chain] = node;
        put_required(a, DNS_SEC_ANSWER, owner, 12, cname, cname->ttl);
        if (a->stop)
            return;
        struct dns_name target;
        if (dns_name_from_wire(cname->first->data, cname->first->len, &target) < 0)
            return;
        if (!dns_name_is_subdomain(&target, &z->origin) || chain + 1 >= MAX_CNAME_CHAIN)
            return;
        name = target;
        owner = &name;
    }
    if (positive && a->server->config.full_responses && !a->stop) {
        /* Like NSD by default: the zone's NS in the authority section, so
         * a resolver learns them, unless the answer already holds them.
         * Knot and BIND leave them out (minimal responses): a resolver
         * has them from the referral, and answers stay small. */
        const struct zone_rrset *ns = zone_rrset_find(z->apex, DNS_T_NS);
        bool answer_is_apex_ns = (a->qtype == DNS_T_NS || a->qtype == DNS_T_ANY) &&
                                 dns_name_equal(&name, &z->origin);
        if (ns && !answer_is_apex_ns) {
            struct dns_builder_mark m = dns_builder_mark(&a->b);
            if (put_rrset(a, DNS_SEC_AUTHORITY, &z->apex->name, 0, ns, ns->ttl) < 0)
                dns_builder_rollback(&a->b, &m);
            else
                note_targets(a, ns, false);
        }
    }
}

static void count_rcode(struct naru_dns_server_stats *st, unsigned rcode)
{
    switch (rcode) {
    case DNS_R_NOERROR: st->noerror++; break;
    case DNS_R_NXDOMAIN: st->nxdomain++; break;
    case DNS_R_FORMERR: st->formerr++; break;
    case DNS_R_NOTIMP: st->notimp++; break;
    case DNS_R_REFUSED: st->refused++; break;
    case DNS_R_BADVERS: st->badvers++; break;
    default: st->servfail++; break;
    }
}

/* The query as far as it was understood, and who asked, for the reply's
 * OPT and for response rate limiting. */
struct query_ctx {
    struct naru_dns_server *server;
    const struct naru_addr *client;   /* NULL: no rate limiting */
    naru_time_t now;
    enum naru_dns_transport transport;
    struct dns_header qh;
    const struct dns_edns *edns;      /* NULL before the message parsed */
    const uint8_t *question;          /* as asked; NULL when not known */
    size_t question_len;
    uint16_t qtype;
};

/* RFC 8914 4.21: Extended DNS Error 20, Not Authoritative, with REFUSED
 * outside our zones, as NSD and Knot send it. */
static const uint8_t ede_not_authoritative[] = { 0, 15, 0, 2, 0, 20 };

/* A reply with just a header, the question and OPT when known; for
 * errors, and for the truncated replies rate limiting lets slip. */
static size_t short_reply(const struct query_ctx *q, uint16_t flags, unsigned rcode, uint8_t *reply,
                          size_t cap)
{
    const struct dns_edns *edns = q->edns;
    bool opt = edns && edns->present;
    bool ede = rcode == DNS_R_REFUSED;
    struct dns_builder b;
    dns_builder_init(&b, reply, cap, DNS_UDP_PLAIN_MAX);
    if (dns_builder_header(&b, q->qh.id, (uint16_t)(flags | (rcode & 0xf))) < 0)
        return 0;
    if (opt)
        dns_builder_reserve_opt(&b, (uint16_t)(DNS_OPT_LEN + (ede ? sizeof ede_not_authoritative : 0)));
    if (q->question)
        dns_builder_question_raw(&b, q->question, q->question_len);
    /* RFC 3225 3: the DO bit copied into the response. */
    if (opt)
        dns_builder_opt(&b, q->server->config.udp_max, (uint8_t)(rcode >> 4), 0, edns->dnssec_ok,
                        ede ? ede_not_authoritative : NULL,
                        ede ? (uint16_t)sizeof ede_not_authoritative : 0);
    return dns_builder_finish(&b);
}

/* Over UDP to a known client, with rate limiting on: send the reply,
 * drop it, or send it cut to a bare truncated one (RRL's slip). */
static size_t rate_limit(const struct query_ctx *q, enum rrl_kind kind, const struct dns_name *name,
                         uint8_t *reply, size_t len, size_t cap)
{
    struct naru_dns_server *s = q->server;
    if (!s->rrl || !q->client || q->transport != NARU_DNS_UDP || !len)
        return len;
    enum rrl_verdict v = rrl_account(s->rrl, q->client, kind, name ? name->wire : NULL,
                                     name ? name->len : 0, q->qtype, q->now);
    if (v == RRL_SEND)
        return len;
    if (v == RRL_DROP) {
        s->stats.rrl_dropped++;
        return 0;
    }
    s->stats.rrl_slipped++;
    uint16_t flags = (uint16_t)((wire_get16(reply + 2) & ~0xfu) | DNS_TC);
    unsigned rcode = DNS_RCODE(wire_get16(reply + 2));
    return short_reply(q, flags, rcode, reply, cap);
}

static size_t error_reply(const struct query_ctx *q, unsigned rcode, uint8_t *reply, size_t cap)
{
    uint16_t flags = (uint16_t)(DNS_QR | (q->qh.flags & (0x7800u | DNS_RD | DNS_CD)));
    count_rcode(&q->server->stats, rcode);
    size_t len = short_reply(q, flags, rcode, reply, cap);
    return rate_limit(q, RRL_ERROR, NULL, reply, len, cap);
}

static size_t answer_query(struct query_ctx *qc, const uint8_t *query, size_t len, uint8_t *reply,
                           size_t cap)
{
    struct naru_dns_server *s = qc->server;
    struct naru_dns_server_stats *st = &s->stats;
    st->queries++;
    if (qc->transport == NARU_DNS_TCP)
        st->tcp++;
    if (cap < DNS_UDP_PLAIN_MAX || dns_parse_header(query, len, &qc->qh) < 0 ||
        (qc->qh.flags & DNS_QR)) {
        st->dropped++;         /* never answer a response: that way lie loops */
        return 0;
    }
    const struct dns_header *qh = &qc->qh;
    struct dns_message m;
    if (dns_parse(query, len, &m) < 0)
        return error_reply(qc, DNS_R_FORMERR, reply, cap);
    const struct dns_edns *edns = &m.edns;
    qc->edns = edns;
    if (edns->present)
        st->edns++;
    size_t qoff = m.section_start[DNS_SEC_QUESTION];
    size_t qlen = m.section_start[DNS_SEC_ANSWER] - qoff;
    if (DNS_OPCODE(qh->flags) != DNS_OP_QUERY) {
        if (qh->qdcount == 1) {
            qc->question = query + qoff;
            qc->question_len = qlen;
        }
        return error_reply(qc, DNS_R_NOTIMP, reply, cap);
    }
    /* RFC 1035 4.1.2 allows one question in practice; a query carries no
     * answer or authority records. */
    if (qh->qdcount != 1 || qh->ancount || qh->nscount)
        return error_reply(qc, DNS_R_FORMERR, reply, cap);
    struct dns_question q;
    size_t off = qoff;
    if (dns_read_question(&m, &off, &q) < 0)
        return error_reply(qc, DNS_R_FORMERR, reply, cap);
    qc->question = query + qoff;
    qc->question_len = qlen;
    qc->qtype = q.type;
    if (edns->present && edns->version != 0)   /* RFC 6891 6.1.3 */
        return error_reply(qc, DNS_R_BADVERS, reply, cap);
    switch (q.type) {
    case DNS_T_OPT: case 0:
        return error_reply(qc, DNS_R_FORMERR, reply, cap);
    case DNS_T_AXFR: case DNS_T_IXFR:   /* zone transfers are not offered */
        return error_reply(qc, DNS_R_REFUSED, reply, cap);
    case DNS_T_MAILA: case DNS_T_MAILB: case 249: case 250:
        return error_reply(qc, DNS_R_NOTIMP, reply, cap);
    default:
        break;
    }
    struct answer *a = &(struct answer){ .server = s };
    a->zone = (q.class_ == DNS_C_IN || q.class_ == DNS_C_ANY) ? find_zone(s, &q.name) : NULL;
    if (!a->zone)
        return error_reply(qc, DNS_R_REFUSED, reply, cap);

    /* RFC 6891 6.2.5: below 512 means 512; above our own limit, our limit. */
    size_t limit = DNS_MESSAGE_MAX;
    if (qc->transport == NARU_DNS_UDP) {
        limit = DNS_UDP_PLAIN_MAX;
        if (edns->present && edns->udp_size > DNS_UDP_PLAIN_MAX)
            limit = edns->udp_size < s->config.udp_max ? edns->udp_size : s->config.udp_max;
    }
    dns_builder_init(&a->b, reply, cap, limit);
    a->qtype = q.type;
    a->aa = true;
    a->rcode = DNS_R_NOERROR;
    a->kind = RRL_ANSWER;
    dns_builder_header(&a->b, qh->id, 0);
    if (edns->present)
        dns_builder_reserve_opt(&a->b, DNS_OPT_LEN);
    /* The question as asked, letter case and all (RFC 1035 7.1, RFC 4343). */
    dns_builder_question_raw(&a->b, query + qoff, qlen);
    resolve(a, &q.name);
    if (!a->stop)
        put_additional(a);
    /* RFC 3225 3: the DO bit copied into the response. */
    if (edns->present)
        dns_builder_opt(&a->b, s->config.udp_max, 0, 0, edns->dnssec_ok, NULL, 0);
    uint16_t flags = (uint16_t)(DNS_QR | (qh->flags & (DNS_RD | DNS_CD)) | (a->aa ? DNS_AA : 0) |
                                a->rcode);
    wire_put16(reply + 2, flags);
    if (a->b.truncated)
        st->truncated++;
    count_rcode(st, a->rcode);
    size_t n = dns_builder_finish(&a->b);
    return rate_limit(qc, a->kind, a->kind_name ? a->kind_name : &q.name, reply, n, cap);
}

size_t naru_dns_server_answer(struct naru_dns_server *s, const uint8_t *query, size_t len,
                              enum naru_dns_transport transport, uint8_t *reply, size_t cap)
{
    struct query_ctx q = { .server = s, .transport = transport };
    return answer_query(&q, query, len, reply, cap);
}

size_t naru_dns_server_answer_from(struct naru_dns_server *s, const struct naru_addr *client,
                                   naru_time_t now, const uint8_t *query, size_t len,
                                   enum naru_dns_transport transport, uint8_t *reply, size_t cap)
{
    struct query_ctx q = { .server = s, .client = client, .now = now, .transport = transport };
    return answer_query(&q, query, len, reply, cap);
}

size_t naru_dns_tcp_frame(const uint8_t *stream, size_t len, const uint8_t **msg, size_t *msg_len)
{
    if (len < 2)
        return 0;
    size_t n = wire_get16(stream);
    if (len < 2 + n)
        return 0;
    *msg = stream + 2;
    *msg_len = n;
    return 2 + n;
}
