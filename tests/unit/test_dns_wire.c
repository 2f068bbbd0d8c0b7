/* The DNS message codec: safe decompression, RDATA checks, EDNS, and the
 * builder's compression and truncation. Real captures are in
 * test_dns_captures.c. */
#include "testnet.h"

#include <string.h>

#include "wire/dns.h"

/* A header with the given counts, then `body`. */
static size_t message(uint8_t *buf, uint16_t qd, uint16_t an, const uint8_t *body, size_t len)
{
    memset(buf, 0, DNS_HEADER_LEN);
    buf[0] = 0x12;
    buf[1] = 0x34;
    wire_put16(buf + 4, qd);
    wire_put16(buf + 6, an);
    memcpy(buf + DNS_HEADER_LEN, body, len);
    return DNS_HEADER_LEN + len;
}

static void name_with_backward_pointer_decompresses(void **state)
{
    (void)state;
    /* question "www.example.com" A IN, answer owner = pointer to 12 */
    static const uint8_t body[] = {
        3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
        0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
    };
    uint8_t buf[128];
    size_t len = message(buf, 1, 1, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), 0);
    size_t off = m.section_start[DNS_SEC_ANSWER];
    struct dns_rr rr;
    assert_int_equal(dns_read_rr(&m, &off, &rr), 0);
    assert_int_equal(rr.name.len, 17);
    assert_memory_equal(rr.name.wire, body, 17);
    assert_int_equal(rr.type, DNS_T_A);
    assert_int_equal(rr.ttl, 60);
    assert_memory_equal(rr.data.a, "\xc0\x00\x02\x01", 4);
    assert_int_equal(off, len);
}

static void pointer_to_itself_is_rejected(void **state)
{
    (void)state;
    static const uint8_t body[] = { 0xc0, 12, 0, 1, 0, 1 };
    uint8_t buf[64];
    size_t len = message(buf, 1, 0, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_POINTER);
}

static void pointer_loop_between_two_names_is_rejected(void **state)
{
    (void)state;
    /* at 12: label "a" then pointer to 12+3=15; at 15: label "b" then pointer to 12 */
    static const uint8_t body[] = { 1, 'a', 0xc0, 15, 1, 'b', 0xc0, 12, 0, 1, 0, 1 };
    uint8_t buf[64];
    size_t len = message(buf, 1, 0, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_POINTER);
    /* Reading from the second label must fail too: 15 -> 12 -> 15 loops back up. */
    size_t off = 16;
    struct dns_name n;
    assert_int_equal(dns_read_name(buf, len, &off, &n), DNS_E_BAD_POINTER);
}

static void pointer_looping_through_earlier_target_is_rejected(void **state)
{
    (void)state;
    /* Name at 20 points to 12; at 12 label "x" then pointer to 14, which is
     * below 20 (the pointer's own position) but not below 12, the start of
     * the piece that led there: a loop 14 -> 14 if allowed. */
    uint8_t buf[64] = { 0 };
    buf[12] = 1; buf[13] = 'x'; buf[14] = 0xc0; buf[15] = 14;
    buf[20] = 0xc0; buf[21] = 12;
    size_t off = 20;
    struct dns_name n;
    assert_int_equal(dns_read_name(buf, 22, &off, &n), DNS_E_BAD_POINTER);
}

static void forward_pointer_is_rejected(void **state)
{
    (void)state;
    static const uint8_t body[] = { 0xc0, 18, 0, 1, 0, 1, 1, 'a', 0 };
    uint8_t buf[64];
    size_t len = message(buf, 1, 0, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_POINTER);
}

static void pointer_into_header_is_rejected(void **state)
{
    (void)state;
    static const uint8_t body[] = { 1, 'a', 0xc0, 4, 0, 1, 0, 1 };
    uint8_t buf[64];
    size_t len = message(buf, 1, 0, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_POINTER);
}

static void pointer_out_of_bounds_is_rejected(void **state)
{
    (void)state;
    uint8_t buf[64] = { 0 };
    buf[30] = 0xc0;                 /* the second pointer byte is missing */
    size_t off = 30;
    struct dns_name n;
    assert_int_equal(dns_read_name(buf, 31, &off, &n), DNS_E_TRUNCATED);
    buf[31] = 40;                   /* forward, beyond the end */
    off = 30;
    assert_int_equal(dns_read_name(buf, 32, &off, &n), DNS_E_BAD_POINTER);
}

