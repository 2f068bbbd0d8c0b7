/* IPv6 autoconfiguration and neighbour unreachability between simulated
 * stacks on a switched link: SLAAC from a router's advertisements with
 * RFC 7217 identifiers and RFC 4862 lifetimes, duplicate address
 * detection against a second holder and against a node that claims every
 * address, RFC 4861 7.3's neighbour states when a neighbour falls silent,
 * and a default router replaced when it stops answering (6.3.6). */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip/addrconf.h"
#include "ip/ndp.h"
#include "ip/ping.h"
#include "link/iface.h"
#include "link/neighbour.h"
#include "socket/sock.h"
#include "stack.h"
#include "tcp_flow.h"
#include "wire/ethernet.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t net1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
static const uint8_t net2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 };

/* A stack on its own cable to the switch; its interface is up (link-local
 * address, DAD, router solicitations) when `up`. */
static int plug_cidr(struct naru_sim *sim, struct naru_sim_switch *sw, struct naru_stack *s, const char *cidr,
                     bool up, struct naru_sim_link **out)
{
    static int n;
    char name[16];
    snprintf(name, sizeof name, "cable%d", n++);
    struct naru_sim_link_config cable = { .delay = 1 * NARU_MS, .rate_bps = 20000000 };
    struct naru_sim_link *l;
    int ifindex;
    assert_int_equal(naru_sim_add_link(sim, name, &cable, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, s, cidr, &ifindex), 0);
    if (out)
        *out = l;
    assert_int_equal(naru_sim_link_attach_switch(l, 1, sw), 0);
    if (up)
        assert_int_equal(naru_if_up(s, ifindex), 0);
    return ifindex;
}

static int plug(struct naru_sim *sim, struct naru_sim_switch *sw, struct naru_stack *s, bool up)
{
    return plug_cidr(sim, sw, s, NULL, up, NULL);
}

static void advertise(struct naru_stack *router, int ifindex, const uint8_t prefix[16], uint32_t valid_s,
                      uint32_t preferred_s, uint16_t router_lifetime_s)
{
    struct naru_router_advert c;
    naru_router_advert_default(&c);
    c.max_interval = 4 * NARU_SEC;
    c.min_interval = 3 * NARU_SEC;
    c.router_lifetime_s = router_lifetime_s;
    assert_int_equal(naru_if_set_router_advert(router, ifindex, &c), 0);
    struct naru_ra_prefix p = { .prefix = naru_addr_v6(prefix), .len = 64, .on_link = true, .autonomous = true,
                                .valid_s = valid_s, .preferred_s = preferred_s };
    assert_int_equal(naru_if_advertise_prefix(router, ifindex, &p), 0);
}

/* The interface's address with all of `flags`, or NULL. */
static struct iface_addr6 *addr_with(struct naru_stack *s, int ifindex, uint8_t flags)
{
    struct naru_iface *iface = iface_get(s, ifindex);
    for (uint8_t i = 0; i < iface->addr6_count; i++)
        if ((iface->addr6[i].flags & flags) == flags)
            return &iface->addr6[i];
    return NULL;
}

/* The gateway of the IPv6 default route, or NULL. */
static const struct route6 *default_route(struct naru_stack *s)
{
    for (uint32_t i = 0; i < s->routes.count6; i++)
        if (s->routes.routes6[i].prefix_len == 0)
            return &s->routes.routes6[i];
    return NULL;
}

static void run_for(struct naru_sim *sim, naru_time_t t)
{
    naru_sim_run(sim, naru_sim_now(sim) + t, NULL, NULL);
}

/* One router advertising net1 and two hosts, on one switch. */
struct lan {
    struct naru_sim *sim;
    struct naru_sim_switch *sw;
    struct naru_stack *r, *h1, *h2;
    int r_if, h1_if, h2_if;
};

static void lan_make(struct lan *l, uint64_t seed, uint32_t valid_s, uint32_t preferred_s)
{
    assert_int_equal(naru_sim_create(seed, &l->sim), 0);
    l->sw = naru_sim_add_switch(l->sim, "sw");
    l->r = naru_sim_add_router(l->sim, "r", NULL);
    l->h1 = naru_sim_add_stack(l->sim, "h1", NULL);
    l->h2 = naru_sim_add_stack(l->sim, "h2", NULL);
    l->r_if = plug(l->sim, l->sw, l->r, true);
    advertise(l->r, l->r_if, net1, valid_s, preferred_s, 30);
    l->h1_if = plug(l->sim, l->sw, l->h1, true);
    l->h2_if = plug(l->sim, l->sw, l->h2, true);
}

