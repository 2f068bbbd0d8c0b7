/* Router discovery on a host (RFC 4861 6.3): solicitations at start,
 * advertisements checked (6.1.2) and taken in (6.3.4): default routers
 * with RFC 4191 preferences, on-link prefixes, SLAAC, the MTU option's
 * range, RDNSS (RFC 8106); routes that come and go with lifetimes; lists
 * bounded under a flood. */
#include "testnet.h"

#include <string.h>

#include "capture.h"
#include "ip/addrconf.h"
#include "ip/redirect.h"
#include "ip/route.h"
#include "ip/router_discovery.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "stack.h"
#include "tcp/tcp_conn.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t router_a[16] = { 0xfe, 0x80, [15] = 0x0a };
static const uint8_t router_b[16] = { 0xfe, 0x80, [15] = 0x0b };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t prefix1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
static const uint8_t dns1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
static const uint8_t anywhere[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 7 };

struct host {
    struct capture_host *h;
    struct naru_stack *stack;
    struct naru_iface *iface;
};

static struct host host_new(void)
{
    struct capture_host *h = capture_host_new_without_ipv6("10.0.0.1/24");
    return (struct host){ h, h->stack, iface_get(h->stack, h->ifindex) };
}

static void run_until(struct host *t, naru_time_t when)
{
    capture_run_until(t->h, when);
}

/* An advertisement as a router would send it, parsed back. */
struct ra_spec {
    uint16_t lifetime;
    uint8_t preference_bits;   /* the flags byte's bits 4..3 */
    uint32_t mtu;              /* 0: no option */
    bool prefix;
    uint8_t prefix_bytes[16];
    uint32_t valid, preferred;
    bool dns;
    uint32_t dns_lifetime;
    uint32_t reachable_ms, retrans_ms; /* 0: 20000 and 500 */
};

static uint8_t ra_buf[256];
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t target_mac[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static void send_ra(struct host *t, const uint8_t src[16], uint8_t hop_limit, const struct ra_spec *s)
{
    struct ndp_message m = { .type = ICMPV6_ROUTER_ADVERT, .cur_hop_limit = 77,
                             .ra_flags = (uint8_t)(s->preference_bits << 3), .router_lifetime = s->lifetime,
                             .reachable_time = s->reachable_ms ? s->reachable_ms : 20000,
                             .retrans_timer = s->retrans_ms ? s->retrans_ms : 500 };
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, ra_buf, sizeof ra_buf);
    ndp_emit_lladdr(&b, NDP_OPT_SOURCE_LLADDR, router_mac);
    if (s->mtu)
        ndp_emit_mtu(&b, s->mtu);
    if (s->prefix) {
        struct ndp_prefix_info p = { .prefix_len = 64, .on_link = true, .autonomous = true,
                                     .valid_lifetime = s->valid, .preferred_lifetime = s->preferred };
        memcpy(p.prefix, s->prefix_bytes, 16);
        ndp_emit_prefix(&b, &p);
    }
    if (s->dns)
        ndp_emit_rdnss(&b, s->dns_lifetime, dns1, 1);
    /* ndp_parse itself refuses a source that is not link-local: parse
     * as from a router, hand in the source as given. */
    const uint8_t *parse_src = ipv6_addr_is_link_local(src) ? src : router_a;
    size_t len = ndp_emit_finish(&b, parse_src, all_nodes);
    assert_true(len > 0);
    struct ndp_message parsed;
    assert_int_equal(ndp_parse(ra_buf, len, parse_src, all_nodes, &parsed), 0);
    router_discovery_input(t->stack, t->iface, src, hop_limit, &parsed);
}

static struct ra_spec full_ra(void)
{
    struct ra_spec s = { .lifetime = 1800, .mtu = 1400, .prefix = true, .valid = 3600, .preferred = 1800,
                         .dns = true, .dns_lifetime = 600 };
    memcpy(s.prefix_bytes, prefix1, 16);
    return s;
}

