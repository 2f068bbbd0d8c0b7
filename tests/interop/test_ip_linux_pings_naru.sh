#!/usr/bin/env bash
# Linux pings a naru host through a TAP device: echo replies come back,
# 4000-byte pings are fragmented both ways and reassembled by both stacks,
# a ping to a broadcast address goes unanswered, and naru answers ARP for
# its own address and no other.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping python3

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
# An address beyond naru's link, reached through its default gateway.
ip -n "$ns" addr add 198.18.5.1/32 dev lo
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --gw "$KERNEL"
unicast_pings=0

# --- plain ping ---
out=$(in_ns "$ns" ping -c 3 -i 0.2 -W 2 "$NARU_IP" 2>&1)
status=$?
unicast_pings=$((unicast_pings + 3))
check_eq "Linux ping of naru exits 0" 0 "$status"
check_match "all 3 echo requests are answered" '^3 packets transmitted, 3 received, 0% packet loss' "$out"
check_match "replies carry naru's default TTL 64" "^64 bytes from $NARU_IP: icmp_seq=1 ttl=64 " "$out"
check_match "Linux learnt naru's MAC address by ARP" "lladdr $NARU_MAC" \
    "$(in_ns "$ns" ip neigh show "$NARU_IP" dev ntap0)"

# --- 4000-byte pings: Linux fragments the requests, naru reassembles them,
# fragments its replies, and Linux reassembles those ---
frag_before=$(kernel_snmp "$ns" Ip FragCreates)
reasm_before=$(kernel_snmp "$ns" Ip ReasmOKs)
out=$(in_ns "$ns" ping -c 2 -i 0.2 -W 2 -s 4000 "$NARU_IP" 2>&1)
status=$?
unicast_pings=$((unicast_pings + 2))
check_eq "ping -s 4000 of naru exits 0" 0 "$status"
check_match "both 4000-byte pings are answered in full (4008 ICMP bytes)" \
    '^4008 bytes from .*icmp_seq=2 ' "$out"
check_match "ping -s 4000 loses nothing" '^2 packets transmitted, 2 received, 0% packet loss' "$out"
check_no_match "the reassembled replies carry the data sent" 'wrong data|truncated|DUP!' "$out"
check_eq "Linux sent each 4028-byte request as 3 fragments" 6 \
    $(($(kernel_snmp "$ns" Ip FragCreates) - frag_before))
check_eq "Linux reassembled naru's 2 fragmented replies" 2 \
    $(($(kernel_snmp "$ns" Ip ReasmOKs) - reasm_before))

# --- sizes at the edges: empty, odd (the checksum's last byte), one byte
# either side of the MTU, and of two full fragments; ping checks the data ---
failed=""
for size in 0 1 57 1472 1473 2952 2953; do
    in_ns "$ns" ping -c 1 -W 2 -s "$size" -p a5 "$NARU_IP" 2>&1 | grep -q ' 0% packet loss' ||
        failed="$failed $size"
    unicast_pings=$((unicast_pings + 1))
done
check_eq "pings of 0, 1, 57, 1472, 1473, 2952 and 2953 bytes are all answered" "" "$failed"

# --- a source beyond the link: naru's reply goes through its gateway ---
out=$(in_ns "$ns" ping -c 1 -W 2 -I 198.18.5.1 "$NARU_IP" 2>&1)
unicast_pings=$((unicast_pings + 1))
check_match "a ping from 198.18.5.1 is answered through naru's default gateway" \
    '^1 packets transmitted, 1 received' "$out"

# --- the largest IPv4 datagram: 65535 bytes, 45 fragments each way ---
out=$(in_ns "$ns" ping -c 1 -W 2 -s 65507 "$NARU_IP" 2>&1)
unicast_pings=$((unicast_pings + 1))
check_match "a 65535-byte ping (the IPv4 maximum) is answered in full" '^65515 bytes from ' "$out"

# --- broadcasts: RFC 1122 3.2.2.6 lets a host ignore them, and naru does
# (as Linux does by default); the requests reach naru, which the counters
# below confirm ---
check_fails "a ping to the subnet broadcast 198.18.0.255 gets no reply" \
    in_ns "$ns" ping -b -c 1 -W 1 198.18.0.255
check_fails "a ping to the limited broadcast 255.255.255.255 gets no reply" \
    in_ns "$ns" ping -b -c 1 -W 1 -I ntap0 255.255.255.255

# --- ARP: requests for 198.18.0.3 and then for naru's address, from a
# sender Linux does not know (so the kernel's own table stays out of it).
# naru handles frames in order, so once the reply for its own address is
# back, any reply for .3 would already have arrived. ---
arp_out=$(in_ns "$ns" python3 - ntap0 198.18.0.3 "$NARU_IP" <<'EOF'
import select, socket, struct, sys, time

iface, other, naru = sys.argv[1:4]
ETH_P_ARP, PACKET_OUTGOING = 0x0806, 4
me_mac = bytes.fromhex("02005e120009")
me_ip = socket.inet_aton("198.18.0.9")

def request(target):
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, me_mac, me_ip,
                      bytes(6), socket.inet_aton(target))
    return b"\xff" * 6 + me_mac + struct.pack("!H", ETH_P_ARP) + arp

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
s.bind((iface, ETH_P_ARP))
s.send(request(other))
s.send(request(naru))
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    if not select.select([s], [], [], 0.1)[0]:
        continue
    frame, addr = s.recvfrom(2048)
    if addr[2] == PACKET_OUTGOING or len(frame) < 42:
        continue
    op, sha, spa, tha, tpa = struct.unpack("!6xH6s4s6s4s", frame[14:42])
    if op != 2:
        continue
    print("reply", socket.inet_ntoa(spa), sha.hex(":"), "to", socket.inet_ntoa(tpa),
          tha.hex(":"), "eth-dst", frame[:6].hex(":"))
    if socket.inet_ntoa(spa) == naru:
        break
EOF
)
check_eq "naru answers an ARP request for its own address, and not one for 198.18.0.3" \
    "reply $NARU_IP $NARU_MAC to 198.18.0.9 02:00:5e:12:00:09 eth-dst 02:00:5e:12:00:09" "$arp_out"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_eq "naru counted every echo request, broadcasts included" $((unicast_pings + 2)) \
    "$(naru_counter "$naru" icmp_rx_echo_requests)"
check_eq "naru answered only the unicast ones" "$unicast_pings" "$(naru_counter "$naru" icmp_tx_echo_replies)"
check_eq "naru sent no ICMP error (none is due for a broadcast)" 0 "$(naru_counter "$naru" icmp_tx_errors)"
check_ge "naru reassembled the 3 large requests" 3 "$(naru_counter "$naru" ip_reasm_ok)"
check_ge "naru fragmented the 3 large replies" 3 "$(naru_counter "$naru" ip_fragmented)"
check_ge "naru saw the ARP request for 198.18.0.3" 2 "$(naru_counter "$naru" arp_rx_requests)"
for c in link_rx_malformed ip_rx_header_errors ip_rx_length_errors ip_rx_checksum_errors \
    ip_reasm_malformed icmp_rx_malformed; do
    check_eq "nothing Linux sent was dropped as malformed ($c)" 0 "$(naru_counter "$naru" "$c")"
done
finish
