#!/usr/bin/env bash
# naru's stub resolver, in the tools on TAP, against NSD running in the
# test's namespace: names in naru ping and naru traceroute through --dns
# (with a port, and after a dead server), CNAME chains, NXDOMAIN and NODATA
# in the usual tools' words, a truncated answer asked again over TCP, the hosts table first (--hosts, /etc/hosts),
# and /etc/resolv.conf's nameserver and search lines when --dns is not
# given (the namespace's own, through ip-netns's /etc/netns/NAME/); and
# all of it over IPv6 too: NSD asked at an IPv6 address (--dns [V6]),
# AAAA answers pinged over ICMPv6, IPv6 first for a name of both families.
# usage: test_dns_resolver_nsd.sh NARU_BINARY
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nsd dig timeout

ns_new ns
# ip netns exec shows /etc/netns/NS/FILE as /etc/FILE inside NS: the test's
# own resolv.conf and hosts, never the machine's. Removed on every exit.
ETC=/etc/netns/$ns
NETNS_ETC_OURS=0
[ -d /etc/netns ] || NETNS_ETC_OURS=1
trap '_s=$?; rm -rf "$ETC"; [ "$NETNS_ETC_OURS" -eq 1 ] && rmdir /etc/netns 2>/dev/null
      (exit $_s); _interop_cleanup' EXIT

ns_ipv6_on "$ns"
tap_new "$ns" ntap2 198.18.2.1/24
in_ns "$ns" ip addr add 2001:db8:2::1/64 dev ntap2 nodad || die "cannot add 2001:db8:2::1 to ntap2"
cat >"$WORK/interop.zone" <<'ZONE'
$ORIGIN interop.test.
$TTL 300
@       SOA   ns hostmaster 1 3600 600 86400 60
        NS    ns
ns      A     198.18.2.1
linux   A     198.18.2.1
alias   CNAME linux
chain   CNAME alias
v6only  AAAA  2001:db8::1
linux6  AAAA  2001:db8:2::1
both    A     198.18.2.1
        AAAA  2001:db8:2::1
ZONE
# 120 addresses: about 2 kB, more than fits in the resolver's 1232 bytes of
# UDP, so NSD sets TC and the resolver must ask again over TCP.
for i in $(seq 1 120); do echo "many A 198.18.3.$i"; done >>"$WORK/interop.zone"
cat >"$WORK/nsd.conf" <<CONF
server:
    ip-address: 198.18.2.1@53
    ip-address: 198.18.2.1@5353
    ip-address: 2001:db8:2::1@53
    username: ""
    chroot: ""
    zonesdir: "$WORK"
    database: ""
    pidfile: "$WORK/nsd.pid"
    xfrdfile: "$WORK/xfrd.state"
    zonelistfile: "$WORK/zone.list"
    xfrdir: "$WORK"
    logfile: "$WORK/nsd.log"
    server-count: 1
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: interop.test
    zonefile: interop.zone
CONF
# -d: NSD stays in the foreground, so its PID is ours to stop (its server
# child follows it; anything left in the namespace is ended by PID too).
bg_start nsd "$ns" nsd -d -c "$WORK/nsd.conf"
wait_until 10 in_ns "$ns" dig @198.18.2.1 +time=1 +tries=1 +short interop.test SOA ||
    die "NSD did not answer: $(cat "$(bg_log "$nsd")" "$WORK/nsd.log" 2>/dev/null)"
pass "NSD answers in the namespace"

TAP=(--tap ntap2 --addr 198.18.2.2/24)
run() { in_ns "$ns" timeout -k 2 60 "$NARU" "$@" 2>&1; }
nping() { run ping "${TAP[@]}" -c 1 -W 2 "$@"; }

out=$(nping --dns 198.18.2.1 linux.interop.test)
check_eq "naru ping resolves a name through NSD (exit 0)" 0 "$?"
check_match "... and pings its address" '^PING linux\.interop\.test \(198\.18\.2\.1\)' "$out"
check_match "... which answers" '^1 packets transmitted, 1 received' "$out"

out=$(nping --dns 198.18.2.1 chain.interop.test)
check_match "a CNAME chain is followed to the address" '^PING chain\.interop\.test \(198\.18\.2\.1\)' "$out"

out=$(nping --dns 198.18.2.1:5353 alias.interop.test)
check_match "--dns with a port" '^PING alias\.interop\.test \(198\.18\.2\.1\)' "$out"

out=$(nping --dns 198.18.2.99 --dns 198.18.2.1 linux.interop.test)
check_match "a dead first server is passed over for the next" '^1 packets transmitted, 1 received' "$out"

out=$(nping --dns 198.18.2.1 nosuch.interop.test)
check_eq "NXDOMAIN: exit 2, as iputils ping" 2 "$?"
check_eq "... in ping's words" "naru ping: nosuch.interop.test: Name or service not known" "$out"

