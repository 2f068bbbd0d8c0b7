/* Socket addresses as text, as getaddrinfo and getnameinfo take and give
 * them with numeric hosts: "198.18.0.1:80", "[2001:db8::1]:80" (RFC 3986
 * 3.2.2's brackets), "fe80::1%eth0" (RFC 4007 11's zone). */
#include <stdio.h>
#include <string.h>

#include "naru/socket.h"

/* Decimal digits only, the value at most max. */
static bool parse_number(const char *text, size_t len, unsigned long max, unsigned long *out)
{
    if (len == 0 || len > 10)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(text[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* An address, with a zone for a link-local or multicast IPv6 address. */
static int parse_host(const char *text, size_t len, const struct naru_stack *stack, struct naru_sockaddr *sa)
{
    char host[NARU_ADDR_STRLEN + NARU_IFNAME_MAX + 2];
    if (len >= sizeof host)
        return -EINVAL;
    memcpy(host, text, len);
    host[len] = '\0';
    uint32_t scope_id = 0;
    char *zone = strchr(host, '%');
    if (zone) {
        *zone++ = '\0';
        unsigned long n;
        if (parse_number(zone, strlen(zone), UINT32_MAX, &n)) {
            scope_id = (uint32_t)n;
        } else {
            int ifindex = stack ? naru_if_index(stack, zone) : -ENODEV;
            if (ifindex < 0)
                return -EINVAL;
            scope_id = NARU_SCOPE_ID(ifindex);
        }
    }
    struct naru_addr addr;
    if (naru_addr_parse(host, &addr) < 0)
        return -EINVAL;
    if (zone && (addr.family != NARU_AF_INET6 ||
                 !(naru_addr_is_link_local(&addr) || naru_addr_is_multicast(&addr))))
        return -EINVAL; /* a zone only says which link for a link's own addresses */
    sa->addr = addr;
    sa->scope_id = scope_id;
    return 0;
}

int naru_sockaddr_parse(const char *text, const struct naru_stack *stack, struct naru_sockaddr *sa)
{
    if (!text || !sa)
        return -EINVAL;
    struct naru_sockaddr out = *sa;
    const char *port = NULL;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || parse_host(text + 1, (size_t)(close - text - 1), stack, &out) < 0 ||
            out.addr.family != NARU_AF_INET6)
            return -EINVAL;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return -EINVAL;
    } else {
        const char *colon = strchr(text, ':');
        bool one_colon = colon && !strchr(colon + 1, ':');
        size_t host_len = one_colon ? (size_t)(colon - text) : strlen(text);
        if (parse_host(text, host_len, stack, &out) < 0)
            return -EINVAL;
        if (one_colon) {
            if (out.addr.family != NARU_AF_INET)
                return -EINVAL;
            port = colon + 1;
        }
    }
    if (port) {
        unsigned long n;
        if (!parse_number(port, strlen(port), 65535, &n))
            return -EINVAL;
        out.port = (uint16_t)n;
    }
    *sa = out;
    return 0;
}

char *naru_sockaddr_format(const struct naru_sockaddr *sa, const struct naru_stack *stack,
                           char buf[NARU_SOCKADDR_STRLEN])
{
    char host[NARU_ADDR_STRLEN], zone[NARU_IFNAME_MAX + 1] = ""; /* "%eth0", "%4294967295" */
    bool v6 = sa->addr.family == NARU_AF_INET6;
    if (sa->addr.family == NARU_AF_UNSPEC)
        snprintf(host, sizeof host, "*");
    else
        naru_addr_format(&sa->addr, host);
    if (v6 && sa->scope_id) {
        const char *name = stack ? naru_if_name(stack, naru_scope_ifindex(sa->scope_id)) : NULL;
        if (name)
            snprintf(zone, sizeof zone, "%%%.*s", NARU_IFNAME_MAX - 1, name);
        else
            snprintf(zone, sizeof zone, "%%%u", (unsigned)sa->scope_id);
    }
    if (sa->port == 0)
        snprintf(buf, NARU_SOCKADDR_STRLEN, "%s%s", host, zone);
    else if (v6)
        snprintf(buf, NARU_SOCKADDR_STRLEN, "[%s%s]:%u", host, zone, (unsigned)sa->port);
    else
        snprintf(buf, NARU_SOCKADDR_STRLEN, "%s:%u", host, (unsigned)sa->port);
    return buf;
}
