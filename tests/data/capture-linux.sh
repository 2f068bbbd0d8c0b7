#!/usr/bin/env bash
# Capture the Linux frames that tests/unit/test_wire_*.c use as vectors.
#
#   tests/data/capture-linux.sh [OUT.pcap]     (root; default tests/data/linux-capture.pcap)
#   tests/data/capture-linux.sh --ipv6 [OUT.pcap]       (default tests/data/linux-capture-ipv6.pcap)
#
# Three network namespaces joined by veth pairs, addresses only from
# 198.18.0.0/15 (RFC 2544 benchmarking space), no route out:
#
#   naruwire-a  wa0 198.18.0.1  ---  wb0 198.18.0.2  naruwire-b (router)
#                                     wb1 198.18.1.1  ---  wc0 198.18.1.2  naruwire-c
#
# tcpdump records wa0 in naruwire-a while A pings, sends UDP with nc and
# python, and connects with curl. Transmit checksum offload is turned off on
# the veths first, so the captured TCP and UDP checksums are complete (with
# offload on, veth hands over only the pseudo-header sum). Everything is
# removed on exit. tests/data/linux_vectors.py turns the pcap into
# tests/data/linux_frames.h and the fuzz seed corpora.
#
# With --ipv6 the same three namespaces speak IPv6 only (2001:db8::/32 and
# link-local), and tcpdump records wb0 in B from before A's link comes up,
# so A's MLDv2 reports, duplicate address detection and router solicitation
# are in the capture; radvd on B advertises a prefix, the MTU and a DNS
# server. The wb1 link has an MTU of 1280, for a packet too big.
# tests/data/linux_vectors_ipv6.py turns that pcap into
# tests/data/linux_frames_ipv6.h and seeds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/linux-capture.pcap}
A=naruwire-a B=naruwire-b C=naruwire-c
pids=()
tcpdump_pid=

cleanup() {
    for p in $tcpdump_pid "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for ns in $A $B $C; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "capture-linux: needs root" >&2; exit 1; }
for ns in $A $B $C; do ip netns del $ns 2>/dev/null || true; done

run_in() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ethtool's ETHTOOL_STXCSUM through SIOCETHTOOL, so ethtool itself is not needed.
tx_csum_off() {
    run_in "$1" python3 - "$2" <<'PY'
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL, ETHTOOL_STXCSUM = 0x8946, 0x17
value = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
ifreq = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(value)).ljust(40, b"\0")
fcntl.ioctl(socket.socket(), SIOCETHTOOL, ifreq)
PY
}

