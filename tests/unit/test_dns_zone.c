/* RFC 1035 master files: the syntax the loader accepts, and errors that
 * name the file, the line and the problem, with the zone refused whole. */
#include "testnet.h"

#include <stdio.h>
#include <string.h>

#include "dns/text.h"
#include "dns/zone.h"

static struct zone *load(const char *text, const char *origin, char *err, size_t len)
{
    struct dns_name o;
    if (origin)
        assert_int_equal(dns_name_from_text(origin, strlen(origin), NULL, &o), 0);
    return zonefile_load(origin ? &o : NULL, "t.zone", text, strlen(text), err, len);
}

static const struct zone_rrset *rrset(const struct zone *z, const char *owner, uint16_t type)
{
    struct dns_name n;
    assert_int_equal(dns_name_from_text(owner, strlen(owner), NULL, &n), 0);
    const struct zone_node *node = zone_find(z, &n);
    return node ? zone_rrset_find(node, type) : NULL;
}

static const char *rdata(const struct zone_rrset *s, unsigned i)
{
    static char out[2048];
    const struct zone_rdata *r = s->first;
    while (i--)
        r = r->next;
    assert_int_equal(dns_rdata_to_text(s->type, r->data, r->len, out, sizeof out), 0);
    return out;
}

#define SOA "@ 3600 IN SOA ns.t. h.t. 1 2 3 4 5\n"

/* An error message, expected exactly. */
static void expect_error(const char *text, const char *origin, const char *message)
{
    char err[256];
    struct zone *z = load(text, origin, err, sizeof err);
    if (z) {
        zone_destroy(z);
        fail_msg("accepted, but should fail with \"%s\"", message);
    }
    assert_string_equal(err, message);
}

static void syntax_of_rfc1035_is_understood(void **state)
{
    (void)state;
    const char *text =
        "$ORIGIN t.\n"
        "$TTL 1d\n"
        "@ IN SOA ns.t. host\\.master.t. (\n"
        "      2024 ; serial\n"
        "      1h 30m 1w\n"
        "      60 ) ; minimum\n"
        "  NS ns          ; owner carried from the line above\n"
        "ns 300 A 192.0.2.1\n"
        "   IN 200 AAAA ::ffff:192.0.2.1\n"
        "txt TXT \"a b\" c\\032d \"\\\"q\\\"\" \"\\255\"\n"
        "empty TXT \"\"\n"
        "mx MX 10 @\n"
        "x.y CNAME ns\n"
        "abs.t. PTR ns.t.\n"
        "any TYPE999 \\# 2 ABCD\n"
        "a2 A \\# 4 C0000201\n"
        "caa CAA 128 iodef \"mailto:a@t\"\n"
        "srv SRV 1 2 3 .\n";
    char err[256];
    struct zone *z = load(text, NULL, err, sizeof err);
    if (!z)
        fail_msg("%s", err);
    assert_string_equal(rdata(rrset(z, "t.", DNS_T_SOA), 0), "ns.t. host\\.master.t. 2024 3600 1800 604800 60");
    assert_int_equal(rrset(z, "t.", DNS_T_SOA)->ttl, 86400);
    assert_string_equal(rdata(rrset(z, "t.", DNS_T_NS), 0), "ns.t.");
    assert_int_equal(rrset(z, "ns.t.", DNS_T_A)->ttl, 300);
    assert_int_equal(rrset(z, "ns.t.", DNS_T_AAAA)->ttl, 200);
    assert_string_equal(rdata(rrset(z, "ns.t.", DNS_T_AAAA), 0), "::ffff:c000:201");
    assert_string_equal(rdata(rrset(z, "txt.t.", DNS_T_TXT), 0), "\"a b\" \"c d\" \"\\\"q\\\"\" \"\\255\"");
    assert_string_equal(rdata(rrset(z, "empty.t.", DNS_T_TXT), 0), "\"\"");
    assert_string_equal(rdata(rrset(z, "mx.t.", DNS_T_MX), 0), "10 t.");
    assert_string_equal(rdata(rrset(z, "x.y.t.", DNS_T_CNAME), 0), "ns.t.");
    assert_non_null(zone_find(z, &(struct dns_name){ 5, { 1, 'y', 1, 't', 0 } }));   /* y.t: empty non-terminal */
    assert_string_equal(rdata(rrset(z, "any.t.", 999), 0), "\\# 2 ABCD");
    assert_string_equal(rdata(rrset(z, "a2.t.", DNS_T_A), 0), "192.0.2.1");
    assert_string_equal(rdata(rrset(z, "caa.t.", DNS_T_CAA), 0), "128 iodef \"mailto:a@t\"");
    assert_string_equal(rdata(rrset(z, "srv.t.", DNS_T_SRV), 0), "1 2 3 .");
    zone_destroy(z);
}

