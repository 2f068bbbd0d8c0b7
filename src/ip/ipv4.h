/* IPv4 input and output (RFC 791, RFC 1122 3.2.1). */
#ifndef NARU_IP_IPV4_H
#define NARU_IP_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"
#include "wire/ipv4.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

struct ip_send {
    uint32_t src;              /* 0: the outgoing interface's address */
    uint32_t dst;
    uint8_t protocol;
    uint8_t ttl;               /* 0: the stack's default */
    uint8_t tos;
    bool dont_fragment;
    const uint8_t *options;    /* already laid out (RFC 791 3.1); NULL for none */
    uint8_t options_len;       /* at most 40 */
};

/* pb->data at the IP header; iface is NULL for datagrams to ourselves.
 * Takes the pbuf. */
void ip_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* Send a transport payload (pb->data at its header). Takes the pbuf.
 * Returns 0, -ENETUNREACH, or -EMSGSIZE (too big with dont_fragment). */
int ip_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send);
/* The source address ip_output() would use towards dst: 0 or -ENETUNREACH. */
int ip_select_source(const struct naru_stack *stack, uint32_t dst, uint32_t *src);
/* Send a whole datagram (pb->data at its IP header) out of iface towards
 * next_hop, fragmenting it to the MTU. Takes the pbuf. */
int ip_send_on_link(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                    uint32_t next_hop);
/* The link could not reach next hop (ARP gave up): RFC 1812 4.3.3.1 and
 * Linux answer host unreachable, which also tells a local sender. Takes
 * the pbuf (pb->data at the IP header). */
void ip_neighbour_failed(struct naru_stack *stack, struct pbuf *pb);
/* Datagrams queued to ourselves are delivered here, from the poll loop. */
void ip_loopback_run(struct naru_stack *stack);

/* RFC 791 3.1: enter `addr` into any Record Route option and a timestamp
 * into any Internet Timestamp option, in place, where there is room. */
void ip_options_record(uint8_t *options, size_t len, uint32_t addr, naru_time_t now);
/* The options an echo reply carries back (RFC 1122 3.2.2.6): Record Route
 * and Timestamp, copied from the request. Returns their length. */
size_t ip_options_for_reply(const uint8_t *options, size_t len, uint8_t *out);

/* Split a datagram into fragments that fit the link (RFC 791 3.2). */
int ip_fragment(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, uint32_t next_hop);
/* Forward a datagram that is not ours (RFC 1812 5.2). Takes the pbuf. */
void ip_forward(struct naru_stack *stack, struct naru_iface *in, struct pbuf *pb,
                const struct ipv4_header *ip);

static inline bool ip_is_multicast(uint32_t a) { return (a >> 28) == 0xe; }
static inline bool ip_is_loopback(uint32_t a) { return (a >> 24) == 127; }

#endif
