/* An interface coming up for IPv6. */
#include "ip/autoconf.h"

#include "ip/addrconf.h"
#include "stack.h"
#include "wire/ipv6.h"

int autoconf_iface_up(struct naru_stack *stack, struct naru_iface *iface, bool router)
{
    if (iface->autoconf.started)
        return 0;
    iface->autoconf.started = true;
    int err = addrconf_link_local_start(stack, iface);
    if (err && err != -EEXIST)
        return err;
    if (!router)
        router_discovery_start(stack, iface);
    return 0;
}
