#!/usr/bin/env bash
# naru's TCP, in figures (issue 3), all measured in one run:
#  1. naru <-> naru in one process over the in-memory link (bench/tcp_inproc.c):
#     bulk Gbit/s at a 64 KiB and a 1500-byte MTU, connections per second,
#     bytes of memory per idle connection; instructions per segment and per
#     connection, counted by callgrind (repeatable where wall time is not);
#     each over IPv4 and over IPv6 (2001:db8::/64), trials alternating, with
#     IPv6's figure as a share of IPv4's (issue 11);
#  2. bulk throughput over TAP, Linux -> peer and peer -> Linux, where the
#     peer is naru host (discard and http services; with the kernel's
#     offloads, its default, and with --no-offload; over IPv4 and over IPv6,
#     the same two hosts dual-stack, and IPv6's rate as a share of IPv4's:
#     issue 11 wants it within 5%), lwIP's raw API and
#     lwIP's socket API (bench/lwip/lwip_tap.c: Debian's liblwip with a TAP
#     driver of our own), and Linux -> Linux over a veth pair; rounds
#     interleave the peers so that the machine's other load falls on all
#     alike; medians, and the peer process's CPU time per GB;
#  3. connections per second from Linux to naru host over TAP;
#  4. instructions per MB through TAP for naru host (both families) and
#     lwIP (callgrind).
# On Linux's side of every transfer is the same small python3 client.
# Parts 2-4 need root and /dev/net/tun, and work in network namespaces the
# script creates and removes (addresses from 198.18.0.0/15 and
# 2001:db8::/32 only).
#
# usage: bench/tcp_bench.sh [NARU_BINARY]     (default build/naru; make bench)
# Tunable: TCP_BENCH_BYTES (per TAP transfer, default 500000000),
# TCP_BENCH_ROUNDS (5), TCP_BENCH_TRIALS (tcp_inproc, 5), TCP_BENCH_CONNS
# (connections over TAP, 10000), TCP_BENCH_CALLGRIND_BYTES (20000000; 0 skips),
# TCP_BENCH_CALLGRIND_RUNS (3), TCP_BENCH_IPV6 (1; 0 leaves IPv6 out of
# parts 2 and 4), TCP_BENCH_PARTS (which parts, "1 2 3 4"), TCP_BENCH_PEERS
# (part 2's peers, by default all: naru naruplain naru6 naruplain6 lwraw
# lwsock veth). IPv6 against IPv4 alone, on a quiet machine:
#   TCP_BENCH_PARTS=2 TCP_BENCH_PEERS="naru naru6 naruplain naruplain6" \
#   TCP_BENCH_ROUNDS=9 bench/tcp_bench.sh
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
[ -x "$naru" ] || { echo "tcp bench: no naru binary at $naru (make build)" >&2; exit 1; }
naru=$(realpath "$naru")
inproc=$(dirname "$naru")/bench/tcp_inproc
lwip=$(dirname "$naru")/bench/lwip_tap
[ -x "$inproc" ] || { echo "tcp bench: no $inproc (make build)" >&2; exit 1; }
bytes=${TCP_BENCH_BYTES:-500000000}
rounds=${TCP_BENCH_ROUNDS:-5}
trials=${TCP_BENCH_TRIALS:-5}
conns=${TCP_BENCH_CONNS:-10000}
cg_bytes=${TCP_BENCH_CALLGRIND_BYTES:-20000000}
cg_runs=${TCP_BENCH_CALLGRIND_RUNS:-3}
ipv6=${TCP_BENCH_IPV6:-1}
parts=" ${TCP_BENCH_PARTS:-1 2 3 4} "
status=0
part() { [[ $parts == *" $1 "* ]]; }

echo "naru $(git -C "$here" describe --always --dirty 2>/dev/null || echo '?'), Linux $(uname -r)," \
    "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. two stacks in one process -------------------------------------------
