#!/usr/bin/env bash
# The command line says everything about itself, in one place: `naru help`
# lists every command (one per tools/cmd_NAME.c); `naru help COMMAND` is
# the same text as `naru COMMAND --help`, with a usage line, an example,
# and every flag its getopt_long() accepts (long options from its option
# table, with the shared ones from tools/cli.h, and the short ones of its
# optstring); the man page made from it (naru-COMMAND(1)) renders without
# warnings and names every flag too, and the bash completion offers them.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}
doc=${NARU_BUILD_DIR:-$(dirname "$NARU")}/doc

commands=$("$NARU" help | awk '/Commands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ && n++ { exit }')
for f in "$src"/tools/cmd_*.c; do
    c=$(basename "$f" .c)
    c=${c#cmd_}
    check_match "naru help lists '$c' (tools/cmd_$c.c)" "^$c\$" "$commands"
done
"$NARU" help nosuch >/dev/null 2>&1
check_eq "naru help of no such command: exit 2" 2 "$?"

# The long options of a shared table macro in tools/cli.h, and of the
# macros it names.
macro_options() {
    awk -v m="$1" '$1 == "#define" && $2 == m { on = 1; next } on { print } on && !/\\$/ { exit }' "$src/tools/cli.h" |
        while read -r line; do
            if [[ $line =~ \"([a-z0-9-]+)\",\ (no|required|optional)_argument ]]; then
                echo "${BASH_REMATCH[1]}"
            elif [[ $line =~ ^(CLI_[A-Z_]+_OPTIONS) ]]; then
                macro_options "${BASH_REMATCH[1]}"
            fi
        done
}

# has WORD TEXT: WORD (a flag) stands alone in TEXT.
has() { grep -Eq -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" <<<"$2"; }

# shellcheck disable=SC1091
. "$doc/naru.bash-completion"
for c in $commands; do
    file=$src/tools/cmd_$c.c
    help=$("$NARU" help "$c")
    check_eq "naru help $c is naru $c --help" "$help" "$("$NARU" "$c" --help)"
    check_match "naru help $c: a usage line" "^usage: naru $c" "$help"
    check_match "naru help $c: an example" "^example: .*naru $c " "$help"
    longs=$(grep -oE '\{ "[a-z0-9-]+", (no|required|optional)_argument' "$file" | sed -E 's/\{ "([^"]+)".*/\1/')
    for m in $(grep -oE 'CLI_[A-Z_]*LONG_OPTIONS' "$file" | sort -u); do
        longs="$longs $(macro_options "$m")"
    done
    shorts=$(grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$file" | sed -E 's/.*"(.*)"/\1/' | tr -d ':+')
    flags=$(for o in $longs; do echo "--$o"; done; for ((i = 0; i < ${#shorts}; i++)); do echo "-${shorts:i:1}"; done)
    [ -f "$doc/man/naru-$c.1" ] || fail "no man page $doc/man/naru-$c.1"
    man=$(LC_ALL=C groff -man -Tascii -P-cbou -rLL=250n -ww "$doc/man/naru-$c.1" 2>"$WORK/warnings")
    check_eq "naru-$c.1 renders without warnings" "" "$(cat "$WORK/warnings")"
    check_match "naru-$c.1 has the usage" "^ +naru $c " "$man"
    COMP_WORDS=(naru "$c" -)
    COMP_CWORD=2
    COMPREPLY=()
    _naru
    COMP_WORDS=(naru "$c" +)
    _naru_plus=("${COMPREPLY[@]}")
    COMPREPLY=()
    _naru
    completion=$(printf '%s\n' "${_naru_plus[@]}" "${COMPREPLY[@]}")
    missing_help="" missing_man="" missing_completion=""
    for f in $flags; do
        has "$f" "$help" || missing_help="$missing_help $f"
        has "$f" "$man" || missing_man="$missing_man $f"
        grep -qx -- "$f" <<<"$completion" || missing_completion="$missing_completion $f"
    done
    check_eq "naru help $c names every flag getopt takes ($(echo $flags | wc -w))" "" "$missing_help"
    check_eq "naru-$c.1 names every flag" "" "$missing_man"
    check_eq "the completion of 'naru $c -' offers every flag" "" "$missing_completion"
done
man=$(LC_ALL=C groff -man -Tascii -P-cbou -rLL=250n -ww "$doc/man/naru.1" 2>"$WORK/warnings")
check_eq "naru.1 renders without warnings" "" "$(cat "$WORK/warnings")"
for c in $commands; do
    check_match "naru.1 lists $c and refers to naru-$c(1)" "naru-$c\(1\)" "$man"
done
COMP_WORDS=(naru "")
COMP_CWORD=1
_naru
check_eq "the completion of 'naru ' offers help and every command" \
    "$(echo help --version --help $commands | tr ' ' '\n' | sort)" "$(printf '%s\n' "${COMPREPLY[@]}" | sort)"
finish
