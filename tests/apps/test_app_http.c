/* HTTP/1.1 (src/apps/http*.c): the server's responses as bytes, path
 * safety, naru's own site and its limits, the response parser, and a GET
 * against the server between two simulated stacks. */
#include "appnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/http.h"

static size_t produce_all(struct app_http_server_conn *c, char *out, size_t cap)
{
    size_t n = 0, got;
    while (n < cap - 1 && (got = app_http_server_produce(c, (uint8_t *)out + n, cap - 1 - n)) > 0)
        n += got;
    out[n] = '\0';
    return n;
}

struct site_env {
    struct naru_app_pattern *pattern;
    struct naru_http_site site;
};

static int site_setup(void **state)
{
    struct site_env *e = calloc(1, sizeof *e);
    assert_int_equal(naru_app_pattern_create(&e->pattern), 0);
    naru_http_builtin_site(e->pattern, &e->site);
    *state = e;
    return 0;
}

static int site_teardown(void **state)
{
    struct site_env *e = *state;
    naru_app_pattern_destroy(e->pattern);
    free(e);
    return 0;
}

/* ---- bytes in, bytes out ---- */

static void clean_path_refuses_traversal(void **state)
{
    (void)state;
    char out[256];
    assert_true(app_http_clean_path("/a/./b//c.txt?x=1", out, sizeof out));
    assert_string_equal(out, "a/b/c.txt");
    assert_true(app_http_clean_path("/", out, sizeof out));
    assert_string_equal(out, "");
    assert_true(app_http_clean_path("/sp%20ace", out, sizeof out));
    assert_string_equal(out, "sp ace");
    assert_false(app_http_clean_path("/../etc/passwd", out, sizeof out));
    assert_false(app_http_clean_path("/a/%2e%2e/%2e%2e/etc", out, sizeof out));
    assert_false(app_http_clean_path("/a%2f..%2fb", out, sizeof out));
    assert_false(app_http_clean_path("/a%00b", out, sizeof out));
    assert_false(app_http_clean_path("/a%zz", out, sizeof out));
    assert_false(app_http_clean_path("relative", out, sizeof out));
    assert_false(app_http_clean_path("/a\\..\\b", out, sizeof out));
}

static void builtin_site_serves_pages_and_keeps_alive(void **state)
{
    struct site_env *e = *state;
    struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
    const char *req = "GET /bytes/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
    app_http_server_consume(c, (const uint8_t *)req, strlen(req));
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Type: application/octet-stream\r\n"));
    assert_non_null(strstr(out, "Content-Length: 100\r\n"));
    assert_non_null(strstr(out, "Connection: keep-alive\r\n"));
    const char *body = strstr(out, "\r\n\r\n") + 4;
    assert_true(naru_app_pattern_check(e->pattern, 0, body, 100));
    assert_true(strncmp(body + 100, "HTTP/1.1 404 Not Found", 22) == 0);
    assert_false(app_http_server_wants_close(c));
    app_http_server_conn_free(c);
}

/* A byte count that is negative, or would overflow, or is beyond the
 * limit is no page of this site: 404, never a huge Content-Length. */
static void bytes_paths_out_of_range_are_not_found(void **state)
{
    struct site_env *e = *state;
    const char *paths[] = { "/bytes/-1", "/bytes/99999999999999999999", "/bytes/18446744073709551616",
                            "/bytes/1099511627777", "/bytes/", "/bytes/12abc", "/bytes/+5", "/bytes/1 2" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
        char req[128];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", paths[i]);
        app_http_server_consume(c, (const uint8_t *)req, strlen(req));
        static char out[4096];
        produce_all(c, out, sizeof out);
        if (strncmp(out, "HTTP/1.1 404 ", 13) != 0 && strncmp(out, "HTTP/1.1 400 ", 13) != 0)
            fail_msg("%s: %s", paths[i], out);
        assert_null(strstr(out, "Content-Length: 1844"));
        app_http_server_conn_free(c);
    }
    /* The limit itself is a page (only its head is asked for here). */
    struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
    const char *head = "HEAD /bytes/1099511627776 HTTP/1.1\r\n\r\n";
    app_http_server_consume(c, (const uint8_t *)head, strlen(head));
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Length: 1099511627776\r\n"));
    app_http_server_conn_free(c);
}

