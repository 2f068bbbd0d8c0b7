#!/usr/bin/env bash
# naru_core, what an embedder links, needs nothing but the C standard
# library: every symbol it leaves undefined is a C11 library function (or
# the compiler's and sanitizers' own helpers). A system call, a clock read,
# libinih or a simulator function creeping in fails here, by name.
# Environment (from CTest): NARU_CORE_LIB.
set -euo pipefail
lib=${NARU_CORE_LIB:?}
c11='
  memcpy memmove memset memcmp memchr strlen strcmp strncmp strchr strrchr strstr strspn strcspn
  strcpy strncpy strcat strncat strerror strtol strtoul strtoll strtoull strtod
  malloc calloc realloc free abort qsort bsearch abs labs llabs
  snprintf vsnprintf sprintf vsprintf printf fprintf vfprintf puts fputs fputc putchar
  fopen fclose fgets fgetc getc fread fwrite ferror feof fflush ungetc
  isalnum isalpha isdigit isspace isxdigit isprint isupper islower tolower toupper
  floor ceil llround lround round sqrt cbrt pow log exp fabs'
defined=$(nm "$lib" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBRCVW]$/ { print $3 }' | sort -u)
undefined=$(nm "$lib" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u)
bad=()
for sym in $(comm -23 <(echo "$undefined") <(echo "$defined")); do
  case " $c11 " in *" $sym "*) continue ;; esac
  case $sym in
    # glibc's spellings of the above (errno, <ctype.h>, C99 scanf, fortify,
    # stack protector, assert) and the sanitizers' instrumentation.
    __errno_location | __ctype_*_loc | __isoc99_* | __isoc23_* | __*_chk | __stack_chk_fail | \
      __assert_fail | _GLOBAL_OFFSET_TABLE_ | __asan_* | __ubsan_* | __sanitizer_* | __lsan_*) continue ;;
  esac
  bad+=("$sym")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "naru_core uses more than the C library: ${bad[*]}" >&2
  exit 1
fi
echo "naru_core needs only the C library: $(comm -23 <(echo "$undefined") <(echo "$defined") | grep -cv '^__') functions"
