/* IPv6 (RFC 8200): the fixed header, and a walk over the extension header
 * chain that finds the upper-layer header and applies the rules RFC 8200
 * states about the bytes (option actions, hop-by-hop first, routing and
 * fragment header checks, RFC 7112's complete first fragment). What to do
 * next (reassembly, answering with ICMPv6) is the IP layer's. */
#ifndef NARU_WIRE_IPV6_H
#define NARU_WIRE_IPV6_H

#include "wire/ipv4.h" /* IP_PROTO_TCP, IP_PROTO_UDP: one protocol number registry for both */

#define IPV6_HEADER_LEN 40
#define IPV6_ADDR_LEN 16
#define IPV6_MIN_MTU 1280              /* RFC 8200 5 */
#define IPV6_MAX_PAYLOAD 65535
#define IPV6_FRAGMENT_HEADER_LEN 8

/* Next Header values (IANA "Assigned Internet Protocol Numbers"). */
#define IP_PROTO_HOPOPTS 0
#define IP_PROTO_ROUTING 43
#define IP_PROTO_FRAGMENT 44
#define IP_PROTO_ESP 50
#define IP_PROTO_AH 51
#define IP_PROTO_ICMPV6 58
#define IP_PROTO_NONE 59
#define IP_PROTO_DSTOPTS 60

/* Option types in hop-by-hop and destination options headers. */
#define IPV6_OPT_PAD1 0
#define IPV6_OPT_PADN 1
#define IPV6_OPT_ROUTER_ALERT 5        /* RFC 2711, hop-by-hop only */
#define IPV6_ROUTER_ALERT_MLD 0        /* its value for MLD messages */

struct ipv6_header {
    uint8_t traffic_class;     /* DSCP and ECN */
    uint32_t flow_label;       /* 20 bits (RFC 6437) */
    uint16_t payload_len;      /* bytes after these 40, extension headers included */
    uint8_t next_header;
    uint8_t hop_limit;
    uint8_t src[IPV6_ADDR_LEN];
    uint8_t dst[IPV6_ADDR_LEN];
};

/* Checks the version and the payload length against the bytes present.
 * Returns IPV6_HEADER_LEN or a wire_error. Bytes past 40 + payload_len
 * (Ethernet padding) are the caller's to trim. A payload length of 0 is
 * an empty payload: naru takes no jumbograms (RFC 2675). */
int ipv6_parse(const uint8_t *buf, size_t len, struct ipv6_header *h);
/* The same for the header quoted in an ICMPv6 error, whose payload may be
 * cut short: only the version is checked. */
int ipv6_parse_quoted(const uint8_t *buf, size_t len, struct ipv6_header *h);
/* Writes the 40 bytes. Returns IPV6_HEADER_LEN, or 0 if cap is short. */
size_t ipv6_emit(const struct ipv6_header *h, uint8_t *buf, size_t cap);

/* RFC 8200 4.2: what a node that does not know an option does, said by the
 * two high bits of its type. */
enum ipv6_option_action {
    IPV6_OPTION_SKIP = 0,              /* 00: skip over it */
    IPV6_OPTION_DISCARD = 1,           /* 01: discard the packet silently */
    IPV6_OPTION_DISCARD_ICMP = 2,      /* 10: discard, send parameter problem code 2 */
    IPV6_OPTION_DISCARD_ICMP_UNICAST = 3, /* 11: the same, without ICMP if the destination was multicast */
};
static inline enum ipv6_option_action ipv6_option_action(uint8_t type)
{
    return (enum ipv6_option_action)(type >> 6);
}

/* Parameter problem codes (RFC 4443 3.4, RFC 7112 3). */
enum icmpv6_parameter_problem_code {
    ICMPV6_ERRONEOUS_HEADER_FIELD = 0,
    ICMPV6_UNRECOGNIZED_NEXT_HEADER = 1,
    ICMPV6_UNRECOGNIZED_OPTION = 2,
    ICMPV6_INCOMPLETE_HEADER_CHAIN = 3,
};

/* What the walk says to do with a packet addressed to this node. */
enum ipv6_chain_verdict {
    IPV6_CHAIN_ACCEPT = 0,             /* go on with the upper layer (or reassembly) */
    IPV6_CHAIN_DISCARD,                /* drop silently */
    IPV6_CHAIN_PARAM_PROBLEM,          /* drop, answer parameter problem (problem_code, problem_pointer) */
};

struct ipv6_fragment {
    uint16_t offset;           /* bytes: the field times 8 */
    bool more;                 /* M */
    uint32_t identification;
};

/* Offsets count from the first byte of the IPv6 header, as a parameter
 * problem's pointer does (RFC 4443 3.4); a chain may reach past 65535. */
struct ipv6_chain {
    /* Once the walk reaches it: the first Next Header value that is not a
     * header walked here (hop-by-hop, routing, fragment, destination
     * options, AH): TCP, UDP, ICMPv6, No Next Header (59), ESP, or one the
     * layer does not know. For a fragment past the first, what the fragment
     * header names, and upper_offset is where the fragment's data starts. */
    uint8_t upper_protocol;
    uint32_t upper_offset;
    /* The Next Header field that named upper_protocol: the pointer of a
     * parameter problem code 1 if the layer does not know it (RFC 8200 4). */
    uint32_t upper_next_header_pointer;
    uint8_t headers;                   /* extension headers walked */

