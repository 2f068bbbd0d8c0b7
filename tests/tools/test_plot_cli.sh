#!/usr/bin/env bash
# naru plot as a user meets it (CLI.md's conventions): help, usage errors
# (exit 2, one line), a missing, foreign or cut-short file (exit 1, one
# line naming it, and the byte offset of the damage), --list, --flow by
# index and by endpoints (which picks the direction), --svg to a file and
# to stdout (valid SVG for xml.etree and xmllint, its marks where its
# points say: tests/tools/check_plot_svg.py), a closed stdout (quiet), a
# capture on standard input, a time window, and a file that cannot be
# written (no file left behind).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
naru=$NARU
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
for tool in python3 xmllint; do
    command -v "$tool" >/dev/null || { echo "Bail out! needs $tool (scripts/install-deps.sh)"; exit 1; }
done
work=$WORK
# expect WHAT STATUS STDERR-REGEX CMD...: exit status STATUS and exactly one
# line on stderr matching the regex.
expect() {
    local what=$1 status=$2 regex=$3 got
    shift 3
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq "$status" ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -Eq -- "$regex" "$work/err"; then
        pass "$what"
    else
        fail "$what" "command: $*" "exit $got (want $status)" "stderr: $(cat "$work/err")"
    fi
}

python3 "$here/make_edge_capture.py" "$work/edge.pcap"
cap=$work/edge.pcap

# --- help and usage -----------------------------------------------------------
if "$naru" plot --help >"$work/help" 2>&1 && grep -q '^usage: naru plot FILE' "$work/help" &&
    grep -q '^example: naru plot' "$work/help" && grep -q -- '--svg OUT' "$work/help"; then
    pass "naru plot --help prints the usage, every flag and an example, exit 0"
else
    fail "naru plot --help" "$(cat "$work/help")"
fi
if "$naru" help plot | cmp -s - "$work/help"; then pass "naru help plot says the same"; else fail "naru help plot"; fi
if "$naru" help | grep -Eq '^  plot +draw a TCP connection'; then pass "naru help lists plot"; else fail "naru help lists plot"; fi
expect "no file: usage error" 2 "no capture file given" "$naru" plot --svg x.svg
expect "nothing asked for: usage error" 2 "nothing to do" "$naru" plot "$cap"
expect "an unknown flag: usage error" 2 "unknown option '--colour'" "$naru" plot "$cap" --colour --list
expect "a bad --flow: usage error" 2 "bad --flow '1.2.3.4:80'" "$naru" plot "$cap" --flow 1.2.3.4:80 --list
expect "--flow without a value: usage error" 2 "needs an argument" "$naru" plot "$cap" --list --flow
expect "a window that ends before it starts: usage error" 2 "--from must come before --to" \
    "$naru" plot "$cap" --svg "$work/x.svg" --from 2 --to 1
expect "a width out of range: usage error" 2 "bad --width '5'" "$naru" plot "$cap" --svg "$work/x.svg" --width 5
expect "two files: usage error" 2 "one capture file" "$naru" plot "$cap" "$cap" --list

# --- files that are not there or not right ------------------------------------
expect "a missing file: exit 1, named" 1 "^naru plot: $work/nope.pcap: No such file or directory$" \
    "$naru" plot "$work/nope.pcap" --list
printf 'hello, world\n' >"$work/text.pcap"
expect "a file that is no capture: exit 1, named" 1 \
    "^naru plot: $work/text.pcap: not a pcap or pcapng file \(it starts 68 65 6c 6c\)$" \
    "$naru" plot "$work/text.pcap" --list
size=$(stat -c %s "$cap")
head -c $((size - 100)) "$cap" >"$work/cut.pcap"
expect "a capture cut short: exit 1, the file and the byte offset" 1 \
    "^naru plot: $work/cut.pcap: byte [0-9]+: packet record cut short \([0-9]+ bytes of data announced, [0-9]+ present\)$" \
    "$naru" plot "$work/cut.pcap" --svg "$work/cut.svg"
[ -e "$work/cut.svg" ] && fail "no graph from a cut-short capture" || pass "no graph from a cut-short capture"
expect "a connection that is not there: exit 1" 1 "no connection 6 \(it has 6, numbered from 0" \
    "$naru" plot "$cap" --flow 6 --svg "$work/x.svg"
