/* What every socket has, whatever its protocol: addresses, the user's
 * callback, a pending error, and for datagram sockets a bounded receive
 * queue. UDP, TCP and ping sockets keep their protocol state beside it. */
#ifndef NARU_SOCKET_SOCK_H
#define NARU_SOCKET_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/pbuf.h"
#include "naru/socket.h"

struct naru_stack;
struct tcp_conn;

#define SOCK_ERROR_QUEUE_LEN 8

struct sock {
    bool used;
    uint8_t type;              /* enum naru_socket_type */
    bool bound;
    bool connected;
    bool recverr;
    bool reuseaddr;
    uint8_t ttl;               /* 0: the stack's default */
    int error;                 /* pending negative errno, reported once */
    struct naru_sockaddr local;
    struct naru_sockaddr remote;
    naru_socket_cb callback;
    void *callback_ctx;
    /* Datagram sockets: received datagrams (sender in meta_addr/meta_port). */
    struct pbuf_queue receive_queue;
    uint32_t receive_limit;
    struct naru_icmp_error errors[SOCK_ERROR_QUEUE_LEN];
    uint8_t error_head;
    uint8_t error_count;
    struct tcp_conn *tcp;
    struct sock *port_next;    /* datagram sockets: chain in the port index */
};

/* Datagram and ping sockets are also indexed by local port, so a datagram
 * finds its socket without a scan of the whole table. (TCP demultiplexes
 * through its own connection table.) */
struct sock_table {
    struct sock *socks;
    uint32_t count;
    struct sock **port_buckets;
    uint32_t bucket_mask;
};

int sock_table_init(struct naru_stack *stack);
void sock_table_fini(struct naru_stack *stack);
struct sock *sock_get(struct naru_stack *stack, int handle);
/* A free slot made into a fresh socket of `type` (for TCP's accept()), or
 * NULL when every slot is taken. */
struct sock *sock_alloc(struct naru_stack *stack, uint8_t type);
int sock_handle(const struct naru_stack *stack, const struct sock *s);
/* Give the socket its local address and port (and index it). */
void sock_set_bound(struct naru_stack *stack, struct sock *s, uint32_t addr, uint16_t port);
/* Return the slot to the free pool (and drop it from the index). */
void sock_release(struct naru_stack *stack, struct sock *s);
/* Tell the user something changed. */
void sock_notify(struct naru_stack *stack, struct sock *s);
/* Queue a datagram for recvfrom (takes the pbuf); false if the queue is full. */
bool sock_queue_datagram(struct naru_stack *stack, struct sock *s, struct pbuf *pb);
void sock_queue_error(struct naru_stack *stack, struct sock *s, const struct naru_icmp_error *e);
/* The socket of `type` that should get a datagram to local:lport from
 * remote:rport: connected sockets first, then bound to the address, then
 * the wildcard. NULL if none. */
struct sock *sock_lookup(struct naru_stack *stack, uint8_t type, uint32_t local, uint16_t lport,
                         uint32_t remote, uint16_t rport);
/* Is the port taken for this type, on this address or the wildcard? */
bool sock_port_in_use(struct naru_stack *stack, uint8_t type, uint32_t addr, uint16_t port,
                      const struct sock *except);
/* RFC 6056 3.3.1: a random free port in the ephemeral range, or 0. */
uint16_t sock_ephemeral_port(struct naru_stack *stack, uint8_t type, uint32_t addr);

#define EPHEMERAL_PORT_MIN 49152
#define EPHEMERAL_PORT_MAX 65535

#endif
