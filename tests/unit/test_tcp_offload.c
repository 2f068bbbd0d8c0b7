/* Checksum and segmentation offloads (include/naru/stack.h NARU_OFFLOAD_*),
 * through a driver that declares them and acts as a device would
 * (tests/support/capture.c): TCP leaves its checksums partial and sends
 * frames of whole segments for the device to cut (TSO), sized by the
 * windows, Nagle and the burst limit; received frames of merged segments
 * (GSO) and partial checksums are taken, but a partial checksum only where
 * it belongs; captures see checksums completed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "tcp_peer.h"
#include "tcp/tcp_conn.h"
#include "testnet.h"
#include "wire/checksum.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"

#define ISN 0x10000u
#define PEER_ISN 0x20000u
#define MSS 1448
#define ALL_OFFLOADS (NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4 | NARU_OFFLOAD_RX_LARGE)
/* Ethernet, IPv4 and TCP with timestamps. */
#define HEADERS (ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN + 32)

static uint8_t bulk[256 * 1024];

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof bulk; i++)
        bulk[i] = (uint8_t)(i * 29 + 7);
    return peer_fixture_setup(state, NULL, ALL_OFFLOADS, ISN, PEER_ISN);
}

static void expect_tso(const struct got *g, uint32_t seq, uint32_t len)
{
    assert_int_equal(g->h.seq, seq);
    assert_int_equal(g->len, len);
    assert_memory_equal(g->data, bulk + (seq - ISN - 1), len);
    assert_true(g->meta.flags & NARU_FRAME_CSUM_PARTIAL);
    assert_int_equal(g->meta.csum_start, ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN);
    assert_int_equal(g->meta.csum_offset, 16);
    if (len > MSS) {
        assert_true(g->meta.flags & NARU_FRAME_GSO_TCP4);
        assert_int_equal(g->meta.gso_size, MSS);
        assert_int_equal(g->meta.hdr_len, HEADERS);
    } else {
        assert_false(g->meta.flags & NARU_FRAME_GSO_TCP4);
    }
}

static void tcp_the_initial_window_goes_in_one_frame_for_the_device_to_cut(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    uint64_t tx_before = counter(p->stack, "tcp_tx");
    assert_int_equal(naru_send(p->stack, f->s, bulk, 64 * 1024, 0), 64 * 1024);
    /* IW10 (RFC 6928): ten segments, one frame; the checksum the device
     * completed (capture.c) is right, or peer_take() would have failed. */
    expect_tso(peer_take(p), ISN + 1, 10 * MSS);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "link_tx_tso"), 1);
    assert_int_equal(counter(p->stack, "tcp_tx"), tx_before + 10); /* as on the wire */
    /* One ACK for all ten: slow start doubles (RFC 3465), and the ACK
     * clock lets 20 segments go, a 16-segment burst and the rest after. */
    p->rcv_nxt = ISN + 1 + 10 * MSS;
    peer_send_ack(p, 65535);
    struct got g;
    uint32_t seq = ISN + 1 + 10 * MSS, total = 0;
    while (peer_maybe_take(p, &g)) {
        assert_int_equal(g.h.seq, seq);
        assert_int_equal(g.len % MSS, 0);
        assert_true(g.len <= 26u * MSS); /* ten acknowledged plus the burst limit */
        seq += (uint32_t)g.len;
        total += (uint32_t)g.len;
    }
    assert_int_equal(total, 20 * MSS);
}

static void tcp_the_acks_of_one_batch_release_one_frame(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    assert_int_equal(naru_send(p->stack, f->s, bulk, 128 * 1024, 0), 128 * 1024);
    expect_tso(peer_take(p), ISN + 1, 10 * MSS);
    /* Three ACKs read in one batch, as a host loop reads what the TAP
     * device holds: nothing goes until the batch ends ... */
    peer_batch_begin(p);
    for (int i = 1; i <= 3; i++) {
        p->rcv_nxt = ISN + 1 + (uint32_t)i * 3 * MSS;
        peer_send_ack(p, 65535);
        peer_expect_nothing(p);
    }
    /* ... then one frame holds what all three let out: 9 segments
     * acknowledged and slow start's growth, within their burst credits
     * added up (9 + 16), where one frame per ACK would have made three. */
    peer_batch_end(p);
    struct got *g = peer_take(p);
    assert_int_equal(g->h.seq, ISN + 1 + 10 * MSS);
    assert_int_equal(g->len, 18 * MSS);
    expect_tso(g, ISN + 1 + 10 * MSS, 18 * MSS);
    peer_expect_nothing(p);
    /* An ACK alone in its batch sends at once, as before. */
    p->rcv_nxt = ISN + 1 + 10 * MSS;
    peer_send_ack(p, 65535);
    assert_true(peer_take(p)->len > 0);
}

