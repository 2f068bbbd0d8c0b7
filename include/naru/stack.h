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

#include "naru/addr.h"

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
    NARU_LAYER_APP, NARU_LAYER_NDP
};
const char *naru_layer_name(enum naru_layer layer);

typedef void (*naru_log_fn)(void *ctx, naru_time_t now, enum naru_log_level level,
                            enum naru_layer layer, const char *message);

/* TCP congestion control algorithms. */
enum naru_tcp_cc {
    NARU_TCP_CC_NEWRENO = 0,       /* RFC 5681 + RFC 6582 */
    NARU_TCP_CC_CUBIC = 1,         /* RFC 9438 */
};

/* SYN cookies (RFC 4987 3.6): when a listener answers a SYN without
 * keeping state. */
enum naru_tcp_syncookies {
    NARU_TCP_SYNCOOKIES_OFF = 0,   /* never: a full half-open list recycles its oldest entry */
    NARU_TCP_SYNCOOKIES_ON = 1,    /* when the listener's half-open list is full */
    NARU_TCP_SYNCOOKIES_ALWAYS = 2,
};

/* Everything bounded is bounded here, once, when the stack is created. */
struct naru_stack_config {
    uint64_t seed;                 /* all randomness (ISNs, ports, IDs) derives from it */
    uint32_t interfaces;           /* network interfaces, 1 to NARU_INTERFACES_MAX */
    uint32_t frame_buffers;        /* packet buffers of frame_buffer_size bytes */
    uint32_t frame_buffer_size;    /* bytes each, headroom included; >= MTU + 256 */
    uint32_t large_buffers;        /* 64 KiB buffers: reassembly, large datagrams */
    uint32_t arp_entries;          /* neighbour cache size (ARP and NDP) */
    uint32_t arp_queue;            /* packets held per unresolved neighbour */
    uint32_t neighbour_incomplete; /* neighbours being resolved at once (RFC 6583 7.1) */
    uint32_t routes;               /* routing table size, of each family */
    uint32_t pmtu_entries;         /* destinations whose path MTU is remembered */
    uint32_t reassembly_datagrams; /* datagrams reassembled at once */
    naru_time_t reassembly_timeout;
    uint32_t sockets;              /* sockets of all kinds */
    uint32_t udp_recv_queue;       /* datagrams queued per UDP socket */
    uint32_t icmp_error_rate;      /* ICMP errors per second, token bucket */
    uint32_t icmp_error_burst;
    uint8_t default_ttl;
    bool forwarding;               /* act as a router between interfaces */
    bool ipv6;                     /* IPv6 on every interface (default on): off, none of its frames
                                    * are sent or taken in, as Linux's disable_ipv6 */
    /* TCP (RFC 9293). Defaults in naru_stack_config_default(). */
    uint32_t tcp_connections;      /* connections of every state, TIME-WAIT and listeners included */
    uint32_t tcp_send_buffer;      /* bytes per connection (SO_SNDBUF default) */
    uint32_t tcp_recv_buffer;      /* bytes per connection (SO_RCVBUF default); sets the window */
    uint32_t tcp_max_buffer;       /* largest SO_SNDBUF / SO_RCVBUF a socket may ask for */
    uint32_t tcp_backlog_max;      /* cap on listen()'s backlog, like somaxconn */
    uint32_t tcp_half_open;        /* SYN-RECEIVED connections per listener; when full, SYN cookies */
    uint32_t tcp_listener_connections; /* connections a listening socket's children may hold at once
                                    * (TIME-WAIT aside); beyond, SYNs get a reset. 0: no limit but
                                    * tcp_connections. Size tcp_connections for the sum over the
                                    * listeners, and no service can shut another out */
    uint8_t tcp_syncookies;        /* enum naru_tcp_syncookies (RFC 4987) */
    uint32_t tcp_syn_budget;       /* SYNs each listener answers per input batch (between two
                                    * polls); beyond, dropped, so a flood cannot take the host's
                                    * time from open connections where answering costs more than
                                    * reading. 0 (the default): no limit */
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
    bool tcp_rack;                 /* RACK-TLP loss detection (RFC 8985), with SACK */
    bool tcp_dsack;                /* report duplicate segments (RFC 2883), with SACK */
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
/* Move the clock forward (never back) without running timers or ending the
 * input batch: for a host loop handing in a burst of frames, so each is
 * stamped when it was read (RTT samples, RACK) and the batch still ends at
 * the next poll. */
void naru_stack_set_time(struct naru_stack *stack, naru_time_t now);
naru_time_t naru_stack_now(const struct naru_stack *stack);
/* When the next timer is due (the time of the last poll if something waits
 * for the end of the batch), or NARU_NEVER. */
naru_time_t naru_stack_next_deadline(const struct naru_stack *stack);

/* ---- interfaces ---- */

/* What a driver can do for the stack, in naru_driver.offloads (all
 * optional; 0 is a plain Ethernet device). Named after what Linux's
 * virtio-net header and TAP devices offer, but neutral: the driver turns
 * them into its own form. */
#define NARU_OFFLOAD_TX_CSUM 0x1   /* takes TCP/UDP frames with the checksum left partial */
#define NARU_OFFLOAD_TX_TSO4 0x2   /* takes TCP/IPv4 frames up to tso_max bytes of IP datagram and
                                    * cuts them into segments of gso_size bytes (needs TX_CSUM) */
#define NARU_OFFLOAD_RX_LARGE 0x4  /* hands in frames above the MTU: TCP segments the other side
                                    * merged (GSO), up to a 64 KiB IP datagram */
#define NARU_OFFLOAD_TX_TSO6 0x8   /* the same as TX_TSO4 for TCP/IPv6 (tso_max bytes of packet,
                                    * its 40-byte header included; needs TX_CSUM) */

