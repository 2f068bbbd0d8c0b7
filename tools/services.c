#include "services.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naru/counters.h"
#include "naru/socket.h"

enum service_kind { SERVICE_ECHO, SERVICE_DISCARD, SERVICE_DAYTIME, SERVICE_HOLD, SERVICE_HTTP };

static const struct {
    const char *name;
    enum service_kind kind;
    uint16_t port;             /* 0: must be given */
    bool udp;                  /* also served over UDP */
    bool needs_arg;
} kinds[] = {
    { "echo", SERVICE_ECHO, 7, true, false },        /* RFC 862 */
    { "discard", SERVICE_DISCARD, 9, true, false },  /* RFC 863 */
    { "daytime", SERVICE_DAYTIME, 13, true, false }, /* RFC 867 */
    { "hold", SERVICE_HOLD, 0, false, false },
    { "http", SERVICE_HTTP, 80, false, true },
};

const char service_help[] =
    "  services: echo (port 7, RFC 862), discard (9, RFC 863), daytime (13, RFC 867),\n"
    "            hold:PORT (accepts TCP and never reads), http=DIR (80, static files)\n";

struct service {
    enum service_kind kind;
    const char *name;
    uint16_t port;
    char *arg;
    bool udp;
    struct naru_stack *stack;
    int udp_sock;
    uint8_t buf[65536];
};

struct service *service_parse(const char *spec, char *why, size_t why_len)
{
    size_t name_len = strcspn(spec, ":=");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) != name_len || strncmp(spec, kinds[i].name, name_len) != 0)
            continue;
        struct service *svc = calloc(1, sizeof *svc);
        if (!svc) {
            snprintf(why, why_len, "out of memory");
            return NULL;
        }
        svc->kind = kinds[i].kind;
        svc->name = kinds[i].name;
        svc->port = kinds[i].port;
        svc->udp = kinds[i].udp;
        svc->udp_sock = -1;
        const char *p = spec + name_len;
        if (*p == ':') {
            char *end;
            unsigned long port = strtoul(p + 1, &end, 10);
            if (end == p + 1 || port == 0 || port > 65535 || (*end && *end != '=')) {
                snprintf(why, why_len, "bad port in '%s'", spec);
                free(svc);
                return NULL;
            }
            svc->port = (uint16_t)port;
            p = end;
        }
        if (*p == '=') {
            svc->arg = strdup(p + 1);
        } else if (kinds[i].needs_arg) {
            snprintf(why, why_len, "'%s' needs =ARG (e.g. %s=/srv/www)", spec, kinds[i].name);
            free(svc);
            return NULL;
        }
        if (svc->port == 0) {
            snprintf(why, why_len, "'%s' needs a port (%s:PORT)", spec, kinds[i].name);
            free(svc->arg);
            free(svc);
            return NULL;
        }
        return svc;
    }
    snprintf(why, why_len, "unknown service '%.*s'", (int)name_len, spec);
    return NULL;
}

static void udp_readable(void *ctx, struct naru_stack *stack, int sock)
{
    struct service *svc = ctx;
    struct naru_sockaddr from;
    long n;
    while ((n = naru_recvfrom(stack, sock, svc->buf, sizeof svc->buf, 0, &from)) >= 0) {
        if (svc->kind == SERVICE_ECHO) {
            naru_sendto(stack, sock, svc->buf, (size_t)n, 0, &from);
        } else if (svc->kind == SERVICE_DAYTIME) {
            char line[64];
            time_t t = time(NULL);
            struct tm tm;
            gmtime_r(&t, &tm);
            size_t len = strftime(line, sizeof line, "%A, %B %d, %Y %H:%M:%S-UTC\r\n", &tm);
            naru_sendto(stack, sock, line, len, 0, &from);
        }
    }
}

int service_start(struct service *svc, struct naru_stack *stack, char *why, size_t why_len)
{
    svc->stack = stack;
    if (!svc->udp) {
        snprintf(why, why_len, "%s needs TCP, which naru does not speak yet", svc->name);
        return -EPROTONOSUPPORT;
    }
    int s = naru_socket(stack, NARU_SOCK_DGRAM);
    struct naru_sockaddr any = { 0, svc->port };
    int err = s < 0 ? s : naru_bind(stack, s, &any);
    if (err < 0) {
        snprintf(why, why_len, "%s: cannot bind UDP port %u: %s", svc->name, svc->port, strerror(-err));
        if (s >= 0)
            naru_close(stack, s);
        return err;
    }
    naru_socket_set_callback(stack, s, udp_readable, svc);
    svc->udp_sock = s;
    return 0;
}

void service_describe(const struct service *svc, char *buf, size_t len)
{
    snprintf(buf, len, "%s (udp %u)", svc->name, svc->port);
}

void service_free(struct service *svc, struct naru_stack *stack)
{
    if (!svc)
        return;
    if (svc->udp_sock >= 0 && stack)
        naru_close(stack, svc->udp_sock);
    free(svc->arg);
    free(svc);
}

void print_counters(FILE *out, const struct naru_stack *stack)
{
    const struct naru_counters *c = naru_stack_counters(stack);
    const char *layer = NULL;
    for (unsigned i = 0; i < naru_counter_count(); i++) {
        uint64_t v = naru_counter_value(c, i);
        if (!v)
            continue;
        if (!layer || strcmp(layer, naru_counter_layer(i)) != 0) {
            layer = naru_counter_layer(i);
            fprintf(out, "%s:\n", layer);
        }
        fprintf(out, "    %llu %s\n", (unsigned long long)v, naru_counter_description(i));
    }
}
