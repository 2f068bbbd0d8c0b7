#!/usr/bin/env bash
# BIND's dig (and naru dig) against naru dnsd on kernel sockets, on
# 127.0.0.1: answers over UDP and TCP, several queries on one TCP
# connection (pipelined, RFC 7766), truncation then TCP, the ready line,
# a clean stop on SIGTERM, and the command-line contract (exit codes 1, 2).
# usage: test_dns_dig.sh NARU_BINARY
set -u
naru=$1
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/dns
if [ "$(id -u)" -ne 0 ]; then echo "skip: interop tests run as root"; exit 77; fi
command -v dig >/dev/null || { echo "FAIL: dig is missing (bind9-dnsutils; scripts/install-deps.sh)"; exit 1; }

work=$(mktemp -d /tmp/naru-dns-dig.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fails=0; passes=0
check() {  # check DESCRIPTION COMMAND...: pass when the command succeeds
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

# A zone file with no $ORIGIN: its origin comes from the command line.
printf '$TTL 60\n@ SOA ns h 1 2 3 4 5\n NS ns\nns A 198.18.0.53\nhost A 198.18.0.10\n' > "$work/plain.zone"
# Port 0: dnsd takes a free one and its ready line names it (a port picked
# here could be some other test's ephemeral port by the time dnsd binds).
"$naru" dnsd --listen 127.0.0.1:0 "$data/example.zone" "example.test.=$work/plain.zone" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q ready "$work/err" && break; sleep 0.05; done
port=$(sed -n 's/^naru dnsd: ready: 2 zones on 127\.0\.0\.1:\([0-9]*\) (UDP and TCP)$/\1/p' "$work/err")
if [ -z "$port" ]; then
  echo "FAIL: dnsd says it is ready, on a port, within 5 seconds"; cat "$work/err"; exit 1
fi
passes=$((passes + 1))

d() { dig @127.0.0.1 -p $port +norec +time=2 +tries=1 "$@"; }
check "A over UDP" test "$(d +short www.example A | sort | tr '\n' ' ')" = "192.0.2.80 192.0.2.81 "
check "AA set" grep -q "flags: qr aa;" <(d www.example A)
check "minimal by default: no NS in authority, nothing extra" \
  grep -q "flags: qr aa; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1" <(d www.example A)
check "dig +dnssec: the DO bit comes back (RFC 3225)" grep -q "; EDNS: version: 0, flags: do;" <(d +dnssec www.example A)
check "plain dig: no DO bit" grep -q "; EDNS: version: 0, flags:;" <(d www.example A)
check "AAAA" test "$(d +short ns2.example AAAA)" = "2001:db8::54"
check "NXDOMAIN" grep -q "status: NXDOMAIN" <(d nope.example A)
check "NODATA has the SOA" grep -qE "^example\.\s+300\s+IN\s+SOA" <(d mail.example AAAA)
check "CNAME chain" test "$(d +short chain1.example A | tr '\n' ' ')" = "chain2.example. chain3.example. 192.0.2.3 "
check "wildcard" test "$(d +short anything.wild.example TXT)" = '"wildcard"'
check "referral has no AA and glue" grep -q "flags: qr; QUERY: 1, ANSWER: 0, AUTHORITY: 2, ADDITIONAL: 2" <(d a.sub.example A)
check "zone with ORIGIN=FILE" test "$(d +short host.example.test A)" = "198.18.0.10"
check "REFUSED outside the zones" grep -q "status: REFUSED" <(d www.example.com A)
check "case echoed" grep -q "^;WwW.ExAmPlE." <(d WwW.ExAmPlE A)
check "A over TCP" test "$(d +tcp +short mail.example A)" = "192.0.2.25"
check "TC over UDP" grep -q "flags: qr aa tc;" <(d +ignore big.example TXT)
check "TC without EDNS stays within 512" grep -qE "MSG SIZE  rcvd: ([1-4][0-9]{2}|[0-9]{1,2}|50[0-9]|51[0-2])$" <(d +ignore +noedns big.example TXT)
check "dig retries a TC answer over TCP and gets all 40" test "$(d +short big.example TXT | wc -l)" = 40
check "BADVERS for EDNS version 1" grep -q "status: BADVERS" <(d +edns=1 +noednsnegotiation www.example A)
check "several queries on one TCP connection" test "$(d +tcp +keepopen +short www.example AAAA mail.example A ns1.example A | tr '\n' ' ')" = "2001:db8::80 192.0.2.25 192.0.2.53 "

# Pipelined: three queries in one write, three replies on the connection.
check "pipelined TCP queries all answered" /usr/bin/python3 - $port <<'PY'
import socket, struct, sys
import dns.message
qs = [dns.message.make_query(n, "A") for n in ("www.example.", "mail.example.", "nope.example.")]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in qs)))
buf = b""
got = []
while len(got) < 3:
    chunk = s.recv(65535)
    if not chunk:
        break
    buf += chunk
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
        n = struct.unpack("!H", buf[:2])[0]
        got.append(dns.message.from_wire(buf[2:2 + n]))
        buf = buf[2 + n:]
