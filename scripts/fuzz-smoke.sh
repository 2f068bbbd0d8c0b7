#!/usr/bin/env bash
# Run every libFuzzer target for a while over a copy of its seed corpus.
#
#   scripts/fuzz-smoke.sh BUILD_DIR SECONDS     (make fuzz-smoke FUZZ_SECONDS=N)
#
# BUILD_DIR is a -DNARU_FUZZ=ON build (`make fuzz` makes build-fuzz). Each
# target in BUILD_DIR/fuzz runs SECONDS seconds, one after another. The seed
# corpus in fuzz/corpus/<target>/ is copied, never written; a dictionary
# fuzz/<target>.dict, where there is one, is used. Logs and any
# crash, leak, timeout or out-of-memory input go to fuzz-out/<target>/ (or
# $FUZZ_OUT/<target>/). A failing target prints the input's path and the end
# of its log, and the script exits 1 after running the rest. To keep a
# finding as a regression test, copy the input into fuzz/corpus/<target>/:
# the normal build replays it under CTest (label fuzz-corpus).
set -uo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_OUT:-$root/fuzz-out}

targets=()
for bin in "$build"/fuzz/fuzz_*; do
    [ -f "$bin" ] && [ -x "$bin" ] && [[ $bin != *_replay ]] && targets+=("$bin")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz-smoke: no fuzz targets in $build/fuzz (build with make fuzz)" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/naru-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=()
for bin in "${targets[@]}"; do
    name=$(basename "$bin")
    corpus=$work/$name
    mkdir -p "$corpus" "$out/$name"
    rm -f "$out/$name"/crash-* "$out/$name"/leak-* "$out/$name"/timeout-* "$out/$name"/oom-*
    seeds=0
    if [ -d "$root/fuzz/corpus/$name" ]; then
        cp "$root/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
        seeds=$(find "$corpus" -type f | wc -l)
    fi
    log=$out/$name/log.txt
    dict=()
    [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
    "$bin" -max_total_time="$seconds" "${dict[@]}" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$name/" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    after=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        printf 'fuzz-smoke: ok   %-18s %9s runs %7s exec/s  %s  corpus %s -> %s\n' \
            "$name" "${runs:-?}" "${speed:-?}" "${cov:-cov: ?}" "$seeds" "$after"
        continue
    fi
    failed+=("$name")
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -n "$input" ] || input=$(ls -t "$out/$name"/crash-* "$out/$name"/leak-* "$out/$name"/timeout-* \
                                    "$out/$name"/oom-* 2>/dev/null | head -1)
    echo "fuzz-smoke: FAIL $name (exit $rc)" >&2
    echo "fuzz-smoke:   crashing input: ${input:-none saved}" >&2
    echo "fuzz-smoke:   log: $log" >&2
    echo "fuzz-smoke:   replay: $bin ${input:-INPUT}" >&2
    grep -E 'ERROR:|SUMMARY:|property failed|runtime error' "$log" | head -5 | sed 's/^/fuzz-smoke:   | /' >&2
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz-smoke: ${#failed[@]} of ${#targets[@]} targets FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz-smoke: all ${#targets[@]} targets ran ${seconds}s each without a failure"
