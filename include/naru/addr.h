/* Addresses: the family-neutral struct naru_addr (IPv4 or IPv6), and
 * address text for tools and configuration. An IPv4 address is a uint32_t
 * in host byte order everywhere in naru; an IPv6 address is 16 bytes in
 * network byte order. */
#ifndef NARU_ADDR_H
#define NARU_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum naru_family { NARU_AF_UNSPEC = 0, NARU_AF_INET = 4, NARU_AF_INET6 = 6 };

/* One address of either family; family 0 is "none" (and, where a call
 * says so, the wildcard of both families). */
struct naru_addr {
    uint8_t family;            /* enum naru_family */
    union {
        uint32_t v4;           /* host byte order */
        uint8_t v6[16];        /* network byte order */
    };
};

static inline struct naru_addr naru_addr_v4(uint32_t v4)
{
    struct naru_addr a = { .family = NARU_AF_INET };
    a.v4 = v4;
    return a;
}
static inline struct naru_addr naru_addr_v6(const uint8_t v6[16])
{
    struct naru_addr a = { .family = NARU_AF_INET6 };
    memcpy(a.v6, v6, 16);
    return a;
}
static inline bool naru_addr_equal(const struct naru_addr *a, const struct naru_addr *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == NARU_AF_INET)
        return a->v4 == b->v4;
    return a->family != NARU_AF_INET6 || memcmp(a->v6, b->v6, 16) == 0;
}

#define NARU_IP4_STRLEN 16
#define NARU_MAC_STRLEN 18

/* Dotted quad, exactly four decimal parts 0..255. 0 or -EINVAL. */
int naru_ip4_parse(const char *text, uint32_t *addr);
/* A.B.C.D/LEN. 0 or -EINVAL. */
int naru_cidr_parse(const char *text, uint32_t *addr, uint8_t *prefix_len);
/* Six hex octets separated by ':' or '-'. 0 or -EINVAL. */
int naru_mac_parse(const char *text, uint8_t mac[6]);
/* Both return buf. */
char *naru_ip4_format(uint32_t addr, char buf[NARU_IP4_STRLEN]);
char *naru_mac_format(const uint8_t mac[6], char buf[NARU_MAC_STRLEN]);

static inline uint32_t naru_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}
static inline uint32_t naru_prefix_mask(uint8_t prefix_len)
{
    return prefix_len == 0 ? 0 : 0xffffffffu << (32 - prefix_len);
}

#endif
