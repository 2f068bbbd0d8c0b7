/* Fuzz the DNS server's TCP side: the connection table that both
 * transports drive (framing with partial length prefixes, pipelined and
 * garbage messages, oversized lengths, deadlines, limits and eviction).
 *
 * The input is a script of operations on a small table (4 slots, 2 per
 * client): open a connection, feed bytes to one, let time pass and close
 * what expired, close one. Properties: every reply is one whole framed
 * message that parses; an open slot always has room; after expiring, no
 * deadline is in the past; the table's count of open connections is ours. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "naru/dns.h"
#include "wire/dns.h"

#define SLOTS 4

static const char zone[] =
    "$ORIGIN example.\n$TTL 60\n"
    "@ SOA ns h 1 2 3 4 5\n  NS ns\n  MX 1 mail\nns A 192.0.2.1\nmail A 192.0.2.2\n"
    "www A 192.0.2.3\n AAAA 2001:db8::1\nc CNAME www\n*.w TXT \"x\"\nsub NS ns.sub\nns.sub A 192.0.2.4\n";

static struct naru_dns_server *server(void)
{
    static struct naru_dns_server *s;   /* built once per fuzzing process */
    if (!s) {
        struct naru_dns_server_config c;
        naru_dns_server_config_default(&c);
        c.tcp_max = SLOTS;
        c.tcp_max_per_client = 2;
        char err[256];
        if (naru_dns_server_create(&c, &s) < 0 ||
            naru_dns_server_load_zone_text(s, NULL, "fuzz", zone, sizeof zone - 1, err, sizeof err) < 0)
            abort();
    }
    return s;
}

static bool check_reply(void *ctx, int slot, const uint8_t *framed, size_t len)
{
    (void)ctx;
    FUZZ_CHECK(slot >= 0 && slot < SLOTS);
    FUZZ_CHECK(len >= 2 + DNS_HEADER_LEN && wire_get16(framed) == len - 2);
    struct dns_message m;
    FUZZ_CHECK(dns_parse(framed + 2, len - 2, &m) == 0);
    FUZZ_CHECK(m.header.flags & DNS_QR);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct naru_dns_tcp *t;
    if (naru_dns_tcp_create(server(), &t) < 0)
        abort();
    bool open[SLOTS] = { false };
    unsigned nopen = 0;
    naru_time_t now = 1000 * NARU_SEC;
    size_t i = 0;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op & 3) {
        case 0: {              /* open, from one of eight clients */
            struct naru_addr a = naru_addr_v4(0xc0000200u | (op >> 2 & 7));
            bool evicted;
            int slot = naru_dns_tcp_open(t, &a, now, &evicted);
            FUZZ_CHECK(slot >= 0 && slot < SLOTS);
            FUZZ_CHECK(evicted == open[slot]);
            if (!open[slot])
                nopen++;
            open[slot] = true;
            break;
        }
        case 1: {              /* feed the next n bytes to a slot */
            int slot = op >> 2 & 3;
            size_t n = (size_t)(op >> 4) * 7 + 1;
            if (n > size - i)
                n = size - i;
            if (!open[slot])
                break;
            size_t room;
            uint8_t *in = naru_dns_tcp_rx_space(t, slot, &room);
            FUZZ_CHECK(room > 0);
            if (n > room)
                n = room;
            memcpy(in, data + i, n);
            i += n;
            if (naru_dns_tcp_received(t, slot, n, now, check_reply, NULL) < 0) {
                naru_dns_tcp_close(t, slot);
                open[slot] = false;
                nopen--;
            }
            break;
        }
        case 2: {              /* time passes; close what expired */
            now += (naru_time_t)(op >> 2) * 250 * NARU_MS;
            for (int slot; (slot = naru_dns_tcp_expired(t, now)) >= 0;) {
                FUZZ_CHECK(open[slot]);
                naru_dns_tcp_close(t, slot);
                open[slot] = false;
                nopen--;
            }
            FUZZ_CHECK(naru_dns_tcp_next_deadline(t) > now);
            break;
        }
        default: {             /* the client goes away */
            int slot = op >> 2 & 3;
            if (open[slot]) {
                naru_dns_tcp_close(t, slot);
                open[slot] = false;
                nopen--;
            }
            break;
        }
        }
        FUZZ_CHECK(naru_dns_tcp_stats(t)->open == nopen);
    }
    naru_dns_tcp_destroy(t);
    return 0;
}
