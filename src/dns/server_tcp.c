/* The server's TCP connections, for every transport: RFC 7766 framing,
 * deadlines and limits, in one place (include/naru/dns.h says what the
 * transport does and what the table does).
 *
 * Why a deadline for the whole message: with only an idle timer that any
 * byte resets, a client sending a length prefix and then a byte every few
 * seconds holds its slot for ever, and a few hundred such clients hold
 * them all (slow-loris). RFC 7766 6.2.3 and 10 ask servers to bound both
 * idle time and the resources one client can hold. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/server.h"
#include "naru/dns.h"
#include "wire/dns.h"

#define RX_CAP (2 + NARU_DNS_TCP_QUERY_MAX)

struct tcp_slot {
    bool open;
    struct naru_addr client;   /* IPv6: the /64 only */
    size_t have;               /* bytes of an unfinished message in rx */
    bool idle;                 /* a whole query came, and nothing since */
    naru_time_t idle_since;    /* accepted, or the last message finished */
    naru_time_t message_start; /* the first byte of the unfinished message */
    uint8_t *rx;               /* RX_CAP bytes */
};

struct naru_dns_tcp {
    struct naru_dns_server *server;
    unsigned max, per_client;
    naru_time_t message_timeout, idle_timeout;
    struct tcp_slot *slots;
    uint8_t *rx_all;
    uint8_t reply[2 + DNS_MESSAGE_MAX];
    struct naru_dns_tcp_stats stats;
};

int naru_dns_tcp_create(struct naru_dns_server *server, struct naru_dns_tcp **out)
{
    const struct naru_dns_server_config c = *server_config(server);
    if (!c.tcp_max)
        return -EINVAL;
    struct naru_dns_tcp *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->server = server;
    t->max = c.tcp_max;
    t->per_client = c.tcp_max_per_client ? c.tcp_max_per_client : c.tcp_max;
    t->message_timeout = c.tcp_message_timeout;
    t->idle_timeout = c.tcp_idle_timeout;
    t->slots = calloc(t->max, sizeof *t->slots);
    t->rx_all = malloc((size_t)t->max * RX_CAP);
    if (!t->slots || !t->rx_all) {
        naru_dns_tcp_destroy(t);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < t->max; i++)
        t->slots[i].rx = t->rx_all + (size_t)i * RX_CAP;
    *out = t;
    return 0;
}

void naru_dns_tcp_destroy(struct naru_dns_tcp *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t->rx_all);
    free(t);
}

unsigned naru_dns_tcp_slots(const struct naru_dns_tcp *t)
{
    return t->max;
}

const struct naru_dns_tcp_stats *naru_dns_tcp_stats(const struct naru_dns_tcp *t)
{
    return &t->stats;
}

static naru_time_t deadline_of(const struct naru_dns_tcp *t, const struct tcp_slot *s)
{
    naru_time_t start = s->have ? s->message_start : s->idle_since;
    naru_time_t span = s->have ? t->message_timeout : t->idle_timeout;
    return span > NARU_NEVER - start ? NARU_NEVER : start + span;
}

/* One client: an IPv4 address, or an IPv6 /64 (one subscriber's LAN,
 * where a host may pick any address). */
static struct naru_addr client_key(const struct naru_addr *a)
{
    struct naru_addr k = *a;
    if (k.family == NARU_AF_INET6)
        memset(k.v6 + 8, 0, 8);
    return k;
}

/* Who gives way among the open slots that `match` selects (all, or one
 * client's): the connection idle longest since its last query, else the
 * one nearest its deadline: a message trickling in longest, or a new
 * connection that has been silent longest. A connection that has not sent
 * its first query yet is not idle: under a flood of new connections, the
 * newest (a real client's, about to ask) would otherwise go first. */
static int pick_victim(const struct naru_dns_tcp *t, const struct naru_addr *match)
{
    int idle = -1, busy = -1;
    for (unsigned i = 0; i < t->max; i++) {
        const struct tcp_slot *s = &t->slots[i];
        if (!s->open || (match && !naru_addr_equal(&s->client, match)))
            continue;
        if (s->idle) {
            if (idle < 0 || s->idle_since < t->slots[idle].idle_since)
                idle = (int)i;
        } else if (busy < 0 || deadline_of(t, s) < deadline_of(t, &t->slots[busy])) {
            busy = (int)i;
        }
    }
    return idle >= 0 ? idle : busy;
}

