/* Scenario files: a simulated network and what happens in it, written as
 * an INI file (read with libinih) that people can read and edit.
 *
 *   [scenario]                 description, seed, time_limit, report
 *   [host NAME] [router NAME]  route = DEST/LEN via GATEWAY (repeatable;
 *                              "default" for 0.0.0.0/0), gateway = A.B.C.D
 *   [switch NAME]              a learning Ethernet switch
 *   [link NAME]                a = NODE [A.B.C.D/LEN], b = NODE [A.B.C.D/LEN],
 *                              bandwidth, delay, queue, queue_bytes, mtu,
 *                              loss, gilbert_p, gilbert_r, gilbert_h,
 *                              gilbert_good_loss, reorder, reorder_delay,
 *                              duplicate, corrupt
 *   [ping NAME] [traceroute NAME] [transfer NAME] [http NAME]
 *                              from = NODE, to = NODE or A.B.C.D, start, ...
 *
 * scenarios/README.md describes every key. A scenario is checked whole
 * before it runs: an unknown section or key, a bad value or address, a link
 * to a node that does not exist, a gateway off the node's links or a route
 * loop is an error naming the file, the line and the problem. A run stops
 * at the scenario's simulated-time limit, and says so. */
#ifndef NARU_SCENARIO_H
#define NARU_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "naru/sim.h"
#include "naru/simapp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naru_scenario;

/* False when naru was built without libinih: loading then fails with
 * -ENOTSUP. */
bool naru_scenario_supported(void);

/* Read and check a scenario. 0, or a negative errno with the reason in
 * `error` ("FILE:LINE: problem"): -EINVAL for a bad scenario, -ENOENT and
 * the like when the file cannot be read, -ENOTSUP without libinih. */
int naru_scenario_load(const char *path, struct naru_scenario **out, char *error, size_t error_cap);
/* The same from text in memory; `name` stands for the file in messages. */
int naru_scenario_parse(const char *name, const char *text, struct naru_scenario **out, char *error,
                        size_t error_cap);
void naru_scenario_free(struct naru_scenario *sc);

struct naru_scenario_options {
    uint64_t seed;             /* used when seed_set, over the file's seed */
    bool seed_set;
    const char *pcap_dir;      /* capture every link there (NULL: none) */
    naru_time_t time_limit;    /* over the file's time_limit (0: the file's) */
    naru_sim_log_fn log;       /* the stacks' log messages (NULL: none) */
    void *log_ctx;
    enum naru_log_level log_level;
};

/* Build the network and run it until every application has finished (and
 * a second more, so connections finish closing), or the time limit.
 * 0 when it ran (see naru_scenario_outcome), or a negative errno with the
 * reason in `error` when it could not (say, the capture directory). */
int naru_scenario_run(struct naru_scenario *sc, const struct naru_scenario_options *options, char *error,
                      size_t error_cap);

struct naru_scenario_outcome {
    bool timed_out;            /* the time limit came first */
    bool stalled;              /* stopped: events without time passing (a livelock) */
    naru_time_t time_limit;
    unsigned apps, apps_ok;    /* applications, and those that did what they set out to */
    uint64_t seed;
};
void naru_scenario_outcome(const struct naru_scenario *sc, struct naru_scenario_outcome *outcome);
/* The simulation, once run: for its stacks and links; and its applications. */
struct naru_sim *naru_scenario_sim(const struct naru_scenario *sc);
struct naru_sim_apps *naru_scenario_apps(const struct naru_scenario *sc);
const char *naru_scenario_description(const struct naru_scenario *sc);
/* What the scenario's `report` key asks for: applications' results, link
 * statistics, nodes' counters. */
void naru_scenario_report(const struct naru_scenario *sc, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
