/* The family-neutral address (include/naru/addr.h): text both ways, as RFC
 * 4291 2.2 and RFC 5952 say and as glibc's inet_pton/inet_ntop do it;
 * prefixes, masks, scopes and solicited-node groups. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "naru/addr.h"

/* A fixed-seed xorshift generator: the same "random" cases on every run. */
static uint64_t rng_state = 0x6e6172752d763661ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static const char *canonical(const char *text)
{
    static char buf[NARU_ADDR_STRLEN];
    struct naru_addr a;
    if (naru_addr_parse(text, &a) != 0)
        return "(rejected)";
    return naru_addr_format(&a, buf);
}

static void rfc5952_examples_format_canonically(void **state)
{
    (void)state;
    /* RFC 5952 2.1: eight ways to write one address. */
    static const char *const same[] = {
        "2001:db8:0:0:1:0:0:1", "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "2001:db8::0:1:0:0:1",
        "2001:0db8::1:0:0:1",   "2001:db8:0:0:1::1",     "2001:db8:0000:0:1::1", "2001:DB8:0:0:1::1",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_string_equal(canonical(same[i]), "2001:db8::1:0:0:1"); /* 4.2.3: the first of equal runs */
    /* 4.1: no leading zeros. */
    assert_string_equal(canonical("2001:0db8::0001"), "2001:db8::1");
    /* 4.2.1: "::" as long as it can be. */
    assert_string_equal(canonical("2001:db8:0:0:0:0:2:1"), "2001:db8::2:1");
    /* 4.2.2: a single zero field is not "::". */
    assert_string_equal(canonical("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
    assert_string_equal(canonical("2001:db8::1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
    /* 4.2.3: the longest run wins over an earlier shorter one. */
    assert_string_equal(canonical("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
    /* 4.3: lowercase. */
    assert_string_equal(canonical("2001:DB8::ABCD:EF"), "2001:db8::abcd:ef");
    /* 5: IPv4-mapped in mixed notation, however it was written. */
    assert_string_equal(canonical("::ffff:c000:0201"), "::ffff:192.0.2.1");
    assert_string_equal(canonical("0:0:0:0:0:FFFF:192.0.2.1"), "::ffff:192.0.2.1");
    assert_string_equal(canonical("::"), "::");
    assert_string_equal(canonical("::1"), "::1");
    assert_string_equal(canonical("1::"), "1::");
    assert_string_equal(canonical("fe80::6e:61ff:fe72:750a"), "fe80::6e:61ff:fe72:750a");
    assert_string_equal(canonical("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_string_equal(canonical("198.18.0.1"), "198.18.0.1");
}

static void ipv4_text_reads_as_an_ipv4_address(void **state)
{
    (void)state;
    struct naru_addr a;
    assert_int_equal(naru_addr_parse("198.18.0.1", &a), 0);
    assert_int_equal(a.family, NARU_AF_INET);
    assert_int_equal(a.v4, naru_ip4(198, 18, 0, 1));
    /* A dotted quad inside IPv6 text stays IPv6. */
    assert_int_equal(naru_addr_parse("::ffff:198.18.0.1", &a), 0);
    assert_int_equal(a.family, NARU_AF_INET6);
    assert_true(naru_addr_is_v4_mapped(&a));
    static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1 };
    assert_memory_equal(a.v6, mapped, 16);
}

/* Random addresses, half their fields zero so runs of every length come
 * up, formatted and read back, and checked against glibc both ways. glibc
 * writes ::/96 ("IPv4-compatible", deprecated by RFC 4291 2.5.5.1) in
 * mixed notation, which RFC 5952 does not ask for: those are left out of
 * the inet_ntop comparison. */
static void random_addresses_round_trip_like_glibc(void **state)
{
    (void)state;
    for (int round = 0; round < 200000; round++) {
        uint8_t v6[16];
        for (int f = 0; f < 8; f++) {
            uint32_t r = rng();
            uint16_t v = (r & 1) ? 0 : (r & 2) ? (uint16_t)(r >> 16) : (uint16_t)(r >> 28);
            v6[2 * f] = (uint8_t)(v >> 8);
            v6[2 * f + 1] = (uint8_t)v;
        }
        if (round % 16 == 0) { /* some IPv4-mapped */
            memset(v6, 0, 10);
            v6[10] = v6[11] = 0xff;
        }
        struct naru_addr a = naru_addr_v6(v6), back;
        char text[NARU_ADDR_STRLEN], glibc[INET6_ADDRSTRLEN];
        naru_addr_format(&a, text);
        assert_int_equal(naru_addr_parse(text, &back), 0);
        assert_true(naru_addr_equal(&a, &back));
        uint8_t pton[16];
        assert_int_equal(inet_pton(AF_INET6, text, pton), 1);
        assert_memory_equal(pton, v6, 16);
        static const uint8_t zero[12];
        if (memcmp(v6, zero, 12) != 0) {
            assert_non_null(inet_ntop(AF_INET6, v6, glibc, sizeof glibc));
            assert_string_equal(text, glibc);
        }

        uint32_t v4 = rng();
        a = naru_addr_v4(v4);
        naru_addr_format(&a, text);
        assert_int_equal(naru_addr_parse(text, &back), 0);
        assert_true(naru_addr_equal(&a, &back));
        struct in_addr in;
        in.s_addr = htonl(v4);
        assert_string_equal(text, inet_ntop(AF_INET, &in, glibc, sizeof glibc));
    }
}

/* Random strings of address characters: naru accepts exactly what glibc's
 * inet_pton accepts (for one family or the other), with the same bytes. */
static void random_text_is_accepted_exactly_when_glibc_accepts_it(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789abcdefABCDEF:::::..0f";
    unsigned accepted = 0;
    for (int round = 0; round < 400000; round++) {
        char text[48];
        size_t len = 1 + rng() % 24;
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rng() % (sizeof alphabet - 1)];
        text[len] = '\0';
        if (round % 3 == 0) { /* start like an address, so more are valid */
            static const char *const starts[] = { "::", "::ffff:", "2001:db8::", "1:2:3:4:5:6:", "fe80::" };
            const char *s = starts[rng() % 5];
            size_t sl = strlen(s);
            memmove(text + sl, text, len + 1 > sizeof text - sl ? sizeof text - sl - 1 : len + 1);
            memcpy(text, s, sl);
            text[sizeof text - 1] = '\0';
        }
        uint8_t g6[16], g4[4];
        int ok6 = inet_pton(AF_INET6, text, g6), ok4 = inet_pton(AF_INET, text, g4);
        struct naru_addr a;
        int r = naru_addr_parse(text, &a);
        if (ok6 != 1 && ok4 != 1) {
            if (r != -EINVAL)
                fail_msg("naru accepts \"%s\", glibc does not", text);
            continue;
        }
        if (r != 0)
            fail_msg("glibc accepts \"%s\", naru does not", text);
        accepted++;
        if (ok6 == 1) {
            assert_int_equal(a.family, NARU_AF_INET6);
            assert_memory_equal(a.v6, g6, 16);
        } else {
            assert_int_equal(a.family, NARU_AF_INET);
            assert_int_equal(a.v4, (uint32_t)g4[0] << 24 | (uint32_t)g4[1] << 16 | (uint32_t)g4[2] << 8 | g4[3]);
        }
    }
    /* The test means something only if both outcomes came up often. */
    assert_true(accepted > 10000);
}

static void malformed_text_is_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", ":", ":::", "1::2::3", "::1::", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", ":1::", "1::2:", "1:", ":1", "1.2.3", "1.2.3.4.5",
        "::1.2.3.256", "::1.2.3", "::01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3.4::", "::1.2.3.4:1",
        "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "fe80::1%eth0", "fe80::1%1", " ::1", "::1 ",
        "::g", "::-1", "+1.2.3.4", "[::1]", "::ffff:a.2.3.4", "0x1.2.3.4", "1..2.3", "1.2.3.4/24",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct naru_addr a;
        if (naru_addr_parse(bad[i], &a) != -EINVAL)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
    struct naru_addr a;
    assert_int_equal(naru_addr_parse(NULL, &a), -EINVAL);
}

static void prefixes_parse_mask_and_match(void **state)
{
    (void)state;
    struct naru_addr p, a;
    uint8_t len;
    char text[NARU_ADDR_STRLEN];
    assert_int_equal(naru_prefix_parse("2001:db8::/32", &p, &len), 0);
    assert_int_equal(p.family, NARU_AF_INET6);
    assert_int_equal(len, 32);
    assert_int_equal(naru_prefix_parse("198.18.0.0/15", &p, &len), 0);
    assert_int_equal(p.family, NARU_AF_INET);
    assert_int_equal(p.v4, naru_ip4(198, 18, 0, 0));
    assert_int_equal(len, 15);
    /* An interface address with its prefix: host bits are kept. */
    assert_int_equal(naru_prefix_parse("2001:db8:1::a/64", &p, &len), 0);
    assert_string_equal(naru_addr_format(&p, text), "2001:db8:1::a");
    struct naru_addr net = naru_addr_mask(&p, len);
    assert_string_equal(naru_addr_format(&net, text), "2001:db8:1::");
    net = naru_addr_mask(&p, 0);
    assert_string_equal(naru_addr_format(&net, text), "::");
    net = naru_addr_mask(&p, 128);
    assert_true(naru_addr_equal(&net, &p));
    assert_int_equal(naru_addr_parse("2001:db8:ffff::", &a), 0);
    net = naru_addr_mask(&a, 33); /* one bit into the third field */
    assert_string_equal(naru_addr_format(&net, text), "2001:db8:8000::");
    net = naru_addr_mask(&(struct naru_addr){ 0 }, 3);
    assert_int_equal(net.family, NARU_AF_UNSPEC);

    static const char *const bad[] = {
        "2001:db8::/129", "198.18.0.0/33", "2001:db8::", "2001:db8::/", "/64", "2001:db8::/64x",
        "2001:db8::/-1", "2001:db8::/064", "2001:db8::/1234", "fe80::1%eth0/64", "2001:db8::/6/4",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (naru_prefix_parse(bad[i], &p, &len) != -EINVAL)
            fail_msg("prefix \"%s\" was accepted", bad[i]);
    assert_int_equal(naru_prefix_parse("::/0", &p, &len), 0);
    assert_int_equal(len, 0);

    assert_int_equal(naru_prefix_parse("2001:db8:1::/48", &p, &len), 0);
    naru_addr_parse("2001:db8:1:ffff::1", &a);
    assert_true(naru_addr_in_prefix(&a, &p, len));
    naru_addr_parse("2001:db8:2::1", &a);
    assert_false(naru_addr_in_prefix(&a, &p, len));
    assert_true(naru_addr_in_prefix(&a, &p, 0));
    naru_addr_parse("198.18.1.1", &a);
    assert_false(naru_addr_in_prefix(&a, &p, 0)); /* another family is never inside */
    naru_prefix_parse("198.18.0.0/15", &p, &len);
    assert_true(naru_addr_in_prefix(&a, &p, len));
    naru_addr_parse("198.20.0.1", &a);
    assert_false(naru_addr_in_prefix(&a, &p, len));
}

static bool is(bool (*pred)(const struct naru_addr *), const char *text)
{
    struct naru_addr a;
    assert_int_equal(naru_addr_parse(text, &a), 0);
    return pred(&a);
}

static void scopes_follow_rfc4291(void **state)
{
    (void)state;
    assert_true(is(naru_addr_is_link_local, "fe80::1"));
    assert_true(is(naru_addr_is_link_local, "febf:ffff::1"));
    assert_false(is(naru_addr_is_link_local, "fec0::1"));
    assert_false(is(naru_addr_is_link_local, "ff02::1"));
    assert_true(is(naru_addr_is_link_local, "169.254.3.4"));
    assert_false(is(naru_addr_is_link_local, "198.18.0.1"));
    assert_true(is(naru_addr_is_multicast, "ff02::1:ff00:1"));
    assert_true(is(naru_addr_is_multicast, "224.0.0.1"));
    assert_true(is(naru_addr_is_multicast, "239.255.255.255"));
    assert_false(is(naru_addr_is_multicast, "240.0.0.1"));
    assert_false(is(naru_addr_is_multicast, "fe80::1"));
    assert_true(is(naru_addr_is_loopback, "::1"));
    assert_true(is(naru_addr_is_loopback, "127.0.0.53"));
    assert_false(is(naru_addr_is_loopback, "::"));
    assert_false(is(naru_addr_is_loopback, "::ffff:127.0.0.1"));
    assert_true(is(naru_addr_is_unspecified, "::"));
    assert_true(is(naru_addr_is_unspecified, "0.0.0.0"));
    assert_false(is(naru_addr_is_unspecified, "::1"));
    struct naru_addr none = { 0 };
    assert_true(naru_addr_is_unspecified(&none));
    assert_false(naru_addr_is_multicast(&none));
    assert_false(is(naru_addr_is_v4_mapped, "::ffff:0:1:2"));
}

static void solicited_node_group_takes_the_low_24_bits(void **state)
{
    (void)state;
    char text[NARU_ADDR_STRLEN];
    struct naru_addr a, s;
    naru_addr_parse("2001:db8::1:2345:6789", &a);
    s = naru_addr_solicited_node(&a);
    assert_string_equal(naru_addr_format(&s, text), "ff02::1:ff45:6789"); /* RFC 4291 2.7.1 */
    naru_addr_parse("fe80::6e:61ff:fe72:750a", &a);
    s = naru_addr_solicited_node(&a);
    assert_string_equal(naru_addr_format(&s, text), "ff02::1:ff72:750a");
    a = naru_addr_v4(naru_ip4(198, 18, 0, 1));
    s = naru_addr_solicited_node(&a);
    assert_int_equal(s.family, NARU_AF_UNSPEC);
    assert_string_equal(naru_addr_format(&s, text), "unspecified");
}

static void equal_compares_family_and_address_only(void **state)
{
    (void)state;
    struct naru_addr a = naru_addr_v4(naru_ip4(198, 18, 0, 1)), b = a;
    b.v6[8] = 0x55; /* bytes past an IPv4 address are not part of it */
    assert_true(naru_addr_equal(&a, &b));
    struct naru_addr m;
    naru_addr_parse("::ffff:198.18.0.1", &m);
    assert_false(naru_addr_equal(&a, &m)); /* a mapped address is another family */
    struct naru_addr x, y;
    naru_addr_parse("2001:db8::1", &x);
    naru_addr_parse("2001:db8::2", &y);
    assert_false(naru_addr_equal(&x, &y));
    y.v6[15] = 1;
    assert_true(naru_addr_equal(&x, &y));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5952_examples_format_canonically),
        cmocka_unit_test(ipv4_text_reads_as_an_ipv4_address),
        cmocka_unit_test(random_addresses_round_trip_like_glibc),
        cmocka_unit_test(random_text_is_accepted_exactly_when_glibc_accepts_it),
        cmocka_unit_test(malformed_text_is_rejected),
        cmocka_unit_test(prefixes_parse_mask_and_match),
        cmocka_unit_test(scopes_follow_rfc4291),
        cmocka_unit_test(solicited_node_group_takes_the_low_24_bits),
        cmocka_unit_test(equal_compares_family_and_address_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
