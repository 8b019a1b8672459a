#!/usr/bin/env bash
# The RTT floor of a userspace overlay on this machine (root): two namespaces joined by a veth pair
# (underlay 198.18.99.1/.2), each with a TAP (overlay 198.19.99.1/.2) that the smallest possible
# forwarder bridges to UDP: forward.c (C) or Forward.java (the same through the JVM and FFM). No
# crypto, no framing, two blocking threads per side. What it prints is the added RTT any overlay
# pays here for its four userspace hops per ping before doing any work; compare zerokube's and
# ZeroTier One's added RTT (benchmarks/netns/bench.sh) with it.
#
# Each round: 5000 flood pings to warm up (JIT, caches), then 200 pings 10 ms apart (as bench.sh),
# over the veth and over the forwarders; rounds alternate C and Java.
#
# usage: benchmarks/netns/floor/rtt-floor.sh [--rounds N]     env: JAVA (a JDK 25), CC (default gcc)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=3
[ "${1:-}" = --rounds ] && rounds=$2
[ "$(id -u)" = 0 ] || { echo "rtt-floor: needs root (network namespaces, TAP devices)" >&2; exit 1; }
java=${JAVA:-}
if [ -z "$java" ]; then
  for c in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "$(command -v java || true)"; do
    [ -x "$c" ] && "$c" -version 2>&1 | grep -q 'version "2[5-9]' && { java=$c; break; }
  done
fi
[ -n "$java" ] || { echo "rtt-floor: a JDK 25 is needed (set JAVA)" >&2; exit 1; }
work=$(mktemp -d /tmp/zerokube-floor.XXXXXX)
P=zkfloor$$                  # namespace prefix, unique per run
VA=zf$$a VB=zf$$b            # veth names: at most 15 characters, whatever the PID
cleanup() {
  for n in a b; do ip netns pids "$P-$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  sleep 0.2
  for n in a b; do ip netns del "$P-$n" 2>/dev/null || true; done
  ip link del "$VA" 2>/dev/null || true # only if a round failed before moving it
  rm -rf "$work"
}
trap cleanup EXIT
${CC:-gcc} -O2 -pthread -o "$work/forward" "$here/forward.c"

percentiles() { # p50 and p99 of ping's time= values on stdin, in ms
  awk -F'time=' '/time=/{split($2, a, " "); print a[1]}' | sort -n \
    | awk '{v[NR]=$1} END {if (NR == 0) {print "- -"} else {printf "%.3f %.3f\n", v[int((NR-1)*0.5)+1], v[int((NR-1)*0.99)+1]}}'
}

round() { # round IMPL
  local impl=$1 n
  for n in a b; do ip netns add "$P-$n"; ip -n "$P-$n" link set lo up; done
  ip link add "$VA" type veth peer name "$VB"
  ip link set "$VA" netns "$P-a"; ip link set "$VB" netns "$P-b"
  ip -n "$P-a" addr add 198.18.99.1/24 dev "$VA"; ip -n "$P-a" link set "$VA" up
  ip -n "$P-b" addr add 198.18.99.2/24 dev "$VB"; ip -n "$P-b" link set "$VB" up
  for n in a b; do
    local me=198.18.99.1 peer=198.18.99.2
    [ $n = b ] && { me=198.18.99.2; peer=198.18.99.1; }
    if [ "$impl" = c ]; then
      ip netns exec "$P-$n" "$work/forward" zkf0 $me $peer 9999 >"$work/$n.log" 2>&1 &
    else
      ip netns exec "$P-$n" "$java" --enable-native-access=ALL-UNNAMED "$here/Forward.java" zkf0 $me $peer 9999 >"$work/$n.log" 2>&1 &
    fi
  done
  for _ in $(seq 1 200); do
    ip -n "$P-a" link show zkf0 >/dev/null 2>&1 && ip -n "$P-b" link show zkf0 >/dev/null 2>&1 && break
    sleep 0.05
  done
  ip -n "$P-a" addr add 198.19.99.1/24 dev zkf0; ip -n "$P-a" link set zkf0 up
  ip -n "$P-b" addr add 198.19.99.2/24 dev zkf0; ip -n "$P-b" link set zkf0 up
  sleep 1
  ip netns exec "$P-a" ping -c 5000 -f -q 198.18.99.2 >/dev/null
  ip netns exec "$P-a" ping -c 5000 -f -q 198.19.99.2 >/dev/null || { echo "rtt-floor: no ping across the $impl forwarders" >&2; cat "$work"/*.log >&2; exit 1; }
  local veth overlay
  veth=$(ip netns exec "$P-a" ping -c 200 -i 0.01 198.18.99.2 | percentiles)
  overlay=$(ip netns exec "$P-a" ping -c 200 -i 0.01 198.19.99.2 | percentiles)
  echo "| $impl | ${veth% *} | ${veth#* } | ${overlay% *} | ${overlay#* } |"
  for n in a b; do ip netns pids "$P-$n" | xargs -r kill 2>/dev/null || true; done
  sleep 0.2
  for n in a b; do ip netns del "$P-$n"; done
}

echo "rtt-floor: $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| forwarder | veth RTT p50 ms | veth RTT p99 ms | overlay RTT p50 ms | overlay RTT p99 ms |"
echo "|---|---|---|---|---|"
for _ in $(seq 1 "$rounds"); do round c; round java; done
