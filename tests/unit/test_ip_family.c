/* The IP layer's family-neutral face (src/ip/ip.h): the transport
 * pseudo-header of either family, and IPv6 without a route. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/ip.h"
#include "stack.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* IPv6 datagrams Linux sent over a veth, 2001:db8::1 to 2001:db8::2, from
 * raw sockets with IPV6_CHECKSUM, so the kernel summed the checksums itself
 * (no offload left them partial): a UDP datagram to port 7 and a TCP SYN
 * to port 80. */
static const uint8_t linux_udp6[62] = {
    0x60, 0x04, 0x1c, 0x2c, 0x00, 0x16, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x07, 0x00, 0x16, 0x5e, 0xb3,
    0x6e, 0x61, 0x72, 0x75, 0x20, 0x6f, 0x76, 0x65, 0x72, 0x20, 0x49, 0x50, 0x76, 0x36,
};
static const uint8_t linux_tcp6_syn[60] = {
    0x60, 0x01, 0x21, 0x90, 0x00, 0x14, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x41, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78,
    0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0, 0x54, 0x3f, 0x00, 0x00,
};

static void addresses_of(const uint8_t *ip6, struct naru_addr *src, struct naru_addr *dst)
{
    *src = naru_addr_v6(ip6 + 8);
    *dst = naru_addr_v6(ip6 + 24);
}

static void linux_ipv6_checksums_verify_and_are_made_the_same(void **state)
{
    (void)state;
    struct naru_addr src, dst;
    addresses_of(linux_udp6, &src, &dst);
    const uint8_t *udp = linux_udp6 + 40;
    struct udp_header uh;
    assert_int_equal(udp_parse_pseudo(udp, 22, ip_pseudo_sum(&src, &dst, IP_PROTO_UDP), &uh), UDP_HEADER_LEN);
    assert_int_equal(uh.dst_port, 7);
    /* Made again from the header fields, the checksum is Linux's. */
    uint8_t out[22];
    memcpy(out + UDP_HEADER_LEN, udp + UDP_HEADER_LEN, 14);
    udp_emit_pseudo(&uh, ip_pseudo_sum(&src, &dst, IP_PROTO_UDP), out, sizeof out);
    assert_memory_equal(out, udp, sizeof out);
    /* Another source address (one bit) is another checksum. */
    struct naru_addr other = src;
    other.v6[15] ^= 2;
    assert_int_equal(udp_parse_pseudo(udp, 22, ip_pseudo_sum(&other, &dst, IP_PROTO_UDP), &uh), WIRE_BAD_CHECKSUM);

    addresses_of(linux_tcp6_syn, &src, &dst);
    const uint8_t *tcp = linux_tcp6_syn + 40;
    struct tcp_header th;
    assert_int_equal(tcp_parse_pseudo(tcp, 20, ip_pseudo_sum(&src, &dst, IP_PROTO_TCP), &th), TCP_MIN_HEADER_LEN);
    assert_int_equal(th.flags, TCP_SYN);
    assert_int_equal(th.seq, 0x12345678u);
    uint8_t seg[20];
    tcp_emit_pseudo(&th, ip_pseudo_sum(&src, &dst, IP_PROTO_TCP), seg, 0);
    assert_memory_equal(seg, tcp, sizeof seg);
    /* The same header under IPv4's pseudo-header does not verify. */
    struct naru_addr s4 = naru_addr_v4(ip("198.18.0.1")), d4 = naru_addr_v4(ip("198.18.0.2"));
    assert_int_equal(tcp_parse_pseudo(tcp, 20, ip_pseudo_sum(&s4, &d4, IP_PROTO_TCP), &th), WIRE_BAD_CHECKSUM);
}

static void ipv4_pseudo_header_sum_is_the_codecs_own(void **state)
{
    (void)state;
    /* The family-neutral sum plus the length is what the IPv4 codecs
     * always used, so IPv4 checksums are what they were. */
    struct naru_addr s = naru_addr_v4(ip("10.0.0.1")), d = naru_addr_v4(ip("10.0.0.2"));
    assert_int_equal(ip_pseudo_sum(&s, &d, IP_PROTO_UDP) + 1234,
                     inet_pseudo_sum(ip("10.0.0.1"), ip("10.0.0.2"), IP_PROTO_UDP, 1234));
}

static void ipv6_without_a_route_is_not_sent(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    struct naru_addr d6, src;
    addresses_of(linux_udp6, &src, &d6);
    assert_int_equal(ip_select_source(h->stack, &d6, &src), -ENETUNREACH);
    struct pbuf *pb = pbuf_alloc(h->stack, PBUF_HEADROOM, 8);
    assert_non_null(pb);
    struct ip_send send = { .dst = &d6, .protocol = IP_PROTO_UDP };
    assert_int_equal(ip_output(h->stack, pb, &send), -ENETUNREACH);
    assert_int_equal(counter(h->stack, "ip6_no_route"), 1);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0); /* taken and freed */
    assert_null(capture_take(h));
    capture_host_free(h);
}

/* An IPv4 datagram from 10.0.0.2 to the host's port. */
static void deliver_udp(struct capture_host *h, uint16_t port)
{
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip("10.0.0.2"), h->addr, 5000, port, "hi", 2);
    struct frame_spec spec = { .src = ip("10.0.0.2"), .dst = h->addr, .protocol = IP_PROTO_UDP, .ttl = 64 };
    naru_stack_input(h->stack, h->ifindex, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
}

static void wildcard_takes_either_family_but_ipv6_only_with_v6only(void **state)
{
    (void)state;
    struct capture_host *h = capture_host_new("10.0.0.1/24");
    int s = udp_socket(h->stack, 7); /* bound to 0.0.0.0: the wildcard of either family */
    deliver_udp(h, 7);
    char buf[8];
    assert_int_equal(naru_recv(h->stack, s, buf, sizeof buf, 0), 2);
    /* IPV6_V6ONLY (no call sets it yet): the wildcard leaves IPv4 alone. */
    sock_get(h->stack, s)->v6only = true;
    deliver_udp(h, 7);
    assert_int_equal(naru_recv(h->stack, s, buf, sizeof buf, 0), -EAGAIN);
    assert_int_equal(counter(h->stack, "udp_rx_no_port"), 1);
    capture_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linux_ipv6_checksums_verify_and_are_made_the_same),
        cmocka_unit_test(ipv4_pseudo_header_sum_is_the_codecs_own),
        cmocka_unit_test(ipv6_without_a_route_is_not_sent),
        cmocka_unit_test(wildcard_takes_either_family_but_ipv6_only_with_v6only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
