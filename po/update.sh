#!/bin/sh
# Extract the translatable text of naru demo (the _() and N_() strings of
# tools/cmd_demo.c and any tools/demo_*.c chapter file) into po/naru.pot,
# and merge it into each po/LANG.po for its translator. Run from anywhere;
# tests/tools/test_demo_speaks_korean.sh checks nothing is left out.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS: \
  --package-name=naru --no-location --sort-output \
  -o po/naru.pot tools/cmd_demo.c $(ls tools/demo_*.c 2>/dev/null || true)
for po in po/*.po; do
  [ -e "$po" ] || continue
  msgmerge --quiet --update --backup=none --no-location --sort-output "$po" po/naru.pot
done
