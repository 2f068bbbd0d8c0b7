#!/usr/bin/env bash
# A directory given to naru sim opened like an empty file and was said to
# have "no nodes"; it is a directory, and that is what naru sim says.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

err=$("$NARU" sim "$WORK" 2>&1)
check_eq "naru sim DIR is a usage error" 2 "$?"
check_match "it says the file cannot be read, and why" "^naru sim: $WORK: cannot read it: Is a directory$" "$err"
finish
