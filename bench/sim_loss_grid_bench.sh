#!/usr/bin/env bash
# TCP goodput under random loss (0, 0.1, 1, 5, 10%) over a 100 Mbit/s,
# 100 ms path, beside the Mathis bound. See bench/sim_loss_grid.c.
# usage: bench/sim_loss_grid_bench.sh [NARU_BINARY] [BYTES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
bytes=${2:-${LOSS_GRID_BYTES:-20000000}}
bin=$(dirname "$naru")/bench/sim_loss_grid
[ -x "$bin" ] || { echo "loss grid: no $bin (make build)" >&2; exit 1; }
"$bin" --bytes "$bytes"
