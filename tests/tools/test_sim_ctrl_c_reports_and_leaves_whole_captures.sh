#!/usr/bin/env bash
# Ctrl-C in the middle of `naru sim --pcap`: the run stops where it is,
# prints the report so far (and the JSON asked for), exits 130 (143 for
# SIGTERM), and every capture reads to its end without a cut packet.
# And a capture limit stops a big run before it fills the disk.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

cat >"$WORK/world.ini" <<'INI'
[scenario]
time_limit = 1000s
[host a]
[host b]
[link l]
a = a 10.0.0.1/24
b = b 10.0.0.2/24
bandwidth = 1Gbit
delay = 1ms
[transfer bulk]
from = a
to = b
bytes = 1000GB
INI

# Start a run, wait for its capture to fill, then send it the signal.
interrupt() { # SIGNAL DIR
    "$NARU" sim "$WORK/world.ini" --pcap "$2" --pcap-limit 500MB --json "$2.json" >"$2.out" 2>&1 &
    local pid=$! tries=0
    # Until frames are in the capture: the run is under way.
    while [ "$(stat -c %s "$2/l.pcap" 2>/dev/null || echo 0)" -lt 2000000 ] && kill -0 "$pid" 2>/dev/null &&
        [ $tries -lt 6000 ]; do
        sleep 0.01
        tries=$((tries + 1))
    done
    kill "-$1" "$pid"
    wait "$pid"
}

interrupt INT "$WORK/int"
check_eq "SIGINT: exit status 130" 130 "$?"
out=$(cat "$WORK/int.out")
check_match "the report so far" 'bulk: TCP to 10.0.0.2:5001: [0-9]+ of 1000000000000 bytes.*\(unfinished\)' "$out"
check_match "saying it was interrupted" 'interrupted at [0-9.]+ s of simulated time' "$out"
check_eq "the JSON says so too" interrupted \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcome"])' "$WORK/int.json" 2>&1)"
if command -v tshark >/dev/null; then
    tshark -r "$WORK/int/l.pcap" -T fields -e frame.number >"$WORK/tshark.out" 2>"$WORK/tshark.err"
    check_eq "tshark reads the whole capture" "0 " \
        "$? $(grep -i 'cut short\|damaged\|corrupt' "$WORK/tshark.err")"
    frames=$(wc -l <"$WORK/tshark.out")
    check_eq "with the frames in it" 1 "$([ "$frames" -gt 1000 ] && echo 1 || echo "$frames")"
    last=$(tshark -r "$WORK/int/l.pcap" -T fields -e frame.len 2>/dev/null | tail -n1)
    check_eq "the last frame whole" 1 "$([ -n "$last" ] && [ "$last" -gt 0 ] && echo 1 || echo "$last")"
else
    echo "# tshark not installed: the capture checked by its record headers only"
fi
check_eq "no record cut (headers walk to the end of the file)" ok "$(python3 - "$WORK/int/l.pcap" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
at, n = 24, 0
while at + 16 <= len(b):
    incl = struct.unpack_from("<IIII", b, at)[2]
    at += 16 + incl
    n += 1
print("ok" if at == len(b) and n > 0 else "cut at %d of %d after %d records" % (at, len(b), n))
PY
)"

interrupt TERM "$WORK/term"
check_eq "SIGTERM: exit status 143" 143 "$?"
check_match "the report so far" 'interrupted at' "$(cat "$WORK/term.out")"

check_no_match "a world of one link is spared the warning" 'warning' "$(cat "$WORK/int.out")"

# Forty hosts on a router, one of them sending to another.
cat >"$WORK/big.ini" <<'INI'
[scenario]
time_limit = 1000s
routing = shortest
[router r]
[host h0..h39]
[link l0..l39]
a = h{i}
b = r
pool = 10.1.0.0/16
subnet = /24
bandwidth = 1Gbit
delay = 1ms
[transfer bulk]
from = h0
to = h1
bytes = 1000GB
INI
out=$("$NARU" sim "$WORK/big.ini" --pcap "$WORK/lim" --pcap-limit 5MB 2>&1)
check_eq "a capture limit ends the run (status 1: unfinished)" 1 "$?"
check_match "a big world: a warning first with the most it could write" \
    'could reach [0-9.]+ GB; the run stops when they hold 5.0 MB' "$out"
check_match "and saying why it stopped" 'the captures reached [0-9]+ bytes, their limit' "$out"
size=$(cat "$WORK"/lim/*.pcap | wc -c)
check_eq "the captures stop near their limit ($size bytes)" 1 \
    "$([ "$size" -ge 5000000 ] && [ "$size" -lt 5100000 ] && echo 1)"
"$NARU" sim "$WORK/world.ini" --pcap "$WORK/x" --pcap-limit lots >/dev/null 2>&1
check_eq "a bad limit is a usage error" 2 "$?"
finish
