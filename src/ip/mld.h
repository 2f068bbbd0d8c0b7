/* The seam to Multicast Listener Discovery (RFC 3810): icmpv6.c hands it
 * queries and reports (types 130, 131, 132, 143) it received. The
 * definition in ndp_router_stub.c does nothing; the autoconf work (mld.c)
 * replaces it, and checks what RFC 3810 5 asks of the bytes (hop limit 1,
 * router alert, link-local source). */
#ifndef NARU_IP_MLD_H
#define NARU_IP_MLD_H

#include <stddef.h>
#include <stdint.h>

#include "wire/ipv6.h"

struct naru_stack;
struct naru_iface;

/* msg is the whole ICMPv6 message (checksum verified); c says whether a
 * router alert came with it. */
void mld_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
               const struct ipv6_chain *c, const uint8_t *msg, size_t len);

#endif
