#!/usr/bin/env bash
# naru dnsd, NSD and Knot DNS, loaded with the same zones on 127.0.0.1,
# answer the same queries (hits, NXDOMAIN, NODATA, CNAME chains, wildcards,
# delegations, case variations, a TXT set too big for UDP; over UDP and
# TCP; as dig sends them by default, as dig +dnssec does with the DO bit,
# with EDNS and without) with the same rcode, flags, EDNS and records:
# naru's default (minimal responses) against NSD with minimal-responses
# and against Knot, naru --full-responses against NSD's default.
# usage: test_dns_differential.sh NARU_BINARY
set -u
naru=$1
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/dns
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root to run nsd"; exit 77; fi
for tool in nsd knotd /usr/bin/python3; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps.sh installs it)"; exit 1; }
done
/usr/bin/python3 -c 'import dns.message' || { echo "FAIL: python3-dnspython is missing"; exit 1; }

work=$(mktemp -d /tmp/naru-dns-diff.XXXXXX)
pids=()
cleanup() {
  # NSD's first process forks; its pidfile names the one that stops the rest.
  for f in "$work"/nsd-*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# Ports chosen from the PID so parallel runs do not collide.
base=$((20000 + $$ % 2000 * 5))
naru_port=$base; naru_full_port=$((base + 1)); nsd_minimal_port=$((base + 2))
nsd_port=$((base + 3)); knot_port=$((base + 4))
cp "$data"/example.zone "$data"/big-txt.zone "$data"/second.zone "$work"/
# NSD twice: minimal-responses yes (naru's default) and no (NSD's default).
for minimal in yes no; do
  port=$([ $minimal = yes ] && echo $nsd_minimal_port || echo $nsd_port)
  cat > "$work/nsd-$minimal.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    pidfile: "$work/nsd-$minimal.pid"
    xfrdfile: "$work/xfrd-$minimal.state"
    zonelistfile: "$work/zone-$minimal.list"
    xfrdir: "$work"
    logfile: "$work/nsd-$minimal.log"
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
zone:
    name: second.test
    zonefile: second.zone
CONF
  nsd -d -c "$work/nsd-$minimal.conf" 2>"$work/nsd-$minimal.err" &
  pids+=($!)
done
mkdir -p "$work/knot-run" "$work/knot-db"
cat > "$work/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$knot_port
    rundir: "$work/knot-run"
log:
  - target: stderr
    any: warning
database:
    storage: "$work/knot-db"
template:
  - id: default
    storage: "$work"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: example
    file: example.zone
  - domain: second.test
    file: second.zone
CONF
knotd -c "$work/knot.conf" 2>"$work/knot.err" &
pids+=($!)
"$naru" dnsd --listen 127.0.0.1:$naru_port "$data/example.zone" "$data/second.zone" 2>"$work/naru.err" &
pids+=($!)
"$naru" dnsd --full-responses --listen 127.0.0.1:$naru_full_port "$data/example.zone" \
  "$data/second.zone" 2>"$work/naru-full.err" &
pids+=($!)

# All must answer before the comparison starts.
ready() { /usr/bin/python3 - "$1" <<'PY' 2>/dev/null
import sys, dns.message, dns.query
dns.query.udp(dns.message.make_query("example.", "SOA"), "127.0.0.1", port=int(sys.argv[1]), timeout=0.5)
PY
}
ports="$naru_port $naru_full_port $nsd_minimal_port $nsd_port $knot_port"
for i in $(seq 50); do
  all=1
  for p in $ports; do ready $p || { all=0; break; }; done
  [ $all = 1 ] && break
  sleep 0.2
done
for p in $ports; do
  ready $p || { echo "FAIL: the server on port $p did not answer"; cat "$work"/*.err "$work"/*.log 2>/dev/null; exit 1; }
done

/usr/bin/python3 "$here/test_dns_differential.py" $naru_port $naru_full_port $nsd_minimal_port $nsd_port $knot_port
status=$?
exit $status
