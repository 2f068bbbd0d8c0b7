/* The full naru library: a scenario file (libinih, linked privately) run
 * on the simulator. Exit 0 when its ping got its replies. */
#include <stdbool.h>
#include <stdio.h>

#include <naru/scenario.h>

static const char scenario[] = "[host a]\n[host b]\n[link l]\na = a 192.0.2.1/24\nb = b 192.0.2.2/24\n"
                               "[ping p]\nfrom = a\nto = b\ncount = 2\n";

int main(void)
{
    if (!naru_scenario_supported()) {
        printf("naru: built without scenario files\n");
        return 0;
    }
    struct naru_scenario *sc;
    char error[256];
    if (naru_scenario_parse("consumer.ini", scenario, &sc, error, sizeof error) ||
        naru_scenario_run(sc, NULL, error, sizeof error)) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    struct naru_scenario_outcome out;
    naru_scenario_outcome(sc, &out);
    bool ok = !out.timed_out && out.apps == 1 && out.apps_ok == 1;
    printf("naru: the scenario ran, %s\n", ok ? "and its ping was answered" : "but its ping failed");
    int status = ok ? 0 : 1;
    naru_scenario_free(sc);
    return status;
}
