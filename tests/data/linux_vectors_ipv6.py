#!/usr/bin/env python3
"""Turn tests/data/linux-capture-ipv6.pcap (made by capture-linux.sh --ipv6)
into tests/data/linux_frames_ipv6.h and the IPv6 fuzz seeds in fuzz/corpus/.

    tests/data/linux_vectors_ipv6.py header     rewrite tests/data/linux_frames_ipv6.h
    tests/data/linux_vectors_ipv6.py corpus     rewrite the linux6_* seeds in fuzz/corpus/

The capture's order depends on timers (DAD, router solicitations, radvd), so
frames are picked by what they are, not by their number: each pick is the
first frame after the previous pick that matches, and a capture without one
fails here. After a new capture the field values in tests/unit/test_wire_
{ipv6,icmpv6,ndp,mld}.c (identifiers, checksums, nonces) have to follow.
"""
import os
import struct
import sys

from linux_vectors import read_pcap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PCAP = os.path.join(HERE, "linux-capture-ipv6.pcap")

MAC_A = bytes.fromhex("026e6172750a")
MAC_B = bytes.fromhex("026e6172750b")
EXT_HEADERS = (0, 43, 60)  # hop-by-hop, routing, destination options


def is_ipv6(f):
    return struct.unpack(">H", f[12:14])[0] == 0x86DD


def upper(f):
    """(protocol, offset of the upper-layer header in the frame, fragment
    offset or None) after walking the extension headers."""
    nh, off, frag = f[14 + 6], 14 + 40, None
    while True:
        if nh in EXT_HEADERS:
            nh, off = f[off], off + (f[off + 1] + 1) * 8
        elif nh == 44:
            frag = struct.unpack(">H", f[off + 2:off + 4])[0] & 0xFFF8
            nh, off = f[off], off + 8
            if frag:
                return nh, off, frag
        else:
            return nh, off, frag


def icmp6(t, src_mac=None, check=None):
    def test(f):
        if not is_ipv6(f):
            return False
        nh, off, frag = upper(f)
        return (nh == 58 and not frag and f[off] == t and (src_mac is None or f[6:12] == src_mac)
                and (check is None or check(f, off)))
    return test


def fragment(offset, more):
    def test(f):
        if not is_ipv6(f) or f[14 + 6] != 44:
            return False
        word = struct.unpack(">H", f[56:58])[0]
        return word & 0xFFF8 == offset and bool(word & 1) == more
    return test


def udp(dport=None, sport=None, dstopts=False):
    def test(f):
        if not is_ipv6(f):
            return False
        nh, off, _ = upper(f)
        if nh != 17 or (f[14 + 6] == 60) != dstopts:
            return False
        s, d = struct.unpack(">HH", f[off:off + 4])
        return (dport is None or d == dport) and (sport is None or s == sport)
    return test


def tcp(flags):
    def test(f):
        nh, off, _ = upper(f) if is_ipv6(f) else (None, 0, None)
        return nh == 6 and f[off + 13] == flags
    return test


def src_unspecified(f, _):
    return f[22:38] == bytes(16)


def src_link_local(f, _):
    return f[22:24] == b"\xfe\x80"


def target_is(text):
    import ipaddress
    packed = ipaddress.IPv6Address(text).packed
    return lambda f, off: f[off + 8:off + 24] == packed


def both(a, b):
    return lambda f, off: a(f, off) and b(f, off)


