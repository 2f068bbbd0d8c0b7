/* Fuzz eth_parse: any bytes as a received frame. Properties: the header
 * length is 14, 18 or 22 and within the frame, the reported type is the
 * two bytes before the payload, and an untagged header emits back to the
 * same 14 bytes and parses to the same fields.
 *
 * The same frame also goes to naru_frame_describe (src/wire/describe.c),
 * which runs every wire parser on it to print what tools and pcap readers
 * show: the text is NUL-terminated, its length is what was returned, and
 * a short buffer gets a prefix of the whole. */
#include <string.h>

#include "fuzz.h"
#include "naru/describe.h"
#include "wire/ethernet.h"

static void describe(const uint8_t *data, size_t size)
{
    static char whole[4096], part[17];
    int n = naru_frame_describe(data, size, whole, sizeof whole);
    FUZZ_CHECK(n >= 0);
    if ((size_t)n >= sizeof whole)
        return;
    FUZZ_CHECK(strlen(whole) == (size_t)n);
    FUZZ_CHECK(naru_frame_describe(data, size, part, sizeof part) == n);
    FUZZ_CHECK(strncmp(part, whole, sizeof part - 1) == 0 && strlen(part) < sizeof part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    describe(data, size);
    struct eth_header h;
    int r = eth_parse(data, size, &h);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED);
        FUZZ_CHECK(size < ETH_HEADER_LEN + 2 * ETH_VLAN_TAG_LEN);
        return 0;
    }
    FUZZ_CHECK(r == h.header_len);
    FUZZ_CHECK(r == 14 || r == 18 || r == 22);
    FUZZ_CHECK((size_t)r <= size);
    FUZZ_CHECK(h.vlan_tagged == (r > ETH_HEADER_LEN));
    FUZZ_CHECK(h.ethertype == wire_get16(data + r - 2));
    FUZZ_CHECK(memcmp(h.dst, data, 6) == 0 && memcmp(h.src, data + 6, 6) == 0);
    if (h.vlan_tagged) {
        FUZZ_CHECK(h.vlan_tci == wire_get16(data + 14));
        /* A tag type after the tags read stays visible as the type. */
        return 0;
    }
    FUZZ_CHECK(h.ethertype != ETHERTYPE_VLAN && h.ethertype != ETHERTYPE_QINQ);
    uint8_t out[ETH_HEADER_LEN];
    FUZZ_CHECK(eth_emit(&h, out, sizeof out) == ETH_HEADER_LEN);
    FUZZ_CHECK(memcmp(out, data, ETH_HEADER_LEN) == 0);
    struct eth_header back;
    FUZZ_CHECK(eth_parse(out, sizeof out, &back) == ETH_HEADER_LEN);
    FUZZ_CHECK(back.ethertype == h.ethertype && !back.vlan_tagged);
    FUZZ_CHECK(eth_is_broadcast(h.dst) == (memcmp(h.dst, "\xff\xff\xff\xff\xff\xff", 6) == 0));
    FUZZ_CHECK(!eth_is_broadcast(h.dst) || eth_is_multicast(h.dst));
    return 0;
}
