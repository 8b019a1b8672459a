#!/usr/bin/env bash
# Where the RTT goes, from a `bench.sh --sched DIR` run: for each overlay run (IMPL-ROUND) and each
# thread of its two node processes that ran during the 200 RTT pings, how often it was woken and
# how long it ran each time (perf sched timehist's run time: from being switched in to being
# switched out, system calls included). A ping crosses node a's TAP reader and UDP sender, then
# node b's, and back: the per-wake-up run times of those threads add up to most of the overlay's
# share of the RTT, and the wake-ups per ping say how many thread hand-offs a packet takes.
#
#   benchmarks/netns/sched-hops.sh DIR
set -euo pipefail
dir=${1:?usage: $0 DIR (from bench.sh --sched DIR)}
[ -s "$dir/pids" ] || { echo "sched-hops: no runs in $dir/pids" >&2; exit 1; }
echo "| run | node | thread | wake-ups | per ping | run µs p50 | run µs p90 | run ms total |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
while read -r run pa pb; do
  perf sched timehist -i "$dir/$run.sched" 2>/dev/null | awk -v run="$run" -v pa="$pa" -v pb="$pb" '
    NR > 3 && $3 ~ /\[[0-9]+(\/[0-9]+)?\]$/ && $NF ~ /^[0-9.]+$/ {
      task = $3; sub(/\[.*/, "", task)
      ids = $3; sub(/.*\[/, "", ids); sub(/\]$/, "", ids)
      n = split(ids, id, "/"); tid = id[1]; pid = (n > 1) ? id[2] : id[1]
      if (pid != pa && pid != pb) next
      key = pid " " tid; name[key] = task; node[key] = (pid == pa) ? "a" : "b"
      cnt[key]++; t[key, cnt[key]] = $NF * 1000; sum[key] += $NF
    }
    END {
      for (k in cnt) {
        m = cnt[k]; for (i = 1; i <= m; i++) v[i] = t[k, i]
        # insertion sort: a few hundred values per thread
        for (i = 2; i <= m; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- }; v[j + 1] = x }
        split(k, kk, " "); i90 = int(m * 0.9); if (i90 < 1) i90 = 1
        printf "| %s | %s | %s (%s) | %d | %.1f | %.0f | %.0f | %.1f |\n", run, node[k], name[k], kk[2], m, m / 200,
          v[int(m / 2) + 1], v[i90], sum[k]
      }
    }' | sort -t'|' -k3,3 -k9,9nr | awk -F'|' '$6 + 0 >= 0.5 || $9 + 0 >= 1'
done <"$dir/pids"
