/* A zone in memory: nodes by owner name in a hash table, each with its
 * RRsets. Built once when the zone file is loaded, then only read, so
 * answering needs no locks and no allocation. */
#ifndef NARU_DNS_ZONE_H
#define NARU_DNS_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/dns.h"

struct zone_rdata {
    struct zone_rdata *next;
    uint16_t len;
    uint8_t data[];            /* uncompressed wire form */
};

struct zone_rrset {
    struct zone_rrset *next;
    uint16_t type;
    uint16_t count;
    uint32_t ttl;
    struct zone_rdata *first, *last;
};

struct zone_node {
    struct zone_node *hash_next;
    uint32_t hash;
    struct dns_name name;      /* as the zone file wrote it */
    struct dns_name key;       /* lower case */
    struct zone_rrset *rrsets; /* none: an empty non-terminal (RFC 4592 2.2.2) */
    bool cut;                  /* NS here, below the apex: a delegation */
};

struct zone {
    struct zone *next;
    struct dns_name origin;    /* lower case */
    unsigned origin_labels;
    struct zone_node **buckets;
    uint32_t nbuckets, nnodes;
    struct zone_node *apex;
    struct zone_rrset *soa;
    bool has_cuts;
    bool has_wildcards;
    uint32_t records;
};

struct zone *zone_create(const struct dns_name *origin);
void zone_destroy(struct zone *z);
/* The node for `name` (any case), or NULL. */
struct zone_node *zone_find(const struct zone *z, const struct dns_name *name);
/* The node, created with its missing ancestors up to the apex; NULL when
 * memory runs out. name must be at or below the origin. */
struct zone_node *zone_node_get(struct zone *z, const struct dns_name *name);
struct zone_rrset *zone_rrset_find(const struct zone_node *n, uint16_t type);
/* Add one record. Returns 0, 1 if it was a duplicate (RFC 2181 5: dropped),
 * or -ENOMEM. A record joining an RRset takes the RRset's TTL. */
int zone_add(struct zone *z, struct zone_node *n, uint16_t type, uint32_t ttl,
             const uint8_t *rdata, uint16_t len);
/* Mark delegations; check the rules of RFC 1034 3.6.2 and RFC 1035 5.2.
 * Returns NULL or the problem. */
const char *zone_finish(struct zone *z);

uint32_t zone_hash(const struct dns_name *name);

/* Load a master file into a new zone. origin may be NULL (the SOA's owner
 * becomes the apex). text/len, when given, is the file's content and
 * $INCLUDE is refused. Returns the zone or NULL with "FILE:LINE: problem"
 * in err. */
struct zone *zonefile_load(const struct dns_name *origin, const char *path, const char *text,
                           size_t len, char *err, size_t err_len);

#endif