static void origin_may_be_given_instead_of_written(void **state)
{
    (void)state;
    char err[256];
    struct zone *z = load("@ 60 SOA ns h 1 2 3 4 5\nwww 60 A 192.0.2.1\n", "given.", err, sizeof err);
    if (!z)
        fail_msg("%s", err);
    assert_non_null(rrset(z, "www.given.", DNS_T_A));
    assert_string_equal(rdata(rrset(z, "given.", DNS_T_SOA), 0), "ns.given. h.given. 1 2 3 4 5");
    zone_destroy(z);
}

static void ttl_defaults_follow_rfc_2308_and_1035(void **state)
{
    (void)state;
    char err[256];
    /* No $TTL: the last explicit TTL carries on; before any, the SOA MINIMUM. */
    struct zone *z = load("$ORIGIN t.\n@ SOA ns h 1 2 3 4 77\na A 192.0.2.1\nb 5 A 192.0.2.2\nc A 192.0.2.3\n",
                          NULL, err, sizeof err);
    if (!z)
        fail_msg("%s", err);
    assert_int_equal(rrset(z, "t.", DNS_T_SOA)->ttl, 77);
    assert_int_equal(rrset(z, "a.t.", DNS_T_A)->ttl, 77);
    assert_int_equal(rrset(z, "c.t.", DNS_T_A)->ttl, 5);
    zone_destroy(z);
}

static void include_is_relative_to_the_including_file(void **state)
{
    (void)state;
    char err[256];
    struct zone *z = zonefile_load(NULL, NARU_TEST_DATA "/dns/relative.zone", NULL, 0, err, sizeof err);
    if (!z)
        fail_msg("%s", err);
    assert_non_null(rrset(z, "host.rel.test.", DNS_T_A));
    assert_non_null(rrset(z, "host.sub.rel.test.", DNS_T_A));
    assert_int_equal(rrset(z, "host.rel.test.", DNS_T_A)->ttl, 5400);
    zone_destroy(z);
}

static void duplicate_records_are_kept_once(void **state)
{
    (void)state;
    char err[256];
    struct zone *z = load("$ORIGIN t.\n$TTL 1\n" SOA "a A 192.0.2.1\na A 192.0.2.1\na A 192.0.2.2\n",
                          NULL, err, sizeof err);
    assert_non_null(z);
    assert_int_equal(rrset(z, "a.t.", DNS_T_A)->count, 2);
    zone_destroy(z);
}

