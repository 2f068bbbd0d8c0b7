/* Initial sequence numbers (RFC 6528) and timestamp offsets (RFC 7323 7.1):
 * keyed hashes of the connection's addresses with the stack's secret, so an
 * off-path attacker can guess neither. The clock is the stack's `now`. */
#include "tcp/tcp_conn.h"

#include "core/random.h"
#include "stack.h"

/* Over the whole addresses: 4 bytes each for IPv4 (the key it always
 * was), 16 for IPv6. */
static uint64_t tuple_secret_hash(struct naru_stack *stack, char tag, const struct naru_addr *laddr,
                                  const struct naru_addr *raddr, uint16_t lport, uint16_t rport)
{
    if (raddr->family == NARU_AF_INET6) {
        uint8_t key[37];
        key[0] = (uint8_t)tag;
        memcpy(key + 1, laddr->v6, 16);
        memcpy(key + 17, raddr->v6, 16);
        memcpy(key + 33, &lport, 2);
        memcpy(key + 35, &rport, 2);
        return siphash24(stack->secret, key, sizeof key);
    }
    uint8_t key[13];
    key[0] = (uint8_t)tag;
    memcpy(key + 1, &laddr->v4, 4);
    memcpy(key + 5, &raddr->v4, 4);
    memcpy(key + 9, &lport, 2);
    memcpy(key + 11, &rport, 2);
    return siphash24(stack->secret, key, sizeof key);
}

uint32_t tcp_isn(struct naru_stack *stack, const struct tcp_conn *c)
{
    if (stack->tcp->isn_fixed)
        return stack->tcp->isn_value;
    /* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport,
     * secretkey), M a timer that ticks every 4 microseconds (RFC 9293
     * 3.4.1), so numbers of successive incarnations move forward. */
    uint32_t m = (uint32_t)(stack->now / (4 * NARU_US));
    return m + (uint32_t)tuple_secret_hash(stack, 'I', &c->local_addr, &c->remote_addr, c->local_port,
                                           c->remote_port);
}

uint32_t tcp_ts_offset(struct naru_stack *stack, const struct tcp_conn *c)
{
    /* RFC 7323 7.1: a random offset per connection keeps the TSval clock
     * from telling how long a host has been up, or linking connections. */
    return tcp_ts_offset_of(stack, &c->local_addr, &c->remote_addr, c->local_port, c->remote_port);
}

uint32_t tcp_ts_offset_of(struct naru_stack *stack, const struct naru_addr *laddr, const struct naru_addr *raddr,
                          uint16_t lport, uint16_t rport)
{
    return (uint32_t)tuple_secret_hash(stack, 'T', laddr, raddr, lport, rport);
}

void tcp_debug_set_isn(struct naru_stack *stack, uint32_t isn)
{
    stack->tcp->isn_fixed = true;
    stack->tcp->isn_value = isn;
}
