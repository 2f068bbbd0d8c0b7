#!/usr/bin/env bash
# naru dnsd against NSD: dnsperf sends the same query file to each, on
# 127.0.0.1, one after the other in this run, all loaded with the same
# zone (tests/data/dns/example.zone) and all single-process (NSD's
# server-count 1, its response-rate limiting off). Each mode is measured
# beside the NSD mode that gives the same answers: naru's default
# (minimal responses) beside NSD's minimal-responses, naru
# --full-responses beside NSD's default. Also measured: naru with
# response rate limiting on at a rate never reached (the cost of the
# accounting), and, with DNS_BENCH_BEFORE=/path/to/older/naru, an older
# build in the same rounds (its default, full responses), for a
# before/after. Prints queries per second and the server's CPU time per
# query (user+system from /proc/PID/stat), and naru's ratios to NSD;
# then, because wall time on a shared machine wanders, the instructions
# naru dnsd runs per query in each mode (callgrind, user space only: the
# difference between a run of 8,000 queries and one of 40,000).
# usage: bench/dns_vs_nsd_bench.sh [NARU_BINARY] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
seconds=${2:-${DNS_BENCH_SECONDS:-10}}
before=${DNS_BENCH_BEFORE:-}
data=$here/../tests/data/dns
for tool in nsd dnsperf; do
  command -v $tool >/dev/null || { echo "dns bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$naru" ] || { echo "dns bench: no naru binary at $naru (make build)" >&2; exit 1; }
[ -z "$before" ] || [ -x "$before" ] || { echo "dns bench: no naru binary at $before" >&2; exit 1; }

