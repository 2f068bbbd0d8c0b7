#!/usr/bin/env bash
# naru plot's points match tshark's numbers for the same captures
# (tests/tools/plot_vs_tshark.py compares every segment: time, relative
# seq, len, ack, scaled window, SACK blocks, retransmissions, duplicate
# ACKs, keep-alives, zero windows, and which connection it is in):
#  - naru's simulator with loss: the Wi-Fi link of lossy-wireless.ini,
#    captured where frames enter it (so before every loss: each segment
#    tshark calls a retransmission must be one for naru), and the wired
#    link after it (holes filled there are out-of-order, as tcptrace says);
#    and every capture of `naru demo --pcap`;
#  - the Wi-Fi capture written again by tshark as pcapng, and by editcap as
#    a microsecond pcap;
#  - TCP's awkward cases, written by tests/tools/make_edge_capture.py as a
#    big-endian pcap and as a nanosecond one: six connections, no SYN, an
#    ISN at 2^32, a port used again, IPv6 behind an extension header, VLAN
#    tags, a snapshot length.
# Linux's own TCP, captured by tcpdump in namespaces, is in
# tests/interop/test_plot_linux.sh (it needs root).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_init "$@"
naru=$NARU
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
for tool in tshark editcap python3; do
    command -v "$tool" >/dev/null || { echo "Bail out! needs $tool (scripts/install-deps.sh)"; exit 1; }
done
work=$WORK
# compare CAPTURE FLAGS...: plot_vs_tshark.py's checks, as one check here.
compare() {
    local out
    if out=$(python3 "$here/plot_vs_tshark.py" "$naru" "$@" 2>&1); then
        pass "$(basename "$1"): naru plot's points are tshark's ($(grep '^# ' <<<"$out" | sed 's/^# [^:]*: //'))"
    else
        fail "$(basename "$1"): naru plot's points are tshark's" "$(grep -v '^ok ' <<<"$out")"
    fi
}

"$naru" sim "$src/scenarios/lossy-wireless.ini" --seed 3 --time-limit 8s --pcap "$work/sim" >"$work/sim.out" 2>&1
[ "$?" -le 1 ] || { echo "Bail out! naru sim failed: $(cat "$work/sim.out")"; exit 1; }
compare "$work/sim/wifi.pcap" --before-loss --retransmissions 10 --conns 2
compare "$work/sim/wired.pcap" --retransmissions 1 --conns 2

"$naru" demo --quiet --pcap "$work/demo" >/dev/null 2>&1 || { echo "Bail out! naru demo --pcap failed"; exit 1; }
for f in "$work"/demo/*.pcap; do
    case $(basename "$f") in
    lan3.pcap) compare "$f" ;;     # chapter 7's short connections: no data, no losses
    *) compare "$f" --retransmissions 1 ;;
    esac
done

tshark -r "$work/sim/wifi.pcap" -F pcapng -w "$work/wifi.pcapng" 2>/dev/null || { echo "Bail out! tshark -w failed"; exit 1; }
compare "$work/wifi.pcapng" --before-loss --retransmissions 10 --conns 2
editcap -F pcap "$work/sim/wifi.pcap" "$work/wifi-us.pcap" || { echo "Bail out! editcap failed"; exit 1; }
compare "$work/wifi-us.pcap" --before-loss --retransmissions 10 --conns 2

python3 "$here/make_edge_capture.py" "$work/edge-be.pcap" --big-endian
python3 "$here/make_edge_capture.py" "$work/edge-ns.pcap" --nanoseconds
compare "$work/edge-be.pcap" --conns 6 --retransmissions 1
compare "$work/edge-ns.pcap" --conns 6 --retransmissions 1
finish
