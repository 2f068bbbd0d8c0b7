/* Chapter 7's experiment: a service moves to another host and its DNS
 * record is updated (lessons.h). A resolver may keep an answer for as long
 * as its TTL says (RFC 1035 3.2.1, RFC 2181 8), and naru's stub resolver
 * does: until then the client goes on to the old address, and only after
 * it asks the name server again does it find the new one. */
#include "lessons.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naru/addr.h"
#include "naru/dns.h"

#define DNS_TYPE_A 1           /* RFC 1035 3.2.2 */

struct mover;

struct attempt {
    struct mover *m;
    unsigned index;
    int sock;                  /* -1: no connection under way */
    int query;                 /* the lookup's handle while it waits, else -1 */
};

struct mover {
    const struct lesson_move_config *c;
    struct lesson_move *out;
    struct naru_dns_resolver *resolver;
    int old_listener, new_listener;
    struct attempt attempts[LESSON_MOVE_TRIES];
    char *err;
    size_t err_len;
    int failure;               /* the first setup error met while running */
};

/* ---- the service: accept and close, enough to show it is there ---- */

static void on_listener(void *ctx, struct naru_stack *stack, int sock)
{
    (void)ctx;
    int conn;
    while ((conn = naru_accept(stack, sock, NULL)) >= 0)
        naru_close(stack, conn);
}

static int serve(struct naru_stack *stack, uint16_t port)
{
    int sock = naru_socket(stack, NARU_SOCK_STREAM);
    if (sock < 0)
        return sock;
    struct naru_sockaddr any = { .addr = { .family = NARU_AF_INET }, .port = port };
    int err = naru_bind(stack, sock, &any);
    if (!err)
        err = naru_listen(stack, sock, 16);
    if (!err)
        err = naru_socket_set_callback(stack, sock, on_listener, NULL);
    if (err < 0) {
        naru_close(stack, sock);
        return err;
    }
    return sock;
}

static int set_record(struct mover *m, uint32_t addr)
{
    const struct lesson_move_config *c = m->c;
    char a[NARU_IP4_STRLEN], record[128];
    snprintf(record, sizeof record, "%s %u IN A %s\n", c->label, c->ttl, naru_ip4_format(addr, a));
    size_t n = strlen(c->zone) + strlen(record) + 1;
    char *zone = malloc(n);
    if (!zone)
        return -ENOMEM;
    snprintf(zone, n, "%s%s", c->zone, record);
    int err = naru_sim_dns_server_update(c->dns, zone, m->err, m->err_len);
    free(zone);
    return err;
}

static void move_now(void *ctx)
{
    struct mover *m = ctx;
    const struct lesson_move_config *c = m->c;
    m->out->moved_at = naru_sim_now(c->sim);
    int err = set_record(m, c->new_addr);
    naru_close(c->old_host, m->old_listener);
    m->old_listener = -1;
    if (!err && (m->new_listener = serve(c->new_host, c->port)) < 0)
        err = m->new_listener;
    if (err < 0 && !m->failure)
        m->failure = err;
}

/* ---- one try: look the name up, connect, see what happens ---- */

static void end_try(struct attempt *a, int result)
{
    const struct lesson_move_config *c = a->m->c;
    struct lesson_try *t = &a->m->out->tries[a->index];
    if (a->sock >= 0) {
        naru_socket_set_callback(c->client, a->sock, NULL, NULL);
        naru_close(c->client, a->sock);
        a->sock = -1;
    }
    t->result = result;
    t->done = naru_sim_now(c->sim);
}

static void on_connection(void *ctx, struct naru_stack *stack, int sock)
{
    struct attempt *a = ctx;
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & (NARU_POLLERR | NARU_POLLHUP)) {
        int err = naru_socket_error(stack, sock);
        end_try(a, err < 0 ? err : -ECONNRESET);
    } else if (ev & NARU_POLLOUT) {
        end_try(a, 0);
    }
}

static void on_timeout(void *ctx)
{
    struct attempt *a = ctx;
    if (a->query >= 0) {
        naru_dns_cancel(a->m->resolver, a->query);
        a->query = -1;
        a->m->out->tries[a->index].lookup = -ETIMEDOUT;
        a->m->out->tries[a->index].done = naru_sim_now(a->m->c->sim);
    } else if (a->sock >= 0) {
        end_try(a, -ETIMEDOUT);
    }
}

static void on_answer(void *ctx, const struct naru_dns_result *r)
{
    struct attempt *a = ctx;
    const struct lesson_move_config *c = a->m->c;
    struct lesson_try *t = &a->m->out->tries[a->index];
    a->query = -1;
    t->answered = t->done = naru_sim_now(c->sim);
    t->lookup = r->status ? r->status : r->count ? 0 : -ENODATA;
    if (t->lookup)
        return;
    t->from_cache = r->from_cache;
    t->ttl = r->ttl;
    t->addr = naru_dns_result_ip4(r, 0);
    if (!r->from_cache && !a->m->out->expires_at)
        a->m->out->expires_at = t->answered + (naru_time_t)r->ttl * NARU_SEC;
    struct naru_sockaddr to = naru_sockaddr_v4(t->addr, c->port);
    int err = a->sock = naru_socket(c->client, NARU_SOCK_STREAM);
    if (err >= 0 && (err = naru_socket_set_callback(c->client, a->sock, on_connection, a)) >= 0) {
        err = naru_connect(c->client, a->sock, &to);
        if (err == -EINPROGRESS || err == -EAGAIN)
            err = 0;
    }
    if (err < 0)
        end_try(a, err);
}

