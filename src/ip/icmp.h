/* ICMP (RFC 792, RFC 1122 3.2.2): echo replies, and errors about
 * datagrams we could not deliver or forward, handed to the transport that
 * sent the original, and sent at a bounded rate. */
#ifndef NARU_IP_ICMP_H
#define NARU_IP_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/stack.h"
#include "wire/icmp.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

struct icmp_state {
    naru_time_t credit;        /* token bucket, in nanoseconds of allowance */
    naru_time_t last_refill;
};

/* A token bucket of the stack's rate and burst (config icmp_error_*),
 * one for each family: may an error go now? (RFC 1812 4.3.2.8, RFC 4443
 * 2.4 (f)) */
bool icmp_rate_allows(struct naru_stack *stack, struct icmp_state *st);
/* pb->data at the ICMP header. Takes the pbuf. */
void icmp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                const struct ipv4_header *ip);
/* Send an error about `original` (whose network header is marked), unless
 * RFC 1122 3.2.2 forbids it or the rate limit says no. Does not take it. */
void icmp_send_error(struct naru_stack *stack, const struct pbuf *original, uint8_t type,
                     uint8_t code, uint32_t rest);
/* The same, from the bytes to quote: an IP header and what follows it.
 * pbuf_flags tells how the original was addressed (PBUF_F_*). */
void icmp_send_error_quoting(struct naru_stack *stack, const uint8_t *datagram, size_t len,
                             uint8_t pbuf_flags, uint8_t type, uint8_t code, uint32_t rest);

#endif
