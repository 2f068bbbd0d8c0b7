/* SYN cookies (RFC 4987 3.6), as tcp_syncookie.h describes: the codec,
 * then the stateless SYN-ACK and the check of the final ACK on a stack. */
#include "tcp/tcp_syncookie.h"

#include <string.h>

#include "core/random.h"
#include "ip/ip.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "wire/tcp.h"

const uint16_t tcp_syncookie_mss[TCP_SYNCOOKIE_MSS_COUNT] = {
    536,  /* RFC 9293 3.7.1's default */
    1300, /* paths with tunnels */
    1440, /* PPPoE and the like */
    1460, /* Ethernet */
};

const uint16_t tcp_syncookie_mss6[TCP_SYNCOOKIE_MSS_COUNT] = {
    1220, /* RFC 8200 5's minimum MTU, 1280 - 60 */
    1420, /* paths with tunnels */
    1440, /* Ethernet */
    8940, /* jumbo frames */
};

static const uint16_t *mss_table(const struct tcp_syncookie_tuple *t)
{
    return t->v6 ? tcp_syncookie_mss6 : tcp_syncookie_mss;
}

/* Our TSval's low bits: the window scale (15: none), SACK, ECN. */
#define TS_BITS 6
#define TS_MASK ((1u << TS_BITS) - 1)
#define TS_NO_WSCALE 0xf
#define TS_SACK 0x10
#define TS_ECN 0x20
/* The MAC's options byte for a SYN without timestamps (outside TS_MASK). */
#define NO_TS 0x40
/* A TSecr older than this cannot echo a cookie still good. */
#define TS_LIFETIME_MS ((uint32_t)(2 * TCP_SYNCOOKIE_PERIOD / NARU_MS) + TS_MASK + 1)

static uint8_t options_byte(const struct tcp_syncookie_options *o)
{
    if (!o->ts)
        return NO_TS;
    return (uint8_t)((o->wscale_ok ? o->wscale : TS_NO_WSCALE) | (o->sack ? TS_SACK : 0) | (o->ecn ? TS_ECN : 0));
}

/* 32 bits of SipHash over the connection, the counter and the options:
 * under the stack's secret, with a tag of its own (tcp_isn.c and
 * tcp_conn.c key theirs with other tags). */
static uint32_t cookie_mac(const uint8_t secret[16], const struct tcp_syncookie_tuple *t, uint32_t counter,
                           uint8_t options)
{
    uint8_t in[46];
    size_t n = 0;
    in[n++] = t->v6 ? '6' : 'Y';
    if (t->v6) {
        memcpy(in + n, t->laddr6, 16);
        memcpy(in + n + 16, t->raddr6, 16);
        n += 32;
    } else {
        memcpy(in + n, &t->laddr, 4);
        memcpy(in + n + 4, &t->raddr, 4);
        n += 8;
    }
    memcpy(in + n, &t->lport, 2);
    memcpy(in + n + 2, &t->rport, 2);
    memcpy(in + n + 4, &t->peer_isn, 4);
    memcpy(in + n + 8, &counter, 4);
    in[n + 12] = options;
    return (uint32_t)siphash24(secret, in, n + 13);
}

uint32_t tcp_syncookie_make(const uint8_t secret[16], const struct tcp_syncookie_tuple *t, uint32_t counter,
                            struct tcp_syncookie_options *o, uint32_t ts_now, uint32_t *tsval)
{
    /* The largest entry the peer can take (the first, 536, whatever it
     * said: RFC 9293 3.7.1 lets us send that much to anyone). */
    const uint16_t *table = mss_table(t);
    uint32_t index = 0;
    for (uint32_t i = 1; i < TCP_SYNCOOKIE_MSS_COUNT; i++)
        if (table[i] <= o->mss)
            index = i;
    o->mss = table[index];
    if (!o->ts) {
        o->wscale_ok = o->sack = o->ecn = false;
        o->wscale = 0;
    } else if (!o->wscale_ok) {
        o->wscale = 0;
    } else if (o->wscale > 14) {
        o->wscale = 14; /* RFC 7323 2.3 */
    }
    uint8_t options = options_byte(o);
    if (o->ts) {
        /* RFC 7323 allows any TSval clock; ours stays monotonic as the
         * peer sees it, as long as the bits never put it ahead of now. */
        uint32_t v = (ts_now & ~TS_MASK) | options;
        if ((int32_t)(v - ts_now) > 0)
            v -= TS_MASK + 1;
        /* An echo of 0 is read as no echo (tcp_syncookie_check()). */
        if (v == 0)
            v -= TS_MASK + 1;
        *tsval = v;
    }
    return cookie_mac(secret, t, counter, options) ^ index;
}

