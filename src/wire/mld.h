/* Multicast Listener Discovery (RFC 3810, MLDv2; RFC 2710 queries):
 * queries of both versions, version 2 reports with their multicast
 * address records, and the IPv6 header chain every MLD message travels
 * with (hop limit 1, router alert; RFC 3810 5). */
#ifndef NARU_WIRE_MLD_H
#define NARU_WIRE_MLD_H

#include "wire/icmpv6.h"

#define MLD_V1_QUERY_LEN 24            /* RFC 3810 8.1: 24 bytes is version 1 */
#define MLD_V2_QUERY_MIN_LEN 28        /* 28 and more is version 2 */
#define MLD_REPORT_MIN_LEN 8
#define MLD_RECORD_MIN_LEN 20
#define MLD_HOP_LIMIT 1
/* The IPv6 header and the 8-byte hop-by-hop header in front of each
 * message mld_ip_emit writes. */
#define MLD_IP_CHAIN_LEN (IPV6_HEADER_LEN + 8)

/* RFC 3810 5.2.12. */
enum mld_record_type {
    MLD_MODE_IS_INCLUDE = 1,
    MLD_MODE_IS_EXCLUDE = 2,
    MLD_CHANGE_TO_INCLUDE = 3,
    MLD_CHANGE_TO_EXCLUDE = 4,
    MLD_ALLOW_NEW_SOURCES = 5,
    MLD_BLOCK_OLD_SOURCES = 6,
};

struct mld_query {
    uint8_t version;           /* 1 or 2 */
    uint32_t max_response_ms;  /* decoded (RFC 3810 5.1.3) */
    uint8_t group[16];         /* :: for a general query */
    /* Version 2 only: */
    bool suppress;             /* S (5.1.7) */
    uint8_t qrv;               /* querier's robustness variable (5.1.8) */
    uint32_t qqi_s;            /* querier's query interval, decoded (5.1.9) */
    uint16_t source_count;
    const uint8_t *sources;    /* source_count addresses, in the message */
};

struct mld_record {
    uint8_t type;              /* enum mld_record_type, or another the receiver ignores */
    uint8_t aux_words;         /* auxiliary data, in 32-bit words */
    uint16_t source_count;
    uint8_t group[16];
    const uint8_t *sources;    /* source_count addresses, in the message */
};

struct mld_report {
    uint16_t record_count;
    const uint8_t *records;    /* all of them, each checked to fit */
    size_t records_len;
};

/* buf is an ICMPv6 message of type ICMPV6_MLD_QUERY whose checksum
 * icmpv6_parse verified. Version by length (RFC 3810 8.1): 24 bytes is
 * version 1, 28 or more version 2 with all its sources present; any other
 * length is WIRE_BAD_LENGTH (to be ignored). Returns 0 or a wire_error. */
int mld_query_parse(const uint8_t *buf, size_t len, struct mld_query *q);
/* The same for ICMPV6_MLD_V2_REPORT: every record fits. */
int mld_report_parse(const uint8_t *buf, size_t len, struct mld_report *r);
/* The record after *at (start with 0). */
bool mld_next_record(const struct mld_report *r, size_t *at, struct mld_record *rec);

/* RFC 3810 5.1.3 and 5.1.9: the exponential encodings, both ways. The
 * encoders round down to a value the code can say. */
uint32_t mld_max_response_decode(uint16_t code);
uint16_t mld_max_response_encode(uint32_t ms);
uint32_t mld_qqic_decode(uint8_t code);

/* RFC 3810 5.1.14, 5.2.13: a message is valid only with hop limit 1 and
 * a router alert; a query comes from a link-local address, a report from
 * one or from :: (RFC 3590 4). */
static inline bool mld_ip_valid(const struct ipv6_header *h, bool router_alert, bool is_query)
{
    return h->hop_limit == MLD_HOP_LIMIT && router_alert &&
           (ipv6_addr_is_link_local(h->src) || (!is_query && ipv6_addr_is_unspecified(h->src)));
}

/* A version 2 report: begin, add records, finish (which sets the record
 * count and the checksum). Running out of cap is remembered, and finish
 * then returns 0. */
struct mld_builder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint16_t records;
    bool overflow;
};
void mld_report_begin(struct mld_builder *b, uint8_t *buf, size_t cap);
void mld_report_add(struct mld_builder *b, enum mld_record_type type, const uint8_t group[16],
                    const uint8_t *sources, uint16_t source_count);
size_t mld_report_finish(struct mld_builder *b, const uint8_t src[16], const uint8_t dst[16]);

/* The IPv6 header (hop limit 1, payload icmp_len + 8) and a hop-by-hop
 * header with the MLD router alert, in front of an MLD message of icmp_len
 * bytes. Returns MLD_IP_CHAIN_LEN, or 0 if cap is short. */
size_t mld_ip_emit(const uint8_t src[16], const uint8_t dst[16], size_t icmp_len, uint8_t *buf, size_t cap);

#endif