capture_ipv6() {
    local out=$1 conf=$1.radvd.conf
    for ns in $A $B $C; do
        ip netns add $ns
        run_in $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
        ip -n $ns link set lo up
    done
    run_in $B sysctl -qw net.ipv6.conf.all.forwarding=1
    ip link add wa0 netns $A type veth peer name wb0 netns $B
    ip link add wb1 netns $B type veth peer name wc0 netns $C
    ip -n $A link set wa0 address 02:6e:61:72:75:0a
    ip -n $B link set wb0 address 02:6e:61:72:75:0b
    ip -n $B link set wb1 address 02:6e:61:72:75:1b mtu 1280
    ip -n $C link set wc0 address 02:6e:61:72:75:0c mtu 1280
    tx_csum_off $A wa0
    tx_csum_off $B wb0
    ip -n $A addr add 2001:db8:1::a/64 dev wa0
    ip -n $B addr add 2001:db8:1::1/64 dev wb0 nodad
    ip -n $B addr add 2001:db8:2::1/64 dev wb1 nodad
    ip -n $C addr add 2001:db8:2::c/64 dev wc0 nodad
    for l in "$B wb0" "$B wb1" "$C wc0"; do set -- $l; ip -n $1 link set $2 up; done
    ip -n $A -6 route add 2001:db8:2::/64 via 2001:db8:1::1 dev wa0 2>/dev/null || true
    ip -n $C -6 route add 2001:db8:1::/64 via 2001:db8:2::1
    cat >"$conf" <<'CONF'
interface wb0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 10;
    AdvLinkMTU 1500;
    prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };
    RDNSS 2001:db8:1::53 { };
};
CONF
    ip netns exec $B radvd -n -C "$conf" -p "$out.radvd.pid" -m stderr >"$out.radvd.log" 2>&1 &
    pids+=($!)
    ip netns exec $B tcpdump -Z root --immediate-mode -i wb0 -s 0 -U -w "$out" 2>"$out.log" &
    tcpdump_pid=$!
    for _ in $(seq 50); do grep -q "listening on" "$out.log" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    # 1. A's link comes up: MLDv2 reports, DAD (a neighbour solicitation
    #    from ::, with a nonce), a router solicitation; radvd answers.
    ip -n $A link set wa0 up
    for _ in $(seq 100); do
        [ -z "$(ip -n $A -6 addr show dev wa0 tentative)" ] &&
            ip -n $A -6 route show default | grep -q via && break
        sleep 0.1
    done
    ip -n $A -6 route replace 2001:db8:2::/64 via 2001:db8:1::1 dev wa0
    # 2. Address resolution (NS, NA), then an echo request and reply.
    run_in $A ping -6 -c 1 -W 2 2001:db8:1::1 >/dev/null
    # 3. A 4000-byte echo: fragments each way.
    run_in $A ping -6 -c 1 -W 2 -s 4000 2001:db8:1::1 >/dev/null
    # 4. Hop limit 1 towards C: B answers time exceeded.
    run_in $A ping -6 -c 1 -W 2 -t 1 2001:db8:2::c >/dev/null || true
    # 5. 1400 bytes towards C over the 1280-byte link: B answers packet too big.
    run_in $A ping -6 -c 1 -W 2 -s 1400 2001:db8:2::c >/dev/null || true
    # 6. A UDP exchange with nc, and 7. a datagram to a closed port.
    ip netns exec $B timeout 5 sh -c "printf 'and linux answers\n' | nc -6 -u -l 2001:db8:1::1 7777" >/dev/null &
    pids+=($!)
    sleep 0.5
    run_in $A timeout 5 sh -c "printf 'naru says hello\n' | nc -6 -u -w 1 2001:db8:1::1 7777" >/dev/null || true
    run_in $A timeout 5 sh -c "printf 'x' | nc -6 -u -w 1 2001:db8:1::1 9" >/dev/null 2>&1 || true
    # 8. A destination options header with an unknown option whose type's
    #    high bits say "discard, send a parameter problem" (RFC 8200 4.2).
    run_in $A python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# next header (filled in by the kernel), length 0, option 0x9e of 2 bytes, PadN 2
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 0x9e, 2, 0xab, 0xcd, 1, 0]))
s.sendto(b"unknown option", ("2001:db8:1::1", 7780))
PY
    sleep 0.5
    # 9. TCP: curl fetches a page from python's http.server on B.
    mkdir -p "$out.www" && printf 'naru\n' >"$out.www/hello"
    ip netns exec $B python3 -m http.server --bind 2001:db8:1::1 --directory "$out.www" 8080 >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do run_in $B python3 -c "import socket; socket.create_connection(('2001:db8:1::1', 8080)).close()" 2>/dev/null && break; sleep 0.1; done
    run_in $A curl -6 -s --max-time 2 -o /dev/null "http://[2001:db8:1::1]:8080/hello"
    sleep 0.5
    kill -INT $tcpdump_pid
    wait $tcpdump_pid || true
    rm -rf "$out.www" "$out.log" "$conf" "$out.radvd.pid" "$out.radvd.log"
    echo "capture-linux: wrote $out" >&2
}
if [ "${1:-}" = --ipv6 ]; then
    capture_ipv6 "${2:-$here/linux-capture-ipv6.pcap}"
    exit 0
fi

for ns in $A $B $C; do
    ip netns add $ns
    run_in $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n $ns link set lo up
