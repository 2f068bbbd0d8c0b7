#!/usr/bin/env bash
# Linux as an IPv6 router with radvd, naru host autoconfiguring from its
# advertisements (RFC 4862 SLAAC, RFC 4861 router discovery) with no
# --addr at all: naru host says its new address (tentative during duplicate
# address detection, then preferred) on a line of its own; Linux pings
# it there and reaches its echo service; and naru answers a ping from off
# the link through the router the advertisement named. tshark finds the
# capture clean.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" radvd ping nc timeout tshark

ns_new ns v6slaac
ns_ipv6_on "$ns"
in_ns "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1 || die "cannot turn forwarding on"
tap_new "$ns" v6s0 198.18.0.1/24
in_ns "$ns" ip addr add 2001:db8:5::1/64 dev v6s0 nodad || die "cannot add 2001:db8:5::1"
in_ns "$ns" ip addr add 2001:db8:ff::1/128 dev lo || die "cannot add 2001:db8:ff::1"
cat >"$WORK/radvd.conf" <<EOF
interface v6s0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    prefix 2001:db8:5::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF

naru_start naru "$ns" host --tap v6s0 --serve echo --pcap "$WORK/slaac.pcap" --no-offload
# radvd after naru: its first advertisements go out at once (RFC 4861 6.2.4).
bg_start ra "$ns" radvd -n -m stderr -C "$WORK/radvd.conf" -p "$WORK/radvd.pid"
log=$(naru_log "$naru")
# shellcheck disable=SC2317 # called through wait_until
preferred() { grep -Eq 'addresses now .*2001:db8:5:[0-9a-f:]+/64 \(SLAAC\)' "$log"; }
wait_until 20 preferred || die "naru formed no SLAAC address: $(cat "$log")"
check_match "naru host says the address SLAAC formed, tentative first (duplicate address detection)" \
    '^naru host: addresses now .*2001:db8:5:[0-9a-f:]+/64 \(tentative\) \(SLAAC\)' "$(cat "$log")"
check_match "... then preferred" '^naru host: addresses now .*2001:db8:5:[0-9a-f:]+/64 \(SLAAC\)' "$(cat "$log")"
addr=$(grep -Eo '2001:db8:5:[0-9a-f:]+/64 \(SLAAC\)' "$log" | tail -1 | cut -d/ -f1)
note "naru's SLAAC address: $addr"
check_match "... an address of the advertised prefix with an interface identifier of its own" \
    '^2001:db8:5:0:[0-9a-f:]+$' "$addr"

out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 "$addr" 2>&1)
check_match "Linux pings naru at its SLAAC address" '^2 packets transmitted, 2 received' "$out"
out=$(printf 'autoconfigured\n' | in_ns "$ns" timeout 10 nc -6 -N "$addr" 7 2>&1)
check_eq "nc -6 reaches naru's echo there" "autoconfigured" "$out"
out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 -I 2001:db8:ff::1 "$addr" 2>&1)
check_match "a ping from off the link is answered through the advertising router" \
    '^2 packets transmitted, 2 received' "$out"

proc_stop "$ra"
naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143)" 143 "$?"
check_ge "naru took the router advertisements in" 1 "$(naru_counter "$naru" rd_rx_adverts)"
check_eq "and formed one address from them" 1 "$(naru_counter "$naru" addrconf_slaac_formed)"
check_eq "tshark finds nothing malformed or wrong in the capture" "" "$(pcap_problems "$WORK/slaac.pcap")"
check_ge "the capture holds naru's duplicate address detection (NS from ::)" 1 \
    "$(pcap_count "$WORK/slaac.pcap" 'icmpv6.type == 135 && ipv6.src == ::')"
rm -f "$WORK/slaac.pcap"
finish
