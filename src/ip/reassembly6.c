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
    return fragment_table_init(&stack->reassembly6, stack->config.reassembly_datagrams,
                               sizeof(struct reassembly6_slot), slot_timed_out);
}

void reassembly6_fini(struct naru_stack *stack)
{
    fragment_table_fini(stack, &stack->reassembly6);
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
    memcpy(out + n, s->common.buffer->base + PAYLOAD_OFFSET, data);
    n += data;
    wire_put16(out + 4, (uint16_t)(s->unfragmentable_len - IPV6_HEADER_LEN + IPV6_FRAGMENT_HEADER_LEN + s->first_len));
    return n;
}

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t)
{
    struct reassembly6_slot *s = (struct reassembly6_slot *)timer_owner(t, struct fragment_slot, timer);
    stack->counters.ip6_reasm_timeouts++;
    char a[IPV6_ADDR_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "gave up reassembling packet %u from %s: %u bytes arrived", s->id,
             ipv6_addr_format(s->src, a), s->common.received);
    /* RFC 8200 4.5: time exceeded code 1, only if the first fragment came. */
    if (s->unfragmentable_len) {
        uint8_t quote[ICMPV6_ERROR_MAX_QUOTE];
        size_t n = rebuild_first_fragment(s, quote, sizeof quote);
        icmpv6_send_error_quoting(stack, quote, n, 0, ICMPV6_TIME_EXCEEDED, ICMPV6_REASSEMBLY_TIME_EXCEEDED, 0);
    }
    fragment_slot_free(stack, &s->common);
}

struct packet_key {
    const struct ipv6_header *h;
    uint32_t id;
};

/* RFC 8200 4.5: a packet is known by source, destination and identification. */
static bool same_packet(const struct fragment_slot *slot, const void *key)
{
    const struct reassembly6_slot *s = (const struct reassembly6_slot *)slot;
    const struct packet_key *k = key;
    return s->id == k->id && memcmp(s->src, k->h->src, 16) == 0 && memcmp(s->dst, k->h->dst, 16) == 0;
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
    bool fresh;
    struct packet_key key = { h, c->frag.identification };
    struct reassembly6_slot *s = (struct reassembly6_slot *)fragment_table_find_or_start(
        stack, &stack->reassembly6, same_packet, &key, REASSEMBLY6_TIMEOUT, &stack->counters.ip6_reasm_evicted,
        &fresh);
    if (!s) {
        pbuf_free(stack, pb);
        return NULL;
    }
    if (fresh) {
        s->id = key.id;
        memcpy(s->src, h->src, 16);
        memcpy(s->dst, h->dst, 16);
        s->unfragmentable_len = 0;
        s->first_len = 0;
    }
    switch (fragment_slot_take(&s->common, start, end, c->frag.more, pb->data + data_at, PAYLOAD_OFFSET)) {
    case FRAGMENT_DUPLICATE:
        pbuf_free(stack, pb);
        return NULL;
    case FRAGMENT_OVERLAP:
        stack->counters.ip6_reasm_overlaps++;
        goto discard;
    case FRAGMENT_TOO_MANY:
    case FRAGMENT_MALFORMED:
        stack->counters.ip6_reasm_malformed++;
        goto discard;
    case FRAGMENT_PLACED:
        break;
    }
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
    uint32_t total_len = s->common.total_len;
    if (!total_len || s->common.received != total_len || !s->unfragmentable_len)
        return NULL;
    if (s->unfragmentable_len - IPV6_HEADER_LEN + total_len > IPV6_MAX_PAYLOAD) {
        stack->counters.ip6_reasm_malformed++;
        fragment_slot_free(stack, &s->common);
        return NULL;
    }

    /* Complete: the unfragmentable part in front, its last Next Header
     * now naming what the fragment header named, the length the whole's. */
    struct pbuf *whole = s->common.buffer;
    whole->data = whole->base + PAYLOAD_OFFSET - s->unfragmentable_len;
    whole->len = s->unfragmentable_len + total_len;
    memcpy(whole->data, s->unfragmentable, s->unfragmentable_len);
    whole->data[fragment_next_header_pointer(whole->data, s->unfragmentable_len)] = s->next_header;
    wire_put16(whole->data + 4, (uint16_t)(whole->len - IPV6_HEADER_LEN));
    pbuf_mark_network_header(whole);
    whole->flags = flags;
    whole->ifindex = ifindex;
    s->common.buffer = NULL;
    fragment_slot_free(stack, &s->common);
    stack->counters.ip6_reasm_ok++;
    return whole;

discard:
    pbuf_free(stack, pb);
    fragment_slot_free(stack, &s->common);
    return NULL;
}
