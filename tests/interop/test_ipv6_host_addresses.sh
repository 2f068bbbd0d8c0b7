#!/usr/bin/env bash
# naru host with addresses of both families on one TAP device (--addr
# given twice) and a default gateway for each (--gw twice): its ready line
# names every address, the link-local one too; Linux pings it over IPv6
# and IPv4; nc -6 reaches its echo service over TCP (a half-close, and
# 1 MB both ways) and UDP, on the same dual-stack sockets as nc -4; a ping
# from an address off the link is answered through each gateway. Then an
# IPv6-only host whose gateway is a link-local address, as routers'
# addresses are.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping nc sha256sum timeout

NARU_MAC=02:00:5e:12:00:02
NARU_LL=fe80::5eff:fe12:2 # fe80:: and the MAC's modified EUI-64 (RFC 4291 Appendix A)

ns_new ns v6host
ns_ipv6_on "$ns"
tap_new "$ns" v6h0 198.18.0.1/24
in_ns "$ns" ip addr add 2001:db8::1/64 dev v6h0 nodad || die "cannot add 2001:db8::1 to v6h0"
in_ns "$ns" ip addr add fe80::1/64 dev v6h0 nodad || die "cannot add fe80::1 to v6h0"
# Addresses off the TAP's link, on the Linux side: naru reaches them only
# through its gateways.
in_ns "$ns" ip addr add 2001:db8:ff::1/128 dev lo || die "cannot add 2001:db8:ff::1 to lo"
in_ns "$ns" ip addr add 198.19.0.1/32 dev lo || die "cannot add 198.19.0.1 to lo"

naru_start naru "$ns" host --tap v6h0 --addr 198.18.0.2/24 --addr 2001:db8::2/64 --gw 198.18.0.1 \
    --gw 2001:db8::1 --mac "$NARU_MAC" --serve echo
ready=$(grep ': ready' "$(naru_log "$naru")")
check_match "the ready line names both addresses, the link-local one and both gateways" \
    "^naru host: ready on v6h0 as 198\.18\.0\.2/24, $NARU_LL/64, 2001:db8::2/64 via 198\.18\.0\.1, 2001:db8::1, " \
    "$ready"

out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 2001:db8::2 2>&1)
check_match "ping -6 of naru's global address is answered" '^2 packets transmitted, 2 received' "$out"
out=$(in_ns "$ns" ping -c 2 -i 0.2 -W 2 198.18.0.2 2>&1)
check_match "and ping of its IPv4 address, on the same interface" '^2 packets transmitted, 2 received' "$out"
out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 -I 2001:db8:ff::1 2001:db8::2 2>&1)
check_match "a ping -6 from off the link is answered through the IPv6 gateway" \
    '^2 packets transmitted, 2 received' "$out"
out=$(in_ns "$ns" ping -c 2 -i 0.2 -W 2 -I 198.19.0.1 198.18.0.2 2>&1)
check_match "and a ping from off the link through the IPv4 gateway" '^2 packets transmitted, 2 received' "$out"

out=$(printf 'over six\n' | in_ns "$ns" timeout 10 nc -6 -N 2001:db8::2 7 2>&1)
check_eq "nc -6 to naru's TCP echo: the line comes back after nc's half-close" "over six" "$out"
out=$(printf 'over four\n' | in_ns "$ns" timeout 10 nc -4 -N 198.18.0.2 7 2>&1)
check_eq "nc -4 to the same echo service" "over four" "$out"
out=$(printf 'datagram\n' | in_ns "$ns" timeout 5 nc -6 -u -w 1 2001:db8::2 7 2>&1)
check_eq "nc -6 -u to naru's UDP echo: the datagram comes back" "datagram" "$out"
head -c 1000000 /dev/urandom >"$WORK/one.bin"
in_ns "$ns" timeout 30 nc -6 -N 2001:db8::2 7 <"$WORK/one.bin" >"$WORK/one.back"
check_eq "1 MB through naru's echo over IPv6 comes back the same, then naru closes too" \
    "$(sha256sum <"$WORK/one.bin" | cut -d' ' -f1)" "$(sha256sum <"$WORK/one.back" | cut -d' ' -f1)"
check_eq "Linux holds no connection to naru open any more" "" \
    "$(in_ns "$ns" ss -Htn state established '( dport = :7 )')"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_ge "naru answered Linux's neighbour solicitations" 1 "$(naru_counter "$naru" ndp_tx_na)"
for c in ip6_rx_header_errors ip6_rx_length_errors icmp6_rx_malformed ndp_rx_invalid tcp_rx_malformed; do
    check_eq "nothing Linux sent was dropped as malformed ($c)" 0 "$(naru_counter "$naru" "$c")"
done

# IPv6 alone, the gateway a link-local address.
naru_start naru "$ns" host --tap v6h0 --addr 2001:db8::2/64 --gw fe80::1 --mac "$NARU_MAC" --serve echo
ready=$(grep ': ready' "$(naru_log "$naru")")
check_match "an IPv6-only host's ready line: its addresses and the link-local gateway" \
    "^naru host: ready on v6h0 as 2001:db8::2/64, $NARU_LL/64 via fe80::1, " "$ready"
out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 -I 2001:db8:ff::1 2001:db8::2 2>&1)
check_match "a ping -6 from off the link is answered through the link-local gateway" \
    '^2 packets transmitted, 2 received' "$out"
out=$(printf 'only six\n' | in_ns "$ns" timeout 10 nc -6 -N 2001:db8::2 7 2>&1)
check_eq "nc -6 to the IPv6-only host's echo" "only six" "$out"
check_fails "the IPv6-only host has no IPv4 address to ping" in_ns "$ns" ping -c 1 -W 1 198.18.0.2
naru_stop "$naru"
check_eq "the IPv6-only host ends by SIGTERM (143)" 143 "$?"
finish
