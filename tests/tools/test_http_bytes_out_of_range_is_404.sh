#!/usr/bin/env bash
# The web site of naru's built-in world serves /bytes/N for N up to 2^40:
# a negative N, or one past 2^64, is no such page. It once went through
# sscanf("%llu") and came back as Content-Length 18446744073709551615,
# streamed without end.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"

get() { # PATH: the response head from the world's server
    printf 'GET %s HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n' "$1" |
        timeout 60 "$NARU" nc server 80 2>/dev/null | head -c 400 | tr -d '\r' | sed '/^$/q'
}

for path in /bytes/-1 /bytes/99999999999999999999 /bytes/18446744073709551615 /bytes/1099511627777 /bytes/+1; do
    head=$(get "$path")
    check_match "GET $path is 404 Not Found" '^HTTP/1.1 404 Not Found$' "$head"
    check_no_match "GET $path promises no endless body" '^Content-Length: [0-9]{13,}$' "$head"
done
head=$(get /bytes/1000)
check_match "GET /bytes/1000 is 200 OK" '^HTTP/1.1 200 OK$' "$head"
check_match "with 1000 bytes" '^Content-Length: 1000$' "$head"
finish
