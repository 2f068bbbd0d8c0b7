/* IPv6 reassembly (RFC 8200 4.5): in any order; an overlap discards the
 * whole packet (RFC 5722); bounded in packets and fragments; given up
 * after 60 seconds with time exceeded (code 1) to the sender if the first
 * fragment came. Atomic fragments never get here (RFC 6946), nor first
 * fragments without the whole header chain (RFC 7112: ipv6_walk_chain). */
#ifndef NARU_IP_REASSEMBLY6_H
#define NARU_IP_REASSEMBLY6_H

#include <stdbool.h>
#include <stdint.h>

#include "core/timer.h"
#include "ip/fragment_table.h"
#include "wire/ipv6.h"

struct naru_stack;
struct pbuf;
struct ipv6_chain;

#define REASSEMBLY6_TIMEOUT (60 * NARU_SEC)    /* RFC 8200 4.5 */
/* The unfragmentable part (the IPv6 header and the extension headers
 * before the fragment header) kept from the first fragment. */
#define REASSEMBLY6_MAX_UNFRAGMENTABLE 200

struct reassembly6_slot {
    struct fragment_slot common;  /* first: the table's part (the fragmentable part's bytes) */
    uint32_t id;
    uint8_t src[16], dst[16];
    uint8_t unfragmentable[REASSEMBLY6_MAX_UNFRAGMENTABLE];
    uint16_t unfragmentable_len;  /* 0 until the first fragment arrives */
    uint8_t next_header;          /* the first fragment's fragment header's */
    uint16_t first_len;           /* fragmentable bytes the first fragment held */
};

int reassembly6_init(struct naru_stack *stack);
void reassembly6_fini(struct naru_stack *stack);
/* Take a fragment (pb->data at its IPv6 header; c its walked chain).
 * Returns the whole packet once complete, without the fragment header;
 * NULL while pieces are missing or when it was dropped. Takes the pbuf. */
struct pbuf *ipv6_reassemble(struct naru_stack *stack, struct pbuf *pb, const struct ipv6_header *h,
                             const struct ipv6_chain *c);

#endif
