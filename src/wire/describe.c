/* naru_frame_describe(): one line about a frame, built on the wire parsers.
 * Everything is parsed with the same checks the stack applies, so what is
 * printed as valid is what the stack would accept. */
#include "naru/describe.h"

#include <stdarg.h>
#include <stdio.h>

#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/dns.h"
#include "wire/ethernet.h"
#include "wire/icmp.h"
#include "wire/icmpv6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndp.h"
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

/* The addresses of the IP header a transport segment came in, for the
 * pseudo-header of its checksum: IPv4 (v6 NULL) or IPv6. */
struct ip_addrs {
    uint32_t src4, dst4;
    const uint8_t *src6, *dst6;
};

/* UDP's checksum over the IPv6 pseudo-header; 0 is not allowed there
 * (RFC 8200 8.1). */
static int udp6_parse(const uint8_t *p, size_t len, const struct ip_addrs *a, struct udp_header *h)
{
    int err = udp_parse_header(p, len, h);
    if (err < 0)
        return err;
    if (h->checksum == 0 ||
        inet_fold(inet_sum(p, h->length, inet6_pseudo_sum(a->src6, a->dst6, h->length, IP_PROTO_UDP))) != 0)
        return WIRE_BAD_CHECKSUM;
    return err;
}

static int tcp6_parse(const uint8_t *p, size_t len, const struct ip_addrs *a, struct tcp_header *h)
{
    int hl = tcp_parse_header(p, len, h);
    if (hl >= 0 && inet_fold(inet_sum(p, len, inet6_pseudo_sum(a->src6, a->dst6, (uint32_t)len, IP_PROTO_TCP))) != 0)
        return WIRE_BAD_CHECKSUM;
    return hl;
}

