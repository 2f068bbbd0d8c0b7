#!/usr/bin/env python3
"""Write a capture of TCP's awkward cases, for naru plot and tshark to read.

usage: make_edge_capture.py OUT.pcap [--big-endian] [--nanoseconds] [--payload BYTES]

Ethernet frames (some with an 802.1Q tag, some cut to a snapshot length),
IPv4 and IPv6 (one with a destination options header), holding:
  0  a handshake with window scales 7 and 9, data, a lost segment sent
     again, SACK blocks, duplicate ACKs, a window update, a keep-alive and
     its answer, a zero window, a FIN each way
  1  a connection caught in the middle (no SYN), with a segment from before
     the capture began
  2  an ISN just below 2^32, so the raw numbers wrap at once
  3  a SYN sent twice, a SYN-ACK without window scaling (so none either way)
  4  IPv6 behind a destination options header, its data cut by a snapshot length
  5  the tuple of connection 3 opened again by a new SYN after its RST
Checksums are left zero: tshark does not check them by default, nor does naru.
"""
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, ack, flags, window, payload=b"", wscale=None, mss=None, sack=()):
    opts = b""
    if mss is not None:
        opts += struct.pack("!BBH", 2, 4, mss)
    if wscale is not None:
        opts += struct.pack("!BBBB", 1, 3, 3, wscale)  # NOP, window scale
    if sack:
        opts += struct.pack("!BB", 1, 1) + struct.pack("!BB", 5, 2 + 8 * len(sack))
        for left, right in sack:
            opts += struct.pack("!II", left % 2**32, right % 2**32)
    while len(opts) % 4:
        opts += b"\x01"
    offset = (20 + len(opts)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32, offset << 4, flags, window, 0, 0)
    return header + opts + payload


def ipv4(src, dst, segment):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 1, 0x4000, 64, 6, 0, bytes(src),
                       bytes(dst)) + segment


def ipv6(src, dst, segment, dstopts=False):
    ext = b""
    nh = 6
    if dstopts:  # next header TCP, length 0, PadN of 4
        ext = bytes([6, 0, 1, 4, 0, 0, 0, 0])
        nh = 60
    payload = ext + segment
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, bytes(src), bytes(dst)) + payload


def ether(packet, v6=False, vlan=None, reverse=False):
    kind = 0x86DD if v6 else 0x0800
    dst, src = (MAC_A, MAC_B) if reverse else (MAC_B, MAC_A)
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", kind) + packet


