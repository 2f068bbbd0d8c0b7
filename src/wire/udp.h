/* UDP headers (RFC 768). */
#ifndef NARU_WIRE_UDP_H
#define NARU_WIRE_UDP_H

#include "wire/wire.h"

#define UDP_HEADER_LEN 8

struct udp_header {
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t length;           /* header and data, from the length field */
    uint16_t checksum;
};

/* len is the IP payload length. Checks the length field (8..len; bytes
 * beyond it are ignored) and, unless it is 0, the checksum with the
 * pseudo-header, whose sum without its length field is `pseudo` (either
 * family's: ip_pseudo_sum()). Returns UDP_HEADER_LEN or a wire_error. */
int udp_parse_pseudo(const uint8_t *buf, size_t len, uint32_t pseudo, struct udp_header *h);
/* The same, with IPv4's pseudo-header. */
int udp_parse(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst, struct udp_header *h);
/* The same but for the checksum, which the link vouches for (checksum
 * offload: verified by the device, or left partial by a trusted local
 * sender). */
int udp_parse_header(const uint8_t *buf, size_t len, struct udp_header *h);
#define UDP_CHECKSUM_OFFSET 6      /* the checksum field, from the header's start */
/* Writes the header in front of data already at buf + 8, with length = len
 * and the checksum over pseudo-header (`pseudo`: its sum without the
 * length), header and data (0 sent as 0xffff). */
void udp_emit_pseudo(const struct udp_header *h, uint32_t pseudo, uint8_t *buf, size_t len);
/* The same, with IPv4's pseudo-header. */
void udp_emit(const struct udp_header *h, uint32_t src, uint32_t dst, uint8_t *buf, size_t len);

#endif
