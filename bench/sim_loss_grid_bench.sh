#!/usr/bin/env bash
# TCP goodput under random loss (0, 0.1, 1, 5, 10%) on a 100 ms path at
# 1, 10 and 100 Mbit/s and as smoltcp's netsim runs it, beside the Mathis
# bound. See bench/sim_loss_grid.c.
# usage: bench/sim_loss_grid_bench.sh [NARU_BINARY] [SEEDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
seeds=${2:-${LOSS_GRID_SEEDS:-3}}
bin=$(dirname "$naru")/bench/sim_loss_grid
[ -x "$bin" ] || { echo "loss grid: no $bin (make build)" >&2; exit 1; }
"$bin" --seeds "$seeds"
