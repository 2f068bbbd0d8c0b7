#!/usr/bin/env bash
# Fragments as a network may deliver them, written onto the TAP with scapy:
# reordered, duplicated, interleaved with another datagram's, or cut into
# 8-byte pieces, naru reassembles them and its UDP echo answers with the
# whole datagram; overlapping fragments (how attacks hide) drop the datagram
# and are counted; a fragmented datagram to a closed port gets exactly one
# port unreachable.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@"
need_scapy

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo

out=$(in_ns "$ns" "$SCAPY_PYTHON" - ntap0 "$(mac_of "$ns" ntap0)" "$NARU_MAC" "$KERNEL" "$NARU_IP" <<'EOF'
import socket, struct, sys
from scapy.all import Ether, IP, UDP, conf, fragment, raw
conf.verb = 0
iface, kmac, nmac, kip, nip = sys.argv[1:6]
PORT = 40003

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((kip, PORT))
rx.settimeout(3)
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
icmp.settimeout(3)
l2 = conf.L2socket(iface=iface)

def datagram(ident, size, dport=7):
    payload = bytes((ident + i) & 0xff for i in range(size))
    return IP(src=kip, dst=nip, id=ident) / UDP(sport=PORT, dport=dport) / payload, payload

def send(frags):
    for f in frags:
        l2.send(Ether(src=kmac, dst=nmac) / f)

def answer():
    try:
        return rx.recv(70000)
    except OSError as e:
        return repr(e).encode()

def case(name, ident, order, size=3000, fragsize=1000):
    packet, payload = datagram(ident, size)
    frags = fragment(packet, fragsize=fragsize)
    send(order(frags))
    print(f"{name}: {'echoed whole' if answer() == payload else 'not echoed whole'}")

case("in order", 1, lambda f: f)
case("reversed", 2, lambda f: f[::-1])
case("middle first", 3, lambda f: f[1:2] + f[:1] + f[2:])
case("a fragment duplicated", 4, lambda f: f[:2] + f[1:])
case("every fragment twice", 5, lambda f: [x for x in f for _ in (0, 1)])
case("8-byte fragments", 6, lambda f: f, size=200, fragsize=8)
case("largest datagram, reversed", 7, lambda f: f[::-1], size=65507, fragsize=1480)

# Two datagrams whose fragments alternate.
a, pa = datagram(8, 3000)
b, pb = datagram(9, 3000)
fa, fb = fragment(a, fragsize=1000), fragment(b, fragsize=1000)
send([x for pair in zip(fa, fb) for x in pair])
got = {answer(), answer()}
print("interleaved:", "both echoed whole" if got == {pa, pb} else "not both echoed")

# Overlap: the second fragment starts 8 bytes before the first one ends.
# Then a good datagram: naru handles frames in order, so if the first
# answer is the good one, the overlapping datagram was dropped.
packet, payload = datagram(10, 2000)
udp = raw(packet[UDP])
first = IP(src=kip, dst=nip, id=10, proto=17, flags="MF", frag=0) / udp[:1008]
second = IP(src=kip, dst=nip, id=10, proto=17, frag=1000 // 8) / udp[1000:]
send([first, second])
good, good_payload = datagram(11, 2000)
send(fragment(good, fragsize=1000))
print("overlap:", "dropped" if answer() == good_payload else "not dropped")

# A fragmented datagram to a closed port: one port unreachable, for the
# whole datagram, quoting its first fragment's header (RFC 1122 3.2.2).
packet, _ = datagram(12, 3000, dport=9999)
send(fragment(packet, fragsize=1000))
errors = []
while True:
    try:
        data = icmp.recv(2048)
    except OSError:
        break
    ihl = (data[0] & 0x0f) * 4
    if data[ihl] == 3:
        quoted = data[ihl + 8:]
        qid = struct.unpack("!H", quoted[4:6])[0]
        qport = struct.unpack("!H", quoted[(quoted[0] & 0x0f) * 4 + 2:][:2])[0]
        errors.append(f"code {data[ihl + 1]} id {qid} port {qport}")
    if errors:
        # Any second error would be queued right behind the first.
        icmp.settimeout(0.5)
print("closed port:", "; ".join(errors) or "no ICMP error")
EOF
)
check_match "fragments in order are reassembled" '^in order: echoed whole$' "$out"
check_match "fragments in reverse order are reassembled" '^reversed: echoed whole$' "$out"
check_match "a middle fragment arriving first is fine" '^middle first: echoed whole$' "$out"
check_match "a duplicated fragment is dropped alone" '^a fragment duplicated: echoed whole$' "$out"
check_match "every fragment twice still gives one datagram" '^every fragment twice: echoed whole$' "$out"
check_match "8-byte fragments are reassembled" '^8-byte fragments: echoed whole$' "$out"
check_match "a 65535-byte datagram in 45 fragments, reversed, is reassembled" \
    '^largest datagram, reversed: echoed whole$' "$out"
check_match "two datagrams with interleaved fragments are both reassembled" '^interleaved: both echoed whole$' "$out"
check_match "overlapping fragments drop the datagram" '^overlap: dropped$' "$out"
check_match "a fragmented datagram to a closed port gets one port unreachable quoting it" \
    '^closed port: code 3 id 12 port 9999$' "$out"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_eq "naru counted the overlap" 1 "$(naru_counter "$naru" ip_reasm_overlaps)"
check_eq "naru reassembled the 10 good datagrams and the one to the closed port" 11 \
    "$(naru_counter "$naru" ip_reasm_ok)"
check_eq "no fragment was judged malformed" 0 "$(naru_counter "$naru" ip_reasm_malformed)"
finish