expect "endpoints that are not a connection: exit 1" 1 "no TCP connection from 198.18.0.9:1 to 198.18.0.2:80" \
    "$naru" plot "$cap" --flow 198.18.0.9:1-198.18.0.2:80 --svg "$work/x.svg"
: >"$work/empty.pcap"
expect "an empty file: exit 1" 1 "empty.pcap: not a pcap or pcapng file \(0 bytes\)" "$naru" plot "$work/empty.pcap" --list
head -c 24 "$cap" >"$work/header.pcap"
expect "a capture without frames: exit 1, no connections" 1 "header.pcap: no TCP connections in it \(0 frames\)$" \
    "$naru" plot "$work/header.pcap" --svg "$work/x.svg"
# The same frames said to be 802.11 (link type 105 in bytes 20-23 of the little-endian header).
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[20:24] = (105).to_bytes(4, "little"); open(sys.argv[2], "wb").write(d)' "$cap" "$work/wifi.pcap"
expect "frames of a link type naru does not read: exit 1, the link type named" 1 \
    "wifi.pcap: no TCP connections in it \(48 frames of link type 105, which naru does not read\)$" \
    "$naru" plot "$work/wifi.pcap" --svg "$work/x.svg"
if "$naru" plot "$work/wifi.pcap" --list | head -1 | grep -q '48 frames; 48 frames of link type 105, which naru does not read)$'; then
    pass "--list says which frames it could not read"
else
    fail "--list on a foreign link type" "$("$naru" plot "$work/wifi.pcap" --list 2>&1)"
fi

# --- listing and choosing -----------------------------------------------------
"$naru" plot "$cap" --list >"$work/list" 2>"$work/err"
if [ "$?" -eq 0 ] && [ "$(sed -n 1p "$work/list")" = "$cap: 6 TCP connections (pcap, 48 frames)" ] &&
    grep -Eq '^0 +198\.18\.0\.1:40000 +198\.18\.0\.2:80 +13 +7005 +1 +11 +0 +0 ' "$work/list" &&
    grep -Eq '^4 +\[2001:db8::1\]:50000 +\[2001:db8::2\]:22 ' "$work/list"; then
    pass "--list: the format and frames, then one line per connection: index, endpoints, frames, bytes, retransmissions each way"
else
    fail "--list" "$(cat "$work/list" "$work/err")"
fi
"$naru" plot - --list <"$cap" >"$work/list-stdin" 2>&1
if [ "$(tail -n +2 "$work/list-stdin")" = "$(tail -n +2 "$work/list")" ]; then
    pass "a capture on standard input (-) reads the same"
else
    fail "a capture on standard input" "$(cat "$work/list-stdin")"
fi
"$naru" plot "$cap" --dump "$work/default.tsv" && "$naru" plot "$cap" --flow 0 --dump "$work/flow0.tsv"
if cmp -s "$work/default.tsv" "$work/flow0.tsv" &&
    head -1 "$work/default.tsv" | grep -q '^# connection 0: 198.18.0.1:40000 > 198.18.0.2:80'; then
    pass "without --flow: the connection with the most data, the way the data went"
else
    fail "the default connection" "$(head -1 "$work/default.tsv")"
fi
"$naru" plot "$cap" --flow 198.18.0.2:80-198.18.0.1:40000 --dump "$work/back.tsv"
"$naru" plot "$cap" --flow 0 --reverse --dump "$work/reverse.tsv"
if head -1 "$work/back.tsv" | grep -q '^# connection 0: 198.18.0.2:80 > 198.18.0.1:40000' &&
    cmp -s "$work/back.tsv" "$work/reverse.tsv"; then
    pass "--flow A:P-B:P draws what A:P sent; --reverse turns a connection round"
else
    fail "--flow by endpoints" "$(head -1 "$work/back.tsv" "$work/reverse.tsv")"
fi
"$naru" plot "$cap" --flow '[2001:db8::1]:50000-[2001:db8::2]:22' --dump "$work/v6.tsv"
if head -1 "$work/v6.tsv" | grep -q '^# connection 4: \[2001:db8::1\]:50000 > \[2001:db8::2\]:22'; then
    pass "--flow with IPv6 endpoints in brackets"
