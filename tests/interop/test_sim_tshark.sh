#!/usr/bin/env bash
# The captures the simulator writes (naru sim --pcap, naru demo --pcap, one
# file per link) are read cleanly by tshark: nothing malformed, no bad
# checksum or length (TCP's own analysis of losses and retransmissions
# aside: on lossy links those are the point; and downstream of a link that
# corrupts, routers rightly pass on datagrams whose UDP or TCP checksum the
# flipped bit broke); and one seed gives byte-identical captures, another
# seed different ones. Needs no root.
# usage: bash test_sim_tshark.sh PATH/TO/naru
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] && [ -x "$1" ] || { echo "usage: $0 PATH/TO/naru" >&2; exit 2; }
NARU=$(realpath "$1")
command -v tshark >/dev/null 2>&1 || skip "needs tshark (scripts/install-deps.sh installs it)"
"$NARU" sim --help >/dev/null 2>&1 || skip "naru has no sim command"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/naru-$INTEROP_NAME.XXXXXX") || { echo "Bail out! no work directory"; exit 1; }
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SCENARIOS=$NARU_ROOT/scenarios

# check_captures WHAT DIR [corrupting]: every pcap in DIR has frames and
# no problems; with "corrupting", bad checksums are expected.
check_captures() {
    local what=$1 dir=$2 f n problems filter='not tcp.analysis'
    [ "${3:-}" = corrupting ] &&
        filter="$filter"' && !(ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad" || icmp.checksum.status == "Bad")'
    for f in "$dir"/*.pcap; do
        [ -e "$f" ] || { fail "$what: no captures in $dir"; return; }
        n=$(tshark_read "$f" 2>/dev/null | wc -l)
        check_ge "$what: $(basename "$f") has frames" 1 "$n"
        problems=$(pcap_problems "$f" "$filter")
        check_eq "$what: tshark finds nothing malformed in $(basename "$f")" "" "$problems"
    done
}

# The first seconds are plenty for tshark: at 1 Gbit/s, or with four
# flows, a whole run's captures hold millions of frames.
limit_for() {
    case "$1" in
        long-fat-pipe) echo 2.5s ;;
        bottleneck) echo 8s ;;
        *) echo 300s ;;
    esac
}
for file in "$SCENARIOS"/*.ini; do
    name=$(basename "$file" .ini)
    mkdir -p "$WORK/$name"
    "$NARU" sim "$file" --seed 1 --pcap "$WORK/$name" --time-limit "$(limit_for "$name")" >"$WORK/$name.out" 2>&1
    status=$?
    # 1 is an application that failed (TCP-only parts before TCP exists);
    # 2 would be a scenario naru refuses, which no shipped one may be.
    if [ "$status" -le 1 ]; then pass "naru sim $name.ini runs"; else fail "naru sim $name.ini runs" "$(cat "$WORK/$name.out")"; fi
    corrupting=$(grep -Eq '^corrupt *=' "$file" && echo corrupting)
    check_captures "$name" "$WORK/$name" $corrupting
done

# dual-stack.ini speaks IPv6 in every form the stacks do: NDP (RS, RA,
# NS, NA), MLDv2 reports, ICMPv6 echo and time exceeded (traceroute), TCP
# over IPv6; every ICMPv6 and TCP-over-IPv6 checksum tshark checks is good.
v6count() { local f n=0; for f in "$WORK/dual-stack"/*.pcap; do n=$((n + $(pcap_count "$f" "$1"))); done; echo "$n"; }
for what in "router solicitation:icmpv6.type == 133" "router advertisement:icmpv6.type == 134" \
    "neighbour solicitation:icmpv6.type == 135" "neighbour advertisement:icmpv6.type == 136" \
    "MLDv2 report:icmpv6.type == 143" "echo request:icmpv6.type == 128" "echo reply:icmpv6.type == 129" \
    "time exceeded:icmpv6.type == 3" "TCP over IPv6:ipv6 && tcp" \
    "an ICMPv6 checksum checked good:icmpv6.checksum.status == \"Good\"" \
    "a TCP-over-IPv6 checksum checked good:ipv6 && tcp.checksum.status == \"Good\""; do
    check_ge "dual-stack captures hold $(echo "${what%%:*}")" 1 "$(v6count "${what#*:}")"
done
check_eq "dual-stack captures: no ICMPv6 or TCP-over-IPv6 checksum other than good" 0 \
    "$(v6count 'icmpv6.checksum.status != "Good" || (ipv6 && tcp && tcp.checksum.status != "Good")')"

check "naru demo writes its captures" "$NARU" demo --quiet --pcap "$WORK/demo"
check_captures demo "$WORK/demo"

# Determinism: the same seed twice, then another seed.
digest() { cat "$1"/*.pcap | sha256sum | cut -d' ' -f1; }
for run in a b; do
    "$NARU" sim "$SCENARIOS/lossy-wireless.ini" --seed 4 --pcap "$WORK/seed4$run" >/dev/null 2>&1
done
"$NARU" sim "$SCENARIOS/lossy-wireless.ini" --seed 5 --pcap "$WORK/seed5" >/dev/null 2>&1
check_eq "one seed gives byte-identical captures" "$(digest "$WORK/seed4a")" "$(digest "$WORK/seed4b")"
if [ "$(digest "$WORK/seed4a")" != "$(digest "$WORK/seed5")" ]; then
    pass "another seed gives other captures"
else
    fail "another seed gives other captures"
fi
finish
