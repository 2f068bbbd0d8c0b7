/* The link-layer headers of captures (tcpdump.org's link-layer header
 * types list): where the IP packet starts. */
#include "naru/capture.h"
#include "wire/ethernet.h"

#define LINKTYPE_RAW_BSD 12            /* DLT_RAW as some systems write it */
#define LINKTYPE_RAW_OPENBSD 14
#define SLL_HEADER_LEN 16
#define SLL2_HEADER_LEN 20

static int by_ethertype(uint16_t ethertype)
{
    return ethertype == ETHERTYPE_IPV4 ? 4 : ethertype == ETHERTYPE_IPV6 ? 6 : 0;
}

/* BSD loopback headers carry the sender's AF_ value: 2 for IPv4, and for
 * IPv6 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS). */
static int by_family(uint32_t family)
{
    return family == 2 ? 4 : (family == 24 || family == 28 || family == 30) ? 6 : 0;
}

/* The version nibble, for link types without a protocol field. */
static int by_version(const uint8_t *ip, size_t len)
{
    if (len < 1)
        return 0;
    return ip[0] >> 4 == 4 ? 4 : ip[0] >> 4 == 6 ? 6 : 0;
}

bool naru_capture_linktype_known(uint32_t linktype)
{
    switch (linktype) {
    case NARU_LINKTYPE_ETHERNET:
    case NARU_LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
    case NARU_LINKTYPE_IPV4:
    case NARU_LINKTYPE_IPV6:
    case NARU_LINKTYPE_NULL:
    case NARU_LINKTYPE_LOOP:
    case NARU_LINKTYPE_LINUX_SLL:
    case NARU_LINKTYPE_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

int naru_capture_ip(uint32_t linktype, const uint8_t *frame, size_t len, size_t *offset)
{
    int version = 0;
    size_t at = 0;
    switch (linktype) {
    case NARU_LINKTYPE_ETHERNET: {
        struct eth_header eth;
        if (eth_parse(frame, len, &eth) < 0)
            return 0;
        at = eth.header_len;
        version = by_ethertype(eth.ethertype);
        break;
    }
    case NARU_LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
        version = by_version(frame, len);
        break;
    case NARU_LINKTYPE_IPV4:
        version = by_version(frame, len) == 4 ? 4 : 0;
        break;
    case NARU_LINKTYPE_IPV6:
        version = by_version(frame, len) == 6 ? 6 : 0;
        break;
    case NARU_LINKTYPE_NULL: {
        if (len < 4)
            return 0;
        /* Host byte order of the machine that wrote it: whichever reading
         * is small. */
        uint32_t le = (uint32_t)frame[3] << 24 | (uint32_t)frame[2] << 16 | (uint32_t)frame[1] << 8 | frame[0];
        version = by_family(le < 256 ? le : wire_get32(frame));
        at = 4;
        break;
    }
    case NARU_LINKTYPE_LOOP:
        if (len < 4)
            return 0;
        version = by_family(wire_get32(frame));
        at = 4;
        break;
    case NARU_LINKTYPE_LINUX_SLL: /* packet type, ARPHRD, address length, 8 address bytes, protocol */
        if (len < SLL_HEADER_LEN)
            return 0;
        version = by_ethertype(wire_get16(frame + 14));
        at = SLL_HEADER_LEN;
        break;
    case NARU_LINKTYPE_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, packet type, address */
        if (len < SLL2_HEADER_LEN)
            return 0;
        version = by_ethertype(wire_get16(frame));
        at = SLL2_HEADER_LEN;
        break;
    default:
        return 0;
    }
    if (version == 0 || at >= len)
        return 0;
    *offset = at;
    return version;
}
