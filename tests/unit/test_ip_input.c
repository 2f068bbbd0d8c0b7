/* IPv4 input, reassembly and ICMP error rules, one injected frame at a time. */
#include "testnet.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
#define HOST "10.0.0.1"
#define PEER "10.0.0.2"

static int setup(void **state)
{
    struct capture_host *h = capture_host_new(HOST "/24");
    capture_teach_neighbour(h, ip(PEER), peer_mac);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    capture_host_free(*state);
    return 0;
}

/* A UDP datagram of `len` data bytes to the host's port 7000, cut into
 * fragments of at most `chunk` payload bytes (a multiple of 8). */
struct fragments {
    uint8_t frame[8][1600];
    size_t len[8];
    int count;
    uint8_t data[4000];
};

static void make_fragments(struct fragments *f, size_t len, size_t chunk, uint16_t id)
{
    static uint8_t datagram[8 + 4000];
    for (size_t i = 0; i < len; i++)
        f->data[i] = (uint8_t)(i * 13 + 1);
    size_t total = build_udp(datagram, ip(PEER), ip(HOST), 5555, 7000, f->data, len);
    f->count = 0;
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP, .id = id,
                                   .fragment_offset = (uint16_t)off, .more_fragments = off + n < total };
        f->len[f->count] = build_ip_frame(f->frame[f->count], sizeof f->frame[0], &spec, datagram + off, n);
        f->count++;
    }
}

static void inject(struct capture_host *h, const uint8_t *frame, size_t len)
{
    naru_stack_input(h->stack, h->ifindex, frame, len);
}

static long receive(struct capture_host *h, int sock, uint8_t *buf, size_t cap)
{
    return naru_recv(h->stack, sock, buf, cap, 0);
}

static void fragments_in_any_order_are_reassembled(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments f;
    make_fragments(&f, 4000, 1480, 77);
    assert_int_equal(f.count, 3);
    static const int order[] = { 2, 0, 1 };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(receive(h, sock, (uint8_t[1]){ 0 }, 1), -EAGAIN);
        inject(h, f.frame[order[i]], f.len[order[i]]);
    }
    static uint8_t got[5000];
    assert_int_equal(receive(h, sock, got, sizeof got), 4000);
    assert_memory_equal(got, f.data, 4000);
    assert_int_equal(counter(h->stack, "ip_reasm_ok"), 1);
    naru_close(h->stack, sock);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void duplicate_fragment_is_ignored(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments f;
    make_fragments(&f, 4000, 1480, 78);
    inject(h, f.frame[1], f.len[1]);
    inject(h, f.frame[1], f.len[1]);
    inject(h, f.frame[0], f.len[0]);
    inject(h, f.frame[2], f.len[2]);
    static uint8_t got[5000];
    assert_int_equal(receive(h, sock, got, sizeof got), 4000);
    assert_memory_equal(got, f.data, 4000);
    assert_int_equal(counter(h->stack, "ip_reasm_overlaps"), 0);
}

static void overlapping_fragments_drop_the_datagram(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments f, g;
    make_fragments(&f, 4000, 1480, 79);
    make_fragments(&g, 4000, 1000, 79); /* same datagram, cut elsewhere */
    inject(h, f.frame[0], f.len[0]);    /* bytes 0..1479 */
    inject(h, g.frame[1], g.len[1]);    /* bytes 1000..1999: overlaps */
    assert_int_equal(counter(h->stack, "ip_reasm_overlaps"), 1);
    inject(h, f.frame[1], f.len[1]);
    inject(h, f.frame[2], f.len[2]);
    assert_int_equal(receive(h, sock, (uint8_t[8]){ 0 }, 8), -EAGAIN);
    assert_int_equal(counter(h->stack, "ip_reasm_ok"), 0);
}

