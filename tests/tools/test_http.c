/* The tools' HTTP/1.1 code: the server's responses and path safety, and
 * the response parser naru fetch uses. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

static size_t produce_all(struct http_server_conn *c, char *out, size_t cap)
{
    size_t n = 0, got;
    while (n < cap - 1 && (got = http_server_produce(c, (uint8_t *)out + n, cap - 1 - n)) > 0)
        n += got;
    out[n] = '\0';
    return n;
}

static void clean_path_refuses_traversal(void **state)
{
    (void)state;
    char out[256];
    assert_true(http_clean_path("/a/./b//c.txt?x=1", out, sizeof out));
    assert_string_equal(out, "a/b/c.txt");
    assert_true(http_clean_path("/", out, sizeof out));
    assert_string_equal(out, "");
    assert_true(http_clean_path("/sp%20ace", out, sizeof out));
    assert_string_equal(out, "sp ace");
    assert_false(http_clean_path("/../etc/passwd", out, sizeof out));
    assert_false(http_clean_path("/a/%2e%2e/%2e%2e/etc", out, sizeof out));
    assert_false(http_clean_path("/a%2f..%2fb", out, sizeof out));
    assert_false(http_clean_path("/a%00b", out, sizeof out));
    assert_false(http_clean_path("/a%zz", out, sizeof out));
    assert_false(http_clean_path("relative", out, sizeof out));
    assert_false(http_clean_path("/a\\..\\b", out, sizeof out));
}

static void builtin_site_serves_pages_and_keeps_alive(void **state)
{
    (void)state;
    struct http_server_conn *c = http_server_conn_new(NULL);
    const char *req = "GET /bytes/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
    http_server_consume(c, (const uint8_t *)req, strlen(req));
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Length: 100\r\n"));
    assert_non_null(strstr(out, "Connection: keep-alive\r\n"));
    const char *body = strstr(out, "\r\n\r\n") + 4;
    for (int i = 0; i < 100; i++)
        assert_int_equal((uint8_t)body[i], http_pattern((uint64_t)i));
    assert_non_null(strstr(body + 100, "HTTP/1.1 404 Not Found"));
    assert_false(http_server_wants_close(c));
    http_server_conn_free(c);
}

static void http10_and_connection_close_end_the_connection(void **state)
{
    (void)state;
    const char *reqs[] = { "GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n" };
    for (int i = 0; i < 2; i++) {
        struct http_server_conn *c = http_server_conn_new(NULL);
        http_server_consume(c, (const uint8_t *)reqs[i], strlen(reqs[i]));
        static char out[4096];
        produce_all(c, out, sizeof out);
        assert_non_null(strstr(out, "Connection: close\r\n"));
        assert_true(http_server_wants_close(c));
        http_server_conn_free(c);
    }
}

static void directory_root_serves_files_and_refuses_escapes(void **state)
{
    (void)state;
    char dir[] = "/tmp/naru-http-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("hello, world\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/link", dir);
    assert_int_equal(symlink("/etc/hostname", path), 0);
    struct http_server_conn *c = http_server_conn_new(dir);
    const char *req = "GET /hello.txt HTTP/1.1\r\n\r\nHEAD /hello.txt HTTP/1.1\r\n\r\n"
                      "GET /link HTTP/1.1\r\n\r\nGET /../hello.txt HTTP/1.1\r\n\r\n"
                      "POST / HTTP/1.1\r\n\r\n";
    http_server_consume(c, (const uint8_t *)req, strlen(req));
    static char out[8192];
    produce_all(c, out, sizeof out);
    const char *first = strstr(out, "HTTP/1.1 200 OK");
    assert_non_null(first);
    assert_non_null(strstr(first, "Content-Type: text/plain"));
    assert_non_null(strstr(first, "Content-Length: 13\r\n"));
    assert_true(strstr(first, "\r\n\r\n") == strstr(first, "\r\n\r\nhello, world\nHTTP/1.1 200 OK"));
    const char *second = strstr(first + 1, "HTTP/1.1 200 OK"); /* HEAD: no body follows */
    assert_non_null(second);
    const char *third = strstr(second, "\r\n\r\n") + 4;
    assert_true(strncmp(third, "HTTP/1.1 403 Forbidden", 22) == 0); /* the symbolic link out */
    assert_non_null(strstr(third, "HTTP/1.1 400 Bad Request"));
    assert_non_null(strstr(third, "HTTP/1.1 501 Not Implemented"));
    http_server_conn_free(c);
    unlink(path);
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    unlink(path);
    rmdir(dir);
}

static void oversized_request_head_gets_431(void **state)
{
    (void)state;
    struct http_server_conn *c = http_server_conn_new(NULL);
    static char junk[10000];
    memset(junk, 'a', sizeof junk);
    http_server_consume(c, (const uint8_t *)"GET / HTTP/1.1\r\nX: ", 19);
    http_server_consume(c, (const uint8_t *)junk, sizeof junk);
    static char out[4096];
    produce_all(c, out, sizeof out);
    assert_true(strncmp(out, "HTTP/1.1 431", 12) == 0);
    assert_true(http_server_wants_close(c));
    http_server_conn_free(c);
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
    struct http_response r;
    struct sink s = { 0 };
    const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
    http_response_init(&r);
    /* Byte by byte, the hardest split. */
    int result = 0;
    for (size_t i = 0; i < strlen(a) && result == 0; i++)
        result = http_response_feed(&r, (const uint8_t *)a + i, 1, collect, &s);
    assert_int_equal(result, 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.data, "hello", 5);

    const char *b = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n";
    http_response_init(&r);
    s.len = 0;
    assert_int_equal(http_response_feed(&r, (const uint8_t *)b, strlen(b), collect, &s), 1);
    assert_int_equal(s.len, 10);
    assert_memory_equal(s.data, "Wikipedia ", 10);

    const char *c = "HTTP/1.0 404 Not Found\r\n\r\nnope";
    http_response_init(&r);
    s.len = 0;
    assert_int_equal(http_response_feed(&r, (const uint8_t *)c, strlen(c), collect, &s), 0);
    assert_int_equal(http_response_eof(&r), 1);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.reason, "Not Found");

    const char *d = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, (const uint8_t *)d, strlen(d), collect, &s), 0);
    assert_int_equal(http_response_eof(&r), -1);

    const char *e = "SMTP ready\r\n\r\n";
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, (const uint8_t *)e, strlen(e), collect, &s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_path_refuses_traversal),
        cmocka_unit_test(builtin_site_serves_pages_and_keeps_alive),
        cmocka_unit_test(http10_and_connection_close_end_the_connection),
        cmocka_unit_test(directory_root_serves_files_and_refuses_escapes),
        cmocka_unit_test(oversized_request_head_gets_431),
        cmocka_unit_test(response_parser_handles_length_chunked_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
