#include "ip/reassembly.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/icmp.h"
#include "naru/addr.h"
#include "stack.h"

/* Room for the rebuilt header in front of the payload. */
#define PAYLOAD_OFFSET (PBUF_HEADROOM + IPV4_MAX_HEADER_LEN)

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t);

int reassembly_init(struct naru_stack *stack)
{
    struct reassembly *r = &stack->reassembly;
    r->count = stack->config.reassembly_datagrams;
    r->slots = calloc(r->count ? r->count : 1, sizeof *r->slots);
    if (!r->slots)
        return -ENOMEM;
    for (uint32_t i = 0; i < r->count; i++)
        timer_init(&r->slots[i].timer, slot_timed_out);
    return 0;
}

static void slot_free(struct naru_stack *stack, struct reassembly_slot *s)
{
    pbuf_free(stack, s->buffer);
    timer_cancel(&stack->timers, &s->timer);
    s->buffer = NULL;
    s->used = false;
}

void reassembly_fini(struct naru_stack *stack)
{
    for (uint32_t i = 0; i < stack->reassembly.count; i++)
        if (stack->reassembly.slots[i].used)
            slot_free(stack, &stack->reassembly.slots[i]);
    free(stack->reassembly.slots);
    stack->reassembly.slots = NULL;
}

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t)
{
    struct reassembly_slot *s = timer_owner(t, struct reassembly_slot, timer);
    stack->counters.ip_reasm_timeouts++;
    char a[NARU_IP4_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "gave up reassembling datagram %u from %s: %u of %s bytes arrived",
             s->id, naru_ip4_format(s->src, a), s->received, s->total_len ? "the" : "unknown");
    /* RFC 1122 3.3.2: time exceeded, but only if fragment zero arrived
     * (it holds the header and the first 8 bytes to quote). */
    if (s->first_header_len) {
        uint8_t quote[IPV4_MAX_HEADER_LEN + 8];
        uint32_t data = s->received < 8 ? s->received : 8;
        memcpy(quote, s->first_header, s->first_header_len);
        memcpy(quote + s->first_header_len, s->buffer->base + PAYLOAD_OFFSET, data);
        icmp_send_error_quoting(stack, quote, s->first_header_len + data, 0, ICMP_TIME_EXCEEDED,
                                ICMP_REASSEMBLY_TIME_EXCEEDED, 0);
    }
    slot_free(stack, s);
}

static struct reassembly_slot *find_or_start(struct naru_stack *stack, const struct ipv4_header *ip)
{
    struct reassembly *r = &stack->reassembly;
    struct reassembly_slot *free_slot = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < r->count; i++) {
        struct reassembly_slot *s = &r->slots[i];
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        /* RFC 791: a datagram is known by source, destination, protocol and ID. */
        if (s->id == ip->id && s->src == ip->src && s->dst == ip->dst && s->protocol == ip->protocol)
            return s;
        if (!oldest || s->started < oldest->started)
            oldest = s;
    }
    struct reassembly_slot *s = free_slot;
    if (!s) {
        if (!oldest)
            return NULL;
        stack->counters.ip_reasm_evicted++;
        slot_free(stack, oldest);
        s = oldest;
    }
    s->buffer = pbuf_alloc(stack, 0, PBUF_LARGE_SIZE);
    if (!s->buffer)
        return NULL;
    s->used = true;
    s->id = ip->id;
    s->src = ip->src;
    s->dst = ip->dst;
    s->protocol = ip->protocol;
    s->started = stack->now;
    s->first_header_len = 0;
    s->total_len = 0;
    s->received = 0;
    s->ranges.count = 0;
    timer_arm(&stack->timers, &s->timer, stack->now + stack->config.reassembly_timeout);
    return s;
}

struct pbuf *ip_reassemble(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip)
{
    stack->counters.ip_reasm_fragments++;
    uint32_t len = ip->total_len - ip->header_len;
    uint32_t start = ip->fragment_offset, end = start + len;
    /* RFC 791: every fragment but the last carries a multiple of 8 bytes. */
    if (len == 0 || (ip->more_fragments && len % 8 != 0)) {
        stack->counters.ip_reasm_malformed++;
        pbuf_free(stack, pb);
        return NULL;
    }
    struct reassembly_slot *s = find_or_start(stack, ip);
    if (!s) {
        pbuf_free(stack, pb);
        return NULL;
    }
    bool bad_end = (s->total_len && end > s->total_len) ||
                   (!ip->more_fragments && s->total_len && end != s->total_len) ||
                   (!ip->more_fragments && end < fragment_ranges_end(&s->ranges));
    if (bad_end) {
        stack->counters.ip_reasm_malformed++;
        goto poison;
    }
    switch (fragment_ranges_place(&s->ranges, (uint16_t)start, (uint16_t)end)) {
    case FRAGMENT_DUPLICATE:
        pbuf_free(stack, pb);
        return NULL;
    case FRAGMENT_OVERLAP:
        stack->counters.ip_reasm_overlaps++;
        goto poison;
    case FRAGMENT_TOO_MANY:
        stack->counters.ip_reasm_malformed++;
        goto poison;
    case FRAGMENT_PLACED:
        break;
    }
    memcpy(s->buffer->base + PAYLOAD_OFFSET + start, pb->data + ip->header_len, len);
    s->received += len;
    if (!ip->more_fragments)
        s->total_len = end;
    if (start == 0) {
        memcpy(s->first_header, pb->data, ip->header_len);
        s->first_header_len = ip->header_len;
    }
    uint8_t flags = pb->flags;
    int16_t ifindex = pb->ifindex;
    pbuf_free(stack, pb);
    if (!s->total_len || s->received != s->total_len || !s->first_header_len)
        return NULL;
    if (s->first_header_len + s->total_len > IPV4_MAX_DATAGRAM) {
        stack->counters.ip_reasm_malformed++;
        slot_free(stack, s);
        return NULL;
    }

    /* Complete: fragments are disjoint and their sizes add up to the whole.
     * Rebuild fragment zero's header in front of the payload. */
    struct pbuf *whole = s->buffer;
    struct ipv4_header h;
    ipv4_parse_quoted(s->first_header, s->first_header_len, &h);
    h.total_len = (uint16_t)(s->first_header_len + s->total_len);
    h.more_fragments = false;
    h.fragment_offset = 0;
    whole->data = whole->base + PAYLOAD_OFFSET - s->first_header_len;
    whole->len = h.total_len;
    ipv4_emit(&h, whole->data, s->first_header_len);
    pbuf_mark_network_header(whole);
    whole->flags = flags;
    whole->ifindex = ifindex;
    s->buffer = NULL;
    slot_free(stack, s);
    stack->counters.ip_reasm_ok++;
    return whole;

poison:
    pbuf_free(stack, pb);
    slot_free(stack, s);
    return NULL;
}