out=$(nping -4 --dns 198.18.2.1 v6only.interop.test)
check_eq "ping -4 of a name with no IPv4 address: exit 2, as iputils ping" 2 "$?"
check_eq "... in ping's words" "naru ping: v6only.interop.test: No address associated with hostname" "$out"

out=$(nping --dns 198.18.2.1 many.interop.test)
if grep -q "Answer too large for UDP, and this stack has no TCP" <<<"$out"; then
    pass "a truncated answer is asked again over TCP # SKIP naru's stack has no TCP in this build"
else
    check_match "a truncated answer is asked again over TCP" \
        '^PING many\.interop\.test \(198\.18\.3\.[0-9]+\)' "$out"
fi

out=$(run traceroute "${TAP[@]}" --dns 198.18.2.1 -m 2 alias.interop.test)
check_match "naru traceroute resolves names too" '^traceroute to alias\.interop\.test \(198\.18\.2\.1\)' "$out"

out=$(run dig "${TAP[@]}" @198.18.2.1 chain.interop.test +short | xargs)
check_eq "naru dig --tap gets NSD's CNAME chain" "alias.interop.test. linux.interop.test. 198.18.2.1" "$out"

# Over IPv6: NSD asked at its IPv6 address, AAAA answers pinged.
TAP6=(--tap ntap2 --addr 198.18.2.2/24 --addr 2001:db8:2::2/64)
out=$(run ping "${TAP6[@]}" -c 1 -W 2 --dns '[2001:db8:2::1]' linux6.interop.test)
check_match "a name's AAAA, asked of NSD over IPv6 (--dns [V6])" '^PING linux6\.interop\.test \(2001:db8:2::1\)' "$out"
check_match "... pinged over ICMPv6" '^1 packets transmitted, 1 received' "$out"
out=$(run ping "${TAP6[@]}" -c 1 -W 2 --dns 2001:db8:2::1 both.interop.test)
check_match "a name of both families: IPv6 first, as the host has an IPv6 address" \
    '^PING both\.interop\.test \(2001:db8:2::1\)' "$out"
out=$(run ping "${TAP6[@]}" -4 -c 1 -W 2 --dns 2001:db8:2::1 both.interop.test)
check_match "... IPv4 with -4" '^PING both\.interop\.test \(198\.18\.2\.1\)' "$out"
out=$(nping --dns 198.18.2.1 both.interop.test)
check_match "... and IPv4 first on a host with no IPv6 address beyond link-local (RFC 6724)" \
    '^PING both\.interop\.test \(198\.18\.2\.1\)' "$out"
out=$(run dig "${TAP6[@]}" @2001:db8:2::1 linux6.interop.test AAAA +short)
check_eq "naru dig --tap asks NSD over IPv6" "2001:db8:2::1" "$out"

# The hosts table comes first: with only a dead server, a name there
# resolves, and at once.
printf '# test hosts\n198.18.2.1   fromhosts  other.alias\n' >"$WORK/hosts"
start=$SECONDS
out=$(nping --dns 198.18.2.99 --hosts "$WORK/hosts" other.alias)
check_match "--hosts answers before DNS" '^PING other\.alias \(198\.18\.2\.1\)' "$out"
check_ge "... without waiting for the dead server" 0 "$((3 - (SECONDS - start)))"
printf '198.18.2.1 fine\nnot-an-address name\n' >"$WORK/bad-hosts"
out=$(nping --hosts "$WORK/bad-hosts" linux.interop.test)
check_eq "a bad --hosts file: exit 2" 2 "$?"
check_eq "... naming the file, line and problem" \
    "naru ping: $WORK/bad-hosts:2: bad address 'not-an-address'" "$out"

# No --dns: the namespace's resolv.conf (a nameserver and a search list)
# and its /etc/hosts.
mkdir -p "$ETC" || die "cannot create $ETC"
printf '# naru test\nnameserver 2001:db8::53\nnameserver 198.18.2.1\nsearch example.invalid interop.test\n' \
    >"$ETC/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n198.18.2.1 etc-hosts-name\n' >"$ETC/hosts"
out=$(nping linux)
check_match "resolv.conf: its IPv4 nameserver and its search list" '^PING linux \(198\.18\.2\.1\)' "$out"
out=$(nping etc-hosts-name)
check_match "/etc/hosts when --hosts is not given" '^PING etc-hosts-name \(198\.18\.2\.1\)' "$out"
out=$(nping nosuch)
check_eq "a bare name found under no search domain: Name or service not known" \
    "naru ping: nosuch: Name or service not known" "$out"

proc_stop "$nsd"
check_eq "NSD stopped cleanly" 0 "$?"
finish
