/* Ethernet input and output: the link layer's one receive entry point, and
 * the way IP datagrams and ARP packets go out. */
#ifndef NARU_LINK_ETHERNET_H
#define NARU_LINK_ETHERNET_H

#include <stdint.h>

#include "wire/ethernet.h"

struct naru_stack;
struct naru_iface;
struct naru_addr;
struct pbuf;

/* pb->data at the Ethernet header. Takes the pbuf. */
void eth_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb);
/* Send an IP datagram (pb->data at the IP header) to next_hop, a neighbour
 * on iface's link (or a broadcast or multicast address of it): resolves it
 * first if needed (ARP or NDP, link/neighbour.h). Takes the pbuf. */
void eth_output_ip(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                   const struct naru_addr *next_hop);
/* Prepend the Ethernet header and transmit. Takes the pbuf. */
void eth_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                const uint8_t dst[ETH_ADDR_LEN], uint16_t ethertype);

#endif
