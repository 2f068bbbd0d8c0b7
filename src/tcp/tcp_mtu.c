/* Segments follow the path MTU (RFC 1191 for IPv4, RFC 8201 for IPv6): a
 * connection shrinks its segments when the path narrows and sends again
 * what was too big; it grows them again when the narrower path is
 * forgotten (ip/pmtu.c) or the route changes. */
#include "tcp/tcp_conn.h"

#include "stack.h"

bool tcp_mtu_changed(struct naru_stack *stack, struct tcp_conn *c)
{
    uint16_t old = c->snd_mss;
    tcp_set_mss(stack, c);
    if (c->snd_mss >= old || c->state < TCP_ESTABLISHED)
        return false;
    TCP_DEBUG(stack, c, "path MTU %u: segments of %u bytes, not %u", c->path_mtu, c->snd_mss, old);
    c->recovery->on_mtu_reduced(stack, c); /* what was too big goes again, smaller */
    return true;
}

void tcp_path_changed(struct naru_stack *stack, struct tcp_conn *c)
{
    c->path_version = stack->routes.version;
    if (!c->path_mtu)
        return; /* segments are not sized yet: the handshake will */
    uint32_t mtu = tcp_path_mtu(stack, &c->remote_addr);
    if (mtu && mtu != c->path_mtu)
        tcp_mtu_changed(stack, c); /* the caller, tcp_output(), sends */
}
