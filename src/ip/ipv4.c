#include "ip/ipv4.h"

#include "ip/icmp.h"
#include "ip/ipv6.h"
#include "ip/reassembly.h"
#include "link/ethernet.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "udp/udp.h"


static void count_parse_error(struct naru_stack *stack, int err)
{
    switch (err) {
    case WIRE_BAD_CHECKSUM:
        stack->counters.ip_rx_checksum_errors++;
        break;
    case WIRE_BAD_LENGTH:
    case WIRE_TRUNCATED:
        stack->counters.ip_rx_length_errors++;
        break;
    default:
        stack->counters.ip_rx_header_errors++;
        break;
    }
}

/* RFC 1122 3.2.1.3: a source that cannot be a single host is dropped; so
 * is our own address arriving from the wire (a loop or a spoof; Linux's
 * "martian source"). iface is NULL for our own datagrams looped back. */
static bool source_is_martian(const struct naru_stack *stack, const struct naru_iface *iface, uint32_t src)
{
    return src == 0xffffffffu || ip_is_multicast(src) || ip_is_loopback(src) ||
           (iface && (iface_is_broadcast(iface, src) || iface_owns_addr(stack, src)));
}

/* What the transports learn of a datagram. */
static inline void fill_info(struct ip_info *info, const struct naru_iface *iface, const struct pbuf *pb,
                             const struct ipv4_header *ip)
{
    ip_addr_set_v4(&info->src, ip->src);
    ip_addr_set_v4(&info->dst, ip->dst);
    info->ttl = ip->ttl;
    info->tos = ip->tos;
    info->ifindex = (int16_t)(iface ? iface->ifindex : -1);
    info->broadcast = (pb->flags & (PBUF_F_IP_BROADCAST | PBUF_F_LINK_BROADCAST)) != 0;
    info->multicast = ip_is_multicast(ip->dst);
}

static void deliver(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                    const struct ipv4_header *ip)
{
    stack->counters.ip_rx_delivered++;
    pbuf_pull(pb, ip->header_len);
    struct ip_info info;
    switch (ip->protocol) {
    case IP_PROTO_ICMP:
        icmp_input(stack, iface, pb, ip);
        return;
    case IP_PROTO_UDP:
        fill_info(&info, iface, pb, ip);
        udp_input(stack, pb, &info);
        return;
    case IP_PROTO_TCP:
        fill_info(&info, iface, pb, ip);
        tcp_input(stack, pb, &info);
        return;
    default:
        stack->counters.ip_rx_unknown_protocol++;
        icmp_send_error(stack, pb, ICMP_DEST_UNREACHABLE, ICMP_PROTOCOL_UNREACHABLE, 0);
        pbuf_free(stack, pb);
        return;
    }
}

void ip_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    struct ipv4_header ip;
    stack->counters.ip_rx++;
    int hl = ipv4_parse(pb->data, pb->len, &ip);
    if (hl < 0) {
        count_parse_error(stack, hl);
        goto drop;
    }
    pbuf_trim(pb, ip.total_len); /* Ethernet pads short frames */
    pbuf_mark_network_header(pb);
    if (!partial_checksum_past(pb, (size_t)hl)) {
        stack->counters.link_rx_offload_errors++;
        goto drop;
    }
    if (source_is_martian(stack, iface, ip.src)) {
        stack->counters.ip_rx_address_errors++;
        goto drop;
    }
    bool broadcast = iface && iface_is_broadcast(iface, ip.dst);
    if (broadcast)
        pb->flags |= PBUF_F_IP_BROADCAST;
    if (!broadcast && !iface_owns_addr(stack, ip.dst)) {
        if (stack->config.forwarding && iface && !(pb->flags & PBUF_F_LINK_BROADCAST) &&
            !ip_is_multicast(ip.dst)) {
            ip_forward(stack, iface, pb, &ip);
            return;
        }
        stack->counters.ip_rx_not_for_us++;
        goto drop;
    }
    if (ipv4_is_fragment(&ip)) {
        pb = ip_reassemble(stack, pb, &ip);
        if (!pb)
            return;
        if (ipv4_parse(pb->data, pb->len, &ip) < 0)
            goto drop; /* cannot happen: reassembly writes a valid header */
    }
    deliver(stack, iface, pb, &ip);
    return;
drop:
    pbuf_free(stack, pb);
}

