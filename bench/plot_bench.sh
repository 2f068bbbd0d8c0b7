#!/usr/bin/env bash
# naru plot on a capture of over 100,000 packets: one 100 MB TCP transfer
# over a 1 Gbit/s link that loses 0.2% of frames (bench/plot_bench.ini, on
# naru's simulator), drawn as SVG, against tshark reading the same fields
# from the same file (the numbers tests/tools/plot_vs_tshark.py compares).
# Each figure is the best of three runs (bash's time): wall seconds, and the
# CPU seconds of that run.
# Then a million frames of header-only capture (bench/plot_capture.py).
# usage: bench/plot_bench.sh [NARU_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=$(realpath "${1:-$here/../build/naru}")
work=$(mktemp -d "${TMPDIR:-/tmp}/naru-plot-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$naru" sim "$here/plot_bench.ini" --pcap "$work" >/dev/null
capture=$work/wire.pcap
frames=$(tshark -r "$capture" -T fields -e frame.number 2>/dev/null | wc -l)
echo "capture: $frames frames, $(($(stat -c %s "$capture") / 1000000)) MB ($capture)"

# best CMD...: of three runs, the shortest wall time and, of that run, the
# CPU time (user + system), which a loaded shared machine disturbs less.
best() {
    local best="" cpu="" t i
    for i in 1 2 3; do
        t=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 )
        read -r wall user sys <<<"$t"
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
            cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
        fi
    done
    echo "$best $cpu"
}
read -r svg svg_cpu < <(best "$naru" plot "$capture" --svg "$work/plot.svg")
read -r list list_cpu < <(best "$naru" plot "$capture" --list)
read -r peer peer_cpu < <(best tshark -r "$capture" -T fields -e frame.time_relative -e tcp.seq -e tcp.len -e tcp.ack \
    -e tcp.window_size -e tcp.analysis.retransmission)
"$naru" plot "$capture" --svg "$work/plot.svg"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "naru plot --svg:  $svg s wall, $svg_cpu s CPU ($(($(stat -c %s "$work/plot.svg") / 1000)) kB of SVG)"
echo "naru plot --list: $list s wall, $list_cpu s CPU (reading and analysis alone)"
echo "tshark -T fields: $peer s wall, $peer_cpu s CPU (the same file, the fields the tests compare)"
awk -v n="$svg_cpu" -v p="$peer_cpu" 'BEGIN { printf "naru plot takes %.3f of tshark'"'"'s CPU time\n", n / p }'

# Ten times the size, headers only (bench/plot_capture.py, 70 MB): a
# million frames in one connection, then in 20,000, with the peak memory
# (GNU time's maximum resident set).
for conns in 1 20000; do
    python3 "$here/plot_capture.py" 1000000 "$conns" >"$work/million.pcap"
    read -r wall cpu < <(best "$naru" plot "$work/million.pcap" --svg "$work/million.svg")
    rss=$(/usr/bin/time -f %M "$naru" plot "$work/million.pcap" --svg "$work/million.svg" 2>&1 >/dev/null)
    echo "naru plot --svg, 1,000,000 frames in $conns connection(s): $wall s wall, $cpu s CPU, $((rss / 1024)) MB resident"
    rm -f "$work/million.pcap"
done
