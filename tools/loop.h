/* The event loop a command runs in: on the simulator, its virtual clock
 * and event queue; on a TAP device, the wall clock, poll(2) on the device
 * and on other descriptors, and timers. SIGINT and SIGTERM end a run. It
 * is also the environment naru's applications (apps.h) run in. */
#ifndef NARU_TOOLS_LOOP_H
#define NARU_TOOLS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "naru/apps.h"
#include "naru/sim.h"
#include "naru/stack.h"
#include "naru/tap.h"

struct loop_timer;

/* An extra file descriptor the TAP loop waits on (stdin for nc, say). */
struct loop_watch {
    int fd;
    short events;              /* POLLIN / POLLOUT */
    void (*fn)(void *ctx, short revents);
    void *ctx;
};
#define LOOP_MAX_WATCHES 4

struct loop {
    struct naru_sim *sim;      /* the simulator's; NULL on TAP */
    struct naru_stack *stack;  /* TAP: the stack on the device */
    struct naru_tap *tap;
    int ifindex;
    uint8_t *frame;            /* TAP: receive buffer */
    struct loop_timer *timers; /* TAP: sorted, soonest first */
    struct loop_watch watches[LOOP_MAX_WATCHES];
    int watch_count;
};

/* The monotonic clock, and the time of day as seconds since 1970 (an
 * environment's unix_time for daytime; ctx unused). */
naru_time_t loop_clock(void);
int64_t loop_unix_time(void *ctx);
/* SIGINT, SIGTERM and SIGPIPE (a closed stdout) set a flag runs stop at.
 * main() ends the process by that signal once the command has cleaned up
 * (exit status 130, 143 or 141 in the shell). */
void loop_catch_signals(void);
/* True once one of them arrived. */
bool loop_interrupted(void);
/* Which: SIGINT, SIGTERM, SIGPIPE, or 0. */
int loop_signal(void);
/* SIGINT or SIGTERM: a person or a supervisor asked the command to stop,
 * and it says what it did (its summary). A closed stdout (SIGPIPE) ends a
 * command quietly. */
bool loop_user_stopped(void);

/* A loop on the simulator, or on a stack on a TAP device. */
void loop_init_sim(struct loop *loop, struct naru_sim *sim);
int loop_init_tap(struct loop *loop, struct naru_stack *stack, struct naru_tap *tap, int ifindex);
/* Frees the timers that never ran. */
void loop_fini(struct loop *loop);

naru_time_t loop_now(const struct loop *loop);
int loop_at(struct loop *loop, naru_time_t when, void (*fn)(void *ctx), void *ctx);
/* TAP: call fn when fd is ready for `events`; events 0 removes it. In the
 * simulator there is no wall clock to wait on: -ENOTSUP. */
int loop_watch_fd(struct loop *loop, int fd, short events, void (*fn)(void *ctx, short revents), void *ctx);
/* Run until done(ctx), SIGINT/SIGTERM, or `deadline`. Returns 0 when done,
 * 1 when interrupted by a signal, 2 at the deadline. */
int loop_run(struct loop *loop, naru_time_t deadline, bool (*done)(void *ctx), void *ctx);
/* The environment for an application on `stack` (one of the simulator's,
 * or the TAP stack). 0 or -EINVAL. */
int loop_app_env(struct loop *loop, struct naru_stack *stack, struct naru_app_env *env);

#endif
