#include "link/arp.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/ipv4.h"
#include "link/ethernet.h"
#include "link/iface.h"
#include "naru/addr.h"
#include "stack.h"
#include "wire/arp.h"

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

static void entry_timer_fired(struct naru_stack *stack, struct naru_timer *t);

int arp_init(struct naru_stack *stack)
{
    struct arp_table *table = &stack->arp;
    table->count = stack->config.arp_entries;
    table->entries = calloc(table->count ? table->count : 1, sizeof *table->entries);
    if (!table->entries)
        return -ENOMEM;
    for (uint32_t i = 0; i < table->count; i++)
        timer_init(&table->entries[i].timer, entry_timer_fired);
    return 0;
}

static void entry_free(struct naru_stack *stack, struct arp_entry *e)
{
    pbuf_queue_free(stack, &e->pending);
    timer_cancel(&stack->timers, &e->timer);
    e->state = ARP_FREE;
    if (stack->arp.last_hit == e)
        stack->arp.last_hit = NULL;
}

void arp_fini(struct naru_stack *stack)
{
    for (uint32_t i = 0; i < stack->arp.count; i++)
        entry_free(stack, &stack->arp.entries[i]);
    free(stack->arp.entries);
    stack->arp.entries = NULL;
}

static struct arp_entry *lookup(struct naru_stack *stack, int ifindex, uint32_t ip)
{
    struct arp_table *table = &stack->arp;
    struct arp_entry *e = table->last_hit;
    if (e && e->ip == ip && e->ifindex == ifindex)
        return e;
    for (uint32_t i = 0; i < table->count; i++) {
        e = &table->entries[i];
        if (e->state != ARP_FREE && e->ip == ip && e->ifindex == ifindex)
            return table->last_hit = e;
    }
    return NULL;
}

/* A free entry, else the least recently used one that holds no waiting
 * packets; NULL when every entry is mid-resolution. */
static struct arp_entry *entry_alloc(struct naru_stack *stack, int ifindex, uint32_t ip)
{
    struct arp_entry *victim = NULL;
    for (uint32_t i = 0; i < stack->arp.count; i++) {
        struct arp_entry *e = &stack->arp.entries[i];
        if (e->state == ARP_FREE) {
            victim = e;
            break;
        }
        if (e->state != ARP_INCOMPLETE && (!victim || e->last_used < victim->last_used))
            victim = e;
    }
    if (!victim)
        return NULL;
    entry_free(stack, victim);
    victim->ip = ip;
    victim->ifindex = (int16_t)ifindex;
    victim->requests_sent = 0;
    victim->last_used = stack->now;
    return victim;
}

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

static void send_request(struct naru_stack *stack, struct arp_entry *e)
{
    struct naru_iface *iface = iface_get(stack, e->ifindex);
    if (!iface)
        return;
    /* RFC 1122 2.3.2.1: re-validate a known neighbour with a unicast poll. */
    const uint8_t *dst = e->state == ARP_PROBE ? e->mac : broadcast_mac;
    send_arp(stack, iface, ARP_OP_REQUEST, dst, zero_mac, e->ip);
    stack->counters.arp_tx_requests++;
    e->requests_sent++;
    timer_arm(&stack->timers, &e->timer, stack->now + ARP_REQUEST_INTERVAL);
}

static void entry_timer_fired(struct naru_stack *stack, struct naru_timer *t)
{
    struct arp_entry *e = timer_owner(t, struct arp_entry, timer);
    char a[NARU_IP4_STRLEN];
    switch (e->state) {
    case ARP_INCOMPLETE:
    case ARP_PROBE:
        if (e->requests_sent < ARP_MAX_REQUESTS) {
            send_request(stack, e);
            return;
        }
        stack->counters.arp_resolution_failed += e->pending.count;
        LOG_INFO(stack, NARU_LAYER_ARP, "nobody answered for %s after %d requests; %u packet(s) dropped",
                 naru_ip4_format(e->ip, a), ARP_MAX_REQUESTS, e->pending.count);
        struct pbuf *pb;
        while ((pb = pbuf_queue_pop(&e->pending)))
            ip_neighbour_failed(stack, pb);
        entry_free(stack, e);
        return;
    case ARP_REACHABLE:
        e->state = ARP_STALE;
        timer_arm(&stack->timers, &e->timer, stack->now + ARP_STALE_TIME);
        return;
    default:
        entry_free(stack, e);
        return;
    }
}

static void entry_confirm(struct naru_stack *stack, struct naru_iface *iface, struct arp_entry *e,
                          const uint8_t mac[6])
{
    if (e->state != ARP_REACHABLE || memcmp(e->mac, mac, 6) != 0) {
        char a[NARU_IP4_STRLEN], m[NARU_MAC_STRLEN];
        LOG_INFO(stack, NARU_LAYER_ARP, "%s is at %s", naru_ip4_format(e->ip, a), naru_mac_format(mac, m));
    }
    memcpy(e->mac, mac, 6);
    e->state = ARP_REACHABLE;
    e->requests_sent = 0;
    timer_arm(&stack->timers, &e->timer, stack->now + ARP_REACHABLE_TIME);
    struct pbuf *pb;
    while ((pb = pbuf_queue_pop(&e->pending)))
        eth_output(stack, iface, pb, e->mac, ETHERTYPE_IPV4);
}

void arp_output(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, uint32_t next_hop)
{
    struct arp_entry *e = lookup(stack, iface->ifindex, next_hop);
    if (!e) {
        e = entry_alloc(stack, iface->ifindex, next_hop);
        if (!e) {
            stack->counters.arp_table_full++;
            pbuf_free(stack, pb);
            return;
        }
        char a[NARU_IP4_STRLEN];
        LOG_INFO(stack, NARU_LAYER_ARP, "who has %s? (asking the whole link)", naru_ip4_format(next_hop, a));
        e->state = ARP_INCOMPLETE;
        pbuf_queue_push(&e->pending, pb);
        send_request(stack, e);
        return;
    }
    e->last_used = stack->now;
    switch (e->state) {
    case ARP_INCOMPLETE:
        if (e->pending.count >= stack->config.arp_queue) {
            pbuf_free(stack, pbuf_queue_pop(&e->pending));
            stack->counters.arp_queue_overflow++;
        }
        pbuf_queue_push(&e->pending, pb);
        return;
    case ARP_STALE:
        e->state = ARP_PROBE;
        e->requests_sent = 0;
        send_request(stack, e);
        break;
    default:
        break;
    }
    eth_output(stack, iface, pb, e->mac, ETHERTYPE_IPV4);
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
     * learn the sender when the packet is meant for us. */
    if (p.sender_ip != 0) {
        struct arp_entry *e = lookup(stack, iface->ifindex, p.sender_ip);
        if (!e && for_us && (e = entry_alloc(stack, iface->ifindex, p.sender_ip)))
            e->state = ARP_STALE;
        if (e)
            entry_confirm(stack, iface, e, p.sender_mac);
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

int naru_arp_lookup(const struct naru_stack *stack, int ifindex, uint32_t addr, uint8_t mac[6])
{
    for (uint32_t i = 0; i < stack->arp.count; i++) {
        const struct arp_entry *e = &stack->arp.entries[i];
        if (e->ifindex == ifindex && e->ip == addr &&
            (e->state == ARP_REACHABLE || e->state == ARP_STALE || e->state == ARP_PROBE)) {
            memcpy(mac, e->mac, 6);
            return 0;
        }
    }
    return -ENOENT;
}
