#include "link/arp.h"

#include "core/log.h"
#include "ip/ipv4.h"
#include "link/ethernet.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "naru/addr.h"
#include "stack.h"
#include "wire/arp.h"

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

static void send_arp(struct naru_stack *stack, struct naru_iface *iface, uint16_t op,
                     const uint8_t eth_dst[6], const uint8_t target_mac[6], uint32_t target_ip)
{
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, ARP_PACKET_LEN);
    if (!pb)
        return;
    struct arp_packet p = { .op = op, .sender_ip = iface->addr, .target_ip = target_ip };
    memcpy(p.sender_mac, iface->mac, 6);
    memcpy(p.target_mac, target_mac, 6);
    arp_emit(&p, pb->data, pb->len);
    eth_output(stack, iface, pb, eth_dst, ETHERTYPE_ARP);
}

static void solicit(struct naru_stack *stack, struct naru_iface *iface, const struct neighbour *n,
                    const uint8_t *unicast)
{
    /* RFC 1122 2.3.2.1: re-validate a known neighbour with a unicast poll. */
    send_arp(stack, iface, ARP_OP_REQUEST, unicast ? unicast : broadcast_mac, zero_mac, n->addr.v4);
    stack->counters.arp_tx_requests++;
}

static void count_drop(struct naru_stack *stack, enum neighbour_drop why, uint32_t count)
{
    switch (why) {
    case NEIGH_DROP_QUEUE_FULL:
        stack->counters.arp_queue_overflow += count;
        break;
    case NEIGH_DROP_UNANSWERED:
        stack->counters.arp_resolution_failed += count;
        break;
    case NEIGH_DROP_TABLE_FULL:
        stack->counters.arp_table_full += count;
        break;
    case NEIGH_DROP_INCOMPLETE_FULL:
        stack->counters.arp_incomplete_full += count;
        break;
    }
}

/* Linux's ARP timings on RFC 4861's states (net.ipv4.neigh defaults:
 * retrans_time 1 s, 3 broadcast and 3 unicast probes, delay_first_probe_time
 * 5 s, gc_staletime 60 s), but for the reachable time, which is not
 * randomised (a seed replays the same frames). */
static const struct neighbour_ops arp_ops = {
    .ethertype = ETHERTYPE_IPV4,
    .layer = NARU_LAYER_ARP,
    .max_multicast = ARP_MAX_REQUESTS,
    .max_unicast = ARP_MAX_REQUESTS,
    .retrans_time = ARP_REQUEST_INTERVAL,
    .reachable_time = ARP_REACHABLE_TIME,
    .delay_first_probe = ARP_DELAY_FIRST_PROBE,
    .stale_time = ARP_STALE_TIME,
    .solicit = solicit,
    .unreachable = ip_neighbour_failed,
    .count_drop = count_drop,
};

void arp_init(struct naru_stack *stack)
{
    neighbour_set_ops(stack, NARU_AF_INET, &arp_ops);
}

void arp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    struct arp_packet p;
    stack->counters.arp_rx++;
    if (arp_parse(pb->data, pb->len, &p) < 0 || (p.op != ARP_OP_REQUEST && p.op != ARP_OP_REPLY) ||
        eth_is_multicast(p.sender_mac)) {
        stack->counters.arp_rx_malformed++;
        goto done;
    }
    if (p.op == ARP_OP_REQUEST)
        stack->counters.arp_rx_requests++;
    else
        stack->counters.arp_rx_replies++;
    if (iface->addr && p.sender_ip == iface->addr) {
        if (memcmp(p.sender_mac, iface->mac, 6) != 0)
            stack->counters.arp_address_conflicts++;
        goto done;
    }
    bool for_us = iface->addr && p.target_ip == iface->addr;
    /* RFC 826 "Packet Reception": update an entry we have (merge), and
     * learn the sender when the packet is meant for us. Either way the
     * neighbour is confirmed: it has just spoken. */
    if (p.sender_ip != 0) {
        struct naru_addr sender = naru_addr_v4(p.sender_ip);
        struct neighbour *n = neighbour_find(stack, iface->ifindex, &sender);
        if (!n && for_us)
            n = neighbour_create(stack, iface->ifindex, &sender);
        if (n)
            neighbour_update(stack, iface, n, p.sender_mac, true);
    }
    if (p.op == ARP_OP_REQUEST && for_us) {
        /* Answer in place: the request's sender becomes the target. */
        struct arp_packet reply = { .op = ARP_OP_REPLY, .sender_ip = iface->addr, .target_ip = p.sender_ip };
        memcpy(reply.sender_mac, iface->mac, 6);
        memcpy(reply.target_mac, p.sender_mac, 6);
        arp_emit(&reply, pb->data, pb->len);
        pbuf_trim(pb, ARP_PACKET_LEN);
        stack->counters.arp_tx_replies++;
        eth_output(stack, iface, pb, p.sender_mac, ETHERTYPE_ARP);
        return;
    }
done:
    pbuf_free(stack, pb);
}

void arp_announce(struct naru_stack *stack, struct naru_iface *iface)
{
    send_arp(stack, iface, ARP_OP_REQUEST, broadcast_mac, zero_mac, iface->addr);
    stack->counters.arp_tx_gratuitous++;
}
