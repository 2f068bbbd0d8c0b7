/* The replay page's recorder: the simulator's link events kept in time
 * order (the frames' first bytes, when each left and arrived, or that it
 * was lost or refused), the story's chapters, and the TCP senders' own
 * congestion window and RTT sampled as they send. The page itself is
 * written by replay_html.c. */
#include "trace/replay_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "naru/socket.h"

static int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(*items, n * size);
    if (!p)
        return -ENOMEM;
    *items = p;
    *cap = n;
    return 0;
}

struct naru_replay *naru_replay_new(struct naru_sim *sim)
{
    struct naru_replay *r = calloc(1, sizeof *r);
    if (r)
        r->sim = sim;
    return r;
}

void naru_replay_free(struct naru_replay *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->link_count; i++)
        for (int d = 0; d < 2; d++)
            free(r->links[i].pending[d].index);
    free(r->links);
    free(r->frames);
    free(r->bytes);
    for (size_t i = 0; i < r->chapter_count; i++) {
        free(r->chapters[i].title);
        free(r->chapters[i].text);
    }
    free(r->chapters);
    for (size_t i = 0; i < r->flow_count; i++)
        free(r->flows[i].samples);
    free(r->flows);
    for (size_t i = 0; i < r->word_count; i++) {
        free(r->words[i].key);
        free(r->words[i].text);
    }
    free(r->words);
    free(r);
}

static char *copy_text(const char *text);

