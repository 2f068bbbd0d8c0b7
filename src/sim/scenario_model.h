/* The scenario model: a scenario as read from its file, plain data that
 * the reader (scenario_parse.c, with scenario_template.c for ranges) fills,
 * the checker (scenario_check.c, with scenario_net.c and
 * scenario_routing.c) judges and completes, and the runner
 * (scenario_run.c) builds a simulation from; and the lookups and error
 * reporting all of them share. Private to src/sim/.
 *
 * Addresses are struct naru_addr throughout, whatever their family: a
 * link end may have an IPv4 address and IPv6 addresses besides. */
#ifndef NARU_SIM_SCENARIO_MODEL_H
#define NARU_SIM_SCENARIO_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/addr.h"
#include "naru/scenario.h"
#include "naru/simapp.h"
#include "sim/index.h"

#define SC_NAME_MAX 32
/* Members of one range section ([host h1..h10000]). */
#define SC_RANGE_MAX 1000000

/* An index into the scenario's interfaces, networks or nodes: none. */
#define SC_NONE SIM_INDEX_NONE

enum sc_node_kind { SC_HOST, SC_ROUTER, SC_SWITCH };

/* How a node's routing table is filled: with its route lines only, or
 * with shortest paths besides (scenario_routing.c). */
enum sc_routing { SC_ROUTING_UNSET, SC_ROUTING_STATIC, SC_ROUTING_SHORTEST };

struct sc_route {
    struct naru_addr dst;      /* prefix bits only */
    uint8_t prefix;
    struct naru_addr gateway;
    int line;
    uint32_t gateway_iface;    /* once checked: whose address the gateway is */
    uint32_t out_iface;        /* once checked: the node's own interface towards it */
};

/* A router's `advertise` line: a prefix of its own networks, or (len 0,
 * `advertise = yes`) all of them. */
struct sc_advert {
    struct naru_addr prefix;
    uint8_t len;
    bool all;
    int line;
};

struct sc_node {
    char name[SC_NAME_MAX];
    enum sc_node_kind kind;
    int line;
    struct sc_route *routes;
    unsigned route_count, route_cap;
    struct sc_advert *adverts;
    unsigned advert_count, advert_cap;
    enum sc_routing routing;   /* as given; SC_ROUTING_UNSET: the scenario's */
    int routing_line;
    /* Once checked. */
    unsigned interfaces;       /* links it is on (a switch: its ports) */
    uint32_t max_mtu;
    uint32_t first_iface;      /* its addresses: ifaces_by_node[first_iface ...] */
    uint32_t iface_count;
    uint32_t neighbours;       /* stacks it can reach in one hop, for its neighbour cache */
    uint32_t apps;             /* applications that run on it or talk to it */
    bool computes;             /* routing = shortest, once resolved */
    bool autoconf;             /* a host on a link where a router advertises a prefix:
                                  it forms IPv6 addresses the model knows only at run time */
    int autoconf_line;         /* of a link end where it does */
    struct naru_stack *stack;  /* once built */
    struct naru_sim_switch *sw;
};

/* A link end's addresses: one IPv4, several IPv6. */
#define SC_END_ADDRS 5

struct sc_end {
    uint32_t node;             /* index, SC_NONE until checked */
    char node_name[SC_NAME_MAX];
    uint8_t addr_count;
    struct naru_addr addr[SC_END_ADDRS];
    uint8_t prefix[SC_END_ADDRS];
    int line;
    int ifindex;               /* once built */
};

struct sc_link {
    char name[SC_NAME_MAX];
    int line;
    struct naru_sim_link_config config;
    struct sc_end end[2];
    bool end_set[2];
    uint32_t pool;             /* the address pool its ends without an address take from, or SC_NONE */
    uint32_t pool_member;      /* which of the pool's subnets is its own */
    uint32_t segment;          /* links joined by switches share one */
};

struct sc_app {
    char name[SC_NAME_MAX];
    int line;
    struct naru_sim_app_config config;
    int family;                /* `family = 4|6`: which of to's addresses (0: its first) */
    int family_line;
    char from[SC_NAME_MAX];
    char to[NARU_ADDR_STRLEN]; /* a node's name or an address */
    int from_line, to_line;
    bool protocol_udp;         /* transfers: UDP instead of TCP */
    char *zone;                /* dns: the zone file as given, and as found */
    char *zone_path;
    int zone_line;
    char *origin;              /* dns */
    char *query;               /* lookup */
    struct naru_sim_app *app;
};

/* One address of a node on a link: what the checker and the routes work
 * from. */
struct sc_iface {
    uint32_t node;
    uint32_t link;
    uint8_t end;
    uint8_t prefix;
    struct naru_addr addr;
    uint32_t segment;
    uint32_t network;
    int line;
};

/* The network an interface's address and prefix name, on one segment. */
struct sc_network {
    struct naru_addr prefix_addr;  /* prefix bits only */
    uint8_t prefix;
    uint32_t segment;
    uint32_t first_iface;      /* its interfaces: net_ifaces[first_iface ...] */
    uint32_t iface_count;
    bool covered;              /* inside a shorter network or route of the scenario */
};

