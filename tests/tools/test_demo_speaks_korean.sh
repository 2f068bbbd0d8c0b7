#!/usr/bin/env bash
# naru demo in Korean (issue 14): `--lang ko` tells the story through the
# gettext catalog built from po/ko.po, and LANG/LC_ALL/LC_MESSAGES/
# LANGUAGE=ko pick it too, on this machine where ko_KR.UTF-8 may never
# have been generated; English stays the default and `--lang en` wins over
# the environment; `--lang xx` is a usage error. Every translatable string
# of the sources has a translation (msgcmp against a fresh xgettext, and
# msgfmt --statistics), and no English sentence of the narration is left
# in the Korean run: the only lines both runs share are frames, traceroute
# hops, the counts table and the drawing's addresses (a frame line is
# tcpdump-like protocol notation: "client -> r1     10.1.0.2 > ...").
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
src=${NARU_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}

# A clean environment for each run: nothing of the caller's language.
run() {
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@"
}

en=$(run "$NARU" demo --seed 3 2>&1)
check_eq "naru demo (English) exits 0" 0 "$?"
ko=$(run "$NARU" demo --seed 3 --lang ko 2>&1)
check_eq "naru demo --lang ko exits 0" 0 "$?"

check_match "English by default: chapter 6's title" '^6\. IP is connectionless and promises nothing$' "$en"
check_match "English by default: chapter 7's title" '^7\. Addresses change, names stay$' "$en"
check_match "Korean: the opening line" '^naru demo, seed 3: 멀리 떨어진 두 컴퓨터와 그 사이의 네트워크\.$' "$ko"
check_match "Korean: chapter 1, in the seed's words (이름, 주소)" '^1\. 이름이 주소가 됩니다: DNS, 그리고 첫 패킷들의 여행$' "$ko"
check_match "Korean: ports (포트)" '^4\. 포트, 그리고 UDP가 하지 않는 일$' "$ko"
check_match "Korean: chapter 6 (비연결성)" '^6\. IP는 비연결성이고, 아무것도 약속하지 않습니다$' "$ko"
check_match "Korean: the seed's own sentence on it" '패킷을 받을 대상이 없어도 패킷은 일단 전송됩니다' "$ko"
check_match "Korean: chapter 7" '^7\. 주소는 바뀌어도 이름은 그대로입니다$' "$ko"
check_match "Korean: the routers (라우터)" '라우터 r1과 r2가 패킷을 넘겨주며' "$ko"
check_match "Korean: a try told from the cache" 'shop\.naru\.test → 10\.2\.0\.80 \(캐시의 응답, [0-9]+초 남음\)' "$ko"
check_match "Korean: the stack's ARP words too" '\(ARP\) 10\.1\.0\.99 주소의 주인은 누구인가요\?' "$ko"
check_match "Korean: the counts table's heads" '^  노드 +보냄 +받음 +물음 +답함' "$ko"
check_match "Korean: what a connected socket hears" '다음 호출이 "호스트로 가는 경로 없음" 오류로 실패합니다' "$ko"

# Lines both runs print: only what is not narration.
shared=$(grep -Fxf <(printf '%s\n' "$en") <<<"$ko" |
    grep -vE '^$|^ +[0-9]+\.[0-9]+ ms  [a-z0-9]+ +-> [a-z0-9]+ |^ +[0-9]+  [0-9.]+ \(|^  [a-z0-9]+ +[0-9]+ +[0-9]+ +[0-9]+|^  client -+ r1 =+ r2|^  10\.1\.0\.2/24 ')
check_eq "no English narration line is left in the Korean run" "" "$shared"
sentences=$(grep -E '\b(the|is|are|and|was|were|it|of) [a-z]+ [a-z]+\b' <<<"$ko" |
    grep -vE '^ +[0-9]+\.[0-9]+ ms  [a-z0-9]+ +-> [a-z0-9]+ |--|LC_')
check_eq "no English sentence in the Korean run" "" "$sentences"

# The environment picks Korean; --lang overrides it either way.
for var in LANG LC_ALL LC_MESSAGES; do
    out=$(run env "$var=ko_KR.UTF-8" "$NARU" demo --quiet 2>&1)
    check_match "$var=ko_KR.UTF-8 picks Korean" '멀리 떨어진 두 컴퓨터' "$out"
done
out=$(run env LANG=C.UTF-8 LANGUAGE=ko "$NARU" demo --quiet 2>&1)
check_match "LANGUAGE=ko picks Korean" '멀리 떨어진 두 컴퓨터' "$out"
out=$(run env LC_ALL=C LANGUAGE=ko "$NARU" demo --quiet 2>&1)
check_match "LC_ALL=C: untranslated, whatever LANGUAGE says (the man pages are made so)" 'two computers far apart' "$out"
out=$(run env LANG=ko_KR.UTF-8 "$NARU" demo --quiet --lang en 2>&1)
check_match "--lang en wins over LANG=ko_KR.UTF-8" 'two computers far apart' "$out"
out=$(run env LANG=de_DE.UTF-8 "$NARU" demo --quiet 2>&1)
check_match "a language naru has no words in: English" 'two computers far apart' "$out"
check_match "numbers keep their decimal point" 'of simulated time' "$out"

# --help in Korean, whichever side of it --lang is.
help=$(run "$NARU" demo --help --lang ko)
check_eq "naru demo --help --lang ko exits 0" 0 "$?"
check_match "the help in Korean" '^작은 시뮬레이션 인터넷을 건너는 패킷을 지켜봅니다' "$help"
check_match "the help's flags in Korean" '^  --lang en\|ko +영어 또는 한국어로 설명' "$help"
help=$(run "$NARU" demo --help)
check_match "the help in English by default" '^  --lang en\|ko +tell it in English or in Korean' "$help"

out=$(run "$NARU" demo --lang xx 2>&1)
check_eq "--lang xx: a usage error (exit 2)" 2 "$?"
check_match "which names the languages" "unknown language 'xx' \(want en or ko\)" "$out"

# The replay page speaks it too: its own words come from the catalog.
run "$NARU" demo --quiet --lang ko --html "$WORK/ko.html" >/dev/null 2>&1
check_eq "naru demo --lang ko --html exits 0" 0 "$?"
page=$(cat "$WORK/ko.html" 2>/dev/null)
check_match "the page's words are Korean" '"words":\{"lang":"ko","steps":"단계","speed":"속도"' "$page"
check_match "and so is its story" '"title":"1\. 이름이 주소가 됩니다' "$page"
run "$NARU" demo --quiet --html "$WORK/en.html" >/dev/null 2>&1
check_match "in English, English words" '"words":\{"lang":"en","steps":"Steps"' "$(cat "$WORK/en.html" 2>/dev/null)"

# Every string the sources mark is translated.
if command -v xgettext >/dev/null && command -v msgcmp >/dev/null; then
    xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ -o "$WORK/fresh.pot" \
        "$src"/tools/cmd_demo.c $(ls "$src"/tools/demo_*.c 2>/dev/null)
    why=$(msgcmp "$src/po/ko.po" "$WORK/fresh.pot" 2>&1)
    check_eq "po/ko.po has every string of the sources (else: sh po/update.sh)" "" "$why"
    stats=$(msgfmt --check --statistics -o /dev/null "$src/po/ko.po" 2>&1)
    check_match "msgfmt: all translated" '^[0-9]+ translated messages\.$' "$stats"
else
    fail "xgettext and msgcmp (Debian package gettext) are installed"
fi
finish
