/* A scripted TCP peer for segment-level tests: the stack under test is a
 * capture host (10.0.0.1, tests/support/capture.h); the "peer" at 10.0.0.2
 * is the test itself, which injects exactly the segments it wants and takes
 * exactly the segments the stack sends, parsed.
 *
 *   struct tcp_peer p;
 *   peer_init(&p, NULL);
 *   int l = peer_listen(&p, 80);
 *   peer_send(&p, &(struct seg){ .flags = TCP_SYN, .seq = 1000, .window = 65535 });
 *   struct got g = peer_take(&p);       // fails the test if nothing was sent
 *   assert_int_equal(g.h.flags, TCP_SYN | TCP_ACK);
 */
#ifndef NARU_TEST_TCP_PEER_H
#define NARU_TEST_TCP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "naru/socket.h"
#include "naru/stack.h"
#include "tcp/tcp_conn.h" /* tcp_debug_set_isn() */
#include "wire/tcp.h"

#define PEER_ADDR "10.0.0.2"
#define HOST_ADDR "10.0.0.1"
#define PEER_PORT 40000

/* A segment to inject. Options: set opt fields as struct tcp_options. */
struct seg {
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t window;
    uint16_t urgent;
    uint16_t src_port;         /* 0: the peer's port */
    uint16_t dst_port;         /* 0: the peer's current target port */
    const void *data;
    size_t len;
    struct tcp_options opt;
    bool bad_checksum;
    /* As a device with offloads hands it in (naru_stack_input_offload()):
     * the checksum left partial (only the pseudo-header's sum), or the
     * segment made of pieces of gso_size bytes merged (GSO). */
    bool partial_checksum;
    uint16_t gso_size;
};

/* A segment the stack sent. */
struct got {
    struct tcp_header h;
    uint8_t data[65536];
    size_t len;
    uint32_t src, dst;
    uint8_t ip[128];           /* the start of the IP datagram, for ICMP quotes */
    size_t ip_len;
    struct naru_frame_meta meta; /* what the stack told the driver (offload hosts) */
};

struct tcp_peer {
    struct capture_host *host;
    struct naru_stack *stack;
    uint32_t addr;             /* the peer's address */
    uint16_t port;             /* the stack's port the peer talks to */
    uint16_t peer_port;        /* the peer's own port (PEER_PORT) */
    naru_time_t now;
    /* What the scripted peer knows of its connection, once set up by the
     * helpers below (tests may read and change them). */
    uint32_t snd_nxt;          /* the peer's next sequence number */
    uint32_t rcv_nxt;          /* the stack's next sequence number */
    uint32_t ts_val;           /* the peer's timestamp clock */
    uint32_t ts_recent;        /* the stack's last TSval */
    bool ts;                   /* send timestamps */
    bool batching;             /* between peer_batch_begin() and _end() */
};

/* A stack with default settings (or config), the peer's MAC known. */
void peer_init(struct tcp_peer *p, const struct naru_stack_config *config);
/* The same on an interface whose driver declares `offloads` (NARU_OFFLOAD_*;
 * capture_host_new_offload()). */
void peer_init_offload(struct tcp_peer *p, const struct naru_stack_config *config, uint32_t offloads);
void peer_fini(struct tcp_peer *p);

/* Build and inject one segment from the peer, as an input batch of its
 * own (the stack is polled after it), unless inside a batch. */
void peer_send(struct tcp_peer *p, const struct seg *s);
/* Segments sent between these two form one input batch: the stack is
 * polled only at the end, as a host loop that reads a burst of frames does
 * (ACKs owed at the end of a batch go out then; src/tcp/tcp_output.c). */
void peer_batch_begin(struct tcp_peer *p);
void peer_batch_end(struct tcp_peer *p);
/* Send data from the peer at its snd_nxt with ACK = rcv_nxt (and TS when
 * on); advances snd_nxt. */
void peer_send_data(struct tcp_peer *p, const void *data, size_t len, uint8_t extra_flags);
/* A pure ACK of rcv_nxt with the given window (TS when on). */
void peer_send_ack(struct tcp_peer *p, uint16_t window);

/* The next TCP segment the stack sent, skipping anything else; fails the
 * test if there is none. */
struct got *peer_take(struct tcp_peer *p);
/* true and the next TCP segment, or false if the stack sent none. */
bool peer_maybe_take(struct tcp_peer *p, struct got *g);
/* Fail the test if the stack sent any TCP segment. */
void peer_expect_nothing(struct tcp_peer *p);
/* Throw away whatever was sent so far. */
void peer_clear(struct tcp_peer *p);
/* Let time pass (timers run). */
void peer_advance(struct tcp_peer *p, naru_time_t dt);

/* An ICMP error from the peer's address quoting the segment g. */
void peer_send_icmp_error(struct tcp_peer *p, const struct got *g, uint8_t type, uint8_t code, uint32_t rest);

/* Shorthand checks on a received segment. */
void expect_seg(const struct got *g, uint8_t flags, uint32_t seq, uint32_t ack);

/* Connection set-ups, with timestamps, SACK and window scaling offered by
 * the peer (ts = true; wscale 7). The stack's ISN is fixed at `isn`. */
/* The stack listens on port; the peer connects; returns the accepted
 * socket. p->rcv_nxt / snd_nxt are set. */
int peer_passive_open(struct tcp_peer *p, uint16_t port, uint32_t isn, uint32_t peer_isn, int *listener);

/* The state most segment tests start from: the stack has accepted one
 * connection on port 80 from the peer, its ISN `isn`, the peer's
 * `peer_isn`. cmocka setups fill *state with it; one at a time. */
struct tcp_peer_fixture {
    struct tcp_peer p;
    int s;                     /* the accepted socket */
    int listener;
};
int peer_fixture_setup(void **state, const struct naru_stack_config *config, uint32_t offloads,
                       uint32_t isn, uint32_t peer_isn);
int peer_fixture_teardown(void **state);
/* A bare peer (*state is the struct tcp_peer), for tests that open their own. */
int peer_setup(void **state);
int peer_teardown(void **state);
/* The stack connects to the peer (port); the peer answers; returns the
 * socket, established. */
int peer_active_open(struct tcp_peer *p, uint16_t port, uint32_t isn, uint32_t peer_isn);

#endif
