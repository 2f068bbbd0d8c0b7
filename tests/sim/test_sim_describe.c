/* naru_frame_describe() on the frames a small simulated network really
 * carries: ARP, ICMP through a router, UDP, DNS, TCP's handshake, IP
 * fragments; and on damaged frames, which it names as such. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/describe.h"
#include "naru/dns.h"
#include "naru/simapp.h"

#define MAX_LINES 512

struct seen {
    char lines[MAX_LINES][256];
    unsigned count;
};

static void note(void *ctx, struct naru_sim_link *link, int from, enum naru_sim_link_event ev, naru_time_t now,
                 const uint8_t *frame, size_t len)
{
    (void)link;
    (void)from;
    (void)now;
    struct seen *s = ctx;
    if (ev != NARU_SIM_FRAME_SENT || s->count == MAX_LINES)
        return;
    naru_frame_describe(frame, len, s->lines[s->count++], sizeof s->lines[0]);
}

static bool has(const struct seen *s, const char *words)
{
    for (unsigned i = 0; i < s->count; i++)
        if (strstr(s->lines[i], words))
            return true;
    return false;
}

static void expect(const struct seen *s, const char *words)
{
    if (has(s, words))
        return;
    for (unsigned i = 0; i < s->count; i++)
        print_message("  %s\n", s->lines[i]);
    fail_msg("no frame described with \"%s\"", words);
}

/* a - router - b */
static struct naru_sim *world(struct seen *seen, struct naru_stack **a, struct naru_stack **b, uint32_t mtu)
{
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(5, &sim), 0);
    naru_sim_set_observer(sim, note, seen);
    *a = naru_sim_add_stack(sim, "a", NULL);
    struct naru_stack *r = naru_sim_add_router(sim, "r", NULL);
    *b = naru_sim_add_stack(sim, "b", NULL);
    struct naru_sim_link_config c = { .delay = NARU_MS, .mtu = mtu };
    struct naru_sim_link *l;
    int aif, bif;
    assert_int_equal(naru_sim_add_link(sim, "ar", &c, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, *a, "10.1.0.2/24", &aif), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, r, "10.1.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_add_link(sim, "rb", &c, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, r, "10.2.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, *b, "10.2.0.2/24", &bif), 0);
    assert_int_equal(naru_route_add(*a, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.1.0.1") }, aif), 0);
    assert_int_equal(naru_route_add(*b, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = ip("10.2.0.1") }, bif), 0);
    return sim;
}

static void arp_icmp_and_ttl_in_plain_words(void **state)
{
    (void)state;
    struct seen *s = calloc(1, sizeof *s);
    struct naru_stack *a, *b;
    struct naru_sim *sim = world(s, &a, &b, 0);
    struct naru_sim_apps *apps;
    assert_int_equal(naru_sim_apps_create(sim, &apps), 0);
    struct naru_sim_app_config ping = { .kind = NARU_SIM_PING, .from = a, .to = b, .count = 1 };
    assert_int_equal(naru_sim_app_add(apps, &ping, NULL), 0);
    struct naru_sim_app_config trace = { .kind = NARU_SIM_TRACEROUTE, .from = a, .to = b, .queries = 1,
                                         .start = 2 * NARU_SEC };
    assert_int_equal(naru_sim_app_add(apps, &trace, NULL), 0);
    assert_true(naru_sim_run(sim, 60 * NARU_SEC, naru_sim_apps_finished, apps));
    expect(s, "ARP announcement: 10.1.0.2 is at 02:00:00:00:00:01");
    expect(s, "ARP who-has 10.1.0.1? tell 10.1.0.2");
    expect(s, "ARP reply: 10.1.0.1 is at 02:00:00:00:00:02");
    expect(s, "10.1.0.2 > 10.2.0.2 TTL 64: ICMP echo request id ");
    expect(s, "10.1.0.2 > 10.2.0.2 TTL 63: ICMP echo request id ");
    expect(s, " seq 1, 56 data bytes");
    expect(s, "10.2.0.2 > 10.1.0.2 TTL 64: ICMP echo reply");
    expect(s, "TTL 1: UDP, 32 bytes");
    expect(s, "10.1.0.1 > 10.1.0.2 TTL 64: ICMP time exceeded (TTL expired in transit) about UDP 10.1.0.2:");
    expect(s, "ICMP destination unreachable (port unreachable) about UDP 10.1.0.2:");
    naru_sim_apps_destroy(apps);
    naru_sim_destroy(sim);
    free(s);
}

