/* Address text for tools and configuration (not on any packet path). */
#include "naru/addr.h"

#include <errno.h>
#include <stdio.h>

static const char *parse_decimal(const char *p, unsigned max, unsigned *out)
{
    unsigned v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
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

static const char *parse_quad(const char *p, uint32_t *addr)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (i > 0 && *p++ != '.')
            return NULL;
        p = parse_decimal(p, 255, &part);
        if (!p)
            return NULL;
        a = a << 8 | part;
    }
    *addr = a;
    return p;
}

int naru_ip4_parse(const char *text, uint32_t *addr)
{
    const char *end = text ? parse_quad(text, addr) : NULL;
    return end && *end == '\0' ? 0 : -EINVAL;
}

int naru_cidr_parse(const char *text, uint32_t *addr, uint8_t *prefix_len)
{
    unsigned len;
    const char *p = text ? parse_quad(text, addr) : NULL;
    if (!p || *p++ != '/' || !(p = parse_decimal(p, 32, &len)) || *p != '\0')
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
