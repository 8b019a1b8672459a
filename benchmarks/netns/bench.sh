#!/usr/bin/env bash
# The netns bench (issue 4): two nodes "a" and "b", each in its own network namespace on a private
# WAN bridge (198.18.0.0/24), joined to one network of a zerokube controller through a zerokube
# root, measured with the kernel's own tools across the overlay (TAP to TAP):
#   start to first ping   both nodes started together (already authorized, addresses assigned)
#                         until the first ping from a to b's overlay address is answered; also
#                         the CPU time each node process had used by then (a load-independent
#                         view of start-up on a shared machine)
#   RSS idle / load       VmRSS of each node process 5 s after that, and at the end of the TCP run
#   ping RTT p50/p99      200 pings at 10 ms intervals (after the warm-up below)
#   TCP 1 and 4 streams   iperf3 a -> b
#   UDP 1400 B            iperf3 -u -l 1400 -b 2G a -> b: received rate and loss
#   CPU-s per GB          utime+stime of both node processes (/proc/PID/stat) over the 1-stream
#                         TCP run, divided by the gigabytes received
# beside raw veth (the same tools between the namespaces' underlay addresses) and, when
# ZEROTIER_ONE names a zerotier-one binary (built by hand, never part of this repository), beside
# ZeroTier One in the same run with the same identities, planet, controller and addresses. Rounds
# interleave the implementations (zk, zt, zk, zt, ...). With --mixed (and ZEROTIER_ONE) each round
# also runs a zerokube node against a ZeroTier One node, both ways ("zk-zt": a is zerokube and sends
# to b, ZeroTier One; "zt-zk" the reverse): interoperation under load, e.g. zerokube's even
# fragments and UDP GSO bursts into ZeroTier One. Needs root, iproute2, iperf3, curl, ping.
#
# Each overlay node gets --warmup seconds (default 10) of unreported iperf3 traffic after its
# first ping, then 20,000 unreported back-to-back pings (ping -f: small frames, a path bulk TCP does
# not exercise, which the JVM compiles separately), before RTT and throughput are measured (both
# implementations alike).
#
# --aot: before the rounds, one unreported start of both nodes in which node a records an AOT
# cache (JDK 25, -XX:AOTCacheOutput) of its start, first ping and a few seconds of traffic; the
# measured zerokube nodes then start with -XX:AOTCache (class loading and linking done ahead, as
# a sidecar image that ships a cache would start).
#
# --sched DIR: the RTT pings of each overlay run are recorded with `perf sched record` (all CPUs)
# into DIR/IMPL-ROUND.sched, the node processes' PIDs into DIR/pids; sched-hops.sh DIR then says
# how long each node thread ran per wake-up (where the RTT goes). The recording adds its own cost:
# RTT figures of such a run are not the plain ones.
#
# --image-flags: the zerokube nodes run with the JVM flags and environment an injected sidecar gets
# (docker/zerokube/Dockerfile's SIDECAR_JVM_OPTIONS, which the webhook puts in JAVA_TOOL_OPTIONS:
# serial collector, 32 MiB heap cap, ...; and MALLOC_ARENA_MAX=2), before NODE_JAVA_OPTS. Without
# it they run with the JVM's defaults (no heap cap).
#
# --pin: node a's process (all its threads) runs on CPU 0 and node b's on CPU 1 (taskset), for both
# implementations. Tells how much of a result comes from threads of one node waking each other
# across CPUs (docs/performance.md, "The TAP reader's hand-off"). Needs 2 CPUs or more.
#
# usage: benchmarks/netns/bench.sh [--rounds N] [--seconds S] [--warmup S] [--mixed] [--aot] [--sched DIR] [--pin] [--image-flags]
#   env: ZEROKUBE_JAR (default sidecar/target/zerokube.jar; ./mvnw package -pl sidecar -am builds
#        it), JAVA (a JDK 25; found like ./zerokube finds it), ZEROTIER_ONE (optional),
#        NODE_JAVA_OPTS (JVM flags for the two overlay nodes only, e.g. the sidecar's or a profiler's)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=1
seconds=8
warmup=10
mixed=""
sched_dir=""
aot=""
pin=""
image_flags=""
while [ $# -gt 0 ]; do
  case "$1" in
    --aot) aot=1; shift;;
    --pin) pin=1; shift;;
    --image-flags) image_flags=1; shift;;
    --rounds) rounds=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --mixed) mixed=1; shift;;
    --sched) sched_dir=$(mkdir -p "$2" && cd "$2" && pwd); shift 2;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--warmup S] [--mixed] [--aot] [--sched DIR] [--pin] [--image-flags]" >&2; exit 2;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, TAP devices)" >&2; exit 1; }
