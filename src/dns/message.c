/* The public helpers tools use: type and rcode names, building a query,
 * matching a reply to it, and printing a message the way dig does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns/text.h"
#include "naru/dns.h"
#include "wire/dns.h"

int naru_dns_type_from_text(const char *text)
{
    int t = dns_type_from_text(text, strlen(text));
    return t < 0 ? -EINVAL : t;
}

const char *naru_dns_type_name(uint16_t type, char buf[16])
{
    const char *m = dns_type_mnemonic(type);
    if (m)
        return m;
    snprintf(buf, 16, "TYPE%u", type);
    return buf;
}

const char *naru_dns_rcode_name(unsigned rcode, char buf[16])
{
    static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                         "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
                                         "NOTZONE" };
    if (rcode < sizeof names / sizeof names[0])
        return names[rcode];
    if (rcode == DNS_R_BADVERS)
        return "BADVERS";
    snprintf(buf, 16, "RCODE%u", rcode);
    return buf;
}

int naru_dns_class_from_text(const char *text)
{
    int c = dns_class_from_text(text, strlen(text));
    return c < 0 ? -EINVAL : c;
}

long naru_dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
                          bool recursion_desired, uint16_t edns_udp_size)
{
    struct naru_dns_query_flags f = { .recursion_desired = recursion_desired, .edns_udp_size = edns_udp_size };
    return naru_dns_query_build_flags(buf, cap, id, name, type, &f);
}

long naru_dns_query_build_flags(uint8_t *buf, size_t cap, uint16_t id, const char *name, uint16_t type,
                                const struct naru_dns_query_flags *f)
{
    struct dns_name n;
    if (dns_name_from_text(name, strlen(name), NULL, &n) < 0)
        return -EINVAL;
    /* RFC 7873 4.1: option 10, the client cookie alone (8 bytes). */
    uint8_t cookie[4 + 8];
    uint16_t options_len = 0;
    if (f->client_cookie) {
        cookie[0] = 0;
        cookie[1] = 10;
        cookie[2] = 0;
        cookie[3] = 8;
        memcpy(cookie + 4, f->client_cookie, 8);
        options_len = sizeof cookie;
    }
    bool edns = f->edns_udp_size != 0;
    struct dns_builder b;
    dns_builder_init(&b, buf, cap, cap);
    if (dns_builder_header(&b, id, f->recursion_desired ? DNS_RD : 0) < 0 ||
        (edns && dns_builder_reserve_opt(&b, DNS_OPT_LEN + options_len) < 0) ||
        dns_builder_question(&b, &n, type, f->qclass ? f->qclass : DNS_C_IN) < 0 ||
        (edns && dns_builder_opt(&b, f->edns_udp_size, 0, 0, f->dnssec_ok, options_len ? cookie : NULL,
                                 options_len) < 0))
        return -ENOSPC;
    return (long)dns_builder_finish(&b);
}

int naru_dns_reply_matches(const uint8_t *query, size_t query_len, const uint8_t *reply,
                           size_t reply_len)
{
    struct dns_message q, r;
    if (dns_parse(query, query_len, &q) < 0)
        return -EINVAL;
    if (dns_parse(reply, reply_len, &r) < 0)
        return -EINVAL;
    if (!(r.header.flags & DNS_QR) || r.header.id != q.header.id || r.header.qdcount != 1 ||
        q.header.qdcount != 1)
        return -ENOMSG;
    struct dns_question a, b;
    size_t oa = q.section_start[DNS_SEC_QUESTION], ob = r.section_start[DNS_SEC_QUESTION];
    if (dns_read_question(&q, &oa, &a) < 0 || dns_read_question(&r, &ob, &b) < 0)
        return -EINVAL;
    if (a.type != b.type || a.class_ != b.class_ || !dns_name_equal(&a.name, &b.name))
        return -ENOMSG;
    return 0;
}

int naru_dns_reply_rcode(const uint8_t *reply, size_t len, uint16_t *flags)
{
    struct dns_message m;
    if (dns_parse(reply, len, &m) < 0)
        return -EINVAL;
    if (flags)
        *flags = m.header.flags;
    return (int)(DNS_RCODE(m.header.flags) | (unsigned)m.edns.ext_rcode << 4);
}

static const char *opcode_name(unsigned op)
{
    switch (op) {
    case DNS_OP_QUERY: return "QUERY";
    case DNS_OP_IQUERY: return "IQUERY";
    case DNS_OP_STATUS: return "STATUS";
    case DNS_OP_NOTIFY: return "NOTIFY";
    case DNS_OP_UPDATE: return "UPDATE";
    default: return "RESERVED";
    }
}

const char *naru_dns_class_name(uint16_t c, char buf[16])
{
    switch (c) {
    case DNS_C_IN: return "IN";
    case DNS_C_CH: return "CH";
    case DNS_C_HS: return "HS";
    case DNS_C_ANY: return "ANY";
    default:
        snprintf(buf, 16, "CLASS%u", c);
        return buf;
    }
}

