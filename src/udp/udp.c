#include "udp/udp.h"

#include "ip/icmp.h"
#include "ip/ipv4.h"
#include "stack.h"
#include "wire/udp.h"

void udp_input(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip)
{
    struct udp_header h;
    stack->counters.udp_rx++;
    /* A checksum the link vouches for (offload) is not summed again. */
    int err = pbuf_checksum_trusted(pb, UDP_CHECKSUM_OFFSET) ? udp_parse_header(pb->data, pb->len, &h)
                                                             : udp_parse(pb->data, pb->len, ip->src, ip->dst, &h);
    if (err < 0) {
        stack->counters.udp_rx_malformed++;
        pbuf_free(stack, pb);
        return;
    }
    struct sock *s = sock_lookup(stack, NARU_SOCK_DGRAM, ip->dst, h.dst_port, ip->src, h.src_port);
    if (!s) {
        /* RFC 1122 4.1.3.1: a closed port answers port unreachable. */
        stack->counters.udp_rx_no_port++;
        icmp_send_error(stack, pb, ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE, 0);
        pbuf_free(stack, pb);
        return;
    }
    pbuf_trim(pb, h.length);
    pbuf_pull(pb, UDP_HEADER_LEN);
    pb->meta_addr = ip->src;
    pb->meta_port = h.src_port;
    pb->meta_ttl = ip->ttl;
    pb->meta_time = stack->now;
    if (!sock_queue_datagram(stack, s, pb))
        stack->counters.udp_rx_queue_full++;
}

long udp_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len,
                const struct naru_sockaddr *to)
{
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    if (to->addr == 0 || to->port == 0)
        return -EINVAL;
    uint32_t src = s->local.addr;
    if (!src) {
        int err = ip_select_source(stack, to->addr, &src);
        if (err < 0)
            return err;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, UDP_HEADER_LEN + len);
    if (!pb)
        return -ENOBUFS;
    memcpy(pb->data + UDP_HEADER_LEN, data, len);
    struct udp_header h = { .src_port = s->local.port, .dst_port = to->port };
    udp_emit(&h, src, to->addr, pb->data, pb->len);
    stack->counters.udp_tx++;
    struct ip_send send = { .src = src, .dst = to->addr, .protocol = IP_PROTO_UDP, .ttl = s->ttl };
    int err = ip_output(stack, pb, &send);
    return err < 0 ? err : (long)len;
}

void udp_icmp_error(struct naru_stack *stack, const struct icmp_message *m, uint32_t offender)
{
    const uint8_t *q = m->quoted_payload; /* icmp_parse guarantees 8 bytes */
    uint16_t sport = wire_get16(q), dport = wire_get16(q + 2);
    struct sock *s = sock_lookup(stack, NARU_SOCK_DGRAM, m->quoted_ip.src, sport, m->quoted_ip.dst, dport);
    if (!s)
        return;
    struct naru_icmp_error e = {
        .offender = offender, .type = m->type, .code = m->code,
        .dst = { .addr = m->quoted_ip.dst, .port = dport }, .when = stack->now,
    };
    sock_queue_error(stack, s, &e);
    /* Like Linux: a connected socket learns of hard errors on its next call. */
    if (s->connected && m->type == ICMP_DEST_UNREACHABLE && m->code != ICMP_FRAGMENTATION_NEEDED) {
        s->error = m->code == ICMP_PORT_UNREACHABLE ? -ECONNREFUSED : -EHOSTUNREACH;
        sock_notify(stack, s);
    }
}
