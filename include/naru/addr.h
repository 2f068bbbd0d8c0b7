/* IPv4 and MAC address text, for tools and configuration. Addresses are
 * uint32_t in host byte order everywhere in naru's API. */
#ifndef NARU_ADDR_H
#define NARU_ADDR_H

#include <stddef.h>
#include <stdint.h>

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