static void slaac_hosts_form_stable_addresses_and_a_default_route(void **state)
{
    (void)state;
    uint8_t first[16];
    for (int run = 0; run < 2; run++) {
        struct lan l;
        lan_make(&l, 21, 3600, 1800);
        run_for(l.sim, 10 * NARU_SEC);
        struct iface_addr6 *a1 = addr_with(l.h1, l.h1_if, IFA6_AUTOCONF);
        struct iface_addr6 *a2 = addr_with(l.h2, l.h2_if, IFA6_AUTOCONF);
        assert_non_null(a1);
        assert_non_null(a2);
        assert_int_equal(a1->state, IFA6_PREFERRED);
        assert_memory_equal(a1->addr, net1, 8);
        assert_memory_not_equal(a1->addr, a2->addr, 16);
        /* RFC 7217: the same seed (so the same secret) gives the same
         * address in a second run. */
        if (run == 0)
            memcpy(first, a1->addr, 16);
        else
            assert_memory_equal(first, a1->addr, 16);
        /* The default route goes through the router's link-local address. */
        const struct route6 *d = default_route(l.h1);
        assert_non_null(d);
        const struct iface_addr6 *rll = addr_with(l.r, l.r_if, IFA6_LINK_LOCAL);
        assert_memory_equal(d->gateway.v6, rll->addr, 16);
        assert_int_equal(counter(l.h1, "addrconf_slaac_formed"), 1);
        /* The hosts reach each other on their SLAAC addresses. */
        int sock = naru_socket(l.h1, NARU_SOCK_PING);
        assert_true(sock >= 0);
        assert_int_equal(naru_bind(l.h1, sock, &(struct naru_sockaddr){ .port = 0 }), 0);
        uint8_t req[16] = { ICMPV6_ECHO_REQUEST };
        struct sock_addr dst = { .addr = naru_addr_v6(a2->addr) };
        assert_int_equal(ping_output(l.h1, sock_get(l.h1, sock), req, sizeof req, &dst), (long)sizeof req);
        assert_true(wait_readable(l.sim, l.h1, sock, NARU_SEC));
        naru_sim_destroy(l.sim);
    }
    /* Another seed, another identifier. */
    struct lan l;
    lan_make(&l, 22, 3600, 1800);
    run_for(l.sim, 10 * NARU_SEC);
    assert_memory_not_equal(addr_with(l.h1, l.h1_if, IFA6_AUTOCONF)->addr, first, 16);
    naru_sim_destroy(l.sim);
}

/* RFC 4862 5.5.4 and RFC 4861 6.3.4: the router goes quiet after a last
 * advertisement of router lifetime 0: the default route goes at once; the
 * address stays preferred for its preferred lifetime, deprecated (still
 * ours, not chosen for new traffic) until the valid one ends, then goes. */
static void router_stopping_ends_the_default_route_then_the_address_ages_out(void **state)
{
    (void)state;
    struct lan l;
    lan_make(&l, 23, 40, 20);
    run_for(l.sim, 10 * NARU_SEC);
    assert_non_null(default_route(l.h1));
    assert_non_null(addr_with(l.h1, l.h1_if, IFA6_AUTOCONF));
    assert_int_equal(naru_if_set_router_advert(l.r, l.r_if, NULL), 0);
    naru_time_t stopped = naru_sim_now(l.sim);
    run_for(l.sim, 1 * NARU_SEC);
    assert_null(default_route(l.h1));
    assert_null(default_route(l.h2));
    /* The last advertisement came at most 4 s before the stop. */
    struct iface_addr6 *a = addr_with(l.h1, l.h1_if, IFA6_AUTOCONF);
    assert_non_null(a);
    assert_int_equal(a->state, IFA6_PREFERRED);
    naru_sim_run(l.sim, stopped + 21 * NARU_SEC, NULL, NULL);
    a = addr_with(l.h1, l.h1_if, IFA6_AUTOCONF);
    assert_non_null(a);
    assert_int_equal(a->state, IFA6_DEPRECATED);
    naru_sim_run(l.sim, stopped + 41 * NARU_SEC, NULL, NULL);
    assert_null(addr_with(l.h1, l.h1_if, IFA6_AUTOCONF));
    assert_null(addr_with(l.h2, l.h2_if, IFA6_AUTOCONF));
    assert_int_equal(counter(l.h1, "addrconf_expired"), 1);
    /* The link-local address is untouched. */
    assert_non_null(addr_with(l.h1, l.h1_if, IFA6_LINK_LOCAL));
    naru_sim_destroy(l.sim);
}