static int solicitations(struct host *t, bool *with_lladdr)
{
    int n = 0;
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        struct ipv6_header ip;
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN + 8 || ipv6_parse(p, f->len - ETH_HEADER_LEN, &ip) < 0 ||
            ip.next_header != IP_PROTO_ICMPV6 || p[IPV6_HEADER_LEN] != ICMPV6_ROUTER_SOLICIT)
            continue;
        assert_memory_equal(ip.dst, all_routers, 16);
        assert_int_equal(ip.hop_limit, 255);
        struct ndp_message m;
        assert_int_equal(ndp_parse(p + IPV6_HEADER_LEN, ip.payload_len, ip.src, ip.dst, &m), 0);
        *with_lladdr = m.options.source_lladdr != NULL;
        n++;
    }
    return n;
}

static void three_solicitations_four_seconds_apart_then_silence(void **state)
{
    (void)state;
    struct host t = host_new();
    router_discovery_start(t.stack, t.iface);
    bool lladdr = true;
    run_until(&t, RD_MAX_RTR_SOLICITATION_DELAY);
    assert_int_equal(solicitations(&t, &lladdr), 1);
    assert_false(lladdr); /* from :: without a link-local address: no option (RFC 4861 4.1) */
    run_until(&t, RD_RTR_SOLICITATION_INTERVAL - 1); /* the first went at or after 0 */
    assert_int_equal(solicitations(&t, &lladdr), 1);
    run_until(&t, RD_MAX_RTR_SOLICITATION_DELAY + 2 * RD_RTR_SOLICITATION_INTERVAL);
    assert_int_equal(solicitations(&t, &lladdr), RD_MAX_RTR_SOLICITATIONS);
    run_until(&t, 60 * NARU_SEC);
    assert_int_equal(solicitations(&t, &lladdr), RD_MAX_RTR_SOLICITATIONS);
    assert_int_equal(t.stack->counters.rd_tx_solicits, 3);
    capture_host_free(t.h);
}

