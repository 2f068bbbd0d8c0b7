/* naru's network applications, written once on the socket API and used by
 * the simulator's scenarios, the demo and the naru command line alike:
 * ping, traceroute, an HTTP/1.1 client and server, the small services
 * (echo, discard, daytime, hold), bulk UDP and TCP transfers that check
 * every byte, and DNS lookups.
 *
 * An application does no I/O of its own and never reads a clock. It acts on
 * the sockets of one stack, from socket callbacks and from timers it asks
 * its environment for (struct naru_app_env): the simulator has one
 * (naru_sim_app_env() in simapp.h), the naru tools have one for their event
 * loop, and a program with a loop of its own writes one in a few lines
 * (examples/http_two_stacks.c).
 *
 * Each application is an object: naru_NAME_start() sets it going (or
 * refuses a bad config with -EINVAL), naru_NAME_result() says how it went
 * so far, naru_NAME_destroy() closes its sockets. Timers cannot be taken
 * back, so destroy an application only when its environment will fire no
 * more of its timers (after the loop's last run), and never from one of
 * its own callbacks. on_done runs once, when the application finishes. */
#ifndef NARU_APPS_H
#define NARU_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/dns.h"
#include "naru/socket.h"
#include "naru/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- what every application shares ---- */

/* Where an application runs: a stack, the time, and timers. at() calls
 * fn(arg) at virtual or real time `when` (at once if it has passed) and
 * returns 0 or a negative errno. */
struct naru_app_env {
    struct naru_stack *stack;
    naru_time_t (*now)(void *ctx);
    int (*at)(void *ctx, naru_time_t when, void (*fn)(void *arg), void *arg);
    void *ctx;
};

/* A time that has not come yet: a result's start, or its end before it
 * finished. Durations are only ever taken between two times that are set. */
#define NARU_APP_UNSET NARU_NEVER

/* The time from `from` to `to`: true with *out when both are set and `to`
 * is not before `from`; false (and *out 0) otherwise. */
bool naru_app_elapsed(naru_time_t from, naru_time_t to, naru_time_t *out);
/* Bits per second for `bytes` over [from, to]; 0 when that is unset or empty. */
double naru_app_rate(uint64_t bytes, naru_time_t from, naru_time_t to);

/* An address as applications print it: "A.B.C.D" or "2001:db8::1", and
 * with_port (a port not 0) "A.B.C.D:PORT" or "[2001:db8::1]:PORT"
 * (naru_sockaddr_format). The one place they turn addresses into text. */
#define NARU_APP_ADDR_TEXT NARU_SOCKADDR_STRLEN
const char *naru_app_addr_text(const struct naru_sockaddr *addr, bool with_port, char buf[NARU_APP_ADDR_TEXT]);

/* The data transfers, pings and naru's web server carry: byte k is a
 * 64 KiB table's byte k mod 64 Ki, xor the 64 KiB block number, so bytes
 * in the wrong place (even a whole block off) do not match. The table is
 * the same in every run and program. One may be shared by any number of
 * applications; those given none make their own. */
struct naru_app_pattern;
int naru_app_pattern_create(struct naru_app_pattern **out);
void naru_app_pattern_destroy(struct naru_app_pattern *pattern);
void naru_app_pattern_fill(const struct naru_app_pattern *pattern, uint64_t offset, void *buf, size_t len);
bool naru_app_pattern_check(const struct naru_app_pattern *pattern, uint64_t offset, const void *buf, size_t len);

/* ---- ping: ICMP echo requests, like ping(8) ---- */

enum naru_ping_event_kind {
    NARU_PING_REPLY,           /* an echo reply to a request */
    NARU_PING_DUPLICATE,       /* a second reply to the same request */
    NARU_PING_ERROR,           /* an ICMP error about a request */
    NARU_PING_SEND_FAILED,     /* the stack refused a request (error) */
};

