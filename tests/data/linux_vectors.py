#!/usr/bin/env python3
"""Turn tests/data/linux-capture.pcap (made by capture-linux.sh) into
tests/data/linux_frames.h and the fuzz seed corpora in fuzz/corpus/.

    tests/data/linux_vectors.py header           rewrite tests/data/linux_frames.h
    tests/data/linux_vectors.py corpus           rewrite the Linux seeds in fuzz/corpus/

Frames are picked by their number in the capture, and each pick is checked
against what it must be, so a new capture that came out differently fails
here instead of quietly changing the vectors. After a new capture the
expected field values in tests/unit/test_wire_*.c (IDs, sequence numbers,
checksums, taken from tshark's dissection) have to be updated too.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PCAP = os.path.join(HERE, "linux-capture.pcap")

MAC_A = bytes.fromhex("026e6172750a")
MAC_B = bytes.fromhex("026e6172750b")
IP_A = bytes([198, 18, 0, 1])
IP_B = bytes([198, 18, 0, 2])


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    assert linktype == 1, "expected an Ethernet capture"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        assert incl == orig, "capture was truncated (snaplen)"
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def ethertype(f):
    return struct.unpack(">H", f[12:14])[0]


def ip_proto(f):
    return f[14 + 9] if ethertype(f) == 0x0800 else None


def l4(f):
    return f[14 + (f[14] & 15) * 4:]


def is_arp(op):
    return lambda f: ethertype(f) == 0x0806 and f[20:22] == bytes([0, op])


def is_icmp(t):
    def check(f):
        later_fragment = struct.unpack(">H", f[20:22])[0] & 0x1fff
        return ip_proto(f) == 1 and not later_fragment and l4(f)[0] == t
    return check


def is_fragment(proto, offset_units, more):
    def check(f):
        word = struct.unpack(">H", f[20:22])[0]
        return ip_proto(f) == proto and word & 0x1fff == offset_units and bool(word & 0x2000) == more
    return check


def is_udp(sport=None, dport=None):
    def check(f):
        if ip_proto(f) != 17:
            return False
        s, d = struct.unpack(">HH", l4(f)[:4])
        return (sport is None or s == sport) and (dport is None or d == dport)
    return check


def is_tcp(flags, has_data=False):
    def check(f):
        if ip_proto(f) != 6:
            return False
        seg = l4(f)
        total = struct.unpack(">H", f[16:18])[0] - (f[14] & 15) * 4
        return seg[13] == flags and (total > (seg[12] >> 4) * 4) == has_data
    return check


# (name, frame number, check, what it is)
PICKS = [
    ("arp_request", 1, is_arp(1), "ARP request, 198.18.0.1 asks for 198.18.0.2 (first ping)"),
    ("arp_reply", 2, is_arp(2), "ARP reply, 198.18.0.2 is at 02:6e:61:72:75:0b"),
    ("echo_request", 3, is_icmp(8), "ping -c 1 198.18.0.2: ICMP echo request, 56 bytes of data"),
    ("echo_reply", 4, is_icmp(0), "the echo reply to it"),
    ("big_echo_frag0", 5, is_fragment(1, 0, True), "ping -s 4000: first fragment (offset 0, MF)"),
    ("big_echo_frag1", 6, is_fragment(1, 185, True), "ping -s 4000: second fragment (offset 1480, MF)"),
    ("big_echo_frag2", 7, is_fragment(1, 370, False), "ping -s 4000: last fragment (offset 2960)"),
    ("rr_echo_request", 11, is_icmp(8), "ping -R: echo request with the record route option (IHL 15)"),
    ("rr_echo_reply", 12, is_icmp(0), "ping -R: echo reply, route recorded by 198.18.0.2"),
    ("ttl1_echo_request", 13, is_icmp(8), "ping -t 1 198.18.1.2: echo request with TTL 1, via the router"),
    ("time_exceeded", 14, is_icmp(11), "ping -t 1 198.18.1.2: time exceeded from the router 198.18.0.2"),
    ("udp_hello", 15, is_udp(dport=7777), "nc -u: 'naru says hello\\n' to port 7777"),
    ("udp_answer", 16, is_udp(sport=7777), "nc -u -l: 'and linux answers\\n' back from port 7777"),
    ("udp_to_closed_port", 17, is_udp(dport=9), "nc -u: one byte to the closed port 9"),
    ("port_unreachable", 18, is_icmp(3), "port unreachable from 198.18.0.2 quoting that datagram"),
    ("udp_no_checksum", 19, is_udp(dport=7778), "python, SO_NO_CHECK: 'no checksum' with checksum 0"),
    ("udp_opts_frag0", 21, is_fragment(17, 0, True),
     "3000-byte datagram with record route + router alert (IP_OPTIONS): first fragment"),
    ("udp_opts_frag1", 22, is_fragment(17, 183, True),
     "the second fragment: Linux NOPs out record route (not copied), keeps router alert"),
    ("udp_opts_frag2", 23, is_fragment(17, 366, False), "the last fragment, options as in the second"),
    ("port_unreachable_with_options", 24, is_icmp(3),
     "port unreachable for the reassembled datagram: IP options outside and in the quote"),
    ("tcp_syn", 25, is_tcp(0x02), "curl: SYN with MSS, SACK-permitted, timestamps, NOP, window scale"),
    ("tcp_syn_ack", 26, is_tcp(0x12), "python http.server: SYN-ACK, same option layout"),
    ("tcp_ack", 27, is_tcp(0x10), "curl: the handshake's final ACK, NOP NOP timestamps"),
    ("tcp_get", 28, is_tcp(0x18, True), "curl: 'GET /hello HTTP/1.1' (PSH|ACK, 84 bytes)"),
    ("tcp_response", 30, is_tcp(0x18, True), "http.server: the response headers (199 bytes)"),
    ("tcp_fin", 34, is_tcp(0x11), "http.server: FIN|ACK"),
    ("tcp_client_fin", 35, is_tcp(0x11), "curl: FIN|ACK"),
    ("tcp_rst", 38, is_tcp(0x14), "a SYN to the closed port 81 answered with RST|ACK"),
]


def picked():
    frames = read_pcap(PCAP)
    out = {}
    for name, number, check, what in PICKS:
        f = frames[number - 1]
        if not check(f):
            sys.exit(f"linux_vectors: frame {number} is not {name} ({what}); new capture?")
        out[name] = (number, f, what)
    return out


def write_header():
    lines = [
        "/* Frames the Linux kernel sent, captured by tests/data/capture-linux.sh",
        " * (three network namespaces on veth pairs, 198.18.0.0/15 only, tcpdump on",
        " * wa0 in naruwire-a, transmit checksum offload off so every checksum is",
        " * complete) and written out by tests/data/linux_vectors.py header.",
        " *   A = naruwire-a: 198.18.0.1, 02:6e:61:72:75:0a",
        " *   B = naruwire-b: 198.18.0.2, 02:6e:61:72:75:0b (router to 198.18.1.0/24)",
        " * Each comment names the frame's number in linux-capture.pcap and what made",
        " * it. Generated: do not edit by hand. */",
        "#ifndef NARU_TEST_LINUX_FRAMES_H",
        "#define NARU_TEST_LINUX_FRAMES_H",
        "",
        "#include <stdint.h>",
        "",
    ]
    for name, (number, f, what) in picked().items():
        lines.append(f"/* Frame {number}, {len(f)} bytes: {what}. */")
        lines.append(f"static const uint8_t linux_{name}[{len(f)}] = {{")
        for i in range(0, len(f), 12):
            lines.append("    " + " ".join(f"0x{b:02x}," for b in f[i:i + 12]))
        lines.append("};")
        lines.append("")
    lines.append("#endif")
    with open(os.path.join(HERE, "linux_frames.h"), "w") as out:
        out.write("\n".join(lines) + "\n")


def write(target, name, data):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "linux_" + name), "wb") as out:
        out.write(data)


def stack_record(frame, advance_tenths=0, fix_checksums=False):
    ctl = (advance_tenths & 0x3F) << 1 | (1 if fix_checksums else 0)
    return bytes([ctl]) + struct.pack(">H", len(frame)) + frame


def stack_input(config, udp_port, ping_id, records, peer_port=7777):
    return bytes([config]) + struct.pack(">HHH", udp_port, ping_id, peer_port) + b"".join(records)


def tcp_relative(frame):
    """The frame with sequence and acknowledgment numbers 0: with the fix
    flag, fuzz_stack_input reads them as offsets from what the stack last
    sent, so the segment lands exactly in sequence."""
    seg = 14 + (frame[14] & 15) * 4
    return frame[:seg + 4] + bytes(8) + frame[seg + 12:]


def write_corpus():
    p = picked()
    for name, (_, f, _) in p.items():
        write("fuzz_ethernet", name, f)
        if ethertype(f) == 0x0806:
            write("fuzz_arp", name, f[14:])
            continue
        ip = f[14:]
        write("fuzz_ipv4", name, b"\0" + ip)
        word = struct.unpack(">H", ip[6:8])[0]
        if word & 0x3FFF and word & 0x1FFF:
            continue  # a later fragment has no transport header
        seg = l4(f)
        addrs = ip[12:20]
        if ip_proto(f) == 1 and not word & 0x2000:
            write("fuzz_icmp", name, b"\0" + seg)
        elif ip_proto(f) == 17 and not word & 0x2000:
            write("fuzz_udp", name, b"\0" + addrs + seg)
        elif ip_proto(f) == 6:
            write("fuzz_tcp", name, b"\0" + addrs + seg)
    # The stack as B: what A sent it. As A: what B sent back.
    def frames(*names):
        return [p[n][1] for n in names]
    as_b, as_a = 0, 2
    seeds = {
        "ping": (as_b, 7777, 1, frames("arp_request", "echo_request")),
        "big_ping": (as_b, 7777, 1, frames("big_echo_frag0", "big_echo_frag1", "big_echo_frag2")),
        "big_ping_reordered": (as_b, 7777, 1, frames("big_echo_frag2", "big_echo_frag0", "big_echo_frag1")),
        "big_ping_fragment_lost": (as_b, 7777, 1, frames("big_echo_frag0", "big_echo_frag2")),
        "record_route": (as_b, 7777, 1, frames("rr_echo_request")),
        "udp": (as_b, 7777, 1, frames("udp_hello", "udp_to_closed_port", "udp_no_checksum")),
        "udp_options_fragments": (as_b, 7779, 1, frames("udp_opts_frag0", "udp_opts_frag1", "udp_opts_frag2")),
        "tcp": (as_b, 7777, 1, frames("arp_request", "tcp_syn", "tcp_ack", "tcp_get")),
        "replies": (as_a, 7777, 1, frames("arp_reply", "echo_reply", "rr_echo_reply", "udp_answer",
                                           "tcp_syn_ack", "tcp_response", "tcp_fin", "tcp_rst")),
    }
    for name, (config, port, ping_id, fs) in seeds.items():
        write("fuzz_stack_input", name, stack_input(config, port, ping_id, [stack_record(f, 1) for f in fs]))
    # Errors that quote what A's sockets sent: bind A's sockets to match.
    te = p["time_exceeded"][1]
    quoted_echo = l4(te)[8 + 20:]
    write("fuzz_stack_input", "time_exceeded",
          stack_input(as_a, 7777, struct.unpack(">H", quoted_echo[4:6])[0], [stack_record(te)]))
    pu = p["port_unreachable"][1]
    quoted_udp = l4(pu)[8 + 20:]
    write("fuzz_stack_input", "port_unreachable",
          stack_input(as_a, struct.unpack(">H", quoted_udp[0:2])[0], 1, [stack_record(pu)]))
    # The same error for the connected socket (bound to the next port).
    write("fuzz_stack_input", "port_unreachable_connected",
          stack_input(as_a, struct.unpack(">H", quoted_udp[0:2])[0] - 1, 1, [stack_record(pu)],
                      peer_port=struct.unpack(">H", quoted_udp[2:4])[0]))
    # A whole connection to the listener on 8080: ARP first so the stack can
    # answer at once, curl's SYN, then its ACK, request and FIN numbered
    # relative to what the stack sent.
    write("fuzz_stack_input", "tcp_connection",
          stack_input(as_b, 7777, 1, [stack_record(p["arp_request"][1]), stack_record(p["tcp_syn"][1])] +
                      [stack_record(tcp_relative(p[n][1]), 1, fix_checksums=True)
                       for n in ("tcp_ack", "tcp_get", "tcp_client_fin")]))
    # Forwarding on (B routes to 198.18.1.0/24): the TTL 1 echo request
    # expires; the same with TTL 64 goes on, after ARP on the other side.
    ttl1 = p["ttl1_echo_request"][1]
    write("fuzz_stack_input", "forward_ttl_expired", stack_input(1, 7777, 1, [stack_record(ttl1)]))
    ttl64 = ttl1[:22] + bytes([64]) + ttl1[23:]
    write("fuzz_stack_input", "forward", stack_input(1, 7777, 1, [stack_record(ttl64, fix_checksums=True)]))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("header", "corpus"):
        sys.exit(__doc__)
    if sys.argv[1] == "header":
        write_header()
    else:
        write_corpus()


if __name__ == "__main__":
    main()