if part 1; then
echo
echo "naru <-> naru in one process, in-memory link ($trials trials each; 4 MiB socket buffers; rates per"
echo "second of CPU time, on one core):"
"$inproc" bulk --family both --mtu 65535 --bytes $((4 << 30)) --trials "$trials" || status=1
"$inproc" bulk --family both --mtu 1500 --bytes $((1 << 30)) --trials "$trials" | tail -n 3 || status=1
echo
echo "New connections per second in one process (connect, accept, close both; 64 at a time):"
"$inproc" conns --family both --count 10000 --trials "$trials" || status=1
"$inproc" conns --family both --count 10000 --trials "$trials" --sockets 10000 | tail -n 3 || status=1
echo
echo "Memory per idle connection (naru's defaults: 128 KiB send and receive buffers):"
"$inproc" idle -4 --count 10000 || status=1
"$inproc" idle -6 --count 10000 | sed -n '2s/allocated/IPv6: allocated/p' || status=1

echo
if command -v valgrind >/dev/null; then
    echo "Instructions (callgrind; the same each run), in one process:"
    # collected FUNCTION ARGS...: instructions tcp_inproc spends in FUNCTION.
    collected() {
        local fn=$1
        shift
        valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file=/dev/null "$inproc" "$@" --trials 1 \
            --quiet 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    per() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", a / b; else print "?" }'; }
    v6v4() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "-" }'; }
    # row LABEL DIVISOR FUNCTION ARGS...: the instructions per DIVISOR over
    # IPv4, over IPv6, and the ratio.
    row() {
        local label=$1 div=$2 fn=$3 v4 v6
        shift 3
        v4=$(per "$(collected "$fn" "$@" -4)" "$div")
        v6=$(per "$(collected "$fn" "$@" -6)" "$div")
        printf '  %-54s %8s %8s %6s\n' "$label" "$v4" "$v6" "$(v6v4 "$v6" "$v4")"
    }
    printf '  %-54s %8s %8s %6s\n' "" IPv4 IPv6 v6/v4
    # Each segment moved: the sender's writes, its output, the link, the
    # receiver's input and reads, and the ACKs going back. The same bytes
    # in both families: IPv6's segments carry 20 bytes less (1428 or
    # 65463 against 1448 or 65483), so per MB is the fair figure.
    row "bulk, MTU 1500, per MB (14.48 MB; ACKs included)" 14.48 tcp_bench_bulk bulk --mtu 1500 --bytes 14480000
    row "bulk, MTU 65535, per MB (65.483 MB)" 65.483 tcp_bench_bulk bulk --mtu 65535 --bytes 65483000
    row "connection opened and closed (240 sockets)" 2000 tcp_bench_conns conns --count 2000
    row "connection opened and closed (10016 sockets)" 2000 tcp_bench_conns conns --count 2000 --sockets 10000
else
    echo "Instructions: skipped, valgrind is missing (scripts/install-deps.sh)"
fi
fi # part 1

# ---- 2. over TAP ------------------------------------------------------------
echo
part 2 || part 3 || part 4 || exit $status
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "TAP figures: skipped (needs root and /dev/net/tun)"
    exit $status
fi
command -v python3 >/dev/null || { echo "tcp bench: python3 is missing (scripts/install-deps.sh)" >&2; exit 1; }
have_lwip=1
[ -x "$lwip" ] || { have_lwip=0; echo "lwIP: skipped, $lwip was not built (scripts/install-deps.sh installs liblwip-dev)"; }

# The interop tests' helpers: namespaces, devices and processes, all
# removed by an EXIT trap whatever happens.
. "$here/../tests/interop/lib.sh"
interop_init "$naru" python3

# Linux's side of every transfer: push sends BYTES and waits for the
# peer's close; pull sends a request and reads to the end; sink accepts
# and reads connections forever (Linux's receiver over veth); conns opens
# COUNT connections one after another, each a one-byte echo. Prints bytes
# (or connections) and seconds.
cat >"$WORK/peer.py" <<'EOF'
import socket, sys, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = bytearray(1 << 20)
view = memoryview(buf)
if mode == "sink":
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(8)
    print("ready", flush=True)
    while True:
        c, _ = srv.accept()
        while c.recv_into(buf):
            pass
        c.close()
