#!/usr/bin/env bash
# Time from `atlas run` to ready, and the process's RSS once idle (after a few requests). Loopback only.
# Needs the distribution: mvn -B -ntp -DskipTests package
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
source "$here/bench-config.sh"
work=$(mktemp -d)
port=${PORT:-18080}
runs=${RUNS:-5}
write_config "$work" "$port" "http://127.0.0.1:1"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/run-$i.log" 2>&1 &
  pid=$!
  wait_ready "http://127.0.0.1:$port/health/ready"
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  for _ in $(seq 1 20); do curl -s -o /dev/null "http://127.0.0.1:$port/health/ready"; done
  sleep 2
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$(pgrep -P $pid java || echo $pid)/status" 2>/dev/null || awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
  echo "run $i: ready in ${ready_ms} ms, idle RSS $((rss_kb / 1024)) MiB"
done
rm -rf "$work"
