/* naru demo --ipv6: the IPv6 story (issue 11). The world is the IPv4
 * story's (client - r1 == r2 - server, the slow link between the routers)
 * speaking IPv6 alone. The client is switched on last, with no address:
 * it forms its own (RFC 4862, identifiers by RFC 7217 from the stack's
 * secret, so a seed gives the same ones), learns its network and router
 * from r1's advertisements, and finds its neighbours with NDP (RFC 4861)
 * where IPv4 used ARP. Every frame shown is one the captures hold. */
#include "demo_ipv6.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo_text.h"
#include "i18n.h"
#include "naru/addr.h"
#include "naru/apps.h"
#include "naru/sim.h"
#include "naru/simapp.h"

#define PROG "naru demo"
#define SERVER_NAME "www.naru.test"
#define PAGE_BYTES 4000
#define GLOSS "                 "

enum phase { QUIET, EVERY_FRAME, CLIENT_LINK };

/* The kinds of frame a short explanation is given for, once each. */
enum kind { K_OTHER, K_MLD, K_DAD, K_RS, K_RA, K_NS, K_NS_PROBE, K_NA, K_ECHO, K_COUNT };

struct story {
    struct naru_sim *sim;
    struct naru_sim_apps *apps;
    struct naru_stack *client, *r1, *r2, *server;
    struct naru_sim_link *lan1, *wan, *lan2;
    int client_if, r1_lan;
    struct naru_replay *replay;
    bool quiet;
    enum phase phase;
    bool glossed[K_COUNT];
    int echo_hop_limit[3];     /* of the first echo request on lan1, wan, lan2; -1 none yet */
};

static const char *const server_text = "2001:db8:2::80";

/* The story's words: printed, and kept for the replay page, where a
 * numbered heading ("\n3. ...") starts a chapter (as cmd_demo.c's say()). */
__attribute__((format(printf, 2, 3))) static void say(const struct story *s, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (s->replay) {
        const char *body = text;
        const char *eol = strchr(text + 1, '\n');
        if (text[0] == '\n' && text[1] >= '1' && text[1] <= '9' && eol) {
            char title[256];
            snprintf(title, sizeof title, "%.*s", (int)(eol - text - 1), text + 1);
            naru_replay_chapter(s->replay, title, naru_sim_now(s->sim));
            body = eol + 1;
        }
        naru_replay_narrate(s->replay, body);
    }
    if (!s->quiet)
        fputs(text, stdout);
}

/* ---- reading frames: what kind of IPv6 message, and its hop limit ---- */

static enum kind kind_of(const uint8_t *f, size_t len)
{
    if (len < 14 + 40 + 4 || f[12] != 0x86 || f[13] != 0xdd)
        return K_OTHER;
    const uint8_t *ip = f + 14;
    size_t at = 14 + 40;
    uint8_t next = ip[6];
    if (next == 0 && len >= at + 8) { /* hop-by-hop options: MLD's router alert */
        next = f[at];
        at += (size_t)(f[at + 1] + 1) * 8;
    }
    if (next != 58 || len < at + 4)
        return K_OTHER;
    static const uint8_t unspecified[16];
    switch (f[at]) {
    case 128: return K_ECHO;
    case 133: return K_RS;
    case 134: return K_RA;
    case 135:
        if (!memcmp(ip + 8, unspecified, 16))
            return K_DAD;
        return ip[24] == 0xff ? K_NS : K_NS_PROBE;
    case 136: return K_NA;
    case 143: return K_MLD;
    default: return K_OTHER;
    }
}

static const char *gloss_of(enum kind k)
{
    switch (k) {
    case K_MLD:
        return _("MLD: it tells the routers which multicast groups to bring it: for each of\n"
                 "                 its addresses, the solicited-node group (ff02::1:ff and the address's last\n"
                 "                 24 bits), where others will ask for that address\n");
    case K_DAD:
        return _("DAD: \"is anybody using this address?\", sent from :: (it has no address\n"
                 "                 yet) to the address's solicited-node group; an answer would mean a duplicate\n");
    case K_RS: return _("\"are there routers here?\", to ff02::2, all the routers on the link\n");
    case K_RA:
        return _("the router's answer, to ff02::1 (everyone): the network's prefix, and itself\n"
                 "                 as the default router, with its MAC address\n");
    case K_NS:
        return _("NDP's \"who has\": not a broadcast like ARP's, but a multicast to the\n"
                 "                 solicited-node group of the address asked for, which only its owner joined\n");
    case K_NS_PROBE:
        return _("a unicast \"who has\" straight to the MAC it knows: a check that the\n"
                 "                 neighbour is still there (the entry was STALE)\n");
    case K_NA: return _("the owner answers to the asker alone: \"it is me, at this MAC address\"\n");
    default: return NULL;
    }
}

