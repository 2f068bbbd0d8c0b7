#!/usr/bin/env bash
# SYN floods and crowds (issue 12), naru host beside Linux, in one run:
#  1. a burst of SYN_FLOOD_BURST (300) spoofed SYNs, then a new connection
#     at once: how long it takes;
#  2. a flood of SYN_FLOOD_RATE (100,000) spoofed SYNs a second for
#     SYN_FLOOD_SECONDS (10), while one keep-alive download runs and a new
#     connection (connect, a small GET) is tried every 0.5 s: the SYNs the
#     server answered per second, how many new connections succeeded and
#     their connect times, the download's rate before, during and after,
#     and the server's memory before and after;
#  3. SYN_FLOOD_IDLE (10,000) idle connections opened at once and closed:
#     the server's memory before, with them, and after.
# The flooder is bench/syn_flood.c (a raw socket, random sources in
# 198.19.0.0/16, part of 198.18.0.0/15). naru host runs on TAP in a
# namespace, with SYN cookies as it has them by default; Linux is a veth
# peer in a second namespace with net.ipv4.tcp_syncookies=1, serving the
# same files from a small python3 server with sendfile(2), and holding
# idle connections with a small asyncio server. The clients (python3) and the flooder share the
# first namespace; the servers' answers to spoofed addresses go to their
# gateway there, which drops them. Everything runs on the same machine, so
# the flooder, the clients and the server share its CPUs: the figures say
# what this machine does, beside Linux on the same machine.
#
# usage: bench/syn_flood_bench.sh [NARU_BINARY]     (as root; make bench)
# Tunable: SYN_FLOOD_RATE (100000), SYN_FLOOD_SECONDS (10), SYN_FLOOD_BURST
# (300), SYN_FLOOD_IDLE (10000), SYN_FLOOD_PARTS ("burst flood crowd"),
# SYN_FLOOD_PEERS ("naru linux").
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
naru=${1:-$here/../build/naru}
[ -x "$naru" ] || { echo "syn flood bench: no naru binary at $naru (make build)" >&2; exit 1; }
naru=$(realpath "$naru")
flood=$(dirname "$naru")/bench/syn_flood
[ -x "$flood" ] || { echo "syn flood bench: no $flood (make build)" >&2; exit 1; }
rate=${SYN_FLOOD_RATE:-100000}
seconds=${SYN_FLOOD_SECONDS:-10}
burst=${SYN_FLOOD_BURST:-300}
idle=${SYN_FLOOD_IDLE:-10000}
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "SYN flood figures: skipped (needs root and /dev/net/tun)"
    exit 0
fi

. "$here/../tests/interop/lib.sh"
interop_init "$naru" python3 nstat

echo "naru $(git -C "$here" describe --always --dirty 2>/dev/null || echo '?'), Linux $(uname -r)," \
    "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the clients (python3) ---------------------------------------------------

# download.py HOST PORT SECONDS OUT: GET /big again and again on one
# keep-alive connection (a new one after an error); every 0.1 s, a line
# "seconds bytes-so-far" in OUT.
cat >"$WORK/download.py" <<'EOF'
import socket, sys, time
host, port, seconds, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
buf = bytearray(1 << 20)
start = time.monotonic()
total, errors, last = 0, 0, 0.0
log = open(out, "w")
def note(force=False):
    global last
    t = time.monotonic() - start
    if force or t - last >= 0.1:
        log.write(f"{t:.3f} {total}\n")
        log.flush()
        last = t
