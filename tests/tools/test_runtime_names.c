/* Names in the tools (tools/names.c, what naru ping, nc, fetch and
 * traceroute resolve HOST with) in the simulator's built-in world: they go to the
 * world's own name server on the server host, through naru's stub
 * resolver on the client, and what the tools then do with the address
 * reaches the right host. Also the hosts table, the search list and
 * resolv.conf(5) parsing. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

struct env {
    struct runtime rt;
    bool open;
    char tmp[64];              /* a file the test wrote, removed afterwards */
};

static int env_setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;
    if (e->open)
        runtime_close(&e->rt);
    if (e->tmp[0])
        unlink(e->tmp);
    free(e);
    return 0;
}

static void open_world(struct env *e, const struct cli_options *o)
{
    struct cli_options none = { 0 };
    assert_int_equal(runtime_open(&e->rt, o ? o : &none, "test"), 0);
    e->open = true;
    assert_true(e->rt.simulated);
}

static const struct naru_counters *client_counters(struct env *e)
{
    return naru_stack_counters(e->rt.stack);
}

/* The IPv4 address of a name (as with -4). */
static uint32_t resolve_ok(struct env *e, const char *name)
{
    struct naru_sockaddr a = { 0 };
    int err = names_resolve(&e->rt.names, name, NARU_AF_INET, &a);
    if (err)
        fail_msg("%s: %s", name, names_error(err));
    assert_int_equal(a.addr.family, NARU_AF_INET);
    return a.addr.v4;
}

/* Either family, as with neither -4 nor -6: the address as text. */
static const char *resolve_any(struct env *e, const char *name, char buf[NARU_SOCKADDR_STRLEN])
{
    struct naru_sockaddr a = { 0 };
    int err = names_resolve(&e->rt.names, name, NARU_AF_UNSPEC, &a);
    if (err)
        fail_msg("%s: %s", name, names_error(err));
    return naru_sockaddr_format(&a, e->rt.stack, buf);
}

static const char *write_tmp(struct env *e, const char *text)
{
    snprintf(e->tmp, sizeof e->tmp, "/tmp/naru-names-XXXXXX");
    int fd = mkstemp(e->tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (long)strlen(text));
    close(fd);
    return e->tmp;
}

static void bare_world_names_are_asked_of_the_world_name_server(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    assert_int_equal(resolve_ok(e, "server"), ip("10.2.0.2"));
    /* One query (server.naru.test, the search domain first), answered by
     * the name server on the server host. */
    assert_int_equal(client_counters(e)->dns_queries, 1);
    assert_int_equal(client_counters(e)->dns_replies, 1);
    assert_int_equal(naru_stack_counters(e->rt.world.server)->dns_server_queries, 1);
    assert_int_equal(naru_dns_server_stats(e->rt.world.dns)->noerror, 1);
    assert_true(naru_sim_now(e->rt.world.sim) >= 40 * NARU_MS);   /* a round trip in virtual time */
}

static void every_world_name_and_its_aliases_resolve(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    assert_int_equal(resolve_ok(e, "client"), ip("10.1.0.2"));
    assert_int_equal(resolve_ok(e, "router"), ip("10.1.0.1"));
    assert_int_equal(resolve_ok(e, "gateway"), ip("10.1.0.1"));   /* CNAME router */
    assert_int_equal(resolve_ok(e, "www"), ip("10.2.0.2"));       /* CNAME server */
    assert_int_equal(resolve_ok(e, "ns.naru.test"), ip("10.2.0.2"));
    assert_int_equal(resolve_ok(e, "WWW.Naru.Test."), ip("10.2.0.2"));
}

static void unknown_names_are_name_or_service_not_known(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    struct naru_sockaddr a;
    /* nosuch.naru.test, then "nosuch." at the world's root: NXDOMAIN both. */
    assert_int_equal(names_resolve(&e->rt.names, "nosuch", NARU_AF_UNSPEC, &a), -ENOENT);
    assert_int_equal(client_counters(e)->dns_queries, 2);
    assert_string_equal(names_error(-ENOENT), "Name or service not known");
    assert_int_equal(names_resolve(&e->rt.names, "www.example.com", NARU_AF_UNSPEC, &a), -ENOENT);
    assert_int_equal(names_resolve(&e->rt.names, "", NARU_AF_UNSPEC, &a), -ENOENT);
    assert_int_equal(names_resolve(&e->rt.names, "a..b", NARU_AF_UNSPEC, &a), -ENOENT);
}

