#!/usr/bin/env bash
# Response rate limiting in naru dnsd (UDP), as NSD's and Knot's RRL: a
# burst of queries from one /24 gets its rate's worth of answers, then
# every second response slips out truncated and the others are dropped;
# another /24 is not limited at all; a client that gets a slip asks again
# over TCP and has its answer; the counts are printed on stop. Off by
# default. On the kernel's sockets and on naru's own (TAP).
# usage: test_dns_rrl.sh NARU_BINARY
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" dig
DATA=$NARU_ROOT/tests/data/dns

# burst NS SERVER SOURCE COUNT: send COUNT queries for www.example A from
# SOURCE at once, then print "answered A truncated T silent S".
burst() {
    in_ns "$1" /usr/bin/python3 - "$2" "$3" "$4" <<'PY'
import socket, sys, time
import dns.flags, dns.message
server, source, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((source, 0))
ids = set()
for i in range(count):
    q = dns.message.make_query("www.example.", "A", use_edns=0, payload=1232)
    q.id = i
    ids.add(i)
    s.sendto(q.to_wire(), (server, 53))
answered = truncated = 0
s.settimeout(1.0)
try:
    while ids:
        r = dns.message.from_wire(s.recv(4096))
        ids.discard(r.id)
        if r.flags & dns.flags.TC:
            assert not r.answer, "a slip carries no answer"
            truncated += 1
        else:
            assert len(r.answer) == 1, "an answer"
            answered += 1
except socket.timeout:
    pass
print("answered %d truncated %d silent %d" % (answered, truncated, len(ids)))
PY
}

# slip_then_tcp NS SERVER SOURCE: ask over UDP, as fast as answers come,
# until a reply comes back truncated, then ask over TCP as a real client would.
slip_then_tcp() {
    in_ns "$1" /usr/bin/python3 - "$2" "$3" <<'PY'
import sys
import dns.flags, dns.message, dns.query, dns.exception
server, source = sys.argv[1], sys.argv[2]
q = dns.message.make_query("www.example.", "A", use_edns=0, payload=1232)
for _ in range(100):
    try:
        r = dns.query.udp(q, server, port=53, source=source, timeout=0.3, raise_on_truncation=False)
    except dns.exception.Timeout:
        continue
    if r.flags & dns.flags.TC:
        r = dns.query.tcp(q, server, port=53, source=source, timeout=2)
        print(" ".join(sorted(rd.to_text() for rd in r.answer[0])))
        break
PY
}

field() { sed -nE "s/.*$1 ([0-9]+).*/\1/p" <<<"$2"; }

ns_new ns

# ---- on the kernel's sockets -------------------------------------------------
naru_start off "$ns" dnsd --listen 127.0.0.1:53 "$DATA/example.zone"
out=$(burst "$ns" 127.0.0.1 127.0.0.2 200)
check_eq "off by default: all 200 answered" "answered 200 truncated 0 silent 0" "$out"
naru_stop "$off"

naru_start rrl "$ns" dnsd --listen 127.0.0.1:53 --rrl-rate 20 --rrl-slip 2 "$DATA/example.zone"
out=$(burst "$ns" 127.0.0.1 127.0.0.2 200)
note "kernel sockets, 200 at once from 127.0.0.2 at 20/s: $out"
answered=$(field answered "$out"); truncated=$(field truncated "$out"); silent=$(field silent "$out")
check_ge "kernel sockets: the rate's worth answered (20 and what refilled meanwhile)" 20 "$answered"
check_ge "kernel sockets: ...and not many more" 0 "$((40 - answered))"
check_ge "kernel sockets: about half of the rest slip out truncated" $(((200 - answered) / 2 - 1)) "$truncated"
check_ge "kernel sockets: ...and the others are dropped" $(((200 - answered) / 2 - 1)) "$silent"
check_eq "kernel sockets: another /24 has an allowance of its own" "answered 20 truncated 0 silent 0" \
    "$(burst "$ns" 127.0.0.1 127.0.1.2 20)"
check_eq "kernel sockets: a limited client gets a slip, asks over TCP, and has its answer" \
    "192.0.2.80 192.0.2.81" "$(slip_then_tcp "$ns" 127.0.0.1 127.0.0.3)"
naru_stop "$rrl"
log=$(cat "$(naru_log "$rrl")")
limited=$(sed -nE 's/.*rate-limited over UDP: ([0-9]+) dropped, ([0-9]+) sent truncated.*/\1 \2/p' <<<"$log")
check_ge "kernel sockets: the drops are counted" "$silent" "$(cut -d' ' -f1 <<<"${limited:-0 0}")"
check_ge "kernel sockets: the slips are counted" "$truncated" "$(cut -d' ' -f2 <<<"${limited:-0 0}")"

# ---- on naru's sockets, over TAP ---------------------------------------------
tap_new "$ns" ntap0 198.18.0.1/24
naru_start tdnsd "$ns" dnsd --tap ntap0 --addr 198.18.0.2/24 --rrl-rate 20 "$DATA/example.zone"
out=$(burst "$ns" 198.18.0.2 198.18.0.1 200)
note "naru sockets, 200 at once from 198.18.0.1 at 20/s: $out"
answered=$(field answered "$out"); truncated=$(field truncated "$out")
check_ge "naru sockets: the rate's worth answered" 20 "$answered"
check_ge "naru sockets: ...and not many more" 0 "$((40 - answered))"
check_ge "naru sockets: limited responses slip out truncated" 50 "$truncated"
naru_stop "$tdnsd"
check_ge "naru sockets: the stack counted the drops" 50 "$(naru_counter "$tdnsd" dns_server_rrl_dropped)"
check_ge "naru sockets: the stack counted the slips" "$truncated" "$(naru_counter "$tdnsd" dns_server_rrl_slipped)"

# ---- the command line -------------------------------------------------------
"$NARU" dnsd --rrl-rate lots "$DATA/example.zone" 2>"$WORK/e1"
check_eq "a bad --rrl-rate: exit 2" 2 "$?"
check_eq "...and one line" 1 "$(wc -l <"$WORK/e1")"
"$NARU" dnsd --rrl-ipv4-prefix 33 "$DATA/example.zone" 2>/dev/null
check_eq "--rrl-ipv4-prefix 33: exit 2" 2 "$?"
"$NARU" dnsd --tcp-max 0 "$DATA/example.zone" 2>/dev/null
check_eq "--tcp-max 0: exit 2" 2 "$?"

finish