/* One frame's offload state, both ways (naru_stack_input_offload() and
 * the driver's transmit_offload). */
#define NARU_FRAME_CSUM_PARTIAL 0x1 /* the checksum at csum_start + csum_offset holds only the
                                     * pseudo-header sum: the sum from csum_start to the end is
                                     * still to be folded in (RFC 1071); on receive, a trusted
                                     * local sender left it so */
#define NARU_FRAME_CSUM_VALID 0x2   /* received: the device verified the TCP/UDP checksum */
#define NARU_FRAME_GSO_TCP4 0x4     /* TCP/IPv4 segments merged in one frame, gso_size payload
                                     * bytes each on the wire (the last may be shorter) */
#define NARU_FRAME_GSO_TCP6 0x8     /* the same, TCP/IPv6 */
struct naru_frame_meta {
    uint16_t flags;                /* NARU_FRAME_* */
    uint16_t gso_size;             /* GSO_TCP4: payload bytes per segment on the wire */
    uint16_t hdr_len;              /* GSO_TCP4, transmit: bytes of Ethernet, IP and TCP headers */
    uint16_t csum_start;           /* CSUM_PARTIAL: first byte summed, from the frame's start */
    uint16_t csum_offset;          /* CSUM_PARTIAL: the checksum field, from csum_start */
};

/* A driver takes frames out. transmit must copy the frame or finish with it
 * before returning; it returns 0, or a negative errno (counted as a drop).
 * A driver with offloads sets them and transmit_offload, which the stack
 * then calls for every frame instead of transmit. */
struct naru_driver {
    int (*transmit)(void *ctx, const uint8_t *frame, size_t len);
    void *ctx;
    uint32_t offloads;             /* NARU_OFFLOAD_*; 0: none */
    uint32_t tso_max;              /* TX_TSO4: largest IP datagram it takes, <= 65535 */
    int (*transmit_offload)(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta);
};

#define NARU_IFNAME_MAX 16
/* The most naru_stack_config.interfaces may be (an index fits 16 bits). */
#define NARU_INTERFACES_MAX 32767

struct naru_if_config {
    const char *name;
    uint8_t mac[6];
    uint32_t mtu;                  /* IP MTU; 1500 if 0 */
    struct naru_driver driver;
};

/* Returns the interface index (>= 0), or a negative errno: -ENOSPC when
 * the stack has its config's `interfaces` already. */
int naru_if_add(struct naru_stack *stack, const struct naru_if_config *config);
/* Interfaces added so far: their indexes are 0 to count - 1. */
unsigned naru_if_count(const struct naru_stack *stack);
/* Give the interface an address and bring it up, as `ip addr add`: with
 * its connected route (the prefix on-link). An IPv4 address replaces the
 * interface's one IPv4 address and is announced with a gratuitous ARP; an
 * IPv6 address is added beside the others (up to 8; -EEXIST, -ENOSPC).
 * 0 or a negative errno. */
int naru_if_add_addr(struct naru_stack *stack, int ifindex, const struct naru_addr *addr, uint8_t prefix_len);
/* Bring the interface up with no address given: IPv6 autoconfiguration
 * alone (its link-local address, then SLAAC from routers' advertisements),
 * which every interface coming up starts (a router's interface solicits
 * no advertisements). 0, -EINVAL, -EAFNOSUPPORT (IPv6 off). */
int naru_if_up(struct naru_stack *stack, int ifindex);
/* The same for an IPv4 address (host byte order). */
int naru_if_set_addr(struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t prefix_len);
/* The interface's IPv4 address (0 if none) and prefix length. */
int naru_if_get_addr(const struct naru_stack *stack, int ifindex, uint32_t *addr, uint8_t *prefix_len);

#define NARU_IFA_TENTATIVE 0x1     /* IPv6: duplicate address detection under way (RFC 4862) */
#define NARU_IFA_DEPRECATED 0x2    /* IPv6: preferred lifetime over, not chosen for new traffic */
#define NARU_IFA_AUTOCONF 0x4      /* IPv6: formed by SLAAC from a router advertisement */
struct naru_if_addr {
    struct naru_addr addr;
    uint8_t prefix_len;
    uint8_t flags;                 /* NARU_IFA_* */
};
/* The interface's addresses, IPv4's first, up to `cap` of them into out.
 * Returns how many it has (more than cap: some left out), or -EINVAL. */
