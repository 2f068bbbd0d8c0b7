/* Connecting to a host by name the way RFC 8305 (Happy Eyeballs v2) asks:
 * AAAA and A asked at once; connecting starts when the AAAA answer comes,
 * or a short resolution delay after the A answer; the addresses are tried
 * by turns of family, IPv6 first, a new attempt every attempt delay (or at
 * once when one fails) while the earlier ones go on; the first to connect
 * wins and the others are closed. */
#include "apps_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAL_HOST_MAX 256

struct attempt {
    int sock;                  /* -1 once it failed or lost */
    struct naru_sockaddr to;
    struct naru_dial *d;
};

struct naru_dial {
    struct naru_app_env env;
    struct naru_dial_config c;
    struct naru_dial_result r;
    char host[DIAL_HOST_MAX];
    struct naru_lookup *lookup6, *lookup4;
    bool asked6, asked4, done6, done4;
    int status6, status4;      /* the lookups' outcomes */
    struct naru_addr v6[NARU_DNS_MAX_ADDRS], v4[NARU_DNS_MAX_ADDRS];
    uint32_t scope_id;         /* a link-local literal's zone */
    unsigned n6, n4, used6, used4;
    bool v6_next;              /* RFC 8305 4: families by turns, IPv6 first */
    bool connecting;           /* the first attempt has been made */
    bool starting;             /* inside naru_dial_start(), asking */
    struct attempt attempts[2 * NARU_DNS_MAX_ADDRS];
    unsigned attempt_count, open;
    naru_time_t next_attempt_at; /* the attempt timer that counts (earlier ones are stale) */
};

void naru_dial_config_default(struct naru_dial_config *c)
{
    memset(c, 0, sizeof *c);
    naru_lookup_config_default(&c->lookup);
    c->resolution_delay = 50 * NARU_MS;  /* RFC 8305 3 */
    c->attempt_delay = 250 * NARU_MS;    /* RFC 8305 5 */
}

static void finish(struct naru_dial *d, int error, const char *why)
{
    struct naru_dial_result *r = &d->r;
    if (r->finished)
        return;
    r->finished = true;
    r->ok = error == 0;
    r->error = error;
    r->why = why;
    r->ended = app_now(&d->env);
    for (unsigned i = 0; i < d->attempt_count; i++) {
        struct attempt *a = &d->attempts[i];
        if (a->sock >= 0 && a->sock != r->sock) {
            naru_socket_set_callback(d->env.stack, a->sock, NULL, NULL);
            naru_close(d->env.stack, a->sock); /* the losers */
        }
        a->sock = -1;
    }
    d->open = 0;
    if (d->c.on_done)
        d->c.on_done(d->c.ctx);
}

/* Nothing left to try and nothing under way: say why. */
static void maybe_fail(struct naru_dial *d)
{
    if (d->r.finished || d->open || (d->asked6 && !d->done6) || (d->asked4 && !d->done4) ||
        (d->used6 < d->n6 || d->used4 < d->n4))
        return;
    if (d->r.attempts) {
        int err = d->r.error ? d->r.error : -ECONNREFUSED;
        finish(d, err, app_errno_text(err));
        return;
    }
    /* No address: what the lookups said, a name without addresses of
     * one family saying least. */
    struct naru_lookup *l = d->asked4 && d->status4 != -ENODATA ? d->lookup4
                            : d->asked6 && d->status6 != -ENODATA ? d->lookup6
                            : d->asked4 ? d->lookup4 : d->lookup6;
    const struct naru_lookup_result *lr = naru_lookup_result(l);
    finish(d, lr->status ? lr->status : -ENODATA, lr->status ? lr->why : "the name has no address");
}

static void attempt_next(struct naru_dial *d);

