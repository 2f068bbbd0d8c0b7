#!/usr/bin/env bash
# UDP between Linux and a naru host: nc -u and Python exchange datagrams
# with naru's echo service (up to the 65507-byte maximum, fragmented both
# ways); a datagram to a closed naru port makes Linux report the port
# unreachable; and frames with bad checksums or lengths, written straight
# onto the TAP with scapy, are dropped and counted, never answered.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nc python3 timeout
need_scapy

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
KERNEL_MAC=$(mac_of "$ns" ntap0)
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo

# --- nc -u: what goes out comes back ---
out=$(printf 'hello, naru\n' | in_ns "$ns" timeout 10 nc -u -w 1 "$NARU_IP" 7)
check_eq "nc -u gets its datagram back from naru's UDP echo" "hello, naru" "$out"
out=$(printf 'one\ntwo\nthree\n' | in_ns "$ns" timeout 10 nc -u -w 1 "$NARU_IP" 7)
check_eq "nc -u gets several lines back in order" "$(printf 'one\ntwo\nthree')" "$out"

# --- datagrams of every interesting size, from a connected socket (so only
# naru's port 7 can answer): empty, one byte, the largest unfragmented
# (1472), the smallest fragmented (1473), 4000, and the IPv4 maximum 65507 ---
reasm_before=$(kernel_snmp "$ns" Ip ReasmOKs)
sizes_out=$(in_ns "$ns" python3 - "$NARU_IP" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.settimeout(3)
s.connect((sys.argv[1], 7))
for size in (0, 1, 1472, 1473, 4000, 65507):
    data = bytes((i * 7 + size) & 0xff for i in range(size))
    s.send(data)
    try:
        back = s.recv(65536)
    except OSError as e:
        print(f"{size}: {e!r}")
        continue
    print(f"{size}: {'same' if back == data else f'differs ({len(back)} bytes)'}")
EOF
)
check_eq "datagrams of 0, 1, 1472, 1473, 4000 and 65507 bytes come back unchanged" \
    "$(printf '%s: same\n' 0 1 1472 1473 4000 65507)" "$sizes_out"
check_eq "Linux reassembled naru's 3 fragmented echoes" 3 \
    $(($(kernel_snmp "$ns" Ip ReasmOKs) - reasm_before))

# --- a closed port: naru answers ICMP port unreachable, which Linux matches
# to the connected socket by the quoted headers and reports as ECONNREFUSED ---
unreach_before=$(kernel_snmp "$ns" Icmp InDestUnreachs)
refused=$(in_ns "$ns" python3 - "$NARU_IP" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], 9999))
s.send(b"anyone there?")
try:
    print("answered:", s.recv(100))
except ConnectionRefusedError:
    print("ECONNREFUSED")
except OSError as e:
    print(repr(e))
EOF
)
check_eq "a datagram to closed port 9999 makes Linux report ECONNREFUSED" ECONNREFUSED "$refused"
check_eq "Linux received 1 ICMP destination unreachable" 1 \
    $(($(kernel_snmp "$ns" Icmp InDestUnreachs) - unreach_before))

# --- damaged frames, each followed by a good one. naru handles frames in
# order, so when the good one's answer is back, an answer to a damaged one
# would already have arrived: no timed wait needed. A zero UDP checksum means
# "none" (RFC 768) and must be accepted. ---
bad_out=$(in_ns "$ns" "$SCAPY_PYTHON" - ntap0 "$KERNEL_MAC" "$NARU_MAC" "$KERNEL" "$NARU_IP" <<'EOF'
import socket, struct, sys
from scapy.all import Ether, IP, UDP, ICMP, conf, raw
conf.verb = 0
iface, kmac, nmac, kip, nip = sys.argv[1:6]
PORT, ECHO_ID = 40001, 0x4e52

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((kip, PORT))
rx.settimeout(3)
icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
icmp.settimeout(3)
l2 = conf.L2socket(iface=iface)

def base():
    return Ether(src=kmac, dst=nmac) / IP(src=kip, dst=nip)

def udp(payload, **fields):
    return base() / UDP(sport=PORT, dport=7, **fields) / payload

def spoil(checksum):
    # Any other value than the right one, but never 0 (which means "none").
    return checksum ^ 0x5a5a or 0x1111

good_udp = Ether(raw(udp(b"bad udp checksum")))
bad_udp = udp(b"bad udp checksum", chksum=spoil(good_udp[UDP].chksum))
good_ip = Ether(raw(udp(b"bad ip checksum")))
bad_ip = good_ip.copy()
bad_ip[IP].chksum = spoil(good_ip[IP].chksum)
long_udp = udp(b"udp length too long", len=8 + 19 + 40)
for frame in (bad_udp, bad_ip, long_udp, udp(b"no checksum", chksum=0), udp(b"good")):
    l2.send(frame)
got = []
while True:
    try:
        data = rx.recv(2048)
    except OSError as e:
        got.append(repr(e))
        break
    got.append(data.decode(errors="replace"))
    if data == b"good":
        break
print("udp:", ", ".join(got))

def echo(seq):
    return base() / ICMP(type=8, id=ECHO_ID, seq=seq) / b"ping payload"

bad_echo = echo(1)
bad_echo[ICMP].chksum = spoil(Ether(raw(echo(1)))[ICMP].chksum)
l2.send(bad_echo)
l2.send(echo(2))
seqs = []
while True:
    try:
        data = icmp.recv(2048)
    except OSError as e:
        seqs.append(repr(e))
        break
    ihl = (data[0] & 0x0f) * 4
    kind, _, _, ident, seq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
    if kind == 0 and ident == ECHO_ID:
        seqs.append(f"seq {seq}")
        if seq == 2:
            break
print("icmp:", ", ".join(seqs))
EOF
)
check_match "naru echoes the datagram with no checksum (0) and the good one, nothing damaged" \
    '^udp: no checksum, good$' "$bad_out"
check_match "naru answers the good echo request and not the one with a bad ICMP checksum" \
    '^icmp: seq 2$' "$bad_out"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_eq "naru counted the bad UDP checksum and the too-long UDP length" 2 \
    "$(naru_counter "$naru" udp_rx_malformed)"
check_eq "naru counted the bad IP header checksum" 1 "$(naru_counter "$naru" ip_rx_checksum_errors)"
check_eq "naru counted the bad ICMP checksum" 1 "$(naru_counter "$naru" icmp_rx_malformed)"
check_eq "naru counted the datagram to the closed port" 1 "$(naru_counter "$naru" udp_rx_no_port)"
check_eq "naru sent exactly one ICMP error: none for the damaged frames" 1 \
    "$(naru_counter "$naru" icmp_tx_errors)"
finish
