#!/bin/sh
# The man pages and the bash completion, made from naru's own help texts at
# build time, so that they say what `naru help COMMAND` says and cannot
# drift from it:
#   OUTDIR/man/naru.1            from `naru help`
#   OUTDIR/man/naru-COMMAND.1    from `naru help COMMAND`
#   OUTDIR/naru.bash-completion  the commands, and each one's flags
# usage: gen-docs.sh NARU OUTDIR
#
# The help texts keep a simple shape this reads: "usage:" lines first (the
# synopsis), then paragraphs; lines two spaces in are tables (flags,
# commands) and stay as they are; "Exit status:" starts that section, and
# "example:" lines (with the lines indented under them) are the examples.
set -eu
# Bytes, not characters: the same output in any locale.
LC_ALL=C
export LC_ALL
naru=$1
out=$2
mkdir -p "$out/man"
version=$("$naru" --version | sed 's/^naru //')

# The commands and their one-line summaries: "  NAME  summary" lines of
# `naru help`, after "Commands:".
commands=$("$naru" help | awk '/Commands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ && n++ { exit }')
[ -n "$commands" ] || { echo "gen-docs: no commands in 'naru help'" >&2; exit 1; }
summary() { "$naru" help | awk -v c="$1" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }'; }

# Help text on stdin -> a man page on stdout.
# to_man TITLE NAME SUMMARY SEE_ALSO
to_man() {
    awk -v title="$1" -v name="$2" -v summary="$3" -v see="$4" -v version="$version" '
    function esc(s) {
        gsub(/\\/, "\\e", s)
        gsub(/-/, "\\-", s)
        gsub(/\342\200\224/, "\\(em", s)
        if (s ~ /^[.\047]/) s = "\\&" s
        return s
    }
    # Runs of text are filled; runs of indented lines are kept as they are.
    function mode(m) {
        if (m == cur) return
        if (cur == "nf") print ".fi"
        if (m == "nf") print ".nf"
        cur = m
    }
    function section(s) { mode(""); print ".SH " s; pending = 0 }
    BEGIN {
        print ".\\\" Made by tools/gen-docs.sh from naru'"'"'s help text; edit that instead."
        printf ".TH %s 1 \"\" \"naru %s\" \"naru manual\"\n", toupper(title), version
        print ".nh"
        print ".SH NAME"
        print esc(name) " \\- " esc(summary)
        print ".SH SYNOPSIS"
        print ".nf"
        state = "usage"
    }
    state == "usage" {
        if ($0 ~ /^usage: /) { sub(/^usage: /, ""); print esc($0); next }
        if ($0 ~ /^ /) { sub(/^       /, ""); print esc($0); next }
        print ".fi"
        state = "text"
        section("DESCRIPTION")
        next
    }
    /^example: / {
        sub(/^example: +/, "")
        examples[++nex] = $0
        state = "example"
        next
    }
    state == "example" && /^         / { sub(/^ +/, ""); examples[++nex] = $0; next }
    /^Exit status:/ { section("EXIT STATUS"); state = "text" }
    /^$/ { if (cur != "") { mode(""); } pending = 1; next }
    {
        if (state == "text" && !options && $0 ~ /^  [-+@A-Z]/ && title != "naru") {
            section("OPTIONS"); options = 1; pending = 0
        }
        if (pending) { mode(""); print ".PP"; pending = 0 }
        if ($0 ~ /^  /) mode("nf"); else mode("text")
        print esc($0)
    }
    END {
        mode("")
        if (nex) {
            print ".SH EXAMPLE"
            print ".nf"
            for (i = 1; i <= nex; i++) print esc(examples[i])
            print ".fi"
        }
        print ".SH SEE ALSO"
        print see
    }'
}

see_all=""
for c in $commands; do
    see_all="$see_all${see_all:+,
}.BR naru\\-$c (1)"
done
"$naru" help | to_man naru naru "a TCP/IP stack and a simulated Internet" "$see_all" >"$out/man/naru.1"
for c in $commands; do
    "$naru" help "$c" | to_man "naru-$c" "naru-$c" "$(summary "$c")" ".BR naru (1)" >"$out/man/naru-$c.1"
done

# The flags a help text names: -x, --long, +dig-option (+[no]x: both).
flags_of() {
    "$naru" help "$1" | grep -oE '(^|[][ ,|(])(--?[A-Za-z0-9][A-Za-z0-9-]*|\+(\[no\])?[a-z]+=?)' |
        sed -E 's/^[][ ,|(]//' | sed -E 's/^\+\[no\](.*)$/+\1 +no\1/' | tr ' ' '\n' | sort -u | tr '\n' ' '
}

{
    echo "# bash completion for naru: made by tools/gen-docs.sh from naru's help texts."
    echo "_naru() {"
    echo '    local cur=${COMP_WORDS[COMP_CWORD]} flags=""'
    echo '    if [ "$COMP_CWORD" -eq 1 ]; then'
    echo "        COMPREPLY=(\$(compgen -W \"help --version --help $(echo $commands)\" -- \"\$cur\"))"
    echo '        return'
    echo '    fi'
    echo '    case ${COMP_WORDS[1]} in'
    echo "    help) [ \"\$COMP_CWORD\" -eq 2 ] && COMPREPLY=(\$(compgen -W \"$(echo $commands)\" -- \"\$cur\")); return ;;"
    for c in $commands; do
        echo "    $c) flags=\"$(flags_of "$c" | sed 's/ $//')\" ;;"
    done
    echo '    *) return ;;'
    echo '    esac'
    echo '    case $cur in'
    echo '    -* | +*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;'
    echo '    esac'
    echo '}'
    echo 'complete -o default -F _naru naru'
} >"$out/naru.bash-completion"
