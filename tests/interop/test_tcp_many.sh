#!/usr/bin/env bash
# Many connections to a naru host over TAP, from a python3 client in the
# namespace:
#  - 1000 short connections one after another, each whole: 500 to the echo
#    service (Linux closes first: the TIME-WAIT is Linux's) and 500 HTTP
#    requests with "Connection: close" (naru closes first: the TIME-WAIT is
#    naru's); every reply checked;
#  - 100 connections open at once: all connected before any speaks, then a
#    request on each, and every answer checked.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" python3 timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
mkdir -p "$WORK/www" || die "cannot create the web root"
for i in $(seq 0 99); do printf 'file %d\n' "$i" >"$WORK/www/f$i.txt"; done
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --serve echo --serve "http=$WORK/www"

out=$(in_ns "$ns" timeout 120 python3 - "$NARU_IP" <<'EOF'
import socket, sys, time
host = sys.argv[1]

def read_all(s):
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            return data
        data += d

def echo(i):
    with socket.create_connection((host, 7), timeout=10) as s:
        msg = b"echo %d\n" % i
        s.sendall(msg)
        s.shutdown(socket.SHUT_WR)
        return read_all(s) == msg

def http_close(i):
    with socket.create_connection((host, 80), timeout=10) as s:
        s.sendall(b"GET /f%d.txt HTTP/1.1\r\nHost: naru\r\nConnection: close\r\n\r\n" % (i % 100))
        reply = read_all(s)
        return reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"\r\n\r\nfile %d\n" % (i % 100))

start = time.monotonic()
for name, fn in (("echo", echo), ("http", http_close)):
    ok, failures = 0, []
    for i in range(500):
        try:
            if fn(i):
                ok += 1
            else:
                failures.append(f"{i}: wrong reply")
        except OSError as e:
            failures.append(f"{i}: {e!r}")
    print(f"sequential {name}: {ok} of 500 whole")
    for f in failures[:5]:
        print(f"  {f}")
print(f"sequential: {1000 / (time.monotonic() - start):.0f} connections/s")

# 100 at once: every connection is established before the first request.
socks, errors = [], []
for i in range(100):
    try:
        socks.append(socket.create_connection((host, 80), timeout=10))
    except OSError as e:
        errors.append(f"connect {i}: {e!r}")
print(f"concurrent: {len(socks)} of 100 open at once")
for i, s in enumerate(socks):
    s.sendall(b"GET /f%d.txt HTTP/1.1\r\nHost: naru\r\nConnection: close\r\n\r\n" % i)
ok = 0
for i, s in enumerate(socks):
    try:
        reply = read_all(s)
        if reply.endswith(b"\r\n\r\nfile %d\n" % i):
            ok += 1
        else:
            errors.append(f"{i}: wrong reply {reply[:40]!r}")
    except OSError as e:
        errors.append(f"{i}: {e!r}")
    s.close()
print(f"concurrent: {ok} of 100 answered")
for e in errors[:5]:
    print(f"  {e}")
EOF
)
note "$(grep 'connections/s' <<<"$out")"
check_match "500 sequential echo connections all complete, every reply whole" \
    '^sequential echo: 500 of 500 whole$' "$out"
check_match "500 sequential HTTP connections closed by naru all complete, every reply whole" \
    '^sequential http: 500 of 500 whole$' "$out"
check_match "100 connections are open at once" '^concurrent: 100 of 100 open at once$' "$out"
check_match "and each of the 100 gets its own file" '^concurrent: 100 of 100 answered$' "$out"
grep -q '^  ' <<<"$out" && note "first failures:" && note "$(grep '^  ' <<<"$out")"

naru_stop "$naru"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_eq "naru accepted exactly 1100 connections" 1100 "$(naru_counter "$naru" tcp_passive_opens)"
check_eq "naru refused none for lack of room" 0 \
    $(($(naru_counter "$naru" tcp_conn_limit) + $(naru_counter "$naru" tcp_listen_overflows)))
check_eq "naru reset none" 0 "$(naru_counter "$naru" tcp_estab_resets)"
finish