struct naru_ping_event {
    enum naru_ping_event_kind kind;
    uint16_t seq;              /* icmp_seq, as on the wire (it wraps at 65536) */
    struct naru_sockaddr from; /* who replied, or sent the error */
    size_t bytes;              /* the reply's ICMP length */
    uint8_t ttl;               /* the reply's IP TTL */
    naru_time_t rtt;           /* replies */
    uint8_t type, code;        /* errors */
    int error;                 /* send failures: a negative errno */
};

struct naru_ping_config {
    struct naru_sockaddr dst;  /* port unused */
    uint64_t count;            /* requests to send; 0: until naru_ping_stop() */
    naru_time_t interval;      /* between requests */
    uint32_t size;             /* data bytes after the ICMP header, at most 65507 */
    naru_time_t timeout;       /* how long to wait for replies after the last request */
    const struct naru_app_pattern *pattern; /* the data (NULL: its own) */
    void (*on_event)(void *ctx, const struct naru_ping_event *event);
    void (*on_done)(void *ctx);
    void *ctx;
};
/* 5 requests of 56 bytes a second apart, replies awaited 1 s. */
void naru_ping_config_default(struct naru_ping_config *config);

struct naru_ping_result {
    bool finished;
    bool ok;                   /* a reply came back */
    int error;                 /* the socket could not be opened: a negative errno */
    uint64_t sent, received, duplicates, errors;
    naru_time_t rtt_min, rtt_max, rtt_sum;
    double rtt_sum_squares;    /* ns^2, for the deviation */
    naru_time_t started, last_sent, ended; /* NARU_APP_UNSET until they happen */
};
/* The mean and the deviation (ping(8)'s mdev) of the replies so far; 0 before any. */
naru_time_t naru_ping_rtt_avg(const struct naru_ping_result *result);
naru_time_t naru_ping_rtt_mdev(const struct naru_ping_result *result);

struct naru_ping;
int naru_ping_start(const struct naru_app_env *env, const struct naru_ping_config *config, struct naru_ping **out);
/* Send no more: finish now (the user pressed ^C). */
void naru_ping_stop(struct naru_ping *ping);
const struct naru_ping_result *naru_ping_result(const struct naru_ping *ping);
void naru_ping_destroy(struct naru_ping *ping);

/* ---- traceroute: UDP probes with rising TTL, like traceroute(8) ---- */

#define NARU_TRACEROUTE_MAX_QUERIES 10

/* One probe's fate, as traceroute prints it. */
struct naru_traceroute_probe {
    uint8_t ttl;
    uint8_t query;             /* 0 .. queries-1 */
    bool answered;             /* false: no answer in time (traceroute's *) */
    struct naru_sockaddr from; /* who answered */
    naru_time_t rtt;
    char mark;                 /* an unreachable other than the destination's port:
                                  'N' net, 'H' host, 'P' protocol, 'F' fragmentation
                                  needed, 'X' anything else; 0 for none */
    bool reached;              /* the destination answered */
    bool last;                 /* the last probe on its line: the hop is done, or
                                  the trace stopped */
    int send_error;            /* the stack refused the probe: a negative errno */
};

struct naru_traceroute_hop {
    uint8_t ttl;
    uint8_t answered;          /* probes that got an answer */
    bool reached;              /* the destination answered: the last hop */
    char mark;                 /* the first probe's mark, 0 for none */
    struct naru_sockaddr from[NARU_TRACEROUTE_MAX_QUERIES]; /* NARU_AF_UNSPEC: nobody */
    naru_time_t rtt[NARU_TRACEROUTE_MAX_QUERIES];
    char marks[NARU_TRACEROUTE_MAX_QUERIES];
};

struct naru_traceroute_config {
    struct naru_sockaddr dst;  /* port: the first probe's, rising by one each probe */
    uint8_t max_ttl;           /* 1 .. 255 */
    uint8_t queries;           /* probes per hop, 1 .. NARU_TRACEROUTE_MAX_QUERIES */
    naru_time_t wait;          /* for each answer */
    uint16_t probe_size;       /* UDP data bytes */
    void (*on_probe)(void *ctx, const struct naru_traceroute_probe *probe);
    void (*on_done)(void *ctx);
    void *ctx;
};
/* Port 33434, 30 hops, 3 probes each, 5 s each, 32 bytes (60-byte packets). */
void naru_traceroute_config_default(struct naru_traceroute_config *config);

