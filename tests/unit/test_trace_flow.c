/* The TCP analysis of captures (include/naru/flowtrace.h), on segments
 * built here with src/wire's emitters: relative sequence numbers as
 * tshark's (from the SYN, from one before the first seen without it, past
 * 2^32 without wrapping), window scaling as RFC 7323 and tshark apply it,
 * tcptrace's retransmissions and out-of-order segments, tshark's
 * duplicate ACKs, keep-alives and zero windows, SACK blocks, connections
 * told apart by tuple and by a new SYN, and what is not TCP counted. The
 * time-sequence graph drawn from it, and its dump, close the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the three above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/flowtrace.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define CLIENT 0xc6120001u /* 198.18.0.1 */
#define SERVER 0xc6120002u
#define CPORT 40000
#define SPORT 80
#define MS 1000000LL

struct trace {
    struct naru_flowtrace *t;
    uint64_t frame;
    int64_t now;
};

static void trace_open(struct trace *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->t = naru_flowtrace_new();
    assert_non_null(tr->t);
    tr->now = 1700000000LL * 1000000000;
}

/* One raw-IP frame, 1 ms after the last. */
static void add_frame(struct trace *tr, const uint8_t *frame, size_t caplen, size_t len)
{
    struct naru_capture_packet p = {
        .number = ++tr->frame,
        .time_ns = tr->now,
        .linktype = NARU_LINKTYPE_RAW,
        .caplen = (uint32_t)caplen,
        .len = (uint32_t)len,
        .data = frame,
    };
    tr->now += MS;
    assert_int_equal(naru_flowtrace_add(tr->t, &p), 0);
}

struct seg {
    bool from_server;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    uint32_t len;
    int wscale;                /* -1 none; on a SYN */
    int sack_count;
    uint32_t sack[2][2];
    uint16_t cport;            /* 0: CPORT */
};

/* An IPv4 segment; caplen 0 for all of it. */
static void add_seg_cut(struct trace *tr, const struct seg *s, size_t caplen)
{
    static uint8_t frame[70000];
    struct tcp_header h = {
        .src_port = s->from_server ? SPORT : (s->cport ? s->cport : CPORT),
        .dst_port = s->from_server ? (s->cport ? s->cport : CPORT) : SPORT,
        .seq = s->seq,
        .ack = s->ack,
        .flags = s->flags,
        .window = s->window,
    };
    if (s->wscale >= 0) {
        h.options.wscale_present = true;
        h.options.wscale = (uint8_t)s->wscale;
    }
    h.options.sack_count = (uint8_t)s->sack_count;
    for (int i = 0; i < s->sack_count; i++) {
        h.options.sack[i].left = s->sack[i][0];
        h.options.sack[i].right = s->sack[i][1];
    }
    uint32_t src = s->from_server ? SERVER : CLIENT, dst = s->from_server ? CLIENT : SERVER;
    size_t hl = tcp_header_len(&h);
    memset(frame + IPV4_MIN_HEADER_LEN + hl, 'x', s->len);
    tcp_emit(&h, src, dst, frame + IPV4_MIN_HEADER_LEN, s->len);
    struct ipv4_header ip = {
        .total_len = (uint16_t)(IPV4_MIN_HEADER_LEN + hl + s->len),
        .ttl = 64,
        .protocol = IP_PROTO_TCP,
        .src = src,
        .dst = dst,
    };
    ipv4_emit(&ip, frame, sizeof frame);
    size_t len = IPV4_MIN_HEADER_LEN + hl + s->len;
    add_frame(tr, frame, caplen ? caplen : len, len);
}

static void add_seg(struct trace *tr, struct seg s)
{
    add_seg_cut(tr, &s, 0);
}

#define ISN_C 1000u
#define ISN_S 5000u

