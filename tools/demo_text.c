#include "demo_text.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "naru/counters.h"
#include "naru/describe.h"

double demo_ms(naru_time_t t)
{
    return (double)t / (double)NARU_MS;
}

void demo_frame_line(naru_time_t now, const char *from, const char *to, const char *verb, const uint8_t *frame,
                     size_t len)
{
    char text[400];
    naru_frame_describe(frame, len, text, sizeof text);
    printf("  %9.3f ms  %-6s -> %-6s %s%s\n", demo_ms(now), from, to, verb, text);
}

const char *demo_neighbour_words(const char *message, char *buf, size_t cap)
{
    char a[64], b[64];
    int n;
    unsigned dropped;
    if (sscanf(message, "who has %63[^?]? (asking the whole link)", a) == 1)
        snprintf(buf, cap, _("who has %s? (asking the whole link)"), a);
    else if (sscanf(message, "nobody answered for %63s after %d requests; %u packet(s) dropped", a, &n, &dropped) == 3)
        snprintf(buf, cap, _("nobody answered for %s after %d requests; %u packet(s) dropped"), a, n, dropped);
    else if (sscanf(message, "%63s is at %63s", a, b) == 2 && strstr(message, " is at "))
        snprintf(buf, cap, _("%s is at %s"), a, b);
    else
        return NULL;
    return buf;
}

uint64_t demo_counter(const struct naru_stack *stack, const char *name)
{
    int i = naru_counter_find(name);
    return i < 0 ? 0 : naru_counter_value(naru_stack_counters(stack), (unsigned)i);
}

int demo_run_app(struct naru_sim *sim, struct naru_sim_apps *apps, const struct naru_sim_app_config *c,
                 naru_time_t settle, struct naru_sim_app_result *r, struct naru_sim_app **out)
{
    struct naru_sim_app_config config = *c;
    config.start = naru_sim_now(sim) + 100 * NARU_MS;
    struct naru_sim_app *app;
    int err = naru_sim_app_add(apps, &config, &app);
    if (err < 0)
        return err;
    naru_sim_run(sim, naru_sim_now(sim) + 600 * NARU_SEC, naru_sim_apps_finished, apps);
    naru_sim_run(sim, naru_sim_now(sim) + settle, NULL, NULL);
    naru_sim_app_get_result(app, r);
    if (out)
        *out = app;
    return 0;
}
