#!/usr/bin/env bash
# DNS on naru's own stack over TAP, against Linux in a namespace:
#  1. BIND's dig (and naru dig on kernel sockets) asks `naru dnsd --tap`:
#     answers, flags, NXDOMAIN/NODATA, CNAME chains, truncation, a malformed
#     query, TCP when the stack has it, the ready line, a clean stop with
#     the server's counters in the stack's list;
#  2. `naru dig --tap` asks a server on the kernel side and prints what
#     `naru dig` on kernel sockets prints for the same question; refused
#     ports and SIGTERM end it at once;
#  3. both over IPv6: dig -6 asks a dual-stack `naru dnsd --tap`, and
#     `naru dig --tap` with an IPv6 --addr asks a server at an IPv6 address.
# usage: test_dns_tap.sh NARU_BINARY
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" dig timeout
DATA=$NARU_ROOT/tests/data/dns

ns_new ns

# ---- 1. naru dnsd --tap, asked by Linux -------------------------------------
tap_new "$ns" ntap0 198.18.0.1/24
naru_start dnsd "$ns" dnsd --tap ntap0 --addr 198.18.0.2/24 "$DATA/example.zone"
ready=$(grep ': ready' "$(naru_log "$dnsd")")
check_match "the ready line names the zone count, address and TAP device" \
    '^naru dnsd: ready: 1 zone on 198\.18\.0\.2:53 via ntap0 \(UDP' "$ready"

d() { in_ns "$ns" dig @198.18.0.2 +norec +time=2 +tries=1 "$@" 2>&1; }
check_eq "A over naru's UDP" "192.0.2.80 192.0.2.81" "$(d +short www.example A | sort | xargs)"
check_match "AA set, RD echoed clear" "flags: qr aa;" "$(d www.example A)"
check_eq "AAAA" "2001:db8::54" "$(d +short ns2.example AAAA)"
check_match "NXDOMAIN" "status: NXDOMAIN" "$(d nope.example A)"
check_match "NODATA carries the SOA" '^example\.\s+300\s+IN\s+SOA' "$(d mail.example AAAA)"
check_eq "CNAME chain followed inside the zone" "chain2.example. chain3.example. 192.0.2.3" \
    "$(d +short chain1.example A | xargs)"
check_match "REFUSED outside the zones" "status: REFUSED" "$(d www.example.com A)"
check_match "a TXT set too big for UDP comes back with TC" "flags: qr aa tc;" "$(d +ignore big.example TXT)"
check_match "naru dig on kernel sockets gets the same answer" \
    '^www\.example\.\s+3600\s+IN\s+AAAA\s+2001:db8::80' \
    "$(in_ns "$ns" "$NARU" dig @198.18.0.2 +time=2 +tries=1 www.example AAAA 2>&1)"

# A query whose name points at itself: FORMERR, and the server lives on.
in_ns "$ns" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex("123400000001000000000000c00c00010001"), ("198.18.0.2", 53))' ||
    die "cannot send the malformed query"
check_eq "still answering after a malformed query" "192.0.2.53" "$(d +short ns1.example A)"

if grep -q 'UDP and TCP' <<<"$ready"; then
    check_eq "over naru's TCP: dig +tcp" "192.0.2.25" "$(d +tcp +short mail.example A)"
    check_eq "dig retries the TC answer over TCP and gets all 40 strings" 40 \
        "$(d +short big.example TXT | wc -l)"
    tcp=1
else
    pass "TCP # SKIP naru's stack has no TCP in this build (the ready line says so)"
    tcp=0
fi

naru_stop "$dnsd"
check_eq "SIGTERM stops dnsd --tap cleanly (143, by the signal)" 143 "$?"
log=$(cat "$(naru_log "$dnsd")")
check_match "the server's counters are printed on stop" "^naru dnsd: stopped\. " "$log"
check_match "the FORMERR is in the server's counters" "FORMERR 1," "$log"
check_ge "the stack counted the queries" 10 "$(naru_counter "$dnsd" dns_server_queries)"
check_eq "the stack counted one FORMERR" 1 "$(naru_counter "$dnsd" dns_server_formerr)"
check_ge "the stack counted the truncated replies" 1 "$(naru_counter "$dnsd" dns_server_truncated)"

# ---- 2. naru dig --tap, asking a server on the kernel side ------------------
tap_new "$ns" ntap1 198.18.1.1/24
naru_start kdnsd "$ns" dnsd --listen 198.18.1.1:53 "$DATA/example.zone"
tapdig() { in_ns "$ns" timeout -k 2 30 "$NARU" dig --tap ntap1 --addr 198.18.1.2/24 "$@" 2>&1; }
# Everything but the ID and the time taken is the same.
same() { sed -E -e 's/id: [0-9]+/id: ID/' -e 's/Query time: [0-9]+ msec/Query time: T msec/'; }
for q in "www.example AAAA" "nope.example A" "chain1.example A" "a.sub.example A"; do
    # shellcheck disable=SC2086 # the question is two words
    check_eq "naru dig --tap prints what naru dig prints: $q" \
        "$(in_ns "$ns" "$NARU" dig @198.18.1.1 +time=2 +tries=1 $q 2>&1 | same)" \
        "$(tapdig @198.18.1.1 +time=2 +tries=1 $q | same)"