static void dotted_quads_send_no_query(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    assert_int_equal(resolve_ok(e, "10.2.0.2"), ip("10.2.0.2"));
    assert_int_equal(client_counters(e)->dns_queries, 0);
}

static void names_of_both_families_give_ipv6_first_when_the_host_has_it(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    char a[NARU_SOCKADDR_STRLEN];
    /* The client has 2001:db8:1::2 beside 10.1.0.2: AAAA first, as
     * getaddrinfo() sorts (RFC 6724 6), and one query answers. */
    assert_string_equal(resolve_any(e, "server", a), "2001:db8:2::2");
    assert_int_equal(client_counters(e)->dns_queries, 1);
    assert_string_equal(resolve_any(e, "www", a), "2001:db8:2::2"); /* CNAME server */
    struct naru_sockaddr sa;
    assert_int_equal(names_resolve(&e->rt.names, "router", NARU_AF_INET6, &sa), 0);
    assert_string_equal(naru_sockaddr_format(&sa, NULL, a), "2001:db8:1::1");
    assert_int_equal(resolve_ok(e, "router"), ip("10.1.0.1"));
}

static void a_name_without_ipv6_falls_back_to_ipv4(void **state)
{
    struct env *e = *state;
    struct cli_options o = { .hosts = write_tmp(e, "10.9.9.9 only4\n2001:db8:9::9 only6\n") };
    open_world(e, &o);
    char a[NARU_SOCKADDR_STRLEN];
    assert_string_equal(resolve_any(e, "only4", a), "10.9.9.9");
    assert_string_equal(resolve_any(e, "only6", a), "2001:db8:9::9");
    struct naru_sockaddr sa;
    assert_int_equal(names_resolve(&e->rt.names, "only4", NARU_AF_INET6, &sa), -ENODATA);
    assert_int_equal(names_resolve(&e->rt.names, "only6", NARU_AF_INET, &sa), -ENODATA);
}

static void address_literals_of_both_families_and_zones_send_no_query(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    char a[NARU_SOCKADDR_STRLEN];
    assert_string_equal(resolve_any(e, "2001:DB8:2:0::2", a), "2001:db8:2::2");
    /* A zone is an interface of the command's stack, by name or number. */
    char zoned[64];
    snprintf(zoned, sizeof zoned, "fe80::1%%%s", naru_if_name(e->rt.stack, e->rt.world.client_ifindex));
    struct naru_sockaddr sa;
    assert_int_equal(names_resolve(&e->rt.names, zoned, NARU_AF_UNSPEC, &sa), 0);
    assert_int_equal(sa.scope_id, NARU_SCOPE_ID(e->rt.world.client_ifindex));
    assert_int_equal(names_resolve(&e->rt.names, "fe80::1%nosuch", NARU_AF_UNSPEC, &sa), -ENODEV);
    assert_int_equal(names_resolve(&e->rt.names, "2001:db8::1", NARU_AF_INET, &sa), -EAFNOSUPPORT);
    assert_int_equal(names_resolve(&e->rt.names, "2001:db8::1%eth0", NARU_AF_UNSPEC, &sa), -EINVAL);
    assert_int_equal(client_counters(e)->dns_queries, 0);
}

static void names_with_a_dot_are_asked_as_they_are_first(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    /* ndots 1: "server.naru.test" is asked as it is, and found at once. */
    assert_int_equal(resolve_ok(e, "server.naru.test"), ip("10.2.0.2"));
    assert_int_equal(client_counters(e)->dns_queries, 1);
}

