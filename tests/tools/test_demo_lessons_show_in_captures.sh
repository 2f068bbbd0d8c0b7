#!/usr/bin/env bash
# naru demo's chapters 6 and 7 as its own captures show them, read by
# tshark, for several seeds (loss and reordering off, so every claim must
# hold): the client asks ARP for 10.1.0.99 three times and nobody answers,
# and no datagram to it goes out; the datagram to 10.2.0.99 leaves the
# client and crosses r1, r2 asks ARP in vain, and ICMP host unreachable
# from r2 comes back to the client; the one to the server's port 4000 gets
# port unreachable. In chapter 7 the client connects to the old address
# until the first answer's TTL has run out (connections refused there after
# the move), and to the new one only after the second answer, which came
# no sooner than the TTL after the first.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
command -v tshark >/dev/null || { echo "1..0 # SKIP tshark (scripts/install-deps.sh installs it)"; exit 77; }

# The frames of a capture the chapters are about, one per line, fields
# separated by '|' (tshark starts slowly: once per capture): time, ARP op,
# ARP sender and target, IP sources and destinations (outer then quoted),
# UDP destination ports, ICMP type and code, DNS response flag, address and
# TTL, TCP SYN, ACK, RST, source and destination ports.
frames() {
    tshark -r "$1" -Y 'arp || icmp || udp.port == 4000 || ip.addr == 10.2.0.99 || dns.qry.name == "shop.naru.test" || tcp.port == 8080' \
        -T fields -E separator='|' -e frame.time_relative -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 \
        -e ip.src -e ip.dst -e udp.dstport -e icmp.type -e icmp.code -e dns.flags.response -e dns.a -e dns.resp.ttl \
        -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e tcp.srcport -e tcp.dstport 2>/dev/null
}
# count AWK-CONDITION < frames: how many frames match ($1 time, $2 ARP op,
# $3/$4 ARP sender/target, $5/$6 IP src/dst, $7 UDP dport, $8/$9 ICMP type/
# code, $10-12 DNS, $13-15 TCP SYN/ACK/RST, $16/$17 TCP ports).
count() { awk -F'|' "$1 { n++ } END { print n + 0 }"; }

for seed in 1 2 3; do
    dir=$WORK/s$seed
    "$NARU" demo --seed "$seed" --loss 0 --reorder 0 --quiet --pcap "$dir" >/dev/null
    check_eq "seed $seed: naru demo --pcap exits 0" 0 "$?"
    lan1=$(frames "$dir/lan1.pcap") wan=$(frames "$dir/wan.pcap") lan2=$(frames "$dir/lan2.pcap")

    # Chapter 6, on the client's own network.
    check_eq "seed $seed: the client asks ARP for 10.1.0.99 three times" 3 "$(count '$2 == 1 && $4 == "10.1.0.99"' <<<"$lan1")"
    check_eq "seed $seed: nobody answers for 10.1.0.99" 0 "$(count '$2 == 2 && $3 == "10.1.0.99"' <<<"$lan1")"
    check_eq "seed $seed: no datagram to 10.1.0.99 ever goes out" 0 "$(count '$6 ~ /10\.1\.0\.99/' <<<"$lan1")"
    # Beyond the routers.
    check_eq "seed $seed: the datagram to 10.2.0.99 leaves the client" 1 "$(count '$6 == "10.2.0.99" && $8 == ""' <<<"$lan1")"
    check_eq "seed $seed: and crosses r1 to r2" 1 "$(count '$6 == "10.2.0.99" && $8 == ""' <<<"$wan")"
    check_eq "seed $seed: r2 asks ARP for it three times" 3 "$(count '$2 == 1 && $4 == "10.2.0.99"' <<<"$lan2")"
    check_eq "seed $seed: ICMP host unreachable from r2 about it reaches the client" 1 \
        "$(count '$8 == 3 && $9 == 1 && $5 ~ /^10\.9\.0\.2,/ && $6 ~ /,10\.2\.0\.99$/' <<<"$lan1")"
    check_eq "seed $seed: the server's closed port 4000 answers port unreachable" 1 \
        "$(count '$8 == 3 && $9 == 3 && $5 ~ /^10\.2\.0\.80,/ && $7 == 4000' <<<"$lan1")"

    # Chapter 7: the answers for shop.naru.test, and the connections.
    answers=$(awk -F'|' '$10 == 1 && $11 != "" { print $1, $11, $12 }' <<<"$lan1")
    check_eq "seed $seed: two answers for shop.naru.test, old then new, TTL 5" "10.2.0.80 5
10.3.0.80 5" "$(awk '{ print $2, $3 }' <<<"$answers")"
    first=$(awk 'NR == 1 { print $1 }' <<<"$answers")
    second=$(awk 'NR == 2 { print $1 }' <<<"$answers")
    check_eq "seed $seed: the second answer came once the first one's TTL had run out" yes \
        "$(awk -v a="$first" -v b="$second" 'BEGIN { print (b - a >= 5 ? "yes" : "no " b - a) }')"
    syns=$(awk -F'|' '$13 == 1 && $14 == 0 && $17 == 8080 { print $1, $6 }' <<<"$lan1")
    check_eq "seed $seed: every connection before the second answer went to the old address" "" \
        "$(awk -v b="$second" '$1 < b && $2 != "10.2.0.80"' <<<"$syns")"
    check_eq "seed $seed: every one after it to the new address" "" \
        "$(awk -v b="$second" '$1 >= b && $2 != "10.3.0.80"' <<<"$syns")"
    check_match "seed $seed: some reached the new address" '10\.3\.0\.80' "$syns"
    check_eq "seed $seed: the old address refused the tries between the move and the TTL's end" 3 \
        "$(count '$15 == 1 && $5 == "10.2.0.80" && $16 == 8080' <<<"$lan1")"
done
finish