int naru_dns_print_message(const uint8_t *msg, size_t len, naru_dns_line_fn line, void *ctx)
{
    struct dns_message m;
    char text[8192];
    struct dns_header h;
    if (dns_parse_header(msg, len, &h) < 0) {
        line(ctx, ";; message shorter than a DNS header");
        return -EINVAL;
    }
    int err = dns_parse(msg, len, &m);
    char rb[16];
    unsigned rcode = DNS_RCODE(h.flags) | (err == 0 ? (unsigned)m.edns.ext_rcode << 4 : 0);
    snprintf(text, sizeof text, ";; ->>HEADER<<- opcode: %s, status: %s, id: %u",
             opcode_name(DNS_OPCODE(h.flags)), naru_dns_rcode_name(rcode, rb), h.id);
    line(ctx, text);
    static const struct { uint16_t bit; const char *name; } flag_names[] = {
        { DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" }, { DNS_RD, "rd" },
        { DNS_RA, "ra" }, { DNS_AD, "ad" }, { DNS_CD, "cd" },
    };
    struct dns_textbuf t;
    dns_textbuf_init(&t, text, sizeof text);
    dns_textbuf_printf(&t, ";; flags:");
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (h.flags & flag_names[i].bit)
            dns_textbuf_printf(&t, " %s", flag_names[i].name);
    dns_textbuf_printf(&t, "; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u", h.qdcount,
                       h.ancount, h.nscount, h.arcount);
    line(ctx, text);
    if (err < 0) {
        snprintf(text, sizeof text, ";; malformed message: %s", dns_error_name(err));
        line(ctx, text);
        return -EINVAL;
    }
    if (m.edns.present) {
        line(ctx, "");
        line(ctx, ";; OPT PSEUDOSECTION:");
        snprintf(text, sizeof text, "; EDNS: version: %u, flags:%s; udp: %u", m.edns.version,
                 m.edns.dnssec_ok ? " do" : "", m.edns.udp_size);
        line(ctx, text);
        /* The options dig shows a user: COOKIE (RFC 7873 4), as hex. The
         * codec has checked that each option fits. */
        for (size_t o = 0; o + 4 <= m.edns.options_len;) {
            const uint8_t *opt = m.edns.options + o;
            size_t olen = (size_t)opt[2] << 8 | opt[3];
            if (((size_t)opt[0] << 8 | opt[1]) == 10 && olen <= 40) {
                dns_textbuf_init(&t, text, sizeof text);
                dns_textbuf_printf(&t, "; COOKIE: ");
                for (size_t i = 0; i < olen; i++)
                    dns_textbuf_printf(&t, "%02x", opt[4 + i]);
                line(ctx, text);
            }
            o += 4 + olen;
        }
    }
    size_t off = m.section_start[DNS_SEC_QUESTION];
    if (h.qdcount) {
        line(ctx, ";; QUESTION SECTION:");
        for (unsigned i = 0; i < h.qdcount; i++) {
            struct dns_question q;
            dns_read_question(&m, &off, &q);
            char name[4 * DNS_NAME_MAX + 2], tb[16], cb[16];
            dns_name_to_text(&q.name, name, sizeof name);
            snprintf(text, sizeof text, ";%s\t\t%s\t%s", name, naru_dns_class_name(q.class_, cb),
                     naru_dns_type_name(q.type, tb));
            line(ctx, text);
        }
    }
    static const char *const titles[] = { NULL, ";; ANSWER SECTION:", ";; AUTHORITY SECTION:",
                                          ";; ADDITIONAL SECTION:" };
    const uint16_t counts[4] = { 0, h.ancount, h.nscount, h.arcount };
    for (int sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++) {
        off = m.section_start[sec];
        bool titled = false;
        for (unsigned i = 0; i < counts[sec]; i++) {
            struct dns_rr rr;
            dns_read_rr(&m, &off, &rr);
            if (rr.type == DNS_T_OPT)
                continue;
            if (!titled) {
                line(ctx, "");
                line(ctx, titles[sec]);
                titled = true;
            }
            uint8_t rd[65535];
            char name[4 * DNS_NAME_MAX + 2], tb[16], cb[16];
            dns_name_to_text(&rr.name, name, sizeof name);
            int n = dns_rdata_uncompressed(&m, &rr, rd, sizeof rd);
            dns_textbuf_init(&t, text, sizeof text);
            dns_textbuf_printf(&t, "%s\t%lu\t%s\t%s\t", name, (unsigned long)rr.ttl,
                               naru_dns_class_name(rr.class_, cb), naru_dns_type_name(rr.type, tb));
            if (n >= 0 && dns_rdata_to_text(rr.type, rd, (size_t)n, text + t.len, sizeof text - t.len) < 0)
                snprintf(text + t.len, sizeof text - t.len, "; (record too long to print)");
            line(ctx, text);
        }
    }
    return 0;
}
