#include "udp/udp.h"

#include "ip/ip.h"
#include "stack.h"
#include "wire/udp.h"

void udp_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip)
{
    struct udp_header h;
    stack->counters.udp_rx++;
    /* A checksum the link vouches for (offload) is not summed again. */
    int err = pbuf_checksum_trusted(pb, UDP_CHECKSUM_OFFSET)
                  ? udp_parse_header(pb->data, pb->len, &h)
                  : udp_parse_pseudo(pb->data, pb->len, ip_pseudo_sum(&ip->src, &ip->dst, IP_PROTO_UDP), &h);
    /* RFC 8200 8.1: over IPv6 the checksum is not optional. */
    if (err >= 0 && h.checksum == 0 && ip->dst.family == NARU_AF_INET6)
        err = WIRE_BAD_CHECKSUM;
    if (err < 0) {
        stack->counters.udp_rx_malformed++;
        pbuf_free(stack, pb);
        return;
    }
    struct sock *s = sock_lookup(stack, NARU_SOCK_DGRAM, &ip->dst, h.dst_port, &ip->src, h.src_port);
    if (!s) {
        /* RFC 1122 4.1.3.1: a closed port answers port unreachable. */
        stack->counters.udp_rx_no_port++;
        ip_send_port_unreachable(stack, pb);
        pbuf_free(stack, pb);
        return;
    }
    pbuf_trim(pb, h.length);
    pbuf_pull(pb, UDP_HEADER_LEN);
    ip_addr_copy(&pb->meta_addr, &ip->src);
    pb->meta_port = h.src_port;
    pb->meta_ttl = ip->ttl;
    pb->meta_time = stack->now;
    if (!sock_queue_datagram(stack, s, pb))
        stack->counters.udp_rx_queue_full++;
}

long udp_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len, const struct sock_addr *to)
{
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    if (sock_addr_is_wildcard(&to->addr) || to->port == 0)
        return -EINVAL;
    const struct naru_addr *src = &s->local.addr;
    struct naru_addr chosen;
    if (sock_addr_is_wildcard(src)) {
        int err = ip_select_source_scoped(stack, &to->addr, to->scope_id, &chosen);
        if (err < 0)
            return err;
        src = &chosen;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, UDP_HEADER_LEN + len);
    if (!pb)
        return -ENOBUFS;
    memcpy(pb->data + UDP_HEADER_LEN, data, len);
    struct udp_header h = { .src_port = s->local.port, .dst_port = to->port };
    udp_emit_pseudo(&h, ip_pseudo_sum(src, &to->addr, IP_PROTO_UDP), pb->data, pb->len);
    stack->counters.udp_tx++;
    struct ip_send send = { .src = src, .dst = &to->addr, .protocol = IP_PROTO_UDP,
                            .ttl = sock_ttl_for(s, to->addr.family),
                            .iface = ip_scope_iface(stack, &to->addr, to->scope_id) };
    int err = ip_output(stack, pb, &send);
    return err < 0 ? err : (long)len;
}

void udp_icmp_error(struct naru_stack *stack, const struct ip_error *e)
{
    struct sock *s = sock_lookup(stack, NARU_SOCK_DGRAM, &e->src, e->src_port, &e->dst, e->dst_port);
    if (!s)
        return;
    struct sock_error se = {
        .offender = e->offender, .type = e->type, .code = e->code,
        .dst = { .addr = e->dst, .port = e->dst_port }, .when = stack->now,
    };
    sock_queue_error(stack, s, &se);
    /* Like Linux: a connected socket learns of hard errors on its next call. */
    if (s->connected && e->unreachable && e->err != -EMSGSIZE) {
        s->error = e->err == -ECONNREFUSED ? -ECONNREFUSED : -EHOSTUNREACH;
        sock_notify(stack, s);
    }
}
