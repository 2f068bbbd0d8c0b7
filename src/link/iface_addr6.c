/* An interface's IPv6 addresses (RFC 4291 2.1: an interface has several;
 * RFC 4862 5.5.4: each with valid and preferred lifetimes). A small bounded
 * list per interface; SLAAC, DAD and configuration fill it. */
#include "link/iface.h"

#include <string.h>

#include "stack.h"
#include "wire/ipv6.h"

static naru_time_t deadline(naru_time_t now, naru_time_t lifetime)
{
    return lifetime == NARU_NEVER || lifetime >= NARU_NEVER - now ? NARU_NEVER : now + lifetime;
}

struct iface_addr6 *iface_addr6_find(struct naru_iface *iface, const uint8_t addr[16])
{
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if (memcmp(iface->addr6[i].addr, addr, 16) == 0)
            return &iface->addr6[i];
    return NULL;
}

int iface_addr6_add(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16],
                    uint8_t prefix_len, enum iface_addr6_state state, uint8_t flags,
                    naru_time_t valid_lifetime, naru_time_t preferred_lifetime)
{
    static const uint8_t unspecified[16];
    if (prefix_len > 128 || state > IFA6_DEPRECATED || preferred_lifetime > valid_lifetime ||
        memcmp(addr, unspecified, 16) == 0 || addr[0] == 0xff)
        return -EINVAL; /* neither :: nor a multicast group is an interface's address */
    if (iface_addr6_find(iface, addr))
        return -EEXIST;
    if (iface->addr6_count == IFACE_ADDR6_MAX)
        return -ENOSPC;
    struct iface_addr6 *a = &iface->addr6[iface->addr6_count++];
    *a = (struct iface_addr6){ .dad_next = NARU_NEVER };
    memcpy(a->addr, addr, 16);
    a->prefix_len = prefix_len;
    a->state = (uint8_t)state;
    a->flags = flags & (IFA6_AUTOCONF | IFA6_STATIC | IFA6_OPTIMISTIC);
    if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
        a->flags |= IFA6_LINK_LOCAL; /* fe80::/10, RFC 4291 2.5.6 */
    a->valid_until = deadline(stack->now, valid_lifetime);
    a->preferred_until = deadline(stack->now, preferred_lifetime);
    iface->up = true;
    return 0;
}

int iface_addr6_remove(struct naru_iface *iface, const uint8_t addr[16])
{
    struct iface_addr6 *a = iface_addr6_find(iface, addr);
    if (!a)
        return -ENOENT;
    size_t i = (size_t)(a - iface->addr6);
    memmove(a, a + 1, (iface->addr6_count - i - 1) * sizeof *a);
    iface->addr6_count--;
    return 0;
}

bool iface_owns_addr6(const struct naru_stack *stack, const uint8_t addr[16])
{
    for (uint32_t i = 0; i < stack->iface_count; i++) {
        const struct naru_iface *iface = &stack->ifaces[i];
        if (!iface->up)
            continue;
        for (uint8_t j = 0; j < iface->addr6_count; j++)
            if (iface->addr6[j].state != IFA6_TENTATIVE && ipv6_addr_equal(iface->addr6[j].addr, addr))
                return true;
    }
    return false;
}