/* RFC 4862 5.5.3 (e): advertisements shortening the valid lifetime to
 * seconds (as a forger would) leave two hours; the preferred lifetime is
 * taken as given. */
static void forged_short_valid_lifetime_leaves_two_hours(void **state)
{
    (void)state;
    struct lan l;
    lan_make(&l, 24, 86400, 86400);
    run_for(l.sim, 10 * NARU_SEC);
    struct iface_addr6 *a = addr_with(l.h1, l.h1_if, IFA6_AUTOCONF);
    assert_non_null(a);
    struct naru_ra_prefix p = { .prefix = naru_addr_v6(net1), .len = 64, .on_link = true, .autonomous = true,
                                .valid_s = 10, .preferred_s = 5 };
    assert_int_equal(naru_if_advertise_prefix(l.r, l.r_if, &p), 0);
    run_for(l.sim, 30 * NARU_SEC);
    /* The router goes quiet; 5 s after its last word the address is
     * deprecated, and valid still for about two hours. */
    assert_int_equal(naru_if_set_router_advert(l.r, l.r_if, NULL), 0);
    run_for(l.sim, 30 * NARU_SEC);
    a = addr_with(l.h1, l.h1_if, IFA6_AUTOCONF);
    assert_non_null(a);
    assert_int_equal(a->state, IFA6_DEPRECATED);
    naru_time_t left = a->valid_until - naru_stack_now(l.h1);
    assert_true(left > ADDRCONF_TWO_HOURS - 70 * NARU_SEC && left <= ADDRCONF_TWO_HOURS);
    naru_sim_destroy(l.sim);
}

/* RFC 4862 5.4.5: a host coming up with the link-local address another
 * node holds (the same RFC 7217 secret) finds it duplicate, never uses it
 * and stops IPv6 on the interface; the first keeps it. */
static void later_host_finds_its_link_local_address_duplicate(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(25, &sim), 0);
    struct naru_sim_switch *sw = naru_sim_add_switch(sim, "sw");
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *b = naru_sim_add_stack(sim, "b", NULL);
    memcpy(b->secret, a->secret, sizeof b->secret);
    int a_if = plug(sim, sw, a, true);
    int b_if = plug(sim, sw, b, false);
    run_for(sim, 3 * NARU_SEC);
    assert_int_equal(addr_with(a, a_if, IFA6_LINK_LOCAL)->state, IFA6_PREFERRED);
    assert_int_equal(naru_if_up(b, b_if), 0);
    assert_memory_equal(addr_with(a, a_if, IFA6_LINK_LOCAL)->addr, addr_with(b, b_if, IFA6_LINK_LOCAL)->addr, 16);
    run_for(sim, 3 * NARU_SEC);
    assert_int_equal(counter(b, "addrconf_dad_conflicts"), 1);
    assert_int_equal(counter(b, "addrconf_ipv6_disabled"), 1);
    assert_null(addr_with(b, b_if, IFA6_LINK_LOCAL));
    assert_int_equal(counter(a, "addrconf_dad_conflicts"), 0);
    assert_int_equal(addr_with(a, a_if, IFA6_LINK_LOCAL)->state, IFA6_PREFERRED);
    /* b never spoke from it: a's only NA went to all-nodes, for the probe. */
    assert_int_equal(counter(a, "ndp_tx_na"), 1);
    assert_int_equal(counter(b, "ndp_tx_ns") + counter(b, "ndp_tx_na"), 0);
    naru_sim_destroy(sim);
}

/* The same for an address given by hand (as `ip addr add`): it is used at
 * once (RFC 4429 optimistic), probed, and dropped when another node holds
 * it; the node that held it first keeps it. */
