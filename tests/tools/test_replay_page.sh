#!/usr/bin/env bash
# The replay page (issue 14): naru demo --html and naru sim --html as a user
# meets them (help, a path that cannot be written: one line naming it,
# exit 1, no file left), and the demo's page opened in headless Chromium
# against the run's own captures, naru plot --dump and tshark
# (tests/tools/replay_page_check.py). Screenshots (desktop and phone size)
# are kept in the build directory: test-artefacts/replay/.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in python3 tshark chromium; do
    command -v "$tool" >/dev/null || { echo "Bail out! needs $tool (scripts/install-deps.sh)"; exit 1; }
done
work=$WORK
artefacts=${NARU_BUILD_DIR:-$work}/test-artefacts/replay

check_match "naru demo --help tells of --html" '--html FILE' "$("$NARU" demo --help)"
check_match "naru sim --help tells of --html" '--html FILE' "$("$NARU" sim --help)"

# unwritable WHAT CMD...: exit 1, one line on stderr naming the path, nothing left.
unwritable() {
    local what=$1 got
    shift
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "$work/no/such/dir/page.html" "$work/err" &&
        [ ! -e "$work/no" ]; then
        pass "$what"
    else
        fail "$what" "exit $got (want 1)" "stderr: $(cat "$work/err")"
    fi
}
unwritable "naru demo --html to a path that cannot be written: one line naming it, exit 1" \
    "$NARU" demo --quiet --html "$work/no/such/dir/page.html"
cat >"$work/two.ini" <<'INI'
[scenario]
time_limit = 10s
[host a]
[host b]
[link ab]
a = a 198.18.1.1/24
b = b 198.18.1.2/24
bandwidth = 10Mbit
delay = 5ms
[ping a-b]
from = a
to = b
count = 3
interval = 100ms
[http fetch]
from = a
to = b
size = 30000
start = 500ms
INI
unwritable "naru sim --html to a path that cannot be written: one line naming it, exit 1" \
    "$NARU" sim "$work/two.ini" --html "$work/no/such/dir/page.html"

# naru sim --html: the page counts the frames of the run's captures.
if "$NARU" sim "$work/two.ini" --pcap "$work/simcap" --html "$work/sim.html" >"$work/out" 2>&1; then
    frames=$(grep -o '<main id="replay" data-frames="[0-9]*"' "$work/sim.html" | grep -o '[0-9]*')
    want=$(for f in "$work"/simcap/*.pcap; do tshark -r "$f" 2>/dev/null | wc -l; done | awk '{s += $1} END {print s}')
    check_eq "naru sim --html: data-frames is the frames in its captures" "$want" "$frames"
    check_match "naru sim --html: the page carries the web server's congestion window" '\{"node":"b","src":"198\.18\.1\.2:80"' \
        "$(cat "$work/sim.html")"
else
    fail "naru sim --html runs" "$(cat "$work/out")"
fi

# The demo's page in the browser.
if "$NARU" demo --seed 3 --pcap "$work/cap" --html "$work/demo.html" >"$work/out" 2>&1; then
    pass "naru demo --pcap DIR --html FILE runs"
    python3 "$here/replay_page_check.py" "$work/demo.html" "$work/cap" "$artefacts" "$NARU" | sed "s/^ok [0-9]*/ok/; s/^not ok [0-9]*/not ok/; /^1\.\./d" >"$work/check"
    while IFS= read -r line; do
        case $line in
        "ok - "*) pass "${line#ok - }" ;;
        "not ok - "*) fail "${line#not ok - }" ;;
        "#   "*) echo "$line" ;;
        esac
    done <"$work/check"
    # A click on a packet on its way opens it: with frame 40 of the wan
    # selected (and so on the link at that time), clicks over the whole
    # network drawing, each after clearing the selection, must select it
    # again. The page's own CSP lets inline scripts run, so one is added.
    sed 's#</body>#<script>setTimeout(function () {\
  var c = document.getElementById("topo"), r = c.getBoundingClientRect(), m = document.getElementById("replay"), seen = {};\
  for (var x = 0; x < r.width; x += 3) for (var y = 0; y < r.height; y += 3) {\
    m.dataset.selected = "";\
    c.dispatchEvent(new MouseEvent("click", { clientX: r.left + x, clientY: r.top + y, bubbles: true }));\
    if (m.dataset.selected) seen[m.dataset.selected] = 1;\
  }\
  document.body.setAttribute("data-clicked", Object.keys(seen).join(" "));\
}, 1000);</script></body>#' "$work/demo.html" >"$work/click.html"
    clicked=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=4000 --dump-dom \
        "file://$work/click.html#link=wan&frame=40" 2>/dev/null | grep -o 'data-clicked="[^"]*"')
    check_match "a click on a packet in the network drawing opens it" '^data-clicked="([^"]* )?wan:40( [^"]*)?"$' "$clicked"
else
    fail "naru demo --pcap DIR --html FILE runs" "$(cat "$work/out")"
fi
finish