static void observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event ev, naru_time_t now,
                    const uint8_t *frame, size_t len)
{
    struct story *s = ctx;
    if (s->replay)
        naru_replay_observe(s->replay, link, from_end, ev, now, frame, len);
    if (ev != NARU_SIM_FRAME_DELIVERED && ev != NARU_SIM_FRAME_LOST)
        return;
    enum kind k = kind_of(frame, len);
    if (k == K_ECHO && ev == NARU_SIM_FRAME_DELIVERED) {
        int at = link == s->lan1 ? 0 : link == s->wan ? 1 : 2;
        if (s->echo_hop_limit[at] < 0)
            s->echo_hop_limit[at] = frame[14 + 7];
    }
    if (s->quiet || s->phase == QUIET || (s->phase == CLIENT_LINK && link != s->lan1))
        return;
    const char *from = naru_sim_stack_name(s->sim, naru_sim_link_stack(link, from_end, NULL));
    const char *to = naru_sim_stack_name(s->sim, naru_sim_link_stack(link, 1 - from_end, NULL));
    demo_frame_line(now, from, to, ev == NARU_SIM_FRAME_LOST ? _("LOST: ") : "", frame, len);
    const char *gloss = gloss_of(k);
    if (gloss && ev == NARU_SIM_FRAME_DELIVERED && !s->glossed[k]) {
        s->glossed[k] = true;
        printf(GLOSS "%s", gloss);
    }
}

/* The stacks' own words on addresses (src/ip/addrconf.c) and neighbours
 * (demo_neighbour_words) in the user's language, matched by their English
 * form; any other message is not shown. */
static const char *stack_words(const char *message, char *buf, size_t cap)
{
    char ifname[17], a[64];
    unsigned plen;
    /* sscanf cannot tell a literal after the last conversion matched, so
     * each form is told apart by its words first. */
    if (strstr(message, " tentative (") && sscanf(message, "%16[^:]: %63[^/]/%u", ifname, a, &plen) == 3)
        snprintf(buf, cap, _("%s/%u is tentative: duplicate address detection first"), a, plen);
    else if (strstr(message, " is ours (") && sscanf(message, "%16[^:]: %63[^/]/%u", ifname, a, &plen) == 3)
        snprintf(buf, cap, _("%s/%u is ours: nobody else uses it"), a, plen);
    else if (strstr(message, " is a duplicate (") && sscanf(message, "%16[^:]: %63s", ifname, a) == 2)
        snprintf(buf, cap, _("%s is a duplicate: another node holds it"), a);
    else
        return demo_neighbour_words(message, buf, cap);
    return buf;
}

static void on_log(void *ctx, const char *node, naru_time_t now, enum naru_log_level level, enum naru_layer layer,
                   const char *message)
{
    (void)level;
    struct story *s = ctx;
    if (s->quiet || s->phase == QUIET || (layer != NARU_LAYER_IP && layer != NARU_LAYER_NDP))
        return;
    if (s->phase == CLIENT_LINK && strcmp(node, "client") && strcmp(node, "r1"))
        return;
    char words[200];
    const char *w = stack_words(message, words, sizeof words);
    if (w)
        printf("  %9.3f ms  %-6s (%s) %s\n", demo_ms(now), node, layer == NARU_LAYER_NDP ? "NDP" : "IPv6", w);
}

/* ---- the world ---- */

static struct naru_addr addr_of(const char *text)
{
    struct naru_addr a = { 0 };
    naru_addr_parse(text, &a);
    return a;
}

