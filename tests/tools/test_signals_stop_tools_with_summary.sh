#!/usr/bin/env bash
# Long-running commands stopped by SIGINT (Ctrl-C) or SIGTERM say what
# they did and end by that signal (exit status 130 or 143): ping its
# statistics, fetch how many bytes arrived (keeping no partial file unless
# --keep-partial), nc at once, dnsd its counters. Each is signalled once it
# is under way, which its own output says (no sleeping in its place).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}

# wait_for FILE REGEX: until a line of FILE matches (at most 60 s).
wait_for() {
    local i
    for ((i = 0; i < 1200; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

"$NARU" ping -c 1000000000 -i 0.001 server >"$WORK/out" 2>&1 &
pid=$!
wait_for "$WORK/out" 'icmp_seq=' || fail "ping never replied"
kill -INT $pid
wait $pid
check_eq "ping stopped by SIGINT: exit status 130" 130 "$?"
check_match "... after its statistics" '^[0-9]+ packets transmitted, [0-9]+ received' "$(cat "$WORK/out")"

"$NARU" ping -c 1000000000 -i 0.001 server >"$WORK/out" 2>&1 &
pid=$!
wait_for "$WORK/out" 'icmp_seq=' || fail "ping never replied"
kill -TERM $pid
wait $pid
check_eq "ping stopped by SIGTERM: exit status 143" 143 "$?"
check_match "... after its statistics" '^rtt min/avg/max/mdev' "$(cat "$WORK/out")"

"$NARU" fetch -o "$WORK/big" http://server/bytes/1000000000000 2>"$WORK/err" &
pid=$!
wait_for "$WORK/big" '.' || fail "fetch never wrote"
kill -INT $pid
wait $pid
check_eq "fetch stopped by SIGINT: exit status 130" 130 "$?"
check_match "... says how many bytes arrived" '^naru fetch: stopped by SIGINT after [1-9][0-9]* of 1000000000000 bytes$' \
    "$(cat "$WORK/err")"
check_eq "... and keeps no partial file" no "$([ -e "$WORK/big" ] && echo yes || echo no)"

"$NARU" fetch --keep-partial -o "$WORK/big" http://server/bytes/1000000000000 2>"$WORK/err" &
pid=$!
wait_for "$WORK/big" '.' || fail "fetch never wrote"
kill -TERM $pid
wait $pid
check_eq "fetch --keep-partial stopped by SIGTERM: exit status 143" 143 "$?"
said=$(sed -nE 's/^naru fetch: stopped by SIGTERM after ([0-9]+) of .*/\1/p' "$WORK/err")
check_eq "... keeps the bytes it says arrived" "$said" "$(stat -c %s "$WORK/big" 2>/dev/null)"

printf 'GET /bytes/1000000000000 HTTP/1.1\r\nHost: s\r\n\r\n' | "$NARU" nc -v server 80 >/dev/null 2>"$WORK/err" &
pid=$!
wait_for "$WORK/err" 'connected' || fail "nc never connected"
kill -INT $pid
wait $pid
check_eq "nc stopped by SIGINT: exit status 130" 130 "$?"
check_match "... saying so (-v)" '^naru nc: stopped$' "$(cat "$WORK/err")"

"$NARU" dnsd --listen 127.0.0.1:0 "$src/tests/data/dns/example.zone" 2>"$WORK/err" &
pid=$!
wait_for "$WORK/err" 'ready' || fail "dnsd never got ready"
kill -INT $pid
wait $pid
check_eq "dnsd stopped by SIGINT: exit status 130" 130 "$?"
check_match "... after its counters" '^naru dnsd: stopped\. 0 queries' "$(cat "$WORK/err")"
finish
