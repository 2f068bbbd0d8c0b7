/* The stub resolver on a naru stack: the naru-socket transport beside the
 * kernel-socket ones a host program writes (struct naru_dns_resolver_io).
 * UDP and TCP sockets on the stack, the resolver's one timer in the
 * stack's timer heap (so naru_stack_poll() drives retries), a seed drawn
 * from the stack's randomness, and the stack's dns_* counters. */
#include <errno.h>
#include <stdlib.h>

#include "core/random.h"
#include "core/timer.h"
#include "naru/dns.h"
#include "naru/socket.h"
#include "stack.h"

struct resolver_naru {
    struct naru_stack *stack;
    struct naru_dns_resolver *resolver;
    struct naru_timer timer;
};

static void on_socket(void *ctx, struct naru_stack *stack, int sock)
{
    struct resolver_naru *a = ctx;
    naru_dns_resolver_socket_ready(a->resolver, sock, naru_socket_events(stack, sock));
}

static int open_socket(void *ctx, enum naru_dns_transport transport, const struct naru_sockaddr *server)
{
    struct resolver_naru *a = ctx;
    int sock = naru_socket(a->stack, transport == NARU_DNS_TCP ? NARU_SOCK_STREAM : NARU_SOCK_DGRAM);
    if (sock < 0)
        return sock;
    int err = 0;
    if (transport == NARU_DNS_UDP) {
        struct naru_sockaddr any = { .port = 0 }; /* either family */
        err = naru_bind(a->stack, sock, &any);   /* a random ephemeral port (RFC 6056) */
    }
    if (!err)
        naru_socket_set_callback(a->stack, sock, on_socket, a);
    if (!err && transport == NARU_DNS_TCP) {
        err = naru_connect(a->stack, sock, server);
        if (err == -EINPROGRESS || err == -EAGAIN)
            err = 0;
    }
    if (err < 0) {
        naru_socket_set_callback(a->stack, sock, NULL, NULL);
        naru_close(a->stack, sock);
        return err;
    }
    return sock;
}

static long send_bytes(void *ctx, int sock, const void *buf, size_t len, const struct naru_sockaddr *to)
{
    struct resolver_naru *a = ctx;
    return to ? naru_sendto(a->stack, sock, buf, len, 0, to) : naru_send(a->stack, sock, buf, len, 0);
}

static long recv_bytes(void *ctx, int sock, void *buf, size_t cap, struct naru_sockaddr *from)
{
    struct resolver_naru *a = ctx;
    return from ? naru_recvfrom(a->stack, sock, buf, cap, 0, from) : naru_recv(a->stack, sock, buf, cap, 0);
}

static void close_socket(void *ctx, int sock)
{
    struct resolver_naru *a = ctx;
    naru_socket_set_callback(a->stack, sock, NULL, NULL);
    naru_close(a->stack, sock);
}

static naru_time_t now(void *ctx)
{
    struct resolver_naru *a = ctx;
    return naru_stack_now(a->stack);
}

static void set_timer(void *ctx, naru_time_t when)
{
    struct resolver_naru *a = ctx;
    if (when == NARU_NEVER)
        timer_cancel(&a->stack->timers, &a->timer);
    else
        timer_arm(&a->stack->timers, &a->timer, when);
}

static void timer_fired(struct naru_stack *stack, struct naru_timer *t)
{
    (void)stack;
    struct resolver_naru *a = timer_owner(t, struct resolver_naru, timer);
    naru_dns_resolver_poll(a->resolver);
}

static void release(void *ctx)
{
    struct resolver_naru *a = ctx;
    timer_cancel(&a->stack->timers, &a->timer);
    free(a);
}

int naru_dns_resolver_create(struct naru_stack *stack, const struct naru_dns_resolver_config *config,
                             struct naru_dns_resolver **out)
{
    if (!stack)
        return -EINVAL;
    struct resolver_naru *a = calloc(1, sizeof *a);
    if (!a)
        return -ENOMEM;
    a->stack = stack;
    timer_init(&a->timer, timer_fired);
    struct naru_dns_resolver_io io = {
        .ctx = a,
        .open = open_socket,
        .send = send_bytes,
        .recv = recv_bytes,
        .close = close_socket,
        .now = now,
        .set_timer = set_timer,
        .release = release,
        /* Drawn from the stack, so a simulation repeats exactly. */
        .seed = random_u64(&stack->random),
        .counters = &stack->counters,
    };
    int err = naru_dns_resolver_create_io(&io, config, &a->resolver);
    if (err < 0) {
        free(a);
        return err;
    }
    *out = a->resolver;
    return 0;
}
