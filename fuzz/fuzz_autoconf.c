/* Fuzz IPv6 autoconfiguration's input: ICMPv6 messages handed to
 * autoconf_icmpv6_input on a host interface (link-local address and router
 * discovery started) and on a router interface (advertising a prefix),
 * with time running between them.
 *
 * Input: records, each: a control byte, a hop limit, a 16-bit length, the
 * source and destination addresses (16 bytes each), the ICMPv6 message.
 *   control 0x01  write the right checksum first, to reach the parsers
 *   control 0x02  the datagram had a router alert
 *   control 0x04  it was a fragment
 *   control 0x08  it arrives on the router interface
 *   control 0xf0  (c >> 4) * 500 ms pass before it
 *
 * Properties: every list stays within its bound (addresses, groups,
 * routers, prefixes, DNS servers, redirects), every frame the stack sends
 * parses as IPv6 with a correct ICMPv6 checksum, no buffer is held at the
 * end, and destroying the stack frees everything (LeakSanitizer). */
#include <string.h>

#include "fuzz.h"
#include "ip/addrconf.h"
#include "ip/autoconf.h"
#include "link/iface.h"
#include "naru/stack.h"
#include "stack.h"
#include "wire/ethernet.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"

static uint8_t msg[IPV6_MAX_PAYLOAD];

static int take_frame(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    struct eth_header e;
    FUZZ_CHECK(eth_parse(frame, len, &e) == ETH_HEADER_LEN && e.ethertype == ETHERTYPE_IPV6);
    struct ipv6_header ip;
    FUZZ_CHECK(ipv6_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &ip) == IPV6_HEADER_LEN);
    struct ipv6_chain c;
    FUZZ_CHECK(ipv6_walk_chain(frame + ETH_HEADER_LEN, IPV6_HEADER_LEN + ip.payload_len, &c) == 0);
    FUZZ_CHECK(c.upper_protocol == IP_PROTO_ICMPV6);
    struct icmpv6_message m;
    const uint8_t *icmp = frame + ETH_HEADER_LEN + c.upper_offset;
    FUZZ_CHECK(icmpv6_parse(icmp, IPV6_HEADER_LEN + ip.payload_len - c.upper_offset, ip.src, ip.dst, &m) ==
               ICMPV6_HEADER_LEN);
    return 0;
}

static void check_bounds(struct naru_iface *iface)
{
    const struct addrconf_iface *a = &iface->autoconf;
    FUZZ_CHECK(iface->addr6_count <= IFACE_ADDR6_MAX && a->mld.count <= MLD_GROUPS_MAX);
    FUZZ_CHECK(a->rd.router_count <= RD_ROUTERS_MAX && a->rd.prefix_count <= RD_PREFIXES_MAX);
    FUZZ_CHECK(a->rd.dns_count <= RD_DNS_SERVERS_MAX && a->redirects.count <= REDIRECTS_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.interfaces = 2;
    struct naru_stack *stack;
    if (naru_stack_create(&config, &stack) != 0)
        return 0;
    struct naru_iface *ifaces[2];
    for (int i = 0; i < 2; i++) {
        struct naru_if_config ic = { .name = i ? "rtr" : "host", .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) },
                                     .driver = { .transmit = take_frame } };
        ifaces[i] = iface_get(stack, naru_if_add(stack, &ic));
    }
    autoconf_iface_up(stack, ifaces[0], false);
    autoconf_iface_up(stack, ifaces[1], true);
    naru_time_t now = 3 * NARU_SEC;
    naru_stack_poll(stack, now); /* DAD done on both */
    struct router_advert_config rc;
    router_advert_config_default(&rc);
    struct ra_prefix p = { .len = 64, .on_link = true, .autonomous = true, .valid_s = 600, .preferred_s = 300,
                           .prefix = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 } };
    router_advert_add_prefix(stack, ifaces[1], &p);
    router_advert_enable(stack, ifaces[1], &rc);

    size_t at = 0;
    while (size - at >= 4 + 32) {
        uint8_t control = data[at], hop_limit = data[at + 1];
        size_t len = (size_t)data[at + 2] << 8 | data[at + 3];
        at += 4;
        const uint8_t *src = data + at, *dst = data + at + 16;
        at += 32;
        if (len > size - at)
            len = size - at;
        memcpy(msg, data + at, len);
        at += len;
        if (control & 0x01 && len >= ICMPV6_HEADER_LEN) {
            msg[2] = msg[3] = 0;
            icmpv6_set_checksum(src, dst, msg, len);
        }
        struct ipv6_header ip = { .payload_len = (uint16_t)len, .next_header = IP_PROTO_ICMPV6,
                                  .hop_limit = hop_limit };
        memcpy(ip.src, src, 16);
        memcpy(ip.dst, dst, 16);
        now += (naru_time_t)(control >> 4) * 500 * NARU_MS;
        naru_stack_poll(stack, now);
        struct icmpv6_message m;
        struct naru_iface *iface = ifaces[(control & 0x08) ? 1 : 0];
        if (icmpv6_parse(msg, len, src, dst, &m) == ICMPV6_HEADER_LEN)
            autoconf_icmpv6_input(stack, iface, &ip, control & 0x02, control & 0x04, msg, len);
        check_bounds(ifaces[0]);
        check_bounds(ifaces[1]);
    }
    /* Every lifetime runs out, every timer fires. */
    for (int i = 0; i < 8; i++) {
        now += 3600 * NARU_SEC;
        naru_stack_poll(stack, now);
    }
    FUZZ_CHECK(naru_stack_buffers_in_use(stack) == 0);
    naru_stack_destroy(stack);
    return 0;
}
