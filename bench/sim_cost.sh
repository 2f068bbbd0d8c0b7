#!/usr/bin/env bash
# Not a benchmark (make bench runs *_bench.sh): a tool for changes.
# What a transmission costs the simulator, two naru binaries side by side
# (say, main's and a branch's) in the same run, on ns-3's benchmark worlds
# (bench/sim_world.sh): instructions, mispredicted conditional branches,
# first-level and last-level data misses per packet transmission, counted
# by callgrind's models (repeatable on a loaded machine, where wall-clock
# and CPU times are not). The last level is modelled as 1 MiB, as in
# src/sim/README.md: the VM reports a 512 MiB one.
#   usage: bench/sim_cost.sh OLD_NARU NEW_NARU
#   SIM_COST_WORLDS="10 100 100 1 1;100 1000 500 2 0.2" (sim_world.sh arguments;...)
# Each world takes minutes per binary under valgrind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: $0 OLD_NARU NEW_NARU" >&2
    exit 2
fi
command -v valgrind >/dev/null || { echo "sim_cost: needs valgrind" >&2; exit 2; }
work=$(mktemp -d /tmp/sim_cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
IFS=';' read -ra worlds <<<"${SIM_COST_WORLDS:-10 100 100 1 1;100 1000 500 2 0.2}"
printf '%-28s %-4s %9s %9s %9s %9s\n' world binary "Ir/tx" "Bcm/tx" "D1m/tx" "LLm/tx"
for w in "${worlds[@]}"; do
    read -r routers hosts flows stride seconds <<<"$w"
    "$here/sim_world.sh" $w >"$work/world.ini"
    for which in old new; do
        bin=$1
        [ $which = new ] && bin=$2
        rm -f "$work/r.json"
        # A world whose flows outlast its time limit exits 1: still a run.
        valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes --LL=1048576,16,64 \
            --callgrind-out-file="$work/cg.out" "$bin" sim --json "$work/r.json" "$work/world.ini" \
            >/dev/null 2>"$work/valgrind.log" || true
        [ -s "$work/r.json" ] || { echo "sim_cost: $bin gave no results:" >&2; tail -3 "$work/valgrind.log" >&2; exit 1; }
        python3 - "$work/cg.out" "$work/r.json" "$hosts hosts, $seconds s" $which <<'PY'
import json, sys
names = values = None
for line in open(sys.argv[1]):
    if line.startswith("events:"):
        names = line.split()[1:]
    if line.startswith(("summary:", "totals:")) and values is None:
        values = [int(v) for v in line.split()[1:]]
e = dict(zip(names, values))
tx = json.load(open(sys.argv[2]))["transmissions"]
print("%-28s %-4s %9.1f %9.2f %9.2f %9.2f" % (sys.argv[3], sys.argv[4], e["Ir"] / tx, e["Bcm"] / tx,
      (e["D1mr"] + e["D1mw"]) / tx, (e["DLmr"] + e["DLmw"]) / tx))
PY
    done
done
