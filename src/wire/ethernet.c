#include "wire/ethernet.h"

int eth_parse(const uint8_t *frame, size_t len, struct eth_header *h)
{
    if (len < ETH_HEADER_LEN)
        return WIRE_TRUNCATED;
    memcpy(h->dst, frame, ETH_ADDR_LEN);
    memcpy(h->src, frame + 6, ETH_ADDR_LEN);
    size_t off = 12;
    uint16_t type = wire_get16(frame + off);
    h->vlan_tagged = false;
    h->vlan_tci = 0;
    /* 802.1ad outer tag, then 802.1Q: at most two tags are meaningful. */
    for (int tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ); tags++) {
        if (len < off + 2 + ETH_VLAN_TAG_LEN)
            return WIRE_TRUNCATED;
        if (!h->vlan_tagged)
            h->vlan_tci = wire_get16(frame + off + 2);
        h->vlan_tagged = true;
        off += ETH_VLAN_TAG_LEN;
        type = wire_get16(frame + off);
    }
    h->ethertype = type;
    h->header_len = (uint8_t)(off + 2);
    return h->header_len;
}

size_t eth_emit(const struct eth_header *h, uint8_t *buf, size_t cap)
{
    if (cap < ETH_HEADER_LEN)
        return 0;
    memcpy(buf, h->dst, ETH_ADDR_LEN);
    memcpy(buf + 6, h->src, ETH_ADDR_LEN);
    wire_put16(buf + 12, h->ethertype);
    return ETH_HEADER_LEN;
}
