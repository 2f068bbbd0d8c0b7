/* naru's DNS: an authoritative server that loads RFC 1035 zone files, a
 * caching stub resolver, and the message text that dig-like tools print.
 *
 * Neither the server core nor the resolver does network I/O: each runs on naru's
 * sockets or on the host's kernel sockets alike. The resolver's transport
 * is struct naru_dns_resolver_io (below). The server's is one call: a
 * transport (naru's sockets, or the host's kernel sockets in tools/)
 * receives a query, hands its bytes to naru_dns_server_answer_from() and
 * sends back the reply it gets, over UDP as one datagram; over TCP the
 * server's connection table (naru_dns_tcp_*) frames, answers and times
 * the connections, and the transport moves their bytes. */
#ifndef NARU_DNS_H
#define NARU_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/socket.h"
#include "naru/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NARU_DNS_PORT 53
#define NARU_DNS_NAME_TEXT_MAX 1024   /* presentation form, escapes included */

/* ---- types and codes in text ---- */

/* "AAAA", "mx", "TYPE65" (RFC 3597 5) -> the type number, or -EINVAL. */
int naru_dns_type_from_text(const char *text);
/* The mnemonic, or "TYPEnn" written into buf. */
const char *naru_dns_type_name(uint16_t type, char buf[16]);
/* "NOERROR", "NXDOMAIN", ..., or "RCODEnn" written into buf. */
const char *naru_dns_rcode_name(unsigned rcode, char buf[16]);

/* "IN", "CH", "HS", "NONE", "ANY" or "CLASSnn" (RFC 3597 5), in any case
 * -> the class number, or -EINVAL. */
int naru_dns_class_from_text(const char *text);
/* The mnemonic, or "CLASSnn" written into buf. */
const char *naru_dns_class_name(uint16_t qclass, char buf[16]);

/* ---- messages, for tools ---- */

/* Build a query for `name` (presentation form, absolute or not) and type,
 * with RD if `recursion_desired`, and an EDNS(0) OPT advertising
 * `edns_udp_size` unless it is 0. Returns the length, or -EINVAL for a bad
 * name, -ENOSPC if cap is too small. */
long naru_dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
                          bool recursion_desired, uint16_t edns_udp_size);
/* The rest a query may ask, as dig's flags do. */
struct naru_dns_query_flags {
    uint16_t qclass;           /* 0: IN */
    bool recursion_desired;    /* RD */
    uint16_t edns_udp_size;    /* an EDNS(0) OPT advertising this; 0: no OPT */
    bool dnssec_ok;            /* DO in the OPT (RFC 3225 3); only with an OPT */
    const uint8_t *client_cookie; /* 8 bytes sent as a COOKIE option (RFC 7873 4.1),
                                     only with an OPT; NULL: none */
};
/* naru_dns_query_build() with all of them. */
long naru_dns_query_build_flags(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
                                const struct naru_dns_query_flags *flags);
/* Is `reply` a well-formed answer to `query`: QR set, same ID, same
 * question (names compared without regard to case)? 0, or -EINVAL when
 * the reply does not parse, -ENOMSG when it answers something else. */
int naru_dns_reply_matches(const uint8_t *query, size_t query_len, const uint8_t *reply,
                           size_t reply_len);
/* The header's flags of a reply (QR..rcode) and its full rcode (with the
 * EDNS extension). -EINVAL when it does not parse. */
int naru_dns_reply_rcode(const uint8_t *reply, size_t len, uint16_t *flags);

/* Print a message the way dig does: header line, flags and counts, then
 * each section's records in zone-file form. Lines go to `line(ctx, text)`
 * without their newline. Returns 0, or -EINVAL (after printing what was
 * understood) when the message does not parse. */
typedef void (*naru_dns_line_fn)(void *ctx, const char *line);
int naru_dns_print_message(const uint8_t *msg, size_t len, naru_dns_line_fn line, void *ctx);

/* RFC 7766 8: a TCP stream carries messages each behind a two-byte length.
 * Given the bytes received so far, returns the length of the first whole
 * framed message (prefix included) and points *msg and *msg_len at it, or 0 if
 * more bytes are needed. */
size_t naru_dns_tcp_frame(const uint8_t *stream, size_t len, const uint8_t **msg, size_t *msg_len);

/* ---- the authoritative server ---- */

struct naru_dns_server;

