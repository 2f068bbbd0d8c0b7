# shellcheck shell=bash
# Helpers for naru's interoperability tests: network namespaces, TAP and
# veth devices, background processes, checks, and cleanup on every exit path.
#
# A test is a bash script tests/interop/test_*.sh that CTest runs as
# `bash test_x.sh /path/to/naru` (label "interop"). It sources this file and
# calls interop_init first:
#
#     . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     interop_init "$@"                        # root? /dev/net/tun? tools?
#     ns_new ns                                # $ns: a fresh namespace, ours
#     tap_new "$ns" ntap0 198.18.0.1/24        # TAP whose kernel side is .1
#     naru_start naru "$ns" host --tap ntap0 --addr 198.18.0.2/24 --serve echo
#     check "Linux ping gets a reply" in_ns "$ns" ping -c 1 -W 2 198.18.0.2
#     naru_stop "$naru"                         # SIGTERM; counters in its log
#     check_eq "one echo reply sent" 1 "$(naru_counter "$naru" icmp_tx_echo_replies)"
#     finish
#
# Everything the helpers create (namespaces, devices, processes, the work
# directory) is recorded and removed by an EXIT trap, also when the test
# fails half-way, is interrupted, or dies on a bug in the test. Processes
# are ended by their PID, never by name. Each namespace has no route out and
# tests use only 198.18.0.0/15 (RFC 2544 benchmarking space), so nothing
# outside the test is ever touched.
#
# Output follows TAP (Test Anything Protocol): "ok N - what" / "not ok N -
# what", which CTest shows with --output-on-failure. Exit status: 0 all
# checks passed, 1 some failed, 77 skipped (not root, or no /dev/net/tun).
# A missing tool is a failure, not a skip: scripts/install-deps.sh has it.
#
# What is here (each is documented where it is defined):
#   setup      interop_init, need, need_scapy, finish, skip, die, note
#   checks     pass, fail, check, check_fails, check_eq, check_ge,
#              check_match, check_no_match, wait_until
#   network    ns_new, ns_ipv6_on, in_ns, tap_new, veth_new, mac_of, kernel_snmp
#   captures   tshark_read, pcap_count, pcap_problems,
#              pcap_capture_start, pcap_capture_stop
#   processes  naru_start, naru_stop, naru_log, naru_counter,
#              bg_start, bg_log, proc_stop, proc_wait
# Helpers that hand back a name or PID do so through a variable named by
# their first argument (printf -v), not on stdout: a process started in a
# $(...) subshell could not be waited for or cleaned up. For the same
# reason die inside $(...) ends only that subshell.

set -u -o pipefail

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NARU_ROOT=$(cd "$INTEROP_DIR/../.." && pwd)
INTEROP_NAME=$(basename "$0" .sh)

_INTEROP_PIDS=()        # background processes we started, still to end
_INTEROP_NAMESPACES=()  # namespaces we created
_INTEROP_LINKS=()       # "NS IFNAME" of devices we created
_INTEROP_CHECKS=0
_INTEROP_FAILED=0
_INTEROP_CLEANED=0
declare -A _INTEROP_LOG=()   # pid -> stderr log of a naru process
declare -A _INTEROP_BGLOG=() # pid -> output of another background process
WORK=""

# ---- start and finish -------------------------------------------------------

# Print a diagnostic line (TAP comment).
note() { printf '# %s\n' "$*"; }

# Skip the whole test: only for an environment where it cannot run at all.
skip() {
    echo "1..0 # SKIP $*"
    exit 77
}

# Stop the test: something it needs could not be set up.
die() {
    echo "Bail out! $*"
    _INTEROP_FAILED=$((_INTEROP_FAILED + 1))
    exit 1
}

# Check the environment, take the naru binary from $1, create $WORK and
# install the cleanup trap. Extra arguments: tools the test needs.
interop_init() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        echo "usage: $0 PATH/TO/naru" >&2
        exit 2
    fi
    [ -x "$1" ] || { echo "$0: $1 is not an executable naru binary" >&2; exit 2; }
    NARU=$(realpath "$1")
    shift
    [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and TAP devices)"
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    need ip "$@"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/naru-$INTEROP_NAME.XXXXXX") || die "cannot create a work directory"
    trap _interop_cleanup EXIT
    # Turn signals into an ordinary exit, so the EXIT trap cleans up once.
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Fail (not skip) when a tool is missing: scripts/install-deps.sh has it.
need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 ||
            die "needs '$tool': run scripts/install-deps.sh (make test does)"
    done
}

