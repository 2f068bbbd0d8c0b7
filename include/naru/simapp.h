/* naru's applications (apps.h) set up in a simulation, for scenarios, the
 * demo, tests and benchmarks: ping, traceroute, a UDP or TCP bulk
 * transfer, an HTTP download, a DNS server and lookup. Each is described by
 * one config, runs on its hosts' stacks from the time it is given, and
 * keeps a result a report can print.
 *
 * The simulation engine (sim.h) knows nothing of them: a set of
 * applications belongs to the caller, who destroys it after the last run
 * and before the simulation. */
#ifndef NARU_SIMAPP_H
#define NARU_SIMAPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naru/apps.h"
#include "naru/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The simulation as the environment of any application of apps.h running
 * on `stack`: its virtual clock, and timers on that stack. 0, or -EINVAL
 * when the stack is not the simulation's. */
int naru_sim_app_env(struct naru_sim *sim, struct naru_stack *stack, struct naru_app_env *env);

/* The applications of one simulation. */
struct naru_sim_apps;
struct naru_sim_app;

int naru_sim_apps_create(struct naru_sim *sim, struct naru_sim_apps **out);
/* Closes every application's sockets. After the simulation's last run
 * (their timers must not fire again), before naru_sim_destroy(). */
void naru_sim_apps_destroy(struct naru_sim_apps *apps);

enum naru_sim_app_kind {
    NARU_SIM_PING,             /* ICMP echo requests, like ping(8) */
    NARU_SIM_TRACEROUTE,       /* UDP probes with rising TTL, like traceroute(8) */
    NARU_SIM_UDP_TRANSFER,     /* datagrams at a fixed rate to a receiver on `to` */
    NARU_SIM_TCP_TRANSFER,     /* one connection carrying `bytes` to a receiver on `to` */
    NARU_SIM_HTTP_GET,         /* HTTP/1.1 GET from a web server run on `to` */
    NARU_SIM_DNS_SERVER,       /* naru's authoritative DNS server on `from` */
    NARU_SIM_DNS_LOOKUP,       /* naru's stub resolver on `from` asks `to` for `query` */
};

/* TCP congestion control for transfers and downloads. */
enum naru_sim_congestion {
    NARU_SIM_CC_DEFAULT,       /* the stack's (naru_stack_config.tcp_congestion) */
    NARU_SIM_CC_NEWRENO,
    NARU_SIM_CC_CUBIC,
};

struct naru_sim_app_config {
    enum naru_sim_app_kind kind;
    const char *name;          /* for reports; NULL: the kind and a number */
    struct naru_stack *from;   /* where it runs: the client, the sender */
    struct naru_stack *to;     /* the far host, when simulated: transfers and
                                  HTTP start their receiver or server there */
    struct naru_addr dst;      /* address to reach; NARU_AF_UNSPEC: the first address of `to` */
    int family;                /* with dst NARU_AF_UNSPEC: `to`'s first address of this family
                                  (not link-local, past duplicate address detection) as the
                                  application starts: one SLAAC forms meanwhile */
    uint16_t port;             /* 0: 5001 and up for transfers, 80 for HTTP,
                                  33434 for the first traceroute probe */
    naru_time_t start;         /* when it begins (not before now) */
    uint32_t count;            /* ping: echo requests (0: 5) */
    naru_time_t interval;      /* ping: between requests (0: 1 s) */
    uint32_t size;             /* ping: data bytes (0: 56); UDP: datagram payload (0: 1472) */
    uint64_t bytes;            /* transfers: bytes to carry (0: 1 MB);
                                  HTTP: page size (0: a small HTML page) */
    uint64_t rate_bps;         /* UDP transfer: sending rate (0: 10 Mbit/s) */
    uint8_t max_ttl;           /* traceroute: (0: 30) */
    uint8_t queries;           /* traceroute: probes per hop (0: 3) */
    naru_time_t timeout;       /* ping, traceroute: wait for an answer (0: 1 s);
                                  UDP transfer: for stragglers after the last
                                  datagram (0: 1 s) */
    const char *host;          /* HTTP: the Host header (NULL: the address) */
    uint32_t socket_buffer;    /* TCP: send and receive buffer sizes, bytes
                                  (NARU_SO_SNDBUF/RCVBUF; 0: the stack's) */
    enum naru_sim_congestion congestion; /* TCP transfer: the sender's algorithm */
    /* DNS server: the zone, as master-file text (zone) or a file (zone_path);
     * with neither, a zone `origin` (NULL: "sim") with an A record for the
     * first address of every stack in the simulation, by its name. */
    const char *zone;
    const char *zone_path;
    const char *origin;
    const char *query;         /* DNS lookup: the name to look up */
    uint16_t query_type;       /* DNS lookup: 1 A, 28 AAAA (0: A) */
};

