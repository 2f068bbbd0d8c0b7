#!/usr/bin/env bash
# Run every benchmark: each bench/*_bench.sh, given the naru binary of the
# build directory (default: build). Benchmarks print their figures; they
# are not tests and pass no judgement.
# usage: bench/run.sh [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
status=0
for bench in "$here"/*_bench.sh; do
  echo "== $(basename "$bench" .sh)"
  bash "$bench" "$build/naru" || { echo "== $(basename "$bench" .sh) failed" >&2; status=1; }
done
exit $status
