#!/usr/bin/env bash
# A malformed address is a usage error (one line naming it, exit 2) in
# every command, as iputils and CLI.md say, and is never looked up as a
# name. A name that does not resolve is exit 2 for ping and traceroute
# (as iputils ping and traceroute), 1 for nc and fetch (a network
# failure). A gateway off the host's own network (either family) is a
# usage error too, and so are addresses an interface cannot have.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}

# usage_error WHAT PATTERN CMD...: exit 2 and one stderr line matching.
usage_error() {
    local what=$1 pattern=$2 status
    shift 2
    "$NARU" "$@" >/dev/null 2>"$WORK/err"
    status=$?
    check_eq "$what: exit 2" 2 "$status"
    check_match "$what: says so" "$pattern" "$(cat "$WORK/err")"
    check_eq "$what: in one line" 1 "$(wc -l <"$WORK/err")"
}

usage_error "ping 999.1.1.1" "^naru ping: bad address '999.1.1.1'$" ping 999.1.1.1
usage_error "ping 10.1" "^naru ping: bad address '10.1'$" ping 10.1
usage_error "ping 1::2::3" "^naru ping: bad address '1::2::3'$" ping 1::2::3
usage_error "traceroute 300.1.1.1" "^naru traceroute: bad address '300.1.1.1'$" traceroute 300.1.1.1
usage_error "nc 1.2.3.4.5" "^naru nc: bad address '1.2.3.4.5'$" nc 1.2.3.4.5 7
usage_error "fetch http://999.1.1.1/" "^naru fetch: bad address '999.1.1.1'$" fetch http://999.1.1.1/
usage_error "an IPv6 address, which the tools do not speak yet" "IPv4 only" ping 2001:db8::1
usage_error "dig @999.1.1.1" "^naru dig: bad server address '999.1.1.1'$" dig @999.1.1.1 www.example
usage_error "dig -x 999.1.1.1" "^naru dig: bad address '999.1.1.1' for -x$" dig -x 999.1.1.1
usage_error "--gw 1.2.3" "^naru ping: bad gateway '1.2.3'" ping --tap t0 --addr 198.18.0.2/24 --gw 1.2.3 server
usage_error "--addr 198.18.0.256/24" "^naru host: bad address '198.18.0.256/24'" host --tap t0 --addr 198.18.0.256/24
usage_error "--dns 10.0.0" "^naru ping: bad name server '10.0.0'" ping --dns 10.0.0 server
usage_error "dnsd --listen 127.0.0.300:53" "^naru dnsd: bad listen address '127.0.0.300:53'" \
    dnsd --listen 127.0.0.300:53 "$src/tests/data/dns/example.zone"
usage_error "host --gw off the host's network" \
    "^naru host: the gateway 9.9.9.9 is not on this host's network 198.18.0.0/24" \
    host --tap t0 --gw 9.9.9.9 --addr 198.18.0.2/24
usage_error "host --gw its own address" "^naru host: the gateway 198.18.0.2 is this host's own address" \
    host --tap t0 --gw 198.18.0.2 --addr 198.18.0.2/24
usage_error "host --gw off the host's IPv6 network" \
    "^naru host: the gateway 2001:db8:1::1 is not on this host's network 2001:db8::/64 \\(--addr 2001:db8::2/64\\)$" \
    host --tap t0 --addr 198.18.0.2/24 --addr 2001:db8::2/64 --gw 2001:db8:1::1
usage_error "host --gw its own IPv6 address" "^naru host: the gateway 2001:db8::2 is this host's own address" \
    host --tap t0 --addr 2001:db8::2/64 --gw 2001:db8::2
usage_error "host --gw IPv6 without an IPv6 --addr" \
    "^naru host: the gateway 2001:db8::1 is IPv6, and this host has no IPv6 --addr$" \
    host --tap t0 --addr 198.18.0.2/24 --gw 2001:db8::1
usage_error "host --addr IPv4 twice" "^naru host: --addr 198.18.0.3/24: the interface has one IPv4 address" \
    host --tap t0 --addr 198.18.0.2/24 --addr 198.18.0.3/24
usage_error "host --gw twice for one family" "^naru host: --gw 2001:db8::3: one default gateway for IPv6" \
    host --tap t0 --addr 2001:db8::2/64 --gw 2001:db8::1 --gw 2001:db8::3
usage_error "host --addr without a prefix length" "^naru host: bad address '2001:db8::2'" \
    host --tap t0 --addr 2001:db8::2
usage_error "host --addr multicast" "^naru host: bad address 'ff02::1/64'" host --tap t0 --addr ff02::1/64
usage_error "host --gw multicast" "^naru host: bad gateway 'ff02::2'" host --tap t0 --addr 2001:db8::2/64 --gw ff02::2

"$NARU" ping nosuch >/dev/null 2>"$WORK/err"
check_eq "ping of a name that does not resolve: exit 2, as iputils ping" 2 "$?"
check_eq "... in getaddrinfo's words" "naru ping: nosuch: Name or service not known" "$(cat "$WORK/err")"
"$NARU" traceroute nosuch >/dev/null 2>"$WORK/err"
check_eq "traceroute of a name that does not resolve: exit 2, as traceroute" 2 "$?"
"$NARU" nc nosuch 7 </dev/null >/dev/null 2>"$WORK/err"
check_eq "nc to a name that does not resolve: exit 1, a network failure" 1 "$?"
"$NARU" fetch -o "$WORK/x" http://nosuch/ 2>"$WORK/err"
check_eq "fetch of a name that does not resolve: exit 1" 1 "$?"
check_match "a name with digits is still a name" '1 received' \
    "$("$NARU" ping -c 1 --hosts <(echo '10.2.0.2 host1') host1 2>/dev/null)"
finish
