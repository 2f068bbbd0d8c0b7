#!/usr/bin/env bash
# `naru fetch --tap` downloads from Python's http.server bound inside the
# namespace: a 20 MB file to a file and a small one to stdout arrive whole
# (SHA-256), a missing file makes naru fetch exit 1, and a port nobody
# listens on is refused (exit 1) at once, not after a timeout.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" python3 ss sha256sum timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02 # one MAC for every naru run, so Linux's ARP entry stays right
PORT=8000

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 20000000 /dev/urandom >"$WORK/www/big.bin" || die "cannot write test data"
printf 'hello from Linux\n' >"$WORK/www/hello.txt"
bg_start server "$ns" python3 -m http.server "$PORT" --bind "$KERNEL" --directory "$WORK/www"
# shellcheck disable=SC2317 # called through wait_until
listening() { [ -n "$(in_ns "$ns" ss -tlnH "sport = :$PORT")" ]; }
wait_until 10 listening || die "python3 -m http.server did not start: $(cat "$(bg_log "$server")")"

sha() { sha256sum <"$1" | cut -d' ' -f1; }
# fetch ARGS...: naru fetch on the TAP, bounded in time in case it hangs.
fetch() {
    in_ns "$ns" timeout -k 2 60 "$NARU" fetch --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" "$@"
}

fetch -o "$WORK/got.bin" "http://$KERNEL:$PORT/big.bin" 2>"$WORK/fetch.err"
check_eq "naru fetch downloads 20 MB from python3 http.server and exits 0" 0 "$?"
check_eq "the download's SHA-256 matches the file's" "$(sha "$WORK/www/big.bin")" "$(sha "$WORK/got.bin")"
check_no_match "naru fetch writes no progress bar when stderr is not a terminal" $'\r' "$(cat "$WORK/fetch.err")"

out=$(fetch -o - "http://$KERNEL:$PORT/hello.txt" 2>/dev/null)
check_eq "naru fetch -o - writes the body to stdout" "hello from Linux" "$out"

fetch -o "$WORK/missing" "http://$KERNEL:$PORT/missing.txt" 2>"$WORK/fetch404.err"
check_eq "naru fetch exits 1 on 404 Not Found" 1 "$?"
check_match "and says why" '404' "$(cat "$WORK/fetch404.err")"

start=$SECONDS
fetch -o "$WORK/refused" "http://$KERNEL:$((PORT + 1))/" 2>"$WORK/refused.err"
check_eq "naru fetch exits 1 when the port is closed" 1 "$?"
check_match "and says the connection was refused" '[Rr]efused' "$(cat "$WORK/refused.err")"
elapsed=$((SECONDS - start))
check "at once: Linux's RST ends the attempt, not a timeout ($elapsed s, at most 5)" test "$elapsed" -le 5

check_match "python3 http.server logged naru's GET of the big file, from naru's address" \
    "^$NARU_IP .*\"GET /big.bin HTTP/1.1\" 200" "$(cat "$(bg_log "$server")")"
proc_stop "$server"
finish
