/* The authoritative server's answers (RFC 1034 4.3.2, RFC 4592, RFC 2308,
 * RFC 6891), checked message by message against the test zone. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/text.h"
#include "naru/dns.h"
#include "wire/dns.h"

#define ZONE NARU_TEST_DATA "/dns/example.zone"

struct reply {
    uint8_t buf[65535];
    size_t len;
    struct dns_message m;
    unsigned rcode;
};

static int setup(void **state)
{
    struct naru_dns_server *s;
    assert_int_equal(naru_dns_server_create(NULL, &s), 0);
    char err[256];
    int r = naru_dns_server_load_zone(s, NULL, ZONE, err, sizeof err);
    if (r < 0)
        fail_msg("%s", err);
    r = naru_dns_server_load_zone(s, NULL, NARU_TEST_DATA "/dns/second.zone", err, sizeof err);
    if (r < 0)
        fail_msg("%s", err);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    naru_dns_server_destroy(*state);
    return 0;
}

static struct reply *ask_full(struct naru_dns_server *s, const char *name, uint16_t type,
                              enum naru_dns_transport tr, uint16_t edns)
{
    static struct reply r;     /* test-only scratch */
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 0x4242, name, type, false, edns);
    assert_true(ql > 0);
    r.len = naru_dns_server_answer(s, q, (size_t)ql, tr, r.buf, sizeof r.buf);
    assert_true(r.len > 0);
    assert_int_equal(dns_parse(r.buf, r.len, &r.m), 0);
    assert_int_equal(naru_dns_reply_matches(q, (size_t)ql, r.buf, r.len), 0);
    r.rcode = DNS_RCODE(r.m.header.flags) | (unsigned)r.m.edns.ext_rcode << 4;
    return &r;
}

static struct reply *ask(struct naru_dns_server *s, const char *name, uint16_t type)
{
    return ask_full(s, name, type, NARU_DNS_UDP, 1232);
}

/* Record `i` of a section, as "owner TYPE rdata" text. */
static const char *rr_text(struct reply *r, enum dns_section sec, unsigned i)
{
    static char out[4096];
    size_t off = r->m.section_start[sec];
    struct dns_rr rr;
    for (unsigned k = 0; k <= i; k++)
        assert_int_equal(dns_read_rr(&r->m, &off, &rr), 0);
    uint8_t rd[65535];
    int n = dns_rdata_uncompressed(&r->m, &rr, rd, sizeof rd);
    assert_true(n >= 0);
    char owner[1100], data[1500];
    dns_name_to_text(&rr.name, owner, sizeof owner);
    assert_int_equal(dns_rdata_to_text(rr.type, rd, (size_t)n, data, sizeof data), 0);
    const char *tn = dns_type_mnemonic(rr.type);
    snprintf(out, sizeof out, "%s %s %s", owner, tn ? tn : "?", data);
    return out;
}

static uint32_t rr_ttl(struct reply *r, enum dns_section sec, unsigned i)
{
    size_t off = r->m.section_start[sec];
    struct dns_rr rr;
    for (unsigned k = 0; k <= i; k++)
        assert_int_equal(dns_read_rr(&r->m, &off, &rr), 0);
    return rr.ttl;
}

static void a_record_is_answered_authoritatively(void **state)
{
    struct reply *r = ask(*state, "www.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_true(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "www.example. A 192.0.2.80");
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 1), "www.example. A 192.0.2.81");
    /* Minimal, as Knot and BIND answer: no NS in authority, nothing extra. */
    assert_int_equal(r->m.header.nscount, 0);
    assert_int_equal(r->m.header.arcount, 1);   /* OPT */
    assert_true(r->m.edns.present);
}