static void tcp_a_frame_ends_short_only_where_the_data_ends(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* 5000 bytes: three whole segments and a short last one in one frame,
     * PSH on it (the device puts PSH on the last piece only). */
    assert_int_equal(naru_send(p->stack, f->s, bulk, 5000, 0), 5000);
    struct got *g = peer_take(p);
    expect_tso(g, ISN + 1, 5000);
    assert_true(g->h.flags & TCP_PSH);
    /* 100 more while that short piece is unacknowledged: Nagle holds them
     * (RFC 1122 4.2.3.4, Minshall's form) until the ACK. */
    assert_int_equal(naru_send(p->stack, f->s, bulk + 5000, 100, 0), 100);
    peer_expect_nothing(p);
    p->rcv_nxt = ISN + 1 + 5000;
    peer_send_ack(p, 65535);
    expect_tso(peer_take(p), ISN + 1 + 5000, 100);
}

static void tcp_a_window_that_cuts_a_segment_short_sends_only_whole_ones(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* The peer offers 10000 bytes (window 78 << 7 = 9984): six whole
     * segments go in one frame; the 1296 bytes left of the window wait
     * for more window (sender silly-window avoidance, RFC 9293 3.8.6.2.1). */
    peer_send_ack(p, 78);
    assert_int_equal(naru_send(p->stack, f->s, bulk, 64 * 1024, 0), 64 * 1024);
    expect_tso(peer_take(p), ISN + 1, 6 * MSS);
    peer_expect_nothing(p);
    p->rcv_nxt = ISN + 1 + 6 * MSS;
    peer_send_ack(p, 78);
    expect_tso(peer_take(p), ISN + 1 + 6 * MSS, 6 * MSS);
}

static void tcp_a_merged_segment_with_a_partial_checksum_is_taken_whole(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    const struct tcp_conn *c = tcp_debug_conn(p->stack, f->s);
    uint32_t ssthresh_before = c->rcv_ssthresh;
    /* Ten segments the peer's device merged, its checksum partial (the
     * kernel's TSO, handed over TAP with VIRTIO_NET_HDR_F_NEEDS_CSUM). */
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = p->rcv_nxt, .window = 65535, .data = bulk,
                     .len = 10 * MSS, .partial_checksum = true, .gso_size = MSS,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = p->ts_recent } };
    peer_send(p, &s);
    p->snd_nxt += 10 * MSS;
    /* One ACK at the batch's end; counted as ten segments in. */
    expect_seg(peer_take(p), TCP_ACK, ISN + 1, PEER_ISN + 1 + 10 * MSS);
    peer_expect_nothing(p);
    assert_int_equal(counter(p->stack, "link_rx_gso"), 1);
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 0);
    assert_int_equal(c->rcv_mss, MSS); /* the pieces' size, not the frame's */
    /* Linux's window growth, two segments per piece received. */
    assert_int_equal(c->rcv_ssthresh, ssthresh_before + 10 * 2 * MSS);
    static char buf[10 * MSS];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), sizeof buf);
    assert_memory_equal(buf, bulk, sizeof buf);
}

