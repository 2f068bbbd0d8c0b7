#!/usr/bin/python3
"""Send the same queries to naru dnsd and to reference servers loaded with the
same zones, and compare rcode, flags, EDNS (version, DO bit, options) and the
records of every section. Used by test_dns_differential.sh.

Pairs compared:
  naru dnsd (minimal, its default)   with NSD, minimal-responses: yes
  naru dnsd (minimal, its default)   with Knot DNS (its default), when given
  naru dnsd --full-responses         with NSD, minimal-responses: no (its default)

Queries go out the way clients send them: as dig does by default (RD and AD
set, EDNS with a 1232-byte payload and a client cookie), as dig +dnssec does
(the same with DO), with EDNS and no flags, and without EDNS; over UDP and
TCP.

usage: test_dns_differential.py NARU_PORT NARU_FULL_PORT NSD_MINIMAL_PORT NSD_PORT [KNOT_PORT]
"""
import os
import sys

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rdatatype

HOST = "127.0.0.1"

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

# How each query is sent: (label, flags, EDNS version or None, DO, options).
STYLES = [
    ("as dig sends it", dns.flags.RD | dns.flags.AD, 0, False, "cookie"),
    ("as dig +dnssec sends it", dns.flags.RD | dns.flags.AD, 0, True, "cookie"),
    ("with EDNS, no flags", 0, 0, False, None),
    ("without EDNS", 0, None, False, None),
]


def make_query(name, rdtype, style):
    _, flags, edns, do, options = style
    opts = []
    if options == "cookie":
        # RFC 7873: a client cookie alone, 8 bytes, as dig sends.
        opts.append(dns.edns.GenericOption(dns.edns.COOKIE, os.urandom(8)))
    q = dns.message.make_query(name, rdtype, use_edns=edns, payload=1232,
                               want_dnssec=do, options=opts)
    q.flags = flags
    return q


def ask(port, q, tcp):
    if tcp:
        return dns.query.tcp(q, HOST, port=port, timeout=3)
    return dns.query.udp(q, HOST, port=port, timeout=3, ignore_trailing=False,
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


def edns_of(m):
    """What a reply's OPT says, as comparable values."""
    if m.edns < 0:
        return None
    return (m.edns, bool(m.ednsflags & dns.flags.DO),
            sorted((o.otype, o.to_wire() if hasattr(o, "to_wire") else b"") for o in m.options))


def targets(answer):
    """Names an answer's MX and SRV records point at."""
    out = set()
    for rrset in answer:
        for rd in rrset:
            if rrset.rdtype == dns.rdatatype.MX:
                out.add(rd.exchange.to_text().lower())
            elif rrset.rdtype == dns.rdatatype.SRV:
                out.add(rd.target.to_text().lower())
    return out


def compare(q, name, a, b, allow_target_addresses):
    problems = []
    if a.rcode() != b.rcode():
        problems.append("rcode naru %s, %s %s" % (a.rcode(), name, b.rcode()))
    if flags(a) != flags(b):
        problems.append("flags naru %s, %s %s" % (flags(a), name, flags(b)))
    if a.question[0].name.to_text() != q.question[0].name.to_text():
        problems.append("question case not echoed: %s" % a.question[0].name)
    if edns_of(a) != edns_of(b):
        problems.append("EDNS (version, DO, options) naru %s, %s %s" % (edns_of(a), name, edns_of(b)))
    if q.edns >= 0 and a.edns >= 0 and bool(a.ednsflags & dns.flags.DO) != bool(q.ednsflags & dns.flags.DO):
        problems.append("DO bit not copied (RFC 3225 3)")
    if not a.flags & dns.flags.TC:
        for title, sa, sb in (("answer", a.answer, b.answer),
                              ("authority", a.authority, b.authority),
                              ("additional", a.additional, b.additional)):
            ra, rb = rrsets(sa), rrsets(sb)
            if title == "additional" and allow_target_addresses:
                # NSD's minimal-responses also leaves out the addresses of an
                # answer's MX and SRV targets (RFC 1034 4.3.2 step 6); Knot and
                # BIND keep them, and so does naru.
                wanted = targets(a.answer)
                ra = {r for r in ra if not (r[0] in wanted and r[2] in ("A", "AAAA"))}
            if ra != rb:
                problems.append("%s differs:\n      only naru: %s\n      only %s: %s"
                                % (title, sorted(ra - rb), name, sorted(rb - ra)))
    return problems


def main():
    naru, naru_full, nsd_minimal, nsd = (int(p) for p in sys.argv[1:5])
    pairs = [("naru", naru, "nsd (minimal-responses)", nsd_minimal, True),
             ("naru --full-responses", naru_full, "nsd", nsd, False)]
    if len(sys.argv) > 5:
        pairs.append(("naru", naru, "knot", int(sys.argv[5]), False))
    failures = 0
    count = 0
    for naru_name, naru_port, ref_name, ref_port, allow in pairs:
        for tcp in (False, True):
            for style in STYLES:
                for qname, rdtype, note in QUERIES:
                    q = make_query(qname, rdtype, style)
                    problems = compare(q, ref_name, ask(naru_port, q, tcp), ask(ref_port, q, tcp), allow)
                    count += 1
                    if problems:
                        failures += 1
                        print("DIFF  %s vs %s: %s %s over %s, %s (%s)"
                              % (naru_name, ref_name, qname, rdtype, "TCP" if tcp else "UDP",
                                 style[0], note))
                        for p in problems:
                            print("      " + p)
    print("%d passed, %d failed" % (count - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