/* SYN (wscale c_ws), SYN-ACK (s_ws), ACK; -1 for no option. */
static void handshake(struct trace *tr, int c_ws, int s_ws)
{
    add_seg(tr, (struct seg){ .seq = ISN_C, .flags = TCP_SYN, .window = 64240, .wscale = c_ws });
    add_seg(tr, (struct seg){ .from_server = true, .seq = ISN_S, .ack = ISN_C + 1, .flags = TCP_SYN | TCP_ACK,
                              .window = 65160, .wscale = s_ws });
    add_seg(tr, (struct seg){ .seq = ISN_C + 1, .ack = ISN_S + 1, .flags = TCP_ACK, .window = 502, .wscale = -1 });
}

static const struct naru_trace_conn *only_conn(struct trace *tr)
{
    assert_int_equal(naru_flowtrace_count(tr->t), 1);
    return naru_flowtrace_conn(tr->t, 0);
}

static void handshake_numbers_count_from_each_isn(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, 7, 9);
    add_seg(&tr, (struct seg){ .seq = ISN_C + 1, .ack = ISN_S + 1, .flags = TCP_ACK | TCP_PSH, .window = 502,
                               .len = 100, .wscale = -1 });
    const struct naru_trace_conn *c = only_conn(&tr);
    const struct naru_trace_direction *client = &c->dir[0], *server = &c->dir[1];
    assert_true(client->syn_seen && server->syn_seen);
    assert_int_equal(client->isn, ISN_C);
    assert_int_equal(client->src.v4, CLIENT);
    assert_int_equal(client->src_port, CPORT);
    assert_int_equal(client->count, 3);
    assert_int_equal(server->count, 1);
    assert_int_equal(client->segments[0].seq, 0);
    assert_int_equal(server->segments[0].seq, 0);
    assert_int_equal(server->segments[0].ack, 1);
    assert_int_equal(client->segments[1].seq, 1);
    assert_int_equal(client->segments[1].ack, 1);
    assert_int_equal(client->segments[2].len, 100);
    assert_int_equal(client->bytes, 100);
    assert_int_equal(client->segments[2].frame, 4);
    assert_int_equal(client->segments[2].time_ns, 3 * MS);
    assert_int_equal(c->first_ns, 0);
    assert_int_equal(c->last_ns, 3 * MS);
    naru_flowtrace_free(tr.t);
}

static void windows_scale_by_the_senders_shift_once_both_syns_offer_one(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, 7, 9);
    add_seg(&tr, (struct seg){ .from_server = true, .seq = ISN_S + 1, .ack = ISN_C + 1, .flags = TCP_ACK,
                               .window = 300, .wscale = -1 });
    const struct naru_trace_conn *c = only_conn(&tr);
    assert_int_equal(c->dir[0].segments[0].window, 64240);       /* a SYN's window is never scaled */
    assert_int_equal(c->dir[1].segments[0].window, 65160);
    assert_int_equal(c->dir[0].segments[1].window, 502 << 7);    /* the client's own shift */
    assert_int_equal(c->dir[1].segments[1].window, 300 << 9);
    assert_int_equal(c->dir[0].wscale, 7);
    assert_int_equal(c->dir[1].wscale, 9);
    naru_flowtrace_free(tr.t);

    /* RFC 7323 2.2: a SYN-ACK without the option turns scaling off both ways. */
    trace_open(&tr);
    handshake(&tr, 7, -1);
    c = only_conn(&tr);
    assert_int_equal(c->dir[0].segments[1].window, 502);
    assert_int_equal(c->dir[0].wscale, 0);
    naru_flowtrace_free(tr.t);

    /* A shift over 14 counts as 14 (RFC 7323 2.3). */
    trace_open(&tr);
    handshake(&tr, 15, 2);
    c = only_conn(&tr);
    assert_int_equal(c->dir[0].segments[1].window, (uint64_t)502 << 14);
    naru_flowtrace_free(tr.t);
}

