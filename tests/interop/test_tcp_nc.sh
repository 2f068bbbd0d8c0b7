#!/usr/bin/env bash
# `naru nc` and Linux's nc (OpenBSD netcat) both ways over TAP, with
# half-close: one side sends its data and FIN, the other side goes on
# sending after that FIN, and its data still arrives; then both ends see
# end-of-file and exit 0. Four cases, naru listening or connecting, naru
# closing its half first or second:
#   1. Linux nc -> naru nc -l, naru closes first, Linux sends after
#   2. Linux nc -> naru nc -l, Linux closes first, naru sends after
#   3. naru nc -> Linux nc -l, Linux closes first, naru sends after
#   4. naru nc -> Linux listener, naru closes first, Linux sends after
#      (a python3 listener: nc -l quits when its peer's FIN arrives)
# The side that sends second waits, by a gate file, until the other side's
# FIN has been acknowledged (its socket in FIN-WAIT-2 or CLOSE-WAIT, as ss
# shows), so its data really goes after the FIN.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nc ss python3 cmp

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02 # one MAC for every naru, so Linux's ARP entry stays right

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
NARU_TAP=(--tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC")
# Data of sizes that take many segments and more than one window.
head -c 300000 /dev/urandom >"$WORK/first" || die "cannot write test data"
head -c 2000000 /dev/urandom >"$WORK/second" || die "cannot write test data"

# gated_stdin VAR NAME: a FIFO $WORK/NAME.fifo and a feeder process (PID in
# VAR) that opens it for writing, waits for the gate file $WORK/NAME.go,
# writes $WORK/second into it and closes it (end of input for the reader).
gated_stdin() {
    local _gs_var=$1 name=$2
    mkfifo "$WORK/$name.fifo" || die "cannot create a FIFO"
    # shellcheck disable=SC2016 # expanded by the feeder's shell
    bg_start "$_gs_var" "$ns" bash -c 'exec 3>"$1"; until [ -e "$2" ]; do sleep 0.02; done; cat "$3" >&3' \
        _ "$WORK/$name.fifo" "$WORK/$name.go" "$WORK/second"
}

# These are called through wait_until and check (so SC2317 is wrong).
# tcp_states STATE PORT: Linux's sockets to or from PORT in STATE (ss).
# shellcheck disable=SC2317
tcp_states() { in_ns "$ns" ss -tnH state "$1" "( sport = :$2 or dport = :$2 )"; }
# shellcheck disable=SC2317
in_state() { [ -n "$(tcp_states "$1" "$2")" ]; }
# shellcheck disable=SC2317
listening() { [ -n "$(in_ns "$ns" ss -tlnH "sport = :$1")" ]; }
# shellcheck disable=SC2317
same() { cmp -s "$1" "$2"; }
# said PID TEXT: the process has said TEXT (naru nc -v: listening, ...).
# shellcheck disable=SC2317
said() { grep -q "$2" "$(bg_log "$1")"; }

# naru_nc VAR STDIN STDOUT ARGS...: naru nc on the TAP, stdin and stdout
# redirected, its -v messages in its bg_log.
naru_nc() {
    local _nn_var=$1 in=$2 out=$3
    shift 3
    # shellcheck disable=SC2016
    bg_start "$_nn_var" "$ns" bash -c 'in=$1 out=$2; shift 2; exec "$@" <"$in" >"$out"' \
        _ "$in" "$out" "$NARU" nc -v "${NARU_TAP[@]}" "$@"
}
linux_nc() {
    local _ln_var=$1 in=$2 out=$3
    shift 3
    # shellcheck disable=SC2016
    bg_start "$_ln_var" "$ns" bash -c 'in=$1 out=$2; shift 2; exec "$@" <"$in" >"$out"' \
        _ "$in" "$out" nc -N "$@"
}

# --- 1. Linux nc -> naru nc -l; naru closes first, Linux sends after ---
PORT=5001
gated_stdin feed1 c1
naru_nc naru1 "$WORK/first" "$WORK/c1.naru_out" -l "$PORT"
wait_until 5 said "$naru1" 'listening on' || die "naru nc -l did not start: $(cat "$(bg_log "$naru1")")"
linux_nc lnc1 "$WORK/c1.fifo" "$WORK/c1.linux_out" "$NARU_IP" "$PORT"
wait_until 20 same "$WORK/first" "$WORK/c1.linux_out"
check "1: Linux nc receives all naru nc -l sent" same "$WORK/first" "$WORK/c1.linux_out"
wait_until 10 in_state close-wait "$PORT"
check "1: naru's FIN reaches Linux after its data (Linux socket in CLOSE-WAIT)" in_state close-wait "$PORT"
touch "$WORK/c1.go"
proc_wait "$lnc1" 30
check_eq "1: Linux nc sends after naru's FIN, then exits 0 on EOF" 0 "$?"
proc_wait "$naru1" 30
check_eq "1: naru nc -l sees Linux's FIN and exits 0" 0 "$?"
check "1: naru nc -l received everything Linux sent after naru's FIN" same "$WORK/second" "$WORK/c1.naru_out"
check_match "1: naru nc -l says whom it accepted" "connection from $KERNEL port" "$(cat "$(bg_log "$naru1")")"
proc_wait "$feed1" 5

# --- 2. Linux nc -> naru nc -l; Linux closes first, naru sends after ---
PORT=5002
gated_stdin feed2 c2
naru_nc naru2 "$WORK/c2.fifo" "$WORK/c2.naru_out" -l "$PORT"
# naru nc -l opens its stdin (the FIFO) only once the feeder has; then it
# attaches to the TAP and says it is listening.
wait_until 5 said "$naru2" 'listening on' || die "naru nc -l did not start: $(cat "$(bg_log "$naru2")")"
linux_nc lnc2 "$WORK/first" "$WORK/c2.linux_out" "$NARU_IP" "$PORT"
wait_until 20 same "$WORK/first" "$WORK/c2.naru_out"
check "2: naru nc -l receives all Linux nc sent" same "$WORK/first" "$WORK/c2.naru_out"
wait_until 10 in_state fin-wait-2 "$PORT"
check "2: naru acknowledges Linux's FIN (Linux socket in FIN-WAIT-2)" in_state fin-wait-2 "$PORT"
touch "$WORK/c2.go"
proc_wait "$naru2" 30
check_eq "2: naru nc -l sends after Linux's FIN, then exits 0" 0 "$?"
proc_wait "$lnc2" 30
check_eq "2: Linux nc sees naru's FIN and exits 0" 0 "$?"
check "2: Linux nc received everything naru sent after Linux's FIN" same "$WORK/second" "$WORK/c2.linux_out"
proc_wait "$feed2" 5

# --- 3. naru nc -> Linux nc -l; Linux closes first, naru sends after ---
PORT=5003
gated_stdin feed3 c3
linux_nc lnc3 "$WORK/first" "$WORK/c3.linux_out" -l "$KERNEL" "$PORT"
wait_until 5 listening "$PORT" || die "Linux nc -l is not listening"
naru_nc naru3 "$WORK/c3.fifo" "$WORK/c3.naru_out" "$KERNEL" "$PORT"
wait_until 20 same "$WORK/first" "$WORK/c3.naru_out"
check "3: naru nc receives all Linux nc -l sent" same "$WORK/first" "$WORK/c3.naru_out"
wait_until 10 in_state fin-wait-2 "$PORT"
check "3: naru acknowledges Linux's FIN (Linux socket in FIN-WAIT-2)" in_state fin-wait-2 "$PORT"
touch "$WORK/c3.go"
proc_wait "$naru3" 30
check_eq "3: naru nc sends after Linux's FIN, then exits 0" 0 "$?"
proc_wait "$lnc3" 30
check_eq "3: Linux nc -l sees naru's FIN and exits 0" 0 "$?"
check "3: Linux nc -l received everything naru sent after Linux's FIN" same "$WORK/second" "$WORK/c3.linux_out"
check_match "3: naru nc says it connected" "connected to $KERNEL port $PORT" "$(cat "$(bg_log "$naru3")")"
proc_wait "$feed3" 5

# --- 4. naru nc -> Linux listener; naru closes first, Linux sends after.
# The listener answers only once it has read naru's FIN (recv returns 0),
# so its data goes after it by construction. ---
PORT=5004
# shellcheck disable=SC2016
bg_start py4 "$ns" python3 -c '
import socket, sys
addr, port, got, reply = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
srv = socket.socket()
srv.bind((addr, port))
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
with open(got, "wb") as f:
    while True:
        data = conn.recv(65536)
        if not data:
            break
        f.write(data)
print("EOF seen", flush=True)
with open(reply, "rb") as f:
    conn.sendall(f.read())
conn.shutdown(socket.SHUT_WR)
print("EOF from naru after reply:", conn.recv(1) == b"", flush=True)
' "$KERNEL" "$PORT" "$WORK/c4.linux_out" "$WORK/second"
wait_until 30 listening "$PORT" || die "the python3 listener did not start: $(cat "$(bg_log "$py4")")"
naru_nc naru4 "$WORK/first" "$WORK/c4.naru_out" "$KERNEL" "$PORT"
proc_wait "$naru4" 30
check_eq "4: naru nc exits 0 after its FIN, the listener's data and the listener's FIN" 0 "$?"
proc_wait "$py4" 30
check_eq "4: the Linux listener exits 0" 0 "$?"
check "4: the Linux listener received all naru sent before naru's FIN" same "$WORK/first" "$WORK/c4.linux_out"
check "4: naru nc received everything the listener sent after naru's FIN" same "$WORK/second" "$WORK/c4.naru_out"
check_match "4: the listener saw naru's FIN before it sent" '^EOF seen$' "$(cat "$(bg_log "$py4")")"
check_match "4: and then saw naru close" '^EOF from naru after reply: True$' "$(cat "$(bg_log "$py4")")"
finish
