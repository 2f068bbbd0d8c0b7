/* Fuzz the IPv6 receive path: packets into a stack (wrapped in Ethernet
 * frames), through validation, the extension header chain, reassembly,
 * ICMPv6, Neighbour Discovery, UDP and TCP, with timers run forward.
 *
 * Input:
 *   byte 0      configuration: 0x01 forwarding on, with a second
 *               interface (2001:db8:1::1/64) to route to; 0x02 the
 *               stack also takes the first packet's destination as an
 *               address of its own (when that is a unicast address), so
 *               captured packets reach it
 *   then records, each: a control byte, a 16-bit length, the packet from
 *   its IPv6 header on.
 *     control 0x01   fix the upper-layer checksum (ICMPv6, UDP, TCP) first
 *     control 0x7e   ((c >> 1) & 63) * 100 ms pass before the packet
 *     control 0x80   the packet arrives on the second interface
 *
 * The stack has its link-local address, 2001:db8::2/64, a UDP socket on
 * port 7 (either family), a ping socket and a TCP listener on 8080 whose
 * connections are accepted and closed. After the packets, time runs on
 * past every reassembly, neighbour and TCP timeout, the sockets close and
 * time runs on again, for hours (an advertised RetransTimer may be an
 * hour). Then no packet buffer may be held, and destroying the stack
 * must free everything (LeakSanitizer). */
#include <string.h>

#include "fuzz.h"
#include "link/iface.h"
#include "naru/addr.h"
#include "naru/socket.h"
#include "naru/stack.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/ipv6.h"

#define MAX_PACKET 65535

static const uint8_t our_mac[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0b };
static const uint8_t second_mac[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0c };
static const uint8_t peer_mac[6] = { 0x02, 0x6e, 0x61, 0x72, 0x75, 0x0a };

static int transmit(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx, (void)frame, (void)len;
    return 0;
}

static void add_address(struct naru_stack *stack, int ifindex, const uint8_t addr[16], bool route)
{
    struct naru_iface *iface = iface_get(stack, ifindex);
    if (iface_addr6_add(stack, iface, addr, 64, IFA6_PREFERRED, IFA6_STATIC, NARU_NEVER, NARU_NEVER) < 0 || !route)
        return;
    uint8_t prefix[16] = { 0 };
    memcpy(prefix, addr, 8);
    struct naru_addr p = naru_addr_v6(prefix);
    naru_route_add(stack, &p, 64, NULL, ifindex);
}

/* The transport checksum over the pseudo-header, rewritten, where the
 * chain reaches a whole upper-layer header. */
static void fix_checksum(uint8_t *p, size_t len)
{
    struct ipv6_chain c;
    if (len < IPV6_HEADER_LEN || ipv6_walk_chain(p, len, &c) < 0 || (c.fragment && c.frag.offset != 0))
        return;
    size_t off;
    switch (c.upper_protocol) {
    case IP_PROTO_ICMPV6: off = 2; break;
    case IP_PROTO_UDP: off = 6; break;
    case IP_PROTO_TCP: off = 16; break;
    default: return;
    }
    if (c.upper_offset + off + 2 > len)
        return;
    uint8_t *u = p + c.upper_offset;
    size_t ulen = len - c.upper_offset;
    wire_put16(u + off, 0);
    uint16_t sum = inet_fold(inet_sum(u, ulen, inet6_pseudo_sum(p + 8, p + 24, (uint32_t)ulen, c.upper_protocol)));
    if (c.upper_protocol == IP_PROTO_UDP && sum == 0)
        sum = 0xffff;
    wire_put16(u + off, sum);
}

