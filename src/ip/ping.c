#include "ip/ping.h"

#include "ip/icmp.h"
#include "ip/ipv4.h"
#include "wire/icmpv6.h"
#include "stack.h"

void ping_input(struct naru_stack *stack, struct pbuf *pb, const struct ip_info *ip, uint16_t id)
{
    struct sock *s = sock_lookup(stack, NARU_SOCK_PING, &ip->dst, id, &ip->src, 0);
    if (!s) {
        pbuf_free(stack, pb);
        return;
    }
    ip_addr_copy(&pb->meta_addr, &ip->src);
    pb->meta_port = id;
    pb->meta_ttl = ip->ttl;
    pb->meta_time = stack->now;
    sock_queue_datagram(stack, s, pb);
}

/* ICMPv6 echo (RFC 4443 4.1), as Linux's SOCK_DGRAM/IPPROTO_ICMPV6: the
 * checksum covers the pseudo-header, so the source is chosen first. */
static long ping6_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len,
                         const struct sock_addr *to)
{
    const uint8_t *req = data;
    if (len < ICMPV6_HEADER_LEN || len > IPV6_MAX_PAYLOAD || req[0] != ICMPV6_ECHO_REQUEST || req[1] != 0)
        return -EINVAL;
    struct naru_addr src = s->local.addr;
    if (src.family != NARU_AF_INET6) {
        int err = ip_select_source_scoped(stack, &to->addr, to->scope_id, &src);
        if (err < 0)
            return err;
    }
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, len);
    if (!pb)
        return -ENOBUFS;
    memcpy(pb->data, data, len);
    struct icmpv6_message m = { .type = ICMPV6_ECHO_REQUEST,
                                .rest = icmpv6_echo_rest(s->local.port, wire_get16(req + 6)) };
    icmpv6_emit(&m, src.v6, to->addr.v6, pb->data, pb->len);
    stack->counters.icmp6_tx++;
    stack->counters.icmp6_tx_echo_requests++;
    struct ip_send send = { .src = &src, .dst = &to->addr, .protocol = IP_PROTO_ICMPV6,
                            .ttl = sock_ttl_for(s, NARU_AF_INET6),
                            .iface = ip_scope_iface(stack, &to->addr, to->scope_id) };
    int err = ip_output(stack, pb, &send);
    return err < 0 ? err : (long)len;
}

long ping_output(struct naru_stack *stack, struct sock *s, const void *data, size_t len, const struct sock_addr *to)
{
    if (to->addr.family == NARU_AF_INET6)
        return ping6_output(stack, s, data, len, to);
    if (to->addr.family != NARU_AF_INET)
        return to->addr.family == NARU_AF_UNSPEC ? -EINVAL : -EAFNOSUPPORT;
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
    struct ip_send send = { .src = &s->local.addr, .dst = &to->addr, .protocol = IP_PROTO_ICMP, .ttl = s->ttl };
    int err = ip_output(stack, pb, &send);
    return err < 0 ? err : (long)len;
}

void ping_icmp_error(struct naru_stack *stack, const struct ip_error *e)
{
    const uint8_t *q = e->quoted;
    if (q[0] != (e->src.family == NARU_AF_INET6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST))
        return;
    uint16_t id = wire_get16(q + 4);
    struct sock *s = sock_lookup(stack, NARU_SOCK_PING, &e->src, id, &e->dst, 0);
    if (!s)
        return;
    struct sock_error se = {
        .offender = e->offender, .type = e->type, .code = e->code,
        .dst = { .addr = e->dst, .port = wire_get16(q + 6) }, .when = stack->now,
    };
    sock_queue_error(stack, s, &se);
}
