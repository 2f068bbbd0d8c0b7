/* The codec on messages captured from real DNS software: queries sent by
 * BIND's dig and replies sent by NSD (tests/data/dns/captures/, made by
 * capture.py there). */
#include "testnet.h"

#include <stdio.h>
#include <string.h>

#include "dns/text.h"
#include "wire/dns.h"

#define CAPTURES NARU_TEST_DATA "/dns/captures/"

struct capture {
    uint8_t buf[65535];
    size_t len;
    struct dns_message m;
};

static struct capture *load(const char *name)
{
    static struct capture c;
    char path[512];
    snprintf(path, sizeof path, CAPTURES "%s.hex", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    c.len = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        for (char *p = line; p[0] && p[1] && p[0] != '\n'; p += 2) {
            unsigned v;
            assert_int_equal(sscanf(p, "%2x", &v), 1);
            c.buf[c.len++] = (uint8_t)v;
        }
    }
    fclose(f);
    assert_int_equal(dns_parse(c.buf, c.len, &c.m), 0);
    return &c;
}

static const char *question(struct capture *c)
{
    static char out[1200];
    struct dns_question q;
    size_t off = c->m.section_start[DNS_SEC_QUESTION];
    assert_int_equal(dns_read_question(&c->m, &off, &q), 0);
    char name[1100];
    dns_name_to_text(&q.name, name, sizeof name);
    snprintf(out, sizeof out, "%s %s", name, dns_type_mnemonic(q.type) ? dns_type_mnemonic(q.type) : "?");
    return out;
}

/* Every record of a section as "owner TTL TYPE data" lines. */
static const char *section(struct capture *c, enum dns_section sec)
{
    static char out[8192];
    size_t o = 0;
    out[0] = 0;
    size_t off = c->m.section_start[sec];
    const uint16_t counts[4] = { 0, c->m.header.ancount, c->m.header.nscount, c->m.header.arcount };
    for (unsigned i = 0; i < counts[sec]; i++) {
        struct dns_rr rr;
        assert_int_equal(dns_read_rr(&c->m, &off, &rr), 0);
        if (rr.type == DNS_T_OPT)
            continue;
        uint8_t rd[65535];
        int n = dns_rdata_uncompressed(&c->m, &rr, rd, sizeof rd);
        assert_true(n >= 0);
        char name[1100], data[2048], type[16];
        dns_name_to_text(&rr.name, name, sizeof name);
        assert_int_equal(dns_rdata_to_text(rr.type, rd, (size_t)n, data, sizeof data), 0);
        const char *tn = dns_type_mnemonic(rr.type);
        if (!tn) {
            snprintf(type, sizeof type, "TYPE%u", rr.type);
            tn = type;
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s %lu %s %s", o ? "\n" : "", name,
                              (unsigned long)rr.ttl, tn, data);
    }
    return out;
}

static void dig_query_with_cookie_parses(void **state)
{
    (void)state;
    struct capture *c = load("dig_query_a");
    assert_false(c->m.header.flags & DNS_QR);
    assert_true(c->m.header.flags & DNS_RD);
    assert_string_equal(question(c), "www.example. A");
    assert_true(c->m.edns.present);
    assert_int_equal(c->m.edns.udp_size, 1232);
    assert_int_equal(c->m.edns.version, 0);
    /* one option, the COOKIE (RFC 7873: code 10, an 8-byte client cookie) */
    assert_int_equal(c->m.edns.options_len, 12);
    assert_int_equal(wire_get16(c->m.edns.options), 10);
}

static void dig_query_without_rd_or_edns_parses(void **state)
{
    (void)state;
    struct capture *c = load("dig_query_txt_norec");
    assert_false(c->m.header.flags & DNS_RD);
    assert_string_equal(question(c), "esc.example. TXT");
    assert_int_equal(c->m.edns.options_len, 0);
    c = load("dig_query_noedns");
    assert_false(c->m.edns.present);
    assert_string_equal(question(c), "WwW.ExAmPlE. AAAA");    /* case as typed */
}

