/* What naru dig's flags put in a query (naru_dns_query_build_flags): the
 * class, RD, the OPT with DO (RFC 3225 3) and a client COOKIE (RFC 7873
 * 4.1); the class's text both ways (RFC 3597 5); and the printer showing
 * a reply's COOKIE. Each query is read back through src/wire's parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "naru/dns.h"
#include "wire/dns.h"

static struct dns_question question_of(const uint8_t *q, size_t len, struct dns_message *m)
{
    assert_int_equal(dns_parse(q, len, m), 0);
    struct dns_question qu;
    size_t off = m->section_start[DNS_SEC_QUESTION];
    assert_int_equal(dns_read_question(m, &off, &qu), 0);
    return qu;
}

static void class_rd_do_and_cookie_go_into_the_query(void **state)
{
    (void)state;
    static const uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    struct naru_dns_query_flags f = { .qclass = DNS_C_CH, .recursion_desired = false, .edns_udp_size = 1232,
                                      .dnssec_ok = true, .client_cookie = cookie };
    uint8_t q[512];
    long len = naru_dns_query_build_flags(q, sizeof q, 7, "version.bind", DNS_T_TXT, &f);
    assert_true(len > 0);
    struct dns_message m;
    struct dns_question qu = question_of(q, (size_t)len, &m);
    assert_int_equal(qu.class_, DNS_C_CH);
    assert_int_equal(qu.type, DNS_T_TXT);
    assert_false(m.header.flags & DNS_RD);
    assert_true(m.edns.present);
    assert_true(m.edns.dnssec_ok);
    assert_int_equal(m.edns.udp_size, 1232);
    static const uint8_t option[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(m.edns.options_len, sizeof option);
    assert_memory_equal(m.edns.options, option, sizeof option);
}

static void defaults_are_in_rd_and_no_opt(void **state)
{
    (void)state;
    struct naru_dns_query_flags f = { .recursion_desired = true };
    uint8_t q[512];
    long len = naru_dns_query_build_flags(q, sizeof q, 7, "www.example", DNS_T_A, &f);
    struct dns_message m;
    struct dns_question qu = question_of(q, (size_t)len, &m);
    assert_int_equal(qu.class_, DNS_C_IN);
    assert_true(m.header.flags & DNS_RD);
    assert_false(m.edns.present);
    /* The older call builds the same bytes. */
    uint8_t old[512];
    assert_int_equal(naru_dns_query_build(old, sizeof old, 7, "www.example", DNS_T_A, true, 0), len);
    assert_memory_equal(old, q, (size_t)len);
}

static void class_text_both_ways(void **state)
{
    (void)state;
    assert_int_equal(naru_dns_class_from_text("IN"), DNS_C_IN);
    assert_int_equal(naru_dns_class_from_text("ch"), DNS_C_CH);
    assert_int_equal(naru_dns_class_from_text("HS"), DNS_C_HS);
    assert_int_equal(naru_dns_class_from_text("NONE"), DNS_C_NONE);
    assert_int_equal(naru_dns_class_from_text("ANY"), DNS_C_ANY);
    assert_int_equal(naru_dns_class_from_text("CLASS42"), 42);
    assert_int_equal(naru_dns_class_from_text("CLASS65535"), 65535);
    assert_true(naru_dns_class_from_text("CLASS65536") < 0);
    assert_true(naru_dns_class_from_text("CLASS") < 0);
    assert_true(naru_dns_class_from_text("CLASS4x") < 0);
    assert_true(naru_dns_class_from_text("A") < 0);
    char buf[16];
    assert_string_equal(naru_dns_class_name(DNS_C_CH, buf), "CH");
    assert_string_equal(naru_dns_class_name(42, buf), "CLASS42");
}

struct lines {
    char text[4096];
};

static void collect(void *ctx, const char *line)
{
    struct lines *l = ctx;
    strncat(l->text, line, sizeof l->text - strlen(l->text) - 2);
    strcat(l->text, "\n");
}

static void printer_shows_the_cookie(void **state)
{
    (void)state;
    static const uint8_t cookie[8] = { 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 };
    struct naru_dns_query_flags f = { .edns_udp_size = 1232, .client_cookie = cookie };
    uint8_t q[512];
    long len = naru_dns_query_build_flags(q, sizeof q, 7, "www.example", DNS_T_A, &f);
    struct lines l = { "" };
    assert_int_equal(naru_dns_print_message(q, (size_t)len, collect, &l), 0);
    assert_non_null(strstr(l.text, "\n; COOKIE: deadbeef00010203\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(class_rd_do_and_cookie_go_into_the_query),
        cmocka_unit_test(defaults_are_in_rd_and_no_opt),
        cmocka_unit_test(class_text_both_ways),
        cmocka_unit_test(printer_shows_the_cookie),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