request = f"GET /big HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
while time.monotonic() - start < seconds:
    try:
        s = socket.create_connection((host, port), timeout=5)
        while time.monotonic() - start < seconds:
            s.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                d = s.recv(4096)
                if not d:
                    raise OSError("closed")
                head += d
            h, body = head.split(b"\r\n\r\n", 1)
            length = int([l for l in h.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
            left = length - len(body)
            total += len(body)
            while left > 0:
                n = s.recv_into(buf, min(left, len(buf)))
                if not n:
                    raise OSError("closed")
                left -= n
                total += n
                note()
        s.close()
    except OSError:
        errors += 1
        time.sleep(0.05)
note(True)
log.write(f"errors {errors}\n")
EOF

# probe.py HOST PORT SECONDS OUT: every 0.5 s, a new connection and a
# GET of a small file, each in its own thread with 3 s to finish; a line
# per try in OUT: "start ok connect-ms".
cat >"$WORK/probe.py" <<'EOF'
import socket, sys, threading, time
host, port, seconds, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
start = time.monotonic()
lines, lock = [], threading.Lock()
def attempt(t0):
    ok, connect_ms = 0, -1.0
    try:
        s = socket.create_connection((host, port), timeout=3)
        connect_ms = (time.monotonic() - start - t0) * 1000
        s.settimeout(max(0.1, 3 - (time.monotonic() - start - t0)))
        s.sendall(f"GET /small HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            reply += d
        s.close()
        ok = int(reply.startswith(b"HTTP/1.") and b" 200 " in reply[:16] and reply.endswith(b"small\n"))
    except OSError:
        pass
    with lock:
        lines.append(f"{t0:.3f} {ok} {connect_ms:.3f}")
threads, i = [], 0
while True:
    t0 = i * 0.5
    if t0 >= seconds:
        break
    delay = start + t0 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    th = threading.Thread(target=attempt, args=(t0,))
    th.start()
    threads.append(th)
    i += 1
for th in threads:
    th.join()
with open(out, "w") as f:
    f.write("\n".join(sorted(lines, key=lambda l: float(l.split()[0]))) + "\n")
EOF

# idle.py HOST PORT COUNT: open COUNT connections, all at once, print
# "open N" when they are and wait for a line on stdin, then close them
# all and print "closed".
cat >"$WORK/idle.py" <<'EOF'
import selectors, socket, sys, time
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks, sel, opened, failed = [], selectors.DefaultSelector(), 0, 0
pending = {}
for i in range(count):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((host, port))
    pending[s.fileno()] = s
    sel.register(s, selectors.EVENT_WRITE)
    if len(pending) >= 500 or i == count - 1:
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                s = pending.pop(key.fd)
                sel.unregister(s)
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    socks.append(s)
                    opened += 1
                else:
                    failed += 1
                    s.close()
        for s in pending.values():
            sel.unregister(s)
            s.close()
            failed += 1
        pending = {}
print(f"open {opened} failed {failed}", flush=True)
sys.stdin.readline()
for s in socks:
    s.close()
print("closed", flush=True)
EOF

# serve.py ADDR PORT DIR: Linux's web server: HTTP/1.1 with keep-alive, a
# thread per connection, files by sendfile(2) (python3's http.server
# copies through Python and closes after each reply: it would measure
# Python rather than Linux).
cat >"$WORK/serve.py" <<'EOF'
import os, socket, sys, threading
addr, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def serve(c):
    try:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            head, buf = buf.split(b"\r\n\r\n", 1)
            path = os.path.join(root, os.path.basename(head.split()[1].decode()))
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
                c.sendfile(f)
            if b"connection: close" in head.lower():
                return
    except OSError:
        pass
    finally:
        c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(4096)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

# hold.py ADDR PORT: Linux's side of the idle connections: accepts and
# holds them (asyncio: 10,000 connections, no threads).
cat >"$WORK/hold.py" <<'EOF'
import asyncio, sys
async def hold(reader, writer):
    await reader.read()
    writer.close()
async def main():
    server = await asyncio.start_server(hold, sys.argv[1], int(sys.argv[2]), backlog=4096)
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
EOF

# ---- the network --------------------------------------------------------------

ns_new ns synflood                     # clients and flooder
tap_new "$ns" ntap0 198.18.0.1/24      # naru host at .2
ns_new lx synflood-lx                  # Linux at 198.18.1.2
veth_new "$ns" veth0 198.18.1.1/24 "$lx" veth1 198.18.1.2/24
ip -n "$lx" route add default via 198.18.1.1 || die "cannot route Linux's answers back"
ip netns exec "$lx" sysctl -qw net.ipv4.tcp_syncookies=1 || die "cannot turn Linux's SYN cookies on"
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 100000000 /dev/zero >"$WORK/www/big" || die "cannot write the download"
echo small >"$WORK/www/small"
bg_start linux_http "$lx" python3 "$WORK/serve.py" 198.18.1.2 80 "$WORK/www"
bg_start linux_hold "$lx" python3 "$WORK/hold.py" 198.18.1.2 7
wait_until 30 grep -q ready "$(bg_log "$linux_http")" || die "the web server did not start"
wait_until 30 grep -q ready "$(bg_log "$linux_hold")" || die "the idle server did not start"

naru_up() {
    naru_start naru_pid "$ns" host --tap ntap0 --addr 198.18.0.2/24 --gw 198.18.0.1 --serve "http=$WORK/www" \
        --serve echo
    wait_until 30 in_ns "$ns" python3 -c 'import socket; socket.create_connection(("198.18.0.2", 80), 1)' ||
        die "naru host does not serve"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
tcp_inuse() { ip netns exec "$1" awk '$1 == "TCP:" { print $3 }' /proc/net/sockstat; }
# nstat_of NS NAME: a kernel counter of the namespace (absolute).
nstat_of() { ip netns exec "$1" nstat -asz "$2" 2>/dev/null | awk -v n="$2" '$1 == n { print $2 }'; }
# ns_stat NS DEV WHAT: a statistic of a device.
ns_stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }

# naru_stat NAME: a counter of the naru host that last stopped.
naru_stat() { naru_counter "$naru_pid" "$1"; }
peer_host() { [ "$1" = naru ] && echo 198.18.0.2 || echo 198.18.1.2; }
peer_name() { [ "$1" = naru ] && echo "naru host" || echo "Linux, tcp_syncookies=1"; }

# ---- 1. a burst ---------------------------------------------------------------

# burst PEER: BURST spoofed SYNs, then at once a new connection and a GET.
burst() {
    local peer=$1 host c0 out
    host=$(peer_host "$peer")
    [ "$peer" = naru ] && naru_up
    c0=$(nstat_of "$lx" TcpExtSyncookiesSent)
    in_ns "$ns" "$flood" --to "$host:80" --from 198.19.0.0/16 --rate 2000000 --count "$burst" >/dev/null ||
        die "the flooder failed"
    out=$(in_ns "$ns" python3 -c '
import socket, sys, time
t = time.monotonic()
try:
    s = socket.create_connection((sys.argv[1], 80), timeout=10)
    ms = (time.monotonic() - t) * 1000
    s.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    r = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        r += d
    print(f"connect {ms:.2f} ms, GET", "ok" if r.endswith(b"small\n") else "FAILED")
except OSError as e:
    print("FAILED:", e)' "$host")
    if [ "$peer" = naru ]; then
        naru_stop "$naru_pid"
        out+=" (cookies sent $(naru_stat tcp_syncookies_sent), half-open $(naru_stat tcp_passive_opens),"
        out+=" over the budget $(naru_stat tcp_syn_budget_drops))"
    else
        out="$out (cookies sent $(($(nstat_of "$lx" TcpExtSyncookiesSent) - c0)))"
    fi
    printf '  %-10s %s\n' "$peer" "$out"
}

# ---- 2. a flood during a download ------------------------------------------------

lead=6 tail=6
total=$((lead + seconds + tail))
# flood PEER: the download, the probes and the flood, and their figures.
flood() {
    local peer=$1 host dl pr rss0 rss1 a0 a1 d0 d1 c0 c1 l0 l1 s0 s1 dev ns_dev
    host=$(peer_host "$peer")
    if [ "$peer" = naru ]; then
        naru_up
        rss0=$(rss_kb "$naru_pid")
        dev=ntap0 ns_dev=$ns # the kernel's TX on the TAP is what it hands naru
        a0=$(ns_stat "$ns_dev" "$dev" tx_packets) d0=$(ns_stat "$ns_dev" "$dev" tx_dropped)
    else
        dev=veth1 ns_dev=$lx
        a0=$(ns_stat "$ns_dev" "$dev" rx_packets) d0=$(ns_stat "$ns_dev" "$dev" rx_dropped)
        c0=$(nstat_of "$lx" TcpExtSyncookiesSent) l0=$(nstat_of "$lx" TcpExtListenDrops) s0=$(slab_kb)
    fi
    bg_start dl "$ns" python3 "$WORK/download.py" "$host" 80 "$total" "$WORK/$peer.download"
    bg_start pr "$ns" python3 "$WORK/probe.py" "$host" 80 "$total" "$WORK/$peer.probe"
    sleep "$lead"
    in_ns "$ns" "$flood" --to "$host:80" --from 198.19.0.0/16 --rate "$rate" --seconds "$seconds" \
        >"$WORK/$peer.flood" 2>&1 || die "the flooder failed: $(cat "$WORK/$peer.flood")"
    proc_wait "$dl" $((tail + 10)) >/dev/null
    proc_wait "$pr" $((tail + 10)) >/dev/null
    echo "  $(peer_name "$peer"): $(sed 's/^sent //' "$WORK/$peer.flood")"
    python3 - "$WORK/$peer.download" "$WORK/$peer.probe" "$lead" "$seconds" <<'EOF'
import sys
dl, pr, lead, secs = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
pts = [tuple(map(float, l.split())) for l in open(dl) if not l.startswith("errors")]
errors = [l.split()[1] for l in open(dl) if l.startswith("errors")]
def rate(a, b):
    inside = [p for p in pts if a <= p[0] <= b]
    if len(inside) < 2:
        return 0.0
    return (inside[-1][1] - inside[0][1]) * 8 / (inside[-1][0] - inside[0][0]) / 1e9
before, during, after = rate(2, lead), rate(lead + 0.5, lead + secs), rate(lead + secs + 1, lead + secs + 5)
probes = [l.split() for l in open(pr) if l.strip()]
flood = [p for p in probes if lead <= float(p[0]) < lead + secs]
ok = [p for p in flood if p[1] == "1"]
times = sorted(float(p[2]) for p in ok)
med = times[len(times) // 2] if times else float("nan")
p90 = times[int(len(times) * 0.9)] if times else float("nan")
print(f"    download {before:.2f} / {during:.2f} / {after:.2f} Gbit/s before / during / after: "
      f"during/before {during / before if before else 0:.2f} ({errors[0] if errors else '?'} reconnects)")
print(f"    new connections during the flood: {len(ok)} of {len(flood)} "
      f"({100 * len(ok) / len(flood) if flood else 0:.0f}%), connect median {med:.2f} ms, 90th percentile {p90:.2f} ms")
EOF
    if [ "$peer" = naru ]; then
        a1=$(ns_stat "$ns_dev" "$dev" tx_packets) d1=$(ns_stat "$ns_dev" "$dev" tx_dropped)
        rss1=$(rss_kb "$naru_pid")
        naru_stop "$naru_pid"
        local cookies half
        cookies=$(naru_stat tcp_syncookies_sent) half=$(naru_stat tcp_passive_opens)
        echo "    SYNs answered $(((cookies + half) / seconds))/s (cookies $cookies, half-open $half), dropped" \
            "over the budget $(($(naru_stat tcp_syn_budget_drops) / seconds))/s; frames the kernel handed" \
            "naru $(((a1 - a0) / seconds))/s, dropped for want of a reader $(((d1 - d0) / seconds))/s"
        echo "    memory (naru host's RSS): $rss0 KiB before, $rss1 KiB after"
    else
        a1=$(ns_stat "$ns_dev" "$dev" rx_packets) d1=$(ns_stat "$ns_dev" "$dev" rx_dropped)
        c1=$(nstat_of "$lx" TcpExtSyncookiesSent) l1=$(nstat_of "$lx" TcpExtListenDrops) s1=$(slab_kb)
        echo "    SYNs answered $(((c1 - c0) / seconds))/s (cookies), listen drops $(((l1 - l0) / seconds))/s;" \
            "frames in $(((a1 - a0) / seconds))/s, dropped $(((d1 - d0) / seconds))/s"
        echo "    memory (the machine's slab, kernel-wide): $s0 KiB before, $s1 KiB after"
    fi
}

# ---- 3. a crowd ------------------------------------------------------------------

# crowd PEER: IDLE connections to port 7 (naru's echo, Linux's hold.py),
# opened at once, held, closed.
crowd() {
    local peer=$1 host m0 m1 m2 u0 u1 opened cr
    host=$(peer_host "$peer")
    if [ "$peer" = naru ]; then
        naru_up
        m0=$(rss_kb "$naru_pid")
    else
        m0=$(slab_kb) u0=$(tcp_inuse "$lx")
    fi
    rm -f "$WORK/crowd.in"
    mkfifo "$WORK/crowd.in" || die "cannot make a fifo"
    bg_start cr "$ns" bash -c "ulimit -n $((idle + 1024)) && exec python3 '$WORK/idle.py' $host 7 $idle <'$WORK/crowd.in'"
    exec 7>"$WORK/crowd.in"
    wait_until 120 grep -q '^open' "$(bg_log "$cr")" || die "the crowd did not open: $(cat "$(bg_log "$cr")")"
    sleep 1
    if [ "$peer" = naru ]; then m1=$(rss_kb "$naru_pid"); else m1=$(slab_kb) u1=$(tcp_inuse "$lx"); fi
    opened=$(awk '/^open/ { print $2 }' "$(bg_log "$cr")")
    echo >&7
    wait_until 60 grep -q '^closed' "$(bg_log "$cr")"
    exec 7>&-
    proc_wait "$cr" 10 >/dev/null
    sleep 6 # naru host gives freed memory back every 5 s
    if [ "$peer" = naru ]; then
        m2=$(rss_kb "$naru_pid")
        naru_stop "$naru_pid"
        echo "  naru host: $opened of $idle open; RSS $m0 KiB before, $m1 KiB with them" \
            "($(((m1 - m0) * 1024 / idle)) bytes each), $m2 KiB after they closed"
    else
        m2=$(slab_kb)
        echo "  Linux: $opened of $idle open ($((u1 - u0)) more TCP sockets); the machine's slab $m0 KiB before," \
            "$m1 KiB with them ($(((m1 - m0) * 1024 / idle)) bytes each, both ends in this kernel), $m2 KiB after"
    fi
}

parts=${SYN_FLOOD_PARTS:-burst flood crowd}
peers=${SYN_FLOOD_PEERS:-naru linux}
for part in $parts; do
    echo
    case $part in
    burst) echo "1. $burst spoofed SYNs at once, then a new connection and a GET:" ;;
    flood) echo "2. $rate spoofed SYNs/s for $seconds s during a keep-alive download, a new connection" \
        "(and a GET) tried every 0.5 s:" ;;
    crowd) echo "3. $idle idle connections opened at once, then closed:" ;;
    *) die "unknown part $part (burst, flood, crowd)" ;;
    esac
    for peer in $peers; do
        "$part" "$peer"
        sleep 1
    done
done
finish >/dev/null
