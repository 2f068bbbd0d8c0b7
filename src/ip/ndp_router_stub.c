/* Do-nothing definitions of ndp_router.h and mld.h, until router
 * discovery, SLAAC with DAD, redirects and MLD land (the autoconf work
 * replaces this file). Hosts ignore what they hear, as RFC 4861 6.1.1
 * allows a node that does not process router messages to. */
#include "ip/mld.h"
#include "ip/ndp_router.h"

void ndp_router_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                      const struct ndp_message *m)
{
    (void)stack, (void)iface, (void)h, (void)m;
}

void ndp_dad_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
                   const struct ndp_message *m)
{
    (void)stack, (void)iface, (void)h, (void)m;
}

void ndp_router_flag_cleared(struct naru_stack *stack, struct naru_iface *iface, const uint8_t addr[16])
{
    (void)stack, (void)iface, (void)addr;
}

void mld_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
               const struct ipv6_chain *c, const uint8_t *msg, size_t len)
{
    (void)stack, (void)iface, (void)h, (void)c, (void)msg, (void)len;
}