static void extended_label_types_are_rejected(void **state)
{
    (void)state;
    uint8_t buf[64] = { 0 };
    struct dns_name n;
    size_t off = 12;
    buf[12] = 0x40;                 /* 01xxxxxx: RFC 6891 5 extended label */
    assert_int_equal(dns_read_name(buf, 20, &off, &n), DNS_E_BAD_LABEL);
    buf[12] = 0x80;
    off = 12;
    assert_int_equal(dns_read_name(buf, 20, &off, &n), DNS_E_BAD_LABEL);
}

static void name_over_255_octets_is_rejected(void **state)
{
    (void)state;
    /* Four 63-octet labels: 4 * 64 + 1 = 257 octets. */
    uint8_t buf[400] = { 0 };
    size_t p = 12;
    for (int i = 0; i < 4; i++) {
        buf[p] = 63;
        memset(buf + p + 1, 'a', 63);
        p += 64;
    }
    buf[p++] = 0;
    size_t off = 12;
    struct dns_name n;
    assert_int_equal(dns_read_name(buf, p, &off, &n), DNS_E_NAME_TOO_LONG);
    /* Three labels of 63 and one of 61: exactly 255, accepted. */
    buf[12 + 192] = 61;
    buf[12 + 192 + 62] = 0;
    off = 12;
    assert_int_equal(dns_read_name(buf, 12 + 255, &off, &n), 0);
    assert_int_equal(n.len, 255);
}

static void name_made_long_by_pointers_is_rejected(void **state)
{
    (void)state;
    /* Each name adds a 63-octet label and points at the previous one. */
    uint8_t buf[400] = { 0 };
    size_t p = 12;
    buf[p++] = 0;
    size_t prev = 12;
    for (int i = 0; i < 5; i++) {
        size_t here = p;
        buf[p++] = 63;
        memset(buf + p, 'b', 63);
        p += 63;
        buf[p++] = (uint8_t)(0xc0 | prev >> 8);
        buf[p++] = (uint8_t)prev;
        prev = here;
    }
    size_t off = prev;
    struct dns_name n;
    assert_int_equal(dns_read_name(buf, p, &off, &n), DNS_E_NAME_TOO_LONG);
}

static void rdata_length_must_match_type(void **state)
{
    (void)state;
    static const uint8_t body[] = { 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3 };
    uint8_t buf[64];
    size_t len = message(buf, 0, 1, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_RDATA);
}

static void rdata_name_past_rdlength_is_rejected(void **state)
{
    (void)state;
    /* CNAME with rdlength 2 but a 3-octet name */
    static const uint8_t body[] = { 0, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 1, 'a', 0 };
    uint8_t buf[64];
    size_t len = message(buf, 0, 1, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_RDATA);
}

static void txt_strings_must_fill_rdata(void **state)
{
    (void)state;
    assert_int_equal(dns_rdata_check(DNS_T_TXT, (const uint8_t *)"\3abc\1d", 6), 0);
    assert_int_equal(dns_rdata_check(DNS_T_TXT, (const uint8_t *)"\3abc\3d", 6), DNS_E_BAD_RDATA);
    assert_int_equal(dns_rdata_check(DNS_T_TXT, (const uint8_t *)"", 0), DNS_E_BAD_RDATA);
    assert_int_equal(dns_rdata_check(DNS_T_CAA, (const uint8_t *)"\0\5issueca.example", 17), 0);
    assert_int_equal(dns_rdata_check(DNS_T_CAA, (const uint8_t *)"\0\0", 2), DNS_E_BAD_RDATA);
    assert_int_equal(dns_rdata_check(DNS_T_MX, (const uint8_t *)"\0\12\1a\0", 5), 0);
    assert_int_equal(dns_rdata_check(DNS_T_MX, (const uint8_t *)"\0\12\xc0\x0c", 4), DNS_E_BAD_RDATA);
    assert_int_equal(dns_rdata_check(999, (const uint8_t *)"anything", 8), 0);
}

static void unknown_type_is_opaque(void **state)
{
    (void)state;
    static const uint8_t body[] = { 0, 0x12, 0x34, 0, 1, 0, 0, 0, 60, 0, 3, 0xc0, 1, 2 };
    uint8_t buf[64];
    size_t len = message(buf, 0, 1, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), 0);
    size_t off = m.section_start[DNS_SEC_ANSWER];
    struct dns_rr rr;
    assert_int_equal(dns_read_rr(&m, &off, &rr), 0);
    assert_int_equal(rr.type, 0x1234);
    assert_int_equal(rr.rdlength, 3);
    assert_memory_equal(rr.rdata, "\xc0\x01\x02", 3);
}

