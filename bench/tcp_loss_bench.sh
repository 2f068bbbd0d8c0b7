#!/usr/bin/env bash
# naru's sender through random loss over TAP: Linux's curl downloads a file
# from `naru host --serve http=DIR` while an nftables rule (numgen random)
# drops LOSS% of the TCP packets each way, as tests/interop/test_tcp_loss.sh
# does. Per trial: wall time, naru's retransmission timeouts, tail loss
# probes, segments retransmitted, and the duplicate segments Linux
# received (the D-SACKs it sent: TcpExtTCPDSACKOldSent plus
# TcpExtTCPDSACKOfoSent, each for a segment sent needlessly).
# Needs root; skips otherwise. Uses only 198.18.0.0/15 in a namespace of
# its own, removed at the end.
# usage: bench/tcp_loss_bench.sh [NARU_BINARY] [MBYTES] [TRIALS] [LOSS%]
# LOSS_BENCH_PCAP=FILE captures the first trial on the kernel's side of
# the TAP (naru's segments before the rule drops them, Linux's after).
# LOSS_BENCH_KEEPLOG=PREFIX keeps naru's log of trial N as PREFIX.N.
# naru host runs with --no-offload where it has offloads, as in
# test_tcp_loss.sh: a TSO frame enters the kernel whole, so the rule would
# drop 45 segments at a time (LOSS_BENCH_OFFLOAD=1 keeps them).
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "TCP through loss over TAP: skipped (needs root and /dev/net/tun)"
    exit 0
fi
. "$here/../tests/interop/lib.sh"
naru_bin=${1:-$here/../build/naru}
mbytes=${2:-${LOSS_BENCH_MB:-20}}
trials=${3:-${LOSS_BENCH_TRIALS:-3}}
loss=${4:-2}
interop_init "$naru_bin" nft curl nstat timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02
TABLE=naru_loss_bench

ns_new ns loss-bench
tap_new "$ns" ntap0 "$KERNEL/24"
ip -n "$ns" link set ntap0 gso_max_segs 1 || die "cannot limit GSO on ntap0"
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c "$((mbytes * 1000000))" /dev/urandom >"$WORK/www/data" || die "cannot write test data"
nft_add() { in_ns "$ns" nft "$@" || die "nft $* failed"; }
nft_add add table ip "$TABLE"
nft_add add chain ip "$TABLE" out '{ type filter hook output priority 0; }'
nft_add add chain ip "$TABLE" in '{ type filter hook input priority 0; }'
nft_add add rule ip "$TABLE" out ip daddr "$NARU_IP" tcp dport 80 numgen random mod 1000 '<' "$((loss * 10))" counter drop
nft_add add rule ip "$TABLE" in ip saddr "$NARU_IP" tcp sport 80 numgen random mod 1000 '<' "$((loss * 10))" counter drop

# D-SACKs Linux sent (absolute counters; -s leaves nstat's history alone).
dsacks_sent() {
    in_ns "$ns" nstat -asz 2>/dev/null |
        awk '$1 == "TcpExtTCPDSACKOldSent" || $1 == "TcpExtTCPDSACKOfoSent" { n += $2 } END { print n + 0 }'
}
# A counter of naru's, or - if this build has no such counter.
ctr() {
    if grep -q "X(tcp, ${1#tcp_}," "$NARU_ROOT/include/naru/counters.h"; then naru_counter "$host" "$1"; else echo -; fi
}
offload=()
if [ -z "${LOSS_BENCH_OFFLOAD:-}" ] && "$NARU" host --help 2>&1 | grep -q -- --no-offload; then
    offload=(--no-offload)
fi
printf '# naru -> Linux, %s MB through %s%% loss each way\n' "$mbytes" "$loss"
printf '# %5s  %7s  %8s  %6s  %8s  %7s  %6s  %7s\n' trial seconds timeouts probes retrans spurRTO dsacks dropped
total_t=0 total_to=0
for ((t = 1; t <= trials; t++)); do
    [ -n "${LOSS_BENCH_PCAP:-}" ] && [ "$t" = 1 ] && pcap_capture_start cap "$ns" ntap0 "$LOSS_BENCH_PCAP"
    naru_start host "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve "http=$WORK/www" "${offload[@]}"
    dsacks0=$(dsacks_sent)
    before=$(in_ns "$ns" nft list chain ip "$TABLE" in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    t0=$(date +%s.%N)
    in_ns "$ns" timeout 300 curl -sS --fail -o "$WORK/got" "http://$NARU_IP/data" || note "curl failed"
    t1=$(date +%s.%N)
    after=$(in_ns "$ns" nft list chain ip "$TABLE" in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    dsacks=$(($(dsacks_sent) - dsacks0))
    naru_stop "$host"
    [ -n "${LOSS_BENCH_KEEPLOG:-}" ] && cp "$(naru_log "$host")" "$LOSS_BENCH_KEEPLOG.$t"
    [ -n "${LOSS_BENCH_PCAP:-}" ] && [ "$t" = 1 ] && pcap_capture_stop "$cap" "$LOSS_BENCH_PCAP"
    cmp -s "$WORK/www/data" "$WORK/got" || note "trial $t: the file differs"
    secs=$(echo "$t1 - $t0" | bc)
    to=$(naru_counter "$host" tcp_timeouts)
    printf '  %5s  %7.2f  %8s  %6s  %8s  %7s  %6s  %7s\n' "$t" "$secs" "$to" \
        "$(ctr tcp_tail_loss_probes)" \
        "$(naru_counter "$host" tcp_retransmits)" \
        "$(ctr tcp_spurious_rtos)" "$dsacks" "$((after - before))"
    total_t=$(echo "$total_t + $secs" | bc)
    total_to=$((total_to + to))
done
printf '# mean: %.2f s, %s timeouts per %s MB\n' "$(echo "$total_t / $trials" | bc -l)" \
    "$(echo "scale=1; $total_to / $trials" | bc)" "$mbytes"
in_ns "$ns" nft delete table ip "$TABLE"
finish