static void on_attempt(void *ctx, struct naru_stack *stack, int sock)
{
    struct attempt *a = ctx;
    struct naru_dial *d = a->d;
    if (d->r.finished || a->sock != sock)
        return;
    int state = app_connect_state(stack, sock);
    if (state == 0)
        return;
    if (state > 0) {
        naru_socket_set_callback(stack, sock, NULL, NULL);
        d->r.sock = sock;
        d->r.peer = a->to;
        finish(d, 0, "");
        return;
    }
    /* RFC 8305 5: a failed attempt starts the next at once. */
    naru_socket_set_callback(stack, sock, NULL, NULL);
    naru_close(stack, sock);
    a->sock = -1;
    d->open--;
    d->r.error = state;
    attempt_next(d);
}

static void attempt_timer(void *arg);

/* The next address, by turns of family. */
static bool next_address(struct naru_dial *d, struct naru_addr *out)
{
    bool six = d->used6 < d->n6 && (d->v6_next || d->used4 >= d->n4);
    if (!six && d->used4 >= d->n4)
        return false;
    *out = six ? d->v6[d->used6++] : d->v4[d->used4++];
    d->v6_next = !six;
    return true;
}

static void attempt_next(struct naru_dial *d)
{
    struct naru_stack *stack = d->env.stack;
    struct naru_addr addr;
    while (!d->r.finished && d->attempt_count < sizeof d->attempts / sizeof d->attempts[0] &&
           next_address(d, &addr)) {
        d->connecting = true;
        struct attempt *a = &d->attempts[d->attempt_count++];
        *a = (struct attempt){ .sock = -1, .to = { .addr = addr, .port = d->c.port, .scope_id = d->scope_id },
                               .d = d };
        d->r.attempts++;
        int sock = naru_socket(stack, NARU_SOCK_STREAM);
        if (sock < 0) {
            d->r.error = sock;
            continue;
        }
        if (d->c.socket_buffer) {
            /* Before the handshake, so the window scale offered fits (RFC 7323 2.2). */
            naru_setsockopt(stack, sock, NARU_SO_SNDBUF, (int)d->c.socket_buffer);
            naru_setsockopt(stack, sock, NARU_SO_RCVBUF, (int)d->c.socket_buffer);
        }
        a->sock = sock;
        d->open++;
        naru_socket_set_callback(stack, sock, on_attempt, a);
        int err = naru_connect(stack, sock, &a->to);
        if (err < 0 && err != -EINPROGRESS) {
            naru_socket_set_callback(stack, sock, NULL, NULL);
            naru_close(stack, sock);
            a->sock = -1;
            d->open--;
            d->r.error = err;
            continue; /* no route, no source address: the next at once */
        }
        if (err == 0)
            on_attempt(a, stack, sock);
        if (!d->r.finished) {
            d->next_attempt_at = app_now(&d->env) + d->c.attempt_delay;
            app_at(&d->env, d->next_attempt_at, attempt_timer, d);
        }
        return;
    }
    maybe_fail(d);
}

/* RFC 8305 5: the attempt delay passed with no connection: one more
 * attempt beside those under way. */
static void attempt_timer(void *arg)
{
    struct naru_dial *d = arg;
    if (!d->r.finished && app_now(&d->env) >= d->next_attempt_at)
        attempt_next(d);
}

/* RFC 8305 3: A came first; AAAA had its resolution delay. */
static void resolution_timer(void *arg)
{
    struct naru_dial *d = arg;
    if (!d->r.finished && !d->connecting)
        attempt_next(d);
}

static void take_answer(struct naru_dial *d, bool six)
{
    struct naru_lookup *l = six ? d->lookup6 : d->lookup4;
    const struct naru_lookup_result *lr = naru_lookup_result(l);
    struct naru_addr *to = six ? d->v6 : d->v4;
    unsigned *n = six ? &d->n6 : &d->n4;
    for (unsigned i = 0; i < lr->count && *n < NARU_DNS_MAX_ADDRS; i++)
        if (lr->addrs[i].family == (six ? NARU_AF_INET6 : NARU_AF_INET))
            to[(*n)++] = lr->addrs[i];
    d->r.addr_count += *n;
    if (six) {
        d->done6 = true;
        d->status6 = lr->status;
    } else {
        d->done4 = true;
        d->status4 = lr->status;
    }
}

