/* ICMPv6 to link-scope multicast groups, straight onto the link. */
#include "ip/link_multicast6.h"

#include "link/ethernet.h"
#include "stack.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"

int link_multicast6_send(struct naru_stack *stack, struct naru_iface *iface, const uint8_t src[16],
                         const uint8_t group[16], const uint8_t *msg, size_t len, bool mld)
{
    size_t chain = mld ? MLD_IP_CHAIN_LEN : IPV6_HEADER_LEN;
    struct pbuf *pb = pbuf_alloc(stack, PBUF_HEADROOM, chain + len);
    if (!pb)
        return -ENOBUFS;
    if (mld) {
        mld_ip_emit(src, group, len, pb->data, chain);
    } else {
        struct ipv6_header h = { .payload_len = (uint16_t)len, .next_header = IP_PROTO_ICMPV6,
                                 .hop_limit = NDP_HOP_LIMIT };
        memcpy(h.src, src, 16);
        memcpy(h.dst, group, 16);
        ipv6_emit(&h, pb->data, chain);
    }
    memcpy(pb->data + chain, msg, len);
    uint8_t mac[ETH_ADDR_LEN];
    eth_ipv6_multicast_mac(group, mac);
    eth_output(stack, iface, pb, mac, ETHERTYPE_IPV6);
    return 0;
}
