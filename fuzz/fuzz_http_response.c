/* Fuzz the HTTP/1.1 response parser naru's GET (and naru fetch) use:
 * status line, fields, Content-Length and chunked bodies, fed in two
 * pieces cut anywhere. The body handed on never exceeds a length given. */
#include <stdint.h>
#include <stdlib.h>

#include "apps/http.h"
#include "fuzz.h"

static void count(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    *(uint64_t *)ctx += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct app_http_response r;
    app_http_response_init(&r);
    uint64_t body = 0;
    size_t cut = size ? data[0] % (size + 1) : 0;
    int got = app_http_response_feed(&r, data, cut, count, &body);
    if (got == 0)
        got = app_http_response_feed(&r, data + cut, size - cut, count, &body);
    if (got == 0)
        got = app_http_response_eof(&r);
    FUZZ_CHECK(body == r.body_received);
    FUZZ_CHECK(body <= size);
    if (r.headers_done && r.content_length >= 0 && !r.chunked)
        FUZZ_CHECK(body <= (uint64_t)r.content_length);
    if (got == 1)
        FUZZ_CHECK(r.complete && r.status >= 200 && r.status <= 999);
    return 0;
}
