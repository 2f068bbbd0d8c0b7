/* IPv6 input and output (RFC 8200). */
#include "ip/ipv6.h"

#include "core/log.h"
#include "ip/icmpv6.h"
#include "ip/mld_listener.h"
#include "ip/reassembly6.h"
#include "link/ethernet.h"
#include "link/neighbour.h"
#include "stack.h"
#include "tcp/tcp.h"
#include "udp/udp.h"
#include "wire/icmpv6.h"


static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };

static bool addr_is_v4_mapped(const uint8_t a[16])
{
    static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };
    return memcmp(a, prefix, sizeof prefix) == 0;
}

/* RFC 4291 2.7: the scope of a multicast address, in its low four bits. */
static uint8_t multicast_scope(const uint8_t a[16])
{
    return a[1] & 0x0f;
}

bool ipv6_group_joined(const struct naru_stack *stack, const struct naru_iface *iface, const uint8_t group[16])
{
    if (memcmp(group, all_nodes, 16) == 0)
        return true;
    if (iface && mld_listening(iface, group))
        return true; /* joined through MLD (all-routers by an advertising interface too) */
    if (memcmp(group, all_routers, 16) == 0)
        return stack->config.forwarding;
    if (!iface || !ipv6_addr_is_solicited_node(group))
        return false;
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if (memcmp(iface->addr6[i].addr + 13, group + 13, 3) == 0)
            return true;
    return false;
}

/* RFC 4291 and Linux's ip6_rcv_core: addresses no packet from the wire
 * may carry. The unspecified source is left to the upper layer (DAD's
 * solicitations and MLD reports use it: RFC 4861 7.2.2, RFC 3810 5.2.13). */
static bool addresses_are_martian(const struct naru_stack *stack, const struct naru_iface *iface,
                                  const struct ipv6_header *h)
{
    if (ipv6_addr_is_multicast(h->src) || addr_is_v4_mapped(h->src) || addr_is_v4_mapped(h->dst) ||
        ipv6_addr_is_unspecified(h->dst))
        return true;
    /* RFC 4291 2.7: scope 0 is reserved; interface-local never leaves a node. */
    if (ipv6_addr_is_multicast(h->dst) && (multicast_scope(h->dst) == 0 || (iface && multicast_scope(h->dst) == 1)))
        return true;
    if (!iface)
        return false;
    /* RFC 4291 2.5.3: the loopback address never comes from a link; nor
     * does our own address (a loop, or a spoof), but for one still
     * optimistic: another holder's advertisement from it is what its
     * duplicate address detection listens for (RFC 4429 3.3). */
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if ((iface->addr6[i].flags & IFA6_OPTIMISTIC) && ipv6_addr_equal(iface->addr6[i].addr, h->src))
            return false;
    return ipv6_addr_is_loopback(h->src) || ipv6_addr_is_loopback(h->dst) || iface_owns_addr6(stack, h->src);
}

static void fill_info(struct ip_info *info, const struct naru_iface *iface, const struct ipv6_header *h)
{
    info->src.family = NARU_AF_INET6;
    memcpy(info->src.v6, h->src, 16);
    info->dst.family = NARU_AF_INET6;
    memcpy(info->dst.v6, h->dst, 16);
    info->ttl = h->hop_limit;
    info->tos = h->traffic_class;
    info->ifindex = (int16_t)(iface ? iface->ifindex : -1);
    info->broadcast = false;
    info->multicast = ipv6_addr_is_multicast(h->dst);
}

/* RFC 4443 3.4: a parameter problem about the packet (an option of type
 * 11 to a group is a silent discard already: ipv6_walk_chain). */
static void answer_parameter_problem(struct naru_stack *stack, struct pbuf *pb, const struct ipv6_chain *c)
{
    stack->counters.ip6_rx_param_problems++;
    icmpv6_send_error(stack, pb, ICMPV6_PARAMETER_PROBLEM, c->problem_code, c->problem_pointer);
}