#define NARU_SIM_MAX_HOPS 64
#define NARU_SIM_MAX_QUERIES 5

struct naru_sim_app_result {
    enum naru_sim_app_kind kind;
    bool finished;             /* it ran to its end, or gave up */
    bool ok;                   /* it did what it set out to do (see each kind) */
    naru_time_t started, ended; /* NARU_APP_UNSET until it starts, and finishes */
    struct naru_addr dst;      /* the address it went to (NARU_AF_UNSPEC: none yet, as when
                                  `to` had no address of the family as it started) */
    char error[96];            /* why not ok, in words */
    /* ping: ok when any reply came back */
    uint32_t sent, received;
    naru_time_t rtt_min, rtt_avg, rtt_max; /* of the replies so far */
    /* traceroute: ok when the destination answered. The hops are the
     * traceroute's own, valid while its set of applications lives. */
    unsigned hop_count;
    const struct naru_traceroute_hop *hops;
    /* transfers and HTTP: ok when every byte arrived intact (UDP: every
     * datagram that arrived was intact; losses are reported, not repaired) */
    uint64_t bytes_sent, bytes_received;
    bool intact;
    double goodput_bps;        /* bytes received * 8 over the time they took
                                  (so far, while unfinished) */
    double goodput_late_bps;   /* the same for the second half of the bytes:
                                  the rate once slow start is long over */
    uint64_t datagrams_sent, datagrams_received, duplicates, reordered;
    uint64_t datagrams_lost;   /* once finished: the datagrams that never came */
    uint64_t retransmits;      /* TCP transfer: segments its sender retransmitted;
                                  HTTP: both hosts' retransmissions meanwhile */
    naru_time_t srtt;          /* TCP transfer: its sender's smoothed round-trip
                                  time, as last seen (0: none yet) */
    int http_status;
    /* DNS lookup: ok with an answer. DNS server: ok once it serves. */
    int dns_status;            /* 0, or the resolver's -ENOENT, -ETIMEDOUT, ... */
    unsigned addr_count;
    struct naru_addr addrs[8];
    uint32_t dns_ttl;
    uint64_t dns_queries;      /* lookup: queries sent, retries included;
                                  server: queries answered */
};

/* Set an application up (servers and receivers start listening now); it
 * starts at config->start. */
int naru_sim_app_add(struct naru_sim_apps *apps, const struct naru_sim_app_config *config,
                     struct naru_sim_app **out);
const char *naru_sim_app_name(const struct naru_sim_app *app);
/* Its result so far. */
void naru_sim_app_get_result(const struct naru_sim_app *app, struct naru_sim_app_result *result);
/* Its result in a few plain lines, like the tool it imitates would print:
 * so far, and marked so, when it has not finished. */
int naru_sim_app_summary(const struct naru_sim_app *app, char *buf, size_t cap);
unsigned naru_sim_app_count(const struct naru_sim_apps *apps);
struct naru_sim_app *naru_sim_app_at(const struct naru_sim_apps *apps, unsigned index);
struct naru_sim_app *naru_sim_find_app(const struct naru_sim_apps *apps, const char *name);
/* A DNS server application's zone (its origin's) replaced by master-file
 * text, from the next query on: the records edited mid-run, as an
 * operator edits a zone and reloads it. 0; -EINVAL (the text does not
 * load: why, with the line, in err; the old zone stays) or -ENOTSUP when
 * the application is not a DNS server. */
int naru_sim_dns_server_update(struct naru_sim_app *app, const char *zone, char *err, size_t err_len);
/* True when every application has finished: a naru_sim_run() done test,
 * given the set. */
bool naru_sim_apps_finished(void *apps);

#ifdef __cplusplus
}
#endif
#endif