static void without_a_syn_numbers_start_at_one_and_windows_stay_unscaled(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    add_seg(&tr, (struct seg){ .seq = 77777, .ack = 99999, .flags = TCP_ACK, .window = 500, .len = 10, .wscale = -1 });
    add_seg(&tr, (struct seg){ .from_server = true, .seq = 99999, .ack = 77787, .flags = TCP_ACK, .window = 600,
                               .wscale = -1 });
    add_seg(&tr, (struct seg){ .seq = 77777 - 50, .ack = 99999, .flags = TCP_ACK, .window = 500, .len = 50,
                               .wscale = -1 }); /* sent before the capture began */
    const struct naru_trace_conn *c = only_conn(&tr);
    assert_false(c->dir[0].syn_seen);
    assert_int_equal(c->dir[0].isn, 77776);
    assert_int_equal(c->dir[0].wscale, -1);
    assert_int_equal(c->dir[0].segments[0].seq, 1);
    assert_int_equal(c->dir[0].segments[0].ack, 1);
    assert_int_equal(c->dir[0].segments[0].window, 500);
    assert_int_equal(c->dir[1].segments[0].seq, 1); /* from the client's ACK */
    assert_int_equal(c->dir[1].segments[0].ack, 11);
    assert_int_equal(c->dir[0].segments[1].seq, -49); /* below the start: negative, not 2^32 - 49 */
    assert_int_equal(c->dir[0].segments[1].marks, NARU_TRACE_OUT_OF_ORDER);
    naru_flowtrace_free(tr.t);
}

static void relative_numbers_run_past_two_to_the_32(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    const uint32_t isn = 0xffffff00u; /* the raw numbers wrap at once */
    add_seg(&tr, (struct seg){ .seq = isn, .flags = TCP_SYN, .window = 100, .wscale = -1 });
    for (uint32_t k = 0; k < 6; k++) /* 1.5e9 bytes apart: 9e9 in all */
        add_seg(&tr, (struct seg){ .seq = isn + 1 + k * 1500000000u, .flags = TCP_ACK, .ack = 1, .window = 100,
                                   .len = 1000, .wscale = -1 });
    const struct naru_trace_conn *c = only_conn(&tr);
    for (int64_t k = 0; k < 6; k++)
        assert_int_equal(c->dir[0].segments[1 + k].seq, 1 + k * 1500000000LL);
    assert_int_equal(c->dir[0].retransmissions, 0);
    naru_flowtrace_free(tr.t);
}

static const struct naru_trace_segment *data_seg(const struct naru_trace_conn *c, size_t i)
{
    assert_true(i < c->dir[0].count);
    return &c->dir[0].segments[i];
}

static void resent_bytes_are_retransmissions_and_new_ones_below_the_top_out_of_order(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, -1, -1);                                   /* client segments 0, 1 */
    uint32_t base = ISN_C + 1;
    struct seg d = { .ack = ISN_S + 1, .flags = TCP_ACK, .window = 1000, .len = 1000, .wscale = -1 };
    uint32_t starts[] = { 0, 1000, 2000, 1000, 2500, 5000, 4000, 3000 };
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        d.seq = base + starts[i];
        add_seg(&tr, d);
    }
    d.seq = ISN_C; /* the SYN again */
    d.flags = TCP_SYN;
    d.len = 0;
    add_seg(&tr, d);
    const struct naru_trace_conn *c = only_conn(&tr);
    assert_int_equal(data_seg(c, 2)->marks, 0);
    assert_int_equal(data_seg(c, 4)->marks, 0);
    assert_int_equal(data_seg(c, 5)->marks, NARU_TRACE_RETRANSMISSION);   /* 1000..2000 again */
    assert_int_equal(data_seg(c, 6)->marks, NARU_TRACE_RETRANSMISSION);   /* 2500..3500: half old */
    assert_int_equal(data_seg(c, 7)->marks, 0);                           /* 5000..6000: a jump ahead */
    assert_int_equal(data_seg(c, 8)->marks, NARU_TRACE_OUT_OF_ORDER);     /* 4000..5000: a hole filled */
    assert_int_equal(data_seg(c, 9)->marks, NARU_TRACE_RETRANSMISSION);   /* 3000..4000 overlaps 3500 */
    assert_int_equal(data_seg(c, 10)->marks, NARU_TRACE_RETRANSMISSION);  /* a SYN sent again */
    assert_int_equal(c->dir[0].retransmissions, 4);
    assert_int_equal(c->dir[0].out_of_order, 1);
    assert_int_equal(c->dir[0].data_segments, 8);
    assert_int_equal(c->dir[0].bytes, 8000);
    naru_flowtrace_free(tr.t);
}