struct naru_traceroute_result {
    bool finished;
    bool ok;                   /* the destination answered */
    int error;                 /* the socket or a probe failed: a negative errno */
    const char *why;           /* why not ok, in words; "" when ok */
    uint64_t sent, received;
    unsigned hop_count;        /* hops tried, the last maybe unfinished */
    const struct naru_traceroute_hop *hops;
    naru_time_t started, ended;
};

struct naru_traceroute;
int naru_traceroute_start(const struct naru_app_env *env, const struct naru_traceroute_config *config,
                          struct naru_traceroute **out);
const struct naru_traceroute_result *naru_traceroute_result(const struct naru_traceroute *trace);
void naru_traceroute_destroy(struct naru_traceroute *trace);
/* Probe `query` of a hop, as it was reported. */
void naru_traceroute_hop_probe(const struct naru_traceroute_hop *hop, unsigned query,
                               struct naru_traceroute_probe *probe);
/* One probe as traceroute prints it after the hop number: " *", or
 * " ADDR (NAME)  1.234 ms" with the address only when it differs from
 * `previous` (who answered the probe before on this line; NARU_AF_UNSPEC for none)
 * and the name only when given, then " !M" for a mark. Returns buf. */
const char *naru_traceroute_probe_text(const struct naru_traceroute_probe *probe,
                                       const struct naru_sockaddr *previous, const char *name, char *buf,
                                       size_t cap);

/* ---- HTTP/1.1 (RFC 9110, 9112): a web server and a GET ---- */

/* What a server serves: a site maps a request's path to a resource and
 * reads its body. naru's own site is below; naru host serves a directory
 * through one of its own. */
struct naru_http_resource {
    const char *content_type;
    uint64_t length;
    void *handle;              /* the site's, for read and close */
};
struct naru_http_site {
    /* `path` is the decoded request path without its leading '/' ("" for
     * the root), free of "." and ".." segments. Fill *res and return 200,
     * or return the status to answer instead (404, 403, ...). */
    int (*open)(void *ctx, const char *path, struct naru_http_resource *res);
    /* Up to len body bytes from offset: how many, or a negative errno
     * (then the connection ends: the promised length cannot be kept). */
    long (*read)(void *ctx, void *handle, uint64_t offset, void *buf, size_t len);
    void (*close)(void *ctx, void *handle);
    void *ctx;
};

/* The longest body of naru's own site. */
#define NARU_HTTP_BYTES_MAX ((uint64_t)1 << 40)
/* naru's own site: "/" is a small page, "/bytes/N" is N bytes of the data
 * pattern (N decimal, at most NARU_HTTP_BYTES_MAX; anything else there is
 * a 404). The pattern must outlive the site. */
void naru_http_builtin_site(const struct naru_app_pattern *pattern, struct naru_http_site *site);

struct naru_http_server_config {
    uint16_t port;
    struct naru_http_site site; /* open NULL: naru's own, on `pattern` */
    const struct naru_app_pattern *pattern; /* naru's own site's (NULL: its own) */
    unsigned max_connections;  /* beyond this, new ones are closed at once */
    int backlog;               /* of the listening socket */
};
/* Port 80, naru's own site, 4096 connections, backlog 128. */
void naru_http_server_config_default(struct naru_http_server_config *config);

struct naru_http_server_stats {
    uint64_t connections, requests;
    uint64_t responses[6];     /* by class: [2] 2xx, [4] 4xx, ... */
};

struct naru_http_server;
int naru_http_server_start(const struct naru_app_env *env, const struct naru_http_server_config *config,
                           struct naru_http_server **out);
const struct naru_http_server_stats *naru_http_server_stats(const struct naru_http_server *server);
void naru_http_server_destroy(struct naru_http_server *server);