static void an_advertisement_ends_the_solicitations(void **state)
{
    (void)state;
    struct host t = host_new();
    static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x99 };
    assert_int_equal(iface_addr6_add(t.stack, t.iface, ll, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    router_discovery_start(t.stack, t.iface);
    run_until(&t, RD_MAX_RTR_SOLICITATION_DELAY);
    bool lladdr = false;
    assert_int_equal(solicitations(&t, &lladdr), 1);
    assert_true(lladdr); /* from the link-local address, with the MAC */
    struct ra_spec s = full_ra();
    send_ra(&t, router_a, 255, &s);
    run_until(&t, 30 * NARU_SEC);
    assert_int_equal(solicitations(&t, &lladdr), 1);
    capture_host_free(t.h);
}

static void advertisement_gives_default_route_prefix_address_and_link_parameters(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = full_ra();
    send_ra(&t, router_a, 255, &s);
    assert_int_equal(t.stack->counters.rd_rx_adverts, 1);
    const struct router_discovery *rd = &t.iface->autoconf.rd;
    /* The default route, through the router (RFC 4861 6.3.6). */
    const struct route6 *r = route6_lookup(t.stack, anywhere);
    assert_non_null(r);
    assert_int_equal(r->prefix_len, 0);
    assert_int_equal(r->gateway.family, NARU_AF_INET6);
    assert_memory_equal(r->gateway.v6, router_a, 16);
    /* The prefix on-link. */
    uint8_t on_link[16];
    memcpy(on_link, prefix1, 16);
    on_link[15] = 0x77;
    r = route6_lookup(t.stack, on_link);
    assert_non_null(r);
    assert_int_equal(r->prefix_len, 64);
    assert_int_equal(r->gateway.family, NARU_AF_UNSPEC);
    /* SLAAC: an address from the prefix, tentative, then preferred. */
    assert_int_equal(t.iface->addr6_count, 1);
    assert_memory_equal(t.iface->addr6[0].addr, prefix1, 8);
    assert_int_equal(t.iface->addr6[0].state, IFA6_TENTATIVE);
    run_until(&t, 3 * NARU_SEC);
    assert_int_equal(t.iface->addr6[0].state, IFA6_PREFERRED);
    /* The link's parameters (RFC 4861 6.3.4), the reachable time
     * randomised within [0.5, 1.5) of 20 s. */
    assert_int_equal(rd->cur_hop_limit, 77);
    assert_int_equal(rd->mtu, 1400);
    assert_int_equal(rd->retrans_timer, 500 * NARU_MS);
    assert_int_equal(t.iface->autoconf.retrans_timer, 500 * NARU_MS);
    assert_int_equal(rd->base_reachable_time, 20 * NARU_SEC);
    assert_true(rd->reachable_time >= 10 * NARU_SEC && rd->reachable_time < 30 * NARU_SEC);
    /* The router's link-layer address is in the neighbour cache, STALE
     * (RFC 4861 6.3.4): the first packet to it needs no solicitation. */
    uint8_t mac[6];
    struct naru_addr router = naru_addr_v6(router_a);
    assert_int_equal(naru_neighbour_lookup(t.stack, t.h->ifindex, &router, mac), 0);
    assert_memory_equal(mac, router_mac, 6);
    assert_int_equal(neighbour_find(t.stack, t.h->ifindex, &router)->state, NEIGH_STALE);
    /* RFC 8106: the DNS server, for the resolver. */
    uint8_t servers[4][16];
    assert_int_equal(router_discovery_dns_servers(t.iface, servers, 4), 1);
    assert_memory_equal(servers[0], dns1, 16);
    capture_host_free(t.h);
}

/* The IPv6 packets captured since the last clear that are not ICMPv6
 * (autoconfiguration's own), parsed into out; how many. */
static int data_packets(struct host *t, struct ipv6_header *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < t->h->count && n < max; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        struct ipv6_header ip;
        if (f->len < ETH_HEADER_LEN + IPV6_HEADER_LEN || wire_get16(f->data + 12) != ETHERTYPE_IPV6 ||
            ipv6_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &ip) < 0 ||
            (ip.next_header != IP_PROTO_UDP && ip.next_header != IP_PROTO_FRAGMENT))
            continue;
        assert_memory_equal(f->data, router_mac, 6); /* learnt from the advertisement */
        out[n++] = ip;
    }
    return n;
}

static int solicitations_for(struct host *t, const uint8_t target[16])
{
    int n = 0;
    for (size_t i = 0; i < t->h->count; i++) {
        const struct captured_frame *f = &t->h->frames[i];
        const uint8_t *p = f->data + ETH_HEADER_LEN;
        if (f->len >= ETH_HEADER_LEN + IPV6_HEADER_LEN + NDP_NS_LEN && wire_get16(f->data + 12) == ETHERTYPE_IPV6 &&
            p[6] == IP_PROTO_ICMPV6 && p[IPV6_HEADER_LEN] == ICMPV6_NEIGHBOR_SOLICIT &&
            memcmp(p + IPV6_HEADER_LEN + 8, target, 16) == 0)
            n++;
    }
    return n;
}

