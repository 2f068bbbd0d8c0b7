#!/usr/bin/env bash
# naru dnsd against NSD: dnsperf sends the same query file to each, on
# 127.0.0.1, one after the other in this run, both loaded with the same
# zone (tests/data/dns/example.zone) and both single-process (NSD's
# server-count 1, its response-rate limiting off). Prints queries per
# second and the server's CPU time per query (user+system from
# /proc/PID/stat), and naru's ratio to NSD.
# usage: bench/dns_vs_nsd_bench.sh [NARU_BINARY] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
seconds=${2:-${DNS_BENCH_SECONDS:-10}}
data=$here/../tests/data/dns
for tool in nsd dnsperf; do
  command -v $tool >/dev/null || { echo "dns bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$naru" ] || { echo "dns bench: no naru binary at $naru (make build)" >&2; exit 1; }

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
cat > "$work/nsd.conf" <<CONF
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
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: example
    zonefile: example.zone
CONF

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
  printf "%-10s %12.0f %14s %10s\n" "$1" "$qps" "$cpu_us" "$lost"
}

# Interleaved rounds (nsd, naru, nsd, naru, ...) so that load from
# anything else on the machine falls on both alike; figures are the means.
rounds=${DNS_BENCH_ROUNDS:-2}
echo "DNS server benchmark: dnsperf -l $seconds -c 4 -q 200 -e, 16-query mix, 127.0.0.1, $rounds rounds"
printf "%-10s %12s %14s %10s\n" server "queries/s" "CPU us/query" lost
nsd_qps_sum=0; nsd_cpu_sum=0; naru_qps_sum=0; naru_cpu_sum=0
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
for round in $(seq "$rounds"); do
  nsd -d -c "$work/nsd.conf" 2>"$work/nsd.err" &
  pid=$!
  wait_ready
  measure "nsd #$round" "$(cat "$work/nsd.pid")"
  nsd_qps_sum=$(add "$nsd_qps_sum" "$qps"); nsd_cpu_sum=$(add "$nsd_cpu_sum" "$cpu_us")
  stop

  "$naru" dnsd --listen 127.0.0.1:$port "$data/example.zone" 2>"$work/naru.err" &
  pid=$!
  wait_ready
  measure "naru #$round" "$pid"
  naru_qps_sum=$(add "$naru_qps_sum" "$qps"); naru_cpu_sum=$(add "$naru_cpu_sum" "$cpu_us")
  stop
done

awk -v a="$naru_qps_sum" -v b="$nsd_qps_sum" -v c="$naru_cpu_sum" -v d="$nsd_cpu_sum" -v r="$rounds" 'BEGIN {
  printf "mean:      nsd %.0f q/s, %.2f us/query; naru %.0f q/s, %.2f us/query\n", b / r, d / r, a / r, c / r
  printf "naru/nsd: %.2fx the queries per second, %.2fx the CPU per query (target: >= 1, <= 1)\n", a / b, c / d }'
