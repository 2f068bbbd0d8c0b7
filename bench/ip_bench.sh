#!/usr/bin/env bash
# naru's IP layer, in figures (issue 2):
#  1. UDP datagrams per second between two naru stacks in one process over
#     the in-memory link (bench/udp_inproc.c), 64, 1400 and 4000-byte
#     payloads (4000 is fragmented and reassembled), over IPv4 and over IPv6
#     (2001:db8::/64), trials of the two alternating, and IPv6's rate as a
#     share of IPv4's (issue 11);
#  2. instructions per datagram for the same, both families and the ratio,
#     counted by callgrind: wall time on a shared machine wanders, this does
#     not;
#  3. ping round-trip time through a TAP device to naru, next to Linux to
#     Linux over a veth pair and naru ping to Linux over a TAP, all measured
#     in this run, alternating in rounds so that the machine's mood is
#     shared fairly; then flood-ping round trips per second, naru and veth.
# Part 3 needs root and /dev/net/tun, and works in network namespaces it
# creates and removes (addresses from 198.18.0.0/15 only).
#
# usage: bench/ip_bench.sh [NARU_BINARY]     (default build/naru; make bench)
# Tunable: IP_BENCH_PINGS (per round, default 1000), IP_BENCH_ROUNDS (3),
# IP_BENCH_INTERVAL (seconds, 0.001), IP_BENCH_TRIALS (udp_inproc, 5).
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
[ -x "$naru" ] || { echo "ip bench: no naru binary at $naru (make build)" >&2; exit 1; }
naru=$(realpath "$naru")
inproc=$(dirname "$naru")/bench/udp_inproc
[ -x "$inproc" ] || { echo "ip bench: no $inproc (make build)" >&2; exit 1; }
pings=${IP_BENCH_PINGS:-1000}
rounds=${IP_BENCH_ROUNDS:-3}
interval=${IP_BENCH_INTERVAL:-0.001}
trials=${IP_BENCH_TRIALS:-5}
status=0

echo "naru $(git -C "$here" describe --always --dirty 2>/dev/null || echo '?'), Linux $(uname -r)," \
    "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1 and 2: two stacks in one process ------------------------------------
echo
echo "UDP between two naru stacks in one process (in-memory link, batches of 32, $trials trials, IPv4 and"
echo "IPv6 alternating; wall clock on a shared machine: see the instructions below for repeatable figures):"
"$inproc" --family both --trials "$trials" || status=1

