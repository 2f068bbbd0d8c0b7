/* What naru demo's chapters 6 and 7 claim, checked on the runs themselves
 * (tools/lessons.h) in the demo's world, for several seeds: a datagram to
 * an address where nobody is leaves anyway (its frames counted on the
 * links), ARP goes unanswered and it is dropped, an ICMP error comes back
 * from beyond a router and reaches a connected socket only; a client that
 * caches a name's answer reaches a moved server only once the answer's TTL
 * has run out. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons.h"
#include "naru/addr.h"

#define N_SEEDS 5

static const char zone[] = "$ORIGIN naru.test.\n$TTL 3600\n"
                           "@ IN SOA server hostmaster 1 3600 600 86400 60\n"
                           "@ IN NS server\n"
                           "server IN A 10.2.0.80\n";

/* Frames seen on the links, by what they carry. */
struct seen {
    uint32_t dst;              /* the address the experiment sends to */
    unsigned udp_sent[4];      /* UDP datagrams to dst put on link i */
    unsigned arp_asked;        /* ARP requests for dst, any link */
    unsigned arp_answered;     /* ARP replies from dst */
    unsigned icmp_delivered;   /* ICMP errors delivered to the client */
    unsigned lost;             /* frames the links lost */
};

struct world {
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    struct naru_sim_app *ns;
    struct naru_stack *client, *r1, *r2, *server;
    struct naru_sim_link *links[3];
    struct seen seen;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event ev, naru_time_t now,
                    const uint8_t *f, size_t len)
{
    (void)now;
    struct world *w = ctx;
    struct seen *s = &w->seen;
    if (ev == NARU_SIM_FRAME_LOST)
        s->lost++;
    if (len < 42)
        return;
    if (f[12] == 0x08 && f[13] == 0x06 && ev == NARU_SIM_FRAME_SENT) { /* ARP */
        uint16_t op = (uint16_t)(f[20] << 8 | f[21]);
        if (op == 1 && be32(f + 38) == s->dst)
            s->arp_asked++;
        if (op == 2 && be32(f + 28) == s->dst)
            s->arp_answered++;
        return;
    }
    if (f[12] != 0x08 || f[13] != 0x00)
        return;
    uint8_t proto = f[23];
    if (proto == 17 && be32(f + 30) == s->dst && ev == NARU_SIM_FRAME_SENT) {
        for (int i = 0; i < 3; i++)
            if (w->links[i] == link)
                s->udp_sent[i]++;
    }
    if (proto == 1 && f[34] == 3 && ev == NARU_SIM_FRAME_DELIVERED &&
        naru_sim_link_stack(link, 1 - from_end, NULL) == w->client)
        s->icmp_delivered++;
}

static struct naru_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return naru_addr_v4(naru_ip4(a, b, c, d));
}

/* The demo's world: client - r1 - (slow, lossy) - r2 - server, with the
 * server's name server for naru.test. */
