/* naru: the stack instance, its interfaces and routes.
 *
 * Time and I/O are arguments: the caller passes monotonic time to
 * naru_stack_poll(), feeds received frames to naru_stack_input(), and gives
 * each interface a driver whose transmit op takes frames out. Nothing here
 * reads a clock or makes a system call, and nothing is global: many stacks
 * can live in one process. */
#ifndef NARU_STACK_H
#define NARU_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nanoseconds on a monotonic clock whose epoch the caller chooses. */
typedef uint64_t naru_time_t;
#define NARU_US ((naru_time_t)1000)
#define NARU_MS ((naru_time_t)1000000)
#define NARU_SEC ((naru_time_t)1000000000)
#define NARU_NEVER UINT64_MAX

struct naru_stack;

enum naru_log_level { NARU_LOG_ERROR, NARU_LOG_WARN, NARU_LOG_INFO, NARU_LOG_DEBUG };
enum naru_layer {
    NARU_LAYER_LINK, NARU_LAYER_ARP, NARU_LAYER_IP, NARU_LAYER_ICMP,
    NARU_LAYER_UDP, NARU_LAYER_TCP, NARU_LAYER_SOCKET, NARU_LAYER_DNS,
    NARU_LAYER_APP
};
const char *naru_layer_name(enum naru_layer layer);

typedef void (*naru_log_fn)(void *ctx, naru_time_t now, enum naru_log_level level,
                            enum naru_layer layer, const char *message);

/* TCP congestion control algorithms. */
enum naru_tcp_cc {
    NARU_TCP_CC_NEWRENO = 0,       /* RFC 5681 + RFC 6582 */
    NARU_TCP_CC_CUBIC = 1,         /* RFC 9438 */
};

/* Everything bounded is bounded here, once, when the stack is created. */
struct naru_stack_config {
    uint64_t seed;                 /* all randomness (ISNs, ports, IDs) derives from it */
    uint32_t frame_buffers;        /* packet buffers of frame_buffer_size bytes */
    uint32_t frame_buffer_size;    /* bytes each, headroom included; >= MTU + 256 */
    uint32_t large_buffers;        /* 64 KiB buffers: reassembly, large datagrams */
    uint32_t arp_entries;          /* neighbour cache size */
    uint32_t arp_queue;            /* packets held per unresolved neighbour */
    uint32_t routes;               /* routing table size */
    uint32_t reassembly_datagrams; /* datagrams reassembled at once */
    naru_time_t reassembly_timeout;
    uint32_t sockets;              /* sockets of all kinds */
    uint32_t udp_recv_queue;       /* datagrams queued per UDP socket */
    uint32_t icmp_error_rate;      /* ICMP errors per second, token bucket */
    uint32_t icmp_error_burst;
    uint8_t default_ttl;
    bool forwarding;               /* act as a router between interfaces */
    /* TCP (RFC 9293). Defaults in naru_stack_config_default(). */
    uint32_t tcp_connections;      /* connections of every state, TIME-WAIT and listeners included */
    uint32_t tcp_send_buffer;      /* bytes per connection (SO_SNDBUF default) */
    uint32_t tcp_recv_buffer;      /* bytes per connection (SO_RCVBUF default); sets the window */
    uint32_t tcp_max_buffer;       /* largest SO_SNDBUF / SO_RCVBUF a socket may ask for */
    uint32_t tcp_backlog_max;      /* cap on listen()'s backlog, like somaxconn */
    uint32_t tcp_half_open;        /* SYN-RECEIVED connections per listener */
    naru_time_t tcp_time_wait;     /* TIME-WAIT length, 2*MSL */
    naru_time_t tcp_fin_timeout;   /* an orphaned FIN-WAIT-2 connection gives up after this */
    naru_time_t tcp_initial_rto;   /* RFC 6298 2.1: 1 s */
    naru_time_t tcp_min_rto;       /* RFC 6298 2.4 floor */
    naru_time_t tcp_max_rto;       /* RFC 6298 2.5 ceiling */
    naru_time_t tcp_delayed_ack;   /* at most 200 ms (RFC 9293 3.8.6.3) */
    uint8_t tcp_syn_retries;       /* SYN retransmissions before ETIMEDOUT */
    uint8_t tcp_synack_retries;    /* SYN-ACK retransmissions before a half-open connection goes */
    uint8_t tcp_retries;           /* data retransmissions (and unanswered window probes) before ETIMEDOUT */
    uint8_t tcp_keepalive_count;   /* unanswered keepalive probes before ETIMEDOUT */
    naru_time_t tcp_keepalive_idle;     /* idle time before the first probe (SO_KEEPALIVE) */
    naru_time_t tcp_keepalive_interval; /* between probes */
    uint32_t tcp_rst_rate;         /* resets per second for segments to no connection */
    uint32_t tcp_rst_burst;
    uint32_t tcp_challenge_ack_rate; /* RFC 5961 7: challenge ACKs per second */
    bool tcp_window_scaling;       /* RFC 7323 options, offered by default */
    bool tcp_timestamps;
    bool tcp_sack;                 /* RFC 2018 */
    int tcp_congestion;            /* enum naru_tcp_cc */
    naru_log_fn log;
    void *log_ctx;
    enum naru_log_level log_level;
};

