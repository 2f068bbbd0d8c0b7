#include "link/ethernet.h"

#include "ip/ipv4.h"
#include "ip/ipv6.h"
#include "link/arp.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "naru/addr.h"
#include "stack.h"

static const uint8_t broadcast_mac[ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void eth_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    struct eth_header eth;
    if (eth_parse(pb->data, pb->len, &eth) < 0) {
        stack->counters.link_rx_malformed++;
        goto drop;
    }
    if (eth.vlan_tagged) {
        stack->counters.link_rx_vlan_tagged++;
        goto drop;
    }
    /* RFC 2464 7: IPv6 multicast arrives at 33:33:xx:xx:xx:xx; which
     * groups we joined, IPv6 input decides. */
    bool ipv6_multicast = eth.dst[0] == 0x33 && eth.dst[1] == 0x33 && eth.ethertype == ETHERTYPE_IPV6;
    if (memcmp(eth.dst, iface->mac, ETH_ADDR_LEN) != 0 && !eth_is_broadcast(eth.dst) && !ipv6_multicast) {
        if (eth_is_multicast(eth.dst))
            stack->counters.link_rx_multicast++;
        else
            stack->counters.link_rx_not_for_us++;
        goto drop;
    }
    if (eth_is_broadcast(eth.dst) || ipv6_multicast)
        pb->flags |= PBUF_F_LINK_BROADCAST;
    pbuf_pull(pb, eth.header_len);
    switch (eth.ethertype) {
    case ETHERTYPE_IPV4:
        ip_input(stack, iface, pb);
        return;
    case ETHERTYPE_ARP:
        arp_input(stack, iface, pb);
        return;
    case ETHERTYPE_IPV6:
        if (!stack->config.ipv6) {
            stack->counters.ip6_rx_disabled++;
            break;
        }
        ipv6_input(stack, iface, pb);
        return;
    default:
        stack->counters.link_rx_unknown_ethertype++;
        break;
    }
drop:
    pbuf_free(stack, pb);
}

void eth_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                const uint8_t dst[ETH_ADDR_LEN], uint16_t ethertype)
{
    uint8_t *h = pbuf_push(pb, ETH_HEADER_LEN);
    if (!h) {
        pbuf_free(stack, pb);
        return;
    }
    memcpy(h, dst, ETH_ADDR_LEN);
    memcpy(h + ETH_ADDR_LEN, iface->mac, ETH_ADDR_LEN);
    wire_put16(h + 12, ethertype);
    iface_transmit(stack, iface, pb);
}

void eth_output_ip(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                   const struct naru_addr *next_hop)
{
    if (next_hop->family == NARU_AF_INET6) {
        if (next_hop->v6[0] == 0xff) {
            uint8_t dst[ETH_ADDR_LEN];
            eth_ipv6_multicast_mac(next_hop->v6, dst);
            eth_output(stack, iface, pb, dst, ETHERTYPE_IPV6);
            return;
        }
    } else if (iface_is_broadcast(iface, next_hop->v4)) {
        eth_output(stack, iface, pb, broadcast_mac, ETHERTYPE_IPV4);
        return;
    }
    neighbour_output(stack, iface, pb, next_hop);
}
