/* The capture reader (include/naru/capture.h): classic pcap in both byte
 * orders and both timestamp units, pcapng with several interfaces,
 * timestamp resolutions and offsets, blocks it skips and sections in
 * either byte order; every kind of damage reported with the file's name
 * and the byte offset where it is; and the IP packet found in each link
 * type's frames. Files are built here byte by byte. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the three above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/capture.h"

/* ---- building files --------------------------------------------------------- */

struct bytes {
    uint8_t data[4096];
    size_t len;
    int big_endian;
};

static void put(struct bytes *b, const void *p, size_t n)
{
    assert_true(b->len + n <= sizeof b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put16(struct bytes *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (b->big_endian) {
        x[0] = (uint8_t)(v >> 8);
        x[1] = (uint8_t)v;
    }
    put(b, x, 2);
}

static void put32(struct bytes *b, uint32_t v)
{
    if (b->big_endian) {
        put16(b, (uint16_t)(v >> 16));
        put16(b, (uint16_t)v);
    } else {
        put16(b, (uint16_t)v);
        put16(b, (uint16_t)(v >> 16));
    }
}

static void pcap_header(struct bytes *b, uint32_t magic, uint32_t linktype)
{
    put32(b, magic);
    put16(b, 2);
    put16(b, 4);
    put32(b, 0);
    put32(b, 0);
    put32(b, 65535);
    put32(b, linktype);
}

static void pcap_record(struct bytes *b, uint32_t sec, uint32_t frac, const uint8_t *frame, uint32_t caplen,
                        uint32_t len)
{
    put32(b, sec);
    put32(b, frac);
    put32(b, caplen);
    put32(b, len);
    put(b, frame, caplen);
}

/* A pcapng block: type, length, body padded to 4, length. */
static void block(struct bytes *b, uint32_t type, const struct bytes *body)
{
    size_t padded = (body->len + 3) & ~(size_t)3;
    put32(b, type);
    put32(b, (uint32_t)(12 + padded));
    put(b, body->data, body->len);
    static const uint8_t zero[4];
    put(b, zero, padded - body->len);
    put32(b, (uint32_t)(12 + padded));
}

static void section(struct bytes *b)
{
    struct bytes body = { .big_endian = b->big_endian };
    put32(&body, 0x1a2b3c4d);
    put16(&body, 1);
    put16(&body, 0);
    put32(&body, 0xffffffff); /* section length: unknown */
    put32(&body, 0xffffffff);
    block(b, 0x0a0d0d0a, &body);
}

/* An interface; tsresol < 0 leaves the option out, tsoffset 0 too. */
static void interface(struct bytes *b, uint16_t linktype, int tsresol, int64_t tsoffset)
{
    struct bytes body = { .big_endian = b->big_endian };
    put16(&body, linktype);
    put16(&body, 0);
    put32(&body, 0);
    if (tsresol >= 0) {
        put16(&body, 9);
        put16(&body, 1);
        uint8_t v[4] = { (uint8_t)tsresol, 0, 0, 0 };
        put(&body, v, 4);
    }
    if (tsoffset) {
        put16(&body, 14);
        put16(&body, 8);
        put32(&body, b->big_endian ? (uint32_t)((uint64_t)tsoffset >> 32) : (uint32_t)tsoffset);
        put32(&body, b->big_endian ? (uint32_t)tsoffset : (uint32_t)((uint64_t)tsoffset >> 32));
    }
    put16(&body, 0); /* opt_endofopt */
    put16(&body, 0);
    block(b, 1, &body);
}

static void enhanced_packet(struct bytes *b, uint32_t ifc, uint64_t ts, const uint8_t *frame, uint32_t caplen,
                            uint32_t len)
{
    struct bytes body = { .big_endian = b->big_endian };
    put32(&body, ifc);
    put32(&body, (uint32_t)(ts >> 32));
    put32(&body, (uint32_t)ts);
    put32(&body, caplen);
    put32(&body, len);
    put(&body, frame, caplen);
    block(b, 6, &body);
}

static const uint8_t frame_a[] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
static const uint8_t frame_b[] = { 0x60, 0, 0, 0, 0, 0, 59, 64, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static struct naru_capture *open_bytes(const struct bytes *b, const char *name)
{
    char error[NARU_CAPTURE_ERRLEN];
    struct naru_capture *c = naru_capture_open_memory(b->data, b->len, name, error);
    if (!c)
        fail_msg("cannot open %s: %s", name, error);
    return c;
}

/* The next packet, which must be there. */
static void next_packet(struct naru_capture *c, struct naru_capture_packet *p)
{
    int r = naru_capture_next(c, p);
    if (r != 1)
        fail_msg("expected a packet, got %d: %s", r, naru_capture_error(c));
}

/* ---- classic pcap ------------------------------------------------------------ */

static void check_two_records(struct bytes *b, uint32_t magic, int64_t second_frac_ns)
{
    pcap_header(b, magic, NARU_LINKTYPE_RAW);
    pcap_record(b, 1700000000, 250, frame_a, sizeof frame_a, sizeof frame_a);
    pcap_record(b, 1700000001, 999999, frame_b, 10, sizeof frame_b); /* cut to a snapshot length */
    struct naru_capture *c = open_bytes(b, "two.pcap");
    struct naru_capture_packet p;
    next_packet(c, &p);
    assert_int_equal(p.number, 1);
    assert_int_equal(p.linktype, NARU_LINKTYPE_RAW);
    assert_int_equal(p.caplen, sizeof frame_a);
    assert_int_equal(p.offset, 24);
    assert_memory_equal(p.data, frame_a, sizeof frame_a);
    next_packet(c, &p);
    assert_int_equal(p.number, 2);
    assert_int_equal(p.time_ns, 1700000001LL * 1000000000 + second_frac_ns);
    assert_int_equal(p.caplen, 10);
    assert_int_equal(p.len, sizeof frame_b);
    assert_int_equal(p.offset, 24 + 16 + sizeof frame_a);
    assert_memory_equal(p.data, frame_b, 10);
    assert_int_equal(naru_capture_next(c, &p), 0);
    assert_int_equal(naru_capture_next(c, &p), 0);
    assert_string_equal(naru_capture_error(c), "");
    naru_capture_close(c);
}

static void pcap_in_either_byte_order_and_unit_gives_the_same_packets(void **state)
{
    (void)state;
    struct bytes le_us = { .big_endian = 0 }, be_us = { .big_endian = 1 };
    struct bytes le_ns = { .big_endian = 0 }, be_ns = { .big_endian = 1 };
    check_two_records(&le_us, 0xa1b2c3d4, 999999000);
    check_two_records(&be_us, 0xa1b2c3d4, 999999000);
    check_two_records(&le_ns, 0xa1b23c4d, 999999);
    check_two_records(&be_ns, 0xa1b23c4d, 999999);
    struct naru_capture *c = open_bytes(&be_ns, "x");
    assert_string_equal(naru_capture_format(c), "pcap with nanoseconds");
    naru_capture_close(c);
}

static void pcap_cut_short_is_an_error_at_the_record_that_is_cut(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    pcap_header(&b, 0xa1b2c3d4, NARU_LINKTYPE_ETHERNET);
    pcap_record(&b, 1, 0, frame_a, sizeof frame_a, sizeof frame_a);
    size_t second = b.len;
    pcap_record(&b, 2, 0, frame_a, sizeof frame_a, sizeof frame_a);
    b.len -= 5; /* the writer stopped in the middle of the second */
    struct naru_capture *c = open_bytes(&b, "cut.pcap");
    struct naru_capture_packet p;
    next_packet(c, &p);
    assert_int_equal(naru_capture_next(c, &p), -1);
    char want[128];
    snprintf(want, sizeof want, "cut.pcap: byte %zu: packet record cut short (20 bytes of data announced, 15 present)",
             second);
    assert_string_equal(naru_capture_error(c), want);
    assert_int_equal(naru_capture_next(c, &p), -1); /* and it stays stopped */
    naru_capture_close(c);

    b.len = second + 7; /* in the record's own header */
    c = open_bytes(&b, "cut.pcap");
    next_packet(c, &p);
    assert_int_equal(naru_capture_next(c, &p), -1);
    snprintf(want, sizeof want, "cut.pcap: byte %zu: packet record header cut short (7 bytes, it needs 16)", second);
    assert_string_equal(naru_capture_error(c), want);
    naru_capture_close(c);
}

static void not_a_capture_is_refused_at_the_open_with_its_first_bytes(void **state)
{
    (void)state;
    char error[NARU_CAPTURE_ERRLEN];
    static const uint8_t text[] = "GET / HTTP/1.1\r\n";
    assert_null(naru_capture_open_memory(text, sizeof text - 1, "page.txt", error));
    assert_string_equal(error, "page.txt: not a pcap or pcapng file (it starts 47 45 54 20)");
    assert_null(naru_capture_open_memory(text, 0, "empty.pcap", error));
    assert_string_equal(error, "empty.pcap: not a pcap or pcapng file (0 bytes)");
    struct bytes b = { 0 };
    pcap_header(&b, 0xa1b2c3d4, 1);
    assert_null(naru_capture_open_memory(b.data, 10, "short.pcap", error));
    assert_string_equal(error, "short.pcap: byte 0: pcap file header cut short (10 bytes, it needs 24)");
    b.data[4] = 3; /* version 3.4 */
    assert_null(naru_capture_open_memory(b.data, b.len, "v3.pcap", error));
    assert_string_equal(error, "v3.pcap: byte 4: pcap version 3.4, naru reads 2.x");
}

static void a_missing_file_is_named_with_the_reason(void **state)
{
    (void)state;
    char error[NARU_CAPTURE_ERRLEN];
    assert_null(naru_capture_open("/nonexistent/naru/x.pcap", error));
    assert_string_equal(error, "/nonexistent/naru/x.pcap: No such file or directory");
    assert_null(naru_capture_open("/", error));
    assert_string_equal(error, "/: Is a directory");
}

static void a_file_on_disk_reads_as_from_memory(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    pcap_header(&b, 0xa1b2c3d4, NARU_LINKTYPE_RAW);
    pcap_record(&b, 5, 6, frame_a, sizeof frame_a, sizeof frame_a);
    char path[] = "/tmp/naru-capture-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
    fclose(f);
    char error[NARU_CAPTURE_ERRLEN];
    struct naru_capture *c = naru_capture_open(path, error);
    assert_non_null(c);
    struct naru_capture_packet p;
    next_packet(c, &p);
    assert_int_equal(p.time_ns, 5000006000LL);
    assert_memory_equal(p.data, frame_a, sizeof frame_a);
    assert_int_equal(naru_capture_next(c, &p), 0);
    naru_capture_close(c);
    remove(path);
}

/* ---- pcapng ------------------------------------------------------------------ */

static void pcapng_interfaces_carry_link_type_resolution_and_offset(void **state)
{
    (void)state;
    struct bytes b = { 0 };
    section(&b);
    interface(&b, NARU_LINKTYPE_ETHERNET, -1, 0);             /* microseconds */
    interface(&b, NARU_LINKTYPE_RAW, 9, 0);                   /* nanoseconds */
    interface(&b, NARU_LINKTYPE_LINUX_SLL2, 0x80 | 20, 100);  /* 2^-20 s, 100 s later */
    struct bytes custom = { 0 };
    put32(&custom, 12345);
    block(&b, 0x00000bad, &custom);                           /* skipped */
    enhanced_packet(&b, 0, 1500000, frame_a, sizeof frame_a, sizeof frame_a);
    enhanced_packet(&b, 1, 1500000001, frame_b, sizeof frame_b, 1500);
    enhanced_packet(&b, 2, (uint64_t)3 << 20 | 1 << 19, frame_a, 4, sizeof frame_a);
    struct bytes simple = { 0 };
    put32(&simple, sizeof frame_a);
    put(&simple, frame_a, sizeof frame_a);
    block(&b, 3, &simple);                                    /* interface 0, no time of its own */

    struct naru_capture *c = open_bytes(&b, "ng.pcapng");
    assert_string_equal(naru_capture_format(c), "pcapng");
    struct naru_capture_packet p;
    next_packet(c, &p);
    assert_int_equal(p.linktype, NARU_LINKTYPE_ETHERNET);
    assert_int_equal(p.time_ns, 1500000000);
    assert_memory_equal(p.data, frame_a, sizeof frame_a);
    next_packet(c, &p);
    assert_int_equal(p.linktype, NARU_LINKTYPE_RAW);
    assert_int_equal(p.time_ns, 1500000001);
    assert_int_equal(p.caplen, sizeof frame_b);
    assert_int_equal(p.len, 1500);
    next_packet(c, &p);
    assert_int_equal(p.linktype, NARU_LINKTYPE_LINUX_SLL2);
    assert_int_equal(p.time_ns, 103500000000LL); /* 3.5 s + 100 s */
    assert_int_equal(p.caplen, 4);
    next_packet(c, &p);
    assert_int_equal(p.number, 4);
    assert_int_equal(p.linktype, NARU_LINKTYPE_ETHERNET);
    assert_int_equal(p.time_ns, 103500000000LL);
    assert_memory_equal(p.data, frame_a, sizeof frame_a);
    assert_int_equal(naru_capture_next(c, &p), 0);
    naru_capture_close(c);
}

static void pcapng_sections_each_have_their_byte_order_and_interfaces(void **state)
{
    (void)state;
    struct bytes b = { .big_endian = 1 };
    section(&b);
    interface(&b, NARU_LINKTYPE_RAW, 9, 0);
    enhanced_packet(&b, 0, 7, frame_a, sizeof frame_a, sizeof frame_a);
    b.big_endian = 0;
    section(&b);
    interface(&b, NARU_LINKTYPE_ETHERNET, 3, 0); /* milliseconds */
    enhanced_packet(&b, 0, 7, frame_b, sizeof frame_b, sizeof frame_b);
    size_t third = b.len;
    enhanced_packet(&b, 1, 7, frame_b, sizeof frame_b, sizeof frame_b); /* this section has one interface */

    struct naru_capture *c = open_bytes(&b, "two-sections.pcapng");
    struct naru_capture_packet p;
    next_packet(c, &p);
    assert_int_equal(p.linktype, NARU_LINKTYPE_RAW);
    assert_int_equal(p.time_ns, 7);
    next_packet(c, &p);
    assert_int_equal(p.linktype, NARU_LINKTYPE_ETHERNET);
    assert_int_equal(p.time_ns, 7000000);
    assert_int_equal(naru_capture_next(c, &p), -1);
    char want[160];
    snprintf(want, sizeof want, "two-sections.pcapng: byte %zu: packet of interface 1, but the section describes 1",
             third);
    assert_string_equal(naru_capture_error(c), want);
    naru_capture_close(c);
}

/* Opens b, reads to the end and checks the error it stops with. */
static void check_damage(const struct bytes *b, const char *want)
{
    char error[NARU_CAPTURE_ERRLEN];
    struct naru_capture *c = naru_capture_open_memory(b->data, b->len, "bad.pcapng", error);
    if (!c) {
        assert_string_equal(error, want);
        return;
    }
    struct naru_capture_packet p;
    int r;
    while ((r = naru_capture_next(c, &p)) == 1)
        ;
    assert_int_equal(r, -1);
    assert_string_equal(naru_capture_error(c), want);
    naru_capture_close(c);
}

static void pcapng_damage_is_reported_where_it_is(void **state)
{
    (void)state;
    struct bytes good = { 0 };
    section(&good);
    interface(&good, NARU_LINKTYPE_RAW, -1, 0);
    size_t epb = good.len;
    enhanced_packet(&good, 0, 1, frame_a, sizeof frame_a, sizeof frame_a);
    char want[160];

    struct bytes b = good; /* cut in the middle of the packet block */
    b.len -= 6;
    snprintf(want, sizeof want, "bad.pcapng: byte %zu: block of 52 bytes cut short (46 present)", epb);
    check_damage(&b, want);

    b = good; /* a length that is not a multiple of 4 */
    b.data[epb + 4] = 61;
    snprintf(want, sizeof want, "bad.pcapng: byte %zu: block length 61 is not a multiple of 4", epb + 4);
    check_damage(&b, want);

    b = good; /* the trailing length disagrees */
    b.data[b.len - 4] = 64;
    snprintf(want, sizeof want, "bad.pcapng: byte %zu: trailing block length 64 differs from the leading 52",
             b.len - 4);
    check_damage(&b, want);

    b = good; /* a captured length running past the block */
    b.data[epb + 20] = 200;
    snprintf(want, sizeof want,
             "bad.pcapng: byte %zu: packet data of 200 bytes runs past its block (20 bytes left)", epb);
    check_damage(&b, want);

    b = good; /* a block shorter than any block */
    b.data[epb + 4] = 8;
    snprintf(want, sizeof want, "bad.pcapng: byte %zu: block length 8 is below 12", epb + 4);
    check_damage(&b, want);

    b = good; /* a byte-order magic that is neither */
    b.data[8] = 0x99;
    check_damage(&b, "bad.pcapng: byte 8: section header with byte-order magic 0x993c2b1a, not 0x1a2b3c4d");

    b = good; /* a section header cut inside its version (a fuzzer's find) */
    b.len = 15;
    check_damage(&b, "bad.pcapng: byte 0: section header block cut short (15 bytes)");

    b = good; /* an interface option running past its block */
    b.data[44] = 2;  /* the interface's first option (at byte 44): a name, */
    b.data[46] = 40; /* of 40 bytes in a block with 4 left */
    check_damage(&b, "bad.pcapng: byte 44: interface option 2 of 40 bytes runs past its block");
}

/* ---- link types -------------------------------------------------------------- */

static void ip_is_found_in_every_link_type(void **state)
{
    (void)state;
    uint8_t frame[64] = { 0 };
    size_t at = 99;
    /* Ethernet with an 802.1Q tag, carrying IPv6. */
    static const uint8_t vlan[] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0, 5, 0x86, 0xdd, 0x60 };
    memcpy(frame, vlan, sizeof vlan);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_ETHERNET, frame, 40, &at), 6);
    assert_int_equal(at, 18);
    frame[16] = 0x08, frame[17] = 0x06; /* ARP */
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_ETHERNET, frame, 40, &at), 0);
    /* Raw IP: by the version nibble. */
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_RAW, frame_a, sizeof frame_a, &at), 4);
    assert_int_equal(at, 0);
    assert_int_equal(naru_capture_ip(12, frame_b, sizeof frame_b, &at), 6);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_IPV4, frame_b, sizeof frame_b, &at), 0);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_IPV6, frame_b, sizeof frame_b, &at), 6);
    /* Linux cooked, versions 1 and 2. */
    memset(frame, 0, sizeof frame);
    frame[14] = 0x08, frame[15] = 0x00;
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LINUX_SLL, frame, 40, &at), 4);
    assert_int_equal(at, 16);
    memset(frame, 0, sizeof frame);
    frame[0] = 0x86, frame[1] = 0xdd;
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LINUX_SLL2, frame, 40, &at), 6);
    assert_int_equal(at, 20);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LINUX_SLL2, frame, 20, &at), 0); /* nothing after it */
    /* BSD loopback: the family in the writer's order; OpenBSD's in network order. */
    static const uint8_t null_le[] = { 2, 0, 0, 0, 0x45 }, null_be6[] = { 0, 0, 0, 30, 0x60 };
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_NULL, null_le, sizeof null_le, &at), 4);
    assert_int_equal(at, 4);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_NULL, null_be6, sizeof null_be6, &at), 6);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LOOP, null_be6, sizeof null_be6, &at), 6);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LOOP, null_le, sizeof null_le, &at), 0);
    /* Cut short, or a link type naru does not know. */
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_ETHERNET, vlan, 10, &at), 0);
    assert_int_equal(naru_capture_ip(NARU_LINKTYPE_LINUX_SLL, frame, 15, &at), 0);
    assert_int_equal(naru_capture_ip(105 /* 802.11 */, frame_a, sizeof frame_a, &at), 0);
    assert_false(naru_capture_linktype_known(105));
    assert_true(naru_capture_linktype_known(NARU_LINKTYPE_LINUX_SLL2));
    assert_true(naru_capture_linktype_known(12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcap_in_either_byte_order_and_unit_gives_the_same_packets),
        cmocka_unit_test(pcap_cut_short_is_an_error_at_the_record_that_is_cut),
        cmocka_unit_test(not_a_capture_is_refused_at_the_open_with_its_first_bytes),
        cmocka_unit_test(a_missing_file_is_named_with_the_reason),
        cmocka_unit_test(a_file_on_disk_reads_as_from_memory),
        cmocka_unit_test(pcapng_interfaces_carry_link_type_resolution_and_offset),
        cmocka_unit_test(pcapng_sections_each_have_their_byte_order_and_interfaces),
        cmocka_unit_test(pcapng_damage_is_reported_where_it_is),
        cmocka_unit_test(ip_is_found_in_every_link_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
