#!/usr/bin/env bash
# icmp_seq is 16 bits: request 65536 carries 0 and 65537 carries 1. naru
# ping matched replies by the number alone and reported request 65536
# lost (and 15 "lost" at -c 1000000). Over IPv4 (-4): there the world's
# hosts know each other's MAC addresses from their gratuitous ARPs at once,
# while over IPv6 the first requests of a flood wait for neighbour
# discovery, and beyond the 8 a neighbour may hold (RFC 4861 7.2.2) are
# dropped, which is not what this test is about.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

out=$("$NARU" ping -4 -c 65540 -i 0.001 -s 8 server 2>/dev/null)
check_eq "naru ping -c 65540 exits 0" 0 "$?"
check_match "every reply is counted, across the wrap" \
    '^65540 packets transmitted, 65540 received, 0% packet loss' "$out"
check_match "the reply to request 65536 shows as icmp_seq=0" 'icmp_seq=0 ttl=' "$out"
check_no_match "and none as a duplicate" 'DUP' "$out"
finish
