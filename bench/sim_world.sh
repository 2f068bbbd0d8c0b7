#!/usr/bin/env bash
# ns-3's benchmark world as a naru scenario: R routers in a ring on
# 10 Gbit/s, 5 ms links; H hosts, H/R behind each router on their own
# 1 Gbit/s, 1 ms link; F bulk NewReno flows from host S*f to host
# (S*f + 37) mod H, 128 KiB socket buffers, for T simulated seconds.
# Routes are computed (routing = shortest), as ns-3's global routing does.
#   usage: bench/sim_world.sh [ROUTERS HOSTS FLOWS STRIDE SECONDS] > world.ini
# No arguments: the 100-host world of bench/sim_world_100.ini; the
# 1,000-host world is "100 1000 500 2 10".
set -euo pipefail
routers=${1:-10} hosts=${2:-100} flows=${3:-100} stride=${4:-1} seconds=${5:-10}
per=$((hosts / routers))
if [ $((per * routers)) -ne "$hosts" ] || [ "$per" -lt 1 ] || [ "$routers" -lt 3 ] || [ "$hosts" -gt 16000000 ]; then
    echo "sim_world: HOSTS must be a multiple of ROUTERS (>= 3), at most 16M" >&2
    exit 2
fi
cat <<INI
# ns-3's benchmark world: $routers routers in a ring, $hosts hosts, $flows bulk flows
# (made by bench/sim_world.sh $routers $hosts $flows $stride $seconds)
[scenario]
description = $routers routers in a ring, $hosts hosts, $flows bulk TCP flows with 128 KiB buffers
time_limit = ${seconds}s
routing = shortest
report = apps

[router r0..r$((routers - 1))]

[host h0..h$((hosts - 1))]

[link ring0..ring$((routers - 1))]
a = r{i}
b = r{(i + 1) % $routers}
pool = 10.255.0.0/16
subnet = /30
bandwidth = 10Gbit
delay = 5ms

[link access0..access$((hosts - 1))]
a = h{i}
b = r{i / $per}
pool = 10.0.0.0/8
subnet = /30
bandwidth = 1Gbit
delay = 1ms

[transfer flow0..flow$((flows - 1))]
from = h{$stride * i}
to = h{($stride * i + 37) % $hosts}
bytes = 100GB
buffer = 128KiB
congestion = newreno
INI