static void errors_name_file_line_and_problem(void **state)
{
    (void)state;
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "www A 192.0.2.300\n", NULL,
                 "t.zone:4: bad IPv4 address '192.0.2.300'");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "www BOGUS x\n", NULL, "t.zone:4: unknown type 'BOGUS'");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "www CH A 192.0.2.1\n", NULL,
                 "t.zone:4: class CH is not served (only IN)");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "www A 192.0.2.1 extra\n", NULL, "t.zone:4: A: unexpected 'extra'");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "www MX 10\n", NULL, "t.zone:4: MX: missing fields");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "x.other. A 192.0.2.1\n", NULL, "t.zone:4: x.other. is outside the zone t.");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a CNAME b\na A 192.0.2.1\n", NULL,
                 "t.zone:5: A record beside a CNAME at the same name");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a A 192.0.2.1\na CNAME b\n", NULL,
                 "t.zone:5: CNAME beside other records at the same name");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a TXT \"unclosed\n", NULL,
                 "t.zone:4: quoted string not closed on its line");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a TXT ( \"x\"\n", NULL, "t.zone:4: '(' is never closed");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a TXT \"x\" )\n", NULL, "t.zone:4: ')' without '('");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a TXT \"\\999\"\n", NULL, "t.zone:4: bad escape: \\999 is over 255");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a A 192.0.2.1\nb SOA ns h 1 2 3 4 5\n", NULL,
                 "t.zone:5: SOA record not at the zone's apex");
    expect_error("$ORIGIN t.\n$TTL 1\nwww A 192.0.2.1\n", NULL,
                 "t.zone:3: the first record must be the zone's SOA (or give ORIGIN=FILE)");
    expect_error("$TTL 1\nwww A 192.0.2.1\n", NULL, "t.zone:2: relative name 'www' but no origin is known (add $ORIGIN)");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "$INCLUDE other.zone\n", NULL, "t.zone:4: $INCLUDE is not allowed here");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "$GENERATE 1-2 a$ A 1.2.3.$\n", NULL,
                 "t.zone:4: unknown directive '$GENERATE'");
    expect_error("$ORIGIN t.\n$TTL 1x\n", NULL, "t.zone:2: bad $TTL '1x'");
    expect_error("$ORIGIN t.\n$TTL 1\nwww A 192.0.2.1\n", "t.", "t.zone:4: no SOA record at the zone's apex");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a TYPE999 \\# 3 ABCD\n", NULL, "t.zone:4: \\# says 3 octets but 2 follow");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a MX 10 a..b\n", NULL, "t.zone:4: bad name 'a..b': empty label");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA
                 "a TXT \"0123456789012345678901234567890123456789012345678901234567890123456789"
                 "0123456789012345678901234567890123456789012345678901234567890123456789"
                 "0123456789012345678901234567890123456789012345678901234567890123456789"
                 "01234567890123456789012345678901234567890123456789\"\n",
                 NULL, "t.zone:4: string longer than 255 octets (split it into several)");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a OPT \\# 0\n", NULL, "t.zone:4: type OPT cannot appear in a zone");
    expect_error("$ORIGIN t.\n$TTL 1\n" SOA "a NS\n", NULL, "t.zone:4: NS: missing fields");
    expect_error("", "t.", "t.zone:1: no SOA record at the zone's apex");
}

static void error_in_an_included_file_names_that_file(void **state)
{
    (void)state;
    char err[512];
    struct zone *z = zonefile_load(NULL, NARU_TEST_DATA "/dns/bad-include.zone", NULL, 0, err, sizeof err);
    assert_null(z);
    assert_non_null(strstr(err, "dns/include/bad.zone:3: bad IPv4 address '1.2.3'"));
}

static void missing_include_file_is_an_error(void **state)
{
    (void)state;
    char err[512];
    struct zone *z = zonefile_load(NULL, NARU_TEST_DATA "/dns/missing-include.zone", NULL, 0, err, sizeof err);
    assert_null(z);
    assert_non_null(strstr(err, "missing-include.zone:3: cannot open '"));
    assert_non_null(strstr(err, "include/nothing-here.zone': No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syntax_of_rfc1035_is_understood),
        cmocka_unit_test(origin_may_be_given_instead_of_written),
        cmocka_unit_test(ttl_defaults_follow_rfc_2308_and_1035),
        cmocka_unit_test(include_is_relative_to_the_including_file),
        cmocka_unit_test(duplicate_records_are_kept_once),
        cmocka_unit_test(errors_name_file_line_and_problem),
        cmocka_unit_test(error_in_an_included_file_names_that_file),
        cmocka_unit_test(missing_include_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
