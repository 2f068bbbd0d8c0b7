#!/usr/bin/env bash
# Linux talks to naru over IPv6 on a TAP link, to naru's link-local address
# (RFC 7217, from its secret, after duplicate address detection; found by
# an echo request to all nodes): neighbour discovery,
# ping -6 (4000-byte pings fragmented both ways), TCP echo with nc -6 and
# a half-close (and 10 MB through it), UDP echo with nc -6 -u, and curl -6
# fetching 100 MB from naru's HTTP server with offloads on and off (TSO for
# IPv6). tshark reads naru's capture cleanly.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" ping nc curl sha256sum timeout tshark

NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02
NARU_LL=

# Sets NARU_LL to the link-local address that answers an echo to all nodes
# (ff02::1) and is not Linux's own; fails while there is none (naru's is
# tentative until its duplicate address detection is done).
find_naru_ll() {
    local linux_ll
    linux_ll=$(in_ns "$ns" ip -6 -o addr show dev ntap0 scope link | sed -n 's/.*inet6 \(fe80::[^/]*\).*/\1/p')
    NARU_LL=$(in_ns "$ns" ping -6 -c 2 -i 0.3 -W 1 "ff02::1%ntap0" 2>/dev/null |
        sed -n 's/^[0-9]* bytes from \(fe80::[0-9a-f:]*\)%ntap0: .*/\1/p' | grep -vx "$linux_ll" | head -n 1)
    [ -n "$NARU_LL" ]
}

ns_new ns
ns_ipv6_on "$ns"
tap_new "$ns" ntap0 198.18.0.1/24
mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 100000000 /dev/urandom >"$WORK/www/big.bin" || die "cannot write the 100 MB file"
want=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)

