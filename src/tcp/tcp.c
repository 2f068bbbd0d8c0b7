/* TCP before connections exist: every segment meets a CLOSED port.
 * The connection state machine arrives with the TCP issue. */
#include "tcp/tcp.h"

#include "ip/ipv4.h"
#include "stack.h"
#include "wire/tcp.h"

/* RFC 9293 3.10.7.1: a segment to a CLOSED port gets a reset, unless it is
 * a reset itself. */
static void send_reset(struct naru_stack *stack, const struct ipv4_header *ip, const struct tcp_header *in,
                       uint32_t seg_len)
{
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, TCP_MIN_HEADER_LEN);
    if (!pb)
        return;
    struct tcp_header h = { .src_port = in->dst_port, .dst_port = in->src_port };
    if (in->flags & TCP_ACK) {
        h.seq = in->ack;
        h.flags = TCP_RST;
    } else {
        h.ack = in->seq + seg_len;
        h.flags = TCP_RST | TCP_ACK;
    }
    tcp_emit(&h, ip->dst, ip->src, pb->data, 0);
    stack->counters.tcp_tx++;
    stack->counters.tcp_tx_rst++;
    struct ip_send send = { .src = ip->dst, .dst = ip->src, .protocol = IP_PROTO_TCP };
    ip_output(stack, pb, &send);
}

void tcp_input(struct naru_stack *stack, struct pbuf *pb, const struct ipv4_header *ip)
{
    struct tcp_header h;
    stack->counters.tcp_rx++;
    int hl = tcp_parse(pb->data, pb->len, ip->src, ip->dst, &h);
    if (hl < 0) {
        stack->counters.tcp_rx_malformed++;
    } else {
        stack->counters.tcp_rx_no_socket++;
        if (!(h.flags & TCP_RST) && !(pb->flags & (PBUF_F_IP_BROADCAST | PBUF_F_LINK_BROADCAST))) {
            uint32_t seg_len = pb->len - (uint32_t)hl + !!(h.flags & TCP_SYN) + !!(h.flags & TCP_FIN);
            send_reset(stack, ip, &h, seg_len);
        }
    }
    pbuf_free(stack, pb);
}

void tcp_icmp_error(struct naru_stack *stack, const struct icmp_message *m, uint32_t offender)
{
    (void)stack;
    (void)m;
    (void)offender;
}

int tcp_sock_init(struct naru_stack *stack, struct sock *s)
{
    (void)stack;
    (void)s;
    return -EPROTONOSUPPORT;
}

int tcp_connect(struct naru_stack *stack, struct sock *s, const struct naru_sockaddr *to)
{
    (void)stack, (void)s, (void)to;
    return -EOPNOTSUPP;
}

int tcp_listen(struct naru_stack *stack, struct sock *s, int backlog)
{
    (void)stack, (void)s, (void)backlog;
    return -EOPNOTSUPP;
}

int tcp_accept(struct naru_stack *stack, struct sock *s, struct naru_sockaddr *peer)
{
    (void)stack, (void)s, (void)peer;
    return -EOPNOTSUPP;
}

long tcp_send(struct naru_stack *stack, struct sock *s, const void *data, size_t len)
{
    (void)stack, (void)s, (void)data, (void)len;
    return -EOPNOTSUPP;
}

long tcp_recv(struct naru_stack *stack, struct sock *s, void *buf, size_t len, int flags)
{
    (void)stack, (void)s, (void)buf, (void)len, (void)flags;
    return -EOPNOTSUPP;
}

int tcp_shutdown(struct naru_stack *stack, struct sock *s, int how)
{
    (void)stack, (void)s, (void)how;
    return -EOPNOTSUPP;
}

void tcp_close(struct naru_stack *stack, struct sock *s)
{
    (void)stack, (void)s;
}

unsigned tcp_poll_events(const struct naru_stack *stack, struct sock *s)
{
    (void)stack, (void)s;
    return NARU_POLLERR;
}

int tcp_setsockopt(struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int value)
{
    (void)stack, (void)s, (void)opt, (void)value;
    return -ENOPROTOOPT;
}

int tcp_getsockopt(const struct naru_stack *stack, struct sock *s, enum naru_sockopt opt, int *value)
{
    (void)stack, (void)s, (void)opt, (void)value;
    return -ENOPROTOOPT;
}

bool tcp_port_reusable(struct naru_stack *stack, struct sock *s, uint32_t addr, uint16_t port)
{
    (void)stack, (void)s, (void)addr, (void)port;
    return false;
}