static void deliver(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb, const struct ipv6_header *h,
                    const struct ipv6_chain *c)
{
    struct ip_info info;
    switch (c->upper_protocol) {
    case IP_PROTO_ICMPV6:
        stack->counters.ip6_rx_delivered++;
        pbuf_pull(pb, c->upper_offset);
        icmpv6_input(stack, iface, pb, h, c);
        return;
    case IP_PROTO_UDP:
    case IP_PROTO_TCP:
        /* RFC 4291 2.5.2: nobody answers the unspecified address. */
        if (ipv6_addr_is_unspecified(h->src)) {
            stack->counters.ip6_rx_address_errors++;
            break;
        }
        stack->counters.ip6_rx_delivered++;
        pbuf_pull(pb, c->upper_offset);
        fill_info(&info, iface, h);
        if (c->upper_protocol == IP_PROTO_UDP)
            udp_input(stack, pb, &info);
        else
            tcp_input(stack, pb, &info);
        return;
    case IP_PROTO_NONE:
        stack->counters.ip6_rx_no_next_header++; /* RFC 8200 4.7: nothing follows */
        break;
    default:
        /* RFC 8200 4: an unknown Next Header is a parameter problem code 1
         * pointing at the field that named it. */
        stack->counters.ip6_rx_unknown_protocol++;
        icmpv6_send_error(stack, pb, ICMPV6_PARAMETER_PROBLEM, ICMPV6_UNRECOGNIZED_NEXT_HEADER,
                          c->upper_next_header_pointer);
        break;
    }
    pbuf_free(stack, pb);
}

void ipv6_input(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb)
{
    struct ipv6_header h;
    stack->counters.ip6_rx++;
    int err = ipv6_parse(pb->data, pb->len, &h);
    if (err < 0) {
        if (err == WIRE_TRUNCATED || err == WIRE_BAD_LENGTH)
            stack->counters.ip6_rx_length_errors++;
        else
            stack->counters.ip6_rx_header_errors++;
        goto drop;
    }
    pbuf_trim(pb, IPV6_HEADER_LEN + (size_t)h.payload_len); /* Ethernet pads short frames */
    pbuf_mark_network_header(pb);
    if (!partial_checksum_past(pb, IPV6_HEADER_LEN)) {
        stack->counters.link_rx_offload_errors++;
        goto drop;
    }
    if (addresses_are_martian(stack, iface, &h)) {
        stack->counters.ip6_rx_address_errors++;
        goto drop;
    }
    if (ipv6_addr_is_multicast(h.dst)) {
        if (iface && !ipv6_group_joined(stack, iface, h.dst)) {
            stack->counters.ip6_rx_not_for_us++;
            goto drop;
        }
    } else if (!iface_owns_addr6(stack, h.dst) && !(!iface && ipv6_addr_is_loopback(h.dst))) {
        if (stack->config.forwarding && iface && !(pb->flags & PBUF_F_LINK_BROADCAST)) {
            ipv6_forward(stack, iface, pb, &h);
            return;
        }
        stack->counters.ip6_rx_not_for_us++;
        goto drop;
    }
    struct ipv6_chain c;
    if (ipv6_walk_chain(pb->data, pb->len, &c) < 0) {
        stack->counters.ip6_rx_header_errors++;
        goto drop;
    }
    switch (c.verdict) {
    case IPV6_CHAIN_ACCEPT:
        break;
    case IPV6_CHAIN_DISCARD:
        stack->counters.ip6_rx_option_discards++;
        goto drop;
    case IPV6_CHAIN_PARAM_PROBLEM:
        if (c.incomplete_first_fragment)
            stack->counters.ip6_reasm_incomplete_chain++; /* RFC 7112 5 */
        answer_parameter_problem(stack, pb, &c);
        goto drop;
    }
    if (c.fragment) {
        if (c.frag.offset == 0 && !c.frag.more) {
            /* RFC 6946 4: an atomic fragment is the whole packet, handled
             * apart from any reassembly of the same identification. */
            stack->counters.ip6_reasm_atomic++;
        } else {
            pb = ipv6_reassemble(stack, pb, &h, &c);
            if (!pb)
                return;
            /* The packet rebuilt without its fragment header: walk again. */
            if (ipv6_parse(pb->data, pb->len, &h) < 0 || ipv6_walk_chain(pb->data, pb->len, &c) < 0) {
                stack->counters.ip6_rx_header_errors++;
                goto drop;
            }
            if (c.verdict != IPV6_CHAIN_ACCEPT) {
                if (c.verdict == IPV6_CHAIN_PARAM_PROBLEM)
                    answer_parameter_problem(stack, pb, &c);
                else
                    stack->counters.ip6_rx_option_discards++;
                goto drop;
            }
            c.fragment = true; /* RFC 6980 5: Neighbour Discovery must know */
        }
    }
    deliver(stack, iface, pb, &h, &c);
    return;
drop:
    pbuf_free(stack, pb);
}

