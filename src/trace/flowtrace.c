/* TCP connections in a capture: frames are parsed with src/wire's codecs
 * (IPv4, IPv6 with its extension headers, TCP and its options), sorted
 * into connections by their 4-tuple, and each segment put into its
 * direction's relative sequence space with tcptrace's and tshark's rules.
 * Checksums are not checked: captures taken on a sender with checksum
 * offload hold segments whose checksum the device filled in later. */
#include "naru/flowtrace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/seqset.h"
#include "trace/trace_time.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define RFC7323_MAX_WSCALE 14          /* RFC 7323 2.3: a larger shift counts as 14 */
#define WSCALE_NOT_OFFERED (-2)        /* the SYN had no window scale option */

/* What the analysis keeps per direction beyond the public fields. */
struct direction_state {
    struct naru_trace_segment *segments;
    size_t cap;
    bool base_set;
    uint32_t base;             /* raw sequence number of relative 0 */
    int64_t ref;               /* last relative value of this space, to unwrap the next near it */
    int syn_wscale;            /* -1 no SYN seen, WSCALE_NOT_OFFERED, or the SYN's shift */
    bool nxt_set;
    int64_t nxt;               /* highest sequence number sent, plus one */
    struct seqset sent;        /* every sequence number sent so far */
    bool window_set, ack_set;
    uint16_t last_window;      /* raw, of the previous segment */
    int64_t last_ack;
    uint8_t last_marks;        /* of the previous segment */
};

struct conn_state {
    struct naru_trace_conn pub;
    struct direction_state st[2];
    bool fin_or_rst;           /* seen in either direction: a new SYN then opens a new connection */
    uint32_t hash;
};

struct naru_flowtrace {
    struct conn_state **conns;
    size_t count, cap;
    uint32_t *slots;           /* open addressing: connection index + 1, 0 empty */
    struct conn_state *last;   /* of the segment before */
    size_t slot_cap;
    bool started;
    int64_t first_ns;
    struct naru_flowtrace_stats stats;
};

/* The parsed frame. */
struct segment_in {
    struct naru_addr src, dst;
    struct tcp_header tcp;
    uint32_t payload_len;
};

struct naru_flowtrace *naru_flowtrace_new(void)
{
    return calloc(1, sizeof(struct naru_flowtrace));
}

/* ---- parsing, with src/wire ---------------------------------------------------- */

/* Fills in from the IP packet at ip (len bytes captured). Returns 1 for a
 * TCP segment, 0 for something else, -1 unreadable, -2 a fragment. */
static int parse_ip(int version, const uint8_t *ip, size_t len, struct segment_in *in)
{
    size_t tcp_at, declared_end;
    if (version == 4) {
        struct ipv4_header h;
        /* Without the checksum, and letting total_len pass the bytes
         * present: captures are often cut to a snapshot length. */
        if (ipv4_parse_quoted(ip, len, &h) < 0)
            return -1;
        if (h.protocol != IP_PROTO_TCP)
            return 0;
        if (ipv4_is_fragment(&h))
            return -2;
        in->src = naru_addr_v4(h.src);
        in->dst = naru_addr_v4(h.dst);
        tcp_at = h.header_len;
        declared_end = h.total_len;
    } else {
        struct ipv6_header h;
        if (ipv6_parse_quoted(ip, len, &h) < 0)
            return -1;
        if (h.payload_len == 0) /* a jumbogram, or a segmentation offload's: no length to go by */
            return -1;
        declared_end = IPV6_HEADER_LEN + (size_t)h.payload_len;
        struct ipv6_chain chain;
        if (ipv6_walk_chain(ip, len < declared_end ? len : declared_end, &chain) < 0)
            return -1;
        if (chain.fragment)
            return -2;
        if (chain.verdict != IPV6_CHAIN_ACCEPT)
            return -1;
        if (chain.upper_protocol != IP_PROTO_TCP)
            return 0;
        in->src = naru_addr_v6(h.src);
        in->dst = naru_addr_v6(h.dst);
        tcp_at = chain.upper_offset;
    }
    if (declared_end < tcp_at || len <= tcp_at)
        return -1;
    size_t present = (len < declared_end ? len : declared_end) - tcp_at;
    int hl = tcp_parse_header(ip + tcp_at, present, &in->tcp);
    if (hl == WIRE_BAD_OPTION) {
        /* The fixed fields are good: keep them, as tshark does, without
         * the options. */
        memset(&in->tcp.options, 0, sizeof in->tcp.options);
        hl = in->tcp.header_len;
    } else if (hl < 0) {
        return -1;
    }
    if (declared_end - tcp_at < (size_t)hl)
        return -1;
    in->payload_len = (uint32_t)(declared_end - tcp_at - (size_t)hl);
    return 1;
}

