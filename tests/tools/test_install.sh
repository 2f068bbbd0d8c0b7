#!/usr/bin/env bash
# An installed naru is usable as the README says: `naru --version`, and
# programs built against it with pkg-config (naru_core.pc, naru_apps.pc,
# naru.pc) and with CMake's find_package(naru) (naru::naru_core,
# naru::naru_apps, naru::naru) build and run (tests/install/, and
# examples/http_two_stacks.c for the applications).
#
# usage: test_install.sh [DESTDIR PREFIX]
#   Without arguments, installs the build tree (NARU_BUILD_DIR) into a
#   temporary DESTDIR itself; .ci/run passes the one `make install
#   DESTDIR=...` filled. NARU_CC and NARU_CFLAGS (sanitizer flags) come from
#   CTest (tests/CMakeLists.txt).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${NARU_SOURCE_DIR:-$here/../..}
cc=${NARU_CC:-cc}
flags=${NARU_CFLAGS:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 2 ]; then
  root=$1 prefix=$2
else
  root=$work/root prefix=/usr/local
  DESTDIR=$root cmake --install "${NARU_BUILD_DIR:?}" --prefix "$prefix" >/dev/null
fi
top=$root$prefix
fail() { echo "test_install: $*" >&2; exit 1; }

version=$("$top/bin/naru" --version) || fail "installed naru --version failed"
[[ $version =~ ^naru\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "naru --version said '$version'"
for f in include/naru/stack.h include/naru/apps.h include/naru/version.h lib*/libnaru_core.a lib*/libnaru_apps.a \
         lib*/libnaru.a lib*/pkgconfig/naru.pc lib*/pkgconfig/naru_apps.pc lib*/pkgconfig/naru_core.pc \
         lib*/cmake/naru/naruConfig.cmake; do
  compgen -G "$top/$f" >/dev/null || fail "not installed: $prefix/$f"
done
# The man pages and the bash completion, made from the help texts.
for c in "" $("$top/bin/naru" help | awk '/Commands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
  page=share/man/man1/naru${c:+-$c}.1
  [ -s "$top/$page" ] || fail "not installed: $prefix/$page"
done
[ -s "$top/share/bash-completion/completions/naru" ] || fail "not installed: the bash completion"
# The Korean catalog, which the installed naru finds from where it is
# (../share/locale beside bin/), staged or not.
[ -s "$top/share/locale/ko/LC_MESSAGES/naru.mo" ] || fail "not installed: the Korean catalog"
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=ko_KR.UTF-8 "$top/bin/naru" demo --quiet | grep -q "멀리 떨어진 두 컴퓨터" ||
  fail "the installed naru demo does not speak Korean"
pcdir=$(dirname "$(compgen -G "$top/lib*/pkgconfig/naru.pc" | head -1)")

# pkg-config, with the staged tree as the sysroot of the prefix.
pc() { PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config "$@"; }
# shellcheck disable=SC2046,SC2086
$cc -std=c11 $flags "$src/tests/install/core_app.c" $(pc --cflags --libs naru_core) -o "$work/core_pc" ||
  fail "cannot build against naru_core.pc"
# shellcheck disable=SC2046,SC2086
$cc -std=c11 $flags "$src/examples/http_two_stacks.c" $(pc --cflags --libs naru_apps) -o "$work/apps_pc" ||
  fail "cannot build against naru_apps.pc"
# shellcheck disable=SC2046,SC2086
$cc -std=c11 $flags "$src/tests/install/sim_app.c" $(pc --static --cflags --libs naru) -o "$work/sim_pc" ||
  fail "cannot build against naru.pc"
"$work/core_pc" | grep -q "the datagram crossed" || fail "the naru_core.pc program did not work"
"$work/apps_pc" | grep -q "every one right" || fail "the naru_apps.pc program did not work"
"$work/sim_pc" | grep -Eq "ping was answered|without scenario" || fail "the naru.pc program did not work"

# find_package(naru).
cmake -S "$src/tests/install" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$top" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$flags" >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log" >&2; fail "find_package(naru) failed"; }
cmake --build "$work/consumer" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "cannot build with find_package(naru)"; }
"$work/consumer/core_app" | grep -q "the datagram crossed" || fail "the naru::naru_core program did not work"
"$work/consumer/apps_app" | grep -q "every one right" || fail "the naru::naru_apps program did not work"
"$work/consumer/sim_app" | grep -Eq "ping was answered|without scenario" || fail "the naru::naru program did not work"
# An embedder of naru_core or naru_apps links no libinih.
grep -q inih "$work/consumer/CMakeFiles/core_app.dir/link.txt" && fail "naru::naru_core drags in libinih"
grep -q inih "$work/consumer/CMakeFiles/apps_app.dir/link.txt" && fail "naru::naru_apps drags in libinih"
echo "installed $version with its man pages and completion: pkg-config and find_package(naru) programs build and run"
