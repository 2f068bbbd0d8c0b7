#!/usr/bin/env bash
# The serving commands say when they can be used, and the long-running
# ones stop cleanly on a signal:
#  1. `naru host --background` returns (printing the PID) only once the
#     TAP device it made exists and is up and its services listen: the
#     kernel side can be given its address and served at once, as the
#     README does; a host that fails before it is ready makes the parent
#     fail with it; SIGTERM to the PID stops it with its counters.
#  2. Without --background, the ready line comes once the device is up.
#  3. naru host and naru traceroute on TAP stopped by SIGINT: their
#     summary, then the exit status of SIGINT (130).
# usage: test_tools_ready_and_stopped.sh NARU_BINARY
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nc

ns_new ns
pid=$(in_ns "$ns" "$NARU" host --tap naru0 --addr 198.18.0.2/24 --serve echo --background 2>"$WORK/host.err")
check_eq "naru host --background exits 0 once ready" 0 "$?"
check_match "... printing the PID of the host" '^[0-9]+$' "$pid"
check_match "... after the ready line" '^naru host: ready on naru0 as 198\.18\.0\.2/24' "$(cat "$WORK/host.err")"
check_match "the device it made exists and is up" '^[0-9]+: naru0: <[A-Z_,]*\bUP\b' "$(ip -n "$ns" -o link show naru0)"
ip -n "$ns" addr add 198.18.0.1/24 dev naru0
check_eq "the first connection to its echo service is served" hi \
    "$(echo hi | in_ns "$ns" nc -N -w 5 198.18.0.2 7)"
kill -TERM "$pid"
wait_until 10 _proc_gone "$pid"
check_eq "SIGTERM to that PID stops it" 0 "$?"
check_match "... and it prints its counters" '^naru host: stopping; counters:$' "$(cat "$WORK/host.err")"
check_match "... which count the connection" 'TCP connections that reached ESTABLISHED' "$(cat "$WORK/host.err")"

out=$(in_ns "$ns" "$NARU" host --tap naru1 --addr 198.18.1.2/24 --serve echo --serve echo --background 2>&1)
check_eq "a host that fails before it is ready: --background exits with its status (1)" 1 "$?"
check_match "... having said why" '^naru host: .*echo' "$out"
check_no_match "... and printed no PID" '^[0-9]+$' "$out"

tap_new "$ns" ntap2 198.18.2.1/24
naru_start host "$ns" host --tap ntap2 --addr 198.18.2.2/24 --serve discard
check_match "the ready line comes when the device is up" '^[0-9]+: ntap2: <[A-Z_,]*\bUP\b[A-Z_,]*\bLOWER_UP\b' \
    "$(ip -n "$ns" -o link show ntap2)"
check "and Linux reaches it" in_ns "$ns" ping -c 1 -W 2 198.18.2.2
kill -INT "$host"
proc_wait "$host" 10
check_eq "naru host stopped by SIGINT: exit status 130" 130 "$?"
check_match "... after its counters" '^naru host: stopping; counters:$' "$(cat "$(naru_log "$host")")"

tap_new "$ns" ntap3
bg_start trace "$ns" "$NARU" traceroute --tap ntap3 --addr 198.18.3.2/24 -q 1 -w 30 198.18.3.1
wait_until 10 grep -q '^traceroute to 198.18.3.1' "$(bg_log "$trace")"
check_eq "traceroute on TAP is under way (nobody answers it)" 0 "$?"
kill -INT "$trace"
proc_wait "$trace" 5
check_eq "traceroute stopped by SIGINT: exit status 130, at once" 130 "$?"
finish
