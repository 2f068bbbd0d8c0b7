#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define REQUEST_HEAD_MAX 8192

enum body_kind { BODY_NONE, BODY_MEMORY, BODY_FILE, BODY_PATTERN };

struct http_server_conn {
    const char *root;
    char request[REQUEST_HEAD_MAX];
    size_t request_len;
    bool responding;
    bool close_after;
    bool closed;
    char head[512];
    size_t head_len, head_off;
    enum body_kind body;
    const char *memory;
    int fd;
    uint64_t offset, remaining;
};

static const char builtin_page[] =
    "<!doctype html>\n<html><head><title>naru</title></head><body>\n"
    "<h1>Hello from the simulated server</h1>\n"
    "<p>This page crossed a simulated Internet: ARP found the neighbours, IP carried\n"
    "the packets through routers, and TCP put the bytes back in order.</p>\n"
    "</body></html>\n";

uint8_t http_pattern(uint64_t offset)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-";
    uint64_t col = offset % 64;
    return col == 63 ? '\n' : (uint8_t)alphabet[(col + offset / 64) % 63];
}

struct http_server_conn *http_server_conn_new(const char *root)
{
    struct http_server_conn *c = calloc(1, sizeof *c);
    if (c) {
        c->root = root;
        c->fd = -1;
    }
    return c;
}

static void end_body(struct http_server_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->body = BODY_NONE;
    c->remaining = 0;
}

void http_server_conn_free(struct http_server_conn *c)
{
    if (!c)
        return;
    end_body(c);
    free(c);
}

static int hexdigit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

bool http_clean_path(const char *target, char *out, size_t cap)
{
    /* RFC 9112 3.2: origin-form; the query is not part of the file name. */
    if (target[0] != '/')
        return false;
    size_t n = 0;
    const char *p = target;
    while (*p && *p != '?' && *p != '#') {
        while (*p == '/')
            p++;
        char segment[256];
        size_t len = 0;
        while (*p && *p != '/' && *p != '?' && *p != '#') {
            int ch = (unsigned char)*p++;
            if (ch == '%') {
                int hi = hexdigit(p[0]), lo = hi < 0 ? -1 : hexdigit(p[1]);
                if (lo < 0)
                    return false;
                ch = hi << 4 | lo;
                p += 2;
            }
            if (ch == 0 || ch == '/' || ch == '\\' || len + 1 >= sizeof segment)
                return false; /* an encoded slash would hide a segment */
            segment[len++] = (char)ch;
        }
        segment[len] = '\0';
        if (len == 0 || !strcmp(segment, "."))
            continue;
        if (!strcmp(segment, ".."))
            return false;
        if (n + len + 2 > cap)
            return false;
        if (n)
            out[n++] = '/';
        memcpy(out + n, segment, len);
        n += len;
    }
    out[n] = '\0';
    return true;
}

