#!/usr/bin/env bash
# TCP over TAP with the kernel's offloads (naru's default: a virtio-net
# header on every frame, TUN_F_CSUM | TUN_F_TSO4) and without them
# (--no-offload), 100 MB each way, every byte checked by SHA-256:
#  - Linux's nc sends to `naru nc -l` (with offloads the kernel hands naru
#    TCP segments merged up to 64 KiB, their checksums left partial);
#  - curl downloads from naru host's HTTP server (with offloads naru writes
#    frames of up to 45 segments, which the kernel takes whole);
#  - a Python client sends to naru host's TCP echo service and reads the
#    echo at the same time.
# naru's counters say which way the frames went (merged frames in and out
# with offloads, none without), naru found no TCP segment malformed, and the
# kernel counted no checksum error. Last, a capture with offloads: tshark
# reads naru's pcap cleanly, with frames above the MTU both ways and every
# TCP checksum good (naru completes the partial ones as it captures them).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nc curl python3 sha256sum tshark timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02 # one MAC for every naru run, so Linux's ARP entry stays right
NC_PORT=5000

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
NARU_TAP=(--tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC")
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 100000000 /dev/urandom >"$WORK/www/data" || die "cannot write test data"
head -c 2000000 "$WORK/www/data" >"$WORK/www/small" || die "cannot write test data"
sha() { sha256sum <"$1" | cut -d' ' -f1; }
want=$(sha "$WORK/www/data")

# echo_through HOST PORT FILE: send FILE to an echo service while reading
# the echo; prints the bytes that came back and their SHA-256.
echo_through() {
    in_ns "$ns" timeout 120 python3 - "$@" <<'EOF'
import hashlib, socket, sys, threading
data = open(sys.argv[3], "rb").read()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
sender = threading.Thread(target=send)
sender.start()
h, n = hashlib.sha256(), 0
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    h.update(b)
    n += len(b)
sender.join()
print(n, h.hexdigest())
EOF
}
# said PID TEXT: the process has said TEXT (naru nc -v: listening, ...).
# shellcheck disable=SC2317 # called through wait_until
said() { grep -q "$2" "$(bg_log "$1")"; }

for mode in offload no-offload; do
    flags=()
    [ "$mode" = no-offload ] && flags=(--no-offload)

    # --- Linux -> naru nc -l ---
    # shellcheck disable=SC2016
    bg_start naru_nc "$ns" bash -c 'out=$1; shift; exec "$@" >"$out"' _ "$WORK/got_nc" \
        "$NARU" nc -l -v "${NARU_TAP[@]}" "${flags[@]}" "$NC_PORT"
    wait_until 30 said "$naru_nc" 'listening on' || die "naru nc -l did not start: $(cat "$(bg_log "$naru_nc")")"
    in_ns "$ns" timeout 120 nc -N "$NARU_IP" "$NC_PORT" <"$WORK/www/data"
    check_eq "$mode: Linux nc sends 100 MB to naru nc -l and exits 0" 0 "$?"
    proc_wait "$naru_nc" 30
    check_eq "$mode: naru nc -l sees the end and exits 0" 0 "$?"
    check_eq "$mode: naru received the 100 MB whole (SHA-256)" "$want" "$(sha "$WORK/got_nc")"
    rm -f "$WORK/got_nc"

    # --- naru host: HTTP to Linux, and echo both ways ---
    csum_errors=$(kernel_snmp "$ns" Tcp InCsumErrors)
    naru_start host "$ns" host "${NARU_TAP[@]}" "${flags[@]}" --serve echo --serve "http=$WORK/www"
    if [ "$mode" = offload ]; then
        check_match "naru host says it has offloads" 'ready on .*, with offloads' "$(cat "$(naru_log "$host")")"
    else
        check_match "naru host says it has none" 'ready on .*, no offloads' "$(cat "$(naru_log "$host")")"
    fi
    in_ns "$ns" timeout 120 curl -sS --fail -o "$WORK/got_http" "http://$NARU_IP/data"
    check_eq "$mode: curl downloads 100 MB from naru and exits 0" 0 "$?"
    check_eq "$mode: Linux received the 100 MB whole (SHA-256)" "$want" "$(sha "$WORK/got_http")"
    rm -f "$WORK/got_http"
    check_eq "$mode: 100 MB through naru's echo come back whole (SHA-256)" "100000000 $want" \
        "$(echo_through "$NARU_IP" 7 "$WORK/www/data")"
    naru_stop "$host"
    check_eq "$mode: naru host ends by SIGTERM (143) after its counters" 143 "$?"
    check_eq "$mode: naru found no TCP segment malformed or with a bad checksum" 0 \
        "$(naru_counter "$host" tcp_rx_malformed)"
    check_eq "$mode: the kernel counted no TCP checksum error" "$csum_errors" "$(kernel_snmp "$ns" Tcp InCsumErrors)"
    gso_in=$(naru_counter "$host" link_rx_gso)
    tso_out=$(naru_counter "$host" link_tx_tso)
    note "$mode: $(naru_counter "$host" link_rx_frames) frames in ($gso_in merged)," \
        "$(naru_counter "$host" link_tx_frames) out ($tso_out for the kernel to cut)," \
        "$(naru_counter "$host" tcp_rx) TCP segments in, $(naru_counter "$host" tcp_tx) out"
    if [ "$mode" = offload ]; then
        check_ge "offload: the kernel handed naru merged segments" 1 "$gso_in"
        check_ge "offload: naru wrote frames of segments for the kernel to cut" 1 "$tso_out"
    else
        check_eq "no-offload: no frame of merged segments either way" "0 0" "$gso_in $tso_out"
    fi
done

# --- a capture with offloads ---
naru_start host "$ns" host "${NARU_TAP[@]}" --serve echo --serve "http=$WORK/www" --pcap "$WORK/naru.pcap"
in_ns "$ns" timeout 20 curl -sS --fail -o "$WORK/got_small" "http://$NARU_IP/small"
check_eq "curl downloads 2 MB from naru while naru captures" "$(sha "$WORK/www/small")" "$(sha "$WORK/got_small")"
check_eq "2 MB through naru's echo while naru captures" "2000000 $(sha "$WORK/www/small")" \
    "$(echo_through "$NARU_IP" 7 "$WORK/www/small")"
naru_stop "$host"
check_eq "naru host ends by SIGTERM (143), having closed its capture" 143 "$?"
listing=$(tshark_read "$WORK/naru.pcap" 2>&1)
check_eq "tshark reads naru's capture and exits 0" 0 "$?"
check_no_match "tshark's listing shows nothing malformed" 'Malformed|[Ee]rror|cut short' "$listing"
count() { pcap_count "$WORK/naru.pcap" "$1"; }
check_eq "tshark checked every TCP checksum and found it good" "$(count tcp)" \
    "$(count 'tcp.checksum.status == "Good"')"
check_ge "naru's frames above the MTU are there (TSO)" 1 "$(count "ip.src == $NARU_IP && frame.len > 1514")"
check_ge "and the kernel's (GSO)" 1 "$(count "ip.src == $KERNEL && frame.len > 1514")"
finish