static int build(struct story *s, const struct demo_ipv6_options *o)
{
    int err = naru_sim_create(o->seed, &s->sim);
    if (!err)
        err = naru_sim_apps_create(s->sim, &s->apps);
    if (err < 0)
        return err;
    naru_sim_set_log(s->sim, on_log, s, NARU_LOG_INFO);
    naru_sim_set_observer(s->sim, observe, s);
    if (o->html && !(s->replay = naru_replay_new(s->sim)))
        return -ENOMEM;
    if (s->replay && o->page_words && (err = o->page_words(s->replay)) < 0)
        return err;
    if (o->pcap && (err = naru_sim_capture(s->sim, o->pcap)) < 0)
        return err;
    s->client = naru_sim_add_stack(s->sim, "client", NULL);
    s->r1 = naru_sim_add_router(s->sim, "r1", NULL);
    s->r2 = naru_sim_add_router(s->sim, "r2", NULL);
    s->server = naru_sim_add_stack(s->sim, "server", NULL);
    if (!s->client || !s->r1 || !s->r2 || !s->server)
        return -ENOMEM;
    struct naru_sim_link_config lan = { .rate_bps = 1000000000, .delay = 50 * NARU_US };
    struct naru_sim_link_config wan = { .rate_bps = o->bandwidth, .delay = o->delay, .loss = o->loss,
                                        .reorder = o->reorder, .reorder_delay = 5 * NARU_MS, .queue_frames = 100 };
    int r1_wan, r2_wan, s_if;
    if ((err = naru_sim_add_link(s->sim, "lan1", &lan, &s->lan1)) < 0 ||
        (err = naru_sim_link_attach(s->lan1, 1, s->r1, "2001:db8:1::1/64", &s->r1_lan)) < 0 ||
        (err = naru_sim_add_link(s->sim, "wan", &wan, &s->wan)) < 0 ||
        (err = naru_sim_link_attach(s->wan, 0, s->r1, "2001:db8:9::1/64", &r1_wan)) < 0 ||
        (err = naru_sim_link_attach(s->wan, 1, s->r2, "2001:db8:9::2/64", &r2_wan)) < 0 ||
        (err = naru_sim_add_link(s->sim, "lan2", &lan, &s->lan2)) < 0 ||
        (err = naru_sim_link_attach(s->lan2, 0, s->r2, "2001:db8:2::1/64", NULL)) < 0 ||
        (err = naru_sim_link_attach(s->lan2, 1, s->server, "2001:db8:2::80/64", &s_if)) < 0)
        return err;
    struct naru_addr lan1 = addr_of("2001:db8:1::"), lan2 = addr_of("2001:db8:2::"), any = { .family = NARU_AF_INET6 };
    struct naru_addr via_r2 = addr_of("2001:db8:9::2"), via_r1 = addr_of("2001:db8:9::1"), r2 = addr_of("2001:db8:2::1");
    if ((err = naru_route_add(s->r1, &lan2, 64, &via_r2, r1_wan)) < 0 ||
        (err = naru_route_add(s->r2, &lan1, 64, &via_r1, r2_wan)) < 0 ||
        (err = naru_route_add(s->server, &any, 0, &r2, s_if)) < 0)
        return err;
    /* r1 advertises lan1's prefix, as radvd would; MaxRtrAdvInterval at
     * its longest, so that few unsolicited advertisements interrupt. */
    struct naru_router_advert ra;
    naru_router_advert_default(&ra);
    ra.max_interval = 1800 * NARU_SEC;
    ra.min_interval = 1350 * NARU_SEC;
    ra.router_lifetime_s = 1800;
    struct naru_ra_prefix prefix = { .prefix = lan1, .len = 64, .on_link = true, .autonomous = true,
                                     .valid_s = 86400, .preferred_s = 14400 };
    if ((err = naru_if_set_router_advert(s->r1, s->r1_lan, &ra)) < 0 ||
        (err = naru_if_advertise_prefix(s->r1, s->r1_lan, &prefix)) < 0)
        return err;
    /* The client's cable is plugged in, but it is switched on only in
     * chapter 1. */
    if ((err = naru_sim_link_attach(s->lan1, 0, s->client, NULL, &s->client_if)) < 0)
        return err;
    for (int i = 0; i < 3; i++)
        s->echo_hop_limit[i] = -1;
    return 0;
}

/* ---- what a stack holds ---- */

struct if_state {
    struct naru_if_addr addrs[8];
    int count;
};