static void drain(struct naru_stack *stack, const int *socks, int n, int listener)
{
    uint8_t buf[2048];
    for (int i = 0; i < n; i++)
        while (naru_recv(stack, socks[i], buf, sizeof buf, 0) > 0)
            ;
    int c;
    while ((c = naru_accept(stack, listener, NULL)) >= 0) {
        naru_recv(stack, c, buf, sizeof buf, 0);
        naru_send(stack, c, "ok", 2, 0);
        naru_close(stack, c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t config = data[0];
    struct naru_stack_config sc;
    naru_stack_config_default(&sc);
    sc.frame_buffers = 256;
    struct naru_stack *stack;
    if (naru_stack_create(&sc, &stack) < 0)
        return 0;
    struct naru_if_config ic = { .name = "fz0", .driver = { .transmit = transmit } };
    memcpy(ic.mac, our_mac, 6);
    int if0 = naru_if_add(stack, &ic);
    naru_if_set_addr(stack, if0, 0xc6120002u, 24); /* 198.18.0.2: brings it up, link-local too */
    static const uint8_t ours[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
    add_address(stack, if0, ours, true);
    int if1 = -1;
    if (config & 0x01) {
        memcpy(ic.mac, second_mac, 6);
        ic.name = "fz1";
        if1 = naru_if_add(stack, &ic);
        naru_if_set_addr(stack, if1, 0xc6120101u, 24);
        static const uint8_t second[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
        add_address(stack, if1, second, true);
        naru_stack_set_forwarding(stack, true);
    }
    int socks[2];
    socks[0] = naru_socket(stack, NARU_SOCK_DGRAM);
    naru_bind(stack, socks[0], &(struct naru_sockaddr){ .port = 7 });
    socks[1] = naru_socket(stack, NARU_SOCK_PING);
    naru_bind(stack, socks[1], &(struct naru_sockaddr){ .port = 0 });
    int listener = naru_socket(stack, NARU_SOCK_STREAM);
    naru_bind(stack, listener, &(struct naru_sockaddr){ .port = 8080 });
    naru_listen(stack, listener, 4);

    static uint8_t frame[ETH_HEADER_LEN + MAX_PACKET];
    naru_time_t now = 0;
    bool first = true;
    size_t at = 1;
    while (size - at >= 3) {
        uint8_t control = data[at];
        size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
        at += 3;
        if (len > size - at)
            len = size - at;
        const uint8_t *packet = data + at;
        at += len;
        if (first && (config & 0x02) && len >= IPV6_HEADER_LEN && packet[24] != 0xff)
            add_address(stack, if0, packet + 24, false);
        first = false;
        now += (naru_time_t)((control >> 1) & 63) * 100 * NARU_MS;
        naru_stack_poll(stack, now);
        drain(stack, socks, 2, listener);
        uint8_t *p = frame + ETH_HEADER_LEN;
        memcpy(p, packet, len);
        if (control & 0x01)
            fix_checksum(p, len);
        struct eth_header eth = { .ethertype = ETHERTYPE_IPV6 };
        memcpy(eth.src, peer_mac, 6);
        if (len >= IPV6_HEADER_LEN && p[24] == 0xff)
            eth_ipv6_multicast_mac(p + 24, eth.dst);
        else
            memcpy(eth.dst, (control & 0x80) && if1 >= 0 ? second_mac : our_mac, 6);
        eth_emit(&eth, frame, ETH_HEADER_LEN);
        naru_stack_input(stack, (control & 0x80) && if1 >= 0 ? if1 : if0, frame, ETH_HEADER_LEN + len);
        naru_stack_poll(stack, now);
    }
    drain(stack, socks, 2, listener);
    for (int i = 0; i < 40; i++) { /* 200 s: reassembly (60 s), neighbours, TCP */
        now += 5 * NARU_SEC;
        naru_stack_poll(stack, now);
        drain(stack, socks, 2, listener);
    }
    naru_close(stack, socks[0]);
    naru_close(stack, socks[1]);
    naru_close(stack, listener);
    for (int i = 0; i < 60; i++) {
        now += 5 * NARU_SEC;
        naru_stack_poll(stack, now);
    }
    /* An advertised RetransTimer may be up to an hour: address resolution
     * (three solicitations) and DAD give up within a few. */
    for (int i = 0; i < 8; i++) {
        now += 3600 * NARU_SEC;
        naru_stack_poll(stack, now);
    }
    FUZZ_CHECK(naru_stack_buffers_in_use(stack) == 0);
    naru_stack_destroy(stack);
    return 0;
}
