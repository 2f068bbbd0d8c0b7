/* TCP (RFC 9293): the interface the IP and socket layers see. */
#ifndef NARU_TCP_TCP_H
#define NARU_TCP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/socket.h"

struct naru_stack;
struct pbuf;
struct sock;
struct ip_info;
struct ip_error;
struct naru_addr;
struct sock_addr;

/* The connection table, at stack creation and teardown (teardown sends
 * nothing and tells no socket). */
int tcp_init(struct naru_stack *stack);
void tcp_fini(struct naru_stack *stack);

/* The end of an input batch (naru_stack_poll()): the ACKs owed go out.
 * tcp_batch_pending() says whether any are owed. */
void tcp_batch_end(struct naru_stack *stack);
bool tcp_batch_pending(const struct naru_stack *stack);
/* Every poll ends an input batch for the SYN budget too (tcp_listen.c). */
void tcp_listen_batch_end(struct naru_stack *stack);

/* pb->data at the TCP header. Takes the pbuf. */
void tcp_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip);
void tcp_icmp_error(struct naru_stack *stack, const struct ip_error *e);

int tcp_sock_init(struct naru_stack *stack, struct sock *s);
int tcp_connect(struct naru_stack *stack, struct sock *s, const struct sock_addr *to);
int tcp_listen(struct naru_stack *stack, struct sock *s, int backlog);
int tcp_accept(struct naru_stack *stack, struct sock *s, struct sock_addr *peer);
long tcp_send(struct naru_stack *stack, struct sock *s, const void *data, size_t len);
long tcp_recv(struct naru_stack *stack, struct sock *s, void *buf, size_t len, int flags);
int tcp_shutdown(struct naru_stack *stack, struct sock *s, int how);
void tcp_close(struct naru_stack *stack, struct sock *s);
unsigned tcp_poll_events(const struct naru_stack *stack, struct sock *s);
int tcp_setsockopt(struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int value);
int tcp_getsockopt(const struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int *value);
/* May s bind to addr:port? Not if another TCP socket or a closing
 * connection holds it, unless SO_REUSEADDR allows (over TIME-WAIT, say). */
bool tcp_port_available(struct naru_stack *stack, struct sock *s, const struct naru_addr *addr, uint16_t port);

#endif
