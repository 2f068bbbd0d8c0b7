#!/usr/bin/env bash
# naru's client tools over IPv6 on TAP, against Linux in a namespace:
# naru ping -6 (a 4000-byte echo fragmented both ways, and a link-local
# address with its zone); naru traceroute to an IPv6 address; naru nc both
# ways with a half-close (naru nc -l on both families at once); naru fetch
# from `python3 -m http.server --bind ::` by address in brackets (the Host
# header keeps them) and by a name that naru's resolver asks of a name
# server over IPv6 (--dns [V6]:PORT); and Happy Eyeballs (RFC 8305): a
# name whose IPv6 address never answers still connects, over IPv4, at
# once. tshark finds naru's capture clean.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" python3 ping nc ss sha256sum timeout tshark

KERNEL6=2001:db8::1
NARU6=2001:db8::2
NARU_MAC=02:00:5e:12:00:06
PORT=8000

ns_new ns v6tools
ns_ipv6_on "$ns"
tap_new "$ns" v6t0 198.18.0.1/24
in_ns "$ns" ip addr add "$KERNEL6/64" dev v6t0 nodad || die "cannot add $KERNEL6"
in_ns "$ns" ip addr add fe80::1/64 dev v6t0 nodad || die "cannot add fe80::1"

# naru ARGS...: a naru client on the TAP with both families, bounded in time.
naru() {
    local cmd=$1
    shift
    in_ns "$ns" timeout -k 2 60 "$NARU" "$cmd" --tap v6t0 --addr 198.18.0.2/24 --addr "$NARU6/64" \
        --mac "$NARU_MAC" "$@"
}

# ---- ping and traceroute ----------------------------------------------------
out=$(naru ping -c 3 -i 0.2 -W 2 "$KERNEL6" 2>&1)
check_eq "naru ping of an IPv6 address exits 0" 0 "$?"
check_match "ICMPv6 echo: 3 replies from Linux, hop limit 64" "^64 bytes from $KERNEL6: icmp_seq=3 ttl=64 " "$out"
check_match "... and iputils' header for IPv6 (56 + 8 + 40 bytes)" "^PING $KERNEL6 \($KERNEL6\) 56\(104\) bytes" "$out"
out=$(naru ping -c 2 -i 0.2 -W 2 -s 4000 "$KERNEL6" 2>&1)
check_match "4000-byte echoes, fragmented both ways, come back whole" \
    '^2 packets transmitted, 2 received, 0% packet loss' "$out"
out=$(naru ping -c 1 -W 2 fe80::1%v6t0 2>&1)
check_match "naru ping of a link-local address with its zone" "^64 bytes from fe80::1%v6t0: icmp_seq=1 " "$out"
out=$(naru traceroute -q 1 -w 2 "$KERNEL6" 2>&1)
check_match "naru traceroute to an IPv6 address: Linux is the first hop, and answers" "^ 1  $KERNEL6  " "$out"
check_match "... with 40 + 8 + 32 byte probes" "^traceroute to $KERNEL6 \($KERNEL6\), 30 hops max, 80 byte" "$out"

# ---- nc both ways, half-close -----------------------------------------------
bg_start lnc "$ns" timeout 20 nc -6 -l "$KERNEL6" 7000
wait_until 10 in_ns "$ns" sh -c "ss -tlnH 'sport = :7000' | grep -q ."
out=$(printf 'from naru\n' | naru nc -v "$KERNEL6" 7000 2>&1)
proc_wait "$lnc" 10
check_eq "Linux nc -6 -l got naru nc's line, and the half-close ended it" "from naru" "$(cat "$(bg_log "$lnc")")"
check_match "naru nc says it connected" "connected to $KERNEL6 port 7000" "$out"

bg_start nnc "$ns" timeout -k 2 30 "$NARU" nc -l -v --tap v6t0 --addr 198.18.0.2/24 --addr "$NARU6/64" \
    --mac "$NARU_MAC" 7001
# shellcheck disable=SC2317 # called through wait_until
said() { grep -q "$2" "$(bg_log "$1")"; }
wait_until 10 said "$nnc" 'listening on' || die "naru nc -l did not start: $(cat "$(bg_log "$nnc")")"
wait_until 10 in_ns "$ns" ping -6 -c 1 -W 1 "$NARU6" || die "naru nc -l is not reachable over IPv6"
printf 'from linux\n' | in_ns "$ns" timeout 10 nc -6 -N "$NARU6" 7001 >/dev/null
proc_wait "$nnc" 10
check_eq "naru nc -l (both families) takes Linux nc -6's connection and ends at its half-close" 0 "$?"
check_match "... the line arrived" '^from linux$' "$(cat "$(bg_log "$nnc")")"
check_match "... from Linux's IPv6 address" "connection from $KERNEL6 port" "$(cat "$(bg_log "$nnc")")"