static void the_advertised_hop_limit_mtu_and_retrans_timer_are_used(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = full_ra(); /* hop limit 77, MTU 1400, RetransTimer 500 ms */
    send_ra(&t, router_a, 255, &s);
    run_until(&t, 3 * NARU_SEC); /* the SLAAC address is ours */
    capture_clear(t.h);
    int sock = naru_socket(t.stack, NARU_SOCK_DGRAM);
    static uint8_t data[1420];
    struct naru_sockaddr far = { .addr = naru_addr_v6(anywhere), .port = 9 };
    assert_int_equal(naru_sendto(t.stack, sock, data, sizeof data, 0, &far), (long)sizeof data);
    /* 1428 bytes of UDP do not fit the advertised 1400: two fragments. */
    struct ipv6_header ip[4];
    assert_int_equal(data_packets(&t, ip, 4), 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(ip[i].hop_limit, 77);
        assert_true(IPV6_HEADER_LEN + ip[i].payload_len <= 1400);
    }
    assert_int_equal(tcp_route_mss(t.stack, &far.addr), 1400 - 60);
    /* An unknown neighbour is solicited RetransTimer apart. */
    uint8_t on_link[16];
    memcpy(on_link, prefix1, 16);
    on_link[15] = 0x55;
    struct naru_sockaddr near = { .addr = naru_addr_v6(on_link), .port = 9 };
    naru_time_t now = naru_stack_now(t.stack);
    assert_int_equal(naru_sendto(t.stack, sock, data, 10, 0, &near), 10);
    assert_int_equal(solicitations_for(&t, on_link), 1);
    run_until(&t, now + 499 * NARU_MS);
    assert_int_equal(solicitations_for(&t, on_link), 1);
    run_until(&t, now + 500 * NARU_MS);
    assert_int_equal(solicitations_for(&t, on_link), 2);
    naru_close(t.stack, sock);
    capture_host_free(t.h);
}

static void advertisements_off_link_or_forwarded_are_dropped(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = full_ra();
    send_ra(&t, router_a, 254, &s); /* crossed a router (RFC 4861 6.1.2) */
    static const uint8_t global_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    send_ra(&t, global_src, 255, &s);
    assert_int_equal(t.stack->counters.rd_rx_invalid, 2);
    assert_int_equal(t.stack->counters.rd_rx_adverts, 0);
    assert_null(route6_lookup(t.stack, anywhere));
    assert_int_equal(t.iface->addr6_count, 0);
    capture_host_free(t.h);
}

static void router_lifetime_end_takes_the_default_route_away(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = { .lifetime = 30 };
    send_ra(&t, router_a, 255, &s);
    assert_non_null(route6_lookup(t.stack, anywhere));
    run_until(&t, 29 * NARU_SEC);
    assert_non_null(route6_lookup(t.stack, anywhere));
    run_until(&t, 30 * NARU_SEC);
    assert_null(route6_lookup(t.stack, anywhere));
    assert_int_equal(t.iface->autoconf.rd.router_count, 0);
    /* A lifetime of 0 says at once: not a default router. */
    send_ra(&t, router_a, 255, &s);
    assert_non_null(route6_lookup(t.stack, anywhere));
    s.lifetime = 0;
    send_ra(&t, router_a, 255, &s);
    assert_null(route6_lookup(t.stack, anywhere));
    /* NUD finding the router unreachable does the same (RFC 4861 7.3.3). */
    s.lifetime = 600;
    send_ra(&t, router_a, 255, &s);
    router_discovery_router_gone(t.stack, t.iface, router_a);
    assert_null(route6_lookup(t.stack, anywhere));
    capture_host_free(t.h);
}

static void prefix_lifetime_end_takes_the_on_link_route_and_the_address(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = full_ra();
    s.lifetime = 0;
    s.valid = 20;
    s.preferred = 10;
    send_ra(&t, router_a, 255, &s);
    uint8_t on_link[16];
    memcpy(on_link, prefix1, 16);
    on_link[15] = 0x77;
    assert_non_null(route6_lookup(t.stack, on_link));
    run_until(&t, 10 * NARU_SEC);
    assert_int_equal(t.iface->addr6[0].state, IFA6_DEPRECATED);
    run_until(&t, 20 * NARU_SEC);
    assert_null(route6_lookup(t.stack, on_link));
    assert_int_equal(t.iface->addr6_count, 0);
    capture_host_free(t.h);
}

