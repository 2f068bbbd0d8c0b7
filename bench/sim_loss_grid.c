/* TCP under random loss: one flow over a 100 Mbit/s path with a 100 ms
 * round trip and buffers large enough never to limit it, the path losing
 * 0, 0.1, 1, 5 and 10% of packets (each way, independently). For each,
 * the goodput, its share of the loss-free goodput, and the Mathis et al.
 * (1997) bound for Reno-style congestion control, MSS/RTT * 1.22/sqrt(p).
 * For reference, smoltcp's published simulator keeps 68% at 1% loss and
 * 24% at 5%.
 *
 * usage: sim_loss_grid [--bytes N] [--seed N] [--seeds K]
 * Each loss rate runs K seeds (default 3) and reports their mean. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naru/addr.h"
#include "naru/sim.h"
#include "naru/simapp.h"
#include "naru/socket.h"

#define RATE 100000000ull
#define ONE_WAY (50 * NARU_MS)
#define MSS 1448.0 /* 1500 - 20 (IP) - 20 (TCP) - 12 (timestamps) */

/* Square root by Newton's method: the benchmarks link no maths library. */
static double root(double x)
{
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 60; i++)
        r = 0.5 * (r + x / r);
    return r;
}

static void check(int err, const char *what)
{
    if (err < 0) {
        fprintf(stderr, "sim_loss_grid: %s: %s\n", what, strerror(-err));
        exit(1);
    }
}

/* sender - r1 == lossy 100 Mbit/s, 50 ms == r2 - receiver */
static int one_run(double loss, uint64_t bytes, uint64_t seed, struct naru_sim_app_result *r, double *sim_s)
{
    struct naru_sim *sim;
    check(naru_sim_create(seed, &sim), "create");
    struct naru_stack *s = naru_sim_add_stack(sim, "sender", NULL), *r1 = naru_sim_add_router(sim, "r1", NULL),
                      *r2 = naru_sim_add_router(sim, "r2", NULL), *d = naru_sim_add_stack(sim, "receiver", NULL);
    if (!s || !r1 || !r2 || !d)
        check(-ENOMEM, "stacks");
    struct naru_sim_link_config lan = { .rate_bps = 10 * RATE, .delay = 10 * NARU_US };
    /* A queue of twice the path's bandwidth-delay product: never the limit. */
    struct naru_sim_link_config wan = { .rate_bps = RATE, .delay = ONE_WAY, .loss = loss, .queue_frames = 2000 };
    struct naru_sim_link *l;
    int sif, dif, r1w, r2w;
    check(naru_sim_add_link(sim, "lan1", &lan, &l), "link");
    check(naru_sim_link_attach(l, 0, s, "10.1.0.2/24", &sif), "attach");
    check(naru_sim_link_attach(l, 1, r1, "10.1.0.1/24", NULL), "attach");
    check(naru_sim_add_link(sim, "wan", &wan, &l), "link");
    check(naru_sim_link_attach(l, 0, r1, "10.9.0.1/30", &r1w), "attach");
    check(naru_sim_link_attach(l, 1, r2, "10.9.0.2/30", &r2w), "attach");
    check(naru_sim_add_link(sim, "lan2", &lan, &l), "link");
    check(naru_sim_link_attach(l, 0, r2, "10.2.0.1/24", NULL), "attach");
    check(naru_sim_link_attach(l, 1, d, "10.2.0.2/24", &dif), "attach");
    check(naru_route_add(s, 0, 0, naru_ip4(10, 1, 0, 1), sif), "route");
    check(naru_route_add(d, 0, 0, naru_ip4(10, 2, 0, 1), dif), "route");
    check(naru_route_add(r1, naru_ip4(10, 2, 0, 0), 24, naru_ip4(10, 9, 0, 2), r1w), "route");
    check(naru_route_add(r2, naru_ip4(10, 1, 0, 0), 24, naru_ip4(10, 9, 0, 1), r2w), "route");
    struct naru_sim_app_config c = { .kind = NARU_SIM_TCP_TRANSFER, .from = s, .to = d, .bytes = bytes,
                                     .start = NARU_SEC, .socket_buffer = 8 << 20 };
    struct naru_sim_app *app;
    check(naru_sim_app_add(sim, &c, &app), "transfer");
    naru_sim_run(sim, 24 * 3600 * NARU_SEC, naru_sim_apps_finished, sim);
    naru_sim_app_get_result(app, r);
    *sim_s = (double)naru_sim_now(sim) / 1e9;
    naru_sim_destroy(sim);
    if (!r->ok) {
        fprintf(stderr, "sim_loss_grid: loss %g, seed %llu: %s\n", loss, (unsigned long long)seed, r->error);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t bytes = 20000000, seed = 1;
    unsigned seeds = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
            bytes = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = (unsigned)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: sim_loss_grid [--bytes N] [--seed N] [--seeds K]\n");
            return 2;
        }
    }
    if (!bytes || !seeds || seeds > 100) {
        fprintf(stderr, "sim_loss_grid: --bytes and --seeds (1-100) must be positive\n");
        return 2;
    }
    static const double losses[] = { 0, 0.001, 0.01, 0.05, 0.10 };
    double base = 0;
    printf("sim_loss_grid: one TCP flow, %llu bytes, 100 Mbit/s, RTT 100 ms, loss both ways; mean of %u seeds\n",
           (unsigned long long)bytes, seeds);
    printf("  %6s  %12s  %9s  %14s  %9s  %8s  %9s\n", "loss", "goodput", "of 0%", "Mathis bound", "of bound",
           "retrans", "simulated");
    for (size_t i = 0; i < sizeof losses / sizeof losses[0]; i++) {
        double sum = 0, retrans = 0, sim_s = 0;
        unsigned ok = 0;
        for (unsigned k = 0; k < seeds; k++) {
            struct naru_sim_app_result r;
            double t;
            if (one_run(losses[i], bytes, seed + k, &r, &t) == 0) {
                sum += r.goodput_bps;
                retrans += (double)r.retransmits;
                sim_s += t;
                ok++;
            }
        }
        if (!ok) {
            printf("  %5.1f%%  (no run finished)\n", losses[i] * 100);
            if (i == 0)
                return 1; /* no TCP, or something badly wrong */
            continue;
        }
        double goodput = sum / ok;
        if (i == 0)
            base = goodput;
        char bound[32] = "-", share[16] = "-";
        if (losses[i] > 0) {
            double mathis = MSS * 8 / 0.1 * 1.22 / root(losses[i]);
            snprintf(bound, sizeof bound, "%.2f Mbit/s", (mathis < RATE ? mathis : (double)RATE) / 1e6);
            snprintf(share, sizeof share, "%.0f%%", 100 * goodput / (mathis < RATE ? mathis : (double)RATE));
        }
        printf("  %5.1f%%  %7.2f Mbit/s  %8.0f%%  %14s  %9s  %8.0f  %8.0f s\n", losses[i] * 100, goodput / 1e6,
               100 * goodput / base, bound, share, retrans / ok, sim_s / ok);
    }
    return 0;
}