static void a_second_lookup_comes_from_the_cache(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    resolve_ok(e, "www");
    naru_time_t before = naru_sim_now(e->rt.world.sim);
    assert_int_equal(resolve_ok(e, "www"), ip("10.2.0.2"));
    assert_int_equal(client_counters(e)->dns_queries, 1);
    assert_int_equal(client_counters(e)->dns_cache_hits, 1);
    assert_int_equal(naru_sim_now(e->rt.world.sim), before);          /* no time passed */
}

static void hosts_file_answers_before_the_name_server(void **state)
{
    struct env *e = *state;
    struct cli_options o = { .hosts = write_tmp(e, "# mine\n10.9.9.9  server  extra.alias\n") };
    open_world(e, &o);
    assert_int_equal(resolve_ok(e, "server"), ip("10.9.9.9"));
    assert_int_equal(resolve_ok(e, "extra.alias"), ip("10.9.9.9"));
    assert_int_equal(client_counters(e)->dns_queries, 0);
    assert_int_equal(resolve_ok(e, "router"), ip("10.1.0.1"));    /* the rest still by DNS */
}

static void bad_hosts_file_is_a_usage_error(void **state)
{
    struct env *e = *state;
    struct cli_options o = { .hosts = write_tmp(e, "10.9.9.9 fine\n10.9.9 broken\n") };
    assert_int_equal(runtime_open(&e->rt, &o, "test"), 2);
    runtime_close(&e->rt);
    o.hosts = "/nonexistent/hosts";
    assert_int_equal(runtime_open(&e->rt, &o, "test"), 2);
    runtime_close(&e->rt);
}

static void silent_name_server_times_out_in_virtual_time(void **state)
{
    struct env *e = *state;
    struct cli_options o = { .dns = { { .addr = naru_addr_v4(ip("10.2.0.9")), .port = 53 } }, .dns_count = 1 };
    open_world(e, &o);
    struct naru_sockaddr a;
    assert_int_equal(names_resolve(&e->rt.names, "server", NARU_AF_UNSPEC, &a), -ETIMEDOUT);
    assert_string_equal(names_error(-ETIMEDOUT), "Temporary failure in name resolution");
    /* Three tries of 1, 2 and 4 s; and no second name is tried after a
     * timeout, since it would wait as long. */
    assert_int_equal(client_counters(e)->dns_queries, 3);
    assert_int_equal(client_counters(e)->dns_timeouts, 1);
    assert_true(naru_sim_now(e->rt.world.sim) >= 7 * NARU_SEC && naru_sim_now(e->rt.world.sim) < 8 * NARU_SEC);
}

/* ---- the address a name gives is the host the tools then reach ---- */

struct reply_wait {
    int sock;
    bool got;
    uint32_t from;
};

static void on_reply(void *ctx, struct naru_stack *stack, int sock)
{
    struct reply_wait *w = ctx;
    uint8_t buf[256];
    struct naru_sockaddr from;
    if (naru_recvfrom(stack, sock, buf, sizeof buf, 0, &from) > 0) {
        w->got = true;
        w->from = from.addr.v4;
    }
}

static bool got_reply(void *ctx)
{
    return ((struct reply_wait *)ctx)->got;
}

static void ping_by_name_reaches_the_server(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    uint32_t dst = resolve_ok(e, "www");
    struct reply_wait w = { .sock = naru_socket(e->rt.stack, NARU_SOCK_PING) };
    assert_true(w.sock >= 0);
    naru_socket_set_callback(e->rt.stack, w.sock, on_reply, &w);
    uint8_t echo[16] = { 8, 0, 0, 0, 0, 0, 0, 1 };
    struct naru_sockaddr to = { .addr = naru_addr_v4(dst), .port = 0 };
    assert_true(naru_sendto(e->rt.stack, w.sock, echo, sizeof echo, 0, &to) > 0);
    assert_int_equal(loop_run(&e->rt.loop, loop_now(&e->rt.loop) + NARU_SEC, got_reply, &w), 0);
    assert_int_equal(w.from, ip("10.2.0.2"));
    naru_close(e->rt.stack, w.sock);
}

