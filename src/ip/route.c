#include "ip/route.h"

#include <stdlib.h>

#include "core/log.h"
#include "naru/addr.h"
#include "stack.h"

int route_init(struct naru_stack *stack)
{
    struct route_table *t = &stack->routes;
    t->capacity = stack->config.routes;
    t->count = 0;
    t->version = 1;
    t->routes = calloc(t->capacity ? t->capacity : 1, sizeof *t->routes);
    return t->routes ? 0 : -ENOMEM;
}

void route_fini(struct naru_stack *stack)
{
    free(stack->routes.routes);
    stack->routes.routes = NULL;
}

const struct route *route_lookup(const struct naru_stack *stack, uint32_t dst)
{
    const struct route_table *t = &stack->routes;
    for (uint32_t i = 0; i < t->count; i++) {
        const struct route *r = &t->routes[i];
        if ((dst & r->mask) == r->dst && stack->ifaces[r->ifindex].up)
            return r;
    }
    return NULL;
}

int naru_route_add(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len, uint32_t gateway, int ifindex)
{
    struct route_table *t = &stack->routes;
    if (prefix_len > 32 || !iface_get(stack, ifindex))
        return -EINVAL;
    uint32_t mask = naru_prefix_mask(prefix_len);
    if (dst & ~mask)
        return -EINVAL;
    uint32_t at = 0;
    for (; at < t->count; at++) {
        struct route *r = &t->routes[at];
        if (r->dst == dst && r->prefix_len == prefix_len)
            return -EEXIST;
        if (r->prefix_len < prefix_len)
            break;
    }
    if (t->count == t->capacity)
        return -ENOSPC;
    memmove(&t->routes[at + 1], &t->routes[at], (t->count - at) * sizeof *t->routes);
    t->routes[at] = (struct route){ .dst = dst, .mask = mask, .gateway = gateway,
                                    .prefix_len = prefix_len, .ifindex = (int16_t)ifindex };
    t->count++;
    t->version++;
    char d[NARU_IP4_STRLEN], g[NARU_IP4_STRLEN];
    if (gateway)
        LOG_DEBUG(stack, NARU_LAYER_IP, "route %s/%u via %s", naru_ip4_format(dst, d), prefix_len,
                  naru_ip4_format(gateway, g));
    return 0;
}

int naru_route_del(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len)
{
    struct route_table *t = &stack->routes;
    for (uint32_t i = 0; i < t->count; i++) {
        if (t->routes[i].dst == dst && t->routes[i].prefix_len == prefix_len) {
            memmove(&t->routes[i], &t->routes[i + 1], (t->count - i - 1) * sizeof *t->routes);
            t->count--;
            t->version++;
            return 0;
        }
    }
    return -ENOENT;
}

void naru_stack_set_forwarding(struct naru_stack *stack, bool on)
{
    stack->config.forwarding = on;
}
