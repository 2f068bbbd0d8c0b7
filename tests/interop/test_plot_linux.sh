#!/usr/bin/env bash
# naru plot on Linux's own TCP: two namespaces joined by a veth pair, a
# Python sender and receiver moving 400 kB over IPv4 and then over IPv6,
# with every 40th data segment dropped by an nftables rule on the
# receiver's input hook, which runs after packet sockets have seen the
# frame, and Linux retransmitting the dropped ones. Three captures of the
# same transfers:
#   tcpdump -i vb     Ethernet, pcap (the receiver's side)
#   tcpdump -i any    Linux cooked v2, pcap (the receiver's side)
#   tshark -i va      Ethernet, pcapng (the sender's side)
# The sender's side sees every segment sent before any loss, so each one
# tshark calls a retransmission must be one for naru. The receiver's side
# need not: on a loaded machine the kernel may drop a frame from its
# receive backlog before the capture sees it, and the copy sent again
# then fills a hole there (out-of-order, by tcptrace's rule).
# For each, naru plot's points agree with tshark's numbers
# (tests/tools/plot_vs_tshark.py: time, relative seq and ack, length,
# scaled window, SACK blocks, retransmissions, duplicate ACKs), and its
# SVG is well-formed and draws those points (tests/tools/check_plot_svg.py).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" tcpdump tshark nft python3 ss xmllint
TOOLS=$NARU_ROOT/tests/tools
PORT=5001

ns_new a
ns_new b
veth_new "$a" va 198.18.0.1/24 "$b" vb 198.18.0.2/24
# IPv6 on (ns_new turns it off), without duplicate address detection.
for pair in "$a va 2001:db8::1" "$b vb 2001:db8::2"; do
    read -r ns dev addr <<<"$pair"
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
        "net.ipv6.conf.$dev.disable_ipv6=0" || die "cannot turn IPv6 on in $ns"
    ip -n "$ns" addr add "$addr/64" dev "$dev" nodad || die "cannot add $addr"
done
# Segments as on a wire: one per packet, not 64 KiB GSO frames.
ip -n "$a" link set va gso_max_segs 1 || die "cannot limit GSO on va"
in_ns "$b" nft add table inet plot_loss || die "nft add table failed"
in_ns "$b" nft add chain inet plot_loss in '{ type filter hook input priority 0; }' || die "nft add chain failed"
in_ns "$b" nft add rule inet plot_loss in tcp dport "$PORT" numgen inc mod 40 == 0 counter drop ||
    die "nft add rule failed"

pcap_capture_start eth "$b" vb "$WORK/eth.pcap"
bg_start anycap "$b" tcpdump -i any -n -U -s 0 -w "$WORK/any.pcap"
wait_until 30 grep -q 'listening on' "$(bg_log "$anycap")" || die "tcpdump -i any did not start"
bg_start ngcap "$a" tshark -i va -F pcapng -w "$WORK/sender.pcapng"
wait_until 30 grep -q "Capturing on 'va'" "$(bg_log "$ngcap")" || die "tshark did not start: $(cat "$(bg_log "$ngcap")")"

# The receiver: two connections on one dual-stack socket, read to the end.
bg_start server "$b" python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", '"$PORT"'))
s.listen(2)
for _ in range(2):
    c, _ = s.accept()
    while c.recv(65536):
        pass
    c.close()
'
listening() { in_ns "$b" ss -Hltn "sport = :$PORT" | grep -q .; }
wait_until 30 listening || die "the receiver did not listen: $(cat "$(bg_log "$server")")"
for addr in 198.18.0.2 2001:db8::2; do
    in_ns "$a" timeout 30 python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])))
c.sendall(b"x" * 400000)
c.shutdown(socket.SHUT_WR)
while c.recv(65536):
    pass
' "$addr" "$PORT"
    check_eq "Linux sends 400 kB to $addr through the drops" 0 "$?"
done
dropped=$(in_ns "$b" nft list chain inet plot_loss in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check_ge "the rule dropped segments after the captures saw them" 4 "${dropped:-0}"

# Both FINs of both connections in each file before the captures stop.
fins() { [ "$(tshark -r "$1" -Y 'tcp.flags.fin == 1' 2>/dev/null | wc -l)" -ge 4 ]; }
for f in eth.pcap any.pcap sender.pcapng; do
    wait_until 10 fins "$WORK/$f" || note "$f holds fewer than 4 FINs"
done
pcap_capture_stop "$eth"
proc_stop "$anycap"
proc_stop "$ngcap"

for f in eth.pcap any.pcap sender.pcapng; do
    before_loss=$([ "$f" = sender.pcapng ] && echo --before-loss)
    # shellcheck disable=SC2086 # no flag is no argument
    out=$(python3 "$TOOLS/plot_vs_tshark.py" "$NARU" "$WORK/$f" $before_loss --retransmissions 4 --conns 2 2>&1)
    if [ "$?" -eq 0 ]; then
        pass "$f: naru plot's points are tshark's ($(grep '^# ' <<<"$out" | sed 's/^# //'))"
    else
        fail "$f: naru plot's points are tshark's" "$out"
    fi
    for flow in 0 1; do
        "$NARU" plot "$WORK/$f" --flow "$flow" --svg "$WORK/$f.$flow.svg" --dump "$WORK/$f.$flow.tsv"
        check "$f connection $flow: the SVG is well-formed (xmllint)" xmllint --noout "$WORK/$f.$flow.svg"
        check "$f connection $flow: the SVG draws its points" python3 "$TOOLS/check_plot_svg.py" \
            "$WORK/$f.$flow.svg" "$WORK/$f.$flow.tsv"
    done
    list=$("$NARU" plot "$WORK/$f" --list)
    check_match "$f: the IPv4 connection is listed" '^0 +198\.18\.0\.1:[0-9]+ +198\.18\.0\.2:5001 ' "$list"
    check_match "$f: the IPv6 connection is listed" '^1 +\[2001:db8::1\]:[0-9]+ +\[2001:db8::2\]:5001 ' "$list"
done
finish
