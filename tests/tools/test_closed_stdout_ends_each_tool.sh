#!/usr/bin/env bash
# A closed stdout (`| head -c 100`) ends a command at once and quietly, as
# it ends netcat: no retrying the write forever, no error on stderr, and
# the exit status of SIGPIPE (141). Each run is under timeout(1): a tool
# that keeps going fails with 124.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}

# closed_pipe WHAT CMD...: CMD's stdout into `head -c 100`.
closed_pipe() {
    local what=$1 status
    shift
    timeout 60 "$@" 2>"$WORK/err" | head -c 100 >"$WORK/out"
    status=${PIPESTATUS[0]}
    check_eq "$what: ends by SIGPIPE once head has its 100 bytes" 141 "$status"
    check_eq "$what: head got them" 100 "$(wc -c <"$WORK/out")"
    check_no_match "$what: and says nothing about it" '^naru [a-z]+:' "$(cat "$WORK/err")"
}

request='GET /bytes/1000000000000 HTTP/1.1\r\nHost: s\r\n\r\n'
closed_pipe "nc reading a terabyte" bash -c "printf '$request' | \"\$0\" nc server 80" "$NARU"
closed_pipe "fetch -o - of a terabyte" "$NARU" fetch -o - http://server/bytes/1000000000000
closed_pipe "ping without end" "$NARU" ping -c 1000000000 -i 0.001 server

# dig, against naru dnsd on 127.0.0.1: its answer fits in a pipe's
# buffer, so its stdout is a pipe closed before it starts.
pid=$("$NARU" dnsd --background --listen 127.0.0.1:0 "$src/tests/data/dns/example.zone" 2>"$WORK/dnsd")
port=$(dnsd_port "$WORK/dnsd")
check_match "dnsd is ready when --background returns" 'ready: 1 zone on' "$(cat "$WORK/dnsd")"
status=$(timeout 60 python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.call(sys.argv[2:], stdout=w, stderr=open(sys.argv[1], "w")))
' "$WORK/err" "$NARU" dig @127.0.0.1 -p $port www.example A)
check_eq "dig into a closed pipe: ends by SIGPIPE" -13 "$status"
check_eq "dig: and says nothing" "" "$(cat "$WORK/err")"
kill "$pid"
finish
