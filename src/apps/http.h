/* HTTP/1.1 messages (RFC 9112), free of I/O: the server's side of a
 * connection as bytes in and bytes out, and the parser of responses. The
 * socket applications (http_server.c, http_client.c) drive these; tests and
 * the fuzz targets feed them directly. Private to src/apps/. */
#ifndef NARU_APPS_HTTP_H
#define NARU_APPS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apps_internal.h"

/* ---- fields (RFC 9112 5), for both sides ---- */

/* The next "name: value" line of a head, from *p up to end (the blank
 * line's CRLF not included). 1 and the field (value without its
 * surrounding whitespace), 0 at the end, -1 for a malformed line. */
int app_http_next_field(const char **p, const char *end, const char **name, size_t *name_len, const char **value,
                    size_t *value_len);
/* Case-insensitive: does the field's name equal `want`? */
bool app_http_field_is(const char *name, size_t len, const char *want);
/* Does a comma-separated value hold `token`, in any case? */
bool app_http_value_has_token(const char *value, size_t len, const char *token);

/* ---- the server side of one connection ---- */

/* Decode a request target's path into a relative path with no "." or ".."
 * segments ("" for "/"); false (refuse) for "..", NUL, an encoded '/', or
 * a bad %-escape. The query is not part of the path. */
bool app_http_clean_path(const char *target, char *out, size_t cap);

struct app_http_server_conn;
/* Responses come from `site`; each counted in `stats` (may be NULL). */
struct app_http_server_conn *app_http_server_conn_new(const struct naru_http_site *site, struct naru_http_server_stats *stats);
void app_http_server_conn_free(struct app_http_server_conn *c);
/* Request bytes from the client. */
void app_http_server_consume(struct app_http_server_conn *c, const uint8_t *data, size_t len);
/* Up to cap bytes of response to send now; 0 when there is nothing to send
 * until more request bytes arrive (or the connection is done). */
size_t app_http_server_produce(struct app_http_server_conn *c, uint8_t *out, size_t cap);
/* The last response is out and the connection should close. */
bool app_http_server_wants_close(const struct app_http_server_conn *c);

/* ---- the client side: a response ---- */

#define APP_HTTP_RESPONSE_HEAD_MAX 16384

struct app_http_response {
    int status;                /* 0 until the status line is parsed */
    char reason[64];
    int64_t content_length;    /* -1: not given */
    bool chunked;
    bool headers_done;
    bool complete;
    uint64_t body_received;
    /* private */
    char head[APP_HTTP_RESPONSE_HEAD_MAX];
    size_t head_len;
    int chunk_state;
    uint64_t chunk_left;
    char chunk_line[64];
    size_t chunk_line_len;
};

typedef void (*app_http_body_fn)(void *ctx, const uint8_t *data, size_t len);
void app_http_response_init(struct app_http_response *r);
/* Feed bytes from the server. Returns 0 (more wanted), 1 (the response is
 * complete; bytes after it are ignored), or -1 (malformed). */
int app_http_response_feed(struct app_http_response *r, const uint8_t *data, size_t len, app_http_body_fn body, void *ctx);
/* The server closed: 1 if that completes the response (no length given),
 * -1 if the body was cut short. */
int app_http_response_eof(struct app_http_response *r);

/* ---- naru's own site (http_site.c) ---- */

/* Is `data` what naru's own site serves at `path` (as app_http_clean_path
 * gives it) from `offset` on? */
bool app_http_builtin_check(const struct naru_app_pattern *pattern, const char *path, uint64_t offset,
                        const uint8_t *data, size_t len);

#endif
