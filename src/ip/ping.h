/* ICMP echo sockets, like Linux's SOCK_DGRAM/IPPROTO_ICMP: the user writes
 * an echo request (header and data), the stack sets the identifier to the
 * socket's and checksums it; echo replies with that identifier come back. */
#ifndef NARU_IP_PING_H
#define NARU_IP_PING_H

#include <stddef.h>
#include <stdint.h>

struct naru_stack;
struct pbuf;
struct sock;
struct ip_info;
struct ip_error;
struct sock_addr;

/* An echo reply with identifier id (pb->data at the ICMP header). Takes
 * the pbuf. */
void ping_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip, uint16_t id);
long ping_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len, const struct sock_addr *to);
void ping_icmp_error(struct naru_stack *stack, const struct ip_error *e);

#endif