done
ip link add wa0 netns $A type veth peer name wb0 netns $B
ip link add wb1 netns $B type veth peer name wc0 netns $C
ip -n $A link set wa0 address 02:6e:61:72:75:0a
ip -n $B link set wb0 address 02:6e:61:72:75:0b
ip -n $B link set wb1 address 02:6e:61:72:75:1b
ip -n $C link set wc0 address 02:6e:61:72:75:0c
tx_csum_off $A wa0
tx_csum_off $B wb0
ip -n $A addr add 198.18.0.1/24 dev wa0
ip -n $B addr add 198.18.0.2/24 dev wb0
ip -n $B addr add 198.18.1.1/24 dev wb1
ip -n $C addr add 198.18.1.2/24 dev wc0
for l in "$A wa0" "$B wb0" "$B wb1" "$C wc0"; do set -- $l; ip -n $1 link set $2 up; done
ip -n $A route add 198.18.1.0/24 via 198.18.0.2
ip -n $C route add 198.18.0.0/24 via 198.18.1.1
run_in $B sysctl -qw net.ipv4.ip_forward=1

# Background jobs start through ip netns exec itself, not a shell function,
# so $! is the process to stop.
ip netns exec $A tcpdump -Z root --immediate-mode -i wa0 -s 0 -U -w "$out" 2>"$out.log" &
tcpdump_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$out.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5

# 1. ARP request and reply, then an echo request and reply.
run_in $A ping -c 1 -W 2 198.18.0.2 >/dev/null
# 2. A 4000-byte echo: three fragments each way.
run_in $A ping -c 1 -W 2 -s 4000 198.18.0.2 >/dev/null
# 3. Record route (IPv4 option 7), filled in by B's reply.
run_in $A ping -c 1 -W 2 -R 198.18.0.2 >/dev/null
# 4. TTL 1 towards C: B, the router, answers time exceeded.
run_in $A ping -c 1 -W 2 -t 1 198.18.1.2 >/dev/null || true
# 5. A UDP exchange with nc.
ip netns exec $B timeout 5 sh -c "printf 'and linux answers\n' | nc -u -l 198.18.0.2 7777" >/dev/null &
pids+=($!)
sleep 0.5
run_in $A timeout 5 sh -c "printf 'naru says hello\n' | nc -u -w 1 198.18.0.2 7777" >/dev/null || true
# 6. A datagram to a closed port: B answers port unreachable.
run_in $A timeout 5 sh -c "printf 'x' | nc -u -w 1 198.18.0.2 9" >/dev/null 2>&1 || true
# 7. UDP without a checksum (SO_NO_CHECK), and 8. a 3000-byte datagram
#    carrying record route (not copied) and router alert (copied), which
#    Linux fragments: later fragments keep router alert and NOP out the rest.
run_in $A python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 11, 1)  # SO_NO_CHECK
s.sendto(b"no checksum", ("198.18.0.2", 7778))
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rr = bytes([7, 11, 4]) + bytes(8)
ra = bytes([0x94, 4, 0, 0])
t.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, rr + ra + bytes(1))
t.sendto(bytes(i * 7 & 0xff for i in range(3000)), ("198.18.0.2", 7779))
PY
sleep 0.5
# 9. TCP: curl fetches a page from python's http.server on B.
mkdir -p "$out.www" && printf 'naru\n' >"$out.www/hello"
ip netns exec $B python3 -m http.server --bind 198.18.0.2 --directory "$out.www" 8080 >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do run_in $B python3 -c "import socket; socket.create_connection(('198.18.0.2', 8080)).close()" 2>/dev/null && break; sleep 0.1; done
run_in $A curl -s --max-time 2 -o /dev/null http://198.18.0.2:8080/hello
# 10. A SYN to a closed port: B answers with a reset.
run_in $A curl -s --max-time 2 http://198.18.0.2:81/ >/dev/null || true
sleep 0.5
kill -INT $tcpdump_pid
wait $tcpdump_pid || true
rm -rf "$out.www" "$out.log"
echo "capture-linux: wrote $out" >&2