int naru_replay_word(struct naru_replay *r, const char *key, const char *text)
{
    struct replay_word *grown = realloc(r->words, (r->word_count + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    r->words = grown;
    char *k = copy_text(key), *t = copy_text(text);
    if (!k || !t) {
        free(k);
        free(t);
        return -ENOMEM;
    }
    r->words[r->word_count++] = (struct replay_word){ k, t };
    return 0;
}

/* The recorder's number for a link, new ones added as they show up. */
static int link_slot(struct naru_replay *r, struct naru_sim_link *link)
{
    if (r->last_link < r->link_count && r->links[r->last_link].link == link)
        return (int)r->last_link;
    for (size_t i = 0; i < r->link_count; i++) {
        if (r->links[i].link == link) {
            r->last_link = i;
            return (int)i;
        }
    }
    if (grow((void **)&r->links, &r->link_cap, r->link_count + 1, sizeof *r->links) < 0)
        return -1;
    r->links[r->link_count] = (struct replay_link){ .link = link, .last_sent = { SIZE_MAX, SIZE_MAX } };
    r->last_link = r->link_count;
    return (int)r->link_count++;
}

static bool frame_matches(const struct naru_replay *r, const struct replay_frame *f, const uint8_t *frame,
                          size_t len)
{
    return f->len == len && !memcmp(r->bytes + f->offset, frame, f->caplen);
}

static void pending_remove(struct replay_pending *p, size_t i)
{
    memmove(p->index + i, p->index + i + 1, (p->count - i - 1) * sizeof *p->index);
    p->count--;
}

/* A frame arrived at the far end: the oldest frame on its way that has
 * these bytes (reordering lets a later one arrive first). A corrupted copy
 * differs from what was captured, so failing that, the oldest corrupted
 * frame of that length. */
static void delivered(struct naru_replay *r, struct replay_pending *p, naru_time_t now, const uint8_t *frame,
                      size_t len)
{
    size_t hit = p->count;
    for (size_t i = 0; i < p->count && hit == p->count; i++)
        if (frame_matches(r, &r->frames[p->index[i]], frame, len))
            hit = i;
    for (size_t i = 0; i < p->count && hit == p->count; i++) {
        const struct replay_frame *f = &r->frames[p->index[i]];
        if ((f->flags & REPLAY_CORRUPTED) && f->len == len)
            hit = i;
    }
    if (hit == p->count)
        return;
    struct replay_frame *f = &r->frames[p->index[hit]];
    if (f->arrive < 0)
        f->arrive = (int64_t)now;
    if (f->deliveries_left > 1)
        f->deliveries_left--;
    else
        pending_remove(p, hit);
}

/* ---- the senders' own state ---- */

struct tcp_tuple {
    struct naru_addr src, dst;
    uint16_t sport, dport;
};

static bool tcp_tuple_of(const uint8_t *f, size_t len, struct tcp_tuple *t, uint32_t *payload)
{
    if (len < 14)
        return false;
    size_t off = 14;
    unsigned proto;
    size_t ip_total, ip_header;
    if (f[12] == 0x08 && f[13] == 0x00 && len >= off + 20 && f[off] >> 4 == 4) {
        ip_header = (size_t)(f[off] & 0x0f) * 4;
        ip_total = (size_t)(f[off + 2] << 8 | f[off + 3]);
        proto = f[off + 9];
        if ((f[off + 6] & 0x3f) | f[off + 7]) /* a fragment */
            return false;
        *t = (struct tcp_tuple){ 0 };
        t->src = naru_addr_v4((uint32_t)f[off + 12] << 24 | (uint32_t)f[off + 13] << 16 |
                              (uint32_t)f[off + 14] << 8 | f[off + 15]);
        t->dst = naru_addr_v4((uint32_t)f[off + 16] << 24 | (uint32_t)f[off + 17] << 16 |
                              (uint32_t)f[off + 18] << 8 | f[off + 19]);
    } else if (f[12] == 0x86 && f[13] == 0xdd && len >= off + 40) {
        ip_header = 40;
        ip_total = 40 + (size_t)(f[off + 4] << 8 | f[off + 5]);
        proto = f[off + 6]; /* extension headers: not a sender the page samples */
        *t = (struct tcp_tuple){ 0 };
        t->src.family = t->dst.family = NARU_AF_INET6;
        memcpy(t->src.v6, f + off + 8, 16);
        memcpy(t->dst.v6, f + off + 24, 16);
    } else {
        return false;
    }
    if (proto != 6 || ip_header < 20 || len < off + ip_header + 20 || ip_total < ip_header + 20)
        return false;
    const uint8_t *tcp = f + off + ip_header;
    size_t thl = (size_t)(tcp[12] >> 4) * 4;
    if (thl < 20 || ip_total < ip_header + thl)
        return false;
    t->sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
    t->dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
    *payload = (uint32_t)(ip_total - ip_header - thl);
    return true;
}

static bool same_tuple(const struct replay_flow *w, const struct naru_stack *stack, const struct tcp_tuple *t)
{
    return w->stack == stack && w->sport == t->sport && w->dport == t->dport && naru_addr_equal(&w->src, &t->src) &&
           naru_addr_equal(&w->dst, &t->dst);
}

/* The socket of `stack` whose connection this is, found through the
 * public socket API (handles are small integers); -1 when none is: a
 * router forwarding the segment, or a connection already gone. */
static int find_socket(struct naru_stack *stack, const struct tcp_tuple *t)
{
    for (int sock = 0; sock < REPLAY_SOCKET_SCAN; sock++) {
        struct naru_sockaddr local, peer;
        if (naru_getsockname(stack, sock, &local) < 0 || naru_getpeername(stack, sock, &peer) < 0)
            continue;
        if (local.port == t->sport && peer.port == t->dport && naru_addr_equal(&local.addr, &t->src) &&
            naru_addr_equal(&peer.addr, &t->dst))
            return sock;
    }
    return -1;
}

/* When a stack sends a segment with data, its connection's congestion
 * window and smoothed RTT at that moment: what the sender itself knew. */
static void sample_sender(struct naru_replay *r, struct naru_stack *stack, naru_time_t now, const uint8_t *frame,
                          size_t len)
{
    struct tcp_tuple t;
    uint32_t payload;
    if (!stack || !tcp_tuple_of(frame, len, &t, &payload) || !payload)
        return;
    struct replay_flow *w = NULL;
    for (size_t i = r->flow_count; i-- > 0;) {
        if (same_tuple(&r->flows[i], stack, &t)) {
            w = &r->flows[i];
            break;
        }
    }
    if (!w) {
        if (grow((void **)&r->flows, &r->flow_cap, r->flow_count + 1, sizeof *r->flows) < 0)
            return;
        w = &r->flows[r->flow_count++];
        *w = (struct replay_flow){ .stack = stack, .src = t.src, .dst = t.dst, .sport = t.sport, .dport = t.dport };
        w->sock = find_socket(stack, &t);
    }
    struct naru_tcp_info info;
    if (w->sock < 0 || naru_tcp_get_info(stack, w->sock, &info) < 0)
        return;
    if (grow((void **)&w->samples, &w->sample_cap, w->sample_count + 1, sizeof *w->samples) < 0)
        return;
    w->samples[w->sample_count++] = (struct replay_cc_sample){
        .time = now, .cwnd = info.snd_cwnd, .ssthresh = info.snd_ssthresh, .rtt_us = info.rtt_us
    };
}

/* ---- the events ---- */

static void sent(struct naru_replay *r, int slot, int from, naru_time_t now, const uint8_t *frame, size_t len,
                 bool refused)
{
    struct replay_link *l = &r->links[slot];
    size_t caplen = len < REPLAY_SNAPLEN ? len : REPLAY_SNAPLEN;
    if (grow((void **)&r->frames, &r->frame_cap, r->frame_count + 1, sizeof *r->frames) < 0 ||
        grow((void **)&r->bytes, &r->bytes_cap, r->bytes_len + caplen, 1) < 0 ||
        (!refused && grow((void **)&l->pending[from].index, &l->pending[from].cap, l->pending[from].count + 1,
                          sizeof *l->pending[from].index) < 0)) {
        r->frames_missed++;
        l->last_sent[from] = SIZE_MAX;
        if (!refused)
            l->number++; /* still the capture's numbering */
        return;
    }
    memcpy(r->bytes + r->bytes_len, frame, caplen);
    size_t i = r->frame_count++;
    r->frames[i] = (struct replay_frame){ .link = (uint32_t)slot, .from = (uint8_t)from, .sent = (int64_t)now, .arrive = -1,
                                          .len = (uint32_t)len, .caplen = (uint32_t)caplen, .offset = r->bytes_len,
                                          .deliveries_left = 1 };
    r->bytes_len += caplen;
    if (refused) {
        r->frames[i].flags = REPLAY_DROPPED;
        l->last_sent[from] = SIZE_MAX;
        return;
    }
    r->frames[i].number = ++l->number;
    l->last_sent[from] = i;
    l->pending[from].index[l->pending[from].count++] = i;
}

void naru_replay_observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                         naru_time_t now, const uint8_t *frame, size_t len)
{
    struct naru_replay *r = ctx;
    int slot = link_slot(r, link);
    if (slot < 0) {
        r->frames_missed++;
        return;
    }
    int from = from_end & 1;
    struct replay_link *l = &r->links[slot];
    if (event == NARU_SIM_FRAME_SENT) {
        sent(r, slot, from, now, frame, len, false);
        sample_sender(r, naru_sim_link_stack(link, from, NULL), now, frame, len);
        return;
    }
    if (event == NARU_SIM_FRAME_DROPPED) {
        sent(r, slot, from, now, frame, len, true);
        return;
    }
    if (event == NARU_SIM_FRAME_DELIVERED) {
        delivered(r, &l->pending[from], now, frame, len); /* `from` sent it */
        return;
    }
    /* The rest are told right after the frame's SENT, about that frame. */
    size_t i = l->last_sent[from];
    if (i >= r->frame_count)
        return;
    struct replay_frame *f = &r->frames[i];
    struct replay_pending *p = &l->pending[from];
    switch (event) {
    case NARU_SIM_FRAME_LOST:
        f->flags |= REPLAY_LOST;
        for (size_t k = p->count; k-- > 0;) {
            if (p->index[k] == i) {
                pending_remove(p, k);
                break;
            }
        }
        break;
    case NARU_SIM_FRAME_REORDERED:
        f->flags |= REPLAY_REORDERED;
        break;
    case NARU_SIM_FRAME_DUPLICATED:
        f->flags |= REPLAY_DUPLICATED;
        f->deliveries_left = 2;
        break;
    case NARU_SIM_FRAME_CORRUPTED:
        f->flags |= REPLAY_CORRUPTED;
        break;
    default:
        break;
    }
}

static char *copy_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *s = malloc(n);
    if (s)
        memcpy(s, text, n);
    return s;
}

int naru_replay_chapter(struct naru_replay *r, const char *title, naru_time_t now)
{
    if (grow((void **)&r->chapters, &r->chapter_cap, r->chapter_count + 1, sizeof *r->chapters) < 0)
        return -ENOMEM;
    char *t = copy_text(title);
    char *text = copy_text("");
    if (!t || !text) {
        free(t);
        free(text);
        return -ENOMEM;
    }
    r->chapters[r->chapter_count++] = (struct replay_chapter){ .title = t, .text = text, .start = now };
    return 0;
}

int naru_replay_narrate(struct naru_replay *r, const char *text)
{
    if (!r->chapter_count && naru_replay_chapter(r, "", naru_sim_now(r->sim)) < 0)
        return -ENOMEM;
    struct replay_chapter *c = &r->chapters[r->chapter_count - 1];
    size_t have = strlen(c->text), add = strlen(text);
    char *s = realloc(c->text, have + add + 1);
    if (!s)
        return -ENOMEM;
    memcpy(s + have, text, add + 1);
    c->text = s;
    return 0;
}
