#!/usr/bin/env bash
# naru host as the IPv6 router of its TAP link (--advertise), the mirror
# of test_ipv6_slaac_radvd.sh: Linux, accepting router advertisements,
# forms an address in the advertised prefix (SLAAC, RFC 4862), has the
# prefix on-link and pings naru at PREFIX::1, the address naru host takes
# when no --addr is in the prefix. naru advertises itself as no default
# router (router lifetime 0: it forwards nothing), so Linux gets no default
# route through it. tcpdump's capture of Linux's side, read by tshark: the
# advertisements come from naru's link-local address with hop limit 255
# and the prefix's L and A flags; a router solicitation from Linux (the
# device brought down and up again) is answered well before the next
# unsolicited advertisement (RFC 4861 6.2.6); after SIGTERM a last
# advertisement deprecates the prefix (6.2.5) and Linux's address is
# deprecated. Usage errors of --advertise exit 2 naming flag and value.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping tcpdump tshark

PREFIX=2001:db8:77::
TAP=radv0

# usage_error WHAT PATTERN ARGS...: naru host exits 2 with one line matching.
usage_error() {
    local what=$1 pattern=$2 status
    shift 2
    "$NARU" host --tap "$TAP" "$@" >/dev/null 2>"$WORK/err"
    status=$?
    check_eq "$what: exit 2" 2 "$status"
    check_match "$what: one line naming the flag and the value" "$pattern" "$(cat "$WORK/err")"
}
usage_error "--advertise of an IPv4 prefix" "^naru host: --advertise 198.18.0.0/24: not IPv6" \
    --advertise 198.18.0.0/24
usage_error "--advertise of a /48" "^naru host: --advertise 2001:db8::/48: not a /64" --advertise 2001:db8::/48
usage_error "--advertise of a /128" "^naru host: --advertise 2001:db8::1/128: not a /64" --advertise 2001:db8::1/128
usage_error "--advertise of a link-local prefix" "^naru host: --advertise fe80::/64: the link-local prefix" \
    --advertise fe80::/64
usage_error "--advertise of a multicast prefix" "^naru host: --advertise ff02::/64: a multicast prefix" \
    --advertise ff02::/64
usage_error "--advertise with bits past the /64" \
    "^naru host: --advertise 2001:db8::1/64: bits set past the /64 \\(meant 2001:db8::/64\\?\\)" \
    --advertise 2001:db8::1/64
usage_error "--advertise of no prefix" "^naru host: --advertise nonsense: not a prefix" --advertise nonsense
usage_error "--advertise twice" "^naru host: --advertise 2001:db8:1::/64: given twice" \
    --advertise 2001:db8:1::/64 --advertise 2001:db8:1::/64
usage_error "a fifth --advertise" "^naru host: --advertise 2001:db8:5::/64: too many: at most 4" \
    --advertise 2001:db8:1::/64 --advertise 2001:db8:2::/64 --advertise 2001:db8:3::/64 \
    --advertise 2001:db8:4::/64 --advertise 2001:db8:5::/64

ns_new ns radv
ns_ipv6_on "$ns"
tap_new "$ns" "$TAP"
# Linux's side as a host taking advertisements (accept_ra 2: even were it
# forwarding), forming addresses from them, and soliciting them when the
# link comes up (ns_ipv6_on turned solicitations off for new devices).
in_ns "$ns" sysctl -qw "net.ipv6.conf.$TAP.accept_ra=2" "net.ipv6.conf.$TAP.autoconf=1" \
    "net.ipv6.conf.$TAP.router_solicitations=3" || die "cannot make $TAP take router advertisements"
pcap_capture_start cap "$ns" "$TAP" "$WORK/linux.pcap"

naru_start naru "$ns" host --tap "$TAP" --advertise "${PREFIX}/64" --serve echo
log=$(naru_log "$naru")
check_match "the ready line names the address naru host takes in the prefix" \
    "^naru host: ready on $TAP as .*${PREFIX}1/64" "$(cat "$log")"
# shellcheck disable=SC2317 # called through wait_until
advertising() { grep -q '^naru host: advertising ' "$log"; }
wait_until 10 advertising || die "naru host did not start advertising: $(cat "$log")"
naru_ll=$(sed -n 's/^naru host: advertising .* from \(fe80::[0-9a-f:]*\) .*/\1/p' "$log")
check_match "it advertises once its link-local address is ready, from that address" '^fe80::[0-9a-f:]+$' "$naru_ll"

# shellcheck disable=SC2317 # called through wait_until
linux_addr() { in_ns "$ns" ip -6 -o addr show dev "$TAP" scope global | grep -Eo "2001:db8:77:0:[0-9a-f:]+/64"; }
wait_until 10 linux_addr
check_match "Linux forms an address in the advertised prefix (SLAAC)" '^2001:db8:77:0:[0-9a-f:]+/64$' "$(linux_addr)"
check_match "Linux has the prefix on-link, learnt from the advertisement (it expires)" \
    "^2001:db8:77::/64 dev $TAP proto (kernel|ra) .*expires" "$(in_ns "$ns" ip -6 route show "${PREFIX}/64")"
check_eq "Linux has no default route through naru (router lifetime 0)" "" \
    "$(in_ns "$ns" ip -6 route show default)"

