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
struct ipv4_header;
struct icmp_message;
struct naru_sockaddr;

void ping_input(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip,
                const struct icmp_message *m);
long ping_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len,
                 const struct naru_sockaddr *to);
void ping_icmp_error(struct naru_stack *stack, const struct icmp_message *m, uint32_t offender);

#endif