static void the_preferred_router_carries_the_default_route(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec low = { .lifetime = 600, .preference_bits = 3 };
    struct ra_spec high = { .lifetime = 600, .preference_bits = 1 };
    send_ra(&t, router_a, 255, &low);
    assert_memory_equal(route6_lookup(t.stack, anywhere)->gateway.v6, router_a, 16);
    send_ra(&t, router_b, 255, &high); /* RFC 4191 3.2 */
    assert_memory_equal(route6_lookup(t.stack, anywhere)->gateway.v6, router_b, 16);
    high.lifetime = 0;
    send_ra(&t, router_b, 255, &high);
    assert_memory_equal(route6_lookup(t.stack, anywhere)->gateway.v6, router_a, 16);
    capture_host_free(t.h);
}

static void mtu_outside_the_links_range_is_ignored(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = { .lifetime = 600, .mtu = 1279 };
    send_ra(&t, router_a, 255, &s);
    s.mtu = t.iface->mtu + 1;
    send_ra(&t, router_a, 255, &s);
    assert_int_equal(t.iface->autoconf.rd.mtu, 0);
    assert_int_equal(t.stack->counters.rd_mtu_ignored, 2);
    s.mtu = 1280;
    send_ra(&t, router_a, 255, &s);
    assert_int_equal(t.iface->autoconf.rd.mtu, 1280);
    capture_host_free(t.h);
}

/* A RetransTimer of weeks would hold address resolution, DAD and the
 * packets queued on them that long: over an hour is ignored, as a
 * ReachableTime over RFC 4861's hour is. */
static void timers_over_an_hour_are_ignored(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = { .lifetime = 600 };
    send_ra(&t, router_a, 255, &s);
    struct router_discovery *rd = &t.iface->autoconf.rd;
    s.retrans_ms = 2348820486u; /* 27 days, from a fuzzed advertisement */
    s.reachable_ms = 3600001;
    send_ra(&t, router_a, 255, &s);
    assert_int_equal(rd->retrans_timer, 500 * NARU_MS);
    assert_int_equal(t.iface->autoconf.retrans_timer, 500 * NARU_MS);
    assert_int_equal(rd->base_reachable_time, 20 * NARU_SEC);
    assert_int_equal(t.stack->counters.rd_timers_ignored, 1);
    s.retrans_ms = s.reachable_ms = 3600000;
    send_ra(&t, router_a, 255, &s);
    assert_int_equal(rd->retrans_timer, 3600 * NARU_SEC);
    assert_int_equal(rd->base_reachable_time, 3600 * NARU_SEC);
    assert_int_equal(t.stack->counters.rd_timers_ignored, 1);
    capture_host_free(t.h);
}

static void a_flood_of_random_advertisements_grows_nothing(void **state)
{
    (void)state;
    struct host t = host_new();
    struct naru_random r;
    random_seed(&r, 42);
    for (int i = 0; i < 2000; i++) {
        uint8_t src[16] = { 0xfe, 0x80 };
        random_fill(&r, src + 8, 8);
        struct ra_spec s = full_ra();
        s.prefix_bytes[0] = 0x20;
        s.prefix_bytes[1] = 0x01;
        random_fill(&r, s.prefix_bytes + 2, 6);
        send_ra(&t, src, 255, &s);
    }
    const struct router_discovery *rd = &t.iface->autoconf.rd;
    assert_int_equal(rd->router_count, RD_ROUTERS_MAX);
    assert_int_equal(rd->prefix_count, RD_PREFIXES_MAX);
    assert_true(t.iface->addr6_count <= IFACE_ADDR6_MAX);
    assert_true(t.stack->counters.rd_list_full >= 2000 - RD_ROUTERS_MAX);
    assert_true(t.stack->routes.count6 <= RD_PREFIXES_MAX + 1);
    capture_host_free(t.h);
}