static void udp_to_a_name_reaches_the_echo_service(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    uint32_t dst = resolve_ok(e, "server");
    struct reply_wait w = { .sock = udp_socket(e->rt.stack, 0) };
    naru_socket_set_callback(e->rt.stack, w.sock, on_reply, &w);
    struct naru_sockaddr to = { .addr = naru_addr_v4(dst), .port = 7 };
    assert_int_equal(naru_sendto(e->rt.stack, w.sock, "hello", 5, 0, &to), 5);
    assert_int_equal(loop_run(&e->rt.loop, loop_now(&e->rt.loop) + NARU_SEC, got_reply, &w), 0);
    assert_int_equal(w.from, ip("10.2.0.2"));
    naru_close(e->rt.stack, w.sock);
}

struct fetch_wait {
    int sock;
    bool sent, done;
    char got[256];
    size_t have;
};

static void on_http(void *ctx, struct naru_stack *stack, int sock)
{
    struct fetch_wait *f = ctx;
    unsigned ev = naru_socket_events(stack, sock);
    static const char req[] = "GET / HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n";
    if (!f->sent && (ev & NARU_POLLOUT))
        f->sent = naru_send(stack, sock, req, sizeof req - 1, 0) == (long)(sizeof req - 1);
    long n;
    while (f->have < sizeof f->got - 1 &&
           (n = naru_recv(stack, sock, f->got + f->have, sizeof f->got - 1 - f->have, 0)) > 0)
        f->have += (size_t)n;
    f->got[f->have] = 0;
    if (f->have >= 12 || (ev & (NARU_POLLERR | NARU_POLLHUP)))
        f->done = true;
}

static bool fetch_done(void *ctx)
{
    return ((struct fetch_wait *)ctx)->done;
}

static void fetch_by_name_gets_the_world_web_site(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    struct fetch_wait f = { .sock = naru_socket(e->rt.stack, NARU_SOCK_STREAM) };
    if (f.sock == -EPROTONOSUPPORT)
        skip();                /* the stack has no TCP yet: fetch and nc wait for it */
    assert_true(f.sock >= 0);
    uint32_t dst = resolve_ok(e, "www");
    naru_socket_set_callback(e->rt.stack, f.sock, on_http, &f);
    struct naru_sockaddr to = { .addr = naru_addr_v4(dst), .port = 80 };
    int err = naru_connect(e->rt.stack, f.sock, &to);
    assert_true(err == 0 || err == -EINPROGRESS);
    assert_int_equal(loop_run(&e->rt.loop, loop_now(&e->rt.loop) + 5 * NARU_SEC, fetch_done, &f), 0);
    assert_memory_equal(f.got, "HTTP/1.1 200", 12);
    naru_close(e->rt.stack, f.sock);
}

/* ---- resolv.conf(5) ---- */

static void resolv_conf_gives_servers_of_both_families_search_list_and_ndots(void **state)
{
    struct env *e = *state;
    const char *path = write_tmp(e, "# comment\n; another\n"
                                    "nameserver 2001:db8::53\n"
                                    "nameserver fe80::53%eth0\n"
                                    "nameserver 192.0.2.53   # trailing\n"
                                    "nameserver\tbogus\n"
                                    "domain old.example\n"
                                    "search a.example b.example.\n"
                                    "options timeout:2 ndots:3 rotate\n"
                                    "nameserver 192.0.2.54\n"
                                    "nameserver 192.0.2.55\nnameserver 192.0.2.56\nnameserver 192.0.2.57\n"
                                    "sortlist 10.0.0.0\n");
    struct resolv_conf c;
    assert_int_equal(names_read_resolv_conf(path, &c), 0);
    assert_int_equal(c.server_count, NARU_DNS_MAX_SERVERS);   /* the first four, in order */
    char a[NARU_SOCKADDR_STRLEN];
    assert_string_equal(naru_sockaddr_format(&c.servers[0], NULL, a), "[2001:db8::53]:53");
    /* fe80::53%eth0 is left out: eth0 is the system's, not naru's. */
    assert_int_equal(c.servers[1].addr.v4, ip("192.0.2.53"));
    assert_int_equal(c.servers[1].port, 53);
    assert_int_equal(c.servers[3].addr.v4, ip("192.0.2.55"));
    assert_int_equal(c.search_count, 2);                      /* the last search/domain line */
    assert_string_equal(c.search[0], "a.example");
    assert_string_equal(c.search[1], "b.example");
    assert_int_equal(c.ndots, 3);
    assert_int_equal(names_read_resolv_conf("/nonexistent/resolv.conf", &c), -ENOENT);
    assert_int_equal(c.server_count, 0);
    assert_int_equal(c.ndots, 1);
}

