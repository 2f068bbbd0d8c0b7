/* Fuzz naru's web server with the bytes a client sends: request heads,
 * pipelined, cut anywhere. Every answer it makes is an HTTP/1.1 response
 * whose head the client-side parser accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/http.h"
#include "fuzz.h"

static const struct naru_http_site *site(void)
{
    static struct naru_app_pattern *pattern; /* made once per fuzzing process */
    static struct naru_http_site s;
    if (!pattern) {
        if (naru_app_pattern_create(&pattern) < 0)
            abort();
        naru_http_builtin_site(pattern, &s);
    }
    return &s;
}

static void ignore(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct app_http_server_conn *c = app_http_server_conn_new(site(), NULL);
    if (!c)
        return 0;
    /* The first byte says where to cut the input in two. */
    size_t cut = size ? data[0] % (size + 1) : 0;
    static uint8_t out[16384];
    struct app_http_response r;
    app_http_response_init(&r);
    size_t total = 0, budget = 1 << 20; /* /bytes/N may be huge: read a little of it */
    for (int part = 0; part < 2; part++) {
        const uint8_t *p = part ? data + cut : data;
        size_t len = part ? size - cut : cut;
        app_http_server_consume(c, p, len);
        size_t n;
        while (total < budget && (n = app_http_server_produce(c, out, sizeof out)) > 0) {
            FUZZ_CHECK(n <= sizeof out);
            if (total == 0)
                FUZZ_CHECK(n >= 9 && memcmp(out, "HTTP/1.1 ", 9) == 0);
            /* The responses parse; the parser stops at the first one's end. */
            FUZZ_CHECK(app_http_response_feed(&r, out, n, ignore, NULL) >= 0);
            total += n;
        }
    }
    app_http_server_conn_free(c);
    return 0;
}
