#!/usr/bin/env bash
# naru demo's --loss and --reorder follow one rule: a number is a
# percentage, with or without '%'. "--loss 1" once meant 100% while
# "--loss 20" meant 20%.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

for arg in 1 1%; do
    out=$("$NARU" demo --loss "$arg" --delay 1 2>&1 | head -5)
    check_match "--loss $arg is 1%" 'loses 1%, reorders 1%' "$out"
done
out=$("$NARU" demo --loss 0.5% --reorder 0.5 2>&1 | head -5)
check_match "--loss 0.5% and --reorder 0.5 are half a percent" 'loses 0.5%, reorders 0.5%' "$out"
for arg in 101 60 -1 2%% abc; do
    err=$("$NARU" demo --loss "$arg" 2>&1 >/dev/null)
    check_eq "--loss $arg is a usage error" 2 "$?"
    check_match "named in one line" "^naru demo: bad loss '$arg'" "$err"
done
help=$("$NARU" demo --help)
check_match "--help says the rule" 'P is a percentage: 2, 2% and 0.5% are shares of 100' "$help"
finish
