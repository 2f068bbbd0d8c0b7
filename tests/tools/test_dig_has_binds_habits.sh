#!/usr/bin/env bash
# naru dig takes what BIND's dig users type without thinking: -p PORT,
# -x ADDR (in-addr.arpa and ip6.arpa), a class in either order
# ("www.example A IN", "IN A www.example"), +short, +tcp, +notcp,
# +norecurse, +dnssec (DO), +[no]cookie, and calls an unknown +option a
# usage error. Against naru dnsd on 127.0.0.1, and, for what a query
# carries, a listener that answers with the query's own bytes.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}

pid=$("$NARU" dnsd --background --listen 127.0.0.1:0 "$src/tests/data/dns/example.zone" 2>"$WORK/dnsd")
port=$(dnsd_port "$WORK/dnsd")
[ -n "$pid" ] && [ -n "$port" ] || { cat "$WORK/dnsd"; echo "Bail out! dnsd did not start"; exit 1; }
trap 'kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
d() { "$NARU" dig @127.0.0.1 -p $port +time=5 "$@"; }

check_eq "-p PORT, +short" "192.0.2.80 192.0.2.81 " "$(d +short www.example A | sort | tr '\n' ' ')"
check_eq "@SERVER:PORT still works" "2001:db8::80" "$("$NARU" dig @127.0.0.1:$port +short www.example AAAA)"
check_eq "NAME TYPE CLASS" "2001:db8::80" "$(d +short www.example AAAA IN)"
check_eq "CLASS TYPE NAME" "2001:db8::80" "$(d +short IN AAAA www.example)"
out=$(d www.example A CH)
check_match "a class other than IN is asked for (CH)" '^;www\.example\.[[:space:]]+CH[[:space:]]+A$' "$out"
check_match "... and the header line says it, with the port (-p) as BIND does" "^; <<>> naru dig <<>> @127\\.0\\.0\\.1 -p $port www\\.example A CH\$" "$out"
out=$(d -x 192.0.2.80)
check_match "-x IPv4: PTR under in-addr.arpa" '^;80\.2\.0\.192\.in-addr\.arpa\.[[:space:]]+IN[[:space:]]+PTR$' "$out"
out=$(d -x 2001:db8::1)
check_match "-x IPv6: PTR under ip6.arpa, a nibble a label" \
    '^;1\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.8\.b\.d\.0\.1\.0\.0\.2\.ip6\.arpa\.[[:space:]]+IN[[:space:]]+PTR$' "$out"
check_match "+tcp asks over TCP" '^;; SERVER: 127\.0\.0\.1#[0-9]+ \(TCP\)$' "$(d +tcp www.example)"
check_match "+notcp after +tcp: UDP" '^;; SERVER: 127\.0\.0\.1#[0-9]+ \(UDP\)$' "$(d +tcp +notcp www.example)"
check_match "RD by default (the server copies it)" '^;; flags: qr aa rd;' "$(d www.example)"
check_match "+norecurse clears RD" '^;; flags: qr aa;' "$(d +norecurse www.example)"
check_match "+dnssec sets DO (RFC 3225: the server copies it)" '^; EDNS: version: 0, flags: do;' "$(d +dnssec www.example)"
check_match "+nodnssec, the default, does not" '^; EDNS: version: 0, flags:;' "$(d +nodnssec www.example)"
check_eq "+nocookie is taken" "2001:db8::80" "$(d +nocookie +short www.example AAAA)"

"$NARU" dig @127.0.0.1 -p $port www.example +frobnicate >/dev/null 2>"$WORK/err"
check_eq "an unknown +option: exit 2" 2 "$?"
check_eq "... naming it" "naru dig: unknown or bad option '+frobnicate' (try --help)" "$(cat "$WORK/err")"
"$NARU" dig -4 @::1 www.example >/dev/null 2>"$WORK/err"
check_eq "-4 with an IPv6 server: exit 2" 2 "$?"
"$NARU" dig -p 0 @127.0.0.1 www.example >/dev/null 2>"$WORK/err"
check_eq "-p 0: exit 2" 2 "$?"

# What the query carries, read back from its own bytes: a listener that
# answers each query with itself, QR set, and prints it in hex.
python3 - >"$WORK/queries" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("ready", s.getsockname()[1], flush=True)
for _ in range(2):
    q, peer = s.recvfrom(4096)
    s.sendto(q[:2] + bytes([q[2] | 0x80]) + q[3:], peer)
    print(q.hex(), flush=True)
PY
echo_pid=$!
for ((i = 0; i < 200; i++)); do grep -q ready "$WORK/queries" && break; sleep 0.05; done
echo_port=$(sed -n 's/^ready //p' "$WORK/queries")
out=$("$NARU" dig @127.0.0.1 -p $echo_port +cookie www.example)
check_match "+cookie: the reply's COOKIE shown" '^; COOKIE: [0-9a-f]{16}$' "$out"
cookie=$(sed -nE 's/^; COOKIE: ([0-9a-f]{16})$/\1/p' <<<"$out")
check_match "... the one sent: option 10, 8 bytes (RFC 7873 4.1)" "000a0008$cookie\$" "$(sed -n 2p "$WORK/queries")"
"$NARU" dig @127.0.0.1 -p $echo_port +dnssec +noedns www.example >/dev/null
check_match "+dnssec brings an OPT even after +noedns, with DO (flags 8000)" '0000290[0-9a-f]{3}00008000' \
    "$(sed -n 3p "$WORK/queries")"
wait $echo_pid
finish