# A Python 3 that can import scapy (Debian's python3-scapy lives in the
# system Python, which a pyenv or virtualenv earlier on PATH may hide).
# Sets $SCAPY_PYTHON.
need_scapy() {
    local py
    for py in /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import scapy' 2>/dev/null; then
            # shellcheck disable=SC2034 # for the tests that source this file
            SCAPY_PYTHON=$(command -v "$py")
            return 0
        fi
    done
    die "needs python3-scapy: run scripts/install-deps.sh (make test does)"
}

# Print the plan line, then exit 0 if every check passed, else 1.
finish() {
    echo "1..$_INTEROP_CHECKS"
    if [ "$_INTEROP_FAILED" -gt 0 ]; then
        note "$_INTEROP_FAILED of $_INTEROP_CHECKS checks failed"
        exit 1
    fi
    exit 0
}

_interop_cleanup() {
    local status=$?
    [ "$_INTEROP_CLEANED" -eq 1 ] && return
    _INTEROP_CLEANED=1
    trap - HUP INT TERM
    local pid i ns dev pids=("${_INTEROP_PIDS[@]}")
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        _proc_end "${pids[i]}"
    done
    # Anything still inside our namespaces was started by this test (they
    # are private to it); end it by PID so the namespace can really go.
    for ns in "${_INTEROP_NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
    done
    for ((i = ${#_INTEROP_LINKS[@]} - 1; i >= 0; i--)); do
        read -r ns dev <<<"${_INTEROP_LINKS[i]}"
        ip -n "$ns" link del "$dev" 2>/dev/null
    done
    for ns in "${_INTEROP_NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    # On failure, show what naru said: it is gone with $WORK otherwise.
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
        for pid in "${!_INTEROP_LOG[@]}"; do
            if [ -s "${_INTEROP_LOG[$pid]}" ]; then
                note "---- stderr of naru (pid $pid) ----"
                sed 's/^/#   /' "${_INTEROP_LOG[$pid]}"
            fi
        done
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$status"
}

# ---- checks -----------------------------------------------------------------

pass() {
    _INTEROP_CHECKS=$((_INTEROP_CHECKS + 1))
    echo "ok $_INTEROP_CHECKS - $1"
}

# fail WHAT [DETAIL...]: a failed check, with details as comments.
fail() {
    _INTEROP_CHECKS=$((_INTEROP_CHECKS + 1))
    _INTEROP_FAILED=$((_INTEROP_FAILED + 1))
    echo "not ok $_INTEROP_CHECKS - $1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# check WHAT CMD...: passes when CMD exits 0; its output is shown on failure.
check() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        pass "$what"
    else
        fail "$what" "command: $*" "exit status $?" "$out"
    fi
}

# check_fails WHAT CMD...: passes when CMD exits non-zero.
check_fails() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        fail "$what" "command succeeded but should not have: $*" "$out"
    else
        pass "$what"
    fi
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}

# check_ge WHAT MINIMUM ACTUAL (integers)
check_ge() {
    if [ "$3" -ge "$2" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected at least $2, got '$3'"; fi
}

# check_match WHAT EXTENDED-REGEX TEXT: passes when a line of TEXT matches.
check_match() {
    if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "no line matches /$2/ in:" "$3"; fi
}

# check_no_match WHAT EXTENDED-REGEX TEXT
check_no_match() {
    if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected /$2/ in:" "$(grep -E -- "$2" <<<"$3")"; else pass "$1"; fi
}

# wait_until TIMEOUT_SECONDS CMD...: poll CMD until it succeeds; 1 on timeout.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.02
    done
}

# ---- namespaces and devices -------------------------------------------------

# ns_new VAR [TAG]: create a namespace named naru-TAG-PID-N (unique to this
# run), store its name in VAR. It has only lo, up, and IPv6 off (so the
# captures hold only what a test sends), and the kernel ignores broadcast
# pings (the default, made explicit because tests rely on it).
ns_new() {
    local _nn_tag=${2:-${INTEROP_NAME#test_}}
    local _nn_name="naru-${_nn_tag}-$$-${#_INTEROP_NAMESPACES[@]}"
    ip netns add "$_nn_name" || die "cannot create network namespace $_nn_name"
    _INTEROP_NAMESPACES+=("$_nn_name")
    ip -n "$_nn_name" link set lo up || die "cannot bring lo up in $_nn_name"
    ip netns exec "$_nn_name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
    ip netns exec "$_nn_name" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=1 >/dev/null 2>&1 || true
    printf -v "$1" %s "$_nn_name"
}

# ns_ipv6_on NS: turn IPv6 back on in NS (ns_new turns it off), for devices
# made after this call, without duplicate address detection's wait (the
# link is the test's own) and without router solicitations.
ns_ipv6_on() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
        net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 >/dev/null ||
        die "cannot turn IPv6 on in $1"
}

# in_ns NS CMD...: run CMD inside the namespace.
in_ns() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

# tap_new NS IFNAME [CIDR] [MTU]: a persistent TAP device in NS, up, whose
# kernel side has address CIDR. naru (host, ping, ...) attaches to it with
# --tap IFNAME; the link has carrier only while naru holds it open.
tap_new() {
    local ns=$1 dev=$2 cidr=${3:-} mtu=${4:-}
    ip -n "$ns" tuntap add dev "$dev" mode tap || die "cannot create TAP $dev in $ns"
    _INTEROP_LINKS+=("$ns $dev")
    [ -n "$mtu" ] && { ip -n "$ns" link set "$dev" mtu "$mtu" || die "cannot set MTU $mtu on $dev"; }
    [ -n "$cidr" ] && { ip -n "$ns" addr add "$cidr" dev "$dev" || die "cannot add $cidr to $dev"; }
    ip -n "$ns" link set "$dev" up || die "cannot bring $dev up"
}

# veth_new NS1 IF1 CIDR1 NS2 IF2 CIDR2: a veth pair between two namespaces,
# both ends up with their addresses (Linux talking to Linux, for comparison).
veth_new() {
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || die "cannot create veth $2/$5"
    _INTEROP_LINKS+=("$1 $2")
    if ! { ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up &&
        ip -n "$4" addr add "$6" dev "$5" && ip -n "$4" link set "$5" up; }; then
        die "cannot configure veth $2/$5"
    fi
}

# mac_of NS IFNAME: the device's MAC address.
mac_of() {
    ip -n "$1" -o link show dev "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

# kernel_snmp NS PROTO FIELD: a counter from the namespace's /proc/net/snmp,
# e.g. kernel_snmp "$ns" Ip ReasmOKs, kernel_snmp "$ns" Icmp InDestUnreachs.
kernel_snmp() {
    ip netns exec "$1" awk -v proto="$2:" -v field="$3" '
        $1 == proto && !names { for (i = 2; i <= NF; i++) col[$i] = i; names = 1; next }
        $1 == proto && names { print $col[field]; exit }' /proc/net/snmp
}

# ---- captures ---------------------------------------------------------------

# tshark, quiet about running as root; checksums verified (they are not by
# default), so a bad one shows up as an expert-info error.
# Returns tshark's exit status.
tshark_read() {
    local err status
    err=$(mktemp "$WORK/tshark.XXXXXX")
    tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
        -r "$@" 2>"$err"
    status=$?
    grep -v '^Running as user "root"' "$err" >&2
    rm -f "$err"
    return "$status"
}

# pcap_count FILE DISPLAY-FILTER: how many frames match.
pcap_count() {
    tshark_read "$1" -Y "$2" 2>/dev/null | wc -l
}

# pcap_problems FILE [EXTRA-FILTER]: the frames tshark finds malformed or
# flags at expert level Warning or Error (bad checksums, bad lengths, ...),
# one summary line each; empty when the capture is clean. EXTRA-FILTER
# (e.g. 'not tcp.analysis') excludes frames a test expects to be flagged.
pcap_problems() {
    local filter='_ws.malformed || _ws.expert.severity >= "Warning"'
    [ $# -ge 2 ] && filter="($filter) && ($2)"
    tshark_read "$1" -Y "$filter" 2>&1
}

# pcap_capture_start VAR NS IFNAME FILE: tcpdump on IFNAME in NS writing
# FILE, packet-buffered; returns once tcpdump says it is listening. VAR gets
# its PID; stop it with pcap_capture_stop after waiting for the last frame.
pcap_capture_start() {
    local _pc_var=$1 _pc_pid
    bg_start _pc_pid "$2" tcpdump -i "$3" -n -U -s 0 -w "$4"
    wait_until 5 grep -q 'listening on' "$(bg_log "$_pc_pid")" ||
        die "tcpdump on $3 did not start: $(cat "$(bg_log "$_pc_pid")")"
    printf -v "$_pc_var" %s "$_pc_pid"
}

# pcap_capture_stop PID FILE [FRAMES]: wait (up to 5 s) until FILE holds at
# least FRAMES frames, since tcpdump drops what it has not yet written when
# it is told to stop; then stop it.
pcap_capture_stop() {
    if [ $# -ge 3 ]; then
        wait_until 5 _pcap_has "$2" "$3" || note "tcpdump wrote fewer than $3 frames to $2"
    fi
    proc_stop "$1"
}

_pcap_has() { [ "$(tcpdump -r "$1" -n 2>/dev/null | wc -l)" -ge "$2" ]; }

# ---- processes --------------------------------------------------------------

_alive() {
    local state
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# End a process we started: SIGTERM, up to 5 s to exit, then SIGKILL.
# Returns its exit status (so call it directly, not in $(...): a subshell
# cannot wait for it).
_proc_end() {
    local pid=$1 i status
    # Signal it only while it is still one of this shell's running jobs:
    # once bash has reaped it, its PID may belong to someone else.
    if grep -qx "$pid" <<<"$(jobs -p)"; then
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 250; i++)); do
            _alive "$pid" || break
            sleep 0.02
        done
        _alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    status=$?
    local kept=() p
    for p in "${_INTEROP_PIDS[@]}"; do [ "$p" != "$pid" ] && kept+=("$p"); done
    _INTEROP_PIDS=("${kept[@]}")
    return "$status"
}

_INTEROP_BG=0

# bg_start VAR NS CMD...: start CMD in NS in the background, its stdout and
# stderr going to the file bg_log PID names; VAR gets its PID. It is ended
# on exit if the test does not stop it first.
bg_start() {
    # Locals start with _bg_: printf -v must not land on one of them.
    local _bg_var=$1 _bg_ns=$2 _bg_log _bg_pid
    shift 2
    _INTEROP_BG=$((_INTEROP_BG + 1))
    _bg_log="$WORK/bg.$_INTEROP_BG.log"
    : >"$_bg_log"
    # `ip netns exec` execs CMD in place, so $! is CMD's own PID.
    ip netns exec "$_bg_ns" "$@" </dev/null >"$_bg_log" 2>&1 &
    _bg_pid=$!
    _INTEROP_PIDS+=("$_bg_pid")
    _INTEROP_BGLOG[$_bg_pid]=$_bg_log
    printf -v "$_bg_var" %s "$_bg_pid"
}

# bg_log PID: where that background process's output goes.
bg_log() { echo "${_INTEROP_BGLOG[$1]}"; }

# proc_stop PID: SIGTERM it and wait; returns its exit status.
proc_stop() { _proc_end "$1"; }

# proc_wait PID SECONDS: wait up to SECONDS for a process we started to end
# by itself, and return its exit status; if it does not, end it and
# return 124 (as timeout(1) does).
proc_wait() {
    wait_until "$2" _proc_gone "$1" || { _proc_end "$1"; return 124; }
    _proc_end "$1"
}

_proc_gone() { ! _alive "$1"; }

# naru_start VAR NS ARGS...: run `naru ARGS...` in NS in the background and
# wait (up to 5 s) until it says on stderr that it is ready. VAR gets its PID.
# Dies if naru exits or stays silent instead.
naru_start() {
    local _ns_var=$1 _ns_name=$2 _ns_log _ns_pid _ns_deadline
    shift 2
    _ns_log="$WORK/naru.$((${#_INTEROP_LOG[@]} + 1)).log"
    # Created here, so the wait below can read it before naru has started.
    : >"$_ns_log"
    ip netns exec "$_ns_name" "$NARU" "$@" </dev/null >"$_ns_log.out" 2>"$_ns_log" &
    _ns_pid=$!
    _INTEROP_PIDS+=("$_ns_pid")
    _INTEROP_LOG[$_ns_pid]=$_ns_log
    _ns_deadline=$((SECONDS + 5))
    until grep -q ': ready' "$_ns_log"; do
        _alive "$_ns_pid" || die "naru $* exited before it was ready: $(cat "$_ns_log")"
        [ "$SECONDS" -ge "$_ns_deadline" ] && die "naru $* not ready after 5 s: $(cat "$_ns_log")"
        sleep 0.01
    done
    printf -v "$_ns_var" %s "$_ns_pid"
}

# naru_stop PID: SIGTERM naru and wait for it; it prints its counters into
# its log. Returns naru's exit status: `naru_stop "$pid"; status=$?`.
naru_stop() { _proc_end "$1"; }

# naru_log PID: the path of the process's stderr log.
naru_log() { echo "${_INTEROP_LOG[$1]}"; }

# naru_counter PID LAYER_NAME: a counter from the list naru printed when it
# stopped, by its name in include/naru/counters.h (e.g. udp_rx_malformed,
# ip_reasm_ok); 0 when naru left it out (it prints only non-zero ones).
naru_counter() {
    local log=${_INTEROP_LOG[$1]} name=$2 layer field desc
    layer=${name%%_*}
    field=${name#*_}
    # The description is what naru prints; take it from the X-macro line.
    desc=$(grep -E "X\($layer, $field, \"" "$NARU_ROOT/include/naru/counters.h" | sed -E 's/.*, "(.*)"\).*/\1/')
    [ -n "$desc" ] || die "no counter named $name in include/naru/counters.h"
    awk -v layer="$layer:" -v desc="$desc" '
        /^[a-z0-9_]+:$/ { in_layer = ($0 == layer); next }
        in_layer { n = $1; sub(/^ *[0-9]+ /, ""); if ($0 == desc) { print n; found = 1; exit } }
        END { if (!found) print 0 }' "$log"
}
