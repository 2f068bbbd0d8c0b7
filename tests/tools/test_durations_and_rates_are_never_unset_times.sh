#!/usr/bin/env bash
# A duration or a rate is printed only between two times that happened:
# for an application that has not finished, as far as it got, and marked
# so. Durations once came from an end that was never set, as a wrapped
# unsigned 18446744... s, and rates of 0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

# A seed whose handshake gets through the loss, so the page is cut short
# rather than never begun (which seed does is chance: ARP's timing moves it).
out=$("$NARU" demo --loss 50% --seed 2 2>&1)
check_eq "naru demo --loss 50% exits 0" 0 "$?"
check_no_match "and prints no wrapped duration" '1844674' "$out"
check_no_match "nor an empty reason" 'cleanly: \.\)' "$out"
check_match "the page it did not get is told as far as it came" \
    'had not come after [0-9]+ s: HTTP status 200, [0-9]+ of 200000 bytes so far' "$out"
check_match "and why the story stops there" 'The demo stopped waiting' "$out"

out=$("$NARU" demo --delay 10000 2>&1)
check_no_match "naru demo --delay 10000 prints no wrapped duration" '1844674' "$out"
check_no_match "nor claims the page arrived whole" '200000 of 200000 bytes, every byte right' "$out"

cat >"$WORK/slow.ini" <<'INI'
[scenario]
time_limit = 2s
[host a]
[host b]
[link ab]
a = a 10.0.0.1/24
b = b 10.0.0.2/24
bandwidth = 1Mbit
delay = 10ms
[transfer bulk]
from = a
to = b
bytes = 10MB
[http page]
from = a
to = b
size = 5MB
INI
out=$("$NARU" sim "$WORK/slow.ini" 2>&1)
check_eq "naru sim exits 1 when the time limit comes first" 1 "$?"
check_no_match "and prints no wrapped duration" '1844674' "$out"
check_match "an unfinished transfer: what arrived so far, its time and rate so far" \
    'bulk: TCP to 10\.0\.0\.2:5001: [1-9][0-9]* of 10000000 bytes, intact, 2\.000 s, [0-9.]+ kbit/s, [0-9]+ retransmissions \(unfinished\)' \
    "$out"
check_no_match "no unfinished rate of nothing" ' 0\.0 kbit/s, [0-9]+ retransmissions \(unfinished\)' "$out"
check_match "an unfinished download, the same" \
    'page: GET http://b:80/bytes/5000000: status 200, [1-9][0-9]* of 5000000 bytes, intact, 2\.000 s, .*\(unfinished\)' "$out"
finish