int naru_dns_tcp_open(struct naru_dns_tcp *t, const struct naru_addr *client, naru_time_t now,
                      bool *evicted)
{
    struct naru_addr key = client_key(client);
    unsigned mine = 0;
    int free_slot = -1;
    for (unsigned i = 0; i < t->max; i++) {
        if (!t->slots[i].open) {
            if (free_slot < 0)
                free_slot = (int)i;
        } else if (naru_addr_equal(&t->slots[i].client, &key)) {
            mine++;
        }
    }
    int slot = free_slot;
    *evicted = false;
    /* A client at its share makes room among its own connections; else a
     * full table makes room among everyone's. */
    if (mine >= t->per_client)
        slot = pick_victim(t, &key);
    else if (slot < 0)
        slot = pick_victim(t, NULL);
    if (slot != free_slot) {
        *evicted = true;
        if (t->slots[slot].idle)
            t->stats.evicted_idle++;
        else
            t->stats.evicted_busy++;
        t->stats.open--;
    }
    struct tcp_slot *s = &t->slots[slot];
    s->open = true;
    s->client = key;
    s->have = 0;
    s->idle = false;
    s->idle_since = now;
    t->stats.accepted++;
    t->stats.open++;
    return slot;
}

void naru_dns_tcp_close(struct naru_dns_tcp *t, int slot)
{
    if (slot < 0 || (unsigned)slot >= t->max || !t->slots[slot].open)
        return;
    t->slots[slot].open = false;
    t->slots[slot].have = 0;
    t->stats.open--;
}

uint8_t *naru_dns_tcp_rx_space(struct naru_dns_tcp *t, int slot, size_t *room)
{
    struct tcp_slot *s = &t->slots[slot];
    *room = RX_CAP - s->have;
    return s->rx + s->have;
}

int naru_dns_tcp_received(struct naru_dns_tcp *t, int slot, size_t n, naru_time_t now,
                          naru_dns_tcp_send_fn send, void *ctx)
{
    struct tcp_slot *s = &t->slots[slot];
    if (!n || n > RX_CAP - s->have)
        return n ? -EINVAL : 0;   /* more than naru_dns_tcp_rx_space() offered */
    if (!s->have)
        s->message_start = now;
    s->have += n;
    size_t off = 0;
    const uint8_t *msg;
    size_t mlen, used;
    int result = 0;
    /* RFC 7766 6.2.1.1: pipelined queries, each answered in turn. */
    while ((used = naru_dns_tcp_frame(s->rx + off, s->have - off, &msg, &mlen)) > 0) {
        off += used;
        s->idle_since = now;
        s->idle = true;
        size_t len = naru_dns_server_answer(t->server, msg, mlen, NARU_DNS_TCP, t->reply + 2,
                                            DNS_MESSAGE_MAX);
        if (!len)
            continue;
        wire_put16(t->reply, (uint16_t)len);
        if (!send(ctx, slot, t->reply, len + 2)) {
            result = -EPIPE;
            break;
        }
    }
    if (!result && s->have - off >= 2 && wire_get16(s->rx + off) > NARU_DNS_TCP_QUERY_MAX) {
        /* Longer than any query naru answers (one question and an OPT):
         * reading it to the end only to answer FORMERR is not worth a slot. */
        t->stats.oversized++;
        result = -EMSGSIZE;
    }
    if (off) {
        memmove(s->rx, s->rx + off, s->have - off);
        s->have -= off;
        /* What is left is the start of the next message: it began now. */
        s->message_start = now;
    }
    if (s->have)
        s->idle = false;
    return result;
}

naru_time_t naru_dns_tcp_next_deadline(const struct naru_dns_tcp *t)
{
    naru_time_t next = NARU_NEVER;
    for (unsigned i = 0; i < t->max; i++)
        if (t->slots[i].open) {
            naru_time_t d = deadline_of(t, &t->slots[i]);
            if (d < next)
                next = d;
        }
    return next;
}

int naru_dns_tcp_expired(struct naru_dns_tcp *t, naru_time_t now)
{
    for (unsigned i = 0; i < t->max; i++) {
        const struct tcp_slot *s = &t->slots[i];
        if (s->open && deadline_of(t, s) <= now) {
            if (s->have)
                t->stats.message_timeouts++;
            else
                t->stats.idle_timeouts++;
            return (int)i;
        }
    }
    return -1;
}
