/* ICMP for IPv4 (RFC 792): echo, destination unreachable, time exceeded
 * and the other error types, with the quoted original datagram parsed. */
#ifndef NARU_WIRE_ICMP_H
#define NARU_WIRE_ICMP_H

#include "wire/ipv4.h"

#define ICMP_HEADER_LEN 8
enum icmp_type {
    ICMP_ECHO_REPLY = 0,
    ICMP_DEST_UNREACHABLE = 3,
    ICMP_SOURCE_QUENCH = 4,
    ICMP_REDIRECT = 5,
    ICMP_ECHO_REQUEST = 8,
    ICMP_TIME_EXCEEDED = 11,
    ICMP_PARAMETER_PROBLEM = 12,
};
enum icmp_unreachable_code {
    ICMP_NET_UNREACHABLE = 0,
    ICMP_HOST_UNREACHABLE = 1,
    ICMP_PROTOCOL_UNREACHABLE = 2,
    ICMP_PORT_UNREACHABLE = 3,
    ICMP_FRAGMENTATION_NEEDED = 4,
};
enum icmp_time_exceeded_code {
    ICMP_TTL_EXCEEDED = 0,
    ICMP_REASSEMBLY_TIME_EXCEEDED = 1,
};

struct icmp_message {
    uint8_t type;
    uint8_t code;
    uint16_t checksum;
    uint32_t rest;             /* bytes 4..7: echo id/seq, MTU, gateway, pointer */
    const uint8_t *body;       /* echo data, or the quoted datagram of an error */
    size_t body_len;
    /* For error types only: the quoted IP header and what follows it (at
     * least the 8 bytes RFC 792 requires, enough for the ports). */
    struct ipv4_header quoted_ip;
    const uint8_t *quoted_payload;
    size_t quoted_payload_len;
};

static inline uint16_t icmp_echo_id(const struct icmp_message *m) { return (uint16_t)(m->rest >> 16); }
static inline uint16_t icmp_echo_seq(const struct icmp_message *m) { return (uint16_t)m->rest; }
static inline uint32_t icmp_echo_rest(uint16_t id, uint16_t seq) { return (uint32_t)id << 16 | seq; }
static inline bool icmp_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACHABLE || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
           type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETER_PROBLEM;
}

/* Verifies the checksum over all len bytes. For error types the body must
 * quote an IPv4 header and 8 bytes after it. Returns ICMP_HEADER_LEN or a
 * wire_error. */
int icmp_parse(const uint8_t *buf, size_t len, struct icmp_message *m);
/* Writes the 8-byte header in front of a body already at buf + 8 and
 * checksums the whole len bytes. Returns ICMP_HEADER_LEN, or 0 if len < 8. */
size_t icmp_emit(const struct icmp_message *m, uint8_t *buf, size_t len);

#endif
