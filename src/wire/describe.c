/* naru_frame_describe(): one line about a frame, built on the wire parsers.
 * Everything is parsed with the same checks the stack applies, so what is
 * printed as valid is what the stack would accept. */
#include "naru/describe.h"

#include <stdarg.h>
#include <stdio.h>

#include "wire/arp.h"
#include "wire/dns.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* An snprintf that appends: the total length is tracked even when the
 * buffer is full, so callers learn the size they would need. */
struct out {
    char *buf;
    size_t cap;
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    char *at = o->len < o->cap ? o->buf + o->len : NULL;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void put_ip(struct out *o, uint32_t a)
{
    put(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void put_mac(struct out *o, const uint8_t m[6])
{
    put(o, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_endpoint(struct out *o, uint32_t addr, uint16_t port)
{
    put_ip(o, addr);
    put(o, ":%u", port);
}

static const char *unreachable_reason(uint8_t code)
{
    switch (code) {
    case ICMP_NET_UNREACHABLE: return "network unreachable";
    case ICMP_HOST_UNREACHABLE: return "host unreachable";
    case ICMP_PROTOCOL_UNREACHABLE: return "protocol unreachable";
    case ICMP_PORT_UNREACHABLE: return "port unreachable";
    case ICMP_FRAGMENTATION_NEEDED: return "fragmentation needed";
    default: return "unreachable";
    }
}

/* What an ICMP error is about: the quoted header and, when present, the
 * ports or echo id of the original. */
static void put_quoted(struct out *o, const struct icmp_message *m)
{
    const struct ipv4_header *q = &m->quoted_ip;
    const uint8_t *p = m->quoted_payload;
    put(o, " about ");
    if (q->fragment_offset == 0 && (q->protocol == IP_PROTO_UDP || q->protocol == IP_PROTO_TCP)) {
        put(o, "%s ", q->protocol == IP_PROTO_UDP ? "UDP" : "TCP");
        put_endpoint(o, q->src, wire_get16(p));
        put(o, " > ");
        put_endpoint(o, q->dst, wire_get16(p + 2));
    } else if (q->fragment_offset == 0 && q->protocol == IP_PROTO_ICMP && p[0] == ICMP_ECHO_REQUEST) {
        put(o, "echo request ");
        put_ip(o, q->src);
        put(o, " > ");
        put_ip(o, q->dst);
        put(o, " seq %u", wire_get16(p + 6));
    } else {
        put(o, "protocol %u ", q->protocol);
        put_ip(o, q->src);
        put(o, " > ");
        put_ip(o, q->dst);
    }
}

static void describe_icmp(struct out *o, const uint8_t *p, size_t len)
{
    struct icmp_message m;
    int err = icmp_parse(p, len, &m);
    if (err < 0) {
        put(o, "ICMP, malformed (%s)", wire_error_name(err));
        return;
    }
    switch (m.type) {
    case ICMP_ECHO_REQUEST:
    case ICMP_ECHO_REPLY:
        put(o, "ICMP echo %s id %u seq %u, %zu data bytes", m.type == ICMP_ECHO_REQUEST ? "request" : "reply",
            icmp_echo_id(&m), icmp_echo_seq(&m), m.body_len);
        return;
    case ICMP_DEST_UNREACHABLE:
        put(o, "ICMP destination unreachable (%s", unreachable_reason(m.code));
        if (m.code == ICMP_FRAGMENTATION_NEEDED)
            put(o, ", next-hop MTU %u", m.rest & 0xffff);
        put(o, ")");
        put_quoted(o, &m);
        return;
    case ICMP_TIME_EXCEEDED:
        put(o, "ICMP time exceeded (%s)",
            m.code == ICMP_TTL_EXCEEDED ? "TTL expired in transit" : "fragment reassembly timed out");
        put_quoted(o, &m);
        return;
    default:
        put(o, "ICMP type %u code %u, %zu bytes", m.type, m.code, len);
        return;
    }
}

static void put_dns_name(struct out *o, const struct dns_name *n)
{
    size_t i = 0;
    if (n->len <= 1) {
        put(o, ".");
        return;
    }
    while (i < n->len && n->wire[i]) {
        uint8_t l = n->wire[i++];
        for (uint8_t k = 0; k < l && i < n->len; k++, i++) {
            uint8_t c = n->wire[i];
            if (c > 0x20 && c < 0x7f && c != '.' && c != '\\')
                put(o, "%c", c);
            else
                put(o, "\\%03u", c);
        }
        if (i < n->len && n->wire[i])
            put(o, ".");
    }
}

static const char *dns_type_text(uint16_t type)
{
    switch (type) {
    case DNS_T_A: return "A";
    case DNS_T_NS: return "NS";
    case DNS_T_CNAME: return "CNAME";
    case DNS_T_SOA: return "SOA";
    case DNS_T_PTR: return "PTR";
    case DNS_T_MX: return "MX";
    case DNS_T_TXT: return "TXT";
    case DNS_T_AAAA: return "AAAA";
    case DNS_T_SRV: return "SRV";
    default: return NULL;
    }
}

static void put_dns_type(struct out *o, uint16_t type)
{
    const char *t = dns_type_text(type);
    if (t)
        put(o, "%s", t);
    else
        put(o, "TYPE%u", type);
}

/* A DNS message in one line: the question, and for an answer its rcode
 * and its answer records (the first few). */
static void describe_dns(struct out *o, const uint8_t *p, size_t len)
{
    static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
    struct dns_message m;
    int err = dns_parse(p, len, &m);
    if (err < 0) {
        put(o, "DNS, malformed (%s)", dns_error_name(err));
        return;
    }
    bool answer = m.header.flags & DNS_QR;
    unsigned rcode = DNS_RCODE(m.header.flags);
    /* A plain answer speaks through its records; any other, through its
     * rcode and the question it is about. */
    bool records_say_it = answer && rcode == DNS_R_NOERROR && m.header.ancount > 0;
    put(o, "DNS %s", answer ? "answer" : "query");
    if (answer && !records_say_it)
        put(o, " %s for", rcode < 6 ? rcodes[rcode] : "(other rcode)");
    size_t at = m.section_start[DNS_SEC_QUESTION];
    struct dns_question q;
    if (!records_say_it && m.header.qdcount && dns_read_question(&m, &at, &q) == 0) {
        put(o, " ");
        put_dns_type(o, q.type);
        put(o, " ");
        put_dns_name(o, &q.name);
    }
    if (m.header.flags & DNS_TC)
        put(o, " (truncated)");
    at = m.section_start[DNS_SEC_ANSWER];
    for (unsigned i = 0; answer && i < m.header.ancount; i++) {
        struct dns_rr rr;
        if (i == 3) {
            put(o, " +%u more", m.header.ancount - 3);
            break;
        }
        if (dns_read_rr(&m, &at, &rr) < 0)
            break;
        put(o, "%s ", i ? "," : ":");
        put_dns_name(o, &rr.name);
        put(o, " ");
        put_dns_type(o, rr.type);
        if (rr.type == DNS_T_A)
            put(o, " %u.%u.%u.%u", rr.data.a[0], rr.data.a[1], rr.data.a[2], rr.data.a[3]);
        else if (rr.type == DNS_T_CNAME || rr.type == DNS_T_NS || rr.type == DNS_T_PTR) {
            put(o, " ");
            put_dns_name(o, &rr.data.target);
        }
    }
}

static void describe_udp(struct out *o, const struct ipv4_header *ip, const uint8_t *p, size_t len)
{
    struct udp_header h;
    int err = udp_parse(p, len, ip->src, ip->dst, &h);
    if (err == WIRE_TRUNCATED)
        put(o, "UDP, truncated");
    else if (err == WIRE_BAD_CHECKSUM)
        put(o, "UDP, bad checksum (corrupted)");
    else if (err < 0)
        put(o, "UDP, bad length");
    else if (h.src_port == 53 || h.dst_port == 53)
        describe_dns(o, p + UDP_HEADER_LEN, h.length - UDP_HEADER_LEN);
    else
        put(o, "UDP, %u bytes", h.length - UDP_HEADER_LEN);
}

static void put_tcp_flags(struct out *o, uint8_t flags)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { TCP_SYN, "SYN" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" }, { TCP_PSH, "PSH" },
        { TCP_ACK, "ACK" }, { TCP_URG, "URG" }, { TCP_ECE, "ECE" }, { TCP_CWR, "CWR" },
    };
    const char *sep = "";
    put(o, "[");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & names[i].bit) {
            put(o, "%s%s", sep, names[i].name);
            sep = ",";
        }
    }
    put(o, "]");
}

static void put_tcp_options(struct out *o, const struct tcp_options *opt)
{
    const char *sep = "";
    if (!opt->mss_present && !opt->wscale_present && !opt->sack_permitted && !opt->timestamps_present &&
        !opt->sack_count)
        return;
    put(o, " <");
    if (opt->mss_present) {
        put(o, "%smss %u", sep, opt->mss);
        sep = ",";
    }
    if (opt->wscale_present) {
        put(o, "%swscale %u", sep, opt->wscale);
        sep = ",";
    }
    if (opt->sack_permitted) {
        put(o, "%ssack-ok", sep);
        sep = ",";
    }
    if (opt->timestamps_present) {
        put(o, "%sts", sep);
        sep = ",";
    }
    for (unsigned i = 0; i < opt->sack_count; i++) {
        put(o, "%ssack %u-%u", sep, opt->sack[i].left, opt->sack[i].right);
        sep = ",";
    }
    put(o, ">");
}

static void describe_tcp(struct out *o, const struct ipv4_header *ip, const uint8_t *p, size_t len)
{
    struct tcp_header h;
    int hl = tcp_parse(p, len, ip->src, ip->dst, &h);
    if (hl < 0) {
        put(o, "TCP, %s", hl == WIRE_BAD_CHECKSUM ? "bad checksum (corrupted)" : wire_error_name(hl));
        return;
    }
    put(o, "TCP ");
    put_tcp_flags(o, h.flags);
    put(o, " seq %u", h.seq);
    if (h.flags & TCP_ACK)
        put(o, " ack %u", h.ack);
    put(o, " win %u", h.window);
    put_tcp_options(o, &h.options);
    size_t data = len - (size_t)hl;
    if (data)
        put(o, ", %zu bytes", data);
}

static const char *protocol_name(uint8_t protocol)
{
    switch (protocol) {
    case IP_PROTO_UDP: return "UDP";
    case IP_PROTO_TCP: return "TCP";
    case IP_PROTO_ICMP: return "ICMP";
    default: return "IP";
    }
}

static void describe_ip(struct out *o, const uint8_t *p, size_t len)
{
    struct ipv4_header ip;
    int hl = ipv4_parse(p, len, &ip);
    if (hl == WIRE_BAD_CHECKSUM) {
        put_ip(o, ip.src);
        put(o, " > ");
        put_ip(o, ip.dst);
        put(o, " IPv4 with a bad header checksum (corrupted)");
        return;
    }
    if (hl < 0) {
        put(o, "IPv4, malformed (%s)", wire_error_name(hl));
        return;
    }
    const uint8_t *payload = p + hl;
    size_t plen = (size_t)ip.total_len - (size_t)hl;
    /* Ports are in the first 4 bytes of TCP and UDP, so they show even in
     * a first fragment or a segment whose checksum is wrong. */
    bool ports = ip.fragment_offset == 0 && plen >= 4 &&
                 (ip.protocol == IP_PROTO_UDP || ip.protocol == IP_PROTO_TCP);
    put_ip(o, ip.src);
    if (ports)
        put(o, ":%u", wire_get16(payload));
    put(o, " > ");
    put_ip(o, ip.dst);
    if (ports)
        put(o, ":%u", wire_get16(payload + 2));
    put(o, " TTL %u: ", ip.ttl);
    if (ipv4_is_fragment(&ip)) {
        put(o, "%s fragment id %u, bytes %u-%zu%s", protocol_name(ip.protocol), ip.id, ip.fragment_offset,
            ip.fragment_offset + plen - (plen ? 1 : 0), ip.more_fragments ? " (more follow)" : " (the last)");
        return;
    }
    switch (ip.protocol) {
    case IP_PROTO_UDP:
        describe_udp(o, &ip, payload, plen);
        return;
    case IP_PROTO_TCP:
        describe_tcp(o, &ip, payload, plen);
        return;
    case IP_PROTO_ICMP:
        describe_icmp(o, payload, plen);
        return;
    default:
        put(o, "protocol %u, %zu bytes", ip.protocol, plen);
        return;
    }
}

static void describe_arp(struct out *o, const uint8_t *p, size_t len)
{
    struct arp_packet a;
    int err = arp_parse(p, len, &a);
    if (err < 0) {
        put(o, "ARP, %s", err == WIRE_UNSUPPORTED ? "not Ethernet/IPv4" : "truncated");
        return;
    }
    if (a.op == ARP_OP_REQUEST && a.sender_ip == a.target_ip) {
        put(o, "ARP announcement: ");
        put_ip(o, a.sender_ip);
        put(o, " is at ");
        put_mac(o, a.sender_mac);
    } else if (a.op == ARP_OP_REQUEST) {
        put(o, "ARP who-has ");
        put_ip(o, a.target_ip);
        put(o, "? tell ");
        put_ip(o, a.sender_ip);
    } else if (a.op == ARP_OP_REPLY) {
        put(o, "ARP reply: ");
        put_ip(o, a.sender_ip);
        put(o, " is at ");
        put_mac(o, a.sender_mac);
    } else {
        put(o, "ARP operation %u", a.op);
    }
}

static int finish(struct out *o)
{
    if (o->cap && o->len >= o->cap)
        o->buf[o->cap - 1] = '\0';
    return o->len > 0x7fffffff ? 0x7fffffff : (int)o->len;
}

int naru_ip_describe(const uint8_t *datagram, size_t len, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0 };
    if (cap)
        buf[0] = '\0';
    describe_ip(&o, datagram, len);
    return finish(&o);
}

int naru_frame_describe(const uint8_t *frame, size_t len, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0 };
    if (cap)
        buf[0] = '\0';
    struct eth_header eth;
    if (eth_parse(frame, len, &eth) < 0) {
        put(&o, "Ethernet frame, truncated (%zu bytes)", len);
        return finish(&o);
    }
    if (eth.vlan_tagged)
        put(&o, "802.1Q VLAN %u: ", eth.vlan_tci & 0x0fff);
    const uint8_t *p = frame + eth.header_len;
    size_t plen = len - eth.header_len;
    switch (eth.ethertype) {
    case ETHERTYPE_ARP:
        describe_arp(&o, p, plen);
        break;
    case ETHERTYPE_IPV4:
        describe_ip(&o, p, plen);
        break;
    default:
        put(&o, "EtherType 0x%04x (not IPv4 or ARP), %zu bytes", eth.ethertype, len);
        break;
    }
    return finish(&o);
}
