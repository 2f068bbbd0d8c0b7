/* naru host --serve http=DIR's site (tools/http_files.c) behind naru's
 * web server: files and their types, HEAD, and nothing outside the
 * directory, a symbolic link out included. */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/http.h"
#include "http_files.h"

static size_t produce_all(struct app_http_server_conn *c, char *out, size_t cap)
{
    size_t n = 0, got;
    while (n < cap - 1 && (got = app_http_server_produce(c, (uint8_t *)out + n, cap - 1 - n)) > 0)
        n += got;
    out[n] = '\0';
    return n;
}

static void a_directory_serves_its_files_and_nothing_outside(void **state)
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
    struct naru_http_site site;
    http_files_site(dir, &site);
    struct app_http_server_conn *c = app_http_server_conn_new(&site, NULL);
    const char *req = "GET /hello.txt HTTP/1.1\r\n\r\nHEAD /hello.txt HTTP/1.1\r\n\r\n"
                      "GET /link HTTP/1.1\r\n\r\nGET /../hello.txt HTTP/1.1\r\n\r\n"
                      "GET /nothing HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\n\r\n";
    app_http_server_consume(c, (const uint8_t *)req, strlen(req));
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
    assert_non_null(strstr(third, "HTTP/1.1 404 Not Found"));
    assert_non_null(strstr(third, "HTTP/1.1 501 Not Implemented"));
    app_http_server_conn_free(c);
    unlink(path);
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_directory_serves_its_files_and_nothing_outside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
