#include "ip/ping.h"

#include "ip/icmp.h"
#include "ip/ipv4.h"
#include "stack.h"

void ping_input(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip,
                const struct icmp_message *m)
{
    struct sock *s = sock_lookup(stack, NARU_SOCK_PING, ip->dst, icmp_echo_id(m), ip->src, 0);
    if (!s) {
        pbuf_free(stack, pb);
        return;
    }
    pb->meta_addr = ip->src;
    pb->meta_port = icmp_echo_id(m);
    pb->meta_ttl = ip->ttl;
    pb->meta_time = stack->now;
    sock_queue_datagram(stack, s, pb);
}

long ping_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len,
                 const struct naru_sockaddr *to)
{
    if (len < ICMP_HEADER_LEN || len > 65535 - IPV4_MIN_HEADER_LEN)
        return -EINVAL;
    const uint8_t *req = data;
    if (req[0] != ICMP_ECHO_REQUEST || req[1] != 0)
        return -EINVAL;
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, len);
    if (!pb)
        return -ENOBUFS;
    memcpy(pb->data, data, len);
    struct icmp_message m = { .type = ICMP_ECHO_REQUEST,
                              .rest = icmp_echo_rest(s->local.port, wire_get16(req + 6)) };
    icmp_emit(&m, pb->data, pb->len);
    stack->counters.icmp_tx++;
    stack->counters.icmp_tx_echo_requests++;
    struct ip_send send = { .src = s->local.addr, .dst = to->addr, .protocol = IP_PROTO_ICMP, .ttl = s->ttl };
    int err = ip_output(stack, pb, &send);
    return err < 0 ? err : (long)len;
}

void ping_icmp_error(struct naru_stack *stack, const struct icmp_message *m, uint32_t offender)
{
    const uint8_t *q = m->quoted_payload;
    if (q[0] != ICMP_ECHO_REQUEST)
        return;
    uint16_t id = wire_get16(q + 4);
    struct sock *s = sock_lookup(stack, NARU_SOCK_PING, m->quoted_ip.src, id, m->quoted_ip.dst, 0);
    if (!s)
        return;
    struct naru_icmp_error e = {
        .offender = offender, .type = m->type, .code = m->code,
        .dst = { .addr = m->quoted_ip.dst, .port = wire_get16(q + 6) }, .when = stack->now,
    };
    sock_queue_error(stack, s, &e);
}