static void full_responses_add_the_zone_ns_and_their_addresses(void **state)
{
    (void)state;
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    c.full_responses = true;
    struct naru_dns_server *s;
    assert_int_equal(naru_dns_server_create(&c, &s), 0);
    char err[256];
    assert_int_equal(naru_dns_server_load_zone(s, NULL, ZONE, err, sizeof err), 0);
    /* As NSD does by default: the zone's NS in authority, their addresses in additional. */
    struct reply *r = ask(s, "www.example", DNS_T_A);
    assert_int_equal(r->m.header.ancount, 2);
    assert_int_equal(r->m.header.nscount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_AUTHORITY, 0), "example. NS ns1.example.");
    assert_int_equal(r->m.header.arcount, 4);   /* ns1 A, ns2 A, ns2 AAAA, OPT */
    /* Not twice when the answer is the apex NS itself. */
    r = ask(s, "example", DNS_T_NS);
    assert_int_equal(r->m.header.ancount, 2);
    assert_int_equal(r->m.header.nscount, 0);
    /* Negative answers stay as they were: the SOA alone. */
    r = ask(s, "nope.example", DNS_T_A);
    assert_int_equal(r->m.header.nscount, 1);
    assert_int_equal(r->m.header.arcount, 1);
    naru_dns_server_destroy(s);
}

static void minimal_answers_keep_the_addresses_of_mx_srv_and_ns_targets(void **state)
{
    /* RFC 1034 4.3.2 step 6, as Knot and BIND keep it with minimal
     * responses: the answer's own targets, not the zone's NS. */
    struct reply *r = ask(*state, "example", DNS_T_MX);
    assert_int_equal(r->m.header.nscount, 0);
    assert_int_equal(r->m.header.arcount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_ADDITIONAL, 0), "mail.example. A 192.0.2.25");
    r = ask(*state, "_sip._udp.example", DNS_T_SRV);
    assert_int_equal(r->m.header.arcount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_ADDITIONAL, 0), "sip.example. A 192.0.2.60");
    r = ask(*state, "example", DNS_T_NS);
    assert_int_equal(r->m.header.arcount, 4);   /* ns1 A, ns2 A, ns2 AAAA, OPT */
}

/* A query with EDNS and the DO bit (RFC 3225 3), as dig +dnssec sends. */
static long query_with_do(uint8_t *q, size_t cap, const char *name, uint16_t type)
{
    long ql = naru_dns_query_build(q, cap, 0x77, name, type, false, 1232);
    assert_true(ql > 11);
    q[ql - 4] |= 0x80;       /* OPT TTL: the DO bit is the top bit of its third byte */
    return ql;
}

static size_t raw(struct naru_dns_server *s, const uint8_t *q, size_t len, struct reply *r);

static void do_bit_is_copied_into_every_response_with_edns(void **state)
{
    static const struct { const char *name; uint16_t type; unsigned rcode; } cases[] = {
        { "www.example", DNS_T_A, DNS_R_NOERROR },
        { "mail.example", DNS_T_AAAA, DNS_R_NOERROR },      /* NODATA */
        { "nope.example", DNS_T_A, DNS_R_NXDOMAIN },
        { "host.sub.example", DNS_T_A, DNS_R_NOERROR },     /* referral */
        { "big.example", DNS_T_TXT, DNS_R_NOERROR },        /* truncated */
        { "www.example.org", DNS_T_A, DNS_R_REFUSED },
        { "example", DNS_T_AXFR, DNS_R_REFUSED },
    };
    static struct reply r;
    uint8_t q[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long ql = query_with_do(q, sizeof q, cases[i].name, cases[i].type);
        assert_true(raw(*state, q, (size_t)ql, &r) > 0);
        assert_int_equal(r.rcode, cases[i].rcode);
        assert_true(r.m.edns.present);
        assert_true(r.m.edns.dnssec_ok);
        /* and not set when the query did not set it */
        ql = naru_dns_query_build(q, sizeof q, 0x77, cases[i].name, cases[i].type, false, 1232);
        assert_true(raw(*state, q, (size_t)ql, &r) > 0);
        assert_false(r.m.edns.dnssec_ok);
    }
    /* BADVERS too: RFC 3225 3 says every response. */
    long ql = query_with_do(q, sizeof q, "www.example", DNS_T_A);
    q[ql - 11 + 6] = 1;
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.rcode, DNS_R_BADVERS);
    assert_true(r.m.edns.dnssec_ok);
}

