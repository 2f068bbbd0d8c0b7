#include "ip/icmp.h"

#include "core/log.h"
#include "ip/ipv4.h"
#include "ip/ping.h"
#include "naru/addr.h"
#include "stack.h"

/* RFC 1812 4.3.2.3: quote as much as fits in a 576-byte datagram. */
#define ICMP_QUOTE_MAX (576 - IPV4_MIN_HEADER_LEN - ICMP_HEADER_LEN)

static void echo_reply(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip,
                       struct icmp_message *m)
{
    stack->counters.icmp_rx_echo_requests++;
    /* Linux's icmp_echo_ignore_broadcasts: a smurf amplifier helps nobody. */
    if (pb->flags & (PBUF_F_IP_BROADCAST | PBUF_F_LINK_BROADCAST)) {
        pbuf_free(stack, pb);
        return;
    }
    m->type = ICMP_ECHO_REPLY;
    m->code = 0;
    icmp_emit(m, pb->data, pb->len); /* same id, sequence and data */
    /* RFC 1122 3.2.2.6: Record Route and Timestamp come back in the reply. */
    uint8_t options[IPV4_MAX_HEADER_LEN - IPV4_MIN_HEADER_LEN];
    size_t options_len = ip_options_for_reply(ip->options, ip->options_len, options);
    struct naru_addr src = naru_addr_v4(ip->dst), dst = naru_addr_v4(ip->src);
    struct ip_send send = { .src = &src, .dst = &dst, .protocol = IP_PROTO_ICMP, .tos = ip->tos,
                            .options = options, .options_len = (uint8_t)options_len };
    stack->counters.icmp_tx++;
    stack->counters.icmp_tx_echo_replies++;
    ip_output(stack, pb, &send);
}

/* What an error means to a socket, as Linux's icmp_err_convert has it
 * (RFC 1122 4.2.3.9 says which are hard; the transports decide). */
static int error_meaning(const struct icmp_message *m)
{
    if (m->type != ICMP_DEST_UNREACHABLE)
        return -EHOSTUNREACH;
    switch (m->code) {
    case ICMP_NET_UNREACHABLE:
        return -ENETUNREACH;
    case ICMP_PROTOCOL_UNREACHABLE:
        return -ENOPROTOOPT;
    case ICMP_PORT_UNREACHABLE:
        return -ECONNREFUSED;
    case ICMP_FRAGMENTATION_NEEDED:
        return -EMSGSIZE;
    default:
        return -EHOSTUNREACH;
    }
}

/* Hand an error to whoever sent the datagram it quotes. */
static void report_error(struct naru_stack *stack, const struct icmp_message *m, uint32_t offender)
{
    const uint8_t *q = m->quoted_payload; /* icmp_parse guarantees 8 bytes */
    struct ip_error e = {
        .offender = naru_addr_v4(offender),
        .src = naru_addr_v4(m->quoted_ip.src),
        .dst = naru_addr_v4(m->quoted_ip.dst),
        .protocol = m->quoted_ip.protocol,
        .type = m->type,
        .code = m->code,
        .unreachable = m->type == ICMP_DEST_UNREACHABLE,
        .err = error_meaning(m),
        /* RFC 1191 4: the next-hop MTU in the low 16 bits. */
        .mtu = m->type == ICMP_DEST_UNREACHABLE && m->code == ICMP_FRAGMENTATION_NEEDED ? m->rest & 0xffff : 0,
        .src_port = wire_get16(q),
        .dst_port = wire_get16(q + 2),
        .quoted = q,
        .quoted_len = m->quoted_payload_len,
    };
    ip_error_deliver(stack, &e);
}