static void after_answer(struct naru_dial *d, bool six)
{
    if (d->r.finished)
        return;
    if (d->connecting) {
        if (!d->open)
            attempt_next(d); /* everything tried had failed: these are new */
        else
            maybe_fail(d);
        return;
    }
    if (six || !d->asked6 || d->done6)
        attempt_next(d);
    else if (d->n4)
        app_at(&d->env, app_now(&d->env) + d->c.resolution_delay, resolution_timer, d);
}

static void on_lookup6(void *ctx)
{
    struct naru_dial *d = ctx;
    take_answer(d, true);
    if (!d->starting)
        after_answer(d, true);
}

static void on_lookup4(void *ctx)
{
    struct naru_dial *d = ctx;
    take_answer(d, false);
    if (!d->starting)
        after_answer(d, false);
}

int naru_dial_start(const struct naru_app_env *env, const struct naru_dial_config *config, struct naru_dial **out)
{
    if (!config->host || strlen(config->host) >= DIAL_HOST_MAX || !config->port ||
        (config->family != NARU_AF_UNSPEC && config->family != NARU_AF_INET && config->family != NARU_AF_INET6))
        return -EINVAL;
    struct naru_dial *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->env = *env;
    d->c = *config;
    snprintf(d->host, sizeof d->host, "%s", config->host);
    d->c.host = d->host;
    d->v6_next = true;
    struct naru_dial_result *r = &d->r;
    r->sock = -1;
    r->why = "";
    r->started = app_now(env);
    r->ended = NARU_APP_UNSET;
    *out = d;
    struct naru_addr literal;
    struct naru_sockaddr zoned = { 0 };
    if (naru_addr_parse(d->host, &literal) == 0 ||
        (strchr(d->host, '%') && naru_sockaddr_parse(d->host, env->stack, &zoned) == 0 && zoned.scope_id)) {
        if (zoned.scope_id) {
            literal = zoned.addr;
            d->scope_id = zoned.scope_id;
        }
        if (config->family && literal.family != config->family) {
            finish(d, -EAFNOSUPPORT, "an address of the other family");
            return 0;
        }
        *(literal.family == NARU_AF_INET6 ? &d->v6[d->n6++] : &d->v4[d->n4++]) = literal;
        r->addr_count = 1;
        attempt_next(d);
        return 0;
    }
    /* RFC 8305 3: AAAA first, then A, without waiting between. The
     * answers may come before naru_lookup_start() returns (hosts table,
     * cache): they are acted on once both are asked. */
    d->starting = true;
    struct naru_lookup_config lc = config->lookup;
    lc.name = d->host;
    lc.ctx = d;
    int err = 0;
    if (config->family != NARU_AF_INET) {
        lc.type = 28;
        lc.on_done = on_lookup6;
        d->asked6 = true;
        err = naru_lookup_start(env, &lc, &d->lookup6);
    }
    if (!err && config->family != NARU_AF_INET6) {
        lc.type = 1;
        lc.on_done = on_lookup4;
        d->asked4 = true;
        err = naru_lookup_start(env, &lc, &d->lookup4);
    }
    d->starting = false;
    if (err < 0) {
        finish(d, err, app_errno_text(err));
        return 0;
    }
    if (d->done6)
        after_answer(d, true);
    else if (d->done4)
        after_answer(d, false);
    return 0;
}

const struct naru_dial_result *naru_dial_result(const struct naru_dial *d)
{
    return &d->r;
}

int naru_dial_take(struct naru_dial *d)
{
    int sock = d->r.sock;
    d->r.sock = -1;
    return sock;
}

void naru_dial_destroy(struct naru_dial *d)
{
    if (!d)
        return;
    if (!d->r.finished) {
        d->c.on_done = NULL;
        finish(d, -ECANCELED, "cancelled");
    }
    if (d->r.sock >= 0)
        naru_close(d->env.stack, d->r.sock);
    naru_lookup_destroy(d->lookup6);
    naru_lookup_destroy(d->lookup4);
    free(d);
}