static void duplicate_acks_keep_alives_and_zero_windows_as_tshark_marks_them(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, -1, -1);
    struct seg data = { .seq = ISN_C + 1, .ack = ISN_S + 1, .flags = TCP_ACK, .window = 1000, .len = 1000,
                        .wscale = -1 };
    add_seg(&tr, data);
    struct seg ack = { .from_server = true, .seq = ISN_S + 1, .ack = ISN_C + 1001, .flags = TCP_ACK,
                       .window = 2000, .wscale = -1 };
    add_seg(&tr, ack);                                   /* server 1: new ACK */
    add_seg(&tr, ack);                                   /* 2: duplicate */
    add_seg(&tr, ack);                                   /* 3: duplicate */
    ack.window = 3000;
    add_seg(&tr, ack);                                   /* 4: a window update, not a duplicate */
    ack.flags = TCP_ACK | TCP_FIN;
    add_seg(&tr, ack);                                   /* 5: FIN: never a duplicate */
    ack.flags = TCP_ACK;
    ack.seq = ISN_S + 2;
    add_seg(&tr, ack);                                   /* 6: after the FIN, the same again */
    struct seg keepalive = data;
    keepalive.seq = ISN_C + 1000;
    keepalive.len = 0;
    keepalive.ack = ISN_S + 2;
    add_seg(&tr, keepalive);                             /* client 3: keep-alive */
    add_seg(&tr, ack);                                   /* 7: answers it: not a duplicate */
    ack.window = 0;
    add_seg(&tr, ack);                                   /* 8: zero window */
    ack.flags = TCP_RST | TCP_ACK;
    add_seg(&tr, ack);                                   /* 9: a RST's zero window is no such thing */
    const struct naru_trace_conn *c = only_conn(&tr);
    const struct naru_trace_direction *s = &c->dir[1];
    uint8_t want[] = { 0, 0, NARU_TRACE_DUP_ACK, NARU_TRACE_DUP_ACK, 0, 0, NARU_TRACE_DUP_ACK, 0, NARU_TRACE_ZERO_WINDOW, 0 };
    assert_int_equal(s->count, sizeof want);
    for (size_t i = 0; i < sizeof want; i++)
        if ((s->segments[i].marks & ~NARU_TRACE_RETRANSMISSION) != want[i])
            fail_msg("server segment %zu: marks %#x, want %#x", i, s->segments[i].marks, want[i]);
    assert_int_equal(c->dir[0].segments[3].marks, NARU_TRACE_KEEP_ALIVE);
    assert_int_equal(s->dup_acks, 3);
    assert_int_equal(s->zero_windows, 1);
    naru_flowtrace_free(tr.t);
}

static void sack_blocks_count_in_the_data_senders_numbers(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, -1, -1);
    add_seg(&tr, (struct seg){ .from_server = true, .seq = ISN_S + 1, .ack = ISN_C + 1, .flags = TCP_ACK,
                               .window = 100, .wscale = -1, .sack_count = 2,
                               .sack = { { ISN_C + 3001, ISN_C + 4001 }, { ISN_C + 1001, ISN_C + 2001 } } });
    const struct naru_trace_conn *c = only_conn(&tr);
    const struct naru_trace_segment *s = &c->dir[1].segments[1];
    assert_int_equal(s->sack_count, 2);
    assert_int_equal(s->sack[0].left, 3001);
    assert_int_equal(s->sack[0].right, 4001);
    assert_int_equal(s->sack[1].left, 1001);
    assert_int_equal(s->sack[1].right, 2001);
    naru_flowtrace_free(tr.t);
}

