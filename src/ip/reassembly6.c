#include "ip/reassembly6.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/icmpv6.h"
#include "stack.h"

/* Room for the unfragmentable part in front of the fragmentable one,
 * whose 65535 bytes at most must still fit the buffer. */
#define PAYLOAD_OFFSET (PBUF_HEADROOM + 64)
_Static_assert(PAYLOAD_OFFSET >= REASSEMBLY6_MAX_UNFRAGMENTABLE, "the unfragmentable part fits in front");
_Static_assert(PAYLOAD_OFFSET + IPV6_MAX_PAYLOAD <= PBUF_LARGE_SIZE, "the largest packet fits the buffer");

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t);

int reassembly6_init(struct naru_stack *stack)
{
    struct reassembly6 *r = &stack->reassembly6;
    r->count = stack->config.reassembly_datagrams;
    r->slots = calloc(r->count ? r->count : 1, sizeof *r->slots);
    if (!r->slots)
        return -ENOMEM;
    for (uint32_t i = 0; i < r->count; i++)
        timer_init(&r->slots[i].timer, slot_timed_out);
    return 0;
}

static void slot_free(struct naru_stack *stack, struct reassembly6_slot *s)
{
    pbuf_free(stack, s->buffer);
    timer_cancel(&stack->timers, &s->timer);
    s->buffer = NULL;
    s->used = false;
}

void reassembly6_fini(struct naru_stack *stack)
{
    struct reassembly6 *r = &stack->reassembly6;
    if (!r->slots)
        return;
    for (uint32_t i = 0; i < r->count; i++)
        if (r->slots[i].used)
            slot_free(stack, &r->slots[i]);
    free(r->slots);
    r->slots = NULL;
}

/* The first fragment as it came: the unfragmentable part, a fragment
 * header, and its data (at most what an error quotes). */
static size_t rebuild_first_fragment(const struct reassembly6_slot *s, uint8_t *out, size_t cap)
{
    size_t n = s->unfragmentable_len;
    memcpy(out, s->unfragmentable, n);
    struct ipv6_fragment f = { .offset = 0, .more = true, .identification = s->id };
    ipv6_fragment_emit(s->next_header, &f, out + n, IPV6_FRAGMENT_HEADER_LEN);
    n += IPV6_FRAGMENT_HEADER_LEN;
    size_t data = s->first_len < cap - n ? s->first_len : cap - n;
    memcpy(out + n, s->buffer->base + PAYLOAD_OFFSET, data);
    n += data;
    wire_put16(out + 4, (uint16_t)(s->unfragmentable_len - IPV6_HEADER_LEN + IPV6_FRAGMENT_HEADER_LEN + s->first_len));
    return n;
}

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t)
{
    struct reassembly6_slot *s = timer_owner(t, struct reassembly6_slot, timer);
    stack->counters.ip6_reasm_timeouts++;
    char a[IPV6_ADDR_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "gave up reassembling packet %u from %s: %u bytes arrived", s->id,
             ipv6_addr_format(s->src, a), s->received);
    /* RFC 8200 4.5: time exceeded code 1, only if the first fragment came. */
    if (s->unfragmentable_len) {
        uint8_t quote[ICMPV6_ERROR_MAX_QUOTE];
        size_t n = rebuild_first_fragment(s, quote, sizeof quote);
        icmpv6_send_error_quoting(stack, quote, n, 0, ICMPV6_TIME_EXCEEDED, ICMPV6_REASSEMBLY_TIME_EXCEEDED, 0);
    }
    slot_free(stack, s);
}

static struct reassembly6_slot *find_or_start(struct naru_stack *stack, const struct ipv6_header *h, uint32_t id)
{
    struct reassembly6 *r = &stack->reassembly6;
    struct reassembly6_slot *free_slot = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < r->count; i++) {
        struct reassembly6_slot *s = &r->slots[i];
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        /* RFC 8200 4.5: a packet is known by source, destination and identification. */
        if (s->id == id && memcmp(s->src, h->src, 16) == 0 && memcmp(s->dst, h->dst, 16) == 0)
            return s;
        if (!oldest || s->started < oldest->started)
            oldest = s;
    }
    struct reassembly6_slot *s = free_slot;
    if (!s) {
        if (!oldest)
            return NULL;
        stack->counters.ip6_reasm_evicted++;
        slot_free(stack, oldest);
        s = oldest;
    }
    s->buffer = pbuf_alloc(stack, 0, PBUF_LARGE_SIZE);
    if (!s->buffer)
        return NULL;
    s->used = true;
    s->id = id;
    memcpy(s->src, h->src, 16);
    memcpy(s->dst, h->dst, 16);
    s->started = stack->now;
    s->unfragmentable_len = 0;
    s->first_len = 0;
    s->total_len = 0;
    s->received = 0;
    s->ranges.count = 0;
    timer_arm(&stack->timers, &s->timer, stack->now + REASSEMBLY6_TIMEOUT);
    return s;
}