struct naru_dns_server_config {
    uint16_t udp_max;          /* largest UDP reply; default 1232 (DNS flag day 2020) */
    bool full_responses;       /* add the zone's NS (and their addresses) to the authority
                                * section of every positive answer, as NSD does by default;
                                * default false: minimal, as Knot and BIND 9.16+ answer */
    /* TCP (RFC 7766), in each transport's connection table (naru_dns_tcp_*). */
    unsigned tcp_max;          /* connections at once; 128 */
    unsigned tcp_max_per_client; /* from one address (IPv6: one /64); 16; 0: tcp_max */
    naru_time_t tcp_message_timeout; /* a whole message, from its first byte; 5 s */
    naru_time_t tcp_idle_timeout;    /* between messages (RFC 7766 6.2.3); 10 s */
    /* Response rate limiting over UDP, like NSD's and Knot's RRL: at most
     * rrl_rate responses a second of one kind (one answer, one zone's
     * NXDOMAINs, one referral, errors) to one client prefix. Of the
     * responses over the limit every rrl_slip-th goes out truncated (TC,
     * nothing else), so a real client asks again over TCP; the rest are
     * dropped. */
    unsigned rrl_rate;         /* 0: off (default) */
    unsigned rrl_slip;         /* 2; 0 drops them all, 1 truncates them all */
    uint8_t rrl_ipv4_prefix;   /* 24 */
    uint8_t rrl_ipv6_prefix;   /* 56 */
    unsigned rrl_buckets;      /* the table's size, a power of two; 16384 */
    uint64_t seed;             /* keys the RRL table's hash: give it random bits */
};
void naru_dns_server_config_default(struct naru_dns_server_config *config);

int naru_dns_server_create(const struct naru_dns_server_config *config,
                           struct naru_dns_server **out);
void naru_dns_server_destroy(struct naru_dns_server *server);

/* Load a zone from an RFC 1035 master file. `origin` may be NULL: then the
 * zone's apex is the owner of its SOA record (the file names it, usually
 * through $ORIGIN). A file with any error is refused whole: 0, or a
 * negative errno with "FILE:LINE: problem" in err. Relative $INCLUDE paths
 * are taken from the including file's folder. */
int naru_dns_server_load_zone(struct naru_dns_server *server, const char *origin,
                              const char *path, char *err, size_t err_len);
/* The same from text in memory; `name` stands for the file in errors, and
 * $INCLUDE is refused. */
int naru_dns_server_load_zone_text(struct naru_dns_server *server, const char *origin,
                                   const char *name, const char *text, size_t len,
                                   char *err, size_t err_len);
/* The same, replacing the zone of that origin if one is loaded (as a
 * name server reloads a zone its operator edited): the new records are
 * served from the next query on. On any error the old zone stays. */
int naru_dns_server_reload_zone_text(struct naru_dns_server *server, const char *origin,
                                     const char *name, const char *text, size_t len,
                                     char *err, size_t err_len);
unsigned naru_dns_server_zone_count(const struct naru_dns_server *server);

enum naru_dns_transport { NARU_DNS_UDP, NARU_DNS_TCP };
/* Answer one query (the transport interface). Writes the reply into
 * `reply` (cap at least 512; 65535 lets TCP replies grow to the limit)
 * and returns its length, or 0 when the query deserves silence (too short
 * to answer, or itself a response). Never allocates. */
size_t naru_dns_server_answer(struct naru_dns_server *server, const uint8_t *query, size_t len,
                              enum naru_dns_transport transport, uint8_t *reply, size_t cap);
/* The same for a query from `client` at `now`: over UDP the response rate
 * limit applies (when configured), so the reply may be dropped (0) or cut
 * to a bare truncated one. */
size_t naru_dns_server_answer_from(struct naru_dns_server *server, const struct naru_addr *client,
                                   naru_time_t now, const uint8_t *query, size_t len,
                                   enum naru_dns_transport transport, uint8_t *reply, size_t cap);

struct naru_dns_server_stats {
    uint64_t queries;          /* messages handed in */
    uint64_t dropped;          /* too short, or a response: no reply */
    uint64_t noerror, nxdomain, formerr, notimp, refused, servfail, badvers;
    uint64_t nodata;           /* NOERROR with an empty answer (and no referral) */
    uint64_t referrals;
    uint64_t truncated;        /* UDP answers cut short (TC): they did not fit */
    uint64_t tcp, edns;
    uint64_t rrl_dropped;      /* UDP responses over the rate limit, not sent */
    uint64_t rrl_slipped;      /* ... sent truncated instead */
};
const struct naru_dns_server_stats *naru_dns_server_stats(const struct naru_dns_server *server);