static void manual_address_another_host_holds_is_found_duplicate(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(26, &sim), 0);
    struct naru_sim_switch *sw = naru_sim_add_switch(sim, "sw");
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *b = naru_sim_add_stack(sim, "b", NULL);
    int a_if = plug(sim, sw, a, true);
    int b_if = plug(sim, sw, b, true);
    static const uint8_t same[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 7 };
    struct naru_addr addr = naru_addr_v6(same);
    assert_int_equal(naru_if_add_addr(a, a_if, &addr, 64), 0);
    run_for(sim, 3 * NARU_SEC);
    assert_true(iface_owns_addr6(a, same));
    assert_int_equal(naru_if_add_addr(b, b_if, &addr, 64), 0);
    run_for(sim, 3 * NARU_SEC);
    assert_int_equal(counter(b, "addrconf_dad_conflicts"), 1);
    assert_false(iface_owns_addr6(b, same));
    assert_null(iface_addr6_find(iface_get(b, b_if), same));
    assert_true(iface_owns_addr6(a, same));
    assert_int_equal(counter(a, "addrconf_dad_conflicts"), 0);
    /* IPv6 goes on on b's interface: only that address was lost. */
    assert_non_null(addr_with(b, b_if, IFA6_LINK_LOCAL));
    naru_sim_destroy(sim);
}

/* A node that answers every DAD probe for a global address with an NA. */
struct claimer {
    struct naru_sim *sim;
    struct naru_stack *x;
    int x_if;
    uint64_t answered;
    uint8_t pending[16][16];
    unsigned pending_count;
};

static void claim(void *ctx)
{
    struct claimer *c = ctx;
    static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
    struct naru_iface *iface = iface_get(c->x, c->x_if);
    for (unsigned i = 0; i < c->pending_count; i++) {
        uint8_t frame[ETH_HEADER_LEN + IPV6_HEADER_LEN + NDP_NA_LEN + 8];
        struct eth_header e = { .ethertype = ETHERTYPE_IPV6 };
        eth_ipv6_multicast_mac(all_nodes, e.dst);
        memcpy(e.src, iface->mac, 6);
        eth_emit(&e, frame, sizeof frame);
        struct ndp_message m = { .type = ICMPV6_NEIGHBOR_ADVERT, .override = true };
        memcpy(m.target, c->pending[i], 16);
        struct ndp_builder b;
        ndp_emit_begin(&b, &m, frame + ETH_HEADER_LEN + IPV6_HEADER_LEN, NDP_NA_LEN + 8);
        ndp_emit_lladdr(&b, NDP_OPT_TARGET_LLADDR, iface->mac);
        size_t len = ndp_emit_finish(&b, c->pending[i], all_nodes);
        assert_true(len > 0);
        struct ipv6_header h = { .payload_len = (uint16_t)len, .next_header = IP_PROTO_ICMPV6, .hop_limit = 255 };
        memcpy(h.src, c->pending[i], 16);
        memcpy(h.dst, all_nodes, 16);
        ipv6_emit(&h, frame + ETH_HEADER_LEN, IPV6_HEADER_LEN);
        assert_true(iface->driver.transmit(iface->driver.ctx, frame, ETH_HEADER_LEN + IPV6_HEADER_LEN + len) >= 0);
        c->answered++;
    }
    c->pending_count = 0;
}

static void claimer_watch(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                          naru_time_t now, const uint8_t *frame, size_t len)
{
    (void)link;
    struct claimer *c = ctx;
    if (from_end != 0)
        return; /* the switch sends each frame on to every cable: hear it once, from its sender */
    const uint8_t *ip6 = frame + ETH_HEADER_LEN;
    if (event != NARU_SIM_FRAME_SENT || len < ETH_HEADER_LEN + IPV6_HEADER_LEN + 24 || wire_get16(frame + 12) != 0x86dd)
        return;
    const uint8_t *icmp = ip6 + IPV6_HEADER_LEN;
    /* An NS from :: (a probe) for a global address. */
    if (ip6[6] != IP_PROTO_ICMPV6 || icmp[0] != ICMPV6_NEIGHBOR_SOLICIT || !ipv6_addr_is_unspecified(ip6 + 8) ||
        ipv6_addr_is_link_local(icmp + 8) || c->pending_count == 16)
        return;
    memcpy(c->pending[c->pending_count++], icmp + 8, 16);
    naru_sim_at(c->sim, now, claim, c);
}

