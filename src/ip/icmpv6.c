#include "ip/icmpv6.h"

#include "core/log.h"
#include "ip/ipv6.h"
#include "ip/mld.h"
#include "ip/ndp.h"
#include "ip/ndp_router.h"
#include "ip/ping.h"
#include "stack.h"

static void set_v6(struct naru_addr *a, const uint8_t v6[16])
{
    a->family = NARU_AF_INET6;
    memcpy(a->v6, v6, 16);
}

/* RFC 4443 4.2: the reply carries the request's identifier, sequence and
 * data back; to a multicast request it comes from one of our unicast
 * addresses (Linux answers those, as icmpv6_echo_ignore_multicast is off). */
static void echo_reply(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                       const struct ipv6_header *h, struct icmpv6_message *m)
{
    stack->counters.icmp6_rx_echo_requests++;
    struct naru_addr src, dst;
    set_v6(&dst, h->src);
    if (ipv6_addr_is_multicast(h->dst)) {
        src.family = NARU_AF_INET6;
        if (ipv6_select_source(stack, iface, h->src, src.v6) < 0) {
            pbuf_free(stack, pb);
            return;
        }
    } else {
        set_v6(&src, h->dst);
    }
    m->type = ICMPV6_ECHO_REPLY;
    m->code = 0;
    icmpv6_emit(m, src.v6, dst.v6, pb->data, pb->len);
    struct ip_send send = { .src = &src, .dst = &dst, .protocol = IP_PROTO_ICMPV6, .tos = h->traffic_class,
                            .iface = iface };
    stack->counters.icmp6_tx++;
    stack->counters.icmp6_tx_echo_replies++;
    ip_output(stack, pb, &send);
}

/* What an error means to a socket, as Linux's icmpv6_err_convert has it. */
static int error_meaning(const struct icmpv6_message *m)
{
    switch (m->type) {
    case ICMPV6_DEST_UNREACHABLE:
        switch (m->code) {
        case ICMPV6_NO_ROUTE:
            return -ENETUNREACH;
        case ICMPV6_PORT_UNREACHABLE:
            return -ECONNREFUSED;
        case ICMPV6_ADMIN_PROHIBITED:
        case ICMPV6_SOURCE_POLICY_FAILED:
        case ICMPV6_REJECT_ROUTE:
            return -EACCES;
        default:
            return -EHOSTUNREACH;
        }
    case ICMPV6_PACKET_TOO_BIG:
        return -EMSGSIZE;
    case ICMPV6_PARAMETER_PROBLEM:
        return m->code == ICMPV6_UNRECOGNIZED_NEXT_HEADER ? -ENOPROTOOPT : -EPROTO;
    default:
        return -EHOSTUNREACH;
    }
}

/* Hand an error to whoever sent the packet it quotes: one of ours, whose
 * header chain the quote holds up to 8 bytes of the transport header. */
static void report_error(struct naru_stack *stack, const struct ipv6_header *h, const struct icmpv6_message *m)
{
    struct ipv6_chain qc;
    if (!iface_owns_addr6(stack, m->quoted_ip.src) && !ipv6_addr_is_loopback(m->quoted_ip.src))
        return;
    if (ipv6_walk_chain(m->quoted, m->quoted_len, &qc) < 0 || qc.upper_offset + 8 > m->quoted_len ||
        (qc.fragment && qc.frag.offset != 0))
        return;
    const uint8_t *q = m->quoted + qc.upper_offset;
    struct ip_error e = {
        .protocol = qc.upper_protocol,
        .type = m->type,
        .code = m->code,
        .unreachable = m->type == ICMPV6_DEST_UNREACHABLE ||
                       (m->type == ICMPV6_PARAMETER_PROBLEM && m->code == ICMPV6_UNRECOGNIZED_NEXT_HEADER),
        .err = error_meaning(m),
        .mtu = m->type == ICMPV6_PACKET_TOO_BIG ? m->rest : 0,
        .src_port = wire_get16(q),
        .dst_port = wire_get16(q + 2),
        .quoted = q,
        .quoted_len = m->quoted_len - qc.upper_offset,
    };
    set_v6(&e.offender, h->src);
    set_v6(&e.src, m->quoted_ip.src);
    set_v6(&e.dst, m->quoted_ip.dst);
    /* RFC 8201 4: the path is narrower. TCP checks the quote is of a
     * segment in flight first (RFC 8201 5.2, RFC 5927); the others have
     * nothing to check it against and take it, as Linux does. */
    if (m->type == ICMPV6_PACKET_TOO_BIG && e.protocol != IP_PROTO_TCP)
        pmtu_update(stack, &e.dst, e.mtu);
    ip_error_deliver(stack, &e);
}

