/* Bulk TCP transfers between two simulated stacks, every byte checked: a
 * client and a server each send a stream of pattern bytes (byte i depends
 * on i and a seed, so a lost, repeated or misplaced byte shows), shut down
 * writing when done, and check what they receive until end of file. Both
 * ends are driven by socket callbacks, as a program on an event loop. */
#ifndef NARU_TEST_TCP_FLOW_H
#define NARU_TEST_TCP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/sim.h"
#include "naru/socket.h"

struct tcp_flow;

/* Pattern bytes repeat with a prime period, so a byte out of place by any
 * amount a segment boundary makes shows; the table holds one period and a
 * chunk more, so any chunk of the stream is one contiguous run of it. */
#define TCP_FLOW_PERIOD 65521u
#define TCP_FLOW_CHUNK 65536u

struct tcp_flow_end {
    struct tcp_flow *flow;
    struct naru_stack *stack;
    int sock;                  /* -1 until connected or accepted */
    uint64_t to_send;          /* then shutdown(SHUT_WR) */
    uint64_t to_receive;
    uint64_t sent, received;
    uint32_t send_seed, receive_seed;
    uint8_t *send_table, *receive_table;
    bool connected, shut, eof, closed;
    uint64_t mismatch_at;      /* first wrong byte + 1; 0 if none */
    int error;                 /* first error a call returned */
    naru_time_t finished_at;
};

struct tcp_flow {
    struct naru_sim *sim;
    struct tcp_flow_end client, server;
    int listener;
    bool close_when_done;      /* close both sockets once all is checked */
    uint32_t chunk;            /* bytes per send() call; 0: 64 KiB */
};

/* The pattern byte at offset i of the stream with this seed. */
static inline uint8_t tcp_pattern(uint32_t seed, uint64_t i)
{
    uint32_t x = (uint32_t)(i % TCP_FLOW_PERIOD) * 2654435761u ^ seed;
    x ^= x >> 15;
    return (uint8_t)(x ^ (x >> 8));
}

/* Have each stack learn the other's MAC address (over a lossy link, ARP
 * can fail three times in a row and a connect() would report
 * EHOSTUNREACH, as on Linux). */
void tcp_flow_resolve(struct naru_sim *sim, struct naru_stack *a, uint32_t a_addr, struct naru_stack *b,
                      uint32_t b_addr);

/* Listen on server:port, connect from client, and move `c2s` bytes one way
 * and `s2c` the other, at once. */
void tcp_flow_start(struct tcp_flow *f, struct naru_sim *sim, struct naru_stack *client,
                    struct naru_stack *server, uint32_t server_addr, uint16_t port, uint64_t c2s,
                    uint64_t s2c);
/* The same to an address of either family. */
void tcp_flow_start_addr(struct tcp_flow *f, struct naru_sim *sim, struct naru_stack *client,
                         struct naru_stack *server, const struct naru_addr *server_addr, uint16_t port,
                         uint64_t c2s, uint64_t s2c);
/* Both ends have everything (or one failed): a done() for naru_sim_run. */
bool tcp_flow_done(void *flow);
/* Both ends have everything, checked, and no error. */
bool tcp_flow_ok(const struct tcp_flow *f);
/* Free the pattern tables (the sockets belong to the stacks). */
void tcp_flow_free(struct tcp_flow *f);

#endif
