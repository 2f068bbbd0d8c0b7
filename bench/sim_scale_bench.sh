#!/usr/bin/env bash
# The simulator at scale against ns-3, in the same run: ns-3's benchmark
# world (bench/sim_world.sh: routers in a ring, hosts behind them, bulk
# NewReno flows with 128 KiB buffers) at 100 hosts and at 1,000, run by
# `naru sim` and, where Debian's libns3-dev is installed, by ns-3 3.37
# (bench/ns3/ring_world.cc, built here). Each prints packet transmissions
# (every frame put on a link, each hop, data and ACKs: ns-3's PhyTxEnd) per
# wall and per CPU second, simulated seconds per wall second, peak RSS and
# bytes delivered. CPU seconds are the steadier figure on a shared machine
# (naru's include reading and building the world; ns-3's are of its run
# alone, without its global routing's setup).
#
# usage: bench/sim_scale_bench.sh [NARU_BINARY] [SIMULATED_SECONDS]
#   SIM_SCALE_WORLDS="10 100 100 1;100 1000 500 2" (ROUTERS HOSTS FLOWS STRIDE;...)
#   SIM_SCALE_NS3=0 skips ns-3; scripts/install-deps.sh --ns3 installs it
#   (this script does not: it is large, and the bench runs without it).
#   SIM_SCALE_NS3_SECONDS: ns-3's simulated time, if shorter (a rate needs
#   only a fraction of a second; ns-3 takes minutes for the 1,000 hosts).
#   Huge pages: `naru sim` asks the kernel for transparent huge pages for
#   its heap by itself (its --no-huge-pages turns that off); ns-3 does not.
#   Unset, SIM_SCALE_HUGE runs each as a user would; SIM_SCALE_HUGE=1 gives
#   ns-3 them too (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, glibc 2.35 and
#   later); SIM_SCALE_HUGE=0 gives them to neither. It matters where the
#   kernel gives them only on request
#   (/sys/kernel/mm/transparent_hugepage/enabled = madvise).
#
# Measured 2026-12-07 on the shared 2-core machine (loaded: other builds
# and a fuzz campaign; wall-clock rates are low for that, CPU seconds and
# instructions are the figures to compare):
#   bench/sim_scale_bench.sh build/naru 1     (naru rows)
#     100 hosts:   naru 1,290,000 tx, 1,402,000 tx/CPU s, 39.5 MiB (368 KiB/node)
#     1,000 hosts: naru 8,314,000 tx,   762,000 tx/CPU s, 255 MiB (238 KiB/node)
#     idle 10,000-host world: 749 MiB, 70 KiB per node, built in 3.5 CPU s
#   Memory since (SIM_SCALE_NS3=0 bench/sim_scale_bench.sh build/naru 1, the same
#   day, loaded; bench/README.md): 100 hosts 32.7 MiB, 1,000 hosts 201.2 MiB,
#   idle world 528.3 MiB = 49.2 KiB per node
#     (load average 18 on 2 cores: wall rates 455,000 and 225,000 tx/s)
#   ns-3 3.37, nice 19, run-only CPU:
#     build/bench/ns3_ring_world 10 100 100 1 1:     1,960,440 tx in 37.8 CPU s = 51,900 tx/CPU s, 67 MiB
#     build/bench/ns3_ring_world 100 1000 500 2 0.2:   384,000 tx in 35.9 CPU s = 10,700 tx/CPU s, 203 MiB
#       (0.2 simulated s; the 10 s run had not finished in 14.6 CPU min)
#   Instructions per transmission (valgrind --tool=callgrind build/naru sim
#   WORLD.ini --json F, worlds from bench/sim_world.sh ... 0.2, whole run):
#     100 hosts 3,061 (3,476, then 3,101 before), 1,000 hosts 3,435 (3,474).
#   CPU seconds at load 12-13 (2026-12-07, later): four 1 s runs of the
#   1,000-host world took 9.5-14.7 CPU s whichever binary ran: below what
#   the machine resolves; the instructions and bench/sim_same_run.sh (same
#   captures) are the figures for changes of a few percent.
#   2026-12-07 15:10-15:17, quiet (load 1.0-1.5), bench/README.md:
#     100 hosts, run alone, medians of 15: 2.65-2.74 M tx per wall s
#     (3.05-3.10 M with SIM_SCALE_HUGE=1); 1,000 hosts 1.57 M (1.83 M);
#     SIM_SCALE_HUGE=0|1 SIM_SCALE_WORLDS="10 100 100 1" ... 1 with ns-3:
#     30.2x and 30.1x ns-3's transmissions per CPU second (62,000; 92,200).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
seconds=${2:-${SIM_BENCH_SECONDS:-1}}
worlds=${SIM_SCALE_WORLDS:-"10 100 100 1;100 1000 500 2"}
[ -x "$naru" ] || { echo "sim_scale: no $naru (make build)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "sim_scale: needs /usr/bin/time (Debian's time)" >&2; exit 1; }
work=$(mktemp -d /tmp/sim_scale.XXXXXX)
trap 'rm -rf "$work"' EXIT

ns3=""
if [ "${SIM_SCALE_NS3:-1}" != 0 ] && pkg-config --exists ns3-core 2>/dev/null; then
    ns3=$(dirname "$naru")/bench/ns3_ring_world
    if [ ! -x "$ns3" ] || [ "$here/ns3/ring_world.cc" -nt "$ns3" ]; then
        mkdir -p "$(dirname "$ns3")"
        echo "building $ns3 against libns3-dev $(pkg-config --modversion ns3-core)..." >&2
        # (only on the first run) Linked by name: ns-3's .pc files also name GSL, which it does not need here.
        g++ -O2 -o "$ns3" "$here/ns3/ring_world.cc" $(pkg-config --cflags ns3-core) \
            -lns3-core -lns3-network -lns3-internet -lns3-point-to-point -lns3-applications
    fi
fi

# ns-3 3.37's figures when it is not here (measured with it installed, 2026-12-07; see above).
published="ns-3 3.37 (not installed; measured on this machine, run-only CPU): 100 hosts 51,900 tx/CPU s, 67 MiB; 1,000 hosts (0.2 simulated s) 10,700 tx/CPU s, 203 MiB"

thp="transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
naru_flags=()
case "${SIM_SCALE_HUGE:-}" in
'') echo "huge pages as each runs by default: naru asks for them, ns-3 does not ($thp)" ;;
1)
    export GLIBC_TUNABLES=glibc.malloc.hugetlb=1
    echo "huge pages for both: naru asks, ns-3 with GLIBC_TUNABLES=$GLIBC_TUNABLES ($thp)"
    ;;