/* naru nc and fetch connect through runtime_connect(): Happy Eyeballs. */
static void connect_by_name_reaches_the_server_over_ipv6_first(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    struct cli_options none = { 0 }, four = { .family = NARU_AF_INET };
    struct runtime_dialed d;
    char a[NARU_SOCKADDR_STRLEN];
    int sock = runtime_connect(&e->rt, &none, "www", 7, 5 * NARU_SEC, &d);
    if (sock == -EPROTONOSUPPORT)
        skip();
    assert_true(sock >= 0);
    assert_true(d.resolved);
    assert_string_equal(naru_sockaddr_format(&d.peer, NULL, a), "[2001:db8:2::2]:7");
    naru_close(e->rt.stack, sock);
    sock = runtime_connect(&e->rt, &four, "www", 7, 5 * NARU_SEC, &d);
    assert_true(sock >= 0);
    assert_string_equal(naru_sockaddr_format(&d.peer, NULL, a), "10.2.0.2:7");
    naru_close(e->rt.stack, sock);
    assert_int_equal(runtime_connect(&e->rt, &none, "nosuch", 7, 5 * NARU_SEC, &d), -ENOENT);
    assert_false(d.resolved);
    /* Nobody listens on port 6: refused, by each family in turn. */
    assert_int_equal(runtime_connect(&e->rt, &none, "server", 6, 5 * NARU_SEC, &d), -ECONNREFUSED);
    assert_true(d.resolved);
}

static void ping6_to_a_name_reaches_the_server(void **state)
{
    struct env *e = *state;
    open_world(e, NULL);
    struct naru_sockaddr to = { 0 };
    assert_int_equal(names_resolve(&e->rt.names, "server", NARU_AF_INET6, &to), 0);
    struct reply_wait w = { .sock = naru_socket(e->rt.stack, NARU_SOCK_PING) };
    assert_true(w.sock >= 0);
    naru_socket_set_callback(e->rt.stack, w.sock, on_reply, &w);
    uint8_t echo[16] = { 128, 0, 0, 0, 0, 0, 0, 1 }; /* ICMPv6 echo request (RFC 4443 4.1) */
    assert_true(naru_sendto(e->rt.stack, w.sock, echo, sizeof echo, 0, &to) > 0);
    assert_int_equal(loop_run(&e->rt.loop, loop_now(&e->rt.loop) + NARU_SEC, got_reply, &w), 0);
    naru_close(e->rt.stack, w.sock);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
    const struct CMUnitTest tests[] = {
        T(bare_world_names_are_asked_of_the_world_name_server),
        T(every_world_name_and_its_aliases_resolve),
        T(unknown_names_are_name_or_service_not_known),
        T(dotted_quads_send_no_query),
        T(names_with_a_dot_are_asked_as_they_are_first),
        T(a_second_lookup_comes_from_the_cache),
        T(hosts_file_answers_before_the_name_server),
        T(bad_hosts_file_is_a_usage_error),
        T(silent_name_server_times_out_in_virtual_time),
        T(ping_by_name_reaches_the_server),
        T(udp_to_a_name_reaches_the_echo_service),
        T(fetch_by_name_gets_the_world_web_site),
        T(resolv_conf_gives_servers_of_both_families_search_list_and_ndots),
        T(names_of_both_families_give_ipv6_first_when_the_host_has_it),
        T(a_name_without_ipv6_falls_back_to_ipv4),
        T(address_literals_of_both_families_and_zones_send_no_query),
        T(connect_by_name_reaches_the_server_over_ipv6_first),
        T(ping6_to_a_name_reaches_the_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