# (name, check, what it is), in capture order
PICKS = [
    ("mld_report_unspecified", icmp6(143, MAC_B, src_unspecified),
     "B's first MLDv2 report, from :: before its link-local address is valid (RFC 3590 4), four records"),
    ("dad_ns", icmp6(135, MAC_A, both(src_unspecified, target_is("2001:db8:1::a"))),
     "DAD for 2001:db8:1::a: a neighbour solicitation from :: to ff02::1:ff00:a with a nonce (RFC 7527)"),
    ("mld_report", icmp6(143, MAC_A, src_link_local),
     "A's MLDv2 report from its link-local address, with the router alert hop-by-hop option"),
    ("rs", icmp6(133, MAC_A), "A's router solicitation with its source link-layer address"),
    ("ra", icmp6(134, MAC_B),
     "radvd's router advertisement: prefix 2001:db8:1::/64 (L, A), RDNSS, MTU 1500, source link-layer address"),
    ("ns", icmp6(135, MAC_A, target_is("2001:db8:1::1")),
     "address resolution: A asks ff02::1:ff00:1 for 2001:db8:1::1, with its link-layer address"),
    ("na", icmp6(136, MAC_B), "B's solicited advertisement (router, solicited, override) with its link-layer address"),
    ("echo_request", icmp6(128, MAC_A), "ping -6: echo request, 56 bytes of data"),
    ("echo_reply", icmp6(129, MAC_B), "the echo reply to it"),
    ("big_echo_frag0", fragment(0, True), "ping -6 -s 4000: first fragment (offset 0, M)"),
    ("big_echo_frag1", fragment(1448, True), "second fragment (offset 1448, M)"),
    ("big_echo_frag2", fragment(2896, False), "last fragment (offset 2896)"),
    ("hop1_echo_request", icmp6(128, MAC_A, lambda f, off: f[14 + 7] == 1),
     "ping -6 -t 1 2001:db8:2::c: echo request with hop limit 1"),
    ("time_exceeded", icmp6(3, MAC_B), "B, the router, answers time exceeded quoting the whole request"),
    ("too_big_echo_request", icmp6(128, MAC_A, lambda f, off: len(f) > 1400),
     "ping -6 -s 1400 2001:db8:2::c: a 1448-byte packet for the 1280-byte link"),
    ("packet_too_big", icmp6(2, MAC_B), "1400 bytes towards the 1280-byte link: packet too big, MTU 1280"),
    ("udp_hello", udp(dport=7777), "nc -6 -u: 'naru says hello\\n' to port 7777"),
    ("udp_answer", udp(sport=7777), "nc -6 -u -l: 'and linux answers\\n' back"),
    ("udp_to_closed_port", udp(dport=9), "nc -6 -u: one byte to the closed port 9"),
    ("port_unreachable", icmp6(1, MAC_B), "port unreachable quoting that datagram"),
    ("udp_unknown_option", udp(dport=7780, dstopts=True),
     "a destination options header holding option 0x9e (action 10: discard, parameter problem)"),
    ("param_problem", icmp6(4, MAC_B), "parameter problem, code 2 (unrecognized option), pointing at it"),
    ("tcp_syn", tcp(0x02), "curl -6: SYN with MSS, SACK-permitted, timestamps, window scale"),
    ("tcp_syn_ack", tcp(0x12), "python http.server: SYN-ACK"),
    ("nud_ns", icmp6(135, MAC_B, src_link_local), "B's unicast neighbour solicitation probing A (NUD)"),
    ("nud_na", icmp6(136, MAC_A), "A's solicited advertisement in answer, without options"),
]


def picked():
    frames = read_pcap(PCAP)
    out, at = {}, 0
    for name, check, what in PICKS:
        while at < len(frames) and not check(frames[at]):
            at += 1
        if at == len(frames):
            sys.exit(f"linux_vectors_ipv6: no {name} ({what}) after the previous pick; new capture?")
        out[name] = (at + 1, frames[at], what)
        at += 1
    return out


def write_header():
    lines = [
        "/* IPv6 frames the Linux kernel (and radvd) sent, captured by",
        " * tests/data/capture-linux.sh --ipv6 (three network namespaces on veth pairs,",
        " * 2001:db8::/32 and link-local only, tcpdump on wb0 in naruwire-b, transmit",
        " * checksum offload off) and written out by tests/data/linux_vectors_ipv6.py.",
        " *   A = naruwire-a: 02:6e:61:72:75:0a, fe80::6e:61ff:fe72:750a, 2001:db8:1::a and",
        " *       (SLAAC) 2001:db8:1:0:6e:61ff:fe72:750a",
        " *   B = naruwire-b: 02:6e:61:72:75:0b, fe80::6e:61ff:fe72:750b, 2001:db8:1::1,",
        " *       router to 2001:db8:2::/64 over a 1280-byte link",
        " * Each comment names the frame's number in linux-capture-ipv6.pcap and what",
        " * made it. Generated: do not edit by hand. */",
        "#ifndef NARU_TEST_LINUX_FRAMES_IPV6_H",
        "#define NARU_TEST_LINUX_FRAMES_IPV6_H",
        "",
        "#include <stdint.h>",
        "",
    ]
    for name, (number, f, what) in picked().items():
        lines.append(f"/* Frame {number}, {len(f)} bytes: {what}. */")
        lines.append(f"static const uint8_t linux6_{name}[{len(f)}] = {{")
        for i in range(0, len(f), 12):
            lines.append("    " + " ".join(f"0x{b:02x}," for b in f[i:i + 12]))
        lines.append("};")
        lines.append("")
    lines.append("#endif")
    with open(os.path.join(HERE, "linux_frames_ipv6.h"), "w") as out:
        out.write("\n".join(lines) + "\n")


def write(target, name, data):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "linux6_" + name), "wb") as out:
        out.write(data)


def write_corpus():
    for name, (_, f, _) in picked().items():
        write("fuzz_ethernet", name, f)
        write("fuzz_ipv6", name, b"\0" + f[14:])
        nh, off, frag = upper(f)
        if nh == 58 and frag is None:
            write("fuzz_icmpv6", name, b"\0" + f[22:54] + f[off:])


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("header", "corpus"):
        sys.exit(__doc__)
    if sys.argv[1] == "header":
        write_header()
    else:
        write_corpus()


if __name__ == "__main__":
    main()