start = time.monotonic()
if mode == "push":
    total = int(sys.argv[4])
    s = socket.create_connection((host, port), timeout=60)
    left = total
    while left:
        left -= s.send(view[:min(left, len(buf))])
    s.shutdown(socket.SHUT_WR)
    while s.recv_into(buf):
        pass
    s.close()
    got = total
elif mode == "pull":
    s = socket.create_connection((host, port), timeout=60)
    s.sendall(sys.argv[4].encode().decode("unicode_escape").encode())
    got = 0
    while True:
        n = s.recv_into(buf)
        if not n:
            break
        got += n
    s.close()
elif mode == "conns":
    got = int(sys.argv[4])
    for _ in range(got):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"x")
        if s.recv(1) != b"x":
            sys.exit("echo failed")
        s.close()
print(got, f"{time.monotonic() - start:.6f}")
EOF

if [ "$ipv6" = 1 ] && ! "$naru" host --help 2>&1 | grep -q '2001:db8'; then
    echo "IPv6 over TAP: skipped, this naru host takes no IPv6 --addr"
    ipv6=0
fi
ns_new ns tcpbench
# IPv6 on (lib.sh's namespaces start without it), duplicate address
# detection off on Linux's side, so its addresses are usable at once.
[ "$ipv6" = 1 ] && ns_ipv6_on "$ns"
tap_new "$ns" ntap0 198.18.0.1/24 # naru host
mkdir -p "$WORK/www" || die "cannot create naru's web root"
head -c "$bytes" /dev/zero >"$WORK/www/data" || die "cannot write the file naru serves"
# The naru hosts are dual-stack when IPv6 is measured: the same process
# serves both families, so they share its state and the machine's mood.
addr6() { [ "$ipv6" = 1 ] && echo "--addr $1"; }
# shellcheck disable=SC2046 # addr6's words
naru_start naru_pid "$ns" host --tap ntap0 --addr 198.18.0.2/24 $(addr6 2001:db8::2/64) --serve discard --serve echo \
    --serve "http=$WORK/www"
tap_new "$ns" ntap6 198.18.10.1/24 # naru host without offloads
# shellcheck disable=SC2046
naru_start naruplain_pid "$ns" host --tap ntap6 --addr 198.18.10.2/24 $(addr6 2001:db8:a::2/64) --serve discard \
    --serve "http=$WORK/www" --no-offload
peers="naru naruplain"
if [ "$ipv6" = 1 ]; then
    ip -n "$ns" addr add 2001:db8::1/64 dev ntap0 || die "cannot add 2001:db8::1/64 to ntap0"
    ip -n "$ns" addr add 2001:db8:a::1/64 dev ntap6 || die "cannot add 2001:db8:a::1/64 to ntap6"
    # naru's own duplicate address detection (RFC 4862) may still run.
    wait_until 10 in_ns "$ns" ping -6 -n -c 1 -W 1 2001:db8::2 || die "naru host's 2001:db8::2 does not answer"
    wait_until 10 in_ns "$ns" ping -6 -n -c 1 -W 1 2001:db8:a::2 || die "naru host's 2001:db8:a::2 does not answer"
    peers="$peers naru6 naruplain6"
fi
# lwip_start VAR IFNAME SUBNET MODE PORT: an lwIP peer at SUBNET.2 on its own TAP.
lwip_start() {
    local _ls_var=$1 _ls_pid
    tap_new "$ns" "$2" "$3.1/24"
    bg_start _ls_pid "$ns" "$lwip" --tap "$2" --addr "$3.2/24" --port "$5" "$4"
    wait_until 5 grep -q ': ready' "$(bg_log "$_ls_pid")" || die "lwip_tap $4 did not start: $(cat "$(bg_log "$_ls_pid")")"
    printf -v "$_ls_var" %s "$_ls_pid"
}
if [ "$have_lwip" = 1 ]; then
    lwip_start lwraw_sink ntap1 198.18.1 sink 9
    lwip_start lwraw_source ntap2 198.18.2 "source:$bytes" 80
    lwip_start lwsock_sink ntap3 198.18.3 sock-sink 9
    lwip_start lwsock_source ntap4 198.18.4 "sock-source:$bytes" 80
    peers="$peers lwraw lwsock"