/* Which keys a section has had, for "given twice". */
#define SC_MAX_KEYS 32
struct sc_section {
    char kind[16];
    char name[SC_NAME_MAX];
    int line;
    int index;                 /* into the kind's array: the first member */
    uint32_t members;          /* 1, or the range's size */
    long long first;           /* a range's first number */
    bool range;
    const char *seen[SC_MAX_KEYS];
    int seen_line[SC_MAX_KEYS];
    unsigned seen_count;
};

/* A link section's address pools (an IPv4 prefix, an IPv6 prefix or
 * both): each member takes the next subnet of each. */
#define SC_POOL_PREFIXES 2
struct sc_pool {
    struct naru_addr base[SC_POOL_PREFIXES];
    uint8_t prefix[SC_POOL_PREFIXES];
    uint8_t count;
    uint8_t subnet[SC_POOL_PREFIXES]; /* each link's prefix length, in the pool's order (0: /30, /64) */
    uint8_t subnet_count;
    int line, subnet_line;
};

#define REPORT_APPS 1u
#define REPORT_LINKS 2u
#define REPORT_COUNTERS 4u

struct sc_routes;

struct naru_scenario {
    char file[256];
    char description[160];
    uint64_t seed;
    naru_time_t time_limit;
    unsigned report;
    enum sc_routing routing;   /* the scenario's default for nodes */
    int routing_line;
    bool have_scenario_section;

    struct sc_node *nodes;
    unsigned node_count, node_cap;
    struct sc_link *links;
    unsigned link_count, link_cap;
    struct sc_app *apps;
    unsigned app_count, app_cap;
    struct sim_index node_names, link_names, app_names;
    struct sc_pool *pools;
    unsigned pool_count, pool_cap;

    /* While parsing. */
    struct sc_section section;
    int line;
    const char *member;        /* the range member a value is for, named in errors */
    char *error;
    size_t error_cap;
    bool failed;

    /* Once checked (scenario_net.c). */
    struct sc_iface *ifaces;
    uint32_t iface_count;
    uint32_t *ifaces_by_node;  /* iface numbers grouped by node */
    struct sc_network *networks;
    uint32_t network_count;
    uint32_t *net_ifaces;      /* iface numbers grouped by network */
    struct sim_index addr_index;    /* address -> iface */
    struct sim_index node_net_index; /* (node, network) -> iface */
    struct sim_index prefix_index;  /* (family, prefix, length) -> network */
    struct sim_index static_index;  /* (node, dst, length) -> static_refs entry */
    struct sc_static_ref { uint32_t node, route; } *static_refs;
    uint32_t static_count;
    uint8_t *static_lengths;   /* per node: a bit set like net_lengths of its static routes' lengths */
    uint8_t net_lengths[21];   /* bit set of the networks' prefix lengths: IPv6's 0..128, then IPv4's */
    uint32_t static_routers;   /* routers with a static route */
    struct sc_routes *computed;    /* scenario_routing.c */

    /* Once run. */
    struct naru_sim *sim;
    struct naru_sim_apps *sim_apps;
    bool ran, timed_out, stalled, interrupted, capture_full;
    uint64_t run_seed;
    double build_seconds;
    uint64_t peak_rss_kib;     /* the process's, when the run ended */
};

/* An empty scenario named after its file, with the defaults a file may
 * change; errors go to `error` until it is loaded. NULL: out of memory. */
struct naru_scenario *sc_new(const char *file, char *error, size_t error_cap);
/* Record the first error, "FILE:LINE: ..."; returns false for handlers. */
bool sc_error(struct naru_scenario *sc, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Name lookups: an index, or SC_NONE. */
uint32_t sc_find_node(const struct naru_scenario *sc, const char *name);
uint32_t sc_find_link(const struct naru_scenario *sc, const char *name);
uint32_t sc_find_app(const struct naru_scenario *sc, const char *name);
/* Whether node `n` has an interface address of the family (NARU_AF_*). */
bool sc_node_has_family(const struct naru_scenario *sc, uint32_t n, int family);
/* Index entry `n` of the kind's array, whose name it now holds. 0 or -ENOMEM. */
int sc_name_node(struct naru_scenario *sc, uint32_t n);
int sc_name_link(struct naru_scenario *sc, uint32_t n);
int sc_name_app(struct naru_scenario *sc, uint32_t n);

/* Addresses: the width of the family; the hash of (addr, len); addr plus
 * n (false when it would leave the family's space). */
unsigned sc_addr_bits(const struct naru_addr *a);
uint64_t sc_prefix_hash(const struct naru_addr *a, uint8_t prefix, uint64_t seed);
bool sc_addr_add(struct naru_addr *a, uint64_t n);

/* Read a file's or a text's sections and keys into the model (scenario_parse.c);
 * false after recording the first error. */
bool sc_read_file(struct naru_scenario *sc, FILE *file);
bool sc_read_text(struct naru_scenario *sc, const char *text);
/* Check a scenario as a whole before it runs (scenario_check.c). */
bool sc_check(struct naru_scenario *sc);

#endif
