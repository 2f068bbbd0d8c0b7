/* What every socket has, whatever its protocol: addresses, the user's
 * callback, a pending error, and for datagram sockets a bounded receive
 * queue. UDP, TCP and ping sockets keep their protocol state beside it. */
#ifndef NARU_SOCKET_SOCK_H
#define NARU_SOCKET_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/pbuf.h"
#include "naru/addr.h"
#include "naru/socket.h"

struct naru_stack;
struct tcp_conn;

#define SOCK_ERROR_QUEUE_LEN 8

/* An address and port of either family: what sockets hold (socket.c
 * converts at the API: 0.0.0.0 and :: become the wildcard here). */
struct sock_addr {
    struct naru_addr addr;     /* NARU_AF_UNSPEC: the wildcard, of either family */
    uint16_t port;
    uint32_t scope_id;         /* link-local IPv6: NARU_SCOPE_ID of the interface; else 0 */
};

/* An ICMP or ICMPv6 error queued for naru_recv_error(). */
struct sock_error {
    struct naru_addr offender;
    uint8_t type, code;
    struct sock_addr dst;
    naru_time_t when;
};

static inline bool sock_addr_is_wildcard(const struct naru_addr *a)
{
    return a->family == NARU_AF_UNSPEC;
}

/* Do two bound addresses overlap: equal, or either the wildcard? */
static inline bool sock_addrs_overlap(const struct naru_addr *a, const struct naru_addr *b)
{
    return sock_addr_is_wildcard(a) || sock_addr_is_wildcard(b) || naru_addr_equal(a, b);
}

struct sock {
    bool used;
    int handle;                /* its slot in the table (set when taken) */
    uint8_t type;              /* enum naru_socket_type */
    bool bound;
    bool connected;
    bool recverr;
    bool reuseaddr;
    bool v6only;               /* the wildcard means IPv6's only (IPV6_V6ONLY; no IPv6 yet) */
    uint8_t wildcard_family;   /* bound to the wildcard: the family of the address given
                                  (NARU_AF_INET for 0.0.0.0: IPv4's alone), or 0 */
    uint8_t ttl;               /* 0: the stack's default */
    uint8_t hop_limit;         /* IPv6's alone (NARU_IPV6_UNICAST_HOPS); 0: ttl's */
    int error;                 /* pending negative errno, reported once */
    struct sock_addr local;
    struct sock_addr remote;
    naru_socket_cb callback;
    void *callback_ctx;
    /* Datagram sockets: received datagrams (sender in meta_addr/meta_port). */
    struct pbuf_queue receive_queue;
    uint32_t receive_limit;
    uint8_t error_head;
    uint8_t error_count;
    struct tcp_conn *tcp;
    /* Bound sockets: the chain of the port index (port_pprev points at
     * whatever points at this one, so leaving takes no walk). */
    struct sock *port_next;
    struct sock **port_pprev;
    /* Last, and not cleared for a new socket: an entry is read only once
     * written (error_count says how many are). */
    struct sock_error errors[SOCK_ERROR_QUEUE_LEN];
};

/* Slots come in blocks of SOCK_BLOCK, allocated when one of them is first
 * taken; a socket never moves (the port index points at it), and a block
 * all free goes back (but the first), so a host's table costs what it
 * uses, not what it may use. */
#define SOCK_BLOCK 4

/* Bound sockets are indexed by local port, so neither a datagram looking
 * for its socket nor a bind or connect looking for a free port scans the
 * whole table: datagram and ping sockets in one index, stream sockets
 * (which a busy server's port has thousands of) in another. TCP
 * demultiplexes segments through its own connection table. Free slots are
 * a bitmap, with a bitmap of its words that have one, so a new socket
 * takes the lowest free slot (as the old scan did, and as POSIX does with
 * file descriptors) without a walk over the used ones. */
