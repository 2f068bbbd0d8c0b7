#!/usr/bin/python3
"""Send the same queries to naru dnsd and to NSD, loaded with the same zones,
and compare rcode, flags and record sets. Used by test_dns_differential.sh.

usage: test_dns_differential.py NARU_PORT NSD_PORT
"""
import sys

import dns.flags
import dns.message
import dns.query
import dns.rdatatype

NARU = ("127.0.0.1", int(sys.argv[1]))
NSD = ("127.0.0.1", int(sys.argv[2]))

QUERIES = [
    # (name, type, note)
    ("www.example.", "A", "hit with two records"),
    ("www.example.", "AAAA", "hit"),
    ("WwW.eXaMpLe.", "A", "case variation"),
    ("mail.example.", "A", "hit, own TTL"),
    ("example.", "SOA", "apex SOA"),
    ("example.", "NS", "apex NS with glue"),
    ("example.", "MX", "MX with additional address"),
    ("example.", "TXT", "TXT"),
    ("example.", "CAA", "CAA"),
    ("_sip._udp.example.", "SRV", "SRV with additional address"),
    ("ptr.example.", "PTR", "PTR"),
    ("odd.example.", "TYPE65534", "unknown type, RFC 3597"),
    ("esc.example.", "TXT", "escapes in strings"),
    ("nope.example.", "A", "NXDOMAIN"),
    ("deeper.nope.example.", "A", "NXDOMAIN deeper"),
    ("mail.example.", "AAAA", "NODATA"),
    ("ent.example.", "A", "empty non-terminal: NODATA"),
    ("deep.ent.example.", "A", "below an empty non-terminal"),
    ("alias.example.", "A", "CNAME to a hit"),
    ("alias.example.", "CNAME", "the CNAME itself"),
    ("chain1.example.", "A", "CNAME chain"),
    ("chain1.example.", "AAAA", "CNAME chain to NODATA"),
    ("dangling.example.", "A", "CNAME to NXDOMAIN"),
    ("outside.example.", "A", "CNAME out of the zone"),
    ("loop1.example.", "A", "CNAME loop"),
    ("a.wild.example.", "A", "wildcard"),
    ("a.b.wild.example.", "TXT", "wildcard, deeper"),
    ("a.wild.example.", "MX", "wildcard NODATA"),
    ("wild.example.", "A", "wildcard parent is an empty non-terminal"),
    ("*.wild.example.", "A", "the wildcard asked literally"),
    ("x.cwild.example.", "A", "wildcard CNAME"),
    ("sub.example.", "NS", "delegation point"),
    ("host.sub.example.", "A", "below a delegation: referral"),
    ("ns.sub.example.", "A", "glue name: referral"),
    ("HoSt.SuB.eXaMpLe.", "MX", "referral, case variation"),
    ("host.second.test.", "A", "second zone"),
    ("nothing.second.test.", "A", "second zone NXDOMAIN"),
    ("www.example.org.", "A", "outside every zone: REFUSED"),
    ("big.example.", "TXT", "too big for UDP"),
]


def ask(server, name, rdtype, tcp, edns):
    q = dns.message.make_query(name, rdtype, use_edns=0 if edns else None, payload=1232)
    q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, server[0], port=server[1], timeout=3)
    return dns.query.udp(q, server[0], port=server[1], timeout=3, ignore_trailing=False,
                         raise_on_truncation=False)


def rrsets(section):
    out = set()
    for rrset in section:
        if rrset.rdtype == dns.rdatatype.OPT:
            continue
        for rd in rrset:
            out.add((rrset.name.to_text().lower(), rrset.ttl, dns.rdatatype.to_text(rrset.rdtype),
                     rd.to_text().lower()))
    return out


FLAGS = ("QR", "AA", "TC", "RD", "RA", "AD", "CD")


def flags(m):
    return [f for f in FLAGS if m.flags & getattr(dns.flags, f)]


def compare(name, rdtype, note, tcp, edns):
    a = ask(NARU, name, rdtype, tcp, edns)
    b = ask(NSD, name, rdtype, tcp, edns)
    where = "%s %s over %s%s (%s)" % (name, rdtype, "TCP" if tcp else "UDP",
                                     "" if edns else " without EDNS", note)
    problems = []
    if a.rcode() != b.rcode():
        problems.append("rcode naru %s, nsd %s" % (a.rcode(), b.rcode()))
    if flags(a) != flags(b):
        problems.append("flags naru %s, nsd %s" % (flags(a), flags(b)))
    if a.question[0].name.to_text() != name:
        problems.append("question case not echoed: %s" % a.question[0].name)
    if (a.edns >= 0) != (b.edns >= 0):
        problems.append("EDNS naru %s, nsd %s" % (a.edns, b.edns))
    truncated = a.flags & dns.flags.TC
    if not truncated:
        for title, sa, sb in (("answer", a.answer, b.answer),
                              ("authority", a.authority, b.authority),
                              ("additional", a.additional, b.additional)):
            ra, rb = rrsets(sa), rrsets(sb)
            if ra != rb:
                problems.append("%s differs:\n      only naru: %s\n      only nsd:  %s"
                                % (title, sorted(ra - rb), sorted(rb - ra)))
    return where, problems


def main():
    failures = 0
    count = 0
    for tcp in (False, True):
        for edns in (True, False):
            for name, rdtype, note in QUERIES:
                where, problems = compare(name, rdtype, note, tcp, edns)
                count += 1
                if problems:
                    failures += 1
                    print("DIFF  %s" % where)
                    for p in problems:
                        print("      " + p)
    print("%d passed, %d failed" % (count - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