/* The Next Header field that names the fragment header, in an
 * unfragmentable part the chain walk has already checked. */
static size_t fragment_next_header_pointer(const uint8_t *p, size_t unfragmentable_len)
{
    size_t pointer = 6, at = IPV6_HEADER_LEN;
    uint8_t nh = p[6];
    while (at < unfragmentable_len && nh != IP_PROTO_FRAGMENT) {
        pointer = at;
        nh = p[at];
        at += ((size_t)p[at + 1] + 1) * 8; /* hop-by-hop, routing, destination options */
    }
    return pointer;
}

struct pbuf *ipv6_reassemble(struct naru_stack *stack, struct pbuf *pb, const struct ipv6_header *h,
                             const struct ipv6_chain *c)
{
    stack->counters.ip6_reasm_fragments++;
    size_t data_at = c->fragment_pointer + IPV6_FRAGMENT_HEADER_LEN;
    uint32_t len = (uint32_t)(pb->len - data_at);
    uint32_t start = c->frag.offset, end = start + len;
    if (len == 0 || c->fragment_pointer > REASSEMBLY6_MAX_UNFRAGMENTABLE) {
        stack->counters.ip6_reasm_malformed++;
        pbuf_free(stack, pb);
        return NULL;
    }
    struct reassembly6_slot *s = find_or_start(stack, h, c->frag.identification);
    if (!s) {
        pbuf_free(stack, pb);
        return NULL;
    }
    bool bad_end = (s->total_len && end > s->total_len) ||
                   (!c->frag.more && s->total_len && end != s->total_len) ||
                   (!c->frag.more && end < fragment_ranges_end(&s->ranges));
    if (bad_end) {
        stack->counters.ip6_reasm_malformed++;
        goto discard;
    }
    switch (fragment_ranges_place(&s->ranges, (uint16_t)start, (uint16_t)end)) {
    case FRAGMENT_DUPLICATE:
        pbuf_free(stack, pb);
        return NULL;
    case FRAGMENT_OVERLAP:
        stack->counters.ip6_reasm_overlaps++;
        goto discard;
    case FRAGMENT_TOO_MANY:
        stack->counters.ip6_reasm_malformed++;
        goto discard;
    case FRAGMENT_PLACED:
        break;
    }
    memcpy(s->buffer->base + PAYLOAD_OFFSET + start, pb->data + data_at, len);
    s->received += len;
    if (!c->frag.more)
        s->total_len = end;
    if (start == 0) {
        /* RFC 8200 4.5: the unfragmentable part and the Next Header of
         * the fragmentable one come from the first fragment. */
        memcpy(s->unfragmentable, pb->data, c->fragment_pointer);
        s->unfragmentable_len = (uint16_t)c->fragment_pointer;
        s->next_header = pb->data[c->fragment_pointer];
        s->first_len = (uint16_t)len;
    }
    uint8_t flags = pb->flags;
    int16_t ifindex = pb->ifindex;
    pbuf_free(stack, pb);
    if (!s->total_len || s->received != s->total_len || !s->unfragmentable_len)
        return NULL;
    if (s->unfragmentable_len - IPV6_HEADER_LEN + s->total_len > IPV6_MAX_PAYLOAD) {
        stack->counters.ip6_reasm_malformed++;
        slot_free(stack, s);
        return NULL;
    }

    /* Complete: the unfragmentable part in front, its last Next Header
     * now naming what the fragment header named, the length the whole's. */
    struct pbuf *whole = s->buffer;
    whole->data = whole->base + PAYLOAD_OFFSET - s->unfragmentable_len;
    whole->len = s->unfragmentable_len + s->total_len;
    memcpy(whole->data, s->unfragmentable, s->unfragmentable_len);
    whole->data[fragment_next_header_pointer(whole->data, s->unfragmentable_len)] = s->next_header;
    wire_put16(whole->data + 4, (uint16_t)(whole->len - IPV6_HEADER_LEN));
    pbuf_mark_network_header(whole);
    whole->flags = flags;
    whole->ifindex = ifindex;
    s->buffer = NULL;
    slot_free(stack, s);
    stack->counters.ip6_reasm_ok++;
    return whole;

discard:
    pbuf_free(stack, pb);
    slot_free(stack, s);
    return NULL;
}