static void http10_and_connection_close_end_the_connection(void **state)
{
    struct site_env *e = *state;
    const char *reqs[] = { "GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
                           "GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n" };
    for (int i = 0; i < 3; i++) {
        struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
        app_http_server_consume(c, (const uint8_t *)reqs[i], strlen(reqs[i]));
        static char out[4096];
        produce_all(c, out, sizeof out);
        assert_non_null(strstr(out, "Connection: close\r\n"));
        assert_non_null(strstr(out, "<h1>Hello from naru</h1>"));
        assert_true(app_http_server_wants_close(c));
        app_http_server_conn_free(c);
    }
}

static void malformed_requests_get_400_and_unknown_methods_501(void **state)
{
    struct site_env *e = *state;
    const char *bad[] = { "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET /\r\n\r\n",
                          "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "GET / HTTP/1.1\r\nName : x\r\n\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
        app_http_server_consume(c, (const uint8_t *)bad[i], strlen(bad[i]));
        static char out[4096];
        produce_all(c, out, sizeof out);
        if (strncmp(out, "HTTP/1.1 400 Bad Request\r\n", 26) != 0)
            fail_msg("request %zu: %s", i, out);
        assert_true(app_http_server_wants_close(c));
        app_http_server_conn_free(c);
    }
    struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
    const char *post = "POST / HTTP/1.1\r\n\r\n";
    app_http_server_consume(c, (const uint8_t *)post, strlen(post));
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_true(strncmp(out, "HTTP/1.1 501 Not Implemented\r\n", 30) == 0);
    app_http_server_conn_free(c);
}

static void oversized_request_head_gets_431(void **state)
{
    struct site_env *e = *state;
    struct app_http_server_conn *c = app_http_server_conn_new(&e->site, NULL);
    static char junk[10000];
    memset(junk, 'a', sizeof junk);
    app_http_server_consume(c, (const uint8_t *)"GET / HTTP/1.1\r\nX: ", 19);
    app_http_server_consume(c, (const uint8_t *)junk, sizeof junk);
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_true(strncmp(out, "HTTP/1.1 431", 12) == 0);
    assert_true(app_http_server_wants_close(c));
    app_http_server_conn_free(c);
}

struct sink {
    char data[256];
    size_t len;
};

static void collect(void *ctx, const uint8_t *data, size_t len)
{
    struct sink *s = ctx;
    assert_true(s->len + len < sizeof s->data);
    memcpy(s->data + s->len, data, len);
    s->len += len;
}

static void response_parser_handles_length_chunked_and_close(void **state)
{
    (void)state;
    struct app_http_response r;
    struct sink s = { 0 };
    const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
    app_http_response_init(&r);
    /* Byte by byte, the hardest split. */
    int result = 0;
    for (size_t i = 0; i < strlen(a) && result == 0; i++)
        result = app_http_response_feed(&r, (const uint8_t *)a + i, 1, collect, &s);
    assert_int_equal(result, 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.data, "hello", 5);

    const char *b = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n";
    app_http_response_init(&r);
    s.len = 0;
    assert_int_equal(app_http_response_feed(&r, (const uint8_t *)b, strlen(b), collect, &s), 1);
    assert_int_equal(s.len, 10);
    assert_memory_equal(s.data, "Wikipedia ", 10);

    const char *c = "HTTP/1.0 404 Not Found\r\n\r\nnope";
    app_http_response_init(&r);
    s.len = 0;
    assert_int_equal(app_http_response_feed(&r, (const uint8_t *)c, strlen(c), collect, &s), 0);
    assert_int_equal(app_http_response_eof(&r), 1);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.reason, "Not Found");

    const char *d = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
    app_http_response_init(&r);
    assert_int_equal(app_http_response_feed(&r, (const uint8_t *)d, strlen(d), collect, &s), 0);
    assert_int_equal(app_http_response_eof(&r), -1);

    const char *bad[] = { "SMTP ready\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                          "HTTP/1.1 2x0 OK\r\n\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        app_http_response_init(&r);
        if (app_http_response_feed(&r, (const uint8_t *)bad[i], strlen(bad[i]), collect, &s) != -1)
            fail_msg("accepted: %s", bad[i]);
    }
}

