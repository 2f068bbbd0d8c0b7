/* Response rate limiting for UDP, after NSD's and Knot's RRL (and the
 * scheme of Vixie and Schryver's "DNS Response Rate Limiting"): a forged
 * source can make an authoritative server reflect its answers at a victim,
 * so responses to one client prefix (/24, /56) are limited per kind and
 * name. Of those over the limit every slip-th goes out truncated, so a
 * real client behind that prefix asks again over TCP, where no forged
 * source can follow.
 *
 * Each bucket is a GCRA (a token bucket kept as one time): a response is
 * allowed while the bucket's theoretical arrival time is less than a
 * second ahead of now, and pushes it on by 1/rate seconds. The table is
 * fixed: a key hashes (SipHash, keyed by the config's seed, so a forger
 * cannot aim collisions) to four neighbouring buckets, and a new key takes
 * one of them (evict_before() says which). */
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "dns/server.h"

#define PROBES 4
#define SECOND NARU_SEC

struct bucket {
    uint64_t key;              /* the whole key's hash; 0: empty */
    naru_time_t tat;           /* theoretical arrival time of the next response */
    uint32_t limited;          /* responses over the limit, for the slip */
};

struct rrl {
    uint8_t hash_key[16];
    naru_time_t interval;      /* 1 s / rate */
    unsigned slip;
    uint8_t prefix4, prefix6;
    size_t mask;               /* buckets - 1 */
    struct bucket buckets[];
};

struct rrl *rrl_create(const struct naru_dns_server_config *c)
{
    if (!c->rrl_rate)
        return NULL;
    size_t n = 64;
    while (n < c->rrl_buckets && n < ((size_t)1 << 24))
        n <<= 1;
    struct rrl *r = calloc(1, sizeof *r + n * sizeof r->buckets[0]);
    if (!r)
        return NULL;
    uint64_t k0 = c->seed, k1 = c->seed * 0x9e3779b97f4a7c15ull + 1;
    memcpy(r->hash_key, &k0, 8);
    memcpy(r->hash_key + 8, &k1, 8);
    r->interval = c->rrl_rate > SECOND ? 1 : SECOND / c->rrl_rate;
    r->slip = c->rrl_slip;
    r->prefix4 = c->rrl_ipv4_prefix <= 32 ? c->rrl_ipv4_prefix : 32;
    r->prefix6 = c->rrl_ipv6_prefix <= 128 ? c->rrl_ipv6_prefix : 128;
    r->mask = n - 1;
    return r;
}

void rrl_destroy(struct rrl *r)
{
    free(r);
}

static uint64_t key_hash(const struct rrl *r, const struct naru_addr *client, enum rrl_kind kind,
                         const uint8_t *name, size_t name_len, uint16_t qtype)
{
    uint8_t k[4 + 16 + 255];
    size_t n = 0;
    k[n++] = client->family;
    k[n++] = (uint8_t)kind;
    k[n++] = (uint8_t)(qtype >> 8);
    k[n++] = (uint8_t)qtype;
    if (client->family == NARU_AF_INET) {
        uint32_t p = client->v4 & (r->prefix4 ? 0xffffffffu << (32 - r->prefix4) : 0);
        for (int i = 3; i >= 0; i--)
            k[n++] = (uint8_t)(p >> (8 * i));
    } else {
        for (unsigned i = 0; i < 16; i++) {
            unsigned bits = r->prefix6 > 8 * i ? r->prefix6 - 8 * i : 0;
            k[n++] = (uint8_t)(client->v6[i] & (bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff));
        }
    }
    /* Names compare without regard to case (RFC 4343): one bucket for
     * www.example and WWW.EXAMPLE. */
    for (size_t i = 0; i < name_len && i < 255; i++) {
        uint8_t c = name[i];
        k[n++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    uint64_t h = siphash24(r->hash_key, k, n);
    return h ? h : 1;
}

/* Which bucket a new key takes: an empty or drained one; else one never
 * over its limit, draining first; a bucket that is limiting a flood goes
 * last, so new keys (forged sources, say) cannot push it out early. */
static bool evict_before(const struct bucket *a, const struct bucket *b, naru_time_t now)
{
    bool a_free = a->tat <= now, b_free = b->tat <= now;
    if (a_free != b_free)
        return a_free;
    if (!a_free && (a->limited != 0) != (b->limited != 0))
        return a->limited == 0;
    return a->tat < b->tat;
}

enum rrl_verdict rrl_account(struct rrl *r, const struct naru_addr *client, enum rrl_kind kind,
                             const uint8_t *name, size_t name_len, uint16_t qtype, naru_time_t now)
{
    uint64_t key = key_hash(r, client, kind, name, name_len, qtype);
    struct bucket *b = NULL, *spare = NULL;
    for (size_t i = 0; i < PROBES; i++) {
        struct bucket *c = &r->buckets[(key + i) & r->mask];
        if (c->key == key) {
            b = c;
            break;
        }
        if (!spare || evict_before(c, spare, now))
            spare = c;
    }
    if (!b) {
        b = spare;
        b->key = key;
        b->tat = now;
        b->limited = 0;
    }
    naru_time_t tat = b->tat > now ? b->tat : now;
    /* Allowed while the bucket is less than a second (rate responses) ahead. */
    if (tat - now <= SECOND - r->interval) {
        b->tat = tat + r->interval;
        return RRL_SEND;
    }
    b->limited++;
    return r->slip && b->limited % r->slip == 0 ? RRL_SLIP : RRL_DROP;
}