/* ---- connections by 4-tuple ---------------------------------------------------- */

static int endpoint_cmp(const struct naru_addr *a, uint16_t ap, const struct naru_addr *b, uint16_t bp)
{
    int r = a->family == NARU_AF_INET ? (a->v4 > b->v4) - (a->v4 < b->v4) : memcmp(a->v6, b->v6, 16);
    return r ? r : (ap > bp) - (ap < bp);
}

static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t hash_endpoint(uint32_t h, const struct naru_addr *a, uint16_t port)
{
    h = a->family == NARU_AF_INET ? fnv1a(h, &a->v4, 4) : fnv1a(h, a->v6, 16);
    return fnv1a(h, &port, 2);
}

/* The same for both directions: the smaller endpoint first. */
static uint32_t tuple_hash(const struct segment_in *in)
{
    const struct naru_addr *a = &in->src, *b = &in->dst;
    uint16_t ap = in->tcp.src_port, bp = in->tcp.dst_port;
    if (endpoint_cmp(a, ap, b, bp) > 0) {
        const struct naru_addr *t = a;
        a = b;
        b = t;
        uint16_t tp = ap;
        ap = bp;
        bp = tp;
    }
    uint32_t h = fnv1a(2166136261u, &a->family, 1);
    return hash_endpoint(hash_endpoint(h, a, ap), b, bp);
}

/* Which direction of c the segment travels: 0, 1, or -1 (not c's). */
static int direction_of(const struct conn_state *c, const struct segment_in *in)
{
    const struct naru_trace_direction *d0 = &c->pub.dir[0];
    bool src_is_0 = naru_addr_equal(&in->src, &d0->src) && in->tcp.src_port == d0->src_port;
    bool dst_is_0 = naru_addr_equal(&in->dst, &d0->src) && in->tcp.dst_port == d0->src_port;
    if (src_is_0 && naru_addr_equal(&in->dst, &d0->dst) && in->tcp.dst_port == d0->dst_port)
        return 0;
    if (dst_is_0 && naru_addr_equal(&in->src, &d0->dst) && in->tcp.src_port == d0->dst_port)
        return 1;
    return -1;
}

/* The slot holding the tuple's newest connection, or the empty slot where
 * it goes. */
