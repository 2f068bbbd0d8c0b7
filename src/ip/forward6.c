/* Forwarding (RFC 8200 3; RFC 4443 2.4 and 3 for the errors): the hop
 * limit, scope (RFC 4291 2.5.6: link-local addresses stay on their link),
 * and "packet too big" where IPv4 would fragment: routers never cut IPv6
 * packets (RFC 8200 5). */
#include "ip/icmpv6.h"
#include "ip/ipv6.h"
#include "ip/redirect.h"
#include "link/ethernet.h"
#include "stack.h"

void ipv6_forward(struct naru_stack *stack, struct naru_iface *in, struct pbuf *pb, const struct ipv6_header *h)
{
    if (ipv6_addr_is_link_local(h->dst) || ipv6_addr_is_unspecified(h->src)) {
        stack->counters.ip6_forward_scope_errors++;
        goto drop;
    }
    if (h->hop_limit <= 1) {
        stack->counters.ip6_hop_limit_exceeded++;
        icmpv6_send_error(stack, pb, ICMPV6_TIME_EXCEEDED, ICMPV6_HOP_LIMIT_EXCEEDED, 0);
        goto drop;
    }
    const struct route6 *r = route6_lookup(stack, h->dst);
    if (!r) {
        stack->counters.ip6_no_route++;
        icmpv6_send_error(stack, pb, ICMPV6_DEST_UNREACHABLE, ICMPV6_NO_ROUTE, 0);
        goto drop;
    }
    struct naru_iface *out = &stack->ifaces[r->ifindex];
    if (!out->up) {
        stack->counters.ip6_no_route++;
        icmpv6_send_error(stack, pb, ICMPV6_DEST_UNREACHABLE, ICMPV6_NO_ROUTE, 0);
        goto drop;
    }
    /* RFC 4007 9: a link-local source does not leave its link. */
    if (ipv6_addr_is_link_local(h->src) && out != in) {
        stack->counters.ip6_forward_scope_errors++;
        icmpv6_send_error(stack, pb, ICMPV6_DEST_UNREACHABLE, ICMPV6_BEYOND_SCOPE, 0);
        goto drop;
    }
    if (pb->len > out->mtu) {
        stack->counters.ip6_tx_too_big++;
        icmpv6_send_error(stack, pb, ICMPV6_PACKET_TOO_BIG, 0, out->mtu);
        goto drop;
    }
    struct naru_addr next_hop = { .family = NARU_AF_INET6 };
    memcpy(next_hop.v6, h->dst, 16);
    if (r->gateway.family == NARU_AF_INET6)
        next_hop = r->gateway;
    /* RFC 4861 8.2: back out of the link it came in on, the packet had a
     * better first hop than us; tell its sender (redirect_send checks
     * that it is a neighbour, and the rate), and forward it all the same.
     * The sender's MAC address is in the frame's header, before pb->data. */
    if (out == in && memcmp(next_hop.v6, h->src, 16) != 0 && pb->data - pb->base >= ETH_HEADER_LEN) {
        uint8_t target_mac[ETH_ADDR_LEN];
        bool known = naru_neighbour_lookup(stack, out->ifindex, &next_hop, target_mac) == 0;
        redirect_send(stack, in, pb->data - ETH_HEADER_LEN + ETH_ADDR_LEN, pb->data, pb->len, next_hop.v6,
                      known ? target_mac : NULL);
    }
    pb->data[7] = (uint8_t)(h->hop_limit - 1); /* no header checksum to mend */
    /* A checksum its sender left partial is still to be completed: by the
     * next device, or by the link layer for one that cannot (as IPv4's). */
    pb->flags = pb->flags & PBUF_F_RX_CSUM_PARTIAL ? PBUF_F_CSUM_PARTIAL : 0;
    stack->counters.ip6_forwarded++;
    eth_output_ip(stack, out, pb, &next_hop);
    return;
drop:
    pbuf_free(stack, pb);
}