void naru_stack_config_default(struct naru_stack_config *config);
/* Returns 0 and sets *out, or -EINVAL / -ENOMEM. */
int naru_stack_create(const struct naru_stack_config *config, struct naru_stack **out);
void naru_stack_destroy(struct naru_stack *stack);

/* Advance the stack's clock to `now` (never backwards) and run due timers.
 * Input and socket calls act at the time of the last poll. The frames
 * handed in since the last poll are one input batch: TCP acknowledges the
 * in-order data of a batch once, here, at its end (so a host loop that
 * reads every frame waiting before it polls writes fewer ACKs). */
void naru_stack_poll(struct naru_stack *stack, naru_time_t now);
naru_time_t naru_stack_now(const struct naru_stack *stack);
/* When the next timer is due (the time of the last poll if something waits
 * for the end of the batch), or NARU_NEVER. */
naru_time_t naru_stack_next_deadline(const struct naru_stack *stack);

/* ---- interfaces ---- */

/* A driver takes frames out. transmit must copy the frame or finish with it
 * before returning; it returns 0, or a negative errno (counted as a drop). */
struct naru_driver {
    int (*transmit)(void *ctx, const uint8_t *frame, size_t len);
    void *ctx;
};

#define NARU_IFNAME_MAX 16
#define NARU_MAX_INTERFACES 8

struct naru_if_config {
    const char *name;
    uint8_t mac[6];
    uint32_t mtu;                  /* IP MTU; 1500 if 0 */
    struct naru_driver driver;
};

/* Returns the interface index (>= 0) or a negative errno. */
int naru_if_add(struct naru_stack *stack, const struct naru_if_config *config);
/* Give the interface its address (host byte order) and bring it up: adds the
 * connected route and announces the address with a gratuitous ARP. */
int naru_if_set_addr(struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t prefix_len);
int naru_if_get_addr(const struct naru_stack *stack, int ifindex, uint32_t *addr, uint8_t *prefix_len);
int naru_if_get_mac(const struct naru_stack *stack, int ifindex, uint8_t mac[6]);
uint32_t naru_if_mtu(const struct naru_stack *stack, int ifindex);

/* Hand a received Ethernet frame to the stack. The frame is copied. */
void naru_stack_input(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len);

/* Called for every frame the interface sends or receives (pcap capture). */
enum naru_direction { NARU_DIR_IN, NARU_DIR_OUT };
typedef void (*naru_frame_tap_fn)(void *ctx, naru_time_t now, int ifindex,
                                  enum naru_direction dir, const uint8_t *frame, size_t len);
int naru_if_set_tap(struct naru_stack *stack, int ifindex, naru_frame_tap_fn fn, void *ctx);

/* ---- routing ---- */

/* gateway 0 means the destination is on the interface's link. */
int naru_route_add(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len,
                   uint32_t gateway, int ifindex);
int naru_route_del(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len);
void naru_stack_set_forwarding(struct naru_stack *stack, bool on);

/* Packet buffers held anywhere in the stack (queues, reassembly, sockets):
 * zero when the stack is idle, or something leaked. */
unsigned naru_stack_buffers_in_use(const struct naru_stack *stack);

/* Resolved neighbour, for tests and tools: 0 and the MAC, or -ENOENT. */
int naru_arp_lookup(const struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif
#endif
