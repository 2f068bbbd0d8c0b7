/* The seam mld.h declares: MLD messages received, checked as RFC 3810 5
 * asks and handed to the listener (mld_listener.c). */
#include "ip/mld.h"

#include "ip/mld_listener.h"
#include "stack.h"
#include "wire/mld.h"

void mld_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *h,
               const struct ipv6_chain *c, const uint8_t *msg, size_t len)
{
    /* Reports are for routers; naru is not an MLD router. */
    if (len < ICMPV6_HEADER_LEN || msg[0] != ICMPV6_MLD_QUERY)
        return;
    /* RFC 3810 5.1.14: hop limit 1, a router alert, a link-local source. */
    struct mld_query q;
    if (!mld_ip_valid(h, c->router_alert, true) || mld_query_parse(msg, len, &q) != 0) {
        stack->counters.mld_rx_invalid++;
        return;
    }
    mld_listener_query(stack, iface, &q);
}