/* ---- over sockets ---- */

static bool get_finished(void *ctx)
{
    return naru_http_get_result(ctx)->finished;
}

static const struct naru_http_get_result *get(struct appnet *n, const char *path, bool verify,
                                              struct naru_http_get **out)
{
    struct naru_http_get_config c;
    naru_http_get_config_default(&c);
    c.server.addr = naru_addr_v4(ip("10.0.0.2"));
    c.path = path;
    c.host = "b.test";
    c.verify = verify;
    assert_int_equal(naru_http_get_start(&n->env_a, &c, out), 0);
    assert_true(appnet_run(n, 600 * NARU_SEC, get_finished, *out));
    return naru_http_get_result(*out);
}

static void a_get_of_the_page_and_of_pattern_bytes_arrives_intact(void **state)
{
    (void)state;
    struct appnet n;
    struct naru_sim_link_config lossy = { .rate_bps = 10000000, .delay = 10 * NARU_MS, .loss = 0.02 };
    appnet_make(&n, 11, &lossy, NULL);
    struct naru_http_server_config sc;
    naru_http_server_config_default(&sc);
    struct naru_http_server *srv;
    assert_int_equal(naru_http_server_start(&n.env_b, &sc, &srv), 0);
    struct naru_http_get *g;
    const struct naru_http_get_result *r = get(&n, "/", true, &g);
    assert_true(r->ok);
    assert_int_equal(r->status, 200);
    assert_true(r->body_received > 100 && (int64_t)r->body_received == r->content_length);
    naru_http_get_destroy(g);
    r = get(&n, "/bytes/300000", true, &g);
    assert_true(r->ok);
    assert_true(r->intact);
    assert_int_equal(r->body_received, 300000);
    assert_true(counter(n.b, "tcp_retransmits") > 0); /* the loss was met, and repaired */
    naru_http_get_destroy(g);
    r = get(&n, "/bytes/-1", true, &g);
    assert_false(r->ok);
    assert_int_equal(r->status, 404);
    assert_string_equal(r->why, "the server answered 404 Not Found");
    naru_http_get_destroy(g);
    appnet_run(&n, 5 * NARU_SEC, NULL, NULL); /* the last connection closes */
    const struct naru_http_server_stats *st = naru_http_server_stats(srv);
    assert_int_equal(st->connections, 3);
    assert_int_equal(st->requests, 3);
    assert_int_equal(st->responses[2], 2);
    assert_int_equal(st->responses[4], 1);
    naru_http_server_destroy(srv);
    appnet_free(&n);
}

static void a_closed_port_is_connection_refused(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 13, NULL, NULL);
    struct naru_http_get *g;
    const struct naru_http_get_result *r = get(&n, "/", false, &g);
    assert_false(r->ok);
    assert_false(r->connected);
    assert_int_equal(r->error, -ECONNREFUSED);
    assert_string_equal(r->why, "connection refused");
    naru_http_get_destroy(g);
    appnet_free(&n);
}

/* A site of the caller's: what it answers, the server sends. */
static int tiny_open(void *ctx, const char *path, struct naru_http_resource *res)
{
    (void)ctx;
    if (!strcmp(path, "secret"))
        return 403;
    if (strcmp(path, "hi.txt"))
        return 404;
    res->content_type = "text/plain";
    res->length = 3;
    return 200;
}

static long tiny_read(void *ctx, void *handle, uint64_t offset, void *buf, size_t len)
{
    (void)ctx;
    (void)handle;
    memcpy(buf, "hi\n" + offset, len);
    return (long)len;
}

struct body {
    struct naru_http_get *get;
    int status_seen;           /* the result's status when the body came */
    char text[64];
    size_t len;
};

static void keep_body(void *ctx, const uint8_t *data, size_t len)
{
    struct body *b = ctx;
    b->status_seen = naru_http_get_result(b->get)->status;
    memcpy(b->text + b->len, data, len);
    b->len += len;
}

