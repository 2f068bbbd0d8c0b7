#!/usr/bin/env bash
# Install the Debian packages naru's tests, fuzzers and benchmarks need,
# only those missing. Safe to run again.
#
# usage: scripts/install-deps.sh [--build]
#   --build  only what building naru needs (make demo), and only when it can:
#            without root or sudo, or off Debian, it says what is missing and
#            leaves the rest to the build, which stops, naming the package,
#            if it must.
#   --ns3    also ns-3, the optional peer of bench/sim_scale_bench.sh (large)
set -euo pipefail

build_packages=(cmake make gcc pkg-config libinih-dev gettext)   # libinih: scenario files; gettext: msgfmt for the demo in Korean
packages=(
  "${build_packages[@]}"
  # tests, sanitizers, fuzzing
  libcmocka-dev clang libclang-rt-14-dev llvm
  groff-base             # the man pages made from the help texts, checked by rendering them
  # interoperability tests against Linux
  iproute2 iputils-ping netcat-openbsd tcpdump tshark nftables python3 curl
  libxml2-utils          # xmllint: naru plot's SVG is checked well-formed
  radvd                  # router advertisements: the IPv6 captures (tests/data/capture-linux.sh --ipv6)
                         #   and naru host autoconfiguring on TAP (tests/interop/test_ipv6_slaac_radvd.sh)
  python3-scapy          # hand-made frames: bad checksums, odd fragments
  # DNS: dig, NSD and Knot for the interop and differential tests, dnsperf for bench/
  bind9-dnsutils nsd knot python3-dnspython dnsperf
  # benchmarks (bench/): instructions per datagram; lwIP as a TCP peer over TAP
  valgrind liblwip-dev
  time                   # GNU time: peak memory in bench/plot_bench.sh
  chromium               # headless: the replay page's tests (tests/tools/test_replay_page.sh)
)
build_only=false
if [ "${1:-}" = "--ns3" ]; then
  packages+=(ns3 libns3-dev)
elif [ "${1:-}" = "--build" ]; then
  build_only=true
  packages=("${build_packages[@]}")
  command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: need root (or sudo) to install: ${missing[*]} (apt-get install ${missing[*]})" >&2
    $build_only && exit 0
    exit 1
  fi
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq >/dev/null &&
       $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  $build_only || exit 1
  echo "install-deps: could not install ${missing[*]}; building with what is there" >&2
fi
