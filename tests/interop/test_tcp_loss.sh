#!/usr/bin/env bash
# TCP through 2% random loss: an nftables rule in the namespace (numgen
# random) drops 2% of the kernel's packets on the connection, both those
# it sends and those it receives.
#  - Linux's nc sends 100 MB to `naru nc -l`: naru's receiver recovers
#    every loss (out-of-order queue, SACK) and the SHA-256 matches.
#  - Linux's curl downloads 100 MB from naru's HTTP server: naru's sender
#    retransmits what was lost (RACK-TLP finds nearly every loss without a
#    retransmission timeout) and the SHA-256 matches. naru host runs with
#    --no-offload here: a frame naru writes to the TAP enters the kernel
#    whole, and for local delivery the kernel never cuts it (tun hands it
#    on as one skb, as GRO would), so with TSO the input rule would see and
#    drop 45 segments at a time, not single packets.
#  - The same download with offloads: whole 64 KiB frames of naru's are
#    lost, and still every byte arrives.
# The rules are removed at the end (and go with the namespace anyway).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@" nft nc curl sha256sum timeout

KERNEL=198.18.0.1
NARU_IP=198.18.0.2
NARU_MAC=02:00:5e:12:00:02 # one MAC for every naru run, so Linux's ARP entry stays right
NC_PORT=5000
TABLE=naru_loss

ns_new ns
tap_new "$ns" ntap0 "$KERNEL/24"
# One segment per packet: otherwise the kernel builds segments of up to
# 64 KiB (GSO) that the rule would drop whole, and splits them only for the TAP.
ip -n "$ns" link set ntap0 gso_max_segs 1 || die "cannot limit GSO on ntap0"
head -c 100000000 /dev/urandom >"$WORK/data" || die "cannot write test data"
mkdir -p "$WORK/www" || die "cannot create the web root"
cp "$WORK/data" "$WORK/www/data" || die "cannot write test data"
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# 2% of TCP packets to and from naru's port PORT, each way.
nft_add() { in_ns "$ns" nft "$@" || die "nft $* failed"; }
nft_add add table ip "$TABLE"
nft_add add chain ip "$TABLE" out '{ type filter hook output priority 0; }'
nft_add add chain ip "$TABLE" in '{ type filter hook input priority 0; }'
for port in "$NC_PORT" 80; do
    nft_add add rule ip "$TABLE" out ip daddr "$NARU_IP" tcp dport "$port" numgen random mod 100 '<' 2 counter drop
    nft_add add rule ip "$TABLE" in ip saddr "$NARU_IP" tcp sport "$port" numgen random mod 100 '<' 2 counter drop
done
# dropped PORT out|in: packets the rule for PORT in that direction dropped.
dropped() {
    local match
    [ "$2" = out ] && match="dport $1" || match="sport $1"
    in_ns "$ns" nft list chain ip "$TABLE" "$2" | grep "tcp $match " | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

# --- Linux -> naru nc -l, 100 MB ---
# shellcheck disable=SC2016
bg_start naru_nc "$ns" bash -c 'out=$1; shift; exec "$@" >"$out"' _ "$WORK/got_nc" \
    "$NARU" nc -l -v --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" "$NC_PORT"
wait_until 30 grep -q 'listening on' "$(bg_log "$naru_nc")" ||
    die "naru nc -l did not start: $(cat "$(bg_log "$naru_nc")")"
start=$SECONDS
in_ns "$ns" timeout 120 nc -N "$NARU_IP" "$NC_PORT" <"$WORK/data"
check_eq "Linux nc sends 100 MB to naru nc -l through 2% loss and exits 0" 0 "$?"
proc_wait "$naru_nc" 30
check_eq "naru nc -l sees the end and exits 0" 0 "$?"
note "Linux -> naru: $((SECONDS - start)) s; packets dropped: $(dropped "$NC_PORT" out) of Linux's," \
    "$(dropped "$NC_PORT" in) of naru's"
check_eq "naru received all 100 MB, SHA-256 matching" "$(sha "$WORK/data")" "$(sha "$WORK/got_nc")"
check_ge "the rule dropped Linux's segments (at least 500 of ~70000)" 500 "$(dropped "$NC_PORT" out)"
check_ge "and naru's ACKs" 10 "$(dropped "$NC_PORT" in)"

# --- naru's HTTP server -> Linux curl, 100 MB ---

naru_start host "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve "http=$WORK/www" \
    --no-offload
start=$SECONDS
in_ns "$ns" timeout 120 curl -sS --fail -o "$WORK/got_http" "http://$NARU_IP/data"
check_eq "curl downloads 100 MB from naru through 2% loss and exits 0" 0 "$?"
note "naru -> Linux: $((SECONDS - start)) s; packets dropped: $(dropped 80 in) of naru's, $(dropped 80 out) of Linux's"
check_eq "Linux received all 100 MB, SHA-256 matching" "$(sha "$WORK/www/data")" "$(sha "$WORK/got_http")"
check_ge "the rule dropped naru's segments (at least 500 of ~70000)" 500 "$(dropped 80 in)"
naru_stop "$host"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
check_ge "naru repaired losses by fast retransmit" 1 "$(naru_counter "$host" tcp_fast_retransmits)"
note "naru: $(naru_counter "$host" tcp_retransmits) segments retransmitted," \
    "$(naru_counter "$host" tcp_sack_recoveries) recoveries guided by SACK," \
    "$(naru_counter "$host" tcp_timeouts) timeouts"

# --- the same with offloads: naru's frames of 45 segments dropped whole ---
before=$(dropped 80 in)
naru_start host "$ns" host --tap ntap0 --addr "$NARU_IP/24" --mac "$NARU_MAC" --serve "http=$WORK/www"
start=$SECONDS
in_ns "$ns" timeout 120 curl -sS --fail -o "$WORK/got_tso" "http://$NARU_IP/data"
check_eq "with offloads, curl downloads 100 MB from naru through the loss and exits 0" 0 "$?"
check_eq "with offloads, Linux received all 100 MB, SHA-256 matching" "$(sha "$WORK/www/data")" "$(sha "$WORK/got_tso")"
naru_stop "$host"
check_eq "naru host ends by SIGTERM (143) after its counters" 143 "$?"
note "naru -> Linux with offloads: $((SECONDS - start)) s; $(($(dropped 80 in) - before)) of naru's frames" \
    "dropped, of $(naru_counter "$host" link_tx_tso) of up to 45 segments and" \
    "$(($(naru_counter "$host" link_tx_frames) - $(naru_counter "$host" link_tx_tso))) others;" \
    "$(naru_counter "$host" tcp_retransmits) segments retransmitted, $(naru_counter "$host" tcp_timeouts) timeouts"

in_ns "$ns" nft delete table ip "$TABLE"
check_eq "the loss rules are removed" "" "$(in_ns "$ns" nft list tables | grep -w "$TABLE")"
finish
