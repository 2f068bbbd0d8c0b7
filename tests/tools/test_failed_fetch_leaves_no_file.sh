#!/usr/bin/env bash
# A download that fails before its body starts leaves no file behind
# (curl's habit); a successful one, even of nothing, makes its file.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

"$NARU" fetch -o "$WORK/missing" http://server/nothing-here 2>"$WORK/err"
check_eq "a 404 exits 1" 1 "$?"
check_match "and says so" 'HTTP 404 Not Found' "$(cat "$WORK/err")"
check_eq "and leaves no file" no "$([ -e "$WORK/missing" ] && echo yes || echo no)"
"$NARU" fetch -o "$WORK/refused" http://server:81/ 2>"$WORK/err"
check_eq "a refused connection exits 1" 1 "$?"
check_eq "and leaves no file" no "$([ -e "$WORK/refused" ] && echo yes || echo no)"
"$NARU" fetch -o "$WORK/empty" http://server/bytes/0 2>/dev/null
check_eq "an empty body is a success" 0 "$?"
check_eq "and an empty file" 0 "$(stat -c %s "$WORK/empty" 2>/dev/null)"
"$NARU" fetch -o "$WORK/some" http://server/bytes/100000 2>/dev/null
check_eq "/bytes/100000 arrives whole" 100000 "$(stat -c %s "$WORK/some" 2>/dev/null)"
finish