# ---- fetch ------------------------------------------------------------------
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 5000000 /dev/urandom >"$WORK/www/five.bin" || die "cannot write test data"
bg_start web "$ns" python3 -m http.server "$PORT" --bind :: --directory "$WORK/www"
wait_until 10 in_ns "$ns" sh -c "ss -tlnH 'sport = :$PORT' | grep -q ." ||
    die "python3 -m http.server did not start: $(cat "$(bg_log "$web")")"
naru fetch -o "$WORK/got.bin" "http://[$KERNEL6]:$PORT/five.bin" 2>"$WORK/fetch.err"
check_eq "naru fetch of http://[$KERNEL6]:$PORT/ exits 0" 0 "$?"
check_eq "the 5 MB arrive whole (SHA-256)" "$(sha256sum <"$WORK/www/five.bin" | cut -d' ' -f1)" \
    "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)"
check_match "http.server logged the GET from naru's IPv6 address" "^$NARU6 .*\"GET /five.bin HTTP/1.1\" 200" \
    "$(cat "$(bg_log "$web")")"
rm -f "$WORK/got.bin"
proc_stop "$web"

# The Host header, as a server sees it: brackets, the port, no zone.
cat >"$WORK/host.py" <<'EOF'
import http.server, socket, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.headers.get("Host", "") + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
class S(http.server.HTTPServer):
    address_family = socket.AF_INET6
S(("::", int(sys.argv[1])), H).serve_forever()
EOF
bg_start hostsrv "$ns" python3 "$WORK/host.py" 8080
wait_until 10 in_ns "$ns" sh -c "ss -tlnH 'sport = :8080' | grep -q ." || die "the Host server did not start"
check_eq "the Host header of an IPv6 URL has the brackets and the port (RFC 9110 7.2)" "[$KERNEL6]:8080" \
    "$(naru fetch -o - "http://[$KERNEL6]:8080/" 2>/dev/null)"
check_eq "a link-local URL's zone (%25, RFC 6874) reaches the interface and stays out of Host" "[fe80::1]:8080" \
    "$(naru fetch -o - "http://[fe80::1%25v6t0]:8080/" 2>/dev/null)"

# A name, asked of naru dnsd over IPv6 by naru's resolver; both families.
cat >"$WORK/test.zone" <<EOF
\$ORIGIN test.
\$TTL 60
@    SOA ns hostmaster 1 3600 600 86400 60
     NS  ns
ns   AAAA $KERNEL6
web  A    198.18.0.1
     AAAA $KERNEL6
he   A    198.18.0.1
     AAAA 2001:db8::99
EOF
naru_start dnsd "$ns" dnsd --listen "[$KERNEL6]:5300" "$WORK/test.zone"
out=$(naru fetch --dns "[$KERNEL6]:5300" -o - "http://web.test:8080/" 2>&1)
check_match "fetch by a name naru's resolver asks of a server over IPv6 (--dns [V6]:PORT); Host keeps the name" \
    '^web\.test:8080$' "$out"
out=$(printf 'x\n' | naru nc -v -w 10 --dns "[$KERNEL6]:5300" web.test 8080 2>&1 >/dev/null)
check_match "nc by name connects over IPv6 first (Happy Eyeballs)" "connected to web.test port 8080 \($KERNEL6\)" "$out"
out=$(printf 'x\n' | naru nc -4 -v -w 10 --dns "[$KERNEL6]:5300" web.test 8080 2>&1 >/dev/null)
check_match "... and over IPv4 with -4" "connected to web.test port 8080 \(198\.18\.0\.1\)" "$out"
# he.test's AAAA is nobody: the IPv4 attempt starts 250 ms later and wins,
# long before the IPv6 one could time out.
start=$SECONDS
out=$(printf 'x\n' | naru nc -v -w 10 --dns "[$KERNEL6]:5300" he.test 8080 2>&1 >/dev/null)
check_match "a name whose IPv6 address never answers connects over IPv4 (RFC 8305 5)" \
    "connected to he.test port 8080 \(198\.18\.0\.1\)" "$out"
check "... within 3 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 3
naru_stop "$dnsd"
proc_stop "$hostsrv"

# ---- a capture of it, clean in tshark ---------------------------------------
naru ping -c 1 -W 2 -s 3000 --pcap "$WORK/six.pcap" "$KERNEL6" >/dev/null 2>&1
check_eq "tshark finds nothing malformed or wrong in naru's ping -6 capture" "" \
    "$(pcap_problems "$WORK/six.pcap")"
check_ge "the capture holds the fragments of both echoes" 4 "$(pcap_count "$WORK/six.pcap" 'ipv6.fraghdr')"
rm -f "$WORK/six.pcap"
finish
