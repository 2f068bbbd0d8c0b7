#!/usr/bin/env bash
# Spoofed SYNs do not lock Linux's clients out of naru host (issue 12):
#  - 300 SYNs from random sources at once (more than a listener's 256
#    half-open slots), then curl: it connects at once, without the SYN
#    retransmission a full queue would cost (1 s), and gets its file;
#  - a flood of 20,000 SYNs over 2 s while curl fetches ten times: every
#    fetch succeeds, and the ones whose SYN met a full queue got in by a
#    SYN cookie;
#  - another service of the same host (echo) answers throughout.
# The flooder is bench/syn_flood (a raw socket, sources in 198.19.0.0/16);
# naru's answers to those sources go to the namespace's side of the TAP
# device, which drops them.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" curl timeout python3
FLOOD=$(dirname "$NARU")/bench/syn_flood
[ -x "$FLOOD" ] || die "no $FLOOD: it is built with naru (bench/syn_flood.c)"

KERNEL=198.18.0.1
NARU_IP=198.18.0.2

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
mkdir -p "$WORK/www" || die "cannot create the web root"
printf 'hello\n' >"$WORK/www/hello.txt"
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --gw "$KERNEL" --serve "http=$WORK/www" --serve echo

# fetch: one curl, printing "code seconds-to-connect".
fetch() {
    in_ns "$ns" timeout 10 curl -sS -o "$WORK/got" -w '%{http_code} %{time_connect}\n' \
        "http://$NARU_IP/hello.txt" 2>&1
}

# --- a burst of 300 ---
in_ns "$ns" "$FLOOD" --to "$NARU_IP:80" --from 198.19.0.0/16 --rate 1000000 --count 300 >"$WORK/burst.out" 2>&1
check_eq "the flooder sends 300 spoofed SYNs" 0 "$?"
read -r code connect <<<"$(fetch)"
check_eq "right after them, curl gets its file" 200 "$code"
check_eq "and the file is whole" hello "$(cat "$WORK/got")"
note "connect time after the burst: $connect s"
check "curl connected at once, not after a SYN retransmission (1 s)" \
    awk -v t="$connect" 'BEGIN { exit !(t != "" && t < 0.9) }'

# --- a flood of 20,000 over 2 s, ten fetches during it ---
bg_start flooder "$ns" "$FLOOD" --to "$NARU_IP:80" --from 198.19.0.0/16 --rate 10000 --count 20000
sleep 0.3
ok=0 slow=0
for _ in $(seq 10); do
    read -r code connect <<<"$(fetch)"
    [ "$code" = 200 ] && ok=$((ok + 1))
    awk -v t="$connect" 'BEGIN { exit !(t >= 0.9) }' && slow=$((slow + 1))
    sleep 0.1
done
echo_ok=$(in_ns "$ns" timeout 30 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 7), timeout=20)
s.sendall(b"ping\n")
print(s.recv(16) == b"ping\n")' "$NARU_IP")
proc_wait "$flooder" 20 >/dev/null
check_eq "the flooder sent its 20,000" 0 "$?"
check_eq "during the flood all ten fetches succeed" 10 "$ok"
note "fetches during the flood that needed a SYN retransmission: $slow"
check_eq "and the echo service answers" True "$echo_ok"

naru_stop "$naru"
check_ge "naru answered SYNs with cookies once its half-open list was full" 1 \
    "$(naru_counter "$naru" tcp_syncookies_sent)"
check_ge "and took connections back from cookies" 1 "$(naru_counter "$naru" tcp_syncookies_accepted)"
check_eq "no forged or stale cookie came back" 0 "$(naru_counter "$naru" tcp_syncookies_failed)"
finish
