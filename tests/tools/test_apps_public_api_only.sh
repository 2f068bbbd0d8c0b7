#!/usr/bin/env bash
# naru_apps, the applications an embedder links beside naru_core, is built
# on naru's public API and the C library alone: every symbol it needs from
# elsewhere is a C11 library function or one of naru_core's public naru_*
# functions. A private core function (tcp_*, sock_*, random_*, ...), a
# system call, a clock read or a simulator function fails here, by name.
# Environment (from CTest): NARU_APPS_LIB, NARU_CORE_LIB.
set -euo pipefail
apps=${NARU_APPS_LIB:?}
core=${NARU_CORE_LIB:?}
c11='
  memcpy memmove memset memcmp memchr strlen strcmp strncmp strchr strrchr strstr strspn strcspn
  strcpy strncpy strcat strncat strerror strtol strtoul strtoll strtoull strtod
  malloc calloc realloc free abort qsort bsearch abs labs llabs
  snprintf vsnprintf sprintf vsprintf tolower toupper isalnum isalpha isdigit isspace isxdigit'
defined() { nm "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBRCVW]$/ { print $3 }' | sort -u; }
own=$(defined "$apps")
core_public=$(defined "$core" | grep '^naru_' || true)
undefined=$(nm "$apps" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u)
bad=()
for sym in $(comm -23 <(echo "$undefined") <(echo "$own")); do
  case " $c11 " in *" $sym "*) continue ;; esac
  grep -qx "$sym" <<<"$core_public" && continue
  case $sym in
    __errno_location | __ctype_*_loc | __isoc99_* | __isoc23_* | __*_chk | __stack_chk_fail | \
      __assert_fail | _GLOBAL_OFFSET_TABLE_ | __asan_* | __ubsan_* | __sanitizer_* | __lsan_*) continue ;;
  esac
  bad+=("$sym")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "naru_apps uses more than naru's public API and the C library: ${bad[*]}" >&2
  exit 1
fi
private=$(echo "$own" | grep -Ev '^(naru_|app_)' || true)
if [ -n "$private" ]; then
  echo "naru_apps defines symbols outside naru_ and app_: $private" >&2
  exit 1
fi
echo "naru_apps needs naru_core's public API ($(comm -12 <(echo "$undefined") <(echo "$core_public") | wc -l) functions) and the C library only"
