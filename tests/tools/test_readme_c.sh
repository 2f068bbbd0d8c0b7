#!/usr/bin/env bash
# The README's C code compiles as pasted, against the build's naru_core,
# with warnings as errors, and runs: every ```c block of README.md is a
# whole program. (The first piece of the test that runs every README block.)
#
# Environment (from CTest, tests/CMakeLists.txt): NARU_SOURCE_DIR,
# NARU_BUILD_INCLUDE (generated headers), NARU_CORE_LIB, NARU_CC and
# NARU_CFLAGS (sanitizer flags in that build).
set -euo pipefail
src=${NARU_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Block n of README.md to $work/block-n.c, with the line it starts on.
awk -v dir="$work" '
  /^```c[[:space:]]*$/ { n++; file = sprintf("%s/block-%d.c", dir, n); printf "#line %d \"README.md\"\n", NR + 1 > file; inside = 1; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print > file }
' "$src/README.md"
blocks=("$work"/block-*.c)
[ -e "${blocks[0]}" ] || { echo "test_readme_c: README.md has no \`\`\`c block" >&2; exit 1; }
for block in "${blocks[@]}"; do
  # shellcheck disable=SC2086
  ${NARU_CC:-cc} -std=c11 -Wall -Wextra -Werror ${NARU_CFLAGS:-} -I"$src/include" -I"${NARU_BUILD_INCLUDE:?}" \
    "$block" "${NARU_CORE_LIB:?}" -o "$work/program" || { echo "test_readme_c: a README.md C block does not compile" >&2; exit 1; }
  "$work/program" >"$work/out" || { echo "test_readme_c: a README.md C program failed" >&2; cat "$work/out" >&2; exit 1; }
  cat "$work/out"
done
echo "README.md: ${#blocks[@]} C block(s) compiled against naru_core and ran"
