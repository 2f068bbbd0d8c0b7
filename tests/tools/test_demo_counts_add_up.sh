#!/usr/bin/env bash
# naru demo's UDP chapter accounts for every datagram: the ones that
# arrived, those the slow link's full queue dropped, those the wire lost,
# and those still on the way when counting stopped ("31 arrived, 284 were
# lost" of 300, once). And a page that never came is not told as a success.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

out=$("$NARU" demo --bandwidth 64kbit 2>&1)
check_eq "naru demo --bandwidth 64kbit exits 0" 0 "$?"
head=$(grep -E '^   Of [0-9]+ sent, [0-9]+ arrived and [0-9]+ did not:' <<<"$out")
check_match "the datagrams are accounted for" 'Of 300 sent' "$head"
sent=$(sed -E 's/.*Of ([0-9]+) sent, ([0-9]+) arrived and ([0-9]+) did not.*/\1/' <<<"$head")
arrived=$(sed -E 's/.*Of ([0-9]+) sent, ([0-9]+) arrived and ([0-9]+) did not.*/\2/' <<<"$head")
missing=$(sed -E 's/.*Of ([0-9]+) sent, ([0-9]+) arrived and ([0-9]+) did not.*/\3/' <<<"$head")
check_eq "arrived and missing make the whole" "$sent" "$((arrived + missing))"
parts=$(grep -E '^     [0-9]+ were ' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
check_eq "each missing one is told where it went" "$missing" "$parts"
check_match "the full queue is named" 'dropped at r1, the queue for the r1-r2 link full' "$out"

out=$("$NARU" demo --bandwidth 1kbit 2>&1)
check_no_match "at 1 kbit the page is not told as right" '0 of 200000 bytes, every byte right' "$out"
check_match "but as what it is" 'The page.*0 of 200000 bytes.*nothing came|had not come' "$out"
finish