static size_t find_slot(const struct naru_flowtrace *t, uint32_t hash, const struct segment_in *in)
{
    size_t mask = t->slot_cap - 1, i = hash & mask;
    while (t->slots[i]) {
        const struct conn_state *c = t->conns[t->slots[i] - 1];
        if (c->hash == hash && direction_of(c, in) >= 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static int grow_slots(struct naru_flowtrace *t)
{
    size_t cap = t->slot_cap ? t->slot_cap * 2 : 64;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < t->slot_cap; i++) {
        if (!t->slots[i])
            continue;
        size_t j = t->conns[t->slots[i] - 1]->hash & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->slot_cap = cap;
    return 0;
}

static struct conn_state *new_conn(struct naru_flowtrace *t, const struct segment_in *in, uint32_t hash)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct conn_state **grown = realloc(t->conns, cap * sizeof *grown);
        if (!grown)
            return NULL;
        t->conns = grown;
        t->cap = cap;
    }
    struct conn_state *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hash = hash;
    c->pub.index = t->count;
    for (int d = 0; d < 2; d++) {
        struct naru_trace_direction *dir = &c->pub.dir[d];
        dir->src = d == 0 ? in->src : in->dst;
        dir->dst = d == 0 ? in->dst : in->src;
        dir->src_port = d == 0 ? in->tcp.src_port : in->tcp.dst_port;
        dir->dst_port = d == 0 ? in->tcp.dst_port : in->tcp.src_port;
        dir->wscale = -1;
        c->st[d].syn_wscale = -1;
    }
    t->conns[t->count++] = c;
    return c;
}

/* The connection the segment belongs to, a new one for a new tuple or
 * for a SYN that opens the tuple again (tshark's rule: a SYN whose
 * sequence number is not the direction's, or after a FIN or RST). */
static struct conn_state *conn_for(struct naru_flowtrace *t, const struct segment_in *in, int *dir)
{
    bool opening = (in->tcp.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    /* Most segments belong to the connection of the one before. */
    if (t->last && !opening && (*dir = direction_of(t->last, in)) >= 0)
        return t->last;
    if ((t->count + 1) * 2 > t->slot_cap && grow_slots(t) < 0)
        return NULL;
    uint32_t hash = tuple_hash(in);
    size_t slot = find_slot(t, hash, in);
    if (t->slots[slot]) {
        struct conn_state *c = t->conns[t->slots[slot] - 1];
        *dir = direction_of(c, in);
        const struct direction_state *s = &c->st[*dir];
        if (!opening || !s->base_set || (in->tcp.seq == s->base && !c->fin_or_rst))
            return t->last = c;
    }
    struct conn_state *c = new_conn(t, in, hash);
    if (c) {
        t->slots[slot] = (uint32_t)t->count;
        *dir = 0;
    }
    return t->last = c;
}

/* ---- the analysis ------------------------------------------------------------- */

/* The relative value near the space's last one: a 32-bit difference read
 * as signed, so the space can run past 2^32 and below zero. */
static int64_t unwrap(struct direction_state *s, uint32_t raw, bool move_ref)
{
    uint32_t delta = raw - s->base - (uint32_t)((uint64_t)s->ref & 0xffffffffu);
    int64_t signed_delta = delta >= 0x80000000u ? (int64_t)delta - (INT64_C(1) << 32) : (int64_t)delta;
    int64_t v = s->ref + signed_delta;
    if (move_ref)
        s->ref = v;
    return v;
}

/* RFC 7323 2.2: windows are scaled by the shift their sender offered in
 * its SYN, once both SYNs offered one; never on a SYN itself. As tshark:
 * unknown until the sender's SYN is seen, none if either SYN offered
 * none. */
static int window_shift(const struct direction_state *self, const struct direction_state *peer)
{
    if (self->syn_wscale == WSCALE_NOT_OFFERED || peer->syn_wscale == WSCALE_NOT_OFFERED)
        return 0;
    return self->syn_wscale; /* -1 unknown */
}

static int push_segment(struct conn_state *c, int d, const struct naru_trace_segment *seg)
{
    struct direction_state *s = &c->st[d];
    struct naru_trace_direction *dir = &c->pub.dir[d];
    if (dir->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8; /* most connections of a busy capture are short */
        struct naru_trace_segment *grown = realloc(s->segments, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        s->segments = grown;
        s->cap = cap;
        dir->segments = grown;
    }
    s->segments[dir->count++] = *seg;
    return 0;
}

static int analyse(struct conn_state *c, int d, const struct segment_in *in, uint64_t frame, int64_t time_ns)
{
    struct direction_state *s = &c->st[d], *r = &c->st[1 - d];
    struct naru_trace_direction *dir = &c->pub.dir[d];
    const struct tcp_header *h = &in->tcp;
    bool syn = h->flags & TCP_SYN, fin = h->flags & TCP_FIN, rst = h->flags & TCP_RST;
    bool has_ack = h->flags & TCP_ACK;

    /* tshark's relative numbers: from the SYN; without one, from one
     * before the first number seen, the sender's or the peer's ACK. */
    if (!s->base_set) {
        s->base = syn ? h->seq : h->seq - 1;
        s->base_set = true;
    }
    if (has_ack && !r->base_set) {
        r->base = h->ack - 1;
        r->base_set = true;
    }
    if (syn) {
        dir->syn_seen = true;
        dir->isn = h->seq;
        s->syn_wscale = !h->options.wscale_present ? WSCALE_NOT_OFFERED
                        : h->options.wscale > RFC7323_MAX_WSCALE ? RFC7323_MAX_WSCALE
                                                                 : h->options.wscale;
    }
    if (!dir->syn_seen)
        dir->isn = s->base;

    struct naru_trace_segment seg = {
        .frame = frame,
        .time_ns = time_ns,
        .len = in->payload_len,
        .flags = h->flags,
    };
    seg.seq = unwrap(s, h->seq, true);
    if (has_ack) {
        seg.ack = unwrap(r, h->ack, true);
        for (int i = 0; i < h->options.sack_count && i < NARU_TRACE_MAX_SACK; i++) {
            seg.sack[i].left = unwrap(r, h->options.sack[i].left, false);
            seg.sack[i].right = unwrap(r, h->options.sack[i].right, false);
        }
        seg.sack_count = h->options.sack_count;
    }
    int shift = syn ? 0 : window_shift(s, r);
    for (int k = 0; k < 2; k++)
        c->pub.dir[k].wscale = window_shift(&c->st[k], &c->st[1 - k]);
    seg.window = (uint64_t)h->window << (shift > 0 ? shift : 0);

    /* Sequence space taken: the data, and one number each for SYN and FIN
     * (RFC 9293 3.4). */
    int64_t end = seg.seq + seg.len + syn + fin;
    if (end > seg.seq) {
        int64_t seen = seqset_add(&s->sent, seg.seq, end);
        if (seen < 0)
            return -ENOMEM;
        if (seen > 0)
            seg.marks |= NARU_TRACE_RETRANSMISSION;
        else if (s->nxt_set && seg.seq < s->nxt)
            seg.marks |= NARU_TRACE_OUT_OF_ORDER;
    }
    /* tshark's keep-alive: a probe one below the next number (RFC 9293
     * 3.8.4), empty or with one old byte. */
    if (seg.len <= 1 && !syn && !fin && !rst && s->nxt_set && seg.seq == s->nxt - 1)
        seg.marks |= NARU_TRACE_KEEP_ALIVE;
    /* tshark's duplicate ACK: nothing new but the ACK repeated, with the
     * window unchanged (a changed one is a window update), and not the
     * answer to a keep-alive. */
    if (seg.len == 0 && !syn && !fin && !rst && has_ack && h->window != 0 && s->window_set &&
        h->window == s->last_window && s->nxt_set && seg.seq == s->nxt && s->ack_set && seg.ack == s->last_ack &&
        !(r->last_marks & NARU_TRACE_KEEP_ALIVE))
        seg.marks |= NARU_TRACE_DUP_ACK;
    if (h->window == 0 && !syn && !fin && !rst)
        seg.marks |= NARU_TRACE_ZERO_WINDOW;

    if (!s->nxt_set || end > s->nxt) {
        s->nxt = end;
        s->nxt_set = true;
    }
    s->last_window = h->window;
    s->window_set = true;
    s->last_marks = seg.marks;
    if (has_ack) {
        s->last_ack = seg.ack;
        s->ack_set = true;
    }
    if (fin || rst)
        c->fin_or_rst = true;

    dir->bytes += seg.len;
    dir->data_segments += seg.len > 0;
    dir->retransmissions += (seg.marks & NARU_TRACE_RETRANSMISSION) != 0;
    dir->out_of_order += (seg.marks & NARU_TRACE_OUT_OF_ORDER) != 0;
    dir->dup_acks += (seg.marks & NARU_TRACE_DUP_ACK) != 0;
    dir->zero_windows += (seg.marks & NARU_TRACE_ZERO_WINDOW) != 0;
    if (c->pub.dir[0].count + c->pub.dir[1].count == 0)
        c->pub.first_ns = time_ns;
    c->pub.last_ns = time_ns;
    return push_segment(c, d, &seg);
}

int naru_flowtrace_add(struct naru_flowtrace *t, const struct naru_capture_packet *p)
{
    if (!t->started) {
        t->started = true;
        t->first_ns = p->time_ns;
    }
    t->stats.frames++;
    size_t ip_at;
    int version = naru_capture_ip(p->linktype, p->data, p->caplen, &ip_at);
    if (version == 0) {
        t->stats.not_tcp++;
        if (!naru_capture_linktype_known(p->linktype) && t->stats.other_link++ == 0)
            t->stats.other_linktype = p->linktype;
        return 0;
    }
    struct segment_in in;
    int r = parse_ip(version, p->data + ip_at, p->caplen - ip_at, &in);
    if (r <= 0) {
        if (r == 0)
            t->stats.not_tcp++;
        else if (r == -2)
            t->stats.fragments++;
        else
            t->stats.unreadable++;
        return 0;
    }
    int dir;
    struct conn_state *c = conn_for(t, &in, &dir);
    if (!c)
        return -ENOMEM;
    t->stats.tcp++;
    return analyse(c, dir, &in, p->number, trace_time_since(p->time_ns, t->first_ns));
}

int naru_flowtrace_read(struct naru_flowtrace *t, struct naru_capture *c)
{
    struct naru_capture_packet p;
    int r;
    while ((r = naru_capture_next(c, &p)) == 1) {
        int err = naru_flowtrace_add(t, &p);
        if (err < 0)
            return err;
    }
    return r < 0 ? -EIO : 0;
}

size_t naru_flowtrace_count(const struct naru_flowtrace *t)
{
    return t->count;
}

const struct naru_trace_conn *naru_flowtrace_conn(const struct naru_flowtrace *t, size_t index)
{
    return index < t->count ? &t->conns[index]->pub : NULL;
}

const struct naru_flowtrace_stats *naru_flowtrace_stats(const struct naru_flowtrace *t)
{
    return &t->stats;
}

void naru_flowtrace_free(struct naru_flowtrace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++) {
        for (int d = 0; d < 2; d++) {
            free(t->conns[i]->st[d].segments);
            seqset_free(&t->conns[i]->st[d].sent);
        }
        free(t->conns[i]);
    }
    free(t->conns);
    free(t->slots);
    free(t);
}
