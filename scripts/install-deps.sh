#!/usr/bin/env bash
# Install the Debian packages naru's tests, fuzzers and benchmarks need,
# only those missing. Safe to run again.
set -euo pipefail

packages=(
  # build
  cmake make gcc pkg-config
  # tests, sanitizers, fuzzing
  libcmocka-dev clang libclang-rt-14-dev llvm
  # interoperability tests against Linux
  iproute2 iputils-ping netcat-openbsd tcpdump tshark nftables python3 curl
  python3-scapy          # hand-made frames: bad checksums, odd fragments
  # DNS: dig, NSD and Knot for the interop and differential tests, dnsperf for bench/
  bind9-dnsutils nsd knot python3-dnspython dnsperf
  # benchmarks (bench/): instructions per datagram; lwIP as a TCP peer over TAP
  valgrind liblwip-dev
  # simulator scenario files
  libinih-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