0)
    naru_flags=(--no-huge-pages)
    echo "huge pages for neither: naru --no-huge-pages ($thp)"
    ;;
*) echo "sim_scale_bench: SIM_SCALE_HUGE is 1, 0 or unset, not '$SIM_SCALE_HUGE'" >&2; exit 2 ;;
esac
printf '%-6s %-6s %12s %11s %11s %10s %9s %9s %14s\n' sim hosts transmissions tx/wall-s tx/cpu-s sim-s/wall "peak MiB" KiB/node \
    delivered
row() { # name hosts nodes tx wall cpu sim peak_kib delivered
    awk -v n="$1" -v h="$2" -v nodes="$3" -v tx="$4" -v w="$5" -v c="$6" -v s="$7" -v k="$8" -v d="$9" 'BEGIN {
        printf "%-6s %-6s %12d %11.0f %11.0f %10.3f %9.1f %9.1f %14d\n", n, h, tx, tx / w, tx / c, s / w, k / 1024,
            k / nodes, d }'
}
IFS=';' read -ra list <<<"$worlds"
for w in "${list[@]}"; do
    read -r routers hosts flows stride <<<"$w"
    "$here/sim_world.sh" "$routers" "$hosts" "$flows" "$stride" "$seconds" >"$work/world.ini"
    /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$naru" sim "${naru_flags[@]}" "$work/world.ini" \
        --json "$work/run.json" >/dev/null || true   # unfinished bulk flows: exit 1 at the time limit, as meant
    read -r _ cpu peak < <(tail -n1 "$work/time" | awk '{ print $1, $2 + $3, $4 }')
    read -r tx wall simsec delivered < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["transmissions"], d["wall_seconds"], d["simulated_seconds"], d["bytes_delivered"])' "$work/run.json")
    row naru "$hosts" $((routers + hosts)) "$tx" "$wall" "$cpu" "$simsec" "$peak" "$delivered"
    naru_tx=$tx naru_cpu=$cpu naru_peak=$peak
    if [ -n "$ns3" ]; then
        /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$ns3" "$routers" "$hosts" "$flows" "$stride" \
            "${SIM_SCALE_NS3_SECONDS:-$seconds}" >"$work/ns3.out"
        read -r _ _ peak < <(tail -n1 "$work/time" | awk '{ print $1, $2 + $3, $4 }')
        eval "$(tr ' ' '\n' <"$work/ns3.out" | grep -E '^(transmissions|wall|cpu|sim|delivered)=')"
        # shellcheck disable=SC2154 # set by the eval
        row ns-3 "$hosts" $((routers + hosts)) "$transmissions" "$wall" "$cpu" "$sim" "$peak" "$delivered"
        awk -v a="$naru_tx" -v ac="$naru_cpu" -v b="$transmissions" -v bc="$cpu" \
            -v am="$naru_peak" -v bm="$peak" 'BEGIN {
            printf "  naru/ns-3: %.1fx the transmissions per CPU second, %.2fx the peak memory\n", (a / ac) / (b / bc), am / bm }'
    else
        echo "  $published"
    fi
done

# What an idle node costs: a world of 10,000 hosts and 1,000 routers with
# one flow, built and run for 10 ms; and the time to read, check and build it.
"$here/sim_world.sh" 1000 10000 1 1 0.01 >"$work/idle.ini"
/usr/bin/time -o "$work/time" -f '%M %U %S' "$naru" sim "${naru_flags[@]}" "$work/idle.ini" --json "$work/idle.json" >/dev/null || true
read -r peak cpu < <(tail -n1 "$work/time" | awk '{ print $1, $2 + $3 }')
python3 - "$work/idle.json" "$peak" "$cpu" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
peak, cpu = int(sys.argv[2]), float(sys.argv[3])
print("idle world: %d nodes (%d lines of scenario), peak %.1f MiB, %.1f KiB per node; built in %.2f s of CPU, %.2f s all told"
      % (d["nodes"], sum(1 for _ in open(sys.argv[1].replace("idle.json", "idle.ini"))), peak / 1024,
         peak / d["nodes"], d["build_cpu_seconds"], cpu))
PY