if [ -n "$pin" ] && [ "$(nproc)" -lt 2 ]; then echo "bench: --pin needs 2 CPUs" >&2; exit 1; fi
if [ -n "$sched_dir" ]; then
  command -v perf >/dev/null || { echo "bench: --sched needs perf" >&2; exit 1; }
  # perf finds the scheduler's tracepoints in tracefs
  mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing \
    || { echo "bench: --sched needs tracefs at /sys/kernel/tracing" >&2; exit 1; }
  : >"$sched_dir/pids"
fi
for t in ip iperf3 curl ping; do
  command -v $t >/dev/null || { echo "bench: $t is missing (e2e/scripts/ensure-packages.sh installs it)" >&2; exit 1; }
done
jar=${ZEROKUBE_JAR:-$here/sidecar/target/zerokube.jar}
[ -f "$jar" ] || { echo "bench: no $jar (build it: ./mvnw -B package -pl sidecar -am -DskipTests)" >&2; exit 1; }
find_java25() {
  local c v
  for c in "${JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    v=$("$c" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
java=$(find_java25) || { echo "bench: a JDK 25 is needed (set JAVA)" >&2; exit 1; }
zk_env=()
if [ -n "$image_flags" ]; then
  sidecar_opts=$(sed -n 's/^ARG SIDECAR_JVM_OPTIONS="\(.*\)"$/\1/p' "$here/docker/zerokube/Dockerfile")
  [ -n "$sidecar_opts" ] || { echo "bench: no SIDECAR_JVM_OPTIONS in docker/zerokube/Dockerfile" >&2; exit 1; }
  NODE_JAVA_OPTS="$sidecar_opts ${NODE_JAVA_OPTS:-}"
  zk_env=(env MALLOC_ARENA_MAX=2)
fi
zt=${ZEROTIER_ONE:-}
if [ -n "$zt" ] && [ ! -x "$zt" ]; then echo "bench: ZEROTIER_ONE=$zt is not executable" >&2; exit 1; fi
if [ -n "$mixed" ] && [ -z "$zt" ]; then echo "bench: --mixed needs ZEROTIER_ONE" >&2; exit 1; fi
clk=$(getconf CLK_TCK)

P="zkb$$"                              # namespace prefix, unique per run
work=$(mktemp -d /tmp/zerokube-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for n in a b root ctl wan; do ip netns del "$P-$n" 2>/dev/null || true; done
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "bench: files kept in $work" >&2; fi
}
trap cleanup EXIT INT TERM

zk() { "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"; }
in_ns() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }
start_in() { # start_in NS LOG cmd...: background process in a namespace; prints its pid
  local n=$1 log=$2; shift 2
  ip netns exec "$P-$n" "$@" >"$log" 2>&1 &
  echo $!
}
now_ms() { date +%s%3N; }
stop() { # stop PID...: TERM, wait up to 10 s, then KILL (the processes are not our children)
  kill "$@" 2>/dev/null || true
  for _ in $(seq 1 100); do
    local alive=""
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ---- underlay: a WAN bridge, four hosts, no default routes, IPv4 only
ip netns add "$P-wan"; ip -n "$P-wan" link set lo up
ip -n "$P-wan" link add br0 type bridge; ip -n "$P-wan" link set br0 up
declare -A addr=([root]=198.18.0.10 [ctl]=198.18.0.20 [a]=198.18.0.31 [b]=198.18.0.32)
for n in root ctl a b; do
  ip netns add "$P-$n"; ip -n "$P-$n" link set lo up
  in_ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$P-$n" link add eth0 type veth peer name "w-$n" netns "$P-wan"
  ip -n "$P-wan" link set "w-$n" master br0 up
  ip -n "$P-$n" addr add "${addr[$n]}/24" dev eth0; ip -n "$P-$n" link set eth0 up
done

# ---- planet (root's identity, endpoint), root, controller, network, members a and b
mkdir -p "$work/root" "$work/ctl" "$work/id-a" "$work/id-b"
zk idtool generate "$work/root/identity.secret" "$work/root/identity.public" >/dev/null
zk idtool initplanet "$work/root/identity.public" \
  | sed 's#"stableEndpoints" *: *\[ *\]#"stableEndpoints": ["198.18.0.10/9993"]#' >"$work/planet.json"
grep -q 198.18.0.10/9993 "$work/planet.json" || { echo "bench: could not set the root's endpoint in planet.json" >&2; exit 1; }
zk idtool genplanet "$work/planet.json" "$work/planet" >/dev/null
for n in a b; do zk idtool generate "$work/id-$n/identity.secret" "$work/id-$n/identity.public" >/dev/null; done
pids+=("$(start_in root "$work/root.log" "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" root --home "$work/root" --port 9993 --planet "$work/planet")")
pids+=("$(start_in ctl "$work/ctl.log" "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" controller --home "$work/ctl" --port 9993 --planet "$work/planet")")
for _ in $(seq 1 300); do [ -s "$work/ctl/authtoken.secret" ] && grep -q 'event=online' "$work/ctl.log" && break; sleep 0.2; done
grep -q 'event=online' "$work/ctl.log" || { echo "bench: the controller did not come online" >&2; cat "$work/ctl.log" >&2; exit 1; }
token=$(cat "$work/ctl/authtoken.secret")
api() { in_ns ctl curl -sS -m 10 -H "X-ZT1-Auth: $token" -X "$1" "http://127.0.0.1:9993$2" ${3:+--data-binary "$3"}; }
ctl_addr=$(cut -c1-10 "$work/ctl/identity.public")
nwid=$(api POST "/controller/network/${ctl_addr}______" '{"name":"bench","private":true,"v4AssignMode":{"zt":true},"ipAssignmentPools":[{"ipRangeStart":"10.147.30.100","ipRangeEnd":"10.147.30.200"}],"routes":[{"target":"10.147.30.0/24"}],"rulesSource":"accept;"}' \
  | sed -n 's/.*"id":"\([0-9a-f]\{16\}\)".*/\1/p')
[ -n "$nwid" ] || { echo "bench: could not create the network" >&2; exit 1; }
declare -A ovl=([a]=10.147.30.11 [b]=10.147.30.12)
for n in a b; do
  m=$(cut -c1-10 "$work/id-$n/identity.public")
  api POST "/controller/network/$nwid/member/$m" "{\"authorized\":true,\"ipAssignments\":[\"${ovl[$n]}\"]}" >/dev/null
done

# ---- one measurement of one implementation (zk, zt, zk-zt, zt-zk or veth); prints one result line
node_impl() { # node_impl IMPL NODE: which implementation node a or b runs in IMPL
  case "$1" in zk-zt) [ "$2" = a ] && echo zk || echo zt;; zt-zk) [ "$2" = a ] && echo zt || echo zk;; *) echo "$1";; esac
}
percentile() { sort -n | awk -v p="$1" '{v[NR]=$1} END {if (NR == 0) {print "-"; exit} i=int(NR*p/100+0.999); if (i<1) i=1; print v[i]}'; }
ping_stats() { # ping_stats FROM TO [SCHED]: "p50 p99" in ms; with SCHED, under perf sched record into that file
  if [ -n "${3:-}" ]; then
    perf sched record -a -q -o "$3" -- ip netns exec "$P-$1" ping -n -c 200 -i 0.01 -W 1 "$2" 2>/dev/null \
      | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' >"$work/rtt"
  else
    in_ns "$1" ping -n -c 200 -i 0.01 -W 1 "$2" | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' >"$work/rtt"
  fi
  echo "$(percentile 50 <"$work/rtt") $(percentile 99 <"$work/rtt")"
}
iperf() { # iperf NAME TARGET ARGS...: runs client in a against server in b; JSON in $work/NAME.json
  local name=$1 target=$2; shift 2
  local s; s=$(start_in b "$work/iperf3-server.log" iperf3 -s -1 -B "$target")
  for _ in $(seq 1 50); do in_ns b ss -ltn | grep -q ":5201 " && break; sleep 0.1; done
  in_ns a iperf3 -J -c "$target" -t "$seconds" "$@" >"$work/$name.json" || true
  stop "$s"
}
json_num() { # json_num FILE EXPR: a number from iperf3's JSON report (python3), "-" when absent
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$1" "$2" 2>/dev/null || echo "-"
}
node_homes() { # node_homes IMPL ROUND: fresh homes for a and b with their identities, the planet and the network
  for n in a b; do
    local h="$work/$1-$n-$2"
    mkdir -p "$h/networks.d"; cp "$work/id-$n/identity.secret" "$work/id-$n/identity.public" "$work/planet" "$h/"
    : >"$h/networks.d/$nwid.conf"
  done
}
train_aot() { # both nodes start once, node a recording its AOT cache; nothing reported
  node_homes aot 0
  local pa pb
  # shellcheck disable=SC2086 # NODE_JAVA_OPTS is a list of flags
  pa=$(start_in a "$work/aot-a-0.log" "${zk_env[@]}" "$java" ${NODE_JAVA_OPTS:-} -XX:AOTCacheOutput="$work/node.aot" \
    --enable-native-access=ALL-UNNAMED -jar "$jar" node --home "$work/aot-a-0" --port 9993)
  # shellcheck disable=SC2086
  pb=$(start_in b "$work/aot-b-0.log" "${zk_env[@]}" "$java" ${NODE_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "$jar" node --home "$work/aot-b-0" --port 9993)
  pids+=("$pa" "$pb")
  for _ in $(seq 1 1500); do in_ns a ping -n -c 1 -W 0.2 "${ovl[b]}" >/dev/null 2>&1 && break; sleep 0.02; done
  in_ns a ping -n -q -c 50 -i 0.05 "${ovl[b]}" >/dev/null 2>&1 || true
  kill "$pa" "$pb" 2>/dev/null || true
  for _ in $(seq 1 1200); do kill -0 "$pa" 2>/dev/null || break; sleep 0.1; done # the JVM writes the cache as it exits
  stop "$pb"
  [ -s "$work/node.aot" ] || { echo "bench: no AOT cache was written (JDK 25 needed; see $work/aot-a-0.log)" >&2; exit 1; }
  NODE_JAVA_OPTS="${NODE_JAVA_OPTS:-} -XX:AOTCache=$work/node.aot"
}
measure() {
  local impl=$1 round=$2 pa="" pb="" first_ms="-" first_cpu="-" rss_idle="-" rss_load="-" cpu_gb="-"
  local target=${ovl[b]}
  if [ "$impl" = veth ]; then
    target=${addr[b]}
  else
    node_homes "$impl" "$round"
    for n in a b; do
      if [ "$(node_impl "$impl" "$n")" = zt ]; then
        echo '{"settings":{"primaryPort":9993,"portMappingEnabled":false,"allowTcpFallbackRelay":false,"allowSecondaryPort":false,"softwareUpdate":"disable"}}' >"$work/$impl-$n-$round/local.conf"
      fi
    done
    local t0; t0=$(now_ms)
    for n in a b; do
      local h="$work/$impl-$n-$round" p
      local on_cpu=()
      if [ -n "$pin" ]; then on_cpu=(taskset -c "$([ "$n" = a ] && echo 0 || echo 1)"); fi
      if [ "$(node_impl "$impl" "$n")" = zk ]; then
        # shellcheck disable=SC2086 # NODE_JAVA_OPTS is a list of flags
        p=$(start_in "$n" "$h.log" "${zk_env[@]}" "${on_cpu[@]}" "$java" ${NODE_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -jar "$jar" node --home "$h" --port 9993)
      else
        p=$(start_in "$n" "$h.log" "${on_cpu[@]}" "$zt" -U -p9993 "$h")
      fi
      pids+=("$p")
      if [ "$n" = a ]; then pa=$p; else pb=$p; fi
    done
    local ok=""
    for _ in $(seq 1 3000); do
      if in_ns a ping -n -c 1 -W 0.2 "$target" >/dev/null 2>&1; then ok=1; break; fi
      [ $(( $(now_ms) - t0 )) -gt 60000 ] && break
      # Until a's TAP has its route, ping fails at once: without a pause this loop would start
      # ~100 processes a second and take CPU from the nodes it measures (2 vCPUs here).
      sleep 0.02
    done
    [ -n "$ok" ] || { echo "bench: $impl: no ping across within 60 s (logs in $work with KEEP=1)" >&2; stop "$pa" "$pb"; return 1; }
    first_ms=$(( $(now_ms) - t0 ))
    first_cpu=$(awk -v a="$(cpu_ticks "$pa")" -v b="$(cpu_ticks "$pb")" -v k="$clk" 'BEGIN { printf "%.1f/%.1f", a / k, b / k }')
    sleep 5
    rss_idle="$(( $(rss_kib "$pa") / 1024 ))/$(( $(rss_kib "$pb") / 1024 ))"
  fi
  if [ -n "$pa" ] && [ "$warmup" -gt 0 ]; then
    # The JVM compiles its hot code in the first seconds of traffic: measured runs come after that
    # (a node runs for days); this run is not reported.
    local s=$seconds; seconds=$warmup; iperf warmup "$target" -P 2; seconds=$s
    # Small frames take their own path (no TSO, no GRO merge), compiled only once enough of them
    # went by: after 5,000 pings its last C2 compilations still landed during the RTT pings below
    # (-XX:+PrintCompilation, 2026-12-02), so the RTT measured the warm-up, not the steady state.
    in_ns a ping -n -q -f -c 20000 -W 1 "$target" >/dev/null 2>&1 || true
  fi
  local rtt sched=""
  if [ -n "$sched_dir" ] && [ -n "$pa" ]; then
    sched="$sched_dir/$impl-$round.sched"; echo "$impl-$round $pa $pb" >>"$sched_dir/pids"
  fi
  rtt=$(ping_stats a "$target" "$sched")
  local c0=0; [ -n "$pa" ] && c0=$(( $(cpu_ticks "$pa") + $(cpu_ticks "$pb") ))
  iperf tcp1 "$target"
  if [ -n "$pa" ]; then
    local c1; c1=$(( $(cpu_ticks "$pa") + $(cpu_ticks "$pb") ))
    rss_load="$(( $(rss_kib "$pa") / 1024 ))/$(( $(rss_kib "$pb") / 1024 ))"
    local bytes; bytes=$(json_num "$work/tcp1.json" "d['end']['sum_received']['bytes']")
    cpu_gb=$(awk -v c=$((c1 - c0)) -v k="$clk" -v b="$bytes" 'BEGIN { if (b > 0) printf "%.2f", (c / k) / (b / 1e9); else print "-" }')
  fi
  local tcp1 tcp4 udp udploss
  tcp1=$(json_num "$work/tcp1.json" "round(d['end']['sum_received']['bits_per_second']/1e6)")
  iperf tcp4 "$target" -P 4
  tcp4=$(json_num "$work/tcp4.json" "round(d['end']['sum_received']['bits_per_second']/1e6)")
  iperf udp "$target" -u -l 1400 -b 2G
  udp=$(json_num "$work/udp.json" "round(d['end']['sum']['bits_per_second']*(1-d['end']['sum']['lost_percent']/100)/1e6)")
  udploss=$(json_num "$work/udp.json" "round(d['end']['sum']['lost_percent'],1)")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s %%) | %s | %s | %s |\n' "$impl" "$round" "$first_ms" "$first_cpu" "${rtt% *}" "${rtt#* }" \
    "$tcp1" "$tcp4" "$udp" "$udploss" "$cpu_gb" "$rss_idle" "$rss_load"
  if [ -n "$pa" ]; then stop "$pa" "$pb"; fi
}

if [ -n "$aot" ]; then train_aot; fi
echo "bench: $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; zerokube $(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo '?'); ${zt:+zerotier-one $("$zt" -v);} $seconds s per iperf3 run, $warmup s warm-up${aot:+, zerokube nodes with an AOT cache trained on one start}${pin:+, each node on one CPU (--pin)}${image_flags:+, zerokube nodes with the sidecar image JVM flags (--image-flags)}"
echo
echo "| impl | round | start to first ping ms | CPU-s to first ping a/b | RTT p50 ms | RTT p99 ms | TCP 1 stream Mbit/s | TCP 4 streams Mbit/s | UDP 1400 B Mbit/s (loss) | CPU-s per GB (both nodes) | RSS idle MiB a/b | RSS load MiB a/b |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
measure veth 0
for r in $(seq 1 "$rounds"); do
  measure zk "$r"
  if [ -n "$zt" ]; then measure zt "$r"; fi
  if [ -n "$mixed" ]; then measure zk-zt "$r"; measure zt-zk "$r"; fi
done
echo
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
