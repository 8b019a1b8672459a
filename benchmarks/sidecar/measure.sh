#!/usr/bin/env bash
# Measures the pod sidecar (zerokube node --pod, docs/injection.md): launch to /readyz 200, the CPU
# it used by then, when it had its identity (identity_ms: from the HTTP server up to the node started;
# search_ms: the proof of work alone), and RSS after 15 s idle. Everything on 127.0.0.1: a
# zerokube controller that is also the planet's only root, a public network on it, and a stand-in
# join endpoint (JoinStub.java: TLS, answers every join with that network). Needs JDK 25 and
# ./mvnw -B -q package -pl sidecar -am -DskipTests first. No root needed.
#
#   benchmarks/sidecar/measure.sh [--samples N] [--aot | --image | --image-aot] [--label L] [--detail DIR]
#                                 [-- JVM flags...]
#
# --aot trains an AOT cache (JDK 25, -XX:AOTCacheOutput) with one run first and uses it.
# --image launches the sidecar as the image does (docker/zerokube/Dockerfile): the ENTRYPOINT's JVM
# flags on the command line, the JVM flags given here through JAVA_TOOL_OPTIONS as the webhook
# injects them, and no AOT cache. --image-aot the same with the image's cache: first the
# Dockerfile's training command (`zerokube aot-train`, same flags, same environment), then every
# sample with the ENTRYPOINT's -XX:AOTCache pointing at what it wrote. So the number measured is
# the shipped artifact's (built here with the local JDK instead of the image's JRE).
# ZEROKUBE_DOCKERFILE=FILE reads another Dockerfile's ENTRYPOINT (to try other image flags).
# --detail DIR: where the idle memory goes, per sample, into DIR: smaps_rollup (anonymous against
# file-backed), the JVM's native memory summary (the samples run with
# -XX:NativeMemoryTracking=summary, which itself costs a little memory: RSS figures from a
# --detail run are not the plain ones), the live heap's class histogram, and the classes loaded
# per jar (-Xlog:class+load).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
J=${ZEROKUBE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin
samples=3; aot=0; image=0; label=run; detail=
while [ $# -gt 0 ]; do
  case "$1" in
    --samples) samples=$2; shift 2 ;;
    --aot) aot=1; shift ;;
    --image) image=1; shift ;;
    --image-aot) image=2; shift ;;
    --label) label=$2; shift 2 ;;
    --detail) detail=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
flags=("$@")
work=$(mktemp -d /tmp/zk-sidecar-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
jar="${ZEROKUBE_JAR:-$repo/sidecar/target/zerokube.jar}"
"$J/java" -jar "$jar" idtool generate ctl-identity.secret ctl-identity.public >/dev/null
mkdir ctl && mv ctl-identity.secret ctl/identity.secret && mv ctl-identity.public ctl/identity.public
"$J/java" -jar "$jar" idtool initplanet ctl/identity.public \
  | sed 's|"stableEndpoints" : \[ \]|"stableEndpoints" : [ "127.0.0.1/29993" ]|' > planet.json
"$J/java" -jar "$jar" idtool genplanet planet.json planet >/dev/null
"$J/java" -jar "$jar" controller --home ctl --port 29993 --planet planet --loopback-paths 2> ctl.log &
pids+=($!)
for _ in $(seq 1 300); do [ -f ctl/authtoken.secret ] && curl -sf -o /dev/null -H "X-ZT1-Auth: $(cat ctl/authtoken.secret)" http://127.0.0.1:29993/controller && break; sleep 0.1; done
T=$(cat ctl/authtoken.secret); addr=$(cut -d: -f1 ctl/identity.public)
curl -sf -H "X-ZT1-Auth: $T" -X POST "http://127.0.0.1:29993/controller/network/${addr}______" -d '{"name": "bench",
  "private": false, "v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.147.17.1", "ipRangeEnd": "10.147.17.254"}],
  "routes": [{"target": "10.147.17.0/24", "via": null}]}' >/dev/null