/* RFC 7217 6 and RFC 4862 5.4.5: each SLAAC address answered as a
 * duplicate is formed again with the next DAD_Counter, IDGEN_RETRIES
 * times; then the prefix is given up, and further advertisements of it
 * start nothing: the attacker cannot make probes or addresses grow. */
static void claimer_of_every_address_exhausts_bounded_retries(void **state)
{
    (void)state;
    struct lan l;
    lan_make(&l, 27, 3600, 1800);
    struct claimer c = { .sim = l.sim, .x = naru_sim_add_stack(l.sim, "x", NULL) };
    c.x_if = plug(l.sim, l.sw, c.x, false);
    naru_sim_set_observer(l.sim, claimer_watch, &c);
    run_for(l.sim, 30 * NARU_SEC);
    uint64_t conflicts = counter(l.h1, "addrconf_dad_conflicts");
    assert_int_equal(conflicts, 1 + 3); /* DAD_Counter 0..IDGEN_RETRIES */
    assert_null(addr_with(l.h1, l.h1_if, IFA6_AUTOCONF));
    assert_non_null(addr_with(l.h1, l.h1_if, IFA6_LINK_LOCAL));
    uint64_t probes = counter(l.h1, "addrconf_dad_probes");
    /* Ten minutes of advertisements every 3 to 4 s: nothing more. */
    run_for(l.sim, 600 * NARU_SEC);
    assert_int_equal(counter(l.h1, "addrconf_dad_conflicts"), conflicts);
    assert_int_equal(counter(l.h1, "addrconf_dad_probes"), probes);
    assert_int_equal(iface_get(l.h1, l.h1_if)->addr6_count, 1);
    assert_int_equal(c.answered, 2 * 4); /* both hosts, every try */
    naru_sim_set_observer(l.sim, NULL, NULL);
    naru_sim_destroy(l.sim);
}

static int ping_socket(struct naru_stack *s)
{
    int sock = naru_socket(s, NARU_SOCK_PING);
    assert_true(sock >= 0);
    assert_int_equal(naru_bind(s, sock, &(struct naru_sockaddr){ .port = 0 }), 0);
    return sock;
}

static void echo(struct naru_stack *s, int sock, const uint8_t to[16])
{
    uint8_t req[16] = { ICMPV6_ECHO_REQUEST };
    struct sock_addr dst = { .addr = naru_addr_v6(to) };
    assert_int_equal(ping_output(s, sock_get(s, sock), req, sizeof req, &dst), (long)sizeof req);
}

static enum neighbour_state state_of(struct naru_stack *s, int ifindex, const uint8_t addr[16])
{
    struct naru_addr a = naru_addr_v6(addr);
    struct neighbour *n = neighbour_find(s, ifindex, &a);
    return n ? (enum neighbour_state)n->state : NEIGH_FREE;
}

/* RFC 4861 7.3.2, 7.3.3 with 10's constants: a neighbour that answered
 * and then fell silent stays REACHABLE for ReachableTime, is STALE until
 * used, waits DELAY_FIRST_PROBE_TIME, is probed MAX_UNICAST_SOLICIT times
 * RetransTimer apart, and goes. Resolving it again fails after
 * MAX_MULTICAST_SOLICIT solicitations, and the packet waiting comes back
 * as address unreachable (RFC 4443 3.1 code 3). */
