# shellcheck shell=bash
# Helpers for the tests of the naru command line as a user meets it: a
# test is tests/tools/test_*.sh, run by CTest (label "tools") with the
# program in $NARU, or by hand as `bash test_x.sh /path/to/naru`. It needs
# no root and no network: every command runs in the simulator's world.
# Output is TAP ("ok N - what"); exit status 0 when every check passed, 1
# otherwise.
#
#     . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     tools_init "$@"
#     out=$("$NARU" ping -c 1 server)
#     check_match "the reply is counted" '1 received' "$out"
#     finish

set -u -o pipefail

_TOOLS_CHECKS=0
_TOOLS_FAILED=0
WORK=""

# Take the naru binary from $1 or $NARU, and make $WORK, removed on exit.
tools_init() {
    NARU=${1:-${NARU:?usage: $0 /path/to/naru, or NARU in the environment}}
    [ -x "$NARU" ] || { echo "Bail out! no naru binary at $NARU"; exit 1; }
    WORK=$(mktemp -d /tmp/naru-tools-XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
}

pass() {
    _TOOLS_CHECKS=$((_TOOLS_CHECKS + 1))
    echo "ok $_TOOLS_CHECKS - $1"
}

# fail WHAT [DETAIL...]: a failed check, with details as comments.
fail() {
    _TOOLS_CHECKS=$((_TOOLS_CHECKS + 1))
    _TOOLS_FAILED=$((_TOOLS_FAILED + 1))
    echo "not ok $_TOOLS_CHECKS - $1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}

# check_match WHAT EXTENDED-REGEX TEXT: passes when a line of TEXT matches.
check_match() {
    if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "no line matches /$2/ in:" "$3"; fi
}

# check_no_match WHAT EXTENDED-REGEX TEXT
check_no_match() {
    if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected /$2/ in:" "$(grep -E -- "$2" <<<"$3")"; else pass "$1"; fi
}

# dnsd_port FILE: the port a `naru dnsd --listen ADDR:0` took, from the
# ready line in its stderr FILE (empty when there is none yet).
dnsd_port() {
    sed -nE 's/^naru dnsd: ready: .* on [^ ]*:([0-9]+) .*$/\1/p' "$1"
}

finish() {
    echo "1..$_TOOLS_CHECKS"
    [ "$_TOOLS_FAILED" -eq 0 ] || { echo "# $_TOOLS_FAILED of $_TOOLS_CHECKS checks failed"; exit 1; }
    exit 0
}