/* Serve on a naru stack: UDP on addr:port, and TCP too when the stack has
 * TCP. The server must outlive the stack's sockets; naru_dns_server_detach
 * closes them. Besides the server's own stats, the endpoint counts into the
 * stack's counters (dns_server_*: queries, drops, FORMERR, truncation,
 * connections turned away, replies the socket refused). */
struct naru_dns_server_endpoint;
int naru_dns_server_attach(struct naru_dns_server *server, struct naru_stack *stack,
                           const struct naru_sockaddr *addr,
                           struct naru_dns_server_endpoint **out);
void naru_dns_server_detach(struct naru_dns_server_endpoint *endpoint);
/* Does the endpoint serve TCP too (the stack has TCP)? */
bool naru_dns_server_endpoint_has_tcp(const struct naru_dns_server_endpoint *endpoint);

/* ---- the server's TCP connections, for any transport ----
 *
 * One table of connection slots holds what a TCP transport (naru's sockets,
 * or the kernel's in tools/) must get right the same way: RFC 7766 framing
 * with pipelined queries, a deadline for each whole message counted from its
 * first byte (a byte now and then does not keep a connection), an idle
 * timeout between messages, and the limits from the server's config. A new
 * connection is always taken: when its client already holds
 * tcp_max_per_client, or the table holds tcp_max, an older one gives way:
 * the one idle longest after a query, else the one nearest its deadline.
 * The transport owns the sockets; the table names connections by slot,
 * 0 .. tcp_max-1. Nothing here allocates after create. */
struct naru_dns_tcp;
int naru_dns_tcp_create(struct naru_dns_server *server, struct naru_dns_tcp **out);
void naru_dns_tcp_destroy(struct naru_dns_tcp *table);
/* Slots in the table (the server's tcp_max). */
unsigned naru_dns_tcp_slots(const struct naru_dns_tcp *table);

/* A connection accepted from `client` at `now`: returns its slot. When
 * *evicted comes back true the slot was taken from an older connection,
 * which the transport must now close (without naru_dns_tcp_close: the
 * slot is the new connection's already). */
int naru_dns_tcp_open(struct naru_dns_tcp *table, const struct naru_addr *client, naru_time_t now,
                      bool *evicted);
/* The transport closed the connection in `slot`: free it. */
void naru_dns_tcp_close(struct naru_dns_tcp *table, int slot);

/* Where the transport puts the next bytes received on `slot`: up to
 * *room bytes (more than 0 while the slot is open) at the pointer. */
uint8_t *naru_dns_tcp_rx_space(struct naru_dns_tcp *table, int slot, size_t *room);
/* `n` bytes were put there at `now`: every whole query is answered in
 * turn (RFC 7766 6.2.1.1), each reply handed, with its length prefix, to
 * send(ctx, slot, bytes, len), which returns false when the connection
 * cannot take it. Returns 0; -EMSGSIZE for a query longer than
 * NARU_DNS_TCP_QUERY_MAX, -EPIPE when send refused: close the connection
 * (-EINVAL if n is more than the room offered). */
#define NARU_DNS_TCP_QUERY_MAX 4096
typedef bool (*naru_dns_tcp_send_fn)(void *ctx, int slot, const uint8_t *framed, size_t len);
int naru_dns_tcp_received(struct naru_dns_tcp *table, int slot, size_t n, naru_time_t now,
                          naru_dns_tcp_send_fn send, void *ctx);

/* The earliest deadline of any connection, or NARU_NEVER. */
naru_time_t naru_dns_tcp_next_deadline(const struct naru_dns_tcp *table);
/* A connection whose deadline has come at `now`, or -1: the transport
 * closes it and calls naru_dns_tcp_close(), then asks again. */
int naru_dns_tcp_expired(struct naru_dns_tcp *table, naru_time_t now);

struct naru_dns_tcp_stats {
    uint64_t accepted;
    uint64_t evicted_idle;     /* closed idle after a query, to make room for a new one */
    uint64_t evicted_busy;     /* ... mid-message or before a first query: none was idle */
    uint64_t message_timeouts; /* a message not whole within tcp_message_timeout */
    uint64_t idle_timeouts;    /* no message within tcp_idle_timeout */
    uint64_t oversized;        /* a query longer than NARU_DNS_TCP_QUERY_MAX */
    unsigned open;             /* connections now */
};
const struct naru_dns_tcp_stats *naru_dns_tcp_stats(const struct naru_dns_tcp *table);

