/* The IPv6 layer's calls into address autoconfiguration: dispatch by
 * ICMPv6 type to DAD, MLD, router discovery and advertisement, redirects. */
#include "ip/autoconf.h"

#include "ip/addrconf.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"

int autoconf_iface_up(struct naru_stack *stack, struct naru_iface *iface, bool router)
{
    int err = addrconf_link_local_start(stack, iface);
    if (err && err != -EEXIST)
        return err;
    if (!router)
        router_discovery_start(stack, iface);
    return 0;
}

static bool mld_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *ip,
                      bool router_alert, const uint8_t *msg, size_t len)
{
    /* RFC 3810 5.1.14: a query without hop limit 1, a router alert and a
     * link-local source is ignored; reports are routers' business. */
    if (msg[0] != ICMPV6_MLD_QUERY)
        return true;
    struct mld_query q;
    if (!mld_ip_valid(ip, router_alert, true) || mld_query_parse(msg, len, &q) != 0) {
        stack->counters.mld_rx_invalid++;
        return true;
    }
    mld_listener_query(stack, iface, &q);
    return true;
}

bool autoconf_icmpv6_input(struct naru_stack *stack, struct naru_iface *iface, const struct ipv6_header *ip,
                           bool router_alert, bool fragment, const uint8_t *msg, size_t len)
{
    if (len < ICMPV6_HEADER_LEN)
        return false;
    uint8_t type = msg[0];
    switch (type) {
    case ICMPV6_MLD_QUERY:
    case ICMPV6_MLD_V1_REPORT:
    case ICMPV6_MLD_V1_DONE:
    case ICMPV6_MLD_V2_REPORT:
        return mld_input(stack, iface, ip, router_alert, msg, len);
    case ICMPV6_ROUTER_SOLICIT:
    case ICMPV6_ROUTER_ADVERT:
    case ICMPV6_NEIGHBOR_SOLICIT:
    case ICMPV6_NEIGHBOR_ADVERT:
    case ICMPV6_REDIRECT:
        break;
    default:
        return false;
    }
    struct ndp_message m;
    /* RFC 6980 5: Neighbour Discovery in fragments is ignored. */
    if (fragment || ndp_parse(msg, len, ip->src, ip->dst, &m) != 0)
        return type != ICMPV6_NEIGHBOR_SOLICIT && type != ICMPV6_NEIGHBOR_ADVERT; /* NDP counts its own */
    switch (type) {
    case ICMPV6_ROUTER_SOLICIT:
        if (ndp_hop_limit_valid(ip->hop_limit))
            router_advert_solicited(stack, iface);
        return true;
    case ICMPV6_ROUTER_ADVERT:
        if (!iface->autoconf.ra.enabled) /* a router does not configure itself from others */
            router_discovery_input(stack, iface, ip->src, ip->hop_limit, &m);
        return true;
    case ICMPV6_REDIRECT:
        redirect_input(stack, iface, ip->src, ip->hop_limit, &m);
        return true;
    default: /* NS, NA: DAD's if about a tentative address (RFC 4862 5.4.3, 5.4.4) */
        if (!ndp_hop_limit_valid(ip->hop_limit))
            return false;
        return addrconf_dad_heard(stack, iface, m.target, type == ICMPV6_NEIGHBOR_SOLICIT,
                                  ipv6_addr_is_unspecified(ip->src), m.options.nonce, m.options.nonce_len);
    }
}
