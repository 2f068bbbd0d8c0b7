/* IPv4 input and output (RFC 791, RFC 1122 3.2.1). */
#ifndef NARU_IP_IPV4_H
#define NARU_IP_IPV4_H

#include <stdbool.h>
#include <stdint.h>

#include "ip/ip.h"
#include "naru/stack.h"
#include "wire/ipv4.h"

struct naru_stack;
struct naru_iface;
struct pbuf;

/* pb->data at the IP header; iface is NULL for datagrams to ourselves.
 * Takes the pbuf. */
void ip_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* ipv4_output() and ipv4_select_source() are declared in ip/ip.h, which
 * dispatches to them. */
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