/* ---- the stub resolver ----
 *
 * The resolver does no I/O and reads no clock. naru_dns_resolver_create()
 * runs it on a naru stack's sockets and timers; naru_dns_resolver_create_io()
 * on any transport and clock, such as the host's kernel sockets. */

#define NARU_DNS_MAX_SERVERS 4
#define NARU_DNS_MAX_ADDRS 16

struct naru_dns_resolver_config {
    struct naru_sockaddr servers[NARU_DNS_MAX_SERVERS];
    unsigned server_count;
    naru_time_t timeout;       /* first try at each server; doubles each round. 1 s */
    unsigned rounds;           /* passes over all the servers; 3 */
    unsigned cache_entries;    /* positive and negative, together; 256 */
    unsigned max_queries;      /* in flight at once; 32 */
    uint32_t max_ttl;          /* cap on any cached TTL, seconds; 86400 */
    uint32_t max_negative_ttl; /* RFC 2308 5: cap on negative TTLs; 10800 */
    unsigned hosts_entries;    /* static hosts table size; 64 */
};
void naru_dns_resolver_config_default(struct naru_dns_resolver_config *config);

struct naru_dns_resolver;
/* On `stack`: its sockets, its clock and timers (naru_stack_poll() drives
 * retries), a seed drawn from its randomness, and its dns_* counters. */
int naru_dns_resolver_create(struct naru_stack *stack, const struct naru_dns_resolver_config *config,
                             struct naru_dns_resolver **out);

/* What the resolver needs from where it runs. Sockets are the transport's
 * handles (>= 0); it reports their readiness with
 * naru_dns_resolver_socket_ready(), and calls naru_dns_resolver_poll()
 * when the timer the resolver asked for falls due (or any time after). */
struct naru_counters;
struct naru_dns_resolver_io {
    void *ctx;
    /* A new socket for talking to `server`: NARU_DNS_UDP from a new random
     * port (each try gets one: RFC 5452 9.2), NARU_DNS_TCP connecting
     * (still in progress is fine: the resolver waits for NARU_POLLOUT).
     * A handle, or a negative errno (-EPROTONOSUPPORT: no TCP here). */
    int (*open)(void *ctx, enum naru_dns_transport transport, const struct naru_sockaddr *server);
    /* UDP: one datagram to `to`; TCP: bytes on the stream (to is NULL).
     * Bytes taken, or a negative errno (-EAGAIN, -ENETUNREACH, ...). */
    long (*send)(void *ctx, int sock, const void *buf, size_t len, const struct naru_sockaddr *to);
    /* UDP: one datagram and its source; TCP: bytes, 0 at the end (from is
     * NULL). -EAGAIN when nothing waits; -ECONNREFUSED when an ICMP port
     * unreachable came back. */
    long (*recv)(void *ctx, int sock, void *buf, size_t cap, struct naru_sockaddr *from);
    void (*close)(void *ctx, int sock);
    /* The time now, monotonic. */
    naru_time_t (*now)(void *ctx);
    /* Call naru_dns_resolver_poll() at `when`; NARU_NEVER: no need. Each
     * call replaces the one before. */
    void (*set_timer)(void *ctx, naru_time_t when);
    /* Optional: called last by naru_dns_resolver_destroy(), for ctx. */
    void (*release)(void *ctx);
    uint64_t seed;             /* query IDs derive from it: from the OS in real
                                * use, fixed for a repeatable simulation */
    struct naru_counters *counters; /* optional: dns_* counted here too */
};
/* The resolver on `io` (copied). On failure io->release is not called. */
int naru_dns_resolver_create_io(const struct naru_dns_resolver_io *io,
                                const struct naru_dns_resolver_config *config,
                                struct naru_dns_resolver **out);
/* The transport's word that `sock` may be readable, writable or failed
 * (NARU_POLL* bits). */
void naru_dns_resolver_socket_ready(struct naru_dns_resolver *resolver, int sock, unsigned events);
/* Retries, timeouts and answers due by now (io->now). */
void naru_dns_resolver_poll(struct naru_dns_resolver *resolver);

/* Cancels every query in flight (their callbacks are not called). */
void naru_dns_resolver_destroy(struct naru_dns_resolver *resolver);

/* The static hosts table, consulted before the cache and the servers:
 * for each name an IPv4 address (A) and an IPv6 address (AAAA), each
 * added replacing the one of its family. One "ADDRESS NAME [ALIAS...]"
 * per line, '#' comments. */
