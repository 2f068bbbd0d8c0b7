/* ARP for IPv4 over Ethernet (RFC 826). */
#ifndef NARU_WIRE_ARP_H
#define NARU_WIRE_ARP_H

#include "wire/wire.h"

#define ARP_PACKET_LEN 28
#define ARP_HTYPE_ETHERNET 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct arp_packet {
    uint16_t op;
    uint8_t sender_mac[6];
    uint32_t sender_ip;
    uint8_t target_mac[6];
    uint32_t target_ip;
};

/* Returns ARP_PACKET_LEN, WIRE_TRUNCATED, or WIRE_UNSUPPORTED for any
 * hardware or protocol other than Ethernet and IPv4. Trailing padding is
 * allowed (Ethernet pads to 60 bytes). */
int arp_parse(const uint8_t *buf, size_t len, struct arp_packet *p);
/* Returns ARP_PACKET_LEN, or 0 if cap is short. */
size_t arp_emit(const struct arp_packet *p, uint8_t *buf, size_t cap);

#endif
