/* Source fragmentation (RFC 8200 4.5): only the node that made a packet
 * cuts it, with a fragment header after the unfragmentable part (the IPv6
 * header and a hop-by-hop header, the only one naru puts before it). */
#include "core/random.h"
#include "ip/ipv6.h"
#include "link/ethernet.h"
#include "stack.h"

int ipv6_fragment(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                  const struct naru_addr *next_hop, uint32_t mtu)
{
    const uint8_t *p = pb->data;
    size_t unfragmentable = IPV6_HEADER_LEN, nh_pointer = 6;
    if (p[6] == IP_PROTO_HOPOPTS && pb->len >= IPV6_HEADER_LEN + 2) {
        nh_pointer = IPV6_HEADER_LEN;
        unfragmentable += ((size_t)p[IPV6_HEADER_LEN + 1] + 1) * 8;
    }
    /* Each fragment's data a multiple of 8 bytes, all of it within mtu. */
    size_t chunk = (mtu - unfragmentable - IPV6_FRAGMENT_HEADER_LEN) & ~(size_t)7;
    if (unfragmentable >= pb->len || mtu < unfragmentable + IPV6_FRAGMENT_HEADER_LEN + 8) {
        pbuf_free(stack, pb);
        return -EMSGSIZE;
    }
    /* RFC 7739: an unpredictable identification. */
    struct ipv6_fragment f = { .identification = random_u32(&stack->random) };
    uint8_t next_header = p[nh_pointer];
    size_t total = pb->len - unfragmentable;
    stack->counters.ip6_fragmented++;
    int err = 0;
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        struct pbuf *frag = pbuf_alloc(stack, PBUF_HEADROOM, unfragmentable + IPV6_FRAGMENT_HEADER_LEN + n);
        if (!frag) {
            err = -ENOBUFS;
            break;
        }
        uint8_t *q = frag->data;
        memcpy(q, p, unfragmentable);
        q[nh_pointer] = IP_PROTO_FRAGMENT;
        wire_put16(q + 4, (uint16_t)(frag->len - IPV6_HEADER_LEN));
        f.offset = (uint16_t)off;
        f.more = off + n < total;
        ipv6_fragment_emit(next_header, &f, q + unfragmentable, IPV6_FRAGMENT_HEADER_LEN);
        memcpy(q + unfragmentable + IPV6_FRAGMENT_HEADER_LEN, p + unfragmentable + off, n);
        pbuf_mark_network_header(frag);
        stack->counters.ip6_fragments_created++;
        eth_output_ip(stack, iface, frag, next_hop);
    }
    pbuf_free(stack, pb);
    return err;
}
