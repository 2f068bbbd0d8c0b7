#include "serve.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http_files.h"
#include "loop.h"

static const struct {
    const char *name;
    bool web;
    enum naru_service_kind kind;
    uint16_t port;             /* 0: must be given */
    bool needs_arg;
} kinds[] = {
    { "echo", false, NARU_SERVICE_ECHO, 7, false },
    { "discard", false, NARU_SERVICE_DISCARD, 9, false },
    { "daytime", false, NARU_SERVICE_DAYTIME, 13, false },
    { "hold", false, NARU_SERVICE_HOLD, 0, false },
    { "http", true, NARU_SERVICE_ECHO, 80, true },
};

const char serve_help[] =
    "  services: echo (port 7, RFC 862), discard (9, RFC 863), daytime (13, RFC 867),\n"
    "            hold:PORT (accepts TCP connections, never reads: the peer sees a zero\n"
    "            window), http=DIR (80, static files, HTTP/1.1 keep-alive)\n";

int serve_parse(const char *spec, struct serve *s, char *why, size_t why_len)
{
    memset(s, 0, sizeof *s);
    size_t name_len = strcspn(spec, ":=");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) != name_len || strncmp(spec, kinds[i].name, name_len) != 0)
            continue;
        s->name = kinds[i].name;
        s->web = kinds[i].web;
        s->kind = kinds[i].kind;
        s->port = kinds[i].port;
        const char *p = spec + name_len;
        if (*p == ':') {
            char *end;
            unsigned long port = strtoul(p + 1, &end, 10);
            if (end == p + 1 || port == 0 || port > 65535 || (*end && *end != '=')) {
                snprintf(why, why_len, "bad port in '%s'", spec);
                return -1;
            }
            s->port = (uint16_t)port;
            p = end;
        }
        if (*p == '=' && s->web) {
            char resolved[PATH_MAX];
            struct stat st;
            if (!realpath(p + 1, resolved) || stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode)) {
                snprintf(why, why_len, "http: '%s' is not a directory", p + 1);
                return -1;
            }
            s->root = strdup(resolved);
            if (!s->root) {
                snprintf(why, why_len, "out of memory");
                return -1;
            }
        } else if (*p == '=') {
            snprintf(why, why_len, "%s takes no =ARG", kinds[i].name);
            return -1;
        } else if (kinds[i].needs_arg) {
            snprintf(why, why_len, "'%s' needs =DIR (e.g. %s=/srv/www)", spec, kinds[i].name);
            return -1;
        }
        if (s->port == 0) {
            snprintf(why, why_len, "'%s' needs a port (%s:PORT)", spec, kinds[i].name);
            serve_stop(s);
            return -1;
        }
        return 0;
    }
    snprintf(why, why_len, "unknown service '%.*s'", (int)name_len, spec);
    return -1;
}

int serve_start(struct serve *s, const struct naru_app_env *env, char *why, size_t why_len)
{
    int err;
    if (s->web) {
        struct naru_http_server_config c;
        naru_http_server_config_default(&c);
        c.port = s->port;
        if (s->max_connections)
            c.max_connections = s->max_connections;
        http_files_site(s->root, &c.site);
        err = naru_http_server_start(env, &c, &s->server);
    } else {
        struct naru_service_config c;
        naru_service_config_default(&c, s->kind);
        c.port = s->port;
        if (s->max_connections)
            c.max_connections = s->max_connections;
        c.unix_time = loop_unix_time;
        err = naru_service_start(env, &c, &s->service);
    }
    if (err < 0)
        snprintf(why, why_len, "%s: cannot listen on port %u: %s", s->name, s->port, strerror(-err));
    return err;
}

void serve_describe(const struct serve *s, char *buf, size_t len)
{
    bool tcp = s->web || naru_service_has_tcp(s->service), udp = !s->web && naru_service_has_udp(s->service);
    snprintf(buf, len, "%s (%s %u)%s%s", s->name, tcp && udp ? "tcp+udp" : udp ? "udp" : "tcp", s->port,
             s->root ? " from " : "", s->root ? s->root : "");
}

void serve_stop(struct serve *s)
{
    naru_service_destroy(s->service);
    naru_http_server_destroy(s->server);
    free(s->root);
    memset(s, 0, sizeof *s);
}