static void lost_fragment_times_out_frees_memory_and_sends_time_exceeded(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    static struct fragments f;
    make_fragments(&f, 4000, 1480, 80);
    inject(h, f.frame[0], f.len[0]);
    inject(h, f.frame[2], f.len[2]);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 1); /* the reassembly buffer */
    naru_stack_poll(h->stack, 29 * NARU_SEC);
    assert_int_equal(counter(h->stack, "ip_reasm_timeouts"), 0);
    naru_stack_poll(h->stack, 31 * NARU_SEC);
    assert_int_equal(counter(h->stack, "ip_reasm_timeouts"), 1);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
    assert_int_equal(receive(h, sock, (uint8_t[8]){ 0 }, 8), -EAGAIN);
    /* RFC 1122 3.3.2: fragment zero arrived, so the sender hears of it
     * (after an ARP probe: the neighbour entry went stale meanwhile). */
    const struct captured_frame *out = capture_take_ip(h);
    assert_non_null(out);
    struct ipv4_header iph;
    int hl = ipv4_parse(out->data + ETH_HEADER_LEN, out->len - ETH_HEADER_LEN, &iph);
    assert_true(hl > 0);
    assert_int_equal(iph.dst, ip(PEER));
    struct icmp_message m;
    assert_int_equal(icmp_parse(out->data + ETH_HEADER_LEN + hl, iph.total_len - (size_t)hl, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_TIME_EXCEEDED);
    assert_int_equal(m.code, ICMP_REASSEMBLY_TIME_EXCEEDED);
    assert_int_equal(m.quoted_ip.id, 80);
    assert_int_equal(m.quoted_ip.fragment_offset, 0);
    assert_int_equal(wire_get16(m.quoted_payload + 2), 7000); /* the UDP header it quotes */
    assert_null(capture_take_v4(h));
}

static void timeout_without_fragment_zero_sends_nothing(void **state)
{
    struct capture_host *h = *state;
    static struct fragments f;
    make_fragments(&f, 4000, 1480, 81);
    inject(h, f.frame[1], f.len[1]);
    naru_stack_poll(h->stack, 31 * NARU_SEC);
    assert_int_equal(counter(h->stack, "ip_reasm_timeouts"), 1);
    assert_null(capture_take_v4(h));
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void reassembly_slots_are_bounded_and_the_oldest_gives_way(void **state)
{
    struct capture_host *h = *state;
    static struct fragments f;
    for (uint16_t id = 0; id < 9; id++) { /* the default is 8 slots */
        make_fragments(&f, 4000, 1480, (uint16_t)(100 + id));
        naru_stack_poll(h->stack, id * NARU_MS);
        inject(h, f.frame[0], f.len[0]);
    }
    assert_int_equal(counter(h->stack, "ip_reasm_evicted"), 1);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 8);
    naru_stack_poll(h->stack, 60 * NARU_SEC);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
}

static void bad_header_checksum_is_dropped_and_counted(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip(PEER), ip(HOST), 5555, 7000, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP };
    size_t len = build_ip_frame(frame, sizeof frame, &spec, udp, n);
    frame[ETH_HEADER_LEN + 10] ^= 0x40;
    inject(h, frame, len);
    assert_int_equal(counter(h->stack, "ip_rx_checksum_errors"), 1);
    assert_int_equal(receive(h, sock, udp, sizeof udp), -EAGAIN);
    assert_null(capture_take_v4(h));
}

static void our_own_address_as_source_from_the_wire_is_dropped(void **state)
{
    struct capture_host *h = *state;
    int sock = udp_socket(h->stack, 7000);
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip(HOST), ip(HOST), 5555, 7000, "hi", 2);
    struct frame_spec spec = { .src = ip(HOST), .dst = ip(HOST), .protocol = IP_PROTO_UDP };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
    assert_int_equal(counter(h->stack, "ip_rx_address_errors"), 1);
    assert_int_equal(receive(h, sock, udp, sizeof udp), -EAGAIN);
    /* From ourselves through the stack (loopback) it is fine. */
    struct naru_sockaddr self = { .addr = naru_addr_v4(ip(HOST)), .port = 7000 };
    int tx = udp_socket(h->stack, 0);
    assert_int_equal(naru_sendto(h->stack, tx, "me", 2, 0, &self), 2);
    naru_stack_poll(h->stack, 1);
    assert_int_equal(receive(h, sock, udp, sizeof udp), 2);
}

