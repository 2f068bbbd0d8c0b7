#!/usr/bin/env bash
# Does a change to the simulator's speed leave its runs alone? Runs two
# naru binaries (say, main's and a branch's) on small worlds with the same
# seed: each link's capture and the --json results (but for wall-clock,
# CPU and memory figures) must be byte for byte the same. The worlds: the
# ring world of bench/sim_world.sh (3 routers, 6 hosts, two flow patterns)
# and the scenarios/ files (impaired links, a switch, a bottleneck).
#   usage: bench/sim_same_run.sh OLD_NARU NEW_NARU
# Prints the first difference and exits 1, or says they agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: $0 OLD_NARU NEW_NARU" >&2
    exit 2
fi
work=$(mktemp -d /tmp/sim_same_run.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/sim_world.sh" 3 6 6 1 0.05 >"$work/ring.ini"
sed 's/^to = .*/to = h{(i + 4) % 6}/' "$work/ring.ini" >"$work/ring-far.ini"
digest() { # naru scenario out
    rm -rf "$work/pcap"
    "$1" sim "$2" --seed 3 --time-limit 0.3s --pcap "$work/pcap" --json "$work/a.json" >/dev/null 2>&1 || true
    "$1" sim "$2" --seed 3 --time-limit 0.3s --json "$work/b.json" >/dev/null 2>&1 || true
    for j in a b; do
        python3 - "$work/$j.json" <<'PY'
import json, sys
def strip(o):  # what depends on the machine, not on the run
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if not any(x in k for x in ("wall", "cpu", "rss"))}
    return [strip(v) for v in o] if isinstance(o, list) else o
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))
PY
    done
    (cd "$work/pcap" && sha256sum -- *.pcap)
}
links=0
for s in "$work/ring.ini" "$work/ring-far.ini" "$here"/../scenarios/*.ini; do
    digest "$1" "$s" >"$work/old"
    digest "$2" "$s" >"$work/new"
    if ! cmp -s "$work/old" "$work/new"; then
        echo "sim_same_run: $(basename "$s") differs:" >&2
        diff "$work/old" "$work/new" | cut -c1-160 | head -6 >&2
        exit 1
    fi
    links=$((links + $(grep -c pcap "$work/new")))
done
echo "sim_same_run: the same captures ($links links) and results in every world"
