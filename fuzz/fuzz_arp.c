/* Fuzz arp_parse: any bytes as the payload of an ARP frame. Property: a
 * packet that parses emits back to exactly its first 28 bytes (the parser
 * accepts only Ethernet/IPv4, which is all the emitter writes). */
#include <string.h>

#include "fuzz.h"
#include "wire/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arp_packet p;
    int r = arp_parse(data, size, &p);
    if (r < 0) {
        FUZZ_CHECK(r == WIRE_TRUNCATED || r == WIRE_UNSUPPORTED);
        FUZZ_CHECK((r == WIRE_TRUNCATED) == (size < ARP_PACKET_LEN));
        return 0;
    }
    FUZZ_CHECK(r == ARP_PACKET_LEN);
    uint8_t out[ARP_PACKET_LEN];
    FUZZ_CHECK(arp_emit(&p, out, sizeof out) == ARP_PACKET_LEN);
    FUZZ_CHECK(memcmp(out, data, ARP_PACKET_LEN) == 0);
    return 0;
}
