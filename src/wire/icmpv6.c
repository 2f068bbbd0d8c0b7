#include "wire/icmpv6.h"

#include "wire/checksum.h"

static uint16_t checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *buf, size_t len)
{
    return inet_fold(inet_sum(buf, len, inet6_pseudo_sum(src, dst, (uint32_t)len, IP_PROTO_ICMPV6)));
}

int icmpv6_parse(const uint8_t *buf, size_t len, const uint8_t src[16], const uint8_t dst[16],
                 struct icmpv6_message *m)
{
    if (len < ICMPV6_HEADER_LEN)
        return WIRE_TRUNCATED;
    if (checksum(src, dst, buf, len) != 0)
        return WIRE_BAD_CHECKSUM;
    m->type = buf[0];
    m->code = buf[1];
    m->checksum = wire_get16(buf + 2);
    m->rest = wire_get32(buf + 4);
    m->body = buf + ICMPV6_HEADER_LEN;
    m->body_len = len - ICMPV6_HEADER_LEN;
    m->quoted = NULL;
    m->quoted_len = 0;
    if (icmpv6_is_error(m->type)) {
        int r = ipv6_parse_quoted(m->body, m->body_len, &m->quoted_ip);
        if (r < 0)
            return r;
        m->quoted = m->body;
        m->quoted_len = m->body_len;
    }
    return ICMPV6_HEADER_LEN;
}

size_t icmpv6_emit(const struct icmpv6_message *m, const uint8_t src[16], const uint8_t dst[16], uint8_t *buf,
                   size_t len)
{
    if (len < ICMPV6_HEADER_LEN)
        return 0;
    buf[0] = m->type;
    buf[1] = m->code;
    wire_put32(buf + 4, m->rest);
    icmpv6_set_checksum(src, dst, buf, len);
    return ICMPV6_HEADER_LEN;
}

void icmpv6_set_checksum(const uint8_t src[16], const uint8_t dst[16], uint8_t *buf, size_t len)
{
    wire_put16(buf + 2, 0);
    wire_put16(buf + 2, checksum(src, dst, buf, len));
}

size_t icmpv6_error_emit(uint8_t type, uint8_t code, uint32_t rest, const uint8_t *invoking, size_t invoking_len,
                         const uint8_t src[16], const uint8_t dst[16], uint8_t *buf, size_t cap)
{
    if (cap < ICMPV6_HEADER_LEN)
        return 0;
    size_t quote = invoking_len;
    if (quote > ICMPV6_ERROR_MAX_QUOTE)
        quote = ICMPV6_ERROR_MAX_QUOTE;
    if (quote > cap - ICMPV6_HEADER_LEN)
        quote = cap - ICMPV6_HEADER_LEN;
    memmove(buf + ICMPV6_HEADER_LEN, invoking, quote);
    struct icmpv6_message m = { .type = type, .code = code, .rest = rest };
    icmpv6_emit(&m, src, dst, buf, ICMPV6_HEADER_LEN + quote);
    return ICMPV6_HEADER_LEN + quote;
}
