/* What simapp.c and simapp_summary.c share: an application of a
 * simulation and the set it belongs to. Private to src/sim/; public
 * headers only (the engine's insides are not needed here). */
#ifndef NARU_SIM_SIMAPP_INTERNAL_H
#define NARU_SIM_SIMAPP_INTERNAL_H

#include "naru/apps.h"
#include "naru/dns.h"
#include "naru/simapp.h"

#define SIMAPP_NAME_MAX 32

struct sim_http_server;

struct naru_sim_apps {
    struct naru_sim *sim;
    struct naru_sim_app **apps;
    unsigned count, cap, unfinished;
    struct naru_app_pattern *pattern;    /* the data every application carries */
    struct sim_http_server *http_servers;
};

struct naru_sim_app {
    struct naru_sim_apps *set;
    unsigned index;
    char name[SIMAPP_NAME_MAX];
    char host[64];
    bool config_host_given;    /* host is the config's, not the address as text */
    char path[40];             /* HTTP: the page asked for */
    struct naru_sim_app_config config;
    struct naru_sim_app_result result; /* final once it has finished */
    struct naru_app_env env_from, env_to;
    bool unavailable;          /* TCP transfers and HTTP in a build without TCP */
    /* The applications of src/apps it is made of. */
    struct naru_ping *ping;
    struct naru_traceroute *trace;
    struct naru_transfer *tx, *rx;
    struct naru_http_get *get;
    struct naru_lookup *lookup;
    struct naru_dns_server *dns_server;
    struct naru_dns_server_endpoint *dns_endpoint;
    uint64_t retransmits_at_start; /* HTTP: both hosts' counters */
    char *zone, *zone_path, *origin, *query; /* copies of the config's strings */
};

/* The first address of a stack, or 0. */
struct naru_addr simapp_first_addr(const struct naru_stack *stack);
/* The result as it stands: from the applications it is made of while it
 * runs, as it was when it finished after that. */
void simapp_result(const struct naru_sim_app *app, struct naru_sim_app_result *result);

#endif