static void refused_carries_extended_error_not_authoritative(void **state)
{
    static struct reply r;
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 5, "www.example.org", DNS_T_A, false, 1232);
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.rcode, DNS_R_REFUSED);
    /* RFC 8914: option 15, INFO-CODE 20 (Not Authoritative), no text. */
    static const uint8_t ede[] = { 0, 15, 0, 2, 0, 20 };
    assert_int_equal(r.m.edns.options_len, sizeof ede);
    assert_memory_equal(r.m.edns.options, ede, sizeof ede);
    /* Nothing of the kind on other answers, nor without EDNS. */
    ql = naru_dns_query_build(q, sizeof q, 5, "www.example", DNS_T_A, false, 1232);
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.m.edns.options_len, 0);
    ql = naru_dns_query_build(q, sizeof q, 5, "www.example.org", DNS_T_A, false, 0);
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_false(r.m.edns.present);
}

static void question_case_is_echoed(void **state)
{
    struct reply *r = ask(*state, "wWw.ExAmPlE", DNS_T_A);
    assert_memory_equal(r->buf + 12, "\3wWw\7ExAmPlE\0", 13);
    /* The owner points at the question, so it keeps the asker's case too. */
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "wWw.ExAmPlE. A 192.0.2.80");
}

static void missing_name_is_nxdomain_with_soa(void **state)
{
    struct reply *r = ask(*state, "nope.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NXDOMAIN);
    assert_true(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
    assert_int_equal(r->m.header.nscount, 1);
    assert_string_equal(rr_text(r, DNS_SEC_AUTHORITY, 0),
                        "example. SOA ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300");
    /* RFC 2308 3: TTL = min(SOA TTL 3600, MINIMUM 300). */
    assert_int_equal(rr_ttl(r, DNS_SEC_AUTHORITY, 0), 300);
}

static void missing_type_is_nodata_with_soa(void **state)
{
    struct reply *r = ask(*state, "mail.example", DNS_T_AAAA);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_true(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
    assert_int_equal(r->m.header.nscount, 1);
    assert_int_equal(r->m.header.arcount, 1);   /* just OPT */
}

static void empty_non_terminal_is_nodata_not_nxdomain(void **state)
{
    struct reply *r = ask(*state, "ent.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 0);
    assert_int_equal(r->m.header.nscount, 1);
}

static void cname_chain_is_followed_inside_the_zone(void **state)
{
    struct reply *r = ask(*state, "chain1.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 3);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "chain1.example. CNAME chain2.example.");
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 1), "chain2.example. CNAME chain3.example.");
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 2), "chain3.example. A 192.0.2.3");
}

static void cname_itself_is_answered_for_type_cname(void **state)
{
    struct reply *r = ask(*state, "alias.example", DNS_T_CNAME);
    assert_int_equal(r->m.header.ancount, 1);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "alias.example. CNAME www.example.");
}

static void dangling_cname_ends_in_nxdomain(void **state)
{
    /* RFC 6604 3: the rcode describes the last name in the chain. */
    struct reply *r = ask(*state, "dangling.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NXDOMAIN);
    assert_int_equal(r->m.header.ancount, 1);
    assert_int_equal(r->m.header.nscount, 1);
}

static void cname_out_of_zone_stops_there(void **state)
{
    struct reply *r = ask(*state, "outside.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 1);
}

static void cname_loop_is_cut_short(void **state)
{
    struct reply *r = ask(*state, "loop1.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 2);      /* loop1 -> loop2 -> loop1: stop */
    assert_int_equal(r->m.header.nscount, 0);
}

static void wildcard_synthesises_the_asked_name(void **state)
{
    struct reply *r = ask(*state, "a.b.wild.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_true(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 1);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "a.b.wild.example. A 192.0.2.99");
    r = ask(*state, "x.wild.example", DNS_T_MX);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 0);      /* wildcard NODATA */
    r = ask(*state, "x.cwild.example", DNS_T_A);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "x.cwild.example. CNAME www.example.");
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 1), "www.example. A 192.0.2.80");
}