static void dns_tcp_and_fragments_in_plain_words(void **state)
{
    (void)state;
    struct seen *s = calloc(1, sizeof *s);
    struct naru_stack *a, *b;
    struct naru_sim *sim = world(s, &a, &b, 576);
    struct naru_sim_apps *apps;
    assert_int_equal(naru_sim_apps_create(sim, &apps), 0);
    struct naru_sim_app_config ns = { .kind = NARU_SIM_DNS_SERVER, .from = b, .origin = "test" };
    assert_int_equal(naru_sim_app_add(apps, &ns, NULL), 0);
    struct naru_sim_app_config q = { .kind = NARU_SIM_DNS_LOOKUP, .from = a, .to = b, .query = "a.test" };
    assert_int_equal(naru_sim_app_add(apps, &q, NULL), 0);
    struct naru_sim_app_config nx = { .kind = NARU_SIM_DNS_LOOKUP, .from = a, .to = b, .query = "nobody.test",
                                      .start = NARU_SEC };
    assert_int_equal(naru_sim_app_add(apps, &nx, NULL), 0);
    struct naru_sim_app_config big = { .kind = NARU_SIM_PING, .from = a, .to = b, .count = 1, .size = 1200,
                                       .start = 2 * NARU_SEC };
    assert_int_equal(naru_sim_app_add(apps, &big, NULL), 0);
    struct naru_sim_app_config web = { .kind = NARU_SIM_HTTP_GET, .from = a, .to = b, .start = 3 * NARU_SEC };
    assert_int_equal(naru_sim_app_add(apps, &web, NULL), 0);
    naru_sim_run(sim, 60 * NARU_SEC, naru_sim_apps_finished, apps);
    expect(s, "> 10.2.0.2:53 TTL 64: DNS query A a.test");
    expect(s, "10.2.0.2:53 > 10.1.0.2:");
    expect(s, "DNS answer: a.test A 10.1.0.2");
    expect(s, "DNS answer NXDOMAIN for A nobody.test");
    expect(s, "ICMP fragment id ");
    expect(s, "(more follow)");
    expect(s, "(the last)");
    struct naru_sim_app *w = naru_sim_app_at(apps, 4);
    struct naru_sim_app_result r;
    naru_sim_app_get_result(w, &r);
    int probe = naru_socket(a, NARU_SOCK_STREAM);
    if (probe >= 0) { /* with TCP */
        naru_close(a, probe);
        assert_true(r.ok);
        expect(s, "> 10.2.0.2:80 TTL 64: TCP [SYN] seq ");
        expect(s, "<mss 536,");
        expect(s, "TCP [SYN,ACK] seq ");
        expect(s, "TCP [FIN,");
    }
    naru_sim_apps_destroy(apps);
    naru_sim_destroy(sim);
    free(s);
}

static void damaged_frames_are_named_not_refused(void **state)
{
    (void)state;
    char text[256];
    uint8_t frame[64] = { 0 };
    naru_frame_describe(frame, 10, text, sizeof text);
    assert_non_null(strstr(text, "truncated"));
    /* An IPv4 frame whose header checksum is wrong. */
    static const uint8_t ip_header[20] = { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0x12, 0x34, 10, 0, 0, 1, 10, 0, 0, 2 };
    frame[12] = 0x08;
    memcpy(frame + 14, ip_header, sizeof ip_header);
    naru_frame_describe(frame, 14 + 28, text, sizeof text);
    assert_string_equal(text, "10.0.0.1 > 10.0.0.2 IPv4 with a bad header checksum (corrupted)");
    frame[12] = 0x88; /* LLDP */
    frame[13] = 0xcc;
    naru_frame_describe(frame, 60, text, sizeof text);
    assert_string_equal(text, "EtherType 0x88cc (not IPv4, IPv6 or ARP), 60 bytes");
    /* Too small a buffer: cut, terminated, and the whole length told. */
    int n = naru_frame_describe(frame, 60, text, 8);
    assert_int_equal(n, (int)strlen("EtherType 0x88cc (not IPv4, IPv6 or ARP), 60 bytes"));
    assert_int_equal(strlen(text), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arp_icmp_and_ttl_in_plain_words),
        cmocka_unit_test(dns_tcp_and_fragments_in_plain_words),
        cmocka_unit_test(damaged_frames_are_named_not_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
