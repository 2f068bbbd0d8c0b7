#!/usr/bin/env bash
# Every ```sh block of README.md runs as pasted, so the README cannot rot:
# each block whole, in a fresh bash with `set -e` (the first command that
# fails stops it, and the test names the README line), with `naru` on PATH
# pointing at this build, in a directory that holds the source tree's files
# (new files, such as the tour's out/, land beside them, not in the tree).
#
# - The block of `make` commands is checked, not run (this test is running
#   under one of them): each is a target of the Makefile (make -n).
# - Blocks that need the network, root or background processes (ip netns,
#   --tap, --background, a trailing &) run as root, each in namespaces of
#   its own (network, mount, PID) the test creates: its devices, names
#   (/run/netns is a fresh tmpfs there), ports on 127.0.0.1 and processes
#   go away with it. Without root those are skipped (exit 77 when any is).
# - The rest (the simulator's tour) runs as it is.
#
# Environment (from CTest): NARU (the program), NARU_SOURCE_DIR.
set -u -o pipefail
src=${NARU_SOURCE_DIR:?}
naru=${NARU:?}
work=$(mktemp -d /tmp/naru-readme-XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir "$work/bin" "$work/tree" "$work/blocks"
ln -s "$naru" "$work/bin/naru"
for entry in "$src"/* "$src"/.[!.]*; do
    [ -e "$entry" ] && ln -s "$entry" "$work/tree/"
done

# Block n of README.md to blocks/n.sh; blocks/n.line: the README line of
# its first line.
awk -v dir="$work/blocks" '
  /^```sh[[:space:]]*$/ { n++; file = sprintf("%s/%d.sh", dir, n); printf "%d\n", NR + 1 > (dir "/" n ".line"); inside = 1; printf "" > file; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print > file }
' "$src/README.md"
count=$(find "$work/blocks" -name '*.sh' | wc -l)
[ "$count" -gt 0 ] || { echo "Bail out! README.md has no \`\`\`sh block"; exit 1; }

root=false
if [ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
    root=true
fi

checks=0 failed=0 skipped=0
ok() { checks=$((checks + 1)); echo "ok $checks - $1"; }
not_ok() { checks=$((checks + 1)); failed=$((failed + 1)); echo "not ok $checks - $1"; }

# script_for N: the block as a script with set -e, whose failing line names
# itself by its README line.
script_for() {
    local n=$1 first
    first=$(cat "$work/blocks/$n.line")
    {
        echo 'set -e -o pipefail'
        # The block's line L is the script's line L + 2.
        echo "trap 'echo \"README.md:\$((LINENO + $first - 3)): failed (exit status \$?): \$BASH_COMMAND\" >&2' ERR"
        cat "$work/blocks/$n.sh"
    } >"$work/blocks/$n.run"
}

for ((n = 1; n <= count; n++)); do
    block=$work/blocks/$n.sh
    first=$(cat "$work/blocks/$n.line")
    what="README.md block at line $first"
    if grep -qE '^make( |$)' "$block"; then
        bad=""
        while read -r _ target _; do
            make -s -n -C "$src" "${target:-all}" >/dev/null 2>&1 || bad="$bad ${target:-all}"
        done < <(grep -E '^make( |$)' "$block")
        if [ -z "$bad" ]; then ok "$what: every make command names a target of the Makefile"; else
            not_ok "$what: no such make target:$bad"; fi
        continue
    fi
    script_for "$n"
    if grep -qE 'ip netns|--tap|--background|&[[:space:]]*(#.*)?$' "$block"; then
        if ! $root; then
            echo "ok $((checks + 1)) - $what # SKIP needs root and /dev/net/tun"
            checks=$((checks + 1)) skipped=$((skipped + 1))
            continue
        fi
        # Namespaces of its own: whatever the block starts ends with them.
        # A /proc of the new PID namespace: LeakSanitizer lists a process's
        # threads under /proc/PID with the PID it sees (the ASan build).
        out=$(cd "$work/tree" && PATH="$work/bin:$PATH" timeout 300 \
            unshare --net --mount --pid --fork --kill-child --mount-proc bash -c '
                mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && ip link set lo up &&
                bash "$1"' inner "$work/blocks/$n.run" 2>&1)
    else
        out=$(cd "$work/tree" && PATH="$work/bin:$PATH" timeout 300 bash "$work/blocks/$n.run" 2>&1)
    fi
    status=$?
    printf '%s\n' "$out" | sed 's/^/#   /'
    if [ $status -eq 0 ]; then
        ok "$what runs as pasted"
    else
        line=$(grep -m1 '^README.md:[0-9]*: failed' <<<"$out" || echo "README.md: exit status $status")
        not_ok "$what: $line"
    fi
done

echo "1..$checks"
[ $failed -eq 0 ] || { echo "# $failed of $checks failed"; exit 1; }
[ $skipped -eq 0 ] || exit 77
exit 0
