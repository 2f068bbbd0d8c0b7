/* UDP (RFC 768): demultiplexing by port, and datagrams out. */
#ifndef NARU_UDP_UDP_H
#define NARU_UDP_UDP_H

#include <stddef.h>
#include <stdint.h>

struct naru_stack;
struct pbuf;
struct sock;
struct ip_info;
struct ip_error;
struct sock_addr;

/* pb->data at the UDP header. Takes the pbuf. */
void udp_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip);
/* Send one datagram from a bound socket. Returns len or a negative errno. */
long udp_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len, const struct sock_addr *to);
/* An ICMP error quoting a datagram we sent. */
void udp_icmp_error(struct naru_stack *stack, const struct ip_error *e);

#define UDP_MAX_PAYLOAD (65535 - 20 - 8)

#endif
