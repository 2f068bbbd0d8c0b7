/* naru_frame_describe() and naru_ip_describe() on IPv6: Linux's frames in
 * plain words (NDP like ARP, MLD, ICMPv6 errors about what they quote,
 * UDP and TCP with [address]:port), and damaged ones named as such. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "../data/linux_frames_ipv6.h"
#include "naru/describe.h"
#include "wire/checksum.h"
#include "wire/icmpv6.h"

static const char *describe(const uint8_t *frame, size_t len)
{
    static char text[512];
    int n = naru_frame_describe(frame, len, text, sizeof text);
    assert_int_equal(n, (int)strlen(text));
    return text;
}
#define D(x) describe(x, sizeof x)

#define A "2001:db8:1:0:6e:61ff:fe72:750a"
#define B "2001:db8:1::1"
#define LL_A "fe80::6e:61ff:fe72:750a"
#define LL_B "fe80::6e:61ff:fe72:750b"

static void neighbour_discovery_reads_like_arp(void **state)
{
    (void)state;
    assert_string_equal(D(linux6_ns), A " > ff02::1:ff00:1 hop limit 255: NDP who-has " B "? tell " A);
    assert_string_equal(D(linux6_na), B " > " A " hop limit 255: NDP neighbour advertisement: " B
                                        " is at 02:6e:61:72:75:0b [router,solicited,override]");
    assert_string_equal(D(linux6_dad_ns),
                        ":: > ff02::1:ff00:a hop limit 255: NDP duplicate address detection: is 2001:db8:1::a in use?");
    assert_string_equal(D(linux6_nud_ns), LL_B " > " LL_A " hop limit 255: NDP who-has " LL_A "? tell " LL_B
                                           " (unicast probe)");
    assert_string_equal(D(linux6_nud_na), LL_A " > " LL_B " hop limit 255: NDP neighbour advertisement: " LL_A
                                           " [solicited]");
    assert_string_equal(D(linux6_rs), LL_A " > ff02::2 hop limit 255: NDP router solicitation from 02:6e:61:72:75:0a");
    assert_string_equal(D(linux6_ra), LL_B " > " LL_A " hop limit 255: NDP router advertisement: lifetime 30 s, "
                                      "prefix 2001:db8:1::/64 on-link autonomous, MTU 1500, DNS 2001:db8:1::53");
}

static void mld_reports_name_the_groups_joined(void **state)
{
    (void)state;
    assert_string_equal(D(linux6_mld_report), LL_A " > ff02::16 hop limit 1 [hop-by-hop (router alert)]: "
                                              "MLDv2 report: join ff02::1:ff72:750a, join ff02::1:ff00:a");
    assert_string_equal(D(linux6_mld_report_unspecified),
                        ":: > ff02::16 hop limit 1 [hop-by-hop (router alert)]: MLDv2 report: join ff02::1:ff72:750b, "
                        "join ff02::1:ff00:0, join ff02::1:ff00:1, join ff02::2");
}

static void echo_fragments_and_errors_say_what_they_are_about(void **state)
{
    (void)state;
    assert_string_equal(D(linux6_echo_request),
                        A " > " B " hop limit 64: ICMPv6 echo request id 29833 seq 1, 56 data bytes");
    assert_string_equal(D(linux6_big_echo_frag1),
                        A " > " B " hop limit 64: ICMPv6 fragment id 2096121158, bytes 1448-2895 (more follow)");
    assert_string_equal(D(linux6_big_echo_frag2),
                        A " > " B " hop limit 64: ICMPv6 fragment id 2096121158, bytes 2896-4007 (the last)");
    assert_string_equal(D(linux6_time_exceeded), B " > " A " hop limit 64: ICMPv6 time exceeded (hop limit exceeded "
                                                 "in transit) about echo request " A " > 2001:db8:2::c seq 1");
    assert_string_equal(D(linux6_packet_too_big), B " > " A " hop limit 64: ICMPv6 packet too big (MTU 1280) about "
                                                  "echo request " A " > 2001:db8:2::c seq 1");
    assert_string_equal(D(linux6_port_unreachable),
                        B " > " A " hop limit 64: ICMPv6 destination unreachable (port unreachable) about UDP [" A
                          "]:51331 > [" B "]:9");
    assert_string_equal(D(linux6_udp_unknown_option), A " > " B " hop limit 64 [destination options]: dropped: "
                                                      "unknown option 0x9e (parameter problem, pointer 42)");
}

static void udp_and_tcp_show_bracketed_endpoints(void **state)
{
    (void)state;
    assert_string_equal(D(linux6_udp_hello), "[" A "]:55992 > [" B "]:7777 hop limit 64: UDP, 16 bytes");
    assert_string_equal(D(linux6_tcp_syn_ack), "[" B "]:8080 > [" A "]:47026 hop limit 64: TCP [SYN,ACK] seq "
                                               "1781137959 ack 2565407121 win 64260 <mss 1440,wscale 10,sack-ok,ts>");
    /* The same from the IP header on. */
    char text[256];
    naru_ip_describe(linux6_udp_hello + 14, sizeof linux6_udp_hello - 14, text, sizeof text);
    assert_string_equal(text, "[" A "]:55992 > [" B "]:7777 hop limit 64: UDP, 16 bytes");
}