static void describe_udp(struct out *o, const struct ip_addrs *ip, const uint8_t *p, size_t len)
{
    struct udp_header h;
    int err = ip->src6 ? udp6_parse(p, len, ip, &h) : udp_parse(p, len, ip->src4, ip->dst4, &h);
    if (err == WIRE_BAD_CHECKSUM && ip->src6 && h.checksum == 0)
        put(o, "UDP, no checksum (not allowed over IPv6)");
    else if (err == WIRE_TRUNCATED)
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

static void describe_tcp(struct out *o, const struct ip_addrs *ip, const uint8_t *p, size_t len)
{
    struct tcp_header h;
    int hl = ip->src6 ? tcp6_parse(p, len, ip, &h) : tcp_parse(p, len, ip->src4, ip->dst4, &h);
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
    struct ip_addrs addrs = { .src4 = ip.src, .dst4 = ip.dst };
    switch (ip.protocol) {
    case IP_PROTO_UDP:
        describe_udp(o, &addrs, payload, plen);
        return;
    case IP_PROTO_TCP:
        describe_tcp(o, &addrs, payload, plen);
        return;
    case IP_PROTO_ICMP:
        describe_icmp(o, payload, plen);
        return;
    default:
        put(o, "protocol %u, %zu bytes", ip.protocol, plen);
        return;
    }
}

static void put_ip6(struct out *o, const uint8_t a[16])
{
    char text[IPV6_ADDR_STRLEN];
    put(o, "%s", ipv6_addr_format(a, text));
}

/* RFC 5952 6: an address with a port in brackets. */
static void put_endpoint6(struct out *o, const uint8_t a[16], uint16_t port)
{
    put(o, "[");
    put_ip6(o, a);
    put(o, "]:%u", port);
}

static const char *unreachable6_reason(uint8_t code)
{
    switch (code) {
    case ICMPV6_NO_ROUTE: return "no route to destination";
    case ICMPV6_ADMIN_PROHIBITED: return "administratively prohibited";
    case ICMPV6_BEYOND_SCOPE: return "beyond scope of source address";
    case ICMPV6_ADDRESS_UNREACHABLE: return "address unreachable";
    case ICMPV6_PORT_UNREACHABLE: return "port unreachable";
    case ICMPV6_SOURCE_POLICY_FAILED: return "source address failed policy";
    case ICMPV6_REJECT_ROUTE: return "reject route";
    default: return "unreachable";
    }
}

static const char *problem_reason(uint8_t code)
{
    switch (code) {
    case ICMPV6_ERRONEOUS_HEADER_FIELD: return "erroneous header field";
    case ICMPV6_UNRECOGNIZED_NEXT_HEADER: return "unrecognized next header";
    case ICMPV6_UNRECOGNIZED_OPTION: return "unrecognized option";
    case ICMPV6_INCOMPLETE_HEADER_CHAIN: return "incomplete header chain";
    default: return "problem";
    }
}

/* What an ICMPv6 error is about: the quoted packet, walked to its ports
 * or echo sequence when the quote reaches them. */
static void put_quoted6(struct out *o, const struct icmpv6_message *m)
{
    const struct ipv6_header *q = &m->quoted_ip;
    struct ipv6_chain c;
    bool walked = ipv6_walk_chain(m->quoted, m->quoted_len, &c) == 0 && c.verdict == IPV6_CHAIN_ACCEPT &&
                  !(c.fragment && c.frag.offset != 0);
    const uint8_t *p = m->quoted + c.upper_offset;
    size_t left = walked ? m->quoted_len - c.upper_offset : 0;
    put(o, " about ");
    if (walked && left >= 4 && (c.upper_protocol == IP_PROTO_UDP || c.upper_protocol == IP_PROTO_TCP)) {
        put(o, "%s ", c.upper_protocol == IP_PROTO_UDP ? "UDP" : "TCP");
        put_endpoint6(o, q->src, wire_get16(p));
        put(o, " > ");
        put_endpoint6(o, q->dst, wire_get16(p + 2));
    } else if (walked && left >= 8 && c.upper_protocol == IP_PROTO_ICMPV6 && p[0] == ICMPV6_ECHO_REQUEST) {
        put(o, "echo request ");
        put_ip6(o, q->src);
        put(o, " > ");
        put_ip6(o, q->dst);
        put(o, " seq %u", wire_get16(p + 6));
    } else {
        put(o, "next header %u ", walked ? c.upper_protocol : q->next_header);
        put_ip6(o, q->src);
        put(o, " > ");
        put_ip6(o, q->dst);
    }
}

static void describe_ndp(struct out *o, const struct ipv6_header *ip, const uint8_t *p, size_t len)
{
    struct ndp_message m;
    int err = ndp_parse(p, len, ip->src, ip->dst, &m);
    if (err < 0) {
        put(o, "NDP, malformed (%s)", wire_error_name(err));
        return;
    }
    const struct ndp_options *opt = &m.options;
    switch (m.type) {
    case ICMPV6_ROUTER_SOLICIT:
        put(o, "NDP router solicitation");
        if (opt->source_lladdr) {
            put(o, " from ");
            put_mac(o, opt->source_lladdr);
        }
        break;
    case ICMPV6_ROUTER_ADVERT: {
        put(o, "NDP router advertisement: lifetime %u s", m.router_lifetime);
        if (m.managed || m.other)
            put(o, ", %s", m.managed ? "managed" : "other configuration");
        size_t at = 0;
        struct ndp_prefix_info pi;
        while (ndp_next_prefix(opt, &at, &pi)) {
            put(o, ", prefix ");
            put_ip6(o, pi.prefix);
            put(o, "/%u%s%s", pi.prefix_len, pi.on_link ? " on-link" : "", pi.autonomous ? " autonomous" : "");
        }
        if (opt->mtu_present)
            put(o, ", MTU %u", opt->mtu);
        at = 0;
        struct ndp_rdnss r;
        while (ndp_next_rdnss(opt, &at, &r))
            for (unsigned i = 0; i < r.count; i++) {
                put(o, ", DNS ");
                put_ip6(o, r.servers + 16 * i);
            }
        break;
    }
    case ICMPV6_NEIGHBOR_SOLICIT:
        if (ipv6_addr_is_unspecified(ip->src)) {
            put(o, "NDP duplicate address detection: is ");
            put_ip6(o, m.target);
            put(o, " in use?");
            break;
        }
        put(o, "NDP who-has ");
        put_ip6(o, m.target);
        put(o, "? tell ");
        put_ip6(o, ip->src);
        if (!ipv6_addr_is_multicast(ip->dst))
            put(o, " (unicast probe)");
        break;
    case ICMPV6_NEIGHBOR_ADVERT:
        put(o, "NDP neighbour advertisement: ");
        put_ip6(o, m.target);
        if (opt->target_lladdr) {
            put(o, " is at ");
            put_mac(o, opt->target_lladdr);
        }
        if (m.router || m.solicited || m.override)
            put(o, " [%s%s%s]", m.router ? "router" : "", m.solicited ? (m.router ? ",solicited" : "solicited") : "",
                m.override ? (m.router || m.solicited ? ",override" : "override") : "");
        break;
    default:
        put(o, "NDP redirect: ");
        put_ip6(o, m.destination);
        put(o, " via ");
        put_ip6(o, m.target);
        break;
    }
    if (!ndp_hop_limit_valid(ip->hop_limit))
        put(o, " (hop limit %u, not 255: not from this link)", ip->hop_limit);
}

static void describe_mld(struct out *o, uint8_t type, const uint8_t *p, size_t len)
{
    if (type == ICMPV6_MLD_QUERY) {
        struct mld_query q;
        int err = mld_query_parse(p, len, &q);
        if (err < 0) {
            put(o, "MLD query, malformed (%s)", wire_error_name(err));
            return;
        }
        put(o, "MLDv%u query", q.version);
        if (ipv6_addr_is_unspecified(q.group)) {
            put(o, ", general");
        } else {
            put(o, " for ");
            put_ip6(o, q.group);
        }
        put(o, ", max response %u ms", q.max_response_ms);
        return;
    }
    if (type != ICMPV6_MLD_V2_REPORT) {
        put(o, "MLDv1 %s", type == ICMPV6_MLD_V1_REPORT ? "report" : "done");
        if (len >= 24) {
            put(o, " for ");
            put_ip6(o, p + 8);
        }
        return;
    }
    struct mld_report r;
    int err = mld_report_parse(p, len, &r);
    if (err < 0) {
        put(o, "MLDv2 report, malformed (%s)", wire_error_name(err));
        return;
    }
    put(o, "MLDv2 report");
    size_t at = 0;
    struct mld_record rec;
    for (unsigned i = 0; mld_next_record(&r, &at, &rec); i++) {
        if (i == 4) {
            put(o, " +%u more", r.record_count - 4);
            break;
        }
        put(o, "%s ", i ? "," : ":");
        /* RFC 3810 6.1: a join is "exclude nothing", a leave "include nothing". */
        if (rec.source_count == 0 && (rec.type == MLD_CHANGE_TO_EXCLUDE || rec.type == MLD_MODE_IS_EXCLUDE))
            put(o, "join ");
        else if (rec.source_count == 0 && rec.type == MLD_CHANGE_TO_INCLUDE)
            put(o, "leave ");
        else
            put(o, "record type %u (%u sources) ", rec.type, rec.source_count);
        put_ip6(o, rec.group);
    }
}

static void describe_icmpv6(struct out *o, const struct ipv6_header *ip, const uint8_t *p, size_t len)
{
    struct icmpv6_message m;
    int err = icmpv6_parse(p, len, ip->src, ip->dst, &m);
    if (err == WIRE_BAD_CHECKSUM) {
        put(o, "ICMPv6, bad checksum (corrupted)");
        return;
    }
    if (err < 0) {
        put(o, "ICMPv6, malformed (%s)", wire_error_name(err));
        return;
    }
    switch (m.type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
        put(o, "ICMPv6 echo %s id %u seq %u, %zu data bytes", m.type == ICMPV6_ECHO_REQUEST ? "request" : "reply",
            icmpv6_echo_id(&m), icmpv6_echo_seq(&m), m.body_len);
        return;
    case ICMPV6_DEST_UNREACHABLE:
        put(o, "ICMPv6 destination unreachable (%s)", unreachable6_reason(m.code));
        put_quoted6(o, &m);
        return;
    case ICMPV6_PACKET_TOO_BIG:
        put(o, "ICMPv6 packet too big (MTU %u)", m.rest);
        put_quoted6(o, &m);
        return;
    case ICMPV6_TIME_EXCEEDED:
        put(o, "ICMPv6 time exceeded (%s)", m.code == ICMPV6_HOP_LIMIT_EXCEEDED ? "hop limit exceeded in transit"
                                                                                : "fragment reassembly timed out");
        put_quoted6(o, &m);
        return;
    case ICMPV6_PARAMETER_PROBLEM:
        put(o, "ICMPv6 parameter problem (%s, pointer %u)", problem_reason(m.code), m.rest);
        put_quoted6(o, &m);
        return;
    case ICMPV6_MLD_QUERY:
    case ICMPV6_MLD_V1_REPORT:
    case ICMPV6_MLD_V1_DONE:
    case ICMPV6_MLD_V2_REPORT:
        describe_mld(o, m.type, p, len);
        return;
    case ICMPV6_ROUTER_SOLICIT:
    case ICMPV6_ROUTER_ADVERT:
    case ICMPV6_NEIGHBOR_SOLICIT:
    case ICMPV6_NEIGHBOR_ADVERT:
    case ICMPV6_REDIRECT:
        describe_ndp(o, ip, p, len);
        return;
    default:
        put(o, "ICMPv6 type %u code %u, %zu bytes", m.type, m.code, len);
        return;
    }
}

static const char *protocol6_name(uint8_t protocol)
{
    return protocol == IP_PROTO_ICMPV6 ? "ICMPv6" : protocol_name(protocol);
}

/* The extension headers met, in a few words. */
static void put_chain(struct out *o, const struct ipv6_chain *c)
{
    const char *sep = " [";
    if (c->hop_by_hop) {
        put(o, "%shop-by-hop%s", sep, c->router_alert ? " (router alert)" : "");
        sep = ", ";
    }
    if (c->destination_options) {
        put(o, "%sdestination options", sep);
        sep = ", ";
    }
    if (c->routing) {
        put(o, "%srouting type %u, %u left", sep, c->routing_type, c->segments_left);
        sep = ", ";
    }
    if (c->fragment && c->frag.offset == 0 && !c->frag.more) {
        put(o, "%satomic fragment", sep);
        sep = ", ";
    }
    if (sep[0] == ',')
        put(o, "]");
}

static void describe_ipv6(struct out *o, const uint8_t *p, size_t len)
{
    struct ipv6_header ip;
    int hl = ipv6_parse(p, len, &ip);
    if (hl < 0) {
        put(o, "IPv6, malformed (%s)", wire_error_name(hl));
        return;
    }
    len = IPV6_HEADER_LEN + (size_t)ip.payload_len;
    struct ipv6_chain c;
    int err = ipv6_walk_chain(p, len, &c);
    bool later_fragment = err == 0 && c.fragment && c.frag.offset != 0;
    bool ok = err == 0 && c.verdict == IPV6_CHAIN_ACCEPT;
    const uint8_t *payload = p + c.upper_offset;
    size_t plen = ok ? len - c.upper_offset : 0;
    bool ports = ok && !later_fragment && plen >= 4 &&
                 (c.upper_protocol == IP_PROTO_UDP || c.upper_protocol == IP_PROTO_TCP);
    if (ports)
        put_endpoint6(o, ip.src, wire_get16(payload));
    else
        put_ip6(o, ip.src);
    put(o, " > ");
    if (ports)
        put_endpoint6(o, ip.dst, wire_get16(payload + 2));
    else
        put_ip6(o, ip.dst);
    put(o, " hop limit %u", ip.hop_limit);
    if (err < 0) {
        put(o, ": IPv6 extension headers malformed (%s)", wire_error_name(err));
        return;
    }
    put_chain(o, &c);
    put(o, ": ");
    if (c.verdict != IPV6_CHAIN_ACCEPT) {
        put(o, "dropped: ");
        if (c.incomplete_first_fragment)
            put(o, "first fragment without the whole header chain");
        else if (c.unknown_option)
            put(o, "unknown option 0x%02x", c.unknown_option);
        else
            put(o, "%s at byte %u", problem_reason(c.problem_code), c.problem_pointer);
        if (c.verdict == IPV6_CHAIN_PARAM_PROBLEM)
            put(o, " (parameter problem, pointer %u)", c.problem_pointer);
        return;
    }
    if (c.fragment && (c.frag.offset != 0 || c.frag.more)) {
        size_t data = len - c.fragment_pointer - IPV6_FRAGMENT_HEADER_LEN;
        put(o, "%s fragment id %u, bytes %u-%zu%s", protocol6_name(c.upper_protocol), c.frag.identification,
            c.frag.offset, c.frag.offset + data - (data ? 1 : 0), c.frag.more ? " (more follow)" : " (the last)");
        return;
    }
    struct ip_addrs addrs = { .src6 = ip.src, .dst6 = ip.dst };
    switch (c.upper_protocol) {
    case IP_PROTO_UDP:
        describe_udp(o, &addrs, payload, plen);
        return;
    case IP_PROTO_TCP:
        describe_tcp(o, &addrs, payload, plen);
        return;
    case IP_PROTO_ICMPV6:
        describe_icmpv6(o, &ip, payload, plen);
        return;
    case IP_PROTO_NONE:
        put(o, "no next header, %zu bytes", plen);
        return;
    default:
        put(o, "next header %u, %zu bytes", c.upper_protocol, plen);
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
    if (len > 0 && datagram[0] >> 4 == 6)
        describe_ipv6(&o, datagram, len);
    else
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
    case ETHERTYPE_IPV6:
        describe_ipv6(&o, p, plen);
        break;
    default:
        put(&o, "EtherType 0x%04x (not IPv4, IPv6 or ARP), %zu bytes", eth.ethertype, len);
        break;
    }
    return finish(&o);
}