static void nsd_mx_reply_with_compression_decodes(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_mx");
    assert_true(c->m.header.flags & DNS_AA);
    assert_string_equal(section(c, DNS_SEC_ANSWER), "example. 3600 MX 10 mail.example.");
    assert_string_equal(section(c, DNS_SEC_AUTHORITY),
                        "example. 3600 NS ns1.example.\nexample. 3600 NS ns2.example.");
    assert_string_equal(section(c, DNS_SEC_ADDITIONAL),
                        "mail.example. 300 A 192.0.2.25\nns1.example. 3600 A 192.0.2.53\n"
                        "ns2.example. 3600 A 192.0.2.54\nns2.example. 3600 AAAA 2001:db8::54");
    assert_true(c->m.edns.present);
}

static void nsd_cname_chain_decodes(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_chain");
    assert_string_equal(section(c, DNS_SEC_ANSWER),
                        "chain1.example. 3600 CNAME chain2.example.\n"
                        "chain2.example. 3600 CNAME chain3.example.\n"
                        "chain3.example. 3600 A 192.0.2.3");
}

static void nsd_nxdomain_carries_the_soa(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_nxdomain");
    assert_int_equal(DNS_RCODE(c->m.header.flags), DNS_R_NXDOMAIN);
    assert_string_equal(section(c, DNS_SEC_AUTHORITY),
                        "example. 300 SOA ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300");
}

static void nsd_referral_decodes(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_referral");
    assert_false(c->m.header.flags & DNS_AA);
    assert_int_equal(c->m.header.ancount, 0);
    assert_string_equal(section(c, DNS_SEC_AUTHORITY),
                        "sub.example. 3600 NS ns.sub.example.\nsub.example. 3600 NS ns.example.net.");
    assert_string_equal(section(c, DNS_SEC_ADDITIONAL), "ns.sub.example. 3600 A 192.0.2.100");
}

static void nsd_unknown_type_srv_and_aaaa_decode(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_types");
    assert_string_equal(section(c, DNS_SEC_ANSWER), "odd.example. 3600 TYPE65534 \\# 3 ABCDEF");
    c = load("nsd_reply_srv");
    assert_string_equal(section(c, DNS_SEC_ANSWER), "_sip._udp.example. 3600 SRV 10 60 5060 sip.example.");
    c = load("nsd_reply_caa_aaaa");
    assert_string_equal(section(c, DNS_SEC_ANSWER), "ns2.example. 3600 AAAA 2001:db8::54");
}

static void nsd_truncated_reply_has_tc(void **state)
{
    (void)state;
    struct capture *c = load("nsd_reply_truncated");
    assert_true(c->m.header.flags & DNS_TC);
    assert_true(c->len <= 1232);
}

static void every_prefix_of_a_capture_is_rejected_cleanly(void **state)
{
    (void)state;
    /* A reply cut anywhere must fail to parse, never read past the cut. */
    static const char *const names[] = { "nsd_reply_mx", "nsd_reply_chain", "nsd_reply_referral",
                                         "dig_query_a" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct capture *c = load(names[i]);
        for (size_t cut = 0; cut < c->len; cut++) {
            struct dns_message m;
            assert_true(dns_parse(c->buf, cut, &m) < 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dig_query_with_cookie_parses),
        cmocka_unit_test(dig_query_without_rd_or_edns_parses),
        cmocka_unit_test(nsd_mx_reply_with_compression_decodes),
        cmocka_unit_test(nsd_cname_chain_decodes),
        cmocka_unit_test(nsd_nxdomain_carries_the_soa),
        cmocka_unit_test(nsd_referral_decodes),
        cmocka_unit_test(nsd_unknown_type_srv_and_aaaa_decode),
        cmocka_unit_test(nsd_truncated_reply_has_tc),
        cmocka_unit_test(every_prefix_of_a_capture_is_rejected_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
