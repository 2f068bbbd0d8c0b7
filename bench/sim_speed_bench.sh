#!/usr/bin/env bash
# The simulator's speed: 100 hosts and 10 routers with 100 transfers at
# once (TCP when naru has it, else UDP at 10 Mbit/s each), then 1,000
# stacks in one process. See bench/sim_speed.c for the world.
# usage: bench/sim_speed_bench.sh [NARU_BINARY] [SIMULATED_SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
seconds=${2:-${SIM_BENCH_SECONDS:-10}}
bin=$(dirname "$naru")/bench/sim_speed
[ -x "$bin" ] || { echo "sim bench: no $bin (make build)" >&2; exit 1; }
"$bin" --seconds "$seconds" --stacks 1000
