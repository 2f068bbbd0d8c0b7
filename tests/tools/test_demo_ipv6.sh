#!/usr/bin/env bash
# naru demo --ipv6 (issue 11): each chapter's claims checked against the
# demo's own captures, read by tshark, for two seeds. Chapter 1: the
# link-local address the narration names was probed by DAD from :: to its
# solicited-node group, nobody answered, and the client's MLD report joins
# that group. Chapter 2: r1 advertised 2001:db8:1::/64, and the SLAAC
# address is that prefix plus the identifier the narration printed (and
# was itself probed by DAD). Chapter 3: on each link the neighbour
# solicitation (to the solicited-node group) and its advertisement come
# before the first echo request crosses it, and a unicast probe follows
# later. Chapter 4: the first echo request's hop limit falls by one per
# router, as the narration says. Chapter 5: the AAAA answer, and a TCP
# handshake to port 80, over IPv6. The captures are clean in tshark. Same
# seed, same output; Korean leaves no English narration; exit codes.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
command -v tshark >/dev/null || { echo "1..0 # SKIP tshark (scripts/install-deps.sh installs it)"; exit 77; }

run() {
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@"
}

# The IPv6 frames of a capture, one per line, '|' between fields: time,
# source, destination, hop limit, ICMPv6 type, NS target, NA target, MLD
# groups, RA prefix and its length, AAAA answers, TCP SYN, ACK, dst port.
frames() {
    tshark -r "$1" -Y ipv6 -T fields -E separator='|' -E aggregator=',' -e frame.time_relative \
        -e ipv6.src -e ipv6.dst -e ipv6.hlim -e icmpv6.type -e icmpv6.nd.ns.target_address \
        -e icmpv6.nd.na.target_address -e icmpv6.mldr.mar.multicast_address -e icmpv6.opt.prefix \
        -e icmpv6.opt.prefix.length -e dns.aaaa -e tcp.flags.syn -e tcp.flags.ack -e tcp.dstport 2>/dev/null
}
count() { awk -F'|' "$1 { n++ } END { print n + 0 }"; }
first() { awk -F'|' "$1 { print \$1; exit }"; }
# The solicited-node group of an IPv6 address (RFC 4291 2.7.1).
solicited() { python3 -c 'import ipaddress,sys; a=int(ipaddress.IPv6Address(sys.argv[1])); print(ipaddress.IPv6Address((0xff0200000000000000000001ff << 24) | (a & 0xffffff)))' "$1"; }
before() { python3 -c 'import sys; sys.exit(0 if sys.argv[1] and sys.argv[2] and float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2"; }

for seed in 1 4; do
    dir=$WORK/s$seed
    out=$(run "$NARU" demo --ipv6 --seed "$seed" --pcap "$dir" 2>&1)
    check_eq "seed $seed: naru demo --ipv6 --pcap exits 0" 0 "$?"
    again=$(run "$NARU" demo --ipv6 --seed "$seed" --pcap "$dir" 2>&1)
    check_eq "seed $seed: the same seed tells the same story" "$out" "$again"
    lan1=$(frames "$dir/lan1.pcap") wan=$(frames "$dir/wan.pcap") lan2=$(frames "$dir/lan2.pcap")

    # Chapter 1: the link-local address.
    ll=$(sed -nE 's/^   Nobody answered, so (fe80::[0-9a-f:]+) is the client.s\.$/\1/p' <<<"$out")
    check_match "seed $seed: the narration names the link-local address" '^fe80::' "$ll"
    ll=${ll:-none}
    check_eq "seed $seed: DAD probed $ll once, from ::, to its solicited-node group" 1 \
        "$(count "\$2 == \"::\" && \$5 == 135 && \$6 == \"$ll\" && \$3 == \"$(solicited "$ll")\"" <<<"$lan1")"
    check_eq "seed $seed: nobody advertised $ll but the client itself, later" 0 \
        "$(count "\$5 == 136 && \$7 == \"$ll\" && \$2 != \"$ll\"" <<<"$lan1")"
    check_match "seed $seed: the client's MLD report joins $ll's solicited-node group" \
        "^[^|]*\|::\|ff02::16\|1\|143\|\|\|([^|]*,)?$(solicited "$ll")[,|]" "$lan1"

    # Chapter 2: the prefix and the SLAAC address.
    check_match "seed $seed: r1 advertised 2001:db8:1::/64 from its link-local address" \
        '^[^|]*\|fe80::[0-9a-f:]+\|ff02::1\|255\|134\|[^|]*\|[^|]*\|[^|]*\|2001:db8:1::\|64\|' "$lan1"
    iid=$(sed -nE 's/^   The global address is the prefix 2001:db8:1::\/64 and the identifier ([0-9a-f:]+)$/\1/p' <<<"$out")
    slaac=$(sed -nE 's/^     client (2001:db8:1:[0-9a-f:]+)\/64 +global, from the router.s prefix \(SLAAC\)$/\1/p' <<<"$out")
    expected=$(python3 -c 'import ipaddress,sys; print(ipaddress.IPv6Address(int(ipaddress.IPv6Address("2001:db8:1::")) | int(ipaddress.IPv6Address("::" + sys.argv[1]))))' "${iid:-0}" 2>/dev/null)
    check_eq "seed $seed: the SLAAC address is the prefix plus the identifier printed ($iid)" "$expected" "${slaac:-none}"
    slaac=${slaac:-none}
    check_eq "seed $seed: DAD probed $slaac" 1 "$(count "\$2 == \"::\" && \$5 == 135 && \$6 == \"$slaac\"" <<<"$lan1")"

    # Chapter 3: NS and NA before the first echo request on each link.
    echo1=$(first "\$5 == 128 && \$2 == \"$slaac\"" <<<"$lan1")
    check_match "seed $seed: the client's echo request comes from its SLAAC address" '^[0-9.]+$' "$echo1"
    for l in wan lan2; do
        f=${!l}
        case $l in wan) target=2001:db8:9::2 ;; lan2) target=2001:db8:2::80 ;; esac
        echo_at=$(first "\$5 == 128" <<<"$f")
        ns_at=$(first "\$5 == 135 && \$6 == \"$target\" && \$3 == \"$(solicited $target)\"" <<<"$f")
        na_at=$(first "\$5 == 136 && \$7 == \"$target\" && \$2 == \"$target\"" <<<"$f")
        before "$ns_at" "$na_at" && pass "seed $seed: $l: NS for $target to its solicited-node group, then its NA" ||
            fail "seed $seed: $l: NS for $target to its solicited-node group, then its NA" "NS $ns_at NA $na_at"
        before "$na_at" "$echo_at" && pass "seed $seed: $l: the NA before the first echo request" ||
            fail "seed $seed: $l: the NA before the first echo request" "NA $na_at echo $echo_at"
    done
    check_match "seed $seed: later, a unicast probe (NS not to a multicast group)" \
        '^[^|]*\|[0-9a-f:]+\|(2001|fe80):[0-9a-f:]+\|255\|135\|' "$lan1$wan$lan2"

    # Chapter 4: hop limits, 64 at the client, one less per router.
    hl=$(for f in "$lan1" "$wan" "$lan2"; do awk -F'|' '$5 == 128 { print $4; exit }' <<<"$f"; done | tr '\n' ' ')
    check_eq "seed $seed: the first echo request's hop limit on lan1, wan, lan2" "64 63 62 " "$hl"
    check_match "seed $seed: and the narration says so" \
        '^   The first echo request had hop limit 64 on lan1, 63 on wan and 62 on lan2:$' "$out"
    check_match "seed $seed: traceroute names r2 by its wan address" '^   2  2001:db8:9::2 \(r2\)' "$out"

    # Chapter 5: AAAA and TCP over IPv6.
    check_match "seed $seed: the AAAA answer 2001:db8:2::80 comes to the client over IPv6" \
        "^[^|]*\|2001:db8:2::80\|$slaac\|62\|([^|]*\|){6}2001:db8:2::80\|" "$lan1"
    syn=$(count "\$12 == 1 && \$13 == 0 && \$14 == 80 && \$2 == \"$slaac\"" <<<"$lan1")
    synack=$(count "\$12 == 1 && \$13 == 1 && \$2 == \"2001:db8:2::80\" && \$3 == \"$slaac\"" <<<"$lan1")
    check_eq "seed $seed: a SYN to port 80 and its SYN-ACK, over IPv6" "1 1" "$syn $synack"
    check_match "seed $seed: and the page came whole" '^   The page came: HTTP status 200, 4000 bytes' "$out"

    # Clean in tshark: nothing malformed, no bad checksum, no warnings.
    for f in lan1 wan lan2; do
        bad=$(tshark -r "$dir/$f.pcap" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
            -Y '_ws.malformed || _ws.expert.severity >= warning || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmpv6.checksum.status == 0' 2>/dev/null)
        check_eq "seed $seed: $f.pcap is clean in tshark" "" "$bad"
    done