work=$(mktemp -d /tmp/naru-dns-bench.XXXXXX)
pid=""
# NSD's first process forks and the pidfile names the one that stops the
# rest; stop both, each by its PID.
stop() {
  if [ -s "$work/nsd.pid" ]; then kill "$(cat "$work/nsd.pid")" 2>/dev/null || true; rm -f "$work/nsd.pid"; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
cleanup() {
  stop
  rm -rf "$work"
}
trap cleanup EXIT
port=$((30000 + $$ % 10000))

# A mix like an authoritative server sees: mostly hits, some misses.
cat > "$work/queries" <<'Q'
www.example A
www.example AAAA
mail.example A
example MX
example NS
ns1.example A
alias.example A
chain1.example A
a.wild.example A
_sip._udp.example SRV
nope.example A
mail.example AAAA
host.sub.example A
esc.example TXT
www.example A
x.cwild.example A
Q
cp "$data"/example.zone "$data"/big-txt.zone "$work"/
for minimal in yes no; do
  cat > "$work/nsd-$minimal.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    pidfile: "$work/nsd.pid"
    xfrdfile: "$work/xfrd.state"
    zonelistfile: "$work/zone.list"
    xfrdir: "$work"
    logfile: "$work/nsd.log"
    server-count: 1
    hide-version: yes
    minimal-responses: $minimal
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: example
    zonefile: example.zone
CONF
done

ticks=$(getconf CLK_TCK)
# CPU seconds (user + system) of a process and its descendants (NSD forks
# its serving process), threads included.
descendants() {
  local p=$1
  echo "$p"
  for c in $(cat /proc/$p/task/*/children 2>/dev/null); do descendants "$c"; done
}
cpu_of() {
  local total=0 p
  for p in $(descendants $1); do
    # utime and stime are fields 14 and 15; the name in field 2 may hold
    # spaces ("nsd: server 1"), so count from after its closing ')'.
    total=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null |
            awk -v t="$ticks" -v s="$total" '{ printf "%.3f", s + ($12 + $13) / t }')
  done
  echo "$total"
}

wait_ready() {
  for _ in $(seq 50); do
    dig +tries=1 +time=1 -p $port @127.0.0.1 example SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "dns bench: server on port $port never answered" >&2; return 1
}

# measure NAME: run dnsperf against the server $pid on $port, set qps and cpu_us.
measure() {
  wait_ready
  local before after out
  [ -n "${DNS_BENCH_DEBUG:-}" ] && echo "pids: $(descendants $pid | tr "\n" " ")" >&2
  before=$(cpu_of $pid)
  out=$(dnsperf -s 127.0.0.1 -p $port -d "$work/queries" -l "$seconds" -c 4 -q 200 -e 2>&1)
  after=$(cpu_of $pid)
  local completed
  completed=$(awk '/Queries completed:/ { print $3 }' <<<"$out")
  qps=$(awk '/Queries per second:/ { print $4 }' <<<"$out")
  lost=$(awk '/Queries lost:/ { print $3 }' <<<"$out")
  cpu_us=$(awk -v a="$after" -v b="$before" -v n="$completed" 'BEGIN { printf "%.2f", (a - b) * 1e6 / n }')
  printf "%-16s %12.0f %14s %10s\n" "$1" "$qps" "$cpu_us" "$lost"
}

# The servers, each "label|how to start it"; NSD's pidfile names its
# serving process (it forks).
servers=(
  "nsd minimal|nsd -d -c $work/nsd-yes.conf"
  "naru|$naru dnsd --listen 127.0.0.1:$port $data/example.zone"
  "nsd full|nsd -d -c $work/nsd-no.conf"
  "naru full|$naru dnsd --full-responses --listen 127.0.0.1:$port $data/example.zone"
  "naru rrl|$naru dnsd --rrl-rate 1000000000 --listen 127.0.0.1:$port $data/example.zone"
)
[ -n "$before" ] && servers+=("before|$before dnsd --listen 127.0.0.1:$port $data/example.zone")

# Interleaved rounds (each server in turn, round after round) so that load
# from anything else on the machine falls on all alike; figures are means.
rounds=${DNS_BENCH_ROUNDS:-2}
echo "DNS server benchmark: dnsperf -l $seconds -c 4 -q 200 -e, 16-query mix, 127.0.0.1, $rounds rounds"
echo "  naru = its default (minimal responses); full = --full-responses; rrl = rate limiting on,"
echo "  never reached; before = $before (its default)"
printf "%-16s %12s %14s %10s\n" server "queries/s" "CPU us/query" lost
declare -A qps_sum cpu_sum
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
for round in $(seq "$rounds"); do
  for entry in "${servers[@]}"; do
    label=${entry%%|*}
    # shellcheck disable=SC2086 # the command is words
    ${entry#*|} 2>"$work/server.err" &
    pid=$!
    wait_ready
    measure "$label #$round"
    qps_sum[$label]=$(add "${qps_sum[$label]:-0}" "$qps")
    cpu_sum[$label]=$(add "${cpu_sum[$label]:-0}" "$cpu_us")
    stop
  done
done

echo "means over $rounds rounds:"
for entry in "${servers[@]}"; do
  label=${entry%%|*}
  awk -v l="$label" -v q="${qps_sum[$label]}" -v c="${cpu_sum[$label]}" -v r="$rounds" \
    'BEGIN { printf "  %-14s %10.0f q/s %8.2f us/query\n", l, q / r, c / r }'
done
ratio() {  # ratio LABEL_A LABEL_B WHAT
  awk -v qa="${qps_sum[$1]}" -v qb="${qps_sum[$2]}" -v ca="${cpu_sum[$1]}" -v cb="${cpu_sum[$2]}" -v w="$3" \
    'BEGIN { printf "%s: %.2fx the queries per second, %.2fx the CPU per query\n", w, qa / qb, ca / cb }'
}
ratio naru "nsd minimal" "naru/nsd, minimal responses (target: >= 1, <= 1)"
ratio "naru full" "nsd full" "naru/nsd, full responses     (target: >= 1, <= 1)"
ratio "naru rrl" naru "naru with RRL accounting / without"
[ -n "$before" ] && ratio "naru full" before "naru full / before (the same answers)"
[ -n "$before" ] && ratio naru before "naru / before (minimal now, full before)"

command -v valgrind >/dev/null || { echo "(no valgrind: no instruction counts)"; exit 0; }
# instructions N ARGS...: total instructions of `ARGS --listen ... ZONE`
# under callgrind, after N rounds of the 16-query file.
instructions() {
  local n=$1 out=$work/callgrind.out
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" --listen 127.0.0.1:$port \
    "$data/example.zone" 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do
    dig +tries=1 +time=1 -p $port @127.0.0.1 example SOA >/dev/null 2>&1 && break
    sleep 0.2
  done
  dnsperf -s 127.0.0.1 -p $port -d "$work/queries" -n "$n" -c 1 -q 50 >/dev/null 2>&1
  stop
  sed -n 's/^totals: //p' "$out"
}
echo "instructions per query in naru dnsd (callgrind, user space, 16-query mix):"
modes=("naru|$naru dnsd" "naru full|$naru dnsd --full-responses"
       "naru rrl|$naru dnsd --rrl-rate 1000000000")
[ -n "$before" ] && modes+=("before|$before dnsd")
for entry in "${modes[@]}"; do
  # shellcheck disable=SC2086 # the command is words
  small=$(instructions 500 ${entry#*|})
  # shellcheck disable=SC2086
  large=$(instructions 2500 ${entry#*|})
  printf "  %-14s %8d\n" "${entry%%|*}" $(((large - small) / 32000))
done
exit 0