struct naru_http_get_config {
    struct naru_sockaddr server;
    const char *host;          /* the Host header (NULL: the server's address) */
    const char *path;          /* the request target, from '/' */
    /* The server is naru's own site: check the body is the one it serves
     * for this path (the page, or the pattern). */
    bool verify;
    const struct naru_app_pattern *pattern; /* for verify (NULL: its own) */
    uint32_t socket_buffer;    /* NARU_SO_SNDBUF/RCVBUF; 0: the stack's */
    naru_time_t idle_timeout;  /* give up after this long with nothing new; 0: never */
    /* The body as it arrives (of any status: look at the result's). */
    void (*on_body)(void *ctx, const uint8_t *data, size_t len);
    void (*on_done)(void *ctx);
    void *ctx;
};
/* GET / from port 80, no check, no idle timeout. */
void naru_http_get_config_default(struct naru_http_get_config *config);

struct naru_http_get_result {
    bool finished;
    bool ok;                   /* a complete 2xx response (and intact, when verified) */
    bool connected;
    bool complete;             /* the whole response arrived */
    int error;                 /* a negative errno: the connection failed or broke
                                  (-ECONNREFUSED, -ECONNRESET, ...), -EPROTO the
                                  response is not HTTP, -ETIMEDOUT idle too long */
    const char *why;           /* why not ok, in words; "" when ok */
    int status;                /* 0 until the status line arrives */
    char reason[64];
    int64_t content_length;    /* -1: not given */
    uint64_t body_received;
    bool intact;               /* verify: every body byte so far was right */
    naru_time_t started, connected_at, last_arrival, ended;
};

struct naru_http_get;
int naru_http_get_start(const struct naru_app_env *env, const struct naru_http_get_config *config,
                        struct naru_http_get **out);
/* The same on a stream socket already connected (naru_dial_take()'s: a
 * name tried over both families), which is the GET's from now on, closed
 * with it, also when this fails; config->server is then only for the Host
 * header when config->host is NULL. */
int naru_http_get_start_on(const struct naru_app_env *env, const struct naru_http_get_config *config, int sock,
                           struct naru_http_get **out);
const struct naru_http_get_result *naru_http_get_result(const struct naru_http_get *get);
void naru_http_get_destroy(struct naru_http_get *get);

/* ---- services, as inetd ran them ---- */

enum naru_service_kind {
    NARU_SERVICE_ECHO,         /* RFC 862: sends back what it gets; TCP and UDP, port 7 */
    NARU_SERVICE_DISCARD,      /* RFC 863: reads and forgets; TCP and UDP, port 9 */
    NARU_SERVICE_DAYTIME,      /* RFC 867: the date in words, then closes; TCP and UDP, port 13 */
    NARU_SERVICE_HOLD,         /* accepts TCP connections and never reads: the peer
                                  sees a zero window; no port of its own */
};

struct naru_service_config {
    enum naru_service_kind kind;
    uint16_t port;             /* 0: the service's own */
    bool udp;                  /* also serve the UDP form, where there is one */
    unsigned max_connections;
    /* daytime: the time of day, as seconds since 1970 (UTC). NULL: the
     * environment's clock taken as such (the simulator starts at 1970). */
    int64_t (*unix_time)(void *ctx);
    void *ctx;
};
void naru_service_config_default(struct naru_service_config *config, enum naru_service_kind kind);
/* "echo", ... */
const char *naru_service_name(enum naru_service_kind kind);

struct naru_service;
/* Listens on TCP, and UDP where asked; a stack without TCP serves the UDP
 * form alone. */
int naru_service_start(const struct naru_app_env *env, const struct naru_service_config *config,
                       struct naru_service **out);
/* Which sockets it got: for "echo (tcp+udp 7)". */
bool naru_service_has_tcp(const struct naru_service *service);
bool naru_service_has_udp(const struct naru_service *service);
void naru_service_destroy(struct naru_service *service);

/* ---- transfers: bulk data one way, every byte checked ---- */

