/* The socket API: one front for UDP, TCP and ping sockets. */
#include "naru/socket.h"

#include "ip/ip.h"
#include "ip/ping.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

int naru_socket(struct naru_stack *stack, enum naru_socket_type type)
{
    if (type != NARU_SOCK_DGRAM && type != NARU_SOCK_STREAM && type != NARU_SOCK_PING)
        return -EPROTONOSUPPORT;
    struct sock *s = sock_alloc(stack, (uint8_t)type);
    if (!s)
        return -EMFILE;
    if (type == NARU_SOCK_STREAM) {
        int err = tcp_sock_init(stack, s);
        if (err < 0) {
            sock_release(stack, s);
            return err;
        }
    }
    return sock_handle(stack, s);
}

/* The public address as the sockets hold it: 0.0.0.0 and :: are the
 * wildcard (bind_to() keeps which), and a v4-mapped address is the IPv4
 * address it holds (RFC 4291 2.5.5.2). */
static void from_public(struct sock_addr *s, const struct naru_sockaddr *a)
{
    s->port = a->port;
    s->scope_id = 0;
    if (a->addr.family == NARU_AF_INET && a->addr.v4) {
        ip_addr_set_v4(&s->addr, a->addr.v4);
    } else if (a->addr.family != NARU_AF_INET6 || naru_addr_is_unspecified(&a->addr)) {
        s->addr = (struct naru_addr){ .family = NARU_AF_UNSPEC };
    } else if (naru_addr_is_v4_mapped(&a->addr)) {
        const uint8_t *b = a->addr.v6 + 12;
        ip_addr_set_v4(&s->addr, naru_ip4(b[0], b[1], b[2], b[3]));
    } else {
        s->addr = a->addr;
        if (naru_addr_is_link_local(&a->addr))
            s->scope_id = a->scope_id;
    }
}

static bool family_known(const struct naru_sockaddr *a)
{
    return a->addr.family == NARU_AF_INET || a->addr.family == NARU_AF_INET6 || a->addr.family == NARU_AF_UNSPEC;
}

static struct naru_sockaddr to_public(const struct sock_addr *a)
{
    struct naru_sockaddr sa = { .addr = a->addr, .port = a->port, .scope_id = a->scope_id };
    return sa;
}

/* The local address: a wildcard as the family it was bound with. */
static struct naru_sockaddr local_to_public(const struct sock *s)
{
    struct naru_sockaddr sa = to_public(&s->local);
    if (sock_addr_is_wildcard(&sa.addr))
        sa.addr = (struct naru_addr){ .family = s->wildcard_family }; /* 0.0.0.0, :: or none */
    return sa;
}

static int bind_to(struct naru_stack *stack, struct sock *s, const struct sock_addr *addr)
{
    if (!sock_addr_is_wildcard(&addr->addr) && !ip_is_local(stack, &addr->addr))
        return -EADDRNOTAVAIL;
    uint16_t port = addr->port;
    if (port == 0) {
        port = sock_ephemeral_port(stack, s->type, &addr->addr);
        if (!port)
            return -EADDRINUSE;
    } else if (s->type == NARU_SOCK_STREAM ? !tcp_port_available(stack, s, &addr->addr, port)
                                            : sock_port_in_use(stack, s->type, &addr->addr, port, s)) {
        return -EADDRINUSE;
    }
    sock_set_bound(stack, s, &addr->addr, port);
    return 0;
}

int naru_bind(struct naru_stack *stack, int handle, const struct naru_sockaddr *addr)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (!addr)
        return -EINVAL;
    if (s->bound)
        return -EINVAL;
    if (!family_known(addr))
        return -EAFNOSUPPORT;
    struct sock_addr a;
    from_public(&a, addr);
    int err = bind_to(stack, s, &a);
    if (err == 0 && sock_addr_is_wildcard(&a.addr))
        s->wildcard_family = addr->addr.family; /* NARU_AF_INET: 0.0.0.0, IPv4's alone */
    return err;
}

static int autobind(struct naru_stack *stack, struct sock *s)
{
    if (s->bound)
        return 0;
    struct sock_addr any = { .port = 0 };
    return bind_to(stack, s, &any);
}

int naru_connect(struct naru_stack *stack, int handle, const struct naru_sockaddr *addr)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (addr && !family_known(addr))
        return -EAFNOSUPPORT;
    if (!addr || naru_addr_is_unspecified(&addr->addr))
        return -EINVAL;
    struct sock_addr to;
    from_public(&to, addr);
    int err = ip_scope_check(stack, &to.addr, to.scope_id);
    if (err < 0)
        return err;
    if (s->type == NARU_SOCK_STREAM)
        return tcp_connect(stack, s, &to);
    err = autobind(stack, s);
    if (err < 0)
        return err;
    struct naru_addr src;
    err = ip_select_source(stack, &to.addr, &src);
    if (err < 0)
        return err;
    s->remote = to;
    if (s->type == NARU_SOCK_PING)
        s->remote.port = 0;
    s->connected = true;
    return 0;
}