int tcp_syncookie_check(const uint8_t secret[16], const struct tcp_syncookie_tuple *t, uint32_t counter,
                        uint32_t cookie, bool ts_present, uint32_t ts_ecr, uint32_t ts_now,
                        struct tcp_syncookie_options *o)
{
    memset(o, 0, sizeof *o);
    uint8_t options = NO_TS;
    /* A TSecr of 0 echoes nothing (our cookies' TSvals are never 0): the
     * peer did not take up timestamps, whatever option it sends, as Linux
     * reads it. */
    if (ts_present && ts_ecr) {
        uint32_t age = ts_now - ts_ecr;
        if (age > TS_LIFETIME_MS)
            return -1; /* from the future, or older than any cookie still good */
        options = (uint8_t)(ts_ecr & TS_MASK);
        uint8_t wscale = options & TS_NO_WSCALE;
        if (wscale > 14 && wscale != TS_NO_WSCALE)
            return -1;
        o->ts = true;
        o->wscale_ok = wscale != TS_NO_WSCALE;
        o->wscale = o->wscale_ok ? wscale : 0;
        o->sack = options & TS_SACK;
        o->ecn = options & TS_ECN;
    }
    for (uint32_t age = 0; age < 2; age++) {
        uint32_t index = cookie ^ cookie_mac(secret, t, counter - age, options);
        if (index < TCP_SYNCOOKIE_MSS_COUNT) {
            o->mss = mss_table(t)[index];
            return 0;
        }
    }
    memset(o, 0, sizeof *o);
    return -1;
}

/* ---- on a stack ---- */

static uint32_t counter_now(const struct naru_stack *stack)
{
    return (uint32_t)(stack->now / TCP_SYNCOOKIE_PERIOD);
}

static struct tcp_syncookie_tuple tuple_of(const struct naru_addr *src, const struct naru_addr *dst,
                                           const struct tcp_header *h, uint32_t peer_isn)
{
    struct tcp_syncookie_tuple t = { .lport = h->dst_port, .rport = h->src_port, .peer_isn = peer_isn };
    if (src->family == NARU_AF_INET6) {
        t.v6 = true;
        memcpy(t.laddr6, dst->v6, 16);
        memcpy(t.raddr6, src->v6, 16);
    } else {
        t.laddr = dst->v4;
        t.raddr = src->v4;
    }
    return t;
}

/* Our TSval clock for the connection: the stack's milliseconds plus the
 * connection's offset (tcp_output.c's tcp_ts_now()), from the 4-tuple,
 * so the final ACK finds the same clock. */
static uint32_t ts_clock(struct naru_stack *stack, const struct naru_addr *src, const struct naru_addr *dst,
                         const struct tcp_header *h)
{
    return (uint32_t)(stack->now / NARU_MS) + tcp_ts_offset_of(stack, dst, src, h->dst_port, h->src_port);
}

