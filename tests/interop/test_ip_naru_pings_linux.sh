#!/usr/bin/env bash
# `naru ping` pings the Linux kernel through a TAP device: the kernel
# answers, 4000-byte pings are fragmented and reassembled both ways, and
# the output and exit codes are iputils ping's.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" timeout

KERNEL=198.18.1.1
NARU_IP=198.18.1.2

ns_new ns
# The TAP exists before naru ping starts, so its kernel side already has an
# address when naru attaches to it.
tap_new "$ns" ntap1 "$KERNEL/24"

# naru_ping ARGS...: naru ping on ntap1, bounded in time in case it hangs.
naru_ping() {
    in_ns "$ns" timeout -k 2 30 "$NARU" ping --tap ntap1 --addr "$NARU_IP/24" "$@" 2>&1
}

echos_before=$(kernel_snmp "$ns" Icmp InEchos)
out=$(naru_ping -c 3 -i 0.2 -W 2 "$KERNEL")
check_eq "naru ping of Linux exits 0" 0 "$?"
check_match "it starts like iputils ping" "^PING $KERNEL \($KERNEL\) 56\(84\) bytes of data\.$" "$out"
check_match "Linux answers with TTL 64" "^64 bytes from $KERNEL: icmp_seq=1 ttl=64 time=[0-9.]+ ms$" "$out"
check_match "all 3 requests are answered" '^3 packets transmitted, 3 received, 0% packet loss' "$out"
check_match "the summary gives min/avg/max/mdev" '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' "$out"
check_eq "Linux received the 3 echo requests" 3 $(($(kernel_snmp "$ns" Icmp InEchos) - echos_before))

frag_before=$(kernel_snmp "$ns" Ip FragCreates)
reasm_before=$(kernel_snmp "$ns" Ip ReasmOKs)
out=$(naru_ping -c 2 -i 0.2 -W 2 -s 4000 "$KERNEL")
check_eq "naru ping -s 4000 of Linux exits 0" 0 "$?"
check_match "both 4000-byte pings are answered in full" '^4008 bytes from .*icmp_seq=2 ' "$out"
check_match "naru ping -s 4000 loses nothing" '^2 packets transmitted, 2 received, 0% packet loss' "$out"
check_eq "Linux reassembled naru's 2 fragmented requests" 2 \
    $(($(kernel_snmp "$ns" Ip ReasmOKs) - reasm_before))
check_eq "Linux fragmented its 2 replies, 3 fragments each, for naru to reassemble" 6 \
    $(($(kernel_snmp "$ns" Ip FragCreates) - frag_before))

# When naru attaches, the TAP's carrier comes on, but the kernel transmits
# on the device only once its link-watch work has run, a few milliseconds
# later, or longer when other work on the device's links competes (here a
# loop reading the device's state). Until then the kernel drops what it
# sends, such as its answer to naru's first ARP request; naru must wait for
# the link to run before it speaks. When it did not, about 1 attach in 5 lost
# that answer: the pings waited a second for the ARP retry and all but the
# 8 queued meanwhile were dropped.
bg_start reader "$ns" bash -c 'while :; do ip link show ntap1 >/dev/null; done'
complete=0
for _ in $(seq 1 20); do
    naru_ping -c 40 -i 0.005 -W 0.5 "$KERNEL" | grep -q '^40 packets transmitted, 40 received' &&
        complete=$((complete + 1))
done
proc_stop "$reader"
check_eq "pings sent right after attaching are all answered (ARP answered at once), 20 runs of 20" \
    20 "$complete"

out=$(naru_ping -c 2 -i 0.2 -W 1 198.18.1.77)
check_eq "naru ping exits 1 when nobody answers" 1 "$?"
check_match "and reports 100% loss" '^2 packets transmitted, 0 received, .*100% packet loss' "$out"

out=$(naru_ping --no-such-flag "$KERNEL")
check_eq "naru ping exits 2 on a bad flag" 2 "$?"

# Without a prepared device naru ping creates its own TAP and, since no one
# made it persistent, the device goes away when naru exits. Its kernel side
# has no address, so nothing answers.
out=$(in_ns "$ns" timeout -k 2 30 "$NARU" ping --tap ntap9 --addr 198.18.9.2/24 -c 1 -W 1 198.18.9.1 2>&1)
check_eq "naru ping on a TAP it created itself exits 1 when nothing answers" 1 "$?"
check_fails "the TAP device naru created is gone after it exits" in_ns "$ns" ip link show ntap9
finish