static void damaged_ipv6_frames_are_named_not_refused(void **state)
{
    (void)state;
    uint8_t f[sizeof linux6_udp_hello];
    memcpy(f, linux6_udp_hello, sizeof f);
    f[sizeof f - 1] ^= 1;
    assert_string_equal(describe(f, sizeof f),
                        "[" A "]:55992 > [" B "]:7777 hop limit 64: UDP, bad checksum (corrupted)");
    /* A zero UDP checksum is "none" over IPv4, invalid over IPv6 (RFC 8200 8.1). */
    f[sizeof f - 1] ^= 1;
    wire_put16(f + 54 + 6, 0);
    assert_string_equal(describe(f, sizeof f),
                        "[" A "]:55992 > [" B "]:7777 hop limit 64: UDP, no checksum (not allowed over IPv6)");
    /* The payload length past the frame; version 4 behind the IPv6 type. */
    memcpy(f, linux6_udp_hello, sizeof f);
    wire_put16(f + 18, 100);
    assert_string_equal(describe(f, sizeof f), "IPv6, malformed (bad length)");
    f[14] = 0x45;
    assert_string_equal(describe(f, sizeof f), "IPv6, malformed (bad version)");
    /* Extension headers running past the packet. */
    memcpy(f, linux6_udp_hello, sizeof f);
    f[20] = IP_PROTO_DSTOPTS;
    f[55] = 40;
    assert_string_equal(describe(f, sizeof f), A " > " B " hop limit 64: IPv6 extension headers malformed (truncated)");
    /* ICMPv6 with a bad checksum; NDP off the link. */
    uint8_t e[sizeof linux6_echo_request];
    memcpy(e, linux6_echo_request, sizeof e);
    e[60] ^= 0xff;
    assert_string_equal(describe(e, sizeof e), A " > " B " hop limit 64: ICMPv6, bad checksum (corrupted)");
    uint8_t n[sizeof linux6_ns];
    memcpy(n, linux6_ns, sizeof n);
    n[21] = 64;
    assert_non_null(strstr(describe(n, sizeof n), "(hop limit 64, not 255: not from this link)"));
    /* NDP with an option of length 0 (RFC 4861 4.6), checksum made right. */
    n[54 + 24 + 1] = 0;
    icmpv6_set_checksum(n + 22, n + 38, n + 54, sizeof n - 54);
    assert_string_equal(describe(n, sizeof n), A " > ff02::1:ff00:1 hop limit 64: NDP, malformed (bad option)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(neighbour_discovery_reads_like_arp),
        cmocka_unit_test(mld_reports_name_the_groups_joined),
        cmocka_unit_test(echo_fragments_and_errors_say_what_they_are_about),
        cmocka_unit_test(udp_and_tcp_show_bracketed_endpoints),
        cmocka_unit_test(damaged_ipv6_frames_are_named_not_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