static const char *content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
        { ".js", "text/javascript" },            { ".json", "application/json" },
        { ".png", "image/png" },                 { ".jpg", "image/jpeg" },
        { ".gif", "image/gif" },                 { ".svg", "image/svg+xml" },
        { ".pdf", "application/pdf" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static void respond(struct http_server_conn *c, int status, const char *reason, const char *type,
                    uint64_t length, bool head_only)
{
    c->head_len = (size_t)snprintf(c->head, sizeof c->head,
                                   "HTTP/1.1 %d %s\r\nServer: naru\r\nContent-Type: %s\r\n"
                                   "Content-Length: %" PRIu64 "\r\nConnection: %s\r\n\r\n",
                                   status, reason, type, length, c->close_after ? "close" : "keep-alive");
    c->head_off = 0;
    c->remaining = head_only ? 0 : length;
    if (head_only)
        end_body(c);
    c->responding = true;
}

static void respond_error(struct http_server_conn *c, int status, const char *reason, bool head_only)
{
    static char body[128];
    c->body = BODY_MEMORY;
    snprintf(body, sizeof body, "%d %s\n", status, reason);
    c->memory = body;
    c->offset = 0;
    respond(c, status, reason, "text/plain; charset=utf-8", strlen(body), head_only);
}

/* Open DIR/path safely: the resolved file must still lie inside DIR. */
static int open_under_root(const char *root, const char *rel, struct stat *st)
{
    char path[PATH_MAX], resolved[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path || !realpath(path, resolved))
        return -ENOENT;
    size_t rl = strlen(root);
    if (strncmp(resolved, root, rl) != 0 || (resolved[rl] != '/' && resolved[rl] != '\0'))
        return -EACCES; /* a symbolic link out of the served tree */
    if (stat(resolved, st) < 0)
        return -errno;
    if (S_ISDIR(st->st_mode)) {
        if (snprintf(path, sizeof path, "%s/index.html", resolved) >= (int)sizeof path)
            return -ENOENT;
        if (stat(path, st) < 0 || !S_ISREG(st->st_mode))
            return -EACCES;
        snprintf(resolved, sizeof resolved, "%s", path);
    } else if (!S_ISREG(st->st_mode)) {
        return -EACCES;
    }
    int fd = open(resolved, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static bool header_has_token(const char *head, const char *name, const char *token)
{
    size_t nl = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            const char *end = strstr(h, "\r\n");
            for (const char *v = h + nl + 1; v && v < end; v++)
                if (strncasecmp(v, token, strlen(token)) == 0)
                    return true;
        }
    }
    return false;
}

/* Take one request off the front of the buffer, if a whole head is there. */
static void start_response(struct http_server_conn *c)
{
    char *end = memmem(c->request, c->request_len, "\r\n\r\n", 4);
    if (!end) {
        if (c->request_len == sizeof c->request) {
            c->close_after = true;
            respond_error(c, 431, "Request Header Fields Too Large", false);
        }
        return;
    }
    size_t head_len = (size_t)(end - c->request) + 4;
    char head[REQUEST_HEAD_MAX + 1];
    memcpy(head, c->request, head_len);
    head[head_len] = '\0';
    memmove(c->request, c->request + head_len, c->request_len - head_len);
    c->request_len -= head_len;

    char method[16], target[2048], version[16];
    if (sscanf(head, "%15s %2047s %15s", method, target, version) != 3 || strncmp(version, "HTTP/1.", 7) != 0) {
        c->close_after = true;
        respond_error(c, 400, "Bad Request", false);
        return;
    }
    bool http10 = !strcmp(version, "HTTP/1.0");
    c->close_after = http10 ? !header_has_token(head, "Connection", "keep-alive")
                            : header_has_token(head, "Connection", "close");
    bool head_only = !strcmp(method, "HEAD");
    if (strcmp(method, "GET") != 0 && !head_only) {
        respond_error(c, 501, "Not Implemented", false);
        return;
    }
    char rel[PATH_MAX];
    if (!http_clean_path(target, rel, sizeof rel)) {
        respond_error(c, 400, "Bad Request", head_only);
        return;
    }
    c->offset = 0;
    if (!c->root) {
        unsigned long long n;
        char extra;
        if (rel[0] == '\0') {
            c->body = BODY_MEMORY;
            c->memory = builtin_page;
            respond(c, 200, "OK", "text/html; charset=utf-8", sizeof builtin_page - 1, head_only);
        } else if (sscanf(rel, "bytes/%llu%c", &n, &extra) == 1) {
            c->body = BODY_PATTERN;
            respond(c, 200, "OK", "text/plain; charset=utf-8", n, head_only);
        } else {
            respond_error(c, 404, "Not Found", head_only);
        }
        return;
    }
    struct stat st;
    int fd = open_under_root(c->root, rel, &st);
    if (fd < 0) {
        if (fd == -ENOENT || fd == -ENOTDIR)
            respond_error(c, 404, "Not Found", head_only);
        else
            respond_error(c, 403, "Forbidden", head_only);
        return;
    }
    c->fd = fd;
    c->body = BODY_FILE;
    respond(c, 200, "OK", content_type(rel), (uint64_t)st.st_size, head_only);
}

void http_server_consume(struct http_server_conn *c, const uint8_t *data, size_t len)
{
    size_t room = sizeof c->request - c->request_len;
    if (len > room)
        len = room; /* the rest is refused by the 431 once the head overflows */
    memcpy(c->request + c->request_len, data, len);
    c->request_len += len;
}

size_t http_server_produce(struct http_server_conn *c, uint8_t *out, size_t cap)
{
    if (c->closed)
        return 0;
    if (!c->responding) {
        start_response(c);
        if (!c->responding)
            return 0;
    }
    size_t n = 0;
    if (c->head_off < c->head_len) {
        n = c->head_len - c->head_off < cap ? c->head_len - c->head_off : cap;
        memcpy(out, c->head + c->head_off, n);
        c->head_off += n;
    }
    while (n < cap && c->remaining) {
        size_t want = cap - n < c->remaining ? cap - n : (size_t)c->remaining;
        if (c->body == BODY_MEMORY) {
            memcpy(out + n, c->memory + c->offset, want);
        } else if (c->body == BODY_PATTERN) {
            for (size_t i = 0; i < want; i++)
                out[n + i] = http_pattern(c->offset + i);
        } else {
            ssize_t got = pread(c->fd, out + n, want, (off_t)c->offset);
            if (got <= 0) { /* the file shrank: the length promised cannot be kept */
                c->close_after = true;
                c->remaining = 0;
                break;
            }
            want = (size_t)got;
        }
        n += want;
        c->offset += want;
        c->remaining -= want;
    }
    if (c->head_off == c->head_len && c->remaining == 0) {
        end_body(c);
        c->responding = false;
        if (c->close_after)
            c->closed = true;
    }
    return n;
}

bool http_server_wants_close(const struct http_server_conn *c)
{
    return c->closed;
}

/* ---- client ---- */

void http_response_init(struct http_response *r)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
}