int naru_listen(struct naru_stack *stack, int handle, int backlog)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (s->type != NARU_SOCK_STREAM)
        return -EOPNOTSUPP;
    int err = autobind(stack, s);
    return err < 0 ? err : tcp_listen(stack, s, backlog);
}

int naru_accept(struct naru_stack *stack, int handle, struct naru_sockaddr *peer)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (s->type != NARU_SOCK_STREAM)
        return -EOPNOTSUPP;
    struct sock_addr from;
    int ns = tcp_accept(stack, s, &from);
    if (ns >= 0 && peer)
        *peer = to_public(&from);
    return ns;
}

long naru_sendto(struct naru_stack *stack, int handle, const void *buf, size_t len, int flags,
                 const struct naru_sockaddr *to)
{
    (void)flags;
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (!buf && len)
        return -EFAULT;
    if (s->type == NARU_SOCK_STREAM)
        return tcp_send(stack, s, buf, len);
    int err = sock_take_error(s);
    if (err < 0)
        return err;
    struct sock_addr dst;
    if (to) {
        if (!family_known(to))
            return -EAFNOSUPPORT;
        from_public(&dst, to);
        if ((err = ip_scope_check(stack, &dst.addr, dst.scope_id)) < 0)
            return err;
    } else {
        if (!s->connected)
            return -EDESTADDRREQ;
        dst = s->remote;
    }
    if ((err = autobind(stack, s)) < 0)
        return err;
    return s->type == NARU_SOCK_DGRAM ? udp_output(stack, s, buf, len, &dst)
                                      : ping_output(stack, s, buf, len, &dst);
}

long naru_send(struct naru_stack *stack, int handle, const void *buf, size_t len, int flags)
{
    return naru_sendto(stack, handle, buf, len, flags, NULL);
}

long naru_recv_info(struct naru_stack *stack, int handle, void *buf, size_t len, int flags,
                    struct naru_recv_info *info)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (!buf && len)
        return -EFAULT;
    if (s->type == NARU_SOCK_STREAM) {
        long n = tcp_recv(stack, s, buf, len, flags);
        if (n >= 0 && info)
            *info = (struct naru_recv_info){ .from = to_public(&s->remote), .when = stack->now };
        return n;
    }
    struct pbuf *pb = s->receive_queue.head;
    if (!pb) {
        int err = sock_take_error(s);
        return err < 0 ? err : -EAGAIN;
    }
    /* Like recvfrom(2): a datagram is read whole; what does not fit is lost. */
    size_t n = pb->len < len ? pb->len : len;
    memcpy(buf, pb->data, n);
    if (info) {
        info->from = (struct naru_sockaddr){ .addr = pb->meta_addr, .port = pb->meta_port };
        info->hop_limit = pb->meta_ttl;
        info->when = pb->meta_time;
    }
    if (!(flags & NARU_MSG_PEEK))
        pbuf_free(stack, pbuf_queue_pop(&s->receive_queue));
    return (long)n;
}

long naru_recvfrom(struct naru_stack *stack, int handle, void *buf, size_t len, int flags,
                   struct naru_sockaddr *from)
{
    struct naru_recv_info info;
    long n = naru_recv_info(stack, handle, buf, len, flags, &info);
    if (n >= 0 && from)
        *from = info.from;
    return n;
}

long naru_recv(struct naru_stack *stack, int handle, void *buf, size_t len, int flags)
{
    return naru_recvfrom(stack, handle, buf, len, flags, NULL);
}

int naru_shutdown(struct naru_stack *stack, int handle, int how)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (how < NARU_SHUT_RD || how > NARU_SHUT_RDWR)
        return -EINVAL;
    if (s->type != NARU_SOCK_STREAM)
        return s->connected ? 0 : -ENOTCONN;
    return tcp_shutdown(stack, s, how);
}

int naru_close(struct naru_stack *stack, int handle)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    pbuf_queue_free(stack, &s->receive_queue);
    s->callback = NULL;
    if (s->type == NARU_SOCK_STREAM && s->tcp)
        tcp_close(stack, s); /* the connection may live on to finish closing */
    sock_release(stack, s);
    return 0;
}

int naru_getsockname(const struct naru_stack *stack, int handle, struct naru_sockaddr *addr)
{
    struct sock *s = sock_get((struct naru_stack *)stack, handle);
    if (!s)
        return -EBADF;
    *addr = local_to_public(s);
    return 0;
}