static void opt_record_gives_edns(void **state)
{
    (void)state;
    uint8_t buf[64];
    static const uint8_t body[] = {
        0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 8, 0, 10, 0, 4, 1, 2, 3, 4,
    };
    size_t len = message(buf, 0, 0, body, sizeof body);
    wire_put16(buf + 10, 1);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), 0);
    assert_true(m.edns.present);
    assert_int_equal(m.edns.udp_size, 1232);
    assert_int_equal(m.edns.version, 0);
    assert_true(m.edns.dnssec_ok);
    assert_int_equal(m.edns.options_len, 8);
}

static void second_opt_or_opt_in_answer_is_rejected(void **state)
{
    (void)state;
    uint8_t buf[64];
    static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
    uint8_t body[22];
    memcpy(body, opt, 11);
    memcpy(body + 11, opt, 11);
    size_t len = message(buf, 0, 0, body, 22);
    wire_put16(buf + 10, 2);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_OPT);
    len = message(buf, 0, 1, opt, 11);
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_OPT);
    /* An option longer than the RDATA. */
    static const uint8_t badopt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 10, 0, 9 };
    len = message(buf, 0, 0, badopt, sizeof badopt);
    wire_put16(buf + 10, 1);
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_BAD_OPT);
}

static void counts_beyond_the_bytes_are_truncation(void **state)
{
    (void)state;
    uint8_t buf[64];
    static const uint8_t body[] = { 0, 0, 1, 0, 1 };
    size_t len = message(buf, 2, 0, body, sizeof body);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), DNS_E_TRUNCATED);
    assert_int_equal(dns_parse(buf, 11, &m), DNS_E_TRUNCATED);
    len = message(buf, 1, 0, body, sizeof body);
    buf[len] = 0;
    assert_int_equal(dns_parse(buf, len + 1, &m), DNS_E_TRAILING);
}

static void name(struct dns_name *n, const char *text)
{
    /* dotted text to wire, for tests: "a.b" -> 1a1b0 */
    size_t o = 0;
    const char *p = text;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        n->wire[o++] = (uint8_t)l;
        memcpy(n->wire + o, p, l);
        o += l;
        p += l;
        if (*p == '.')
            p++;
    }
    n->wire[o++] = 0;
    n->len = (uint8_t)o;
}

static void builder_compresses_repeated_suffixes(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct dns_builder b;
    dns_builder_init(&b, buf, sizeof buf, sizeof buf);
    struct dns_name q, ns1, ns2, zone;
    name(&q, "www.Example.com");
    name(&zone, "example.com");
    name(&ns1, "ns1.example.com");
    name(&ns2, "ns2.example.net");
    assert_int_equal(dns_builder_header(&b, 7, DNS_QR | DNS_AA), 0);
    assert_int_equal(dns_builder_question(&b, &q, DNS_T_NS, DNS_C_IN), 0);
    assert_int_equal(dns_builder_rr(&b, DNS_SEC_AUTHORITY, &zone, DNS_T_NS, DNS_C_IN, 300, ns1.wire, ns1.len), 0);
    assert_int_equal(dns_builder_rr(&b, DNS_SEC_AUTHORITY, &zone, DNS_T_NS, DNS_C_IN, 300, ns2.wire, ns2.len), 0);
    size_t len = dns_builder_finish(&b);
    /* header 12, question 17+4, rr1: ptr 2 + 10 + "ns1"+ptr 6, rr2: ptr 2 + 10 + 3ns2 7example3net0 = 17 */
    assert_int_equal(len, 12 + 21 + 18 + 29);
    struct dns_message m;
    assert_int_equal(dns_parse(buf, len, &m), 0);
    assert_int_equal(m.header.nscount, 2);
    size_t off = m.section_start[DNS_SEC_AUTHORITY];
    struct dns_rr rr;
    assert_int_equal(dns_read_rr(&m, &off, &rr), 0);
    assert_true(dns_name_equal(&rr.name, &zone));
    assert_true(dns_name_equal(&rr.data.target, &ns1));
    assert_int_equal(dns_read_rr(&m, &off, &rr), 0);
    assert_true(dns_name_equal(&rr.data.target, &ns2));
}

