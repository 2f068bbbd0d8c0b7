/* The seam ndp_router.h declares: router messages, DAD's neighbour
 * messages and a router flag cleared, handed on to router discovery and
 * advertisement, redirects and address autoconfiguration. */
#include "ip/ndp_router.h"

#include "ip/addrconf.h"
#include "stack.h"

void ndp_router_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                      const struct ndp_message *m)
{
    switch (m->type) {
    case ICMPV6_ROUTER_SOLICIT:
        router_advert_solicited(stack, iface); /* nothing on a host (RFC 4861 6.2.6) */
        break;
    case ICMPV6_ROUTER_ADVERT:
        /* A router does not configure itself from others' (RFC 4861 6.2.7
         * has it only check them for consistency). */
        if (!iface->autoconf.ra.enabled && !stack->config.forwarding)
            router_discovery_input(stack, iface, h->src, h->hop_limit, m);
        break;
    case ICMPV6_REDIRECT:
        if (!stack->config.forwarding) /* RFC 4861 8.3: hosts only */
            redirect_input(stack, iface, h->src, h->hop_limit, m);
        break;
    default:
        break;
    }
}

void ndp_dad_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                   const struct ndp_message *m)
{
    addrconf_dad_heard(stack, iface, m->target, m->type == ICMPV6_NEIGHBOR_SOLICIT,
                       ipv6_addr_is_unspecified(h->src), m->options.nonce, m->options.nonce_len);
}

void ndp_router_flag_cleared(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16])
{
    router_discovery_router_gone(stack, iface, addr); /* RFC 4861 7.2.5 */
}

void ndp_router_unreachable(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16])
{
    router_discovery_router_gone(stack, iface, addr);
}
