/* Forwarding between interfaces (RFC 1812 5.2, 5.3.1). */
#include "ip/ipv4.h"

#include "ip/icmp.h"
#include "stack.h"
#include "wire/checksum.h"

void ip_forward(struct naru_stack *stack, struct naru_iface *in, struct pbuf *pb,
                const struct ipv4_header *ip)
{
    (void)in;
    if (ip->ttl <= 1) {
        stack->counters.ip_ttl_exceeded++;
        icmp_send_error(stack, pb, ICMP_TIME_EXCEEDED, ICMP_TTL_EXCEEDED, 0);
        pbuf_free(stack, pb);
        return;
    }
    const struct route *r = route_lookup(stack, ip->dst);
    if (!r) {
        stack->counters.ip_no_route++;
        icmp_send_error(stack, pb, ICMP_DEST_UNREACHABLE, ICMP_NET_UNREACHABLE, 0);
        pbuf_free(stack, pb);
        return;
    }
    struct naru_iface *out = &stack->ifaces[r->ifindex];
    if (pb->rx_gso_size && pb->len > out->mtu) {
        /* Segments a device merged (GSO), larger than the next link: each
         * fitted the path, so "fragmentation needed" would be a lie, and
         * naru does not cut segments apart (Linux would, in software). */
        stack->counters.ip_tx_gso_dropped++;
        pbuf_free(stack, pb);
        return;
    }
    /* A checksum its sender left partial is still to be completed: by the
     * next device, or by the link layer for one that cannot. */
    if (pb->flags & PBUF_F_RX_CSUM_PARTIAL)
        pb->flags |= PBUF_F_CSUM_PARTIAL;
    if (pb->len > out->mtu && ip->dont_fragment) {
        /* RFC 1191: tell the sender the MTU of the next hop. */
        stack->counters.ip_fragment_fails++;
        icmp_send_error(stack, pb, ICMP_DEST_UNREACHABLE, ICMP_FRAGMENTATION_NEEDED, out->mtu & 0xffff);
        pbuf_free(stack, pb);
        return;
    }
    uint8_t *h = pb->data;
    if (ip->options_len) {
        /* RFC 791 3.1: a router records its outgoing address and the time;
         * options change, so the whole header is summed again. */
        ip_options_record(h + IPV4_MIN_HEADER_LEN, ip->options_len, out->addr, stack->now);
        h[8]--;
        wire_put16(h + 10, 0);
        wire_put16(h + 10, inet_checksum(h, ip->header_len));
    } else {
        /* Decrement TTL; RFC 1624 updates the checksum without summing again. */
        uint16_t old_word = wire_get16(h + 8);
        h[8]--;
        wire_put16(h + 10, inet_checksum_adjust(wire_get16(h + 10), old_word, wire_get16(h + 8)));
    }
    stack->counters.ip_forwarded++;
    ip_send_on_link(stack, out, pb, r->gateway ? r->gateway : ip->dst);
}
