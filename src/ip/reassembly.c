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
    return fragment_table_init(&stack->reassembly, stack->config.reassembly_datagrams,
                               sizeof(struct reassembly_slot), slot_timed_out);
}

void reassembly_fini(struct naru_stack *stack)
{
    fragment_table_fini(stack, &stack->reassembly);
}

static void slot_timed_out(struct naru_stack *stack, struct naru_timer *t)
{
    struct reassembly_slot *s = (struct reassembly_slot *)timer_owner(t, struct fragment_slot, timer);
    stack->counters.ip_reasm_timeouts++;
    char a[NARU_IP4_STRLEN];
    LOG_INFO(stack, NARU_LAYER_IP, "gave up reassembling datagram %u from %s: %u of %s bytes arrived",
             s->id, naru_ip4_format(s->src, a), s->common.received, s->common.total_len ? "the" : "unknown");
    /* RFC 1122 3.3.2: time exceeded, but only if fragment zero arrived
     * (it holds the header and the first 8 bytes to quote). */
    if (s->first_header_len) {
        uint8_t quote[IPV4_MAX_HEADER_LEN + 8];
        uint32_t data = s->common.received < 8 ? s->common.received : 8;
        memcpy(quote, s->first_header, s->first_header_len);
        memcpy(quote + s->first_header_len, s->common.buffer->base + PAYLOAD_OFFSET, data);
        icmp_send_error_quoting(stack, quote, s->first_header_len + data, 0, ICMP_TIME_EXCEEDED,
                                ICMP_REASSEMBLY_TIME_EXCEEDED, 0);
    }
    fragment_slot_free(stack, &s->common);
}

/* RFC 791: a datagram is known by source, destination, protocol and ID. */
static bool same_datagram(const struct fragment_slot *slot, const void *key)
{
    const struct reassembly_slot *s = (const struct reassembly_slot *)slot;
    const struct ipv4_header *ip = key;
    return s->id == ip->id && s->src == ip->src && s->dst == ip->dst && s->protocol == ip->protocol;
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
    bool fresh;
    struct reassembly_slot *s = (struct reassembly_slot *)fragment_table_find_or_start(
        stack, &stack->reassembly, same_datagram, ip, stack->config.reassembly_timeout,
        &stack->counters.ip_reasm_evicted, &fresh);
    if (!s) {
        pbuf_free(stack, pb);
        return NULL;
    }
    if (fresh) {
        s->id = ip->id;
        s->src = ip->src;
        s->dst = ip->dst;
        s->protocol = ip->protocol;
        s->first_header_len = 0;
    }
    switch (fragment_slot_take(&s->common, start, end, ip->more_fragments, pb->data + ip->header_len,
                               PAYLOAD_OFFSET)) {
    case FRAGMENT_DUPLICATE:
        pbuf_free(stack, pb);
        return NULL;
    case FRAGMENT_OVERLAP:
        stack->counters.ip_reasm_overlaps++;
        goto poison;
    case FRAGMENT_TOO_MANY:
    case FRAGMENT_MALFORMED:
        stack->counters.ip_reasm_malformed++;
        goto poison;
    case FRAGMENT_PLACED:
        break;
    }
    if (start == 0) {
        memcpy(s->first_header, pb->data, ip->header_len);
        s->first_header_len = ip->header_len;
    }
    uint8_t flags = pb->flags;
    int16_t ifindex = pb->ifindex;
    pbuf_free(stack, pb);
    uint32_t total_len = s->common.total_len;
    if (!total_len || s->common.received != total_len || !s->first_header_len)
        return NULL;
    if (s->first_header_len + total_len > IPV4_MAX_DATAGRAM) {
        stack->counters.ip_reasm_malformed++;
        fragment_slot_free(stack, &s->common);
        return NULL;
    }

    /* Complete: fragments are disjoint and their sizes add up to the whole.
     * Rebuild fragment zero's header in front of the payload. */
    struct pbuf *whole = s->common.buffer;
    struct ipv4_header h;
    ipv4_parse_quoted(s->first_header, s->first_header_len, &h);
    h.total_len = (uint16_t)(s->first_header_len + total_len);
    h.more_fragments = false;
    h.fragment_offset = 0;
    whole->data = whole->base + PAYLOAD_OFFSET - s->first_header_len;
    whole->len = h.total_len;
    ipv4_emit(&h, whole->data, s->first_header_len);
    pbuf_mark_network_header(whole);
    whole->flags = flags;
    whole->ifindex = ifindex;
    s->common.buffer = NULL;
    fragment_slot_free(stack, &s->common);
    stack->counters.ip_reasm_ok++;
    return whole;

poison:
    pbuf_free(stack, pb);
    fragment_slot_free(stack, &s->common);
    return NULL;
}