enum naru_transfer_protocol { NARU_TRANSFER_TCP, NARU_TRANSFER_UDP };

/* UDP datagrams begin with this much: their sequence number and the
 * number of datagrams in the transfer. */
#define NARU_TRANSFER_UDP_HEADER 16

struct naru_transfer_config {
    enum naru_transfer_protocol protocol;
    /* The sender's destination; the receiver's port (and address, 0 any). */
    struct naru_sockaddr peer;
    uint64_t bytes;            /* to carry */
    uint32_t datagram_size;    /* UDP: bytes per datagram, header included */
    uint64_t rate_bps;         /* UDP: the sender's pace (payload bits, like iperf -b) */
    naru_time_t linger;        /* UDP: how long the sender waits for stragglers
                                  after its last datagram before it is done */
    uint32_t socket_buffer;    /* TCP: NARU_SO_SNDBUF/RCVBUF; 0: the stack's */
    int congestion;            /* TCP sender: enum naru_tcp_cc, or -1 for the stack's */
    const struct naru_app_pattern *pattern; /* NULL: its own */
    void (*on_done)(void *ctx);
    void *ctx;
};
/* 1 MB over TCP; for UDP 1472-byte datagrams at 10 Mbit/s, 1 s linger. */
void naru_transfer_config_default(struct naru_transfer_config *config, enum naru_transfer_protocol protocol);

struct naru_transfer_result {
    bool finished;
    bool ok;                   /* sender: all sent (TCP: and the receiver closed);
                                  receiver: every byte arrived, intact */
    int error;                 /* a negative errno, when a socket failed */
    const char *why;           /* why not ok, in words; "" when ok */
    uint64_t bytes_sent, bytes_received;
    bool intact;               /* receiver: every byte that arrived was right */
    uint64_t datagrams_sent, datagrams_received, datagrams_expected;
    uint64_t unique, duplicates, reordered;
    uint64_t retransmits;      /* TCP sender: segments retransmitted */
    naru_time_t srtt;          /* TCP sender: smoothed round-trip time, as last seen (0: none yet) */
    naru_time_t started, first_arrival, last_arrival, ended;
    naru_time_t half_time;     /* receiver: when half the bytes were in */
    uint64_t half_bytes;
};

struct naru_transfer;
/* The sender connects (TCP) or starts sending (UDP) at once. */
int naru_transfer_send(const struct naru_app_env *env, const struct naru_transfer_config *config,
                       struct naru_transfer **out);
/* The receiver listens (TCP: one connection) or binds (UDP). It finishes
 * when all has arrived, or the connection ends. */
int naru_transfer_receive(const struct naru_app_env *env, const struct naru_transfer_config *config,
                          struct naru_transfer **out);
/* Stop counting: the result stays as it is now (UDP receivers, once the
 * sender has given up on stragglers). Finishes it if it was not. */
void naru_transfer_stop(struct naru_transfer *transfer);
/* The result so far (a TCP sender's retransmissions read from its
 * connection now, while it is open). */
const struct naru_transfer_result *naru_transfer_result(struct naru_transfer *transfer);
void naru_transfer_destroy(struct naru_transfer *transfer);

/* ---- DNS lookups through naru's stub resolver ---- */

#define NARU_LOOKUP_MAX_SEARCH 6 /* resolv.conf(5)'s limit */

struct naru_lookup_config {
    /* Ask through this resolver (its hosts table first), or, when NULL,
     * through one of the lookup's own asking these servers. */
    struct naru_dns_resolver *resolver;
    struct naru_sockaddr servers[NARU_DNS_MAX_SERVERS];
    unsigned server_count;
    naru_time_t timeout;       /* own resolver: the first try's wait (0: the resolver's) */
    const char *name;
    uint16_t type;             /* 1 A, 28 AAAA */
    /* resolv.conf(5)'s search list and ndots: a name with fewer than ndots
     * dots is tried with each search domain first, one with more as it is
     * first; a name ending in '.' only as it is. */
    const char *search[NARU_LOOKUP_MAX_SEARCH];
    unsigned search_count;
    unsigned ndots;
    void (*on_done)(void *ctx);
    void *ctx;
};
/* Type A, no servers, no search list, ndots 1. */
void naru_lookup_config_default(struct naru_lookup_config *config);

