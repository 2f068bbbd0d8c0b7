/* naru's own web site: "/" a small page, "/bytes/N" N bytes of the data
 * pattern, so a client can check every byte of a download of any size. */
#include "http.h"

#include <string.h>

static const char page[] =
    "<!doctype html>\n<html><head><title>naru</title></head><body>\n"
    "<h1>Hello from naru</h1>\n"
    "<p>This page crossed a network: ARP found the neighbours, IP carried the\n"
    "packets through routers, and TCP put the bytes back in order.</p>\n"
    "</body></html>\n";

#define PAGE_HANDLE ((void *)page)

/* "bytes/N": N decimal, no sign, at most NARU_HTTP_BYTES_MAX. */
static bool bytes_path(const char *path, uint64_t *n)
{
    if (strncmp(path, "bytes/", 6) != 0 || !path[6])
        return false;
    uint64_t v = 0;
    for (const char *p = path + 6; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > NARU_HTTP_BYTES_MAX)
            return false;
    }
    *n = v;
    return true;
}

static int site_open(void *ctx, const char *path, struct naru_http_resource *res)
{
    (void)ctx;
    uint64_t n;
    if (path[0] == '\0') {
        res->content_type = "text/html; charset=utf-8";
        res->length = sizeof page - 1;
        res->handle = PAGE_HANDLE;
        return 200;
    }
    if (bytes_path(path, &n)) {
        res->content_type = "application/octet-stream";
        res->length = n;
        res->handle = NULL;
        return 200;
    }
    return 404;
}

static long site_read(void *ctx, void *handle, uint64_t offset, void *buf, size_t len)
{
    if (handle == PAGE_HANDLE) {
        if (offset >= sizeof page - 1)
            return 0;
        if (len > sizeof page - 1 - offset)
            len = (size_t)(sizeof page - 1 - offset);
        memcpy(buf, page + offset, len);
    } else {
        naru_app_pattern_fill(ctx, offset, buf, len);
    }
    return (long)len;
}

void naru_http_builtin_site(const struct naru_app_pattern *pattern, struct naru_http_site *site)
{
    *site = (struct naru_http_site){ .open = site_open, .read = site_read, .ctx = (void *)(uintptr_t)pattern };
}

bool app_http_builtin_check(const struct naru_app_pattern *pattern, const char *path, uint64_t offset,
                        const uint8_t *data, size_t len)
{
    uint64_t n;
    if (path[0] == '\0')
        return offset <= sizeof page - 1 && len <= sizeof page - 1 - offset && !memcmp(data, page + offset, len);
    if (bytes_path(path, &n))
        return offset <= n && len <= n - offset && naru_app_pattern_check(pattern, offset, data, len);
    return false;
}
