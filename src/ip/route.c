#include "ip/route.h"

#include <stdlib.h>

#include "core/log.h"
#include "naru/addr.h"
#include "stack.h"

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
    stack->routes.routes = NULL;
    stack->routes.index = NULL;
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

int naru_route_add(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len, uint32_t gateway, int ifindex)
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

int naru_route_del(struct naru_stack *stack, uint32_t dst, uint8_t prefix_len)
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

void naru_stack_set_forwarding(struct naru_stack *stack, bool on)
{
    stack->config.forwarding = on;
}
