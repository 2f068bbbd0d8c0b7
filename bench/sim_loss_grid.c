/* TCP under random loss: one flow over a path with a 100 ms round trip,
 * losing 0, 0.1, 1, 5 and 10% of packets (each way, independently), with
 * socket buffers large enough never to limit it. For each: the goodput,
 * its share of the loss-free goodput, and the Mathis et al. (1997) bound
 * for Reno-style congestion control, MSS/RTT * 1.22/sqrt(p).
 *
 * That bound does not depend on the link's rate, so neither does the
 * goodput under loss, while the loss-free goodput is the link's rate: the
 * share left under loss is mostly a matter of the rate chosen. The grid
 * is run at 1, 10 and 100 Mbit/s, each with a queue of one bandwidth-delay
 * product and buffers of one and a half (so the loss-free flow fills the
 * pipe without ever overflowing the queue), and once more as smoltcp's
 * netsim test runs it (no rate limit, 32 KiB buffers: a window-limited
 * flow), whose published figures are 68% at 1% loss and 24% at 5%.
 *
 * Beside each: segments retransmitted and retransmission timeouts (the
 * sender's), means per run.
 *
 * usage: sim_loss_grid [--seed N] [--seeds K] [--quick] [--cubic] [--no-rack]
 * Each cell is the mean of K seeds (default 3); --quick runs 10 Mbit/s
 * only; --cubic uses CUBIC instead of NewReno; --no-rack turns RACK-TLP
 * (RFC 8985) off, leaving RFC 6675's recovery alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naru/addr.h"
#include "naru/counters.h"
#include "naru/sim.h"
#include "naru/simapp.h"
#include "naru/socket.h"

#define ONE_WAY (50 * NARU_MS)
#define RTT 0.1
#define MSS 1448.0 /* 1500 - 20 (IP) - 20 (TCP) - 12 (timestamps) */

struct setup {
    const char *title;
    uint64_t rate_bps;         /* 0: no limit */
    uint32_t queue_frames;
    uint32_t buffer;           /* socket buffers */
    uint64_t bytes;
};

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

/* sender - r1 == lossy, 50 ms == r2 - receiver */
static int one_run(const struct setup *su, const struct naru_stack_config *stack_config,
                   enum naru_sim_congestion congestion, double loss, uint64_t seed, struct naru_sim_app_result *r,
                   double *sim_s, uint64_t *timeouts)
{
    struct naru_sim *sim;
    check(naru_sim_create(seed, &sim), "create");
    struct naru_stack *s = naru_sim_add_stack(sim, "sender", stack_config),
                      *r1 = naru_sim_add_router(sim, "r1", NULL), *r2 = naru_sim_add_router(sim, "r2", NULL),
                      *d = naru_sim_add_stack(sim, "receiver", stack_config);
    if (!s || !r1 || !r2 || !d)
        check(-ENOMEM, "stacks");
    struct naru_sim_link_config lan = { .delay = 10 * NARU_US };
    struct naru_sim_link_config wan = { .rate_bps = su->rate_bps, .delay = ONE_WAY, .loss = loss,
                                        .queue_frames = su->queue_frames };
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
    check(naru_route_add(s, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 1, 0, 1) }, sif), "route");
    check(naru_route_add(d, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = 0 }, 0, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 2, 0, 1) }, dif), "route");
    check(naru_route_add(r1, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 2, 0, 0) }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 9, 0, 2) }, r1w), "route");
    check(naru_route_add(r2, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 1, 0, 0) }, 24, &(struct naru_addr){ .family = NARU_AF_INET, .v4 = naru_ip4(10, 9, 0, 1) }, r2w), "route");
    struct naru_sim_app_config c = { .kind = NARU_SIM_TCP_TRANSFER, .from = s, .to = d, .bytes = su->bytes,
                                     .start = NARU_SEC, .socket_buffer = su->buffer,
                                     .congestion = congestion };
    struct naru_sim_apps *apps;
    check(naru_sim_apps_create(sim, &apps), "create");
    struct naru_sim_app *app;
    check(naru_sim_app_add(apps, &c, &app), "transfer");
    naru_sim_run(sim, 24 * 3600 * NARU_SEC, naru_sim_apps_finished, apps);
    naru_sim_app_get_result(app, r);
    *sim_s = (double)naru_sim_now(sim) / 1e9;
    *timeouts = naru_stack_counters(s)->tcp_timeouts; /* the sender's: one flow */
    naru_sim_apps_destroy(apps);
    naru_sim_destroy(sim);
    if (!r->ok) {
        fprintf(stderr, "sim_loss_grid: %s, loss %g, seed %llu: %s\n", su->title, loss, (unsigned long long)seed,
                r->error);
        return -1;
    }
    return 0;
}

