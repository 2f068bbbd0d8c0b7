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

/* Longest text naru_addr_format() writes, with its NUL (INET6_ADDRSTRLEN). */
#define NARU_ADDR_STRLEN 46

/* NARU_AF_UNSPEC, 0.0.0.0 or :: (RFC 4291 2.5.2). */
bool naru_addr_is_unspecified(const struct naru_addr *a);

/* A dotted quad (exactly four decimal parts 0..255, no leading zeros, as
 * inet_pton) or any IPv6 text of RFC 4291 2.2, with "::" and a trailing
 * dotted quad ("::ffff:192.0.2.1"); hex digits in either case. A zone
 * ("fe80::1%eth0") is not an address: -EINVAL. Returns 0 or -EINVAL. */
int naru_addr_parse(const char *text, struct naru_addr *addr);
/* RFC 5952 4 canonical text: lowercase, no leading zeros, the longest run
 * of two or more zero fields as "::" (the first of equal runs), and an
 * IPv4-mapped address as ::ffff:a.b.c.d (RFC 5952 5). NARU_AF_UNSPEC
 * formats as "unspecified". Returns buf. */
char *naru_addr_format(const struct naru_addr *addr, char buf[NARU_ADDR_STRLEN]);
/* "2001:db8::/64" or "198.18.0.0/15"; the length at most 128 or 32. Bits
 * past the prefix may be set ("2001:db8::2/64" names an interface address
 * and its prefix); naru_addr_mask() clears them. 0 or -EINVAL. */
int naru_prefix_parse(const char *text, struct naru_addr *addr, uint8_t *prefix_len);
/* The address with every bit past the first prefix_len cleared (a length
 * beyond the family's width keeps every bit). */
struct naru_addr naru_addr_mask(const struct naru_addr *addr, uint8_t prefix_len);
/* Whether addr is of prefix's family and its first prefix_len bits match. */
bool naru_addr_in_prefix(const struct naru_addr *addr, const struct naru_addr *prefix, uint8_t prefix_len);

/* Scopes. IPv6: fe80::/10, ff00::/8, ::1 (RFC 4291 2.4); IPv4:
 * 169.254.0.0/16 (RFC 3927), 224.0.0.0/4, 127.0.0.0/8. */
bool naru_addr_is_link_local(const struct naru_addr *addr);
bool naru_addr_is_multicast(const struct naru_addr *addr);
bool naru_addr_is_loopback(const struct naru_addr *addr);
/* ::ffff:0:0/96 (RFC 4291 2.5.5.2). */
bool naru_addr_is_v4_mapped(const struct naru_addr *addr);
/* The solicited-node multicast address of an IPv6 address, ff02::1:ff
 * followed by its low 24 bits (RFC 4291 2.7.1). NARU_AF_UNSPEC for an
 * address that is not IPv6. */
struct naru_addr naru_addr_solicited_node(const struct naru_addr *addr);

#endif