static void addresses_of(const struct naru_stack *st, int ifindex, struct if_state *out)
{
    int n = naru_if_get_addrs(st, ifindex, out->addrs, 8);
    out->count = n < 0 ? 0 : n > 8 ? 8 : n;
}

static bool has_tentative(const struct if_state *st)
{
    for (int i = 0; i < st->count; i++)
        if (st->addrs[i].flags & NARU_IFA_TENTATIVE)
            return true;
    return false;
}

static const struct naru_if_addr *find_addr(const struct if_state *st, bool link_local)
{
    for (int i = 0; i < st->count; i++)
        if (st->addrs[i].addr.family == NARU_AF_INET6 && naru_addr_is_link_local(&st->addrs[i].addr) == link_local)
            return &st->addrs[i];
    return NULL;
}

static void show_addresses(const struct story *s, struct naru_stack *st, int ifindex)
{
    struct if_state now;
    addresses_of(st, ifindex, &now);
    for (int i = 0; i < now.count; i++) {
        char a[NARU_ADDR_STRLEN], text[80];
        const struct naru_if_addr *x = &now.addrs[i];
        snprintf(text, sizeof text, "%s/%u", naru_addr_format(&x->addr, a), x->prefix_len);
        const char *what = naru_addr_is_link_local(&x->addr) ? _("link-local: this link only")
                           : (x->flags & NARU_IFA_AUTOCONF) ? _("global, from the router's prefix (SLAAC)")
                                                            : _("global, given by hand");
        say(s, "     %-6s %-40s %s%s\n", naru_sim_stack_name(s->sim, st), text, what,
            x->flags & NARU_IFA_TENTATIVE ? _(", tentative") : "");
    }
}

/* The neighbour caches: for each stack, which of its links' other ends'
 * addresses it holds a MAC address for. */
static void show_neighbours(const struct story *s)
{
    for (unsigned l = 0; l < naru_sim_link_count(s->sim); l++) {
        struct naru_sim_link *link = naru_sim_link(s->sim, l);
        for (int end = 0; end < 2; end++) {
            int my_if, their_if;
            struct naru_stack *me = naru_sim_link_stack(link, end, &my_if);
            struct naru_stack *them = naru_sim_link_stack(link, 1 - end, &their_if);
            if (!me || !them)
                continue;
            struct if_state theirs;
            addresses_of(them, their_if, &theirs);
            for (int i = 0; i < theirs.count; i++) {
                uint8_t mac[6];
                char a[NARU_ADDR_STRLEN];
                if (naru_neighbour_lookup(me, my_if, &theirs.addrs[i].addr, mac) < 0)
                    continue;
                say(s, "     %-6s %-4s %-32s %02x:%02x:%02x:%02x:%02x:%02x (%s)\n", naru_sim_stack_name(s->sim, me),
                    naru_sim_link_name(link), naru_addr_format(&theirs.addrs[i].addr, a), mac[0], mac[1], mac[2],
                    mac[3], mac[4], mac[5], naru_sim_stack_name(s->sim, them));
            }
        }
    }
}

/* Run until the client's addresses are all past duplicate address
 * detection, or `limit` has passed. */
static bool client_settled(void *ctx)
{
    struct story *s = ctx;
    struct if_state st;
    addresses_of(s->client, s->client_if, &st);
    return find_addr(&st, false) && !has_tentative(&st);
}

/* ---- the chapters ---- */

static void chapter_world(struct story *s, const struct demo_ipv6_options *o)
{
    char rate[32];
    if (o->bandwidth >= 1000000)
        snprintf(rate, sizeof rate, "%g Mbit/s", (double)o->bandwidth / 1e6);
    else
        snprintf(rate, sizeof rate, "%g kbit/s", (double)o->bandwidth / 1e3);
    printf(_("naru demo --ipv6, seed %llu: the same two computers, speaking IPv6.\n\n"),
           (unsigned long long)o->seed);
    say(s,
        _("  client ------ r1 ================== r2 ------ server  (%s)\n"
          "  (no address)      %s, %g ms             2001:db8:2::80/64\n"
          "  2001:db8:1::/64   2001:db8:9::/64       2001:db8:2::/64\n\n"
          "An IPv6 address is 128 bits, written in hexadecimal groups: 2001:db8:2::80\n"
          "is 2001:0db8:0002:0000:0000:0000:0000:0080, \"::\" standing for the zeros.\n"
          "Its first 64 bits name the network (the prefix), the last 64 the computer\n"
          "on it (the interface identifier). The routers and the server were given\n"
          "their addresses by hand. The client gets none: it is switched on last, and\n"
          "must find its own.\n"),
        SERVER_NAME, rate, demo_ms(o->delay));
}

