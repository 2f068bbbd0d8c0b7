/* The scenario model's own operations: making an empty one with the
 * defaults, finding a node, recording the first error, freeing it. */
#include "sim/scenario_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct naru_scenario *sc_new(const char *file, char *error, size_t error_cap)
{
    struct naru_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    snprintf(sc->file, sizeof sc->file, "%s", file);
    sc->error = error;
    sc->error_cap = error_cap;
    if (error_cap)
        error[0] = '\0';
    sc->time_limit = 60 * NARU_SEC;
    sc->seed = 1;
    sc->report = REPORT_APPS | REPORT_LINKS;
    return sc;
}

bool sc_error(struct naru_scenario *sc, int line, const char *fmt, ...)
{
    if (sc->failed)
        return false;
    sc->failed = true;
    if (!sc->error || !sc->error_cap)
        return false;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(sc->error, sc->error_cap, "%s:%d: %s", sc->file, line, what);
    else
        snprintf(sc->error, sc->error_cap, "%s: %s", sc->file, what);
    return false;
}

int sc_find_node(const struct naru_scenario *sc, const char *name)
{
    for (unsigned i = 0; i < sc->node_count; i++)
        if (!strcmp(sc->nodes[i].name, name))
            return (int)i;
    return -1;
}

void naru_scenario_free(struct naru_scenario *sc)
{
    if (!sc)
        return;
    naru_sim_apps_destroy(sc->sim_apps);
    naru_sim_destroy(sc->sim);
    for (unsigned i = 0; i < sc->node_count; i++)
        free(sc->nodes[i].routes);
    free(sc->nodes);
    free(sc->links);
    free(sc->apps);
    free(sc);
}
