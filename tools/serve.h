/* What naru host --serve runs: SERVICE[:PORT][=ARG] into one of naru's
 * services or its web server on a directory. */
#ifndef NARU_TOOLS_SERVE_H
#define NARU_TOOLS_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "naru/apps.h"

struct serve {
    const char *name;
    bool web;                  /* http=DIR; else a service of `kind` */
    enum naru_service_kind kind;
    uint16_t port;
    char *root;                /* http: the directory, resolved */
    struct naru_service *service;
    struct naru_http_server *server;
    unsigned max_connections;  /* 0: the application's default; the stack's
                                  per-listener limit is the one that holds */
};

/* Parse SERVICE[:PORT][=ARG]. 0, or -1 and a one-line reason in `why`. */
int serve_parse(const char *spec, struct serve *s, char *why, size_t why_len);
/* Open its sockets. 0, or a negative errno with `why` filled. */
int serve_start(struct serve *s, const struct naru_app_env *env, char *why, size_t why_len);
/* "echo (tcp+udp 7)" for the ready line. */
void serve_describe(const struct serve *s, char *buf, size_t len);
/* Closes its sockets and connections, and forgets the spec. */
void serve_stop(struct serve *s);
/* The names --serve accepts, for --help. */
extern const char serve_help[];

#endif
