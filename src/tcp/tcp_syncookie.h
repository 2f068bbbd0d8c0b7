/* SYN cookies (RFC 4987 3.6): a listener whose half-open list is full
 * answers a SYN without keeping anything, with a SYN-ACK whose ISN is a
 * keyed hash of the connection (the cookie); the final ACK gives the
 * cookie back (SEG.ACK - 1), and a valid one makes the connection.
 *
 * As Linux does them: the ISN holds the peer's MSS (an index into a small
 * table) and a MAC of the 4-tuple and the peer's ISN under the stack's
 * secret and a counter that ticks once a minute (so a cookie is good for
 * one to two minutes: the key rotates with the counter). When the SYN
 * offered timestamps, the low six bits of our TSval carry the rest of its
 * options (window scale, SACK-permitted, ECN), which the peer echoes in
 * TSecr; unlike Linux's, the MAC covers those bits too, so a forged echo
 * cannot change them. Without timestamps a cookie connection has no window
 * scaling and no SACK.
 *
 * The codec is pure (no stack, no clock): the fuzz target and the tests
 * call it directly. Private to src/tcp/. */
#ifndef NARU_TCP_SYNCOOKIE_H
#define NARU_TCP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/stack.h"

struct naru_stack;
struct tcp_conn;
struct tcp_header;

/* The counter's period; a cookie is checked against the counter now and
 * the one before, like Linux's (MAX_SYNCOOKIE_AGE 2, one minute each). */
#define TCP_SYNCOOKIE_PERIOD (60 * NARU_SEC)
#define TCP_SYNCOOKIE_MSS_COUNT 4

/* What a cookie stands for: the connection and the SYN's ISN. */
struct tcp_syncookie_tuple {
    uint32_t laddr, raddr;     /* IPv4 */
    bool v6;                   /* IPv6: these instead, and IPv6's MSS table */
    uint8_t laddr6[16], raddr6[16];
    uint16_t lport, rport;
    uint32_t peer_isn;         /* the SYN's SEG.SEQ */
};

/* What a cookie keeps of the SYN's options. */
struct tcp_syncookie_options {
    uint16_t mss;              /* the peer's MSS, rounded down to an entry of the table */
    bool ts;                   /* timestamps agreed: the options below ride in our TSval */
    bool wscale_ok;            /* the peer offered window scaling ... */
    uint8_t wscale;            /* ... with this shift (0-14) */
    bool sack;                 /* SACK-permitted */
    bool ecn;                  /* an ECN-setup SYN (RFC 3168 6.1.1); naru has no ECN yet */
};

/* The tables of MSS values a cookie can say (Linux's, for IPv4 and IPv6). */
extern const uint16_t tcp_syncookie_mss[TCP_SYNCOOKIE_MSS_COUNT];
extern const uint16_t tcp_syncookie_mss6[TCP_SYNCOOKIE_MSS_COUNT];

/* The cookie (our ISN) for a SYN, at `counter` (now / TCP_SYNCOOKIE_PERIOD).
 * o is made into what the cookie can carry (the MSS rounded down; without
 * ts no window scale, SACK or ECN). With o->ts, *tsval is the TSval for the
 * SYN-ACK: ts_now with its low six bits replaced by the options, never
 * ahead of ts_now (and less than 128 behind), never 0. */
uint32_t tcp_syncookie_make(const uint8_t secret[16], const struct tcp_syncookie_tuple *t, uint32_t counter,
                            struct tcp_syncookie_options *o, uint32_t ts_now, uint32_t *tsval);
/* Is `cookie` (SEG.ACK - 1 of the final ACK) one we made for t at this
 * counter or the one before? ts_present/ts_ecr: the ACK's timestamp
 * option; ts_now: our TSval clock for the connection now. 0 and the
 * options, or -1. */
int tcp_syncookie_check(const uint8_t secret[16], const struct tcp_syncookie_tuple *t, uint32_t counter,
                        uint32_t cookie, bool ts_present, uint32_t ts_ecr, uint32_t ts_now,
                        struct tcp_syncookie_options *o);

/* ---- on a stack ---- */
/* Answer the SYN h (from src to dst) to listener l with a cookie. */
void tcp_syncookie_send(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                        const struct naru_addr *dst, const struct tcp_header *h);
/* An ACK h for no connection, to listener l: does it give back a cookie l
 * sent (and has l sent any lately)? 0 and what the cookie carried, or -1
 * (counted). */
int tcp_syncookie_accept(struct naru_stack *stack, const struct tcp_conn *l, const struct naru_addr *src,
                         const struct naru_addr *dst, const struct tcp_header *h, struct tcp_syncookie_options *o);

#endif