static void wildcard_does_not_cover_existing_names(void **state)
{
    /* RFC 4592 2.2.1: "wild.example" exists (as an empty non-terminal) and
     * the wildcard only covers names below it that do not exist. */
    struct reply *r = ask(*state, "wild.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_int_equal(r->m.header.ancount, 0);
    /* "*.wild" asked literally is answered from the wildcard node itself. */
    r = ask(*state, "*.wild.example", DNS_T_TXT);
    assert_int_equal(r->m.header.ancount, 1);
}

static void delegation_gives_referral_with_glue(void **state)
{
    struct reply *r = ask(*state, "host.sub.example", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_false(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
    assert_int_equal(r->m.header.nscount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_AUTHORITY, 0), "sub.example. NS ns.sub.example.");
    assert_int_equal(r->m.header.arcount, 2);     /* glue A + OPT */
    assert_string_equal(rr_text(r, DNS_SEC_ADDITIONAL, 0), "ns.sub.example. A 192.0.2.100");
    /* At the cut itself too, and for the glue name. */
    r = ask(*state, "sub.example", DNS_T_NS);
    assert_false(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
    r = ask(*state, "ns.sub.example", DNS_T_A);
    assert_false(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
}

static void outside_our_zones_is_refused(void **state)
{
    struct reply *r = ask(*state, "www.example.org", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_REFUSED);
    assert_false(r->m.header.flags & DNS_AA);
    assert_int_equal(r->m.header.ancount, 0);
}

static void second_zone_is_served_too(void **state)
{
    struct reply *r = ask(*state, "host.second.test", DNS_T_A);
    assert_int_equal(r->rcode, DNS_R_NOERROR);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "host.second.test. A 198.18.0.10");
}

/* An edited zone reloaded replaces the old one whole, the other zones
 * untouched; one that does not load leaves the old one serving. */
static void reloaded_zone_replaces_the_old_and_a_broken_one_changes_nothing(void **state)
{
    static const char edited[] = "$ORIGIN second.test.\n$TTL 5\n"
                                 "@ SOA ns hostmaster 2 3600 600 86400 60\n"
                                 "@ NS ns\nns A 198.18.0.1\nhost A 198.18.0.99\n";
    char err[256];
    unsigned zones = naru_dns_server_zone_count(*state);
    assert_int_equal(naru_dns_server_reload_zone_text(*state, NULL, "edited", edited, sizeof edited - 1, err,
                                                      sizeof err),
                     0);
    assert_int_equal(naru_dns_server_zone_count(*state), zones);
    struct reply *r = ask(*state, "host.second.test", DNS_T_A);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "host.second.test. A 198.18.0.99");
    assert_int_equal(rr_ttl(r, DNS_SEC_ANSWER, 0), 5);
    static const char broken[] = "$ORIGIN second.test.\nhost A not-an-address\n";
    assert_int_equal(naru_dns_server_reload_zone_text(*state, NULL, "broken", broken, sizeof broken - 1, err,
                                                      sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "broken:"));
    r = ask(*state, "host.second.test", DNS_T_A);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "host.second.test. A 198.18.0.99");
    r = ask(*state, "www.example", DNS_T_A); /* the other zone, as it was */
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "www.example. A 192.0.2.80");
}