static int parse_head(struct http_response *r)
{
    r->head[r->head_len] = '\0';
    char version[16];
    int consumed = 0;
    if (sscanf(r->head, "%15s %d%n", version, &r->status, &consumed) != 2 ||
        strncmp(version, "HTTP/1.", 7) != 0 || r->status < 100 || r->status > 999)
        return -1;
    const char *reason = r->head + consumed;
    while (*reason == ' ')
        reason++;
    size_t rl = strcspn(reason, "\r\n");
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)rl, reason);
    for (const char *line = strstr(r->head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (!strncasecmp(h, "Content-Length:", 15)) {
            char *end;
            errno = 0;
            long long v = strtoll(h + 15, &end, 10);
            if (errno || v < 0 || end == h + 15)
                return -1;
            r->content_length = v;
        } else if (!strncasecmp(h, "Transfer-Encoding:", 18)) {
            const char *e = strstr(h, "\r\n");
            for (const char *v = h + 18; v + 7 <= e; v++)
                if (!strncasecmp(v, "chunked", 7))
                    r->chunked = true;
        }
    }
    r->headers_done = true;
    /* RFC 9112 6.3: 1xx, 204 and 304 have no body. */
    if (r->status < 200 || r->status == 204 || r->status == 304)
        r->content_length = 0;
    if (r->chunked)
        r->content_length = -1;
    return 0;
}

enum { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

static int feed_chunked(struct http_response *r, const uint8_t *p, size_t len, http_body_fn body, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        if (r->chunk_state == CHUNK_DATA) {
            size_t n = len - i < r->chunk_left ? len - i : (size_t)r->chunk_left;
            body(ctx, p + i, n);
            r->body_received += n;
            r->chunk_left -= n;
            i += n;
            if (!r->chunk_left)
                r->chunk_state = CHUNK_DATA_END;
            continue;
        }
        /* The other states read a line. */
        char ch = (char)p[i++];
        if (ch != '\n') {
            if (r->chunk_line_len + 1 >= sizeof r->chunk_line)
                return -1;
            r->chunk_line[r->chunk_line_len++] = ch;
            continue;
        }
        if (r->chunk_line_len && r->chunk_line[r->chunk_line_len - 1] == '\r')
            r->chunk_line_len--;
        r->chunk_line[r->chunk_line_len] = '\0';
        r->chunk_line_len = 0;
        switch (r->chunk_state) {
        case CHUNK_SIZE: {
            char *end;
            errno = 0;
            unsigned long long size = strtoull(r->chunk_line, &end, 16);
            if (errno || end == r->chunk_line || (*end && *end != ';' && *end != ' '))
                return -1;
            r->chunk_left = size;
            r->chunk_state = size ? CHUNK_DATA : CHUNK_TRAILER;
            break;
        }
        case CHUNK_DATA_END:
            if (r->chunk_line[0])
                return -1;
            r->chunk_state = CHUNK_SIZE;
            break;
        case CHUNK_TRAILER:
            if (!r->chunk_line[0]) {
                r->complete = true;
                return 1;
            }
            break;
        }
    }
    return 0;
}

int http_response_feed(struct http_response *r, const uint8_t *data, size_t len, http_body_fn body, void *ctx)
{
    if (r->complete)
        return 1;
    size_t i = 0;
    while (!r->headers_done && i < len) {
        if (r->head_len + 1 >= sizeof r->head)
            return -1;
        r->head[r->head_len++] = (char)data[i++];
        if (r->head_len >= 4 && !memcmp(r->head + r->head_len - 4, "\r\n\r\n", 4)) {
            if (parse_head(r) < 0)
                return -1;
            if (r->status >= 100 && r->status < 200)
                http_response_init(r); /* an interim response: the real one follows */
        }
    }
    if (!r->headers_done)
        return 0;
    if (r->chunked)
        return feed_chunked(r, data + i, len - i, body, ctx);
    size_t n = len - i;
    if (r->content_length >= 0 && (uint64_t)r->content_length - r->body_received < n)
        n = (size_t)((uint64_t)r->content_length - r->body_received);
    if (n) {
        body(ctx, data + i, n);
        r->body_received += n;
    }
    if (r->content_length >= 0 && r->body_received == (uint64_t)r->content_length)
        r->complete = true;
    return r->complete ? 1 : 0;
}

int http_response_eof(struct http_response *r)
{
    if (r->complete)
        return 1;
    if (r->headers_done && r->content_length < 0 && !r->chunked) {
        r->complete = true;
        return 1;
    }
    return -1;
}
