#include "wire/arp.h"

#include "wire/ethernet.h"

int arp_parse(const uint8_t *buf, size_t len, struct arp_packet *p)
{
    if (len < ARP_PACKET_LEN)
        return WIRE_TRUNCATED;
    if (wire_get16(buf) != ARP_HTYPE_ETHERNET || wire_get16(buf + 2) != ETHERTYPE_IPV4 ||
        buf[4] != 6 || buf[5] != 4)
        return WIRE_UNSUPPORTED;
    p->op = wire_get16(buf + 6);
    memcpy(p->sender_mac, buf + 8, 6);
    p->sender_ip = wire_get32(buf + 14);
    memcpy(p->target_mac, buf + 18, 6);
    p->target_ip = wire_get32(buf + 24);
    return ARP_PACKET_LEN;
}

size_t arp_emit(const struct arp_packet *p, uint8_t *buf, size_t cap)
{
    if (cap < ARP_PACKET_LEN)
        return 0;
    wire_put16(buf, ARP_HTYPE_ETHERNET);
    wire_put16(buf + 2, ETHERTYPE_IPV4);
    buf[4] = 6;
    buf[5] = 4;
    wire_put16(buf + 6, p->op);
    memcpy(buf + 8, p->sender_mac, 6);
    wire_put32(buf + 14, p->sender_ip);
    memcpy(buf + 18, p->target_mac, 6);
    wire_put32(buf + 24, p->target_ip);
    return ARP_PACKET_LEN;
}
