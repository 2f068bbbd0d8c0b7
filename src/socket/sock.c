#include "socket/sock.h"

#include <stdlib.h>

#include "stack.h"

int sock_table_init(struct naru_stack *stack)
{
    struct sock_table *t = &stack->sockets;
    t->count = stack->config.sockets;
    uint32_t buckets = 16;
    while (buckets < t->count && buckets < 65536)
        buckets *= 2;
    t->bucket_mask = buckets - 1;
    t->socks = calloc(t->count ? t->count : 1, sizeof *t->socks);
    t->port_buckets = calloc(buckets, sizeof *t->port_buckets);
    return t->socks && t->port_buckets ? 0 : -ENOMEM;
}

void sock_table_fini(struct naru_stack *stack)
{
    free(stack->sockets.socks);
    free(stack->sockets.port_buckets);
    stack->sockets.socks = NULL;
    stack->sockets.port_buckets = NULL;
}

static bool indexed(uint8_t type)
{
    return type == NARU_SOCK_DGRAM || type == NARU_SOCK_PING;
}

static struct sock **bucket(struct sock_table *t, uint16_t port)
{
    return &t->port_buckets[port & t->bucket_mask];
}

void sock_set_bound(struct naru_stack *stack, struct sock *s, uint32_t addr, uint16_t port)
{
    s->local.addr = addr;
    s->local.port = port;
    s->bound = true;
    if (indexed(s->type)) {
        struct sock **head = bucket(&stack->sockets, port);
        s->port_next = *head;
        *head = s;
    }
}

void sock_release(struct naru_stack *stack, struct sock *s)
{
    if (s->bound && indexed(s->type)) {
        for (struct sock **p = bucket(&stack->sockets, s->local.port); *p; p = &(*p)->port_next) {
            if (*p == s) {
                *p = s->port_next;
                break;
            }
        }
    }
    s->port_next = NULL;
    s->used = false;
}

struct sock *sock_get(struct naru_stack *stack, int handle)
{
    if (handle < 0 || (uint32_t)handle >= stack->sockets.count || !stack->sockets.socks[handle].used)
        return NULL;
    return &stack->sockets.socks[handle];
}

struct sock *sock_alloc(struct naru_stack *stack, uint8_t type)
{
    for (uint32_t i = 0; i < stack->sockets.count; i++) {
        struct sock *s = &stack->sockets.socks[i];
        if (s->used)
            continue;
        memset(s, 0, sizeof *s);
        s->used = true;
        s->type = type;
        s->receive_limit = stack->config.udp_recv_queue;
        return s;
    }
    return NULL;
}

int sock_handle(const struct naru_stack *stack, const struct sock *s)
{
    return (int)(s - stack->sockets.socks);
}

void sock_notify(struct naru_stack *stack, struct sock *s)
{
    if (s->callback)
        s->callback(s->callback_ctx, stack, sock_handle(stack, s));
}

bool sock_queue_datagram(struct naru_stack *stack, struct sock *s, struct pbuf *pb)
{
    if (s->receive_queue.count >= s->receive_limit) {
        pbuf_free(stack, pb);
        return false;
    }
    pbuf_queue_push(&s->receive_queue, pb);
    sock_notify(stack, s);
    return true;
}

void sock_queue_error(struct naru_stack *stack, struct sock *s, const struct naru_icmp_error *e)
{
    if (!s->recverr)
        return;
    if (s->error_count == SOCK_ERROR_QUEUE_LEN) { /* the oldest gives way */
        s->error_head = (uint8_t)((s->error_head + 1) % SOCK_ERROR_QUEUE_LEN);
        s->error_count--;
    }
    s->errors[(s->error_head + s->error_count) % SOCK_ERROR_QUEUE_LEN] = *e;
    s->error_count++;
    sock_notify(stack, s);
}

struct sock *sock_lookup(struct naru_stack *stack, uint8_t type, uint32_t local, uint16_t lport,
                         uint32_t remote, uint16_t rport)
{
    struct sock *best = NULL;
    int best_score = -1;
    for (struct sock *s = *bucket(&stack->sockets, lport); s; s = s->port_next) {
        if (s->type != type || s->local.port != lport)
            continue;
        if (s->local.addr && s->local.addr != local)
            continue;
        if (s->connected && (s->remote.addr != remote || s->remote.port != rport))
            continue;
        int score = (s->connected ? 2 : 0) + (s->local.addr ? 1 : 0);
        if (score > best_score) {
            best = s;
            best_score = score;
        }
    }
    return best;
}

static bool conflicts(const struct sock *s, uint8_t type, uint32_t addr, uint16_t port, const struct sock *except)
{
    if (s == except || !s->used || s->type != type || !s->bound || s->local.port != port)
        return false;
    return !s->local.addr || !addr || s->local.addr == addr;
}

bool sock_port_in_use(struct naru_stack *stack, uint8_t type, uint32_t addr, uint16_t port,
                      const struct sock *except)
{
    if (indexed(type)) {
        for (const struct sock *s = *bucket(&stack->sockets, port); s; s = s->port_next)
            if (conflicts(s, type, addr, port, except))
                return true;
        return false;
    }
    for (uint32_t i = 0; i < stack->sockets.count; i++)
        if (conflicts(&stack->sockets.socks[i], type, addr, port, except))
            return true;
    return false;
}

uint16_t sock_ephemeral_port(struct naru_stack *stack, uint8_t type, uint32_t addr)
{
    /* RFC 6056 3.3.1 (Algorithm 1): start anywhere in the range, walk on. */
    uint32_t range = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    uint32_t offset = random_below(&stack->random, range);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(EPHEMERAL_PORT_MIN + (offset + i) % range);
        if (!sock_port_in_use(stack, type, addr, port, NULL))
            return port;
    }
    return 0;
}