/* A server whose /bytes/10 is ten zeros: not naru's pattern. */
static int zeros_open(void *ctx, const char *path, struct naru_http_resource *res)
{
    (void)ctx;
    (void)path;
    res->length = 10;
    return 200;
}

static long zeros_read(void *ctx, void *handle, uint64_t offset, void *buf, size_t len)
{
    (void)ctx;
    (void)handle;
    (void)offset;
    memset(buf, 0, len);
    return (long)len;
}

static void a_body_that_is_not_the_sites_is_noticed(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 12, NULL, NULL);
    struct naru_http_server_config sc;
    naru_http_server_config_default(&sc);
    sc.site = (struct naru_http_site){ .open = zeros_open, .read = zeros_read };
    struct naru_http_server *srv;
    assert_int_equal(naru_http_server_start(&n.env_b, &sc, &srv), 0);
    struct naru_http_get *g;
    const struct naru_http_get_result *r = get(&n, "/bytes/10", true, &g);
    assert_true(r->complete);
    assert_false(r->intact);
    assert_false(r->ok);
    assert_string_equal(r->why, "the body arrived altered");
    naru_http_get_destroy(g);
    naru_http_server_destroy(srv);
    appnet_free(&n);
}

static void a_site_of_ones_own_is_served(void **state)
{
    (void)state;
    struct appnet n;
    appnet_make(&n, 14, NULL, NULL);
    struct naru_http_server_config sc;
    naru_http_server_config_default(&sc);
    sc.port = 8080;
    sc.site = (struct naru_http_site){ .open = tiny_open, .read = tiny_read };
    struct naru_http_server *srv;
    assert_int_equal(naru_http_server_start(&n.env_b, &sc, &srv), 0);
    struct body body = { .len = 0 };
    struct naru_http_get_config c;
    naru_http_get_config_default(&c);
    c.server = (struct naru_sockaddr){ .addr = naru_addr_v4(ip("10.0.0.2")), .port = 8080 };
    c.path = "/hi.txt";
    c.on_body = keep_body;
    c.ctx = &body;
    struct naru_http_get *g;
    assert_int_equal(naru_http_get_start(&n.env_a, &c, &g), 0);
    body.get = g;
    assert_true(appnet_run(&n, 60 * NARU_SEC, get_finished, g));
    assert_true(naru_http_get_result(g)->ok);
    assert_int_equal(body.status_seen, 200); /* the head is in the result before the body */
    assert_int_equal(body.len, 3);
    assert_memory_equal(body.text, "hi\n", 3);
    naru_http_get_destroy(g);
    c.path = "/secret";
    assert_int_equal(naru_http_get_start(&n.env_a, &c, &g), 0);
    body.get = g;
    assert_true(appnet_run(&n, 60 * NARU_SEC, get_finished, g));
    assert_int_equal(naru_http_get_result(g)->status, 403);
    naru_http_get_destroy(g);
    /* Spaces in a path must be %-encoded: the GET refuses to start. */
    c.path = "/a b";
    assert_int_equal(naru_http_get_start(&n.env_a, &c, &g), -EINVAL);
    appnet_run(&n, 5 * NARU_SEC, NULL, NULL);
    naru_http_server_destroy(srv);
    appnet_free(&n);
}

int main(void)
{
#define S(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_path_refuses_traversal),
        S(builtin_site_serves_pages_and_keeps_alive),
        S(bytes_paths_out_of_range_are_not_found),
        S(http10_and_connection_close_end_the_connection),
        S(malformed_requests_get_400_and_unknown_methods_501),
        S(oversized_request_head_gets_431),
        cmocka_unit_test(response_parser_handles_length_chunked_and_close),
        cmocka_unit_test(a_get_of_the_page_and_of_pattern_bytes_arrives_intact),
        cmocka_unit_test(a_body_that_is_not_the_sites_is_noticed),
        cmocka_unit_test(a_closed_port_is_connection_refused),
        cmocka_unit_test(a_site_of_ones_own_is_served),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