static void try_now(void *ctx)
{
    struct attempt *a = ctx;
    const struct lesson_move_config *c = a->m->c;
    a->m->out->tries[a->index].at = naru_sim_now(c->sim);
    int err = naru_sim_at_stack(c->sim, c->client, naru_sim_now(c->sim) + c->try_timeout, on_timeout, a);
    if (err < 0 && !a->m->failure)
        a->m->failure = err;
    a->query = -2; /* waiting; the handle comes back below unless answered at once */
    int handle = naru_dns_resolve(a->m->resolver, c->name, DNS_TYPE_A, on_answer, a);
    if (handle < 0) {
        a->m->out->tries[a->index].lookup = handle;
        a->m->out->tries[a->index].done = naru_sim_now(c->sim);
        a->query = -1;
    } else if (a->query == -2) {
        a->query = handle;
    }
}

static bool all_done(void *ctx)
{
    const struct mover *m = ctx;
    for (unsigned i = 0; i < m->out->count; i++)
        if (!m->out->tries[i].done)
            return false;
    return true;
}

int lesson_move(const struct lesson_move_config *c, struct lesson_move *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    snprintf(err, err_len, "cannot set the experiment up");
    if (!c->tries || c->tries > LESSON_MOVE_TRIES)
        return -EINVAL;
    struct mover m = { .c = c, .out = out, .old_listener = -1, .new_listener = -1, .err = err, .err_len = err_len };
    out->count = c->tries;
    struct naru_dns_resolver_config rc;
    naru_dns_resolver_config_default(&rc);
    rc.servers[0] = c->dns_server;
    rc.server_count = 1;
    int e = set_record(&m, c->old_addr);
    if (e < 0)
        return e;
    if ((m.old_listener = serve(c->old_host, c->port)) < 0)
        return m.old_listener;
    if ((e = naru_dns_resolver_create(c->client, &rc, &m.resolver)) < 0) {
        naru_close(c->old_host, m.old_listener);
        return e;
    }
    naru_time_t start = naru_sim_now(c->sim) + 100 * NARU_MS;
    for (unsigned i = 0; i < c->tries && !e; i++) {
        m.attempts[i] = (struct attempt){ .m = &m, .index = i, .sock = -1, .query = -1 };
        e = naru_sim_at(c->sim, start + (naru_time_t)i * c->interval, try_now, &m.attempts[i]);
    }
    if (!e)
        e = naru_sim_at(c->sim, start + c->move_after, move_now, &m);
    naru_time_t last = start + (naru_time_t)(c->tries - 1) * c->interval + c->try_timeout;
    if (!e) {
        naru_sim_run(c->sim, start, NULL, NULL);
        naru_sim_run(c->sim, last + NARU_MS, all_done, &m);
        /* Scheduled calls still ahead refer to m: let them pass. */
        if (naru_sim_now(c->sim) < last + NARU_MS)
            naru_sim_run(c->sim, last + NARU_MS, NULL, NULL);
    }
    out->queries = naru_dns_resolver_stats(m.resolver)->queries_sent;
    for (unsigned i = 0; i < c->tries; i++)
        if (m.attempts[i].sock >= 0)
            end_try(&m.attempts[i], -ETIMEDOUT);
    naru_dns_resolver_destroy(m.resolver);
    if (m.old_listener >= 0)
        naru_close(c->old_host, m.old_listener);
    if (m.new_listener >= 0)
        naru_close(c->new_host, m.new_listener);
    if (!e)
        e = m.failure;
    if (!e)
        err[0] = '\0';
    return e;
}

static int if_with_addr(const struct naru_stack *s, uint32_t addr)
{
    for (int i = 0; i < (int)naru_if_count(s); i++) {
        uint32_t a;
        uint8_t len;
        if (naru_if_get_addr(s, i, &a, &len) == 0 && a == addr)
            return i;
    }
    return -ENODEV;
}

int lesson_add_new_home(struct naru_sim *sim, struct naru_stack *r1, struct naru_stack *r2, const char *name,
                        struct naru_stack **out)
{
    struct naru_stack *host = naru_sim_add_stack(sim, name, NULL);
    if (!host)
        return -ENOMEM;
    struct naru_sim_link_config lan = { .rate_bps = 1000000000, .delay = 50 * NARU_US };
    struct naru_sim_link *link;
    int host_if, r1_wan = if_with_addr(r1, naru_ip4(10, 9, 0, 1)), err = r1_wan;
    if (err < 0 || (err = naru_sim_add_link(sim, "lan3", &lan, &link)) < 0 ||
        (err = naru_sim_link_attach(link, 0, r2, "10.3.0.1/24", NULL)) < 0 ||
        (err = naru_sim_link_attach(link, 1, host, "10.3.0.80/24", &host_if)) < 0)
        return err;
    struct naru_addr any = { .family = NARU_AF_INET }, gw = naru_addr_v4(naru_ip4(10, 3, 0, 1));
    struct naru_addr net = naru_addr_v4(naru_ip4(10, 3, 0, 0)), via_r2 = naru_addr_v4(naru_ip4(10, 9, 0, 2));
    if ((err = naru_route_add(host, &any, 0, &gw, host_if)) < 0 || (err = naru_route_add(r1, &net, 24, &via_r2, r1_wan)) < 0)
        return err;
    *out = host;
    return 0;
}