static void build(struct world *w, uint64_t seed, double loss)
{
    memset(w, 0, sizeof *w);
    assert_int_equal(naru_sim_create(seed, &w->sim), 0);
    assert_int_equal(naru_sim_apps_create(w->sim, &w->apps), 0);
    naru_sim_set_observer(w->sim, observe, w);
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    w->r1 = naru_sim_add_router(w->sim, "r1", NULL);
    w->r2 = naru_sim_add_router(w->sim, "r2", NULL);
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    struct naru_sim_link_config lan = { .rate_bps = 1000000000, .delay = 50 * NARU_US };
    struct naru_sim_link_config wan = { .rate_bps = 10000000, .delay = 20 * NARU_MS, .loss = loss,
                                        .queue_frames = 100 };
    int c_if, s_if, r1_wan, r2_wan;
    assert_int_equal(naru_sim_add_link(w->sim, "lan1", &lan, &w->links[0]), 0);
    assert_int_equal(naru_sim_link_attach(w->links[0], 0, w->client, "10.1.0.2/24", &c_if), 0);
    assert_int_equal(naru_sim_link_attach(w->links[0], 1, w->r1, "10.1.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "wan", &wan, &w->links[1]), 0);
    assert_int_equal(naru_sim_link_attach(w->links[1], 0, w->r1, "10.9.0.1/30", &r1_wan), 0);
    assert_int_equal(naru_sim_link_attach(w->links[1], 1, w->r2, "10.9.0.2/30", &r2_wan), 0);
    assert_int_equal(naru_sim_add_link(w->sim, "lan2", &lan, &w->links[2]), 0);
    assert_int_equal(naru_sim_link_attach(w->links[2], 0, w->r2, "10.2.0.1/24", NULL), 0);
    assert_int_equal(naru_sim_link_attach(w->links[2], 1, w->server, "10.2.0.80/24", &s_if), 0);
    struct naru_addr any = { .family = NARU_AF_INET }, gw1 = v4(10, 1, 0, 1), gw2 = v4(10, 2, 0, 1);
    struct naru_addr net1 = v4(10, 1, 0, 0), net2 = v4(10, 2, 0, 0), via1 = v4(10, 9, 0, 1), via2 = v4(10, 9, 0, 2);
    assert_int_equal(naru_route_add(w->client, &any, 0, &gw1, c_if), 0);
    assert_int_equal(naru_route_add(w->server, &any, 0, &gw2, s_if), 0);
    assert_int_equal(naru_route_add(w->r1, &net2, 24, &via2, r1_wan), 0);
    assert_int_equal(naru_route_add(w->r2, &net1, 24, &via1, r2_wan), 0);
    struct naru_sim_app_config ns = { .kind = NARU_SIM_DNS_SERVER, .name = "ns", .from = w->server, .zone = zone,
                                      .origin = "naru.test" };
    assert_int_equal(naru_sim_app_add(w->apps, &ns, &w->ns), 0);
    naru_sim_run(w->sim, NARU_SEC, NULL, NULL); /* the gratuitous ARPs land */
    /* Every router and host has met its neighbours, as after the demo's
     * first chapters: a ping each way. */
    struct naru_sim_app_config ping = { .kind = NARU_SIM_PING, .from = w->client, .to = w->server, .count = 3,
                                        .interval = 100 * NARU_MS, .start = naru_sim_now(w->sim) };
    assert_int_equal(naru_sim_app_add(w->apps, &ping, NULL), 0);
    naru_sim_run(w->sim, naru_sim_now(w->sim) + 5 * NARU_SEC, NULL, NULL);
}

static void destroy(struct world *w)
{
    naru_sim_apps_destroy(w->apps);
    naru_sim_destroy(w->sim);
}

static void send_to(struct world *w, uint32_t dst, struct naru_stack *asker, bool connected, struct lesson_send *r)
{
    memset(&w->seen, 0, sizeof w->seen);
    w->seen.dst = dst;
    struct naru_sockaddr to = naru_sockaddr_v4(dst, 4000);
    assert_int_equal(lesson_send(w->sim, w->client, asker, &to, connected, 5 * NARU_SEC, r), 0);
    assert_int_equal(r->sent, 24); /* the program's send said yes, every time */
}

static void datagram_to_nobody_on_the_own_network_waits_for_arp_and_is_dropped_untold(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        struct world w;
        build(&w, seed, 0.02);
        struct lesson_send r;
        send_to(&w, naru_ip4(10, 1, 0, 99), w.client, false, &r);
        assert_int_equal(w.seen.arp_asked, 3);       /* RFC 1122: a few requests, then give up */
        assert_int_equal(r.arp_requests, 3);
        assert_int_equal(w.seen.arp_answered, 0);
        assert_int_equal(r.arp_failed, 1);           /* the datagram, dropped */
        assert_int_equal(w.seen.udp_sent[0], 0);     /* it never got a MAC address to go to */
        assert_int_equal(r.error, 0);                /* and the program was told nothing */
        destroy(&w);
    }
}

static void datagram_beyond_a_router_leaves_and_host_unreachable_comes_back(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        struct world w;
        build(&w, seed, 0);
        struct lesson_send r;
        send_to(&w, naru_ip4(10, 2, 0, 99), w.r2, true, &r);
        assert_int_equal(w.seen.udp_sent[0], 1);     /* it left the client */
        assert_int_equal(w.seen.udp_sent[1], 1);     /* and crossed r1 */
        assert_int_equal(w.seen.udp_sent[2], 0);     /* r2 had no MAC address for it */
        assert_int_equal(w.seen.arp_asked, 3);
        assert_int_equal(w.seen.arp_answered, 0);
        assert_int_equal(r.arp_failed, 1);
        assert_true(r.icmp);
        assert_int_equal(w.seen.icmp_delivered, 1);
        assert_int_equal(r.icmp_error.type, 3);
        assert_int_equal(r.icmp_error.code, 1);      /* host unreachable */
        assert_int_equal(r.icmp_error.offender.v4, naru_ip4(10, 9, 0, 2)); /* r2, toward the sender */
        assert_int_equal(r.error, -EHOSTUNREACH);    /* the connected socket hears of it */
        destroy(&w);
    }
}