static void a_new_syn_on_a_finished_tuple_opens_a_new_connection(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, -1, -1);
    add_seg(&tr, (struct seg){ .seq = ISN_C, .flags = TCP_SYN, .window = 1, .wscale = -1 }); /* SYN resent */
    add_seg(&tr, (struct seg){ .cport = 40001, .seq = 1, .flags = TCP_SYN, .window = 1, .wscale = -1 });
    add_seg(&tr, (struct seg){ .seq = ISN_C + 1, .ack = ISN_S + 1, .flags = TCP_FIN | TCP_ACK, .window = 1,
                               .wscale = -1 });
    add_seg(&tr, (struct seg){ .seq = 77, .flags = TCP_SYN, .window = 1, .wscale = -1 }); /* the port again */
    add_seg(&tr, (struct seg){ .from_server = true, .seq = 88, .ack = 78, .flags = TCP_SYN | TCP_ACK, .window = 1,
                               .wscale = -1 });
    assert_int_equal(naru_flowtrace_count(tr.t), 3);
    const struct naru_trace_conn *first = naru_flowtrace_conn(tr.t, 0), *other = naru_flowtrace_conn(tr.t, 1),
                                 *again = naru_flowtrace_conn(tr.t, 2);
    assert_int_equal(first->dir[0].count, 4);
    assert_int_equal(other->dir[0].src_port, 40001);
    assert_int_equal(again->index, 2);
    assert_int_equal(again->dir[0].src_port, CPORT);
    assert_int_equal(again->dir[0].isn, 77);
    assert_int_equal(again->dir[1].count, 1);
    assert_int_equal(again->dir[1].segments[0].ack, 1);
    assert_null(naru_flowtrace_conn(tr.t, 3));
    naru_flowtrace_free(tr.t);
}

static void what_is_not_a_whole_tcp_header_is_counted_not_traced(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    static const uint8_t arpish[] = { 0x00, 0x01 };
    add_frame(&tr, arpish, sizeof arpish, sizeof arpish);            /* not IP */
    /* IPv4 UDP. */
    uint8_t udp[28] = { 0 };
    struct ipv4_header ip = { .total_len = 28, .ttl = 1, .protocol = IP_PROTO_UDP, .src = CLIENT, .dst = SERVER };
    ipv4_emit(&ip, udp, sizeof udp);
    add_frame(&tr, udp, sizeof udp, sizeof udp);
    /* An IPv4 fragment of TCP. */
    uint8_t frag[60] = { 0 };
    ip.protocol = IP_PROTO_TCP;
    ip.total_len = 60;
    ip.more_fragments = true;
    ipv4_emit(&ip, frag, sizeof frag);
    add_frame(&tr, frag, sizeof frag, sizeof frag);
    /* A TCP header cut short by the snapshot length: unreadable. */
    struct seg s = { .seq = 1, .flags = TCP_SYN, .window = 1, .wscale = 7 };
    add_seg_cut(&tr, &s, 30);
    /* Data cut by the snapshot length: the length is the IP header's. */
    s = (struct seg){ .seq = 100, .ack = 1, .flags = TCP_ACK, .window = 1, .len = 1400, .wscale = -1 };
    add_seg_cut(&tr, &s, 60);
    /* A frame of a link type naru does not read (802.11), counted apart. */
    struct naru_capture_packet wifi = { .number = ++tr.frame, .time_ns = tr.now, .linktype = 105,
                                        .caplen = sizeof udp, .len = sizeof udp, .data = udp };
    assert_int_equal(naru_flowtrace_add(tr.t, &wifi), 0);
    const struct naru_flowtrace_stats *st = naru_flowtrace_stats(tr.t);
    assert_int_equal(st->frames, 6);
    assert_int_equal(st->not_tcp, 3);
    assert_int_equal(st->other_link, 1);
    assert_int_equal(st->other_linktype, 105);
    assert_int_equal(st->fragments, 1);
    assert_int_equal(st->unreadable, 1);
    assert_int_equal(st->tcp, 1);
    const struct naru_trace_conn *c = only_conn(&tr);
    assert_int_equal(c->dir[0].segments[0].len, 1400);
    assert_int_equal(c->dir[0].segments[0].time_ns, 4 * MS); /* from the first frame, which was not TCP */
    naru_flowtrace_free(tr.t);
}

