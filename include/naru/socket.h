/* naru's socket API: BSD names and semantics, non-blocking, integer socket
 * handles per stack. Every call returns >= 0 on success or a negative errno
 * (-EAGAIN, -ECONNREFUSED, ...). Ports and IPv4 addresses are in host byte
 * order; addresses are of either family (struct naru_addr, naru/addr.h). */
#ifndef NARU_SOCKET_H
#define NARU_SOCKET_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

enum naru_socket_type {
    NARU_SOCK_DGRAM = 1,   /* UDP */
    NARU_SOCK_STREAM = 2,  /* TCP */
    NARU_SOCK_PING = 3,    /* ICMP echo, like Linux's SOCK_DGRAM/IPPROTO_ICMP */
};

/* A socket address of either family, like sockaddr_in and sockaddr_in6 in
 * one. To bind: NARU_AF_UNSPEC or :: is the wildcard of both families
 * (unless NARU_IPV6_V6ONLY, as Linux with bindv6only=0), 0.0.0.0 IPv4's
 * alone. Peers are reported in their own family: an IPv4 peer of a
 * dual-stack socket as an IPv4 address, never as ::ffff:a.b.c.d; such a
 * v4-mapped address given to a call means the IPv4 address. An address
 * nobody is (an unconnected peer, a hop that never answered) has family
 * NARU_AF_UNSPEC. */
struct naru_sockaddr {
    struct naru_addr addr;
    uint16_t port;         /* for NARU_SOCK_PING: the echo identifier */
    uint32_t scope_id;     /* link-local IPv6 addresses: the interface (NARU_SCOPE_ID);
                              0 otherwise */
};

/* The scope_id of interface `ifindex` (numbered from 1 as Linux's, so
 * that 0 is none), and back (-1 for none). */
#define NARU_SCOPE_ID(ifindex) ((uint32_t)(ifindex) + 1u)
static inline int naru_scope_ifindex(uint32_t scope_id)
{
    return scope_id ? (int)(scope_id - 1) : -1;
}

static inline struct naru_sockaddr naru_sockaddr_v4(uint32_t addr, uint16_t port)
{
    struct naru_sockaddr sa = { .addr = naru_addr_v4(addr), .port = port };
    return sa;
}

/* Socket addresses as text: "198.18.0.1:80", "[2001:db8::1]:80",
 * "[fe80::1%eth0]:80", or the address alone ("2001:db8::1",
 * "fe80::1%eth0"), when *port is to keep the value it has. A zone is an
 * interface name of `stack` or a scope_id number (stack may be NULL for
 * numbers only); it is only for link-local addresses. 0 or -EINVAL. */
int naru_sockaddr_parse(const char *text, const struct naru_stack *stack, struct naru_sockaddr *sa);
/* Longest text naru_sockaddr_format() writes, with its NUL. */
#define NARU_SOCKADDR_STRLEN (NARU_ADDR_STRLEN + NARU_IFNAME_MAX + 10)
/* The address (RFC 5952 for IPv6), its zone (the interface's name in
 * `stack`, or the number when stack is NULL) and ":PORT" when port is not
 * 0, an IPv6 address then in brackets. NARU_AF_UNSPEC formats as "*"
 * (with a port, "*:PORT"). Returns buf. */
char *naru_sockaddr_format(const struct naru_sockaddr *sa, const struct naru_stack *stack,
                           char buf[NARU_SOCKADDR_STRLEN]);

/* Readiness, as poll(2) reports it. */
#define NARU_POLLIN  0x01u
#define NARU_POLLOUT 0x04u
#define NARU_POLLERR 0x08u
#define NARU_POLLHUP 0x10u

/* Flags for send/recv. */
#define NARU_MSG_PEEK 0x02

int naru_socket(struct naru_stack *stack, enum naru_socket_type type);
int naru_bind(struct naru_stack *stack, int sock, const struct naru_sockaddr *addr);
int naru_connect(struct naru_stack *stack, int sock, const struct naru_sockaddr *addr);
int naru_listen(struct naru_stack *stack, int sock, int backlog);
int naru_accept(struct naru_stack *stack, int sock, struct naru_sockaddr *peer);
long naru_sendto(struct naru_stack *stack, int sock, const void *buf, size_t len, int flags,
                 const struct naru_sockaddr *to);
long naru_send(struct naru_stack *stack, int sock, const void *buf, size_t len, int flags);
long naru_recvfrom(struct naru_stack *stack, int sock, void *buf, size_t len, int flags,
                   struct naru_sockaddr *from);
long naru_recv(struct naru_stack *stack, int sock, void *buf, size_t len, int flags);
/* What recvmsg(2)'s control messages would say about a datagram. */
struct naru_recv_info {
    struct naru_sockaddr from;
    uint8_t hop_limit;         /* the IPv4 TTL or IPv6 hop limit it arrived with
                                  (IP_RECVTTL, IPV6_RECVHOPLIMIT) */
    naru_time_t when;          /* stack time it arrived (SO_TIMESTAMP) */
};
/* recvfrom() for datagram and ping sockets, with that information. */
long naru_recv_info(struct naru_stack *stack, int sock, void *buf, size_t len, int flags,
                    struct naru_recv_info *info);