static void silent_neighbour_goes_stale_delay_probe_and_is_removed(void **state)
{
    (void)state;
    static const uint8_t b_addr[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(31, &sim), 0);
    struct naru_stack *a = naru_sim_add_stack(sim, "a", NULL), *b = naru_sim_add_stack(sim, "b", NULL);
    struct naru_sim_link_config wire = { .delay = 1 * NARU_MS };
    struct naru_sim_link *l;
    int a_if, b_if;
    assert_int_equal(naru_sim_add_link(sim, "ab", &wire, &l), 0);
    assert_int_equal(naru_sim_link_attach(l, 0, a, "2001:db8:1::1/64", &a_if), 0);
    assert_int_equal(naru_sim_link_attach(l, 1, b, "2001:db8:1::2/64", &b_if), 0);
    run_for(sim, 3 * NARU_SEC);
    int sock = ping_socket(a);
    echo(a, sock, b_addr);
    assert_true(wait_readable(sim, a, sock, NARU_SEC));
    uint8_t got[64];
    assert_int_equal(naru_recv(a, sock, got, sizeof got, 0), 16);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_REACHABLE);
    naru_time_t t0 = naru_sim_now(sim);
    uint64_t ns0 = counter(a, "ndp_tx_ns");
    naru_sim_link_set_loss(l, 1.0);
    naru_sim_run(sim, t0 + NDP_REACHABLE_TIME - 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_REACHABLE);
    naru_sim_run(sim, t0 + NDP_REACHABLE_TIME + 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_STALE);
    /* Used while STALE: the packet goes, and DELAY begins. */
    naru_sim_run(sim, t0 + 40 * NARU_SEC, NULL, NULL);
    echo(a, sock, b_addr);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_DELAY);
    naru_time_t used = naru_sim_now(sim);
    naru_sim_run(sim, used + NDP_DELAY_FIRST_PROBE - 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_DELAY);
    assert_int_equal(counter(a, "ndp_tx_ns"), ns0);
    naru_sim_run(sim, used + NDP_DELAY_FIRST_PROBE + 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_PROBE);
    assert_int_equal(counter(a, "ndp_tx_ns"), ns0 + 1);
    naru_time_t probing = used + NDP_DELAY_FIRST_PROBE;
    naru_sim_run(sim, probing + NDP_MAX_UNICAST_SOLICIT * NDP_RETRANS_TIMER - 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_PROBE);
    assert_int_equal(counter(a, "ndp_tx_ns"), ns0 + NDP_MAX_UNICAST_SOLICIT);
    naru_sim_run(sim, probing + NDP_MAX_UNICAST_SOLICIT * NDP_RETRANS_TIMER + 100 * NARU_MS, NULL, NULL);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_FREE);
    /* Once more: INCOMPLETE, three solicitations, then the error. */
    echo(a, sock, b_addr);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_INCOMPLETE);
    run_for(sim, NDP_MAX_MULTICAST_SOLICIT * NDP_RETRANS_TIMER + 100 * NARU_MS);
    assert_int_equal(state_of(a, a_if, b_addr), NEIGH_FREE);
    assert_int_equal(counter(a, "ndp_tx_ns"), ns0 + NDP_MAX_UNICAST_SOLICIT + NDP_MAX_MULTICAST_SOLICIT);
    assert_int_equal(counter(a, "ndp_resolution_failed"), 1);
    assert_int_equal(counter(a, "icmp6_tx_errors"), 1);
    assert_int_equal(counter(a, "icmp6_rx_dest_unreachable"), 1);
    naru_sim_destroy(sim);
}

/* Two routers between the hosts' link and the servers' link, both
 * advertising with long router lifetimes. The one the default route goes
 * through dies in the middle of a TCP transfer: neighbour unreachability
 * detection gives up on it (RFC 4861 7.3.3), the other takes its place
 * (6.3.6) on both ends long before its router lifetime would have ended,
 * and the connection finishes. */