done
check_eq "naru dig --tap +short" "192.0.2.25" "$(tapdig @198.18.1.1 mail.example +short)"
if [ "$tcp" -eq 1 ]; then
    check_eq "naru dig --tap follows TC to TCP" 40 "$(tapdig @198.18.1.1 big.example TXT +short | wc -l)"
    check_match "naru dig --tap +tcp" '\(TCP\)' "$(tapdig @198.18.1.1 +tcp example SOA)"
else
    out=$(tapdig @198.18.1.1 big.example TXT)
    check_match "naru dig --tap without TCP says it could not retry over TCP" \
        "^;; communications error to 198\.18\.1\.1#53: Protocol not supported" "$out"
fi
out=$(tapdig @198.18.1.1:5399 +time=5 www.example)
status=$?
check_eq "naru dig --tap to a closed port: exit 1" 1 "$status"
check_match "... at once, from the ICMP port unreachable" \
    "^;; communications error to 198\.18\.1\.1#5399: Connection refused" "$out"

# SIGTERM while it waits for a server that is not there.
bg_start digpid "$ns" "$NARU" dig --tap ntap1 --addr 198.18.1.2/24 @198.18.1.77 +time=20 www.example
sleep 1
start=$SECONDS
proc_stop "$digpid"
status=$?
check_eq "SIGTERM ends naru dig --tap cleanly (143, by the signal)" 143 "$status"
check_ge "... within 2 seconds" 0 "$((2 - (SECONDS - start)))"
naru_stop "$kdnsd"

# ---- 3. the same over IPv6 --------------------------------------------------
ns_ipv6_on "$ns"
tap_new "$ns" ntap2 198.18.2.1/24
in_ns "$ns" ip addr add 2001:db8:2::1/64 dev ntap2 nodad || die "cannot add 2001:db8:2::1"
naru_start dnsd6 "$ns" dnsd --tap ntap2 --addr 198.18.2.2/24 --addr 2001:db8:2::2/64 "$DATA/example.zone"
check_match "dnsd --tap with both families listens on each --addr" \
    '^naru dnsd: ready: 1 zone on 198\.18\.2\.2:53 \[2001:db8:2::2\]:53 via ntap2 ' \
    "$(grep ': ready' "$(naru_log "$dnsd6")")"
check_eq "dig -6 over naru's UDP/IPv6" "192.0.2.80 192.0.2.81" \
    "$(in_ns "$ns" dig -6 @2001:db8:2::2 +norec +time=2 +tries=1 +short www.example A 2>&1 | sort | xargs)"
check_eq "dig -6 +tcp over naru's TCP/IPv6" "2001:db8::54" \
    "$(in_ns "$ns" dig -6 @2001:db8:2::2 +tcp +norec +time=2 +tries=1 +short ns2.example AAAA 2>&1)"
check_eq "and over IPv4 still" "192.0.2.25" \
    "$(in_ns "$ns" dig -4 @198.18.2.2 +norec +time=2 +tries=1 +short mail.example A 2>&1)"
naru_stop "$dnsd6"
check_eq "SIGTERM stops the dual-stack dnsd --tap (143)" 143 "$?"

tap_new "$ns" ntap3 "" ""
in_ns "$ns" ip addr add 2001:db8:3::1/64 dev ntap3 nodad || die "cannot add 2001:db8:3::1"
naru_start kdnsd6 "$ns" dnsd --listen '[2001:db8:3::1]:53' "$DATA/example.zone"
out=$(in_ns "$ns" timeout -k 2 30 "$NARU" dig --tap ntap3 --addr 2001:db8:3::2/64 @2001:db8:3::1 +time=2 \
    +tries=1 www.example AAAA 2>&1)
check_match "naru dig --tap asks an IPv6 server through naru's stack" \
    '^www\.example\.\s+3600\s+IN\s+AAAA\s+2001:db8::80' "$out"
check_match "... and says whom it asked" 'SERVER: 2001:db8:3::1#53' "$out"
naru_stop "$kdnsd6"

# ---- the command line -------------------------------------------------------
"$NARU" dnsd --tap ntap9 "$DATA/example.zone" 2>"$WORK/e1"
check_eq "dnsd --tap without --addr: exit 2" 2 "$?"
check_eq "... and one line" 1 "$(wc -l <"$WORK/e1")"
"$NARU" dnsd --tap ntap9 --addr 198.18.9.2/24 --listen '[::1' "$DATA/example.zone" 2>/dev/null
check_eq "dnsd --tap with a bad listen address: exit 2" 2 "$?"
"$NARU" dig --addr 198.18.9.2/24 www.example >/dev/null 2>&1
check_eq "dig --addr without --tap: exit 2" 2 "$?"

finish