/* ---- output ---- */

/* RFC 6724 3.1: link-local (2) or global (14), as far as naru tells them. */
static int unicast_scope(const uint8_t a[16])
{
    return ipv6_addr_is_link_local(a) || ipv6_addr_is_loopback(a) ? 2 : 14;
}

static int dst_scope(const uint8_t a[16])
{
    return ipv6_addr_is_multicast(a) ? multicast_scope(a) : unicast_scope(a);
}

static unsigned common_prefix_len(const uint8_t a[16], const uint8_t b[16])
{
    unsigned n = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t x = a[i] ^ b[i];
        if (x == 0) {
            n += 8;
            continue;
        }
        while (!(x & 0x80)) {
            n++;
            x = (uint8_t)(x << 1);
        }
        break;
    }
    return n;
}

/* Is candidate a better source for dst, of scope sd, than best (RFC 6724
 * 5, rules 2, 3, 8)? */
static bool better_source(const struct iface_addr6 *cand, const struct iface_addr6 *best, const uint8_t dst[16],
                          int sd)
{
    if (!best)
        return true;
    int sc = unicast_scope(cand->addr), sb = unicast_scope(best->addr);
    if (sc != sb) /* rule 2: the smallest scope that reaches dst, else the largest */
        return sb < sc ? sb < sd : sc >= sd;
    if ((cand->state == IFA6_DEPRECATED) != (best->state == IFA6_DEPRECATED)) /* rule 3 */
        return best->state == IFA6_DEPRECATED;
    return common_prefix_len(cand->addr, dst) > common_prefix_len(best->addr, dst); /* rule 8 */
}

static const struct iface_addr6 *best_of(const struct naru_iface *iface, const uint8_t dst[16], int sd,
                                         const struct iface_addr6 *best)
{
    for (uint8_t i = 0; i < iface->addr6_count; i++) {
        const struct iface_addr6 *a = &iface->addr6[i];
        if (a->state != IFA6_TENTATIVE && better_source(a, best, dst, sd))
            best = a;
    }
    return best;
}

/* RFC 6724 5 past rule 1 (dst is not one of our addresses). */
static int select_source_not_ours(const struct naru_stack *stack, const struct naru_iface *iface,
                                  const uint8_t dst[16], uint8_t src[16])
{
    int sd = dst_scope(dst);
    const struct iface_addr6 *best = iface ? best_of(iface, dst, sd, NULL) : NULL;
    /* A global destination may take another interface's global address
     * (RFC 6724 5, rule 5 only prefers the outgoing one). */
    if ((!best || unicast_scope(best->addr) < sd) && sd > 2)
        for (uint32_t i = 0; i < stack->iface_count; i++)
            if (stack->ifaces[i].up && &stack->ifaces[i] != iface)
                for (uint8_t j = 0; j < stack->ifaces[i].addr6_count; j++) {
                    const struct iface_addr6 *a = &stack->ifaces[i].addr6[j];
                    if (a->state != IFA6_TENTATIVE && unicast_scope(a->addr) > 2 && better_source(a, best, dst, sd))
                        best = a;
                }
    if (!best || (unicast_scope(best->addr) < sd && unicast_scope(best->addr) <= 2 && !ipv6_addr_is_multicast(dst)))
        return -EADDRNOTAVAIL; /* a link-local source never goes beyond its link */
    memcpy(src, best->addr, 16);
    return 0;
}

int ipv6_select_source(const struct naru_stack *stack, const struct naru_iface *iface, const uint8_t dst[16],
                       uint8_t src[16])
{
    if (iface_owns_addr6(stack, dst)) { /* rule 1 */
        memcpy(src, dst, 16);
        return 0;
    }
    return select_source_not_ours(stack, iface, dst, src);
}

