#!/usr/bin/env bash
# The capture naru host writes with --pcap: tshark reads it without errors,
# finds nothing malformed and no bad checksum, and finds the ARP, ICMP, UDP
# and fragment frames of the exchange; and it holds exactly the frames the
# kernel saw on the other side of the TAP (tcpdump), byte for byte, but for
# one thing: with offloads (naru's default) the kernel leaves its UDP
# checksums partial (only the pseudo-header's sum in the field), and its own
# capture shows them so, while naru's shows them completed.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping nc python3 tshark tcpdump timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
# The kernel's view, started first so it also sees naru's gratuitous ARP.
pcap_capture_start tcpdump "$ns" ntap0 "$WORK/kernel.pcap"
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo \
    --pcap "$WORK/naru.pcap"

# The exchange: ARP, two pings, one fragmented ping, a UDP echo, and a
# datagram to a closed port.
check "Linux pings naru" in_ns "$ns" ping -c 2 -i 0.2 -W 2 "$NARU_IP"
check "Linux pings naru with 4000 bytes" in_ns "$ns" ping -c 1 -W 2 -s 4000 "$NARU_IP"
out=$(printf 'captured\n' | in_ns "$ns" timeout 10 nc -u -w 1 "$NARU_IP" 7)
check_eq "nc -u gets its datagram echoed" captured "$out"
in_ns "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], 9999))
s.send(b"closed?")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$NARU_IP"
check_eq "the closed port is refused" 0 "$?"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143), having closed its capture" 143 "$?"
frames=$(($(naru_counter "$naru" link_rx_frames) + $(naru_counter "$naru" link_tx_frames)))
pcap_capture_stop "$tcpdump" "$WORK/kernel.pcap" "$frames"

# --- tshark reads it cleanly ---
listing=$(tshark_read "$WORK/naru.pcap" 2>&1)
check_eq "tshark reads naru's capture and exits 0" 0 "$?"
check_no_match "tshark reports no malformed frame" 'Malformed|[Ee]rror|cut short' "$listing"
check_eq "tshark finds no malformed frame, bad checksum or length warning" "" \
    "$(pcap_problems "$WORK/naru.pcap")"
check_eq "the capture holds every frame naru counted (received + sent)" "$frames" \
    "$(printf '%s\n' "$listing" | grep -c .)"

# --- and finds what was exchanged ---
count() { pcap_count "$WORK/naru.pcap" "$1"; }
check_eq "naru's gratuitous ARP is there" 1 \
    "$(count "arp.opcode == 1 && arp.src.proto_ipv4 == $NARU_IP && arp.dst.proto_ipv4 == $NARU_IP")"
check_ge "Linux's ARP request and naru's reply are there" 1 \
    "$(count "arp.opcode == 2 && arp.src.proto_ipv4 == $NARU_IP && arp.src.hw_mac == $NARU_MAC")"
check_eq "3 echo requests are there (tshark reassembles the fragmented one)" 3 \
    "$(count "icmp.type == 8 && ip.dst == $NARU_IP")"
check_eq "3 echo replies are there" 3 "$(count "icmp.type == 0 && ip.src == $NARU_IP")"
check_eq "Linux's 4000-byte request is 3 fragments" 3 \
    "$(count "ip.src == $KERNEL && (ip.flags.mf == 1 || ip.frag_offset > 0)")"
check_eq "naru's 4000-byte reply is 3 fragments" 3 \
    "$(count "ip.src == $NARU_IP && (ip.flags.mf == 1 || ip.frag_offset > 0)")"
check_eq "the UDP echo request and reply are there" 2 "$(count "udp.port == 7 && !icmp")"
check_eq "the port unreachable quoting the datagram to port 9999 is there" 1 \
    "$(count "icmp.type == 3 && icmp.code == 3 && ip.src == $NARU_IP && udp.dstport == 9999")"

# --- the kernel saw the same frames, in the same order each way ---
compare=$(python3 - "$WORK/naru.pcap" "$WORK/kernel.pcap" "$NARU_MAC" <<'EOF'
import struct, sys

def frames(path):
    """(timestamp, bytes) of every frame of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
             b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}[magic]
    frac = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    linktype = struct.unpack(order + "I", data[20:24])[0]
    assert linktype == 1, f"{path}: link type {linktype}, not Ethernet"
    at, out = 24, []
    while at < len(data):
        sec, sub, caplen, length = struct.unpack(order + "IIII", data[at:at + 16])
        assert caplen == length, f"{path}: frame cut to {caplen} of {length} bytes"
        out.append((sec + sub * frac, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    assert at == len(data), f"{path}: trailing bytes"
    return out

def sum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def completed(f):
    """f, or, if its TCP/UDP checksum is a partial one (the pseudo-header's
    sum, folded: checksum offload), f with the checksum a device computes."""
    if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] not in (6, 17):
        return f
    if struct.unpack(">H", f[20:22])[0] & 0x3fff:
        return f  # a fragment
    l4, end = 14 + (f[14] & 15) * 4, 14 + struct.unpack(">H", f[16:18])[0]
    field = l4 + (16 if f[23] == 6 else 6)
    if field + 2 > end or end > len(f):
        return f
    pseudo = sum16(f[26:34] + bytes([0, f[23]]) + struct.pack(">H", end - l4))
    whole = sum16(f[26:34] + bytes([0, f[23]]) + struct.pack(">H", end - l4) + f[l4:end])
    if whole == 0xffff or struct.unpack(">H", f[field:field + 2])[0] != pseudo:
        return f  # right already, or not a partial checksum
    check = 0xffff & ~sum16(f[l4:end])
    if f[23] == 17 and check == 0:
        check = 0xffff  # RFC 768
    return f[:field] + struct.pack(">H", check) + f[field + 2:]

naru, kernel = frames(sys.argv[1]), frames(sys.argv[2])
mac = bytes.fromhex(sys.argv[3].replace(":", ""))
for name, sent_by_naru in (("naru -> Linux", True), ("Linux -> naru", False)):
    a = [f for _, f in naru if (f[6:12] == mac) == sent_by_naru]
    b = [completed(f) for _, f in kernel if (f[6:12] == mac) == sent_by_naru]
    print(f"{name}: {'same' if a == b else f'differ: naru has {len(a)} frames, kernel {len(b)}'}")
# naru's clock is monotonic, mapped to wall time when it starts: its first
# frame should carry (nearly) the time the kernel stamped on it.
print("first frame within 1 s:", abs(naru[0][0] - kernel[0][0]) < 1.0)
EOF
)
check_match "naru's capture holds byte for byte what Linux received from naru" '^naru -> Linux: same$' "$compare"
check_match "naru's capture holds byte for byte what Linux sent to naru" '^Linux -> naru: same$' "$compare"
check_match "naru's timestamps are wall-clock time" '^first frame within 1 s: True$' "$compare"
finish
