/* Fuzz the zone-file parser: any text either loads or is refused with a
 * message naming the line, never crashes or leaks; a zone that loads is
 * then asked a few questions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "naru/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct naru_dns_server *s;
    if (naru_dns_server_create(NULL, &s) < 0)
        return 0;
    char err[512];
    err[0] = 0;
    int r = naru_dns_server_load_zone_text(s, size & 1 ? "fuzz." : NULL, "fuzz", (const char *)data,
                                           size, err, sizeof err);
    if (r < 0 && strncmp(err, "fuzz:", 5) != 0)
        abort();              /* every error names the file and line */
    if (r == 0) {
        static const char *const names[] = { "fuzz.", "a.fuzz.", "x.y.fuzz.", "nothing." };
        static const uint16_t types[] = { 1, 28, 5, 16, 255, 2, 6 };
        uint8_t q[512];
        static uint8_t reply[65535];
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
                long ql = naru_dns_query_build(q, sizeof q, 1, names[n], types[t], false, 1232);
                if (ql > 0)
                    naru_dns_server_answer(s, q, (size_t)ql, NARU_DNS_UDP, reply, sizeof reply);
            }
        }
    }
    naru_dns_server_destroy(s);
    return 0;
}