#define NARU_SHUT_RD 0
#define NARU_SHUT_WR 1
#define NARU_SHUT_RDWR 2
int naru_shutdown(struct naru_stack *stack, int sock, int how);
int naru_close(struct naru_stack *stack, int sock);
int naru_getsockname(const struct naru_stack *stack, int sock, struct naru_sockaddr *addr);
int naru_getpeername(const struct naru_stack *stack, int sock, struct naru_sockaddr *addr);

/* Current readiness (NARU_POLL* bits). */
unsigned naru_socket_events(const struct naru_stack *stack, int sock);

/* Called whenever a socket may have become readable, writable or failed;
 * the callback asks naru_socket_events() what changed. One per socket. */
typedef void (*naru_socket_cb)(void *ctx, struct naru_stack *stack, int sock);
int naru_socket_set_callback(struct naru_stack *stack, int sock, naru_socket_cb cb, void *ctx);

enum naru_sockopt {
    NARU_SO_RCVBUF,        /* bytes (TCP) or datagrams (UDP) */
    NARU_SO_SNDBUF,
    NARU_SO_REUSEADDR,
    NARU_SO_KEEPALIVE,
    NARU_SO_RECVERR,       /* queue ICMP errors for naru_recv_error() */
    NARU_IP_TTL,
    NARU_TCP_NODELAY,
    NARU_TCP_CONGESTION,   /* enum naru_tcp_cc */
    NARU_IPV6_V6ONLY,      /* bound to the IPv6 wildcard, take IPv6 alone (default 0:
                              both families; set before bind) */
    NARU_IPV6_UNICAST_HOPS, /* hop limit of IPv6 packets, 1..255, -1: back to the default
                              (NARU_IP_TTL's if set, else the advertised or the stack's) */
};
int naru_setsockopt(struct naru_stack *stack, int sock, enum naru_sockopt opt, int value);
int naru_getsockopt(const struct naru_stack *stack, int sock, enum naru_sockopt opt, int *value);
/* Pending socket error as a negative errno, cleared by reading; 0 if none. */
int naru_socket_error(struct naru_stack *stack, int sock);

/* An ICMP error that came back for a datagram this socket sent, like
 * Linux's IP_RECVERR: who sent it and what it said. */
struct naru_icmp_error {
    struct naru_addr offender; /* the router or host that sent the ICMP error */
    uint8_t family;        /* NARU_AF_INET: ICMP's type and code; NARU_AF_INET6: ICMPv6's */
    uint8_t type, code;
    struct naru_sockaddr dst;   /* where the original went; for a ping socket,
                                   port is the echo request's sequence number */
    naru_time_t when;
};
/* 0 and one queued error, or -EAGAIN. Needs NARU_SO_RECVERR. */
int naru_recv_error(struct naru_stack *stack, int sock, struct naru_icmp_error *err);

/* TCP connection states (RFC 9293 3.3.2). */
enum naru_tcp_state {
    NARU_TCP_CLOSED, NARU_TCP_LISTEN, NARU_TCP_SYN_SENT, NARU_TCP_SYN_RECEIVED,
    NARU_TCP_ESTABLISHED, NARU_TCP_FIN_WAIT_1, NARU_TCP_FIN_WAIT_2, NARU_TCP_CLOSE_WAIT,
    NARU_TCP_CLOSING, NARU_TCP_LAST_ACK, NARU_TCP_TIME_WAIT,
};
/* "ESTABLISHED", "TIME-WAIT", ... */
const char *naru_tcp_state_name(enum naru_tcp_state state);

#define NARU_TCPI_OPT_TIMESTAMPS 0x01u
#define NARU_TCPI_OPT_SACK 0x02u
#define NARU_TCPI_OPT_WSCALE 0x04u

/* One connection's state, like Linux's TCP_INFO (`ss -ti`). Sizes are
 * bytes, times microseconds. */
struct naru_tcp_info {
    enum naru_tcp_state state;
    unsigned options;          /* NARU_TCPI_OPT_* negotiated */
    uint8_t snd_wscale, rcv_wscale;
    int congestion;            /* enum naru_tcp_cc */
    bool in_recovery;          /* fast recovery under way */
    uint32_t rtt_us, rttvar_us, rto_us;
    uint32_t snd_mss, rcv_mss;
    uint32_t snd_cwnd, snd_ssthresh;
    uint32_t snd_wnd;          /* the peer's window */
    uint32_t rcv_wnd;          /* ours, as last advertised */
    uint32_t unacked;          /* sent, not yet acknowledged */
    uint32_t sacked;           /* of those, SACKed by the peer */
    uint32_t retransmits;      /* timeouts in a row for the current data */
    uint32_t backoff;
    uint32_t probes;           /* zero-window or keepalive probes unanswered */
    uint32_t total_retrans;    /* segments retransmitted, ever */
    uint32_t fast_retrans;     /* fast retransmits (recoveries entered) */
    uint32_t segs_in, segs_out;
    uint32_t send_queue;       /* bytes written, not yet acknowledged */
    uint32_t recv_queue;       /* bytes received, not yet read */
    uint64_t bytes_sent;       /* data bytes sent, retransmissions included */
    uint64_t bytes_retrans;
    uint64_t bytes_acked;
    uint64_t bytes_received;   /* in order */
};
/* 0 and the information, -EBADF, or -EOPNOTSUPP for a non-TCP socket. */
int naru_tcp_get_info(const struct naru_stack *stack, int sock, struct naru_tcp_info *info);

#ifdef __cplusplus
}
#endif
#endif