fi
ns_new veth_a tcpbench-a
ns_new veth_b tcpbench-b
veth_new "$veth_a" veth0 198.18.5.1/24 "$veth_b" veth1 198.18.5.2/24
bg_start veth_sink "$veth_b" python3 "$WORK/peer.py" sink 198.18.5.2 9
wait_until 5 grep -q ready "$(bg_log "$veth_sink")" || die "the veth sink did not start"
peers="$peers veth"
if [ -n "${TCP_BENCH_PEERS:-}" ]; then
    chosen=""
    for peer in $TCP_BENCH_PEERS; do
        [[ " $peers " == *" $peer "* ]] || die "TCP_BENCH_PEERS: no peer '$peer' here (peers: $peers)"
        chosen="$chosen $peer"
    done
    peers=${chosen# }
fi
part 2 || peers=""

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
request='GET /data HTTP/1.1\r\nHost: naru\r\nConnection: close\r\n\r\n'
# transfer PEER DIR: one transfer; appends "Gbit/s cpu-seconds-per-GB" to
# $WORK/PEER.DIR.
transfer() {
    local peer=$1 dir=$2 pid ns_run=$ns out t0 t1
    local -a cmd
    case $peer.$dir in
    naru.in) pid=$naru_pid cmd=(push 198.18.0.2 9 "$bytes") ;;
    naru.out) pid=$naru_pid cmd=(pull 198.18.0.2 80 "$request") ;;
    naruplain.in) pid=$naruplain_pid cmd=(push 198.18.10.2 9 "$bytes") ;;
    naruplain.out) pid=$naruplain_pid cmd=(pull 198.18.10.2 80 "$request") ;;
    naru6.in) pid=$naru_pid cmd=(push 2001:db8::2 9 "$bytes") ;;
    naru6.out) pid=$naru_pid cmd=(pull 2001:db8::2 80 "$request") ;;
    naruplain6.in) pid=$naruplain_pid cmd=(push 2001:db8:a::2 9 "$bytes") ;;
    naruplain6.out) pid=$naruplain_pid cmd=(pull 2001:db8:a::2 80 "$request") ;;
    lwraw.in) pid=$lwraw_sink cmd=(push 198.18.1.2 9 "$bytes") ;;
    lwraw.out) pid=$lwraw_source cmd=(pull 198.18.2.2 80 "$request") ;;
    lwsock.in) pid=$lwsock_sink cmd=(push 198.18.3.2 9 "$bytes") ;;
    lwsock.out) pid=$lwsock_source cmd=(pull 198.18.4.2 80 "$request") ;;
    veth.in) pid="" ns_run=$veth_a cmd=(push 198.18.5.2 9 "$bytes") ;;
    *) return ;;
    esac
    t0=$([ -n "$pid" ] && cpu_ticks "$pid")
    if ! out=$(in_ns "$ns_run" timeout 120 python3 "$WORK/peer.py" "${cmd[@]}" 2>&1); then
        echo "  $peer $dir failed: $out" >&2
        status=1
        return
    fi
    t1=$([ -n "$pid" ] && cpu_ticks "$pid")
    read -r got secs <<<"$out"
    awk -v b="$got" -v s="$secs" -v c="$((${t1:-0} - ${t0:-0}))" -v hz="$(getconf CLK_TCK)" -v pid="$pid" \
        'BEGIN { printf "%.3f %s\n", b * 8 / s / 1e9, pid == "" ? "-" : sprintf("%.2f", c / hz / (b / 1e9)) }' \
        >>"$WORK/$peer.$dir"
}

if part 2; then
# One warm-up transfer each (ARP, caches, the file in the page cache).
for peer in $peers; do
    for dir in in out; do
        transfer "$peer" "$dir"
        rm -f "$WORK/$peer.$dir"
    done
done
# shellcheck disable=SC2086 # the peers are words
set -- $peers
for ((r = 0; r < rounds; r++)); do
    for dir in in out; do
        for peer in "$@"; do transfer "$peer" "$dir"; done
    done
    set -- "${@:2}" "$1" # the next round starts with the next peer
done