/* The first interface that is up with an IPv6 address: where a link-local
 * or multicast destination goes when nobody named one. */
static struct naru_iface *default_link(struct naru_stack *stack)
{
    for (uint32_t i = 0; i < stack->iface_count; i++)
        if (stack->ifaces[i].up && stack->ifaces[i].addr6_count)
            return &stack->ifaces[i];
    return NULL;
}

/* Which interface and next hop for dst: 0 or -ENETUNREACH. */
static struct naru_iface *link_of_address(struct naru_stack *stack, const uint8_t addr[16])
{
    for (uint32_t i = 0; i < stack->iface_count; i++)
        if (iface_addr6_find(&stack->ifaces[i], addr))
            return &stack->ifaces[i];
    return NULL;
}

static int route_for(struct naru_stack *stack, const struct ip_send *send, struct naru_iface **out,
                     struct naru_addr *next_hop)
{
    const uint8_t *dst = send->dst->v6;
    next_hop->family = NARU_AF_INET6;
    memcpy(next_hop->v6, dst, 16);
    struct naru_iface *iface = (struct naru_iface *)send->iface;
    /* A link-local source belongs to one link (RFC 4007 6): a reply or a
     * connection from it to a link-local peer goes out there, as TCP's
     * do, which name no interface. */
    if (!iface && ipv6_addr_is_link_local(dst) && send->src && send->src->family == NARU_AF_INET6 &&
        ipv6_addr_is_link_local(send->src->v6))
        iface = link_of_address(stack, send->src->v6);
    if (iface && (send->to_neighbour || ipv6_addr_is_multicast(dst) || ipv6_addr_is_link_local(dst))) {
        *out = iface;
        return iface->up ? 0 : -ENETUNREACH;
    }
    /* A destination of global scope goes where the route says. */
    const struct route6 *r = route6_lookup(stack, dst);
    if (r) {
        if (r->gateway.family == NARU_AF_INET6)
            *next_hop = r->gateway;
        *out = &stack->ifaces[r->ifindex];
        return 0;
    }
    if (ipv6_addr_is_multicast(dst) || ipv6_addr_is_link_local(dst)) {
        *out = iface ? iface : default_link(stack);
        return *out ? 0 : -ENETUNREACH;
    }
    return -ENETUNREACH;
}

struct naru_iface *ipv6_route_iface(struct naru_stack *stack, const struct naru_addr *dst)
{
    struct ip_send send = { .dst = dst };
    struct naru_iface *iface;
    struct naru_addr next_hop;
    return route_for(stack, &send, &iface, &next_hop) == 0 ? iface : NULL;
}

int ipv6_select_source_to(const struct naru_stack *stack, const uint8_t dst[16], uint8_t src[16])
{
    struct naru_addr d = { .family = NARU_AF_INET6 }, nh;
    memcpy(d.v6, dst, 16);
    struct ip_send send = { .dst = &d };
    struct naru_iface *iface = NULL;
    if (ipv6_addr_is_loopback(dst) || iface_owns_addr6(stack, dst)) {
        memcpy(src, dst, 16); /* rule 1, and ::1 to itself */
        return 0;
    }
    if (route_for((struct naru_stack *)stack, &send, &iface, &nh) < 0)
        return -ENETUNREACH;
    return select_source_not_ours(stack, iface, dst, src);
}

/* Hand a whole packet (pb->data at its IPv6 header) to the link towards
 * next_hop, cut into fragments if it does not fit `mtu`. Takes the pbuf. */
static int send_on_link(struct naru_stack *stack, struct naru_iface *iface, struct pbuf *pb,
                        const struct naru_addr *next_hop, uint32_t mtu)
{
    if (pb->len > mtu) {
        iface_checksum_complete(pb); /* fragments carry no offload state */
        return ipv6_fragment(stack, iface, pb, next_hop, mtu);
    }
    eth_output_ip(stack, iface, pb, next_hop);
    return 0;
}

