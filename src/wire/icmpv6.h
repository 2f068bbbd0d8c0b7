/* ICMPv6 (RFC 4443): the message header and its checksum over the IPv6
 * pseudo-header, the errors with the invoking packet they quote, echo;
 * the type numbers of Neighbour Discovery (ndp.h) and MLD (mld.h). */
#ifndef NARU_WIRE_ICMPV6_H
#define NARU_WIRE_ICMPV6_H

#include "wire/ipv6.h"

#define ICMPV6_HEADER_LEN 8
/* RFC 4443 2.4 (c): an error, IPv6 header included, fits the minimum MTU. */
#define ICMPV6_ERROR_MAX_QUOTE (IPV6_MIN_MTU - IPV6_HEADER_LEN - ICMPV6_HEADER_LEN)

enum icmpv6_type {
    ICMPV6_DEST_UNREACHABLE = 1,
    ICMPV6_PACKET_TOO_BIG = 2,
    ICMPV6_TIME_EXCEEDED = 3,
    ICMPV6_PARAMETER_PROBLEM = 4,
    ICMPV6_ECHO_REQUEST = 128,
    ICMPV6_ECHO_REPLY = 129,
    ICMPV6_MLD_QUERY = 130,             /* RFC 2710, RFC 3810 */
    ICMPV6_MLD_V1_REPORT = 131,
    ICMPV6_MLD_V1_DONE = 132,
    ICMPV6_ROUTER_SOLICIT = 133,        /* RFC 4861 */
    ICMPV6_ROUTER_ADVERT = 134,
    ICMPV6_NEIGHBOR_SOLICIT = 135,
    ICMPV6_NEIGHBOR_ADVERT = 136,
    ICMPV6_REDIRECT = 137,
    ICMPV6_MLD_V2_REPORT = 143,         /* RFC 3810 */
};
enum icmpv6_unreachable_code {
    ICMPV6_NO_ROUTE = 0,
    ICMPV6_ADMIN_PROHIBITED = 1,
    ICMPV6_BEYOND_SCOPE = 2,
    ICMPV6_ADDRESS_UNREACHABLE = 3,
    ICMPV6_PORT_UNREACHABLE = 4,
    ICMPV6_SOURCE_POLICY_FAILED = 5,
    ICMPV6_REJECT_ROUTE = 6,
};
enum icmpv6_time_exceeded_code {
    ICMPV6_HOP_LIMIT_EXCEEDED = 0,
    ICMPV6_REASSEMBLY_TIME_EXCEEDED = 1,
};
/* Parameter problem codes: enum icmpv6_parameter_problem_code, ipv6.h. */

struct icmpv6_message {
    uint8_t type;
    uint8_t code;
    uint16_t checksum;
    uint32_t rest;             /* bytes 4..7: echo id/seq, MTU, pointer, or unused */
    const uint8_t *body;       /* from byte 8: echo data, the quote of an error, ... */
    size_t body_len;
    /* Errors only (type < 128): the invoking packet as quoted, from its
     * IPv6 header on (walk its chain with ipv6_walk_chain(quoted,
     * quoted_len, ...): the quote may end anywhere). */
    struct ipv6_header quoted_ip;
    const uint8_t *quoted;
    size_t quoted_len;
};

/* RFC 4443 2.1: types 0..127 are errors, 128..255 informational. */
static inline bool icmpv6_is_error(uint8_t type) { return type < 128; }
static inline uint16_t icmpv6_echo_id(const struct icmpv6_message *m) { return (uint16_t)(m->rest >> 16); }
static inline uint16_t icmpv6_echo_seq(const struct icmpv6_message *m) { return (uint16_t)m->rest; }
static inline uint32_t icmpv6_echo_rest(uint16_t id, uint16_t seq) { return (uint32_t)id << 16 | seq; }

/* buf is the whole ICMPv6 message (len from the IPv6 payload length, less
 * any extension headers); src and dst are the IPv6 header's, for the
 * checksum (RFC 4443 2.3). An error (of any type, known or not: RFC 4443
 * 2.4 (b) hands unknown ones up too) must quote at least an IPv6 header.
 * Returns ICMPV6_HEADER_LEN or a wire_error. */
int icmpv6_parse(const uint8_t *buf, size_t len, const uint8_t src[16], const uint8_t dst[16],
                 struct icmpv6_message *m);
/* Writes the 8-byte header in front of a body already at buf + 8, with the
 * checksum over the pseudo-header and all len bytes. Returns
 * ICMPV6_HEADER_LEN, or 0 if len < 8. */
size_t icmpv6_emit(const struct icmpv6_message *m, const uint8_t src[16], const uint8_t dst[16], uint8_t *buf,
                   size_t len);
/* Fills in the checksum of a message written whole at buf (as the NDP
 * and MLD builders do). */
void icmpv6_set_checksum(const uint8_t src[16], const uint8_t dst[16], uint8_t *buf, size_t len);
/* An error message: the header, then as much of the invoking packet (from
 * its IPv6 header on) as fits in cap and keeps the error within the
 * minimum MTU (RFC 4443 2.4 (c)). invoking may overlap buf. Returns the
 * message's length, or 0 if cap < 8. */
size_t icmpv6_error_emit(uint8_t type, uint8_t code, uint32_t rest, const uint8_t *invoking, size_t invoking_len,
                         const uint8_t src[16], const uint8_t dst[16], uint8_t *buf, size_t cap);

#endif