struct naru_lookup_result {
    bool finished;
    bool ok;                   /* an address came back */
    int status;                /* 0, or as naru_dns_result's: -ENOENT no such name,
                                  -ENODATA no address, -ETIMEDOUT, -ECONNREFUSED, ... */
    const char *why;           /* why not ok, in words; "" when ok */
    unsigned count;
    struct naru_addr addrs[NARU_DNS_MAX_ADDRS]; /* IPv4 for A, IPv6 for AAAA */
    uint32_t ttl;
    char canonical[NARU_DNS_NAME_TEXT_MAX];
    bool from_hosts;
    uint64_t queries;          /* queries the lookup sent, retries included */
    naru_time_t started, ended;
};

struct naru_lookup;
/* A dotted quad or a hosts-table name may finish before this returns. */
int naru_lookup_start(const struct naru_app_env *env, const struct naru_lookup_config *config,
                      struct naru_lookup **out);
const struct naru_lookup_result *naru_lookup_result(const struct naru_lookup *lookup);
void naru_lookup_destroy(struct naru_lookup *lookup);

/* ---- connecting to a host: Happy Eyeballs (RFC 8305) ---- */

struct naru_dial_config {
    const char *host;          /* an address ("2001:db8::1", "198.18.0.2", a link-local one
                                  with its zone: "fe80::1%eth0") or a name */
    uint16_t port;
    uint8_t family;            /* NARU_AF_UNSPEC: either (AAAA and A asked at once);
                                  NARU_AF_INET or NARU_AF_INET6: that one alone (-4, -6) */
    /* How names are looked up: resolver or servers, search list, ndots
     * (its name, type, on_done and ctx are the dial's own). */
    struct naru_lookup_config lookup;
    naru_time_t resolution_delay; /* RFC 8305 3: after the A answer, how long the AAAA one
                                     is waited for before connecting starts */
    naru_time_t attempt_delay; /* RFC 8305 5: between the starts of connection attempts
                                  (one failing starts the next at once) */
    uint32_t socket_buffer;    /* NARU_SO_SNDBUF/RCVBUF, set before connecting; 0: the stack's */
    void (*on_done)(void *ctx);
    void *ctx;
};
/* Either family, 50 ms resolution delay, 250 ms attempt delay (RFC 8305's). */
void naru_dial_config_default(struct naru_dial_config *config);

struct naru_dial_result {
    bool finished;
    bool ok;                   /* connected */
    int sock;                  /* ok: the connected stream socket, until naru_dial_take() */
    struct naru_sockaddr peer; /* ok: the address that answered first */
    int error;                 /* not ok: the lookups' status (-ENOENT, -ENODATA, ...) or
                                  the last attempt's (-ECONNREFUSED, -ETIMEDOUT, ...) */
    const char *why;           /* why not ok, in words; "" when ok */
    unsigned addr_count;       /* addresses the lookups gave */
    unsigned attempts;         /* connections started */
    naru_time_t started, ended;
};

struct naru_dial;
/* The addresses go by turns of family, IPv6 first; each attempt runs until
 * it connects or fails while later ones start; the first to connect wins
 * and the rest are closed. An address literal is tried alone. A dial may
 * finish (and call on_done) before this returns. */
int naru_dial_start(const struct naru_app_env *env, const struct naru_dial_config *config,
                    struct naru_dial **out);
const struct naru_dial_result *naru_dial_result(const struct naru_dial *dial);
/* The connected socket, the caller's from now on (its callback unset); -1
 * if there is none. */
int naru_dial_take(struct naru_dial *dial);
/* Closes a socket not taken, and any attempt still under way. */
void naru_dial_destroy(struct naru_dial *dial);

#ifdef __cplusplus
}
#endif
#endif