static void unreachable_default_router_is_replaced_and_tcp_recovers(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(32, &sim), 0);
    struct naru_sim_switch *lan = naru_sim_add_switch(sim, "lan"), *dc = naru_sim_add_switch(sim, "dc");
    struct naru_stack *r[2] = { naru_sim_add_router(sim, "r1", NULL), naru_sim_add_router(sim, "r2", NULL) };
    struct naru_stack *h = naru_sim_add_stack(sim, "h", NULL), *s = naru_sim_add_stack(sim, "s", NULL);
    struct naru_sim_link *cables[2][2];
    int r_lan[2];
    for (int i = 0; i < 2; i++) {
        char c1[32], c2[32];
        snprintf(c1, sizeof c1, "2001:db8:1::%d/64", i + 1);
        snprintf(c2, sizeof c2, "2001:db8:2::%d/64", i + 1);
        r_lan[i] = plug_cidr(sim, lan, r[i], c1, false, &cables[i][0]);
        int r_dc = plug_cidr(sim, dc, r[i], c2, false, &cables[i][1]);
        advertise(r[i], r_lan[i], net1, 86400, 86400, 1800);
        advertise(r[i], r_dc, net2, 86400, 86400, 1800);
    }
    int h_if = plug(sim, lan, h, true), s_if = plug(sim, dc, s, true);
    run_for(sim, 10 * NARU_SEC);
    const struct iface_addr6 *server = addr_with(s, s_if, IFA6_AUTOCONF);
    assert_non_null(server);
    assert_non_null(addr_with(h, h_if, IFA6_AUTOCONF));
    const struct route6 *d = default_route(h);
    assert_non_null(d);
    int dead = memcmp(d->gateway.v6, addr_with(r[0], r_lan[0], IFA6_LINK_LOCAL)->addr, 16) == 0 ? 0 : 1;
    struct tcp_flow f = { 0 };
    struct naru_addr to = naru_addr_v6(server->addr);
    tcp_flow_start_addr(&f, sim, h, s, &to, 80, 4000000, 4000000);
    run_for(sim, 1 * NARU_SEC);
    assert_false(tcp_flow_done(&f));
    naru_time_t killed = naru_sim_now(sim);
    naru_sim_link_set_loss(cables[dead][0], 1.0);
    naru_sim_link_set_loss(cables[dead][1], 1.0);
    naru_sim_run(sim, killed + 600 * NARU_SEC, tcp_flow_done, &f);
    assert_true(tcp_flow_ok(&f));
    /* Both ends now go through the live router, found within ReachableTime
     * + DELAY + probes of the last confirmation, not 1800 s. */
    assert_true(naru_sim_now(sim) - killed < 300 * NARU_SEC);
    const uint8_t *live_lan = addr_with(r[1 - dead], r_lan[1 - dead], IFA6_LINK_LOCAL)->addr;
    assert_memory_equal(default_route(h)->gateway.v6, live_lan, 16);
    assert_true(counter(r[1 - dead], "ip6_forwarded") > 1000);
    assert_int_equal(counter(h, "ndp_resolution_failed"), 0);
    tcp_flow_free(&f);
    naru_sim_destroy(sim);
}

/* A host on two links, a router advertising on each: the stack's one
 * default route goes through the first heard; when that router stops
 * (router lifetime 0), the other link's router takes over at once. */
static void default_router_of_a_second_interface_takes_over_at_once(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(33, &sim), 0);
    struct naru_sim_switch *sw[2] = { naru_sim_add_switch(sim, "one"), naru_sim_add_switch(sim, "two") };
    struct naru_stack *r[2] = { naru_sim_add_router(sim, "r1", NULL), naru_sim_add_router(sim, "r2", NULL) };
    struct naru_stack *h = naru_sim_add_stack(sim, "h", NULL);
    int r_if[2];
    for (int i = 0; i < 2; i++) {
        r_if[i] = plug(sim, sw[i], r[i], true);
        advertise(r[i], r_if[i], i ? net2 : net1, 3600, 1800, 1800);
        plug(sim, sw[i], h, true);
    }
    run_for(sim, 10 * NARU_SEC);
    const struct route6 *d = default_route(h);
    assert_non_null(d);
    int first = memcmp(d->gateway.v6, addr_with(r[0], r_if[0], IFA6_LINK_LOCAL)->addr, 16) == 0 ? 0 : 1;
    assert_int_equal(naru_if_set_router_advert(r[first], r_if[first], NULL), 0);
    run_for(sim, 100 * NARU_MS);
    d = default_route(h);
    assert_non_null(d);
    assert_memory_equal(d->gateway.v6, addr_with(r[1 - first], r_if[1 - first], IFA6_LINK_LOCAL)->addr, 16);
    naru_sim_destroy(sim);
}

/* RFC 4007 6: on a host with two links a link-local destination without
 * a scope is refused (EINVAL, as Linux) rather than sent out of the first
 * interface; with one, it goes out of the link named, from that link's
 * address. A host with one link needs none. TCP's segments, which name
 * no interface, leave by the link their link-local source is on. */