static void lost_on_the_way_the_sender_hears_nothing_else_it_hears_the_error(void **state)
{
    (void)state;
    unsigned heard = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct world w;
        build(&w, seed, 0.3);
        struct lesson_send r;
        send_to(&w, naru_ip4(10, 2, 0, 99), w.r2, true, &r);
        if (r.icmp) {
            heard++;
            assert_int_equal(r.error, -EHOSTUNREACH);
        } else {
            assert_true(w.seen.lost > 0);            /* silence only when a link lost something */
            assert_int_equal(r.error, 0);
        }
        destroy(&w);
    }
    assert_true(heard > 0 && heard < 12);           /* both stories happen at 30% loss */
}

static void datagram_to_a_closed_port_gets_port_unreachable_told_only_when_connected(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        struct world w;
        build(&w, seed, 0);
        for (int connected = 0; connected < 2; connected++) {
            struct lesson_send r;
            send_to(&w, naru_ip4(10, 2, 0, 80), w.r2, connected, &r);
            assert_int_equal(w.seen.udp_sent[2], 1); /* it reached the server's network */
            assert_true(r.icmp);                     /* the host heard the error */
            assert_int_equal(r.icmp_error.code, 3);  /* port unreachable */
            assert_int_equal(r.icmp_error.offender.v4, naru_ip4(10, 2, 0, 80));
            assert_int_equal(r.error, connected ? -ECONNREFUSED : 0);
        }
        destroy(&w);
    }
}

static void client_reaches_the_moved_server_only_after_the_ttl_runs_out(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        struct world w;
        build(&w, seed, 0.02);
        struct naru_stack *server2;
        assert_int_equal(lesson_add_new_home(w.sim, w.r1, w.r2, "server2", &server2), 0);
        naru_sim_run(w.sim, naru_sim_now(w.sim) + NARU_SEC, NULL, NULL);
        uint32_t old_addr = naru_ip4(10, 2, 0, 80), new_addr = naru_ip4(10, 3, 0, 80);
        struct lesson_move_config c = {
            .sim = w.sim, .dns = w.ns, .zone = zone, .label = "shop", .name = "shop.naru.test", .ttl = 5,
            .client = w.client, .old_host = w.server, .new_host = server2, .old_addr = old_addr,
            .new_addr = new_addr, .dns_server = naru_sockaddr_v4(old_addr, 53), .port = 8080, .tries = 10,
            .interval = NARU_SEC, .try_timeout = 2 * NARU_SEC, .move_after = 2500 * NARU_MS,
        };
        struct lesson_move r;
        char why[256];
        assert_int_equal(lesson_move(&c, &r, why, sizeof why), 0);
        assert_true(r.expires_at > r.moved_at);      /* the cached answer outlived the record */
        bool reached_new = false, failed_old = false;
        for (unsigned i = 0; i < r.count; i++) {
            const struct lesson_try *t = &r.tries[i];
            assert_true(t->done >= t->at);
            if (t->lookup)
                continue;
            if (t->answered < r.expires_at)
                assert_int_equal(t->addr, old_addr); /* the cache said the old address */
            if (t->addr == new_addr) {
                assert_true(t->answered >= r.expires_at); /* only once the TTL ran out */
                reached_new = reached_new || t->result == 0;
            } else if (t->at > r.moved_at) {
                assert_int_not_equal(t->result, 0);  /* nothing there any more */
                failed_old = true;
            }
        }
        assert_true(failed_old);
        assert_true(reached_new);
        assert_true(r.queries >= 2);                 /* asked again after the TTL */
        destroy(&w);
    }
}

static void zone_update_replaces_the_record_and_a_bad_one_keeps_the_old(void **state)
{
    (void)state;
    struct world w;
    build(&w, 1, 0);
    char err[256];
    assert_int_equal(naru_sim_dns_server_update(w.ns, "$ORIGIN naru.test.\nbroken line here\n", err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "zone update"));
    destroy(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(datagram_to_nobody_on_the_own_network_waits_for_arp_and_is_dropped_untold),
        cmocka_unit_test(datagram_beyond_a_router_leaves_and_host_unreachable_comes_back),
        cmocka_unit_test(lost_on_the_way_the_sender_hears_nothing_else_it_hears_the_error),
        cmocka_unit_test(datagram_to_a_closed_port_gets_port_unreachable_told_only_when_connected),
        cmocka_unit_test(client_reaches_the_moved_server_only_after_the_ttl_runs_out),
        cmocka_unit_test(zone_update_replaces_the_record_and_a_bad_one_keeps_the_old),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