void tcp_syncookie_send(struct naru_stack *stack, struct tcp_conn *l, const struct naru_addr *src,
                        const struct naru_addr *dst, const struct tcp_header *h)
{
    const struct tcp_options *in = &h->options;
    struct tcp_syncookie_options o = {
        .mss = in->mss_present ? in->mss : 536,
        .ts = stack->config.tcp_timestamps && in->timestamps_present,
        .wscale_ok = stack->config.tcp_window_scaling && in->wscale_present,
        .wscale = in->wscale,
        .sack = stack->config.tcp_sack && in->sack_permitted,
        .ecn = false, /* an ECN-setup SYN would set it; naru does not negotiate ECN */
    };
    struct tcp_syncookie_tuple t = tuple_of(src, dst, h, h->seq);
    uint32_t ts_now = o.ts ? ts_clock(stack, src, dst, h) : 0, tsval = 0;
    uint32_t cookie = tcp_syncookie_make(stack->secret, &t, counter_now(stack), &o, ts_now, &tsval);

    /* The SYN-ACK tcp_output.c would send for a half-open connection
     * (RFC 9293 3.10.7.2): <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, our MSS,
     * and of the other options those the cookie can carry. */
    uint32_t rcv_wnd = l->rcv_buf_size < 65535 ? l->rcv_buf_size : 65535;
    struct tcp_header out = {
        .src_port = h->dst_port,
        .dst_port = h->src_port,
        .seq = cookie,
        .ack = h->seq + 1,
        .flags = TCP_SYN | TCP_ACK,
        .window = (uint16_t)rcv_wnd, /* RFC 7323 2.2: never scaled in a SYN */
    };
    out.options.mss_present = true;
    out.options.mss = tcp_route_mss(stack, src);
    if (o.wscale_ok) {
        out.options.wscale_present = true;
        out.options.wscale = tcp_rcv_wscale(stack, l);
    }
    out.options.sack_permitted = o.sack;
    if (o.ts) {
        out.options.timestamps_present = true;
        out.options.ts_val = tsval;
        out.options.ts_ecr = in->ts_val;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, tcp_header_len(&out));
    if (!pb)
        return; /* counted by the pool */
    tcp_emit_pseudo(&out, ip_pseudo_sum(dst, src, IP_PROTO_TCP), pb->data, 0);
    l->cookies_sent_at = stack->now ? stack->now : 1;
    stack->counters.tcp_syncookies_sent++;
    stack->counters.tcp_tx++;
    struct ip_send send = { .src = dst, .dst = src, .protocol = IP_PROTO_TCP, .dont_fragment = true };
    ip_output(stack, pb, &send);
}

int tcp_syncookie_accept(struct naru_stack *stack, const struct tcp_conn *l, const struct naru_addr *src,
                         const struct naru_addr *dst, const struct tcp_header *h, struct tcp_syncookie_options *o)
{
    /* Only a listener that sent cookies lately takes one back (Linux's
     * tcp_synq_no_recent_overflow()): otherwise a flood of ACKs could try
     * cookies at no cost, and each costs us two hashes. */
    bool always = stack->config.tcp_syncookies == NARU_TCP_SYNCOOKIES_ALWAYS;
    if (!stack->config.tcp_syncookies ||
        (!always && (!l->cookies_sent_at || stack->now - l->cookies_sent_at >= 2 * TCP_SYNCOOKIE_PERIOD)))
        return -1;
    struct tcp_syncookie_tuple t = tuple_of(src, dst, h, h->seq - 1);
    const struct tcp_options *in = &h->options;
    bool ts = stack->config.tcp_timestamps && in->timestamps_present;
    uint32_t ts_now = ts ? ts_clock(stack, src, dst, h) : 0;
    if (tcp_syncookie_check(stack->secret, &t, counter_now(stack), h->ack - 1, ts, in->ts_ecr, ts_now, o) < 0) {
        stack->counters.tcp_syncookies_failed++;
        return -1;
    }
    /* What the SYN offered and the configuration since refuses, it does
     * not get. */
    o->wscale_ok = o->wscale_ok && stack->config.tcp_window_scaling;
    o->sack = o->sack && stack->config.tcp_sack;
    stack->counters.tcp_syncookies_accepted++;
    return 0;
}
