#include "ip/route.h"

#include <stdlib.h>

#include "core/log.h"
#include "ip/ip.h"
#include "naru/addr.h"
#include "stack.h"
#include "wire/ipv6.h"

int route_init(struct naru_stack *stack)
{
    struct route_table *t = &stack->routes;
    memset(t, 0, sizeof *t);
    t->capacity = stack->config.routes;
    t->version = 1;
    t->index_bits = 2;
    while ((1u << t->index_bits) < 2 * (uint64_t)t->capacity && t->index_bits < 31)
        t->index_bits++;
    t->routes = calloc(t->capacity ? t->capacity : 1, sizeof *t->routes);
    t->index = calloc((size_t)1 << t->index_bits, sizeof *t->index);
    if (!t->routes || !t->index) {
        route_fini(stack);
        return -ENOMEM;
    }
    return 0;
}

void route_fini(struct naru_stack *stack)
{
    free(stack->routes.routes);
    free(stack->routes.index);
    free(stack->routes.routes6);
    stack->routes.routes = NULL;
    stack->routes.index = NULL;
    stack->routes.routes6 = NULL;
    stack->routes.allocated6 = 0;
}

static uint32_t slot_of(const struct route_table *t, uint32_t dst, uint8_t prefix_len)
{
    uint64_t key = (uint64_t)dst << 6 | prefix_len;
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - t->index_bits));
}

/* The index slot holding (dst, prefix_len), or the empty slot where it
 * would go. */
static uint32_t find_slot(const struct route_table *t, uint32_t dst, uint8_t prefix_len)
{
    uint32_t mask = (1u << t->index_bits) - 1;
    for (uint32_t i = slot_of(t, dst, prefix_len);; i = (i + 1) & mask) {
        uint32_t n = t->index[i];
        if (!n)
            return i;
        const struct route *r = &t->routes[n - 1];
        if (r->dst == dst && r->prefix_len == prefix_len)
            return i;
    }
}

const struct route *route_lookup(const struct naru_stack *stack, uint32_t dst)
{
    const struct route_table *t = &stack->routes;
    for (unsigned k = 0; k < t->length_count; k++) {
        uint8_t len = t->lengths[k];
        uint32_t n = t->index[find_slot(t, dst & naru_prefix_mask(len), len)];
        /* A route through an interface that is down does not count: a
         * shorter prefix may still carry the packet. */
        if (n && stack->ifaces[t->routes[n - 1].ifindex].up)
            return &t->routes[n - 1];
    }
    return NULL;
}

static void lengths_update(struct route_table *t)
{
    t->length_count = 0;
    for (int len = 32; len >= 0; len--)
        if (t->per_length[len])
            t->lengths[t->length_count++] = (uint8_t)len;
}

static int route4_add(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len, uint32_t gateway, int ifindex)
{
    struct route_table *t = &stack->routes;
    if (prefix_len > 32 || !iface_get(stack, ifindex))
        return -EINVAL;
    uint32_t mask = naru_prefix_mask(prefix_len);
    if (dst & ~mask)
        return -EINVAL;
    uint32_t slot = find_slot(t, dst, prefix_len);
    if (t->index[slot])
        return -EEXIST;
    if (t->count == t->capacity)
        return -ENOSPC;
    t->routes[t->count] = (struct route){ .dst = dst, .mask = mask, .gateway = gateway,
                                          .prefix_len = prefix_len, .ifindex = (int16_t)ifindex };
    t->index[slot] = ++t->count;
    if (t->per_length[prefix_len]++ == 0)
        lengths_update(t);
    t->version++;
    char d[NARU_IP4_STRLEN], g[NARU_IP4_STRLEN];
    if (gateway)
        LOG_DEBUG(stack, NARU_LAYER_IP, "route %s/%u via %s", naru_ip4_format(dst, d), prefix_len,
                  naru_ip4_format(gateway, g));
    return 0;
}

/* Empty index slot `hole`, then move back the entries after it that
 * probed past it (linear probing's deletion, with no tombstones). */
static void index_remove(struct route_table *t, uint32_t hole)
{
    uint32_t mask = (1u << t->index_bits) - 1;
    t->index[hole] = 0;
    for (uint32_t i = (hole + 1) & mask; t->index[i]; i = (i + 1) & mask) {
        const struct route *r = &t->routes[t->index[i] - 1];
        uint32_t home = slot_of(t, r->dst, r->prefix_len);
        /* It may fill the hole if its home is not in (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            t->index[hole] = t->index[i];
            t->index[i] = 0;
            hole = i;
        }
    }
}

static int route4_del(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len)
{
    struct route_table *t = &stack->routes;
    if (prefix_len > 32)
        return -ENOENT;
    uint32_t slot = find_slot(t, dst, prefix_len);
    uint32_t n = t->index[slot];
    if (!n)
        return -ENOENT;
    index_remove(t, slot);
    /* The last route takes the place of the one that goes. */
    uint32_t last = t->count - 1;
    if (n - 1 != last) {
        const struct route *moved = &t->routes[last];
        t->index[find_slot(t, moved->dst, moved->prefix_len)] = n;
        t->routes[n - 1] = *moved;
    }
    t->count--;
    if (--t->per_length[prefix_len] == 0)
        lengths_update(t);
    t->version++;
    return 0;
}

/* ---- IPv6 ---- */

/* Do the first prefix_len bits of a and b agree? */
static bool prefix_matches(const uint8_t a[16], const uint8_t b[16], uint8_t prefix_len)
{
    /* Whole 64-bit words first (a /64 is one compare), then bytes: every
     * packet sent over IPv6 comes here, where memcmp was a call. */
    unsigned at = 0;
    for (; at + 8 <= 16 && (at + 8) * 8 <= prefix_len; at += 8) {
        uint64_t x, y;
        memcpy(&x, a + at, 8);
        memcpy(&y, b + at, 8);
        if (x != y)
            return false;
    }
    for (; (at + 1) * 8 <= prefix_len; at++)
        if (a[at] != b[at])
            return false;
    unsigned rest = prefix_len - at * 8;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return ((a[at] ^ b[at]) & mask) == 0;
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
    /* Link-local prefixes are every link's (RFC 4291 2.5.6): one route
     * each per interface, as Linux keeps fe80::/64 on each. */
    bool per_link = prefix_len >= 10 && ipv6_addr_is_link_local(dst);
    uint32_t at = 0;
    for (; at < t->count6; at++) {
        struct route6 *r = &t->routes6[at];
        if (r->prefix_len == prefix_len && memcmp(r->dst, dst, 16) == 0 && (!per_link || r->ifindex == ifindex))
            return -EEXIST;
        if (r->prefix_len < prefix_len)
            break;
    }
    if (t->count6 == t->capacity)
        return -ENOSPC;
    /* Made with the first IPv6 route and doubled as routes come: a router
     * of thousands of IPv4 routes pays for the link-local routes it has,
     * not for as many IPv6 routes as IPv4's. */
    if (t->count6 == t->allocated6) {
        uint32_t n = t->allocated6 ? 2 * t->allocated6 : 4;
        if (n > t->capacity)
            n = t->capacity;
        struct route6 *grown = realloc(t->routes6, (size_t)n * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        t->routes6 = grown;
        t->allocated6 = n;
    }
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
