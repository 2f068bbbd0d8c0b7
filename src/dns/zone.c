/* Zones in memory. */
#include "dns/zone.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t zone_hash(const struct dns_name *name)
{
    /* FNV-1a over the lower-cased wire form. The table is built from zone
     * files, not from the network, so a keyed hash is not needed. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < name->len; i++) {
        uint8_t c = name->wire[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        h = (h ^ c) * 16777619u;
    }
    return h;
}

struct zone *zone_create(const struct dns_name *origin)
{
    struct zone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->origin = *origin;
    dns_name_lower(&z->origin);
    z->origin_labels = dns_name_label_count(&z->origin);
    z->nbuckets = 64;
    z->buckets = calloc(z->nbuckets, sizeof *z->buckets);
    if (!z->buckets) {
        free(z);
        return NULL;
    }
    z->apex = zone_node_get(z, origin);
    if (!z->apex) {
        zone_destroy(z);
        return NULL;
    }
    return z;
}

void zone_destroy(struct zone *z)
{
    if (!z)
        return;
    for (uint32_t b = 0; b < z->nbuckets; b++) {
        struct zone_node *n = z->buckets[b];
        while (n) {
            struct zone_node *next_node = n->hash_next;
            struct zone_rrset *s = n->rrsets;
            while (s) {
                struct zone_rrset *next_set = s->next;
                struct zone_rdata *r = s->first;
                while (r) {
                    struct zone_rdata *next_rd = r->next;
                    free(r);
                    r = next_rd;
                }
                free(s);
                s = next_set;
            }
            free(n);
            n = next_node;
        }
    }
    free(z->buckets);
    free(z);
}

struct zone_node *zone_find(const struct zone *z, const struct dns_name *name)
{
    uint32_t h = zone_hash(name);
    for (struct zone_node *n = z->buckets[h & (z->nbuckets - 1)]; n; n = n->hash_next)
        if (n->hash == h && dns_name_equal(&n->key, name))
            return n;
    return NULL;
}

static void grow(struct zone *z)
{
    uint32_t nb = z->nbuckets * 2;
    struct zone_node **b = calloc(nb, sizeof *b);
    if (!b)
        return;                /* keep the smaller table: slower, still right */
    for (uint32_t i = 0; i < z->nbuckets; i++) {
        struct zone_node *n = z->buckets[i];
        while (n) {
            struct zone_node *next = n->hash_next;
            n->hash_next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
            n = next;
        }
    }
    free(z->buckets);
    z->buckets = b;
    z->nbuckets = nb;
}

struct zone_node *zone_node_get(struct zone *z, const struct dns_name *name)
{
    struct zone_node *n = zone_find(z, name);
    if (n)
        return n;
    n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->name = *name;
    n->key = *name;
    dns_name_lower(&n->key);
    n->hash = zone_hash(name);
    n->hash_next = z->buckets[n->hash & (z->nbuckets - 1)];
    z->buckets[n->hash & (z->nbuckets - 1)] = n;
    if (++z->nnodes > z->nbuckets)
        grow(z);
    /* Ancestors up to the apex exist as (maybe empty) nodes, so a name
     * between the apex and a record's owner is an empty non-terminal and
     * answers NODATA, not NXDOMAIN (RFC 4592 2.2.2, RFC 8020). */
    if (dns_name_label_count(name) > z->origin_labels) {
        struct dns_name parent;
        dns_name_strip(name, 1, &parent);
        if (!zone_node_get(z, &parent))
            return NULL;
    }
    if (name->len > 2 && name->wire[0] == 1 && name->wire[1] == '*')
        z->has_wildcards = true;
    return n;
}

struct zone_rrset *zone_rrset_find(const struct zone_node *n, uint16_t type)
{
    for (struct zone_rrset *s = n->rrsets; s; s = s->next)
        if (s->type == type)
            return s;
    return NULL;
}

int zone_add(struct zone *z, struct zone_node *n, uint16_t type, uint32_t ttl,
             const uint8_t *rdata, uint16_t len)
{
    struct zone_rrset *s = zone_rrset_find(n, type);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return -ENOMEM;
        s->type = type;
        s->ttl = ttl;
        /* Keep the order of the file: append. */
        struct zone_rrset **tail = &n->rrsets;
        while (*tail)
            tail = &(*tail)->next;
        *tail = s;
    } else {
        for (struct zone_rdata *r = s->first; r; r = r->next)
            if (r->len == len && !memcmp(r->data, rdata, len))
                return 1;
        if (s->count == UINT16_MAX)
            return -ENOSPC;
    }
    struct zone_rdata *r = malloc(sizeof *r + len);
    if (!r)
        return -ENOMEM;
    r->next = NULL;
    r->len = len;
    memcpy(r->data, rdata, len);
    if (s->last)
        s->last->next = r;
    else
        s->first = r;
    s->last = r;
    s->count++;
    z->records++;
    if (type == DNS_T_SOA && n == z->apex)
        z->soa = s;
    return 0;
}

const char *zone_finish(struct zone *z)
{
    if (!z->soa)
        return "no SOA record at the zone's apex";
    if (z->soa->count != 1)
        return "more than one SOA record at the apex";
    for (uint32_t b = 0; b < z->nbuckets; b++) {
        for (struct zone_node *n = z->buckets[b]; n; n = n->hash_next) {
            if (n != z->apex && zone_rrset_find(n, DNS_T_NS)) {
                n->cut = true;
                z->has_cuts = true;
            }
        }
    }
    return NULL;
}
