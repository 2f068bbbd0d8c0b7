#!/usr/bin/env bash
# The replay page with over 100,000 frames: bench/plot_bench.ini (one
# 100 MB transfer through 0.2% loss, on naru's simulator) written with
# naru sim --html, then opened in headless Chromium, which measures itself
# with the Performance API: from the script's start to the first render
# (data-first-render-ms: the data parsed, the network, the visible rows
# and the graphs drawn), and the mean of 200 steps to frames spread over
# the whole run (data-step-ms: each selects a frame, dissects it, draws its
# layers, bytes, the packets in flight and the rows in view).
# Browser times on a shared, loaded machine: read them as an order of size.
# usage: bench/replay_page_bench.sh [NARU_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=$(realpath "${1:-$here/../build/naru}")
work=$(mktemp -d "${TMPDIR:-/tmp}/naru-replay-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

TIMEFORMAT='%U %S'
cpu=$( { time "$naru" sim "$here/plot_bench.ini" --html "$work/page.html" >/dev/null; } 2>&1 )
bare=$( { time "$naru" sim "$here/plot_bench.ini" >/dev/null; } 2>&1 )
frames=$(grep -o '<main id="replay" data-frames="[0-9]*"' "$work/page.html" | grep -o '[0-9][0-9]*')
echo "page: $frames frames, $(($(stat -c %s "$work/page.html") / 1000000)) MB;" \
    "naru sim --html took $(awk -v c="$cpu" 'BEGIN { split(c, t, " "); printf "%.2f", t[1] + t[2] }') CPU s," \
    "the same run without it $(awk -v c="$bare" 'BEGIN { split(c, t, " "); printf "%.2f", t[1] + t[2] }')"
dom=$(chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --no-first-run --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$work/profile" \
    --virtual-time-budget=60000 --window-size=1280,1400 --dump-dom \
    "file://$work/page.html#link=wire&frame=1&bench=200" 2>/dev/null)
main=$(grep -o '<main [^>]*>' <<<"$dom")
first=$(grep -o 'data-first-render-ms="[0-9.]*"' <<<"$main" | grep -o '[0-9.]*')
step=$(grep -o 'data-step-ms="[0-9.]*"' <<<"$main" | grep -o '[0-9.]*')
echo "chromium $(chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1): first render ${first:-?} ms," \
    "a step ${step:-?} ms (mean of 200)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
