/* The scenario model: a scenario as read from its file, plain data that
 * the reader (scenario_parse.c) fills, the checker (scenario_check.c)
 * judges and the runner (scenario_run.c) builds a simulation from; and the
 * lookups and error reporting all three share. Private to src/sim/. */
#ifndef NARU_SIM_SCENARIO_MODEL_H
#define NARU_SIM_SCENARIO_MODEL_H

#include "naru/scenario.h"
#include "naru/simapp.h"

#define SC_NAME_MAX 32
#define SC_MAX_INTERFACES NARU_INTERFACES_MAX

enum sc_node_kind { SC_HOST, SC_ROUTER, SC_SWITCH };

struct sc_route {
    uint32_t dst;
    uint8_t prefix;
    uint32_t gateway;
    int line;
};

struct sc_node {
    char name[SC_NAME_MAX];
    enum sc_node_kind kind;
    int line;
    struct sc_route *routes;
    unsigned route_count, route_cap;
    unsigned interfaces;
    uint32_t first_addr;
    uint32_t max_mtu;
    struct naru_stack *stack;
    struct naru_sim_switch *sw;
};

struct sc_end {
    int node;                  /* index, or -1 until checked */
    char node_name[SC_NAME_MAX];
    bool has_addr;
    uint32_t addr;
    uint8_t prefix;
    int line;
    int ifindex;               /* once built */
};

struct sc_link {
    char name[SC_NAME_MAX];
    int line;
    struct naru_sim_link_config config;
    struct sc_end end[2];
    bool end_set[2];
    int segment;               /* links joined by switches share one */
};

struct sc_app {
    char name[SC_NAME_MAX];
    int line;
    struct naru_sim_app_config config;
    char from[SC_NAME_MAX], to[SC_NAME_MAX];
    int from_line, to_line;
    bool protocol_udp;         /* transfers: UDP instead of TCP */
    char zone[256];            /* dns: the zone file, as given and as found */
    char zone_path[512];
    int zone_line;
    char origin[128];          /* dns */
    char query[256];           /* lookup */
    struct naru_sim_app *app;
};

/* Which keys a section has had, for "given twice". */
#define SC_MAX_KEYS 32
struct sc_section {
    char kind[16];
    char name[SC_NAME_MAX];
    int line;
    int index;                 /* into the kind's array */
    const char *seen[SC_MAX_KEYS];
    int seen_line[SC_MAX_KEYS];
    unsigned seen_count;
};

#define REPORT_APPS 1u
#define REPORT_LINKS 2u
#define REPORT_COUNTERS 4u

struct naru_scenario {
    char file[256];
    char description[160];
    uint64_t seed;
    naru_time_t time_limit;
    unsigned report;
    bool have_scenario_section;

    struct sc_node *nodes;
    unsigned node_count, node_cap;
    struct sc_link *links;
    unsigned link_count, link_cap;
    struct sc_app *apps;
    unsigned app_count, app_cap;

    /* While parsing. */
    struct sc_section section;
    int line;
    char *error;
    size_t error_cap;
    bool failed;

    /* Once run. */
    struct naru_sim *sim;
    struct naru_sim_apps *sim_apps;
    bool ran, timed_out, stalled;
    uint64_t run_seed;
};

/* An empty scenario named after its file, with the defaults a file may
 * change; errors go to `error` until it is loaded. NULL: out of memory. */
struct naru_scenario *sc_new(const char *file, char *error, size_t error_cap);
/* Record the first error, "FILE:LINE: ..."; returns false for handlers. */
bool sc_error(struct naru_scenario *sc, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sc_find_node(const struct naru_scenario *sc, const char *name);

/* Read a file's or a text's sections and keys into the model (scenario_parse.c);
 * false after recording the first error. */
bool sc_read_file(struct naru_scenario *sc, FILE *file);
bool sc_read_text(struct naru_scenario *sc, const char *text);
/* Check a scenario as a whole before it runs (scenario_check.c). */
bool sc_check(struct naru_scenario *sc);

#endif