static void closed_port_gets_port_unreachable_quoting_the_datagram(void **state)
{
    struct capture_host *h = *state;
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip(PEER), ip(HOST), 5555, 9, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP, .id = 4242 };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
    const struct captured_frame *out = capture_take_v4(h);
    assert_non_null(out);
    struct ipv4_header iph;
    int hl = ipv4_parse(out->data + ETH_HEADER_LEN, out->len - ETH_HEADER_LEN, &iph);
    struct icmp_message m;
    assert_int_equal(icmp_parse(out->data + ETH_HEADER_LEN + hl, iph.total_len - (size_t)hl, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_DEST_UNREACHABLE);
    assert_int_equal(m.code, ICMP_PORT_UNREACHABLE);
    assert_int_equal(m.quoted_ip.id, 4242);
    assert_int_equal(m.quoted_payload_len, n); /* the whole small datagram is quoted */
    assert_memory_equal(m.quoted_payload, udp, n);
    assert_int_equal(iph.src, ip(HOST));
    assert_int_equal(iph.dst, ip(PEER));
}

static void no_icmp_error_about_broadcasts_errors_or_later_fragments(void **state)
{
    struct capture_host *h = *state;
    uint8_t udp[64], frame[128];
    /* To the subnet broadcast address. */
    size_t n = build_udp(udp, ip(PEER), ip("10.0.0.255"), 5555, 9, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip("10.0.0.255"), .protocol = IP_PROTO_UDP };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &spec, udp, n));
    /* An ICMP error about an ICMP error. */
    uint8_t icmp[64] = { ICMP_DEST_UNREACHABLE, ICMP_PORT_UNREACHABLE };
    uint8_t quoted[28];
    struct frame_spec inner = { .src = ip(HOST), .dst = ip(PEER), .protocol = IP_PROTO_ICMP };
    uint8_t inner_frame[64];
    uint8_t inner_icmp[8] = { ICMP_TIME_EXCEEDED };
    build_ip_frame(inner_frame, sizeof inner_frame, &inner, inner_icmp, 8);
    memcpy(quoted, inner_frame + ETH_HEADER_LEN, 28);
    memcpy(icmp + 8, quoted, 28);
    struct icmp_message m = { .type = ICMP_DEST_UNREACHABLE, .code = ICMP_PORT_UNREACHABLE };
    icmp_emit(&m, icmp, 36);
    struct frame_spec outer = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_ICMP };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &outer, icmp, 36));
    /* A datagram of an unknown protocol to a broadcast MAC. */
    uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct frame_spec proto = { .src = ip(PEER), .dst = ip(HOST), .protocol = 99, .dst_mac = bcast };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &proto, udp, 8));
    assert_null(capture_take_v4(h));
    assert_int_equal(counter(h->stack, "icmp_tx_suppressed"), 2);
    assert_int_equal(counter(h->stack, "udp_rx_no_port"), 1);
    assert_int_equal(counter(h->stack, "ip_rx_unknown_protocol"), 1);
}

/* An echo request with options, as `ping -R` (Record Route, the sender's
 * address already in) or `ping -T tsonly` sends it. */
static size_t echo_with_options(uint8_t *frame, size_t cap, const uint8_t *options, size_t options_len)
{
    uint8_t icmp[16] = { ICMP_ECHO_REQUEST };
    struct icmp_message m = { .type = ICMP_ECHO_REQUEST, .rest = icmp_echo_rest(7, 1) };
    icmp_emit(&m, icmp, sizeof icmp);
    uint8_t datagram[128];
    struct ipv4_header h = { .total_len = (uint16_t)(ipv4_header_len_for(options_len) + sizeof icmp), .ttl = 64,
                             .protocol = IP_PROTO_ICMP, .src = ip(PEER), .dst = ip(HOST),
                             .options = options, .options_len = (uint8_t)options_len };
    size_t hl = ipv4_emit(&h, datagram, sizeof datagram);
    memcpy(datagram + hl, icmp, sizeof icmp);
    assert_true(cap >= ETH_HEADER_LEN + hl + sizeof icmp);
    static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    memcpy(frame, dst_mac, 6);
    memcpy(frame + 6, peer_mac, 6);
    frame[12] = 0x08, frame[13] = 0x00;
    memcpy(frame + ETH_HEADER_LEN, datagram, hl + sizeof icmp);
    return ETH_HEADER_LEN + hl + sizeof icmp;
}

