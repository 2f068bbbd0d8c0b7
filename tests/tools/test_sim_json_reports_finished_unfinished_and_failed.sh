#!/usr/bin/env bash
# naru sim --json FILE: valid JSON (python3's parser) with the run, every
# application, flow and link; an application that finished, one the time
# limit cut short and one that failed each have honest durations and
# rates (never an unset time printed as a huge number).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

cat >"$WORK/world.ini" <<'INI'
[scenario]
time_limit = 3s
[host a]
gateway = 10.0.0.1
[router r]
[host b]
gateway = 10.0.1.1
[link la]
a = a 10.0.0.2/24
b = r 10.0.0.1/24
bandwidth = 10Mbit
delay = 5ms
[link lb]
a = b 10.0.1.2/24
b = r 10.0.1.1/24
bandwidth = 10Mbit
delay = 5ms
[ping done]
from = a
to = b
count = 3
interval = 100ms
[transfer cut]
from = a
to = b
bytes = 1GB
[ping nobody]
from = a
to = 10.0.1.99
count = 2
interval = 100ms
INI
out=$("$NARU" sim "$WORK/world.ini" --json "$WORK/run.json" 2>&1)
check_eq "the time limit gives exit status 1" 1 "$?"
check_match "the words still go to stdout" 'cut: TCP' "$out"
check_match "the words say the peak memory per node" 'peak memory [0-9.]+ MiB, [0-9.]+ KiB per node \(3 nodes\)' "$out"
verdict=$(python3 - "$WORK/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
apps = {a["name"]: a for a in d["applications"]}
bad = []
def want(what, ok):
    if not ok:
        bad.append(what)
want("outcome time_limit", d["outcome"] == "time_limit")
want("3 simulated seconds", abs(d["simulated_seconds"] - 3) < 1e-6)
want("transmissions counted", d["transmissions"] > 1000)
want("peak memory per node", d["peak_rss_kib"] > 1000 and
     abs(d["peak_rss_kib_per_node"] * d["nodes"] - d["peak_rss_kib"]) < 1)
want("done finished ok", apps["done"]["finished"] and apps["done"]["ok"])
want("done took under a second", 0 < apps["done"]["duration"] < 1)
want("cut unfinished", not apps["cut"]["finished"] and not apps["cut"]["ok"])
want("cut lasted the run", abs(apps["cut"]["duration"] - 3) < 0.01 and apps["cut"]["ended"] is None)
want("cut moved bytes at most at line rate",
     0 < apps["cut"]["goodput_bps"] <= 10e6 and apps["cut"]["bytes_received"] > 100000)
want("nobody finished, failed", apps["nobody"]["finished"] and not apps["nobody"]["ok"])
want("every duration is a real time", all(0 <= a["duration"] <= 3 for a in apps.values()))
flows = [f for f in d["flows"] if f["application"] == "cut"]
want("the flow of cut, with its round trip", len(flows) == 1 and 0.02 <= flows[0]["srtt"] < 3)
links = {(l["link"], l["from"]) for l in d["links"]}
want("both links each way", links == {("la", "a"), ("la", "r"), ("lb", "b"), ("lb", "r")})
print("ok" if not bad else "failed: " + ", ".join(bad))
PY
)
check_eq "the JSON says what happened" ok "$verdict"

"$NARU" sim "$WORK/world.ini" --time-limit 2s --json - >"$WORK/stdout.json" 2>"$WORK/stderr"
check_eq "--json - is JSON alone on stdout" ok \
    "$(python3 -c 'import json,sys; json.load(open(sys.argv[1])); print("ok")' "$WORK/stdout.json" 2>&1)"
check_match "and the words go to stderr" 'cut: TCP' "$(cat "$WORK/stderr")"
"$NARU" sim "$WORK/world.ini" --json "$WORK/no/such/dir/run.json" >/dev/null 2>"$WORK/stderr"
check_eq "an unwritable JSON file is a usage error" 2 "$?"
check_match "naming the file" 'cannot write .*/no/such/dir/run.json' "$(cat "$WORK/stderr")"
finish