static void send_redirect(struct host *t, const uint8_t src[16], uint8_t hop_limit, const uint8_t target[16],
                          const uint8_t destination[16])
{
    static const uint8_t host_ll[16] = { 0xfe, 0x80, [15] = 0x99 };
    struct ndp_message m = { .type = ICMPV6_REDIRECT };
    memcpy(m.target, target, 16);
    memcpy(m.destination, destination, 16);
    uint8_t buf[128];
    struct ndp_builder b;
    ndp_emit_begin(&b, &m, buf, sizeof buf);
    ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, target_mac);
    size_t len = ndp_emit_finish(&b, src, host_ll);
    struct ndp_message parsed;
    assert_int_equal(ndp_parse(buf, len, src, host_ll, &parsed), 0);
    redirect_input(t->stack, t->iface, src, hop_limit, &parsed);
}

static void redirect_from_our_first_hop_moves_the_destination(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = { .lifetime = 600 };
    send_ra(&t, router_a, 255, &s);
    static const uint8_t elsewhere[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, [15] = 8 };
    /* RFC 4861 8.3: a better first hop, router_b. */
    send_redirect(&t, router_a, 255, router_b, anywhere);
    const struct route6 *r = route6_lookup(t.stack, anywhere);
    assert_int_equal(r->prefix_len, 128);
    assert_memory_equal(r->gateway.v6, router_b, 16);
    assert_memory_equal(route6_lookup(t.stack, elsewhere)->gateway.v6, router_a, 16); /* others unmoved */
    assert_int_equal(t.stack->counters.rd_redirects, 1);
    /* RFC 4861 8.3: and the target's link-layer address into the cache. */
    uint8_t mac[6];
    struct naru_addr target = naru_addr_v6(router_b);
    assert_int_equal(naru_neighbour_lookup(t.stack, t.h->ifindex, &target, mac), 0);
    assert_memory_equal(mac, target_mac, 6);
    /* RFC 4861 8.1: only the current first hop may redirect, on the link. */
    send_redirect(&t, router_b, 255, router_b, elsewhere);
    send_redirect(&t, router_a, 254, router_b, elsewhere);
    assert_memory_equal(route6_lookup(t.stack, elsewhere)->gateway.v6, router_a, 16);
    assert_int_equal(t.stack->counters.rd_redirects_invalid, 2);
    /* Target == destination: the destination is on the link. */
    static const uint8_t neighbour[16] = { 0xfe, 0x80, [15] = 0x42 };
    send_redirect(&t, router_a, 255, neighbour, neighbour);
    r = route6_lookup(t.stack, neighbour);
    assert_int_equal(r->prefix_len, 128);
    assert_int_equal(r->gateway.family, NARU_AF_UNSPEC);
    capture_host_free(t.h);
}

static void redirects_are_bounded(void **state)
{
    (void)state;
    struct host t = host_new();
    struct ra_spec s = { .lifetime = 600 };
    send_ra(&t, router_a, 255, &s);
    uint32_t before = t.stack->routes.count6;
    for (int i = 0; i < 100; i++) {
        uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xdd, [14] = (uint8_t)(i >> 8), [15] = (uint8_t)i };
        send_redirect(&t, router_a, 255, router_b, dst);
    }
    assert_int_equal(t.stack->routes.count6, before + REDIRECTS_MAX);
    assert_int_equal(t.stack->counters.rd_redirects, 100);
    /* The newest are kept. */
    uint8_t last[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xdd, [15] = 99 };
    assert_int_equal(route6_lookup(t.stack, last)->prefix_len, 128);
    capture_host_free(t.h);
}