int ipv4_select_source(const struct naru_stack *stack, uint32_t dst, uint32_t *src)
{
    if (iface_owns_addr(stack, dst)) {
        *src = dst;
        return 0;
    }
    const struct route *r = route_lookup(stack, dst);
    if (!r)
        return -ENETUNREACH;
    *src = stack->ifaces[r->ifindex].addr;
    return 0;
}

int ip_send_on_link(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, uint32_t next_hop)
{
    if (pb->gso_size && pb->len > iface->mtu) {
        /* TCP segments merged in one datagram (GSO): only a device that
         * cuts them apart again may take it; fragments would be wrong. */
        if (!iface_takes_gso(iface, pb->len)) {
            stack->counters.ip_tx_gso_dropped++;
            pbuf_free(stack, pb);
            return -EMSGSIZE;
        }
        struct naru_addr nh;
        ip_addr_set_v4(&nh, next_hop);
        eth_output_ip(stack, iface, pb, &nh);
        return 0;
    }
    if (pb->len > iface->mtu) {
        iface_checksum_complete(pb); /* fragments carry no offload state */
        return ip_fragment(stack, iface, pb, next_hop);
    }
    struct naru_addr nh;
    ip_addr_set_v4(&nh, next_hop);
    eth_output_ip(stack, iface, pb, &nh);
    return 0;
}

int ipv4_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send)
{
    uint32_t dst = send->dst->v4;
    uint32_t src = send->src && send->src->family == NARU_AF_INET ? send->src->v4 : 0;
    bool to_self = iface_owns_addr(stack, dst);
    const struct route *r = to_self ? NULL : route_lookup(stack, dst);
    if (!to_self && !r) {
        stack->counters.ip_no_route++;
        pbuf_free(stack, pb);
        return -ENETUNREACH;
    }
    struct naru_iface *iface = r ? &stack->ifaces[r->ifindex] : NULL;
    size_t hl = ipv4_header_len_for(send->options_len);
    struct ipv4_header h = {
        .tos = send->tos,
        .total_len = (uint16_t)(pb->len + hl),
        .id = stack->ip_next_id++,
        .dont_fragment = send->dont_fragment,
        .ttl = send->ttl ? send->ttl : stack->config.default_ttl,
        .protocol = send->protocol,
        .src = src ? src : (iface ? iface->addr : dst),
        .dst = dst,
        .options = send->options,
        .options_len = send->options_len,
    };
    if (pb->len + hl > IPV4_MAX_DATAGRAM || send->options_len > IPV4_MAX_HEADER_LEN - IPV4_MIN_HEADER_LEN) {
        pbuf_free(stack, pb);
        return -EMSGSIZE;
    }
    uint8_t *p = pbuf_push(pb, hl);
    if (!p) {
        pbuf_free(stack, pb);
        return -ENOBUFS;
    }
    uint8_t options[IPV4_MAX_HEADER_LEN - IPV4_MIN_HEADER_LEN];
    if (send->options_len) {
        /* RFC 791: a host records itself in the route as it sends, too. */
        memcpy(options, send->options, send->options_len);
        ip_options_record(options, send->options_len, h.src, stack->now);
        h.options = options;
    }
    ipv4_emit(&h, p, hl);
    pbuf_mark_network_header(pb);
    stack->counters.ip_tx++;
    if (to_self)
        return ip_loopback(stack, pb);
    if (pb->len > iface->mtu && send->dont_fragment && !pb->gso_size) {
        stack->counters.ip_fragment_fails++;
        pbuf_free(stack, pb);
        return -EMSGSIZE;
    }
    return ip_send_on_link(stack, iface, pb, r->gateway ? r->gateway : dst);
}

void ip_neighbour_failed(struct naru_stack *stack, struct pbuf *pb)
{
    icmp_send_error(stack, pb, ICMP_DEST_UNREACHABLE, ICMP_HOST_UNREACHABLE, 0);
    pbuf_free(stack, pb);
}

void ip_loopback_run(struct naru_stack *stack)
{
    /* Only what is queued now: replies to these wait for the next run. */
    uint32_t n = stack->loopback.count;
    while (n--) {
        struct pbuf *pb = pbuf_queue_pop(&stack->loopback);
        if ((pb->data[0] >> 4) == 6)
            ipv6_input(stack, NULL, pb);
        else
            ip_input(stack, NULL, pb);
    }
}