int naru_getpeername(const struct naru_stack *stack, int handle, struct naru_sockaddr *addr)
{
    struct sock *s = sock_get((struct naru_stack *)stack, handle);
    if (!s)
        return -EBADF;
    if (!s->connected)
        return -ENOTCONN;
    *addr = to_public(&s->remote);
    return 0;
}

unsigned naru_socket_events(const struct naru_stack *stack, int handle)
{
    struct sock *s = sock_get((struct naru_stack *)stack, handle);
    if (!s)
        return NARU_POLLERR;
    if (s->type == NARU_SOCK_STREAM)
        return tcp_poll_events(stack, s);
    unsigned ev = NARU_POLLOUT;
    if (s->receive_queue.count)
        ev |= NARU_POLLIN;
    if (s->error || s->error_count)
        ev |= NARU_POLLERR;
    return ev;
}

int naru_socket_set_callback(struct naru_stack *stack, int handle, naru_socket_cb cb, void *ctx)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    s->callback = cb;
    s->callback_ctx = ctx;
    return 0;
}

int naru_setsockopt(struct naru_stack *stack, int handle, enum naru_sockopt opt, int value)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    switch (opt) {
    case NARU_SO_RECVERR:
        s->recverr = value != 0;
        return 0;
    case NARU_SO_REUSEADDR:
        s->reuseaddr = value != 0;
        return 0;
    case NARU_IP_TTL:
        if (value < 0 || value > 255)
            return -EINVAL;
        s->ttl = (uint8_t)value;
        return 0;
    case NARU_IPV6_UNICAST_HOPS:
        /* Linux also takes 0, which no packet could leave with. */
        if (value != -1 && (value < 1 || value > 255))
            return -EINVAL;
        s->hop_limit = value == -1 ? 0 : (uint8_t)value;
        return 0;
    case NARU_IPV6_V6ONLY:
        if (s->bound)
            return -EINVAL; /* as Linux: it says what bind() means */
        s->v6only = value != 0;
        return 0;
    case NARU_SO_RCVBUF:
        if (value <= 0)
            return -EINVAL;
        if (s->type != NARU_SOCK_STREAM) {
            s->receive_limit = (uint32_t)value;
            return 0;
        }
        return tcp_setsockopt(stack, s, opt, value);
    default:
        if (s->type == NARU_SOCK_STREAM)
            return tcp_setsockopt(stack, s, opt, value);
        return -ENOPROTOOPT;
    }
}

int naru_getsockopt(const struct naru_stack *stack, int handle, enum naru_sockopt opt, int *value)
{
    struct sock *s = sock_get((struct naru_stack *)stack, handle);
    if (!s)
        return -EBADF;
    switch (opt) {
    case NARU_SO_RECVERR:
        *value = s->recverr;
        return 0;
    case NARU_SO_REUSEADDR:
        *value = s->reuseaddr;
        return 0;
    case NARU_IP_TTL:
        *value = s->ttl ? s->ttl : stack->config.default_ttl;
        return 0;
    case NARU_IPV6_UNICAST_HOPS:
        *value = sock_ttl_for(s, NARU_AF_INET6);
        if (!*value)
            *value = stack->config.default_ttl;
        return 0;
    case NARU_IPV6_V6ONLY:
        *value = s->v6only;
        return 0;
    case NARU_SO_RCVBUF:
        if (s->type != NARU_SOCK_STREAM) {
            *value = (int)s->receive_limit;
            return 0;
        }
        return tcp_getsockopt(stack, s, opt, value);
    default:
        if (s->type == NARU_SOCK_STREAM)
            return tcp_getsockopt(stack, s, opt, value);
        return -ENOPROTOOPT;
    }
}

int naru_socket_error(struct naru_stack *stack, int handle)
{
    struct sock *s = sock_get(stack, handle);
    return s ? sock_take_error(s) : -EBADF;
}

int naru_recv_error(struct naru_stack *stack, int handle, struct naru_icmp_error *err)
{
    struct sock *s = sock_get(stack, handle);
    if (!s)
        return -EBADF;
    if (!s->error_count)
        return -EAGAIN;
    const struct sock_error *e = &s->errors[s->error_head];
    *err = (struct naru_icmp_error){
        .offender = e->offender,
        .family = e->offender.family,
        .type = e->type,
        .code = e->code,
        .dst = to_public(&e->dst),
        .when = e->when,
    };
    s->error_head = (uint8_t)((s->error_head + 1) % SOCK_ERROR_QUEUE_LEN);
    s->error_count--;
    return 0;
}
