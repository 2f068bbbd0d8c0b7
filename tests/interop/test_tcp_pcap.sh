#!/usr/bin/env bash
# The capture naru host writes (--pcap) of short TCP exchanges with Linux
# (an echo over nc, an HTTP GET over curl, a SYN to a closed port): tshark
# reads it with nothing malformed and no bad checksum or length, and finds
# the handshakes, the options naru offers by default, the data both ways,
# both FINs of each connection and the RST for the closed port. It also
# holds every frame the kernel's own capture on the TAP holds. All twice:
# with the kernel's offloads (naru's default) and without (--no-offload).
# With them, naru sends the file as one frame the kernel cuts into
# 1448-byte segments (TSO), and the kernel's capture shows its own and
# naru's TCP checksums partial (the pseudo-header's sum, for the device to
# complete), where naru's capture shows them completed: the frames are
# compared without their checksums.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nc curl tshark tcpdump timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 5000 /dev/urandom >"$WORK/www/five.bin" || die "cannot write test data"
for mode in offload no-offload; do
    flags=()
    [ "$mode" = no-offload ] && flags=(--no-offload)
    pcap_capture_start tcpdump "$ns" ntap0 "$WORK/kernel.$mode.pcap"
    naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo \
        --serve "http=$WORK/www" --pcap "$WORK/naru.$mode.pcap" "${flags[@]}"

    out=$(printf 'hello over TCP\n' | in_ns "$ns" timeout 10 nc -N "$NARU_IP" 7)
    check_eq "$mode: nc gets its line back from naru's TCP echo" "hello over TCP" "$out"
    in_ns "$ns" timeout 10 curl -sS --fail -o "$WORK/five.got" "http://$NARU_IP/five.bin"
    check_eq "$mode: curl gets a 5000-byte file from naru" 0 "$?"
    check_fails "$mode: a connection to closed port 9999 is refused" in_ns "$ns" timeout 10 nc -z "$NARU_IP" 9999

    naru_stop "$naru"
    check_eq "$mode: naru host ends by SIGTERM (143), having closed its capture" 143 "$?"
    frames=$(($(naru_counter "$naru" link_rx_frames) + $(naru_counter "$naru" link_tx_frames)))
    pcap_capture_stop "$tcpdump" "$WORK/kernel.$mode.pcap" "$frames"

    listing=$(tshark_read "$WORK/naru.$mode.pcap" 2>&1)
    check_eq "$mode: tshark reads naru's capture and exits 0" 0 "$?"
    check_no_match "$mode: tshark's listing shows nothing malformed" 'Malformed|[Ee]rror|cut short' "$listing"
    # The RST naru is asked for is flagged by tshark's TCP analysis as a
    # warning ("Connection reset"), rightly: it is left out, nothing else.
    check_eq "$mode: tshark finds no malformed frame, bad checksum or length warning" "" \
        "$(pcap_problems "$WORK/naru.$mode.pcap" '!(tcp.flags.reset == 1 && tcp.srcport == 9999)')"
    check_eq "$mode: tshark checked every TCP checksum and found it good" \
        "$(pcap_count "$WORK/naru.$mode.pcap" tcp)" "$(pcap_count "$WORK/naru.$mode.pcap" 'tcp.checksum.status == "Good"')"
    check_eq "$mode: the capture holds every frame naru counted (received + sent)" "$frames" \
        "$(printf '%s\n' "$listing" | grep -c .)"

    count() { pcap_count "$WORK/naru.$mode.pcap" "$1"; }
    check_eq "$mode: naru answers 2 SYNs with SYN-ACKs" 2 "$(count "ip.src == $NARU_IP && tcp.flags.syn == 1 && tcp.flags.ack == 1")"
    check_eq "$mode: both SYN-ACKs carry MSS 1460, window scale, timestamps and SACK-permitted" 2 \
        "$(count "ip.src == $NARU_IP && tcp.flags.syn == 1 && tcp.options.mss_val == 1460 && tcp.options.wscale.shift && tcp.options.timestamp.tsval && tcp.options.sack_perm")"
    check_eq "$mode: the echoed line is there, from naru to port 7's client" 1 \
        "$(count "tcp.srcport == 7 && tcp.payload == \"hello over TCP\\n\"")"
    if [ "$mode" = offload ]; then
        check_ge "$mode: the 5000-byte file goes out in one frame for the kernel to cut" 1 \
            "$(count "tcp.srcport == 80 && tcp.len > 1448")"
        check_ge "$mode: naru counted it as such (TSO)" 1 "$(naru_counter "$naru" link_tx_tso)"
    else
        check_ge "$mode: the 5000-byte file goes out in segments of at most 1448 bytes" 4 \
            "$(count "tcp.srcport == 80 && tcp.len > 0 && tcp.len <= 1448")"
    fi
    check_eq "$mode: each connection closes with a FIN from each side" 4 "$(count "tcp.flags.fin == 1")"
    check_eq "$mode: naru answers the SYN to port 9999 with RST+ACK" 1 \
        "$(count "ip.src == $NARU_IP && tcp.srcport == 9999 && tcp.flags.reset == 1 && tcp.flags.ack == 1")"

    # The same frames at both ends of the TAP, each direction in the same
    # order; the checksums too, but where offloads leave them partial.
    fields=(-T fields -e ip.id -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.flags)
    [ "$mode" = no-offload ] && fields+=(-e tcp.checksum)
    for dir in "naru sent:==" "Linux sent:!="; do
        filter="tcp && eth.src ${dir#*:} $NARU_MAC"
        check_eq "$mode: the kernel's capture holds the same TCP frames as naru's (${dir%%:*})" \
            "$(tshark_read "$WORK/naru.$mode.pcap" -Y "$filter" "${fields[@]}" 2>/dev/null | md5sum)" \
            "$(tshark_read "$WORK/kernel.$mode.pcap" -Y "$filter" "${fields[@]}" 2>/dev/null | md5sum)"
    done
done
finish