struct sock_table {
    struct sock **blocks;      /* count / SOCK_BLOCK (rounded up), each NULL until used */
    uint32_t count;
    struct sock **port_buckets;        /* datagram and ping sockets */
    struct sock **stream_port_buckets; /* stream sockets */
    uint32_t bucket_mask;
    uint64_t *free_slots;      /* bit i of word w: slot 64w + i is free */
    uint64_t *free_words;      /* bit i of word w: free_slots[64w + i] is not 0 */
    uint32_t free_words_count;
    uint32_t free_words_low;   /* free_words below this are all 0 */
};

int sock_table_init(struct naru_stack *stack);
void sock_table_fini(struct naru_stack *stack);
struct sock *sock_get(struct naru_stack *stack, int handle);
/* A free slot made into a fresh socket of `type` (for TCP's accept()), or
 * NULL when every slot is taken. */
struct sock *sock_alloc(struct naru_stack *stack, uint8_t type);
int sock_handle(const struct naru_stack *stack, const struct sock *s);
/* Give the socket its local address and port (and index it). */
void sock_set_bound(struct naru_stack *stack, struct sock *s, const struct naru_addr *addr, uint16_t port);
/* Return the slot to the free pool (and drop it from the index). */
void sock_release(struct naru_stack *stack, struct sock *s);
/* Tell the user something changed. */
void sock_notify(struct naru_stack *stack, struct sock *s);
/* Queue a datagram for recvfrom (takes the pbuf); false if the queue is full. */
bool sock_queue_datagram(struct naru_stack *stack, struct sock *s, struct pbuf *pb);
void sock_queue_error(struct naru_stack *stack, struct sock *s, const struct sock_error *e);
/* The pending error, reported once: returned and cleared (0 if none). */
int sock_take_error(struct sock *s);
/* Does s, bound to the wildcard, take what comes to an address of
 * `family`? 0.0.0.0 is IPv4's alone; :: both, but IPv6's alone with
 * v6only. */
static inline bool sock_wildcard_takes(const struct sock *s, uint8_t family)
{
    if (s->wildcard_family == NARU_AF_INET)
        return family == NARU_AF_INET;
    return !s->v6only || family == NARU_AF_INET6;
}
/* Does s, bound, take datagrams to `local`? Its own address, or the
 * wildcard (sock_wildcard_takes). */
static inline bool sock_takes_local(const struct sock *s, const struct naru_addr *local)
{
    if (sock_addr_is_wildcard(&s->local.addr))
        return sock_wildcard_takes(s, local->family);
    return naru_addr_equal(&s->local.addr, local);
}
/* The socket of `type` that should get a datagram to local:lport from
 * remote:rport: connected sockets first, then bound to the address, then
 * the wildcard. NULL if none. */
struct sock *sock_lookup(struct naru_stack *stack, uint8_t type, const struct naru_addr *local, uint16_t lport,
                         const struct naru_addr *remote, uint16_t rport);
/* The bound sockets of `type` on `port`, one after another:
 * for (s = sock_bound_first(stack, type, port); s; s = sock_bound_next(s)). */
struct sock *sock_bound_first(struct naru_stack *stack, uint8_t type, uint16_t port);
struct sock *sock_bound_next(const struct sock *s);
/* Is the port taken for this type, on this address or the wildcard? */
bool sock_port_in_use(struct naru_stack *stack, uint8_t type, const struct naru_addr *addr, uint16_t port,
                      const struct sock *except);
/* RFC 6056 3.3.1: a random free port in the ephemeral range, or 0. */
uint16_t sock_ephemeral_port(struct naru_stack *stack, uint8_t type, const struct naru_addr *addr);

#define EPHEMERAL_PORT_MIN 49152
#define EPHEMERAL_PORT_MAX 65535

/* The TTL or hop limit for a packet to `family`, 0 for the default:
 * NARU_IPV6_UNICAST_HOPS for IPv6 when set, else NARU_IP_TTL, which
 * serves both families. */
static inline uint8_t sock_ttl_for(const struct sock *s, uint8_t family)
{
    return family == NARU_AF_INET6 && s->hop_limit ? s->hop_limit : s->ttl;
}

#endif
