#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naru/simapp.h"

struct loop_timer {
    struct loop_timer *next;
    naru_time_t when;
    void (*fn)(void *ctx);
    void *ctx;
};

/* The first of SIGINT, SIGTERM or SIGPIPE that arrived; 0 before. */
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    if (!caught)
        caught = sig;
}

bool loop_interrupted(void)
{
    return caught != 0;
}

int loop_signal(void)
{
    return caught;
}

bool loop_user_stopped(void)
{
    return caught == SIGINT || caught == SIGTERM;
}

void loop_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() and read() return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A write to a closed stdout fails with EPIPE and stops the run here,
     * so the command closes its files before it ends (main.c ends it by
     * the signal then, quietly, as netcat is ended). */
    sigaction(SIGPIPE, &sa, NULL);
}

naru_time_t loop_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (naru_time_t)ts.tv_sec * NARU_SEC + (naru_time_t)ts.tv_nsec;
}

int64_t loop_unix_time(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

void loop_init_sim(struct loop *loop, struct naru_sim *sim)
{
    memset(loop, 0, sizeof *loop);
    loop->sim = sim;
}

int loop_init_tap(struct loop *loop, struct naru_stack *stack, struct naru_tap *tap, int ifindex)
{
    memset(loop, 0, sizeof *loop);
    loop->stack = stack;
    loop->tap = tap;
    loop->ifindex = ifindex;
    loop->frame = malloc(NARU_TAP_FRAME_MAX);
    return loop->frame ? 0 : -ENOMEM;
}

void loop_fini(struct loop *loop)
{
    while (loop->timers) {
        struct loop_timer *t = loop->timers;
        loop->timers = t->next;
        free(t);
    }
    free(loop->frame);
    memset(loop, 0, sizeof *loop);
}

naru_time_t loop_now(const struct loop *loop)
{
    return loop->sim ? naru_sim_now(loop->sim) : naru_stack_now(loop->stack);
}

int loop_at(struct loop *loop, naru_time_t when, void (*fn)(void *ctx), void *ctx)
{
    if (loop->sim)
        return naru_sim_at(loop->sim, when, fn, ctx);
    struct loop_timer *t = malloc(sizeof *t), **p = &loop->timers;
    if (!t)
        return -ENOMEM;
    *t = (struct loop_timer){ .when = when, .fn = fn, .ctx = ctx };
    while (*p && (*p)->when <= when)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    return 0;
}

int loop_watch_fd(struct loop *loop, int fd, short events, void (*fn)(void *ctx, short revents), void *ctx)
{
    if (loop->sim)
        return -ENOTSUP;
    for (int i = 0; i < loop->watch_count; i++) {
        if (loop->watches[i].fd != fd)
            continue;
        if (events)
            loop->watches[i] = (struct loop_watch){ fd, events, fn, ctx };
        else
            loop->watches[i] = loop->watches[--loop->watch_count];
        return 0;
    }
    if (!events)
        return 0;
    if (loop->watch_count == LOOP_MAX_WATCHES)
        return -ENOSPC;
    loop->watches[loop->watch_count++] = (struct loop_watch){ fd, events, fn, ctx };
    return 0;
}

/* One pass of the TAP loop: frames in, timers, then sleep in poll(2)
 * until the next frame or deadline. */
static void tap_step(struct loop *loop, naru_time_t deadline)
{
    naru_stack_poll(loop->stack, loop_clock());
    while (loop->timers && loop->timers->when <= naru_stack_now(loop->stack)) {
        struct loop_timer *t = loop->timers;
        loop->timers = t->next;
        t->fn(t->ctx);
        free(t);
    }
    naru_time_t next = naru_stack_next_deadline(loop->stack);
    if (loop->timers && loop->timers->when < next)
        next = loop->timers->when;
    if (deadline < next)
        next = deadline;
    naru_time_t now = loop_clock();
    int timeout_ms = next <= now ? 0 : next - now > 1000 * NARU_MS ? 1000 : (int)((next - now + NARU_MS - 1) / NARU_MS);
    struct pollfd pfd[1 + LOOP_MAX_WATCHES] = { { .fd = naru_tap_fd(loop->tap), .events = POLLIN } };
    int n = loop->watch_count;
    for (int i = 0; i < n; i++)
        pfd[1 + i] = (struct pollfd){ .fd = loop->watches[i].fd, .events = loop->watches[i].events };
    if (poll(pfd, (nfds_t)(1 + n), timeout_ms) <= 0)
        return;
    /* Copy first: a callback may change the watch list. */
    struct loop_watch ready[LOOP_MAX_WATCHES];
    short revents[LOOP_MAX_WATCHES];
    int ready_count = 0;
    for (int i = 0; i < n; i++) {
        if (pfd[1 + i].revents) {
            revents[ready_count] = pfd[1 + i].revents;
            ready[ready_count++] = loop->watches[i];
        }
    }
    for (int i = 0; i < ready_count; i++) {
        naru_stack_poll(loop->stack, loop_clock());
        ready[i].fn(ready[i].ctx, revents[i]);
    }
    if (!pfd[0].revents)
        return;
    /* One batch: the frames waiting, each handed in stamped with the time it
     * was read, then one poll at the end, which sends the ACKs the batch
     * owes all at once (src/tcp/tcp_output.c). Bounded, so timers and the
     * other descriptors still get their turn under load. */
    naru_stack_poll(loop->stack, loop_clock());
    for (int i = 0; i < 256; i++) {
        struct naru_frame_meta meta;
        long len = naru_tap_read_meta(loop->tap, loop->frame, NARU_TAP_FRAME_MAX, &meta);
        if (len <= 0)
            break;
        naru_stack_set_time(loop->stack, loop_clock());
        naru_stack_input_offload(loop->stack, loop->ifindex, loop->frame, (size_t)len, &meta);
    }
    naru_stack_poll(loop->stack, loop_clock());
}

struct sim_wait {
    bool (*done)(void *ctx);
    void *ctx;
};

static bool sim_done(void *ctx)
{
    struct sim_wait *w = ctx;
    return caught || (w->done && w->done(w->ctx));
}

int loop_run(struct loop *loop, naru_time_t deadline, bool (*done)(void *ctx), void *ctx)
{
    if (loop->sim) {
        struct sim_wait w = { done, ctx };
        if (naru_sim_run(loop->sim, deadline, sim_done, &w))
            return caught ? 1 : 0;
        return 2;
    }
    for (;;) {
        if (caught)
            return 1;
        if (done && done(ctx))
            return 0;
        if (loop_clock() >= deadline)
            return 2;
        tap_step(loop, deadline);
    }
}

static naru_time_t env_now(void *ctx)
{
    return loop_now(ctx);
}

static int env_at(void *ctx, naru_time_t when, void (*fn)(void *arg), void *arg)
{
    return loop_at(ctx, when, fn, arg);
}

int loop_app_env(struct loop *loop, struct naru_stack *stack, struct naru_app_env *env)
{
    if (loop->sim)
        return naru_sim_app_env(loop->sim, stack, env);
    if (stack != loop->stack)
        return -EINVAL;
    *env = (struct naru_app_env){ .stack = stack, .now = env_now, .at = env_at, .ctx = loop };
    return 0;
}