static int grid(const struct setup *su, const struct naru_stack_config *config, enum naru_sim_congestion congestion,
                uint64_t seed, unsigned seeds)
{
    static const double losses[] = { 0, 0.001, 0.01, 0.05, 0.10 };
    double base = 0;
    printf("\n%s: %llu bytes, RTT 100 ms, loss both ways, %s%s; mean of %u seeds\n", su->title,
           (unsigned long long)su->bytes, congestion == NARU_SIM_CC_CUBIC ? "CUBIC" : "NewReno",
           config->tcp_rack ? "" : ", RACK-TLP off", seeds);
    printf("  %6s  %12s  %7s  %14s  %8s  %8s  %8s  %9s\n", "loss", "goodput", "of 0%", "Mathis bound", "of bound",
           "retrans", "timeouts", "simulated");
    for (size_t i = 0; i < sizeof losses / sizeof losses[0]; i++) {
        double sum = 0, retrans = 0, timeouts = 0, sim_s = 0;
        unsigned ok = 0;
        for (unsigned k = 0; k < seeds; k++) {
            struct naru_sim_app_result r;
            double t;
            uint64_t to;
            if (one_run(su, config, congestion, losses[i], seed + k, &r, &t, &to) == 0) {
                sum += r.goodput_bps;
                retrans += (double)r.retransmits;
                timeouts += (double)to;
                sim_s += t;
                ok++;
            }
        }
        if (!ok) {
            printf("  %5.1f%%  (no run finished)\n", losses[i] * 100);
            if (i == 0)
                return -1; /* no TCP, or something badly wrong */
            continue;
        }
        double goodput = sum / ok;
        if (i == 0)
            base = goodput;
        char bound[32] = "-", share[16] = "-";
        if (losses[i] > 0) {
            double mathis = MSS * 8 / RTT * 1.22 / root(losses[i]);
            snprintf(bound, sizeof bound, "%.2f Mbit/s", mathis / 1e6);
            snprintf(share, sizeof share, "%.0f%%", 100 * goodput / mathis);
        }
        printf("  %5.1f%%  %7.3f Mbit/s  %6.0f%%  %14s  %8s  %8.0f  %8.0f  %7.0f s\n", losses[i] * 100,
               goodput / 1e6, 100 * goodput / base, bound, share, retrans / ok, timeouts / ok, sim_s / ok);
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    unsigned seeds = 3;
    bool quick = false;
    struct naru_stack_config config;
    naru_stack_config_default(&config);
    enum naru_sim_congestion congestion = NARU_SIM_CC_NEWRENO;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quick"))
            quick = true;
        else if (!strcmp(argv[i], "--cubic"))
            congestion = NARU_SIM_CC_CUBIC;
        else if (!strcmp(argv[i], "--no-rack"))
            config.tcp_rack = false;
        else {
            fprintf(stderr, "usage: sim_loss_grid [--seed N] [--seeds K] [--quick] [--cubic] [--no-rack]\n");
            return 2;
        }
    }
    if (!seeds || seeds > 100) {
        fprintf(stderr, "sim_loss_grid: --seeds wants 1 to 100\n");
        return 2;
    }
    /* Queue: one bandwidth-delay product of 1514-byte frames; buffers 1.5. */
    static const struct setup setups[] = {
        { "10 Mbit/s", 10000000, 83, 187500, 25000000 },
        /* 32 KiB is as small as the stack lets buffers go: two BDPs of queue. */
        { "1 Mbit/s", 1000000, 22, 32768, 2500000 },
        { "100 Mbit/s", 100000000, 826, 1875000, 250000000 },
        { "as smoltcp's netsim (no rate limit, 32 KiB buffers)", 0, 1000, 32768, 10485760 },
    };
    printf("sim_loss_grid: one TCP flow under random loss, beside the Mathis bound MSS/RTT*1.22/sqrt(p)\n");
    for (size_t i = 0; i < (quick ? 1 : sizeof setups / sizeof setups[0]); i++)
        if (grid(&setups[i], &config, congestion, seed, seeds) < 0)
            return 1;
    return 0;
}