static void tcp_a_partial_checksum_is_trusted_only_where_it_belongs(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    /* A partial checksum whose bytes are wrong still passes: the device
     * vouches for it (it was never computed). */
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = p->rcv_nxt, .window = 65535, .data = bulk,
                     .len = 100, .partial_checksum = true,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = p->ts_recent } };
    peer_send(p, &s);
    p->snd_nxt += 100;
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 0);
    /* The same frame, but the metadata names a field other than TCP's
     * checksum: the checksum is verified, fails, and the segment goes. */
    uint8_t frame[256];
    uint8_t tcp[32 + 100];
    struct tcp_header h = { .src_port = p->peer_port, .dst_port = p->port, .seq = p->snd_nxt, .ack = p->rcv_nxt,
                            .flags = TCP_ACK, .window = 65535 };
    memcpy(tcp + TCP_MIN_HEADER_LEN, bulk, 100);
    tcp_emit(&h, p->addr, p->host->addr, tcp, 100);
    wire_put16(tcp + 16, (uint16_t)~inet_fold(inet_pseudo_sum(p->addr, p->host->addr, IP_PROTO_TCP, 120)));
    struct frame_spec spec = { .src = p->addr, .dst = p->host->addr, .protocol = IP_PROTO_TCP };
    size_t n = build_ip_frame(frame, sizeof frame, &spec, tcp, TCP_MIN_HEADER_LEN + 100);
    struct naru_frame_meta meta = { .flags = NARU_FRAME_CSUM_PARTIAL,
                                    .csum_start = ETH_HEADER_LEN + IPV4_MIN_HEADER_LEN, .csum_offset = 6 };
    naru_stack_input_offload(p->stack, p->host->ifindex, frame, n, &meta);
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 1);
    /* Or one past the end of the frame: ignored, verified, dropped. */
    meta.csum_offset = (uint16_t)(n - meta.csum_start - 1);
    naru_stack_input_offload(p->stack, p->host->ifindex, frame, n, &meta);
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 2);
    /* Or inside the IPv4 header (its checksum, its destination): never a
     * transport checksum, and completing it would rewrite the header (a
     * fuzzed frame a router forwarded so, its header checksum broken):
     * dropped at IP input and counted. */
    uint64_t rx_ip = counter(p->stack, "ip_rx");
    for (uint16_t at = 10; at <= 18; at += 8) {
        meta.csum_start = ETH_HEADER_LEN;
        meta.csum_offset = at;
        naru_stack_input_offload(p->stack, p->host->ifindex, frame, n, &meta);
    }
    assert_int_equal(counter(p->stack, "link_rx_offload_errors"), 2);
    assert_int_equal(counter(p->stack, "ip_rx"), rx_ip + 2);
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 2);
}

static void tcp_frames_above_the_mtu_only_from_a_driver_that_merges(void **state)
{
    (void)state;
    struct tcp_peer p;
    peer_init_offload(&p, NULL, NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4); /* no RX_LARGE */
    int s = peer_passive_open(&p, 80, ISN, PEER_ISN, NULL);
    (void)s;
    uint64_t malformed = counter(p.stack, "link_rx_malformed");
    struct seg big = { .flags = TCP_ACK, .seq = p.snd_nxt, .ack = p.rcv_nxt, .window = 65535, .data = bulk,
                       .len = 4 * MSS, .gso_size = MSS,
                       .opt = { .timestamps_present = true, .ts_val = p.ts_val, .ts_ecr = p.ts_recent } };
    peer_send(&p, &big);
    assert_int_equal(counter(p.stack, "link_rx_malformed"), malformed + 1);
    assert_int_equal(counter(p.stack, "link_rx_gso"), 0);
    peer_expect_nothing(&p);
    peer_fini(&p);
}

/* Frames a capture (pcap) sees, kept for the test. */
struct seen {
    uint8_t frame[2][65536 + 64];
    size_t len[2];
};

static void keep_frame(void *ctx, naru_time_t now, int ifindex, enum naru_direction dir, const uint8_t *frame,
                       size_t len)
{
    (void)now;
    (void)ifindex;
    struct seen *seen = ctx;
    assert_true(len <= sizeof seen->frame[dir]);
    memcpy(seen->frame[dir], frame, len);
    seen->len[dir] = len;
}

/* The TCP segment of a captured frame, its checksum verified. */
static int parse_captured(const uint8_t *frame, size_t len, struct tcp_header *h)
{
    struct ipv4_header ip;
    int ihl = ipv4_parse(frame + ETH_HEADER_LEN, len - ETH_HEADER_LEN, &ip);
    assert_true(ihl > 0);
    return tcp_parse(frame + ETH_HEADER_LEN + ihl, ip.total_len - (size_t)ihl, ip.src, ip.dst, h);
}