void icmpv6_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const struct ipv6_header *h,
                  const struct ipv6_chain *c)
{
    struct icmpv6_message m;
    stack->counters.icmp6_rx++;
    if (icmpv6_parse(pb->data, pb->len, h->src, h->dst, &m) < 0) {
        stack->counters.icmp6_rx_malformed++;
        pbuf_free(stack, pb);
        return;
    }
    /* RFC 4443 2.4 (d): only echo and the errors answer to the
     * unspecified source's absence; the rest is Neighbour Discovery's. */
    switch (m.type) {
    case ICMPV6_ECHO_REQUEST:
        if (ipv6_addr_is_unspecified(h->src))
            break;
        echo_reply(stack, iface, pb, h, &m);
        return;
    case ICMPV6_ECHO_REPLY: {
        stack->counters.icmp6_rx_echo_replies++;
        struct ip_info info = {
            .ttl = h->hop_limit,
            .tos = h->traffic_class,
            .ifindex = (int16_t)(iface ? iface->ifindex : -1),
            .multicast = ipv6_addr_is_multicast(h->dst),
        };
        set_v6(&info.src, h->src);
        set_v6(&info.dst, h->dst);
        ping_input(stack, pb, &info, icmpv6_echo_id(&m));
        return;
    }
    case ICMPV6_DEST_UNREACHABLE:
        stack->counters.icmp6_rx_dest_unreachable++;
        report_error(stack, h, &m);
        break;
    case ICMPV6_PACKET_TOO_BIG:
        stack->counters.icmp6_rx_packet_too_big++;
        report_error(stack, h, &m);
        break;
    case ICMPV6_TIME_EXCEEDED:
        stack->counters.icmp6_rx_time_exceeded++;
        report_error(stack, h, &m);
        break;
    case ICMPV6_PARAMETER_PROBLEM:
        stack->counters.icmp6_rx_param_problems++;
        report_error(stack, h, &m);
        break;
    case ICMPV6_ROUTER_SOLICIT:
    case ICMPV6_ROUTER_ADVERT:
    case ICMPV6_NEIGHBOR_SOLICIT:
    case ICMPV6_NEIGHBOR_ADVERT:
    case ICMPV6_REDIRECT:
        if (iface)
            ndp_input(stack, iface, pb, h, c);
        break;
    case ICMPV6_MLD_QUERY:
    case ICMPV6_MLD_V1_REPORT:
    case ICMPV6_MLD_V1_DONE:
    case ICMPV6_MLD_V2_REPORT:
        if (iface)
            mld_input(stack, iface, h, c, pb->data, pb->len);
        break;
    default:
        stack->counters.icmp6_rx_other++; /* RFC 4443 2.4 (b): unknown informational ones are dropped */
        break;
    }
    pbuf_free(stack, pb);
}

/* Is the packet an ICMPv6 error, or one we cannot tell is not (RFC 4443
 * 2.4 (e.1))? The chain is followed whatever its headers hold: an error
 * is often about the very header that makes this one an error too. */
static bool is_about_error(const uint8_t *p, size_t len)
{
    if (len < IPV6_HEADER_LEN)
        return true;
    uint8_t nh = p[6];
    size_t at = IPV6_HEADER_LEN;
    for (;;) {
        if (nh == IP_PROTO_ICMPV6)
            return at >= len || icmpv6_is_error(p[at]);
        if (nh != IP_PROTO_HOPOPTS && nh != IP_PROTO_ROUTING && nh != IP_PROTO_DSTOPTS && nh != IP_PROTO_FRAGMENT &&
            nh != IP_PROTO_AH)
            return false;
        if (len - at < 8)
            return true;
        if (nh == IP_PROTO_FRAGMENT && (wire_get16(p + at + 2) & 0xfff8) != 0)
            return false; /* a later fragment: what follows is data */
        size_t hlen = nh == IP_PROTO_FRAGMENT ? 8 : nh == IP_PROTO_AH ? ((size_t)p[at + 1] + 2) * 4
                                                                      : ((size_t)p[at + 1] + 1) * 8;
        nh = p[at];
        if (hlen > len - at)
            return true;
        at += hlen;
    }
}

