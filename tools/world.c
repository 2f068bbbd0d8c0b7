#include "world.h"

#include <errno.h>
#include <string.h>

#include "loop.h"
#include "naru/addr.h"
#include "naru/simapp.h"

/* The built-in world's names, which its server also serves on port 53.
 * .test is reserved for testing (RFC 6761 6.2), so these names can never
 * collide with real ones. The SOA's last field is the negative-caching
 * TTL (RFC 2308 4). */
static const char world_zone[] =
    "$ORIGIN naru.test.\n"
    "$TTL 300\n"
    "@        SOA   ns hostmaster 1 3600 600 86400 60\n"
    "         NS    ns\n"
    "ns       A     10.2.0.2\n"
    "         AAAA  2001:db8:2::2\n"
    "server   A     10.2.0.2\n"
    "         AAAA  2001:db8:2::2\n"
    "client   A     10.1.0.2\n"
    "         AAAA  2001:db8:1::2\n"
    "router   A     10.1.0.1\n"
    "         AAAA  2001:db8:1::1\n"
    "gateway  CNAME router\n"
    "www      CNAME server\n";
/* The same server is authoritative for the world's root, where naru.test
 * is delegated to it: a name outside naru.test ("nosuch.", "example.com.")
 * then gets NXDOMAIN, as from a recursive server on the real Internet,
 * rather than REFUSED. */
static const char world_root_zone[] =
    "$ORIGIN .\n"
    "$TTL 300\n"
    "@              SOA   ns.naru.test. hostmaster.naru.test. 1 3600 600 86400 60\n"
    "               NS    ns.naru.test.\n"
    "naru.test.     NS    ns.naru.test.\n"
    "ns.naru.test.  A     10.2.0.2\n"
    "ns.naru.test.  AAAA  2001:db8:2::2\n";

static int start_dns(struct world *w)
{
    char err[256];
    struct naru_dns_server_config config;
    naru_dns_server_config_default(&config);
    int e = naru_dns_server_create(&config, &w->dns);
    if (!e)
        e = naru_dns_server_load_zone_text(w->dns, NULL, "built-in naru.test", world_zone, sizeof world_zone - 1,
                                           err, sizeof err);
    if (!e)
        e = naru_dns_server_load_zone_text(w->dns, NULL, "built-in root", world_root_zone,
                                           sizeof world_root_zone - 1, err, sizeof err);
    if (!e) {
        struct naru_sockaddr any = { .port = NARU_DNS_PORT };
        e = naru_dns_server_attach(w->dns, w->server, &any, &w->dns_endpoint);
    }
    return e;
}

/* What the server runs; a stack without TCP serves the UDP forms alone. */
static int start_services(struct world *w)
{
    struct naru_app_env env;
    int err = naru_sim_app_env(w->sim, w->server, &env);
    if (err < 0)
        return err;
    static const enum naru_service_kind kinds[3] = { NARU_SERVICE_ECHO, NARU_SERVICE_DISCARD,
                                                     NARU_SERVICE_DAYTIME };
    for (int i = 0; i < 3; i++) {
        struct naru_service_config c;
        naru_service_config_default(&c, kinds[i]);
        c.unix_time = loop_unix_time; /* the date is the user's, not the simulation's */
        if ((err = naru_service_start(&env, &c, &w->services[i])) < 0)
            return err;
    }
    struct naru_http_server_config web;
    naru_http_server_config_default(&web);
    err = naru_http_server_start(&env, &web, &w->web);
    return err == -EPROTONOSUPPORT ? 0 : err;
}

int world_open(struct world *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    if (naru_sim_create(seed, &w->sim) < 0)
        return -ENOMEM;
    w->client = naru_sim_add_stack(w->sim, "client", NULL);
    w->router = naru_sim_add_stack(w->sim, "router", NULL);
    w->server = naru_sim_add_stack(w->sim, "server", NULL);
    if (!w->client || !w->router || !w->server)
        return -ENOMEM;
    struct naru_memlink_config link = { .delay = 10 * NARU_MS, .rate_bps = 100000000 };
    int ifs[4];                /* client, router (client side), router (server side), server */
    int err = naru_sim_connect(w->sim, w->client, "10.1.0.2/24", w->router, "10.1.0.1/24", &link, &ifs[0], &ifs[1]);
    if (!err)
        err = naru_sim_connect(w->sim, w->router, "10.2.0.1/24", w->server, "10.2.0.2/24", &link, &ifs[2], &ifs[3]);
    /* Both families: the same hosts on 2001:db8:1::/64 and 2001:db8:2::/64. */
    static const char *const v6[4] = { "2001:db8:1::2", "2001:db8:1::1", "2001:db8:2::1", "2001:db8:2::2" };
    struct naru_stack *const at[4] = { w->client, w->router, w->router, w->server };
    for (int i = 0; i < 4 && !err; i++) {
        struct naru_addr a;
        naru_addr_parse(v6[i], &a);
        err = naru_if_add_addr(at[i], ifs[i], &a, 64);
    }
    /* Default routes through the router, of each family. */
    static const char *const gw[4] = { "10.1.0.1", "2001:db8:1::1", "10.2.0.1", "2001:db8:2::1" };
    for (int i = 0; i < 4 && !err; i++) {
        struct naru_stack *host = i < 2 ? w->client : w->server;
        struct naru_addr g, any = { 0 };
        naru_addr_parse(gw[i], &g);
        any.family = g.family;
        err = naru_route_add(host, &any, 0, &g, i < 2 ? ifs[0] : ifs[3]);
    }
    if (err)
        return err;
    w->client_ifindex = ifs[0];
    naru_stack_set_forwarding(w->router, true);
    err = start_services(w);
    return err ? err : start_dns(w);
}

void world_close(struct world *w)
{
    /* Sockets first, while their stacks are still there. */
    for (int i = 0; i < 3; i++)
        naru_service_destroy(w->services[i]);
    naru_http_server_destroy(w->web);
    naru_dns_server_detach(w->dns_endpoint);
    naru_dns_server_destroy(w->dns);
    naru_sim_destroy(w->sim);
    memset(w, 0, sizeof *w);
}

struct naru_stack *world_stack(const struct world *w, const char *name)
{
    if (!strcmp(name, "client"))
        return w->client;
    if (!strcmp(name, "router"))
        return w->router;
    if (!strcmp(name, "server"))
        return w->server;
    return NULL;
}