static int chapter_wake(struct story *s)
{
    say(s, _("\n1. Waking up with no address: link-local, DAD, MLD\n"
             "   With no address given, an IPv6 computer still makes itself one at once,\n"
             "   good on its own link only: fe80:: and an interface identifier. naru\n"
             "   derives the identifier from a secret of the stack and the network\n"
             "   (RFC 7217), not from the MAC address. Before using the address it asks\n"
             "   the link whether anybody else has it (duplicate address detection), and\n"
             "   waits a second for an answer. It asks for routers at the same time.\n\n"));
    int err = naru_if_up(s->client, s->client_if);
    if (err < 0)
        return err;
    s->phase = EVERY_FRAME;
    naru_time_t start = naru_sim_now(s->sim);
    naru_sim_run(s->sim, start + 10 * NARU_SEC, client_settled, s);
    /* The last MLD report repeats the first (RFC 3810 6.1) and comes soon after. */
    naru_sim_run(s->sim, naru_sim_now(s->sim) + 500 * NARU_MS, NULL, NULL);
    s->phase = QUIET;
    struct if_state st;
    addresses_of(s->client, s->client_if, &st);
    const struct naru_if_addr *ll = find_addr(&st, true);
    if (!ll) {
        say(s, _("\n   The client has no link-local address: its identifier was taken.\n"));
        return 0;
    }
    char a[NARU_ADDR_STRLEN];
    uint8_t mac[6];
    naru_if_get_mac(s->client, s->client_if, mac);
    say(s, _("\n   Nobody answered, so %s is the client's.\n"
             "   Its last 64 bits are not made from the MAC address (%02x:%02x:%02x:%02x:%02x:%02x) as\n"
             "   with the old EUI-64 way, which would follow the computer from network to\n"
             "   network.\n"),
        naru_addr_format(&ll->addr, a), mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return 0;
}

static int chapter_router(struct story *s)
{
    say(s, _("\n2. The router speaks: router advertisement and SLAAC\n"
             "   r1's advertisement (above) told the client three things: the network's\n"
             "   prefix, 2001:db8:1::/64, with the A flag (\"make your own address from it\");\n"
             "   that r1 is a default router for 1800 s; and r1's MAC address. The client\n"
             "   made a second address from the prefix (stateless address\n"
             "   autoconfiguration, SLAAC: no server keeps a list), checked it with DAD\n"
             "   as the first, and now has these addresses:\n\n"));
    show_addresses(s, s->client, s->client_if);
    struct if_state st;
    addresses_of(s->client, s->client_if, &st);
    const struct naru_if_addr *g = find_addr(&st, false);
    if (!g) {
        say(s, _("\n   No global address: no advertisement came. The client can speak on its\n"
                 "   own link only.\n"));
        return 0;
    }
    char a[NARU_ADDR_STRLEN], iid[NARU_ADDR_STRLEN];
    struct naru_addr id = g->addr;
    memset(id.v6, 0, 8); /* the identifier alone: ::xxxx:xxxx:xxxx:xxxx */
    naru_addr_format(&id, iid);
    say(s, _("\n   The global address is the prefix 2001:db8:1::/64 and the identifier %s\n"
             "   (its last 64 bits): another identifier than the link-local one's, as\n"
             "   RFC 7217 wants one for each prefix, so that the client's networks cannot be\n"
             "   told apart by it. The same seed gives the same secret, and the same addresses.\n"),
        iid + 2);
    say(s, _("   The default route goes to r1's link-local address, the source of its\n"
             "   advertisement: routers are known by their link-local addresses, which do\n"
             "   not change when the network is renumbered. %s can reach the whole\n"
             "   Internet now.\n"),
        naru_addr_format(&g->addr, a));
    return 0;
}

/* Run one application to its end, telling its frames as asked. */
static int run_app(struct story *s, const struct naru_sim_app_config *c, enum phase phase,
                   struct naru_sim_app_result *r, struct naru_sim_app **out)
{
    s->phase = phase;
    int err = demo_run_app(s->sim, s->apps, c, NARU_SEC, r, out);
    s->phase = QUIET;
    return err;
}

static int chapter_neighbours(struct story *s)
{
    say(s, _("\n3. Neighbour discovery instead of ARP\n"
             "   The client pings the server (%s). On each link the sender needs\n"
             "   the next hop's MAC address: IPv4 broadcast an ARP request to every computer\n"
             "   on the link; IPv6 sends a neighbour solicitation to the solicited-node\n"
             "   group of the address it looks for, which only that address's owner joined\n"
             "   (with MLD, in chapter 1). The client already knows r1's MAC address from\n"
             "   the advertisement. Watch the hop limit (IPv4's TTL) fall at each router.\n\n"),
        server_text);
    struct naru_sim_app_config c = { .kind = NARU_SIM_PING, .from = s->client, .to = s->server,
                                     .dst = addr_of(server_text), .count = 1, .timeout = 3 * NARU_SEC };
    struct naru_sim_app_result r;
    int err = run_app(s, &c, EVERY_FRAME, &r, NULL);
    if (err < 0)
        return err;
    if (r.received)
        say(s, _("\n   The reply came back after %.3f ms.\n"), demo_ms(r.rtt_min));
    else
        say(s, _("\n   No reply: the link lost the request or its answer.\n"));
    say(s, _("\n   What each neighbour cache holds now (node, link, address, MAC):\n"));
    show_neighbours(s);
    say(s, _("\n   An entry answered by a neighbour advertisement is REACHABLE (RFC 4861 7.3):\n"
             "   used without asking, for about 30 s (ReachableTime, drawn from 15 to 45 s).\n"
             "   One learned in passing, as the client learned r1's from its advertisement\n"
             "   and the server r2's from its solicitation, is STALE: used, but checked\n"
             "   when it is. An entry being asked for is INCOMPLETE, and the packets for it\n"
             "   wait. Fifty seconds pass now, every entry goes STALE, and the client\n"
             "   pings again.\n\n"));
    naru_sim_run(s->sim, naru_sim_now(s->sim) + 50 * NARU_SEC, NULL, NULL);
    err = run_app(s, &c, EVERY_FRAME, &r, NULL);
    if (err < 0)
        return err;
    /* DELAY_FIRST_PROBE_TIME is 5 s (RFC 4861 10): the probes come then. */
    s->phase = EVERY_FRAME;
    naru_sim_run(s->sim, naru_sim_now(s->sim) + 5 * NARU_SEC, NULL, NULL);
    s->phase = QUIET;
    say(s, _("\n   This time the ping went at once: a STALE entry is still used (DELAY). Five\n"
             "   seconds later, with no sign from the neighbour meanwhile, each sender\n"
             "   checked its entry with a unicast solicitation (PROBE), and the answer made\n"
             "   it REACHABLE again (RFC 4861 7.3.3).\n"));
    return 0;
}

static int chapter_hops(struct story *s)
{
    say(s, _("\n4. Across the routers: hop limit, ping and traceroute\n"));
    static const char *const links[3] = { "lan1", "wan", "lan2" };
    bool all = true;
    for (int i = 0; i < 3; i++)
        all = all && s->echo_hop_limit[i] >= 0;
    if (all)
        say(s, _("   The first echo request had hop limit %d on %s, %d on %s and %d on %s:\n"
                 "   each router takes one off, and one that takes it to 0 drops the packet and\n"
                 "   says so (ICMPv6 \"time exceeded\"). Unlike IPv4, no router fragments an IPv6\n"
                 "   packet and there is no header checksum to redo: less work at each hop.\n"),
            s->echo_hop_limit[0], links[0], s->echo_hop_limit[1], links[1], s->echo_hop_limit[2], links[2]);
    struct naru_sim_app_config c = { .kind = NARU_SIM_PING, .from = s->client, .to = s->server,
                                     .dst = addr_of(server_text), .count = 10, .interval = 100 * NARU_MS,
                                     .timeout = NARU_SEC };
    struct naru_sim_app_result r;
    int err = run_app(s, &c, QUIET, &r, NULL);
    if (err < 0)
        return err;
    if (r.received)
        say(s, _("   Ten more pings: %u replies, round trips %.3f to %.3f ms.\n"), r.received, demo_ms(r.rtt_min),
            demo_ms(r.rtt_max));
    else
        say(s, _("   Ten more pings: no reply at all.\n"));
    say(s, _("   traceroute, with hop limits 1, 2, 3... (the probes are UDP datagrams):\n"));
    struct naru_sim_app_config t = { .kind = NARU_SIM_TRACEROUTE, .from = s->client, .to = s->server,
                                     .dst = addr_of(server_text), .max_ttl = 8, .timeout = NARU_SEC };
    struct naru_sim_app *app;
    if ((err = run_app(s, &t, QUIET, &r, &app)) < 0)
        return err;
    char text[2048];
    naru_sim_app_summary(app, text, sizeof text);
    const char *lines = strchr(text, '\n');
    say(s, "%s", lines ? lines + 1 : text);
    say(s, _("   Each router answered from the address of the interface the probe came in\n"
             "   by: r2 from 2001:db8:9::2, on the link between the routers.\n"));
    return 0;
}

/* naru.test, served by the server: AAAA records, IPv6's A. */
static const char zone6[] = "$ORIGIN naru.test.\n$TTL 3600\n"
                            "@ IN SOA server hostmaster 1 3600 600 86400 60\n"
                            "@ IN NS server\n"
                            "server IN AAAA 2001:db8:2::80\n"
                            "www IN CNAME server\n";

struct lookup_wait {
    struct naru_lookup *lookup;
};

static bool lookup_finished(void *ctx)
{
    const struct lookup_wait *w = ctx;
    return naru_lookup_result(w->lookup)->finished;
}

static int chapter_names(struct story *s)
{
    say(s, _("\n5. Names: AAAA, and TCP over IPv6\n"
             "   The client asks the server's DNS server (%s, set by hand, as in\n"
             "   /etc/resolv.conf) for %s, type AAAA: an IPv6 address is a\n"
             "   different record from IPv4's A. The question goes over IPv6 too. Below,\n"
             "   the frames on the client's link only.\n\n"),
        server_text, SERVER_NAME);
    struct naru_sim_app_config ns = { .kind = NARU_SIM_DNS_SERVER, .name = "ns", .from = s->server, .zone = zone6,
                                      .origin = "naru.test" };
    struct naru_sim_app *app;
    int err = naru_sim_app_add(s->apps, &ns, &app);
    if (err < 0)
        return err;
    struct naru_app_env env;
    if ((err = naru_sim_app_env(s->sim, s->client, &env)) < 0)
        return err;
    struct naru_lookup_config l;
    naru_lookup_config_default(&l);
    l.servers[0] = (struct naru_sockaddr){ .addr = addr_of(server_text), .port = 53 };
    l.server_count = 1;
    l.name = SERVER_NAME;
    l.type = 28; /* AAAA */
    struct lookup_wait w = { 0 };
    if ((err = naru_lookup_start(&env, &l, &w.lookup)) < 0)
        return err;
    s->phase = CLIENT_LINK;
    naru_sim_run(s->sim, naru_sim_now(s->sim) + 30 * NARU_SEC, lookup_finished, &w);
    s->phase = QUIET;
    const struct naru_lookup_result *lr = naru_lookup_result(w.lookup);
    struct naru_addr to = addr_of(server_text);
    char a[NARU_ADDR_STRLEN];
    if (lr->ok && lr->count && lr->addrs[0].family == NARU_AF_INET6) {
        to = lr->addrs[0];
        say(s, _("\n   The answer: %s is another name for %s, whose AAAA record is\n"
                 "   %s (keep it %u s).\n"),
            SERVER_NAME, lr->canonical, naru_addr_format(&to, a), lr->ttl);
    } else {
        say(s, _("\n   No answer (%s); the client uses the address it was given, %s.\n"),
            lr->why && lr->why[0] ? lr->why : "?", naru_addr_format(&to, a));
    }
    naru_lookup_destroy(w.lookup);

    say(s, _("\n   Then it fetches a %d-byte page from port 80 over TCP. TCP is the same on\n"
             "   IPv6; its checksum covers the IPv6 addresses (a pseudo-header of 40\n"
             "   bytes), and each segment carries 20 bytes less than over IPv4 (MSS 1440\n"
             "   on a 1500-byte link), for IPv6's longer header.\n\n"),
        PAGE_BYTES);
    struct naru_sim_app_config c = { .kind = NARU_SIM_HTTP_GET, .from = s->client, .to = s->server, .dst = to,
                                     .bytes = PAGE_BYTES, .host = SERVER_NAME };
    struct naru_sim_app_result r;
    if ((err = run_app(s, &c, CLIENT_LINK, &r, NULL)) < 0)
        return err;
    if (r.ok)
        say(s, _("\n   The page came: HTTP status %d, %llu bytes, every byte right, in %.3f ms.\n"),
            r.http_status, (unsigned long long)r.bytes_received, demo_ms(r.ended - r.started));
    else
        say(s, _("\n   The page did not come whole: %s.\n"), r.error[0] ? r.error : "?");
    say(s, _("   Above IP, nothing changed: the programs asked for a name and a port, and\n"
             "   IPv6 carried their bytes as IPv4 would have.\n"));
    return 0;
}

static void summary(struct story *s, const struct demo_ipv6_options *o)
{
    struct naru_stack *nodes[4] = { s->client, s->r1, s->r2, s->server };
    printf(_("\nWhat each layer counted:\n"));
    printf(_("  node      frames   frames   NDP NS   NDP NA     IPv6       IPv6   ICMPv6    TCP\n"
             "               out       in     sent     sent forwarded delivered     out     out\n"));
    for (int i = 0; i < 4; i++) {
        const struct naru_stack *st = nodes[i];
        printf("  %-7s %8llu %8llu %8llu %8llu %9llu %9llu %8llu %6llu\n", naru_sim_stack_name(s->sim, st),
               (unsigned long long)demo_counter(st, "link_tx_frames"), (unsigned long long)demo_counter(st, "link_rx_frames"),
               (unsigned long long)demo_counter(st, "ndp_tx_ns"), (unsigned long long)demo_counter(st, "ndp_tx_na"),
               (unsigned long long)demo_counter(st, "ip6_forwarded"), (unsigned long long)demo_counter(st, "ip6_rx_delivered"),
               (unsigned long long)demo_counter(st, "icmp6_tx"), (unsigned long long)demo_counter(st, "tcp_tx"));
    }
    printf(_("  %.3f s of simulated time, %llu events\n"), (double)naru_sim_now(s->sim) / 1e9,
           (unsigned long long)naru_sim_events(s->sim));
    if (o->pcap)
        printf(_("  captures: %s/lan1.pcap, %s/wan.pcap, %s/lan2.pcap (open them in Wireshark)\n"), o->pcap,
               o->pcap, o->pcap);
}

int demo_ipv6(const struct demo_ipv6_options *o)
{
    struct story s = { .quiet = o->quiet };
    int status = 1, err = build(&s, o);
    if (err < 0) {
        fprintf(stderr, "%s: cannot build the simulated network: %s\n", PROG, strerror(-err));
        goto out;
    }
    /* The routers and the server come up and settle (their own DAD and
     * MLD, r1's first advertisements) before the story starts. */
    naru_sim_run(s.sim, 60 * NARU_SEC, NULL, NULL);
    chapter_world(&s, o);
    if ((err = chapter_wake(&s)) < 0 || (err = chapter_router(&s)) < 0 || (err = chapter_neighbours(&s)) < 0 ||
        (err = chapter_hops(&s)) < 0 || (err = chapter_names(&s)) < 0) {
        fprintf(stderr, "%s: the simulation failed: %s\n", PROG, strerror(-err));
        goto out;
    }
    summary(&s, o);
    status = 0;
    if (o->pcap && naru_sim_capture_close(s.sim) < 0) {
        fprintf(stderr, "%s: writing the captures in %s failed\n", PROG, o->pcap);
        status = 1;
    }
    if (o->html) {
        char title[96];
        snprintf(title, sizeof title, "naru demo --ipv6, seed %llu", (unsigned long long)o->seed);
        if ((err = naru_replay_write_html(s.replay, title, o->html)) < 0) {
            fprintf(stderr, "%s: writing the replay page failed: %s\n", PROG, strerror(-err));
            status = 1;
        }
    }
out:
    naru_replay_free(s.replay);
    naru_sim_apps_destroy(s.apps);
    naru_sim_destroy(s.sim);
    return status;
}