static void tcp_captures_see_checksums_completed(void **state)
{
    struct tcp_peer_fixture *f = *state;
    struct tcp_peer *p = &f->p;
    static struct seen seen;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(naru_if_set_tap(p->stack, p->host->ifindex, keep_frame, &seen), 0);
    /* Out: the driver gets the checksum partial, the capture whole. */
    assert_int_equal(naru_send(p->stack, f->s, bulk, 3000, 0), 3000);
    struct got *g = peer_take(p);
    assert_true(g->meta.flags & NARU_FRAME_CSUM_PARTIAL);
    struct tcp_header h;
    assert_true(parse_captured(seen.frame[NARU_DIR_OUT], seen.len[NARU_DIR_OUT], &h) > 0);
    assert_int_equal(h.seq, ISN + 1);
    /* In: a partial checksum, captured completed (and then taken). */
    struct seg s = { .flags = TCP_ACK, .seq = p->snd_nxt, .ack = ISN + 1 + 3000, .window = 65535, .data = bulk,
                     .len = 4 * MSS, .partial_checksum = true, .gso_size = MSS,
                     .opt = { .timestamps_present = true, .ts_val = p->ts_val, .ts_ecr = p->ts_recent } };
    peer_send(p, &s);
    assert_int_equal(seen.len[NARU_DIR_IN], HEADERS + 4 * MSS);
    assert_true(parse_captured(seen.frame[NARU_DIR_IN], seen.len[NARU_DIR_IN], &h) > 0);
    assert_int_equal(h.seq, p->snd_nxt);
    assert_int_equal(counter(p->stack, "tcp_rx_malformed"), 0);
    static char buf[4 * MSS];
    assert_int_equal(naru_recv(p->stack, f->s, buf, sizeof buf, 0), sizeof buf);
    assert_memory_equal(buf, bulk, sizeof buf);
}

static int send_frame(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    (void)frame;
    (void)len;
    return 0;
}

static int send_frame_meta(void *ctx, const uint8_t *frame, size_t len, const struct naru_frame_meta *meta)
{
    (void)meta;
    return send_frame(ctx, frame, len);
}

static void driver_offloads_are_checked_when_the_interface_is_added(void **state)
{
    (void)state;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    struct naru_stack *stack;
    assert_int_equal(naru_stack_create(&config, &stack), 0);
    struct naru_if_config ifc = { .name = "x0", .mtu = 1500,
                                  .driver = { .transmit = send_frame, .offloads = ALL_OFFLOADS, .tso_max = 65535,
                                              .transmit_offload = send_frame_meta } };
    struct naru_if_config bad = ifc;
    bad.driver.transmit_offload = NULL; /* transmit offloads need the op that takes metadata */
    assert_int_equal(naru_if_add(stack, &bad), -EINVAL);
    bad = ifc;
    bad.driver.offloads = NARU_OFFLOAD_TX_TSO4; /* TSO needs checksum offload */
    assert_int_equal(naru_if_add(stack, &bad), -EINVAL);
    bad = ifc;
    bad.driver.tso_max = 1500; /* no larger than the MTU */
    assert_int_equal(naru_if_add(stack, &bad), -EINVAL);
    bad.driver.tso_max = 65536; /* larger than an IPv4 datagram */
    assert_int_equal(naru_if_add(stack, &bad), -EINVAL);
    bad = ifc;
    bad.driver.offloads |= 0x80; /* unknown */
    assert_int_equal(naru_if_add(stack, &bad), -EINVAL);
    bad = ifc;
    bad.driver.offloads = NARU_OFFLOAD_RX_LARGE;
    bad.driver.transmit_offload = NULL; /* receive-only offloads need no such op */
    assert_true(naru_if_add(stack, &bad) >= 0);
    assert_true(naru_if_add(stack, &ifc) >= 0);
    naru_stack_destroy(stack);
    /* Large frames in need large buffers to land in. */
    config.large_buffers = 0;
    assert_int_equal(naru_stack_create(&config, &stack), 0);
    assert_int_equal(naru_if_add(stack, &ifc), -EINVAL);
    ifc.driver.offloads = NARU_OFFLOAD_TX_CSUM | NARU_OFFLOAD_TX_TSO4;
    assert_true(naru_if_add(stack, &ifc) >= 0);
    naru_stack_destroy(stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, peer_fixture_teardown)
        T(tcp_the_initial_window_goes_in_one_frame_for_the_device_to_cut),
        T(tcp_the_acks_of_one_batch_release_one_frame),
        T(tcp_a_frame_ends_short_only_where_the_data_ends),
        T(tcp_a_window_that_cuts_a_segment_short_sends_only_whole_ones),
        T(tcp_a_merged_segment_with_a_partial_checksum_is_taken_whole),
        T(tcp_a_partial_checksum_is_trusted_only_where_it_belongs),
        T(tcp_captures_see_checksums_completed),
        cmocka_unit_test(tcp_frames_above_the_mtu_only_from_a_driver_that_merges),
        cmocka_unit_test(driver_offloads_are_checked_when_the_interface_is_added),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