static void builder_refuses_what_does_not_fit_and_rolls_back(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct dns_builder b;
    dns_builder_init(&b, buf, sizeof buf, 62);
    struct dns_name q;
    name(&q, "t.example");
    assert_int_equal(dns_builder_header(&b, 1, DNS_QR), 0);
    assert_int_equal(dns_builder_question(&b, &q, DNS_T_TXT, DNS_C_IN), 0);
    assert_int_equal(dns_builder_reserve_opt(&b, DNS_OPT_LEN), 0);
    struct dns_builder_mark m = dns_builder_mark(&b);
    uint8_t txt[11] = { 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };
    assert_int_equal(dns_builder_rr_ptr(&b, DNS_SEC_ANSWER, 12, DNS_T_TXT, DNS_C_IN, 1, txt, 11), 0);
    assert_int_equal(dns_builder_rr_ptr(&b, DNS_SEC_ANSWER, 12, DNS_T_TXT, DNS_C_IN, 1, txt, 11), DNS_E_NO_SPACE);
    dns_builder_rollback(&b, &m);
    b.truncated = true;
    assert_int_equal(dns_builder_opt(&b, 1232, 0, 0, false, NULL, 0), 0);
    size_t len = dns_builder_finish(&b);
    struct dns_message msg;
    assert_int_equal(dns_parse(buf, len, &msg), 0);
    assert_true(msg.header.flags & DNS_TC);
    assert_int_equal(msg.header.ancount, 0);
    assert_true(msg.edns.present);
    assert_true(len <= 62);
}

static void srv_target_is_never_compressed(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct dns_builder b;
    dns_builder_init(&b, buf, sizeof buf, sizeof buf);
    struct dns_name q;
    name(&q, "_sip._udp.example.com");
    uint8_t srv[6 + 17] = { 0, 1, 0, 2, 0x13, 0xc4 };
    struct dns_name t;
    name(&t, "sip.example.com");
    memcpy(srv + 6, t.wire, t.len);
    dns_builder_header(&b, 1, DNS_QR);
    dns_builder_question(&b, &q, DNS_T_SRV, DNS_C_IN);
    assert_int_equal(dns_builder_rr_ptr(&b, DNS_SEC_ANSWER, 12, DNS_T_SRV, DNS_C_IN, 1, srv, sizeof srv), 0);
    size_t len = dns_builder_finish(&b);
    assert_memory_equal(buf + len - sizeof srv, srv, sizeof srv);
    assert_int_equal(wire_get16(buf + len - sizeof srv - 2), sizeof srv);
}

static void subdomain_test_respects_label_boundaries(void **state)
{
    (void)state;
    struct dns_name a, z, r;
    name(&a, "xexample.com");
    name(&z, "example.com");
    assert_false(dns_name_is_subdomain(&a, &z));
    name(&a, "www.EXAMPLE.com");
    assert_true(dns_name_is_subdomain(&a, &z));
    dns_name_root(&r);
    assert_true(dns_name_is_subdomain(&a, &r));
    assert_int_equal(dns_name_label_count(&a), 3);
    struct dns_name s;
    dns_name_strip(&a, 1, &s);
    assert_true(dns_name_equal(&s, &z));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_with_backward_pointer_decompresses),
        cmocka_unit_test(pointer_to_itself_is_rejected),
        cmocka_unit_test(pointer_loop_between_two_names_is_rejected),
        cmocka_unit_test(pointer_looping_through_earlier_target_is_rejected),
        cmocka_unit_test(forward_pointer_is_rejected),
        cmocka_unit_test(pointer_into_header_is_rejected),
        cmocka_unit_test(pointer_out_of_bounds_is_rejected),
        cmocka_unit_test(extended_label_types_are_rejected),
        cmocka_unit_test(name_over_255_octets_is_rejected),
        cmocka_unit_test(name_made_long_by_pointers_is_rejected),
        cmocka_unit_test(rdata_length_must_match_type),
        cmocka_unit_test(rdata_name_past_rdlength_is_rejected),
        cmocka_unit_test(txt_strings_must_fill_rdata),
        cmocka_unit_test(unknown_type_is_opaque),
        cmocka_unit_test(opt_record_gives_edns),
        cmocka_unit_test(second_opt_or_opt_in_answer_is_rejected),
        cmocka_unit_test(counts_beyond_the_bytes_are_truncation),
        cmocka_unit_test(builder_compresses_repeated_suffixes),
        cmocka_unit_test(builder_refuses_what_does_not_fit_and_rolls_back),
        cmocka_unit_test(srv_target_is_never_compressed),
        cmocka_unit_test(subdomain_test_respects_label_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