else
    fail "--flow with IPv6 endpoints" "$(head -1 "$work/v6.tsv")"
fi

# --- the graph ----------------------------------------------------------------
"$naru" plot "$cap" --flow 0 --svg "$work/g.svg" --dump "$work/g.tsv"
if python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$work/g.svg" &&
    xmllint --noout "$work/g.svg"; then
    pass "the SVG is well-formed for xml.etree and xmllint"
else
    fail "the SVG is well-formed"
fi
if out=$(python3 "$here/check_plot_svg.py" "$work/g.svg" "$work/g.tsv"); then
    pass "the SVG draws each point of the dump where and as it says ($out)"
else
    fail "the SVG draws the dump's points" "$out"
fi
"$naru" plot "$cap" --flow 0 --svg - >"$work/stdout.svg" 2>"$work/err"
if [ "$?" -eq 0 ] && [ ! -s "$work/err" ] && cmp -s "$work/stdout.svg" "$work/g.svg"; then
    pass "--svg - writes the same SVG to stdout"
else
    fail "--svg -" "$(cat "$work/err")"
fi
"$naru" plot "$cap" --flow 0 -o "$work/o.svg" && cmp -s "$work/o.svg" "$work/g.svg" &&
    pass "-o is --svg" || fail "-o is --svg"
"$naru" plot "$cap" --flow 0 --svg "$work/w.svg" --from 0.0009 --to 0.0016 --width 640 --height 400
if grep -q 'width="640" height="400"' "$work/w.svg" && python3 - "$work/w.svg" <<'EOF'
import re, sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
d = {p.get("class"): p.get("d") for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("class")}
# In 0.9-1.6 ms: the SACKed duplicate ACKs and the segment sent again, not the first six.
assert len(re.findall(r"M[-\d.]+ [-\d.]+V", d.get("retransmission", ""))) == 1, d.get("retransmission")
assert "data" not in d, d.get("data")
assert len(re.findall(r"M[-\d.]+ [-\d.]+V", d["sack"])) == 3
EOF
then
    pass "--from/--to draw only that time window, --width/--height the size"
else
    fail "--from/--to and the size"
fi
"$naru" plot "$cap" --flow 0 --svg "$work/w.svg" --dump "$work/w.tsv" --from 0.0009 --to 0.0016
if [ "$(awk -F'\t' 'NR > 2 && ($2 < 0.0009 || $2 > 0.0016)' "$work/w.tsv" | wc -l)" -eq 0 ] &&
    [ "$(tail -n +3 "$work/w.tsv" | wc -l)" -eq "$(awk -F'\t' 'NR > 2 && $2 >= 0.0009 && $2 <= 0.0016' "$work/g.tsv" | wc -l)" ] &&
    out=$(python3 "$here/check_plot_svg.py" "$work/w.svg" "$work/w.tsv"); then
    pass "--dump with --from/--to: the points of that window, which the graph draws ($out)"
else
    fail "--dump with a time window" "$(cat "$work/w.tsv")"
fi
# A graph larger than a pipe holds (naru's simulator, a lossy Wi-Fi hop),
# and a reader that stops after ten bytes.
"$naru" sim "$src/scenarios/lossy-wireless.ini" --time-limit 6s --pcap "$work/sim" >/dev/null 2>&1
"$naru" plot "$work/sim/wifi.pcap" --svg - 2>"$work/err" | head -c 10 >/dev/null
status=${PIPESTATUS[0]}
if [ "$status" -eq 141 ] && [ ! -s "$work/err" ]; then
    pass "a closed stdout ends naru plot quietly, by SIGPIPE as every tool (141)"
else
    fail "a closed stdout" "exit $status" "$(cat "$work/err")"
fi
expect "a graph that cannot be written: exit 1, named" 1 "cannot write the graph $work/no/such/dir/g.svg" \
    "$naru" plot "$cap" --svg "$work/no/such/dir/g.svg"
if [ -w /dev/full ]; then
    expect "a full disk: exit 1" 1 "cannot write the graph /dev/full: No space left on device" \
        "$naru" plot "$cap" --svg /dev/full
    [ -c /dev/full ] && pass "a device that failed is left alone (only a regular file is removed)" ||
        fail "naru plot removed /dev/full: recreate it with mknod -m 666 /dev/full c 1 7"
fi

finish