# The device down and up: Linux forgets its address and solicits again at
# once (its link-local address needs no DAD here). The first unsolicited
# advertisements are 16 s apart (RFC 4861 6.2.4), so one within 5 s of the
# solicitation is its answer (after at most MAX_RA_DELAY_TIME, or
# MIN_DELAY_BETWEEN_RAS after the last one).
in_ns "$ns" ip link set "$TAP" down && in_ns "$ns" ip link set "$TAP" up || die "cannot bring $TAP down and up"
wait_until 10 linux_addr
check_match "after a router solicitation Linux forms its address again" '^2001:db8:77:0:' "$(linux_addr)"

out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 "${PREFIX}1" 2>&1)
check_match "Linux pings naru at ${PREFIX}1" '^2 packets transmitted, 2 received' "$out"

stopped_at=$(date +%s.%N)
naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143)" 143 "$?"
check_match "and says it sent a last advertisement" \
    "^naru host: a last router advertisement deprecates ${PREFIX}/64" "$(cat "$log")"
# shellcheck disable=SC2317 # called through wait_until
deprecated() { in_ns "$ns" ip -6 -o addr show dev "$TAP" scope global | grep -q "2001:db8:77:.* deprecated"; }
wait_until 5 deprecated
check "Linux's address in the prefix is deprecated by the last advertisement" deprecated
check_eq "Linux still has no default route through naru" "" "$(in_ns "$ns" ip -6 route show default)"
sent=$(naru_counter "$naru" rd_tx_adverts)
check_ge "naru counted its advertisements: the first, the solicited one and the last" 3 "$sent"
check_ge "and the solicitation it answered" 1 "$(naru_counter "$naru" rd_rx_solicits)"

# The capture: the last advertisement may still be in tcpdump's buffer.
pcap=$WORK/linux.pcap
ra="icmpv6.type == 134 && ipv6.src == $naru_ll"
# shellcheck disable=SC2317 # called through wait_until
has_last() { [ "$(pcap_count "$pcap" "$ra && icmpv6.opt.prefix.preferred_lifetime == 0")" -ge 1 ]; }
wait_until 5 has_last
pcap_capture_stop "$cap" "$pcap"
check_eq "tshark finds nothing malformed or wrong in Linux's capture" "" "$(pcap_problems "$pcap")"
check_eq "every advertisement Linux saw is one naru counted" "$sent" "$(pcap_count "$pcap" "icmpv6.type == 134")"
check_eq "... all from naru's link-local address with hop limit 255 (RFC 4861 6.1.2)" "$sent" \
    "$(pcap_count "$pcap" "$ra && ipv6.hlim == 255 && ipv6.dst == ff02::1")"
check_eq "... each with the prefix, on-link (L) and autonomous (A)" "$sent" \
    "$(pcap_count "$pcap" "$ra && icmpv6.opt.prefix == $PREFIX && icmpv6.opt.prefix.length == 64 &&
        icmpv6.opt.prefix.flag.l == 1 && icmpv6.opt.prefix.flag.a == 1")"
check_eq "... and router lifetime 0" "$sent" "$(pcap_count "$pcap" "$ra && icmpv6.nd.ra.router_lifetime == 0")"
check_eq "... lifetimes as radvd's (valid 1 day, preferred 4 hours) but in the last" "$((sent - 1))" \
    "$(pcap_count "$pcap" "$ra && icmpv6.opt.prefix.valid_lifetime == 86400 &&
        icmpv6.opt.prefix.preferred_lifetime == 14400")"
last=$(tshark_read "$pcap" -Y "$ra && icmpv6.opt.prefix.preferred_lifetime == 0" -T fields \
    -e frame.time_epoch -e icmpv6.opt.prefix.valid_lifetime 2>/dev/null)
check_match "the last one, after SIGTERM: preferred 0, valid 2 hours (RFC 4862 5.5.3 e)" $'^[0-9.]+\t7200$' "$last"
check_eq "... sent once naru host was told to stop" 1 \
    "$(awk -v t="$stopped_at" '$1 > t { n++ } END { print n + 0 }' <<<"$last")"
# Each router solicitation Linux sent once naru advertised, and how soon an
# advertisement (not the last one, after SIGTERM) followed it. naru host
# solicits too, as every interface coming up does: not its own.
rs="icmpv6.type == 133 && !(ipv6.src == $naru_ll) && !(ipv6.src == ::)"
answers=$(tshark_read "$pcap" -Y "($rs) || ($ra && !(icmpv6.opt.prefix.preferred_lifetime == 0))" -T fields \
    -e frame.time_relative -e icmpv6.type 2>/dev/null |
    awk '$2 == 134 { if (rs != "") print $1 - rs; rs = ""; seen = 1 } $2 == 133 && seen { rs = $1 }')
note "advertisements after Linux's solicitations, seconds later: $(tr '\n' ' ' <<<"$answers")"
check_match "a solicitation from Linux is answered within 5 s (RFC 4861 6.2.6)" '^[0-4](\.[0-9]+)?$' "$answers"

# An --addr in the prefix is naru's address there: it takes no ::1.
naru_start naru2 "$ns" host --tap "$TAP" --addr 2001:db8:77::5/64 --advertise "${PREFIX}/64"
ready=$(grep '^naru host: ready' "$(naru_log "$naru2")")
check_match "with an --addr in the prefix, that is naru's address there" "2001:db8:77::5/64" "$ready"
check_no_match "... and it takes no ${PREFIX}1" "${PREFIX}1/" "$ready"
naru_stop "$naru2"
finish
