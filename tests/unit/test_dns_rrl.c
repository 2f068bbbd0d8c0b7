/* Response rate limiting over UDP, like NSD's and Knot's RRL: per client
 * prefix (/24, /56) and kind of response, responses a second, and every
 * slip-th response over the limit sent truncated so real clients retry
 * over TCP. Time is an argument, so the seconds here are exact. */
#include "testnet.h"

#include <stdio.h>
#include <string.h>

#include "naru/dns.h"
#include "wire/dns.h"

#define ZONE NARU_TEST_DATA "/dns/example.zone"
#define T0 (1000 * NARU_SEC)

static struct naru_dns_server *server_with(unsigned rate, unsigned slip)
{
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    c.rrl_rate = rate;
    c.rrl_slip = slip;
    c.seed = 42;
    struct naru_dns_server *s;
    assert_int_equal(naru_dns_server_create(&c, &s), 0);
    char err[256];
    if (naru_dns_server_load_zone(s, NULL, ZONE, err, sizeof err) < 0)
        fail_msg("%s", err);
    return s;
}

enum outcome { SENT, SLIPPED, DROPPED };

/* Ask `name` A from `client` at `now` over `tr`, with EDNS and DO. */
static enum outcome ask(struct naru_dns_server *s, struct naru_addr client, naru_time_t now,
                        const char *name, enum naru_dns_transport tr)
{
    uint8_t q[512], r[4096];
    long ql = naru_dns_query_build(q, sizeof q, 0x1234, name, DNS_T_A, false, 1232);
    assert_true(ql > 11);
    q[ql - 4] |= 0x80;       /* DO */
    size_t len = naru_dns_server_answer_from(s, &client, now, q, (size_t)ql, tr, r, sizeof r);
    if (!len)
        return DROPPED;
    struct dns_message m;
    assert_int_equal(dns_parse(r, len, &m), 0);
    assert_int_equal(naru_dns_reply_matches(q, (size_t)ql, r, len), 0);
    assert_true(m.edns.present && m.edns.dnssec_ok);
    if (!(m.header.flags & DNS_TC))
        return SENT;
    /* A slip: the question and OPT, nothing else, so the client asks again over TCP. */
    assert_int_equal(m.header.ancount + m.header.nscount, 0);
    assert_int_equal(m.header.arcount, 1);
    return SLIPPED;
}

static struct naru_addr v4(const char *text)
{
    return naru_addr_v4(ip(text));
}

static struct naru_addr v6(uint8_t b7, uint8_t b15)
{
    uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, b7, 0, 0, 0, 0, 0, 0, 0, b15 };
    return naru_addr_v6(a);
}

static void rate_limiting_is_off_by_default(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(0, 2);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(naru_dns_server_stats(s)->rrl_dropped + naru_dns_server_stats(s)->rrl_slipped, 0);
    naru_dns_server_destroy(s);
}

static void over_the_rate_every_second_response_slips_and_the_rest_are_dropped(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(5, 2);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    for (int i = 0; i < 10; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP),
                         i % 2 ? SLIPPED : DROPPED);
    assert_int_equal(naru_dns_server_stats(s)->rrl_dropped, 5);
    assert_int_equal(naru_dns_server_stats(s)->rrl_slipped, 5);
    naru_dns_server_destroy(s);
}

static void slip_1_truncates_every_limited_response_and_slip_0_none(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(1, 1);
    assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SLIPPED);
    naru_dns_server_destroy(s);
    s = server_with(1, 0);
    assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), DROPPED);
    naru_dns_server_destroy(s);
}

static void the_allowance_comes_back_with_time(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(10, 0);
    unsigned sent = 0;
    /* 100 queries a second for 3 seconds: 10 a second get through, after a
     * first burst of 10. */
    for (int i = 0; i < 300; i++)
        sent += ask(s, v4("192.0.2.1"), T0 + (naru_time_t)i * 10 * NARU_MS, "www.example",
                    NARU_DNS_UDP) == SENT;
    assert_in_range(sent, 38, 41);
    /* A quiet second fills the bucket again: a burst of 10, no more. */
    naru_time_t later = T0 + 10 * NARU_SEC;
    for (int i = 0; i < 10; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), later, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, v4("192.0.2.1"), later, "www.example", NARU_DNS_UDP), DROPPED);
    naru_dns_server_destroy(s);
}