    bool hop_by_hop;
    bool router_alert;                 /* RFC 2711, in the hop-by-hop options */
    uint16_t router_alert_value;
    uint8_t destination_options;       /* how many such headers (RFC 8200 4.1 allows two) */
    bool routing;                      /* the first routing header's: */
    uint8_t routing_type;
    uint8_t segments_left;
    uint32_t routing_pointer;          /* where that header starts */
    bool fragment;                     /* the first fragment header's: */
    struct ipv6_fragment frag;
    uint32_t fragment_pointer;         /* where it starts: the unfragmentable part's length */
    bool incomplete_first_fragment;    /* RFC 7112: the chain runs past a first fragment */

    enum ipv6_chain_verdict verdict;
    uint8_t problem_code;              /* enum icmpv6_parameter_problem_code */
    uint32_t problem_pointer;
    uint8_t unknown_option;            /* the type of the option that decided it, if one did */
};

/* Walks the headers of packet (the fixed header at its start; len already
 * trimmed to 40 + payload_len), for a packet addressed to this node.
 * Returns 0 with the chain filled in (see verdict), or a wire_error for
 * bytes that are not a chain at all: WIRE_TRUNCATED (a header running past
 * the packet, not a first fragment's), WIRE_BAD_OPTION (an option running
 * past its header, a router alert of the wrong length). Stops at the
 * first verdict that is not ACCEPT:
 *  - an unknown option: its action (RFC 8200 4.2), pointer at its type;
 *  - hop-by-hop options anywhere but first: code 1, pointer at the Next
 *    Header field that names it (RFC 8200 4);
 *  - a routing header with segments left: naru knows no routing type
 *    (type 0 is deprecated, RFC 5095), so code 0 at the type (RFC 8200 4.4);
 *  - a fragment with M set whose length is not a multiple of 8 (code 0 at
 *    the payload length), or that reaches past 65535 (code 0 at the fragment
 *    offset) (RFC 8200 4.5);
 *  - a first fragment without the whole chain and the upper-layer header
 *    (RFC 7112 5): code 3, pointer 0, incomplete_first_fragment. */
int ipv6_walk_chain(const uint8_t *packet, size_t len, struct ipv6_chain *c);

/* The 8-byte fragment header. Returns IPV6_FRAGMENT_HEADER_LEN, or 0 if
 * cap is short or the offset is not a multiple of 8. */
size_t ipv6_fragment_emit(uint8_t next_header, const struct ipv6_fragment *f, uint8_t *buf, size_t cap);
/* A hop-by-hop options header holding only a router alert (RFC 2711),
 * padded to 8 bytes, as MLD messages carry it (RFC 3810 5). Returns 8, or
 * 0 if cap is short. */
size_t ipv6_router_alert_emit(uint8_t next_header, uint16_t value, uint8_t *buf, size_t cap);

/* RFC 5952 text: lowercase, no leading zeros, the longest run of two or
 * more zero fields as "::" (the first of equal runs), IPv4-mapped
 * addresses as ::ffff:a.b.c.d. Returns buf. (naru_addr_format's IPv6
 * half; here so that describe.c can use it.) */
#define IPV6_ADDR_STRLEN 46
char *ipv6_addr_format(const uint8_t a[16], char buf[IPV6_ADDR_STRLEN]);

/* Addresses compared and tested as two 64-bit words: these run several
 * times per packet, where a loop over 16 bytes (or a call to memcmp)
 * costs more than the rest of the header's work. memcpy keeps the loads
 * legal at any alignment; a compiler makes each one a single load. */
static inline bool ipv6_addr_equal(const uint8_t a[16], const uint8_t b[16])
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&a1, a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, b + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* Address kinds, on the 16 bytes (RFC 4291 2.4). */
static inline bool ipv6_addr_is_unspecified(const uint8_t a[16])
{
    uint64_t w0, w1;
    memcpy(&w0, a, 8);
    memcpy(&w1, a + 8, 8);
    return (w0 | w1) == 0;
}
static inline bool ipv6_addr_is_multicast(const uint8_t a[16])
{
    return a[0] == 0xff;
}
static inline bool ipv6_addr_is_link_local(const uint8_t a[16])
{
    return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}
static inline bool ipv6_addr_is_loopback(const uint8_t a[16])
{
    /* ::1: bytes 0 to 14 zero (two overlapping words), byte 15 one. */
    uint64_t w0, w1;
    memcpy(&w0, a, 8);
    memcpy(&w1, a + 7, 8);
    return (w0 | w1) == 0 && a[15] == 1;
}
/* ff02::1:ffXX:XXXX (RFC 4291 2.7.1). */
static inline bool ipv6_addr_is_solicited_node(const uint8_t a[16])
{
    static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
    return memcmp(a, prefix, sizeof prefix) == 0;
}
static inline void ipv6_solicited_node(const uint8_t a[16], uint8_t group[16])
{
    static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
    memcpy(group, prefix, sizeof prefix);
    memcpy(group + 13, a + 13, 3);
}

#endif