# med FILE COLUMN: the median of a column of numbers ("-" if none).
med() {
    [ -s "$1" ] || { echo -; return; }
    awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
        if (v[1] == "-") print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
spread() { [ -s "$1" ] && awk '{ print $1 }' "$1" | sort -g | sed -n '1p;$p' | paste -sd- || echo -; }
echo "Bulk TCP over TAP (MTU 1500), $rounds rounds of $bytes bytes each way, peers interleaved;"
echo "Gbit/s of payload (median, min-max), and the peer process's CPU seconds per GB:"
printf '  %-36s %8s %13s %7s   %8s %13s %7s\n' "" "Linux->" "" "" "->Linux" "" ""
printf '  %-36s %8s %13s %7s   %8s %13s %7s\n' peer Gbit/s range CPU-s Gbit/s range CPU-s
name() {
    case $1 in
    naru) echo "naru host (discard / http)" ;;
    naruplain) echo "naru host --no-offload" ;;
    naru6) echo "naru host over IPv6" ;;
    naruplain6) echo "naru host --no-offload over IPv6" ;;
    lwraw) echo "lwIP 2.1.3 raw API (sink / source)" ;;
    lwsock) echo "lwIP 2.1.3 socket API" ;;
    veth) echo "Linux over veth (no TAP)" ;;
    esac
}
declare -A rate
for peer in naru naruplain naru6 naruplain6 lwraw lwsock veth; do rate[$peer.in]=-; rate[$peer.out]=-; done
for peer in $peers; do
    rate[$peer.in]=$(med "$WORK/$peer.in" 1)
    rate[$peer.out]=$(med "$WORK/$peer.out" 1)
    printf '  %-36s %8s %13s %7s   %8s %13s %7s\n' "$(name "$peer")" "${rate[$peer.in]}" "$(spread "$WORK/$peer.in")" \
        "$(med "$WORK/$peer.in" 2)" "${rate[$peer.out]}" "$(spread "$WORK/$peer.out" 2>/dev/null)" \
        "$(med "$WORK/$peer.out" 2)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
echo "  naru / lwIP raw:     Linux->peer x$(ratio "${rate[naru.in]}" "${rate[lwraw.in]:-}")," \
    "peer->Linux x$(ratio "${rate[naru.out]}" "${rate[lwraw.out]:-}")   (issue 3's target: x1.5 both ways)"
echo "    without offloads:  Linux->peer x$(ratio "${rate[naruplain.in]}" "${rate[lwraw.in]:-}")," \
    "peer->Linux x$(ratio "${rate[naruplain.out]}" "${rate[lwraw.out]:-}")"
echo "  lwIP raw / naru CPU per GB: Linux->peer x$(ratio "$(med "$WORK/lwraw.in" 2)" "$(med "$WORK/naru.in" 2)")," \
    "peer->Linux x$(ratio "$(med "$WORK/lwraw.out" 2)" "$(med "$WORK/naru.out" 2)")   (above 1: naru uses less)"
echo "    without offloads:  Linux->peer x$(ratio "$(med "$WORK/lwraw.in" 2)" "$(med "$WORK/naruplain.in" 2)")," \
    "peer->Linux x$(ratio "$(med "$WORK/lwraw.out" 2)" "$(med "$WORK/naruplain.out" 2)")"
echo "  naru / lwIP sockets: Linux->peer x$(ratio "${rate[naru.in]}" "${rate[lwsock.in]:-}")," \
    "peer->Linux x$(ratio "${rate[naru.out]}" "${rate[lwsock.out]:-}")"
echo "  naru / Linux veth:   Linux->naru x$(ratio "${rate[naru.in]}" "${rate[veth.in]}")," \
    "naru->Linux x$(ratio "${rate[naru.out]}" "${rate[veth.in]}")"
