/* Fragmentation on output (RFC 791 3.2, "Fragmentation"). */
#include "ip/ipv4.h"

#include "link/ethernet.h"
#include "stack.h"

int ip_fragment(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, uint32_t next_hop)
{
    struct ipv4_header h;
    if (ipv4_parse_quoted(pb->data, pb->len, &h) < 0 || h.total_len != pb->len) {
        pbuf_free(stack, pb);
        return -EINVAL;
    }
    /* Later fragments carry only the options marked "copied". */
    uint8_t later_options[IPV4_MAX_HEADER_LEN];
    size_t later_options_len = ipv4_options_for_fragment(h.options, h.options_len, later_options);
    const uint8_t *payload = pb->data + h.header_len;
    size_t payload_len = pb->len - h.header_len;
    bool more_after = h.more_fragments;
    uint16_t base_offset = h.fragment_offset;
    size_t offset = 0;
    int err = 0;

    stack->counters.ip_fragmented++;
    while (offset < payload_len) {
        struct ipv4_header f = h;
        if (offset > 0) {
            f.options = later_options;
            f.options_len = (uint8_t)later_options_len;
        }
        size_t hl = ipv4_header_len_for(f.options_len);
        size_t room = (iface->mtu - hl) & ~(size_t)7; /* offsets count 8-byte units */
        size_t chunk = payload_len - offset < room ? payload_len - offset : room;
        struct pbuf *frag = pbuf_alloc(stack, PBUF_HEADROOM, hl + chunk);
        if (!frag) {
            err = -ENOBUFS;
            break;
        }
        f.total_len = (uint16_t)(hl + chunk);
        f.fragment_offset = (uint16_t)(base_offset + offset);
        f.more_fragments = more_after || offset + chunk < payload_len;
        ipv4_emit(&f, frag->data, hl);
        memcpy(frag->data + hl, payload + offset, chunk);
        pbuf_mark_network_header(frag);
        stack->counters.ip_fragments_created++;
        struct naru_addr nh;
        ip_addr_set_v4(&nh, next_hop);
        eth_output_ip(stack, iface, frag, &nh);
        offset += chunk;
    }
    pbuf_free(stack, pb);
    return err;
}