for mode in offload no-offload; do
    flags=()
    [ "$mode" = no-offload ] && flags=(--no-offload)
    naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo \
        --serve "http=$WORK/www" "${flags[@]}"
    wait_until 30 in_ns "$ns" sh -c "ip -6 addr show dev ntap0 | grep -q 'inet6 fe80'" ||
        die "Linux gave ntap0 no link-local address"
    wait_until 30 find_naru_ll || die "no link-local address of naru's answered an echo to all nodes"
    note "naru's link-local address: $NARU_LL"

    if [ "$mode" = offload ]; then
        out=$(in_ns "$ns" ping -6 -c 3 -i 0.2 -W 2 "$NARU_LL%ntap0" 2>&1)
        check_eq "ping -6 of naru's link-local address exits 0" 0 "$?"
        check_match "all 3 echo requests are answered, hop limit 64" \
            "^64 bytes from $NARU_LL%ntap0: icmp_seq=1 ttl=64 " "$out"
        check_match "Linux learnt naru's MAC address by neighbour discovery" "lladdr $NARU_MAC" \
            "$(in_ns "$ns" ip -6 neigh show "$NARU_LL" dev ntap0)"
        out=$(in_ns "$ns" ping -6 -c 2 -i 0.2 -W 2 -s 4000 "$NARU_LL%ntap0" 2>&1)
        check_match "4000-byte pings are answered in full, fragmented both ways" \
            '^2 packets transmitted, 2 received, 0% packet loss' "$out"
        check_no_match "the reassembled replies carry the data sent" 'wrong data|truncated|DUP!' "$out"

        out=$(printf 'over six\n' | in_ns "$ns" timeout 10 nc -6 -N "$NARU_LL%ntap0" 7 2>&1)
        check_eq "nc -6 to naru's TCP echo: the line comes back after the half-close" "over six" "$out"
        out=$(printf 'datagram\n' | in_ns "$ns" timeout 5 nc -6 -u -w 1 "$NARU_LL%ntap0" 7 2>&1)
        check_eq "nc -6 -u to naru's UDP echo: the datagram comes back" "datagram" "$out"
        # 10 MB to the echo service and back: Linux's merged segments (GSO
        # over IPv6) come in, naru's go out.
        head -c 10000000 /dev/urandom >"$WORK/ten.bin"
        in_ns "$ns" timeout 60 nc -6 -N "$NARU_LL%ntap0" 7 <"$WORK/ten.bin" >"$WORK/ten.back"
        check_eq "10 MB through naru's TCP echo over IPv6 come back the same" \
            "$(sha256sum <"$WORK/ten.bin" | cut -d' ' -f1)" "$(sha256sum <"$WORK/ten.back" | cut -d' ' -f1)"
        rm -f "$WORK/ten.bin" "$WORK/ten.back"
    fi

    in_ns "$ns" timeout 120 curl -sS --fail -g -o "$WORK/got.bin" -w 'speed=%{speed_download}\n' \
        "http://[$NARU_LL%25ntap0]/big.bin" >"$WORK/curl.out" 2>&1
    check_eq "curl -6 downloads 100 MB from naru ($mode) and exits 0" 0 "$?"
    note "$(cat "$WORK/curl.out")"
    check_eq "the download's SHA-256 matches ($mode)" "$want" "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)"
    rm -f "$WORK/got.bin"

    naru_stop "$naru"
    check_eq "naru host ends by SIGTERM (143) after its counters ($mode)" 143 "$?"
    if [ "$mode" = offload ]; then
        check_ge "naru reassembled the large requests" 2 "$(naru_counter "$naru" ip6_reasm_ok)"
        check_ge "naru fragmented the large replies" 2 "$(naru_counter "$naru" ip6_fragmented)"
        # Linux learns naru's MAC from naru's solicitation (its source
        # link-layer option, checked above), so it may never need to ask.
        check_ge "naru resolved Linux by neighbour discovery (its solicitation answered)" 1 \
            "$(naru_counter "$naru" ndp_rx_na)"
        check_ge "naru sent TCP/IPv6 frames for the device to cut" 1 "$(naru_counter "$naru" link_tx_tso)"
        check_ge "and took Linux's merged ones whole" 1 "$(naru_counter "$naru" link_rx_gso)"
    else
        check_eq "no frame for the device to cut without offloads" 0 "$(naru_counter "$naru" link_tx_tso)"
    fi
    for c in ip6_rx_header_errors ip6_rx_length_errors ip6_reasm_malformed icmp6_rx_malformed ndp_rx_invalid \
        tcp_rx_malformed; do
        check_eq "nothing Linux sent was dropped as malformed ($c, $mode)" 0 "$(naru_counter "$naru" "$c")"
    done
done

# A capture (small: a ping, a line of echo, 1 MB of HTTP) as on the wire.
head -c 1000000 /dev/urandom >"$WORK/www/small.bin" || die "cannot write the 1 MB file"
naru_start naru "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve echo \
    --serve "http=$WORK/www" --pcap "$WORK/naru6.pcap" --no-offload
wait_until 30 find_naru_ll || die "no link-local address of naru's answered an echo to all nodes"
in_ns "$ns" ping -6 -c 1 -W 2 -s 4000 "$NARU_LL%ntap0" >/dev/null 2>&1
printf 'captured\n' | in_ns "$ns" timeout 10 nc -6 -N "$NARU_LL%ntap0" 7 >/dev/null 2>&1
in_ns "$ns" timeout 30 curl -sS --fail -g -o /dev/null "http://[$NARU_LL%25ntap0]/small.bin"
check_eq "curl -6 fetches 1 MB while naru captures" 0 "$?"
naru_stop "$naru"
problems=$(pcap_problems "$WORK/naru6.pcap" 'not tcp.analysis')
check_eq "tshark finds nothing malformed or wrong in naru's IPv6 capture" "" "$problems"
check_ge "the capture holds the TCP/IPv6 transfer" 500 "$(pcap_count "$WORK/naru6.pcap" 'ipv6 && tcp')"
check_ge "and neighbour discovery" 2 "$(pcap_count "$WORK/naru6.pcap" 'icmpv6.type == 135 || icmpv6.type == 136')"
rm -f "$WORK/naru6.pcap"
finish