static void echo_reply_carries_record_route_with_our_address(void **state)
{
    struct capture_host *h = *state;
    uint8_t rr[39] = { 7, 39, 8 };
    wire_put32(rr + 3, ip(PEER));
    uint8_t options[40] = { 0 };
    memcpy(options, rr, sizeof rr); /* an EOL pads it to 40 */
    uint8_t frame[256];
    inject(h, frame, echo_with_options(frame, sizeof frame, options, sizeof options));
    const struct captured_frame *out = capture_take_ip(h);
    assert_non_null(out);
    struct ipv4_header reply;
    assert_int_equal(ipv4_parse(out->data + ETH_HEADER_LEN, out->len - ETH_HEADER_LEN, &reply), 60);
    assert_int_equal(reply.options[0], 7);
    assert_int_equal(reply.options[2], 12); /* one more address recorded */
    assert_int_equal(wire_get32(reply.options + 3), ip(PEER));
    assert_int_equal(wire_get32(reply.options + 7), ip(HOST));
    struct icmp_message m;
    assert_int_equal(icmp_parse(out->data + ETH_HEADER_LEN + 60, reply.total_len - 60u, &m), ICMP_HEADER_LEN);
    assert_int_equal(m.type, ICMP_ECHO_REPLY);
}

static void echo_reply_stamps_a_timestamp_option_and_drops_others(void **state)
{
    struct capture_host *h = *state;
    naru_stack_poll(h->stack, 1234 * NARU_MS);
    /* A timestamp option with room for two stamps, then a router-alert
     * option (20) that does not belong in a reply. */
    uint8_t options[16] = { 68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 4, 0, 0 };
    uint8_t frame[256];
    inject(h, frame, echo_with_options(frame, sizeof frame, options, sizeof options));
    const struct captured_frame *out = capture_take_ip(h);
    assert_non_null(out);
    struct ipv4_header reply;
    assert_int_equal(ipv4_parse(out->data + ETH_HEADER_LEN, out->len - ETH_HEADER_LEN, &reply), 32);
    assert_int_equal(reply.options[0], 68);
    assert_int_equal(reply.options[2], 9);
    /* No UT clock: the high bit says the time is of naru's own making. */
    assert_int_equal(wire_get32(reply.options + 4), 0x80000000u | 1234);
    assert_int_equal(reply.options[12], 0); /* router alert gone: EOL padding */
}

static void echo_request_to_broadcast_is_not_answered(void **state)
{
    struct capture_host *h = *state;
    uint8_t icmp[16] = { ICMP_ECHO_REQUEST }, frame[128];
    struct icmp_message m = { .type = ICMP_ECHO_REQUEST, .rest = icmp_echo_rest(1, 1) };
    icmp_emit(&m, icmp, sizeof icmp);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip("10.0.0.255"), .protocol = IP_PROTO_ICMP };
    inject(h, frame, build_ip_frame(frame, sizeof frame, &spec, icmp, sizeof icmp));
    assert_int_equal(counter(h->stack, "icmp_rx_echo_requests"), 1);
    assert_null(capture_take_v4(h));
    spec.dst = ip(HOST);
    inject(h, frame, build_ip_frame(frame, sizeof frame, &spec, icmp, sizeof icmp));
    assert_non_null(capture_take_v4(h));
}