done

out2=$(run "$NARU" demo --ipv6 --seed 2 --quiet 2>&1)
one=$(run "$NARU" demo --ipv6 --seed 1 --quiet 2>&1)
[ "$out2" != "$one" ] && pass "another seed, other addresses" || fail "another seed, other addresses" "$out2"
check_match "--quiet: the counts still" '^  client +[0-9]+ +[0-9]+' "$one"
check_no_match "--quiet: no narration" '^1\. ' "$one"

# Korean: the chapters in the seed's words, and no English narration left.
en=$(run "$NARU" demo --ipv6 --seed 3 2>&1)
ko=$(run "$NARU" demo --ipv6 --seed 3 --lang ko 2>&1)
check_eq "naru demo --ipv6 --lang ko exits 0" 0 "$?"
check_match "Korean: chapter 3's title" '^3\. ARP 대신 이웃 탐색' "$ko"
shared=$(grep -Fxf <(printf '%s\n' "$en") <<<"$ko" |
    grep -vE '^$|^ +[0-9]+\.[0-9]+ ms  [a-z0-9]+ +-> [a-z0-9]+ |^ +[0-9]+  [0-9a-f:.]+ \(|^  [a-z0-9]+ +[0-9]+ +[0-9]+ +[0-9]+|^  client -+ r1 =+ r2|^  2001:db8:1::/64|^     [a-z0-9]+ +(lan1|wan|lan2) ')
