/* Neighbour Discovery messages (RFC 4861 4): router solicitation and
 * advertisement, neighbour solicitation and advertisement, redirect, and
 * their options, with the checks of RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2
 * and 8.1 that are about the bytes. The IP layer checks the rest: the hop
 * limit (ndp_hop_limit_valid), that a redirect comes from the first-hop
 * router, that the message was not in a fragment (RFC 6980 5). */
#ifndef NARU_WIRE_NDP_H
#define NARU_WIRE_NDP_H

#include "wire/icmpv6.h"

/* Fixed parts, ICMPv6 header included. */
#define NDP_RS_LEN 8
#define NDP_RA_LEN 16
#define NDP_NS_LEN 24
#define NDP_NA_LEN 24
#define NDP_REDIRECT_LEN 40
#define NDP_HOP_LIMIT 255

enum ndp_option_type {
    NDP_OPT_SOURCE_LLADDR = 1,
    NDP_OPT_TARGET_LLADDR = 2,
    NDP_OPT_PREFIX_INFO = 3,
    NDP_OPT_REDIRECTED_HEADER = 4,
    NDP_OPT_MTU = 5,
    NDP_OPT_NONCE = 14,                /* RFC 3971 5.3.2 */
    NDP_OPT_RDNSS = 25,                /* RFC 8106 5.1 */
};
#define NDP_NONCE_MIN_LEN 6            /* RFC 3971 5.3.2 */

/* RFC 4861 4.6.2; lifetimes in seconds, 0xffffffff for infinity. */
struct ndp_prefix_info {
    uint8_t prefix_len;        /* 0..128 */
    bool on_link;              /* L */
    bool autonomous;           /* A */
    uint32_t valid_lifetime;
    uint32_t preferred_lifetime;
    uint8_t prefix[16];
};
/* RFC 8106 5.1. */
struct ndp_rdnss {
    uint32_t lifetime;         /* seconds */
    uint8_t count;
    const uint8_t *servers;    /* count addresses of 16 bytes, in the message */
};

/* The options a message held that belong to its type (RFC 4861 4: others
 * are ignored, as are unknown ones). Of an option that may appear once,
 * the first counts. Pointers point into the parsed message. */
struct ndp_options {
    const uint8_t *source_lladdr;      /* 6 bytes (Ethernet), or NULL: RS, RA, NS */
    const uint8_t *target_lladdr;      /* NA, redirect */
    bool mtu_present;                  /* RA */
    uint32_t mtu;
    const uint8_t *nonce;              /* NS, NA (RFC 7527 DAD) */
    uint8_t nonce_len;                 /* >= NDP_NONCE_MIN_LEN */
    const uint8_t *redirected;         /* redirect: the quoted packet, from its IPv6 header */
    size_t redirected_len;
    uint8_t prefix_count;              /* RA; read them with ndp_next_prefix */
    uint8_t rdnss_count;               /* RA; ndp_next_rdnss */
    const uint8_t *all;                /* every option, for the iterators */
    size_t all_len;
};

struct ndp_message {
    uint8_t type;              /* ICMPV6_ROUTER_SOLICIT .. ICMPV6_REDIRECT */
    /* Router advertisement (RFC 4861 4.2). */
    uint8_t cur_hop_limit;
    bool managed;              /* M */
    bool other;                /* O */
    uint8_t ra_flags;          /* the whole flags byte (RFC 4191 preference, RFC 5175) */
    uint16_t router_lifetime;  /* seconds */
    uint32_t reachable_time;   /* ms */
    uint32_t retrans_timer;    /* ms */
    /* Neighbour solicitation and advertisement, redirect. */
    uint8_t target[16];
    /* Neighbour advertisement (RFC 4861 4.4). */
    bool router;               /* R */
    bool solicited;            /* S */
    bool override;             /* O */
    /* Redirect (RFC 4861 4.5). */
    uint8_t destination[16];
    struct ndp_options options;
};

/* buf is an ICMPv6 message whose checksum icmpv6_parse has verified, of
 * type 133..137; src and dst are its IPv6 header's. Checks the code (0),
 * the length, every option's length (0 invalidates the message, RFC 4861
 * 4.6; a link-layer address option must hold an Ethernet address), and
 * the rules about addresses and flags: an RS or NS from :: carries no
 * source link-layer address, an NS from :: goes to a solicited-node group,
 * an RA or redirect comes from a link-local address, an NS or NA target
 * is not multicast, an NA to a multicast group is not solicited, a
 * redirect's destination is not multicast and its target is link-local
 * or the destination. Returns 0 or a wire_error (WIRE_BAD_FIELD for a
 * broken rule, WIRE_BAD_OPTION for an option). */
int ndp_parse(const uint8_t *buf, size_t len, const uint8_t src[16], const uint8_t dst[16], struct ndp_message *m);
/* The next prefix information option after *at (start with 0). */
bool ndp_next_prefix(const struct ndp_options *o, size_t *at, struct ndp_prefix_info *p);
/* The next RDNSS option after *at (start with 0); those too short to hold
 * an address are ignored (RFC 8106 5.3.1). */
bool ndp_next_rdnss(const struct ndp_options *o, size_t *at, struct ndp_rdnss *r);

/* RFC 4861 6.1, 7.1, 8.1: a message off the link is not Neighbour Discovery. */
static inline bool ndp_hop_limit_valid(uint8_t hop_limit)
{
    return hop_limit == NDP_HOP_LIMIT;
}

/* Emitting: begin with the fixed part of m (its type says which fields),
 * add options in the order they should appear, finish with the checksum.
 * Running out of cap is remembered, and finish then returns 0. */
struct ndp_builder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
};
void ndp_emit_begin(struct ndp_builder *b, const struct ndp_message *m, uint8_t *buf, size_t cap);
void ndp_emit_lladdr(struct ndp_builder *b, enum ndp_option_type type, const uint8_t mac[6]);
void ndp_emit_prefix(struct ndp_builder *b, const struct ndp_prefix_info *p);
void ndp_emit_mtu(struct ndp_builder *b, uint32_t mtu);
void ndp_emit_rdnss(struct ndp_builder *b, uint32_t lifetime, const uint8_t *servers, size_t count);
/* A nonce of len bytes; len + 2 a multiple of 8 (6, 14, ...). */
void ndp_emit_nonce(struct ndp_builder *b, const uint8_t *nonce, size_t len);
/* As much of packet as keeps the redirect within the minimum MTU (RFC
 * 4861 4.6.3), zero-padded to a multiple of 8. */
void ndp_emit_redirected(struct ndp_builder *b, const uint8_t *packet, size_t len);
/* Returns the message's length, or 0 if it did not fit. */
size_t ndp_emit_finish(struct ndp_builder *b, const uint8_t src[16], const uint8_t dst[16]);

#endif