static void icmp_errors_are_rate_limited(void **state)
{
    struct capture_host *h = *state;
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip(PEER), ip(HOST), 5555, 9, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP };
    size_t len = build_ip_frame(frame, sizeof frame, &spec, udp, n);
    for (int i = 0; i < 200; i++)
        inject(h, frame, len);
    /* Default: 1000 per second with a burst of 50. */
    assert_int_equal(counter(h->stack, "icmp_tx_errors"), 50);
    assert_int_equal(counter(h->stack, "icmp_tx_rate_limited"), 150);
    naru_stack_poll(h->stack, 10 * NARU_MS); /* 10 ms earns 10 more */
    for (int i = 0; i < 20; i++)
        inject(h, frame, len);
    assert_int_equal(counter(h->stack, "icmp_tx_errors"), 60);
}

static void vlan_tagged_and_foreign_frames_are_dropped_and_counted(void **state)
{
    struct capture_host *h = *state;
    uint8_t udp[64], frame[128], tagged[132];
    size_t n = build_udp(udp, ip(PEER), ip(HOST), 5555, 9, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP };
    size_t len = build_ip_frame(frame, sizeof frame, &spec, udp, n);
    memcpy(tagged, frame, 12);
    tagged[12] = 0x81, tagged[13] = 0x00, tagged[14] = 0x00, tagged[15] = 0x05;
    memcpy(tagged + 16, frame + 12, len - 12);
    inject(h, tagged, len + 4);
    assert_int_equal(counter(h->stack, "link_rx_vlan_tagged"), 1);
    frame[5] = 0x99; /* another host's MAC */
    inject(h, frame, len);
    assert_int_equal(counter(h->stack, "link_rx_not_for_us"), 1);
    static const uint8_t all_hosts[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    memcpy(frame, all_hosts, 6);
    inject(h, frame, len);
    assert_int_equal(counter(h->stack, "link_rx_multicast"), 1);
    inject(h, frame, 10);
    assert_int_equal(counter(h->stack, "link_rx_malformed"), 1);
    assert_int_equal(counter(h->stack, "udp_rx"), 0);
    assert_null(capture_take_v4(h));
}

static void empty_buffer_pool_drops_and_counts_then_recovers(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    config.frame_buffers = 8;
    struct capture_host *h = capture_host_new_with(HOST "/24", &config);
    capture_teach_neighbour(h, ip(PEER), peer_mac);
    int sock = udp_socket(h->stack, 7000);
    uint8_t udp[64], frame[128];
    size_t n = build_udp(udp, ip(PEER), ip(HOST), 5555, 7000, "hi", 2);
    struct frame_spec spec = { .src = ip(PEER), .dst = ip(HOST), .protocol = IP_PROTO_UDP };
    size_t len = build_ip_frame(frame, sizeof frame, &spec, udp, n);
    for (int i = 0; i < 20; i++)
        inject(h, frame, len);
    assert_int_equal(counter(h->stack, "buffers_frame_exhausted"), 12);
    int got = 0;
    while (receive(h, sock, udp, sizeof udp) == 2)
        got++;
    assert_int_equal(got, 8);
    inject(h, frame, len);
    assert_int_equal(receive(h, sock, udp, sizeof udp), 2);
    naru_close(h->stack, sock);
    assert_int_equal(naru_stack_buffers_in_use(h->stack), 0);
    capture_host_free(h);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(fragments_in_any_order_are_reassembled),
        T(duplicate_fragment_is_ignored),
        T(overlapping_fragments_drop_the_datagram),
        T(lost_fragment_times_out_frees_memory_and_sends_time_exceeded),
        T(timeout_without_fragment_zero_sends_nothing),
        T(reassembly_slots_are_bounded_and_the_oldest_gives_way),
        T(bad_header_checksum_is_dropped_and_counted),
        T(our_own_address_as_source_from_the_wire_is_dropped),
        T(closed_port_gets_port_unreachable_quoting_the_datagram),
        T(no_icmp_error_about_broadcasts_errors_or_later_fragments),
        T(echo_reply_carries_record_route_with_our_address),
        T(echo_reply_stamps_a_timestamp_option_and_drops_others),
        T(echo_request_to_broadcast_is_not_answered),
        T(icmp_errors_are_rate_limited),
        T(vlan_tagged_and_foreign_frames_are_dropped_and_counted),
        cmocka_unit_test(empty_buffer_pool_drops_and_counts_then_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
