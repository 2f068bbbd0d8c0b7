#include "wire/udp.h"

#include "wire/checksum.h"
#include "wire/ipv4.h"

int udp_parse_header(const uint8_t *buf, size_t len, struct udp_header *h)
{
    if (len < UDP_HEADER_LEN)
        return WIRE_TRUNCATED;
    h->src_port = wire_get16(buf);
    h->dst_port = wire_get16(buf + 2);
    h->length = wire_get16(buf + 4);
    h->checksum = wire_get16(buf + 6);
    if (h->length < UDP_HEADER_LEN || h->length > len)
        return WIRE_BAD_LENGTH;
    return UDP_HEADER_LEN;
}

int udp_parse_pseudo(const uint8_t *buf, size_t len, uint32_t pseudo, struct udp_header *h)
{
    int err = udp_parse_header(buf, len, h);
    if (err < 0)
        return err;
    if (h->checksum != 0 && inet_fold(inet_sum(buf, h->length, pseudo + h->length)) != 0)
        return WIRE_BAD_CHECKSUM;
    return UDP_HEADER_LEN;
}

int udp_parse(const uint8_t *buf, size_t len, uint32_t src, uint32_t dst, struct udp_header *h)
{
    return udp_parse_pseudo(buf, len, inet_pseudo_sum(src, dst, IP_PROTO_UDP, 0), h);
}

void udp_emit_pseudo(const struct udp_header *h, uint32_t pseudo, uint8_t *buf, size_t len)
{
    wire_put16(buf, h->src_port);
    wire_put16(buf + 2, h->dst_port);
    wire_put16(buf + 4, (uint16_t)len);
    wire_put16(buf + 6, 0);
    uint16_t sum = inet_fold(inet_sum(buf, len, pseudo + (uint16_t)len));
    /* RFC 768: a computed 0 is sent as all ones; 0 means "no checksum". */
    wire_put16(buf + 6, sum ? sum : 0xffff);
}

void udp_emit(const struct udp_header *h, uint32_t src, uint32_t dst, uint8_t *buf, size_t len)
{
    udp_emit_pseudo(h, inet_pseudo_sum(src, dst, IP_PROTO_UDP, 0), buf, len);
}