nwid=$(curl -sf -H "X-ZT1-Auth: $T" http://127.0.0.1:29993/controller/network | tr -d '[]" \n')
"$J/keytool" -genkeypair -alias join -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 -ext SAN=ip:127.0.0.1 \
  -validity 2 -keystore join.p12 -storetype PKCS12 -storepass changeit -keypass changeit >/dev/null 2>&1
"$J/keytool" -exportcert -rfc -alias join -keystore join.p12 -storepass changeit > join.pem 2>/dev/null
"$J/java" "$here/JoinStub.java" "$nwid" join.p12 28443 > stub.log 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q ready stub.log 2>/dev/null && break; sleep 0.1; done
echo -n "header.payload.signature" > token

sidecar() { # $1: log file; rest: JVM flags
  local log=$1; shift
  ZEROKUBE_NETWORKS=bench ZEROKUBE_JOIN_ENDPOINT=https://127.0.0.1:28443/v1/join ZEROKUBE_JOIN_CA="$(cat join.pem)" \
  ZEROKUBE_TOKEN_FILE=$work/token ZEROKUBE_PLANET_FILE=$work/planet JAVA_TOOL_OPTIONS="$tool_options" \
    "$J/java" "$@" -jar "$jar" node --pod --userspace --loopback-paths --port 0 --http 127.0.0.1:19994 > "$log" 2>&1 &
}
tool_options=${JAVA_TOOL_OPTIONS:-}
if [ $image != 0 ]; then
  # The ENTRYPOINT's JVM flags (between "java" and "-jar"), its cache path replaced by ours or dropped.
  mapfile -t entry < <(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' "${ZEROKUBE_DOCKERFILE:-$repo/docker/zerokube/Dockerfile}" \
    | tr ',' '\n' | sed 's/^ *"//; s/" *$//')
  [ "${entry[0]:-}" = java ] || { echo "no ENTRYPOINT [\"java\", ...] in the Dockerfile" >&2; exit 1; }
  image_flags=(); train_flags=()
  for f in "${entry[@]:1}"; do
    case "$f" in
      -jar) break ;;
      -XX:AOTCache=*) [ $image = 2 ] && image_flags+=("-XX:AOTCache=$work/image.aot") ;;
      *) image_flags+=("$f"); train_flags+=("$f") ;;
    esac
  done
  tool_options="${flags[*]}"
  if [ $image = 2 ]; then
    # The Dockerfile's RUN: the image's launch command with the injected flags, then aot-train.
    JAVA_TOOL_OPTIONS="$tool_options" "$J/java" "${train_flags[@]}" -jar "$jar" aot-train "$work/image.aot" \
      > train.out 2> train.log || { cat train.log train.out >&2; exit 1; }
    echo "# trained: $(cat train.out)"
  fi
  flags=("${image_flags[@]}")
fi
if [ $aot = 1 ]; then
  sidecar train.log -XX:AOTCacheOutput="$work/sidecar.aot" "${flags[@]}"
  p=$!
  for _ in $(seq 1 600); do grep -q event=ready train.log && break; sleep 0.1; done
  sleep 2; kill $p; wait $p 2>/dev/null || true
  flags+=(-XX:AOTCache="$work/sidecar.aot")
fi
extra=()
[ -n "$detail" ] && extra=(-XX:NativeMemoryTracking=summary "-Xlog:class+load=info:file=$work/classes.log")
for i in $(seq 1 "$samples"); do
  start=$(date +%s%N)
  sidecar s$i.log "${flags[@]}" "${extra[@]}"
  p=$!
  ready=never; cpu=-
  for _ in $(seq 1 3000); do
    if curl -sf -o /dev/null http://127.0.0.1:19994/readyz; then
      ready=$(( ($(date +%s%N) - start) / 1000000 )); cpu=$(awk '{print ($14+$15)*10}' /proc/$p/stat); break
    fi
    sleep 0.01
  done
  sleep 15
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$p/status)
  if [ -n "$detail" ]; then
    d="$detail/$label-$i"; mkdir -p "$d"
    cat /proc/$p/smaps_rollup > "$d/smaps_rollup"; cat /proc/$p/smaps > "$d/smaps"; cp /proc/$p/status "$d/status"
    "$J/jcmd" $p VM.native_memory summary > "$d/nmt.txt" 2>&1 || true
    "$J/jcmd" $p GC.class_histogram > "$d/histogram.txt" 2>&1 || true
    ls /proc/$p/task | wc -l > "$d/threads"
    for t in /proc/$p/task/*; do cat "$t/comm"; done | sort | uniq -c | sort -rn > "$d/thread-names"
    # classes per source: jar name, "shared" (CDS/AOT archive) or "jrt" (the JDK's modules)
    sed -n 's/.*source: \(.*\)$/\1/p' "$work/classes.log" | sed -e 's|.*/lib/||' -e 's|^jrt:/\([^/]*\).*|jrt:\1|' \
      -e 's|^shared objects file.*|shared|' -e 's|-[0-9][0-9.]*\(Final\)\?\(-linux-x86_64\)\?\.jar|.jar|' \
      | sort | uniq -c | sort -rn > "$d/classes-by-source"
    grep -c 'source:' "$work/classes.log" > "$d/classes-total" || true
    cp "$work/classes.log" "$d/classes.log"
  fi
  ts() { date -d "$(sed -n "s/^ts=\([^ ]*\) .*event=$1 .*/\1/p" s$i.log | head -1)" +%s%N; }
  t0=$(ts http); t1=$(ts started)
  echo "$label sample=$i ready_ms=$ready cpu_ms_at_ready=$cpu jvm_to_http_ms=$(( (t0 - start) / 1000000 ))" \
       "identity_ms=$(( (t1 - t0) / 1000000 )) search_ms=$(sed -n 's/.*identity_search_ms=\([0-9]*\).*/\1/p' s$i.log | head -1)" \
       "rss_idle_mib=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
  kill $p; wait $p 2>/dev/null || true
  # The JVM says on stdout when it cannot use a cache it was given (and then runs without any).
  if grep -q '\[aot\]' s$i.log; then echo "# sample $i: the JVM did not use the AOT cache:"; grep '\[aot\]' s$i.log; fi
done
