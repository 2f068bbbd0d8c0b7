#!/usr/bin/env bash
# A fuzz campaign: grow each target's corpus until its coverage stops
# rising, minimize it, and say what it reached.
#
#   scripts/fuzz-campaign.sh [SECONDS_PER_TARGET]        (default 600)
#
# Builds the libFuzzer targets (make fuzz, into build-fuzz unless BUILD is
# set), then for each fuzz/fuzz_*.c, one after another: runs it on a copy
# of fuzz/corpus/<target>/ in rounds: the first FIRST_ROUND seconds, each
# later one as many executions as all rounds before it together (so the
# rounds double in work, whatever the machine's load does to their wall
# time), until a whole round adds nothing new, or the target's
# SECONDS_PER_TARGET are spent (a round cut short by them is not whole); merges what the rounds found into the
# committed seeds (-merge=1: the seeds all stay, as named regression and
# hand-made inputs, and of the new inputs only the fewest that bring the
# same new features are added); and prints, per
# target, the executions and exec/s of its rounds and the edges (cov) and
# features (ft) of the committed corpus and of the minimized one, both
# measured the same way (one pass over the corpus, -runs=0).
#
# A target's dictionary of tokens, fuzz/<target>.dict, is used where there
# is one. Every run is `nice -n 19` (NICE to change it), one process (no -jobs/
# -workers), round N with -seed=N. The minimized corpora are left in fuzz-out/campaign/
# <target>/corpus (FUZZ_OUT to move it); with UPDATE=1 they replace
# fuzz/corpus/<target>/, to be reviewed and committed. A crash, leak,
# timeout or out-of-memory input stops that target's rounds: the script
# names it (in fuzz-out/campaign/<target>/) and exits 1 at the end.
#
# A round "adds nothing" when it finds no new edge (libFuzzer's cov, the
# coverage the issue asks to see flat); with PLATEAU=features also no new
# feature (ft: edges by hit-count bucket and comparison operands, which
# keep creeping up for hours on parsers with many branches).
#
# Environment: TARGETS="fuzz_arp fuzz_tcp" for a subset; FIRST_ROUND (30)
# for the first round's seconds; MAX_LEN for libFuzzer's -max_len (by
# default its own: the largest seed, at least 4096 bytes).
set -uo pipefail