static void router_redirects_a_neighbour_to_a_better_first_hop_rate_limited(void **state)
{
    (void)state;
    struct host t = host_new();
    static const uint8_t our_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
    assert_int_equal(iface_addr6_add(t.stack, t.iface, our_ll, 64, IFA6_PREFERRED, 0, NARU_NEVER, NARU_NEVER), 0);
    /* A packet from a neighbour (link-local) to somewhere router_b is the better way to. */
    static const uint8_t sender[16] = { 0xfe, 0x80, [15] = 0x77 };
    static const uint8_t sender_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };
    static const uint8_t b_mac[6] = { 0x02, 0, 0, 0, 0, 0x0b };
    uint8_t packet[IPV6_HEADER_LEN + 1400] = { 0 };
    struct ipv6_header ip = { .payload_len = 1400, .next_header = IP_PROTO_UDP, .hop_limit = 63 };
    memcpy(ip.src, sender, 16);
    memcpy(ip.dst, anywhere, 16);
    ipv6_emit(&ip, packet, sizeof packet);
    assert_true(redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac));
    const struct captured_frame *f = capture_take(t.h);
    assert_non_null(f);
    assert_memory_equal(f->data, sender_mac, 6);
    assert_true(f->len <= ETH_HEADER_LEN + IPV6_MIN_MTU); /* RFC 4861 4.5 */
    struct ipv6_header out;
    assert_int_equal(ipv6_parse(f->data + ETH_HEADER_LEN, f->len - ETH_HEADER_LEN, &out), IPV6_HEADER_LEN);
    assert_memory_equal(out.src, our_ll, 16);
    assert_memory_equal(out.dst, sender, 16);
    assert_int_equal(out.hop_limit, 255);
    struct ndp_message m;
    assert_int_equal(ndp_parse(f->data + ETH_HEADER_LEN + IPV6_HEADER_LEN, out.payload_len, out.src, out.dst, &m), 0);
    assert_memory_equal(m.target, router_b, 16);
    assert_memory_equal(m.destination, anywhere, 16);
    assert_memory_equal(m.options.target_lladdr, b_mac, 6);
    assert_non_null(m.options.redirected);
    /* Rate-limited: a burst, then one a second. */
    int sent = 1;
    for (int i = 0; i < 20; i++)
        sent += redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac);
    assert_int_equal(sent, REDIRECT_TX_BURST);
    run_until(&t, 1 * NARU_SEC);
    assert_true(redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac));
    assert_false(redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac));
    /* Not to a sender off the link, nor about a multicast destination. */
    run_until(&t, 60 * NARU_SEC);
    static const uint8_t far[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x99, [15] = 1 };
    memcpy(ip.src, far, 16);
    ipv6_emit(&ip, packet, sizeof packet);
    assert_false(redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac));
    memcpy(ip.src, sender, 16);
    memcpy(ip.dst, all_nodes, 16);
    ipv6_emit(&ip, packet, sizeof packet);
    assert_false(redirect_send(t.stack, t.iface, sender_mac, packet, sizeof packet, router_b, b_mac));
    capture_host_free(t.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_solicitations_four_seconds_apart_then_silence),
        cmocka_unit_test(an_advertisement_ends_the_solicitations),
        cmocka_unit_test(advertisement_gives_default_route_prefix_address_and_link_parameters),
        cmocka_unit_test(the_advertised_hop_limit_mtu_and_retrans_timer_are_used),
        cmocka_unit_test(timers_over_an_hour_are_ignored),
        cmocka_unit_test(advertisements_off_link_or_forwarded_are_dropped),
        cmocka_unit_test(router_lifetime_end_takes_the_default_route_away),
        cmocka_unit_test(prefix_lifetime_end_takes_the_on_link_route_and_the_address),
        cmocka_unit_test(the_preferred_router_carries_the_default_route),
        cmocka_unit_test(mtu_outside_the_links_range_is_ignored),
        cmocka_unit_test(a_flood_of_random_advertisements_grows_nothing),
        cmocka_unit_test(redirect_from_our_first_hop_moves_the_destination),
        cmocka_unit_test(redirects_are_bounded),
        cmocka_unit_test(router_redirects_a_neighbour_to_a_better_first_hop_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