if [ "$ipv6" = 1 ]; then
    echo "  naru IPv6 / IPv4:    Linux->naru x$(ratio "${rate[naru6.in]}" "${rate[naru.in]}")," \
        "naru->Linux x$(ratio "${rate[naru6.out]}" "${rate[naru.out]}")   (issue 11's target: within 5%)"
    echo "    without offloads:  Linux->naru x$(ratio "${rate[naruplain6.in]}" "${rate[naruplain.in]}")," \
        "naru->Linux x$(ratio "${rate[naruplain6.out]}" "${rate[naruplain.out]}")"
    echo "    CPU per GB, IPv4 / IPv6: Linux->naru x$(ratio "$(med "$WORK/naru.in" 2)" "$(med "$WORK/naru6.in" 2)")," \
        "naru->Linux x$(ratio "$(med "$WORK/naru.out" 2)" "$(med "$WORK/naru6.out" 2)")   (above 1: IPv6 uses less)"
fi

fi # part 2

# ---- 3. connections per second over TAP -------------------------------------
if part 3; then
echo
echo "Connections Linux -> naru host over TAP, one at a time (connect, 1-byte echo, close):"
# conns_to ADDR LABEL: one batch of connections to naru host's echo at ADDR.
conns_to() {
    local t0 t1 out n secs
    t0=$(cpu_ticks "$naru_pid")
    out=$(in_ns "$ns" timeout 300 python3 "$WORK/peer.py" conns "$1" 7 "$conns" 2>&1) || status=1
    t1=$(cpu_ticks "$naru_pid")
    read -r n secs <<<"$out"
    awk -v n="$n" -v s="$secs" -v c="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v l="$2" 'BEGIN {
        if (n > 0 && s > 0)
            printf "  %s %d in %.2f s: %.0f per second; naru host CPU %.1f us per connection\n", l, n, s, n / s,
                c / hz / n * 1e6 }'
}
conns_to 198.18.0.2 "IPv4:"
[ "$ipv6" = 1 ] && conns_to 2001:db8::2 "IPv6:"
fi # part 3

# ---- 4. instructions through TAP --------------------------------------------
part 4 || exit $status
echo
if ! command -v valgrind >/dev/null || [ "$cg_bytes" = 0 ]; then
    echo "Instructions through TAP: skipped (valgrind is missing, or TCP_BENCH_CALLGRIND_BYTES=0)"
    exit $status
fi
# A fresh peer under callgrind on its own TAP; Linux pushes (or pulls)
# cg_bytes; the peer's whole run is counted, startup included (a few
# million instructions), per MB moved. The count varies from run to run
# more than one would think (how segments and ACKs interleave depends on
# timing), hence several runs.
# cg_run VAR NAME SUBNET push|pull CMD...: VAR gets "median min-max" of the
# instructions per MB over cg_runs runs. SUBNET: A.B.C (a /24, Linux at
# .1, the peer at .2) or an IPv6 /64's first half, 2001:db8:N: (::1, ::2).
cg_run() {
    local _cg_var=$1 name=$2 subnet=$3 how=$4 pid total i peer
    shift 4
    if [ "${subnet%:}" != "$subnet" ]; then
        tap_new "$ns" "cg$name"
        ip -n "$ns" addr add "$subnet:1/64" dev "cg$name" || die "cannot add $subnet:1/64 to cg$name"
        peer=$subnet:2
    else
        tap_new "$ns" "cg$name" "$subnet.1/24"
        peer=$subnet.2
    fi
    : >"$WORK/cg.$name.counts"
    for ((i = 0; i < cg_runs; i++)); do
        rm -f "$WORK/cg.$name"
        bg_start pid "$ns" valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$name" "$@"
        if ! wait_until 60 grep -q ': ready' "$(bg_log "$pid")"; then
            proc_stop "$pid"
            continue
        fi
        # An IPv6 address may be tentative a while (duplicate address
        # detection, RFC 4862; slower under callgrind).
        [ "$peer" = "${peer#*:}" ] || wait_until 30 in_ns "$ns" ping -6 -n -c 1 -W 1 "$peer"
        if [ "$how" = push ]; then
            in_ns "$ns" timeout 300 python3 "$WORK/peer.py" push "$peer" 9 "$cg_bytes" >/dev/null 2>&1
        else
            in_ns "$ns" timeout 300 python3 "$WORK/peer.py" pull "$peer" 80 "$request" >/dev/null 2>&1
        fi
        proc_stop "$pid"
        total=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$WORK/cg.$name" 2>/dev/null)
        [ -n "$total" ] && echo $((total / (cg_bytes / 1000000))) >>"$WORK/cg.$name.counts"
    done
    printf -v "$_cg_var" '%s %s' "$(med "$WORK/cg.$name.counts" 1)" "$(spread "$WORK/cg.$name.counts")"
}
head -c "$cg_bytes" /dev/zero >"$WORK/www/cg" || die "cannot write the callgrind file"
request='GET /cg HTTP/1.1\r\nHost: naru\r\nConnection: close\r\n\r\n'
echo "Instructions per MB through TAP (callgrind, whole process, user space only; $cg_bytes bytes;"
echo "median and range of $cg_runs runs):"
cg_run naru_in nin 198.18.6 push "$naru" host --tap cgnin --addr 198.18.6.2/24 --mac 02:00:5e:12:00:06 \
    --serve discard