/* iface: where the packet came in, and so where the error goes back
 * (a link-local sender is only reachable there); NULL if not known. */
static void send_error(struct naru_stack *stack, struct naru_iface *iface, const uint8_t *packet, size_t len,
                       uint8_t pbuf_flags, uint8_t type, uint8_t code, uint32_t rest)
{
    struct ipv6_header orig;
    if (ipv6_parse_quoted(packet, len, &orig) < 0)
        return;
    /* RFC 4443 2.4 (e): never about an error, nor about a packet to a
     * multicast group or sent as link-layer multicast, but for packet too
     * big and an unknown option's parameter problem (code 2); never to a
     * source that is not one node. */
    bool group = ipv6_addr_is_multicast(orig.dst) || (pbuf_flags & PBUF_F_LINK_BROADCAST);
    bool group_allowed = type == ICMPV6_PACKET_TOO_BIG ||
                         (type == ICMPV6_PARAMETER_PROBLEM && code == ICMPV6_UNRECOGNIZED_OPTION);
    /* RFC 7112 5: a first fragment whose chain is cut short is answered,
     * though the chain cannot be followed to see it is no error (as Linux:
     * only what can be seen to be an error is spared one). */
    bool incomplete_chain = type == ICMPV6_PARAMETER_PROBLEM && code == ICMPV6_INCOMPLETE_HEADER_CHAIN;
    if ((group && !group_allowed) || ipv6_addr_is_unspecified(orig.src) || ipv6_addr_is_multicast(orig.src) ||
        (!incomplete_chain && is_about_error(packet, len))) {
        stack->counters.icmp6_tx_suppressed++;
        return;
    }
    if (!icmp_rate_allows(stack, &stack->icmp6)) {
        stack->counters.icmp6_tx_rate_limited++;
        return;
    }
    /* RFC 4443 2.2: from the address the packet was sent to if it was one
     * of ours (unicast), else the address of the interface it leaves by. */
    struct naru_addr src = { .family = NARU_AF_INET6 }, dst = { .family = NARU_AF_INET6 };
    memcpy(dst.v6, orig.src, 16);
    if (!ipv6_addr_is_multicast(orig.dst) && (iface_owns_addr6(stack, orig.dst) || ipv6_addr_is_loopback(orig.dst)))
        memcpy(src.v6, orig.dst, 16);
    else if (iface ? ipv6_select_source(stack, iface, orig.src, src.v6) < 0
                   : ipv6_select_source_to(stack, orig.src, src.v6) < 0)
        return;
    size_t quote = len < ICMPV6_ERROR_MAX_QUOTE ? len : ICMPV6_ERROR_MAX_QUOTE;
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, ICMPV6_HEADER_LEN + quote);
    if (!pb)
        return;
    icmpv6_error_emit(type, code, rest, packet, quote, src.v6, dst.v6, pb->data, pb->len);
    stack->counters.icmp6_tx++;
    stack->counters.icmp6_tx_errors++;
    char a[IPV6_ADDR_STRLEN];
    LOG_DEBUG(stack, NARU_LAYER_ICMP, "ICMPv6 error type %u code %u to %s", type, code,
              ipv6_addr_format(orig.src, a));
    struct ip_send send = { .src = &src, .dst = &dst, .protocol = IP_PROTO_ICMPV6, .iface = iface };
    ip_output(stack, pb, &send);
}

void icmpv6_send_error_quoting(struct naru_stack *stack, const uint8_t *packet, size_t len, uint8_t pbuf_flags,
                               uint8_t type, uint8_t code, uint32_t rest)
{
    send_error(stack, NULL, packet, len, pbuf_flags, type, code, rest);
}

void icmpv6_send_error(struct naru_stack *stack, const struct pbuf *original, uint8_t type, uint8_t code,
                       uint32_t rest)
{
    const uint8_t *p = pbuf_network_header(original);
    size_t len = (size_t)(original->data + original->len - p);
    send_error(stack, iface_get(stack, original->ifindex), p, len, original->flags, type, code, rest);
}
