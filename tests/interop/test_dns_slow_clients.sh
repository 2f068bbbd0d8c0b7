#!/usr/bin/env bash
# naru dnsd over TCP against slow-loris clients, on the kernel's sockets and
# on naru's own (TAP): 128 clients that each send a length prefix and then
# a byte a second hold every slot the server has (8 addresses, 16 each),
# reconnecting whenever they are closed. Before the message deadline any
# byte restarted a 10 s idle timer, so they held the slots for ever and
# dig +tcp failed. Now:
#  - no slow client lives past its deadline (5 s from its first byte);
#  - dig +tcp, from another address, is answered every time meanwhile;
#  - the server counts the timeouts and the connections that gave way,
#    and stops cleanly with them connected.
# usage: test_dns_slow_clients.sh NARU_BINARY
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" dig
DATA=$NARU_ROOT/tests/data/dns
SLOW=$INTEROP_DIR/dns_slow_clients.py
RUN=12            # seconds the slow clients keep at it
DEADLINE=5        # dnsd's default --tcp-timeout

# slow_clients_against NS SERVER SOURCES DIG_SOURCE LABEL: run the slow
# clients, ask with dig +tcp every 2 s meanwhile, check what they saw.
slow_clients_against() {
    local ns=$1 server=$2 sources=$3 from=$4 label=$5 slow ok=0 tries=0 answer
    rm -f "$WORK/ready"
    bg_start slow "$ns" /usr/bin/python3 "$SLOW" "$server" 53 "$sources" 16 $RUN 1 "$WORK/ready" \
        $((DEADLINE + 2))
    wait_until 10 test -e "$WORK/ready" || die "$label: the slow clients did not connect: $(cat "$(bg_log "$slow")")"
    for _ in 1 2 3 4 5; do
        sleep 2
        tries=$((tries + 1))
        answer=$(in_ns "$ns" dig @"$server" -b "$from" +tcp +norec +time=3 +tries=1 +short www.example A |
                 sort | xargs)
        [ "$answer" = "192.0.2.80 192.0.2.81" ] && ok=$((ok + 1))
    done
    check_eq "$label: dig +tcp answered every time while 128 slow clients hold every slot" "$tries" "$ok"
    proc_wait "$slow" $((RUN + 10)) || die "$label: the slow clients did not finish"
    local out
    out=$(tail -n 1 "$(bg_log "$slow")")
    note "$label: slow clients: $out"
    read -r _ opened _ closed _ max_life _ still <<<"$out"
    server_closed=$closed
    check_ge "$label: every slow client was closed by the server at least once" 128 "$closed"
    check_ge "$label: ...and reconnected, over and over" $((128 + closed)) "$opened"
    check_eq "$label: none lived past the deadline (+1 s): longest ${max_life}s" 1 \
        "$(awk -v l="$max_life" -v d=$DEADLINE 'BEGIN { print (l <= d + 1) }')"
    check_eq "$label: none still open at the end that began more than $((DEADLINE + 2)) s before" 0 "$still"
}

ns_new ns

# ---- on the kernel's sockets, on the namespace's own loopback ---------------
naru_start kdnsd "$ns" dnsd --listen 127.0.0.1:53 "$DATA/example.zone"
slow_clients_against "$ns" 127.0.0.1 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9 \
    127.0.0.1 "kernel sockets"
naru_stop "$kdnsd"
check_eq "kernel sockets: SIGTERM with slow clients about stops dnsd cleanly (143, by the signal)" 143 "$?"
log=$(cat "$(naru_log "$kdnsd")")
timeouts=$(sed -nE 's/.*timed out: ([0-9]+) mid-message.*/\1/p' <<<"$log")
busy=$(sed -nE 's/.*closed for a newer one: ([0-9]+) idle, ([0-9]+) mid-message.*/\1 \2/p' <<<"$log")
evicted=$(awk '{ print $1 + $2 }' <<<"${busy:-0 0}")
# Every close the clients saw is a timeout or an eviction, counted; how the
# closes split between the two depends on how fast the clients come back.
check_ge "kernel sockets: dnsd counted the slow clients' timeouts" 1 "${timeouts:-0}"
check_ge "kernel sockets: dnsd counted every close the clients saw ($server_closed) as a timeout or eviction" \
    "$server_closed" $(( ${timeouts:-0} + evicted ))
check_ge "kernel sockets: dnsd counted the connections that made room for dig" 5 "$evicted"

# ---- on naru's sockets, over TAP --------------------------------------------
tap_new "$ns" ntap0 198.18.0.1/24
for i in 3 4 5 6 7 8 9 10; do
    ip -n "$ns" addr add 198.18.0.$i/24 dev ntap0 || die "cannot add 198.18.0.$i"
done
naru_start dnsd "$ns" dnsd --tap ntap0 --addr 198.18.0.2/24 "$DATA/example.zone"
if grep -q 'UDP and TCP' "$(naru_log "$dnsd")"; then
    slow_clients_against "$ns" 198.18.0.2 198.18.0.3,198.18.0.4,198.18.0.5,198.18.0.6,198.18.0.7,198.18.0.8,198.18.0.9,198.18.0.10 \
        198.18.0.1 "naru sockets"
    naru_stop "$dnsd"
    check_eq "naru sockets: SIGTERM with slow clients about stops dnsd cleanly (143, by the signal)" 143 "$?"
    timeouts=$(naru_counter "$dnsd" dns_server_tcp_timeouts)
    evicted=$(naru_counter "$dnsd" dns_server_tcp_evicted)
    check_ge "naru sockets: the stack counted the slow clients' timeouts" 1 "${timeouts:-0}"
    check_ge "naru sockets: the stack counted every close the clients saw ($server_closed) as a timeout or eviction" \
        "$server_closed" $(( ${timeouts:-0} + ${evicted:-0} ))
    check_ge "naru sockets: the stack counted the connections that made room for dig" 5 "${evicted:-0}"
else
    naru_stop "$dnsd"
    pass "naru sockets # SKIP naru's stack has no TCP in this build (the ready line says so)"
fi

finish
