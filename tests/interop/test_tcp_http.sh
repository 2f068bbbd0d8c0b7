#!/usr/bin/env bash
# naru's HTTP server (naru host --serve http=DIR) to Linux's curl over TAP:
# a 100 MB file arrives whole (its SHA-256 matches), keep-alive carries
# several requests on one connection, a missing file is a 404, and a path
# that climbs out of DIR is refused.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" curl sha256sum timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
mkdir -p "$WORK/www/sub" || die "cannot create the web root"
head -c 100000000 /dev/urandom >"$WORK/www/big.bin" || die "cannot write the 100 MB file"
printf 'small file\n' >"$WORK/www/sub/small.txt"
printf 'secret\n' >"$WORK/secret.txt" # beside the web root, never inside it
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --serve "http=$WORK/www"

# --- 100 MB, checked by SHA-256 ---
in_ns "$ns" timeout 120 curl -sS --fail -o "$WORK/got.bin" \
    -w 'status=%{http_code} size=%{size_download} speed=%{speed_download}\n' \
    "http://$NARU_IP/big.bin" >"$WORK/curl.out" 2>&1
check_eq "curl downloads the 100 MB file from naru and exits 0" 0 "$?"
note "$(cat "$WORK/curl.out")"
check_eq "the download's SHA-256 matches the file's" \
    "$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)" "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)"

# --- keep-alive: three requests, one connection ---
out=$(in_ns "$ns" timeout 20 curl -sS -v "http://$NARU_IP/sub/small.txt" "http://$NARU_IP/sub/small.txt" \
    "http://$NARU_IP/sub/small.txt" 2>&1)
check_eq "three requests on one curl command line all get the file" 3 "$(grep -c '^small file$' <<<"$out")"
check_eq "curl opened one connection and reused it twice" "1 2" \
    "$(grep -c '^\* Connected to' <<<"$out") $(grep -c 'Re-using existing connection' <<<"$out")"

# --- errors ---
code=$(in_ns "$ns" timeout 10 curl -sS -o /dev/null -w '%{http_code}' "http://$NARU_IP/nothing-here")
check_eq "a missing file is 404 Not Found" 404 "$code"
body=$(in_ns "$ns" timeout 10 curl -sS --path-as-is "http://$NARU_IP/../secret.txt")
check_no_match "a path climbing out of the web root does not serve the file beside it" '^secret$' "$body"
body=$(in_ns "$ns" timeout 10 curl -sS --path-as-is "http://$NARU_IP/sub/%2e%2e/%2e%2e/secret.txt")
check_no_match "nor does one climbing out with %2e%2e" '^secret$' "$body"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_eq "naru counted no malformed TCP segment" 0 "$(naru_counter "$naru" tcp_rx_malformed)"
check_eq "naru's TCP/IP checksums were all good (none counted bad)" 0 "$(naru_counter "$naru" ip_rx_checksum_errors)"
finish