if [ $# -gt 1 ] || { [ $# -eq 1 ] && ! [[ $1 =~ ^[1-9][0-9]*$ ]]; }; then
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
fi
budget=${1:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build-fuzz}
out=${FUZZ_OUT:-$root/fuzz-out}/campaign
first=${FIRST_ROUND:-30}
plateau_rule=${PLATEAU:-edges}
niceness=${NICE:-19}
len_opt=()
[ -n "${MAX_LEN:-}" ] && len_opt=(-max_len="$MAX_LEN")

if [ -z "${BUILD:-}" ]; then
    make -C "$root" fuzz >/dev/null || { echo "fuzz-campaign: make fuzz failed" >&2; exit 1; }
fi

if [ -n "${TARGETS:-}" ]; then
    read -r -a targets <<<"$TARGETS"
else
    targets=()
    for src in "$root"/fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
fi

# "cov ft" of one pass over a corpus directory, from libFuzzer's INITED line.
coverage() {
    local bin=$1 dir=$2 line
    line=$(nice -n "$niceness" "$bin" -runs=0 -timeout=25 -rss_limit_mb=2048 "$dir" 2>&1 | grep -E 'INITED' | tail -1)
    echo "$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$line") $(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$line")"
}

failed=()
summary=()
for name in "${targets[@]}"; do
    bin=$build/fuzz/$name
    if ! [ -x "$bin" ]; then
        echo "fuzz-campaign: no $bin" >&2
        failed+=("$name")
        continue
    fi
    dir=$out/$name
    rm -rf "$dir"
    mkdir -p "$dir/grow" "$dir/corpus"
    if [ -d "$root/fuzz/corpus/$name" ]; then
        cp "$root/fuzz/corpus/$name"/* "$dir/grow"/ 2>/dev/null
        cp "$root/fuzz/corpus/$name"/* "$dir/corpus"/ 2>/dev/null
    fi
    seeds=$(find "$dir/grow" -type f | wc -l)
    dict=()
    [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
    read -r cov0 ft0 < <(coverage "$bin" "$dir/grow")

    spent=0 runs=0 secs=0 ok=1 n=0 flat=0
    prev_cov=$cov0 prev_ft=$ft0
    while [ $spent -lt "$budget" ]; do
        n=$((n + 1))
        log=$dir/round$n.log
        # Round 1 is timed; later rounds are counted in executions (as many
        # as all before), with the seconds left as a cap.
        runs_opt=() want=0 cap=$((budget - spent))
        if [ $n -eq 1 ]; then
            [ "$first" -lt "$cap" ] && cap=$first
        else
            want=$runs
            runs_opt=(-runs="$want")
        fi
        t0=$(date +%s)
        nice -n "$niceness" "$bin" -seed=$n -max_total_time="$cap" "${runs_opt[@]}" "${len_opt[@]}" "${dict[@]}" -timeout=25 \
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/" "$dir/grow" >"$log" 2>&1
        rc=$?
        round=$(($(date +%s) - t0))
        [ $round -lt 1 ] && round=1
        spent=$((spent + round))
        r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        runs=$((runs + ${r:-0}))
        secs=$((secs + round))
        whole=1
        [ $n -gt 1 ] && [ "${r:-0}" -lt "$want" ] && whole=0
        done_line=$(grep -E '(DONE|INITED|pulse|NEW|REDUCE) ' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
        cov=$(awk '{print $2}' <<<"$done_line")
        ft=$(awk '{print $4}' <<<"$done_line")
        cut_note=
        [ $whole -eq 0 ] && cut_note=" of $want (cut by the budget)"
        printf 'fuzz-campaign: %-20s round %d (%ds): %s runs%s, cov %s ft %s\n' \
            "$name" "$n" "$round" "${r:-?}" "$cut_note" "${cov:-?}" "${ft:-?}"
        if [ $rc -ne 0 ]; then
            ok=0
            input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
            echo "fuzz-campaign: FAIL $name (exit $rc): ${input:-no input saved}; log $log" >&2
            grep -E 'ERROR:|SUMMARY:|property failed|runtime error' "$log" | head -5 | sed 's/^/fuzz-campaign:   | /' >&2
            break
        fi
        # Coverage has stopped rising: this round found no new edge (and,
        # with PLATEAU=features, no new feature either).
        if [ $n -gt 1 ] && [ $whole -eq 1 ] && [ "${cov:-0}" -le "$prev_cov" ] &&
            { [ "$plateau_rule" != features ] || [ "${ft:-0}" -le "$prev_ft" ]; }; then
            flat=1
            break
        fi
        prev_cov=${cov:-$prev_cov}
        prev_ft=${ft:-$prev_ft}
    done

    nice -n "$niceness" "$bin" -merge=1 -timeout=25 -rss_limit_mb=2048 "${len_opt[@]}" \
        "$dir/corpus" "$dir/grow" >"$dir/merge.log" 2>&1
    files=$(find "$dir/corpus" -type f | wc -l)
    bytes=$(cat "$dir/corpus"/* 2>/dev/null | wc -c)
    read -r cov1 ft1 < <(coverage "$bin" "$dir/corpus")
    speed=$((secs > 0 ? runs / secs : 0))
    plateau=cut
    [ $flat -eq 1 ] && plateau=flat
    [ $ok -eq 0 ] && plateau=FAIL
    line=$(printf '%-20s %10s runs %6s exec/s  cov %5s -> %-5s ft %6s -> %-6s corpus %4s -> %4s files (%s bytes)  %d rounds, %s' \
        "$name" "$runs" "$speed" "$cov0" "$cov1" "$ft0" "$ft1" "$seeds" "$files" "$bytes" "$n" "$plateau")
    summary+=("$line")
    echo "fuzz-campaign: $line"
    if [ $ok -eq 0 ]; then
        failed+=("$name")
    elif [ "${UPDATE:-0}" = 1 ]; then
        rm -rf "$root/fuzz/corpus/$name"
        mkdir -p "$root/fuzz/corpus/$name"
        cp "$dir/corpus"/* "$root/fuzz/corpus/$name"/
    fi
done

echo
echo "fuzz-campaign: ${budget}s per target at most; 'flat' = a round of as many executions as all before it added no new $plateau_rule, 'cut' = the budget ended first"
for line in "${summary[@]}"; do
    echo "  $line"
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz-campaign: FAILED: ${failed[*]}" >&2
    exit 1
fi