cg_run naru_out nout 198.18.7 pull "$naru" host --tap cgnout --addr 198.18.7.2/24 --mac 02:00:5e:12:00:07 \
    --serve "http=$WORK/www"
printf '  %-14s Linux->peer %-26s peer->Linux %s\n' "naru host" "$naru_in" "$naru_out"
cg_run plain_in pin 198.18.11 push "$naru" host --tap cgpin --addr 198.18.11.2/24 --mac 02:00:5e:12:00:0b \
    --serve discard --no-offload
cg_run plain_out pout 198.18.12 pull "$naru" host --tap cgpout --addr 198.18.12.2/24 --mac 02:00:5e:12:00:0c \
    --serve "http=$WORK/www" --no-offload
printf '  %-14s Linux->peer %-26s peer->Linux %s\n' "--no-offload" "$plain_in" "$plain_out"
if [ "$ipv6" = 1 ]; then
    cg_run naru6_in n6in 2001:db8:6: push "$naru" host --tap cgn6in --addr 2001:db8:6::2/64 \
        --mac 02:00:5e:12:00:16 --serve discard
    cg_run naru6_out n6out 2001:db8:7: pull "$naru" host --tap cgn6out --addr 2001:db8:7::2/64 \
        --mac 02:00:5e:12:00:17 --serve "http=$WORK/www"
    printf '  %-14s Linux->peer %-26s peer->Linux %s\n' "over IPv6" "$naru6_in" "$naru6_out"
    cg_run plain6_in p6in 2001:db8:b: push "$naru" host --tap cgp6in --addr 2001:db8:b::2/64 \
        --mac 02:00:5e:12:00:1b --serve discard --no-offload
    cg_run plain6_out p6out 2001:db8:c: pull "$naru" host --tap cgp6out --addr 2001:db8:c::2/64 \
        --mac 02:00:5e:12:00:1c --serve "http=$WORK/www" --no-offload
    printf '  %-14s Linux->peer %-26s peer->Linux %s\n' "IPv6 no-offld" "$plain6_in" "$plain6_out"
    echo "  IPv6 / IPv4 (medians): x$(ratio "${naru6_in%% *}" "${naru_in%% *}") receiving," \
        "x$(ratio "${naru6_out%% *}" "${naru_out%% *}") sending; without offloads" \
        "x$(ratio "${plain6_in%% *}" "${plain_in%% *}"), x$(ratio "${plain6_out%% *}" "${plain_out%% *}")"
fi
if [ "$have_lwip" = 1 ]; then
    cg_run lw_in lin 198.18.8 push "$lwip" --tap cglin --addr 198.18.8.2/24 --port 9 sink
    cg_run lw_out lout 198.18.9 pull "$lwip" --tap cglout --addr 198.18.9.2/24 --port 80 "source:$cg_bytes"
    printf '  %-14s Linux->peer %-26s peer->Linux %s\n' "lwIP raw API" "$lw_in" "$lw_out"
    echo "  lwIP / naru (medians): x$(ratio "${lw_in%% *}" "${naru_in%% *}") receiving," \
        "x$(ratio "${lw_out%% *}" "${naru_out%% *}") sending"
fi
# lib.sh's EXIT trap removes the namespaces and ends what is still running.
exit $status