static void one_ipv4_24_is_one_client_and_the_next_is_another(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(2, 0);
    assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, v4("192.0.2.200"), T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, v4("192.0.2.99"), T0, "www.example", NARU_DNS_UDP), DROPPED);
    assert_int_equal(ask(s, v4("192.0.3.1"), T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, v4("198.51.100.7"), T0, "www.example", NARU_DNS_UDP), SENT);
    naru_dns_server_destroy(s);
}

static void one_ipv6_56_is_one_client(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(1, 0);
    /* byte 7 is inside the /56's last octet; byte 15 is the host */
    assert_int_equal(ask(s, v6(0x00, 1), T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, v6(0x00, 2), T0, "www.example", NARU_DNS_UDP), DROPPED);
    assert_int_equal(ask(s, v6(0x01, 1), T0, "www.example", NARU_DNS_UDP), DROPPED);  /* same /56 */
    uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 1, 0 };  /* another /56 */
    assert_int_equal(ask(s, naru_addr_v6(other), T0, "www.example", NARU_DNS_UDP), SENT);
    naru_dns_server_destroy(s);
}

static void answers_are_counted_per_name_and_nxdomains_per_zone(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(1, 0);
    struct naru_addr c = v4("192.0.2.1");
    assert_int_equal(ask(s, c, T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, c, T0, "WWW.example", NARU_DNS_UDP), DROPPED);   /* case: the same */
    assert_int_equal(ask(s, c, T0, "mail.example", NARU_DNS_UDP), SENT);     /* another answer */
    /* Random names under one zone are one flood. */
    assert_int_equal(ask(s, c, T0, "a1.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, c, T0, "b2.example", NARU_DNS_UDP), DROPPED);
    assert_int_equal(ask(s, c, T0, "c3.example", NARU_DNS_UDP), DROPPED);
    /* Errors are one kind of their own. */
    assert_int_equal(ask(s, c, T0, "x.example.org", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, c, T0, "y.example.com", NARU_DNS_UDP), DROPPED);
    naru_dns_server_destroy(s);
}

static void tcp_and_unknown_clients_are_never_limited(void **state)
{
    (void)state;
    struct naru_dns_server *s = server_with(1, 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(ask(s, v4("192.0.2.1"), T0, "www.example", NARU_DNS_TCP), SENT);
    uint8_t q[512], r[4096];
    long ql = naru_dns_query_build(q, sizeof q, 1, "www.example", DNS_T_A, false, 1232);
    for (int i = 0; i < 20; i++)
        assert_true(naru_dns_server_answer(s, q, (size_t)ql, NARU_DNS_UDP, r, sizeof r) > 0);
    naru_dns_server_destroy(s);
}

static void a_full_table_forgets_the_drained_buckets_first(void **state)
{
    (void)state;
    struct naru_dns_server_config c;
    naru_dns_server_config_default(&c);
    c.rrl_rate = 1;
    c.rrl_slip = 0;
    c.rrl_buckets = 64;
    struct naru_dns_server *s;
    assert_int_equal(naru_dns_server_create(&c, &s), 0);
    char err[256];
    assert_int_equal(naru_dns_server_load_zone(s, NULL, ZONE, err, sizeof err), 0);
    /* One client over its limit... */
    struct naru_addr hot = v4("192.0.2.1");
    assert_int_equal(ask(s, hot, T0, "www.example", NARU_DNS_UDP), SENT);
    assert_int_equal(ask(s, hot, T0, "www.example", NARU_DNS_UDP), DROPPED);
    /* ...then a thousand others, a second later, once each: each fills a
     * bucket that drains at once, so they push each other out, not it. */
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "10.%d.%d.1", i / 256, i % 256);
        assert_int_equal(ask(s, v4(name), T0 + NARU_SEC / 2, "www.example", NARU_DNS_UDP), SENT);
    }
    assert_int_equal(ask(s, hot, T0 + NARU_SEC / 2, "www.example", NARU_DNS_UDP), DROPPED);
    naru_dns_server_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_limiting_is_off_by_default),
        cmocka_unit_test(over_the_rate_every_second_response_slips_and_the_rest_are_dropped),
        cmocka_unit_test(slip_1_truncates_every_limited_response_and_slip_0_none),
        cmocka_unit_test(the_allowance_comes_back_with_time),
        cmocka_unit_test(one_ipv4_24_is_one_client_and_the_next_is_another),
        cmocka_unit_test(one_ipv6_56_is_one_client),
        cmocka_unit_test(answers_are_counted_per_name_and_nxdomains_per_zone),
        cmocka_unit_test(tcp_and_unknown_clients_are_never_limited),
        cmocka_unit_test(a_full_table_forgets_the_drained_buckets_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