int naru_dns_hosts_add(struct naru_dns_resolver *resolver, const char *name, const struct naru_addr *addr);
int naru_dns_hosts_load(struct naru_dns_resolver *resolver, const char *path, char *err,
                        size_t err_len);
/* The hosts table alone, no cache and no servers: 0 and the name's
 * address of `family` (NARU_AF_UNSPEC: IPv6's if it has one, else
 * IPv4's), or -ENOENT (-EINVAL for a bad name). Tools look a name up here
 * as typed before they try it with search domains. */
int naru_dns_hosts_lookup(const struct naru_dns_resolver *resolver, const char *name, uint8_t family,
                          struct naru_addr *addr);

struct naru_dns_result {
    int status;                /* 0; -ENOENT no such name (NXDOMAIN); -ENODATA the
                                * name has no such records; -ETIMEDOUT no server
                                * answered; -ECONNREFUSED servers refused or failed;
                                * -EPROTO answers were malformed; -ELOOP CNAME loop;
                                * -EMSGSIZE the answer was truncated without the
                                * addresses, and the stack has no TCP to ask again */
    uint16_t type;             /* A or AAAA; 0 for naru_dns_lookup()'s both */
    unsigned count;
    uint8_t addrs[NARU_DNS_MAX_ADDRS][16];   /* A: the first 4 bytes; both: IPv4 as
                                                ::ffff:a.b.c.d (RFC 4291 2.5.5.2) */
    char canonical[NARU_DNS_NAME_TEXT_MAX];  /* after CNAMEs, no trailing dot */
    uint32_t ttl;              /* seconds left */
    bool from_cache;
    bool from_hosts;
};
/* Address i of an A result, in host byte order. */
uint32_t naru_dns_result_ip4(const struct naru_dns_result *result, unsigned i);
/* Address i of any result, of its own family (a v4-mapped one as IPv4).
 * NARU_AF_UNSPEC past the end. */
struct naru_addr naru_dns_result_addr(const struct naru_dns_result *result, unsigned i);

typedef void (*naru_dns_callback)(void *ctx, const struct naru_dns_result *result);
/* Start resolving `name` (type A or AAAA). The callback runs exactly once,
 * from a later socket event or timer; for a name in the hosts table or the
 * cache it runs before this call returns. Returns a query handle >= 0, or
 * -EINVAL (bad name or type), -EAGAIN (too many queries in flight). */
int naru_dns_resolve(struct naru_dns_resolver *resolver, const char *name, uint16_t type,
                     naru_dns_callback cb, void *ctx);
/* Forget a query; its callback will not run. */
int naru_dns_cancel(struct naru_dns_resolver *resolver, int handle);

/* getaddrinfo-like, for tools: resolve `name` (an address, a hosts
 * entry, or a name asked of the servers) to addresses of `type`: A
 * (IPv4), AAAA (IPv6), or 0 for both (AAAA and A asked at once; the
 * IPv6 addresses first, then the IPv4 ones v4-mapped: read them with
 * naru_dns_result_addr()). It waits for the answers by calling wait(ctx,
 * &done) until done is set; wait should run the world (the simulator, or
 * the TAP loop) for a while and return false to give up. Returns 0 and
 * the result (for both: when either family has an address), or a
 * negative errno. */
typedef bool (*naru_dns_wait_fn)(void *ctx, const bool *done);
int naru_dns_lookup(struct naru_dns_resolver *resolver, const char *name, uint16_t type,
                    struct naru_dns_result *result, naru_dns_wait_fn wait, void *ctx);

struct naru_dns_resolver_stats {
    uint64_t queries_sent;     /* datagrams and TCP queries, retries included */
    uint64_t retries;
    uint64_t replies;          /* accepted answers */
    uint64_t forged;           /* ignored: wrong source, ID or question */
    uint64_t malformed;
    uint64_t truncated;        /* answers with TC: retried over TCP */
    uint64_t cache_hits, cache_misses, negative_hits;
    uint64_t cache_evictions;
    uint64_t timeouts;
};
const struct naru_dns_resolver_stats *naru_dns_resolver_stats(const struct naru_dns_resolver *r);
/* Entries in the cache (tests). */
unsigned naru_dns_cache_size(const struct naru_dns_resolver *resolver);
/* Empty the cache. */
void naru_dns_cache_flush(struct naru_dns_resolver *resolver);

#ifdef __cplusplus
}
#endif
#endif
