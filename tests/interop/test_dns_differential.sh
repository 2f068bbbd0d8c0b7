#!/usr/bin/env bash
# naru dnsd and NSD, loaded with the same zones on 127.0.0.1, answer the
# same queries (hits, NXDOMAIN, NODATA, CNAME chains, wildcards,
# delegations, case variations, a TXT set too big for UDP; over UDP and
# TCP, with and without EDNS) with the same rcode, flags and records.
# usage: test_dns_differential.sh NARU_BINARY
set -u
naru=$1
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/dns
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root to run nsd"; exit 77; fi
for tool in nsd /usr/bin/python3; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps.sh installs it)"; exit 1; }
done
/usr/bin/python3 -c 'import dns.message' || { echo "FAIL: python3-dnspython is missing"; exit 1; }

work=$(mktemp -d /tmp/naru-dns-diff.XXXXXX)
naru_pid=""; nsd_pid=""
cleanup() {
  [ -n "$naru_pid" ] && kill "$naru_pid" 2>/dev/null && wait "$naru_pid" 2>/dev/null
  # NSD's first process forks; the pidfile names the one that stops the rest.
  [ -s "$work/nsd.pid" ] && kill "$(cat "$work/nsd.pid")" 2>/dev/null
  if [ -n "$nsd_pid" ]; then kill "$nsd_pid" 2>/dev/null; wait "$nsd_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Ports chosen from the PID so parallel runs do not collide.
naru_port=$((20000 + $$ % 10000)); nsd_port=$((naru_port + 1))
cp "$data"/example.zone "$data"/big-txt.zone "$data"/second.zone "$work"/
cat > "$work/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$nsd_port
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
zone:
    name: second.test
    zonefile: second.zone
CONF
nsd -d -c "$work/nsd.conf" 2>"$work/nsd.err" &
nsd_pid=$!
"$naru" dnsd --listen 127.0.0.1:$naru_port "$data/example.zone" "$data/second.zone" 2>"$work/naru.err" &
naru_pid=$!

# Both must answer before the comparison starts.
ready() { dig +tries=1 +time=1 -p "$1" @127.0.0.1 example SOA >/dev/null 2>&1 ||
          /usr/bin/python3 - "$1" <<'PY'
import sys, dns.message, dns.query
dns.query.udp(dns.message.make_query("example.", "SOA"), "127.0.0.1", port=int(sys.argv[1]), timeout=0.5)
PY
}
for i in $(seq 50); do
  ready $naru_port && ready $nsd_port && break
  sleep 0.2
done
ready $naru_port || { echo "FAIL: naru dnsd did not answer"; cat "$work/naru.err"; exit 1; }
ready $nsd_port || { echo "FAIL: nsd did not answer"; cat "$work/nsd.err" "$work/nsd.log"; exit 1; }

/usr/bin/python3 "$here/test_dns_differential.py" $naru_port $nsd_port
status=$?
exit $status