int naru_if_get_addrs(const struct naru_stack *stack, int ifindex, struct naru_if_addr *out, unsigned cap);
/* The interface's name ("eth0"), or NULL for no such interface; and the
 * index of the interface of that name, or -ENODEV. */
const char *naru_if_name(const struct naru_stack *stack, int ifindex);
int naru_if_index(const struct naru_stack *stack, const char *name);
int naru_if_get_mac(const struct naru_stack *stack, int ifindex, uint8_t mac[6]);
uint32_t naru_if_mtu(const struct naru_stack *stack, int ifindex);

/* Hand a received Ethernet frame to the stack. The frame is copied. */
void naru_stack_input(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len);
/* The same, with what the driver knows about the frame (meta may be NULL):
 * a partial or verified checksum is not verified again, and, on an
 * interface whose driver has NARU_OFFLOAD_RX_LARGE, a frame may be a 64 KiB
 * TCP segment merged from gso_size pieces. */
void naru_stack_input_offload(struct naru_stack *stack, int ifindex, const uint8_t *frame, size_t len,
                              const struct naru_frame_meta *meta);

/* Called for every frame the interface sends or receives (pcap capture). */
enum naru_direction { NARU_DIR_IN, NARU_DIR_OUT };
typedef void (*naru_frame_tap_fn)(void *ctx, naru_time_t now, int ifindex,
                                  enum naru_direction dir, const uint8_t *frame, size_t len);
int naru_if_set_tap(struct naru_stack *stack, int ifindex, naru_frame_tap_fn fn, void *ctx);

/* ---- routing ---- */

/* A route to dst/prefix_len of either family (no bits set past the
 * prefix) through `gateway` of the same family; gateway NULL or
 * NARU_AF_UNSPEC: dst is on the interface's link. 0, -EEXIST, -ENOSPC,
 * -EINVAL or -EAFNOSUPPORT. */
int naru_route_add(struct naru_stack *stack, const struct naru_addr *dst, uint8_t prefix_len,
                   const struct naru_addr *gateway, int ifindex);
int naru_route_del(struct naru_stack *stack, const struct naru_addr *dst, uint8_t prefix_len);
void naru_stack_set_forwarding(struct naru_stack *stack, bool on);

/* ---- IPv6 router advertisements (RFC 4861 6.2), on a router's interfaces ---- */

/* RFC 4861 6.2.1's AdvXxx variables; naru_router_advert_default() gives
 * the RFC's defaults. */
struct naru_router_advert {
    naru_time_t max_interval;      /* MaxRtrAdvInterval, 4 s .. 1800 s */
    naru_time_t min_interval;      /* MinRtrAdvInterval, 3 s .. 0.75 * max */
    uint16_t router_lifetime_s;    /* AdvDefaultLifetime: 0 (not a default router) or max .. 9000 s */
    uint8_t cur_hop_limit;         /* AdvCurHopLimit, 0: unspecified */
    uint32_t mtu;                  /* AdvLinkMTU, 0: no MTU option */
    uint32_t reachable_ms;         /* AdvReachableTime, 0: unspecified */
    uint32_t retrans_ms;           /* AdvRetransTimer, 0: unspecified */
};
/* One of AdvPrefixList's prefixes. */
struct naru_ra_prefix {
    struct naru_addr prefix;       /* IPv6, no bits set past len */
    uint8_t len;
    bool on_link;                  /* L: AdvOnLinkFlag */
    bool autonomous;               /* A: hosts form addresses from it (RFC 4862: a /64) */
    uint32_t valid_s;              /* AdvValidLifetime, 0xffffffff: infinite */
    uint32_t preferred_s;          /* AdvPreferredLifetime, at most valid_s */
};
#define NARU_RA_PREFIXES_MAX 4
void naru_router_advert_default(struct naru_router_advert *c);
/* Start advertising on the interface, or change what is advertised; c
 * NULL stops, with a last advertisement of router lifetime 0 (6.2.5).
 * -EINVAL for a value outside 6.2.1's ranges or no such interface. */
int naru_if_set_router_advert(struct naru_stack *stack, int ifindex, const struct naru_router_advert *c);
/* Advertise a prefix, or change its flags and lifetimes; up to
 * NARU_RA_PREFIXES_MAX per interface (-ENOSPC). -EINVAL: not IPv6, link-local or multicast, bits
 * past len, preferred above valid. */
int naru_if_advertise_prefix(struct naru_stack *stack, int ifindex, const struct naru_ra_prefix *p);

/* Packet buffers held anywhere in the stack (queues, reassembly, sockets):
 * zero when the stack is idle, or something leaked. */
unsigned naru_stack_buffers_in_use(const struct naru_stack *stack);

/* Resolved neighbour (ARP or NDP), for tests and tools: 0 and the MAC, or
 * -ENOENT. */
int naru_neighbour_lookup(const struct naru_stack *stack, int ifindex, const struct naru_addr *addr,
                          uint8_t mac[6]);

#ifdef __cplusplus
}
#endif
#endif
