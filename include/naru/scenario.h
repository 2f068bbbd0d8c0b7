/* Scenario files: a simulated network and what happens in it, written as
 * an INI file (read with libinih) that people can read and edit.
 *
 *   [scenario]                 description, seed, time_limit, routing, report
 *   [host NAME] [router NAME]  route = DEST/LEN via GATEWAY (repeatable;
 *                              "default" for 0.0.0.0/0), gateway = A.B.C.D,
 *                              routing = static or shortest
 *   [switch NAME]              a learning Ethernet switch
 *   [link NAME]                a = NODE [A.B.C.D/LEN], b = NODE [A.B.C.D/LEN],
 *                              pool, subnet, bandwidth, delay, queue,
 *                              queue_bytes, mtu, loss, gilbert_p, gilbert_r,
 *                              gilbert_h, gilbert_good_loss, reorder,
 *                              reorder_delay, duplicate, corrupt
 *   [ping NAME] [traceroute NAME] [transfer NAME] [http NAME] [dns NAME]
 *   [lookup NAME]              from = NODE, to = NODE or A.B.C.D, start, ...
 *
 * Any section but [scenario] may stand for many: [host h1..h1000] declares
 * h1 to h1000, and its values may hold {EXPR}, an integer expression of
 * the member's number i ("b = r{(i-1)/10}", "a = h{i} 10.1.{i}.2/24").
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
#include <signal.h>
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
    /* When *interrupt turns nonzero (a signal handler's flag), the run
     * stops after the event at hand, as if at a time limit, and is
     * reported as interrupted. NULL: never. */
    const volatile sig_atomic_t *interrupt;
    /* With pcap_dir: stop the run, as at a time limit, once the captures
     * hold this many bytes, so that a big world cannot fill the disk.
     * 0: no limit. */
    uint64_t pcap_limit;
    /* Called once the simulation exists, before any node or link: to set
     * an observer (naru_sim_set_observer), say. 0 or a negative errno,
     * which stops the run. NULL: none. */
    int (*on_sim)(void *ctx, struct naru_sim *sim);
    void *on_sim_ctx;
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
    bool interrupted;          /* stopped by options->interrupt */
    bool capture_full;         /* stopped: the captures reached options->pcap_limit */
    naru_time_t time_limit;
    unsigned apps, apps_ok;    /* applications, and those that did what they set out to */
    uint64_t seed;
    unsigned nodes;            /* stacks: hosts and routers */
    uint64_t peak_rss_kib;     /* the process's peak resident memory at the run's end (0: unknown) */
};
void naru_scenario_outcome(const struct naru_scenario *sc, struct naru_scenario_outcome *outcome);
/* The simulation, once run: for its stacks and links; and its applications. */
struct naru_sim *naru_scenario_sim(const struct naru_scenario *sc);
struct naru_sim_apps *naru_scenario_apps(const struct naru_scenario *sc);
const char *naru_scenario_description(const struct naru_scenario *sc);
/* The most the captures of a run could hold: every link busy both ways at
 * its full rate until the time limit (`time_limit`, or the file's when 0).
 * UINT64_MAX when some link has no rate limit. For a warning before a
 * capture of a big world; the true size is usually far less. */
uint64_t naru_scenario_capture_bound(const struct naru_scenario *sc, naru_time_t time_limit);
/* How many links the scenario has (each its own capture). */
unsigned naru_scenario_link_count(const struct naru_scenario *sc);
/* What the scenario's `report` key asks for: applications' results, link
 * statistics, nodes' counters. */
void naru_scenario_report(const struct naru_scenario *sc, FILE *out);
/* The results as JSON, for scripts: the run, every application (bytes,
 * goodput, retransmissions, round trips; finished or not, ok or not),
 * every link each way, and every TCP connection still known to a node.
 * `wall_seconds` is the run's own time, for the rates it gives (0: none).
 * 0 or a negative errno from writing. */
int naru_scenario_write_json(const struct naru_scenario *sc, double wall_seconds, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
