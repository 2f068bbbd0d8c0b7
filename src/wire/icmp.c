#include "wire/icmp.h"

#include "wire/checksum.h"

int icmp_parse(const uint8_t *buf, size_t len, struct icmp_message *m)
{
    if (len < ICMP_HEADER_LEN)
        return WIRE_TRUNCATED;
    if (inet_checksum(buf, len) != 0)
        return WIRE_BAD_CHECKSUM;
    m->type = buf[0];
    m->code = buf[1];
    m->checksum = wire_get16(buf + 2);
    m->rest = wire_get32(buf + 4);
    m->body = buf + ICMP_HEADER_LEN;
    m->body_len = len - ICMP_HEADER_LEN;
    m->quoted_payload = NULL;
    m->quoted_payload_len = 0;
    if (icmp_is_error(m->type)) {
        int hl = ipv4_parse_quoted(m->body, m->body_len, &m->quoted_ip);
        if (hl < 0)
            return hl == WIRE_TRUNCATED ? WIRE_TRUNCATED : WIRE_BAD_LENGTH;
        /* RFC 792: the header plus the first 64 bits of the datagram. */
        if (m->body_len < (size_t)hl + 8)
            return WIRE_TRUNCATED;
        m->quoted_payload = m->body + hl;
        m->quoted_payload_len = m->body_len - (size_t)hl;
    }
    return ICMP_HEADER_LEN;
}

size_t icmp_emit(const struct icmp_message *m, uint8_t *buf, size_t len)
{
    if (len < ICMP_HEADER_LEN)
        return 0;
    buf[0] = m->type;
    buf[1] = m->code;
    wire_put16(buf + 2, 0);
    wire_put32(buf + 4, m->rest);
    wire_put16(buf + 2, inet_checksum(buf, len));
    return ICMP_HEADER_LEN;
}