static void link_local_destination_needs_a_scope_on_a_two_link_host(void **state)
{
    (void)state;
    struct naru_sim *sim;
    assert_int_equal(naru_sim_create(34, &sim), 0);
    struct naru_sim_switch *sw[2] = { naru_sim_add_switch(sim, "one"), naru_sim_add_switch(sim, "two") };
    struct naru_stack *r[2] = { naru_sim_add_stack(sim, "r1", NULL), naru_sim_add_stack(sim, "r2", NULL) };
    struct naru_stack *h = naru_sim_add_stack(sim, "h", NULL);
    int r_if[2], h_if[2];
    for (int i = 0; i < 2; i++) {
        r_if[i] = plug(sim, sw[i], r[i], true);
        h_if[i] = plug(sim, sw[i], h, true);
    }
    run_for(sim, 3 * NARU_SEC);
    int rx = udp_socket(r[1], 9000);
    int tx = naru_socket(h, NARU_SOCK_DGRAM);
    struct naru_sockaddr to = { .addr = naru_addr_v6(addr_with(r[1], r_if[1], IFA6_LINK_LOCAL)->addr), .port = 9000 };
    assert_int_equal(naru_sendto(h, tx, "x", 1, 0, &to), -EINVAL);
    assert_int_equal(naru_connect(h, tx, &to), -EINVAL);
    int stream = naru_socket(h, NARU_SOCK_STREAM);
    assert_int_equal(naru_connect(h, stream, &to), -EINVAL);
    to.scope_id = NARU_SCOPE_ID(h_if[1]);
    assert_int_equal(naru_sendto(h, tx, "y", 1, 0, &to), 1);
    assert_true(wait_readable(sim, r[1], rx, NARU_SEC));
    char buf[4];
    struct naru_recv_info info;
    assert_int_equal(naru_recv_info(r[1], rx, buf, sizeof buf, 0, &info), 1);
    assert_int_equal(buf[0], 'y');
    assert_memory_equal(info.from.addr.v6, addr_with(h, h_if[1], IFA6_LINK_LOCAL)->addr, 16);
    /* r2 has one link: its answer needs no scope. */
    struct naru_sockaddr back = { .addr = info.from.addr, .port = info.from.port };
    assert_int_equal(naru_sendto(r[1], rx, "z", 1, 0, &back), 1);
    assert_true(wait_readable(sim, h, tx, NARU_SEC));
    assert_int_equal(naru_recv(h, tx, buf, sizeof buf, 0), 1);
    assert_int_equal(buf[0], 'z');
    /* TCP alike, both ways: h's connection to r2 leaves by link two, and
     * h's answer to r2's connection leaves by the link its address is on
     * (by the first link, neither would ever be established). */
    int r_listener = naru_socket(r[1], NARU_SOCK_STREAM), h_listener = naru_socket(h, NARU_SOCK_STREAM);
    assert_int_equal(naru_bind(r[1], r_listener, &(struct naru_sockaddr){ .port = 9001 }), 0);
    assert_int_equal(naru_listen(r[1], r_listener, 4), 0);
    assert_int_equal(naru_bind(h, h_listener, &(struct naru_sockaddr){ .port = 9002 }), 0);
    assert_int_equal(naru_listen(h, h_listener, 4), 0);
    int h_stream = naru_socket(h, NARU_SOCK_STREAM);
    to.port = 9001;
    int rc = naru_connect(h, h_stream, &to);
    assert_true(rc == 0 || rc == -EINPROGRESS);
    assert_true(wait_readable(sim, r[1], r_listener, NARU_SEC));
    assert_true(naru_accept(r[1], r_listener, NULL) >= 0);
    int r_stream = naru_socket(r[1], NARU_SOCK_STREAM);
    struct naru_sockaddr to_h = { .addr = naru_addr_v6(addr_with(h, h_if[1], IFA6_LINK_LOCAL)->addr), .port = 9002 };
    rc = naru_connect(r[1], r_stream, &to_h);
    assert_true(rc == 0 || rc == -EINPROGRESS);
    assert_true(wait_readable(sim, h, h_listener, NARU_SEC));
    assert_true(naru_accept(h, h_listener, NULL) >= 0);
    naru_close(h, stream);
    naru_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slaac_hosts_form_stable_addresses_and_a_default_route),
        cmocka_unit_test(router_stopping_ends_the_default_route_then_the_address_ages_out),
        cmocka_unit_test(forged_short_valid_lifetime_leaves_two_hours),
        cmocka_unit_test(later_host_finds_its_link_local_address_duplicate),
        cmocka_unit_test(manual_address_another_host_holds_is_found_duplicate),
        cmocka_unit_test(claimer_of_every_address_exhausts_bounded_retries),
        cmocka_unit_test(silent_neighbour_goes_stale_delay_probe_and_is_removed),
        cmocka_unit_test(unreachable_default_router_is_replaced_and_tcp_recovers),
        cmocka_unit_test(default_router_of_a_second_interface_takes_over_at_once),
        cmocka_unit_test(link_local_destination_needs_a_scope_on_a_two_link_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
