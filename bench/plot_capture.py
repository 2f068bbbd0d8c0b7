#!/usr/bin/env python3
"""Write a large capture cheaply, for bench/plot_bench.sh: FRAMES frames of
CONNS bulk TCP transfers one after another (IPv4 over Ethernet, 1448-byte
segments 10 us apart, an ACK for every second one, 0.5% of segments sent
twice), headers only: a snapshot length of 54 bytes, the frames 1514 bytes
on the wire. A million frames take 70 MB instead of 1.5 GB.

usage: plot_capture.py FRAMES CONNS > OUT.pcap
"""
import random
import struct
import sys

SNAPLEN = 54
MSS = 1448
ETH = bytes(12) + b"\x08\x00"
ACK = 0x10


def frame(src, dst, sport, dport, seq, ack, payload):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + payload, 0, 0x4000, 64, 6, 0, src, dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, ACK, 65535, 0, 0)
    return ETH + ip + tcp


def main():
    frames, conns = int(sys.argv[1]), int(sys.argv[2])
    out = sys.stdout.buffer
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, 1))
    rnd = random.Random(1)
    now_us, written, chunk = 0, 0, []

    def record(f, wire_len):
        nonlocal written
        chunk.append(struct.pack("<IIII", now_us // 10**6, now_us % 10**6, SNAPLEN, wire_len) + f)
        written += 1

    server = bytes([198, 19, 0, 1])
    for c in range(conns):
        client = bytes([198, 18, (c >> 8) & 255, c & 255])
        sport = 10000 + c % 50000
        nxt = rnd.getrandbits(32) + 1
        sent = 0
        target = (frames - written) // (conns - c)
        while sent < target:
            now_us += 10
            for _ in range(2 if rnd.random() < 0.005 else 1):  # a copy sent again
                record(frame(client, server, sport, 80, nxt, 1, MSS), 14 + 40 + MSS)
                sent += 1
            nxt += MSS
            if sent % 2 == 0:
                now_us += 5
                record(frame(server, client, 80, sport, 1, nxt, 0), 14 + 40)
                sent += 1
            if len(chunk) >= 10000:
                out.write(b"".join(chunk))
                chunk = []
    out.write(b"".join(chunk))


if __name__ == "__main__":
    main()