assert [m.id for m in got] == [q.id for q in qs], "replies out of order or missing"
assert got[2].rcode() == 3
PY

# naru dig against naru dnsd
out=$("$naru" dig @127.0.0.1:$port www.example AAAA 2>&1)
check "naru dig prints the answer" grep -qE "^www\.example\.\s+3600\s+IN\s+AAAA\s+2001:db8::80" <<<"$out"
check "naru dig prints the flags" grep -q "flags: qr aa rd;" <<<"$out"
check "naru dig follows TC to TCP" test "$("$naru" dig @127.0.0.1:$port big.example TXT +short | wc -l)" = 40
check "naru dig +tcp" grep -q "(TCP)" <("$naru" dig @127.0.0.1:$port +tcp example SOA)

# A garbage datagram: FORMERR or silence, and the server lives on.
printf '\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01' > "$work/bad"
/usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(open(sys.argv[1],'rb').read(), ('127.0.0.1', int(sys.argv[2])))" "$work/bad" $port
check "still answering after a malformed query" test "$(d +short ns1.example A)" = "192.0.2.53"

kill -TERM $pid
wait $pid; status=$?
pid=""
check "SIGTERM stops dnsd cleanly (143, by the signal)" test $status -eq 143
check "counters printed on stop" grep -q "naru dnsd: stopped. " "$work/err"
check "the FORMERR was counted" grep -q "FORMERR 1" "$work/err"

# The command-line contract.
"$naru" dnsd --bogus "$data/example.zone" 2>"$work/e2"; s=$?
check "bad flag: exit 2" test $s -eq 2
check "bad flag: one line" test "$(wc -l < "$work/e2")" -eq 1
"$naru" dnsd --listen 127.0.0.1:99999 "$data/example.zone" 2>/dev/null; s=$?
check "bad address: exit 2" test $s -eq 2
printf '$ORIGIN bad.\n$TTL 1\n@ SOA ns h 1 2 3 4 5\nwww A 1.2.3\n' > "$work/bad.zone"
"$naru" dnsd --listen 127.0.0.1:$port "$work/bad.zone" 2>"$work/e3"; s=$?
check "zone error: exit 1" test $s -eq 1
check "zone error names file and line" grep -q "bad.zone:4: bad IPv4 address '1.2.3'" "$work/e3"
check "dnsd --help" "$naru" dnsd --help >/dev/null
check "dig --help" "$naru" dig --help >/dev/null
"$naru" dig +bogus x 2>/dev/null; s=$?
check "dig bad option: exit 2" test $s -eq 2
"$naru" dig @127.0.0.1:1 +time=1 +tries=1 www.example >/dev/null; s=$?
check "dig with no server answering: exit 1" test $s -eq 1

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
