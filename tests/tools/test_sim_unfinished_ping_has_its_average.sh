#!/usr/bin/env bash
# A ping cut short by the time limit reports the replies it had: its
# average lies between its minimum and maximum (it was 0.000 while the
# minimum was 0.034).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

scenarios=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scenarios" && pwd)
out=$("$NARU" sim "$scenarios/lan.ini" --time-limit 1ms 2>&1)
line=$(grep -E 'alice-bob: ping' <<<"$out")
check_match "the unfinished ping has round trips" 'rtt min/avg/max [0-9.]+/[0-9.]+/[0-9.]+ ms \(unfinished\)' "$line"
read -r min avg max < <(sed -E 's|.*rtt min/avg/max ([0-9.]+)/([0-9.]+)/([0-9.]+) ms.*|\1 \2 \3|' <<<"$line")
check_eq "min <= avg <= max ($min/$avg/$max)" 1 "$(awk -v a="$min" -v b="$avg" -v c="$max" 'BEGIN { print (a <= b && b <= c && b > 0) }')"
check_no_match "and counts no reply still on its way as lost" 'alice-bob: .*lost' "$line"
finish
