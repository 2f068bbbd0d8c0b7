/* IPv4 headers (RFC 791). */
#ifndef NARU_WIRE_IPV4_H
#define NARU_WIRE_IPV4_H

#include "wire/wire.h"

#define IPV4_MIN_HEADER_LEN 20
#define IPV4_MAX_HEADER_LEN 60
#define IPV4_MAX_DATAGRAM 65535
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17

struct ipv4_header {
    uint8_t header_len;        /* bytes, 20..60 */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    bool dont_fragment;
    bool more_fragments;
    uint16_t fragment_offset;  /* bytes (the field times 8) */
    uint8_t ttl;
    uint8_t protocol;
    uint16_t checksum;
    uint32_t src;
    uint32_t dst;
    const uint8_t *options;    /* points into the parsed buffer */
    uint8_t options_len;
};

/* Checks version, header length, total length against the bytes present,
 * the options' own lengths, that a fragment does not reach past 65535, and
 * the checksum. Returns the header length or a wire_error. Bytes past
 * total_len (Ethernet padding) are the caller's to trim. */
int ipv4_parse(const uint8_t *buf, size_t len, struct ipv4_header *h);
/* Like ipv4_parse but for the header quoted inside an ICMP error: no
 * checksum check, and total_len may exceed the bytes quoted. */
int ipv4_parse_quoted(const uint8_t *buf, size_t len, struct ipv4_header *h);
/* Writes the header (options padded to a multiple of 4) with its checksum.
 * Returns the header length, or 0 if cap is short or options too long. */
size_t ipv4_emit(const struct ipv4_header *h, uint8_t *buf, size_t cap);
/* Header length ipv4_emit() will write for these options. */
static inline size_t ipv4_header_len_for(size_t options_len)
{
    return IPV4_MIN_HEADER_LEN + ((options_len + 3) & ~(size_t)3);
}

static inline bool ipv4_is_fragment(const struct ipv4_header *h)
{
    return h->more_fragments || h->fragment_offset != 0;
}

/* RFC 791 3.1: options whose copied bit is set go into every fragment. */
size_t ipv4_options_for_fragment(const uint8_t *options, size_t len, uint8_t *out);

#endif
