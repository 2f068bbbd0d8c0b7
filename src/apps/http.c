/* HTTP/1.1 messages (RFC 9112): request heads and responses parsed once
 * here, for naru's web server and its GET. Bytes in, bytes out; the
 * sockets are the applications' business. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUEST_HEAD_MAX 8192
#define TARGET_MAX 2048

/* ---- small text helpers (C11 has no memmem or strncasecmp) ---- */

static const char *find_blank_line(const char *p, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return p + i;
    return NULL;
}

static bool same_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

bool app_http_field_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && same_ci(name, want, len);
}

bool app_http_value_has_token(const char *value, size_t len, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < len) {
        while (i < len && (value[i] == ',' || value[i] == ' ' || value[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && value[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (end - start == tl && same_ci(value + start, token, tl))
            return true;
    }
    return false;
}

/* RFC 9110 5.6.2: tchar. */
static bool is_tchar(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

int app_http_next_field(const char **pp, const char *end, const char **name, size_t *name_len, const char **value,
                    size_t *value_len)
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    const char *eol = p;
    while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
        eol++;
    if (eol + 1 >= end)
        eol = end; /* the last line, its CRLF outside the range */
    const char *colon = p;
    while (colon < eol && is_tchar((unsigned char)*colon))
        colon++;
    /* RFC 9112 5.1: no whitespace before the colon; 5.2: no obs-fold. */
    if (colon == p || colon == eol || *colon != ':')
        return -1;
    const char *v = colon + 1, *ve = eol;
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    for (const char *c = v; c < ve; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return -1;
    *name = p;
    *name_len = (size_t)(colon - p);
    *value = v;
    *value_len = (size_t)(ve - v);
    *pp = eol == end ? end : eol + 2;
    return 1;
}

/* A decimal length: digits only, no overflow. */
static bool parse_length(const char *v, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t n = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        unsigned d = (unsigned)(v[i] - '0');
        if (n > (max - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *out = n;
    return true;
}

/* ---- request targets ---- */

static int hexdigit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

bool app_http_clean_path(const char *target, char *out, size_t cap)
{
    /* RFC 9112 3.2: origin-form; the query is not part of the file name. */
    if (target[0] != '/' || cap == 0)
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

/* ---- the server side ---- */

struct app_http_server_conn {
    const struct naru_http_site *site;
    struct naru_http_server_stats *stats;
    char request[REQUEST_HEAD_MAX];
    size_t request_len;
    bool responding;
    bool close_after;
    bool closed;
    char head[512];
    size_t head_len, head_off;
    void *handle;              /* the site's resource being sent */
    bool from_site;            /* the body comes from the site, else error_body */
    char error_body[64];
    uint64_t offset, remaining;
};

struct app_http_server_conn *app_http_server_conn_new(const struct naru_http_site *site, struct naru_http_server_stats *stats)
{
    struct app_http_server_conn *c = calloc(1, sizeof *c);
    if (c) {
        c->site = site;
        c->stats = stats;
    }
    return c;
}

static void end_body(struct app_http_server_conn *c)
{
    if (c->from_site && c->site->close)
        c->site->close(c->site->ctx, c->handle);
    c->from_site = false;
    c->handle = NULL;
    c->remaining = 0;
}

void app_http_server_conn_free(struct app_http_server_conn *c)
{
    if (!c)
        return;
    end_body(c);
    free(c);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void respond(struct app_http_server_conn *c, int status, const char *type, uint64_t length, bool head_only)
{
    c->head_len = (size_t)snprintf(c->head, sizeof c->head,
                                   "HTTP/1.1 %d %s\r\nServer: naru\r\nContent-Type: %s\r\n"
                                   "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
                                   status, reason_of(status), type, (unsigned long long)length,
                                   c->close_after ? "close" : "keep-alive");
    c->head_off = 0;
    c->offset = 0;
    c->remaining = head_only ? 0 : length;
    if (head_only)
        end_body(c);
    c->responding = true;
    if (c->stats && status >= 100 && status < 600)
        c->stats->responses[status / 100]++;
}

static void respond_error(struct app_http_server_conn *c, int status, bool head_only)
{
    c->from_site = false;
    snprintf(c->error_body, sizeof c->error_body, "%d %s\n", status, reason_of(status));
    respond(c, status, "text/plain; charset=utf-8", strlen(c->error_body), head_only);
}

/* "METHOD SP TARGET SP HTTP/1.x" (RFC 9112 3): false if it is not that. */
static bool request_line(const char *line, size_t len, char *method, size_t method_cap, char *target, int *minor)
{
    size_t i = 0, m = 0, t = 0;
    while (i < len && is_tchar((unsigned char)line[i]) && m + 1 < method_cap)
        method[m++] = line[i++];
    method[m] = '\0';
    if (!m || i >= len || line[i++] != ' ')
        return false;
    while (i < len && line[i] != ' ' && (unsigned char)line[i] > 0x20 && line[i] != 0x7f && t + 1 < TARGET_MAX)
        target[t++] = line[i++];
    target[t] = '\0';
    if (!t || i >= len || line[i++] != ' ')
        return false;
    if (len - i != 8 || memcmp(line + i, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[i + 7]))
        return false;
    *minor = line[i + 7] - '0';
    return true;
}

/* Take one request off the front of the buffer, if a whole head is there. */
static void start_response(struct app_http_server_conn *c)
{
    const char *blank = find_blank_line(c->request, c->request_len);
    if (!blank) {
        if (c->request_len == sizeof c->request) {
            c->close_after = true;
            respond_error(c, 431, false);
        }
        return;
    }
    size_t head_len = (size_t)(blank - c->request) + 4;
    char head[REQUEST_HEAD_MAX];
    memcpy(head, c->request, head_len);
    memmove(c->request, c->request + head_len, c->request_len - head_len);
    c->request_len -= head_len;
    if (c->stats)
        c->stats->requests++;

    const char *end = head + head_len - 2; /* the fields end before the blank line's CRLF */
    const char *eol = head;
    while (!(eol[0] == '\r' && eol[1] == '\n'))
        eol++;
    char method[16], target[TARGET_MAX];
    int minor;
    if (!request_line(head, (size_t)(eol - head), method, sizeof method, target, &minor)) {
        c->close_after = true;
        respond_error(c, 400, false);
        return;
    }
    /* RFC 9112 9.3: HTTP/1.1 persists unless "close"; 1.0 only with keep-alive. */
    bool keep_alive = false, close = false;
    const char *p = eol + 2, *name, *value;
    size_t nl, vl;
    int got;
    while ((got = app_http_next_field(&p, end, &name, &nl, &value, &vl)) == 1) {
        if (app_http_field_is(name, nl, "Connection")) {
            close |= app_http_value_has_token(value, vl, "close");
            keep_alive |= app_http_value_has_token(value, vl, "keep-alive");
        }
    }
    if (got < 0) {
        c->close_after = true;
        respond_error(c, 400, false);
        return;
    }
    c->close_after = minor == 0 ? !keep_alive : close;
    bool head_only = !strcmp(method, "HEAD");
    if (strcmp(method, "GET") != 0 && !head_only) {
        respond_error(c, 501, false);
        return;
    }
    char path[TARGET_MAX];
    if (!app_http_clean_path(target, path, sizeof path)) {
        respond_error(c, 400, head_only);
        return;
    }
    struct naru_http_resource res = { .content_type = "application/octet-stream" };
    int status = c->site->open(c->site->ctx, path, &res);
    if (status != 200) {
        respond_error(c, status >= 400 && status < 600 ? status : 500, head_only);
        return;
    }
    c->from_site = true;
    c->handle = res.handle;
    respond(c, 200, res.content_type, res.length, head_only);
}

void app_http_server_consume(struct app_http_server_conn *c, const uint8_t *data, size_t len)
{
    size_t room = sizeof c->request - c->request_len;
    if (len > room)
        len = room; /* the rest is refused by the 431 once the head overflows */
    memcpy(c->request + c->request_len, data, len);
    c->request_len += len;
}

size_t app_http_server_produce(struct app_http_server_conn *c, uint8_t *out, size_t cap)
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
        if (c->from_site) {
            long got = c->site->read(c->site->ctx, c->handle, c->offset, out + n, want);
            if (got <= 0) { /* the length promised cannot be kept: end the connection */
                c->close_after = true;
                c->remaining = 0;
                break;
            }
            want = (size_t)got < want ? (size_t)got : want;
        } else {
            memcpy(out + n, c->error_body + c->offset, want);
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

bool app_http_server_wants_close(const struct app_http_server_conn *c)
{
    return c->closed;
}

/* ---- the client side ---- */

void app_http_response_init(struct app_http_response *r)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
}

/* "HTTP/1.x SP 3DIGIT SP reason" (RFC 9112 4). */
static int parse_status_line(struct app_http_response *r, const char *line, size_t len)
{
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) || line[8] != ' ')
        return -1;
    for (int i = 9; i < 12; i++)
        if (!isdigit((unsigned char)line[i]))
            return -1;
    r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (r->status < 100 || (len > 12 && line[12] != ' '))
        return -1;
    size_t rl = len > 13 ? len - 13 : 0;
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)rl, len > 13 ? line + 13 : "");
    return 0;
}

static int parse_head(struct app_http_response *r)
{
    const char *eol = r->head;
    while (!(eol[0] == '\r' && eol[1] == '\n'))
        eol++;
    if (parse_status_line(r, r->head, (size_t)(eol - r->head)) < 0)
        return -1;
    const char *p = eol + 2, *end = r->head + r->head_len - 2, *name, *value;
    size_t nl, vl;
    int got;
    while ((got = app_http_next_field(&p, end, &name, &nl, &value, &vl)) == 1) {
        if (app_http_field_is(name, nl, "Content-Length")) {
            uint64_t v;
            /* RFC 9112 6.3: an invalid or a second, different length is an error. */
            if (!parse_length(value, vl, INT64_MAX, &v) || (r->content_length >= 0 && (uint64_t)r->content_length != v))
                return -1;
            r->content_length = (int64_t)v;
        } else if (app_http_field_is(name, nl, "Transfer-Encoding")) {
            r->chunked = app_http_value_has_token(value, vl, "chunked");
        }
    }
    if (got < 0)
        return -1;
    r->headers_done = true;
    /* RFC 9112 6.3: 1xx, 204 and 304 have no body; chunked overrides a length. */
    if (r->status < 200 || r->status == 204 || r->status == 304)
        r->content_length = 0;
    if (r->chunked)
        r->content_length = -1;
    return 0;
}

enum { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

/* A chunk-size line (RFC 9112 7.1): hex digits, maybe extensions. */
static bool chunk_size(const char *line, uint64_t *out)
{
    uint64_t n = 0;
    size_t i = 0;
    for (; hexdigit((unsigned char)line[i]) >= 0; i++) {
        if (n >> 60)
            return false;
        n = n << 4 | (uint64_t)hexdigit((unsigned char)line[i]);
    }
    if (i == 0 || (line[i] && line[i] != ';' && line[i] != ' ' && line[i] != '\t'))
        return false;
    *out = n;
    return true;
}

static int feed_chunked(struct app_http_response *r, const uint8_t *p, size_t len, app_http_body_fn body, void *ctx)
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
        case CHUNK_SIZE:
            if (!chunk_size(r->chunk_line, &r->chunk_left))
                return -1;
            r->chunk_state = r->chunk_left ? CHUNK_DATA : CHUNK_TRAILER;
            break;
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

int app_http_response_feed(struct app_http_response *r, const uint8_t *data, size_t len, app_http_body_fn body, void *ctx)
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
            if (r->status < 200)
                app_http_response_init(r); /* an interim response: the real one follows */
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

int app_http_response_eof(struct app_http_response *r)
{
    if (r->complete)
        return 1;
    if (r->headers_done && r->content_length < 0 && !r->chunked) {
        r->complete = true;
        return 1;
    }
    return -1;
}