static void ipv6_segments_after_extension_headers_are_traced(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    uint8_t frame[200] = { 0 };
    struct ipv6_header ip = { .payload_len = 8 + 20 + 10, .next_header = IP_PROTO_DSTOPTS, .hop_limit = 64 };
    ip.src[0] = 0x20, ip.src[1] = 0x01, ip.src[2] = 0x0d, ip.src[3] = 0xb8, ip.src[15] = 1;
    memcpy(ip.dst, ip.src, 16);
    ip.dst[15] = 2;
    ipv6_emit(&ip, frame, sizeof frame);
    uint8_t *dstopts = frame + IPV6_HEADER_LEN; /* next header TCP, length 0, PadN of 4 */
    dstopts[0] = IP_PROTO_TCP;
    dstopts[2] = 1;
    dstopts[3] = 4;
    struct tcp_header h = { .src_port = 5000, .dst_port = 443, .seq = 42, .flags = TCP_SYN, .window = 9 };
    tcp_emit(&h, 0, 0, frame + IPV6_HEADER_LEN + 8, 10);
    add_frame(&tr, frame, IPV6_HEADER_LEN + 8 + 20 + 10, IPV6_HEADER_LEN + 8 + 20 + 10);
    const struct naru_trace_conn *c = only_conn(&tr);
    assert_int_equal(c->dir[0].src.family, NARU_AF_INET6);
    assert_memory_equal(c->dir[0].dst.v6, ip.dst, 16);
    assert_int_equal(c->dir[0].dst_port, 443);
    assert_int_equal(c->dir[0].segments[0].len, 10);
    char text[NARU_TRACE_ENDPOINT_STRLEN];
    assert_string_equal(naru_trace_endpoint_format(&c->dir[0].src, 5000, text), "[2001:db8::1]:5000");
    naru_flowtrace_free(tr.t);
}

/* ---- the graph and its dump -------------------------------------------------- */

static char *render(int (*fn)(FILE *, const struct naru_trace_conn *, int), const struct naru_trace_conn *c, int d)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fn(f, c, d), 0);
    long len = ftell(f);
    char *text = malloc((size_t)len + 1);
    rewind(f);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

static int svg_default(FILE *f, const struct naru_trace_conn *c, int d)
{
    return naru_tsg_svg(f, c, d, NULL);
}

static int dump_all(FILE *f, const struct naru_trace_conn *c, int d)
{
    return naru_tsg_dump(f, c, d, NULL);
}