void icmp_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                const struct ipv4_header *ip)
{
    struct icmp_message m;
    stack->counters.icmp_rx++;
    if (icmp_parse(pb->data, pb->len, &m) < 0) {
        stack->counters.icmp_rx_malformed++;
        pbuf_free(stack, pb);
        return;
    }
    switch (m.type) {
    case ICMP_ECHO_REQUEST:
        echo_reply(stack, pb, ip, &m);
        return;
    case ICMP_ECHO_REPLY: {
        stack->counters.icmp_rx_echo_replies++;
        struct ip_info info = {
            .src = naru_addr_v4(ip->src),
            .dst = naru_addr_v4(ip->dst),
            .ttl = ip->ttl,
            .tos = ip->tos,
            .ifindex = (int16_t)(iface ? iface->ifindex : -1),
        };
        ping_input(stack, pb, &info, icmp_echo_id(&m));
        return;
    }
    case ICMP_DEST_UNREACHABLE:
        stack->counters.icmp_rx_dest_unreachable++;
        report_error(stack, &m, ip->src);
        break;
    case ICMP_TIME_EXCEEDED:
        stack->counters.icmp_rx_time_exceeded++;
        report_error(stack, &m, ip->src);
        break;
    default:
        stack->counters.icmp_rx_other++;
        break;
    }
    pbuf_free(stack, pb);
}

bool icmp_rate_allows(struct naru_stack *stack, struct icmp_state *st)
{
    if (stack->config.icmp_error_rate == 0)
        return true;
    naru_time_t cost = NARU_SEC / stack->config.icmp_error_rate;
    naru_time_t cap = cost * (stack->config.icmp_error_burst ? stack->config.icmp_error_burst : 1);
    st->credit += stack->now - st->last_refill;
    st->last_refill = stack->now;
    if (st->credit > cap)
        st->credit = cap;
    if (st->credit < cost)
        return false;
    st->credit -= cost;
    return true;
}

void icmp_send_error_quoting(struct naru_stack *stack, const uint8_t *datagram, size_t len,
                             uint8_t pbuf_flags, uint8_t type, uint8_t code, uint32_t rest)
{
    struct ipv4_header orig;
    if (ipv4_parse_quoted(datagram, len, &orig) < 0)
        return;
    /* RFC 1122 3.2.2: never about an ICMP error, a broadcast or multicast,
     * a fragment other than the first, or a source that is not one host. */
    bool about_error = false;
    if (orig.protocol == IP_PROTO_ICMP && orig.fragment_offset == 0) {
        size_t hl = orig.header_len;
        about_error = len <= hl || icmp_is_error(datagram[hl]);
    }
    bool forbidden = about_error || (pbuf_flags & (PBUF_F_LINK_BROADCAST | PBUF_F_IP_BROADCAST)) ||
                     orig.fragment_offset != 0 || ip_is_multicast(orig.dst) ||
                     orig.dst == 0xffffffffu || orig.src == 0 || orig.src == 0xffffffffu ||
                     ip_is_multicast(orig.src) || ip_is_loopback(orig.src);
    if (forbidden) {
        stack->counters.icmp_tx_suppressed++;
        return;
    }
    if (!icmp_rate_allows(stack, &stack->icmp)) {
        stack->counters.icmp_tx_rate_limited++;
        return;
    }
    size_t quote = len < ICMP_QUOTE_MAX ? len : ICMP_QUOTE_MAX;
    if (quote > orig.total_len)
        quote = orig.total_len;
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, ICMP_HEADER_LEN + quote);
    if (!pb)
        return;
    memcpy(pb->data + ICMP_HEADER_LEN, datagram, quote);
    struct icmp_message m = { .type = type, .code = code, .rest = rest };
    icmp_emit(&m, pb->data, pb->len);
    stack->counters.icmp_tx++;
    stack->counters.icmp_tx_errors++;
    char a[NARU_IP4_STRLEN];
    LOG_DEBUG(stack, NARU_LAYER_ICMP, "error type %u code %u to %s", type, code, naru_ip4_format(orig.src, a));
    /* The source is the address of the interface the error leaves by. */
    struct naru_addr dst = naru_addr_v4(orig.src);
    struct ip_send send = { .dst = &dst, .protocol = IP_PROTO_ICMP };
    ip_output(stack, pb, &send);
}

void icmp_send_error(struct naru_stack *stack, const struct pbuf *original, uint8_t type,
                     uint8_t code, uint32_t rest)
{
    const uint8_t *ip = pbuf_network_header(original);
    size_t len = (size_t)(original->data + original->len - ip);
    icmp_send_error_quoting(stack, ip, len, original->flags, type, code, rest);
}
