#!/usr/bin/env bash
# naru plot on a capture of over 100,000 packets: one 100 MB TCP transfer
# over a 1 Gbit/s link that loses 0.2% of frames (bench/plot_bench.ini, on
# naru's simulator), drawn as SVG, against tshark reading the same fields
# from the same file (the numbers tests/tools/plot_vs_tshark.py compares).
# Each figure is the best of three runs, in seconds of wall time (time(1)).
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

# best SECONDS-OF-THREE CMD...: the shortest of three runs.
best() {
    local best="" t i
    for i in 1 2 3; do
        t=$( { TIMEFORMAT=%R; time "$@" >/dev/null 2>&1; } 2>&1 )
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best"
}
svg=$(best "$naru" plot "$capture" --svg "$work/plot.svg")
list=$(best "$naru" plot "$capture" --list)
peer=$(best tshark -r "$capture" -T fields -e frame.time_relative -e tcp.seq -e tcp.len -e tcp.ack \
    -e tcp.window_size -e tcp.analysis.retransmission)
"$naru" plot "$capture" --svg "$work/plot.svg"
echo "naru plot --svg:  $svg s ($(($(stat -c %s "$work/plot.svg") / 1000)) kB of SVG)"
echo "naru plot --list: $list s (reading and analysis alone)"
echo "tshark -T fields: $peer s (the same file, the fields the tests compare)"
awk -v n="$svg" -v p="$peer" 'BEGIN { printf "naru plot takes %.3f of tshark'"'"'s time\n", n / p }'