/* Frames 6 and 7 only: 5 and 6 ms after the first. */
static int dump_window(FILE *f, const struct naru_trace_conn *c, int d)
{
    struct naru_tsg_options o = { .has_from = true, .from_ns = 5 * MS, .has_to = true, .to_ns = 6 * MS };
    return naru_tsg_dump(f, c, d, &o);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void the_graph_draws_each_kind_once_and_the_dump_lists_every_segment(void **state)
{
    (void)state;
    struct trace tr;
    trace_open(&tr);
    handshake(&tr, 7, 7);
    struct seg d = { .seq = ISN_C + 1, .ack = ISN_S + 1, .flags = TCP_ACK, .window = 100, .len = 1000, .wscale = -1 };
    add_seg(&tr, d);
    d.seq += 1000;
    add_seg(&tr, d);
    d.seq -= 1000;
    add_seg(&tr, d); /* resent */
    add_seg(&tr, (struct seg){ .from_server = true, .seq = ISN_S + 1, .ack = ISN_C + 2001, .flags = TCP_ACK,
                               .window = 50, .wscale = -1, .sack_count = 1,
                               .sack = { { ISN_C + 3001, ISN_C + 4001 } } });
    add_seg(&tr, (struct seg){ .seq = ISN_C + 2001, .ack = ISN_S + 1, .flags = TCP_ACK | TCP_FIN, .window = 100,
                               .wscale = -1 });
    const struct naru_trace_conn *c = only_conn(&tr);

    char *svg = render(svg_default, c, 0);
    assert_non_null(strstr(svg, "<?xml version=\"1.0\""));
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" height=\"600\""));
    assert_non_null(strstr(svg, "198.18.0.1:40000 &#8594; 198.18.0.2:80"));
    for (const char *kind = "data\0retransmission\0ack\0window\0sack\0"; *kind; kind += strlen(kind) + 1) {
        char attr[64];
        snprintf(attr, sizeof attr, "<path class=\"%s\"", kind);
        if (count(svg, attr) != 1)
            fail_msg("%zu paths of class %s", count(svg, attr), kind);
    }
    assert_int_equal(count(svg, "<path class=\"out-of-order\""), 0);
    assert_int_equal(count(svg, ">SYN</text>"), 1);
    assert_int_equal(count(svg, ">FIN</text>"), 1);
    assert_non_null(strstr(svg, ">retransmission</text>")); /* in the legend */
    assert_null(strstr(svg, ">out of order</text>"));       /* none: not in the legend */
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);

    char *dump = render(dump_all, c, 0);
    assert_int_equal(count(dump, "\n"), 2 + c->dir[0].count + c->dir[1].count);
    assert_non_null(strstr(dump, "# connection 0: 198.18.0.1:40000 > 198.18.0.2:80"));
    assert_non_null(strstr(dump, "\nframe\ttime\tdir\tflags\tseq\tlen\tack\twin\tmarks\tsack\n"));
    assert_non_null(strstr(dump, "\n1\t0.000000000\t>\tS\t0\t0\t-\t64240\t-\t-\n"));
    assert_non_null(strstr(dump, "\n6\t0.005000000\t>\tA\t1\t1000\t1\t12800\tretransmission\t-\n"));
    assert_non_null(strstr(dump, "\n7\t0.006000000\t<\tA\t1\t0\t2001\t6400\t-\t3001-4001\n"));
    assert_non_null(strstr(dump, "\n8\t0.007000000\t>\tAF\t2001\t0\t1\t12800\t-\t-\n"));
    free(dump);
    dump = render(dump_window, c, 0); /* a time window keeps its ends */
    assert_int_equal(count(dump, "\n"), 2 + 2);
    assert_non_null(strstr(dump, "\n6\t0.005000000\t>"));
    assert_non_null(strstr(dump, "\n7\t0.006000000\t<"));
    free(dump);
    naru_flowtrace_free(tr.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handshake_numbers_count_from_each_isn),
        cmocka_unit_test(windows_scale_by_the_senders_shift_once_both_syns_offer_one),
        cmocka_unit_test(without_a_syn_numbers_start_at_one_and_windows_stay_unscaled),
        cmocka_unit_test(relative_numbers_run_past_two_to_the_32),
        cmocka_unit_test(resent_bytes_are_retransmissions_and_new_ones_below_the_top_out_of_order),
        cmocka_unit_test(duplicate_acks_keep_alives_and_zero_windows_as_tshark_marks_them),
        cmocka_unit_test(sack_blocks_count_in_the_data_senders_numbers),
        cmocka_unit_test(a_new_syn_on_a_finished_tuple_opens_a_new_connection),
        cmocka_unit_test(what_is_not_a_whole_tcp_header_is_counted_not_traced),
        cmocka_unit_test(ipv6_segments_after_extension_headers_are_traced),
        cmocka_unit_test(the_graph_draws_each_kind_once_and_the_dump_lists_every_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
