#!/usr/bin/env bash
# A manual IPv6 address (--addr) that another node on the link already
# has: naru host's duplicate address detection (RFC 4862 5.4) finds Linux
# holding it, and naru host says so in a line of its own ("... is a
# duplicate ...: not used") instead of leaving it to be noticed missing
# from its next "addresses now" line. Its other address stays and answers.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping

TAP=radvdup0
ns_new ns radvdup
ns_ipv6_on "$ns"
tap_new "$ns" "$TAP"
in_ns "$ns" ip addr add 2001:db8:78::2/64 dev "$TAP" nodad || die "cannot add 2001:db8:78::2 to $TAP"

naru_start naru "$ns" host --tap "$TAP" --addr 2001:db8:78::2/64 --addr 2001:db8:78::3/64
log=$(naru_log "$naru")
# shellcheck disable=SC2317 # called through wait_until
said() { grep -q 'duplicate' "$log"; }
wait_until 10 said
check_match "naru host says Linux's address is a duplicate, not used" \
    '^naru host: 2001:db8:78::2/64 is a duplicate \(another node on the link has it, RFC 4862 5\.4\.5\): not used$' \
    "$(cat "$log")"
check_eq "... in one line, of that address alone" 1 "$(grep -c duplicate "$log")"
now=$(grep '^naru host: addresses now' "$log" | tail -n 1)
check_no_match "its next addresses line leaves it out" '2001:db8:78::2/' "$now"
check_match "... and keeps the other" '2001:db8:78::3/64' "$now"
out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 2001:db8:78::3 2>&1)
check_match "Linux pings naru at the other address" '^2 packets transmitted, 2 received' "$out"
naru_stop "$naru"
check_eq "naru counted the conflict" 1 "$(naru_counter "$naru" addrconf_dad_conflicts)"
finish