class Capture:
    def __init__(self):
        self.frames = []  # (time in ns, bytes, snaplen or None)
        self.now = 1_700_000_000 * 10**9

    def add(self, frame, gap_us=200, snaplen=None):
        self.now += gap_us * 1000
        self.frames.append((self.now, frame, snaplen))

    def write(self, path, big_endian, nanoseconds):
        e = ">" if big_endian else "<"
        magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
        with open(path, "wb") as f:
            f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 65535, 1))
            for t, frame, snaplen in self.frames:
                data = frame[:snaplen] if snaplen else frame
                frac = t % 10**9 if nanoseconds else t % 10**9 // 1000
                f.write(struct.pack(e + "IIII", t // 10**9, frac, len(data), len(frame)))
                f.write(data)


def v4_conn(cap, a, b, sport, dport, vlan=None):
    """Returns send(from_a, seq, ack, flags, window, payload=..., ...)."""
    def send(from_a, seq, ack, flags, window, gap_us=200, **kw):
        src, dst = (a, b) if from_a else (b, a)
        sp, dp = (sport, dport) if from_a else (dport, sport)
        cap.add(ether(ipv4(src, dst, tcp(sp, dp, seq, ack, flags, window, **kw)), vlan=vlan, reverse=not from_a),
                gap_us)
    return send


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cap = Capture()
    A, B = [198, 18, 0, 1], [198, 18, 0, 2]
    size = int(args[args.index("--payload") + 1]) if "--payload" in args else 1000
    data = bytes(size)
    n = size

    # 0: the full story.
    s = v4_conn(cap, A, B, 40000, 80)
    c, d = 1000, 900000
    s(True, c, 0, SYN, 64240, mss=1460, wscale=7)
    s(False, d, c + 1, SYN | ACK, 65160, mss=1460, wscale=9)
    s(True, c + 1, d + 1, ACK, 502)
    for k in range(6):
        s(True, c + 1 + n * k, d + 1, ACK, 502, payload=data, gap_us=20)
    s(False, d + 1, c + 1 + n, ACK, 300)
    for k in range(3):  # the second segment was lost: duplicate ACKs with SACK
        s(False, d + 1, c + 1 + n, ACK, 300, sack=[(c + 1 + 2 * n, c + 1 + 3 * n + n * k)])
    s(True, c + 1 + n, d + 1, ACK, 502, payload=data)  # sent again
    end = c + 1 + 6 * n
    s(False, d + 1, end, ACK, 300)
    s(False, d + 1, end, ACK, 310)  # a window update
    s(True, end - 1, d + 1, ACK, 502)  # a keep-alive
    s(False, d + 1, end, ACK, 310)  # its answer
    s(False, d + 1, end, ACK, 0)  # a zero window
    s(False, d + 1, end, ACK, 310)
    s(True, end, d + 1, ACK | PSH, 502, payload=data[:5])
    s(True, end + 5, d + 1, FIN | ACK, 502)
    s(False, d + 1, end + 6, FIN | ACK, 310)
    s(True, end + 6, d + 2, ACK, 502)

    # 1: caught in the middle, tagged VLAN 7.
    s = v4_conn(cap, A, B, 40001, 8080, vlan=7)
    c, d = 3_000_000_000, 123456
    s(True, c, d, ACK, 1000, payload=data)
    s(False, d, c + n, ACK, 2000)
    s(True, c - n, d, ACK, 1000, payload=data)  # sent before the capture began
    s(True, c + n, d, ACK, 1000, payload=data)
    s(False, d, c + 2 * n, ACK, 2000)

    # 2: an ISN just below 2^32.
    s = v4_conn(cap, A, B, 40002, 443)
    c, d = 2**32 - 100, 2**32 - 1
    s(True, c, 0, SYN, 1000, wscale=2)
    s(False, d, c + 1, SYN | ACK, 1000, wscale=2)
    for k in range(3):
        s(True, c + 1 + n * k, d + 1, ACK, 1000, payload=data)
    s(False, d + 1, c + 1 + 3 * n, ACK, 1000)

    # 3: a SYN twice; a SYN-ACK without window scaling; then a RST.
    s = v4_conn(cap, A, B, 40003, 25)
    c, d = 555, 777
    s(True, c, 0, SYN, 1000, wscale=5)
    s(True, c, 0, SYN, 1000, wscale=5, gap_us=1_000_000)
    s(False, d, c + 1, SYN | ACK, 2000)
    s(True, c + 1, d + 1, ACK, 1000, payload=data)
    s(False, d + 1, c + 1 + n, ACK, 2000)
    s(True, c + 1 + n, d + 1, RST | ACK, 0)

    # 4: IPv6 behind a destination options header, cut to 90 bytes (the data goes).
    a6 = bytes.fromhex("20010db8000000000000000000000001")
    b6 = bytes.fromhex("20010db8000000000000000000000002")

    def send6(from_a, seq, ack, flags, window, **kw):
        src, dst = (a6, b6) if from_a else (b6, a6)
        sp, dp = (50000, 22) if from_a else (22, 50000)
        cap.add(ether(ipv6(src, dst, tcp(sp, dp, seq, ack, flags, window, **kw), dstopts=True), v6=True,
                      reverse=not from_a), snaplen=90)
    c, d = 42, 4242
    send6(True, c, 0, SYN, 1000, wscale=4)
    send6(False, d, c + 1, SYN | ACK, 1000, wscale=4)
    send6(True, c + 1, d + 1, ACK, 100, payload=data)
    send6(False, d + 1, c + 1 + n, ACK, 100)

    # 5: the tuple of 3 again, with a new ISN after its RST.
    s = v4_conn(cap, A, B, 40003, 25)
    s(True, 9999, 0, SYN, 1000, wscale=5)
    s(False, 8888, 10000, SYN | ACK, 2000, wscale=5)
    s(True, 10000, 8889, ACK, 1000, payload=data)

    cap.write(args[0], "--big-endian" in args, "--nanoseconds" in args)


if __name__ == "__main__":
    main()
