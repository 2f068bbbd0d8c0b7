#!/usr/bin/env bash
# naru host with a global IPv6 address and a default gateway, reached
# through a Linux router: curl -6 in another namespace downloads 100 MB
# from naru's web server, offloads on and off (SHA-256 matches); naru's
# replies find their way back only through --gw. Also curl -6 on the
# router itself, on the link.
#
#   client ns  2001:db8:2::2 --veth-- 2001:db8:2::1  router ns  2001:db8:1::1 --TAP-- naru 2001:db8:1::2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" curl sha256sum timeout

ns_new router v6rtr
ns_new client v6cli
ns_ipv6_on "$router"
ns_ipv6_on "$client"
in_ns "$router" sysctl -qw net.ipv6.conf.all.forwarding=1 || die "cannot turn forwarding on"
tap_new "$router" v6r0
in_ns "$router" ip addr add 2001:db8:1::1/64 dev v6r0 nodad || die "cannot address v6r0"
ip -n "$router" link add v6rc type veth peer name v6cr netns "$client" || die "cannot create the veth pair"
_INTEROP_LINKS+=("$router v6rc")
in_ns "$router" ip addr add 2001:db8:2::1/64 dev v6rc nodad || die "cannot address v6rc"
in_ns "$client" ip addr add 2001:db8:2::2/64 dev v6cr nodad || die "cannot address v6cr"
ip -n "$router" link set v6rc up && ip -n "$client" link set v6cr up || die "cannot bring the veth up"
in_ns "$client" ip -6 route add default via 2001:db8:2::1 || die "cannot route the client"

mkdir -p "$WORK/www" || die "cannot create the web root"
head -c 100000000 /dev/urandom >"$WORK/www/big.bin" || die "cannot write the 100 MB file"
want=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)

for mode in offload no-offload; do
    flags=()
    [ "$mode" = no-offload ] && flags=(--no-offload)
    naru_start naru "$router" host --tap v6r0 --addr 2001:db8:1::2/64 --gw 2001:db8:1::1 \
        --serve "http=$WORK/www" "${flags[@]}"
    in_ns "$client" timeout 120 curl -6 -sS --fail -g -o "$WORK/got.bin" -w 'speed=%{speed_download}\n' \
        "http://[2001:db8:1::2]/big.bin" >"$WORK/curl.out" 2>&1
    check_eq "curl -6 through a Linux router downloads 100 MB from naru ($mode) and exits 0" 0 "$?"
    note "$(cat "$WORK/curl.out") (a loaded machine: no figure to compare)"
    check_eq "the download's SHA-256 matches ($mode)" "$want" "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)"
    rm -f "$WORK/got.bin"
    if [ "$mode" = offload ]; then
        out=$(in_ns "$router" timeout 30 curl -6 -sS --fail -g -o /dev/null -w '%{http_code}' \
            "http://[2001:db8:1::2]/big.bin" 2>&1)
        check_eq "curl -6 on the router, on naru's link, gets it too" 200 "$out"
    fi
    naru_stop "$naru"
    check_eq "naru host ends by SIGTERM (143) after its counters ($mode)" 143 "$?"
    for c in ip6_rx_header_errors ip6_rx_length_errors icmp6_rx_malformed tcp_rx_malformed; do
        check_eq "nothing was dropped as malformed ($c, $mode)" 0 "$(naru_counter "$naru" "$c")"
    done
done

# Without --gw, naru has no way back to the client: curl gets nothing.
naru_start naru "$router" host --tap v6r0 --addr 2001:db8:1::2/64 --serve "http=$WORK/www"
check_fails "without --gw, curl -6 from beyond the router gets no answer" \
    in_ns "$client" curl -6 -sS --fail -g -o /dev/null --max-time 3 "http://[2001:db8:1::2]/"
naru_stop "$naru"
finish