int ipv6_output(struct naru_stack *stack, struct pbuf *pb, const struct ip_send *send)
{
    const uint8_t *dst = send->dst->v6;
    bool to_self = ipv6_addr_is_loopback(dst) || iface_owns_addr6(stack, dst);
    struct naru_iface *iface = NULL;
    struct naru_addr next_hop;
    if (!to_self && route_for(stack, send, &iface, &next_hop) < 0) {
        stack->counters.ip6_no_route++;
        pbuf_free(stack, pb);
        return -ENETUNREACH;
    }
    struct ipv6_header h = {
        .traffic_class = send->tos,
        .next_header = send->protocol,
        /* RFC 3493 5.2: multicast goes one hop unless asked otherwise. */
        .hop_limit = send->ttl                      ? send->ttl
                     : ipv6_addr_is_multicast(dst) ? 1
                     : iface && iface->autoconf.rd.cur_hop_limit ? iface->autoconf.rd.cur_hop_limit /* RFC 4861 6.3.4 */
                                                   : stack->config.default_ttl,
    };
    memcpy(h.dst, dst, 16);
    if (send->src && send->src->family == NARU_AF_INET6) {
        memcpy(h.src, send->src->v6, 16);
    } else if (to_self) {
        memcpy(h.src, dst, 16); /* RFC 6724 5 rule 1, and ::1 to itself */
    } else if (select_source_not_ours(stack, iface, dst, h.src) < 0) {
        stack->counters.ip6_no_source++;
        pbuf_free(stack, pb);
        return -EADDRNOTAVAIL;
    }
    size_t ext = send->router_alert ? 8 : 0;
    if (pb->len + ext > IPV6_MAX_PAYLOAD) {
        pbuf_free(stack, pb);
        return -EMSGSIZE;
    }
    if (ext) {
        uint8_t *p = pbuf_push(pb, ext);
        if (!p) {
            pbuf_free(stack, pb);
            return -ENOBUFS;
        }
        ipv6_router_alert_emit(h.next_header, IPV6_ROUTER_ALERT_MLD, p, ext);
        h.next_header = IP_PROTO_HOPOPTS;
    }
    h.payload_len = (uint16_t)pb->len;
    uint8_t *p = pbuf_push(pb, IPV6_HEADER_LEN);
    if (!p) {
        pbuf_free(stack, pb);
        return -ENOBUFS;
    }
    ipv6_emit(&h, p, IPV6_HEADER_LEN);
    pbuf_mark_network_header(pb);
    stack->counters.ip6_tx++;
    if (to_self)
        return ip_loopback(stack, pb);
    if (pb->gso_size && pb->len > iface->mtu) {
        /* TCP segments merged in one packet (GSO): only a device that
         * cuts them apart again may take it; fragments would be wrong. */
        if (!iface_takes_gso6(iface, pb->len)) {
            stack->counters.ip_tx_gso_dropped++;
            pbuf_free(stack, pb);
            return -EMSGSIZE;
        }
        eth_output_ip(stack, iface, pb, &next_hop);
        return 0;
    }
    /* RFC 8201 4: the path's MTU (never below 1280) bounds what we send;
     * a datagram too big is fragmented here, at the source, unless the
     * sender does its own path MTU discovery (TCP). */
    uint32_t mtu = iface_ip_mtu(iface, NARU_AF_INET6);
    uint32_t path = pmtu_get(stack, send->dst);
    if (path && path < mtu)
        mtu = path;
    if (mtu < IPV6_MIN_MTU)
        mtu = IPV6_MIN_MTU; /* a link below it fragments beneath IPv6 (RFC 8200 5) */
    if (pb->len > mtu && send->dont_fragment) {
        stack->counters.ip6_tx_too_big++;
        pbuf_free(stack, pb);
        return -EMSGSIZE;
    }
    return send_on_link(stack, iface, pb, &next_hop, mtu);
}

void ipv6_neighbour_failed(struct naru_stack *stack, struct pbuf *pb)
{
    icmpv6_send_error(stack, pb, ICMPV6_DEST_UNREACHABLE, ICMPV6_ADDRESS_UNREACHABLE, 0);
    pbuf_free(stack, pb);
}

void ipv6_confirm_neighbour(struct naru_stack *stack, const struct naru_addr *dst)
{
    struct ip_send send = { .dst = dst };
    struct naru_iface *iface;
    struct naru_addr next_hop;
    if (route_for(stack, &send, &iface, &next_hop) == 0)
        neighbour_confirm(stack, iface->ifindex, &next_hop);
}
