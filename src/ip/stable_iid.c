/* RFC 7217 interface identifiers. */
#include "ip/stable_iid.h"

#include <string.h>

#include "core/random.h"

bool stable_iid_is_reserved(const uint8_t iid[8])
{
    static const uint8_t zero[8];
    if (memcmp(iid, zero, 8) == 0)
        return true; /* subnet-router anycast (RFC 4291 2.6.1) */
    /* fdff:ffff:ffff:ff80 .. fdff:ffff:ffff:ffff: reserved subnet anycast (RFC 2526) */
    static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (memcmp(iid, anycast, 7) == 0 && iid[7] >= 0x80)
        return true;
    /* 0200:5eff:fe00:0000 .. 0200:5eff:feff:ffff: proxy mobile and reserved */
    static const uint8_t ieee[5] = { 0x02, 0x00, 0x5e, 0xff, 0xfe };
    return memcmp(iid, ieee, 5) == 0;
}

static void hash_once(const uint8_t secret[16], const uint8_t prefix[8], const char *ifname, const uint8_t *net_id,
                      size_t net_id_len, uint8_t dad_counter, uint8_t iid[8])
{
    /* Every part is length-prefixed, so no two inputs hash the same bytes.
     * The label keeps these hashes apart from the others the same secret
     * keys (RFC 6528 ISNs, RFC 6056 ports). */
    uint8_t in[16 + 8 + 1 + 64 + 1 + STABLE_IID_NET_ID_MAX + 1];
    size_t n = 0;
    memcpy(in + n, "naru rfc7217 iid", 16);
    n += 16;
    memcpy(in + n, prefix, 8);
    n += 8;
    size_t name_len = 0;
    while (ifname && name_len < 64 && ifname[name_len])
        name_len++;
    in[n++] = (uint8_t)name_len;
    memcpy(in + n, ifname ? ifname : "", name_len);
    n += name_len;
    if (net_id_len > STABLE_IID_NET_ID_MAX)
        net_id_len = STABLE_IID_NET_ID_MAX;
    in[n++] = (uint8_t)net_id_len;
    if (net_id_len)
        memcpy(in + n, net_id, net_id_len);
    n += net_id_len;
    in[n++] = dad_counter;
    uint64_t h = siphash24(secret, in, n);
    for (int i = 0; i < 8; i++)
        iid[i] = (uint8_t)(h >> (56 - 8 * i));
}

void stable_iid(const uint8_t secret[16], const uint8_t prefix[8], const char *ifname, const uint8_t *net_id,
                size_t net_id_len, uint8_t *dad_counter, uint8_t iid[8])
{
    hash_once(secret, prefix, ifname, net_id, net_id_len, *dad_counter, iid);
    /* A reserved identifier is vanishingly rare (about 2^-38); bounded
     * anyway, so a counter near 255 cannot loop. */
    while (stable_iid_is_reserved(iid) && *dad_counter < UINT8_MAX) {
        ++*dad_counter;
        hash_once(secret, prefix, ifname, net_id, net_id_len, *dad_counter, iid);
    }
}
