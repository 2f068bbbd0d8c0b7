#include "ip/route.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/ip.h"
#include "naru/addr.h"
#include "stack.h"

int route_init(struct naru_stack *stack)
{
    struct route_table *t = &stack->routes;
    t->capacity = stack->config.routes;
    t->count = 0;
    t->version = 1;
    t->routes = calloc(t->capacity ? t->capacity : 1, sizeof *t->routes);
    t->routes6 = calloc(t->capacity ? t->capacity : 1, sizeof *t->routes6);
    return t->routes && t->routes6 ? 0 : -ENOMEM;
}

void route_fini(struct naru_stack *stack)
{
    free(stack->routes.routes);
    free(stack->routes.routes6);
    stack->routes.routes = NULL;
    stack->routes.routes6 = NULL;
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

static int route4_add(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len, uint32_t gateway, int ifindex)
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

static int route4_del(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len)
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

/* ---- IPv6 ---- */

/* Do the first prefix_len bits of a and b agree? */
static bool prefix_matches(const uint8_t a[16], const uint8_t b[16], uint8_t prefix_len)
{
    unsigned whole = prefix_len / 8, rest = prefix_len % 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return ((a[whole] ^ b[whole]) & mask) == 0;
}

const struct route6 *route6_lookup(const struct naru_stack *stack, const uint8_t dst[16])
{
    const struct route_table *t = &stack->routes;
    for (uint32_t i = 0; i < t->count6; i++) {
        const struct route6 *r = &t->routes6[i];
        if (prefix_matches(dst, r->dst, r->prefix_len) && stack->ifaces[r->ifindex].up)
            return r;
    }
    return NULL;
}

static int route6_add(struct naru_stack *stack, const uint8_t dst[16], uint8_t prefix_len,
                      const struct naru_addr *gateway, int ifindex)
{
    struct route_table *t = &stack->routes;
    static const uint8_t zero[16];
    if (prefix_len > 128 || !iface_get(stack, ifindex) ||
        (gateway && gateway->family != NARU_AF_UNSPEC && gateway->family != NARU_AF_INET6))
        return -EINVAL;
    /* Bits past the prefix must be clear. */
    uint8_t host[16];
    for (int i = 0; i < 16; i++) {
        int bits = prefix_len - 8 * i;
        uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        host[i] = dst[i] & (uint8_t)~mask;
    }
    if (memcmp(host, zero, 16) != 0)
        return -EINVAL;
    uint32_t at = 0;
    for (; at < t->count6; at++) {
        struct route6 *r = &t->routes6[at];
        if (r->prefix_len == prefix_len && memcmp(r->dst, dst, 16) == 0)
            return -EEXIST;
        if (r->prefix_len < prefix_len)
            break;
    }
    if (t->count6 == t->capacity)
        return -ENOSPC;
    memmove(&t->routes6[at + 1], &t->routes6[at], (t->count6 - at) * sizeof *t->routes6);
    struct route6 *r = &t->routes6[at];
    memset(r, 0, sizeof *r);
    memcpy(r->dst, dst, 16);
    r->prefix_len = prefix_len;
    r->ifindex = (int16_t)ifindex;
    if (gateway && gateway->family == NARU_AF_INET6)
        r->gateway = *gateway;
    t->count6++;
    t->version++;
    if (r->gateway.family) {
        char d[NARU_ADDR_STRLEN], g[NARU_ADDR_STRLEN];
        struct naru_addr prefix = naru_addr_v6(dst);
        LOG_DEBUG(stack, NARU_LAYER_IP, "route %s/%u via %s", naru_addr_format(&prefix, d), prefix_len,
                  naru_addr_format(&r->gateway, g));
    }
    return 0;
}

static int route6_del(struct naru_stack *stack, const uint8_t dst[16], uint8_t prefix_len)
{
    struct route_table *t = &stack->routes;
    for (uint32_t i = 0; i < t->count6; i++) {
        if (t->routes6[i].prefix_len == prefix_len && memcmp(t->routes6[i].dst, dst, 16) == 0) {
            memmove(&t->routes6[i], &t->routes6[i + 1], (t->count6 - i - 1) * sizeof *t->routes6);
            t->count6--;
            t->version++;
            return 0;
        }
    }
    return -ENOENT;
}

int naru_route_add(struct naru_stack *stack, const struct naru_addr *dst, uint8_t prefix_len,
                   const struct naru_addr *gateway, int ifindex)
{
    if (!dst)
        return -EINVAL;
    bool on_link = !gateway || gateway->family == NARU_AF_UNSPEC;
    switch (dst->family) {
    case NARU_AF_INET:
        if (!on_link && gateway->family != NARU_AF_INET)
            return -EINVAL;
        return route4_add(stack, dst->v4, prefix_len, on_link ? 0 : gateway->v4, ifindex);
    case NARU_AF_INET6:
        return route6_add(stack, dst->v6, prefix_len, gateway, ifindex);
    default:
        return -EAFNOSUPPORT;
    }
}

int naru_route_del(struct naru_stack *stack, const struct naru_addr *dst, uint8_t prefix_len)
{
    if (!dst)
        return -EINVAL;
    switch (dst->family) {
    case NARU_AF_INET:
        return route4_del(stack, dst->v4, prefix_len);
    case NARU_AF_INET6:
        return route6_del(stack, dst->v6, prefix_len);
    default:
        return -EAFNOSUPPORT;
    }
}

void naru_stack_set_forwarding(struct naru_stack *stack, bool on)
{
    stack->config.forwarding = on;
}
