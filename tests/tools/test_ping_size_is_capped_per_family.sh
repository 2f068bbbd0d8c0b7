#!/usr/bin/env bash
# The most data an echo carries: 65507 bytes over IPv4 (its total length
# counts its own 20-byte header), 65527 over IPv6 (the payload length
# counts only the 8-byte echo header). naru ping -s capped both at
# IPv4's; past a family's largest it is a usage error naming the limit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

out=$("$NARU" ping -6 -c 3 -s 65527 server 2>/dev/null)
check_eq "ping -6 -s 65527 exits 0" 0 "$?"
check_match "the largest IPv6 echo comes back whole" '^65535 bytes from 2001:db8:2::2' "$out"

out=$("$NARU" ping -4 -c 1 -s 65507 server 2>/dev/null)
check_eq "ping -4 -s 65507 exits 0" 0 "$?"
check_match "the largest IPv4 echo comes back whole" '^65515 bytes from 10.2.0.2' "$out"

err=$("$NARU" ping -4 -c 1 -s 65508 server 2>&1 >/dev/null)
check_eq "ping -4 -s 65508 is a usage error" 2 "$?"
check_match "which names IPv4's limit" 'too big for IPv4 \(at most 65507' "$err"

err=$("$NARU" ping -6 -c 1 -s 65528 server 2>&1 >/dev/null)
check_eq "ping -6 -s 65528 is a usage error" 2 "$?"
check_match "which names the size" "bad size '65528'" "$err"
finish
