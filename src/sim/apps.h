/* The simulator's applications: what they share. Private to src/sim/. */
#ifndef NARU_SIM_APPS_H
#define NARU_SIM_APPS_H

#include "naru/simapp.h"
#include "naru/socket.h"
#include "sim/sim_internal.h"

#define APP_PATTERN_SIZE 65536

struct naru_sim_app;

struct app_ops {
    /* At naru_sim_app_add(): start receivers and servers, so they listen
     * before anyone sends. 0 or a negative errno. */
    int (*setup)(struct naru_sim_app *app);
    void (*start)(struct naru_sim_app *app);
    void (*destroy)(struct naru_sim_app *app);
};

struct ping_state {
    int sock;
    naru_time_t *sent_at;      /* by sequence number */
    bool *replied;
    naru_time_t rtt_sum;
};

struct traceroute_state {
    int sock;
    uint8_t ttl, query;
    uint32_t probe;            /* probes sent so far */
    bool awaiting;
    naru_time_t sent_at;
};

struct udp_state {
    int tx, rx;
    uint64_t total;            /* datagrams to send */
    uint64_t next;             /* the next to send */
    uint8_t *seen;             /* a bit per datagram, at the receiver */
    uint64_t unique, highest;
    uint64_t carry;
    naru_time_t last_arrival;
    uint8_t *buf;
};

struct tcp_state {
    int tx, listener, rx;
    uint64_t written;
    bool shut;
    bool receiver_done, sender_done;
    naru_time_t last_arrival;
    naru_time_t half_time;     /* when half the bytes had arrived */
    uint64_t half_bytes;
    uint64_t sender_retrans;   /* the sending connection's, last seen */
    void *extra;               /* buffers (app_tcp.c) */
};

struct http_state {
    int sock;
    bool request_sent;
    char header[2048];
    size_t header_len;
    bool header_done;
    long content_length;
    uint64_t body_expected;
    uint64_t retransmits_at_start; /* both hosts' counters */
    naru_time_t last_arrival;
    void *extra;               /* the request (app_tcp.c) */
};

struct naru_sim_app {
    struct naru_sim *sim;
    unsigned index;
    char name[SIM_NAME_MAX];
    char host[64];
    struct naru_sim_app_config config;
    struct naru_sim_app_result result;
    const struct app_ops *ops;
    union {
        struct ping_state ping;
        struct traceroute_state trace;
        struct udp_state udp;
        struct tcp_state tcp;
        struct http_state http;
        struct dns_state *dns;
    } s;
};

/* What every application's bookkeeping shares (apps.c). */
void app_finish(struct naru_sim_app *app, bool ok, const char *error);
int app_at(struct naru_sim_app *app, struct naru_stack *stack, naru_time_t when, void (*fn)(void *ctx));
/* Close a socket once the current event is over: a socket callback must
 * not free the socket it is being called for. */
void app_close_later(struct naru_sim_app *app, struct naru_stack *stack, int sock);
/* The bytes every transfer carries: byte k of a stream, from a table the
 * simulation makes once, so misplaced or altered data is noticed. */
const uint8_t *app_pattern(struct naru_sim *sim);
void app_fill(struct naru_sim *sim, uint64_t offset, uint8_t *buf, size_t len);
bool app_check(struct naru_sim *sim, uint64_t offset, const uint8_t *buf, size_t len);

struct dns_state;
extern const struct app_ops app_tcp_transfer_ops;
extern const struct app_ops app_dns_server_ops;
extern const struct app_ops app_dns_lookup_ops;
/* Queries a DNS server application has answered. */
uint64_t app_dns_served(const struct naru_sim_app *app);
extern const struct app_ops app_http_ops;
/* HTTP servers are shared by every download from one host and port. */
void app_http_servers_destroy(struct naru_sim *sim);

#endif