static void every_known_type_is_served(void **state)
{
    struct reply *r = ask(*state, "example", DNS_T_MX);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "example. MX 10 mail.example.");
    r = ask(*state, "example", DNS_T_CAA);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "example. CAA 0 issue \"ca.example.net\"");
    r = ask(*state, "_sip._udp.example", DNS_T_SRV);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "_sip._udp.example. SRV 10 60 5060 sip.example.");
    r = ask(*state, "ns2.example", DNS_T_AAAA);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "ns2.example. AAAA 2001:db8::54");
    r = ask(*state, "ptr.example", DNS_T_PTR);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0), "ptr.example. PTR www.example.");
    r = ask(*state, "odd.example", 65534);
    assert_int_equal(r->m.header.ancount, 1);
    r = ask(*state, "esc.example", DNS_T_TXT);
    assert_int_equal(r->m.header.ancount, 2);
    assert_string_equal(rr_text(r, DNS_SEC_ANSWER, 0),
                        "esc.example. TXT \"semi;colon\" \"quote\\\"d\" \"tab\\009x\" \"back\\\\slash\"");
    r = ask(*state, "example", DNS_T_SOA);
    assert_int_equal(r->m.header.ancount, 1);
    r = ask(*state, "example", DNS_T_ANY);
    assert_int_equal(r->m.header.ancount, 6);     /* SOA, NS x2, MX, TXT, CAA */
}

static void big_rrset_is_truncated_over_udp_and_whole_over_tcp(void **state)
{
    struct reply *r = ask(*state, "big.example", DNS_T_TXT);
    assert_true(r->m.header.flags & DNS_TC);
    assert_true(r->len <= 1232);
    assert_int_equal(r->m.header.ancount, 0);     /* the RRset fits whole or not at all */
    r = ask_full(*state, "big.example", DNS_T_TXT, NARU_DNS_UDP, 0);
    assert_true(r->m.header.flags & DNS_TC);
    assert_true(r->len <= 512);
    r = ask_full(*state, "big.example", DNS_T_TXT, NARU_DNS_TCP, 1232);
    assert_false(r->m.header.flags & DNS_TC);
    assert_int_equal(r->m.header.ancount, 40);
    assert_true(r->len > 4000);
}

static void udp_size_below_512_means_512(void **state)
{
    struct reply *r = ask_full(*state, "www.example", DNS_T_A, NARU_DNS_UDP, 100);
    assert_false(r->m.header.flags & DNS_TC);
    assert_int_equal(r->m.header.ancount, 2);
}

static size_t raw(struct naru_dns_server *s, const uint8_t *q, size_t len, struct reply *r)
{
    r->len = naru_dns_server_answer(s, q, len, NARU_DNS_UDP, r->buf, sizeof r->buf);
    if (r->len) {
        assert_int_equal(dns_parse(r->buf, r->len, &r->m), 0);
        r->rcode = DNS_RCODE(r->m.header.flags) | (unsigned)r->m.edns.ext_rcode << 4;
    }
    return r->len;
}

static void unknown_edns_version_gets_badvers(void **state)
{
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 9, "www.example", DNS_T_A, false, 1232);
    q[ql - 11 + 6] = 1;      /* OPT TTL byte 2: version 1 */
    static struct reply r;
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.rcode, DNS_R_BADVERS);
    assert_true(r.m.edns.present);
    assert_int_equal(r.m.edns.version, 0);
    assert_int_equal(r.m.header.ancount, 0);
}

static void malformed_query_gets_formerr(void **state)
{
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 9, "www.example", DNS_T_A, false, 0);
    q[12] = 0xc0;            /* a pointer where the name starts */
    q[13] = 12;
    static struct reply r;
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.rcode, DNS_R_FORMERR);
    assert_int_equal(r.m.header.id, 9);
    /* Two questions. */
    ql = naru_dns_query_build(q, sizeof q, 9, "www.example", DNS_T_A, false, 0);
    memcpy(q + ql, q + 12, (size_t)ql - 12);
    wire_put16(q + 4, 2);
    assert_true(raw(*state, q, (size_t)(2 * ql - 12), &r) > 0);
    assert_int_equal(r.rcode, DNS_R_FORMERR);
}

static void other_opcodes_get_notimp(void **state)
{
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 9, "www.example", DNS_T_A, false, 0);
    q[2] |= DNS_OP_UPDATE << 3;
    static struct reply r;
    assert_true(raw(*state, q, (size_t)ql, &r) > 0);
    assert_int_equal(r.rcode, DNS_R_NOTIMP);
}

