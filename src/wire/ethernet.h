/* Ethernet II frames, with 802.1Q / 802.1ad tags recognised (not misread as
 * a payload). */
#ifndef NARU_WIRE_ETHERNET_H
#define NARU_WIRE_ETHERNET_H

#include "wire/wire.h"

#define ETH_ADDR_LEN 6
#define ETH_HEADER_LEN 14
#define ETH_VLAN_TAG_LEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

struct eth_header {
    uint8_t dst[ETH_ADDR_LEN];
    uint8_t src[ETH_ADDR_LEN];
    uint16_t ethertype;       /* of the payload, after any tag */
    bool vlan_tagged;
    uint16_t vlan_tci;        /* outermost tag's control information */
    uint8_t header_len;       /* 14, or 18 / 22 with tags */
};

/* Returns the header length, or WIRE_TRUNCATED. */
int eth_parse(const uint8_t *frame, size_t len, struct eth_header *h);
/* Writes an untagged header; returns ETH_HEADER_LEN, or 0 if cap is short. */
size_t eth_emit(const struct eth_header *h, uint8_t *buf, size_t cap);

static inline bool eth_is_broadcast(const uint8_t mac[ETH_ADDR_LEN])
{
    return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}
static inline bool eth_is_multicast(const uint8_t mac[ETH_ADDR_LEN])
{
    return mac[0] & 1;
}
/* RFC 2464 7: an IPv6 multicast address goes to 33:33 and its low 32 bits. */
static inline void eth_ipv6_multicast_mac(const uint8_t group[16], uint8_t mac[ETH_ADDR_LEN])
{
    mac[0] = 0x33;
    mac[1] = 0x33;
    memcpy(mac + 2, group + 12, 4);
}

#endif