check_eq "Korean: no English narration line is left" "" "$shared"
check_eq "Korean: the same frames as in English" "$(grep -E ' ms  [a-z0-9]+ +-> ' <<<"$en")" \
    "$(grep -E ' ms  [a-z0-9]+ +-> ' <<<"$ko")"

# The replay page tells the IPv6 chapters.
run "$NARU" demo --ipv6 --quiet --html "$WORK/v6.html" >/dev/null 2>&1
check_eq "--ipv6 --html exits 0" 0 "$?"
check_match "the page has chapter 1 of the IPv6 story" '"title":"1\. Waking up with no address' "$(cat "$WORK/v6.html" 2>/dev/null)"
check_match "and chapter 5" '"title":"5\. Names: AAAA, and TCP over IPv6"' "$(cat "$WORK/v6.html" 2>/dev/null)"

# Exit codes: usage errors 2, an unwritable page 1, a closed pipe SIGPIPE.
run "$NARU" demo --ipv6 --seed x >/dev/null 2>&1
check_eq "--ipv6 --seed x: a usage error" 2 "$?"
run "$NARU" demo --ipv6 extra >/dev/null 2>&1
check_eq "--ipv6 with an argument: a usage error" 2 "$?"
run "$NARU" demo --ipv6 --html "$WORK/no/such/dir/x.html" >/dev/null 2>&1
check_eq "--ipv6 --html into a missing directory: exit 1" 1 "$?"
status=$(timeout 60 python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.call(sys.argv[1:], stdout=w, stderr=subprocess.DEVNULL))
' "$NARU" demo --ipv6)
check_eq "--ipv6 into a closed pipe: ends by SIGPIPE" -13 "$status"
help=$(run "$NARU" demo --help)
check_match "--help tells of --ipv6" '^  --ipv6 +tell the IPv6 story' "$help"
check_match "the IPv4 story points to it at its end" '^  the same story in IPv6: naru demo --ipv6$' \
    "$(run "$NARU" demo --seed 1 2>&1 | tail -n 3)"
finish