static void responses_and_runts_get_silence(void **state)
{
    uint8_t q[512];
    long ql = naru_dns_query_build(q, sizeof q, 9, "www.example", DNS_T_A, false, 0);
    q[2] |= 0x80;            /* QR */
    static struct reply r;
    assert_int_equal(raw(*state, q, (size_t)ql, &r), 0);
    assert_int_equal(raw(*state, q, 11, &r), 0);
    assert_int_equal(naru_dns_server_stats(*state)->dropped, 2);
}

static void zone_transfer_is_refused(void **state)
{
    struct reply *r = ask(*state, "example", DNS_T_AXFR);
    assert_int_equal(r->rcode, DNS_R_REFUSED);
}

static void tcp_frames_are_split_by_length(void **state)
{
    (void)state;
    const uint8_t stream[] = { 0, 2, 'a', 'b', 0, 3, 'c' };
    const uint8_t *m;
    size_t n;
    assert_int_equal(naru_dns_tcp_frame(stream, sizeof stream, &m, &n), 4);
    assert_int_equal(n, 2);
    assert_memory_equal(m, "ab", 2);
    assert_int_equal(naru_dns_tcp_frame(stream + 4, 3, &m, &n), 0);
    assert_int_equal(naru_dns_tcp_frame(stream, 1, &m, &n), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_record_is_answered_authoritatively),
        cmocka_unit_test(full_responses_add_the_zone_ns_and_their_addresses),
        cmocka_unit_test(minimal_answers_keep_the_addresses_of_mx_srv_and_ns_targets),
        cmocka_unit_test(do_bit_is_copied_into_every_response_with_edns),
        cmocka_unit_test(refused_carries_extended_error_not_authoritative),
        cmocka_unit_test(question_case_is_echoed),
        cmocka_unit_test(missing_name_is_nxdomain_with_soa),
        cmocka_unit_test(missing_type_is_nodata_with_soa),
        cmocka_unit_test(empty_non_terminal_is_nodata_not_nxdomain),
        cmocka_unit_test(cname_chain_is_followed_inside_the_zone),
        cmocka_unit_test(cname_itself_is_answered_for_type_cname),
        cmocka_unit_test(dangling_cname_ends_in_nxdomain),
        cmocka_unit_test(cname_out_of_zone_stops_there),
        cmocka_unit_test(cname_loop_is_cut_short),
        cmocka_unit_test(wildcard_synthesises_the_asked_name),
        cmocka_unit_test(wildcard_does_not_cover_existing_names),
        cmocka_unit_test(delegation_gives_referral_with_glue),
        cmocka_unit_test(outside_our_zones_is_refused),
        cmocka_unit_test(second_zone_is_served_too),
        cmocka_unit_test(every_known_type_is_served),
        cmocka_unit_test(big_rrset_is_truncated_over_udp_and_whole_over_tcp),
        cmocka_unit_test(udp_size_below_512_means_512),
        cmocka_unit_test(unknown_edns_version_gets_badvers),
        cmocka_unit_test(malformed_query_gets_formerr),
        cmocka_unit_test(other_opcodes_get_notimp),
        cmocka_unit_test(responses_and_runts_get_silence),
        cmocka_unit_test(zone_transfer_is_refused),
        cmocka_unit_test_setup_teardown(reloaded_zone_replaces_the_old_and_a_broken_one_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test(tcp_frames_are_split_by_length),
    };
    struct naru_dns_server *s;
    setup((void **)&s);
    /* One server for the whole group: answering does not change it. */
    struct CMUnitTest with_state[sizeof tests / sizeof tests[0]];
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        with_state[i] = tests[i];
        with_state[i].initial_state = s;
    }
    int failed = cmocka_run_group_tests(with_state, NULL, NULL);
    void *st = s;
    teardown(&st);
    return failed;
}