echo
if command -v valgrind >/dev/null; then
    echo "Instructions per datagram (callgrind, send + link + receive + copy out; repeatable):"
    # instructions COUNT ARGS...: udp_inproc under callgrind counting only
    # udp_bench_run() (no setup, ARP or NDP, or teardown), per datagram.
    instructions() {
        local count=$1 collected
        shift
        collected=$(valgrind --tool=callgrind --toggle-collect=udp_bench_run --callgrind-out-file=/dev/null \
            "$inproc" --quiet --trials 1 --count "$count" "$@" 2>&1 |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
        if [ -n "$collected" ]; then echo $((collected / count)); else echo "?"; status=1; fi
    }
    printf '%14s %8s %8s %7s\n' "" IPv4 IPv6 v6/v4
    for size in 64 1400 4000; do
        v4=$(instructions 20000 --sizes "$size" -4)
        v6=$(instructions 20000 --sizes "$size" -6)
        printf '%8s bytes %8s %8s %7s\n' "$size" "$v4" "$v6" \
            "$(awk -v a="$v6" -v b="$v4" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "-" }')"
    done
    # Receiving finds the socket through an index by port: the cost must not
    # grow with the table's size (config.sockets).
    echo "  64 bytes, by socket table size (2 sockets in use):"
    for sockets in 64 1024 16384; do
        printf '%8s slots: %6s instructions per datagram\n' "$sockets" \
            "$(instructions 2000 --sizes 64 --sockets "$sockets")"
    done
else
    echo "Instructions per datagram: skipped, valgrind is missing (scripts/install-deps.sh)"
fi

# ---- 3: ping through TAP and veth -------------------------------------------
echo
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "Ping RTT: skipped (needs root and /dev/net/tun)"
    exit $status
fi
command -v ping >/dev/null || { echo "ip bench: ping is missing (scripts/install-deps.sh)" >&2; exit 1; }

# The interop tests' helpers: namespaces, devices and processes, all
# removed by an EXIT trap whatever happens.
. "$here/../tests/interop/lib.sh"
interop_init "$naru" ping
ns_new tapns ipbench-tap
tap_new "$tapns" ntap0 198.18.0.1/24
tap_new "$tapns" ntap1 198.18.2.1/24
naru_start host "$tapns" host --tap ntap0 --addr 198.18.0.2/24
ns_new vetha ipbench-a
ns_new vethb ipbench-b
veth_new "$vetha" veth0 198.18.1.1/24 "$vethb" veth1 198.18.1.2/24

# rtts NS ARGS...: run a ping in NS, print its per-reply times in ms.
rtts() {
    local ns=$1
    shift
    in_ns "$ns" "$@" 2>/dev/null | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p'
}
linux_to_naru() { rtts "$tapns" ping -n -c "$1" -i "$interval" -W 1 198.18.0.2; }
linux_to_linux() { rtts "$vetha" ping -n -c "$1" -i "$interval" -W 1 198.18.1.2; }
naru_to_linux() {
    rtts "$tapns" "$naru" ping --tap ntap1 --addr 198.18.2.2/24 -c "$1" -i "$interval" -W 1 198.18.2.1
}

# Resolve ARP everywhere first, so no round pays for it.
linux_to_naru 2 >/dev/null
linux_to_linux 2 >/dev/null
naru_to_linux 2 >/dev/null
for _ in $(seq 1 "$rounds"); do
    linux_to_naru "$pings" >>"$WORK/linux_naru"
    linux_to_linux "$pings" >>"$WORK/linux_linux"
    naru_to_linux "$pings" >>"$WORK/naru_linux"
done

# stats FILE: count min avg p50 p99 max (nearest-rank percentiles), in µs.
stats() {
    sort -g "$1" | awk '
        { v[NR] = $1 * 1000; sum += v[NR] }
        END {
            if (NR == 0) { print "0 - - - - -"; exit }
            p50 = int(NR * 0.50); if (p50 < NR * 0.50) p50++
            p99 = int(NR * 0.99); if (p99 < NR * 0.99) p99++
            printf "%d %.0f %.1f %.0f %.0f %.0f\n", NR, v[1], sum / NR, v[p50], v[p99], v[NR]
        }'
}
echo "Ping RTT, $rounds rounds of $pings pings at ${interval}s intervals, alternating (µs; iputils" \
    "prints ms to 3 decimals):"
printf '  %-32s %9s %6s %7s %6s %6s %7s\n' "" replies min avg p50 p99 max
declare -A avg p50
for what in linux_naru:"Linux ping -> naru host (TAP)" linux_linux:"Linux ping -> Linux (veth)" \
    naru_linux:"naru ping -> Linux (TAP)"; do
    file=${what%%:*}
    read -r n mn av md p9 mx <<<"$(stats "$WORK/$file")"
    avg[$file]=$av
    p50[$file]=$md
    printf '  %-32s %9s %6s %7s %6s %6s %7s\n' "${what#*:}" "$n/$((rounds * pings))" "$mn" "$av" "$md" "$p9" "$mx"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
echo "  naru host / veth: p50 x$(ratio "${p50[linux_naru]}" "${p50[linux_linux]}")," \
    "avg x$(ratio "${avg[linux_naru]}" "${avg[linux_linux]}")"

# Flood ping: the next request goes as soon as the reply is in, so this is
# round trips per second, one at a time.
flood() {
    local ns=$1 dst=$2 n=10000 ms
    ms=$(in_ns "$ns" ping -n -f -q -c "$n" "$dst" 2>/dev/null | sed -n 's/.* received.*time \([0-9]*\)ms.*/\1/p')
    awk -v n="$n" -v ms="$ms" 'BEGIN { if (ms > 0) printf "%.0f", n / (ms / 1000); else print "-" }'
}
flood_naru=$(flood "$tapns" 198.18.0.2)
flood_veth=$(flood "$vetha" 198.18.1.2)
echo
echo "Flood ping (ping -f -c 10000), round trips per second:"
echo "  Linux -> naru host (TAP): $flood_naru; Linux -> Linux (veth): $flood_veth;" \
    "naru / veth: x$(ratio "$flood_naru" "$flood_veth")"

naru_stop "$host"
requests=$(naru_counter "$host" icmp_rx_echo_requests)
replies=$(naru_counter "$host" icmp_tx_echo_replies)
echo
echo "naru host answered $replies of $requests echo requests."
[ "$replies" = "$requests" ] || status=1
# lib.sh's EXIT trap removes the namespaces and ends what is still running.
exit $status
