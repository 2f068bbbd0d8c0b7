/* Kernel-socket helpers for the DNS tools. */
#include "dns_net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "naru/socket.h"

static int parse_port(const char *s, uint16_t *port)
{
    char *end;
    if (!*s)
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int dns_net_parse_addr(const char *text, uint16_t default_port, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    char host[128];
    uint16_t port = default_port;
    const char *colon = strchr(text, ':');
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || (size_t)(close - text - 1) >= sizeof host)
            return -1;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = 0;
        if (close[1] == ':') {
            if (parse_port(close + 2, &port) < 0)
                return -1;
        } else if (close[1]) {
            return -1;
        }
    } else if (colon && !strchr(colon + 1, ':')) {
        /* exactly one colon: IPv4 with a port */
        if ((size_t)(colon - text) >= sizeof host)
            return -1;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = 0;
        if (parse_port(colon + 1, &port) < 0)
            return -1;
    } else {
        if (strlen(text) >= sizeof host)
            return -1;
        strcpy(host, text);
    }
    struct naru_addr a;
    if (cli_host_parse(host, &a) != CLI_HOST_ADDR)
        return -1;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (a.family == NARU_AF_INET) {
        in4->sin_family = AF_INET;
        in4->sin_addr.s_addr = htonl(a.v4);
        in4->sin_port = htons(port);
        *len = sizeof *in4;
    } else {
        in6->sin6_family = AF_INET6;
        memcpy(in6->sin6_addr.s6_addr, a.v6, 16);
        in6->sin6_port = htons(port);
        *len = sizeof *in6;
    }
    return 0;
}

const char *dns_net_format_addr(const struct sockaddr *sa, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
        snprintf(buf, cap, "%s#%u", host, ntohs(in4->sin_port));
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, cap, "%s#%u", host, ntohs(in6->sin6_port));
    }
    return buf;
}

int dns_net_random(void *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

void dns_net_to_naru(const struct sockaddr_storage *ss, struct naru_sockaddr *out)
{
    *out = (struct naru_sockaddr){ .port = 0 };
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ss;
        out->addr = naru_addr_v6(in6->sin6_addr.s6_addr);
        out->port = ntohs(in6->sin6_port);
    } else if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)ss;
        out->addr = naru_addr_v4(ntohl(in4->sin_addr.s_addr));
        out->port = ntohs(in4->sin_port);
    }
}
