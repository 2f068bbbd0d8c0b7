/* HTTP/1.1 for naru's tools (RFC 9112): the server side of `--serve http`,
 * and the response parser behind `naru fetch`. Byte-oriented and free of
 * I/O, so the same code runs over naru sockets in the simulator and on TAP,
 * and unit tests can feed it directly. */
#ifndef NARU_TOOLS_HTTP_H
#define NARU_TOOLS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- server ---- */

struct http_server_conn;

/* root: the directory to serve (already resolved), or NULL for the
 * built-in site ("/" a page, "/bytes/N" N bytes of http_pattern()). */
struct http_server_conn *http_server_conn_new(const char *root);
void http_server_conn_free(struct http_server_conn *c);
/* Request bytes from the client. */
void http_server_consume(struct http_server_conn *c, const uint8_t *data, size_t len);
/* Up to cap bytes of response to send now; 0 when there is nothing to send
 * until more request bytes arrive (or the connection is done). */
size_t http_server_produce(struct http_server_conn *c, uint8_t *out, size_t cap);
/* The last response is out and the connection should close. */
bool http_server_wants_close(const struct http_server_conn *c);
/* The byte at `offset` of the built-in "/bytes/N" bodies: 63 printable
 * characters then a newline, repeating. */
uint8_t http_pattern(uint64_t offset);
/* Decode a request target's path into a relative path with no "." or ".."
 * segments; false (refuse) for "..", NUL, or a bad %-escape. */
bool http_clean_path(const char *target, char *out, size_t cap);

/* ---- client: parse a response ---- */

struct http_response {
    int status;                /* 0 until the status line is parsed */
    char reason[64];
    int64_t content_length;    /* -1: not given */
    bool chunked;
    bool headers_done;
    bool complete;
    uint64_t body_received;
    /* private */
    char head[16384];
    size_t head_len;
    int chunk_state;
    uint64_t chunk_left;
    char chunk_line[64];
    size_t chunk_line_len;
};

typedef void (*http_body_fn)(void *ctx, const uint8_t *data, size_t len);
void http_response_init(struct http_response *r);
/* Feed bytes from the server. Returns 0 (more wanted), 1 (the response is
 * complete; bytes after it are ignored), or -1 (malformed). */
int http_response_feed(struct http_response *r, const uint8_t *data, size_t len, http_body_fn body, void *ctx);
/* The server closed: 1 if that completes the response (no length given),
 * -1 if the body was cut short. */
int http_response_eof(struct http_response *r);

#endif
