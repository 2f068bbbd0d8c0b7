/* Address text for tools and configuration (not on any packet path). */
#include "naru/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/ipv6.h"

/* Up to three decimal digits, at most max. With no_leading_zero, "0" but
 * not "01" (inet_pton's rule: a leading zero reads as octal elsewhere). */
static const char *parse_decimal(const char *p, unsigned max, bool no_leading_zero, unsigned *out)
{
    unsigned v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (no_leading_zero && digits == 1 && v == 0)
            return NULL;
        v = v * 10 + (unsigned)(*p - '0');
        if (++digits > 3 || v > max)
            return NULL;
        p++;
    }
    if (digits == 0)
        return NULL;
    *out = v;
    return p;
}

static const char *parse_quad(const char *p, bool no_leading_zero, uint32_t *addr)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (i > 0 && *p++ != '.')
            return NULL;
        p = parse_decimal(p, 255, no_leading_zero, &part);
        if (!p)
            return NULL;
        a = a << 8 | part;
    }
    *addr = a;
    return p;
}

int naru_ip4_parse(const char *text, uint32_t *addr)
{
    const char *end = text ? parse_quad(text, false, addr) : NULL;
    return end && *end == '\0' ? 0 : -EINVAL;
}

int naru_cidr_parse(const char *text, uint32_t *addr, uint8_t *prefix_len)
{
    unsigned len;
    const char *p = text ? parse_quad(text, false, addr) : NULL;
    if (!p || *p++ != '/' || !(p = parse_decimal(p, 32, false, &len)) || *p != '\0')
        return -EINVAL;
    *prefix_len = (uint8_t)len;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int naru_mac_parse(const char *text, uint8_t mac[6])
{
    if (!text)
        return -EINVAL;
    for (int i = 0; i < 6; i++) {
        if (i > 0 && *text != ':' && *text != '-')
            return -EINVAL;
        if (i > 0)
            text++;
        int hi = hexval(text[0]), lo = hi < 0 ? -1 : hexval(text[1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
        text += 2;
    }
    return *text == '\0' ? 0 : -EINVAL;
}

char *naru_ip4_format(uint32_t a, char buf[NARU_IP4_STRLEN])
{
    snprintf(buf, NARU_IP4_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

char *naru_mac_format(const uint8_t m[6], char buf[NARU_MAC_STRLEN])
{
    snprintf(buf, NARU_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

bool naru_addr_is_unspecified(const struct naru_addr *a)
{
    if (a->family == NARU_AF_INET)
        return a->v4 == 0;
    if (a->family == NARU_AF_INET6)
        return ipv6_addr_is_unspecified(a->v6);
    return true;
}

/* RFC 4291 2.2: eight fields of one to four hex digits; one "::" stands
 * for one or more zero fields; the last two fields may be a dotted quad.
 * Nothing else (no zone, no spaces, no sign). */
static int parse_v6(const char *p, uint8_t out[16])
{
    uint16_t field[8];
    int n = 0, gap = -1;           /* fields read; where "::" stood */
    if (p[0] == ':') {
        if (p[1] != ':')
            return -EINVAL;
        gap = 0;
        p += 2;
    }
    while (*p) {
        if (n == 8)
            return -EINVAL;
        const char *start = p;
        unsigned v = 0;
        int digits = 0;
        for (int h; (h = hexval(*p)) >= 0; p++) {
            if (++digits > 4)
                return -EINVAL;
            v = v << 4 | (unsigned)h;
        }
        if (*p == '.') {
            /* A dotted quad ends the text and takes the last two fields. */
            uint32_t q;
            const char *end = n <= 6 ? parse_quad(start, true, &q) : NULL;
            if (!end || *end != '\0')
                return -EINVAL;
            field[n++] = (uint16_t)(q >> 16);
            field[n++] = (uint16_t)q;
            break;
        }
        if (digits == 0)
            return -EINVAL;
        field[n++] = (uint16_t)v;
        if (*p == '\0')
            break;
        if (*p != ':')
            return -EINVAL;
        p++;
        if (*p == ':') {
            if (gap >= 0)
                return -EINVAL;
            gap = n;
            p++;
        } else if (*p == '\0') {
            return -EINVAL;        /* "1:" */
        }
    }
    if (gap < 0 ? n != 8 : n > 7)
        return -EINVAL;
    int zeros = 8 - n, at = 0;
    for (int i = 0; i < 8; i++) {
        uint16_t v = 0;
        if (gap < 0 || i < gap)
            v = field[at++];
        else if (i >= gap + zeros)
            v = field[at++];
        out[2 * i] = (uint8_t)(v >> 8);
        out[2 * i + 1] = (uint8_t)v;
    }
    return 0;
}

int naru_addr_parse(const char *text, struct naru_addr *addr)
{
    if (!text)
        return -EINVAL;
    if (strchr(text, ':')) {
        uint8_t v6[16];
        if (parse_v6(text, v6) < 0)
            return -EINVAL;
        *addr = naru_addr_v6(v6);
        return 0;
    }
    uint32_t v4;
    const char *end = parse_quad(text, true, &v4);
    if (!end || *end != '\0')
        return -EINVAL;
    *addr = naru_addr_v4(v4);
    return 0;
}

bool naru_addr_is_v4_mapped(const struct naru_addr *a)
{
    static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return a->family == NARU_AF_INET6 && memcmp(a->v6, prefix, sizeof prefix) == 0;
}

char *naru_addr_format(const struct naru_addr *a, char buf[NARU_ADDR_STRLEN])
{
    if (a->family == NARU_AF_INET)
        return naru_ip4_format(a->v4, buf);
    if (a->family == NARU_AF_INET6)
        return ipv6_addr_format(a->v6, buf);
    snprintf(buf, NARU_ADDR_STRLEN, "unspecified");
    return buf;
}

int naru_prefix_parse(const char *text, struct naru_addr *addr, uint8_t *prefix_len)
{
    const char *slash = text ? strrchr(text, '/') : NULL;
    char head[NARU_ADDR_STRLEN];
    if (!slash || (size_t)(slash - text) >= sizeof head)
        return -EINVAL;
    memcpy(head, text, (size_t)(slash - text));
    head[slash - text] = '\0';
    struct naru_addr a;
    unsigned len;
    if (naru_addr_parse(head, &a) < 0)
        return -EINVAL;
    const char *end = parse_decimal(slash + 1, a.family == NARU_AF_INET ? 32 : 128, true, &len);
    if (!end || *end != '\0')
        return -EINVAL;
    *addr = a;
    *prefix_len = (uint8_t)len;
    return 0;
}

struct naru_addr naru_addr_mask(const struct naru_addr *a, uint8_t prefix_len)
{
    struct naru_addr m = *a;
    if (a->family == NARU_AF_INET) {
        m.v4 = prefix_len >= 32 ? a->v4 : a->v4 & naru_prefix_mask(prefix_len);
    } else if (a->family == NARU_AF_INET6 && prefix_len < 128) {
        m.v6[prefix_len / 8] &= (uint8_t)(0xff00u >> (prefix_len % 8));
        memset(m.v6 + prefix_len / 8 + 1, 0, 15 - prefix_len / 8u);
    }
    return m;
}

bool naru_addr_in_prefix(const struct naru_addr *a, const struct naru_addr *prefix, uint8_t prefix_len)
{
    if (a->family != prefix->family || a->family == NARU_AF_UNSPEC)
        return false;
    struct naru_addr x = naru_addr_mask(a, prefix_len), y = naru_addr_mask(prefix, prefix_len);
    return naru_addr_equal(&x, &y);
}

bool naru_addr_is_link_local(const struct naru_addr *a)
{
    if (a->family == NARU_AF_INET)
        return a->v4 >> 16 == 0xa9fe;
    return a->family == NARU_AF_INET6 && ipv6_addr_is_link_local(a->v6);
}

bool naru_addr_is_multicast(const struct naru_addr *a)
{
    if (a->family == NARU_AF_INET)
        return a->v4 >> 28 == 0xe;
    return a->family == NARU_AF_INET6 && ipv6_addr_is_multicast(a->v6);
}

bool naru_addr_is_loopback(const struct naru_addr *a)
{
    if (a->family == NARU_AF_INET)
        return a->v4 >> 24 == 127;
    return a->family == NARU_AF_INET6 && ipv6_addr_is_loopback(a->v6);
}

struct naru_addr naru_addr_solicited_node(const struct naru_addr *a)
{
    struct naru_addr s = { .family = NARU_AF_UNSPEC, .v6 = { 0 } };
    if (a->family != NARU_AF_INET6)
        return s;
    s.family = NARU_AF_INET6;
    ipv6_solicited_node(a->v6, s.v6);
    return s;
}
