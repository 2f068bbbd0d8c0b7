/* Fuzz the DNS message parser and everything that reads a parsed message:
 * the record walk, RDATA decompression and text, dig's printer, and the
 * authoritative server answering the bytes as a query over UDP and TCP,
 * and once more with response rate limiting cutting every reply after
 * the first to a bare truncated one. Every reply the server makes must
 * itself parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/text.h"
#include "naru/dns.h"
#include "wire/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone[] =
    "$ORIGIN example.\n$TTL 60\n"
    "@ SOA ns h 1 2 3 4 5\n  NS ns\n  MX 1 mail\nns A 192.0.2.1\nmail A 192.0.2.2\n"
    "www A 192.0.2.3\n AAAA 2001:db8::1\nc CNAME www\n*.w TXT \"x\"\nsub NS ns.sub\nns.sub A 192.0.2.4\n"
    "big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"1123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"2123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"3123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"4123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"5123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"6123456789012345678901234567890123456789012345678901234567890123456789\"\n"
    "big TXT \"7123456789012345678901234567890123456789012345678901234567890123456789\"\n";

static void sink(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static struct naru_dns_server *server(bool rate_limited)
{
    static struct naru_dns_server *servers[2];   /* built once per fuzzing process */
    struct naru_dns_server **sp = &servers[rate_limited];
    struct naru_dns_server *s = *sp;
    if (!s) {
        char err[256];
        struct naru_dns_server_config c;
        naru_dns_server_config_default(&c);
        c.rrl_rate = rate_limited ? 1 : 0;
        c.rrl_slip = 1;
        if (naru_dns_server_create(&c, sp) < 0 ||
            naru_dns_server_load_zone_text(*sp, NULL, "fuzz", zone, sizeof zone - 1, err, sizeof err) < 0)
            abort();
        s = *sp;
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_message m;
    if (dns_parse(data, size, &m) == 0) {
        size_t off = m.section_start[DNS_SEC_QUESTION];
        for (unsigned i = 0; i < m.header.qdcount; i++) {
            struct dns_question q;
            if (dns_read_question(&m, &off, &q) < 0)
                abort();      /* parse said it was fine */
        }
        unsigned total = m.header.ancount + m.header.nscount + m.header.arcount;
        static uint8_t rd[65535];
        static char text[300000];
        for (unsigned i = 0; i < total; i++) {
            struct dns_rr rr;
            if (dns_read_rr(&m, &off, &rr) < 0)
                abort();
            int n = dns_rdata_uncompressed(&m, &rr, rd, sizeof rd);
            if (n < 0 || dns_rdata_check(rr.type, rd, (size_t)n) < 0)
                abort();      /* what was accepted compressed must check uncompressed */
            if (dns_rdata_to_text(rr.type, rd, (size_t)n, text, sizeof text) < 0)
                abort();
        }
        if (off != size)
            abort();
    }
    naru_dns_print_message(data, size, sink, NULL);
    static uint8_t reply[65535];
    for (int t = 0; t < 2; t++) {
        size_t len = naru_dns_server_answer(server(false), data, size, t ? NARU_DNS_TCP : NARU_DNS_UDP,
                                            reply, sizeof reply);
        if (len && dns_parse(reply, len, &m) != 0)
            abort();
        if (!t && len > DNS_EDNS_DEFAULT_MAX)
            abort();
    }
    /* One client, one instant: after its first reply of a kind, each slips. */
    struct naru_addr client = naru_addr_v4(0xc0000201u);
    for (int i = 0; i < 2; i++) {
        size_t len = naru_dns_server_answer_from(server(true), &client, 1000 * NARU_SEC, data, size,
                                                 NARU_DNS_UDP, reply, sizeof reply);
        if (len && (dns_parse(reply, len, &m) != 0 || len > DNS_EDNS_DEFAULT_MAX))
            abort();
        if (len && i == 1 && !(m.header.flags & DNS_TC))
            abort();           /* the second is over the limit of 1 a second */
    }
    return 0;
}
